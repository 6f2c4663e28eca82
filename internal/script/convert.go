package script

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"cairn/internal/conv"
	"cairn/internal/resp"
)

// Conversions between Redis replies and Lua values, as script_lua.c does them.
//
// Reply to Lua (redisProtocolToLuaType), for redis.call's result:
//
//	integer -> number          bulk -> string            null bulk/array (RESP2) -> false
//	status  -> {ok=s}          error -> {err=s}          array -> table
//	RESP3 only: null -> nil, boolean -> boolean, double -> {double=n},
//	map -> {map={k=v}}, set -> {set={m=true}}, big number -> {big_number=s},
//	verbatim -> {verbatim_string={format=f, string=s}}; attributes are skipped.
//
// Lua to reply (luaReplyToRedisReply), for the script's result:
//
//	string -> bulk; number -> integer (truncated); boolean true -> 1 (#t once the
//	script chose RESP3), false -> null (#f under RESP3); table -> error ({err=}),
//	status ({ok=}), double ({double=}), big number, verbatim, map, set, or an array
//	that stops at the first nil; anything else -> null.

// appendDouble17 formats a number argument of redis.call: "%.17g".
func appendDouble17(b []byte, f float64) []byte {
	if math.IsNaN(f) {
		return append(b, "-nan"...)
	}
	return conv.FormatDouble(b, f)
}

// parseReply converts one RESP reply to a Lua value. isErr reports an error reply.
func (e *Engine) parseReply(reply []byte, proto int) (v lua.LValue, isErr bool) {
	p := replyParser{e: e, b: reply}
	v = p.value()
	return v, len(reply) > 0 && reply[0] == '-'
}

type replyParser struct {
	e   *Engine
	b   []byte
	pos int
}

func (p *replyParser) line() []byte {
	start := p.pos
	for p.pos+1 < len(p.b) && !(p.b[p.pos] == '\r' && p.b[p.pos+1] == '\n') {
		p.pos++
	}
	l := p.b[start:p.pos]
	p.pos += 2
	return l
}

func (p *replyParser) value() lua.LValue {
	L := p.e.L
	if p.pos >= len(p.b) {
		return lua.LNil
	}
	t := p.b[p.pos]
	p.pos++
	l := p.line()
	switch t {
	case ':':
		n, _ := strconv.ParseInt(string(l), 10, 64)
		return lua.LNumber(n)
	case '$':
		n, _ := strconv.Atoi(string(l))
		if n < 0 {
			return lua.LFalse
		}
		s := p.b[p.pos : p.pos+n]
		p.pos += n + 2
		return lua.LString(s)
	case '+':
		return p.e.statusTable(l)
	case '-':
		return fieldTable(L, "err", lua.LString(l))
	case '*', '~', '>':
		n, _ := strconv.Atoi(string(l))
		if n < 0 {
			return lua.LFalse
		}
		tb := L.CreateTable(n, 0)
		if t == '~' {
			for i := 0; i < n; i++ {
				tb.RawSet(p.value(), lua.LTrue)
			}
			return fieldTable(L, "set", tb)
		}
		for i := 1; i <= n; i++ {
			tb.RawSetInt(i, p.value())
		}
		return tb
	case '%':
		n, _ := strconv.Atoi(string(l))
		tb := L.CreateTable(0, n)
		for i := 0; i < n; i++ {
			k := p.value()
			v := p.value()
			tb.RawSet(k, v)
		}
		return fieldTable(L, "map", tb)
	case '|':
		n, _ := strconv.Atoi(string(l))
		for i := 0; i < 2*n; i++ {
			p.value()
		}
		return p.value()
	case '_':
		return lua.LNil
	case '#':
		return lua.LBool(len(l) > 0 && l[0] == 't')
	case ',':
		f, _, _ := conv.Strtod(l)
		return fieldTable(L, "double", lua.LNumber(f))
	case '(':
		return fieldTable(L, "big_number", lua.LString(l))
	case '=':
		n, _ := strconv.Atoi(string(l))
		s := p.b[p.pos : p.pos+n]
		p.pos += n + 2
		vt := L.CreateTable(0, 2)
		if len(s) >= 4 {
			vt.RawSetString("format", lua.LString(s[:3]))
			vt.RawSetString("string", lua.LString(s[4:]))
		}
		return fieldTable(L, "verbatim_string", vt)
	}
	return lua.LNil
}

// luaOK is the value of {ok="OK"}, the reply of most writes, made once.
var luaOK lua.LValue = lua.LString("OK")

