package server

import (
	"cairn/internal/cmdtable"
	"cairn/internal/keyspace"
	"cairn/internal/resp"
)

// MULTI/EXEC/DISCARD/WATCH, as Redis's multi.c.
//
// After MULTI the gate queues every command except EXEC, DISCARD, MULTI, WATCH, QUIT
// and RESET, answering +QUEUED; an error at queue time (unknown command, wrong arity, a
// command not allowed in a transaction) marks the transaction so EXEC refuses it with
// EXECABORT. EXEC runs the queue under the executor lock it already holds, so no other
// client's command interleaves; a runtime error is just that command's reply.
//
// WATCH records (db, key) pairs. signalModifiedKey — called by every command that
// changes a key, by expiry and by FLUSHDB/FLUSHALL/SWAPDB through touchWatchedKeysInDB —
// marks every client watching the key dirty, and EXEC of a dirty client answers the
// null array and runs nothing. A watched key that was live at WATCH and has expired by
// EXEC also aborts it, as in Redis 7.0.

// queuedCommand is a command waiting for EXEC, with its own copy of the arguments.
type queuedCommand struct {
	cmd  *command
	argv [][]byte // in the transaction's args and argvs
}

// multiState is a client's open transaction. Guarded by the executor lock.
//
// The queued commands' arguments are copied one after the other into args, their
// slices into argvs: two growing buffers for the whole transaction, not two
// allocations per command. When a buffer grows, the commands queued before keep the
// old one, which nothing writes again. An ended transaction goes back to the server
// (freeMultiState) and the next MULTI reuses its buffers.
type multiState struct {
	queue []queuedCommand
	dirty bool // a queue-time error: EXEC answers EXECABORT
	bytes int  // memory of the queued arguments, for CLIENT LIST multi-mem
	args  []byte
	argvs [][]byte
}

// Bounds of the transactions kept for reuse: how many, and the largest argument
// buffer kept (a transaction of big values does not pin its memory).
const (
	maxFreeMulti      = 256
	maxFreeMultiBytes = 64 << 10
)

// newMultiState returns an empty transaction, reusing an ended one when it can.
func (s *Server) newMultiState() *multiState {
	if n := len(s.multiFree); n > 0 {
		m := s.multiFree[n-1]
		s.multiFree[n-1] = nil
		s.multiFree = s.multiFree[:n-1]
		return m
	}
	return &multiState{}
}

// freeMultiState keeps an ended transaction (nil: none) for the next MULTI. Nothing
// may refer to its queue or arguments any more.
func (s *Server) freeMultiState(m *multiState) {
	if m == nil || len(s.multiFree) >= maxFreeMulti || cap(m.args) > maxFreeMultiBytes {
		return
	}
	clear(m.queue)
	clear(m.argvs)
	*m = multiState{queue: m.queue[:0], args: m.args[:0], argvs: m.argvs[:0]}
	s.multiFree = append(s.multiFree, m)
}

// watchedKey is one WATCHed key of a client.
type watchedKey struct {
	db      int
	key     string
	expired bool // already expired when watched
}

var multiProcs = procTable{
	"multi":   multiCommand,
	"exec":    execCommand,
	"discard": discardCommand,
	"watch":   watchCommand,
	"unwatch": unwatchCommand,
}

// queuesInMulti reports whether cmd is queued rather than run when the client is in
// MULTI (everything but the transaction commands themselves, QUIT and RESET).
func queuesInMulti(cmd *command) bool {
	switch cmd.name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return false
	}
	return true
}

// inMulti reports whether c is queueing or executing a transaction: blocking commands
// then behave as their non-blocking forms.
func (c *client) inMulti() bool { return c.multi != nil }

// flagTransaction marks an open transaction as failed after a queue-time error.
func (c *client) flagTransaction() {
	if c.multi != nil {
		c.multi.dirty = true
	}
}

// queueCommand stores the current command for EXEC, copying its arguments (they are
// borrowed from the read buffer).
func (c *client) queueCommand(cmd *command) {
	m := c.multi
	first := len(m.argvs)
	for _, a := range c.argv {
		start := len(m.args)
		m.args = append(m.args, a...)
		m.argvs = append(m.argvs, m.args[start:len(m.args):len(m.args)])
		m.bytes += len(a)
	}
	m.queue = append(m.queue, queuedCommand{cmd: cmd, argv: m.argvs[first:len(m.argvs):len(m.argvs)]})
}

// MULTI
func multiCommand(c *client) {
	if c.multi != nil {
		c.addError("ERR MULTI calls can not be nested")
		return
	}
	c.multi = c.srv.newMultiState()
	c.flags |= flagMulti
	c.w.OK()
}

