package server

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Set commands: keyspace events and their order against the replies, WATCH
// invalidation, the dirty counter, propagation to the AOF, and the properties of the
// random commands (SPOP, SRANDMEMBER) in each of Redis's cases. Deterministic replies
// are covered by testdata/commands/set*.txt.

func TestSetKeyspaceEvents(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	for _, rc := range a.conns {
		rc.do("HELLO", "3")
		rc.do("CONFIG", "SET", "notify-keyspace-events", "KEA")
		rc.do("PSUBSCRIBE", "__keyevent@0__:*")
	}
	// Redis 7.0's order, recorded from redis-server: SADD and SREM fire before they
	// reply, SPOP fires before popping, SMOVE fires srem (and del) on the source then
	// sadd on the destination, the *STORE commands reply before their event.
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"SADD", "s", "1", "2"}, "sadd:s :2\r\n"},
		{[]string{"SADD", "s", "1"}, ":0\r\n"},
		{[]string{"SREM", "s", "1", "9"}, "srem:s :1\r\n"},
		{[]string{"SREM", "s", "9"}, ":0\r\n"},
		{[]string{"SREM", "s", "2"}, "srem:s del:s :1\r\n"},
		{[]string{"SADD", "s", "x"}, "sadd:s :1\r\n"},
		{[]string{"SPOP", "s"}, "spop:s $1\r\nx\r\n del:s"},
		{[]string{"SPOP", "s"}, "_\r\n"},
		{[]string{"SADD", "s", "x", "y"}, "sadd:s :2\r\n"},
		{[]string{"SPOP", "s", "0"}, "~0\r\n"},
		{[]string{"SREM", "s", "y"}, "srem:s :1\r\n"},
		{[]string{"SPOP", "s", "1"}, "spop:s ~1\r\n$1\r\nx\r\n del:s"},
		{[]string{"SADD", "s", "1", "2"}, "sadd:s :2\r\n"},
		{[]string{"SPOP", "s", "5"}, "spop:s ~2\r\n$1\r\n1\r\n$1\r\n2\r\n del:s"},
		{[]string{"SADD", "s", "a", "b"}, "sadd:s :2\r\n"},
		{[]string{"SMOVE", "s", "d", "a"}, "srem:s sadd:d :1\r\n"},
		{[]string{"SMOVE", "s", "d", "zz"}, ":0\r\n"},
		{[]string{"SMOVE", "s", "s", "b"}, ":1\r\n"},
		{[]string{"SADD", "d", "b"}, "sadd:d :1\r\n"},
		{[]string{"SMOVE", "s", "d", "b"}, "srem:s del:s :1\r\n"},
		{[]string{"SINTERSTORE", "x", "d"}, ":2\r\n sinterstore:x"},
		{[]string{"SUNIONSTORE", "x", "d"}, ":2\r\n sunionstore:x"},
		{[]string{"SDIFFSTORE", "x", "d", "nokey"}, ":2\r\n sdiffstore:x"},
		{[]string{"SDIFFSTORE", "x", "d", "d"}, ":0\r\n del:x"},
		{[]string{"SDIFFSTORE", "x", "d", "d"}, ":0\r\n"},
		{[]string{"SADD", "x", "1"}, "sadd:x :1\r\n"},
		{[]string{"SINTERSTORE", "x", "nokey"}, "del:x :0\r\n"},
		{[]string{"SINTERSTORE", "x", "nokey"}, ":0\r\n"},
		{[]string{"SINTERCARD", "1", "d"}, ":2\r\n"},
		{[]string{"SREM", "nokey", "a"}, ":0\r\n"},
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

