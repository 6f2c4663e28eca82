// Package glob is Redis's glob-style pattern matcher, byte for byte the
// semantics of stringmatchlen in Redis 7.0.15 (util.c). KEYS, SCAN MATCH,
// PSUBSCRIBE, CONFIG GET, COMMAND LIST FILTERBY PATTERN, ACL key and channel
// patterns all go through it, so any difference from Redis here would show in
// all of them.
//
// # Syntax
//
//	pattern  matches
//	*        any run of bytes (consecutive stars count as one)
//	?        exactly one byte
//	[abc]    one byte of the set; [^abc] one byte not in it
//	[a-z]    a range; a reversed range [z-a] is swapped into [a-z]
//	\x       the byte x literally, outside and inside brackets
//
// Everything else matches itself (case-folded for A-Z only when nocase is
// set: Redis runs with the C locale's tolower). Matching is on bytes, not
// runes.
//
// # Redis quirks kept on purpose
//
//   - "*" does not match the empty string. KEYS * and SCAN MATCH * do list
//     the empty key only because their callers short-circuit a pattern that is
//     exactly "*"; callers here must do the same (KEYS ** does not list it).
//   - Range bounds are C chars, signed on x86-64: bytes 0x80-0xff sort below
//     0x00, so [a-\xff] is the range [\xff-a] and matches "0" but not "\xc3".
//   - An unterminated class ("[abc" at the end of the pattern) is a class of
//     the bytes seen so far; "[" alone matches nothing, "[^" any one byte.
//     In "[a-]" the "]" is the upper bound of the range, so the class is
//     unterminated.
//   - A trailing backslash matches a backslash.
//   - Recursion (one level per "*" that has to be tried at more than one
//     position) deeper than 1000 levels is "no match", Redis's guard against
//     abusive patterns (CVE-2022-36021); with the skip-longer-matches
//     shortcut it also bounds the work to polynomial time.
//
// Match and MatchString do not allocate. IsPlainLiteral tells when a pattern
// can only match itself, so a caller may look the key up directly instead of
// scanning: the result is identical to matching every key.
package glob
