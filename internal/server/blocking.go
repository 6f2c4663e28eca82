package server

import (
	"errors"
	"math"
	"time"

	"cairn/internal/conv"
	"cairn/internal/keyspace"
)

// Blocking commands (BLPOP, BZPOPMIN, BLMOVE, ...), Redis's way:
//
// A blocking command that finds nothing to serve calls c.block, which records the keys,
// a copy of the command, the deadline and the reply to send on timeout, and registers
// the client, first come first served, on each key. The command's proc then returns
// without a reply; the client's goroutine sees c.blocked once the command is done,
// writes the replies of the commands before it, releases the executor lock and waits —
// holding no lock and using no CPU — for one of: being served, the deadline, CLIENT
// UNBLOCK, or its connection closing.
//
// Commands that may make a key ready (a push, a ZADD, a key created by RENAME, MOVE,
// COPY, SWAPDB...) call signalKeyAsReady. After every top-level command (so after a
// whole EXEC or script, never in the middle of one) handleClientsBlockedOnKeys runs the
// blocked commands again, in arrival order, for the clients waiting on the ready keys,
// as the clients themselves: a command that now finds data replies (and is propagated
// as the pop it performed); one that still finds nothing stays blocked in its place.
// This is what Redis 7.2 does; 7.0 had per-type serve functions with the same visible
// behaviour.

// blockState is what a blocked client waits for. Guarded by the executor lock.
type blockState struct {
	db           *keyspace.DB
	keys         []string  // copies of the keys waited on
	argv         [][]byte  // a copy of the blocked command
	cmd          *command  // the blocked command
	deadline     time.Time // zero: wait forever
	timeoutReply func(c *client)
	wake         chan struct{} // closed when the client stops being blocked
}

// blockKey identifies a key in a database.
type blockKey struct {
	db  int
	key string
}

