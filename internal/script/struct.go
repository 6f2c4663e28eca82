package script

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Roberto Ierusalimschy's struct library (struct.pack / unpack / size) as Redis
// embeds it, on a 64-bit little-endian machine: native size of l/L/T is 8, of i/I 4,
// maximum alignment 8.

const structMaxIntSize = 32

type structState struct {
	little bool
	align  int
}

func openStruct(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

// structOpt reads one option at fmt[*i]; it returns the option and its size.
func structOpt(L *lua.LState, fname string, st *structState, f string, i *int) (byte, int) {
	opt := f[*i]
	*i++
	num := func(def int) int {
		if *i >= len(f) || f[*i] < '0' || f[*i] > '9' {
			return def
		}
		n := 0
		for *i < len(f) && f[*i] >= '0' && f[*i] <= '9' {
			n = n*10 + int(f[*i]-'0')
			*i++
		}
		return n
	}
	switch opt {
	case 'B', 'b':
		return opt, 1
	case 'H', 'h':
		return opt, 2
	case 'L', 'l', 'T':
		return opt, 8
	case 'f':
		return opt, 4
	case 'd':
		return opt, 8
	case 'x':
		return opt, 1
	case 'c':
		return opt, num(1)
	case 'i', 'I':
		sz := num(4)
		if sz > structMaxIntSize {
			L.RaiseError("integral size %d is larger than limit of %d", sz, structMaxIntSize)
		}
		return opt, sz
	case 's', ' ':
		return opt, 0
	case '<':
		st.little = true
		return opt, 0
	case '>':
		st.little = false
		return opt, 0
	case '=':
		st.little = true
		return opt, 0
	case '!':
		st.align = num(8)
		return opt, 0
	}
	argError(L, 1, fname, fmt.Sprintf("invalid format option '%c'", opt))
	return 0, 0
}

// structGap is the padding before an item of size sz at offset len.
func structGap(st *structState, opt byte, sz, off int) int {
	if opt == 'c' || opt == 's' || opt == 'x' {
		return 0
	}
	align := sz
	if align <= 1 {
		return 0
	}
	if align > st.align {
		align = st.align
	}
	if align&(align-1) != 0 {
		panic("alignment must be power of 2")
	}
	return (align - off&(align-1)) & (align - 1)
}

func putInt(b []byte, v uint64, little bool, sz int) []byte {
	n := len(b)
	for k := 0; k < sz; k++ {
		var byt byte
		if k < 8 {
			byt = byte(v >> (8 * k))
		}
		b = append(b, byt)
	}
	if !little {
		for i, j := n, len(b)-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
	}
	return b
}

func structPack(L *lua.LState) int {
	const fname = "pack"
	f := L.CheckString(1)
	st := &structState{little: true, align: 1}
	arg := 2
	var b []byte
	for i := 0; i < len(f); {
		opt, sz := structOpt(L, fname, st, f, &i)
		gap := structGap(st, opt, sz, len(b))
		for ; gap > 0; gap-- {
			b = append(b, 0)
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			n := float64(L.CheckNumber(arg))
			arg++
			var v uint64
			if opt == 'b' || opt == 'h' || opt == 'l' || opt == 'i' {
				v = uint64(luaToInt64(n))
			} else {
				v = uint64(luaToInt64(n))
				if n >= 9223372036854775808.0 {
					v = uint64(n)
				}
			}
			b = putInt(b, v, st.little, sz)
		case 'x':
			b = append(b, 0)
		case 'f':
			v := math.Float32bits(float32(L.CheckNumber(arg)))
			arg++
			if st.little {
				b = binary.LittleEndian.AppendUint32(b, v)
			} else {
				b = binary.BigEndian.AppendUint32(b, v)
			}
		case 'd':
			v := math.Float64bits(float64(L.CheckNumber(arg)))
			arg++
			if st.little {
				b = binary.LittleEndian.AppendUint64(b, v)
			} else {
				b = binary.BigEndian.AppendUint64(b, v)
			}
		case 'c', 's':
			s := L.CheckString(arg)
			arg++
			l := len(s)
			if opt == 'c' && sz == 0 {
				sz = l
			}
			if opt == 'c' {
				if l < sz {
					argError(L, arg-1, fname, "string too short")
				}
				b = append(b, s[:sz]...)
			} else {
				b = append(b, s...)
				b = append(b, 0)
			}
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func getInt(s string, little, signed bool, sz int) float64 {
	var v uint64
	for k := 0; k < sz && k < 8; k++ {
		var byt byte
		if little {
			byt = s[k]
		} else {
			byt = s[sz-1-k]
		}
		v |= uint64(byt) << (8 * k)
	}
	if signed && sz < 8 {
		mask := uint64(1) << (uint(sz)*8 - 1)
		v = (v ^ mask) - mask
		return float64(int64(v))
	}
	if signed {
		return float64(int64(v))
	}
	return float64(v)
}

func structUnpack(L *lua.LState) int {
	const fname = "unpack"
	f := L.CheckString(1)
	data := L.CheckString(2)
	pos := L.OptInt(3, 1) - 1
	if pos < 0 || pos > len(data) {
		argError(L, 3, fname, "offset must be 1 or greater")
	}
	st := &structState{little: true, align: 1}
	n := 0
	var lastNum float64
	for i := 0; i < len(f); {
		opt, sz := structOpt(L, fname, st, f, &i)
		pos += structGap(st, opt, sz, pos)
		if pos+sz > len(data) {
			argError(L, 2, fname, "data string too short")
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			signed := opt == 'b' || opt == 'h' || opt == 'l' || opt == 'i'
			lastNum = getInt(data[pos:], st.little, signed, sz)
			L.Push(lua.LNumber(lastNum))
			n++
		case 'x':
		case 'f':
			var v uint32
			if st.little {
				v = binary.LittleEndian.Uint32([]byte(data[pos : pos+4]))
			} else {
				v = binary.BigEndian.Uint32([]byte(data[pos : pos+4]))
			}
			L.Push(lua.LNumber(math.Float32frombits(v)))
			n++
		case 'd':
			var v uint64
			if st.little {
				v = binary.LittleEndian.Uint64([]byte(data[pos : pos+8]))
			} else {
				v = binary.BigEndian.Uint64([]byte(data[pos : pos+8]))
			}
			L.Push(lua.LNumber(math.Float64frombits(v)))
			n++
		case 'c':
			if sz == 0 {
				if n == 0 || L.Get(-1).Type() != lua.LTNumber {
					L.RaiseError("format 'c0' needs a previous size")
				}
				sz = int(lastNum)
				L.Pop(1)
				n--
				if pos+sz > len(data) {
					argError(L, 2, fname, "data string too short")
				}
			}
			L.Push(lua.LString(data[pos : pos+sz]))
			n++
		case 's':
			e := strings.IndexByte(data[pos:], 0)
			if e < 0 {
				L.RaiseError("unfinished string in data")
			}
			L.Push(lua.LString(data[pos : pos+e]))
			n++
			sz = e + 1
		}
		pos += sz
	}
	L.Push(lua.LNumber(pos + 1))
	return n + 1
}

func structSize(L *lua.LState) int {
	const fname = "size"
	f := L.CheckString(1)
	st := &structState{little: true, align: 1}
	pos := 0
	for i := 0; i < len(f); {
		opt, sz := structOpt(L, fname, st, f, &i)
		pos += structGap(st, opt, sz, pos)
		if opt == 's' {
			argError(L, 1, fname, "option 's' has no fixed size")
		}
		if opt == 'c' && sz == 0 {
			argError(L, 1, fname, "option 'c0' has no fixed size")
		}
		pos += sz
	}
	L.Push(lua.LNumber(pos))
	return 1
}

// argError is Lua 5.1's luaL_argerror text: "bad argument #n to 'fname' (msg)".
func argError(L *lua.LState, n int, fname, msg string) {
	L.RaiseError("bad argument #%d to '%s' (%s)", n, fname, msg)
}

// checkNumber is luaL_checknumber with Lua 5.1's texts (gopher-lua says "got nil" for
// a missing argument, Lua "got no value"); strings that convert are accepted.
func checkNumber(L *lua.LState, n int, fname string) lua.LNumber {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return v
	case lua.LString:
		if f, ok := str2number(string(v)); ok {
			return lua.LNumber(f)
		}
	}
	got := "no value"
	if n <= L.GetTop() {
		got = L.Get(n).Type().String()
	}
	argError(L, n, fname, "number expected, got "+got)
	return 0
}
