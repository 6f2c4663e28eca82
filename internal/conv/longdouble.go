package conv

import (
	"math"
	"math/big"
	"math/bits"
)

// The x87 80-bit extended format that C's long double is on x86-64 Linux,
// where Redis does INCRBYFLOAT and HINCRBYFLOAT: a 64-bit significand with
// an explicit integer bit and a 15-bit exponent. Normal values are
// m × 2^e with 2^63 <= m < 2^64 and ldMinExp <= e <= ldMaxExp; subnormals
// have e == ldMinExp and m < 2^63.
const (
	ldMantBits = 64
	ldMinExp   = -16382 - 63 // exponent of the smallest subnormal, 2^-16445
	ldMaxExp   = 16383 - 63  // the largest finite value is (2^64-1) × 2^16320
	// ldMaxMantExp is the largest big.Float MantExp (value in
	// [2^(e-1), 2^e)) of a finite value; ldMinNormalMantExp the smallest of
	// a normal one.
	ldMaxMantExp       = 16384
	ldMinNormalMantExp = -16381
)

// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS: string2ld rejects
// input of this length or more.
const maxLongDoubleChars = 5 * 1024

// LongDouble is a value of C's long double as Redis 7.0 on x86-64 computes
// with it (x87 80-bit extended precision: 64-bit significand, exponent
// range ±16383, subnormals, signed zero, infinities, NaN), so that
// INCRBYFLOAT and HINCRBYFLOAT produce the same digits as redis-server.
// The zero value is +0. It is a small value type, safe to copy; the
// arithmetic is done exactly with math/big and rounded once to nearest-even,
// as the FPU does.
type LongDouble struct {
	mant uint64 // finite: the significand; 0 for zero
	exp  int32  // finite: value = mant × 2^exp
	neg  bool
	kind numKind
}

// LongDoubleFromInt64 is the conversion (long double)n, exact for every
// int64, that getLongDoubleFromObject (object.c) and hincrbyfloatCommand
// apply to a value stored with the integer encoding.
func LongDoubleFromInt64(n int64) LongDouble {
	x := LongDouble{neg: n < 0}
	u := uint64(n)
	if n < 0 {
		u = -u
	}
	return x.withMant(u, 0)
}

// withMant sets the finite value ±u × 2^e, normalised; u×2^e must be
// representable.
func (x LongDouble) withMant(u uint64, e int32) LongDouble {
	x.kind = numFinite
	if u == 0 {
		x.mant, x.exp = 0, 0
		return x
	}
	for u < 1<<63 && e > ldMinExp {
		u <<= 1
		e--
	}
	x.mant, x.exp = u, e
	return x
}

