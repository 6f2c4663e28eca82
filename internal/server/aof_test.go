package server

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// restart stops s and waits for it to finish.
func stopAndWait(t *testing.T, s *Server, done <-chan struct{}) {
	t.Helper()
	s.Shutdown()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop")
	}
}

func TestAOFRestartRecoversWrites(t *testing.T) {
	for _, policy := range []string{"always", "everysec", "no"} {
		t.Run(policy, func(t *testing.T) {
			dir := t.TempDir()
			opts := []string{"--dir", dir, "--appendonly", "yes", "--appendfsync", policy}
			s, done := startServerDone(t, opts...)
			rc := dial(t, s)
			rc.expect("+OK\r\n", "SET", "a", "1")
			rc.expect("+OK\r\n", "SET", "ttl", "v", "EX", "1000")
			rc.expect(":2\r\n", "INCR", "a")
			rc.expect("+OK\r\n", "SELECT", "3")
			rc.expect("+OK\r\n", "SET", "in3", "x")
			rc.expect("+OK\r\n", "MULTI")
			rc.expect("+QUEUED\r\n", "SET", "m1", "1")
			rc.expect("+QUEUED\r\n", "SET", "m2", "2")
			rc.expect("*2\r\n+OK\r\n+OK\r\n", "EXEC")
			rc.expect(":1\r\n", "DEL", "m1")
			stopAndWait(t, s, done)

			incr, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(incr, []byte("*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$2\r\nm1\r\n")) {
				t.Fatalf("EXEC not logged as a MULTI/EXEC unit:\n%q", incr)
			}

			s2 := startServer(t, opts...)
			rc2 := dial(t, s2)
			rc2.expect("$1\r\n2\r\n", "GET", "a")
			if got := rc2.do("TTL", "ttl"); got == ":-1\r\n" || got == ":-2\r\n" {
				t.Fatalf("TTL lost across restart: %q", got)
			}
			rc2.expect("+OK\r\n", "SELECT", "3")
			rc2.expect("$1\r\nx\r\n", "GET", "in3")
			rc2.expect("$-1\r\n", "GET", "m1")
			rc2.expect("$1\r\n2\r\n", "GET", "m2")
		})
	}
}

func TestAOFTornTailIsTruncated(t *testing.T) {
	for name, tail := range map[string]string{
		"torn write": "*3\r\n$3\r\nSET\r\n$4\r\nlost", // a write torn by a crash
		// A length no file holds: loading must not try to allocate it (redis-server
		// 7.0.15 aborts on this file).
		"huge length": "*1\r\n$4611686018427387903\r\nx",
	} {
		t.Run(name, func(t *testing.T) {
			opts, path := aofWithOneSet(t, "k", "v")
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(tail); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}

			s2, done2 := startServerDone(t, opts...)
			rc2 := dial(t, s2)
			rc2.expect("$1\r\nv\r\n", "GET", "k")
			rc2.expect("+OK\r\n", "SET", "after", "1")
			stopAndWait(t, s2, done2)
			s3 := startServer(t, opts...)
			dial(t, s3).expect("$1\r\n1\r\n", "GET", "after")
		})
	}
}

