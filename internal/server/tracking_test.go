package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Client-side caching tests. Each scenario runs on several raw connections against an
// in-process Cairn and, when redis-server 7.0.15 is installed, against it too: every
// expected byte below is Redis's.

// onBoth runs f against Cairn and against redis-server 7.0.15 (skipped when it is not
// installed).
func onBoth(t *testing.T, f func(t *testing.T, addr string)) {
	t.Helper()
	t.Run("cairn", func(t *testing.T) {
		s := startServer(t)
		f(t, s.Addr().String())
	})
	t.Run("redis", func(t *testing.T) {
		bin, why := findOracle()
		if bin == "" {
			t.Skipf("redis-server half skipped: %s", why)
		}
		f(t, startOracleServer(t, bin))
	})
}

// dialRESP3 connects and switches to RESP3.
func dialRESP3(t testing.TB, addr string) *rawConn {
	t.Helper()
	rc := dialAddr(t, addr)
	if got := rc.do("HELLO", "3"); !strings.HasPrefix(got, "%7\r\n") {
		t.Fatalf("HELLO 3: %q", got)
	}
	return rc
}

// clientID returns the connection's CLIENT ID as a decimal string.
func (rc *rawConn) clientID() string {
	rc.t.Helper()
	got := rc.do("CLIENT", "ID")
	if !strings.HasPrefix(got, ":") {
		rc.t.Fatalf("CLIENT ID: %q", got)
	}
	return strings.TrimSuffix(got[1:], "\r\n")
}

// expectRead reads the next frame (a reply or a push) and checks it.
func (rc *rawConn) expectRead(want string) {
	rc.t.Helper()
	if got := rc.readReply(); got != want {
		rc.t.Fatalf("got %q, want %q", got, want)
	}
}

// expectQuiet checks that nothing is waiting for the connection: the reply to a PING
// is the next frame. (Whatever the server sent this client before the PING arrived
// precedes the PONG.)
func (rc *rawConn) expectQuiet() {
	rc.t.Helper()
	rc.expect("+PONG\r\n", "PING")
}

// invalidate3 is the RESP3 invalidation push for keys.
func invalidate3(keys ...string) string {
	return ">2\r\n$10\r\ninvalidate\r\n" + keyArray(keys)
}

// invalidateMsg is the __redis__:invalidate message a RESP2 redirect target gets.
func invalidateMsg(keys ...string) string {
	return "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n" + keyArray(keys)
}

func keyArray(keys []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(keys))
	for _, k := range keys {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(k), k)
	}
	return b.String()
}

const (
	flushed3 = ">2\r\n$10\r\ninvalidate\r\n_\r\n" // FLUSHALL/FLUSHDB to a RESP3 client
	flushed2 = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"
)