// ParseLongDouble parses b as Redis's string2ld (util.c) does for
// INCRBYFLOAT and HINCRBYFLOAT ("ERR value is not a valid float" when it
// fails): empty input or input of 5120 bytes or more fails; otherwise
// glibc's strtold must consume all of b (a NUL inside b fails), b must not
// start with whitespace, NaN fails, and so does a value that overflowed the
// long double range (about 1.19e4932) or underflowed to zero — "inf" is
// accepted, and so are "1e400" (finite in a long double), hex floats and
// subnormals down to about 3.6e-4951. The result is rounded correctly, as
// strtold does.
func ParseLongDouble(b []byte) (LongDouble, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChars {
		return LongDouble{}, false
	}
	if isSpace(b[0]) {
		return LongDouble{}, false
	}
	r := scanNumber(b)
	if r.n != len(b) || r.kind == numNaN {
		return LongDouble{}, false
	}
	x := LongDouble{neg: r.neg, kind: r.kind}
	if r.kind == numInf {
		return x, true
	}
	x = x.withMant(0, 0)
	if !r.nonzero {
		return x, true
	}
	// The value is m × base^e, m the digits as an integer.
	var m big.Int
	var e int64
	base := 10
	if r.hex {
		base = 16
	}
	var digits []byte
	for _, c := range b[r.digits[0]:r.digits[1]] {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	m.SetString(string(digits), base)
	if r.point >= 0 {
		e = -int64(r.digits[1] - r.point - 1)
	}
	if r.hex {
		// Binary exponent: m × 2^(4e + exp).
		e2 := 4*e + r.exp
		top := int64(m.BitLen()) + e2 // value in [2^(top-1), 2^top)
		if top > ldMaxMantExp+1 {
			return LongDouble{}, false // overflow
		}
		if top < ldMinExp-1 {
			return LongDouble{}, false // underflow to zero
		}
		var f big.Float
		f.SetInt(&m)
		f.SetMantExp(&f, int(e2))
		return x.round(&f)
	}
	e += r.exp
	// The value is in [10^(top-1), 10^top), n the digits from the first
	// nonzero one.
	n := int64(len(digits))
	for _, c := range digits {
		if c != '0' {
			break
		}
		n--
	}
	top := n + e
	if top > 4933+1 {
		return LongDouble{}, false // overflow: max is 1.19e4932
	}
	if top < -4951-1 {
		return LongDouble{}, false // underflow: half the least subnormal is 1.8e-4951
	}
	var q big.Rat
	if e >= 0 {
		m.Mul(&m, new(big.Int).Exp(big.NewInt(10), big.NewInt(e), nil))
		q.SetInt(&m)
	} else {
		q.SetFrac(&m, new(big.Int).Exp(big.NewInt(10), big.NewInt(-e), nil))
	}
	return x.roundRat(&q)
}

// ratMantExp returns the exponent e with q in [2^(e-1), 2^e), for q > 0.
func ratMantExp(q *big.Rat) int {
	a, b := q.Num(), q.Denom()
	e := a.BitLen() - b.BitLen()
	var t big.Int
	if e >= 0 {
		t.Lsh(b, uint(e))
		if a.Cmp(&t) >= 0 {
			e++
		}
	} else {
		t.Lsh(a, uint(-e))
		if t.Cmp(b) >= 0 {
			e++
		}
	}
	return e
}

// precFor is the number of significand bits a long double has for a value
// in [2^(e-1), 2^e): 64 for normals, fewer for subnormals, whose quantum
// is always 2^-16445. It is <= 0 below half the smallest subnormal.
func precFor(e int) int {
	if e >= ldMinNormalMantExp {
		return ldMantBits
	}
	return e - ldMinExp
}

// roundRat sets x (whose sign is already set) to the positive q rounded to
// a long double, or fails on overflow or underflow to zero, like strtold's
// ERANGE that string2ld rejects.
func (x LongDouble) roundRat(q *big.Rat) (LongDouble, bool) {
	e := ratMantExp(q)
	p := precFor(e)
	if p <= 0 {
		// Below the least subnormal: only a value over half of it
		// rounds up to it (a tie goes to even, zero).
		if p == 0 {
			half := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), -ldMinExp+1))
			if q.Cmp(half) > 0 {
				return x.withMant(1, ldMinExp), true
			}
		}
		return LongDouble{}, false
	}
	var f big.Float
	f.SetPrec(uint(p)).SetRat(q)
	return x.round(&f)
}

// round sets x (whose sign is already set) to the positive exact value f
// rounded to a long double. Underflow to zero fails (string2ld rejects it);
// overflow gives ±Inf and ok false.
func (x LongDouble) round(f *big.Float) (LongDouble, bool) {
	y, ok := x.roundKeep(f)
	if !ok || y.kind != numFinite || y.mant == 0 {
		return LongDouble{}, false
	}
	return y, true
}

