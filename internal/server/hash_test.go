package server

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Hash command tests that a differential script cannot express: random replies
// checked for their contract, full HSCAN iterations, keyspace events, WATCH, AOF.
// Exact byte strings here were recorded from redis-server 7.0.15.

// hashReplyElems splits a flat RESP2 array reply of bulk strings into its elements.
func hashReplyElems(t *testing.T, reply string) []string {
	t.Helper()
	if !strings.HasPrefix(reply, "*") {
		t.Fatalf("not an array: %q", reply)
	}
	lines := strings.Split(strings.TrimSuffix(reply, "\r\n"), "\r\n")
	n, err := strconv.Atoi(lines[0][1:])
	if err != nil {
		t.Fatalf("bad array header in %q", reply)
	}
	var out []string
	for i := 1; i+1 < len(lines); i += 2 {
		if !strings.HasPrefix(lines[i], "$") {
			t.Fatalf("not a bulk string at line %d of %q", i, reply)
		}
		out = append(out, lines[i+1])
	}
	if len(out) != n {
		t.Fatalf("array of %d, %d elements parsed: %q", n, len(out), reply)
	}
	return out
}

// fillHash sets fields f0..f(n-1) to v0..v(n-1) on key.
func fillHash(t *testing.T, rc *rawConn, key string, n int) {
	t.Helper()
	args := []string{"HSET", key}
	for i := range n {
		args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	rc.expect(":"+strconv.Itoa(n)+"\r\n", args...)
}

func TestHashRandfield(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	for _, c := range []struct {
		size int
		enc  string
	}{{5, "listpack"}, {100, "listpack"}, {600, "hashtable"}, {2000, "hashtable"}} {
		key := "h" + strconv.Itoa(c.size)
		fillHash(t, rc, key, c.size)
		rc.expect("$"+strconv.Itoa(len(c.enc))+"\r\n"+c.enc+"\r\n", "OBJECT", "ENCODING", key)
		valid := func(f, v string) {
			t.Helper()
			if !strings.HasPrefix(f, "f") || v != "v"+f[1:] {
				t.Fatalf("%s: pair %q %q", key, f, v)
			}
			if i, err := strconv.Atoi(f[1:]); err != nil || i >= c.size {
				t.Fatalf("%s: field %q", key, f)
			}
		}
		// Positive counts below the size: distinct fields (every strategy: a third
		// of the size or less, more, and one short of the size).
		for _, count := range []int{1, 2, c.size / 3, c.size/3 + 1, c.size - 1} {
			if count < 1 {
				continue
			}
			got := hashReplyElems(t, rc.do("HRANDFIELD", key, strconv.Itoa(count), "WITHVALUES"))
			if len(got) != 2*count {
				t.Fatalf("%s: HRANDFIELD %d WITHVALUES gave %d elements", key, count, len(got))
			}
			seen := map[string]bool{}
			for i := 0; i < len(got); i += 2 {
				valid(got[i], got[i+1])
				if seen[got[i]] {
					t.Fatalf("%s: HRANDFIELD %d repeated %q", key, count, got[i])
				}
				seen[got[i]] = true
			}
		}
		// At least the size: every field once.
		got := hashReplyElems(t, rc.do("HRANDFIELD", key, strconv.Itoa(c.size+5)))
		seen := map[string]bool{}
		for _, f := range got {
			seen[f] = true
		}
		if len(got) != c.size || len(seen) != c.size {
			t.Fatalf("%s: HRANDFIELD size+5 gave %d elements, %d distinct", key, len(got), len(seen))
		}
		// Negative: exactly -count picks, every field reachable.
		picks := 20 * c.size
		got = hashReplyElems(t, rc.do("HRANDFIELD", key, strconv.Itoa(-picks), "WITHVALUES"))
		if len(got) != 2*picks {
			t.Fatalf("%s: HRANDFIELD -%d gave %d elements", key, picks, len(got))
		}
		seen = map[string]bool{}
		for i := 0; i < len(got); i += 2 {
			valid(got[i], got[i+1])
			seen[got[i]] = true
		}
		if len(seen) < c.size*9/10 {
			t.Fatalf("%s: %d picks reached only %d of %d fields", key, picks, len(seen), c.size)
		}
	}

	// RESP3: WITHVALUES gives [field, value] pairs.
	rc.send("HELLO 3\r\n")
	rc.readReply()
	for _, count := range []string{"2", "-7", "50"} {
		reply := rc.do("HRANDFIELD", "h5", count, "WITHVALUES")
		n, _ := strconv.Atoi(strings.TrimPrefix(count, "-"))
		n = min(n, 5)
		if count == "-7" {
			n = 7
		}
		if !strings.HasPrefix(reply, "*"+strconv.Itoa(n)+"\r\n*2\r\n$2\r\nf") || strings.Count(reply, "*2\r\n$2\r\nf") != n {
			t.Fatalf("RESP3 HRANDFIELD h5 %s WITHVALUES: %q", count, reply)
		}
	}
}

// TestHashRandfieldOutputLimit: a huge negative count stops at the client's output
// buffer limit, which disconnects it (redis-server 7.0.15 closes the connection with
// no reply).
func TestHashRandfieldOutputLimit(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0")
	rc.expect(":2\r\n", "HSET", "h", "a", "1", "b", "2")
	rc.send(encodeCommand("HRANDFIELD", "h", "-9223372036854775807"))
	rc.readEOF()
	dial(t, s).expect("+PONG\r\n", "PING")
}

// TestHashScanFullIteration: a full HSCAN of a hash table returns every field that is
// there throughout, with its value, while other fields come and go between calls.
func TestHashScanFullIteration(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	const n = 3000
	fillHash(t, rc, "h", n)
	rc.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "h")
	seen := map[string]bool{}
	cursor, calls, extra := "0", 0, 0
	for {
		args := []string{"HSCAN", "h", cursor}
		if calls%3 == 1 {
			args = append(args, "COUNT", "50")
		}
		reply := rc.do(args...)
		// *2 $<len> cursor *<n> ...
		lines := strings.SplitN(reply, "\r\n", 4)
		if lines[0] != "*2" || len(lines) < 4 {
			t.Fatalf("HSCAN reply %q", reply)
		}
		cursor = lines[2]
		elems := hashReplyElems(t, lines[3])
		for i := 0; i < len(elems); i += 2 {
			if f, v := elems[i], elems[i+1]; strings.HasPrefix(f, "f") {
				if v != "v"+f[1:] {
					t.Fatalf("HSCAN pair %q %q", f, v)
				}
				seen[f] = true
			}
		}
		calls++
		if cursor == "0" {
			break
		}
		// Grow the table (to rehash it), then shrink it.
		if calls < 40 {
			args := []string{"HSET", "h"}
			for range 100 {
				args = append(args, "tmp"+strconv.Itoa(extra), "x")
				extra++
			}
			rc.do(args...)
		} else if extra > 0 {
			args := []string{"HDEL", "h"}
			for range min(extra, 200) {
				extra--
				args = append(args, "tmp"+strconv.Itoa(extra))
			}
			rc.do(args...)
		}
	}
	if len(seen) != n {
		t.Fatalf("a full HSCAN in %d calls returned %d of %d fields", calls, len(seen), n)
	}
	if calls < 10 {
		t.Fatalf("a hash table of %d fields scanned in %d calls", n, calls)
	}
}

