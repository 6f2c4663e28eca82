package glob

import (
	"cairn/internal/redisoracle"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file compares Match with redis-server 7.0.15 itself (KEYS for
// case-sensitive matching, COMMAND LIST FILTERBY PATTERN for nocase). It is
// skipped when redis-server is not on PATH. SEED=n replays a random run.

func strs(t *testing.T, v any) []string {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("not an array: %#v", v)
	}
	s := make([]string, len(a))
	for i, e := range a {
		s[i] = e.(string)
	}
	sort.Strings(s)
	return s
}

func seed(t *testing.T) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("SEED: %v", err)
		}
		s = n
	}
	t.Logf("SEED=%d", s)
	return s
}

var awkwardKeys = []string{
	"", "a", "A", "b", "ab", "abc", "aBc", "ABC", "abd", "aab", "aaab", "ba", "bca",
	"*", "**", "?", "[", "]", "[]", "[a]", "\\", "\\\\", "a\\", "\\a", "^", "-", "!",
	"a*b", "a?b", "a[b", "a]b", "a-b", "a^b", "a\\b", "a b", " ", "\t", "\n", "\r\n",
	"\x00", "a\x00b", "\x00\x00", "\x7f", "\x80", "\x90", "\xc3", "\xc3\xa9", "\xff", "\xff\xff",
	"0", "1", "9", "_", "`", "@", "{", "~", "Z", "z", "m", "M", "q", "Q",
	"foo", "foo:bar", "foo:bar:baz", "user:1000", "user:1000:session", "{tag}key",
	"hello", "hallo", "hxllo", "hllo", "heeello", "hello world",
	strings.Repeat("a", 100), strings.Repeat("a", 99) + "b", strings.Repeat("ab", 50),
	strings.Repeat("a", 1010),
}

var awkwardPatterns = []string{
	"", "?", "??", "???", "**", "***", "*?", "?*", "*?*", "a*", "*a", "*a*", "a*b", "a*b*",
	"*b*", "a?b", "a??", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo",
	"[abc]", "[abc]*", "[^abc]", "[^abc]*", "[a-z]", "[a-z]*", "[z-a]", "[z-a]*", "[A-Z]*",
	"[Z-a]", "[Z-a]*", "[a-]", "[a-]*", "[-a]", "[-a]*", "[]]", "[]a]", "[]", "[^]", "[^]*",
	"[!a]", "[a\\]]", "[\\a]", "[\\-]", "[a\\-z]", "[\\^a]", "[\\]", "[\\", "[a\\",
	"[", "[^", "[abc", "[^abc", "*[", "*[^", "[a-", "a[", "a[b", "x[a",
	"[a-\xff]", "[\x80-\xff]", "[\x00-\x7f]", "[\xff-\x80]", "[\x00]", "\x00", "*\x00*",
	"\\*", "\\?", "\\[", "\\]", "\\\\", "\\", "a\\", "*\\", "*\\*", "\\a", "\\a*", "*\\\\*",
	"foo:*", "foo:*:*", "user:*", "*:*", "*:session", "{*}*", "*bar*", "f*o*o*",
	"a*a*a*a*a*a*a*b", "*a*a*a*a*a*a*a*", strings.Repeat("a*", 40), strings.Repeat("*a", 60),
	strings.Repeat("?", 100), strings.Repeat("a", 100), strings.Repeat("*a", 1000),
	strings.Repeat("*a", 1001), strings.Repeat("*", 2000), "\xc3*", "*\xa9", "[\xc3]*",
	" ", "*\n*", "\t", "\r*", "[ -~]", "[ -~]*", "*[0-9]", "[0-9]", "*[^a-z]*",
}

const fuzzAlphabet = "ab*?[]\\^-AZ\x00\xff"

func randString(r *rand.Rand, alphabet string, max int) string {
	n := r.IntN(max + 1)
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func TestKeysDifferential(t *testing.T) {
	o := startOracle(t)
	r := rand.New(rand.NewPCG(seed(t), 1))

	keys := map[string]bool{}
	for _, k := range awkwardKeys {
		keys[k] = true
	}
	for _, c := range matchCases {
		keys[c.s] = true
	}
	for len(keys) < 400 {
		keys[randString(r, fuzzAlphabet+"c", 8)] = true
	}
	for k := range keys {
		if v := o.Do(t, "SET", k, "1"); v != "OK" {
			t.Fatalf("SET %q: %v", k, v)
		}
	}

	patterns := append([]string(nil), awkwardPatterns...)
	for _, c := range matchCases {
		if !c.nocase {
			patterns = append(patterns, c.pattern)
		}
	}
	for range 300 {
		patterns = append(patterns, randString(r, fuzzAlphabet, 8))
	}
	for _, p := range patterns {
		got := strs(t, o.Do(t, "KEYS", p))
		var want []string
		for k := range keys {
			if p == "*" || MatchString(p, k, false) { // KEYS * skips matching
				want = append(want, k)
			}
		}
		sort.Strings(want)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("KEYS %q:\n redis %q\n Match %q", p, got, want)
		}
	}
}

// TestCommandListDifferential checks nocase matching: COMMAND LIST FILTERBY
// PATTERN matches command names case-insensitively.
func TestCommandListDifferential(t *testing.T) {
	o := startOracle(t)
	r := rand.New(rand.NewPCG(seed(t), 2))
	names := strs(t, o.Do(t, "COMMAND", "LIST"))
	patterns := []string{
		"*", "G*", "g*", "*GET*", "?ET", "[A-C]*", "[a-c]*", "[Z-a]*", "[z-A]*", "[^A-Y]*",
		"[\\G]*", "[\\g]*", "\\G*", "CONFIG|*", "*|*", "*[|]*", "[X-Z]?*", "[_-a]*",
		"*-*", "[", "[^", "X[", "*E", "*[E", "[Hh]*", "[^]*",
	}
	for range 200 {
		patterns = append(patterns, randString(r, "aegtsAEGTS*?[]^-\\|", 6))
	}
	for _, p := range patterns {
		got := strs(t, o.Do(t, "COMMAND", "LIST", "FILTERBY", "PATTERN", p))
		var want []string
		for _, n := range names {
			if MatchString(p, n, true) {
				want = append(want, n)
			}
		}
		sort.Strings(want)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("COMMAND LIST FILTERBY PATTERN %q:\n redis %q\n Match %q", p, got, want)
		}
	}
}

// startOracle runs redis-server 7.0.15, the reference, for this test (redisoracle).
func startOracle(t *testing.T) *redisoracle.Conn {
	t.Helper()
	return redisoracle.Start(t, "differential test against the reference skipped")
}
