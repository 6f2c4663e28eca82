package script

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"cairn/internal/resp"
)

func init() {
	// Redis compiles a script's body inside a function that is not vararg, so it has
	// no Lua 5.0 "arg" table; gopher-lua would build one on every call of the chunk.
	lua.CompatVarArg = false
}

// Kind selects what an Engine runs: EVAL scripts or FUNCTION libraries. Redis keeps
// one Lua interpreter for each.
type Kind int

const (
	KindEval Kind = iota
	KindFunction
)

// Host is what the server provides to scripts. Every method is called from the
// goroutine running the script, with the executor lock held.
type Host interface {
	// Call runs argv for redis.call / redis.pcall as the script client of run r, and
	// returns the command's reply, RESP-encoded for protocol r.Resp, valid until the
	// next Call. When the command is refused before it runs (unknown command, wrong
	// arity, a noscript command, a write in a read-only script, ...), refused holds
	// Redis's error text ("ERR ..." or "-CODE ...") and reply is nil.
	Call(r *Run, argv [][]byte) (reply []byte, refused string)
	// CheckACL answers redis.acl_check_cmd: ok=false and an error text when argv does
	// not name a command.
	CheckACL(r *Run, argv [][]byte) (allowed bool, err string)
	// Log writes a redis.log line at a Redis log level (LogDebug..LogWarning).
	Log(level int, msg string)
	// Tick is called about every 16k Lua instructions while a script runs: the host
	// checks for busy-reply-threshold and lets other clients in (they get -BUSY).
	Tick(r *Run)
	// CountError is told of each error reply a script sends (errorstats).
	CountError(msg string)
}

// Redis log levels, as redis.LOG_*.
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// Replication flags of redis.set_repl.
const (
	ReplNone    = 0
	ReplAOF     = 1
	ReplReplica = 2
	ReplAll     = ReplAOF | ReplReplica
)

// Run is one invocation of a script or function. The host creates it, passes it to
// Engine.Run and reads what the script set (Repl, WriteDirty is set by the host).
type Run struct {
	// Name is what error replies name after "script: ": the SHA1 of an EVAL script or
	// the name of a function.
	Name     string
	Flags    Flags // shebang or function flags
	ReadOnly bool  // EVAL_RO / FCALL_RO, or the no-writes flag
	// Resp is the protocol redis.call replies are parsed in (redis.setresp), 2 at first.
	Resp int
	// Repl is the redis.set_repl mask, ReplAll at first.
	Repl int
	// WriteDirty records that a write command ran: SCRIPT KILL then refuses. Set by the
	// host.
	WriteDirty bool
	// Killed is set by the host (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE) under the
	// executor lock while the script yields in Tick; the script stops at its next
	// instruction.
	Killed bool
	// loadTimeout: FUNCTION LOAD ran out of time (Killed is set too).
	loadTimeout bool
	// Data is the host's, untouched by the engine.
	Data any
}

// Script is a compiled EVAL script.
type Script struct {
	SHA   string // lower-case hex SHA1 of Body
	Body  []byte
	Flags Flags
	// HasShebang tells an old-style script (no #!) from one with flags: Redis applies
	// different defaults to each.
	HasShebang bool
	fn         *lua.LFunction
}

// Engine is one Lua interpreter with Redis's sandbox, libraries and the redis API. It
// is not safe for concurrent use: the server uses it under the executor lock.
type Engine struct {
	L    *lua.LState
	kind Kind
	host Host

	globals *lua.LTable // the real globals, behind the read-only proxy
	proxyG  *lua.LTable // the globals table scripts see (_G): empty, read-only
	gmeta   *lua.LTable // proxyG's metatable; __index is globals (or the load API)
	// protected maps each read-only proxy to the table it stands for.
	protected  map[*lua.LTable]*lua.LTable
	metaOf     map[*lua.LTable]*lua.LTable // proxy -> the metatable getmetatable shows
	handler    *lua.LFunction              // the error handler (__redis__err__handler)
	stringMeta *lua.LTable                 // what getmetatable("") shows
	intr       interrupt
	run        *Run
	rand       rand48

	scripts map[string]*Script // EVAL cache by SHA

	// KEYS and ARGV of the last EVAL, refilled by the next (see refillArray), and
	// scratch for their values.
	keysTable, argvTable *lua.LTable
	strs                 []lua.LValue
	// Status reply tables ({ok=...}) of the EVAL engine: every run reuses those of
	// the runs before (nothing a script makes survives it), okUsed of them so far.
	okTables []pooledTable
	okUsed   int

	// Scratch for redis.call's arguments, reused by every call.
	argBuf  []byte
	argEnds []int
	argv    [][]byte

	// Function engine: the library being loaded by LoadLibrary, and the load-time
	// globals.
	loading      *Library
	loadAPI      *lua.LTable
	loadDeadline time.Time // while a library loads: when it times out
}

