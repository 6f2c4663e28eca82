package server

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"cairn/internal/keyspace"
)

// testCmd is one command of a scripted exchange and its exact raw reply, as
// redis-server 7.0.15 sends it.
type testCmd struct {
	want string
	args []string
}

func tc(want string, args ...string) testCmd { return testCmd{want, args} }

// runCmds sends each command in turn and checks its raw reply.
func runCmds(t *testing.T, rc *rawConn, cmds []testCmd) {
	t.Helper()
	for _, c := range cmds {
		rc.expect(c.want, c.args...)
	}
}

// withKeyspace runs fn under the executor lock, for tests that look at or plant state
// that no implemented command can reach yet.
func withKeyspace(s *Server, fn func(ks *keyspace.Keyspace)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.ks)
}

// putList plants a non-string value, so WRONGTYPE paths can be tested before the list
// commands exist.
func putList(s *Server, db int, key string) {
	withKeyspace(s, func(ks *keyspace.Keyspace) {
		ks.DBs[db].Set([]byte(key), keyspace.Object{Type: keyspace.TypeList, Enc: keyspace.EncListpack, Ptr: []byte("lp")}, false)
	})
}

// bulkArray is the raw reply of an array of bulk strings.
func bulkArray(items ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(items))
	for _, it := range items {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(it), it)
	}
	return b.String()
}

// parseBulkArray splits a raw reply made only of an array of bulk strings.
func parseBulkArray(t *testing.T, raw string) []string {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(raw, "*%d\r\n", &n); err != nil {
		t.Fatalf("not an array: %q", raw)
	}
	rest := raw[strings.Index(raw, "\r\n")+2:]
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		var l int
		if _, err := fmt.Sscanf(rest, "$%d\r\n", &l); err != nil {
			t.Fatalf("not a bulk string: %q", rest)
		}
		rest = rest[strings.Index(rest, "\r\n")+2:]
		out = append(out, rest[:l])
		rest = rest[l+2:]
	}
	if rest != "" {
		t.Fatalf("trailing bytes after array: %q", rest)
	}
	return out
}

// intReply parses an integer reply.
func intReply(t *testing.T, raw string) int64 {
	t.Helper()
	if len(raw) < 4 || raw[0] != ':' {
		t.Fatalf("not an integer reply: %q", raw)
	}
	n, err := strconv.ParseInt(raw[1:len(raw)-2], 10, 64)
	if err != nil {
		t.Fatalf("not an integer reply: %q", raw)
	}
	return n
}

// sortedKeys runs a KEYS-like command and returns its bulk strings sorted.
func sortedKeys(t *testing.T, rc *rawConn, args ...string) []string {
	t.Helper()
	keys := parseBulkArray(t, rc.do(args...))
	sort.Strings(keys)
	return keys
}

func TestDelExistsTypeTouchDBSize(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	putList(s, 0, "list")
	runCmds(t, rc, []testCmd{
		tc("+OK\r\n", "MSET", "a", "1", "b", "2", "c", "3"),
		tc(":4\r\n", "DBSIZE"),
		tc(":3\r\n", "EXISTS", "a", "a", "nokey", "b"),
		tc("+string\r\n", "TYPE", "a"),
		tc("+list\r\n", "TYPE", "list"),
		tc("+none\r\n", "TYPE", "nokey"),
		tc(":2\r\n", "TOUCH", "a", "nokey", "list"),
		tc(":2\r\n", "DEL", "a", "a", "b", "nokey"),
		tc(":1\r\n", "UNLINK", "c", "c"),
		tc(":0\r\n", "EXISTS", "a", "b", "c"),
		tc(":1\r\n", "DBSIZE"),
		tc("-ERR wrong number of arguments for 'exists' command\r\n", "EXISTS"),
		tc("-ERR wrong number of arguments for 'touch' command\r\n", "TOUCH"),
		tc("-ERR wrong number of arguments for 'dbsize' command\r\n", "DBSIZE", "x"),
	})
}