func TestTrackingPushInvalidation(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		a, b := dialRESP3(t, addr), dialAddr(t, addr)
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON")
		a.expect("_\r\n", "GET", "k")
		a.expect("*2\r\n_\r\n_\r\n", "MGET", "k2", "k3")

		// Another client's write: a push, and the key is forgotten.
		b.expect("+OK\r\n", "SET", "k", "1")
		a.expectRead(invalidate3("k"))
		b.expect("+OK\r\n", "SET", "k", "2")
		a.expectQuiet()

		// One push per key of a multi-key write.
		b.expect("+OK\r\n", "MSET", "k3", "x", "k2", "y", "other", "z")
		a.expectRead(invalidate3("k3"))
		a.expectRead(invalidate3("k2"))
		a.expectQuiet()

		// The client's own write: the push follows the reply.
		a.expect("$1\r\n2\r\n", "GET", "k")
		a.send(encodeCommand("INCR", "k"))
		a.expectRead(":3\r\n")
		a.expectRead(invalidate3("k"))

		// In a transaction, after EXEC's whole reply, one push per invalidation.
		a.expect("$1\r\n3\r\n", "GET", "k")
		a.expect("+OK\r\n", "MULTI")
		a.expect("+QUEUED\r\n", "SET", "k", "4")
		a.expect("+QUEUED\r\n", "GET", "k")
		a.expect("+QUEUED\r\n", "SET", "k", "5")
		a.send(encodeCommand("EXEC"))
		a.expectRead("*3\r\n+OK\r\n$1\r\n4\r\n+OK\r\n")
		a.expectRead(invalidate3("k"))
		a.expectRead(invalidate3("k"))
		a.expectQuiet()

		// Key names, not databases: a write of "k" in db 1 invalidates it.
		a.expect("$1\r\n5\r\n", "GET", "k")
		b.expect("+OK\r\n", "SELECT", "1")
		b.expect("+OK\r\n", "SET", "k", "other-db")
		a.expectRead(invalidate3("k"))

		// Commands that only write are not remembered; read-only ones of any type are.
		a.expect(":1\r\n", "DEL", "k2")
		b.expect("+OK\r\n", "SELECT", "0")
		b.expect("+OK\r\n", "SET", "k2", "v")
		a.expectQuiet()
		a.expect(":1\r\n", "EXISTS", "k2")
		b.expect(":1\r\n", "DEL", "k2")
		a.expectRead(invalidate3("k2"))

		// CLIENT REPLY OFF silences replies, not invalidations.
		a.expect("_\r\n", "GET", "k9")
		a.send(encodeCommand("CLIENT", "REPLY", "OFF"))
		b.expect("+OK\r\n", "SET", "k9", "v")
		a.expectRead(invalidate3("k9"))
		a.expect("+OK\r\n", "CLIENT", "REPLY", "ON")

		// RESP2 without a redirect: nowhere to send, nothing is sent.
		c := dialAddr(t, addr)
		c.expect("+OK\r\n", "CLIENT", "TRACKING", "ON")
		c.expect("$1\r\nv\r\n", "GET", "k9")
		b.expect("+OK\r\n", "SET", "k9", "w")
		c.expectQuiet()

		// Tracking off: nothing more.
		a.expect("$1\r\nw\r\n", "GET", "k9")
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "OFF")
		b.expect("+OK\r\n", "SET", "k9", "z")
		a.expectQuiet()
	})
}

func TestTrackingRedirect(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		sub, a := dialAddr(t, addr), dialAddr(t, addr)
		subID := sub.clientID()
		sub.expect("*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n", "SUBSCRIBE", "__redis__:invalidate")
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "REDIRECT", subID)
		a.expect(":"+subID+"\r\n", "CLIENT", "GETREDIR")
		a.expect("$-1\r\n", "GET", "k")
		a.expect("+OK\r\n", "SET", "k", "1")
		sub.expectRead(invalidateMsg("k"))

		// A flush: a null payload, in the tracking client's protocol (Redis's quirk:
		// a RESP3 tracking client redirecting to a RESP2 client sends it "_").
		a.expect("+OK\r\n", "FLUSHALL")
		sub.expectRead(flushed2)
		a3 := dialRESP3(t, addr)
		a3.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "REDIRECT", subID)
		a3.expect("+OK\r\n", "FLUSHDB")
		sub.expectRead(flushed2)
		sub.expectRead("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n_\r\n")

		// A RESP2 target in Pub/Sub mode on another channel gets them too; one not
		// in Pub/Sub mode gets nothing.
		other, plain := dialAddr(t, addr), dialAddr(t, addr)
		otherID, plainID := other.clientID(), plain.clientID()
		other.expect("*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n", "SUBSCRIBE", "x")
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "REDIRECT", otherID)
		a.expect("$-1\r\n", "GET", "k")
		a.expect("+OK\r\n", "SET", "k", "2")
		other.expectRead(invalidateMsg("k"))
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "REDIRECT", plainID)
		a.expect("$1\r\n2\r\n", "GET", "k")
		a.expect("+OK\r\n", "SET", "k", "3")
		plain.expectQuiet()

		// A RESP3 target gets pushes, and when the tracking client's write is the
		// target's own command, before its reply (Redis sends it in place).
		t3 := dialRESP3(t, addr)
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "REDIRECT", t3.clientID())
		a.expect("$1\r\n3\r\n", "GET", "k")
		a.expect("+OK\r\n", "SET", "k", "4")
		t3.expectRead(invalidate3("k"))
		a.expect("$1\r\n4\r\n", "GET", "k")
		t3.send(encodeCommand("SET", "k", "5"))
		t3.expectRead(invalidate3("k"))
		t3.expectRead("+OK\r\n")
	})
}

