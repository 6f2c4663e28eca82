package script

import (
	"context"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"cairn/internal/conv"
)

// The sandbox, as Redis 7.0.15 builds it:
//
//   - The globals scripts see are an empty table whose metatable's __index is the
//     real globals; the real globals' own __index raises "Script attempted to access
//     nonexistent global variable". Assigning to a global, or to a field of a library
//     table (string, math, redis, ...), raises "Attempt to modify a readonly table":
//     Lua 5.1 as Redis patches it has read-only tables, gopher-lua has not, so every
//     protected table is such an empty proxy, and the functions that would see
//     through it (rawget, rawset, next, pairs, getmetatable, setmetatable) are
//     replaced to act on the table it stands for.
//   - Only Redis's allow-list of globals exists: no os, io, print, require, load from
//     files, setfenv, getfenv, newproxy, debug.
//   - loadstring refuses precompiled chunks; tostring, tonumber, string.format and
//     math.random are replaced to behave as Lua 5.1 built with Redis.

const errReadonly = "Attempt to modify a readonly table"

// interrupt is the context gopher-lua checks before every instruction: Done is how a
// running script is interrupted (SCRIPT KILL) and how the host gets a Tick.
type interrupt struct {
	e      *Engine
	n      uint32
	closed chan struct{}
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (i *interrupt) reset() { i.n = 0 }

func (i *interrupt) Deadline() (time.Time, bool) { return time.Time{}, false }
func (i *interrupt) Value(any) any               { return nil }

// Done is called by the VM for every instruction; it must stay cheap. A nil channel
// never fires.
func (i *interrupt) Done() <-chan struct{} {
	r := i.e.run
	if r == nil {
		return nil
	}
	i.n++
	if i.n&(1<<14-1) == 0 {
		if e := i.e; !e.loadDeadline.IsZero() {
			if time.Now().After(e.loadDeadline) {
				r.Killed, r.loadTimeout = true, true
			}
		} else {
			e.host.Tick(r)
		}
	}
	if r.Killed {
		return closedChan
	}
	return nil
}

func (i *interrupt) Err() error { return context.Canceled }

// setupSandbox builds the globals, libraries and the redis table.
func (e *Engine) setupSandbox() {
	L := e.L
	// Standard libraries into the real globals.
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	e.globals = g

	// Remove what Redis does not allow.
	for _, name := range []string{"print", "dofile", "loadfile", "require", "module", "setfenv", "getfenv",
		"newproxy", "_GOPHER_LUA_VERSION", "_printregs", "package", "debug", "os", "io", "channel"} {
		g.RawSetString(name, lua.LNil)
	}
	// Replacements for Lua 5.1 behaviour.
	g.RawSetString("tostring", L.NewFunction(e.luaTostring))
	g.RawSetString("tonumber", L.NewFunction(luaTonumber))
	g.RawSetString("loadstring", L.NewFunction(e.luaLoadstring))
	g.RawSetString("load", L.NewFunction(e.luaLoad))
	g.RawSetString("rawget", L.NewFunction(e.luaRawget))
	g.RawSetString("rawset", L.NewFunction(e.luaRawset))
	g.RawSetString("next", L.NewFunction(e.luaNext))
	g.RawSetString("pairs", L.NewFunction(e.luaPairs))
	g.RawSetString("ipairs", L.NewFunction(e.luaIpairs))
	g.RawSetString("getmetatable", L.NewFunction(e.luaGetmetatable))
	g.RawSetString("setmetatable", L.NewFunction(e.luaSetmetatable))
	g.RawSetString("pcall", L.NewFunction(e.luaPcall))
	g.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int { L.Push(lua.LNumber(0)); return 1 }))
	g.RawSetString("unpack", L.NewFunction(e.luaUnpack))
	g.RawSetString("error", L.NewFunction(luaError))

	str := g.RawGetString("string").(*lua.LTable)
	str.RawSetString("format", L.NewFunction(e.luaFormat))
	str.RawSetString("gfind", str.RawGetString("gmatch"))
	// gopher-lua cannot dump bytecode; a chunk that looks like one is enough, since
	// loadstring refuses bytecode anyway.
	str.RawSetString("dump", L.NewFunction(func(L *lua.LState) int {
		L.CheckFunction(1)
		L.Push(lua.LString("\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00"))
		return 1
	}))
	tbl := g.RawGetString("table").(*lua.LTable)
	tbl.RawSetString("foreach", L.NewFunction(tableForeach))
	tbl.RawSetString("foreachi", L.NewFunction(tableForeachi))
	tbl.RawSetString("setn", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("'setn' is obsolete")
		return 0
	}))
	tbl.RawSetString("concat", L.NewFunction(e.tableConcat))
	m := g.RawGetString("math").(*lua.LTable)
	m.RawSetString("huge", lua.LNumber(math.Inf(1)))
	m.RawSetString("random", L.NewFunction(e.mathRandom))
	m.RawSetString("randomseed", L.NewFunction(e.mathRandomseed))
	m.RawSetString("max", L.NewFunction(mathMinMax("max", func(a, b float64) bool { return b > a })))
	m.RawSetString("min", L.NewFunction(mathMinMax("min", func(a, b float64) bool { return b < a })))
	tbl.RawSetString("insert", L.NewFunction(tableInsert))
	str.RawSetString("char", L.NewFunction(stringChar))
	// Go's collector does the work: "count" and "collect" report 0, "step" false.
	g.RawSetString("collectgarbage", L.NewFunction(func(L *lua.LState) int {
		if L.OptString(1, "collect") == "step" {
			L.Push(lua.LFalse)
			return 1
		}
		L.Push(lua.LNumber(0))
		return 1
	}))

	e.patchCoroutines(g.RawGetString("coroutine").(*lua.LTable))

	g.RawSetString("cjson", openCjson(L))
	g.RawSetString("cmsgpack", openCmsgpack(L))
	g.RawSetString("bit", openBit(L))
	g.RawSetString("struct", openStruct(L))
	g.RawSetString("redis", e.redisTable())

	e.handler = L.NewFunction(e.errorHandler)
	g.RawSetString("__redis__err__handler", e.handler)

	// Protect the libraries: every table in the globals becomes a read-only proxy.
	for _, name := range []string{"string", "table", "math", "coroutine", "cjson", "cmsgpack", "bit", "struct", "redis"} {
		if t, ok := g.RawGetString(name).(*lua.LTable); ok {
			g.RawSetString(name, e.protect(t, nil))
		}
	}
	// The string metatable: its __index is the (protected) string library.
	// gopher-lua reads it raw, so it stays a plain table; getmetatable('') shows a
	// read-only proxy of it.
	// (gopher-lua uses the string library itself as the metatable: give strings their
	// own, as Lua does.)
	sm := L.NewTable()
	sm.RawSetString("__index", g.RawGetString("string"))
	L.SetMetatable(lua.LString(""), sm)
	e.stringMeta = e.protect(sm, nil)
	str.RawSetString("__index", lua.LNil)

	// The globals: proxyG is _G; reads fall through to g, whose own metatable raises
	// on a missing name.
	gmt := L.NewTable()
	gmt.RawSetString("__index", L.NewFunction(globalIndex))
	g.Metatable = gmt
	e.proxyG = e.protect(g, nil)
	e.gmeta = e.proxyG.Metatable.(*lua.LTable)
	// What getmetatable(_G) shows: a read-only table with the __index function.
	shown := L.NewTable()
	shown.RawSetString("__index", gmt.RawGetString("__index"))
	e.metaOf[e.proxyG] = e.protect(shown, nil)
	g.RawSetString("_G", e.proxyG)
	L.G.Global = e.proxyG
	L.Env = e.proxyG
	// Functions (and so scripts) created from now on get proxyG as their environment.
	if e.kind == KindFunction {
		e.loadAPI = e.libraryAPI()
	}
}

