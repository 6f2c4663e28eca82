package server

import (
	"bytes"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"cairn/internal/cmdtable"
	"cairn/internal/keyspace"
)

// procFunc is a command implementation. It reads c.argv (borrowed from the read buffer:
// copy anything kept) and replies through c.w.
type procFunc func(c *client)

// command is one entry of the server's command table: Redis's metadata (generated from
// redis-server 7.0.15, see internal/cmdtable) bound to its implementation, plus the
// per-command statistics INFO commandstats shows.
type command struct {
	spec        *cmdtable.Command
	name        string // full name, "get" or "config|get"
	proc        procFunc
	flags       cmdtable.Flags
	arity       int
	subs        map[string]*command
	parent      *command
	implemented bool

	// Statistics, guarded by the executor lock.
	calls, usec, rejectedCalls, failedCalls int64
	hist                                    latencyHistogram // latency-tracking, see latency.go
}

// lookupCommand finds the command (or subcommand) argv names, without allocating: names
// are lower-cased into a fixed scratch array. It returns the container command and
// isContainer=true when argv names a container with an unknown subcommand.
func (s *Server) lookupCommand(argv [][]byte) (cmd *command, unknownSub bool) {
	var scratch [32]byte
	name, ok := lowerInto(scratch[:], argv[0])
	if !ok {
		return nil, false
	}
	cmd = s.commands[string(name)]
	if cmd == nil || cmd.subs == nil || len(argv) < 2 {
		return cmd, false
	}
	sub, ok := lowerInto(scratch[:], argv[1])
	if !ok {
		return cmd, true
	}
	if sc := cmd.subs[string(sub)]; sc != nil {
		return sc, false
	}
	return cmd, true
}

// lowerInto lower-cases b into dst; false if b does not fit (no command name is longer).
func lowerInto(dst []byte, b []byte) ([]byte, bool) {
	if len(b) > len(dst) {
		return nil, false
	}
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		dst[i] = ch
	}
	return dst[:len(b)], true
}

