package conv

import (
	"math"
	"strconv"
)

// number is what scanNumber found: the syntax of one strtod number.
type number struct {
	n       int  // bytes consumed including leading space; 0: no conversion
	start   int  // index of the sign or first byte of the number
	neg     bool // a leading "-"
	kind    numKind
	hex     bool // "0x" form; digits are hex and the exponent is binary
	digits  [2]int
	point   int   // index of the radix point within digits, or -1
	exp     int64 // explicit exponent, saturated to ±maxExpDigits
	hasExp  bool  // an exponent was consumed (hex forms without one get "p0")
	nonzero bool  // some mantissa digit is not 0
}

type numKind uint8

const (
	numFinite numKind = iota
	numInf
	numNaN
)

// expSaturate bounds a scanned exponent: far beyond any double or long
// double range, and small enough that adding digit counts cannot overflow.
const expSaturate = 1 << 40

// scanNumber scans the longest prefix of b that glibc's strtod/strtold
// convert in the C locale: leading isspace bytes, an optional sign, then
// "inf", "infinity", "nan", "nan(chars)" (case-insensitive), a hex float
// "0x" h[.h] [p[±]d] with at least one hex digit, or a decimal d[.d]
// [e[±]d] with at least one digit. An exponent marker not followed by a
// digit is not consumed. b is not taken as a C string: a NUL simply ends
// the number.
func scanNumber(b []byte) number {
	var r number
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	r.start = i
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		r.neg = b[i] == '-'
		i++
	}
	if hasPrefixFold(b[i:], "inf") {
		r.kind = numInf
		if hasPrefixFold(b[i:], "infinity") {
			r.n = i + 8
		} else {
			r.n = i + 3
		}
		return r
	}
	if hasPrefixFold(b[i:], "nan") {
		r.kind = numNaN
		i += 3
		r.n = i
		if i < len(b) && b[i] == '(' {
			j := i + 1
			for j < len(b) && (isAlnum(b[j]) || b[j] == '_') {
				j++
			}
			if j < len(b) && b[j] == ')' {
				r.n = j + 1
			}
		}
		return r
	}
	digit := isDigit
	if i+1 < len(b) && b[i] == '0' && (b[i+1]|0x20) == 'x' {
		j := i + 2
		if j < len(b) && b[j] == '.' {
			j++
		}
		if j < len(b) && isHexDigit(b[j]) {
			r.hex = true
			digit = isHexDigit
			i += 2
		}
	}
	r.digits[0] = i
	r.point = -1
	seen := false
	for ; i < len(b); i++ {
		c := b[i]
		if digit(c) {
			seen = true
			if c != '0' {
				r.nonzero = true
			}
		} else if c == '.' && r.point < 0 {
			r.point = i
		} else {
			break
		}
	}
	if !seen {
		return number{}
	}
	r.digits[1] = i
	r.n = i
	marker := byte('e')
	if r.hex {
		marker = 'p'
	}
	if i < len(b) && b[i]|0x20 == marker {
		j := i + 1
		eneg := false
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			eneg = b[j] == '-'
			j++
		}
		if j < len(b) && isDigit(b[j]) {
			var e int64
			for ; j < len(b) && isDigit(b[j]); j++ {
				if e < expSaturate {
					e = e*10 + int64(b[j]-'0')
				}
			}
			if eneg {
				e = -e
			}
			r.exp = e
			r.hasExp = true
			r.n = j
		}
	}
	return r
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }
func isAlnum(c byte) bool    { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

// hasPrefixFold reports whether b starts with the lower-case ASCII prefix,
// ignoring case.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if b[i]|0x20 != prefix[i] {
			return false
		}
	}
	return true
}

// Strtod is glibc's strtod in the C locale: it converts the longest prefix
// of b that is a number (after leading whitespace; see scanNumber for the
// syntax, which includes hex floats, "inf", "infinity" and "nan") and
// returns the value and the number of bytes consumed, 0 when there is no
// number (and f is 0). rangeErr is set where strtod sets ERANGE and returns
// ±HUGE_VAL or zero: the value overflowed to ±Inf or underflowed to zero
// (strtod also sets ERANGE for some subnormal results; that is not
// reported, and no Redis caller looks at it). Redis calls strtod on C
// strings, so a caller that emulates "*end == '\0'" should also accept
// b[n] == 0.
//
// zslParseRange (ZRANGEBYSCORE and friends) uses strtod this way, without
// the checks of ParseFloat: " 1" and "1e400" (+Inf) are valid bounds there.
func Strtod(b []byte) (f float64, n int, rangeErr bool) {
	r := scanNumber(b)
	if r.n == 0 {
		return 0, 0, false
	}
	switch r.kind {
	case numInf:
		f = math.Inf(1)
	case numNaN:
		f = math.NaN()
	default:
		text := b[r.start:r.n]
		var err error
		if r.hex && !r.hasExp {
			// Go requires the binary exponent of a hex float.
			var buf [64]byte
			f, err = strconv.ParseFloat(string(append(append(buf[:0], text...), "p0"...)), 64)
		} else {
			f, err = strconv.ParseFloat(string(text), 64)
		}
		if err != nil && !math.IsInf(f, 0) {
			panic("conv: strtod syntax accepted by scanNumber but not by strconv: " + string(text))
		}
		f = math.Abs(f)
		rangeErr = math.IsInf(f, 0) || f == 0 && r.nonzero
	}
	if r.neg {
		f = -f
	}
	return f, r.n, rangeErr
}

// ParseFloat parses b as a double the way Redis's getDoubleFromObject and
// string2d (object.c, util.c) do, for ZADD scores, INCRBYFLOAT-free double
// arguments and the like ("ERR value is not a valid float" when it fails):
// glibc strtod must consume all of b, b must not be empty or start with
// whitespace, the result must not be NaN, and it must not have overflowed
// or underflowed to zero ("1e400", "1e-400" fail; "inf", "-infinity",
// "+5", ".5", "5.", "0x10" and "0x1p-3" are accepted).
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) {
		return 0, false
	}
	f, n, rangeErr := Strtod(b)
	if n != len(b) || rangeErr || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// FormatDouble appends the text Redis 7.0 replies for a double, as
// addReplyDouble (networking.c) writes it: printf's "%.17g" (1.1 is
// "1.1000000000000001", 3 is "3", 1e22 is "1e+22", -0.0 is "-0"), and
// "inf" / "-inf" for infinities. The text is the same in RESP2, where it is
// sent as a bulk string, and in RESP3, where it follows ","; d2string
// (util.c) produces the same text too. A NaN, which Redis never replies,
// is "nan" or "-nan" as glibc prints it. It does not allocate when dst has
// room.
func FormatDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