// TestKeyspaceStats checks which lookups count in keyspace_hits/misses: reads,
// EXISTS, TYPE, TTL, OBJECT and SCAN TYPE do; writes do not. The numbers are what
// redis-server 7.0.15 reports for the same commands.
func TestKeyspaceStats(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	for _, cmd := range [][]string{
		{"APPEND", "n1", "123"}, {"OBJECT", "ENCODING", "n1"},
		{"APPEND", "n2", "abc"}, {"OBJECT", "ENCODING", "n2"},
		{"GETEX", "nokey", "EX", "abc"}, {"GETEX", "n1", "EX", "0"},
		{"EXISTS", "n1", "zz"}, {"TYPE", "n1"}, {"TYPE", "zz"},
		{"TTL", "n1"}, {"TTL", "zz"}, {"OBJECT", "ENCODING", "zz"},
		{"SCAN", "0", "TYPE", "string"},
		{"SET", "n3", "x"}, {"INCR", "n4"}, {"EXPIRE", "n3", "100"}, {"PERSIST", "nope"},
		{"RENAME", "n3", "n5"}, {"DEL", "n5", "n6"},
	} {
		rc.do(cmd...)
	}
	var hits, misses int64
	withKeyspace(s, func(ks *keyspace.Keyspace) { hits, misses = ks.KeyspaceHits, ks.KeyspaceMisses })
	if hits != 8 || misses != 5 {
		t.Fatalf("hits %d misses %d, want 8 and 5", hits, misses)
	}
}

func TestKeys(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("*0\r\n", "KEYS", "*")
	rc.expect("+OK\r\n", "MSET", "hello", "1", "hallo", "2", "hxllo", "3", "foo", "4", "", "5", "h*llo", "6")
	for _, c := range []struct {
		pattern string
		want    []string
	}{
		{"*", []string{"", "foo", "h*llo", "hallo", "hello", "hxllo"}},
		{"**", []string{"foo", "h*llo", "hallo", "hello", "hxllo"}}, // "*" does not match ""
		{"h?llo", []string{"h*llo", "hallo", "hello", "hxllo"}},
		{"h[ae]llo", []string{"hallo", "hello"}},
		{"h[^e]llo", []string{"h*llo", "hallo", "hxllo"}},
		{`h\*llo`, []string{"h*llo"}},
		{"foo", []string{"foo"}}, // a literal: one lookup
		{"fo", []string{}},
		{"", []string{""}},
		{"H*", []string{}},
	} {
		got := sortedKeys(t, rc, "KEYS", c.pattern)
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("KEYS %q: got %q, want %q", c.pattern, got, c.want)
		}
	}
	rc.expect("-ERR wrong number of arguments for 'keys' command\r\n", "KEYS")
}

func TestKeysAndScanSkipExpiredKeys(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	withKeyspace(s, func(*keyspace.Keyspace) { s.activeExpireEnabled = false })
	rc.expect("+OK\r\n", "MSET", "live", "1", "dead", "2", "dead2", "3")
	rc.expect(":1\r\n", "PEXPIRE", "dead", "1")
	rc.expect(":1\r\n", "PEXPIRE", "dead2", "1")
	time.Sleep(5 * time.Millisecond)
	rc.expect(bulkArray("live"), "KEYS", "*")
	rc.expect(bulkArray(), "KEYS", "dead")
	// KEYS leaves expired keys in place (DBSIZE still counts them); SCAN reclaims.
	rc.expect(":3\r\n", "DBSIZE")
	rc.expect("*2\r\n$1\r\n0\r\n"+bulkArray("live"), "SCAN", "0", "COUNT", "100")
	rc.expect(":1\r\n", "DBSIZE")
}