// protect returns a read-only proxy for t: an empty table whose reads go to t and
// whose writes raise. shownMeta is what getmetatable returns for it (nil: none).
func (e *Engine) protect(t *lua.LTable, shownMeta *lua.LTable) *lua.LTable {
	L := e.L
	mt := L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(readonlyNewindex))
	// No hash part at all (nothing is ever stored in a proxy): a lookup in it returns
	// at once instead of hashing the name, which every global and library access of
	// a script does first.
	p := &lua.LTable{Metatable: mt}
	e.protected[p] = t
	if shownMeta != nil {
		e.metaOf[p] = shownMeta
	}
	return p
}

// real returns the table a proxy stands for, or t itself.
func (e *Engine) real(t *lua.LTable) *lua.LTable {
	if r, ok := e.protected[t]; ok {
		return r
	}
	return t
}

func readonlyNewindex(L *lua.LState) int {
	L.RaiseError(errReadonly)
	return 0
}

// globalIndex is the real globals' __index: reading a missing global is an error
// unless a C (Go) function does it.
func globalIndex(L *lua.LState) int {
	name := L.Get(2)
	if dbg, ok := L.GetStack(1); ok {
		L.GetInfo("S", dbg, lua.LNil) //nolint:errcheck
		if dbg.What != "G" {
			L.RaiseError("Script attempted to access nonexistent global variable '%s'", lvString(name))
		}
	}
	L.Push(lua.LNil)
	return 1
}

