package rdb

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The interchange tests run redis-server 7.0.15 (when it is on PATH, else they skip
// saying so) on ports 7380-7389, each with its own temporary --dir.

type redisServer struct {
	dir  string
	port int
	cmd  *exec.Cmd
	conn net.Conn
	r    *bufio.Reader
}

func needRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH: skipping the interchange test against it (apt-get install redis-server)")
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.Contains(string(out), "v=7.0.") {
		t.Skipf("redis-server is not 7.0 (%q): skipping the interchange test", out)
	}
	return bin
}

// startRedis starts redis-server in dir (a new temporary one if empty), loading
// dir/dump.rdb if present.
func startRedis(t *testing.T, dir string, args ...string) *redisServer {
	t.Helper()
	bin := needRedis(t)
	if dir == "" {
		dir = t.TempDir()
	}
	for port := 7380; port <= 7389; port++ {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		l.Close()
		all := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no", "--daemonize", "no",
			"--enable-debug-command", "yes", "--logfile", filepath.Join(dir, "redis.log")}, args...)
		cmd := exec.Command(bin, all...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		s := &redisServer{dir: dir, port: port, cmd: cmd}
		t.Cleanup(s.stop)
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
			if err == nil {
				s.conn, s.r = c, bufio.NewReader(c)
				if rep, err := s.try("PING"); err == nil && rep == "PONG" {
					return s
				}
				c.Close()
				s.conn = nil
			}
			if cmd.ProcessState != nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
		t.Fatalf("redis-server did not start on port %d:\n%s", port, log)
	}
	t.Fatal("no free port in 7380-7389")
	return nil
}

func (s *redisServer) stop() {
	if s.conn != nil {
		s.conn.Close()
	}
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

func (s *redisServer) log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	return string(b)
}

// redisError is an error reply.
type redisError string

func (e redisError) Error() string { return string(e) }

// try sends a command and reads its reply: string, int64, nil, []any, or a
// redisError as the error.
func (s *redisServer) try(args ...string) (any, error) {
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	s.conn.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := s.conn.Write(b); err != nil {
		return nil, err
	}
	return s.read()
}

func (s *redisServer) read() (any, error) {
	line, err := s.r.ReadString('\n')
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
		return nil, redisError(line[1:])
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(s.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		out := make([]any, n)
		var firstErr error
		for i := range out {
			out[i], err = s.read()
			if err != nil {
				if _, ok := err.(redisError); !ok {
					return nil, err
				}
				firstErr = err
			}
		}
		return out, firstErr
	}
	return nil, fmt.Errorf("bad reply line %q", line)
}

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (s *redisServer) do(t *testing.T, args ...string) any {
	t.Helper()
	rep, err := s.try(args...)
	if err != nil {
		t.Fatalf("redis-server: %q: %v", args, err)
	}
	return rep
}

func (s *redisServer) str(t *testing.T, args ...string) string {
	t.Helper()
	rep := s.do(t, args...)
	str, ok := rep.(string)
	if !ok {
		t.Fatalf("redis-server: %q: reply %v, want a string", args, rep)
	}
	return str
}

func (s *redisServer) int(t *testing.T, args ...string) int64 {
	t.Helper()
	rep := s.do(t, args...)
	n, ok := rep.(int64)
	if !ok {
		t.Fatalf("redis-server: %q: reply %v, want an integer", args, rep)
	}
	return n
}

func (s *redisServer) strs(t *testing.T, args ...string) []string {
	t.Helper()
	rep := s.do(t, args...)
	arr, ok := rep.([]any)
	if !ok {
		t.Fatalf("redis-server: %q: reply %v, want an array", args, rep)
	}
	out := make([]string, len(arr))
	for i, a := range arr {
		out[i], _ = a.(string)
	}
	return out
}

// redisKey is what redis-server reports about a key.
type redisKey struct {
	db       int
	key      string
	desc     string // as describe renders it
	expireAt int64  // PEXPIRETIME, 0 for none
	encoding string
}

// describeRedis reads every key of every database through commands.
func (s *redisServer) describeAll(t *testing.T, dbs int) map[string]redisKey {
	t.Helper()
	out := map[string]redisKey{}
	for db := range dbs {
		s.do(t, "SELECT", strconv.Itoa(db))
		for _, k := range s.strs(t, "KEYS", "*") {
			rk := redisKey{db: db, key: k, encoding: s.str(t, "OBJECT", "ENCODING", k)}
			q := strconv.Quote
			var items []string
			switch typ := s.str(t, "TYPE", k); typ {
			case "string":
				rk.desc = "string:" + q(s.str(t, "GET", k))
			case "list":
				for _, e := range s.strs(t, "LRANGE", k, "0", "-1") {
					items = append(items, q(e))
				}
				rk.desc = "list:[" + strings.Join(items, " ") + "]"
			case "set":
				for _, e := range s.strs(t, "SMEMBERS", k) {
					items = append(items, q(e))
				}
				slices.Sort(items)
				rk.desc = "set:{" + strings.Join(items, " ") + "}"
			case "hash":
				kv := s.strs(t, "HGETALL", k)
				for i := 0; i+1 < len(kv); i += 2 {
					items = append(items, q(kv[i])+"="+q(kv[i+1]))
				}
				slices.Sort(items)
				rk.desc = "hash:{" + strings.Join(items, " ") + "}"
			case "zset":
				kv := s.strs(t, "ZRANGE", k, "0", "-1", "WITHSCORES")
				var ms []string
				var ss []float64
				for i := 0; i+1 < len(kv); i += 2 {
					f, err := strconv.ParseFloat(kv[i+1], 64)
					if err != nil {
						t.Fatalf("score %q: %v", kv[i+1], err)
					}
					ms, ss = append(ms, kv[i]), append(ss, f)
				}
				rk.desc = describeZSet(ms, ss)
			default:
				rk.desc = typ
			}
			if e := s.int(t, "PEXPIRETIME", k); e > 0 {
				rk.expireAt = e
			}
			out[strconv.Itoa(db)+"/"+k] = rk
		}
	}
	s.do(t, "SELECT", "0")
	return out
}
