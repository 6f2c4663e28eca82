package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cairn/internal/config"
)

// Tests of the server commands (COMMAND, CONFIG, SLOWLOG, LATENCY, MEMORY, MONITOR,
// SHUTDOWN, TIME, DEBUG), many of them differential: the same requests go to Cairn and
// to a redis-server 7.0.15 started by the test, and the replies must be equal byte for
// byte. Without redis-server on PATH those parts are skipped with a message.

// adminOracle starts redis-server 7.0.15 on a free loopback port for the test's
// lifetime, with the extra directives given, and returns its address; it skips the
// test if that redis-server is not installed.
func adminOracle(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("differential part skipped: redis-server is not on PATH (apt-get install -y redis-server)")
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !bytes.Contains(out, []byte("v=7.0.15 ")) {
		t.Skipf("differential part skipped: %s is not redis-server 7.0.15 (%q)", bin, bytes.TrimSpace(out))
	}
	dir := t.TempDir()
	for attempt := 0; ; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		cmdArgs := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--daemonize", "no", "--logfile", filepath.Join(dir, "redis.log"), "--save", ""}, args...)
		cmd := exec.Command(bin, cmdArgs...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }() //nolint:errcheck
		stop := func() {
			cmd.Process.Kill() //nolint:errcheck
			<-exited
		}
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				conn.Close()
				t.Cleanup(stop)
				return addr
			}
			select {
			case <-exited:
				deadline = time.Time{}
			case <-time.After(10 * time.Millisecond):
			}
		}
		stop()
		if attempt == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server did not start on %s:\n%s", addr, log)
		}
	}
}

// dialAddr connects a raw test client to any server.
func dialAddr(t testing.TB, addr string) *rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// pair is one connection to Cairn and one to redis-server, used in step.
type pair struct {
	t             *testing.T
	cairn, oracle *rawConn
}

func newPair(t *testing.T, cairnOpts []string, oracleOpts []string) *pair {
	t.Helper()
	addr := adminOracle(t, oracleOpts...)
	s := startServer(t, cairnOpts...)
	return &pair{t: t, cairn: dial(t, s), oracle: dialAddr(t, addr)}
}

// same sends a command to both servers and checks that the raw replies are equal; it
// returns the reply.
func (p *pair) same(args ...string) string {
	p.t.Helper()
	want := p.oracle.do(args...)
	got := p.cairn.do(args...)
	if got != want {
		p.t.Errorf("%q:\n cairn: %q\n redis: %q", args, clipText(got), clipText(want))
	}
	return got
}

// both sends a command to both servers and returns the two replies.
func (p *pair) both(args ...string) (cairn, redis string) {
	p.t.Helper()
	return p.cairn.do(args...), p.oracle.do(args...)
}

func clipText(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// parseReply decodes a raw RESP reply into Go values: string for simple and bulk
// strings, int64, nil, error (the text of an error reply), []any for aggregates (maps
// flattened).
func parseReply(t testing.TB, raw string) any {
	t.Helper()
	r := bufio.NewReader(strings.NewReader(raw))
	v, err := decodeValue(r)
	if err != nil {
		t.Fatalf("decode %q: %v", clipText(raw), err)
	}
	return v
}

type replyError string

func decodeValue(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return replyError(body), nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '_':
		return nil, nil
	case '$', '=':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io_ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*', '%', '~', '>':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil, nil
		}
		if line[0] == '%' {
			n *= 2
		}
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			v, err := decodeValue(r)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return body, nil
}

func io_ReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func TestTimeAndLastsave(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	v := parseReply(t, rc.do("TIME")).([]any)
	secs, _ := strconv.ParseInt(v[0].(string), 10, 64)
	usec, _ := strconv.ParseInt(v[1].(string), 10, 64)
	if d := time.Now().Unix() - secs; d < -1 || d > 1 || usec < 0 || usec > 999999 {
		t.Errorf("TIME = %v", v)
	}
	last := parseReply(t, rc.do("LASTSAVE")).(int64)
	if d := time.Now().Unix() - last; d < 0 || d > 60 {
		t.Errorf("LASTSAVE = %d", last)
	}
	rc.expect("-ERR wrong number of arguments for 'time' command\r\n", "TIME", "x")
}