// processCommand is Redis's processCommand: the gate every command passes, in Redis's
// order: lookup, arity, authentication, then execution through call.
func (s *Server) processCommand(c *client) {
	if c.tracking.flags&trackCaching != 0 {
		defer s.trackingResetCaching(c)
	}
	argv := c.argv
	if len(argv[0]) == 4 && strings.EqualFold(string(argv[0]), "quit") {
		c.w.OK()
		c.closeAfterReply()
		return
	}
	cmd, unknownSub := s.lookupCommand(argv)
	switch {
	case cmd == nil:
		c.flagTransaction()
		c.rejectCommand(nil, unknownCommandError(argv))
		return
	case unknownSub:
		c.flagTransaction()
		c.rejectCommand(nil, "ERR unknown subcommand '"+clip(argv[1], 128)+"'. Try "+
			strings.ToUpper(string(argv[0]))+" HELP.")
		return
	case (cmd.arity > 0 && len(argv) != cmd.arity) || len(argv) < -cmd.arity:
		c.flagTransaction()
		c.rejectCommand(cmd, "ERR wrong number of arguments for '"+cmd.name+"' command")
		return
	}
	if !s.allowProtected(c, cmd) {
		return
	}
	if !c.authenticated && cmd.flags&cmdtable.FlagNoAuth == 0 {
		c.flagTransaction()
		c.rejectCommand(cmd, errNoAuth)
		return
	}
	if cmd.flags&cmdtable.FlagWrite != 0 || cmd.name == "ping" {
		if msg := s.diskWriteError(); msg != "" {
			c.flagTransaction()
			c.rejectCommand(cmd, msg)
			return
		}
	}
	if c.flags&flagPubSub != 0 && c.w.Proto == 2 && !allowedInRESP2PubSub(cmd) {
		c.flagTransaction()
		c.rejectCommand(cmd, "ERR Can't execute '"+cmd.name+
			"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		return
	}
	if s.refusedWhileLoading(c, cmd) {
		c.flagTransaction()
		c.rejectCommand(cmd, errLoading)
		return
	}
	if s.scriptBusyRejects(c, cmd) {
		// A script is past busy-reply-threshold and yielded the lock (cmd_script.go).
		c.flagTransaction()
		c.rejectCommand(cmd, s.busyError())
		return
	}
	if s.multiGate(c, cmd) {
		return
	}
	if s.pause.blocks(cmd) {
		// CLIENT PAUSE: wait outside the lock until the pause ends, then run it.
		s.waitPause(c, cmd)
	}
	s.call(c, cmd)
	if len(s.readyKeys) > 0 && s.scripts.run == nil { // never in the middle of a busy script
		s.handleClientsBlockedOnKeys()
	}
}

// call runs a command and does its bookkeeping: statistics, slow log, latency monitor,
// MONITOR feed. A panic inside the command is recovered here: the client gets an
// error, the stack is logged with the command name, and the server keeps serving.
func (s *Server) call(c *client, cmd *command) {
	prev := s.current // nil unless nested (EXEC)
	defer func() { s.current = prev }()
	c.cmd = cmd
	s.current = c
	if c.replyMode == replySkip {
		c.replyMode = replySkipThis
	}
	replyStart := len(c.w.B)
	errorsBefore := s.stats.totalErrorReplies
	dirtyBefore := s.dirty
	c.propagateArgv, c.noPropagate, c.forcePropagate = nil, false, false
	if s.aof != nil {
		s.aof.depth++
	}
	if s.ks.Snapshotting() && cmd.flags&cmdtable.FlagWrite != 0 {
		// A snapshot is being saved: the keys this command may change are saved first
		// (copy on write). The keyspace's own write paths do this too; the key specs
		// cover commands that change a value through a plain lookup.
		c.keyPos = cmd.spec.AppendKeys(c.keyPos[:0], c.argv)
		for _, i := range c.keyPos {
			c.db.BeforeWrite(c.argv[i])
		}
	}
	if s.clockBase.IsZero() {
		s.beginClock(time.Now()) // a call outside a client batch (the AOF loader)
	}
	start := s.clockLast
	s.runProc(c, cmd)
	// One monotonic clock read ends this command's timing and is the time snapshot of
	// whatever runs next.
	end := time.Since(s.clockBase)
	s.clockLast = end
	keyspace.SetNow(s.clockWallMs + end.Milliseconds())
	dur := end - start
	if a := s.aof; a != nil {
		// Only a rise counts, as in Redis's call(): SAVE and DEBUG RELOAD lower dirty to
		// 0 and change nothing, and in the log they would save or reload mid-replay.
		if (s.dirty > dirtyBefore || c.forcePropagate) && !c.noPropagate && !propagatesItsEffects(cmd) {
			argv := c.argv
			if c.propagateArgv != nil {
				argv = c.propagateArgv
			}
			s.propagate(c.db.ID, argv)
		}
		c.propagateArgv = nil
		if a.depth--; a.depth == 0 {
			s.flushPropagation(c)
		}
	}
	usec := dur.Microseconds()
	if c.replyMode != replyOn {
		c.w.B = c.w.B[:replyStart]
		if c.replyMode == replySkipThis {
			c.replyMode = replyOn
		}
	}
	if s.tracking.active() {
		// After the reply: invalidations for c follow it, even with CLIENT REPLY OFF.
		s.trackingAfterCall(c, cmd, prev == nil)
	}
	real := cmd
	// A command that left its client blocked has not finished: it counts when it is
	// served or times out (Redis's updateStatsOnUnblock).
	if c.blocked == nil || (c.reprocessing && !c.stillBlocked) {
		cmd.calls++
		s.stats.commandsProcessed++
	}
	cmd.usec += usec
	if s.stats.totalErrorReplies != errorsBefore {
		real.failedCalls++
	}
	if s.cfg.LatencyTracking {
		real.hist.record(usec * 1000)
	}
	if cmd.flags&cmdtable.FlagSkipSlowlog == 0 {
		s.slowlog.record(c, dur)
	}
	s.latency.sample("command", dur, cmd.flags&cmdtable.FlagFast != 0, s.cfg.LatencyMonitorThreshold)
	if len(s.monitors) > 0 && cmd.flags&(cmdtable.FlagSkipMonitor|cmdtable.FlagAdmin) == 0 {
		s.feedMonitors(c, c.argv, s.clockBase.Add(start))
	}
	c.lastCmd = cmd
}

func (s *Server) runProc(c *client, cmd *command) {
	defer func() {
		if r := recover(); r != nil {
			s.stats.panics++
			s.log.Error("Panic while executing command", "command", cmd.name, "panic", r, "stack", string(debug.Stack()))
			c.addError(fmt.Sprintf("ERR internal error while executing '%s': %v", cmd.name, r))
		}
	}()
	cmd.proc(c)
}

// rejectCommand replies with an error for a command refused by the gate; it counts in
// the command's rejected_calls, as Redis does.
func (c *client) rejectCommand(cmd *command, msg string) {
	if cmd != nil {
		cmd.rejectedCalls++
	}
	c.addError(msg)
}

// addError sends an error reply and counts it in errorstats. msg starts with the error
// code ("ERR ...", "WRONGTYPE ...").
func (c *client) addError(msg string) {
	c.w.Error(msg)
	c.srv.stats.countError(msg)
}

// unknownCommandError formats Redis's unknown-command error: the name and the first
// arguments, each quoted, until 128 bytes of arguments have been shown.
func unknownCommandError(argv [][]byte) string {
	var args []byte
	for i := 1; i < len(argv) && len(args) < 128; i++ {
		room := 128 - len(args)
		args = append(args, '\'')
		args = append(args, clip(argv[i], room)...)
		args = append(args, '\'', ' ')
	}
	return "ERR unknown command '" + clip(argv[0], 128) + "', with args beginning with: " + string(args)
}

// clip is what C's "%.Ns" prints of b: at most n bytes, stopping at a NUL byte.
func clip(b []byte, n int) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// beginClock starts the executor's time snapshot at now: commands run from here see
// Unix-ms time now plus the monotonic time elapsed since (see call). Caller holds the
// lock; endClock drops the snapshot when the lock is released.
func (s *Server) beginClock(now time.Time) {
	s.clockBase, s.clockWallMs, s.clockLast = now, now.UnixMilli(), 0
	keyspace.SetNow(s.clockWallMs)
}

// endClock drops the time snapshot before the executor lock is released.
func (s *Server) endClock() {
	s.clockBase = time.Time{}
	keyspace.SetNow(0)
}

// propagatesItsEffects reports commands whose inner commands are propagated one by one
// (EXEC's queue, a script's calls) instead of the command itself.
func propagatesItsEffects(cmd *command) bool {
	switch cmd.name {
	case "exec", "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro":
		return true
	}
	return false
}
