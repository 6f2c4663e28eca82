package server

import (
	"runtime"
	"strconv"
	"strings"
	"time"

	"cairn/internal/cmdtable"
	"cairn/internal/script"
)

// Scripting: EVAL / EVALSHA / EVAL_RO / EVALSHA_RO and SCRIPT (Redis's eval.c and
// script.c); FCALL and FUNCTION are in cmd_function.go. The Lua side is
// internal/script.
//
// A script runs inside its caller's command, under the executor lock, so it is atomic.
// redis.call goes through scriptCall: the same checks Redis's scriptCall makes, then
// s.call with the script client (a *client with no connection whose writer is a
// scratch buffer), and the reply bytes are parsed back into Lua values. Because every
// command a script runs passes s.call, the propagation that call will do (AOF,
// replicas: effects replication) sees the commands the script executed, not the EVAL:
// that is the hook point, with script.Run.Repl (redis.set_repl) to honour there.
//
// Busy scripts: about every 16k Lua instructions the engine calls Tick. Past
// busy-reply-threshold, Tick marks the server busy and releases the executor lock for
// a moment, so waiting clients run their commands: the gate answers -BUSY to all but
// the allow_busy commands (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, AUTH, MULTI,
// ...), which is Redis's processEventsWhileBlocked. SCRIPT KILL sets Run.Killed and the
// script stops at its next instruction; SHUTDOWN NOSAVE stops it too. Nothing else
// can change data meanwhile, so the script stays atomic. The cron and the serving of
// blocked clients wait while busy.

var scriptProcs = procTable{
	"eval":          evalCommand,
	"evalsha":       evalshaCommand,
	"eval_ro":       evalRoCommand,
	"evalsha_ro":    evalshaRoCommand,
	"script|load":   scriptLoadCommand,
	"script|exists": scriptExistsCommand,
	"script|flush":  scriptFlushCommand,
	"script|kill":   scriptKillCommand,
	"script|help":   scriptHelpCommand,
	"script|debug":  scriptDebugCommand,
}

// Redis's shared busy errors.
const (
	errSlowEval   = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	errSlowScript = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	errNoScript   = "NOSCRIPT No matching script. Please use EVAL."
	errROScript   = "ERR Can not execute a script with write flag using *_ro command."
)

// scriptState is the server's scripting state. Guarded by the executor lock.
type scriptState struct {
	eval   *script.Engine // EVAL interpreter, created on first use
	fn     *script.Engine // FUNCTION interpreter, created on first use
	client *client        // the script client, created on first use

	// The script running now (nil when none), its caller and engine.
	run     *script.Run
	evalRun script.Run // the Run of every EVAL (run points to it while one runs)
	caller  *client
	isEval  bool
	argv    [][]byte // the caller's command, for FUNCTION STATS
	start   time.Time
	busy    bool // past busy-reply-threshold: other clients get -BUSY

	functions functionStore
}

// scriptHost implements script.Host for the server.
type scriptHost struct{ s *Server }

func (s *Server) evalEngine() *script.Engine {
	if s.scripts.eval == nil {
		s.scripts.eval = script.NewEngine(script.KindEval, scriptHost{s})
	}
	return s.scripts.eval
}

func (s *Server) functionEngine() *script.Engine {
	if s.scripts.fn == nil {
		s.scripts.fn = script.NewEngine(script.KindFunction, scriptHost{s})
	}
	return s.scripts.fn
}

// scriptClient returns the client scripts run commands as: no connection, always
// authenticated, replies to a scratch writer. Its non-nil multi state makes blocking
// commands behave as their non-blocking forms (Redis's CLIENT_DENY_BLOCKING).
func (s *Server) scriptClient() *client {
	if s.scripts.client == nil {
		c := &client{srv: s, addr: "lua", fd: -1, authenticated: true, closed: make(chan struct{})}
		c.multi = &multiState{}
		c.flags = flagScript
		s.scripts.client = c
	}
	return s.scripts.client
}