// NewEngine makes an interpreter of the given kind.
func NewEngine(kind Kind, host Host) *Engine {
	// LUAI_MAXCALLS of Lua 5.1: 20000 nested calls; stacks grow as needed.
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 20000, MinimizeStackMemory: true, RegistrySize: 1024 * 4, RegistryMaxSize: 1024 * 1024, RegistryGrowStep: 1024})
	e := &Engine{
		L:         L,
		kind:      kind,
		host:      host,
		protected: make(map[*lua.LTable]*lua.LTable),
		metaOf:    make(map[*lua.LTable]*lua.LTable),
		scripts:   make(map[string]*Script),
	}
	e.rand.seed(0)
	e.intr.e = e
	e.setupSandbox()
	L.SetContext(&e.intr)
	return e
}

// Close releases the interpreter.
func (e *Engine) Close() { e.L.Close() }

// Running returns the run in progress, or nil.
func (e *Engine) Running() *Run { return e.run }

// SHA1Hex is redis.sha1hex and the EVAL cache key: the lower-case hex SHA1 of b.
func SHA1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// Lookup finds a cached script by SHA1 (any case); nil if absent.
func (e *Engine) Lookup(sha []byte) *Script {
	if len(sha) != 40 {
		return nil
	}
	var low [40]byte
	for i, c := range sha {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	return e.scripts[string(low[:])]
}

// NumScripts is the number of cached scripts.
func (e *Engine) NumScripts() int { return len(e.scripts) }

// ScriptsMemory estimates the memory of the cached script bodies.
func (e *Engine) ScriptsMemory() int {
	n := 0
	for _, s := range e.scripts {
		n += len(s.Body)
	}
	return n
}

// Load compiles body (an EVAL script) and caches it; a cached script is returned as
// is. The error is Redis's reply text.
func (e *Engine) Load(body []byte) (*Script, string) {
	sha := SHA1Hex(body)
	if s := e.scripts[sha]; s != nil {
		return s, ""
	}
	flags, code, shebang, errMsg := parseEvalShebang(body)
	if errMsg != "" {
		return nil, errMsg
	}
	fn, err := e.compile(code, "user_script")
	if err != "" {
		return nil, "ERR Error compiling script (new function): " + err
	}
	s := &Script{SHA: sha, Body: append([]byte(nil), body...), Flags: flags, HasShebang: shebang, fn: fn}
	e.scripts[sha] = s
	return s, ""
}

// compile loads code as a function named chunk ("user_script"). A shebang line was
// already blanked by the caller, keeping the line numbers.
func (e *Engine) compile(code []byte, chunk string) (*lua.LFunction, string) {
	fn, err := e.L.Load(strings.NewReader(string(code)), chunk)
	if err != nil {
		return nil, compileError(err, code)
	}
	return fn, ""
}

// RunScript runs a cached EVAL script with KEYS and ARGV and writes its reply to w.
func (e *Engine) RunScript(r *Run, s *Script, keys, args [][]byte, w *resp.Writer) {
	vals := e.luaStrings(keys, args)
	if t := refillArray(e.keysTable, vals[:len(keys)]); t != e.keysTable {
		e.keysTable = t
		e.globals.RawSetString("KEYS", t)
	}
	if t := refillArray(e.argvTable, vals[len(keys):]); t != e.argvTable {
		e.argvTable = t
		e.globals.RawSetString("ARGV", t)
	}
	clear(vals)
	e.okUsed = 0
	e.call(r, s.fn, w)
}

// call runs fn protected by the error handler and writes its result, or Redis's
// error reply, to w.
func (e *Engine) call(r *Run, fn *lua.LFunction, w *resp.Writer, args ...lua.LValue) {
	ret, errObj := e.pcall(r, fn, args...)
	if errObj != nil {
		e.replyError(r, errObj, w, true)
		return
	}
	e.toRESP(r, ret, w, 0)
}

// pcall runs fn with args as run r; it returns fn's first result, or the error object
// ({err=, source=, line=} from the error handler) when it raised.
func (e *Engine) pcall(r *Run, fn *lua.LFunction, args ...lua.LValue) (ret, errObj lua.LValue) {
	L := e.L
	if r.Resp == 0 {
		r.Resp = 2
	}
	e.run = r
	e.intr.reset()
	defer func() {
		e.run = nil
		L.SetTop(0)
	}()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), 1, e.handler)
	if err != nil {
		var obj lua.LValue = lua.LString(err.Error())
		var aerr *lua.ApiError
		if errors.As(err, &aerr) {
			obj = aerr.Object
		}
		if r.Killed {
			if t, ok := obj.(*lua.LTable); !ok || t.RawGetString("killed") == lua.LNil {
				obj = e.killedError(r)
			}
		} else if s, ok := obj.(lua.LString); ok && strings.Contains(string(s), "callstack overflow") {
			// gopher-lua cannot run the error handler on a full call stack, so the
			// position Lua 5.1 would give is lost.
			obj = lua.LString("stack overflow")
		}
		return nil, obj
	}
	return L.Get(-1), nil
}

