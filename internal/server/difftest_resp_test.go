package server

// Replies as trees, for the differential test (diff_test.go): read from the wire, encoded
// back to bytes, rendered to and parsed from the readable text form of testdata scripts.
//
// Rendering is lossless: parse(render(v)) encodes to exactly the bytes v was read from,
// so comparing rendered text is comparing bytes.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rv is one RESP value. For simple types ('+', '-', ':', ',', '#', '_', '(') text is
// the line after the type byte; for blob types ('$', '=', '!') it is the payload, and
// null is true for `$-1`; for aggregates ('*', '%', '~', '>') elems holds the elements
// (a map's keys and values alternate) and null is true for `*-1`.
type rv struct {
	kind  byte
	text  []byte
	null  bool
	elems []*rv
}

// isAggregate reports whether kind is an aggregate type byte.
func isAggregate(kind byte) bool { return strings.IndexByte("*%~>", kind) >= 0 }

// isBlob reports whether kind is a length-prefixed type byte.
func isBlob(kind byte) bool { return strings.IndexByte("$=!", kind) >= 0 }

// isSimple reports whether kind is a one-line type byte.
func isSimple(kind byte) bool { return strings.IndexByte("+-:,#_(", kind) >= 0 }

// readRV reads one reply. It fails on RESP that Cairn's or Redis's writer would never
// produce in canonical form (the re-encoding of the tree must equal the bytes read), so
// that a tree stands for its bytes exactly.
func readRV(r *bufio.Reader) (*rv, error) {
	var raw bytes.Buffer
	v, err := readRVInto(r, &raw, 0)
	if err != nil {
		return nil, fmt.Errorf("%w (read so far %q)", err, raw.Bytes())
	}
	if enc := v.encode(nil); !bytes.Equal(enc, raw.Bytes()) {
		return nil, fmt.Errorf("non-canonical RESP %q (canonical form %q)", raw.Bytes(), enc)
	}
	return v, nil
}