// flagScript marks the script client (not a CLIENT LIST flag: it is never listed).
const flagScript = 1 << 30

// busyError is the -BUSY reply while a script is past busy-reply-threshold.
func (s *Server) busyError() string {
	if s.scripts.isEval {
		return errSlowEval
	}
	return errSlowScript
}

// scriptBusyRejects reports whether the gate must refuse cmd with -BUSY: a script is
// past busy-reply-threshold and cmd is not allowed then (SHUTDOWN only with NOSAVE).
func (s *Server) scriptBusyRejects(c *client, cmd *command) bool {
	if !s.scripts.busy || c == s.scripts.client {
		return false
	}
	if c.multi != nil && cmd.flags&cmdtable.FlagNoMulti != 0 {
		return false // refused by the MULTI gate first, as in Redis
	}
	if cmd.flags&cmdtable.FlagAllowBusy == 0 {
		return true
	}
	if cmd.name == "shutdown" {
		for _, a := range c.argv[1:] {
			if strings.EqualFold(string(a), "nosave") {
				return false
			}
		}
		return true
	}
	return false
}

// numkeysOrReply parses EVAL/FCALL's numkeys against the number of arguments left.
func (c *client) numkeysOrReply(i int) (int, bool) {
	n, ok := c.int64ArgOrReply(i)
	if !ok {
		return 0, false
	}
	if n > int64(len(c.argv)-i-1) {
		c.addError("ERR Number of keys can't be greater than number of args")
		return 0, false
	}
	if n < 0 {
		c.addError("ERR Number of keys can't be negative")
		return 0, false
	}
	return int(n), true
}

// EVAL script numkeys [key ...] [arg ...]
func evalCommand(c *client) { c.evalGeneric(false, false) }

// EVALSHA sha1 numkeys [key ...] [arg ...]
func evalshaCommand(c *client) { c.evalGeneric(true, false) }

// EVAL_RO script numkeys [key ...] [arg ...]
func evalRoCommand(c *client) { c.evalGeneric(false, true) }

// EVALSHA_RO sha1 numkeys [key ...] [arg ...]
func evalshaRoCommand(c *client) { c.evalGeneric(true, true) }

func (c *client) evalGeneric(bySHA, ro bool) {
	s := c.srv
	s.feedScriptMonitors(c)
	numkeys, ok := c.numkeysOrReply(2)
	if !ok {
		return
	}
	eng := s.evalEngine()
	var sc *script.Script
	if bySHA {
		if sc = eng.Lookup(c.argv[1]); sc == nil {
			c.addError(errNoScript)
			return
		}
	} else {
		var msg string
		if sc, msg = eng.Load(c.argv[1]); sc == nil {
			c.addError(msg)
			return
		}
	}
	// One Run serves every EVAL: scripts do not nest, and no other EVAL starts while
	// one is busy (-BUSY).
	run := &s.scripts.evalRun
	*run = script.Run{Name: sc.SHA, Flags: sc.Flags, Resp: 2, Repl: script.ReplAll}
	if !c.prepareScriptRun(run, ro) {
		return
	}
	keys := c.argv[3 : 3+numkeys]
	args := c.argv[3+numkeys:]
	s.runScript(c, run, true, func() { eng.RunScript(run, sc, keys, args, &c.w) })
}

// feedScriptMonitors shows EVAL and FCALL to MONITOR before they run, so that the
// commands of the script follow them (their table flags say skip_monitor so that call
// does not show them again after).
func (s *Server) feedScriptMonitors(c *client) {
	if len(s.monitors) > 0 {
		s.feedMonitors(c, c.argv, time.Now())
	}
}

// prepareScriptRun is scriptPrepareForRun's flag checks: a script that may write
// cannot run from a _RO command; no-writes and _RO make it read-only.
func (c *client) prepareScriptRun(run *script.Run, ro bool) bool {
	if run.Flags&script.FlagEvalCompat == 0 {
		if ro && run.Flags&script.FlagNoWrites == 0 {
			c.addError(errROScript)
			return false
		}
	}
	run.ReadOnly = ro || run.Flags&script.FlagNoWrites != 0
	return true
}

