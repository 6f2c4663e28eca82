package server

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// Blocking list commands with several clients. Every scenario runs on Cairn and, when
// redis-server 7.0.15 is installed, on redis-server too, step by step: each client is
// a pair of connections (one per server), every reply is checked against the same
// expected bytes on both, and a step that blocks waits until both servers count the
// client as blocked, so the order of events is the same on both.

// twinServers is Cairn plus, when available, redis-server.
type twinServers struct {
	t     *testing.T
	cairn *Server
	addrs []string // Cairn's, then redis-server's if installed
	admin []*rawConn
}

func newTwins(t *testing.T) *twinServers {
	t.Helper()
	s := startServer(t)
	ts := &twinServers{t: t, cairn: s, addrs: []string{s.Addr().String()}}
	if bin, _ := findOracle(); bin != "" {
		ts.addrs = append(ts.addrs, startOracleServer(t, bin))
	}
	for _, a := range ts.addrs {
		ts.admin = append(ts.admin, dialAddr(t, a))
	}
	return ts
}

// twinClient is one client, connected to each server.
type twinClient struct {
	ts    *twinServers
	conns []*rawConn
}

func (ts *twinServers) client() *twinClient {
	tc := &twinClient{ts: ts}
	for _, a := range ts.addrs {
		tc.conns = append(tc.conns, dialAddr(ts.t, a))
	}
	return tc
}

func side(i int) string { return [...]string{"cairn", "redis"}[i] }

// send sends a command to every server without reading the reply.
func (tc *twinClient) send(args ...string) {
	tc.ts.t.Helper()
	for _, rc := range tc.conns {
		rc.send(encodeCommand(args...))
	}
}

// read reads one reply from every server and checks it.
func (tc *twinClient) read(want string) {
	tc.ts.t.Helper()
	for i, rc := range tc.conns {
		if got := rc.readReply(); got != want {
			tc.ts.t.Errorf("%s: got %q, want %q", side(i), got, want)
		}
	}
}

// expect sends a command and checks its reply on every server.
func (tc *twinClient) expect(want string, args ...string) {
	tc.ts.t.Helper()
	for i, rc := range tc.conns {
		if got := rc.do(args...); got != want {
			tc.ts.t.Errorf("%s: %q: got %q, want %q", side(i), args, got, want)
		}
	}
}

// expectEach is expect with per-server arguments (client ids differ).
func (tc *twinClient) expectEach(want string, args func(i int) []string) {
	tc.ts.t.Helper()
	for i, rc := range tc.conns {
		a := args(i)
		if got := rc.do(a...); got != want {
			tc.ts.t.Errorf("%s: %q: got %q, want %q", side(i), a, got, want)
		}
	}
}

// ids returns the client's id on each server.
func (tc *twinClient) ids() []string {
	tc.ts.t.Helper()
	var ids []string
	for _, rc := range tc.conns {
		r := rc.do("CLIENT", "ID")
		ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(r, ":"), "\r\n"))
	}
	return ids
}

// silent checks that no reply arrives on any server within d.
func (tc *twinClient) silent(d time.Duration) {
	tc.ts.t.Helper()
	for i, rc := range tc.conns {
		rc.conn.SetReadDeadline(time.Now().Add(d)) //nolint:errcheck
		if b, err := rc.r.Peek(1); err == nil {
			tc.ts.t.Errorf("%s: unexpected reply starting %q", side(i), b)
		}
	}
}

func (tc *twinClient) close() {
	for _, rc := range tc.conns {
		rc.conn.Close()
	}
}