// errorHandler is __redis__err__handler: it turns the error into a table
// {err=..., source=..., line=...} naming where the script raised it.
func (e *Engine) errorHandler(L *lua.LState) int {
	obj := L.Get(1)
	var t *lua.LTable
	if e.run != nil && e.run.Killed {
		t = e.killedError(e.run)
	} else if tt, ok := obj.(*lua.LTable); ok {
		t = tt
	} else {
		t = L.NewTable()
		msg := e.tostring(obj)
		if _, ok := obj.(lua.LString); ok {
			msg = lua51Message(msg)
		}
		t.RawSetString("err", lua.LString("ERR "+msg))
	}
	if src, line := e.position(1); src != "" {
		t.RawSetString("source", lua.LString(src))
		t.RawSetString("line", lua.LNumber(line))
	}
	L.Push(t)
	return 1
}

// position is the source and current line of the Lua function at the given level
// (skipping one Go function, as Redis's handler skips a C function).
func (e *Engine) position(level int) (string, int) {
	L := e.L
	dbg, ok := L.GetStack(level)
	if !ok {
		return "", 0
	}
	L.GetInfo("Sl", dbg, lua.LNil) //nolint:errcheck
	if dbg.What == "G" {
		dbg, ok = L.GetStack(level + 1)
		if !ok {
			return "", 0
		}
		L.GetInfo("Sl", dbg, lua.LNil) //nolint:errcheck
	}
	if dbg.What == "G" || dbg.CurrentLine < 0 {
		return "", 0
	}
	return "@" + dbg.Source, dbg.CurrentLine
}

// tostring is Lua 5.1's tostring: numbers as "%.14g", tables and functions by address.
func (e *Engine) tostring(v lua.LValue) string {
	switch x := v.(type) {
	case lua.LNumber:
		return numberToString(float64(x))
	case lua.LString:
		return string(x)
	case *lua.LNilType:
		return "nil"
	case lua.LBool:
		if x {
			return "true"
		}
		return "false"
	case *lua.LTable:
		return "table: 0x" + strings.TrimPrefix(strings.TrimPrefix(x.String(), "table: "), "0x")
	case *lua.LFunction:
		if x.IsG {
			return "function: builtin: 0x" + strings.TrimPrefix(strings.TrimPrefix(x.String(), "function: "), "0x")
		}
		return "function: 0x" + strings.TrimPrefix(strings.TrimPrefix(x.String(), "function: "), "0x")
	}
	return v.String()
}

// numberToString is Lua 5.1's LUAI_NUMFFORMAT "%.14g", with glibc's inf/nan.
func numberToString(f float64) string {
	var buf [32]byte
	return string(appendNumber(buf[:0], f))
}

func appendNumber(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		// 0/0 on x86 is the negative default NaN; gopher-lua's constant folding makes a
		// positive one, so every NaN prints as Redis prints 0/0.
		return append(b, "-nan"...)
	case f == math.Trunc(f) && math.Abs(f) < 1e14:
		if f == 0 && math.Signbit(f) {
			return append(b, "-0"...)
		}
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', 14, 64)
}

// lvString is lua_tostring for error messages (numbers "%.14g").
func lvString(v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return numberToString(float64(n))
	}
	return v.String()
}

func (e *Engine) luaTostring(L *lua.LState) int {
	v := L.CheckAny(1)
	if fn, ok := L.GetMetaField(v, "__tostring").(*lua.LFunction); ok {
		L.Push(fn)
		L.Push(v)
		L.Call(1, 1)
		return 1
	}
	L.Push(lua.LString(e.tostring(v)))
	return 1
}