// runScript runs body as the running script of caller c, with the bookkeeping
// SCRIPT KILL, FUNCTION STATS and -BUSY need. body writes the reply to c.w.
func (s *Server) runScript(c *client, run *script.Run, isEval bool, body func()) {
	st := &s.scripts
	st.run, st.caller, st.isEval = run, c, isEval
	st.argv = c.argv
	// The executor's time snapshot (set by call, which runs this command): no clock
	// read of its own.
	st.start = s.clockBase.Add(s.clockLast)
	sc := s.scriptClient()
	sc.db = c.db
	savedCmd := c.cmd
	defer func() {
		if st.busy {
			s.log.Warn("Slow script finished", "duration_ms", time.Since(st.start).Milliseconds())
		}
		st.run, st.caller, st.argv, st.busy = nil, nil, nil, false
		s.current = c
		c.cmd = savedCmd
	}()
	body()
}

// Call implements script.Host: Redis's scriptCall. The checks come first, in Redis's
// order and with its texts; then the command runs through s.call as the script
// client, so statistics, the slow log, MONITOR and (later) propagation see it.
func (h scriptHost) Call(r *script.Run, argv [][]byte) ([]byte, string) {
	s := h.s
	cmd, unknownSub := s.lookupCommand(argv)
	if cmd == nil || unknownSub {
		return nil, "Unknown Redis command called from script"
	}
	if (cmd.arity > 0 && len(argv) != cmd.arity) || len(argv) < -cmd.arity {
		cmd.rejectedCalls++
		return nil, "Wrong number of args calling Redis command from script"
	}
	if cmd.flags&cmdtable.FlagNoscript != 0 {
		cmd.rejectedCalls++
		return nil, "This Redis command is not allowed from script"
	}
	if cmd.flags&cmdtable.FlagWrite != 0 {
		if r.ReadOnly {
			cmd.rejectedCalls++
			return nil, "Write commands are not allowed from read-only scripts."
		}
		r.WriteDirty = true
	}
	sc := s.scriptClient()
	sc.argv = argv
	sc.w.B = sc.w.B[:0]
	sc.w.Proto = r.Resp
	s.call(sc, cmd)
	sc.argv = nil
	if caller := s.scripts.caller; caller != nil {
		s.current = caller
	}
	return sc.w.B, ""
}

// CheckACL implements script.Host (redis.acl_check_cmd): every existing command is
// allowed, as for the default user.
func (h scriptHost) CheckACL(r *script.Run, argv [][]byte) (bool, string) {
	cmd, unknownSub := h.s.lookupCommand(argv)
	if cmd == nil || unknownSub {
		return false, "Invalid command passed to redis.acl_check_cmd()"
	}
	return true, ""
}

// Log implements script.Host (redis.log).
func (h scriptHost) Log(level int, msg string) {
	switch level {
	case script.LogDebug:
		h.s.log.Debug(msg)
	case script.LogVerbose, script.LogNotice:
		h.s.log.Info(msg)
	default:
		h.s.log.Warn(msg)
	}
}

// CountError implements script.Host.
func (h scriptHost) CountError(msg string) { h.s.stats.countError(msg) }

// Tick implements script.Host: past busy-reply-threshold the server is busy, and the
// executor lock is released for a moment so that waiting clients get -BUSY (or run
// SCRIPT KILL). Called with the lock held, returns with it held.
func (h scriptHost) Tick(r *script.Run) {
	s := h.s
	st := &s.scripts
	if st.run != r {
		return // FUNCTION LOAD
	}
	limit := time.Duration(s.cfg.BusyReplyThreshold) * time.Millisecond
	if limit <= 0 || time.Since(st.start) < limit {
		return
	}
	if !st.busy {
		st.busy = true
		s.log.Warn("Slow script detected: still in execution after " +
			strconv.FormatInt(time.Since(st.start).Milliseconds(), 10) + " milliseconds. You can try killing the script using the SCRIPT KILL command.")
	}
	// The clients served by the same I/O loop as the script's must get their -BUSY
	// too: the script's client leaves the loop to another goroutine.
	owner := s.batchClient
	owner.detach()
	current := s.current
	s.current = nil // the commands of other clients run at the top level meanwhile
	s.mu.Unlock()
	runtime.Gosched()
	s.mu.Lock()
	s.current = current
	s.batchClient = owner
}

