package resp

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// parseAll feeds in to a parser in chunks of the given sizes (cycled) and returns every
// command, as the connection loop does: append, parse all complete, compact.
func parseAll(t *testing.T, in []byte, chunks []int) ([][]string, error) {
	t.Helper()
	var p Parser
	var buf []byte
	var out [][]string
	var argv [][]byte
	for pos, i := 0, 0; pos < len(in); i++ {
		n := chunks[i%len(chunks)]
		end := min(pos+n, len(in))
		buf = append(buf, in[pos:end]...)
		pos = end
		for {
			var ok bool
			var err error
			argv, ok, err = p.Next(buf, argv[:0])
			if err != nil {
				return out, err
			}
			if !ok {
				break
			}
			cmd := make([]string, len(argv))
			for j, a := range argv {
				cmd[j] = string(a)
			}
			out = append(out, cmd)
		}
		buf = p.Compact(buf)
	}
	return out, nil
}

func TestParserCommands(t *testing.T) {
	in := []byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n" +
		"PING\r\n" +
		"\r\n" +
		"*0\r\n" +
		"ECHO \"a b\" 'c d' \"\\x41\\n\"\n" +
		"*1\r\n$0\r\n\r\n" +
		"  spaced   out  \r\n")
	want := [][]string{
		{"SET", "key", "va\r\nl"},
		{"PING"},
		{"ECHO", "a b", "c d", "A\n"},
		{""},
		{"spaced", "out"},
	}
	for _, chunks := range [][]int{{len(in)}, {1}, {2}, {3, 7}, {13}, {1, 100}} {
		got, err := parseAll(t, in, chunks)
		if err != nil {
			t.Fatalf("chunks %v: %v", chunks, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("chunks %v:\n got %q\nwant %q", chunks, got, want)
		}
	}
}

func TestParserBatchKeepsEarlierArguments(t *testing.T) {
	// Several commands parsed into one argv slice must all stay intact, including
	// quoted inline ones decoded into the parser's scratch space.
	var p Parser
	buf := []byte("SET \"k 1\" v\r\nSET 'k 2' w\r\n*2\r\n$3\r\nGET\r\n$1\r\nx\r\n")
	var argv [][]byte
	var ends []int
	for {
		var ok bool
		var err error
		argv, ok, err = p.Next(buf, argv)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		ends = append(ends, len(argv))
	}
	got := make([]string, len(argv))
	for i, a := range argv {
		got[i] = string(a)
	}
	want := []string{"SET", "k 1", "v", "SET", "k 2", "w", "GET", "x"}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(ends, []int{3, 6, 8}) {
		t.Fatalf("got %q ends %v", got, ends)
	}
}

func TestParserErrors(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"*abc\r\n", ErrInvalidMultibulkLen},
		{"*-\r\n", ErrInvalidMultibulkLen},
		{"*01\r\n", ErrInvalidMultibulkLen},
		{"*2147483648\r\n", ErrInvalidMultibulkLen},
		{"*1\r\nx\r\n", ProtocolError("Protocol error: expected '$', got 'x'")},
		{"*1\r\n$-1\r\n", ErrInvalidBulkLen},
		{"*1\r\n$+1\r\n", ErrInvalidBulkLen},
		{"*1\r\n$536870913\r\n", ErrInvalidBulkLen},
		{"SET \"a\r\n", ErrUnbalancedQuotes},
		{"SET 'a\r\n", ErrUnbalancedQuotes},
		{"SET \"a\"b\r\n", ErrUnbalancedQuotes},
		{strings.Repeat("x", InlineMaxSize+1), ErrTooBigInline},
		{"*" + strings.Repeat("1", InlineMaxSize+1), ErrTooBigMultibulkCount},
		{"*1\r\n$" + strings.Repeat("1", InlineMaxSize+1), ErrTooBigBulkCount},
	}
	for _, tc := range cases {
		for _, chunk := range []int{1, 5, len(tc.in)} {
			_, err := parseAll(t, []byte(tc.in), []int{chunk})
			if !errors.Is(err, tc.want) {
				t.Errorf("%.40q (chunks of %d): got %v, want %v", tc.in, chunk, err, tc.want)
			}
		}
	}
}

func TestParserLimits(t *testing.T) {
	p := Parser{MaxBulkLen: 10}
	if _, _, err := p.Next([]byte("*1\r\n$11\r\n"), nil); err != ErrInvalidBulkLen {
		t.Fatalf("bulk over MaxBulkLen: got %v", err)
	}
	p = Parser{Unauthenticated: true}
	if _, _, err := p.Next([]byte("*11\r\n"), nil); err != ErrUnauthMultibulkLen {
		t.Fatalf("unauthenticated multibulk: got %v", err)
	}
	p = Parser{Unauthenticated: true}
	if _, _, err := p.Next([]byte("*1\r\n$16385\r\n"), nil); err != ErrUnauthBulkLen {
		t.Fatalf("unauthenticated bulk: got %v", err)
	}
}

func TestParserNeedForLargeBulk(t *testing.T) {
	var p Parser
	buf := []byte("*2\r\n$3\r\nSET\r\n$1000000\r\nabc")
	if _, ok, err := p.Next(buf, nil); ok || err != nil {
		t.Fatalf("incomplete: ok=%v err=%v", ok, err)
	}
	if want := len("*2\r\n$3\r\nSET\r\n$1000000\r\n") + 1000000 + 2; p.Need() != want {
		t.Fatalf("Need() = %d, want %d", p.Need(), want)
	}
}

func FuzzParser(f *testing.F) {
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), 3)
	f.Add([]byte("SET \"a\\x41\" 'b'\r\n"), 1)
	f.Add([]byte("*1\r\n$-1\r\n"), 2)
	f.Fuzz(func(t *testing.T, in []byte, chunk int) {
		if chunk <= 0 || chunk > len(in)+1 {
			chunk = len(in) + 1
		}
		whole, errWhole := parseAll(t, in, []int{len(in) + 1})
		split, errSplit := parseAll(t, in, []int{chunk})
		// Splitting the input must never change what is parsed.
		if (errWhole == nil) != (errSplit == nil) || !reflect.DeepEqual(whole, split) {
			t.Fatalf("whole %q/%v, split by %d %q/%v", whole, errWhole, chunk, split, errSplit)
		}
		if errWhole != nil && !bytes.HasPrefix([]byte(errWhole.Error()), []byte("Protocol error: ")) {
			t.Fatalf("error without Redis's prefix: %v", errWhole)
		}
	})
}