// luaTonumber is Lua 5.1's tonumber: strtod (decimal, hex, inf, nan, surrounding
// whitespace) in base 10, strtoul otherwise.
func luaTonumber(L *lua.LState) int {
	v := L.CheckAny(1)
	base := L.OptInt(2, 10)
	if base == 10 {
		switch x := v.(type) {
		case lua.LNumber:
			L.Push(x)
			return 1
		case lua.LString:
			if f, ok := str2number(string(x)); ok {
				L.Push(lua.LNumber(f))
				return 1
			}
		}
		L.Push(lua.LNil)
		return 1
	}
	if base < 2 || base > 36 {
		L.ArgError(2, "base out of range")
	}
	s := strings.TrimLeft(L.CheckString(1), " \t\n\v\f\r")
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if base == 16 && len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
	}
	var n uint64
	i := 0
	for ; i < len(s); i++ {
		d := digitVal(s[i])
		if d >= base {
			break
		}
		n = n*uint64(base) + uint64(d)
	}
	rest := strings.TrimLeft(s[i:], " \t\n\v\f\r")
	if i == 0 || rest != "" {
		L.Push(lua.LNil)
		return 1
	}
	f := float64(n)
	if neg {
		f = float64(-n) // strtoul negates in unsigned arithmetic
	}
	L.Push(lua.LNumber(f))
	return 1
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// str2number is Lua 5.1's luaO_str2d: strtod, or strtoul for a hex constant, with
// only whitespace after the number.
func str2number(s string) (float64, bool) {
	f, n, _ := conv.Strtod([]byte(s))
	if n == 0 {
		return 0, false
	}
	for _, c := range []byte(s[n:]) {
		if c != ' ' && (c < '\t' || c > '\r') {
			return 0, false
		}
	}
	return f, true
}

// luaLoadstring compiles a chunk from a string but refuses precompiled bytecode, as
// Redis's Lua does.
func (e *Engine) luaLoadstring(L *lua.LState) int {
	s := L.CheckString(1)
	name := L.OptString(2, s)
	if len(s) > 0 && s[0] == 27 {
		L.Push(lua.LNil)
		L.Push(lua.LString("bytecode loading is disabled"))
		return 2
	}
	fn, err := L.Load(strings.NewReader(s), chunkName(name))
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(compileError(err, []byte(s))))
		return 2
	}
	L.Push(fn)
	return 1
}

// chunkName is Lua 5.1's luaO_chunkid: "=name" and "@file" as given, a string chunk
// as [string "first line..."] within LUA_IDSIZE (60).
func chunkName(s string) string {
	if strings.HasPrefix(s, "=") {
		if len(s) > 60 {
			return s[1:60]
		}
		return s[1:]
	}
	if strings.HasPrefix(s, "@") {
		if len(s) > 60 {
			return "..." + s[len(s)-56:]
		}
		return s[1:]
	}
	n := strings.IndexAny(s, "\r\n")
	if n < 0 {
		n = len(s)
	}
	if n > 43 {
		n = 43
	}
	if n < len(s) {
		return `[string "` + s[:n] + `..."]`
	}
	return `[string "` + s + `"]`
}

// luaLoad is Lua 5.1's load(func [, chunkname]).
func (e *Engine) luaLoad(L *lua.LState) int {
	fn := L.CheckFunction(1)
	name := L.OptString(2, "=(load)")
	var sb strings.Builder
	for {
		L.Push(fn)
		L.Call(0, 1)
		v := L.Get(-1)
		L.Pop(1)
		if v == lua.LNil {
			break
		}
		s, ok := v.(lua.LString)
		if !ok {
			if n, isNum := v.(lua.LNumber); isNum {
				s = lua.LString(numberToString(float64(n)))
			} else {
				L.Push(lua.LNil)
				L.Push(lua.LString("reader function must return a string"))
				return 2
			}
		}
		if len(s) == 0 {
			break
		}
		sb.WriteString(string(s))
	}
	code := sb.String()
	if len(code) > 0 && code[0] == 27 {
		L.Push(lua.LNil)
		L.Push(lua.LString("bytecode loading is disabled"))
		return 2
	}
	f, err := L.Load(strings.NewReader(code), strings.TrimPrefix(name, "="))
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(compileError(err, []byte(code))))
		return 2
	}
	L.Push(f)
	return 1
}

