package config

import "strings"

// SplitArgs splits a line into arguments the way Redis's sdssplitargs does.
// It is used for redis.conf lines and, by the server, for inline commands.
//
// Arguments are separated by blanks. An argument may be written, in whole or
// from some point on, between double quotes, where the escapes \n \r \t \b \a
// \\ \" and \xHH (two hex digits) are understood and any other \c stands for
// c; or between single quotes, where only \' is an escape. A closing quote
// must be followed by a blank or the end of the line. An unterminated quote,
// or a closing quote followed by something else, makes the whole line invalid
// and SplitArgs returns ok == false ("Unbalanced quotes" in Redis's words).
// As in C, a NUL byte ends the line. An empty or all-blank line gives an
// empty, non-nil slice.
//
// Arguments without escapes are substrings of line (no copy): they share its
// memory, which matters when line was converted from a reused buffer.
func SplitArgs(line string) (args []string, ok bool) {
	return AppendSplitArgs(make([]string, 0, 4), line)
}

// AppendSplitArgs is SplitArgs appending to dst, so that a caller can reuse
// one slice for many lines. On failure it returns dst[:len(dst)] unchanged in
// content and ok == false.
func AppendSplitArgs(dst []string, line string) ([]string, bool) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	start := len(dst)
	p := 0
	n := len(line)
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p == n {
			if dst == nil {
				dst = []string{}
			}
			return dst, true
		}
		// Fast path: a plain unquoted token is a substring.
		tokStart := p
		for p < n && !isArgSep(line[p]) && line[p] != '"' && line[p] != '\'' {
			p++
		}
		if p == n || isArgSep(line[p]) {
			dst = append(dst, line[tokStart:p])
			continue
		}
		tok, next, ok := quotedToken(line, tokStart, p)
		if !ok {
			return dst[:start], false
		}
		dst = append(dst, tok)
		p = next
	}
}

// quotedToken parses the rest of a token that starts at tokStart and has a
// quote at p. It returns the token, the index after it, and false for
// unbalanced quotes.
func quotedToken(line string, tokStart, p int) (string, int, bool) {
	n := len(line)
	var stack [64]byte
	buf := append(stack[:0], line[tokStart:p]...)
	inq, insq := false, false
	for done := false; !done; {
		var c byte // current byte; 0 stands for the end of the line
		if p < n {
			c = line[p]
		}
		switch {
		case inq:
			switch {
			case c == '\\' && p+3 < n && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]):
				buf = append(buf, unhex(line[p+2])<<4|unhex(line[p+3]))
				p += 3
			case c == '\\' && p+1 < n:
				p++
				switch line[p] {
				case 'n':
					buf = append(buf, '\n')
				case 'r':
					buf = append(buf, '\r')
				case 't':
					buf = append(buf, '\t')
				case 'b':
					buf = append(buf, '\b')
				case 'a':
					buf = append(buf, '\a')
				default:
					buf = append(buf, line[p])
				}
			case c == '"':
				// A closing quote must be followed by a space or nothing.
				if p+1 < n && !isSpace(line[p+1]) {
					return "", 0, false
				}
				done = true
			case p == n:
				return "", 0, false // unterminated quotes
			default:
				buf = append(buf, c)
			}
		case insq:
			switch {
			case c == '\\' && p+1 < n && line[p+1] == '\'':
				p++
				buf = append(buf, '\'')
			case c == '\'':
				if p+1 < n && !isSpace(line[p+1]) {
					return "", 0, false
				}
				done = true
			case p == n:
				return "", 0, false
			default:
				buf = append(buf, c)
			}
		default:
			switch {
			case p == n || isArgSep(c):
				done = true
			case c == '"':
				inq = true
			case c == '\'':
				insq = true
			default:
				buf = append(buf, c)
			}
		}
		if p < n {
			p++
		}
	}
	return string(buf), p, true
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// isArgSep reports the bytes that end an unquoted argument in sdssplitargs
// (note: not \v or \f, which only count as blanks between arguments).
func isArgSep(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// appendRepr appends s quoted as Redis's sdscatrepr does: between double
// quotes, with \\ \" \n \r \t \a \b escaped and other non-printable bytes as
// \xhh. SplitArgs reads the result back to s.
func appendRepr(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if c >= 0x20 && c <= 0x7e {
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(dst, '"')
}

func repr(s string) string { return string(appendRepr(nil, s)) }

// splitSpaces splits s on every single space, as sdssplitlen(s, " ") does:
// "" gives no fields, "a  b" gives "a", "", "b". CONFIG SET splits the value
// of multi-argument directives this way (not with SplitArgs).
func splitSpaces(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

// cstr returns s up to its first NUL byte: what C code taking a char* sees.
func cstr(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}
