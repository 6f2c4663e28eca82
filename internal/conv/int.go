package conv

import "strconv"

// longStrSize is Redis's LONG_STR_SIZE: string2ll rejects any input this
// long or longer before looking at it.
const longStrSize = 21

// ParseInt parses b as a signed 64-bit decimal integer with the strict rules
// of Redis's string2ll (util.c), which every integer argument and INCR-style
// stored value goes through: an optional "-", then digits with no leading
// zero ("0" alone is allowed, "-0" is not), nothing else — no "+", no
// spaces, not empty — and no overflow.
func ParseInt(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n >= longStrSize {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := false
	if b[0] == '-' {
		neg = true
		i++
		if i == n {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	v := uint64(b[i] - '0')
	i++
	for ; i < n && b[i] >= '0' && b[i] <= '9'; i++ {
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v *= 10
		d := uint64(b[i] - '0')
		if v > 1<<64-1-d {
			return 0, false
		}
		v += d
	}
	if i < n {
		return 0, false
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// ParseUint parses b as an unsigned 64-bit decimal integer the way Redis's
// string2ull (util.c) does; stream IDs (XADD, XRANGE…) are parsed with it.
// It tries string2ll first and, when that fails, falls back to C's
// strtoull, which is lenient: leading whitespace, a "+", leading zeros are
// accepted ("+5", " 5", "05" are 5), and so is a "-" that strtoull negates
// modulo 2^64 when string2ll did not already reject it (" -1" is
// 18446744073709551615, "-0" is 0). Overflow and trailing bytes are
// rejected. b is taken as a C string: parsing stops at a NUL byte, as
// strlen would.
func ParseUint(b []byte) (uint64, bool) {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if v, ok := ParseInt(b); ok {
		if v < 0 {
			return 0, false
		}
		return uint64(v), true
	}
	// strtoull(s, &end, 10), then require *s != '\0' && *end == '\0'.
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	var v uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if v > (1<<64-1)/10 || v*10 > 1<<64-1-d {
			return 0, false // ERANGE
		}
		v = v*10 + d
	}
	if i == start || i != len(b) {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// FormatInt appends the decimal form of n to dst, as Redis's ll2string
// (util.c) writes it. It does not allocate when dst has room.
func FormatInt(dst []byte, n int64) []byte {
	return strconv.AppendInt(dst, n, 10)
}

// isSpace is isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c >= '\t' && c <= '\r'
}
