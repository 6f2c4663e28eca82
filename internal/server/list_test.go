package server

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// List commands: keyspace events and their order against the replies, WATCH
// invalidation, the dirty counter and propagation to the AOF. Replies themselves are
// covered by testdata/commands/list*.txt; several clients by blocking_test.go.

// transcript sends a command followed by PING on each server and returns, per server,
// everything received up to PONG, rendered: replies as raw text, RESP3 push messages
// as "<event>:<key>" for keyspace events.
func (tc *twinClient) transcript(args ...string) []string {
	tc.ts.t.Helper()
	var out []string
	for _, rc := range tc.conns {
		rc.send(encodeCommand(args...) + encodeCommand("PING"))
		var parts []string
		for {
			r := rc.readReply()
			if r == "+PONG\r\n" {
				break
			}
			if strings.HasPrefix(r, ">") {
				v := parseReply(tc.ts.t, r).([]any)
				ch := v[len(v)-2].(string)
				parts = append(parts, ch[strings.Index(ch, ":")+1:]+":"+v[len(v)-1].(string))
				continue
			}
			parts = append(parts, r)
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func TestListKeyspaceEvents(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	for _, rc := range a.conns {
		rc.do("HELLO", "3")
		rc.do("CONFIG", "SET", "notify-keyspace-events", "KEA")
		rc.do("PSUBSCRIBE", "__keyevent@0__:*")
	}
	// Redis 7.0's order: LPUSH replies before its event, LINSERT and LREM after.
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"RPUSH", "l", "a", "b", "c"}, ":3\r\n rpush:l"},
		{[]string{"LPUSH", "l", "z"}, ":4\r\n lpush:l"},
		{[]string{"LPUSHX", "nokey", "a"}, ":0\r\n"},
		{[]string{"RPUSHX", "l", "w"}, ":5\r\n rpush:l"},
		{[]string{"LPOP", "l"}, "$1\r\nz\r\n lpop:l"},
		{[]string{"RPOP", "l", "2"}, "*2\r\n$1\r\nw\r\n$1\r\nc\r\n rpop:l"},
		{[]string{"LPOP", "l", "0"}, "*0\r\n"},
		{[]string{"LINSERT", "l", "BEFORE", "a", "x"}, "linsert:l :3\r\n"},
		{[]string{"LINSERT", "l", "BEFORE", "nothere", "y"}, ":-1\r\n"},
		{[]string{"LSET", "l", "0", "y"}, "+OK\r\n lset:l"},
		{[]string{"LREM", "l", "0", "y"}, "lrem:l :1\r\n"},
		{[]string{"LREM", "l", "0", "nothere"}, ":0\r\n"},
		{[]string{"LTRIM", "l", "0", "-1"}, "ltrim:l +OK\r\n"},
		{[]string{"LTRIM", "l", "1", "0"}, "ltrim:l del:l +OK\r\n"},
		{[]string{"RPUSH", "s", "a", "b", "c"}, ":3\r\n rpush:s"},
		{[]string{"LMOVE", "s", "d", "LEFT", "RIGHT"}, "rpush:d $1\r\na\r\n lpop:s"},
		{[]string{"RPOPLPUSH", "s", "d"}, "lpush:d $1\r\nc\r\n rpop:s"},
		{[]string{"LMOVE", "s", "s", "LEFT", "LEFT"}, "lpush:s $1\r\nb\r\n lpop:s"},
		{[]string{"BRPOPLPUSH", "s", "d", "0"}, "lpush:d $1\r\nb\r\n rpop:s del:s"},
		{[]string{"LMPOP", "2", "s", "d", "LEFT", "COUNT", "1"}, "*2\r\n$1\r\nd\r\n*1\r\n$1\r\nb\r\n lpop:d"},
		{[]string{"BLMPOP", "0", "1", "d", "RIGHT", "COUNT", "5"}, "*2\r\n$1\r\nd\r\n*2\r\n$1\r\na\r\n$1\r\nc\r\n rpop:d del:d"},
		{[]string{"RPUSH", "q", "1"}, ":1\r\n rpush:q"},
		{[]string{"BLPOP", "q", "0"}, "*2\r\n$1\r\nq\r\n$1\r\n1\r\n lpop:q del:q"},
		{[]string{"LREM", "nokey", "0", "a"}, ":0\r\n"},
	}
	for _, st := range steps {
		got := a.transcript(st.args...)
		if got[0] != st.want {
			t.Errorf("%q: cairn %q, want %q", st.args, got[0], st.want)
		}
		if len(got) > 1 && got[1] != st.want {
			t.Errorf("%q: redis %q, want %q", st.args, got[1], st.want)
		}
	}
}