func TestCommandAgainstRedis(t *testing.T) {
	p := newPair(t, nil, nil)
	p.same("COMMAND", "COUNT")
	for _, proto := range []string{"2", "3"} {
		p.both("HELLO", proto)
		p.same("COMMAND", "INFO", "get", "set", "config|get", "nosuch", "xread", "client|kill", "get|x", "zadd", "eval")
		p.same("COMMAND", "DOCS", "get", "nosuch", "config|set", "Set", "georadius", "xadd")
		p.same("COMMAND", "DOCS", "nosuch")
		// A container lists its subcommands in the order of a dict Redis seeds at
		// random: compare without order.
		for _, args := range [][]string{{"COMMAND", "INFO", "config", "CLIENT"}, {"COMMAND", "DOCS", "config", "xinfo"}} {
			got, want := p.both(args...)
			if g, w := canonical(t, got), canonical(t, want); g != w {
				t.Errorf("%q in RESP%s:\n cairn %s\n redis %s", args, proto, clipText(g), clipText(w))
			}
		}
	}
	p.both("HELLO", "2")
	for _, args := range [][]string{
		{"COMMAND", "LIST", "FILTERBY"},
		{"COMMAND", "LIST", "FILTERBY", "pattern"},
		{"COMMAND", "LIST", "x"},
		{"COMMAND", "LIST", "FILTERBY", "foo", "x"},
		{"COMMAND", "LIST", "FILTERBY", "aclcat", "nosuch"},
		{"COMMAND", "LIST", "FILTERBY", "module", "x"},
		{"COMMAND", "GETKEYS"},
		{"COMMAND", "GETKEYS", "get"},
		{"COMMAND", "GETKEYS", "nosuch", "a"},
		{"COMMAND", "GETKEYS", "get", "a"},
		{"COMMAND", "GETKEYS", "set", "a"},
		{"COMMAND", "GETKEYS", "ping", "x"},
		{"COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"},
		{"COMMAND", "GETKEYS", "zunionstore", "d", "x", "a", "b"},
		{"COMMAND", "GETKEYS", "eval", "s", "0"},
		{"COMMAND", "GETKEYS", "spublish", "ch", "m"},
		{"COMMAND", "GETKEYSANDFLAGS", "set", "a", "b"},
		{"COMMAND", "GETKEYSANDFLAGS", "lmove", "a", "b", "left", "right"},
		{"COMMAND", "GETKEYSANDFLAGS", "sort", "a", "store", "b"},
		{"COMMAND", "GETKEYSANDFLAGS", "sort_ro", "a"},
		{"COMMAND", "GETKEYSANDFLAGS", "migrate", "h", "p", "k", "0", "5"},
		{"COMMAND", "GETKEYSANDFLAGS", "migrate", "h", "p", "", "0", "5", "KEYS", "a", "b"},
		{"COMMAND", "GETKEYSANDFLAGS", "xread", "count", "1", "streams", "a", "b", "0", "0"},
		{"COMMAND", "GETKEYSANDFLAGS", "xreadgroup", "group", "g", "c", "streams", "a", "0"},
		{"COMMAND", "GETKEYSANDFLAGS", "georadius", "a", "0", "0", "1", "km", "store", "b"},
		{"COMMAND", "GETKEYSANDFLAGS", "georadiusbymember", "a", "m", "1", "km", "store", "b", "storedist", "c"},
		{"COMMAND", "GETKEYSANDFLAGS", "eval", "s", "2", "a", "b"},
		{"COMMAND", "GETKEYSANDFLAGS", "zunionstore", "d", "2", "a", "b"},
		{"COMMAND", "GETKEYSANDFLAGS", "lmpop", "2", "a", "b", "left"},
		{"COMMAND", "GETKEYSANDFLAGS", "object", "encoding", "k"},
		{"COMMAND", "GETKEYSANDFLAGS", "bitfield", "k", "get", "u8", "0"},
		{"COMMAND", "GETKEYSANDFLAGS", "del", "a", "b", "c"},
		{"COMMAND", "GETKEYSANDFLAGS", "set", "a"},
		{"COMMAND", "GETKEYSANDFLAGS", "memory", "usage", "k"},
		{"COMMAND", "COUNT", "x"},
		{"COMMAND", "HELP"},
		{"COMMAND", "NOSUCH"},
	} {
		p.same(args...)
	}
	// Redis lists commands in its dict's random order: compare as sets.
	for _, args := range [][]string{
		{"COMMAND", "LIST"},
		{"COMMAND", "LIST", "FILTERBY", "pattern", "cl*"},
		{"COMMAND", "LIST", "FILTERBY", "PATTERN", "*|*"},
		{"COMMAND", "LIST", "FILTERBY", "aclcat", "hyperloglog"},
		{"COMMAND", "LIST", "FILTERBY", "ACLCAT", "Admin"},
	} {
		got, want := p.both(args...)
		g, w := sortedStrings(t, got), sortedStrings(t, want)
		if !slices.Equal(g, w) {
			t.Errorf("%q: cairn %d names, redis %d names\n cairn: %v\n redis: %v", args, len(g), len(w), g, w)
		}
	}
	// COMMAND and COMMAND DOCS: the same entries, in another order.
	p.both("HELLO", "3")
	for _, args := range [][]string{{"COMMAND"}, {"COMMAND", "INFO"}, {"COMMAND", "DOCS"}} {
		got, want := p.both(args...)
		if len(got) != len(want) || canonical(t, got) != canonical(t, want) {
			t.Errorf("%q: the entries differ (%d bytes vs %d)", args, len(got), len(want))
		}
	}
}

// sortedStrings decodes an array of strings and sorts it.
func sortedStrings(t *testing.T, raw string) []string {
	t.Helper()
	v, ok := parseReply(t, raw).([]any)
	if !ok {
		t.Fatalf("not an array: %q", clipText(raw))
	}
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = fmt.Sprint(x)
	}
	slices.Sort(out)
	return out
}

// canonical decodes a raw reply and renders it with the elements of every array and
// set, and the pairs of every map, sorted: the reply up to the order of its elements.
func canonical(t *testing.T, raw string) string {
	t.Helper()
	r := bufio.NewReader(strings.NewReader(raw))
	var render func() string
	render = func() string {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("canonical: %v in %q", err, clipText(raw))
		}
		body := line[1 : len(line)-2]
		switch line[0] {
		case '$', '=':
			n, _ := strconv.Atoi(body)
			if n < 0 {
				return "null"
			}
			buf := make([]byte, n+2)
			io_ReadFull(r, buf) //nolint:errcheck
			return strconv.Quote(string(buf[:n]))
		case '*', '~', '%', '>':
			n, _ := strconv.Atoi(body)
			if line[0] == '%' {
				var pairs []string
				for i := 0; i < n; i++ {
					k := render()
					pairs = append(pairs, k+": "+render())
				}
				slices.Sort(pairs)
				return "{" + strings.Join(pairs, ", ") + "}"
			}
			var elems []string
			for i := 0; i < n; i++ {
				elems = append(elems, render())
			}
			slices.Sort(elems)
			return string(line[0]) + "[" + strings.Join(elems, ", ") + "]"
		}
		return line[:len(line)-2]
	}
	return render()
}

func TestConfigAgainstRedis(t *testing.T) {
	p := newPair(t, nil, nil)
	for _, args := range [][]string{
		{"CONFIG", "GET"},
		{"CONFIG", "GET", "maxmemory"},
		{"CONFIG", "GET", "nosuch"},
		{"CONFIG", "GET", "slowlog-log-slower-than"},
		{"CONFIG", "SET"},
		{"CONFIG", "SET", "maxmemory"},
		{"CONFIG", "SET", "maxmemory", "1", "hz"},
		{"CONFIG", "SET", "nosuch", "1"},
		{"CONFIG", "SET", "maxmemory", "x"},
		{"CONFIG", "SET", "maxmemory", "1", "maxmemory", "2"},
		{"CONFIG", "SET", "hz", "10", "maxmemory", "x"},
		{"CONFIG", "GET", "hz"},
		{"CONFIG", "SET", "daemonize", "yes"},
		{"CONFIG", "SET", "slowlog-max-len", "5"},
		{"CONFIG", "GET", "slowlog-max-len"},
		{"CONFIG", "RESETSTAT", "x"},
		{"CONFIG", "RESETSTAT"},
		{"CONFIG", "REWRITE"},
		{"CONFIG", "FOO"},
		{"CONFIG", "HELP"},
	} {
		p.same(args...)
	}
}

func TestConfigRewrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cairn.conf")
	if err := os.WriteFile(path, []byte("# test\nport 0\nbind 127.0.0.1\nmaxmemory 1mb\nenable-debug-command local\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	go s.Serve() //nolint:errcheck
	t.Cleanup(s.Shutdown)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "CONFIG", "SET", "maxmemory", "2mb", "slowlog-max-len", "77")
	rc.expect("+OK\r\n", "CONFIG", "REWRITE")
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "maxmemory 2mb") || !strings.Contains(string(b), "slowlog-max-len 77") {
		t.Errorf("rewritten file:\n%s", b)
	}
	if f := infoFields(t, rc.do("INFO", "server")); f["config_file"] != path {
		t.Errorf("config_file = %q, want %q", f["config_file"], path)
	}
	rc.expect("+OK\r\n", "DEBUG", "CONFIG-REWRITE-FORCE-ALL")
}

func TestConfigSetAppliesLimits(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "CONFIG", "SET", "proto-max-bulk-len", "1048576")
	rc.send("*2\r\n$4\r\nECHO\r\n$1048577\r\n")
	if got := rc.readReply(); got != "-ERR Protocol error: invalid bulk length\r\n" {
		t.Errorf("bulk over the new proto-max-bulk-len: got %q", got)
	}
	rc.readEOF()

	rc = dial(t, s)
	rc.expect("+OK\r\n", "CONFIG", "SET", "requirepass", "secret")
	rc2 := dial(t, s)
	rc2.expect("-NOAUTH Authentication required.\r\n", "GET", "x")
	rc2.expect("+OK\r\n", "AUTH", "secret")
	rc2.expect("+OK\r\n", "CONFIG", "SET", "requirepass", "")
	rc3 := dial(t, s)
	rc3.expect("$-1\r\n", "GET", "x")
}

func TestConfigResetStat(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0")
	rc.do("SET", "k", "v")
	rc.do("GET", "k")
	rc.do("GET", "nokey")
	rc.do("NOSUCHCOMMAND")
	info := infoFields(t, rc.do("INFO", "everything"))
	if info["keyspace_hits"] != "1" || info["keyspace_misses"] != "1" || info["errorstat_ERR"] != "count=1" {
		t.Fatalf("before RESETSTAT: hits %q misses %q errorstat %q", info["keyspace_hits"], info["keyspace_misses"], info["errorstat_ERR"])
	}
	rc.expect("+OK\r\n", "CONFIG", "RESETSTAT")
	info = infoFields(t, rc.do("INFO", "everything"))
	for _, f := range []string{"keyspace_hits", "keyspace_misses", "total_error_replies", "total_net_input_bytes"} {
		if f == "total_net_input_bytes" {
			continue // INFO's own request is counted
		}
		if info[f] != "0" {
			t.Errorf("after RESETSTAT %s = %q", f, info[f])
		}
	}
	if info["total_commands_processed"] != "1" {
		t.Errorf("total_commands_processed = %q, want 1 (the RESETSTAT itself)", info["total_commands_processed"])
	}
	for name := range info {
		if strings.HasPrefix(name, "errorstat_") || strings.HasPrefix(name, "cmdstat_get") || strings.HasPrefix(name, "latency_percentiles_usec_get") {
			t.Errorf("after RESETSTAT still %s:%s", name, info[name])
		}
	}
	// The slow log and the latency monitor are not statistics.
	if got := rc.do("SLOWLOG", "LEN"); got == ":0\r\n" {
		t.Errorf("SLOWLOG LEN after RESETSTAT = %q", got)
	}
}

func TestSlowlog(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "CLIENT", "SETNAME", "slowpoke")
	rc.expect("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0")
	rc.expect("+OK\r\n", "SLOWLOG", "RESET")
	long := strings.Repeat("x", 200)
	rc.do("SET", "k", long)
	args := []string{"MSET"}
	for i := 0; i < 40; i++ {
		args = append(args, "k"+strconv.Itoa(i))
	}
	rc.do(args...)
	v := parseReply(t, rc.do("SLOWLOG", "GET", "2")).([]any)
	if len(v) != 2 {
		t.Fatalf("SLOWLOG GET 2: %v", v)
	}
	mset := v[0].([]any)
	set := v[1].([]any)
	if len(mset) != 6 || len(set) != 6 {
		t.Fatalf("entry shape: %v", v)
	}
	if mset[0].(int64) != set[0].(int64)+1 {
		t.Errorf("ids: %v then %v", set[0], mset[0])
	}
	if d := time.Now().Unix() - set[1].(int64); d < 0 || d > 5 {
		t.Errorf("timestamp %v", set[1])
	}
	if set[2].(int64) < 0 {
		t.Errorf("duration %v", set[2])
	}
	wantSet := []any{"SET", "k", strings.Repeat("x", 128) + "... (72 more bytes)"}
	if fmt.Sprint(set[3]) != fmt.Sprint(wantSet) {
		t.Errorf("argv %v, want %v", set[3], wantSet)
	}
	margs := mset[3].([]any)
	if len(margs) != 32 || margs[31] != "... (10 more arguments)" || margs[30] != "k29" {
		t.Errorf("MSET argv: %v", margs)
	}
	if set[4] != rc.conn.LocalAddr().String() || set[5] != "slowpoke" {
		t.Errorf("peer %v name %v", set[4], set[5])
	}
	// Default count 10, -1 for all, errors as Redis.
	for i := 0; i < 12; i++ {
		rc.do("PING")
	}
	if n := len(parseReply(t, rc.do("SLOWLOG", "GET")).([]any)); n != 10 {
		t.Errorf("SLOWLOG GET returned %d entries, want 10", n)
	}
	if n := len(parseReply(t, rc.do("SLOWLOG", "GET", "-1")).([]any)); n < 15 {
		t.Errorf("SLOWLOG GET -1 returned %d entries", n)
	}
	rc.expect("-ERR count should be greater than or equal to -1\r\n", "SLOWLOG", "GET", "-2")
	rc.expect("-ERR count should be greater than or equal to -1\r\n", "SLOWLOG", "GET", "x")
	rc.expect("-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.\r\n", "SLOWLOG", "get", "1", "2")
	rc.expect("-ERR wrong number of arguments for 'slowlog|len' command\r\n", "SLOWLOG", "LEN", "x")
	rc.expect("+OK\r\n", "CONFIG", "SET", "slowlog-max-len", "3")
	rc.do("PING")
	rc.expect(":3\r\n", "SLOWLOG", "LEN")
	rc.expect("+OK\r\n", "SLOWLOG", "RESET")
	rc.expect(":1\r\n", "SLOWLOG", "LEN") // the RESET itself
	rc.expect("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "-1")
	rc.do("PING")
	rc.expect(":2\r\n", "SLOWLOG", "LEN")
}

