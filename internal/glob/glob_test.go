package glob

import (
	"strings"
	"testing"
)

type matchCase struct {
	pattern, s string
	nocase     bool
	want       bool
}

// matchCases were checked against redis-server 7.0.15 (KEYS for nocase
// false, COMMAND LIST FILTERBY PATTERN for nocase true) where they can be.
var matchCases = []matchCase{
	// literals
	{"", "", false, true},
	{"", "a", false, false},
	{"a", "", false, false},
	{"abc", "abc", false, true},
	{"abc", "abd", false, false},
	{"abc", "ab", false, false},
	{"ab", "abc", false, false},
	{"ABC", "abc", false, false},
	{"ABC", "abc", true, true},
	{"abc", "AbC", true, true},
	{"a]b", "a]b", false, true},
	{"a^-b", "a^-b", false, true},
	{"\xc3\xa9", "\xc3\xa9", false, true},
	{"\xc3\x89", "\xc3\xa9", true, false}, // tolower is ASCII only
	{"a\x00b", "a\x00b", false, true},
	{"a\x00b", "a\x00c", false, false},

	// stars
	{"*", "", false, false}, // KEYS * short-circuits before matching
	{"**", "", false, false},
	{"*", "a", false, true},
	{"*", "anything at all", false, true},
	{"a*", "a", false, true},
	{"a*", "abc", false, true},
	{"a*", "ba", false, false},
	{"*a", "a", false, true},
	{"*a", "bca", false, true},
	{"*a", "ab", false, false},
	{"a*b", "ab", false, true},
	{"a*b", "axxb", false, true},
	{"a*b", "axxbc", false, false},
	{"a*b*c", "abc", false, true},
	{"a*b*c", "a_b_c", false, true},
	{"a*b*c", "acb", false, false},
	{"a***b", "ab", false, true},
	{"a***", "a", false, true},
	{"*a*", "xxaxx", false, true},
	{"*a*", "xxx", false, false},
	{"*?", "", false, false},
	{"?*", "a", false, true},
	{"*abc*abd*", "abcabcabd", false, true},
	{"*aab", "aaab", false, true},
	{"h*llo*", "hello world", false, true},
	{"*x", "x\x00", false, false},

	// question mark
	{"?", "", false, false},
	{"?", "a", false, true},
	{"?", "ab", false, false},
	{"a?c", "abc", false, true},
	{"a?c", "ac", false, false},
	{"???", "\x00\xff\n", false, true},

	// classes
	{"[abc]", "b", false, true},
	{"[abc]", "d", false, false},
	{"[abc]", "", false, false},
	{"[abc]", "B", true, true},
	{"[ABC]", "b", true, true},
	{"[^abc]", "d", false, true},
	{"[^abc]", "a", false, false},
	{"[^a]", "A", true, false},
	{"[a-z]", "m", false, true},
	{"[a-z]", "M", false, false},
	{"[a-z]", "M", true, true},
	{"[z-a]", "m", false, true}, // reversed range is swapped
	{"[z-a]", "z", false, true},
	{"[A-Z]", "q", true, true},
	{"[Z-a]", "_", false, true},
	{"[Z-a]", "_", true, false}, // lowered after the swap: [z-a], empty
	{"[a-]", "]", false, true},  // "]" is the range end: [\]-a], unterminated
	{"[a-]", "-", false, false},
	{"[a-]b", "ab", false, false},
	{"[-a]", "-", false, true},
	{"[]]", "]", false, false}, // "]" right after "[" closes an empty class
	{"[]]", "", false, false},
	{"[]a]", "a", false, false},
	{"[!a]", "!", false, true}, // only ^ negates
	{"[a\\]]", "]", false, true},
	{"[\\a]", "a", false, true},
	{"[\\a]", "A", true, false}, // escaped class byte compares case-sensitively
	{"[\\-]", "-", false, true},
	{"[a\\-z]", "m", false, false},
	{"[a\\-z]", "-", false, true},
	{"[\\^a]", "^", false, true},
	{"[^]", "x", false, true},      // empty class, negated
	{"[a-\xff]", "0", false, true}, // signed chars: [\xff-a]
	{"[a-\xff]", "\xc3", false, false},
	{"[a-\xff]", "\xff", false, true},
	{"[\x80-\xff]", "\x90", false, true},
	{"[\x00-\x7f]", "\x80", false, false},

	// unterminated classes
	{"[", "a", false, false},
	{"[", "[", false, false},
	{"[^", "a", false, true},
	{"[^", "", false, false},
	{"[abc", "b", false, true},
	{"[abc", "d", false, false},
	{"[abc", "bc", false, false},
	{"x[a", "xa", false, true},
	{"[a-", "-", false, true},
	{"[a\\", "\\", false, true},
	{"*[", "a", false, false},
	{"*[^", "ab", false, true},

	// escapes
	{"\\*", "*", false, true},
	{"\\*", "a", false, false},
	{"\\?", "?", false, true},
	{"\\[a]", "[a]", false, true},
	{"\\a", "a", false, true},
	{"\\\\", "\\", false, true},
	{"a\\", "a\\", false, true}, // trailing backslash is literal
	{"a\\", "a", false, false},
	{"\\", "\\", false, true},
	{"*\\*", "ab*", false, true},
	{"*\\*", "ab", false, false},
	{"\\A", "a", true, true},

	// star after the string ran out
	{"abc*", "abc", false, true},
	{"abc**", "abc", false, true},
	{"abc*?", "abc", false, false},
	{"abc*d", "abc", false, false},
}