func TestScan(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	const n = 1000
	want := make(map[string]bool)
	args := []string{"MSET"}
	for i := 0; i < n; i++ {
		k := "key:" + strconv.Itoa(i)
		want[k] = true
		args = append(args, k, strconv.Itoa(i))
	}
	rc.expect("+OK\r\n", args...)
	putList(s, 0, "list")

	// A full iteration returns every key at least once and ends at cursor 0.
	seen := make(map[string]bool)
	cursor := "0"
	for calls := 0; ; calls++ {
		if calls > 10*n {
			t.Fatal("SCAN does not terminate")
		}
		raw := rc.do("SCAN", cursor, "COUNT", "7", "TYPE", "string")
		var clen int
		fmt.Sscanf(raw, "*2\r\n$%d\r\n", &clen)
		head := fmt.Sprintf("*2\r\n$%d\r\n", clen)
		cursor = raw[len(head) : len(head)+clen]
		for _, k := range parseBulkArray(t, raw[len(head)+clen+2:]) {
			if !want[k] {
				t.Fatalf("SCAN returned %q", k)
			}
			seen[k] = true
		}
		if cursor == "0" {
			break
		}
	}
	if len(seen) != n {
		t.Fatalf("SCAN saw %d keys, want %d", len(seen), n)
	}

	// MATCH filters after the walk; a literal pattern still walks.
	var matched []string
	cursor = "0"
	for {
		raw := rc.do("SCAN", cursor, "MATCH", "key:99*", "COUNT", "1000")
		var clen int
		fmt.Sscanf(raw, "*2\r\n$%d\r\n", &clen)
		head := fmt.Sprintf("*2\r\n$%d\r\n", clen)
		cursor = raw[len(head) : len(head)+clen]
		matched = append(matched, parseBulkArray(t, raw[len(head)+clen+2:])...)
		if cursor == "0" {
			break
		}
	}
	sort.Strings(matched)
	if strings.Join(matched, ",") != "key:99,key:990,key:991,key:992,key:993,key:994,key:995,key:996,key:997,key:998,key:999" {
		t.Fatalf("SCAN MATCH: %q", matched)
	}
	rc.expect("*2\r\n$1\r\n0\r\n"+bulkArray("list"), "SCAN", "0", "COUNT", "100000", "TYPE", "LIST")
	rc.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0", "COUNT", "100000", "TYPE", "nosuchtype")
}

func TestScanSmallAndErrors(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0")
	rc.expect("+OK\r\n", "SET", "a", "1")
	one := "*2\r\n$1\r\n0\r\n" + bulkArray("a")
	runCmds(t, rc, []testCmd{
		tc(one, "SCAN", "0"),
		// The cursor is parsed as C's strtoul.
		tc(one, "SCAN", ""),
		tc(one, "SCAN", "+0"),
		tc(one, "SCAN", "-0"),
		tc("-ERR invalid cursor\r\n", "SCAN", " 0"),
		tc("-ERR invalid cursor\r\n", "SCAN", "0x"),
		tc("-ERR invalid cursor\r\n", "SCAN", "abc"),
		tc("-ERR invalid cursor\r\n", "SCAN", "-"),
		tc("-ERR invalid cursor\r\n", "SCAN", "18446744073709551616"),
		tc("-ERR syntax error\r\n", "SCAN", "0", "COUNT", "0"),
		tc("-ERR syntax error\r\n", "SCAN", "0", "COUNT", "-1"),
		tc("-ERR value is not an integer or out of range\r\n", "SCAN", "0", "COUNT", "x"),
		tc("-ERR syntax error\r\n", "SCAN", "0", "COUNT"),
		tc("-ERR syntax error\r\n", "SCAN", "0", "MATCH"),
		tc("-ERR syntax error\r\n", "SCAN", "0", "TYPE"),
		tc("-ERR syntax error\r\n", "SCAN", "0", "foo", "bar"),
		tc(one, "SCAN", "0", "MATCH", "*", "TYPE", "String", "COUNT", "5"),
		tc("*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0", "MATCH", "b*"),
		tc("*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0", "TYPE", "none"),
		tc("-ERR wrong number of arguments for 'scan' command\r\n", "SCAN"),
	})
}

