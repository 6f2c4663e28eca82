package script

import (
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"cairn/internal/conv"
)

// lua-cjson 2.1.0 as Redis embeds it: encode with "%.14g" numbers and "\/" escapes,
// sparse-array detection (ratio 2, safe 10), depth 1000; decode to tables with
// cjson.null for JSON null.

const cjsonMaxDepth = 1000

type cjsonState struct {
	null *lua.LUserData
}

func openCjson(L *lua.LState) *lua.LTable {
	st := &cjsonState{null: L.NewUserData()}
	t := L.NewTable()
	t.RawSetString("encode", L.NewFunction(st.encode))
	t.RawSetString("decode", L.NewFunction(st.decode))
	cfg := func(v lua.LValue) lua.LGFunction {
		return func(L *lua.LState) int { L.Push(v); return 1 }
	}
	t.RawSetString("encode_keep_buffer", L.NewFunction(cfg(lua.LTrue)))
	t.RawSetString("encode_max_depth", L.NewFunction(cfg(lua.LNumber(cjsonMaxDepth))))
	t.RawSetString("decode_max_depth", L.NewFunction(cfg(lua.LNumber(cjsonMaxDepth))))
	t.RawSetString("encode_number_precision", L.NewFunction(cfg(lua.LNumber(14))))
	t.RawSetString("encode_invalid_numbers", L.NewFunction(cfg(lua.LFalse)))
	t.RawSetString("decode_invalid_numbers", L.NewFunction(cfg(lua.LTrue)))
	t.RawSetString("encode_sparse_array", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LFalse)
		L.Push(lua.LNumber(2))
		L.Push(lua.LNumber(10))
		return 3
	}))
	t.RawSetString("new", L.NewFunction(func(L *lua.LState) int { L.Push(openCjson(L)); return 1 }))
	t.RawSetString("null", st.null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

func (st *cjsonState) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.ArgError(1, "expected 1 argument")
	}
	b := st.encodeValue(L, nil, L.Get(1), 0)
	L.Push(lua.LString(b))
	return 1
}

func (st *cjsonState) encodeValue(L *lua.LState, b []byte, v lua.LValue, depth int) []byte {
	switch x := v.(type) {
	case lua.LString:
		return appendJSONString(b, string(x))
	case lua.LNumber:
		f := float64(x)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			L.RaiseError("Cannot serialise number: must not be NaN or Inf")
		}
		return appendNumber(b, f)
	case lua.LBool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case *lua.LNilType:
		return append(b, "null"...)
	case *lua.LUserData:
		if x == st.null {
			return append(b, "null"...)
		}
	case *lua.LTable:
		depth++
		if depth > cjsonMaxDepth {
			L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		n := arrayLength(L, x)
		if n > 0 {
			b = append(b, '[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					b = append(b, ',')
				}
				b = st.encodeValue(L, b, x.RawGetInt(i), depth)
			}
			return append(b, ']')
		}
		b = append(b, '{')
		first := true
		k, val := x.Next(lua.LNil)
		for k != lua.LNil {
			if !first {
				b = append(b, ',')
			}
			first = false
			switch kk := k.(type) {
			case lua.LString:
				b = appendJSONString(b, string(kk))
			case lua.LNumber:
				b = append(b, '"')
				b = appendNumber(b, float64(kk))
				b = append(b, '"')
			default:
				L.RaiseError("Cannot serialise %s: table key must be a number or string", k.Type().String())
			}
			b = append(b, ':')
			b = st.encodeValue(L, b, val, depth)
			k, val = x.Next(k)
		}
		return append(b, '}')
	}
	L.RaiseError("Cannot serialise %s: type not supported", v.Type().String())
	return b
}