func TestMatchTable(t *testing.T) {
	if len(matchCases) < 80 {
		t.Fatalf("only %d cases", len(matchCases))
	}
	for _, c := range matchCases {
		if got := Match([]byte(c.pattern), []byte(c.s), c.nocase); got != c.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", c.pattern, c.s, c.nocase, got, c.want)
		}
		if got := MatchString(c.pattern, c.s, c.nocase); got != c.want {
			t.Errorf("MatchString(%q, %q, %v) = %v, want %v", c.pattern, c.s, c.nocase, got, c.want)
		}
	}
}

func TestMatchNesting(t *testing.T) {
	s := strings.Repeat("a", 1010)
	for _, c := range []struct {
		stars int
		want  bool
	}{{999, true}, {1000, true}, {1001, false}, {5000, false}} {
		p := strings.Repeat("*a", c.stars)
		if got := MatchString(p, s, false); got != c.want {
			t.Errorf("%d times *a against %d a: got %v, want %v", c.stars, len(s), got, c.want)
		}
	}
	// Consecutive stars collapse without recursing.
	if !MatchString(strings.Repeat("*", 5000)+"a", "ba", false) {
		t.Errorf("5000 stars then a: no match")
	}
}

func TestMatchPathological(t *testing.T) {
	// Exponential without the skip-longer-matches shortcut.
	p := strings.Repeat("a*", 30) + "b"
	s := strings.Repeat("a", 200)
	if MatchString(p, s, false) {
		t.Fatalf("matched")
	}
}

func TestIsPlainLiteral(t *testing.T) {
	for _, c := range []struct {
		p    string
		want bool
	}{
		{"", true}, {"abc", true}, {"a]b^-c", true}, {"foo:bar{x}", true},
		{"a*", false}, {"?", false}, {"[a", false}, {"a\\b", false},
	} {
		if got := IsPlainLiteral([]byte(c.p)); got != c.want {
			t.Errorf("IsPlainLiteral(%q) = %v, want %v", c.p, got, c.want)
		}
	}
	// A plain literal matches exactly itself.
	for _, c := range matchCases {
		if c.nocase || !IsPlainLiteral([]byte(c.pattern)) {
			continue
		}
		if got, want := MatchString(c.pattern, c.s, false), c.pattern == c.s; got != want {
			t.Errorf("literal %q against %q: %v", c.pattern, c.s, got)
		}
	}
}

func TestMatchNoAlloc(t *testing.T) {
	p, s := "*foo*[a-z]?\\*", "xxfooyyb1*"
	bp, bs := []byte(p), []byte(s)
	if n := testing.AllocsPerRun(100, func() {
		MatchString(p, s, false)
		Match(bp, bs, true)
	}); n != 0 {
		t.Errorf("%v allocs", n)
	}
}

func FuzzMatch(f *testing.F) {
	for _, c := range matchCases {
		f.Add([]byte(c.pattern), []byte(c.s), c.nocase)
	}
	f.Fuzz(func(t *testing.T, pattern, s []byte, nocase bool) {
		got := Match(pattern, s, nocase)
		if got != MatchString(string(pattern), string(s), nocase) {
			t.Fatalf("Match and MatchString disagree on %q %q", pattern, s)
		}
		if IsPlainLiteral(pattern) {
			if !Match(pattern, pattern, nocase) {
				t.Fatalf("literal %q does not match itself", pattern)
			}
			if !nocase && got != (string(pattern) == string(s)) {
				t.Fatalf("literal %q against %q: %v", pattern, s, got)
			}
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	p, s := []byte("user:*:session:[0-9]*"), []byte("user:12345:session:987")
	b.ReportAllocs()
	for b.Loop() {
		Match(p, s, false)
	}
}
