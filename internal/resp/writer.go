package resp

import (
	"strconv"

	"cairn/internal/conv"
)

// Writer appends RESP replies to B for a client speaking protocol version Proto (2 or 3).
// Commands write through it and never look at the protocol version themselves.
type Writer struct {
	B     []byte
	Proto int
}

// Pre-encoded replies shared by all clients.
var (
	OK        = []byte("+OK\r\n")
	Pong      = []byte("+PONG\r\n")
	Queued    = []byte("+QUEUED\r\n")
	Zero      = []byte(":0\r\n")
	One       = []byte(":1\r\n")
	MinusOne  = []byte(":-1\r\n")
	MinusTwo  = []byte(":-2\r\n")
	EmptyBulk = []byte("$0\r\n\r\n")
	nullBulk2 = []byte("$-1\r\n")
	nullArr2  = []byte("*-1\r\n")
	null3     = []byte("_\r\n")
	emptyArr  = []byte("*0\r\n")
)

// Raw appends pre-encoded protocol bytes.
func (w *Writer) Raw(b []byte) { w.B = append(w.B, b...) }

// OK appends +OK.
func (w *Writer) OK() { w.B = append(w.B, OK...) }

// SimpleString appends a status reply (+s). s must not contain CR or LF.
func (w *Writer) SimpleString(s string) {
	w.B = append(w.B, '+')
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

// Error appends an error reply. msg is the full text after '-' including the code
// ("ERR syntax error", "WRONGTYPE ..."); CR and LF are replaced by spaces as Redis does.
func (w *Writer) Error(msg string) {
	w.B = append(w.B, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.B = append(w.B, c)
	}
	w.B = append(w.B, '\r', '\n')
}

// Int appends an integer reply.
func (w *Writer) Int(n int64) {
	switch n {
	case 0:
		w.B = append(w.B, Zero...)
	case 1:
		w.B = append(w.B, One...)
	default:
		w.B = append(w.B, ':')
		w.B = strconv.AppendInt(w.B, n, 10)
		w.B = append(w.B, '\r', '\n')
	}
}

// Bulk appends a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.B = appendPrefixedLen(w.B, '$', len(b))
	w.B = append(w.B, b...)
	w.B = append(w.B, '\r', '\n')
}

