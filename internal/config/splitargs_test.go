package config

import (
	"reflect"
	"strings"
	"testing"
)

// splitArgsCases were checked against redis-server 7.0.15, whose inline
// protocol splits lines with the same sdssplitargs: "RPUSH l __ <line>"
// then LRANGE, or -ERR Protocol error: unbalanced quotes.
var splitArgsCases = []struct {
	line string
	want []string
	ok   bool
}{
	{"a b c", []string{"a", "b", "c"}, true},
	{"  a   b  ", []string{"a", "b"}, true},
	{"\"\"", []string{""}, true},
	{"\"\" \"\"", []string{"", ""}, true},
	{"''", []string{""}, true},
	{"\"a b\"", []string{"a b"}, true},
	{"'a b'", []string{"a b"}, true},
	{"\"a\\nb\"", []string{"a\nb"}, true},
	{"\"\\r\\t\\b\\a\\\\\\\"\"", []string{"\r\t\x08\x07\\\""}, true},
	{"\"\\x41\\x4a\\x4A\"", []string{"AJJ"}, true},
	{"\"\\x4\"", []string{"x4"}, true},
	{"\"\\xZZ\"", []string{"xZZ"}, true},
	{"\"\\q\"", []string{"q"}, true},
	{"'a\\'b'", []string{"a'b"}, true},
	{"'a\\\"b'", []string{"a\\\"b"}, true},
	{"'a\\\\b'", []string{"a\\\\b"}, true},
	{"a\"b c\"d", nil, false},
	{"a\"b c\" d", []string{"ab c", "d"}, true},
	{"\"a\"b", nil, false},
	{"\"abc", nil, false},
	{"'abc", nil, false},
	{"\"abc\\\"", nil, false},
	{"\"a\" \"b\"", []string{"a", "b"}, true},
	{"\"a\"\t\"b\"", []string{"a", "b"}, true},
	{"a\tb", []string{"a", "b"}, true},
	{"a\x0bb", []string{"a\x0bb"}, true},
	{"\x0ba b", []string{"a", "b"}, true},
	{"\"x\"\x0b", []string{"x"}, true},
	{"a'b'", []string{"ab"}, true},
	{"'a''b'", nil, false},
	{"\"\\\\x41\"", []string{"\\x41"}, true},
	{"\"\xc3\xa9\"", []string{"\xc3\xa9"}, true},
	{"a\rb", []string{"a", "b"}, true},
	{"\"a\\", nil, false},
	{"\\\"a", nil, false},
	{"abc\"", nil, false},
	{"\"x\\x\"", []string{"xx"}, true},
	{"a\x0cb", []string{"a\x0cb"}, true},
	{"\"a\"\x0cb", []string{"a", "b"}, true},
	{"'a'\tb", []string{"a", "b"}, true},
	{"\"\\x41\\x\"", []string{"Ax"}, true},
	{"\"\\xa\"", []string{"xa"}, true},
	{"'\\'", nil, false},
	{"'\\''", []string{"'"}, true},
	{"x \"\" y", []string{"x", "", "y"}, true},
	// Not expressible inline (the protocol splits lines first).
	{"", []string{}, true},
	{"   ", []string{}, true},
	{"a\x00b c", []string{"a"}, true},
	{"\"a\x00b\"", nil, false},
	{"a\nb", []string{"a", "b"}, true},
	{"\"a\nb\"", []string{"a\nb"}, true},
}

func TestSplitArgs(t *testing.T) {
	for _, tc := range splitArgsCases {
		got, ok := SplitArgs(tc.line)
		if ok != tc.ok || ok && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q, %v", tc.line, got, ok, tc.want, tc.ok)
		}
		if ok && got == nil {
			t.Errorf("SplitArgs(%q) returned nil", tc.line)
		}
	}
}

func TestAppendSplitArgsReuses(t *testing.T) {
	buf := make([]string, 0, 8)
	buf, ok := AppendSplitArgs(buf[:0], "set k v")
	if !ok || len(buf) != 3 {
		t.Fatalf("got %q %v", buf, ok)
	}
	buf, ok = AppendSplitArgs(buf, "a \"b")
	if ok || len(buf) != 3 {
		t.Fatalf("failed split changed dst: %q %v", buf, ok)
	}
	if allocs := testing.AllocsPerRun(100, func() { buf, _ = AppendSplitArgs(buf[:0], "set key value") }); allocs != 0 {
		t.Errorf("plain line: %v allocations, want 0", allocs)
	}
}

// TestReprRoundTrip checks that SplitArgs reads back what appendRepr
// writes, for every byte.
func TestReprRoundTrip(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 256; i++ {
		b.WriteByte(byte(i))
	}
	all := b.String()
	for _, s := range []string{"", "plain", "a b", "q\"uote", "back\\slash", all[1:]} {
		got, ok := SplitArgs(repr(s))
		if !ok || len(got) != 1 || got[0] != s {
			t.Errorf("repr(%q) = %s reads back as %q, %v", s, repr(s), got, ok)
		}
	}
	if got, want := repr("x\"y\\n\xff\x01"), `"x\"y\\n\xff\x01"`; got != want {
		t.Errorf("repr = %s, want %s", got, want)
	}
}

func BenchmarkSplitArgs(b *testing.B) {
	buf := make([]string, 0, 8)
	for _, line := range []string{"SET key:000001 some-value-here", `SET "key with space" "v\x41lue"`} {
		b.Run(line[:5], func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				buf, _ = AppendSplitArgs(buf[:0], line)
			}
		})
	}
}