// waitBlocked waits until every server counts n blocked clients.
func (ts *twinServers) waitBlocked(n int) {
	ts.t.Helper()
	want := "blocked_clients:" + strconv.Itoa(n) + "\r\n"
	for i, rc := range ts.admin {
		deadline := time.Now().Add(5 * time.Second)
		for {
			info := rc.do("INFO", "clients")
			if strings.Contains(info, want) {
				break
			}
			if time.Now().After(deadline) {
				ts.t.Fatalf("%s: never reached %d blocked clients:\n%s", side(i), n, info)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
}

func TestBlockingFIFO(t *testing.T) {
	ts := newTwins(t)
	a, b, c, d := ts.client(), ts.client(), ts.client(), ts.client()
	a.send("BLPOP", "q", "0")
	ts.waitBlocked(1)
	b.send("BRPOP", "q", "0")
	ts.waitBlocked(2)
	c.send("BLPOP", "q", "0")
	ts.waitBlocked(3)
	// Two elements serve the first two clients, in the order they blocked.
	d.expect(":2\r\n", "RPUSH", "q", "x", "y")
	a.read("*2\r\n$1\r\nq\r\n$1\r\nx\r\n")
	b.read("*2\r\n$1\r\nq\r\n$1\r\ny\r\n")
	ts.waitBlocked(1)
	d.expect(":0\r\n", "EXISTS", "q")
	c.silent(50 * time.Millisecond)
	d.expect(":3\r\n", "LPUSH", "q", "1", "2", "3")
	c.read("*2\r\n$1\r\nq\r\n$1\r\n3\r\n")
	d.expect("*2\r\n$1\r\n2\r\n$1\r\n1\r\n", "LRANGE", "q", "0", "-1")
	ts.waitBlocked(0)
}

func TestBlockingTimeout(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	start := time.Now()
	a.expect("*-1\r\n", "BLPOP", "q", "0.2")
	if el := time.Since(start); el < 200*time.Millisecond || el > 3*time.Second {
		t.Errorf("BLPOP q 0.2 took %v", el)
	}
	// Every blocking list command times out with the null array, BLMOVE and
	// BRPOPLPUSH included (Redis's replyToBlockedClientTimedOut).
	a.expect("*-1\r\n", "BRPOP", "q", "r", "0.05")
	a.expect("*-1\r\n", "BLMOVE", "q", "d", "LEFT", "RIGHT", "0.05")
	a.expect("*-1\r\n", "BRPOPLPUSH", "q", "d", "0.05")
	a.expect("*-1\r\n", "BLMPOP", "0.05", "2", "q", "r", "LEFT", "COUNT", "2")
	for _, rc := range a.conns {
		rc.do("HELLO", "3")
	}
	a.expect("_\r\n", "BLPOP", "q", "0.05")
	a.expect("_\r\n", "BLMOVE", "q", "d", "LEFT", "RIGHT", "0.05")
	a.expect("_\r\n", "BLMPOP", "0.05", "1", "q", "RIGHT")
	ts.waitBlocked(0)
	// Timeout 0 waits for ever: still blocked after a while, then served.
	b := ts.client()
	a.send("BLPOP", "q", "0")
	ts.waitBlocked(1)
	a.silent(300 * time.Millisecond)
	b.expect(":1\r\n", "RPUSH", "q", "v")
	a.read("*2\r\n$1\r\nq\r\n$1\r\nv\r\n")
}

func TestBlockingTransactionWakesNobody(t *testing.T) {
	ts := newTwins(t)
	a, b := ts.client(), ts.client()
	a.send("BLPOP", "q", "0")
	ts.waitBlocked(1)
	// The key is ready only inside the transaction: nobody is served.
	b.expect("+OK\r\n", "MULTI")
	b.expect("+QUEUED\r\n", "RPUSH", "q", "a")
	b.expect("+QUEUED\r\n", "DEL", "q")
	b.expect("*2\r\n:1\r\n:1\r\n", "EXEC")
	a.silent(50 * time.Millisecond)
	ts.waitBlocked(1)
	// A transaction that leaves data serves the client after EXEC, with the first
	// element, whatever happened to the list inside.
	b.expect("+OK\r\n", "MULTI")
	b.expect("+QUEUED\r\n", "RPUSH", "q", "a", "b")
	b.expect("+QUEUED\r\n", "LPUSH", "q", "c")
	b.expect("+QUEUED\r\n", "LLEN", "q")
	b.expect("*3\r\n:2\r\n:3\r\n:3\r\n", "EXEC")
	a.read("*2\r\n$1\r\nq\r\n$1\r\nc\r\n")
	b.expect("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "LRANGE", "q", "0", "-1")
	ts.waitBlocked(0)
}

func TestBlockingInsideMulti(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	a.expect("+OK\r\n", "MULTI")
	a.expect("+QUEUED\r\n", "BLPOP", "q", "0")
	a.expect("+QUEUED\r\n", "RPUSH", "q", "x")
	a.expect("+QUEUED\r\n", "BLPOP", "q", "0")
	a.expect("+QUEUED\r\n", "BLMOVE", "q", "d", "LEFT", "RIGHT", "0")
	a.expect("+QUEUED\r\n", "BRPOPLPUSH", "q", "d", "0")
	a.expect("*5\r\n*-1\r\n:1\r\n*2\r\n$1\r\nq\r\n$1\r\nx\r\n$-1\r\n$-1\r\n", "EXEC")
	ts.waitBlocked(0)
}

func TestBlockingClientUnblock(t *testing.T) {
	ts := newTwins(t)
	a, b := ts.client(), ts.client()
	ids := a.ids()
	unblock := func(mode ...string) func(i int) []string {
		return func(i int) []string { return append([]string{"CLIENT", "UNBLOCK", ids[i]}, mode...) }
	}
	b.expectEach(":0\r\n", unblock()) // not blocked
	a.send("BLPOP", "q", "0")
	ts.waitBlocked(1)
	b.expectEach(":1\r\n", unblock())
	a.read("*-1\r\n")
	ts.waitBlocked(0)
	a.send("BLMOVE", "q", "d", "LEFT", "RIGHT", "0")
	ts.waitBlocked(1)
	b.expectEach(":1\r\n", unblock("TIMEOUT"))
	a.read("*-1\r\n")
	a.send("BLMPOP", "0", "1", "q", "LEFT")
	ts.waitBlocked(1)
	b.expectEach(":1\r\n", unblock("ERROR"))
	a.read("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
	ts.waitBlocked(0)
	b.expectEach(":0\r\n", unblock("ERROR"))
	// The client is usable afterwards, and no longer waits on the key.
	b.expect(":1\r\n", "RPUSH", "q", "v")
	a.expect("*1\r\n$1\r\nv\r\n", "LRANGE", "q", "0", "-1")
}

func TestBlockingDisconnectedClientIsRemoved(t *testing.T) {
	ts := newTwins(t)
	a, b, c := ts.client(), ts.client(), ts.client()
	a.send("BLPOP", "q", "0")
	ts.waitBlocked(1)
	b.send("BLPOP", "q", "0")
	ts.waitBlocked(2)
	a.close()
	ts.waitBlocked(1)
	c.expect(":1\r\n", "RPUSH", "q", "x")
	b.read("*2\r\n$1\r\nq\r\n$1\r\nx\r\n")
	ts.waitBlocked(0)
	// With nobody left, a push stays in the list.
	b.close()
	c.expect(":1\r\n", "RPUSH", "q", "y")
	c.expect("*1\r\n$1\r\ny\r\n", "LRANGE", "q", "0", "-1")
}

func TestBlockingMoveChain(t *testing.T) {
	ts := newTwins(t)
	a, b, c, d := ts.client(), ts.client(), ts.client(), ts.client()
	// a moves q1 → q2, b moves q2 → q3, c pops q3: one push goes all the way.
	a.send("BLMOVE", "q1", "q2", "LEFT", "RIGHT", "0")
	ts.waitBlocked(1)
	b.send("BRPOPLPUSH", "q2", "q3", "0")
	ts.waitBlocked(2)
	c.send("BLPOP", "q3", "0")
	ts.waitBlocked(3)
	d.expect(":1\r\n", "RPUSH", "q1", "v")
	a.read("$1\r\nv\r\n")
	b.read("$1\r\nv\r\n")
	c.read("*2\r\n$2\r\nq3\r\n$1\r\nv\r\n")
	ts.waitBlocked(0)
	d.expect(":0\r\n", "EXISTS", "q1", "q2", "q3")

	// A client moving a list onto itself, waiting on it.
	a.send("BLMOVE", "r", "r", "RIGHT", "LEFT", "0")
	ts.waitBlocked(1)
	d.expect(":2\r\n", "RPUSH", "r", "1", "2")
	a.read("$1\r\n2\r\n")
	d.expect("*2\r\n$1\r\n2\r\n$1\r\n1\r\n", "LRANGE", "r", "0", "-1")

	// The destination of a served BLMOVE has become a string: the client gets the
	// error and the element stays where it was.
	a.send("BLMOVE", "s", "dst", "LEFT", "RIGHT", "0")
	ts.waitBlocked(1)
	d.expect("+OK\r\n", "SET", "dst", "str")
	d.expect(":1\r\n", "RPUSH", "s", "x")
	a.read("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
	d.expect("*1\r\n$1\r\nx\r\n", "LRANGE", "s", "0", "-1")
	ts.waitBlocked(0)
}

func TestBlockingSeveralKeys(t *testing.T) {
	ts := newTwins(t)
	a, b, d := ts.client(), ts.client(), ts.client()
	a.send("BLPOP", "k1", "k2", "k3", "0")
	ts.waitBlocked(1)
	b.send("BLMPOP", "0", "3", "k3", "k2", "k2", "RIGHT", "COUNT", "2")
	ts.waitBlocked(2)
	d.expect(":3\r\n", "RPUSH", "k2", "a", "b", "c")
	a.read("*2\r\n$2\r\nk2\r\n$1\r\na\r\n")
	b.read("*2\r\n$2\r\nk2\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n")
	ts.waitBlocked(0)
	d.expect(":0\r\n", "EXISTS", "k2")

	// Both keys ready in one transaction, in argument order: the first key serves.
	a.send("BRPOP", "k1", "k2", "0")
	ts.waitBlocked(1)
	d.expect("+OK\r\n", "MULTI")
	d.expect("+QUEUED\r\n", "RPUSH", "k1", "x")
	d.expect("+QUEUED\r\n", "RPUSH", "k2", "y")
	d.expect("*2\r\n:1\r\n:1\r\n", "EXEC")
	a.read("*2\r\n$2\r\nk1\r\n$1\r\nx\r\n")
	d.expect("*1\r\n$1\r\ny\r\n", "LRANGE", "k2", "0", "-1")

	// A key that became a string while the client waited is not served; the client
	// keeps waiting.
	a.send("BLPOP", "w", "0")
	ts.waitBlocked(1)
	d.expect("+OK\r\n", "MULTI")
	d.expect("+QUEUED\r\n", "RPUSH", "w", "a")
	d.expect("+QUEUED\r\n", "DEL", "w")
	d.expect("+QUEUED\r\n", "SET", "w", "str")
	d.expect("*3\r\n:1\r\n:1\r\n+OK\r\n", "EXEC")
	a.silent(50 * time.Millisecond)
	ts.waitBlocked(1)
	d.expect(":1\r\n", "DEL", "w")
	d.expect(":1\r\n", "RPUSH", "w", "z")
	a.read("*2\r\n$1\r\nw\r\n$1\r\nz\r\n")
	ts.waitBlocked(0)
}

func TestBlockingPipelinedCommandsWait(t *testing.T) {
	ts := newTwins(t)
	a, b := ts.client(), ts.client()
	for _, rc := range a.conns {
		rc.send(encodeCommand("BLPOP", "q", "0") + encodeCommand("SET", "after", "1") + encodeCommand("LLEN", "q"))
	}
	ts.waitBlocked(1)
	// The commands behind the blocked one have not run.
	b.expect("$-1\r\n", "GET", "after")
	b.expect(":2\r\n", "RPUSH", "q", "x", "y")
	a.read("*2\r\n$1\r\nq\r\n$1\r\nx\r\n")
	a.read("+OK\r\n")
	a.read(":1\r\n")
	b.expect("$1\r\n1\r\n", "GET", "after")
}

// TestBlockedClientHoldsNoLock checks, on Cairn, that a blocked client waits without
// the executor lock: the lock is free and other clients keep working.
func TestBlockedClientHoldsNoLock(t *testing.T) {
	s := startServer(t)
	a, b := dial(t, s), dial(t, s)
	a.send(encodeCommand("BLPOP", "q", "0"))
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(b.do("INFO", "clients"), "blocked_clients:1\r\n") {
		if time.Now().After(deadline) {
			t.Fatal("client never blocked")
		}
		time.Sleep(time.Millisecond)
	}
	if !s.mu.TryLock() {
		t.Fatal("the executor lock is held while a client is blocked")
	}
	s.mu.Unlock()
	for i := 0; i < 100; i++ {
		b.expect("+OK\r\n", "SET", "k", "v")
		b.expect("$1\r\nv\r\n", "GET", "k")
	}
	b.expect(":1\r\n", "RPUSH", "q", "x")
	if got, want := a.readReply(), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestBlockingManyClients serves many blocked clients, each exactly once, in order.
func TestBlockingManyClients(t *testing.T) {
	s := startServer(t)
	const n = 50
	clients := make([]*rawConn, n)
	admin := dial(t, s)
	for i := range clients {
		clients[i] = dial(t, s)
		clients[i].send(encodeCommand("BRPOP", "q", "other", "0"))
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(admin.do("INFO", "clients"), "blocked_clients:"+strconv.Itoa(i+1)+"\r\n") {
			if time.Now().After(deadline) {
				t.Fatalf("client %d never blocked", i)
			}
			time.Sleep(time.Millisecond)
		}
	}
	args := []string{"LPUSH", "q"}
	for i := 0; i < n; i++ {
		args = append(args, strconv.Itoa(i))
	}
	admin.expect(":"+strconv.Itoa(n)+"\r\n", args...)
	for i, rc := range clients {
		v := strconv.Itoa(i)
		want := "*2\r\n$1\r\nq\r\n$" + strconv.Itoa(len(v)) + "\r\n" + v + "\r\n"
		if got := rc.readReply(); got != want {
			t.Fatalf("client %d: got %q, want %q", i, got, want)
		}
	}
	admin.expect(":0\r\n", "EXISTS", "q")
}

// TestBlockingKeyCreatedOtherwise serves clients whose key is created by RENAME, MOVE,
// COPY, SWAPDB or an LMOVE, and checks that keys are per database.
func TestBlockingKeyCreatedOtherwise(t *testing.T) {
	ts := newTwins(t)
	a, d := ts.client(), ts.client()
	a.expect("+OK\r\n", "SELECT", "1")
	a.send("BLPOP", "q", "0")
	ts.waitBlocked(1)
	d.expect(":1\r\n", "RPUSH", "q", "db0") // another database: not served
	a.silent(50 * time.Millisecond)
	d.expect(":1\r\n", "MOVE", "q", "1")
	a.read("*2\r\n$1\r\nq\r\n$3\r\ndb0\r\n")

	a.send("BRPOP", "q", "0")
	ts.waitBlocked(1)
	d.expect("+OK\r\n", "SELECT", "1")
	d.expect(":1\r\n", "RPUSH", "tmp", "renamed")
	d.expect("+OK\r\n", "RENAME", "tmp", "q")
	a.read("*2\r\n$1\r\nq\r\n$7\r\nrenamed\r\n")

	a.send("BLPOP", "q", "0")
	ts.waitBlocked(1)
	d.expect(":1\r\n", "RPUSH", "src", "copied")
	d.expect(":1\r\n", "COPY", "src", "q")
	a.read("*2\r\n$1\r\nq\r\n$6\r\ncopied\r\n")

	a.send("BLPOP", "q", "0")
	ts.waitBlocked(1)
	d.expect("+OK\r\n", "SELECT", "0")
	d.expect(":1\r\n", "RPUSH", "q", "swapped")
	d.expect("+OK\r\n", "SWAPDB", "0", "1")
	a.read("*2\r\n$1\r\nq\r\n$7\r\nswapped\r\n")

	a.send("BLPOP", "q", "0")
	ts.waitBlocked(1)
	d.expect("+OK\r\n", "SELECT", "1")
	d.expect(":1\r\n", "RPUSH", "src", "moved")
	d.expect("$5\r\nmoved\r\n", "LMOVE", "src", "q", "LEFT", "LEFT")
	a.read("*2\r\n$1\r\nq\r\n$5\r\nmoved\r\n")
	ts.waitBlocked(0)
}

// TestBlockingDeadlineKept checks that a client run again without being served keeps
// its original deadline.
func TestBlockingDeadlineKept(t *testing.T) {
	ts := newTwins(t)
	a, b := ts.client(), ts.client()
	start := time.Now()
	a.send("BLPOP", "q", "0.4")
	ts.waitBlocked(1)
	b.expect("+OK\r\n", "MULTI")
	b.expect("+QUEUED\r\n", "RPUSH", "q", "a")
	b.expect("+QUEUED\r\n", "DEL", "q")
	b.expect("*2\r\n:1\r\n:1\r\n", "EXEC")
	a.read("*-1\r\n")
	if el := time.Since(start); el < 400*time.Millisecond || el > 3*time.Second {
		t.Errorf("timed out after %v, want 0.4s", el)
	}
}

// TestBlockingClientKilled checks that CLIENT KILL removes a blocked client.
func TestBlockingClientKilled(t *testing.T) {
	ts := newTwins(t)
	a, b := ts.client(), ts.client()
	ids := a.ids()
	a.send("BLMOVE", "q", "d", "LEFT", "LEFT", "0")
	ts.waitBlocked(1)
	b.expectEach(":1\r\n", func(i int) []string { return []string{"CLIENT", "KILL", "ID", ids[i]} })
	ts.waitBlocked(0)
	b.expect(":1\r\n", "RPUSH", "q", "x")
	b.expect(":0\r\n", "EXISTS", "d")
}

// TestBlockedServedFromKeyThatBecameReady: redis-server 7.0.15 serves BLPOP k1 k2 from
// k2 when k2 became ready first, even though k1 is ready too by then.
func TestBlockedServedFromKeyThatBecameReady(t *testing.T) {
	s := startServer(t)
	a, b := dial(t, s), dial(t, s)
	a.send(encodeCommand("BLPOP", "k1", "k2", "0"))
	waitBlocked(t, b, 1)
	b.expect("+OK\r\n", "MULTI")
	b.expect("+QUEUED\r\n", "RPUSH", "k2", "x")
	b.expect("+QUEUED\r\n", "RPUSH", "k1", "y")
	b.expect("*2\r\n:1\r\n:1\r\n", "EXEC")
	if got := a.readReply(); got != "*2\r\n$2\r\nk2\r\n$1\r\nx\r\n" {
		t.Fatalf("served %q, want [k2 x]", got)
	}
	b.expect("*1\r\n$1\r\ny\r\n", "LRANGE", "k1", "0", "-1")
}

// waitBlocked waits until INFO clients reports n blocked clients.
func waitBlocked(t *testing.T, rc *rawConn, n int) {
	t.Helper()
	want := "blocked_clients:" + strconv.Itoa(n) + "\r\n"
	for i := 0; i < 500; i++ {
		if strings.Contains(rc.do("INFO", "clients"), want) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %d blocked clients", n)
}

// The timeout's milliseconds are computed in long double, as Redis does: -0.001 s is
// -0.99999… ms, whose ceiling is 0 — block forever — while -0.0011 is negative.
func TestBlockingTimeoutLongDouble(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		a, b := dialAddr(t, addr), dialAddr(t, addr)
		a.expect("-ERR timeout is negative\r\n", "BLPOP", "nokey", "-0.0011")
		id := a.clientID()
		a.send(encodeCommand("BLPOP", "nokey", "-0.001"))
		eventually(t, func() bool { return strings.Contains(b.do("CLIENT", "LIST"), "cmd=blpop") })
		b.expect(":1\r\n", "CLIENT", "UNBLOCK", id)
		a.expectRead("*-1\r\n")
	})
}