// arrayLength is lua_array_length: the array size when every key is a positive
// integer and the array is not excessively sparse; 0 for an object; raises for a
// too sparse array.
func arrayLength(L *lua.LState, t *lua.LTable) int {
	max, items := 0, 0
	k, _ := t.Next(lua.LNil)
	for k != lua.LNil {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) < 1 || float64(n) != math.Floor(float64(n)) {
			return -1
		}
		if int(n) > max {
			max = int(n)
		}
		items++
		k, _ = t.Next(k)
	}
	if max > 10 && max > items*2 {
		L.RaiseError("Cannot serialise table: excessively sparse array")
	}
	return max
}

func appendJSONString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '/':
			b = append(b, '\\', '/')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 || c == 0x7f {
				b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&15])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

// JSON decoding.

type jsonDecoder struct {
	L     *lua.LState
	st    *cjsonState
	s     string
	pos   int
	depth int

	tokStart int    // where the last token began
	errMsg   string // what an invalid token was, when more precise than "invalid token"
}

func (st *cjsonState) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.ArgError(1, "expected 1 argument")
	}
	d := &jsonDecoder{L: L, st: st, s: L.CheckString(1)}
	tok, v := d.next()
	val := d.value(tok, v)
	tok, _ = d.next()
	if tok != tokEnd {
		d.fail("the end", tok)
	}
	L.Push(val)
	return 1
}

const (
	tokObjBegin = iota
	tokObjEnd
	tokArrBegin
	tokArrEnd
	tokString
	tokNumber
	tokBoolean
	tokNull
	tokColon
	tokComma
	tokEnd
	tokWhitespace
	tokError
	tokUnknown
)

var tokNames = [...]string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "invalid token", "T_UNKNOWN"}

func (d *jsonDecoder) fail(expected string, tok int) {
	where := d.pos
	name := tokNames[tok]
	if d.errMsg != "" {
		name = d.errMsg
	}
	d.L.RaiseError("Expected %s but found %s at character %d", expected, name, where+1)
}

