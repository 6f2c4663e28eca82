package server

import (
	"testing"
	"time"
)

func TestMultiExecReplies(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	// The same sequence replayed against redis-server 7.0.15 gave these bytes.
	rc.send("MULTI\r\nMULTI\r\nSET a 1\r\nFOO\r\nGET\r\nEXEC\r\nEXEC\r\nDISCARD\r\nMULTI\r\nWATCH x\r\nSET a 1\r\nINCR a\r\nINCRBY a x\r\nEXEC\r\nMULTI\r\nEXEC\r\n")
	want := []string{
		"+OK\r\n",
		"-ERR MULTI calls can not be nested\r\n",
		"+QUEUED\r\n",
		"-ERR unknown command 'FOO', with args beginning with: \r\n",
		"-ERR wrong number of arguments for 'get' command\r\n",
		"-EXECABORT Transaction discarded because of previous errors.\r\n",
		"-ERR EXEC without MULTI\r\n",
		"-ERR DISCARD without MULTI\r\n",
		"+OK\r\n",
		"-ERR WATCH inside MULTI is not allowed\r\n",
		"+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n",
		"*3\r\n+OK\r\n:2\r\n-ERR value is not an integer or out of range\r\n",
		"+OK\r\n",
		"*0\r\n",
	}
	for i, w := range want {
		if got := rc.readReply(); got != w {
			t.Fatalf("reply %d: got %q, want %q", i, got, w)
		}
	}
	rc.expect("$1\r\n2\r\n", "GET", "a")
}

func TestMultiRefusesNoMultiCommands(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "MULTI")
	rc.expect("-ERR Command not allowed inside a transaction\r\n", "SAVE")
	rc.expect("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC")
}

func TestWatch(t *testing.T) {
	s := startServer(t)
	a, b := dial(t, s), dial(t, s)

	// Another client's write between WATCH and EXEC aborts with the null array.
	a.expect("+OK\r\n", "WATCH", "k")
	b.expect("+OK\r\n", "SET", "k", "other")
	a.expect("+OK\r\n", "MULTI")
	a.expect("+QUEUED\r\n", "SET", "k", "mine")
	a.expect("*-1\r\n", "EXEC")
	a.expect("$5\r\nother\r\n", "GET", "k")

	// EXEC unwatches: the next transaction runs.
	a.expect("+OK\r\n", "MULTI")
	a.expect("+QUEUED\r\n", "SET", "k", "mine")
	a.expect("*1\r\n+OK\r\n", "EXEC")

	// UNWATCH, and a write to a key nobody watches.
	a.expect("+OK\r\n", "WATCH", "k")
	a.expect("+OK\r\n", "UNWATCH")
	b.expect("+OK\r\n", "SET", "k", "x")
	a.expect("+OK\r\n", "MULTI")
	a.expect("*0\r\n", "EXEC")

	// RESP3: the aborted EXEC is a null.
	a.do("HELLO", "3")
	a.expect("+OK\r\n", "WATCH", "k")
	b.expect(":1\r\n", "DEL", "k")
	a.expect("+OK\r\n", "MULTI")
	a.expect("_\r\n", "EXEC")

	// A watched key expiring before EXEC aborts it too.
	a.expect("+OK\r\n", "SET", "t", "v", "PX", "50")
	a.expect("+OK\r\n", "WATCH", "t")
	time.Sleep(80 * time.Millisecond)
	a.expect("+OK\r\n", "MULTI")
	a.expect("+QUEUED\r\n", "PING")
	a.expect("_\r\n", "EXEC")

	// DISCARD unwatches too.
	a.expect("+OK\r\n", "WATCH", "k")
	a.expect("+OK\r\n", "MULTI")
	a.expect("+OK\r\n", "DISCARD")
	b.expect("+OK\r\n", "SET", "k", "y")
	a.expect("+OK\r\n", "MULTI")
	a.expect("*0\r\n", "EXEC")
}

func TestExecIsAtomic(t *testing.T) {
	s := startServer(t)
	a, b := dial(t, s), dial(t, s)
	// While a's transaction is queued, b's commands run; once EXEC starts none interleave:
	// INCR n twice in one EXEC always yields consecutive values.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			b.do("INCR", "n")
		}
	}()
	for i := 0; i < 100; i++ {
		a.expect("+OK\r\n", "MULTI")
		a.expect("+QUEUED\r\n", "INCR", "n")
		a.expect("+QUEUED\r\n", "INCR", "n")
		got := a.do("EXEC")
		var x, y int
		if _, err := sscanReply(got, &x, &y); err != nil {
			t.Fatalf("EXEC reply %q: %v", got, err)
		}
		if y != x+1 {
			t.Fatalf("EXEC interleaved: %d then %d", x, y)
		}
	}
	<-done
}
