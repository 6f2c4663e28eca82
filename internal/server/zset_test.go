package server

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Sorted set commands: keyspace events and their order against the replies, WATCH
// invalidation, propagation to the AOF, and the blocking pops with several clients.
// Replies themselves are covered by testdata/commands/zset*.txt. The twin tests run
// on Cairn and, when it is installed, on redis-server 7.0.15 with the same
// expectations.

func TestZsetKeyspaceEvents(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	for _, rc := range a.conns {
		rc.do("HELLO", "3")
		rc.do("CONFIG", "SET", "notify-keyspace-events", "KEA")
		rc.do("PSUBSCRIBE", "__keyevent@0__:*")
	}
	// Redis 7.0's order: ZADD replies before its event, ZREM and ZREMRANGEBY* after,
	// the STORE commands reply between signalling the key and the event.
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}, ":4\r\n zadd:z"},
		{[]string{"ZADD", "z", "1", "a"}, ":0\r\n"},
		{[]string{"ZADD", "z", "XX", "1", "nothere"}, ":0\r\n"},
		{[]string{"ZADD", "z", "CH", "5", "a"}, ":1\r\n zadd:z"},
		{[]string{"ZINCRBY", "z", "1", "a"}, ",6\r\n zincr:z"},
		{[]string{"ZADD", "z", "INCR", "1", "b"}, ",3\r\n zincr:z"},
		{[]string{"ZADD", "z", "NX", "INCR", "1", "b"}, "_\r\n"},
		{[]string{"ZREM", "z", "nothere"}, ":0\r\n"},
		{[]string{"ZREM", "z", "a"}, "zrem:z :1\r\n"},
		{[]string{"ZREMRANGEBYSCORE", "z", "100", "200"}, ":0\r\n"},
		{[]string{"ZREMRANGEBYSCORE", "z", "4", "4"}, "zremrangebyscore:z :1\r\n"},
		{[]string{"ZADD", "z", "3", "x", "3", "y"}, ":2\r\n zadd:z"},
		{[]string{"ZREMRANGEBYLEX", "z", "[x", "[x"}, "zremrangebylex:z :1\r\n"},
		{[]string{"ZREMRANGEBYRANK", "z", "0", "0"}, "zremrangebyrank:z :1\r\n"},
		{[]string{"ZRANGESTORE", "d", "z", "0", "-1"}, ":2\r\n zrangestore:d"},
		{[]string{"ZRANGESTORE", "d", "z", "5", "6"}, ":0\r\n del:d"},
		{[]string{"ZRANGESTORE", "d", "z", "5", "6"}, ":0\r\n"},
		{[]string{"ZUNIONSTORE", "u", "1", "z"}, ":2\r\n zunionstore:u"},
		{[]string{"ZINTERSTORE", "u", "2", "z", "nokey"}, ":0\r\n del:u"},
		{[]string{"ZDIFFSTORE", "u", "1", "z"}, ":2\r\n zdiffstore:u"},
		{[]string{"ZINTERSTORE", "u", "1", "z"}, ":2\r\n zinterstore:u"},
		{[]string{"ZREMRANGEBYRANK", "u", "0", "-1"}, "zremrangebyrank:u del:u :2\r\n"},
		{[]string{"ZREM", "z", "c", "y", "nothere"}, "zrem:z del:z :2\r\n"},
		{[]string{"ZREM", "nokey", "a"}, ":0\r\n"},
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

