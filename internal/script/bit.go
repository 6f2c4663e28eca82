package script

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// LuaBitOp 1.0 (the "bit" library Redis embeds): 32-bit operations on numbers, results
// signed.

func openBit(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	fold := map[string]func(a, b uint32) uint32{
		"band": func(a, b uint32) uint32 { return a & b },
		"bor":  func(a, b uint32) uint32 { return a | b },
		"bxor": func(a, b uint32) uint32 { return a ^ b },
	}
	for name, op := range fold {
		t.RawSetString(name, L.NewFunction(bitFold(name, op)))
	}
	shift := map[string]func(a uint32, n uint) uint32{
		"lshift":  func(a uint32, n uint) uint32 { return a << n },
		"rshift":  func(a uint32, n uint) uint32 { return a >> n },
		"arshift": func(a uint32, n uint) uint32 { return uint32(int32(a) >> n) },
		"rol":     func(a uint32, n uint) uint32 { return a<<n | a>>(32-n) },
		"ror":     func(a uint32, n uint) uint32 { return a>>n | a<<(32-n) },
	}
	for name, op := range shift {
		t.RawSetString(name, L.NewFunction(bitShift(name, op)))
	}
	t.RawSetString("tobit", L.NewFunction(func(L *lua.LState) int { return pushBit(L, bitArg(L, 1, "tobit")) }))
	t.RawSetString("bnot", L.NewFunction(func(L *lua.LState) int { return pushBit(L, ^bitArg(L, 1, "bnot")) }))
	t.RawSetString("bswap", L.NewFunction(func(L *lua.LState) int {
		b := bitArg(L, 1, "bswap")
		return pushBit(L, b>>24|(b>>8)&0xff00|(b&0xff00)<<8|b<<24)
	}))
	t.RawSetString("tohex", L.NewFunction(bitTohex))
	return t
}

// bitArg is LuaBitOp's barg: the number normalised through 2^52+2^51 addition, i.e.
// rounded to an integer and taken modulo 2^32.
func bitArg(L *lua.LState, i int, fname string) uint32 {
	n := float64(checkNumber(L, i, fname))
	n += 6755399441055744.0 // 2^52 + 2^51
	return uint32(math.Float64bits(n))
}

func pushBit(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(int32(b)))
	return 1
}

func bitFold(name string, op func(a, b uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1, name)
		for i := 2; i <= L.GetTop(); i++ {
			b = op(b, bitArg(L, i, name))
		}
		return pushBit(L, b)
	}
}

func bitShift(name string, op func(a uint32, n uint) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1, name)
		n := uint(bitArg(L, 2, name) & 31)
		return pushBit(L, op(b, n))
	}
}

func bitTohex(L *lua.LState) int {
	b := bitArg(L, 1, "tohex")
	n := int32(8)
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		n = int32(bitArg(L, 2, "tohex"))
	}
	hexdigits := "0123456789abcdef"
	if n < 0 {
		n = -n
		hexdigits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	buf := make([]byte, n)
	for i := int(n) - 1; i >= 0; i-- {
		buf[i] = hexdigits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