func TestTrackingBrokenRedirect(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		target, a, b := dialAddr(t, addr), dialRESP3(t, addr), dialAddr(t, addr)
		id := target.clientID()
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "REDIRECT", id)
		a.expect("_\r\n", "GET", "k")
		a.expect("_\r\n", "GET", "k2")
		target.conn.Close()
		// Wait until the server has dropped it: redirecting to it then fails.
		deadline := time.Now().Add(5 * time.Second)
		for b.do("CLIENT", "TRACKING", "ON", "REDIRECT", id) == "+OK\r\n" {
			if time.Now().After(deadline) {
				t.Fatal("redirect target still there")
			}
			time.Sleep(10 * time.Millisecond)
		}
		b.expect("+OK\r\n", "CLIENT", "TRACKING", "OFF")
		b.expect("+OK\r\n", "SET", "k", "1")
		a.expectRead(">2\r\n$21\r\ntracking-redir-broken\r\n:" + id + "\r\n")
		a.expect("%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:"+id+"\r\n$8\r\nprefixes\r\n*0\r\n",
			"CLIENT", "TRACKINGINFO")
		if got := a.do("CLIENT", "INFO"); !strings.Contains(got, " flags=tR ") || !strings.Contains(got, " redir="+id+" ") {
			t.Fatalf("CLIENT INFO: %q", got)
		}
		// Once per invalidation, including the client's own write.
		a.send(encodeCommand("SET", "k2", "1"))
		a.expectRead("+OK\r\n")
		a.expectRead(">2\r\n$21\r\ntracking-redir-broken\r\n:" + id + "\r\n")
	})
}