// TestZsetPopEvents checks the pop events in RESP2, where Redis 7.0 does not
// interleave them with the reply (in RESP3 it sends them in the middle of the array).
func TestZsetPopEvents(t *testing.T) {
	ts := newTwins(t)
	a, sub := ts.client(), ts.client()
	a.expect("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "KEA")
	for _, rc := range sub.conns {
		rc.do("PSUBSCRIBE", "__keyevent@0__:*")
	}
	event := func(ev, key string) string {
		ch := "__keyevent@0__:" + ev
		return "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n$" + itoa(len(ch)) + "\r\n" + ch + "\r\n$" + itoa(len(key)) + "\r\n" + key + "\r\n"
	}
	a.expect(":3\r\n", "ZADD", "z", "1", "a", "2", "b", "3", "c")
	sub.read(event("zadd", "z"))
	a.expect("*2\r\n$1\r\na\r\n$1\r\n1\r\n", "ZPOPMIN", "z")
	sub.read(event("zpopmin", "z"))
	a.expect("*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n", "ZMPOP", "1", "z", "MAX")
	sub.read(event("zpopmax", "z"))
	a.expect("*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n", "BZPOPMIN", "z", "0")
	sub.read(event("zpopmin", "z"))
	sub.read(event("del", "z"))
	a.expect("*0\r\n", "ZPOPMIN", "z", "5")
	sub.silent(50 * time.Millisecond)
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestZsetWatch(t *testing.T) {
	ts := newTwins(t)
	a, b := ts.client(), ts.client()
	b.expect(":2\r\n", "ZADD", "z", "1", "a", "2", "b")
	watchedRun := func(changes bool, args ...string) {
		t.Helper()
		a.expect("+OK\r\n", "WATCH", "z")
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
	watchedRun(false, "ZADD", "z", "1", "a")
	watchedRun(true, "ZADD", "z", "3", "a")
	watchedRun(false, "ZADD", "z", "NX", "5", "a")
	watchedRun(true, "ZINCRBY", "z", "1", "a")
	watchedRun(false, "ZINCRBY", "z", "0", "a")
	watchedRun(false, "ZREM", "z", "nothere")
	watchedRun(true, "ZREM", "z", "a")
	watchedRun(false, "ZREMRANGEBYSCORE", "z", "100", "200")
	watchedRun(false, "ZRANGE", "z", "0", "-1")
	watchedRun(false, "ZUNIONSTORE", "other", "1", "z")
	watchedRun(true, "ZUNIONSTORE", "z", "1", "other")
	watchedRun(true, "ZRANGESTORE", "z", "other", "0", "-1")
	watchedRun(true, "ZPOPMAX", "z")
	watchedRun(false, "ZPOPMAX", "z", "0")
	b.expect(":1\r\n", "ZADD", "z", "1", "q")
	watchedRun(true, "ZRANGESTORE", "z", "nokey", "0", "-1")
	watchedRun(false, "ZRANGESTORE", "z", "nokey", "0", "-1")
}

// TestZsetAOF checks what the sorted set commands propagate: blocking and multi-key
// pops as the plain ZPOPMIN/ZPOPMAX they amounted to, so that replaying never blocks.
func TestZsetAOF(t *testing.T) {
	dir := t.TempDir()
	opts := []string{"--dir", dir, "--appendonly", "yes"}
	s, done := startServerDone(t, opts...)
	a, b := dial(t, s), dial(t, s)
	a.expect(":3\r\n", "ZADD", "z", "1", "a", "2", "b", "3", "c")
	a.expect("*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n", "BZPOPMAX", "nokey", "z", "0")
	a.expect("*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", "ZMPOP", "2", "nokey", "z", "MIN", "COUNT", "1")
	a.expect("*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", "BZMPOP", "0", "1", "z", "MAX", "COUNT", "10")
	a.expect("*0\r\n", "ZPOPMIN", "z", "3")
	b.send(encodeCommand("BZPOPMIN", "q", "0"))
	for !strings.Contains(a.do("INFO", "clients"), "blocked_clients:1\r\n") {
	}
	a.expect(":2\r\n", "ZADD", "q", "1", "x", "2", "y")
	if got := b.readReply(); got != "*3\r\n$1\r\nq\r\n$1\r\nx\r\n$1\r\n1\r\n" {
		t.Fatalf("served: %q", got)
	}
	a.expect("+OK\r\n", "MULTI")
	a.expect("+QUEUED\r\n", "BZPOPMIN", "nokey", "0")
	a.expect("+QUEUED\r\n", "ZINCRBY", "q", "1", "y")
	a.expect("*2\r\n*-1\r\n$1\r\n3\r\n", "EXEC")
	stopAndWait(t, s, done)

	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	got := aofCommands(t, data)
	want := []string{
		"SELECT 0",
		"ZADD z 1 a 2 b 3 c",
		"ZPOPMAX z",
		"ZPOPMIN z 1",
		"ZPOPMAX z 10",
		"ZADD q 1 x 2 y",
		"ZPOPMIN q",
		"ZINCRBY q 1 y",
	}
	if !slices.Equal(got, want) {
		t.Errorf("AOF:\n got %q\nwant %q", got, want)
	}
}

func TestZsetBlockingFIFO(t *testing.T) {
	ts := newTwins(t)
	a, b, c, d := ts.client(), ts.client(), ts.client(), ts.client()
	a.send("BZPOPMIN", "z", "0")
	ts.waitBlocked(1)
	b.send("BZPOPMAX", "other", "z", "0")
	ts.waitBlocked(2)
	c.send("BZMPOP", "0", "1", "z", "MIN", "COUNT", "5")
	ts.waitBlocked(3)
	// Two elements serve the first two clients, in the order they blocked.
	d.expect(":2\r\n", "ZADD", "z", "1", "x", "2", "y")
	a.read("*3\r\n$1\r\nz\r\n$1\r\nx\r\n$1\r\n1\r\n")
	b.read("*3\r\n$1\r\nz\r\n$1\r\ny\r\n$1\r\n2\r\n")
	ts.waitBlocked(1)
	d.expect(":0\r\n", "EXISTS", "z")
	c.silent(50 * time.Millisecond)
	d.expect(":3\r\n", "ZADD", "z", "3", "c", "1", "a", "2", "b")
	c.read("*2\r\n$1\r\nz\r\n*3\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n")
	d.expect(":0\r\n", "EXISTS", "z")
	ts.waitBlocked(0)

	// A key created by a STORE command serves the client too.
	a.send("BZPOPMAX", "dst", "0")
	ts.waitBlocked(1)
	d.expect(":1\r\n", "ZADD", "src", "5", "m")
	d.expect(":1\r\n", "ZUNIONSTORE", "dst", "1", "src")
	a.read("*3\r\n$3\r\ndst\r\n$1\r\nm\r\n$1\r\n5\r\n")
	b.send("BZPOPMIN", "dst2", "0")
	ts.waitBlocked(1)
	d.expect(":1\r\n", "ZRANGESTORE", "dst2", "src", "0", "-1")
	b.read("*3\r\n$4\r\ndst2\r\n$1\r\nm\r\n$1\r\n5\r\n")
	ts.waitBlocked(0)
}

func TestZsetBlockingTimeout(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	start := time.Now()
	a.expect("*-1\r\n", "BZPOPMIN", "z", "0.2")
	if el := time.Since(start); el < 200*time.Millisecond || el > 3*time.Second {
		t.Errorf("BZPOPMIN z 0.2 took %v", el)
	}
	a.expect("*-1\r\n", "BZPOPMAX", "z", "y", "0.05")
	a.expect("*-1\r\n", "BZMPOP", "0.05", "2", "z", "y", "MIN", "COUNT", "2")
	for _, rc := range a.conns {
		rc.do("HELLO", "3")
	}
	a.expect("_\r\n", "BZPOPMIN", "z", "0.05")
	a.expect("_\r\n", "BZMPOP", "0.05", "1", "z", "MAX")
	// Served in RESP3: the score is a double.
	b := ts.client()
	a.send("BZPOPMAX", "z", "0")
	ts.waitBlocked(1)
	b.expect(":1\r\n", "ZADD", "z", "1.5", "m")
	a.read("*3\r\n$1\r\nz\r\n$1\r\nm\r\n,1.5\r\n")
	ts.waitBlocked(0)
}

func TestZsetBlockingTransactions(t *testing.T) {
	ts := newTwins(t)
	a, b := ts.client(), ts.client()
	a.send("BZPOPMIN", "z", "0")
	ts.waitBlocked(1)
	// The key is ready only inside the transaction: nobody is served.
	b.expect("+OK\r\n", "MULTI")
	b.expect("+QUEUED\r\n", "ZADD", "z", "1", "a")
	b.expect("+QUEUED\r\n", "DEL", "z")
	b.expect("*2\r\n:1\r\n:1\r\n", "EXEC")
	a.silent(50 * time.Millisecond)
	ts.waitBlocked(1)
	// Served after EXEC with what the transaction left.
	b.expect("+OK\r\n", "MULTI")
	b.expect("+QUEUED\r\n", "ZADD", "z", "1", "a", "2", "b")
	b.expect("+QUEUED\r\n", "ZREM", "z", "a")
	b.expect("*2\r\n:2\r\n:1\r\n", "EXEC")
	a.read("*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n")
	ts.waitBlocked(0)

	// Inside MULTI the blocking pops are their non-blocking forms.
	a.expect("+OK\r\n", "MULTI")
	a.expect("+QUEUED\r\n", "BZPOPMIN", "z", "0")
	a.expect("+QUEUED\r\n", "BZMPOP", "0", "1", "z", "MIN")
	a.expect("+QUEUED\r\n", "ZADD", "z", "7", "x")
	a.expect("+QUEUED\r\n", "BZMPOP", "0", "1", "z", "MIN")
	a.expect("*4\r\n*-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n7\r\n", "EXEC")

	// A key that holds another type is an error at first, and ignored while blocked.
	b.expect("+OK\r\n", "SET", "s", "v")
	a.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "BZPOPMIN", "s", "0")
	a.send("BZPOPMIN", "z", "0")
	ts.waitBlocked(1)
	b.expect("+OK\r\n", "MULTI")
	b.expect("+QUEUED\r\n", "SET", "z", "str")
	b.expect("+QUEUED\r\n", "RENAME", "z", "s2")
	b.expect("+QUEUED\r\n", "ZADD", "z", "1", "m")
	b.expect("*3\r\n+OK\r\n+OK\r\n:1\r\n", "EXEC")
	a.read("*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n1\r\n")
	ts.waitBlocked(0)
}

// TestZsetScanGuarantee checks ZSCAN's guarantee on a skiplist-encoded sorted set:
// every member present from the first call to the last is returned, with its score,
// however the dict grows and shrinks meanwhile.
func TestZsetScanGuarantee(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	const stable = 1500
	args := []string{"ZADD", "z"}
	for i := range stable {
		args = append(args, strconv.Itoa(i)+".5", "m"+strconv.Itoa(i))
	}
	rc.expect(":"+strconv.Itoa(stable)+"\r\n", args...)
	seen := map[string]bool{}
	cursor := "0"
	for round := 0; ; round++ {
		v := parseReply(t, rc.do("ZSCAN", "z", cursor, "COUNT", "7")).([]any)
		cursor = v[0].(string)
		elems := v[1].([]any)
		for i := 0; i+1 < len(elems); i += 2 {
			m, score := elems[i].(string), elems[i+1].(string)
			if strings.HasPrefix(m, "m") && score != m[1:]+".5" {
				t.Fatalf("ZSCAN gave %s with score %s", m, score)
			}
			seen[m] = true
		}
		// Grow the dict a lot, then shrink it again, while the scan goes on.
		switch {
		case round < 40:
			add := []string{"ZADD", "z"}
			for j := range 100 {
				add = append(add, "1", "tmp"+strconv.Itoa(round*100+j))
			}
			rc.do(add...)
		case round < 80:
			del := []string{"ZREM", "z"}
			for j := range 100 {
				del = append(del, "tmp"+strconv.Itoa((round-40)*100+j))
			}
			rc.do(del...)
		}
		if cursor == "0" {
			break
		}
	}
	for i := range stable {
		if !seen["m"+strconv.Itoa(i)] {
			t.Fatalf("member m%d never returned", i)
		}
	}
}