func TestRandomKey(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("$-1\r\n", "RANDOMKEY")
	rc.expect("+OK\r\n", "SET", "only", "v")
	rc.expect("$4\r\nonly\r\n", "RANDOMKEY")
	// Many expired keys: RANDOMKEY reclaims them and finds none left.
	withKeyspace(s, func(*keyspace.Keyspace) { s.activeExpireEnabled = false })
	rc.expect(":1\r\n", "DEL", "only")
	for i := 0; i < 300; i++ {
		rc.do("SET", "k"+strconv.Itoa(i), "v", "PX", "1")
	}
	time.Sleep(5 * time.Millisecond)
	rc.expect("$-1\r\n", "RANDOMKEY")
	rc.expect(":0\r\n", "DBSIZE")
}

func TestRename(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	putList(s, 0, "list")
	runCmds(t, rc, []testCmd{
		tc("-ERR no such key\r\n", "RENAME", "a", "b"),
		tc("-ERR no such key\r\n", "RENAMENX", "a", "b"),
		tc("-ERR no such key\r\n", "RENAME", "a", "a"),
		tc("+OK\r\n", "SET", "a", "1"),
		tc("+OK\r\n", "RENAME", "a", "a"),
		tc(":0\r\n", "RENAMENX", "a", "a"),
		tc(":1\r\n", "EXPIRE", "a", "100"),
		tc("+OK\r\n", "RENAME", "a", "b"),
		tc(":100\r\n", "TTL", "b"),
		tc(":0\r\n", "EXISTS", "a"),
		tc("+OK\r\n", "SET", "c", "2"),
		tc(":0\r\n", "RENAMENX", "b", "c"),
		tc("+OK\r\n", "RENAME", "b", "c"),
		tc(":100\r\n", "TTL", "c"),
		tc("$1\r\n1\r\n", "GET", "c"),
		tc("$3\r\nint\r\n", "OBJECT", "ENCODING", "c"),
		tc(":1\r\n", "RENAMENX", "c", "d"),
		tc("+OK\r\n", "RENAME", "d", "list"), // replaces a value of another type
		tc("+string\r\n", "TYPE", "list"),
		tc("+OK\r\n", "SET", "p", "v"),
		tc("+OK\r\n", "RENAME", "list", "p"),
		tc(":100\r\n", "TTL", "p"),
		tc(":0\r\n", "EXISTS", "list"),
		// A persistent value renamed over a volatile key: the result has no TTL.
		tc("+OK\r\n", "SET", "q", "v"),
		tc("+OK\r\n", "RENAME", "q", "p"),
		tc(":-1\r\n", "TTL", "p"),
		tc("-ERR wrong number of arguments for 'rename' command\r\n", "RENAME", "a"),
		tc("-ERR wrong number of arguments for 'renamenx' command\r\n", "RENAMENX", "a", "b", "c"),
	})
}

func TestMove(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	runCmds(t, rc, []testCmd{
		tc("+OK\r\n", "SET", "a", "1"),
		tc(":1\r\n", "PEXPIRE", "a", "100000"),
		tc(":1\r\n", "MOVE", "a", "1"),
		tc(":0\r\n", "EXISTS", "a"),
		tc("-ERR source and destination objects are the same\r\n", "MOVE", "a", "0"),
		tc("-ERR DB index is out of range\r\n", "MOVE", "a", "16"),
		tc("-ERR DB index is out of range\r\n", "MOVE", "a", "-1"),
		tc("-ERR value is not an integer or out of range\r\n", "MOVE", "a", "x"),
		tc("-ERR value is not an integer or out of range\r\n", "MOVE", "a", "4294967296"),
		tc(":0\r\n", "MOVE", "nokey", "1"),
		tc("+OK\r\n", "SET", "b", "2"),
		tc("+OK\r\n", "SELECT", "1"),
		tc("+OK\r\n", "SET", "b", "3"),
		tc("$1\r\n1\r\n", "GET", "a"),
		tc("+OK\r\n", "SELECT", "0"),
		tc(":0\r\n", "MOVE", "b", "1"),
		tc("$1\r\n2\r\n", "GET", "b"),
	})
	rc.expect("+OK\r\n", "SELECT", "1")
	if ms := intReply(t, rc.do("PTTL", "a")); ms < 99000 || ms > 100000 {
		t.Fatalf("PTTL after MOVE: %d", ms)
	}
}

