package cmdtable

import "strconv"

// ReplyWriter is what the server's RESP writer offers; it degrades RESP3 types to RESP2
// itself (a map of n pairs to an array of 2n elements, a set to an array).
type ReplyWriter interface {
	ArrayLen(n int)
	MapLen(n int)
	SetLen(n int)
	BulkString(s string)
	SimpleString(s string)
	Int(n int64)
	Null()
}

// WriteInfo writes c's COMMAND INFO entry: the array of name, arity, flags, first key,
// last key, step, ACL categories, tips, key specs and subcommands, exactly as
// redis-server 7.0.15 replies it (the subcommand entries of a container in the order of
// the captured reply, which is the server's dict order).
func (c *Command) WriteInfo(w ReplyWriter) { c.info.write(w) }

// WriteDocs writes the value half of c's COMMAND DOCS entry, the map of summary, since,
// group, complexity, ... as redis-server 7.0.15 replies it. The caller writes the name.
func (c *Command) WriteDocs(w ReplyWriter) { c.docs.write(w) }

// value is one captured reply element, kept as its RESP3 encoding. The generator has
// checked that it is well formed and uses only the types ReplyWriter offers (array, map,
// set, blob string, simple string, integer, null), so write can skip all validation; it
// decodes as it writes and allocates nothing.
type value string

func (v value) write(w ReplyWriter) {
	if rest := writeValue(w, string(v)); rest != "" {
		panic("cmdtable: trailing bytes in captured reply")
	}
}

// writeValue writes the element at the start of s and returns the rest of s.
func writeValue(w ReplyWriter, s string) string {
	kind := s[0]
	i := 1
	for s[i] != '\r' {
		i++
	}
	line := s[1:i]
	s = s[i+2:]
	switch kind {
	case '$':
		n := atoiLine(line)
		w.BulkString(s[:n])
		return s[n+2:]
	case '+':
		w.SimpleString(line)
	case ':':
		n, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			panic("cmdtable: bad integer in captured reply")
		}
		w.Int(n)
	case '_':
		w.Null()
	case '*', '~', '%':
		n := atoiLine(line)
		switch kind {
		case '*':
			w.ArrayLen(n)
		case '~':
			w.SetLen(n)
		case '%':
			w.MapLen(n)
			n *= 2
		}
		for range n {
			s = writeValue(w, s)
		}
	default:
		panic("cmdtable: unexpected type in captured reply")
	}
	return s
}

// atoiLine parses a non-negative length.
func atoiLine(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
