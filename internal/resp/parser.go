package resp

import "bytes"

// Redis's fixed protocol limits (server.h).
const (
	// InlineMaxSize is PROTO_INLINE_MAX_SIZE: the longest inline request, multibulk
	// count line or bulk length line Redis waits for before calling it an error.
	InlineMaxSize = 64 * 1024
	// maxMultibulkLen is INT_MAX: Redis's bound on the argument count of one command.
	maxMultibulkLen = 1<<31 - 1
	// unauthMaxMultibulk and unauthMaxBulk are the limits Redis 7.0 applies to clients
	// that must still authenticate.
	unauthMaxMultibulk = 10
	unauthMaxBulk      = 16384
)

// ProtocolError is a malformed request. Its text is what Redis sends after "-ERR "; the
// connection is closed once the reply has been written.
type ProtocolError string

func (e ProtocolError) Error() string { return string(e) }

// Redis's protocol error texts (networking.c).
const (
	ErrInvalidMultibulkLen  ProtocolError = "Protocol error: invalid multibulk length"
	ErrInvalidBulkLen       ProtocolError = "Protocol error: invalid bulk length"
	ErrUnbalancedQuotes     ProtocolError = "Protocol error: unbalanced quotes in request"
	ErrTooBigInline         ProtocolError = "Protocol error: too big inline request"
	ErrTooBigMultibulkCount ProtocolError = "Protocol error: too big mbulk count string"
	ErrTooBigBulkCount      ProtocolError = "Protocol error: too big bulk count string"
	ErrUnauthMultibulkLen   ProtocolError = "Protocol error: unauthenticated multibulk length"
	ErrUnauthBulkLen        ProtocolError = "Protocol error: unauthenticated bulk length"
	errExpectedDollarPrefix               = "Protocol error: expected '$', got '"
	defaultMaxBulkLen                     = 512 * 1024 * 1024
	maxPreallocArgs                       = 1024
	parserStateIdle                       = 0
	parserStateMultibulk                  = 1
)

type span struct{ start, end int }

// Parser splits a read buffer into commands. The zero value is ready to use with
// Redis's default proto-max-bulk-len.
type Parser struct {
	// MaxBulkLen is proto-max-bulk-len; 0 means Redis's default, 512 MB.
	MaxBulkLen int64
	// Unauthenticated applies Redis's stricter limits for clients that still have to
	// AUTH (at most 10 arguments, bulks of at most 16 KB).
	Unauthenticated bool

	off   int // start of the next (or partly parsed) command in the buffer
	pos   int // where parsing of the partial command resumes
	state int
	left  int    // multibulk: arguments still to read
	spans []span // multibulk: arguments read so far, as offsets
	quote []byte // inline: decoded quoted arguments, kept until Compact
	ends  []span // inline: scratch bounds of arguments in quote
	need  int    // bytes the buffer must hold before parsing can progress
}

// Next parses the next complete command in buf and appends its arguments, borrowed from
// buf, to dst. It returns ok=false when buf holds no further complete command: the
// caller reads more into buf (keeping buf[Offset():] intact) and calls Next again. Empty
// requests are skipped. A ProtocolError is final for the connection.
//
// buf must be the same buffer (same contents up to its previous length) on every call,
// until the caller calls Compact; arguments stay valid until then.
func (p *Parser) Next(buf []byte, dst [][]byte) (argv [][]byte, ok bool, err error) {
	for {
		if p.off >= len(buf) || len(buf) < p.need {
			return dst, false, nil
		}
		n := len(dst)
		if p.state == parserStateMultibulk || buf[p.off] == '*' {
			dst, err = p.multibulk(buf, dst)
		} else {
			dst, err = p.inline(buf, dst)
		}
		if err != nil {
			return dst[:n], false, err
		}
		if len(dst) > n {
			return dst, true, nil
		}
		if p.need != 0 || p.state != parserStateIdle {
			return dst, false, nil
		}
		// an empty command was skipped
	}
}

// Offset is the start of the unparsed part of the buffer: everything before it has been
// returned as commands and may be discarded once those commands are done with.
func (p *Parser) Offset() int { return p.off }

