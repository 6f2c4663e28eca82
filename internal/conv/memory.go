package conv

import (
	"strconv"
	"strings"
)

// ParseMemory parses a memory amount as Redis's memtoull (util.c) does for
// memory configs (maxmemory and the like, in redis.conf and CONFIG SET):
// decimal digits only (no sign, no space, no point), then an optional unit,
// case-insensitive: b (1), k (1000), kb (1024), m (1000²), mb (1024²),
// g (1000³), gb (1024³). Anything else fails ("1tb", "1.5mb", "+1", " 1",
// "-1"). memtoull's quirks are kept: no digits means 0 ("" and "kb" are
// 0), a number too large for 64 bits saturates to 2^64-1 (strtoull's
// ERANGE is not checked), and the product with the unit wraps modulo
// 2^64. The result is that unsigned value's bits as an int64, which is how
// Redis's config code holds it (numericParseString's long long); an
// unsigned config reads it back with uint64(n).
func ParseMemory(s string) (int64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if len(s) > 0 && s[0] == '-' {
		return 0, false
	}
	var mul uint64
	switch u := s[i:]; {
	case u == "" || strings.EqualFold(u, "b"):
		mul = 1
	case strings.EqualFold(u, "k"):
		mul = 1000
	case strings.EqualFold(u, "kb"):
		mul = 1024
	case strings.EqualFold(u, "m"):
		mul = 1000 * 1000
	case strings.EqualFold(u, "mb"):
		mul = 1024 * 1024
	case strings.EqualFold(u, "g"):
		mul = 1000 * 1000 * 1000
	case strings.EqualFold(u, "gb"):
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false // memtoull's digit buffer
	}
	var v uint64
	for _, c := range []byte(s[:i]) {
		d := uint64(c - '0')
		if v > (1<<64-1)/10 || v*10 > 1<<64-1-d {
			v = 1<<64 - 1 // strtoull saturates
			break
		}
		v = v*10 + d
	}
	return int64(v * mul), true
}

// FormatMemoryHuman writes n bytes as Redis's bytesToHuman (server.c) does
// for the *_human fields of INFO: "%lluB" below 1024, then "%.2f" with the
// unit K, M, G, T or P (powers of 1024: 1536 is "1.50K", 1000000 is
// "976.56K"), and "%lluB" again from 1024⁶ on. n is taken as unsigned, as
// in Redis.
func FormatMemoryHuman(n int64) string {
	u := uint64(n)
	const k = 1024
	var buf [32]byte
	b := buf[:0]
	unit := byte(0)
	var d float64
	switch {
	case u < k:
	case u < k*k:
		d, unit = float64(u)/k, 'K'
	case u < k*k*k:
		d, unit = float64(u)/(k*k), 'M'
	case u < k*k*k*k:
		d, unit = float64(u)/(k*k*k), 'G'
	case u < k*k*k*k*k:
		d, unit = float64(u)/(k*k*k*k), 'T'
	case u < k*k*k*k*k*k:
		d, unit = float64(u)/(k*k*k*k*k), 'P'
	}
	if unit == 0 {
		b = strconv.AppendUint(b, u, 10)
		b = append(b, 'B')
	} else {
		b = strconv.AppendFloat(b, d, 'f', 2, 64)
		b = append(b, unit)
	}
	return string(b)
}
