package cmdtable

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// oracle is a redis-server started by a test, listening on a unix socket only, so that it
// cannot collide with other servers on the machine.
type oracle struct {
	conn net.Conn
	r    *bufio.Reader
}

// startOracle starts redis-server for the test, or skips the test if it is not installed
// or -short is set. The server is killed when the test ends.
func startOracle(t *testing.T) *oracle {
	t.Helper()
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	var conn net.Conn
	for deadline := time.Now().Add(5 * time.Second); ; {
		if conn, err = net.Dial("unix", sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() { conn.Close() })
	o := &oracle{conn: conn, r: bufio.NewReader(conn)}
	if got := o.do(t, args("INFO", "server")); !containsLine(got, "redis_version:7.0.15") {
		t.Fatalf("redis-server is not 7.0.15: %v", got)
	}
	return o
}

func containsLine(reply any, line string) bool {
	s, ok := reply.(string)
	return ok && slices.Contains(strings.Split(s, "\r\n"), line)
}

// do sends one command and returns its reply.
func (o *oracle) do(t *testing.T, cmd [][]byte) any {
	t.Helper()
	replies := o.pipeline(t, [][][]byte{cmd})
	return replies[0]
}

// pipeline sends the commands in one write and returns their replies: a string for a bulk
// or simple string, int64, redisError, []any, or nil.
func (o *oracle) pipeline(t *testing.T, cmds [][][]byte) []any {
	t.Helper()
	var b []byte
	for _, cmd := range cmds {
		b = append(b, '*')
		b = strconv.AppendInt(b, int64(len(cmd)), 10)
		b = append(b, "\r\n"...)
		for _, a := range cmd {
			b = append(b, '$')
			b = strconv.AppendInt(b, int64(len(a)), 10)
			b = append(b, "\r\n"...)
			b = append(b, a...)
			b = append(b, "\r\n"...)
		}
	}
	o.conn.SetDeadline(time.Now().Add(30 * time.Second))
	errc := make(chan error, 1)
	go func() { _, err := o.conn.Write(b); errc <- err }()
	replies := make([]any, len(cmds))
	for i := range cmds {
		v, err := readRESP2(o.r)
		if err != nil {
			t.Fatalf("reading reply: %v", err)
		}
		replies[i] = v
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	return replies
}

type redisError string

func readRESP2(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 {
		return nil, fmt.Errorf("short line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+':
		return body, nil
	case '-':
		return redisError(body), nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = readRESP2(r); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}
