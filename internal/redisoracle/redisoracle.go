// Package redisoracle runs a real redis-server for differential tests: the reference
// Cairn's data structures and commands are compared against. It is imported only by
// tests. Start skips the calling test, with the reason given, when redis-server is not
// installed (CI installs it: apt-get install -y redis-server redis-tools).
package redisoracle

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Installed reports whether redis-server is on PATH.
func Installed() bool {
	_, err := exec.LookPath("redis-server")
	return err == nil
}

// Conn is a connection to a redis-server started for one test.
type Conn struct {
	conn net.Conn
	r    *bufio.Reader
}

// Start runs redis-server on a free loopback port, without persistence, with the
// extra directives given (e.g. "--rdbcompression", "no"), for the test's lifetime, and
// connects to it. Without redis-server it skips the test with skipReason.
func Start(t testing.TB, skipReason string, extra ...string) *Conn {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed: " + skipReason)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--daemonize", "no"}, extra...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck
		cmd.Wait()         //nolint:errcheck
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			t.Cleanup(func() { conn.Close() })
			return &Conn{conn: conn, r: bufio.NewReader(conn)}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start on port %d: %v", port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Do sends one command and returns its reply: a string for simple, error (with its
// "-") and bulk replies, int64, nil, or []any.
func (o *Conn) Do(t testing.TB, args ...string) any {
	t.Helper()
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := o.conn.Write(b); err != nil {
		t.Fatal(err)
	}
	v, err := o.Read()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Read reads one reply (see Do).
func (o *Conn) Read() (any, error) {
	line, err := o.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, fmt.Errorf("empty reply line")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return line, nil
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(o.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = o.Read(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}