func TestTrackingBcast(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		a, b := dialRESP3(t, addr), dialAddr(t, addr)
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "obj:")
		// Nothing needs to be read first.
		b.expect("+OK\r\n", "SET", "user:1", "a")
		a.expectRead(invalidate3("user:1"))
		b.expect("+OK\r\n", "SET", "other", "a")
		a.expectQuiet()
		// One message per prefix, prefixes and keys in byte order.
		b.expect("+OK\r\n", "MSET", "user:2", "a", "obj:1", "b", "user:1", "c", "zzz", "d")
		a.expectRead(invalidate3("obj:1"))
		a.expectRead(invalidate3("user:1", "user:2"))
		a.expectQuiet()
		// Own writes: after the reply.
		a.send(encodeCommand("MSET", "obj:9", "1", "obj:2", "2"))
		a.expectRead("+OK\r\n")
		a.expectRead(invalidate3("obj:2", "obj:9"))
		// The keys of a whole pipeline go in one message per prefix, as Redis sends
		// them once per event-loop iteration; the tracking client's own come after all
		// of its replies.
		b.send(encodeCommand("SET", "user:7", "1") + encodeCommand("SET", "obj:7", "1") + encodeCommand("MSET", "user:8", "1", "user:6", "2"))
		b.expectRead("+OK\r\n")
		b.expectRead("+OK\r\n")
		b.expectRead("+OK\r\n")
		a.expectRead(invalidate3("obj:7"))
		a.expectRead(invalidate3("user:6", "user:7", "user:8"))
		a.expectQuiet()
		a.send(encodeCommand("SET", "obj:8", "1") + encodeCommand("GET", "obj:8") + encodeCommand("SET", "obj:3", "1"))
		a.expectRead("+OK\r\n")
		a.expectRead("$1\r\n1\r\n")
		a.expectRead("+OK\r\n")
		a.expectRead(invalidate3("obj:3", "obj:8"))
		a.expect("%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$4\r\nobj:\r\n$5\r\nuser:\r\n",
			"CLIENT", "TRACKINGINFO")

		// NOLOOP with the default (empty) prefix: the keys it wrote itself are left out.
		c := dialRESP3(t, addr)
		c.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP")
		c.expect("+OK\r\n", "MSET", "user:5", "1", "k", "2")
		a.expectRead(invalidate3("user:5"))
		c.expectQuiet()
		b.expect("+OK\r\n", "SET", "k", "v")
		c.expectRead(invalidate3("k"))
		// A flush reaches BCAST clients too.
		b.expect("+OK\r\n", "FLUSHDB")
		a.expectRead(flushed3)
		c.expectRead(flushed3)

		// RESP2 BCAST with a redirect to a subscriber.
		sub, d := dialAddr(t, addr), dialAddr(t, addr)
		subID := sub.clientID()
		sub.expect("*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n", "SUBSCRIBE", "__redis__:invalidate")
		d.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p", "REDIRECT", subID)
		b.expect("+OK\r\n", "MSET", "p2", "1", "p1", "2", "q", "3")
		sub.expectRead(invalidateMsg("p1", "p2"))
		a.expectQuiet()
		c.expectRead(invalidate3("p1", "p2", "q"))

		// Turning BCAST off drops the prefixes.
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "OFF")
		b.expect("+OK\r\n", "SET", "user:1", "x")
		a.expectQuiet()
	})
}

func TestTrackingOptinOptout(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		a, b := dialRESP3(t, addr), dialAddr(t, addr)
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "OPTIN")
		a.expect("_\r\n", "GET", "k1") // not cached: no CACHING YES
		a.expect("+OK\r\n", "CLIENT", "CACHING", "YES")
		a.expect("_\r\n", "GET", "k2") // cached
		a.expect("_\r\n", "GET", "k3") // CACHING YES held for one command only
		// A failed command uses it up; a CLIENT subcommand, even a failed one, does not.
		a.expect("+OK\r\n", "CLIENT", "CACHING", "YES")
		a.expect("-ERR wrong number of arguments for 'client|id' command\r\n", "CLIENT", "ID", "x")
		a.expect("_\r\n", "GET", "k4") // cached
		a.expect("+OK\r\n", "CLIENT", "CACHING", "YES")
		a.expect("-ERR wrong number of arguments for 'get' command\r\n", "GET", "k5", "x")
		a.expect("_\r\n", "GET", "k5") // not cached
		// For a transaction: every command of it.
		a.expect("+OK\r\n", "CLIENT", "CACHING", "YES")
		a.expect("+OK\r\n", "MULTI")
		a.expect("+QUEUED\r\n", "GET", "k6")
		a.expect("+QUEUED\r\n", "GET", "k7")
		a.expect("*2\r\n_\r\n_\r\n", "EXEC")
		a.expect("_\r\n", "GET", "k8") // not cached
		b.expect("+OK\r\n", "MSET", "k1", "1", "k2", "1", "k3", "1", "k4", "1", "k5", "1", "k6", "1", "k7", "1", "k8", "1")
		for _, k := range []string{"k2", "k4", "k6", "k7"} {
			a.expectRead(invalidate3(k))
		}
		a.expectQuiet()

		a.expect("+OK\r\n", "CLIENT", "TRACKING", "OFF")
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "OPTOUT")
		a.expect("$1\r\n1\r\n", "GET", "k1") // cached
		a.expect("+OK\r\n", "CLIENT", "CACHING", "NO")
		a.expect("$1\r\n1\r\n", "GET", "k2") // not cached
		a.expect("$1\r\n1\r\n", "GET", "k3") // cached
		b.expect("+OK\r\n", "MSET", "k1", "2", "k2", "2", "k3", "2")
		a.expectRead(invalidate3("k1"))
		a.expectRead(invalidate3("k3"))
		a.expectQuiet()
	})
}

