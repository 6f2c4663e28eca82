package glob

// maxNesting is the recursion depth past which stringmatchlen_impl gives
// up and reports no match.
const maxNesting = 1000

// Match reports whether s matches the glob pattern, with the exact semantics
// of Redis's stringmatchlen (util.c). With nocase set, A-Z and a-z compare
// equal. See the package documentation for the quirks this keeps.
func Match(pattern, s []byte, nocase bool) bool {
	skip := false
	return match(pattern, s, nocase, &skip, 0)
}

// MatchString is Match for strings; it does not allocate.
func MatchString(pattern, s string, nocase bool) bool {
	skip := false
	return match(pattern, s, nocase, &skip, 0)
}

// IsPlainLiteral reports whether pattern has none of the bytes that are
// special to Match (* ? [ \). Such a pattern matches exactly one string,
// itself (compared case-sensitively when nocase is false), so KEYS or SCAN
// MATCH can use a single lookup and get the same result as a full scan.
func IsPlainLiteral(pattern []byte) bool {
	for _, c := range pattern {
		switch c {
		case '*', '?', '[', '\\':
			return false
		}
	}
	return true
}

// at returns p[i], or 0 past the end: C reads the terminating NUL there, and
// no special character is NUL, so this keeps the C code's out-of-bounds
// peeks harmless and identical.
func at[T string | []byte](p T, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

// toLower is tolower in the C locale.
func toLower(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// match is stringmatchlen_impl, transcribed statement by statement: where
// the C code advances a pointer, p and s are re-sliced. skipLonger is shared
// by the whole recursion: once some "*" failed to find the rest of the pattern
// anywhere in the rest of the string, no earlier "*" can succeed by consuming
// more, and every level returns no match.
func match[T string | []byte](p, s T, nocase bool, skipLonger *bool, nesting int) bool {
	// Protection against abusive patterns.
	if nesting > maxNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 0 && at(p, 1) == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if match(p[1:], s, nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
			p = p[1:]
		case '[':
			var ok bool
			p, ok = matchClass(p[1:], s[0], nocase)
			if !ok {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if !nocase {
				if p[0] != s[0] {
					return false
				}
			} else if toLower(int(p[0])) != toLower(int(s[0])) {
				return false
			}
			s = s[1:]
			p = p[1:]
		}
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// matchClass matches the byte c against the class that starts at p (just
// past the "["). It returns the pattern after the class and whether c is in
// it. An unterminated class consumes the rest of the pattern: the C code
// steps back onto the last byte and then past it.
func matchClass[T string | []byte](p T, c byte, nocase bool) (T, bool) {
	not := at(p, 0) == '^'
	if not {
		p = p[1:]
	}
	matched := false
	for {
		if at(p, 0) == '\\' && len(p) >= 2 {
			p = p[1:]
			if p[0] == c { // case-sensitive even with nocase, as in Redis
				matched = true
			}
		} else if at(p, 0) == ']' {
			p = p[1:]
			break
		} else if len(p) == 0 {
			break
		} else if len(p) >= 3 && p[1] == '-' {
			// Signed chars, as on x86-64.
			start, end, b := int(int8(p[0])), int(int8(p[2])), int(int8(c))
			if start > end {
				start, end = end, start
			}
			if nocase {
				start, end, b = toLower(start), toLower(end), toLower(b)
			}
			p = p[2:]
			if b >= start && b <= end {
				matched = true
			}
		} else if !nocase {
			if p[0] == c {
				matched = true
			}
		} else if toLower(int(p[0])) == toLower(int(c)) {
			matched = true
		}
		p = p[1:]
	}
	if not {
		matched = !matched
	}
	return p, matched
}
