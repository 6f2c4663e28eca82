package script

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// lua-cmsgpack 0.4.0 as Redis embeds it.

const cmsgpackMaxNesting = 16

func openCmsgpack(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(mpPack))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int { return mpUnpackFull(L, 0, 0) }))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		return mpUnpackFull(L, 1, L.OptInt(2, 0))
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		return mpUnpackFull(L, L.CheckInt(2), L.OptInt(3, 0))
	}))
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

func mpPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		L.ArgError(0, "MessagePack pack needs input.")
	}
	var b []byte
	for i := 1; i <= n; i++ {
		b = mpEncode(b, L.Get(i), 0)
	}
	L.Push(lua.LString(b))
	return 1
}

func mpEncode(b []byte, v lua.LValue, level int) []byte {
	switch x := v.(type) {
	case lua.LString:
		return mpBytes(b, string(x))
	case lua.LBool:
		if x {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case lua.LNumber:
		f := float64(x)
		if !math.IsInf(f, 0) && !math.IsNaN(f) && f == float64(int64(f)) {
			return mpInt(b, int64(f))
		}
		if math.IsNaN(f) {
			f = math.Float64frombits(0xfff8000000000000) // x86's 0/0
		}
		if float64(float32(f)) == f {
			b = append(b, 0xca)
			return binary.BigEndian.AppendUint32(b, math.Float32bits(float32(f)))
		}
		b = append(b, 0xcb)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
	case *lua.LTable:
		if level >= cmsgpackMaxNesting {
			return append(b, 0xc0)
		}
		if n, ok := mpIsArray(x); ok {
			switch {
			case n <= 15:
				b = append(b, 0x90|byte(n))
			case n <= 0xffff:
				b = append(b, 0xdc, byte(n>>8), byte(n))
			default:
				b = append(b, 0xdd)
				b = binary.BigEndian.AppendUint32(b, uint32(n))
			}
			for i := 1; i <= n; i++ {
				b = mpEncode(b, x.RawGetInt(i), level+1)
			}
			return b
		}
		n := 0
		x.ForEach(func(lua.LValue, lua.LValue) { n++ })
		switch {
		case n <= 15:
			b = append(b, 0x80|byte(n))
		case n <= 0xffff:
			b = append(b, 0xde, byte(n>>8), byte(n))
		default:
			b = append(b, 0xdf)
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
		x.ForEach(func(k, val lua.LValue) {
			b = mpEncode(b, k, level+1)
			b = mpEncode(b, val, level+1)
		})
		return b
	}
	return append(b, 0xc0)
}

func mpIsArray(t *lua.LTable) (int, bool) {
	count, max := 0, 0
	ok := true
	t.ForEach(func(k, _ lua.LValue) {
		n, isNum := k.(lua.LNumber)
		if !isNum || n <= 0 || float64(n) != math.Trunc(float64(n)) {
			ok = false
			return
		}
		if int(n) > max {
			max = int(n)
		}
		count++
	})
	return max, ok && max == count
}

func mpBytes(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n <= 0xff:
		b = append(b, 0xd9, byte(n))
	case n <= 0xffff:
		b = append(b, 0xda, byte(n>>8), byte(n))
	default:
		b = append(b, 0xdb)
		b = binary.BigEndian.AppendUint32(b, uint32(n))
	}
	return append(b, s...)
}

func mpInt(b []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(b, byte(n))
		case n <= 0xff:
			return append(b, 0xcc, byte(n))
		case n <= 0xffff:
			return append(b, 0xcd, byte(n>>8), byte(n))
		case n <= 0xffffffff:
			b = append(b, 0xce)
			return binary.BigEndian.AppendUint32(b, uint32(n))
		}
		b = append(b, 0xcf)
		return binary.BigEndian.AppendUint64(b, uint64(n))
	}
	switch {
	case n >= -32:
		return append(b, byte(n))
	case n >= -128:
		return append(b, 0xd0, byte(n))
	case n >= -32768:
		return append(b, 0xd1, byte(n>>8), byte(n))
	case n >= -2147483648:
		b = append(b, 0xd2)
		return binary.BigEndian.AppendUint32(b, uint32(n))
	}
	b = append(b, 0xd3)
	return binary.BigEndian.AppendUint64(b, uint64(n))
}

type mpDecoder struct {
	L   *lua.LState
	s   string
	pos int
}

func (d *mpDecoder) need(n int) {
	if d.pos+n > len(d.s) {
		d.L.RaiseError("Missing bytes in input.")
	}
}