func TestTrackingNoloop(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		a, b := dialRESP3(t, addr), dialAddr(t, addr)
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "NOLOOP")
		a.expect("_\r\n", "GET", "k")
		a.expect("_\r\n", "GET", "k2")
		a.expect("+OK\r\n", "SET", "k", "1") // no push for its own write ...
		a.expectQuiet()
		b.expect("+OK\r\n", "SET", "k", "2") // ... and k was forgotten all the same
		b.expect("+OK\r\n", "SET", "k2", "2")
		a.expectRead(invalidate3("k2"))
		a.expect("$1\r\n2\r\n", "GET", "k")
		a.expect("+OK\r\n", "MULTI")
		a.expect("+QUEUED\r\n", "SET", "k", "3")
		a.expect("+QUEUED\r\n", "GET", "k")
		a.expect("*2\r\n+OK\r\n$1\r\n3\r\n", "EXEC")
		b.expect("+OK\r\n", "SET", "k", "4")
		a.expectRead(invalidate3("k"))
		// Flushes are sent to NOLOOP clients too, even their own.
		a.send(encodeCommand("FLUSHALL"))
		a.expectRead("+OK\r\n")
		a.expectRead(flushed3)
	})
}

func TestTrackingExpiry(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		a, b := dialRESP3(t, addr), dialAddr(t, addr)
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON")
		// Set before the read, so the read is what the table remembers: the next push is
		// the expiry's, sent by the active expiry cycle with no command running.
		b.expect("+OK\r\n", "SET", "e", "v", "PX", "200")
		a.expect("$1\r\nv\r\n", "GET", "e")
		a.expectRead(invalidate3("e")) // readReply waits up to 5s

		// A lazy expiry by another client's read invalidates as well.
		b.expect("+OK\r\n", "SET", "e", "v", "PX", "200")
		a.expect("$1\r\nv\r\n", "GET", "e")
		time.Sleep(250 * time.Millisecond)
		b.expect("$-1\r\n", "GET", "e")
		a.expectRead(invalidate3("e"))

		// BCAST: the SET, then the expiry, batched per expiry cycle.
		c := dialRESP3(t, addr)
		c.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "x")
		b.expect("+OK\r\n", "SET", "x1", "v", "PX", "50")
		c.expectRead(invalidate3("x1"))
		c.expectRead(invalidate3("x1"))
		c.expectQuiet()
	})
}

func TestTrackingFlushAll(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		a, b, c := dialRESP3(t, addr), dialRESP3(t, addr), dialAddr(t, addr)
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON")
		b.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "zz")
		a.expect("_\r\n", "GET", "k")
		c.expect("+OK\r\n", "FLUSHALL")
		a.expectRead(flushed3)
		b.expectRead(flushed3)
		// The table is empty: k is not remembered any more.
		c.expect("+OK\r\n", "SET", "k", "1")
		a.expectQuiet()
		// Sent even with nothing tracked, once per FLUSHDB, whatever the database.
		c.expect("+OK\r\n", "SELECT", "3")
		c.expect("+OK\r\n", "FLUSHDB", "ASYNC")
		a.expectRead(flushed3)
		b.expectRead(flushed3)
		// The flushing client, after its reply.
		a.send(encodeCommand("FLUSHDB"))
		a.expectRead("+OK\r\n")
		a.expectRead(flushed3)
		b.expectRead(flushed3)
		a.expectQuiet()
	})
}

