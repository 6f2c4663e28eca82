package script

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The redis table scripts see (script_lua.c).

// versionNum is REDIS_VERSION_NUM of 7.0.15.
const (
	redisVersion    = "7.0.15"
	redisVersionNum = 0x07000f
)

func (e *Engine) redisTable() *lua.LTable {
	L := e.L
	t := L.NewTable()
	set := func(name string, fn lua.LGFunction) { t.RawSetString(name, L.NewFunction(fn)) }
	set("call", func(L *lua.LState) int { return e.redisCall(L, true) })
	set("pcall", func(L *lua.LState) int { return e.redisCall(L, false) })
	set("error_reply", redisErrorReply)
	set("status_reply", redisStatusReply)
	set("sha1hex", redisSha1hex)
	set("log", e.redisLog)
	set("setresp", e.redisSetresp)
	set("set_repl", e.redisSetRepl)
	set("replicate_commands", func(L *lua.LState) int { L.Push(lua.LTrue); return 1 })
	set("breakpoint", func(L *lua.LState) int { L.Push(lua.LFalse); return 1 })
	set("debug", func(L *lua.LState) int { return 0 })
	set("acl_check_cmd", e.redisACLCheck)
	e.setConstants(t)
	return t
}

func (e *Engine) setConstants(t *lua.LTable) {
	for name, v := range map[string]int{
		"LOG_DEBUG": LogDebug, "LOG_VERBOSE": LogVerbose, "LOG_NOTICE": LogNotice, "LOG_WARNING": LogWarning,
	} {
		t.RawSetString(name, lua.LNumber(v))
	}
	for name, v := range map[string]int{
		"REPL_NONE": ReplNone, "REPL_AOF": ReplAOF, "REPL_SLAVE": ReplReplica, "REPL_REPLICA": ReplReplica, "REPL_ALL": ReplAll,
	} {
		t.RawSetString(name, lua.LNumber(v))
	}
	t.RawSetString("REDIS_VERSION", lua.LString(redisVersion))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(redisVersionNum))
}

// pushError raises (or returns) Redis's error table for msg, in luaPushError's two
// forms: "-CODE text" or plain text (code ERR).
func errorTable(L *lua.LState, msg string) *lua.LTable {
	var code, text string
	if strings.HasPrefix(msg, "-") {
		if i := strings.IndexByte(msg, ' '); i >= 0 {
			code, text = msg[1:i], msg[i+1:]
		} else {
			code, text = "ERR", msg[1:]
		}
	} else {
		code, text = "ERR", msg
	}
	text = strings.Trim(text, "\r\n")
	t := L.NewTable()
	t.RawSetString("err", lua.LString(code+" "+text))
	return t
}

func raise(L *lua.LState, msg string) int {
	L.Error(errorTable(L, msg), 0)
	return 0
}

// callArgv converts redis.call's arguments into e's scratch argv: strings as they
// are, numbers "%.17g". The result is valid until the next call (Host.Call does not
// keep it: commands copy what they store).
func (e *Engine) callArgv(L *lua.LState) ([][]byte, string) {
	n := L.GetTop()
	if n == 0 {
		return nil, "Please specify at least one argument for this redis lib call"
	}
	buf := e.argBuf[:0]
	ends := e.argEnds[:0]
	for i := 1; i <= n; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			buf = append(buf, v...)
		case lua.LNumber:
			buf = appendDouble17(buf, float64(v))
		default:
			return nil, "Lua redis lib command arguments must be strings or integers"
		}
		ends = append(ends, len(buf))
	}
	argv := e.argv[:0]
	start := 0
	for _, end := range ends {
		argv = append(argv, buf[start:end:end])
		start = end
	}
	if cap(buf) <= 1<<20 {
		e.argBuf, e.argEnds, e.argv = buf, ends, argv
	} else {
		e.argBuf = nil
	}
	return argv, ""
}