// Buffered reports whether a command has started arriving but is not yet complete.
func (p *Parser) Buffered(buf []byte) bool { return p.off < len(buf) }

// Compact moves the unparsed tail of buf to its start and returns the shortened buffer.
// Arguments returned earlier become invalid.
func (p *Parser) Compact(buf []byte) []byte {
	if p.off == 0 {
		return buf
	}
	n := copy(buf, buf[p.off:])
	shift := p.off
	p.off = 0
	p.quote = p.quote[:0]
	p.pos -= shift
	if p.need > 0 {
		p.need -= shift
	}
	for i := range p.spans {
		p.spans[i].start -= shift
		p.spans[i].end -= shift
	}
	return buf[:n]
}

// Need is how many bytes the buffer must hold (from its start) before Next can make
// progress; 0 when unknown. Connections use it to size a read for a large bulk.
func (p *Parser) Need() int { return p.need }

// Reset forgets any partial command (used after a protocol error or RESET of a buffer).
func (p *Parser) Reset() {
	p.off, p.pos, p.state, p.left, p.need = 0, 0, parserStateIdle, 0, 0
	p.spans = p.spans[:0]
	p.quote = p.quote[:0]
}

func (p *Parser) maxBulk() int64 {
	if p.Unauthenticated {
		return unauthMaxBulk
	}
	if p.MaxBulkLen > 0 {
		return p.MaxBulkLen
	}
	return defaultMaxBulkLen
}

// multibulk parses `*N\r\n` followed by N `$len\r\n<bytes>\r\n` arguments.
func (p *Parser) multibulk(buf []byte, dst [][]byte) ([][]byte, error) {
	if p.state == parserStateIdle {
		// Redis looks for '\r' and then needs one more byte, which it skips unchecked.
		cr := bytes.IndexByte(buf[p.off:], '\r')
		if cr < 0 || p.off+cr+1 >= len(buf) {
			if len(buf)-p.off > InlineMaxSize {
				return dst, ErrTooBigMultibulkCount
			}
			p.need = len(buf) + 1
			return dst, nil
		}
		n, ok := parseLen(buf[p.off+1 : p.off+cr])
		if !ok || n > maxMultibulkLen {
			return dst, ErrInvalidMultibulkLen
		}
		if p.Unauthenticated && n > unauthMaxMultibulk {
			return dst, ErrUnauthMultibulkLen
		}
		p.pos = p.off + cr + 2
		if n <= 0 {
			p.off, p.need = p.pos, 0
			return dst, nil
		}
		p.state, p.left, p.spans = parserStateMultibulk, int(n), p.spans[:0]
		if cap(p.spans) < min(int(n), maxPreallocArgs) {
			p.spans = make([]span, 0, min(int(n), maxPreallocArgs))
		}
	}
	for p.left > 0 {
		if p.pos >= len(buf) {
			p.need = p.pos + 1
			return dst, nil
		}
		if buf[p.pos] != '$' {
			return dst, ProtocolError(errExpectedDollarPrefix + string(buf[p.pos]) + "'")
		}
		cr := bytes.IndexByte(buf[p.pos:], '\r')
		if cr < 0 || p.pos+cr+1 >= len(buf) {
			if len(buf)-p.pos > InlineMaxSize {
				return dst, ErrTooBigBulkCount
			}
			p.need = len(buf) + 1
			return dst, nil
		}
		n, ok := parseLen(buf[p.pos+1 : p.pos+cr])
		if p.Unauthenticated && ok && n > unauthMaxBulk {
			return dst, ErrUnauthBulkLen
		}
		if !ok || n < 0 || n > p.maxBulk() {
			return dst, ErrInvalidBulkLen
		}
		start := p.pos + cr + 2
		end := start + int(n)
		if end+2 > len(buf) {
			p.need = end + 2
			return dst, nil
		}
		p.spans = append(p.spans, span{start, end})
		p.pos = end + 2 // Redis skips the two bytes after a bulk without looking at them
		p.left--
	}
	for _, s := range p.spans {
		dst = append(dst, buf[s.start:s.end:s.end])
	}
	p.off, p.state, p.need = p.pos, parserStateIdle, 0
	return dst, nil
}