// BulkString appends a bulk string.
func (w *Writer) BulkString(s string) {
	w.B = appendPrefixedLen(w.B, '$', len(s))
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

// BulkInt appends n formatted as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [20]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// Null appends the null reply: `$-1` in RESP2, `_` in RESP3 (Redis's addReplyNull).
func (w *Writer) Null() {
	if w.Proto >= 3 {
		w.B = append(w.B, null3...)
	} else {
		w.B = append(w.B, nullBulk2...)
	}
}

// NullArray appends the null array: `*-1` in RESP2, `_` in RESP3.
func (w *Writer) NullArray() {
	if w.Proto >= 3 {
		w.B = append(w.B, null3...)
	} else {
		w.B = append(w.B, nullArr2...)
	}
}

// ArrayLen starts an array of n elements.
func (w *Writer) ArrayLen(n int) {
	if n == 0 {
		w.B = append(w.B, emptyArr...)
		return
	}
	w.B = appendPrefixedLen(w.B, '*', n)
}

// MapLen starts a map of n key/value pairs (RESP2: an array of 2n elements).
func (w *Writer) MapLen(n int) {
	if w.Proto >= 3 {
		w.B = appendPrefixedLen(w.B, '%', n)
	} else {
		w.B = appendPrefixedLen(w.B, '*', 2*n)
	}
}

// SetLen starts a set of n elements (RESP2: an array).
func (w *Writer) SetLen(n int) {
	if w.Proto >= 3 {
		w.B = appendPrefixedLen(w.B, '~', n)
	} else {
		w.B = appendPrefixedLen(w.B, '*', n)
	}
}

// PushLen starts an out-of-band push message of n elements (RESP2: an array).
func (w *Writer) PushLen(n int) {
	if w.Proto >= 3 {
		w.B = appendPrefixedLen(w.B, '>', n)
	} else {
		w.B = appendPrefixedLen(w.B, '*', n)
	}
}

// AttributeLen starts an attribute of n pairs; RESP2 clients get nothing, as in Redis,
// so the caller must not write the attribute's pairs for them.
func (w *Writer) AttributeLen(n int) {
	if w.Proto >= 3 {
		w.B = appendPrefixedLen(w.B, '|', n)
	}
}

// Bool appends a boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
func (w *Writer) Bool(v bool) {
	switch {
	case w.Proto >= 3 && v:
		w.B = append(w.B, "#t\r\n"...)
	case w.Proto >= 3:
		w.B = append(w.B, "#f\r\n"...)
	case v:
		w.B = append(w.B, One...)
	default:
		w.B = append(w.B, Zero...)
	}
}

// Double appends a double as Redis 7.0's addReplyDouble: `%.17g` (inf and -inf spelled
// out) as a bulk string in RESP2, a `,` line in RESP3.
func (w *Writer) Double(f float64) {
	var tmp [40]byte
	b := AppendDouble(tmp[:0], f)
	if w.Proto >= 3 {
		w.B = append(w.B, ',')
		w.B = append(w.B, b...)
		w.B = append(w.B, '\r', '\n')
		return
	}
	w.Bulk(b)
}

// BigNumber appends a big number given as decimal text (RESP2: a bulk string).
func (w *Writer) BigNumber(s string) {
	if w.Proto >= 3 {
		w.B = append(w.B, '(')
		w.B = append(w.B, s...)
		w.B = append(w.B, '\r', '\n')
		return
	}
	w.BulkString(s)
}

// Verbatim appends a verbatim string with a three-letter format such as "txt"
// (RESP2: a plain bulk string).
func (w *Writer) Verbatim(s, format string) {
	if w.Proto < 3 {
		w.BulkString(s)
		return
	}
	w.B = appendPrefixedLen(w.B, '=', len(s)+4)
	w.B = append(w.B, format...)
	w.B = append(w.B, ':')
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

// Deferred is a placeholder for an aggregate length not known when its elements start.
type Deferred struct{ pos int }

// DeferLen marks where an aggregate header will be inserted once its length is known.
func (w *Writer) DeferLen() Deferred { return Deferred{len(w.B)} }

// SetArrayLen inserts the array header for n elements at d.
func (w *Writer) SetArrayLen(d Deferred, n int) { w.insertHeader(d, '*', n) }

// SetMapLen inserts the map header for n pairs at d.
func (w *Writer) SetMapLen(d Deferred, n int) {
	if w.Proto >= 3 {
		w.insertHeader(d, '%', n)
	} else {
		w.insertHeader(d, '*', 2*n)
	}
}

// SetSetLen inserts the set header for n elements at d.
func (w *Writer) SetSetLen(d Deferred, n int) {
	if w.Proto >= 3 {
		w.insertHeader(d, '~', n)
	} else {
		w.insertHeader(d, '*', n)
	}
}

func (w *Writer) insertHeader(d Deferred, prefix byte, n int) {
	var tmp [24]byte
	h := appendPrefixedLen(tmp[:0], prefix, n)
	tail := len(w.B) - d.pos
	w.B = append(w.B, h...)
	copy(w.B[d.pos+len(h):], w.B[d.pos:d.pos+tail])
	copy(w.B[d.pos:], h)
}

func appendPrefixedLen(b []byte, prefix byte, n int) []byte {
	b = append(b, prefix)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\r', '\n')
}

// AppendDouble formats f as Redis 7.0's addReplyDouble does (see conv.FormatDouble).
func AppendDouble(b []byte, f float64) []byte { return conv.FormatDouble(b, f) }
