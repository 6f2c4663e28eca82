// Package conv is Redis 7.0.15's conversions between numbers and text, byte
// for byte: what it accepts as an integer or a float, and the digits it
// replies. Each function names the Redis function it mirrors.
//
// # Integers
//
// ParseInt is string2ll, the strict parser behind every integer argument
// and INCR/DECR on stored strings: "-0", "+1", "01", " 1" and "1 " are all
// invalid. ParseUint is string2ull (stream IDs), which falls back to the
// lenient strtoull. FormatInt is ll2string.
//
// # Doubles
//
// ParseFloat is string2d / getDoubleFromObject (ZADD scores and other
// double arguments): all of glibc strtod's syntax — "inf", "infinity", hex
// floats such as "0x10" — but no surrounding space, no NaN, no overflow or
// underflow to zero. Strtod is glibc's strtod itself, for callers such as
// the score ranges of ZRANGEBYSCORE that check less. FormatDouble is the
// "%.17g" text of addReplyDouble, the same in RESP2 and RESP3.
//
// # Long doubles
//
// INCRBYFLOAT and HINCRBYFLOAT compute in C's long double, which on x86-64
// is the x87 80-bit format: 64 significand bits and an exponent range up to
// about 1.19e4932. LongDouble emulates it exactly (values, correct rounding
// of parsing and of addition, subnormals), so 10.5 + 0.1 is "10.6" but
// 10.6 + 5e3 is "5010.60000000000000009", and INCRBYFLOAT k 1e308 twice
// succeeds where a double would overflow. ParseLongDouble is string2ld,
// FormatLongDouble is ld2string in LD_STR_HUMAN mode ("%.17Lf", trimmed),
// and IncrByFloat is INCRBYFLOAT's whole arithmetic with its error replies.
//
// # Memory sizes
//
// ParseMemory is memtoull ("1kb" is 1024, "1k" is 1000), FormatMemoryHuman
// is bytesToHuman ("1.50K").
//
// Everything here is a pure function of its arguments, safe for concurrent
// use. The Append-style functions (FormatInt, FormatDouble,
// FormatLongDouble) append to dst and return it; FormatInt and FormatDouble
// do not allocate when dst has room. Long double arithmetic uses math/big
// and allocates.
package conv