// DISCARD
func discardCommand(c *client) {
	if c.multi == nil {
		c.addError("ERR DISCARD without MULTI")
		return
	}
	c.discardTransaction()
	c.w.OK()
}

// discardTransaction drops the queue and every WATCH.
func (c *client) discardTransaction() {
	c.srv.freeMultiState(c.multi)
	c.multi = nil
	c.flags &^= flagMulti | flagDirtyCAS
	c.srv.unwatchAll(c)
}

// EXEC
func execCommand(c *client) {
	s := c.srv
	if c.multi == nil {
		c.addError("ERR EXEC without MULTI")
		return
	}
	if c.multi.dirty {
		c.addError("EXECABORT Transaction discarded because of previous errors.")
		c.discardTransaction()
		return
	}
	if c.flags&flagDirtyCAS != 0 || s.watchedKeyExpired(c) {
		c.w.NullArray()
		c.discardTransaction()
		return
	}
	// Unwatch before running: our own writes must not mark us dirty.
	s.unwatchAll(c)
	queue := c.multi.queue
	savedArgv, savedCmd := c.argv, c.cmd
	c.w.ArrayLen(len(queue))
	for _, q := range queue {
		c.argv = q.argv
		s.call(c, q.cmd)
	}
	c.argv, c.cmd = savedArgv, savedCmd
	c.discardTransaction()
}

// WATCH key [key ...]
func watchCommand(c *client) {
	if c.multi != nil {
		c.addError("ERR WATCH inside MULTI is not allowed")
		return
	}
	s := c.srv
	now := keyspace.Now()
	for _, key := range c.argv[1:] {
		ks := string(key)
		dup := false
		for _, w := range c.watched {
			if w.db == c.db.ID && w.key == ks {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		expired := false
		if e := c.db.Peek(key); e != nil && e.ExpireAt != 0 && e.ExpireAt <= now {
			expired = true
		}
		c.watched = append(c.watched, watchedKey{db: c.db.ID, key: ks, expired: expired})
		bk := blockKey{c.db.ID, ks}
		s.watchers[bk] = append(s.watchers[bk], c)
	}
	c.w.OK()
}

// UNWATCH
func unwatchCommand(c *client) {
	c.srv.unwatchAll(c)
	c.flags &^= flagDirtyCAS
	c.w.OK()
}

// unwatchAll forgets every key c watches.
func (s *Server) unwatchAll(c *client) {
	for _, w := range c.watched {
		bk := blockKey{w.db, w.key}
		list := s.watchers[bk]
		for i, wc := range list {
			if wc == c {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(s.watchers, bk)
		} else {
			s.watchers[bk] = list
		}
	}
	c.watched = c.watched[:0]
}

// touchWatchedKey marks the clients watching key as dirty (Redis's touchWatchedKey).
func (s *Server) touchWatchedKey(db *keyspace.DB, key []byte) {
	if len(s.watchers) == 0 {
		return
	}
	for _, c := range s.watchers[blockKey{db.ID, string(key)}] {
		c.flags |= flagDirtyCAS
	}
}

// touchWatchedKeysInDB marks dirty every client watching a key of db that exists in db
// or, for SWAPDB, in other (Redis's touchAllWatchedKeysInDb). other may be nil.
func (s *Server) touchWatchedKeysInDB(db, other *keyspace.DB) {
	for bk, clients := range s.watchers {
		if bk.db != db.ID {
			continue
		}
		key := []byte(bk.key)
		if db.Peek(key) == nil && (other == nil || other.Peek(key) == nil) {
			continue
		}
		for _, c := range clients {
			c.flags |= flagDirtyCAS
		}
	}
}

// watchedKeyExpired reports whether a key c watches has expired since WATCH.
func (s *Server) watchedKeyExpired(c *client) bool {
	now := keyspace.Now()
	for _, w := range c.watched {
		if w.expired {
			continue
		}
		e := s.ks.DBs[w.db].Peek([]byte(w.key))
		if e != nil && e.ExpireAt != 0 && e.ExpireAt <= now {
			return true
		}
	}
	return false
}

// multiGate is the gate's transaction step for a command that passed the checks:
// it queues cmd and reports true when the client is in MULTI.
func (s *Server) multiGate(c *client, cmd *command) bool {
	if c.multi == nil || !queuesInMulti(cmd) {
		return false
	}
	if cmd.flags&cmdtable.FlagNoMulti != 0 {
		c.flagTransaction()
		c.rejectCommand(cmd, "ERR Command not allowed inside a transaction")
		return true
	}
	c.queueCommand(cmd)
	c.w.Raw(resp.Queued)
	return true
}