func TestSlowlogAndMonitorRedactSecrets(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	mon := dial(t, s)
	mon.expect("+OK\r\n", "MONITOR")
	rc.expect("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0")
	rc.expect("+OK\r\n", "CONFIG", "SET", "requirepass", "hunter2")
	v := parseReply(t, rc.do("SLOWLOG", "GET", "1")).([]any)
	if got := fmt.Sprint(v[0].([]any)[3]); got != "[CONFIG SET requirepass (redacted)]" {
		t.Errorf("slow log shows %s", got)
	}
	rc.do("GET", "k") // CONFIG is admin: MONITOR does not show it; GET it does
	line := mon.readReply()
	if strings.Contains(line, "hunter2") || !strings.Contains(line, `"GET" "k"`) {
		t.Errorf("MONITOR line %q", line)
	}
}

func TestMonitor(t *testing.T) {
	s := startServer(t)
	mon := dial(t, s)
	rc := dial(t, s)
	mon.expect("+OK\r\n", "MONITOR")
	rc.do("SET", "k", "a b\x01\"\\\r\n")
	rc.do("SELECT", "2")
	rc.do("GET", "k")
	rc.do("CONFIG", "GET", "hz") // admin: not shown
	rc.do("PING")
	local := regexp.QuoteMeta(rc.conn.LocalAddr().String())
	for _, want := range []string{
		`^\+\d{10}\.\d{6} \[0 ` + local + `\] "SET" "k" "a b\\x01\\"\\\\\\r\\n"\r\n$`,
		`^\+\d{10}\.\d{6} \[2 ` + local + `\] "SELECT" "2"\r\n$`,
		`^\+\d{10}\.\d{6} \[2 ` + local + `\] "GET" "k"\r\n$`,
		`^\+\d{10}\.\d{6} \[2 ` + local + `\] "PING"\r\n$`,
	} {
		if got := mon.readReply(); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("MONITOR line %q does not match %s", got, want)
		}
	}
	// A second MONITOR is ignored without a reply; the monitor's own commands still run.
	mon.send(encodeCommand("MONITOR") + encodeCommand("PING"))
	if got := mon.readReply(); !strings.HasSuffix(got, `"PING"`+"\r\n") {
		t.Errorf("after a second MONITOR: %q", got)
	}
	if got := mon.readReply(); got != "+PONG\r\n" {
		t.Errorf("PING from the monitor: %q", got)
	}
}

func TestMonitorLineFormatAgainstRedis(t *testing.T) {
	p := newPair(t, nil, nil)
	monC := dialAddr(t, p.cairn.conn.RemoteAddr().String())
	monR := dialAddr(t, p.oracle.conn.RemoteAddr().String())
	monC.expect("+OK\r\n", "MONITOR")
	monR.expect("+OK\r\n", "MONITOR")
	args := []string{"SET", "k\x00", "\x7f\xff\t\a\b", ""}
	p.same(args...)
	strip := regexp.MustCompile(`^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] `)
	got, want := strip.ReplaceAllString(monC.readReply(), ""), strip.ReplaceAllString(monR.readReply(), "")
	if got != want {
		t.Errorf("MONITOR line: cairn %q, redis %q", got, want)
	}
}

func TestLatencyMonitor(t *testing.T) {
	s := startServer(t, "--enable-debug-command", "yes")
	rc := dial(t, s)
	rc.expect("*0\r\n", "LATENCY", "LATEST")
	doctor := parseReply(t, rc.do("LATENCY", "DOCTOR")).(string)
	if !strings.HasPrefix(doctor, "I'm sorry, Dave, I can't do that. Latency monitoring is disabled") {
		t.Errorf("DOCTOR when disabled: %q", doctor)
	}
	rc.expect("-ERR No samples available for event 'command'\r\n", "LATENCY", "GRAPH", "command")
	rc.expect("+OK\r\n", "CONFIG", "SET", "latency-monitor-threshold", "10")
	rc.expect("+OK\r\n", "DEBUG", "SLEEP", "0.03")
	v := parseReply(t, rc.do("LATENCY", "LATEST")).([]any)
	if len(v) != 1 {
		t.Fatalf("LATENCY LATEST: %v", v)
	}
	e := v[0].([]any)
	if e[0] != "command" || e[2].(int64) < 30 || e[3].(int64) < 30 {
		t.Errorf("LATENCY LATEST entry %v", e)
	}
	h := parseReply(t, rc.do("LATENCY", "HISTORY", "command")).([]any)
	if len(h) != 1 || h[0].([]any)[1].(int64) < 30 {
		t.Errorf("LATENCY HISTORY %v", h)
	}
	rc.expect("*0\r\n", "LATENCY", "HISTORY", "nosuch")
	graph := parseReply(t, rc.do("LATENCY", "GRAPH", "command")).(string)
	if !regexp.MustCompile(`^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n`).MatchString(graph) {
		t.Errorf("GRAPH %q", graph)
	}
	doctor = parseReply(t, rc.do("LATENCY", "DOCTOR")).(string)
	if !strings.HasPrefix(doctor, "Dave, I have observed latency spikes in this Redis instance.") ||
		!strings.Contains(doctor, "1. command: 1 latency spikes (average ") {
		t.Errorf("DOCTOR %q", doctor)
	}
	rc.expect(":0\r\n", "LATENCY", "RESET", "nosuch")
	rc.expect(":1\r\n", "LATENCY", "RESET", "command", "command")
	rc.expect(":0\r\n", "LATENCY", "RESET")
	rc.expect("-ERR wrong number of arguments for 'latency|graph' command\r\n", "LATENCY", "GRAPH")
	rc.expect("-ERR unknown subcommand 'foo'. Try LATENCY HELP.\r\n", "LATENCY", "foo")

	// RESP3: DOCTOR and GRAPH are verbatim strings.
	rc.do("HELLO", "3")
	if got := rc.do("LATENCY", "DOCTOR"); !strings.HasPrefix(got, "=") || !strings.Contains(got, "\r\ntxt:") {
		t.Errorf("DOCTOR in RESP3: %q", clipText(got))
	}
}