// statusTable is {ok=status} for a status reply. The EVAL engine reuses the tables
// of the previous runs (see okTables); the function engine cannot, since a library
// may keep what redis.call returned.
func (e *Engine) statusTable(status []byte) *lua.LTable {
	var v lua.LValue = luaOK
	if string(status) != "OK" {
		v = lua.LString(status)
	}
	if e.kind != KindEval {
		return fieldTable(e.L, "ok", v)
	}
	if e.okUsed < len(e.okTables) {
		p := &e.okTables[e.okUsed]
		e.okUsed++
		if p.uses < maxOKTableUses && onlyField(p.t, "ok") {
			p.uses++
			p.t.RawSetString("ok", v)
		} else {
			*p = pooledTable{t: fieldTable(e.L, "ok", v)}
		}
		return p.t
	}
	t := fieldTable(e.L, "ok", v)
	if len(e.okTables) < maxOKTables {
		e.okTables = append(e.okTables, pooledTable{t: t})
		e.okUsed++
	}
	return t
}

// pooledTable is a reply table the EVAL engine reuses, and how often it has been.
type pooledTable struct {
	t    *lua.LTable
	uses int
}

// Bounds of the status table reuse: how many tables an EVAL engine keeps, and how
// many runs reuse one. A script can leave a table slower to check than a new one
// (gopher-lua keeps the keys a script set and removed, and next steps over them
// all), so none lives long.
const (
	maxOKTables    = 64
	maxOKTableUses = 256
)

// onlyField reports whether t is a plain table whose only key is key, so that setting
// key makes it the same as a new {key=v}. It also cuts the nils a script may have
// left at the end of t's array part.
func onlyField(t *lua.LTable, key string) bool {
	if t.Metatable != lua.LNil || !trimArray(t) {
		return false
	}
	k, _ := t.Next(lua.LNil)
	if s, ok := k.(lua.LString); !ok || string(s) != key {
		return false
	}
	next, _ := t.Next(k)
	return next == lua.LNil
}

// fieldTable makes the table {key=v}, sized for its one field (LState.NewTable makes
// room for 32 array items and 32 fields).
func fieldTable(L *lua.LState, key string, v lua.LValue) *lua.LTable {
	t := L.CreateTable(0, 1)
	t.RawSetString(key, v)
	return t
}

// toRESP writes v as the script's reply (luaReplyToRedisReply).
func (e *Engine) toRESP(r *Run, v lua.LValue, w *resp.Writer, depth int) {
	switch x := v.(type) {
	case lua.LString:
		w.BulkString(string(x))
	case lua.LBool:
		if r.Resp == 2 {
			if x {
				w.Int(1)
			} else {
				w.Null()
			}
		} else {
			w.Bool(bool(x))
		}
	case lua.LNumber:
		w.Int(luaToInt64(float64(x)))
	case *lua.LTable:
		e.tableToRESP(r, x, w, depth)
	default:
		w.Null()
	}
}

// luaToInt64 is C's (long long) cast of a double on x86-64: out of range and NaN give
// INT64_MIN.
func luaToInt64(f float64) int64 {
	if math.IsNaN(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

func (e *Engine) tableToRESP(r *Run, t *lua.LTable, w *resp.Writer, depth int) {
	if depth > 1000 {
		e.replyError(r, errorTable(e.L, "reached lua stack limit"), w, false)
		return
	}
	if t.Metatable != lua.LNil {
		t = e.real(t) // a read-only proxy (always has a metatable) stands for its table
	}
	if _, ok := t.RawGetString("err").(lua.LString); ok {
		e.replyError(r, t, w, false)
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.SimpleString(mapCRLF(string(s)))
		return
	}
	if n, ok := t.RawGetString("double").(lua.LNumber); ok {
		w.Double(float64(n))
		return
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		w.BigNumber(mapCRLF(string(s)))
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		f, ok1 := luaString(vt.RawGetString("format"))
		s, ok2 := luaString(vt.RawGetString("string"))
		if ok1 && ok2 {
			w.Verbatim(s, f)
			return
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		d := w.DeferLen()
		n := 0
		m.ForEach(func(k, v lua.LValue) {
			e.toRESP(r, k, w, depth+1)
			e.toRESP(r, v, w, depth+1)
			n++
		})
		w.SetMapLen(d, n)
		return
	}
	if m, ok := t.RawGetString("set").(*lua.LTable); ok {
		d := w.DeferLen()
		n := 0
		m.ForEach(func(k, v lua.LValue) {
			e.toRESP(r, k, w, depth+1)
			n++
		})
		w.SetSetLen(d, n)
		return
	}
	d := w.DeferLen()
	n := 0
	for {
		v := t.RawGetInt(n + 1)
		if v == lua.LNil {
			break
		}
		e.toRESP(r, v, w, depth+1)
		n++
	}
	w.SetArrayLen(d, n)
}

// luaString is lua_isstring + lua_tostring: strings, and numbers as "%.14g".
func luaString(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return numberToString(float64(x)), true
	}
	return "", false
}

func mapCRLF(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return ' '
			}
			return r
		}, s)
	}
	return s
}