func TestTrackingTableMaxKeys(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		a := dialRESP3(t, addr)
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON")
		a.expect("+OK\r\n", "CONFIG", "SET", "tracking-table-max-keys", "2")
		a.expect("*4\r\n_\r\n_\r\n_\r\n_\r\n", "MGET", "k1", "k2", "k3", "k4")
		// Two random keys are evicted from the table, with their invalidations: Redis
		// before the next command or at its next cron tick, Cairn right after MGET.
		a.send(encodeCommand("PING"))
		var evicted []string
		for {
			got := a.readReply()
			if got == "+PONG\r\n" {
				break
			}
			found := false
			for _, k := range []string{"k1", "k2", "k3", "k4"} {
				if got == invalidate3(k) && !slices.Contains(evicted, k) {
					evicted, found = append(evicted, k), true
				}
			}
			if !found {
				t.Fatalf("unexpected %q", got)
			}
		}
		if len(evicted) != 2 {
			t.Fatalf("evicted %v, want 2 keys", evicted)
		}
		// The two left are still tracked.
		a.expect("+OK\r\n", "CONFIG", "SET", "tracking-table-max-keys", "0")
		b := dialAddr(t, addr)
		b.expect("+OK\r\n", "MSET", "k1", "1", "k2", "1", "k3", "1", "k4", "1")
		for _, k := range []string{"k1", "k2", "k3", "k4"} {
			if !slices.Contains(evicted, k) {
				a.expectRead(invalidate3(k))
			}
		}
		a.expectQuiet()
	})
}

func TestTrackingClientState(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		a, b := dialAddr(t, addr), dialRESP3(t, addr)
		aID, bID := a.clientID(), b.clientID()
		a.expect(":-1\r\n", "CLIENT", "GETREDIR")
		// Checked before the second ID is parsed; a client may redirect to itself.
		a.expect("-ERR A client can only redirect to a single other client\r\n",
			"CLIENT", "TRACKING", "ON", "REDIRECT", aID, "REDIRECT", "x")
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "REDIRECT", aID)
		a.expect(":"+aID+"\r\n", "CLIENT", "GETREDIR")
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "OFF")
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a", "NOLOOP", "REDIRECT", bID)
		if got := a.do("CLIENT", "INFO"); !strings.Contains(got, " flags=tB ") || !strings.Contains(got, " redir="+bID+" ") {
			t.Fatalf("CLIENT INFO: %q", got)
		}
		a.expect("*6\r\n$5\r\nflags\r\n*3\r\n$2\r\non\r\n$5\r\nbcast\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:"+bID+"\r\n$8\r\nprefixes\r\n*1\r\n$1\r\na\r\n",
			"CLIENT", "TRACKINGINFO")
		// ON again adds prefixes and replaces the options.
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "b")
		a.expect(":0\r\n", "CLIENT", "GETREDIR")
		a.expect("*6\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n",
			"CLIENT", "TRACKINGINFO")
		// RESET turns tracking off.
		a.expect("+RESET\r\n", "RESET")
		a.expect("*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n", "CLIENT", "TRACKINGINFO")
		if got := a.do("CLIENT", "INFO"); !strings.Contains(got, " flags=N ") || !strings.Contains(got, " redir=-1 ") {
			t.Fatalf("CLIENT INFO: %q", got)
		}
		b.expect("+OK\r\n", "SET", "a1", "x")
		a.expectQuiet()
		b.expectQuiet()
	})
}