// killedError is the error table of a script stopped by SCRIPT KILL, FUNCTION KILL or
// SHUTDOWN NOSAVE: Redis says SCRIPT KILL in every case.
func (e *Engine) killedError(r *Run) *lua.LTable {
	t := e.L.NewTable()
	if r.loadTimeout {
		t.RawSetString("err", lua.LString("ERR FUNCTION LOAD timeout"))
		t.RawSetString("killed", lua.LTrue)
		return t
	}
	t.RawSetString("err", lua.LString("ERR Script killed by user with SCRIPT KILL..."))
	t.RawSetString("killed", lua.LTrue)
	return t
}

// replyError writes the reply of a script that raised obj: Redis's luaCallFunction
// error path ("-<err> script: <name>, on <source>:<line>.").
func (e *Engine) replyError(r *Run, obj lua.LValue, w *resp.Writer, top bool) {
	var msg, source string
	line := 0
	ignoreStats := false
	switch v := obj.(type) {
	case *lua.LTable:
		if s, ok := v.RawGetString("err").(lua.LString); ok {
			msg = string(s)
		} else if n, ok := v.RawGetString("err").(lua.LNumber); ok {
			msg = numberToString(float64(n))
		} else {
			msg = "ERR unknown error"
		}
		if s, ok := v.RawGetString("source").(lua.LString); ok {
			source = string(s)
		}
		switch l := v.RawGetString("line").(type) {
		case lua.LNumber:
			line = int(l)
		case lua.LString:
			line, _ = strconv.Atoi(string(l))
		}
		if b, ok := v.RawGetString("ignore_error_stats_update").(lua.LBool); ok {
			ignoreStats = bool(b)
		}
	case lua.LString:
		msg = "ERR " + string(v)
	default:
		msg = "ERR " + e.tostring(obj)
	}
	text := msg
	if top && source != "" {
		text += " script: " + r.Name + ", on " + source + ":" + strconv.Itoa(line) + "."
	}
	text = errorText(text)
	w.Error(text)
	if !ignoreStats {
		e.host.CountError(text)
	}
}

// errorText is what addReplyErrorFormat("-%s") makes of msg: trailing CR/LF trimmed,
// inner ones become spaces (the writer does that), and an empty code gets none.
func errorText(msg string) string {
	return strings.TrimRight(msg, "\r\n")
}

// luaStrings returns keys and args as Lua strings, in e's scratch slice (clear it
// after use, not to keep the strings alive). They are copied, since Lua values may
// outlive the run (a function library's upvalues), into one string: one allocation
// for the bytes of all of them.
func (e *Engine) luaStrings(keys, args [][]byte) []lua.LValue {
	n := 0
	for _, it := range keys {
		n += len(it)
	}
	for _, it := range args {
		n += len(it)
	}
	var b strings.Builder
	b.Grow(n)
	for _, it := range keys {
		b.Write(it)
	}
	for _, it := range args {
		b.Write(it)
	}
	all := b.String()
	vals := e.strs[:0]
	for _, items := range [2][][]byte{keys, args} {
		for _, it := range items {
			vals = append(vals, lua.LString(all[:len(it)]))
			all = all[len(it):]
		}
	}
	e.strs = vals
	return vals
}

