package config

// stringMatch reports whether s matches the glob pattern, with the semantics
// of Redis's stringmatchlen (util.c): * ? [abc] [^abc] [a-z] and \ escapes,
// an unterminated [ matching literally up to the pattern end, and the same
// early exit for patterns with several stars. Bytes compare as signed chars
// in ranges, as they do in C on x86.
func stringMatch(pattern, s string, nocase bool) bool {
	skip := false
	return stringMatchImpl(pattern, s, nocase, &skip)
}

func lowerC(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func stringMatchImpl(p, s string, nocase bool, skipLonger *bool) bool {
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if stringMatchImpl(p[1:], s, nocase, skipLonger) {
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
		case '[':
			p = p[1:]
			not := len(p) > 0 && p[0] == '^'
			if not {
				p = p[1:]
			}
			match := false
			// In C the loop may step back one byte ("pattern--") when it
			// reaches the end; back tracks that so the p = p[1:] below
			// lands on the same place.
			back := false
			for {
				if len(p) >= 2 && p[0] == '\\' {
					p = p[1:]
					if p[0] == s[0] {
						match = true
					}
				} else if len(p) > 0 && p[0] == ']' {
					break
				} else if len(p) == 0 {
					back = true
					break
				} else if len(p) >= 3 && p[1] == '-' {
					start, end, c := int(int8(p[0])), int(int8(p[2])), int(int8(s[0]))
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, c = lowerC(start), lowerC(end), lowerC(c)
					}
					p = p[2:]
					if c >= start && c <= end {
						match = true
					}
				} else if !nocase {
					if p[0] == s[0] {
						match = true
					}
				} else if lowerC(int(p[0])) == lowerC(int(s[0])) {
					match = true
				}
				p = p[1:]
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s = s[1:]
			if back {
				// C: pattern-- then pattern++ at the end of the switch.
				p = ""
				goto next
			}
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
			} else if lowerC(int(p[0])) != lowerC(int(s[0])) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
	next:
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}