// inline parses a request line split on spaces, with Redis's quoting rules.
func (p *Parser) inline(buf []byte, dst [][]byte) ([][]byte, error) {
	nl := bytes.IndexByte(buf[p.off:], '\n')
	if nl < 0 {
		if len(buf)-p.off > InlineMaxSize {
			return dst, ErrTooBigInline
		}
		p.need = len(buf) + 1
		return dst, nil
	}
	line := buf[p.off : p.off+nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	p.off += nl + 1
	p.need = 0
	// sdssplitargs works on a C string: a NUL byte ends the line.
	if z := bytes.IndexByte(line, 0); z >= 0 {
		line = line[:z]
	}
	dst, ok := p.splitArgs(line, dst)
	if !ok {
		return dst, ErrUnbalancedQuotes
	}
	return dst, nil
}

// splitArgs is Redis's sdssplitargs over a line, appending to dst. Unquoted arguments
// are borrowed from the line; a line with quotes is decoded into p.quote, which is only
// appended to until Compact, so earlier commands' arguments stay intact.
func (p *Parser) splitArgs(line []byte, dst [][]byte) ([][]byte, bool) {
	if bytes.IndexAny(line, "\"'") < 0 {
		for i := 0; i < len(line); {
			for i < len(line) && isSpace(line[i]) {
				i++
			}
			if i == len(line) {
				break
			}
			j := i
			for j < len(line) && !isSpace(line[j]) {
				j++
			}
			dst = append(dst, line[i:j:j])
			i = j
		}
		return dst, true
	}
	// Quoted arguments: decode all arguments into one scratch buffer, then slice it.
	first := len(p.quote)
	p.ends = p.ends[:0]
	for i := 0; ; {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			break
		}
		start := len(p.quote)
		var ok bool
		i, ok = p.splitOne(line, i)
		if !ok {
			p.quote = p.quote[:first]
			return dst, false
		}
		p.ends = append(p.ends, span{start, len(p.quote)})
	}
	for _, b := range p.ends {
		dst = append(dst, p.quote[b.start:b.end:b.end])
	}
	return dst, true
}

// splitOne decodes one argument starting at line[i] into p.quote and returns the index
// after it.
func (p *Parser) splitOne(line []byte, i int) (int, bool) {
	inq, insq := false, false
	for {
		if i == len(line) {
			if inq || insq {
				return i, false
			}
			return i, true
		}
		c := line[i]
		switch {
		case inq:
			if c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]) {
				p.quote = append(p.quote, hexVal(line[i+2])<<4|hexVal(line[i+3]))
				i += 4
				continue
			}
			if c == '\\' && i+1 < len(line) {
				i++
				switch line[i] {
				case 'n':
					c = '\n'
				case 'r':
					c = '\r'
				case 't':
					c = '\t'
				case 'b':
					c = '\b'
				case 'a':
					c = '\a'
				default:
					c = line[i]
				}
				p.quote = append(p.quote, c)
				i++
				continue
			}
			if c == '"' {
				// The closing quote must be followed by a space or the end.
				if i+1 < len(line) && !isSpace(line[i+1]) {
					return i, false
				}
				return i + 1, true
			}
			p.quote = append(p.quote, c)
		case insq:
			if c == '\\' && i+1 < len(line) && line[i+1] == '\'' {
				p.quote = append(p.quote, '\'')
				i += 2
				continue
			}
			if c == '\'' {
				if i+1 < len(line) && !isSpace(line[i+1]) {
					return i, false
				}
				return i + 1, true
			}
			p.quote = append(p.quote, c)
		default:
			switch c {
			case ' ', '\n', '\r', '\t':
				return i, true
			case '"':
				inq = true
			case '\'':
				insq = true
			default:
				p.quote = append(p.quote, c)
			}
		}
		i++
	}
}

// isSpace is C's isspace in the "C" locale, as sdssplitargs uses it between arguments.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// parseLen is Redis's string2ll restricted to what a length line holds: an optional
// minus sign and decimal digits, no leading zeros, no spaces, no overflow.
func parseLen(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if len(b) > 1 && b[0] == '0' {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}
