// Package respval decodes the RESP2/RESP3 replies captured from redis-server into trees, for
// the cmdtable generator and tests. It supports exactly the types that COMMAND INFO and
// COMMAND DOCS use (array, map, set, blob string, simple string, integer, null) and is not
// meant for untrusted input or for the server's hot path.
package respval

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Value is one decoded reply element.
type Value struct {
	Kind  byte    // the RESP type byte: '*', '%', '~', '$', '+', ':', '_'
	Str   string  // '$' and '+'
	Int   int64   // ':'
	Elems []Value // '*' and '~': the elements; '%': key, value, key, value, ...
	Raw   string  // the exact encoded bytes of this element, header included
}

// Parse decodes the first element of b. It returns the element and the number of bytes it
// occupies. RESP2 nulls ($-1, *-1) decode as Kind '_'.
func Parse(b []byte) (Value, int, error) {
	s := string(b)
	v, n, err := parse(s, 0, 0)
	return v, n, err
}

const maxDepth = 64

func parse(s string, off, depth int) (Value, int, error) {
	if depth > maxDepth {
		return Value{}, 0, errors.New("respval: nesting too deep")
	}
	end := strings.Index(s[off:], "\r\n")
	if end < 1 {
		return Value{}, 0, fmt.Errorf("respval: no complete line at offset %d", off)
	}
	end += off
	kind, body, next := s[off], s[off+1:end], end+2
	v := Value{Kind: kind}
	switch kind {
	case '+':
		v.Str = body
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return v, 0, fmt.Errorf("respval: bad integer %q", body)
		}
		v.Int = n
	case '_':
		if body != "" {
			return v, 0, fmt.Errorf("respval: bad null %q", body)
		}
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 {
			return v, 0, fmt.Errorf("respval: bad length %q", body)
		}
		if n == -1 {
			v.Kind = '_'
			break
		}
		if len(s)-next < n+2 || s[next+n:next+n+2] != "\r\n" {
			return v, 0, fmt.Errorf("respval: truncated blob at offset %d", off)
		}
		v.Str = s[next : next+n]
		next += n + 2
	case '*', '~', '%':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 || (n == -1 && kind != '*') {
			return v, 0, fmt.Errorf("respval: bad length %q", body)
		}
		if n == -1 {
			v.Kind = '_'
			break
		}
		if kind == '%' {
			n *= 2
		}
		v.Elems = make([]Value, 0, min(n, 1024))
		for range n {
			e, m, err := parse(s, next, depth+1)
			if err != nil {
				return v, 0, err
			}
			v.Elems = append(v.Elems, e)
			next += m
		}
	default:
		return v, 0, fmt.Errorf("respval: unsupported type %q at offset %d", kind, off)
	}
	v.Raw = s[off:next]
	return v, next - off, nil
}

// ParseAll decodes b, which must hold exactly one element.
func ParseAll(b []byte) (Value, error) {
	v, n, err := Parse(b)
	if err != nil {
		return v, err
	}
	if n != len(b) {
		return v, fmt.Errorf("respval: %d trailing bytes", len(b)-n)
	}
	return v, nil
}

// Get returns the value stored under the blob or simple string key in the map v
// (or in v read as a flat RESP2 key, value, ... array).
func (v Value) Get(key string) (Value, bool) {
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if k := v.Elems[i]; (k.Kind == '$' || k.Kind == '+') && k.Str == key {
			return v.Elems[i+1], true
		}
	}
	return Value{}, false
}

// String renders v compactly for test failure messages.
func (v Value) String() string {
	var b strings.Builder
	v.format(&b)
	return b.String()
}

func (v Value) format(b *strings.Builder) {
	switch v.Kind {
	case '$':
		b.WriteString(strconv.Quote(v.Str))
	case '+':
		b.WriteString(v.Str)
	case ':':
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case '_':
		b.WriteString("nil")
	default:
		open, close := "[", "]"
		if v.Kind == '%' {
			open, close = "{", "}"
		} else if v.Kind == '~' {
			open, close = "~[", "]"
		}
		b.WriteString(open)
		for i, e := range v.Elems {
			if i > 0 {
				if v.Kind == '%' && i%2 == 1 {
					b.WriteString(": ")
				} else {
					b.WriteString(" ")
				}
			}
			e.format(b)
		}
		b.WriteString(close)
	}
}