func TestLatencyHistogram(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.do("SET", "a", "1")
	rc.do("SET", "b", "1")
	rc.do("CONFIG", "GET", "hz")
	v := parseReply(t, rc.do("LATENCY", "HISTOGRAM", "set", "nosuch", "CONFIG")).([]any)
	if len(v) != 4 || v[0] != "set" || v[2] != "config|get" {
		t.Fatalf("LATENCY HISTOGRAM set nosuch CONFIG: %v", v)
	}
	m := v[1].([]any)
	if m[0] != "calls" || m[1] != int64(2) || m[2] != "histogram_usec" {
		t.Errorf("set histogram %v", m)
	}
	buckets := m[3].([]any)
	if len(buckets) == 0 || buckets[len(buckets)-1] != int64(2) {
		t.Errorf("set buckets %v: the last cumulative count must be the calls", buckets)
	}
	all := parseReply(t, rc.do("LATENCY", "HISTOGRAM")).([]any)
	var names []string
	for i := 0; i < len(all); i += 2 {
		names = append(names, all[i].(string))
	}
	for _, want := range []string{"set", "config|get", "latency|histogram"} {
		if !slices.Contains(names, want) {
			t.Errorf("LATENCY HISTOGRAM lists %v, missing %s", names, want)
		}
	}
	rc.expect("+OK\r\n", "CONFIG", "SET", "latency-tracking", "no")
	rc.do("GET", "a")
	if got := rc.do("LATENCY", "HISTOGRAM", "get"); got != "*0\r\n" {
		t.Errorf("with latency-tracking no: %q", got)
	}
}

// TestLatencyHistogramMath checks the HdrHistogram arithmetic against numbers
// redis-server 7.0.15 printed for the same durations.
func TestLatencyHistogramMath(t *testing.T) {
	var h latencyHistogram
	h.record(6000)
	if got := h.valueAtPercentile(50); got != 6015 {
		t.Errorf("p50 of 6µs = %d ns, want 6015 (Redis prints 6.015)", got)
	}
	if got := h.cdf(); fmt.Sprint(got) != "[[8 1]]" {
		t.Errorf("cdf of 6µs = %v, want [[8 1]]", got)
	}
	h = latencyHistogram{}
	h.record(55000)
	if got := h.valueAtPercentile(99.9); got != 55039 {
		t.Errorf("p99.9 of 55µs = %d, want 55039", got)
	}
	h = latencyHistogram{}
	for _, us := range []int64{0, 1, 4, 9, 15} {
		h.record(us * 1000)
	}
	// Steps at 1024 ns doubling: 0 and 1 µs are below 1031 ns, 4 µs below 4127 ns, 9 and
	// 15 µs below 16447 ns; the steps where the count did not grow are left out.
	if got := h.cdf(); fmt.Sprint(got) != "[[1 2] [4 3] [16 5]]" {
		t.Errorf("cdf = %v", got)
	}
	h = latencyHistogram{}
	h.record(hdrHighest + 5) // clamped to 1 s; the iteration must end
	if got := h.cdf(); len(got) == 0 || got[len(got)-1][1] != 1 {
		t.Errorf("cdf of 1 s = %v", got)
	}
}

func TestLatencyGraphRendering(t *testing.T) {
	// The graph redis-server 7.0.15 drew for one 120 ms sample taken a second earlier.
	ts := &latencySeries{samples: []latencySample{{time: 1000, millis: 120}}, max: 120}
	want := "command - high 120 ms, low 120 ms (all time high 120 ms)\n" + strings.Repeat("-", 80) + "\n \n \n \n_\n \n1\ns\n"
	if got := latencyGraph("command", ts, 1001); got != want {
		t.Errorf("graph:\n%q\nwant\n%q", got, want)
	}
	ts = &latencySeries{max: 300}
	for i, ms := range []int64{10, 300, 150, 20} {
		ts.samples = append(ts.samples, latencySample{time: 1000 + int64(i), millis: ms})
	}
	want = "x - high 300 ms, low 10 ms (all time high 300 ms)\n" + strings.Repeat("-", 80) +
		"\n #  \n |  \n |# \n_||_\n    \n1111\nmmmm\n"
	if got := latencyGraph("x", ts, 1100); got != want {
		t.Errorf("graph of 4 samples:\n%s\nwant\n%s", got, want)
	}
}

func TestMemoryAgainstRedis(t *testing.T) {
	p := newPair(t, nil, nil)
	rnd := rand.New(rand.NewPCG(1, 2))
	randText := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rnd.IntN(26))
		}
		return string(b)
	}
	values := []string{"v", "123", "-5", "9999", "10000", "12345678901234567890", "hello world",
		strings.Repeat("a", 44), strings.Repeat("a", 45), randText(100), randText(300), randText(1000), randText(70000)}
	keys := []string{"k", strings.Repeat("K", 31), strings.Repeat("K", 32), strings.Repeat("K", 300)}
	for i, v := range values {
		for j, k := range keys {
			key := k + strconv.Itoa(i*10+j)
			p.same("SET", key, v)
			p.same("MEMORY", "USAGE", key)
			p.same("MEMORY", "USAGE", key, "SAMPLES", "0")
		}
	}
	for _, args := range [][]string{
		{"MEMORY", "USAGE", "nosuch"},
		{"MEMORY", "USAGE", "k0", "SAMPLES"},
		{"MEMORY", "USAGE", "k0", "SAMPLES", "x"},
		{"MEMORY", "USAGE", "k0", "SAMPLES", "-1"},
		{"MEMORY", "USAGE", "k0", "foo", "1"},
		{"MEMORY", "PURGE"},
		{"MEMORY", "PURGE", "x"},
		{"MEMORY", "x"},
		{"MEMORY", "HELP"},
	} {
		p.same(args...)
	}
	// MEMORY STATS: the same fields in the same order.
	got, want := p.both("MEMORY", "STATS")
	if g, w := mapKeys(t, got), mapKeys(t, want); !slices.Equal(g, w) {
		t.Errorf("MEMORY STATS keys:\n cairn %v\n redis %v", g, w)
	}
	for _, sub := range []string{"DOCTOR", "MALLOC-STATS"} {
		got, want := p.both("MEMORY", sub)
		if got[0] != want[0] || !strings.HasSuffix(got, "\n\r\n") {
			t.Errorf("MEMORY %s: %q (redis starts %q)", sub, clipText(got), want[:1])
		}
	}
}