// newArray makes a Lua array of vals.
func newArray(vals []lua.LValue) *lua.LTable {
	t := lua.LTable{Metatable: lua.LNil}
	for i, v := range vals {
		t.RawSetInt(i+1, v)
	}
	return &t
}

// arrayEnd marks the end of the array part in refillArray; no script sees it.
var arrayEnd = &lua.LTable{Metatable: lua.LNil}

// trimArray cuts t's array part after its last non-nil element (a script that sets
// t[1000] = nil leaves 999 nils there, which every # would scan) and reports whether
// the array part is empty now.
func trimArray(t *lua.LTable) bool {
	// Append puts the marker right after the last non-nil element, and everything
	// after the marker is nil.
	t.Append(arrayEnd)
	for t.Remove(-1) != arrayEnd {
	}
	return t.MaxN() == 0
}

// refillArray makes t, the KEYS or ARGV of the previous EVAL, the array of vals and
// returns it, or a new table when t has a metatable or non-array keys (or is nil).
// Redis makes new tables for every run; reusing them is the same to scripts because
// nothing a script makes survives it (no globals can be set, the library tables are
// read-only, an EVAL body keeps no upvalues): whatever the last run put in or took
// out is undone here.
func refillArray(t *lua.LTable, vals []lua.LValue) *lua.LTable {
	if t == nil || t.Metatable != lua.LNil {
		return newArray(vals)
	}
	trimArray(t)
	n := t.MaxN()
	var k lua.LValue = lua.LNil
	if n > 0 {
		k = lua.LNumber(n)
	}
	if next, _ := t.Next(k); next != lua.LNil {
		return newArray(vals) // keys outside the array part
	}
	for ; n > len(vals); n-- {
		t.Remove(-1)
	}
	for i, v := range vals {
		t.RawSetInt(i+1, v)
	}
	return t
}

// compileError turns a gopher-lua compile error into Lua 5.1's "chunk:line: msg" form
// as far as it can.
func compileError(err error, code []byte) string {
	msg := err.Error()
	// gopher-lua: "<chunk> line:N(column:M) near 'tok':   syntax error\n"
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		if s, ok := ae.Object.(lua.LString); ok {
			msg = string(s)
		}
	}
	msg = strings.TrimSpace(msg)
	if i := strings.Index(msg, " at EOF:"); i > 0 {
		// Lua names the last line and the <eof> token.
		chunk := msg[:i]
		reason := strings.TrimSpace(msg[i+len(" at EOF:"):])
		switch reason {
		case "syntax error":
			reason = "unexpected symbol"
		case "unterminated string":
			reason = "unfinished string"
		}
		line := 1 + strings.Count(string(code), "\n")
		return chunk + ":" + strconv.Itoa(line) + ": " + reason + " near '<eof>'"
	}
	if i := strings.Index(msg, " line:"); i > 0 {
		chunk := msg[:i]
		rest := msg[i+len(" line:"):]
		j := strings.IndexByte(rest, '(')
		if j > 0 {
			lineNo := rest[:j]
			tail := rest[j:]
			near := ""
			if k := strings.Index(tail, "near '"); k >= 0 {
				nt := tail[k+len("near '"):]
				if m := strings.Index(nt, "'"); m >= 0 {
					tok := nt[:m]
					if tok == "EOF" {
						tok = "<eof>"
					}
					near = " near '" + tok + "'"
					tail = nt[m+1:]
				}
			} else if k := strings.Index(tail, ")"); k >= 0 {
				tail = tail[k+1:]
			}
			reason := strings.TrimSpace(strings.TrimLeft(tail, ":"))
			switch reason {
			case "syntax error", "":
				reason = "unexpected symbol"
			case "unterminated string":
				reason = "unfinished string"
			}
			return chunk + ":" + lineNo + ": " + reason + near
		}
	}
	return msg
}