func TestCopy(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	putList(s, 0, "list")
	runCmds(t, rc, []testCmd{
		tc("+OK\r\n", "SET", "c", "5"),
		tc("-ERR source and destination objects are the same\r\n", "COPY", "c", "c"),
		tc("-ERR source and destination objects are the same\r\n", "COPY", "c", "c", "DB", "0"),
		tc(":1\r\n", "COPY", "c", "d"),
		tc(":0\r\n", "COPY", "c", "d"),
		tc(":1\r\n", "COPY", "c", "d", "REPLACE"),
		tc(":1\r\n", "COPY", "c", "d", "DB", "1"),
		tc(":1\r\n", "COPY", "c", "c", "db", "2"),
		tc("-ERR value is not an integer or out of range\r\n", "COPY", "c", "d", "DB", "x"),
		tc("-ERR DB index is out of range\r\n", "COPY", "c", "d", "DB", "16"),
		tc("-ERR syntax error\r\n", "COPY", "c", "d", "DB"),
		tc("-ERR syntax error\r\n", "COPY", "c", "d", "foo"),
		tc(":0\r\n", "COPY", "c", "d", "DB", "1", "DB", "0"),
		tc(":1\r\n", "COPY", "c", "d", "replace", "REPLACE"),
		tc(":0\r\n", "COPY", "nokey", "d"),
		tc(":1\r\n", "COPY", "list", "d", "REPLACE"),
		tc("+list\r\n", "TYPE", "d"),
		// The copy is independent of its source, and keeps the TTL and encoding.
		tc("+OK\r\n", "SET", "s", "hello"),
		tc(":1\r\n", "EXPIRE", "s", "100"),
		tc(":1\r\n", "COPY", "s", "s2"),
		tc(":100\r\n", "TTL", "s2"),
		tc(":7\r\n", "SETRANGE", "s", "5", "!!"),
		tc("$5\r\nhello\r\n", "GET", "s2"),
		tc("$6\r\nembstr\r\n", "OBJECT", "ENCODING", "s2"),
		tc("$3\r\nraw\r\n", "OBJECT", "ENCODING", "s"),
		tc(":1\r\n", "COPY", "s", "s3"),
		tc("$3\r\nraw\r\n", "OBJECT", "ENCODING", "s3"),
		tc(":11\r\n", "APPEND", "s3", "xxxx"),
		tc("$7\r\nhello!!\r\n", "GET", "s"),
		tc("$3\r\nint\r\n", "OBJECT", "ENCODING", "c"),
		tc("+OK\r\n", "SELECT", "1"),
		tc("$1\r\n5\r\n", "GET", "d"),
	})
}

func TestSwapDB(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	runCmds(t, rc, []testCmd{
		tc("+OK\r\n", "SET", "a", "1"),
		tc("+OK\r\n", "SWAPDB", "0", "1"),
		tc("-ERR invalid second DB index\r\n", "SWAPDB", "0", "x"),
		tc("-ERR invalid first DB index\r\n", "SWAPDB", "x", "0"),
		tc("-ERR invalid first DB index\r\n", "SWAPDB", "99999999999", "0"),
		tc("-ERR DB index is out of range\r\n", "SWAPDB", "0", "16"),
		tc("-ERR DB index is out of range\r\n", "SWAPDB", "-1", "0"),
		tc("+OK\r\n", "SWAPDB", "0", "0"),
		tc(":0\r\n", "DBSIZE"),
		tc("+OK\r\n", "SELECT", "1"),
		tc("$1\r\n1\r\n", "GET", "a"),
		tc("+OK\r\n", "SWAPDB", "1", "0"),
		tc(":0\r\n", "DBSIZE"),
		tc("+OK\r\n", "SELECT", "0"),
		tc("$1\r\n1\r\n", "GET", "a"),
	})
}