// TestTrackingDisconnectCleansUp checks the server's own bookkeeping: clients that
// disconnect leave no prefixes or counts behind.
func TestTrackingDisconnectCleansUp(t *testing.T) {
	s := startServer(t)
	for i := 0; i < 3; i++ {
		a, b := dial(t, s), dial(t, s)
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p", "PREFIX", "q")
		b.expect("+OK\r\n", "CLIENT", "TRACKING", "ON")
		b.expect("$-1\r\n", "GET", "k")
		a.conn.Close()
		b.conn.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		clients, keys, items, prefixes := s.trackingInfo()
		s.mu.Unlock()
		if clients == 0 && prefixes == 0 {
			// Keys stay until invalidated, as in Redis.
			if keys != 1 || items != 3 {
				t.Fatalf("keys %d items %d, want 1 and 3", keys, items)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tracking clients %d prefixes %d after disconnects", clients, prefixes)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c := dial(t, s)
	c.expect("+OK\r\n", "SET", "k", "1")
	s.mu.Lock()
	_, keys, items, _ := s.trackingInfo()
	s.mu.Unlock()
	if keys != 0 || items != 0 {
		t.Fatalf("keys %d items %d after the write, want 0", keys, items)
	}
}

// TestTrackingGoRedisCache is the realistic flow: go-redis v9's client-side cache over
// RESP3 (CLIENT TRACKING on every pooled connection, invalidation pushes), and a
// hand-made cache over RESP2 with a redirect to a __redis__:invalidate subscriber.
func TestTrackingGoRedisCache(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) { goRedisCacheFlow(t, addr) })
}

func goRedisCacheFlow(t *testing.T, addr string) {
	ctx := context.Background()
	writer := redis.NewClient(&redis.Options{Addr: addr, DisableIdentity: true})
	t.Cleanup(func() { writer.Close() })

	t.Run("RESP3", func(t *testing.T) {
		cache := redis.NewLocalCache(redis.CacheConfig{MaxEntries: 128})
		rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 3, DisableIdentity: true,
			ClientSideCache: cache, PoolSize: 2})
		t.Cleanup(func() { rdb.Close() })
		if err := writer.Set(ctx, "price:1", "10", 0).Err(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if got, err := rdb.Get(ctx, "price:1").Result(); err != nil || got != "10" {
				t.Fatalf("GET: %q %v", got, err)
			}
		}
		if st := rdb.CSCStats(); st.Hits < 2 || st.Entries < 1 {
			t.Fatalf("cache not used: %+v", st)
		}
		// Another client changes the value: the cache is invalidated, not stale.
		if err := writer.Set(ctx, "price:1", "12", 0).Err(); err != nil {
			t.Fatal(err)
		}
		eventually(t, func() bool {
			got, err := rdb.Get(ctx, "price:1").Result()
			return err == nil && got == "12"
		})
		// A flush empties the cache.
		if got, err := rdb.Get(ctx, "price:1").Result(); err != nil || got != "12" {
			t.Fatalf("GET: %q %v", got, err)
		}
		if err := writer.FlushAll(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		eventually(t, func() bool {
			return errors.Is(rdb.Get(ctx, "price:1").Err(), redis.Nil)
		})
		// Expiry invalidates too.
		if err := writer.Set(ctx, "session", "s", 100*time.Millisecond).Err(); err != nil {
			t.Fatal(err)
		}
		if got, err := rdb.Get(ctx, "session").Result(); err != nil || got != "s" {
			t.Fatalf("GET session: %q %v", got, err)
		}
		eventually(t, func() bool {
			return errors.Is(rdb.Get(ctx, "session").Err(), redis.Nil)
		})
	})

	t.Run("RESP2 redirect", func(t *testing.T) {
		// The subscriber connection's ID, learnt when it connects.
		var mu sync.Mutex
		var subID int64
		subClient := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true,
			OnConnect: func(ctx context.Context, cn *redis.Conn) error {
				id, err := cn.ClientID(ctx).Result()
				mu.Lock()
				subID = id
				mu.Unlock()
				return err
			}})
		t.Cleanup(func() { subClient.Close() })
		pubsub := subClient.Subscribe(ctx, "__redis__:invalidate")
		t.Cleanup(func() { pubsub.Close() })
		if _, err := pubsub.Receive(ctx); err != nil { // the subscription
			t.Fatal(err)
		}
		mu.Lock()
		id := subID
		mu.Unlock()

		rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
		t.Cleanup(func() { rdb.Close() })
		conn := rdb.Conn()
		t.Cleanup(func() { conn.Close() })
		if err := conn.Do(ctx, "CLIENT", "TRACKING", "ON", "REDIRECT", id).Err(); err != nil {
			t.Fatal(err)
		}
		c := &redirectCache{values: map[string]string{}}
		go c.listen(ctx, pubsub)

		get := func(key string) string {
			if v, ok := c.get(key); ok {
				return v
			}
			v, err := conn.Get(ctx, key).Result()
			if err != nil && !errors.Is(err, redis.Nil) {
				t.Fatal(err)
			}
			c.put(key, v)
			return v
		}
		writer.MSet(ctx, "a", "1", "b", "2")
		if get("a") != "1" || get("b") != "2" || get("a") != "1" {
			t.Fatal("wrong values")
		}
		if c.fetches() != 2 {
			t.Fatalf("fetches %d, want 2", c.fetches())
		}
		writer.Set(ctx, "a", "3", 0)
		eventually(t, func() bool { return get("a") == "3" })
		if get("b") != "2" {
			t.Fatal("b was invalidated")
		}
	})
}