func TestListWatch(t *testing.T) {
	ts := newTwins(t)
	a, b := ts.client(), ts.client()
	b.expect(":2\r\n", "RPUSH", "l", "a", "b")
	// watchedRun runs WATCH l, the other client's command, then an empty transaction,
	// and checks whether the command counted as a change.
	watchedRun := func(changes bool, args ...string) {
		t.Helper()
		a.expect("+OK\r\n", "WATCH", "l")
		for i, rc := range b.conns {
			if r := rc.do(args...); strings.HasPrefix(r, "-") {
				t.Errorf("%s: %q: %q", side(i), args, r)
			}
		}
		a.expect("+OK\r\n", "MULTI")
		want := "*0\r\n"
		if changes {
			want = "*-1\r\n"
		}
		for i, rc := range a.conns {
			if got := rc.do("EXEC"); got != want {
				t.Errorf("%s: after %q: EXEC %q, want %q", side(i), args, got, want)
			}
		}
	}
	watchedRun(true, "LPUSH", "l", "x")
	watchedRun(true, "RPUSHX", "l", "x")
	watchedRun(false, "LPUSHX", "nokey", "x")
	watchedRun(false, "LPOP", "nokey")
	watchedRun(true, "LPOP", "l")
	watchedRun(true, "LSET", "l", "0", "y")
	watchedRun(false, "LINSERT", "l", "BEFORE", "nothere", "z")
	watchedRun(true, "LINSERT", "l", "BEFORE", "y", "z")
	watchedRun(false, "LREM", "l", "0", "nothere")
	watchedRun(true, "LREM", "l", "1", "z")
	watchedRun(true, "LTRIM", "l", "0", "-1") // Redis signals even when nothing goes
	watchedRun(false, "LRANGE", "l", "0", "-1")
	watchedRun(false, "LPOS", "l", "y")
	watchedRun(false, "LMOVE", "other", "l", "LEFT", "LEFT") // missing source: no change
	watchedRun(false, "RPUSH", "other", "o")
	watchedRun(true, "LMOVE", "other", "l", "LEFT", "LEFT")
	watchedRun(true, "LMPOP", "1", "l", "LEFT")
	watchedRun(false, "LMPOP", "1", "nokey", "LEFT")
	watchedRun(true, "DEL", "l")
	watchedRun(false, "LTRIM", "l", "0", "1")
}

func TestListDirty(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	script := [][]string{
		{"RPUSH", "l", "a", "b", "c", "d", "e", "f"}, // 6
		{"LPUSHX", "nokey", "a"},                     // 0
		{"LPOP", "l", "2"},                           // 2
		{"RPOP", "l"},                                // 1
		{"LSET", "l", "0", "x"},                      // 1
		{"LSET", "l", "9", "x"},                      // 0
		{"LINSERT", "l", "AFTER", "x", "y"},          // 1
		{"LREM", "l", "0", "y"},                      // 1
		{"LTRIM", "l", "0", "-2"},                    // 1
		{"LTRIM", "l", "0", "-1"},                    // 0
		{"LMOVE", "l", "m", "LEFT", "LEFT"},          // 1
		{"LMPOP", "2", "nokey", "l", "LEFT", "COUNT", "9"},
		{"BLPOP", "m", "0"},
	}
	for _, args := range script {
		for _, rc := range a.conns {
			rc.do(args...)
		}
	}
	for i, rc := range a.conns {
		info := rc.do("INFO", "persistence")
		m := regexp.MustCompile(`rdb_changes_since_last_save:(\d+)`).FindStringSubmatch(info)
		if m == nil || m[1] != "16" {
			t.Errorf("%s: rdb_changes_since_last_save %v, want 16", side(i), m)
		}
	}
}

// aofCommands decodes an AOF file into one space-joined line per command.
func aofCommands(t *testing.T, data []byte) []string {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(data))
	var out []string
	for {
		if _, err := r.Peek(1); err != nil {
			return out
		}
		v, ok := parseReplyFrom(t, r).([]any)
		if !ok {
			t.Fatalf("AOF record is not an array")
		}
		var args []string
		for _, a := range v {
			args = append(args, fmt.Sprint(a))
		}
		out = append(out, strings.Join(args, " "))
	}
}

