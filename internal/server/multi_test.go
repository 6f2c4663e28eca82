package server

import (
	"strconv"
	"strings"
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

// Transactions reuse the argument buffers of ended ones (multiState): interleaved
// transactions of several clients, big and small arguments, DISCARD, EXECABORT and
// RESET must each run exactly what their client queued.
func TestMultiReusedBuffers(t *testing.T) {
	s := startServer(t)
	a, b := dial(t, s), dial(t, s)
	big := strings.Repeat("x", maxFreeMultiBytes+1) // not kept for reuse
	for round := range 3 {
		r := strconv.Itoa(round)
		a.expect("+OK\r\n", "MULTI")
		b.expect("+OK\r\n", "MULTI")
		a.expect("+QUEUED\r\n", "SET", "a1", "a-first-"+r)
		b.expect("+QUEUED\r\n", "SET", "b1", big+r)
		a.expect("+QUEUED\r\n", "APPEND", "a1", "-more")
		b.expect("+QUEUED\r\n", "SET", "b2", "b-second-"+r)
		a.expect("*2\r\n+OK\r\n:"+strconv.Itoa(len("a-first-"+r+"-more"))+"\r\n", "EXEC")
		// a's next transaction takes the buffers a's last one left while b's is open.
		a.expect("+OK\r\n", "MULTI")
		a.expect("+QUEUED\r\n", "SET", "a2", "a-again-"+r)
		a.expect("+OK\r\n", "DISCARD")
		a.expect("+OK\r\n", "MULTI")
		a.expect("+QUEUED\r\n", "SET", "a3", "a-third-"+r)
		a.expect("-ERR unknown command 'NOPE', with args beginning with: \r\n", "NOPE")
		a.expect("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC")
		a.expect("+OK\r\n", "MULTI")
		a.expect("+QUEUED\r\n", "SET", "a3", "a-reset-"+r)
		a.expect("+RESET\r\n", "RESET")
		b.expect("*2\r\n+OK\r\n+OK\r\n", "EXEC")
		a.expect("$"+strconv.Itoa(len("a-first-"+r+"-more"))+"\r\na-first-"+r+"-more\r\n", "GET", "a1")
		a.expect("$-1\r\n", "GET", "a2")
		a.expect("$-1\r\n", "GET", "a3")
		if got, want := b.do("GET", "b1"), "$"+strconv.Itoa(len(big+r))+"\r\n"+big+r+"\r\n"; got != want {
			t.Fatalf("round %d: GET b1: %d bytes, want %d", round, len(got), len(want))
		}
		b.expect("$"+strconv.Itoa(len("b-second-"+r))+"\r\nb-second-"+r+"\r\n", "GET", "b2")
	}
}

// TestMultiExecZeroAllocs: once the buffers of a transaction have grown, MULTI, ten
// SETs overwriting existing keys and EXEC allocate nothing.
func TestMultiExecZeroAllocs(t *testing.T) {
	c, _ := benchClient(t)
	input := multiExec10Sets()
	feed(t, c, input)
	if allocs := testing.AllocsPerRun(100, func() { feed(t, c, input) }); allocs != 0 {
		t.Errorf("MULTI + 10 SET + EXEC: %.2f allocations, want 0", allocs)
	}
}