// mapKeys returns the keys of a map reply read in RESP2 (an array of pairs).
func mapKeys(t *testing.T, raw string) []string {
	v := parseReply(t, raw).([]any)
	var keys []string
	for i := 0; i < len(v); i += 2 {
		keys = append(keys, v[i].(string))
	}
	return keys
}

func TestJemallocSizeClasses(t *testing.T) {
	want := []int64{8, 16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024, 1280}
	var got []int64
	for n := int64(1); n <= 1280; n++ {
		c := jemallocSize(n)
		if len(got) == 0 || got[len(got)-1] != c {
			got = append(got, c)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("classes %v, want %v", got, want)
	}
	if jemallocSize(70012) != 81920 || jemallocSize(16385) != 20480 {
		t.Errorf("large classes: %d %d", jemallocSize(70012), jemallocSize(16385))
	}
}

func TestShutdown(t *testing.T) {
	// Save points on, and the dir removed under the server: the final save fails.
	dir := t.TempDir()
	s := startServer(t, "--save", "3600 1", "--dir", dir)
	os.RemoveAll(dir)
	rc := dial(t, s)
	rc.expect("-ERR syntax error\r\n", "SHUTDOWN", "x")
	rc.expect("-ERR syntax error\r\n", "SHUTDOWN", "NOSAVE", "SAVE")
	rc.expect("-ERR syntax error\r\n", "SHUTDOWN", "ABORT", "NOW")
	rc.expect("-ERR No shutdown in progress.\r\n", "SHUTDOWN", "ABORT")
	rc.expect("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", "SHUTDOWN")
	rc.expect("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", "SHUTDOWN", "SAVE", "NOW")
	rc.expect("+PONG\r\n", "PING")
	rc.send(encodeCommand("SHUTDOWN", "NOSAVE"))
	rc.readEOF()
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("server still running after SHUTDOWN NOSAVE")
	}

	s = startServer(t, "--save", "")
	rc = dial(t, s)
	rc.send(encodeCommand("SHUTDOWN"))
	rc.readEOF()
	<-s.Done()

	dir = t.TempDir()
	s = startServer(t, "--dir", dir)
	rc = dial(t, s)
	rc.expect("+OK\r\n", "SET", "k", "v")
	rc.send(encodeCommand("SHUTDOWN", "SAVE"))
	rc.readEOF()
	<-s.Done()
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatalf("SHUTDOWN SAVE wrote no dump.rdb: %v", err)
	}
}

func TestShutdownErrorsAgainstRedis(t *testing.T) {
	p := newPair(t, nil, nil)
	p.same("MULTI")
	p.same("MONITOR")
	p.same("SHUTDOWN")
	p.same("EXEC")
	for _, args := range [][]string{
		{"SHUTDOWN", "x"},
		{"SHUTDOWN", "NOSAVE", "SAVE"},
		{"SHUTDOWN", "ABORT", "NOW"},
		{"SHUTDOWN", "ABORT"},
		{"MONITOR", "x"},
		{"LASTSAVE", "x"},
	} {
		p.same(args...)
	}
}

func TestSlowlogLatencyErrorsAgainstRedis(t *testing.T) {
	p := newPair(t, nil, nil)
	for _, args := range [][]string{
		{"SLOWLOG"},
		{"SLOWLOG", "GET", "1", "2"},
		{"SLOWLOG", "GET", "-2"},
		{"SLOWLOG", "GET", "x"},
		{"SLOWLOG", "LEN", "x"},
		{"SLOWLOG", "RESET", "x"},
		{"SLOWLOG", "foo"},
		{"SLOWLOG", "HELP"},
		{"LATENCY", "LATEST"},
		{"LATENCY", "HISTORY"},
		{"LATENCY", "HISTORY", "command"},
		{"LATENCY", "RESET"},
		{"LATENCY", "RESET", "a", "b"},
		{"LATENCY", "DOCTOR"},
		{"LATENCY", "GRAPH", "command"},
		{"LATENCY", "GRAPH"},
		{"LATENCY", "foo"},
		{"LATENCY", "HELP"},
		{"LATENCY", "HISTOGRAM", "nosuch"},
	} {
		p.same(args...)
	}
}

func TestDebugNotAllowed(t *testing.T) {
	s := startServer(t, "--requirepass", "pw")
	rc := dial(t, s)
	msg := "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n"
	rc.expect(msg, "DEBUG", "HELP") // checked before authentication, as in Redis
	rc.expect("-ERR wrong number of arguments for 'debug' command\r\n", "DEBUG")
	rc.expect("+OK\r\n", "AUTH", "pw")
	rc.expect(msg, "DEBUG", "SLEEP", "0")
	if f := infoFields(t, rc.do("INFO", "commandstats")); !strings.Contains(f["cmdstat_debug"], "rejected_calls=3") {
		t.Errorf("cmdstat_debug = %q", f["cmdstat_debug"])
	}

	s = startServer(t, "--enable-debug-command", "local")
	rc = dial(t, s) // the test connects from 127.0.0.1
	rc.expect("+OK\r\n", "DEBUG", "LOG", "hello")
}