func (d *jsonDecoder) skipWS() {
	for d.pos < len(d.s) {
		switch d.s[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// next scans a token; d.tokStart is where it began.
func (d *jsonDecoder) next() (int, lua.LValue) {
	d.skipWS()
	d.tokStart = d.pos
	d.errMsg = ""
	if d.pos >= len(d.s) {
		return tokEnd, nil
	}
	c := d.s[d.pos]
	switch c {
	case '{':
		d.pos++
		return tokObjBegin, nil
	case '}':
		d.pos++
		return tokObjEnd, nil
	case '[':
		d.pos++
		return tokArrBegin, nil
	case ']':
		d.pos++
		return tokArrEnd, nil
	case ':':
		d.pos++
		return tokColon, nil
	case ',':
		d.pos++
		return tokComma, nil
	case '"':
		return d.str()
	}
	if c == '-' || (c >= '0' && c <= '9') || c == 'i' || c == 'I' || c == 'n' && (len(d.s)-d.pos < 4 || d.s[d.pos:d.pos+4] != "null") {
		f, n, _ := conv.Strtod([]byte(d.s[d.pos:]))
		if n > 0 {
			d.pos += n
			return tokNumber, lua.LNumber(f)
		}
	}
	for _, lit := range []struct {
		s   string
		tok int
		v   lua.LValue
	}{{"true", tokBoolean, lua.LTrue}, {"false", tokBoolean, lua.LFalse}, {"null", tokNull, nil}} {
		if len(d.s)-d.pos >= len(lit.s) && d.s[d.pos:d.pos+len(lit.s)] == lit.s {
			d.pos += len(lit.s)
			return lit.tok, lit.v
		}
	}
	return tokError, nil
}

func (d *jsonDecoder) str() (int, lua.LValue) {
	d.pos++ // opening quote
	var b []byte
	for {
		if d.pos >= len(d.s) {
			d.errMsg = "unexpected end of string"
			d.tokStart = d.pos
			return tokError, nil
		}
		c := d.s[d.pos]
		if c == '"' {
			d.pos++
			return tokString, lua.LString(b)
		}
		if c != '\\' {
			b = append(b, c)
			d.pos++
			continue
		}
		if d.pos+1 >= len(d.s) {
			d.errMsg = "invalid escape code"
			d.tokStart = d.pos
			return tokError, nil
		}
		esc := d.s[d.pos+1]
		switch esc {
		case '"', '\\', '/':
			b = append(b, esc)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, n := d.unicode(d.pos)
			if n == 0 {
				d.errMsg = "invalid unicode escape code"
				d.tokStart = d.pos
				return tokError, nil
			}
			b = appendUTF8(b, r)
			d.pos += n
			continue
		default:
			d.errMsg = "invalid escape code"
			d.tokStart = d.pos
			return tokError, nil
		}
		d.pos += 2
	}
}

func (d *jsonDecoder) unicode(at int) (rune, int) {
	hex4 := func(i int) (rune, bool) {
		if i+4 > len(d.s) {
			return 0, false
		}
		v, err := strconv.ParseUint(d.s[i:i+4], 16, 32)
		return rune(v), err == nil
	}
	r, ok := hex4(at + 2)
	if !ok {
		return 0, 0
	}
	if r >= 0xd800 && r <= 0xdbff {
		if at+12 <= len(d.s) && d.s[at+6] == '\\' && d.s[at+7] == 'u' {
			lo, ok := hex4(at + 8)
			if ok && lo >= 0xdc00 && lo <= 0xdfff {
				return (r-0xd800)<<10 + (lo - 0xdc00) + 0x10000, 12
			}
		}
		return 0, 0
	}
	if r >= 0xdc00 && r <= 0xdfff {
		return 0, 0
	}
	return r, 6
}

func appendUTF8(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(b, byte(r))
	case r < 0x800:
		return append(b, byte(0xc0|r>>6), byte(0x80|r&0x3f))
	case r < 0x10000:
		return append(b, byte(0xe0|r>>12), byte(0x80|(r>>6)&0x3f), byte(0x80|r&0x3f))
	}
	return append(b, byte(0xf0|r>>18), byte(0x80|(r>>12)&0x3f), byte(0x80|(r>>6)&0x3f), byte(0x80|r&0x3f))
}

func (d *jsonDecoder) value(tok int, v lua.LValue) lua.LValue {
	L := d.L
	switch tok {
	case tokString, tokNumber, tokBoolean:
		return v
	case tokNull:
		return d.st.null
	case tokObjBegin:
		d.depth++
		if d.depth > cjsonMaxDepth {
			L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, d.tokStart+1)
		}
		t := L.NewTable()
		tok, v = d.next()
		if tok == tokObjEnd {
			d.depth--
			return t
		}
		for {
			if tok != tokString {
				d.pos = d.tokStart
				d.fail("object key string", tok)
			}
			key := v
			tok, _ = d.next()
			if tok != tokColon {
				d.pos = d.tokStart
				d.fail("colon", tok)
			}
			tok, v = d.next()
			t.RawSet(key, d.value(tok, v))
			tok, _ = d.next()
			if tok == tokObjEnd {
				d.depth--
				return t
			}
			if tok != tokComma {
				d.pos = d.tokStart
				d.fail("comma or object end", tok)
			}
			tok, v = d.next()
		}
	case tokArrBegin:
		d.depth++
		if d.depth > cjsonMaxDepth {
			L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, d.tokStart+1)
		}
		t := L.NewTable()
		tok, v = d.next()
		if tok == tokArrEnd {
			d.depth--
			return t
		}
		for i := 1; ; i++ {
			t.RawSetInt(i, d.value(tok, v))
			tok, _ = d.next()
			if tok == tokArrEnd {
				d.depth--
				return t
			}
			if tok != tokComma {
				d.pos = d.tokStart
				d.fail("comma or array end", tok)
			}
			tok, v = d.next()
		}
	}
	d.pos = d.tokStart
	d.fail("value", tok)
	return lua.LNil
}
