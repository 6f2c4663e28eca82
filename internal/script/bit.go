package script

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// LuaBitOp 1.0 (the "bit" library Redis embeds): 32-bit operations on numbers, results
// signed.

func openBit(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"tobit":   bitTobit,
		"bnot":    func(L *lua.LState) int { return pushBit(L, ^bitArg(L, 1)) },
		"band":    bitFold(func(a, b uint32) uint32 { return a & b }),
		"bor":     bitFold(func(a, b uint32) uint32 { return a | b }),
		"bxor":    bitFold(func(a, b uint32) uint32 { return a ^ b }),
		"lshift":  bitShift(func(a uint32, n uint) uint32 { return a << n }),
		"rshift":  bitShift(func(a uint32, n uint) uint32 { return a >> n }),
		"arshift": bitShift(func(a uint32, n uint) uint32 { return uint32(int32(a) >> n) }),
		"rol":     bitShift(func(a uint32, n uint) uint32 { return a<<n | a>>(32-n) }),
		"ror":     bitShift(func(a uint32, n uint) uint32 { return a>>n | a<<(32-n) }),
		"bswap": func(L *lua.LState) int {
			b := bitArg(L, 1)
			return pushBit(L, b>>24|(b>>8)&0xff00|(b&0xff00)<<8|b<<24)
		},
		"tohex": bitTohex,
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// bitArg is LuaBitOp's barg: the number normalised through 2^52+2^51 addition, i.e.
// rounded to an integer and taken modulo 2^32.
func bitArg(L *lua.LState, i int) uint32 {
	n := float64(L.CheckNumber(i))
	n += 6755399441055744.0 // 2^52 + 2^51
	return uint32(math.Float64bits(n))
}

func pushBit(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(int32(b)))
	return 1
}

func bitTobit(L *lua.LState) int { return pushBit(L, bitArg(L, 1)) }

func bitFold(op func(a, b uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1)
		for i := 2; i <= L.GetTop(); i++ {
			b = op(b, bitArg(L, i))
		}
		return pushBit(L, b)
	}
}

func bitShift(op func(a uint32, n uint) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1)
		n := uint(bitArg(L, 2) & 31)
		return pushBit(L, op(b, n))
	}
}

func bitTohex(L *lua.LState) int {
	b := bitArg(L, 1)
	n := int32(8)
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		n = int32(bitArg(L, 2))
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
