package script

import (
	"fmt"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// luaFormat is Lua 5.1's string.format over C's printf: %d %i %u %c %o %x %X truncate
// the number to an integer, %e %E %f %g %G with C's default precision 6, %q quotes,
// %s uses tostring, numbers print "%.14g".
func (e *Engine) luaFormat(L *lua.LState) int {
	f := L.CheckString(1)
	arg := 1
	var out []byte
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(f) {
			L.RaiseError("invalid option '%%' to 'format'")
		}
		if f[i] == '%' {
			out = append(out, '%')
			continue
		}
		// flags, width, precision
		start := i
		for i < len(f) && (f[i] == '-' || f[i] == '+' || f[i] == ' ' || f[i] == '#' || f[i] == '0') {
			i++
		}
		if i-start > 5 {
			L.RaiseError("invalid format (repeated flags)")
		}
		digits := 0
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			i++
			digits++
		}
		if digits > 2 {
			L.RaiseError("invalid format (width or precision too long)")
		}
		hasPrec := false
		if i < len(f) && f[i] == '.' {
			hasPrec = true
			i++
			digits = 0
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
				digits++
			}
			if digits > 2 {
				L.RaiseError("invalid format (width or precision too long)")
			}
		}
		if i >= len(f) {
			L.RaiseError("invalid option '%%' to 'format'")
		}
		spec := f[start:i]
		verb := f[i]
		arg++
		if arg > L.GetTop() {
			argError(L, arg, "format", "no value")
		}
		switch verb {
		case 'c':
			n := L.CheckNumber(arg)
			out = append(out, fmt.Sprintf("%"+spec+"c", rune(byte(int64(n))))...)
		case 'd', 'i':
			n := L.CheckNumber(arg)
			out = append(out, fmt.Sprintf("%"+spec+"d", luaToInt64(float64(n)))...)
		case 'u':
			n := L.CheckNumber(arg)
			out = append(out, fmt.Sprintf("%"+spec+"d", uint64(luaToInt64(float64(n))))...)
		case 'o', 'x', 'X':
			n := L.CheckNumber(arg)
			out = append(out, fmt.Sprintf("%"+spec+string(verb), uint64(luaToInt64(float64(n))))...)
		case 'e', 'E', 'f', 'g', 'G':
			n := float64(L.CheckNumber(arg))
			s := spec
			if !hasPrec {
				s += ".6"
			}
			out = append(out, cFloat(s, verb, n)...)
		case 'q':
			s := L.CheckString(arg)
			out = appendQuoted(out, s)
		case 's':
			v := L.CheckAny(arg)
			var s string
			if fn, ok := L.GetMetaField(v, "__tostring").(*lua.LFunction); ok {
				L.Push(fn)
				L.Push(v)
				L.Call(1, 1)
				s = lvString(L.Get(-1))
				L.Pop(1)
			} else {
				s = e.tostring(v)
			}
			if _, isNum := v.(lua.LNumber); !isNum {
				if _, isStr := v.(lua.LString); !isStr && v.Type() != lua.LTTable {
					// Lua 5.1 uses luaL_checklstring: only strings and numbers.
					L.ArgError(arg, "string expected, got "+v.Type().String())
				}
			}
			out = append(out, fmt.Sprintf("%"+spec+"s", s)...)
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", verb)
		}
	}
	L.Push(lua.LString(out))
	return 1
}

// cFloat formats n as C's printf would for %<spec><verb>, with inf and nan spelled as
// glibc does.
func cFloat(spec string, verb byte, n float64) string {
	if math.IsInf(n, 0) || math.IsNaN(n) {
		s := "inf"
		if math.IsNaN(n) {
			s = "nan"
			if math.Signbit(n) || true {
				s = "-nan"
			}
		} else if n < 0 {
			s = "-inf"
		}
		if verb == 'E' || verb == 'G' {
			s = upper(s)
		}
		// width only
		w := 0
		left := false
		for i := 0; i < len(spec) && spec[i] != '.'; i++ {
			switch c := spec[i]; {
			case c == '-':
				left = true
			case c >= '1' && c <= '9' || (c == '0' && w > 0):
				w = w*10 + int(c-'0')
			}
		}
		for len(s) < w {
			if left {
				s += " "
			} else {
				s = " " + s
			}
		}
		return s
	}
	return fmt.Sprintf("%"+spec+string(verb), n)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// appendQuoted is %q: Lua 5.1's addquoted.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			b = append(b, '\\', c)
		case '\r':
			b = append(b, `\r`...)
		case 0:
			b = append(b, `\000`...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

var _ = strconv.Itoa