// block marks c as blocked on keys until deadline (zero = forever). timeoutReply
// writes the reply sent if the deadline passes (or CLIENT UNBLOCK ... TIMEOUT).
// Caller is the blocking command's proc; it must not have replied.
func (c *client) block(keys [][]byte, deadline time.Time, timeoutReply func(c *client)) {
	s := c.srv
	if c.reprocessing {
		// Served again but still nothing to pop: keep the place in the queues.
		c.stillBlocked = true
		return
	}
	b := &blockState{
		db:           c.db,
		argv:         copyArgv(c.argv),
		cmd:          c.cmd,
		deadline:     deadline,
		timeoutReply: timeoutReply,
		wake:         make(chan struct{}),
	}
	for _, k := range keys {
		ks := string(k)
		dup := false
		for _, have := range b.keys {
			if have == ks {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		b.keys = append(b.keys, ks)
		bk := blockKey{c.db.ID, ks}
		s.blockedOnKey[bk] = append(s.blockedOnKey[bk], c)
	}
	c.blocked = b
	c.flags |= flagBlocked
	s.blockedClients++
}

// unblock removes c from every key queue and wakes its goroutine. Caller holds the lock.
func (c *client) unblock() {
	b := c.blocked
	if b == nil {
		return
	}
	s := c.srv
	for _, k := range b.keys {
		bk := blockKey{b.db.ID, k}
		list := s.blockedOnKey[bk]
		for i, bc := range list {
			if bc == c {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(s.blockedOnKey, bk)
		} else {
			s.blockedOnKey[bk] = list
		}
	}
	c.blocked = nil
	c.flags &^= flagBlocked
	s.blockedClients--
	close(b.wake)
}

// signalKeyAsReady notes that key may now serve blocked clients. Caller holds the lock.
func (s *Server) signalKeyAsReady(db *keyspace.DB, key []byte) {
	if len(s.blockedOnKey) == 0 {
		return
	}
	bk := blockKey{db.ID, string(key)}
	if _, ok := s.blockedOnKey[bk]; !ok {
		return
	}
	for _, r := range s.readyKeys {
		if r == bk {
			return
		}
	}
	s.readyKeys = append(s.readyKeys, bk)
}

// handleClientsBlockedOnKeys serves clients blocked on keys signalled ready, by running
// their commands again in arrival order. Serving may make further keys ready (BLMOVE
// pushes), which are served in the same loop. Caller holds the lock and is at the top
// level (not inside EXEC or a script).
func (s *Server) handleClientsBlockedOnKeys() {
	for len(s.readyKeys) > 0 {
		ready := s.readyKeys
		s.readyKeys = nil
		for _, bk := range ready {
			queue := append([]*client(nil), s.blockedOnKey[bk]...)
			key := []byte(bk.key)
			for _, bc := range queue {
				if s.ks.DBs[bk.db].Find(key, keyspace.Now()) == nil {
					break // emptied: nobody further in the queue can be served from it
				}
				if bc.blocked == nil {
					continue // served through another key meanwhile
				}
				s.serveBlocked(bc, bk.key)
			}
		}
	}
}

// serveBlocked runs bc's blocked command again as bc, trying the key that became
// ready first (Redis serves a client from the key that woke it, not from the first key
// it named).
func (s *Server) serveBlocked(bc *client, readyKey string) {
	b := bc.blocked
	saved, savedDB := bc.argv, bc.db
	bc.argv, bc.db = readyKeyFirst(b.cmd, b.argv, readyKey), b.db
	bc.reprocessing, bc.stillBlocked = true, false
	s.call(bc, b.cmd)
	bc.reprocessing = false
	bc.argv, bc.db = saved, savedDB
	if !bc.stillBlocked {
		bc.unblock()
	}
}

// readyKeyFirst returns argv with readyKey moved before the other keys of a command that
// pops from the first non-empty of several keys (BLPOP, BRPOP, BLMPOP, BZPOPMIN,
// BZPOPMAX, BZMPOP); other commands' arguments are returned unchanged.
func readyKeyFirst(cmd *command, argv [][]byte, readyKey string) [][]byte {
	switch cmd.name {
	case "blpop", "brpop", "blmpop", "bzpopmin", "bzpopmax", "bzmpop":
	default:
		return argv
	}
	pos := cmd.spec.AppendKeys(nil, argv)
	if len(pos) < 2 || string(argv[pos[0]]) == readyKey {
		return argv
	}
	out := append([][]byte(nil), argv...)
	for i, p := range pos {
		if string(argv[p]) == readyKey {
			// Shift the keys before it one place on, keeping their order.
			for j := i; j > 0; j-- {
				out[pos[j]] = out[pos[j-1]]
			}
			out[pos[0]] = argv[p]
			break
		}
	}
	return out
}

// unblockClient ends a block from outside (timeout, CLIENT UNBLOCK): with errMsg == ""
// the command's timeout reply is sent, else the error. Caller holds the lock.
func (c *client) unblockWith(errMsg string) {
	b := c.blocked
	if b == nil {
		return
	}
	if errMsg != "" {
		c.addError(errMsg)
	} else {
		b.timeoutReply(c)
	}
	// The command ends here: it counts as one call, as Redis's updateStatsOnUnblock.
	b.cmd.calls++
	c.srv.stats.commandsProcessed++
	c.unblock()
}

// waitWhileBlocked is called by the client's goroutine, with the executor lock held,
// after a command left it blocked. It releases the lock while it waits and returns with
// the lock held; false means the connection closed meanwhile.
func (c *client) waitWhileBlocked() bool {
	s := c.srv
	b := c.blocked
	var timer <-chan time.Time
	if !b.deadline.IsZero() {
		t := time.NewTimer(time.Until(b.deadline))
		defer t.Stop()
		timer = t.C
	}
	// Replies of earlier commands in the batch go out now, as Redis would send them.
	s.endBatch(c)
	c.moveRepliesToPush()
	pending := c.takeReplies()
	wait := c.takeAOFWait() // under the lock: whoever serves c sets the next one
	s.endClock()
	s.mu.Unlock()
	alive := wait.wait() == nil && c.writeNow(pending)
	readErr := c.watchConnection()
	select {
	case <-b.wake:
	case <-timer:
	case err := <-readErr:
		if err != nil {
			alive = false
		}
	case <-c.closed:
		alive = false
	}
	c.stopWatching()
	s.mu.Lock()
	s.beginBatch(c)
	s.beginClock(time.Now())
	if c.blocked == b {
		if !alive {
			c.unblock() // disconnected: drop the block, no reply
		} else {
			c.unblockWith("") // deadline passed
		}
	}
	return alive && !c.closing.Load()
}

// takeReplies hands over the replies written so far. Caller holds the lock.
func (c *client) takeReplies() []byte {
	if len(c.w.B) == 0 {
		return nil
	}
	out := append([]byte(nil), c.w.B...)
	c.w.B = c.w.B[:0]
	return out
}

// writeNow writes b to the socket; false on error.
func (c *client) writeNow(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	c.writeMu.Lock()
	_, err := c.conn.Write(b)
	c.writeMu.Unlock()
	return err == nil
}

// watchConnection reads from the socket while the client is blocked, so a disconnect
// is noticed at once; whatever it reads is kept for after the block. The returned
// channel yields the read error, if any.
func (c *client) watchConnection() <-chan error {
	done := make(chan error, 1)
	c.watchDone = make(chan struct{})
	go func() {
		defer close(c.watchDone)
		var buf [4096]byte
		for {
			n, err := c.conn.Read(buf[:])
			if n > 0 {
				c.watchMu.Lock()
				c.pendingInput = append(c.pendingInput, buf[:n]...)
				c.watchMu.Unlock()
			}
			if err != nil {
				var ne interface{ Timeout() bool }
				if errors.As(err, &ne) && ne.Timeout() {
					done <- nil // stopped by stopWatching
				} else {
					done <- err
				}
				return
			}
		}
	}()
	return done
}

// stopWatching interrupts watchConnection's read and waits for it to finish.
func (c *client) stopWatching() {
	c.conn.SetReadDeadline(time.Unix(1, 0)) //nolint:errcheck // a closed conn needs no deadline
	<-c.watchDone
	c.conn.SetReadDeadline(time.Time{}) //nolint:errcheck
}

// copyArgv deep-copies arguments borrowed from the read buffer.
func copyArgv(argv [][]byte) [][]byte {
	n := 0
	for _, a := range argv {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(argv))
	for i, a := range argv {
		start := len(buf)
		buf = append(buf, a...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}

// parseBlockTimeout is Redis 7.0's getTimeoutFromObjectOrReply in seconds, for
// blocking commands: a long double number of seconds, 0 = forever, its milliseconds
// computed in long double as Redis does (-0.001 is 0: forever). A value whose
// milliseconds do not fit an int64 (1e30, inf) converts to INT64_MIN as on x86 and is
// reported as negative, as 7.0.15 does. It returns the deadline (zero = forever).
func (c *client) parseBlockTimeout(arg []byte) (time.Time, bool) {
	ld, ok := conv.ParseLongDouble(arg)
	if !ok {
		c.addError("ERR timeout is not a float or out of range")
		return time.Time{}, false
	}
	tval := ld.CeilTimes(1000)
	if tval < 0 {
		c.addError(errTimeoutNeg)
		return time.Time{}, false
	}
	if tval == 0 {
		return time.Time{}, true
	}
	now := time.Now()
	if tval > math.MaxInt64-now.UnixMilli() || tval/1000 > 1<<40 {
		c.addError("ERR timeout is out of range")
		return time.Time{}, false
	}
	return now.Add(time.Duration(tval) * time.Millisecond), true
}