// redirectCache is a minimal client-side cache fed by __redis__:invalidate messages.
type redirectCache struct {
	mu     sync.Mutex
	values map[string]string
	puts   int
}

func (c *redirectCache) get(k string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.values[k]
	return v, ok
}

func (c *redirectCache) put(k, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.values[k] = v
	c.puts++
}

func (c *redirectCache) fetches() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.puts
}

func (c *redirectCache) listen(ctx context.Context, ps *redis.PubSub) {
	for {
		msg, err := ps.ReceiveMessage(ctx)
		if err != nil {
			if errors.Is(err, redis.ErrClosed) || ctx.Err() != nil {
				return
			}
			// A flush (null payload) is not a message go-redis can parse: drop all.
			c.mu.Lock()
			clear(c.values)
			c.mu.Unlock()
			continue
		}
		c.mu.Lock()
		for _, k := range msg.PayloadSlice {
			delete(c.values, k)
		}
		c.mu.Unlock()
	}
}

func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTrackingScripts(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		a, b := dialRESP3(t, addr), dialAddr(t, addr)
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON")
		// A read inside a script remembers the keys the script declared (Redis 7.0
		// takes them from the caller's command), not the key it read.
		a.expect("_\r\n", "EVAL", "return redis.call('get', 'zz')", "1", "kk")
		b.expect("+OK\r\n", "SET", "zz", "1")
		b.expect("+OK\r\n", "SET", "kk", "1")
		a.expectRead(invalidate3("kk"))
		a.expect("$1\r\n1\r\n", "EVAL_RO", "return redis.call('get', 'zz')", "1", "kk")
		b.expect("+OK\r\n", "SET", "kk", "2")
		a.expectRead(invalidate3("kk"))
		a.expect("$1\r\n1\r\n", "EVAL", "return redis.call('get', 'zz')", "0")
		b.expect("+OK\r\n", "SET", "zz", "2")
		a.expectQuiet()
		// A script's write: after the script's reply.
		a.expect("$1\r\n2\r\n", "GET", "zz")
		a.send(encodeCommand("EVAL", "redis.call('set', 'zz', 'v'); return redis.call('get', 'zz')", "0"))
		a.expectRead("$1\r\nv\r\n")
		a.expectRead(invalidate3("zz"))
		// NOLOOP: the script's writes are the caller's.
		a.expect("+OK\r\n", "CLIENT", "TRACKING", "ON", "NOLOOP")
		a.expect("$1\r\nv\r\n", "GET", "zz")
		a.expect(":1\r\n", "EVAL", "redis.call('set', 'zz', 'w'); return 1", "0")
		b.expect("+OK\r\n", "SET", "zz", "x")
		a.expectQuiet()
	})
}