func TestHashKeyspaceEvents(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.send("HELLO 3\r\n")
	rc.readReply()
	rc.expect("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "KEA")
	rc.send(encodeCommand("SUBSCRIBE", "__keyevent@0__:hset", "__keyevent@0__:hdel", "__keyevent@0__:del",
		"__keyevent@0__:hincrby", "__keyevent@0__:hincrbyfloat"))
	for range 5 {
		rc.readReply()
	}
	ev := func(name string) string {
		ch := "__keyevent@0__:" + name
		return ">3\r\n$7\r\nmessage\r\n$" + strconv.Itoa(len(ch)) + "\r\n" + ch + "\r\n$1\r\nh\r\n"
	}
	// Recorded from redis-server 7.0.15: HSET, HSETNX, HINCRBY and HINCRBYFLOAT reply
	// before their event, HDEL after its events; nothing for a no-op.
	steps := []struct {
		args []string
		want []string
	}{
		{[]string{"HSET", "h", "a", "1", "b", "2"}, []string{":2\r\n", ev("hset")}},
		{[]string{"HMSET", "h", "c", "3"}, []string{"+OK\r\n", ev("hset")}},
		{[]string{"HSETNX", "h", "a", "1"}, []string{":0\r\n"}},
		{[]string{"HSETNX", "h", "d", "1"}, []string{":1\r\n", ev("hset")}},
		{[]string{"HINCRBY", "h", "a", "5"}, []string{":6\r\n", ev("hincrby")}},
		{[]string{"HINCRBYFLOAT", "h", "b", "1.5"}, []string{"$3\r\n3.5\r\n", ev("hincrbyfloat")}},
		{[]string{"HDEL", "h", "zz"}, []string{":0\r\n"}},
		{[]string{"HDEL", "h", "a", "b"}, []string{ev("hdel"), ":2\r\n"}},
		{[]string{"HDEL", "h", "c", "d", "e"}, []string{ev("hdel"), ev("del"), ":2\r\n"}},
		{[]string{"HINCRBY", "h", "x", "1"}, []string{":1\r\n", ev("hincrby")}},
		{[]string{"HINCRBY", "h", "x", "a"}, []string{"-ERR value is not an integer or out of range\r\n"}},
	}
	for _, st := range steps {
		rc.send(encodeCommand(st.args...))
		for i, w := range st.want {
			if got := rc.readReply(); got != w {
				t.Fatalf("%v: reply %d: got %q, want %q", st.args, i, got, w)
			}
		}
	}
}

func TestHashWatch(t *testing.T) {
	s := startServer(t)
	rc, other := dial(t, s), dial(t, s)
	other.expect(":1\r\n", "HSET", "h", "a", "1")
	// Writes that change nothing touch no watched key, as in Redis.
	for _, noop := range [][]string{{"HSETNX", "h", "a", "2"}, {"HDEL", "h", "nofield"}, {"HINCRBY", "h", "a", "x"}} {
		rc.expect("+OK\r\n", "WATCH", "h")
		other.do(noop...)
		rc.expect("+OK\r\n", "MULTI")
		rc.expect("+QUEUED\r\n", "HGET", "h", "a")
		rc.expect("*1\r\n$1\r\n1\r\n", "EXEC")
	}
	for _, write := range [][]string{{"HSET", "h", "a", "1"}, {"HINCRBY", "h", "a", "0"}, {"HINCRBYFLOAT", "h", "a", "0"},
		{"HSETNX", "h", "b", "1"}, {"HDEL", "h", "b"}} {
		rc.expect("+OK\r\n", "WATCH", "h")
		other.do(write...)
		rc.expect("+OK\r\n", "MULTI")
		rc.expect("+QUEUED\r\n", "HGET", "h", "a")
		rc.expect("*-1\r\n", "EXEC")
	}
}

// TestHashAOF: HINCRBYFLOAT is logged as the HSET of its result, and an AOF of hash
// commands replays to the same hashes, in both encodings.
func TestHashAOF(t *testing.T) {
	dir := t.TempDir()
	opts := []string{"--dir", dir, "--appendonly", "yes", "--hash-max-listpack-entries", "4"}
	s, done := startServerDone(t, opts...)
	rc := dial(t, s)
	rc.expect("$3\r\n0.1\r\n", "HINCRBYFLOAT", "h", "f", "0.1")
	rc.expect("$3\r\n0.3\r\n", "HINCRBYFLOAT", "h", "f", "0.2")
	rc.expect(":3\r\n", "HINCRBY", "h", "n", "3")
	rc.expect(":1\r\n", "HSETNX", "h", "x", "y")
	rc.expect(":1\r\n", "HDEL", "h", "x")
	fillHash(t, rc, "big", 10)
	rc.expect(":2\r\n", "HDEL", "big", "f0", "f9")
	stopAndWait(t, s, done)

	incr, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$3\r\n0.3\r\n"; !strings.Contains(string(incr), want) {
		t.Fatalf("HINCRBYFLOAT not logged as HSET of its result:\n%q", incr)
	}
	if strings.Contains(string(incr), "HINCRBYFLOAT") {
		t.Fatalf("HINCRBYFLOAT logged as itself:\n%q", incr)
	}

	s2 := startServer(t, opts...)
	rc2 := dial(t, s2)
	rc2.expect("*4\r\n$1\r\nf\r\n$3\r\n0.3\r\n$1\r\nn\r\n$1\r\n3\r\n", "HGETALL", "h")
	rc2.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "h")
	rc2.expect(":8\r\n", "HLEN", "big")
	rc2.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "big")
	rc2.expect("*3\r\n$-1\r\n$2\r\nv1\r\n$2\r\nv8\r\n", "HMGET", "big", "f0", "f1", "f8")
}