// TestAOFRecordsMatchRedis runs the same commands on Cairn and redis-server 7.0.15, both
// with appendonly yes, and compares the incremental files byte for byte: commands that
// change nothing (GET, DEL of a missing key) and commands that only lower the dirty
// count (SAVE, DEBUG RELOAD) are not logged, by either.
func TestAOFRecordsMatchRedis(t *testing.T) {
	cmds := [][]string{
		{"SET", "a", "1"}, {"SAVE"}, {"GET", "a"}, {"DEBUG", "RELOAD"}, {"INCR", "a"}, {"DEL", "nokey"},
		{"DEBUG", "RELOAD", "NOSAVE"}, {"HSET", "h", "f", "v"}, {"LPUSH", "l", "x"}, {"LPOP", "l"}, {"DEL", "a"},
		{"SAVE"}, {"SET", "b", "2"},
	}
	incr := func(dir string) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	opts := []string{"--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "yes"}
	redisDir := t.TempDir()
	r := startRedis(t, append([]string{"--dir", redisDir}, opts...)...)
	cairnDir := t.TempDir()
	s, done := startServerDone(t, append([]string{"--dir", cairnDir}, opts...)...)
	c := dial(t, s)
	for _, cmd := range cmds {
		if got, want := c.do(cmd...), r.do(cmd...); got != want {
			t.Fatalf("%q: cairn %q, redis-server %q", cmd, got, want)
		}
	}
	stopAndWait(t, s, done)
	if got, want := incr(cairnDir), incr(redisDir); !bytes.Equal(got, want) {
		t.Fatalf("Cairn's AOF:\n%q\nredis-server's:\n%q", got, want)
	}
}

// aofWithOneSet runs SET key value on a server with appendonly yes and stops it. It
// returns the options that start a server on the same files and the path of the
// incremental file that holds the record.
func aofWithOneSet(t *testing.T, key, value string) (opts []string, incr string) {
	t.Helper()
	dir := t.TempDir()
	opts = []string{"--dir", dir, "--appendonly", "yes"}
	s, done := startServerDone(t, opts...)
	dial(t, s).expect("+OK\r\n", "SET", key, value)
	stopAndWait(t, s, done)
	return opts, filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
}

// TestAOFInterchangeWithRedis proves the files move both ways: redis-server 7.0.15
// loads an AOF directory Cairn wrote, and Cairn loads one redis-server wrote.
func TestAOFInterchangeWithRedis(t *testing.T) {
	// Cairn → Redis.
	dir := t.TempDir()
	opts := []string{"--dir", dir, "--appendonly", "yes"}
	s, done := startServerDone(t, opts...)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "from", "cairn")
	rc.expect("+OK\r\n", "SET", "ttl", "v", "PX", "100000000")
	rc.expect(":5\r\n", "INCRBY", "n", "5")
	rc.expect("+OK\r\n", "SELECT", "2")
	rc.expect("+OK\r\n", "SET", "db2", "yes")
	stopAndWait(t, s, done)
	r := startRedis(t, "--dir", dir, "--appendonly", "yes")
	r.expect("$5\r\ncairn\r\n", "GET", "from")
	r.expect("$1\r\n5\r\n", "GET", "n")
	if got := r.do("PTTL", "ttl"); !strings.HasPrefix(got, ":9") {
		t.Fatalf("redis-server PTTL after loading Cairn's AOF: %q", got)
	}
	r.expect("+OK\r\n", "SELECT", "2")
	r.expect("$3\r\nyes\r\n", "GET", "db2")

	// Redis → Cairn (an AOF base file without an RDB preamble).
	dir2 := t.TempDir()
	r2 := startRedis(t, "--dir", dir2, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always")
	r2.expect("+OK\r\n", "SET", "from", "redis")
	r2.expect("+OK\r\n", "SET", "ex", "v", "EX", "100000")
	r2.expect("+OK\r\n", "MULTI")
	r2.expect("+QUEUED\r\n", "INCR", "c")
	r2.expect("+QUEUED\r\n", "INCR", "c")
	r2.expect("*2\r\n:1\r\n:2\r\n", "EXEC")
	r2.send(encodeCommand("SHUTDOWN", "NOSAVE"))
	r2.readEOF() // redis-server fsyncs its AOF and exits
	s2 := startServer(t, "--dir", dir2, "--appendonly", "yes")
	c2 := dial(t, s2)
	c2.expect("$5\r\nredis\r\n", "GET", "from")
	c2.expect("$1\r\n2\r\n", "GET", "c")
	if got := c2.do("TTL", "ex"); got != ":100000\r\n" && !strings.HasPrefix(got, ":9999") {
		t.Fatalf("TTL of Redis's key in Cairn: %q", got)
	}
}

// startRedis runs redis-server 7.0.15 for the test (adminOracle) and returns a
// connection once it has finished loading.
func startRedis(t *testing.T, args ...string) *rawConn {
	t.Helper()
	rc := dialAddr(t, adminOracle(t, args...))
	for i := 0; i < 250; i++ {
		if got := rc.do("PING"); got == "+PONG\r\n" {
			return rc
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("redis-server kept loading")
	return nil
}

func TestAOFLogsDeterministicForms(t *testing.T) {
	dir := t.TempDir()
	s, done := startServerDone(t, "--dir", dir, "--appendonly", "yes")
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "a", "v", "EX", "100")
	rc.expect("+OK\r\n", "SETEX", "b", "100", "v")
	rc.expect(":1\r\n", "EXPIRE", "a", "200", "GT")
	rc.expect("$4\r\n1.25\r\n", "INCRBYFLOAT", "f", "1.25")
	rc.expect("$1\r\nv\r\n", "GETEX", "b", "PERSIST")
	rc.expect("$1\r\nv\r\n", "GETDEL", "b")
	rc.expect("$-1\r\n", "GETSET", "g", "x")
	rc.expect("$-1\r\n", "GET", "missing") // reads are not logged
	stopAndWait(t, s, done)
	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	rest := string(data)
	for len(rest) > 0 {
		// Decode one RESP array into a space-joined line.
		var n int
		fmt.Sscanf(rest, "*%d\r\n", &n)
		rest = rest[strings.Index(rest, "\n")+1:]
		var args []string
		for i := 0; i < n; i++ {
			var l int
			fmt.Sscanf(rest, "$%d\r\n", &l)
			rest = rest[strings.Index(rest, "\n")+1:]
			args = append(args, rest[:l])
			rest = rest[l+2:]
		}
		got = append(got, strings.Join(args, " "))
	}
	want := []string{
		`^SELECT 0$`,
		`^SET a v PXAT \d{13}$`,
		`^SET b v PXAT \d{13}$`,
		`^PEXPIREAT a \d{13} GT$`,
		`^SET f 1.25 KEEPTTL$`,
		`^PERSIST b$`,
		`^DEL b$`,
		`^SET g x$`,
	}
	if len(got) != len(want) {
		t.Fatalf("logged %d commands, want %d: %q", len(got), len(want), got)
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(got[i]) {
			t.Errorf("command %d: %q does not match %s", i, got[i], w)
		}
	}
}