// scriptInfo is what INFO memory reports of scripting: cached EVAL scripts and the
// bytes of their bodies, function libraries, functions and the bytes of their code.
type scriptInfo struct {
	cachedScripts, scriptBytes     int
	libraries, functions, libBytes int
}

// scriptMemoryInfo returns the scripting figures of INFO memory (used_memory_scripts_eval,
// number_of_cached_scripts, number_of_libraries, number_of_functions,
// used_memory_functions). Caller holds the executor lock.
func (s *Server) scriptMemoryInfo() scriptInfo {
	var si scriptInfo
	if e := s.scripts.eval; e != nil {
		si.cachedScripts, si.scriptBytes = e.NumScripts(), e.ScriptsMemory()
	}
	for _, lib := range s.scripts.functions.libraries {
		si.libraries++
		si.functions += len(lib.Functions)
		si.libBytes += len(lib.Code)
	}
	return si
}

// SCRIPT LOAD script
func scriptLoadCommand(c *client) {
	sc, msg := c.srv.evalEngine().Load(c.argv[2])
	if sc == nil {
		c.addError(msg)
		return
	}
	c.w.BulkString(sc.SHA)
}

// SCRIPT EXISTS sha1 [sha1 ...]
func scriptExistsCommand(c *client) {
	eng := c.srv.evalEngine()
	c.w.ArrayLen(len(c.argv) - 2)
	for _, sha := range c.argv[2:] {
		if eng.Lookup(sha) != nil {
			c.w.Int(1)
		} else {
			c.w.Int(0)
		}
	}
}

// SCRIPT FLUSH [ASYNC|SYNC]
func scriptFlushCommand(c *client) {
	if len(c.argv) > 3 || (len(c.argv) == 3 && !c.argIs(2, "sync") && !c.argIs(2, "async")) {
		c.addError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	// A new interpreter, as Redis: the old one and its scripts are dropped.
	if e := c.srv.scripts.eval; e != nil {
		e.Close()
		c.srv.scripts.eval = nil
	}
	c.w.OK()
}

// SCRIPT KILL
func scriptKillCommand(c *client) { c.scriptKill(true) }

// scriptKill is Redis's scriptKill for SCRIPT KILL (eval) and FUNCTION KILL.
func (c *client) scriptKill(isEval bool) {
	st := &c.srv.scripts
	switch {
	case st.run == nil:
		c.addError("NOTBUSY No scripts in execution right now.")
	case st.run.WriteDirty:
		c.addError("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
	case isEval && !st.isEval:
		c.addError(errSlowScript)
	case !isEval && st.isEval:
		c.addError(errSlowEval)
	default:
		st.run.Killed = true
		c.w.OK()
	}
}

// stopScriptForShutdown stops a running script (SHUTDOWN NOSAVE while busy).
func (s *Server) stopScriptForShutdown() {
	if r := s.scripts.run; r != nil {
		r.Killed = true
	}
}

// SCRIPT DEBUG YES|SYNC|NO: the Lua debugger is not supported.
func scriptDebugCommand(c *client) {
	switch {
	case c.argIs(2, "no"):
		c.w.OK()
	case c.argIs(2, "yes"), c.argIs(2, "sync"):
		c.addError("ERR SCRIPT DEBUG is not supported by Cairn")
	default:
		c.addError("ERR Use SCRIPT DEBUG YES/SYNC/NO")
	}
}

// SCRIPT HELP
func scriptHelpCommand(c *client) { c.replyHelp("script") }