func TestDebugAgainstRedis(t *testing.T) {
	p := newPair(t, []string{"--enable-debug-command", "yes"}, []string{"--enable-debug-command", "yes"})
	for _, args := range [][]string{
		{"DEBUG", "DIGEST"},
		{"DEBUG", "HELP"},
		{"DEBUG", "HELP", "x"},
		{"DEBUG", "foo"},
		{"DEBUG", "object"},
		{"DEBUG", "OBJECT", "nosuch"},
		{"DEBUG", "SDSLEN", "nosuch"},
		{"DEBUG", "digest", "x"},
		{"DEBUG", "DIGEST-VALUE"},
		{"DEBUG", "SLEEP"},
		{"DEBUG", "SLEEP", "x"},
		{"DEBUG", "SLEEP", "0.01"},
		{"DEBUG", "SLEEP", "-1"},
		{"DEBUG", "SET-ACTIVE-EXPIRE", "x"},
		{"DEBUG", "SET-ACTIVE-EXPIRE", "1"},
		{"DEBUG", "POPULATE"},
		{"DEBUG", "POPULATE", "-1"},
		{"DEBUG", "POPULATE", "x"},
		{"DEBUG", "POPULATE", "3", "p", "-1"},
		{"DEBUG", "POPULATE", "3", "p", "2", "4"},
		{"DEBUG", "PROTOCOL", "x"},
		{"DEBUG", "PROTOCOL"},
		{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"},
		{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"},
		{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "x"},
		{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1mb"},
		{"DEBUG", "REPLYBUFFER", "x", "y"},
		{"DEBUG", "REPLYBUFFER", "peak-reset-time", "x"},
		{"DEBUG", "REPLYBUFFER", "peak-reset-time", "100"},
		{"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "never"},
		{"DEBUG", "REPLYBUFFER", "peak-reset-time", "reset"},
		{"DEBUG", "REPLYBUFFER", "resizing", "1"},
		{"DEBUG", "REPLYBUFFER", "resizing"},
		{"DEBUG", "PAUSE-CRON", "0"},
		{"DEBUG", "CHANGE-REPL-ID"},
		{"DEBUG", "CHANGE-REPL-ID", "x"},
		{"DEBUG", "LOG", "hello"},
		{"DEBUG", "LEAK", "x"},
		{"DEBUG", "ERROR", "hi there"},
		{"DEBUG", "ERROR", "WRONGTYPE bad\r\nline"},
		{"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"},
		{"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0"},
		{"DEBUG", "AOF-FLUSH-SLEEP", "0"},
		{"DEBUG", "REPLICATE", "a", "b"},
		{"DEBUG", "DROP-CLUSTER-PACKET-FILTER", "x"},
		{"DEBUG", "DROP-CLUSTER-PACKET-FILTER", "-1"},
		{"DEBUG", "CLUSTERLINK", "kill", "to", "x"},
		{"DEBUG", "CLUSTERLINK", "x", "to", "x"},
		{"DEBUG", "CLIENT-EVICTION"},
		{"DEBUG", "HTSTATS", "x"},
		{"DEBUG", "HTSTATS", "99"},
		{"DEBUG", "HTSTATS", "-1"},
		{"DEBUG", "HTSTATS", "5"},
		{"DEBUG", "HTSTATS-KEY", "nosuch"},
		{"DEBUG", "LISTPACK", "nosuch"},
		{"DEBUG", "QUICKLIST", "nosuch"},
		{"DEBUG", "RELOAD", "x"},
		{"DEBUG", "CONFIG-REWRITE-FORCE-ALL"},
	} {
		p.same(args...)
	}
	for _, proto := range []string{"2", "3"} {
		p.both("HELLO", proto)
		for _, typ := range []string{"string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push", "verbatim", "true", "false", "TRUE"} {
			p.same("DEBUG", "PROTOCOL", typ)
			if (typ == "push" || typ == "attrib") && proto == "3" {
				// The push message or the attribute is followed by the real reply.
				if got, want := p.cairn.readReply(), p.oracle.readReply(); got != want {
					t.Errorf("reply after the push: cairn %q, redis %q", got, want)
				}
			}
		}
	}
	p.both("HELLO", "2")

	// DEBUG OBJECT: same encoding, refcount and serialized length (LZF included).
	rnd := rand.New(rand.NewPCG(3, 4))
	randText := func(n int, alphabet string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rnd.IntN(len(alphabet))]
		}
		return string(b)
	}
	values := []string{"hello", "123", "-1", "0", "9999", "10000", "-129", "40000", "-2147483648", "2147483648",
		"12345678901", "007", " 1", strings.Repeat("a", 21), strings.Repeat("a", 60), strings.Repeat("ab", 40),
		randText(30, "ab"), randText(100, "abcdefghijklmnopqrstuvwxyz"), randText(300, "abc"), randText(5000, "abcd"),
		strings.Repeat("0123456789", 100), randText(20000, "xyz"), strings.Repeat("abcdefghijklmnopq", 3) + "x",
		strings.Repeat("q", 19), strings.Repeat("q", 20), strings.Repeat("q", 22), strings.Repeat("xyz", 7)}
	for n := 21; n <= 300; n += 3 {
		values = append(values, strings.Repeat("z", n), randText(n, "ab"))
	}
	for i, v := range values {
		key := "obj" + strconv.Itoa(i)
		p.same("SET", key, v)
		p.sameObject(key)
		if i < 30 {
			p.same("DEBUG", "SDSLEN", key)
		}
	}
	p.same("DEBUG", "DIGEST")
	p.same("DEBUG", "LISTPACK", "obj0")
	p.same("DEBUG", "QUICKLIST", "obj0")
	p.same("DEBUG", "QUICKLIST", "obj0", "1")
	p.same("DEBUG", "HTSTATS-KEY", "obj0")
}

func TestDebugDigestAgainstRedis(t *testing.T) {
	p := newPair(t, []string{"--enable-debug-command", "yes"}, []string{"--enable-debug-command", "yes"})
	p.same("DEBUG", "DIGEST")
	p.same("DEBUG", "DIGEST-VALUE", "nosuch")
	rnd := rand.New(rand.NewPCG(5, 6))
	for db := 0; db < 3; db++ {
		p.same("SELECT", strconv.Itoa(db))
		for i := 0; i < 200; i++ {
			key := "key:" + strconv.Itoa(rnd.IntN(150))
			var val string
			switch rnd.IntN(4) {
			case 0:
				val = strconv.Itoa(rnd.IntN(100000) - 50000)
			case 1:
				val = strings.Repeat("v", rnd.IntN(100))
			default:
				val = "value" + strconv.Itoa(rnd.IntN(1000))
			}
			if rnd.IntN(3) == 0 {
				p.same("SET", key, val, "EX", strconv.Itoa(1000+rnd.IntN(1000)))
			} else {
				p.same("SET", key, val)
			}
			if rnd.IntN(10) == 0 {
				p.same("DEL", key)
			}
		}
		p.same("DEBUG", "DIGEST")
		p.same("DEBUG", "DIGEST-VALUE", "key:1", "key:2", "nosuch", "key:3")
	}
	// The same data in another DB is another digest; a TTL changes the digest, its
	// value does not.
	p.same("SELECT", "9")
	p.same("SET", "x", "1")
	p.same("DEBUG", "DIGEST")
	p.same("EXPIRE", "x", "100")
	p.same("DEBUG", "DIGEST")
	p.same("EXPIRE", "x", "200")
	p.same("DEBUG", "DIGEST")
	p.same("DEBUG", "DIGEST-VALUE", "x")
	// DEBUG POPULATE makes the same keys and values.
	p.same("SELECT", "10")
	p.same("DEBUG", "POPULATE", "100")
	p.same("DEBUG", "POPULATE", "50", "pre", "7")
	p.same("DEBUG", "POPULATE", "50", "big", "100")
	p.same("SET", "key:200", "taken")
	p.same("DEBUG", "POPULATE", "300")
	p.same("DBSIZE")
	p.same("DEBUG", "DIGEST")
	p.sameObject("key:1")
	p.sameObject("big:1")
	p.sameObject("pre:1")
}

var debugObjectFields = regexp.MustCompile(`^\+Value at:0x[0-9a-f]+ refcount:(\d+) encoding:(\S+) serializedlength:(\d+) lru:\d+ lru_seconds_idle:\d+\r\n$`)

// sameObject compares DEBUG OBJECT key on both servers, but for the address and the
// access clock.
func (p *pair) sameObject(key string) {
	p.t.Helper()
	got, want := p.both("DEBUG", "OBJECT", key)
	g, w := debugObjectFields.FindStringSubmatch(got), debugObjectFields.FindStringSubmatch(want)
	if g == nil || w == nil || !slices.Equal(g[1:], w[1:]) {
		p.t.Errorf("DEBUG OBJECT %s:\n cairn %q\n redis %q", key, got, want)
	}
}

func TestDebugCommands(t *testing.T) {
	s := startServer(t, "--enable-debug-command", "yes")
	rc := dial(t, s)
	rc.expect("+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	s.mu.Lock()
	off := !s.activeExpireEnabled
	s.mu.Unlock()
	if !off {
		t.Error("DEBUG SET-ACTIVE-EXPIRE 0 left active expiry on")
	}
	rc.expect("+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "1")
	start := time.Now()
	rc.expect("+OK\r\n", "DEBUG", "SLEEP", "0.05")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("DEBUG SLEEP 0.05 took %v", d)
	}
	rc.expect("+OK\r\n", "DEBUG", "POPULATE", "10")
	rc.expect(":10\r\n", "DBSIZE")
	rc.expect("$7\r\nvalue:3\r\n", "GET", "key:3")
	rc.expect("+OK\r\n", "DEBUG", "POPULATE", "2", "p", "10")
	rc.expect("$10\r\nvalue:1\x00\x00\x00\r\n", "GET", "p:1")
	for _, sub := range []string{"SEGFAULT", "PANIC", "OOM"} {
		if got := rc.do("DEBUG", sub); !strings.HasPrefix(got, "-ERR internal error while executing 'debug'") {
			t.Errorf("DEBUG %s: %q", sub, got)
		}
	}
	rc.expect("+PONG\r\n", "PING")
	if f := infoFields(t, rc.do("INFO", "stats")); f["executor_panics"] != "3" {
		t.Errorf("executor_panics = %q", f["executor_panics"])
	}
	rc.expect("-ERR DEBUG RESTART is not supported by Cairn yet\r\n", "DEBUG", "RESTART")
	rc.expect("+OK\r\n", "DEBUG", "PAUSE-CRON", "1")
	rc.expect("+OK\r\n", "DEBUG", "PAUSE-CRON", "0")
	if got := rc.do("DEBUG", "STRUCTSIZE"); !strings.HasPrefix(got, "$") || !strings.Contains(got, "bits:64 ") {
		t.Errorf("DEBUG STRUCTSIZE: %q", got)
	}
	if got := rc.do("DEBUG", "HTSTATS", "0"); !strings.Contains(got, "[Dictionary HT]\nHash table 0 stats (main hash table):\n number of elements: 12\n") {
		t.Errorf("DEBUG HTSTATS 0: %q", got)
	}
}

func TestLZFCompressedLength(t *testing.T) {
	// Reference lengths from redis-server 7.0.15's DEBUG OBJECT serializedlength, minus
	// the LZF header (type byte and two lengths, here one byte each).
	cases := []struct {
		in   string
		want int
	}{
		{strings.Repeat("a", 60), 9},
	}
	for _, tc := range cases {
		if got := lzfCompressedLen([]byte(tc.in)); got != tc.want {
			t.Errorf("lzf(%q) = %d, want %d", clipText(tc.in), got, tc.want)
		}
	}
	if got := lzfCompressedLen([]byte("abcdefghijklmnopqrstuvwxyz")); got != 0 {
		t.Errorf("incompressible: %d", got)
	}
}

// TestDebugDigestCollectionsAgainstRedis: DEBUG DIGEST-VALUE and DIGEST of lists, sets,
// hashes and sorted sets, in their compact and large encodings, equal redis-server's.
func TestDebugDigestCollectionsAgainstRedis(t *testing.T) {
	p := newPair(t, []string{"--enable-debug-command", "yes"}, []string{"--enable-debug-command", "yes"})
	p.same("RPUSH", "list", "a", "1", "-5", "bb", "")
	p.same("SADD", "intset", "1", "2", "-30000", "70000")
	p.same("SADD", "set", "x", "y", "12", "zz")
	p.same("HSET", "hash", "f1", "v1", "f2", "12", "n", "-0")
	p.same("ZADD", "zset", "1", "a", "1.5", "b", "-2.25", "c", "3e10", "d", "inf", "e", "0.1", "f")
	for i := 0; i < 700; i++ {
		s := strconv.Itoa(i)
		p.same("RPUSH", "biglist", "element-"+s)
		p.same("SADD", "bigset", "member-"+s)
		p.same("HSET", "bighash", "field-"+s, "value-"+s)
		p.same("ZADD", "bigzset", strconv.Itoa(i*7%13)+".25", "m-"+s)
	}
	for _, k := range []string{"list", "intset", "set", "hash", "zset", "biglist", "bigset", "bighash", "bigzset"} {
		p.same("OBJECT", "ENCODING", k)
		p.same("DEBUG", "DIGEST-VALUE", k)
	}
	p.same("DEBUG", "DIGEST")
}