func readRVInto(r *bufio.Reader, raw *bytes.Buffer, depth int) (*rv, error) {
	if depth > 64 {
		return nil, fmt.Errorf("reply nested too deeply")
	}
	line, err := r.ReadBytes('\n')
	raw.Write(line)
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return nil, fmt.Errorf("malformed line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	v := &rv{kind: kind}
	switch {
	case isSimple(kind):
		v.text = slices.Clone(body)
	case isBlob(kind):
		n, err := strconv.Atoi(string(body))
		if err != nil || n < -1 || (n == -1 && kind != '$') {
			return nil, fmt.Errorf("bad length in %q", line)
		}
		if n == -1 {
			v.null = true
			return v, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		raw.Write(buf)
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return nil, fmt.Errorf("blob of length %d not followed by CRLF", n)
		}
		v.text = buf[:n]
	case isAggregate(kind):
		n, err := strconv.Atoi(string(body))
		if err != nil || n < -1 || (n == -1 && kind != '*') {
			return nil, fmt.Errorf("bad length in %q", line)
		}
		if n == -1 {
			v.null = true
			return v, nil
		}
		if kind == '%' {
			n *= 2
		}
		v.elems = make([]*rv, n)
		for i := range v.elems {
			if v.elems[i], err = readRVInto(r, raw, depth+1); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("unsupported reply type in %q", line)
	}
	return v, nil
}

// encode appends the RESP bytes of v.
func (v *rv) encode(b []byte) []byte {
	b = append(b, v.kind)
	switch {
	case isSimple(v.kind):
		b = append(b, v.text...)
	case v.null:
		b = append(b, "-1"...)
	case isBlob(v.kind):
		b = strconv.AppendInt(b, int64(len(v.text)), 10)
		b = append(b, '\r', '\n')
		b = append(b, v.text...)
	default:
		n := len(v.elems)
		if v.kind == '%' {
			n /= 2
		}
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, '\r', '\n')
		for _, e := range v.elems {
			b = e.encode(b)
		}
		return b
	}
	return append(b, '\r', '\n')
}

// sortReply implements the `sorted` modifier: every array, set or push whose elements
// are all non-aggregates is sorted by their encoded bytes, and every map's pairs are
// sorted by their keys' encoded bytes, at every depth.
func (v *rv) sortReply() {
	for _, e := range v.elems {
		e.sortReply()
	}
	switch {
	case v.kind == '%':
		sortPairs(v.elems)
	case isAggregate(v.kind):
		for _, e := range v.elems {
			if isAggregate(e.kind) {
				return
			}
		}
		slices.SortStableFunc(v.elems, func(a, b *rv) int { return bytes.Compare(a.encode(nil), b.encode(nil)) })
	}
}

// sortReplyPairs implements the `sortpairs` modifier: the top-level aggregate is read as
// key/value pairs (a RESP2 flat array or a RESP3 map) and its pairs are sorted by key.
func (v *rv) sortReplyPairs() {
	if isAggregate(v.kind) && len(v.elems)%2 == 0 {
		sortPairs(v.elems)
	}
}

func sortPairs(elems []*rv) {
	type pair struct{ k, v *rv }
	ps := make([]pair, len(elems)/2)
	for i := range ps {
		ps[i] = pair{elems[2*i], elems[2*i+1]}
	}
	slices.SortStableFunc(ps, func(a, b pair) int { return bytes.Compare(a.k.encode(nil), b.k.encode(nil)) })
	for i, p := range ps {
		elems[2*i], elems[2*i+1] = p.k, p.v
	}
}

// pattern is an expected reply: an exact value, possibly with `ignore` or `match`
// patterns in place of some of its elements.
type pattern struct {
	ignore bool           // `ignore`: any one reply
	re     *regexp.Regexp // `match <re>`: a reply whose encoded bytes match re
	v      *rv            // exact: kind, text and null as here, elements from elems
	elems  []*pattern     // aggregate elements
}

// exactPattern is the pattern matching v and nothing else.
func exactPattern(v *rv) *pattern {
	p := &pattern{v: v}
	for _, e := range v.elems {
		p.elems = append(p.elems, exactPattern(e))
	}
	return p
}

// matches reports whether got fits the pattern.
func (p *pattern) matches(got *rv) bool {
	switch {
	case p.ignore:
		return true
	case p.re != nil:
		return p.re.Match(got.encode(nil))
	}
	if got.kind != p.v.kind || got.null != p.v.null || !bytes.Equal(got.text, p.v.text) || len(got.elems) != len(p.elems) {
		return false
	}
	for i, e := range p.elems {
		if !e.matches(got.elems[i]) {
			return false
		}
	}
	return true
}

// merge is the -rewrite step: the new expectation for got, keeping this pattern's
// `ignore` and `match` entries where they still fit. It fails when a `match` entry no
// longer matches or the shape around one changed, so that it is edited by hand.
func (p *pattern) merge(got *rv) (*pattern, error) {
	switch {
	case p == nil:
		return exactPattern(got), nil
	case p.ignore:
		return p, nil
	case p.re != nil:
		if !p.re.Match(got.encode(nil)) {
			return nil, fmt.Errorf("redis-server's reply %q does not match `match %s`", got.encode(nil), p.re)
		}
		return p, nil
	}
	if !p.hasWildcards() {
		return exactPattern(got), nil
	}
	if got.kind != p.v.kind || len(got.elems) != len(p.elems) {
		return nil, fmt.Errorf("reply %q no longer has the shape around an ignore/match entry; edit the script by hand", got.encode(nil))
	}
	np := &pattern{v: got}
	for i, e := range p.elems {
		m, err := e.merge(got.elems[i])
		if err != nil {
			return nil, err
		}
		np.elems = append(np.elems, m)
	}
	return np, nil
}

func (p *pattern) hasWildcards() bool {
	if p.ignore || p.re != nil {
		return true
	}
	for _, e := range p.elems {
		if e.hasWildcards() {
			return true
		}
	}
	return false
}

// The text form, one RESP value per line, elements indented two spaces under their
// aggregate's header:
//
//	+OK                 simple string       -ERR msg      error
//	:12                 integer             ,1.5          double (RESP3)
//	#t                  boolean (RESP3)     _             null (RESP3)
//	(123                big number          $-1  *-1      RESP2 null bulk / null array
//	"bulk\x00\r\n"      bulk string, Go-quoted
//	="txt:hi"  !"x"     verbatim string, blob error: type byte + Go-quoted payload
//	*2  %1  ~3  >3      array, map (then 2 elements per pair), set, push; elements follow
//	ignore              any one reply (or element)
//	match <regexp>      a reply whose RESP bytes match the Go regexp (unanchored:
//	                    anchor it with ^ and $; \r\n in the regexp matches CR LF)
//
// A simple value whose text starts or ends with a space, starts with a double quote, or
// holds bytes outside printable ASCII is written Go-quoted after its type byte:
// `-"ERR unknown command 'x', with args beginning with: "` keeps its trailing space.

// renderPattern appends the text form of p at the given depth.
func renderPattern(lines []string, p *pattern, depth int) []string {
	ind := strings.Repeat("  ", depth)
	switch {
	case p.ignore:
		return append(lines, ind+"ignore")
	case p.re != nil:
		return append(lines, ind+"match "+p.re.String())
	}
	v := p.v
	switch {
	case isSimple(v.kind):
		return append(lines, ind+string(v.kind)+simpleText(v.text))
	case v.null:
		return append(lines, ind+string(v.kind)+"-1")
	case v.kind == '$':
		return append(lines, ind+strconv.Quote(string(v.text)))
	case isBlob(v.kind):
		return append(lines, ind+string(v.kind)+strconv.Quote(string(v.text)))
	}
	n := len(p.elems)
	if v.kind == '%' {
		n /= 2
	}
	lines = append(lines, ind+string(v.kind)+strconv.Itoa(n))
	for _, e := range p.elems {
		lines = renderPattern(lines, e, depth+1)
	}
	return lines
}

// renderRV is the text form of a reply, for messages.
func renderRV(v *rv) string {
	return strings.Join(renderPattern(nil, exactPattern(v), 0), "\n")
}

func simpleText(t []byte) string {
	needQuote := len(t) > 0 && (t[0] == '"' || t[0] == ' ' || t[len(t)-1] == ' ')
	for _, c := range t {
		if c < 0x20 || c >= 0x7f {
			needQuote = true
		}
	}
	if needQuote {
		return strconv.Quote(string(t))
	}
	return string(t)
}

// parsePatterns parses the text form of a sequence of expected replies. lines are the
// expected section of a case; first is the line number of lines[0], for messages.
func parsePatterns(lines []string, first int) ([]*pattern, error) {
	var out []*pattern
	for i := 0; i < len(lines); {
		p, next, err := parsePattern(lines, i, first, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		i = next
	}
	return out, nil
}

func parsePattern(lines []string, i, first, depth int) (*pattern, int, error) {
	if i >= len(lines) {
		return nil, i, fmt.Errorf("line %d: aggregate has fewer elements than its header says", first+i-1)
	}
	if depth > 64 {
		return nil, i, fmt.Errorf("line %d: nested too deeply", first+i)
	}
	line := strings.TrimLeft(lines[i], " ")
	errf := func(format string, args ...any) (*pattern, int, error) {
		return nil, i, fmt.Errorf("line %d: %s", first+i, fmt.Sprintf(format, args...))
	}
	switch {
	case line == "ignore":
		return &pattern{ignore: true}, i + 1, nil
	case strings.HasPrefix(line, "match "):
		re, err := regexp.Compile(line[len("match "):])
		if err != nil {
			return errf("%v", err)
		}
		return &pattern{re: re}, i + 1, nil
	case line == "":
		return errf("empty line")
	}
	kind, body := line[0], line[1:]
	v := &rv{kind: kind}
	switch {
	case kind == '"':
		s, err := strconv.Unquote(line)
		if err != nil {
			return errf("bad quoted bulk string: %v", err)
		}
		v.kind, v.text = '$', []byte(s)
	case isSimple(kind):
		if strings.HasPrefix(body, `"`) {
			s, err := strconv.Unquote(body)
			if err != nil {
				return errf("bad quoted text: %v", err)
			}
			body = s
		}
		if strings.ContainsAny(body, "\r\n") {
			return errf("simple value contains CR or LF")
		}
		v.text = []byte(body)
	case isBlob(kind) && body == "-1":
		v.null = true
	case isBlob(kind):
		s, err := strconv.Unquote(body)
		if err != nil {
			return errf("bad quoted payload: %v", err)
		}
		v.text = []byte(s)
	case isAggregate(kind):
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 || (n == -1 && kind != '*') {
			return errf("bad aggregate length %q", body)
		}
		p := &pattern{v: v}
		if n == -1 {
			v.null = true
			return p, i + 1, nil
		}
		if kind == '%' {
			n *= 2
		}
		next := i + 1
		for range n {
			var e *pattern
			if e, next, err = parsePattern(lines, next, first, depth+1); err != nil {
				return nil, next, err
			}
			p.elems = append(p.elems, e)
		}
		return p, next, nil
	default:
		return errf("unknown reply form %q", line)
	}
	return &pattern{v: v}, i + 1, nil
}

// TestDiffTextFormatRoundTrip checks that the text form is lossless: every reply read
// from the wire renders to text that parses back to the same bytes.
func TestDiffTextFormatRoundTrip(t *testing.T) {
	replies := []string{
		"+OK\r\n", "+\r\n", "+ lead\r\n", "+\"q\r\n", "+tab\there\r\n",
		"-ERR unknown command 'x', with args beginning with: \r\n",
		":0\r\n", ":-9223372036854775808\r\n", ",1.5\r\n", ",inf\r\n", "#t\r\n", "_\r\n",
		"(3492890328409238509324850943850943825024385\r\n",
		"$-1\r\n", "$0\r\n\r\n", "$5\r\na\x00\r\n\xff\r\n", "$3\r\n\"x\"\r\n",
		"=15\r\ntxt:Some string\r\n", "!8\r\nERR x\r\ny\r\n",
		"*-1\r\n", "*0\r\n", "*2\r\n$1\r\na\r\n*1\r\n:1\r\n",
		"%1\r\n$1\r\nk\r\n%0\r\n", "~2\r\n:1\r\n:2\r\n", ">2\r\n$7\r\nmessage\r\n_\r\n",
	}
	for _, raw := range replies {
		v, err := readRV(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			t.Errorf("%q: %v", raw, err)
			continue
		}
		lines := renderPattern(nil, exactPattern(v), 0)
		ps, err := parsePatterns(lines, 1)
		if err != nil || len(ps) != 1 {
			t.Errorf("%q rendered as %q: %v", raw, lines, err)
			continue
		}
		if !ps[0].matches(v) {
			t.Errorf("%q rendered as %q does not match itself", raw, lines)
		}
		if got := ps[0].v.encode(nil); !isAggregate(v.kind) && string(got) != raw {
			t.Errorf("%q rendered as %q parses back to %q", raw, lines, got)
		}
	}
	for _, bad := range []string{"$03\r\nabc\r\n", "*1\r\n", ":1\n", "$3\r\nabcde"} {
		if _, err := readRV(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("%q: read without error", bad)
		}
	}
}

func TestDiffStepParsing(t *testing.T) {
	cases := []struct {
		line string
		want []string
		mod  string
	}{
		{`SET k "a b"`, []string{"SET", "k", "a b"}, ""},
		{`ECHO "\x00\n" 'it\'s'`, []string{"ECHO", "\x00\n", "it's"}, ""},
		{`sorted KEYS *`, []string{"KEYS", "*"}, "sorted"},
		{`noreply CLIENT REPLY OFF`, []string{"CLIENT", "REPLY", "OFF"}, "noreply"},
		{`sortpairs CONFIG GET a b`, []string{"CONFIG", "GET", "a", "b"}, "sortpairs"},
	}
	for _, tc := range cases {
		st, err := parseStep(tc.line, 1)
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		var got []string
		for _, a := range st.args {
			got = append(got, string(a))
		}
		mod := map[bool]string{true: "sorted"}[st.sorted] + map[bool]string{true: "noreply"}[st.noreply] + map[bool]string{true: "sortpairs"}[st.sortpairs]
		if !slices.Equal(got, tc.want) || mod != tc.mod {
			t.Errorf("%s: got %q %q, want %q %q", tc.line, got, mod, tc.want, tc.mod)
		}
	}
	for _, bad := range []string{`SET "a`, `sleep x`, `proto 4`, `sorted`} {
		if _, err := parseStep(bad, 1); err == nil {
			t.Errorf("%s: parsed without error", bad)
		}
	}
	if st, err := parseStep("sleep 150ms", 1); err != nil || st.kind != stepSleep || st.dur != 150*time.Millisecond {
		t.Errorf("sleep 150ms: %+v %v", st, err)
	}
}