func TestFlush(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	runCmds(t, rc, []testCmd{
		tc("+OK\r\n", "MSET", "a", "1", "b", "2"),
		tc("+OK\r\n", "SELECT", "1"),
		tc("+OK\r\n", "SET", "c", "3"),
		tc("-ERR syntax error\r\n", "FLUSHDB", "foo"),
		tc("-ERR syntax error\r\n", "FLUSHDB", "ASYNC", "SYNC"),
		tc("-ERR syntax error\r\n", "FLUSHALL", "x"),
		tc("+OK\r\n", "FLUSHDB", "async"),
		tc(":0\r\n", "DBSIZE"),
		tc("+OK\r\n", "SELECT", "0"),
		tc(":2\r\n", "DBSIZE"),
		tc("+OK\r\n", "FLUSHDB", "SYNC"),
		tc(":0\r\n", "DBSIZE"),
		tc("+OK\r\n", "SET", "a", "1"),
		tc("+OK\r\n", "SELECT", "5"),
		tc("+OK\r\n", "SET", "a", "1"),
		tc("+OK\r\n", "FLUSHALL"),
		tc(":0\r\n", "DBSIZE"),
		tc("+OK\r\n", "SELECT", "0"),
		tc(":0\r\n", "DBSIZE"),
		tc("+OK\r\n", "FLUSHALL", "ASYNC"),
	})
	// FLUSHALL and FLUSHDB add the keys removed to dirty (redis-server 7.0.15 adds no
	// extra one: it forces FLUSHALL's propagation instead).
	rc.expect("+OK\r\n", "MSET", "a", "1", "b", "2", "c", "3")
	var before, afterDB, afterAll int64
	withKeyspace(s, func(*keyspace.Keyspace) { before = s.dirty })
	rc.expect("+OK\r\n", "FLUSHDB")
	withKeyspace(s, func(*keyspace.Keyspace) { afterDB = s.dirty })
	rc.expect("+OK\r\n", "MSET", "a", "1", "b", "2")
	rc.expect("+OK\r\n", "FLUSHALL")
	withKeyspace(s, func(*keyspace.Keyspace) { afterAll = s.dirty })
	if afterDB-before != 3 || afterAll-afterDB != 2+2 {
		t.Fatalf("dirty: FLUSHDB +%d (want 3), MSET+FLUSHALL +%d (want 4)", afterDB-before, afterAll-afterDB)
	}
}

// TestFlushAndSwapDBTouchWatchedKeys: FLUSHDB, FLUSHALL and SWAPDB abort the
// transactions watching a key that existed in the DB (or, for SWAPDB, that exists on
// either side). Recorded from redis-server 7.0.15.
func TestFlushAndSwapDBTouchWatchedKeys(t *testing.T) {
	s := startServer(t)
	watcher, other := dial(t, s), dial(t, s)
	for _, c := range []struct {
		keyDB   string
		cmd     []string
		aborted bool
	}{
		{"0", []string{"FLUSHALL"}, true},
		{"0", []string{"FLUSHDB"}, true},
		{"0", []string{"SWAPDB", "0", "1"}, true},
		{"0", []string{"SWAPDB", "1", "2"}, false},
		{"1", []string{"FLUSHALL"}, false},
		{"1", []string{"FLUSHDB"}, false},
		{"1", []string{"SWAPDB", "0", "1"}, true},
		{"1", []string{"SWAPDB", "1", "2"}, false},
	} {
		other.expect("+OK\r\n", "FLUSHALL")
		other.expect("+OK\r\n", "SELECT", c.keyDB)
		other.expect("+OK\r\n", "SET", "k", "v")
		other.expect("+OK\r\n", "SELECT", "0")
		watcher.expect("+OK\r\n", "WATCH", "k")
		other.expect("+OK\r\n", c.cmd...)
		watcher.expect("+OK\r\n", "MULTI")
		watcher.expect("+QUEUED\r\n", "PING")
		want := "*1\r\n+PONG\r\n"
		if c.aborted {
			want = "*-1\r\n"
		}
		if got := watcher.do("EXEC"); got != want {
			t.Errorf("key in DB %s, %q: EXEC got %q, want %q", c.keyDB, c.cmd, got, want)
		}
	}
}