// roundKeep rounds the exact f to a long double, returning ±Inf on overflow
// and ±0 on underflow; ok is false in either case. The result is negative
// when f or x is.
func (x LongDouble) roundKeep(f *big.Float) (LongDouble, bool) {
	if f.Signbit() {
		x.neg = true
	}
	if f.Sign() == 0 {
		return x.withMant(0, 0), true
	}
	var a big.Float
	a.Abs(f)
	e := a.MantExp(nil)
	p := precFor(e)
	if p <= 0 {
		if p == 0 {
			// a in [2^-16446, 2^-16445): above the tie it rounds up.
			var half big.Float
			half.SetMantExp(big.NewFloat(0.5), ldMinExp)
			if a.Cmp(&half) > 0 {
				return x.withMant(1, ldMinExp), true
			}
		}
		return x.withMant(0, 0), false
	}
	a.SetMode(big.ToNearestEven)
	a.SetPrec(uint(p))
	e = a.MantExp(nil)
	if e > ldMaxMantExp {
		x.kind = numInf
		x.mant, x.exp = 0, 0
		return x, false
	}
	// a = u × 2^(e-p) with u < 2^p an integer.
	var u big.Float
	u.SetMantExp(&a, p-e)
	m, _ := u.Uint64()
	return x.withMant(m, int32(e-p)), true
}

// big returns x as an exact big.Float; x must be finite.
func (x LongDouble) big() *big.Float {
	f := new(big.Float).SetPrec(ldMantBits).SetUint64(x.mant)
	f.SetMantExp(f, int(x.exp))
	if x.neg {
		f.Neg(f)
	}
	return f
}

// Add returns x + y rounded to a long double, as the x87 FPU computes C's
// "value += incr": the exact sum rounded once to nearest-even, ±Inf on
// overflow, NaN for Inf + -Inf (negative, as the FPU makes it), and the signs of zero as IEEE 754 has them
// (-0 + -0 is -0, every other exact zero sum is +0).
func (x LongDouble) Add(y LongDouble) LongDouble {
	switch {
	case x.kind == numNaN:
		return x
	case y.kind == numNaN:
		return y
	case x.kind == numInf && y.kind == numInf:
		if x.neg != y.neg {
			// The x87 "real indefinite", printed "-nan".
			return LongDouble{kind: numNaN, neg: true}
		}
		return x
	case x.kind == numInf:
		return x
	case y.kind == numInf:
		return y
	case x.mant == 0 && y.mant == 0:
		return LongDouble{neg: x.neg && y.neg}
	case x.mant == 0:
		return y
	case y.mant == 0:
		return x
	}
	// Enough precision for the exact sum: the span of both operands' bits.
	hi := max(x.exp, y.exp) + ldMantBits + 1
	lo := min(x.exp, y.exp)
	var s big.Float
	s.SetPrec(uint(hi - lo + 1))
	s.Add(x.big(), y.big())
	if s.Sign() == 0 {
		return LongDouble{}
	}
	r, _ := LongDouble{}.roundKeep(&s)
	return r
}

// IsInf reports whether x is an infinity, C's isinf.
func (x LongDouble) IsInf() bool { return x.kind == numInf }

// IsNaN reports whether x is a NaN, C's isnan.
func (x LongDouble) IsNaN() bool { return x.kind == numNaN }