func TestSetWatch(t *testing.T) {
	ts := newTwins(t)
	a, b := ts.client(), ts.client()
	b.expect(":2\r\n", "SADD", "s", "a", "b")
	watchedRun := func(key string, changes bool, args ...string) {
		t.Helper()
		a.expect("+OK\r\n", "WATCH", key)
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
	watchedRun("s", true, "SADD", "s", "c")
	watchedRun("s", false, "SADD", "s", "c")
	watchedRun("s", false, "SREM", "s", "nothere")
	watchedRun("s", true, "SREM", "s", "c")
	watchedRun("s", false, "SISMEMBER", "s", "a")
	watchedRun("s", false, "SPOP", "s", "0")
	watchedRun("s", false, "SPOP", "nokey")
	watchedRun("s", false, "SMOVE", "s", "d", "nothere")
	watchedRun("s", false, "SMOVE", "s", "s", "a")
	watchedRun("d", true, "SMOVE", "s", "d", "a")
	watchedRun("d", true, "SMOVE", "d", "s", "a") // d emptied and deleted
	watchedRun("s", false, "SADD", "d", "a")
	watchedRun("d", true, "SMOVE", "s", "d", "b") // b was in s: moved to d
	watchedRun("s", false, "SRANDMEMBER", "d", "5")
	watchedRun("x", true, "SUNIONSTORE", "x", "d")
	watchedRun("x", true, "SINTERSTORE", "x", "d")
	watchedRun("x", true, "SDIFFSTORE", "x", "d", "d")
	watchedRun("x", false, "SDIFFSTORE", "x", "d", "d")
	watchedRun("d", true, "SPOP", "d")
}

func TestSetDirty(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	script := [][]string{
		{"SADD", "s", "a", "b", "c", "d", "e", "f"}, // 6
		{"SADD", "s", "a"},                          // 0
		{"SREM", "s", "a", "zz"},                    // 1
		{"SPOP", "s"},                               // 1
		{"SPOP", "s", "2"},                          // 2
		{"SMOVE", "s", "t", "nothere"},              // 0
		{"SADD", "t", "x"},                          // 1
		{"SINTERSTORE", "u", "t"},                   // 1
		{"SUNIONSTORE", "u", "t", "nokey"},          // 1
		{"SDIFFSTORE", "u", "t", "t"},               // 1 (deletes u)
		{"SDIFFSTORE", "u", "t", "t"},               // 0
		{"SPOP", "t", "5"},                          // 1: what was popped
		{"SPOP", "t", "0"},                          // 0
	}
	for _, args := range script {
		for _, rc := range a.conns {
			rc.do(args...)
		}
	}
	// SMOVE of a member: 1 for the source, 1 for the destination when added.
	a.expect(":2\r\n", "SCARD", "s")
	for i, rc := range a.conns {
		members := parseReply(t, rc.do("SMEMBERS", "s")).([]any)
		rc.do("SMOVE", "s", "v", members[0].(string))
		info := rc.do("INFO", "persistence")
		m := regexp.MustCompile(`rdb_changes_since_last_save:(\d+)`).FindStringSubmatch(info)
		if m == nil || m[1] != "17" {
			t.Errorf("%s: rdb_changes_since_last_save %v, want 17", side(i), m)
		}
	}
}

// TestSetAOF checks what the set commands propagate: SPOP as the SREM it amounted to
// (one SREM for all the members popped by a count, where Redis writes one SREM each:
// the same effect) or as DEL when the whole set goes; and that the data survives a
// restart.
func TestSetAOF(t *testing.T) {
	dir := t.TempDir()
	opts := []string{"--dir", dir, "--appendonly", "yes"}
	s, done := startServerDone(t, opts...)
	a := dial(t, s)
	a.expect(":1\r\n", "SADD", "one", "x")
	a.expect("$1\r\nx\r\n", "SPOP", "one")
	a.expect(":3\r\n", "SADD", "all", "1", "2", "3")
	a.expect("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SPOP", "all", "3")
	a.expect(":20\r\n", "SADD", "big", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
		"k", "l", "m", "n", "o", "p", "q", "r", "s", "t")
	popped2 := parseReply(t, a.do("SPOP", "big", "2")).([]any)   // one by one
	popped17 := parseReply(t, a.do("SPOP", "big", "17")).([]any) // the rest moves
	a.expect("*0\r\n", "SPOP", "big", "0")
	a.expect(":1\r\n", "SADD", "d", "m")
	var before []string
	for _, k := range []string{"big", "d"} {
		before = append(before, a.do("SMEMBERS", k))
	}
	stopAndWait(t, s, done)

	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	got := aofCommands(t, data)
	srem := func(key string, members []any) string {
		parts := []string{"SREM", key}
		for _, m := range members {
			parts = append(parts, m.(string))
		}
		return strings.Join(parts, " ")
	}
	want := []string{
		"SELECT 0",
		"SADD one x",
		"SREM one x",
		"SADD all 1 2 3",
		"DEL all",
		"SADD big a b c d e f g h i j k l m n o p q r s t",
		srem("big", popped2),
		srem("big", popped17),
		"SADD d m",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("AOF:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	s2 := startServer(t, opts...)
	b := dial(t, s2)
	for i, k := range []string{"big", "d"} {
		b.expect(before[i], "SMEMBERS", k)
	}
	b.expect(":0\r\n", "EXISTS", "one")
	b.expect(":0\r\n", "EXISTS", "all")
}

// replyMembers decodes an array or set reply of bulk strings.
func replyMembers(t *testing.T, raw string) []string {
	t.Helper()
	v, ok := parseReply(t, raw).([]any)
	if !ok {
		t.Fatalf("not an aggregate: %q", raw)
	}
	out := make([]string, len(v))
	for i, e := range v {
		out[i] = e.(string)
	}
	return out
}

// TestSetRandomCases runs SPOP and SRANDMEMBER with counts through each of Redis's
// cases, on both encodings, and checks what is not random: counts, distinctness,
// membership, what remains, the encoding that results, the reply type in RESP3.
func TestSetRandomCases(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	a.expect("+OK\r\n", "CONFIG", "SET", "set-max-intset-entries", "64")
	for _, rc := range a.conns {
		rc.do("HELLO", "3")
	}
	fill := func(key string, n int, ints bool) map[string]bool {
		t.Helper()
		all := map[string]bool{}
		args := []string{"SADD", key}
		for i := range n {
			m := strconv.Itoa(i * 7)
			if !ints {
				m = "m" + m
			}
			all[m] = true
			args = append(args, m)
		}
		a.expect(":"+strconv.Itoa(n)+"\r\n", args...)
		return all
	}
	for _, ints := range []bool{true, false} {
		for _, size := range []int{1, 10, 50, 100} {
			enc := "hashtable"
			if ints && size <= 64 {
				enc = "intset"
			}
			encReply := "$" + strconv.Itoa(len(enc)) + "\r\n" + enc + "\r\n"
			for _, count := range []int{1, 2, 3, size / 4, size / 3, size/3 + 1, size - 1, size, size + 1} {
				if count < 1 {
					continue
				}
				name := fmt.Sprintf("ints=%v size=%d count=%d", ints, size, count)
				// SRANDMEMBER: distinct members, min(count, size) of them, an array.
				all := fill("r", size, ints)
				for i, rc := range a.conns {
					raw := rc.do("SRANDMEMBER", "r", strconv.Itoa(count))
					if !strings.HasPrefix(raw, "*") {
						t.Errorf("%s %s: SRANDMEMBER reply %q is not an array", side(i), name, raw)
					}
					got := replyMembers(t, raw)
					if len(got) != min(count, size) {
						t.Errorf("%s %s: SRANDMEMBER returned %d", side(i), name, len(got))
					}
					seen := map[string]bool{}
					for _, m := range got {
						if !all[m] || seen[m] {
							t.Errorf("%s %s: SRANDMEMBER member %q foreign or repeated", side(i), name, m)
						}
						seen[m] = true
					}
					got = replyMembers(t, rc.do("SRANDMEMBER", "r", strconv.Itoa(-count)))
					if len(got) != count {
						t.Errorf("%s %s: SRANDMEMBER negative returned %d", side(i), name, len(got))
					}
					for _, m := range got {
						if !all[m] {
							t.Errorf("%s %s: SRANDMEMBER negative: member %q foreign", side(i), name, m)
						}
					}
				}
				a.expect(encReply, "OBJECT", "ENCODING", "r")
				a.expect(":1\r\n", "DEL", "r")

				// SPOP: distinct members, removed, the rest intact.
				all = fill("p", size, ints)
				var wantEnc string
				for i, rc := range a.conns {
					raw := rc.do("SPOP", "p", strconv.Itoa(count))
					if !strings.HasPrefix(raw, "~") {
						t.Errorf("%s %s: SPOP reply %q is not a set", side(i), name, raw)
					}
					popped := replyMembers(t, raw)
					if len(popped) != min(count, size) {
						t.Errorf("%s %s: SPOP returned %d", side(i), name, len(popped))
					}
					rest := map[string]bool{}
					for m := range all {
						rest[m] = true
					}
					for _, m := range popped {
						if !rest[m] {
							t.Errorf("%s %s: SPOP member %q foreign or repeated", side(i), name, m)
						}
						delete(rest, m)
					}
					left := replyMembers(t, rc.do("SMEMBERS", "p"))
					sort.Strings(left)
					var want []string
					for m := range rest {
						want = append(want, m)
					}
					sort.Strings(want)
					if !slices.Equal(left, want) {
						t.Errorf("%s %s: after SPOP %v, want %v", side(i), name, left, want)
					}
					// The encoding of what is left: unchanged when popped one by one,
					// chosen by the remaining members when they were moved.
					e := rc.do("OBJECT", "ENCODING", "p")
					if len(rest) == 0 {
						continue
					}
					if i == 0 {
						wantEnc = e
					} else if e != wantEnc {
						t.Errorf("%s %s: encoding after SPOP %q, cairn %q", side(i), name, e, wantEnc)
					}
				}
				rest := size - min(count, size)
				if rest > 0 {
					want := encReply
					if rest*5 <= count && ints {
						want = "$6\r\nintset\r\n" // moved: the integers choose
					}
					if wantEnc != want {
						t.Errorf("%s: encoding after SPOP %q, want %q", name, wantEnc, want)
					}
				}
				a.expect(":"+map[bool]string{true: "1", false: "0"}[rest > 0]+"\r\n", "DEL", "p")
			}
		}
	}
}

// TestSetDumpRestore moves sets both ways between Cairn and redis-server with DUMP and
// RESTORE (intsets as their bytes, hash tables as members) and checks the members and
// the encoding each side gives them, limits included.
func TestSetDumpRestore(t *testing.T) {
	ts := newTwins(t)
	if len(ts.addrs) < 2 {
		t.Skip("redis-server not installed")
	}
	cairn, redis := ts.admin[0], ts.admin[1]
	sets := map[string][]string{
		"ints":  {"1", "-70000", "5000000000", "3"},
		"strs":  {"a", "b", "1", "\x00\xff"},
		"many":  nil,
		"wide":  {"9223372036854775807", "-9223372036854775808"},
		"noint": {"01", "+1"},
	}
	for i := range 20 {
		sets["many"] = append(sets["many"], strconv.Itoa(i))
	}
	for name, members := range sets {
		for _, rc := range ts.admin {
			rc.do(append([]string{"SADD", name}, members...)...)
		}
	}
	members := func(rc *rawConn, key string) []string {
		m := replyMembers(t, rc.do("SMEMBERS", key))
		sort.Strings(m)
		return m
	}
	for _, limit := range []string{"512", "10"} {
		for _, rc := range ts.admin {
			rc.expect("+OK\r\n", "CONFIG", "SET", "set-max-intset-entries", limit)
		}
		for name := range sets {
			for dir, pair := range [][2]*rawConn{{redis, cairn}, {cairn, redis}} {
				from, to := pair[0], pair[1]
				dump, ok := parseReply(t, from.do("DUMP", name)).(string)
				if !ok {
					t.Fatalf("DUMP %s: not a string", name)
				}
				dst := "copy-" + name
				to.expect("+OK\r\n", "RESTORE", dst, "0", dump, "REPLACE")
				if got, want := members(to, dst), members(from, name); !slices.Equal(got, want) {
					t.Errorf("limit %s dir %d %s: restored %q, want %q", limit, dir, name, got, want)
				}
				// Both servers give a restored set the same encoding.
				cairn.do("RESTORE", dst, "0", dump, "REPLACE")
				redis.do("RESTORE", dst, "0", dump, "REPLACE")
				if c, r := cairn.do("OBJECT", "ENCODING", dst), redis.do("OBJECT", "ENCODING", dst); c != r {
					t.Errorf("limit %s dir %d %s: encoding cairn %q, redis %q", limit, dir, name, c, r)
				}
			}
		}
	}
}

// TestSetDebugObjectEncoding checks that the encoding DEBUG OBJECT shows follows a
// set converted in place.
func TestSetDebugObjectEncoding(t *testing.T) {
	s := startServer(t, "--enable-debug-command", "yes", "--set-max-intset-entries", "3")
	a := dial(t, s)
	enc := func(key, want string) {
		t.Helper()
		if got := a.do("DEBUG", "OBJECT", key); !strings.Contains(got, " encoding:"+want+" ") {
			t.Errorf("DEBUG OBJECT %s: %q, want encoding %s", key, got, want)
		}
		a.expect("$"+strconv.Itoa(len(want))+"\r\n"+want+"\r\n", "OBJECT", "ENCODING", key)
	}
	a.expect(":2\r\n", "SADD", "s", "1", "2")
	enc("s", "intset")
	a.expect(":1\r\n", "SADD", "s", "x")
	enc("s", "hashtable")
	a.expect(":3\r\n", "SADD", "d", "1", "2", "3")
	enc("d", "intset")
	a.expect(":1\r\n", "SADD", "src", "4")
	a.expect(":1\r\n", "SMOVE", "src", "d", "4")
	enc("d", "hashtable")
	a.expect(":1\r\n", "SADD", "src", "y")
	a.expect(":1\r\n", "SMOVE", "src", "new", "y")
	enc("new", "hashtable")
	a.expect(":1\r\n", "SREM", "s", "x")
	a.expect(":2\r\n", "SINTERSTORE", "st", "s")
	enc("st", "intset")
}