// redisCall is redis.call (raise=true) and redis.pcall.
func (e *Engine) redisCall(L *lua.LState, raiseErr bool) int {
	r := e.run
	if r == nil {
		return raise(L, "redis.call/pcall can only be called inside a script invocation")
	}
	argv, msg := e.callArgv(L)
	L.SetTop(0)
	if msg != "" {
		if raiseErr {
			return raise(L, msg)
		}
		L.Push(errorTable(L, msg))
		return 1
	}
	reply, refused := e.host.Call(r, argv)
	if refused != "" {
		// Counted in errorstats now, not again when the script replies with it.
		t := errorTable(L, refused)
		e.host.CountError(string(t.RawGetString("err").(lua.LString)))
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
		if raiseErr {
			L.Error(t, 0)
			return 0
		}
		L.Push(t)
		return 1
	}
	v, isErr := e.parseReply(reply, r.Resp)
	if isErr {
		// The command counted its error already.
		if t, ok := v.(*lua.LTable); ok {
			t.RawSetString("ignore_error_stats_update", lua.LTrue)
		}
		if raiseErr {
			L.Error(v, 0)
			return 0
		}
	}
	L.Push(v)
	return 1
}

func redisErrorReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	s := string(L.Get(1).(lua.LString))
	if !strings.HasPrefix(s, "-") {
		s = "-" + s
	}
	L.Push(errorTable(L, s))
	return 1
}

func redisStatusReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	t := L.NewTable()
	t.RawSetString("ok", L.Get(1))
	L.Push(t)
	return 1
}

func redisSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		return raise(L, "wrong number of arguments")
	}
	var s string
	switch v := L.Get(1).(type) {
	case lua.LString:
		s = string(v)
	case lua.LNumber:
		s = numberToString(float64(v))
	}
	L.Push(lua.LString(SHA1Hex([]byte(s))))
	return 1
}

func (e *Engine) redisLog(L *lua.LState) int {
	n := L.GetTop()
	if n < 2 {
		return raise(L, "redis.log() requires two arguments or more.")
	}
	lv, ok := L.Get(1).(lua.LNumber)
	if !ok {
		return raise(L, "First argument must be a number (log level).")
	}
	level := int(lv)
	if level < LogDebug || level > LogWarning {
		return raise(L, "Invalid debug level.")
	}
	var b strings.Builder
	for i := 2; i <= n; i++ {
		if i > 2 {
			b.WriteByte(' ')
		}
		switch v := L.Get(i).(type) {
		case lua.LString:
			b.WriteString(string(v))
		case lua.LNumber:
			b.WriteString(numberToString(float64(v)))
		}
	}
	e.host.Log(level, b.String())
	return 0
}

func (e *Engine) redisSetresp(L *lua.LState) int {
	r := e.run
	if r == nil {
		return raise(L, "redis.setresp can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		return raise(L, "redis.setresp() requires one argument.")
	}
	n, ok := L.Get(1).(lua.LNumber)
	if !ok || (n != 2 && n != 3) {
		return raise(L, "RESP version must be 2 or 3.")
	}
	r.Resp = int(n)
	return 0
}

func (e *Engine) redisSetRepl(L *lua.LState) int {
	r := e.run
	if r == nil {
		return raise(L, "redis.set_repl can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		return raise(L, "redis.set_repl() requires one argument.")
	}
	n, ok := L.Get(1).(lua.LNumber)
	flags := int(n)
	if !ok || flags&^ReplAll != 0 {
		return raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	r.Repl = flags
	return 0
}

func (e *Engine) redisACLCheck(L *lua.LState) int {
	r := e.run
	if r == nil {
		return raise(L, "redis.acl_check_cmd can only be called inside a script invocation")
	}
	argv, msg := e.callArgv(L)
	if msg != "" {
		return raise(L, msg)
	}
	ok, errMsg := e.host.CheckACL(r, argv)
	if errMsg != "" {
		return raise(L, errMsg)
	}
	L.Push(lua.LBool(ok))
	return 1
}