// Float64 returns x rounded to the nearest double, (double)x in C.
func (x LongDouble) Float64() float64 {
	switch x.kind {
	case numNaN:
		return math.NaN()
	case numInf:
		if x.neg {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	if x.mant == 0 {
		if x.neg {
			return math.Copysign(0, -1)
		}
		return 0
	}
	f, _ := x.big().Float64()
	return f
}

// FormatLongDouble appends x as Redis's ld2string (util.c) writes it in
// LD_STR_HUMAN mode, the text INCRBYFLOAT and HINCRBYFLOAT store and
// reply: printf's "%.17Lf" (exact, ties to even), then trailing zeros after
// the point removed, then a trailing point; "-0" becomes "0". So 10.6 is
// "10.6", 5010.6 computed as 10.6+5e3 is "5010.60000000000000009", 1e20 is
// "100000000000000000000", 1e-18 is "0", and 1e400 is written out in full.
// Infinities are "inf" and "-inf", a NaN "nan" or "-nan".
func FormatLongDouble(dst []byte, x LongDouble) []byte {
	switch x.kind {
	case numInf:
		if x.neg {
			return append(dst, "-inf"...)
		}
		return append(dst, "inf"...)
	case numNaN:
		if x.neg {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	start := len(dst)
	// Below 2^-58 (< 5e-18) the 17 decimals are all zero; skip expanding
	// the exact binary fraction (16445 digits for the least subnormal).
	if x.mant == 0 || bits.Len64(x.mant)+int(x.exp) <= -58 {
		if x.neg {
			dst = append(dst, '-')
		}
		dst = append(dst, "0.00000000000000000"...)
	} else {
		dst = x.big().Append(dst, 'f', 17)
	}
	// The text always has a point: trim zeros, then the point.
	n := len(dst)
	for dst[n-1] == '0' {
		n--
	}
	if dst[n-1] == '.' {
		n--
	}
	dst = dst[:n]
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// Error replies of IncrByFloat, byte for byte Redis's.
const (
	ErrNotValidFloat   = "ERR value is not a valid float"
	ErrIncrNaNOrInfity = "ERR increment would produce NaN or Infinity"
)

// IncrByFloat does the arithmetic of INCRBYFLOAT (incrbyfloatCommand in
// t_string.c): it parses the current value (cur; a missing key, exists
// false, counts as 0) and then the increment with ParseLongDouble, adds
// them in long double precision, and appends the new value as
// FormatLongDouble writes it — the text to store (Redis stores and
// propagates it as SET key value KEEPTTL) and to reply as a bulk string.
// On failure it returns dst unchanged and Redis's error reply:
// ErrNotValidFloat for either operand (the current value is checked
// first), ErrIncrNaNOrInfity when the sum is infinite or NaN (also when an
// operand is "inf"). A value stored with the integer encoding can be
// passed as its decimal text: the conversion is exact either way.
//
// HINCRBYFLOAT orders its checks differently (increment first, "ERR value
// is NaN or Infinity" for an infinite increment, then the key's type, then
// "ERR hash value is not a float"), so it uses ParseLongDouble, Add and
// FormatLongDouble directly.
func IncrByFloat(dst, cur []byte, exists bool, incr []byte) ([]byte, string) {
	var value LongDouble
	if exists {
		var ok bool
		if value, ok = ParseLongDouble(cur); !ok {
			return dst, ErrNotValidFloat
		}
	}
	inc, ok := ParseLongDouble(incr)
	if !ok {
		return dst, ErrNotValidFloat
	}
	value = value.Add(inc)
	if value.IsNaN() || value.IsInf() {
		return dst, ErrIncrNaNOrInfity
	}
	return FormatLongDouble(dst, value), ""
}

// CeilTimes returns (long long) ceill(x * k) as Redis computes it on x86-64: the
// product rounded once to a long double, its ceiling, and the conversion to an integer,
// which gives INT64_MIN for a value out of range, an infinity or NaN (cvttsd2si's
// "integer indefinite"). Blocking commands compute their timeout in milliseconds so,
// and a product just above -1 (-0.001 × 1000) has the ceiling -0: wait forever.
func (x LongDouble) CeilTimes(k int64) int64 {
	if x.kind != numFinite {
		return math.MinInt64
	}
	p := x.big()
	p.SetPrec(ldMantBits+64).Mul(p, new(big.Float).SetInt64(k))
	r, _ := LongDouble{}.roundKeep(p)
	if r.kind != numFinite {
		return math.MinInt64
	}
	f := r.big()
	i, acc := f.Int(nil)  // truncated toward zero
	if acc == big.Below { // f > i: the ceiling is one more
		i.Add(i, big.NewInt(1))
	}
	if !i.IsInt64() {
		return math.MinInt64
	}
	return i.Int64()
}
