package config

import (
	"math"
	"strconv"
	"strings"
)

// This file holds the number parsers redis.conf values go through. Each one
// copies a specific C function, quirks included, because which inputs are
// accepted is visible to users (CONFIG SET replies, startup errors).

// string2ll is Redis's strict integer parser: optional '-', no '+', no
// blanks, no leading zeros (except "0" itself), fits in an int64.
func string2ll(s string) (int64, bool) {
	if len(s) == 0 || len(s) >= 21 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	neg := false
	i := 0
	if s[0] == '-' {
		neg = true
		i++
		if i == len(s) {
			return 0, false
		}
	}
	if s[i] < '1' || s[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > uint64(math.MaxInt64)+1 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// memtoull parses a memory amount as Redis's memtoull does: digits followed
// by an optional unit b, k (1000), kb (1024), m, mb, g, gb, any case. No
// sign is allowed, no blanks. Quirks kept: an empty digit string counts as 0
// ("" and "kb" are 0), and a digit string that overflows saturates at
// MaxUint64 when there is no unit (strtoull's ERANGE is not checked).
func memtoull(s string) (uint64, bool) {
	s = cstr(s)
	if len(s) > 0 && s[0] == '-' {
		return 0, false
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false
	}
	var v uint64
	for j := 0; j < i; j++ {
		d := uint64(s[j] - '0')
		if v > (math.MaxUint64-d)/10 {
			v = math.MaxUint64
			break
		}
		v = v*10 + d
	}
	if v > math.MaxUint64/mul {
		return 0, false
	}
	return v * mul, true
}

// strtoll is C's strtoll(s, &end, base) for base 8 or 10 on a C string:
// leading blanks, an optional sign, digits. It returns the value (saturated
// on overflow, with overflow set) and whether the whole string was consumed
// (*end == '\0'). With no digits at all, end is the start of s, so only ""
// counts as fully consumed.
func strtoll(s string, base int) (v int64, full bool, overflow bool) {
	s = cstr(s)
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	digits := 0
	var u uint64
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	for i < len(s) {
		c := s[i]
		if c < '0' || c > '9' || int(c-'0') >= base {
			break
		}
		if !overflow {
			if u > (limit-uint64(c-'0'))/uint64(base) {
				overflow = true
			} else {
				u = u*uint64(base) + uint64(c-'0')
			}
		}
		i++
		digits++
	}
	if digits == 0 {
		return 0, len(s) == 0, false
	}
	switch {
	case overflow && neg:
		v = math.MinInt64
	case overflow:
		v = math.MaxInt64
	case neg:
		v = int64(-u)
	default:
		v = int64(u)
	}
	return v, i == len(s), overflow
}

// string2d is Redis's strict float parser (strtod over the whole string, no
// leading blank, no NaN, no overflow or underflow to zero). It accepts what
// C's strtod accepts: "+5", "1e1", "0x10", "inf", "infinity".
func string2d(s string) (float64, bool) {
	if len(s) == 0 || isSpace(s[0]) || strings.ContainsAny(s, "_\x00") {
		return 0, false
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	hex := len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')
	in := s
	if hex && !strings.ContainsAny(body, "pP") {
		in = s + "p0" // Go requires the binary exponent, C does not
	}
	f, err := strconv.ParseFloat(in, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) && !isInfLiteral(body) {
		return 0, false
	}
	if f == 0 && hasNonZeroMantissa(body, hex) {
		return 0, false // underflow: strtod sets ERANGE and returns 0
	}
	return f, true
}

func isInfLiteral(s string) bool {
	s = strings.ToLower(s)
	return s == "inf" || s == "infinity"
}

// hasNonZeroMantissa reports whether a numeric literal has a non-zero digit
// before its exponent.
func hasNonZeroMantissa(s string, hex bool) bool {
	if hex {
		s = s[2:]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if hex && (c == 'p' || c == 'P') || !hex && (c == 'e' || c == 'E') {
			return false
		}
		if c >= '1' && c <= '9' || hex && isHex(c) && c != '0' {
			return true
		}
	}
	return false
}

// formatPercentile formats like printf("%f") followed by Redis's
// trimDoubleString: "99.900000" becomes "99.9", "50.000000" becomes "50".
func formatPercentile(f float64) string {
	s := strconv.FormatFloat(f, 'f', 6, 64)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// formatMemory formats a byte count for CONFIG REWRITE as Redis's
// rewriteConfigFormatMemory does: the largest of gb, mb, kb that divides it.
func formatMemory(v int64) string {
	const kb, mb, gb = 1024, 1024 * 1024, 1024 * 1024 * 1024
	switch {
	case v != 0 && v%gb == 0:
		return strconv.FormatInt(v/gb, 10) + "gb"
	case v != 0 && v%mb == 0:
		return strconv.FormatInt(v/mb, 10) + "mb"
	case v != 0 && v%kb == 0:
		return strconv.FormatInt(v/kb, 10) + "kb"
	default:
		return strconv.FormatInt(v, 10)
	}
}

// yesno parses a boolean as Redis's yesnotoi does: "yes" or "no", any case.
func yesno(s string) (bool, bool) {
	s = cstr(s)
	switch {
	case strings.EqualFold(s, "yes"):
		return true, true
	case strings.EqualFold(s, "no"):
		return false, true
	}
	return false, false
}