func (d *mpDecoder) u8() byte { d.need(1); c := d.s[d.pos]; d.pos++; return c }
func (d *mpDecoder) u16() uint16 {
	d.need(2)
	v := binary.BigEndian.Uint16([]byte(d.s[d.pos : d.pos+2]))
	d.pos += 2
	return v
}
func (d *mpDecoder) u32() uint32 {
	d.need(4)
	v := binary.BigEndian.Uint32([]byte(d.s[d.pos : d.pos+4]))
	d.pos += 4
	return v
}
func (d *mpDecoder) u64() uint64 {
	d.need(8)
	v := binary.BigEndian.Uint64([]byte(d.s[d.pos : d.pos+8]))
	d.pos += 8
	return v
}
func (d *mpDecoder) str(n int) lua.LValue {
	d.need(n)
	v := lua.LString(d.s[d.pos : d.pos+n])
	d.pos += n
	return v
}

func (d *mpDecoder) value() lua.LValue {
	L := d.L
	c := d.u8()
	switch {
	case c <= 0x7f:
		return lua.LNumber(c)
	case c >= 0xe0:
		return lua.LNumber(int8(c))
	case c&0xe0 == 0xa0:
		return d.str(int(c & 0x1f))
	case c&0xf0 == 0x90:
		return d.array(int(c & 0x0f))
	case c&0xf0 == 0x80:
		return d.mapN(int(c & 0x0f))
	}
	switch c {
	case 0xc0:
		return lua.LNil
	case 0xc2:
		return lua.LFalse
	case 0xc3:
		return lua.LTrue
	case 0xca:
		return lua.LNumber(math.Float32frombits(d.u32()))
	case 0xcb:
		return lua.LNumber(math.Float64frombits(d.u64()))
	case 0xcc:
		return lua.LNumber(d.u8())
	case 0xcd:
		return lua.LNumber(d.u16())
	case 0xce:
		return lua.LNumber(d.u32())
	case 0xcf:
		return lua.LNumber(float64(d.u64()))
	case 0xd0:
		return lua.LNumber(int8(d.u8()))
	case 0xd1:
		return lua.LNumber(int16(d.u16()))
	case 0xd2:
		return lua.LNumber(int32(d.u32()))
	case 0xd3:
		return lua.LNumber(float64(int64(d.u64())))
	case 0xc4, 0xd9:
		return d.str(int(d.u8()))
	case 0xc5, 0xda:
		return d.str(int(d.u16()))
	case 0xc6, 0xdb:
		return d.str(int(d.u32()))
	case 0xdc:
		return d.array(int(d.u16()))
	case 0xdd:
		return d.array(int(d.u32()))
	case 0xde:
		return d.mapN(int(d.u16()))
	case 0xdf:
		return d.mapN(int(d.u32()))
	}
	L.RaiseError("Bad data format in input.")
	return lua.LNil
}

func (d *mpDecoder) array(n int) lua.LValue {
	t := d.L.NewTable()
	for i := 1; i <= n; i++ {
		t.RawSetInt(i, d.value())
	}
	return t
}

func (d *mpDecoder) mapN(n int) lua.LValue {
	t := d.L.NewTable()
	for i := 0; i < n; i++ {
		k := d.value()
		v := d.value()
		if k != lua.LNil {
			t.RawSet(k, v)
		}
	}
	return t
}

// mpUnpackFull is mp_unpack_full: limit 0 decodes everything; with a limit (or an
// offset) the next offset (-1 at the end) comes first.
func mpUnpackFull(L *lua.LState, limit, offset int) int {
	s := L.CheckString(1)
	if offset < 0 || limit < 0 {
		L.RaiseError("Invalid request to unpack with offset of %d and limit of %d.", offset, limit)
	}
	if offset > len(s) {
		L.RaiseError("Start offset %d greater than input length %d.", offset, len(s))
	}
	d := &mpDecoder{L: L, s: s, pos: offset}
	var vals []lua.LValue
	for d.pos < len(s) && (limit == 0 || len(vals) < limit) {
		vals = append(vals, d.value())
	}
	if limit == 0 && offset == 0 {
		for _, v := range vals {
			L.Push(v)
		}
		return len(vals)
	}
	next := d.pos
	if next >= len(s) {
		next = -1
	}
	L.Push(lua.LNumber(next))
	for _, v := range vals {
		L.Push(v)
	}
	return len(vals) + 1
}