func parseReplyFrom(t *testing.T, r *bufio.Reader) any {
	t.Helper()
	v, err := decodeValue(r)
	if err != nil {
		t.Fatalf("AOF: %v", err)
	}
	return v
}

// TestListAOF checks what the list commands propagate: blocking and multi-key pops
// as the plain pops they performed, so that replaying never blocks, and the data
// survives a restart (and loads into redis-server).
func TestListAOF(t *testing.T) {
	dir := t.TempDir()
	opts := []string{"--dir", dir, "--appendonly", "yes"}
	s, done := startServerDone(t, opts...)
	a, b := dial(t, s), dial(t, s)
	a.expect(":3\r\n", "RPUSH", "l", "a", "b", "c")
	a.expect("*2\r\n$1\r\nl\r\n$1\r\na\r\n", "BLPOP", "nokey", "l", "0")
	a.expect("*2\r\n$1\r\nl\r\n$1\r\nc\r\n", "BRPOP", "l", "0")
	a.expect(":2\r\n", "RPUSH", "m", "1", "2")
	a.expect("*2\r\n$1\r\nm\r\n*2\r\n$1\r\n2\r\n$1\r\n1\r\n", "LMPOP", "1", "m", "RIGHT", "COUNT", "5")
	a.expect(":3\r\n", "RPUSH", "m", "1", "2", "3")
	a.expect("*2\r\n$1\r\nm\r\n*1\r\n$1\r\n1\r\n", "BLMPOP", "0", "2", "nokey", "m", "LEFT")
	a.expect("$1\r\n2\r\n", "BLMOVE", "m", "n", "LEFT", "right", "0")
	a.expect("$1\r\n3\r\n", "BRPOPLPUSH", "m", "n", "0")
	a.expect("$1\r\nb\r\n", "LMOVE", "l", "n", "RIGHT", "LEFT")
	// A served blocked client propagates its pop after the push that served it.
	b.send(encodeCommand("BLPOP", "q", "0"))
	for !strings.Contains(a.do("INFO", "clients"), "blocked_clients:1\r\n") {
	}
	a.expect(":2\r\n", "RPUSH", "q", "x", "y")
	if got := b.readReply(); got != "*2\r\n$1\r\nq\r\n$1\r\nx\r\n" {
		t.Fatalf("served: %q", got)
	}
	b.send(encodeCommand("BLMOVE", "empty", "q", "RIGHT", "LEFT", "0"))
	for !strings.Contains(a.do("INFO", "clients"), "blocked_clients:1\r\n") {
	}
	a.expect(":1\r\n", "LPUSH", "empty", "z")
	if got := b.readReply(); got != "$1\r\nz\r\n" {
		t.Fatalf("served: %q", got)
	}
	a.expect("+OK\r\n", "MULTI")
	a.expect("+QUEUED\r\n", "BLPOP", "nokey", "0")
	a.expect("+QUEUED\r\n", "LINSERT", "q", "AFTER", "y", "w")
	a.expect("*2\r\n*-1\r\n:3\r\n", "EXEC")
	stopAndWait(t, s, done)

	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	got := aofCommands(t, data)
	want := []string{
		"SELECT 0",
		"RPUSH l a b c",
		"LPOP l",
		"RPOP l",
		"RPUSH m 1 2",
		"RPOP m 2",
		"RPUSH m 1 2 3",
		"LPOP m 1",
		"LMOVE m n LEFT right",
		"RPOPLPUSH m n",
		"LMOVE l n RIGHT LEFT",
		"RPUSH q x y",
		"LPOP q",
		"LPUSH empty z",
		"LMOVE empty q RIGHT LEFT",
		"LINSERT q AFTER y w",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("AOF:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	check := func(rc *rawConn) {
		t.Helper()
		rc.expect(":0\r\n", "EXISTS", "l", "m", "empty")
		rc.expect("*3\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\n2\r\n", "LRANGE", "n", "0", "-1")
		rc.expect("*3\r\n$1\r\nz\r\n$1\r\ny\r\n$1\r\nw\r\n", "LRANGE", "q", "0", "-1")
	}
	check(dial(t, startServer(t, opts...)))
	if bin, _ := findOracle(); bin != "" {
		check(startRedis(t, "--dir", dir, "--appendonly", "yes"))
	}
}