func (e *Engine) luaRawget(L *lua.LState) int {
	t := e.real(L.CheckTable(1))
	L.Push(t.RawGet(L.CheckAny(2)))
	return 1
}

func (e *Engine) luaRawset(L *lua.LState) int {
	t := L.CheckTable(1)
	L.CheckAny(2)
	L.CheckAny(3)
	if _, ok := e.protected[t]; ok {
		L.Error(lua.LString(errReadonly), 0)
	}
	t.RawSet(L.Get(2), L.Get(3))
	L.Push(t)
	return 1
}

func (e *Engine) luaNext(L *lua.LState) int {
	t := e.real(L.CheckTable(1))
	k, v := t.Next(L.Get(2))
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

func (e *Engine) luaPairs(L *lua.LState) int {
	t := L.CheckTable(1)
	L.Push(L.NewFunction(e.luaNext))
	L.Push(t)
	L.Push(lua.LNil)
	return 3
}

func (e *Engine) luaIpairs(L *lua.LState) int {
	t := L.CheckTable(1)
	L.Push(L.NewFunction(func(L *lua.LState) int {
		i := L.CheckInt(2) + 1
		v := L.GetTable(L.Get(1), lua.LNumber(i))
		if v == lua.LNil {
			return 0
		}
		L.Push(lua.LNumber(i))
		L.Push(v)
		return 2
	}))
	L.Push(t)
	L.Push(lua.LNumber(0))
	return 3
}

func (e *Engine) luaUnpack(L *lua.LState) int {
	t := e.real(L.CheckTable(1))
	i := L.OptInt(2, 1)
	j := L.OptInt(3, t.Len())
	if i > j {
		return 0
	}
	if j-i >= 8000 {
		L.RaiseError("too many results to unpack")
	}
	for k := i; k <= j; k++ {
		L.Push(t.RawGetInt(k))
	}
	return j - i + 1
}

func (e *Engine) luaGetmetatable(L *lua.LState) int {
	v := L.CheckAny(1)
	if _, ok := v.(lua.LString); ok && e.stringMeta != nil {
		L.Push(e.stringMeta)
		return 1
	}
	if t, ok := v.(*lua.LTable); ok {
		if _, isProxy := e.protected[t]; isProxy {
			if m := e.metaOf[t]; m != nil {
				L.Push(m)
			} else {
				L.Push(lua.LNil)
			}
			return 1
		}
	}
	mt := L.GetMetatable(v)
	if mtt, ok := mt.(*lua.LTable); ok {
		if f := mtt.RawGetString("__metatable"); f != lua.LNil {
			L.Push(f)
			return 1
		}
	}
	L.Push(mt)
	return 1
}

func (e *Engine) luaSetmetatable(L *lua.LState) int {
	t := L.CheckTable(1)
	mt := L.Get(2)
	if _, ok := mt.(*lua.LTable); !ok && mt != lua.LNil {
		L.TypeError(2, lua.LTTable)
	}
	if _, ok := e.protected[t]; ok {
		L.Error(lua.LString(errReadonly), 0)
	}
	if old, ok := t.Metatable.(*lua.LTable); ok && old.RawGetString("__metatable") != lua.LNil {
		L.RaiseError("cannot change a protected metatable")
	}
	L.SetMetatable(t, mt)
	L.SetTop(1)
	return 1
}

// luaPcall is Redis 7.0's pcall: an error table {err=...} caught is returned as its
// err string.
func (e *Engine) luaPcall(L *lua.LState) int {
	L.CheckAny(1)
	nargs := L.GetTop() - 1
	if err := L.PCall(nargs, lua.MultRet, nil); err != nil {
		var obj lua.LValue = lua.LString(err.Error())
		if ae, ok := err.(*lua.ApiError); ok {
			obj = ae.Object
		}
		if t, ok := obj.(*lua.LTable); ok {
			if s := t.RawGetString("err"); s.Type() == lua.LTString || s.Type() == lua.LTNumber {
				obj = s
			}
		} else if s, ok := obj.(lua.LString); ok {
			obj = lua.LString(lua51Message(string(s)))
		}
		L.Push(lua.LFalse)
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

func tableForeach(L *lua.LState) int {
	t := L.CheckTable(1)
	f := L.CheckFunction(2)
	k, v := t.Next(lua.LNil)
	for k != lua.LNil {
		L.Push(f)
		L.Push(k)
		L.Push(v)
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
		k, v = t.Next(k)
	}
	return 0
}

func tableForeachi(L *lua.LState) int {
	t := L.CheckTable(1)
	f := L.CheckFunction(2)
	n := t.Len()
	for i := 1; i <= n; i++ {
		L.Push(f)
		L.Push(lua.LNumber(i))
		L.Push(t.RawGetInt(i))
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

// tableConcat is table.concat with numbers formatted "%.14g".
func (e *Engine) tableConcat(L *lua.LState) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	i := L.OptInt(3, 1)
	j := L.OptInt(4, t.Len())
	var b []byte
	for k := i; k <= j; k++ {
		switch v := t.RawGetInt(k).(type) {
		case lua.LString:
			b = append(b, v...)
		case lua.LNumber:
			b = appendNumber(b, float64(v))
		default:
			L.RaiseError("invalid value (%s) at index %d in table for 'concat'", v.Type().String(), k)
		}
		if k != j {
			b = append(b, sep...)
		}
	}
	L.Push(lua.LString(b))
	return 1
}

// rand48 is Redis's rand.c (drand48's generator), which math.random uses.
type rand48 struct{ x uint64 }

func (r *rand48) seed(s int32) { r.x = uint64(uint32(s))<<16 | 0x330E }

func (r *rand48) next() int32 {
	r.x = (0x5DEECE66D*r.x + 0xB) & (1<<48 - 1)
	return int32(r.x >> 17)
}

func (e *Engine) mathRandom(L *lua.LState) int {
	const max = math.MaxInt32
	r := float64(e.rand.next()%max) / float64(max)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := L.CheckInt(1)
		if u < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l, u := L.CheckInt(1), L.CheckInt(2)
		if l > u {
			L.ArgError(2, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (e *Engine) mathRandomseed(L *lua.LState) int {
	e.rand.seed(int32(L.CheckInt(1)))
	return 0
}

// luaError is Lua 5.1's error: a string or number message gets the position of the
// given level (1: the caller); no argument raises nil.
func luaError(L *lua.LState) int {
	v := L.Get(1)
	level := L.OptInt(2, 1)
	switch v.(type) {
	case lua.LString, lua.LNumber:
		if level > 0 {
			msg := lvString(v)
			if dbg, ok := L.GetStack(level); ok {
				L.GetInfo("Sl", dbg, lua.LNil) //nolint:errcheck
				if dbg.What != "G" && dbg.CurrentLine > 0 {
					msg = dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": " + msg
				}
			}
			v = lua.LString(msg)
		}
	}
	L.Error(v, 0)
	return 0
}

var (
	reBadArg  = regexp.MustCompile(`bad argument #(\d+) to ([^' ]+) \(`)
	reArith   = regexp.MustCompile(`cannot perform (?:add|sub|mul|div|mod|pow|unm) operation between (\w+) and (\w+)`)
	reConcat  = regexp.MustCompile(`cannot perform concat operation between (\w+) and (\w+)`)
	reIndex   = regexp.MustCompile(`attempt to index a non-table object\((\w+)\) with key '.*'$`)
	reCompare = regexp.MustCompile(`attempt to compare (\w+) with (\w+)$`)
)

// lua51Message rewrites gopher-lua's runtime error texts into Lua 5.1's where the
// information is there (Lua 5.1 also names the variable involved, "local 't'",
// which gopher-lua does not know).
func lua51Message(msg string) string {
	if !strings.Contains(msg, "bad argument") && !strings.Contains(msg, "cannot perform") && !strings.Contains(msg, "attempt to") {
		return msg
	}
	msg = reBadArg.ReplaceAllString(msg, "bad argument #$1 to '$2' (")
	msg = replaceFunc(reArith, msg, func(m []string) string {
		t := m[1]
		if t == "number" {
			t = m[2]
		}
		return "attempt to perform arithmetic on a " + t + " value"
	})
	msg = replaceFunc(reConcat, msg, func(m []string) string {
		t := m[1]
		if t == "number" || t == "string" {
			t = m[2]
		}
		return "attempt to concatenate a " + t + " value"
	})
	msg = replaceFunc(reIndex, msg, func(m []string) string { return "attempt to index a " + m[1] + " value" })
	msg = replaceFunc(reCompare, msg, func(m []string) string {
		if m[1] == m[2] {
			return "attempt to compare two " + m[1] + " values"
		}
		return m[0]
	})
	return msg
}

func replaceFunc(re *regexp.Regexp, s string, f func([]string) string) string {
	return re.ReplaceAllStringFunc(s, func(match string) string { return f(re.FindStringSubmatch(match)) })
}

// patchCoroutines makes the threads of coroutine.create and coroutine.wrap check the
// engine's interrupt too: gopher-lua gives a new thread a context derived from its
// parent's, which an interrupt that only reports through Done would never cancel, so
// a loop inside a coroutine could neither be killed nor let other clients get -BUSY.
func (e *Engine) patchCoroutines(co *lua.LTable) {
	L := e.L
	origCreate := co.RawGetString("create").(*lua.LFunction)
	origResume := co.RawGetString("resume").(*lua.LFunction)
	create := L.NewFunction(func(L *lua.LState) int {
		fn := L.CheckFunction(1)
		L.Push(origCreate)
		L.Push(fn)
		L.Call(1, 1)
		if th, ok := L.Get(-1).(*lua.LState); ok {
			th.SetContext(&e.intr)
		}
		return 1
	})
	co.RawSetString("create", create)
	origYield := co.RawGetString("yield").(*lua.LFunction)
	co.RawSetString("yield", L.NewFunction(func(L *lua.LState) int {
		if L.Parent == nil {
			L.Error(lua.LString("attempt to yield across metamethod/C-call boundary"), 0)
		}
		return origYield.GFunction(L)
	}))
	co.RawSetString("wrap", L.NewFunction(func(L *lua.LState) int {
		fn := L.CheckFunction(1)
		L.Push(create)
		L.Push(fn)
		L.Call(1, 1)
		th := L.Get(-1)
		L.Push(L.NewFunction(func(L *lua.LState) int {
			n := L.GetTop()
			L.Push(origResume)
			L.Push(th)
			for i := 1; i <= n; i++ {
				L.Push(L.Get(i))
			}
			L.Call(n+1, lua.MultRet)
			if L.Get(n+1) == lua.LFalse {
				errv := L.Get(n + 2)
				if msg, isStr := errv.(lua.LString); isStr {
					// auxwrap: the position of the caller, when it is a Lua function.
					if dbg, ok := L.GetStack(1); ok {
						L.GetInfo("Sl", dbg, lua.LNil) //nolint:errcheck
						if dbg.What != "G" && dbg.CurrentLine > 0 {
							errv = lua.LString(dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": " + string(msg))
						}
					}
				}
				L.Error(errv, 0)
			}
			return L.GetTop() - n - 1
		}))
		return 1
	}))
}

func mathMinMax(name string, better func(a, b float64) bool) lua.LGFunction {
	return func(L *lua.LState) int {
		m := float64(checkNumber(L, 1, name))
		for i := 2; i <= L.GetTop(); i++ {
			if v := float64(checkNumber(L, i, name)); better(m, v) {
				m = v
			}
		}
		L.Push(lua.LNumber(m))
		return 1
	}
}

// tableInsert is Lua 5.1's tinsert.
func tableInsert(L *lua.LState) int {
	t := L.CheckTable(1)
	e := t.Len() + 1
	switch L.GetTop() {
	case 2:
		t.RawSetInt(e, L.Get(2))
	case 3:
		pos := int(checkNumber(L, 2, "insert"))
		if pos > e {
			e = pos
		}
		for i := e; i > pos; i-- {
			t.RawSetInt(i, t.RawGetInt(i-1))
		}
		t.RawSetInt(pos, L.Get(3))
	default:
		L.RaiseError("wrong number of arguments to 'insert'")
	}
	return 0
}

// stringChar is Lua 5.1's str_char: every code must fit a byte.
func stringChar(L *lua.LState) int {
	n := L.GetTop()
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := int(checkNumber(L, i, "char"))
		if c < 0 || c > 255 {
			argError(L, i, "char", "invalid value")
		}
		b[i-1] = byte(c)
	}
	L.Push(lua.LString(b))
	return 1
}
