package config

import (
	"reflect"
	"sort"
	"testing"
)

// matchCases were checked against redis-server 7.0.15: KEYS <pattern> over
// a database holding exactly matchStrings (KEYS uses stringmatchlen too;
// the nocase cases with CONFIG GET).
var matchStrings = []string{"", "a", "b", "ab", "abc", "aXc", "a]", "[", "]", "\\", "a\\", "-", "^", "hello", "hallo", "hxllo", "hllo", "heeeello", "a*b", "A", "Ab", "[a]", "a-b", "z", "m", "*", "?", "^a"}

var matchCases = []struct {
	pattern string
	matches []string
}{
	{"*", []string{"", "*", "-", "?", "A", "Ab", "[", "[a]", "\\", "]", "^", "^a", "a", "a*b", "a-b", "aXc", "a\\", "a]", "ab", "abc", "b", "hallo", "heeeello", "hello", "hllo", "hxllo", "m", "z"}},
	{"a*", []string{"a", "a*b", "a-b", "aXc", "a\\", "a]", "ab", "abc"}},
	{"*a", []string{"^a", "a"}},
	{"a?c", []string{"aXc", "abc"}},
	{"?", []string{"*", "-", "?", "A", "[", "\\", "]", "^", "a", "b", "m", "z"}},
	{"??", []string{"Ab", "^a", "a\\", "a]", "ab"}},
	{"[ab]", []string{"a", "b"}},
	{"[^ab]", []string{"*", "-", "?", "A", "[", "\\", "]", "^", "m", "z"}},
	{"[a-c]", []string{"a", "b"}},
	{"[c-a]", []string{"a", "b"}},
	{"[a-]", []string{"]", "^", "a"}},
	{"[-a]", []string{"-", "a"}},
	{"[", []string{}},
	{"[a", []string{"a"}},
	{"[^", []string{"*", "-", "?", "A", "[", "\\", "]", "^", "a", "b", "m", "z"}},
	{"[]", []string{}},
	{"[]]", []string{}},
	{"a[", []string{}},
	{"\\", []string{"\\"}},
	{"a\\", []string{"a\\"}},
	{"\\a", []string{"a"}},
	{"\\*", []string{"*"}},
	{"a\\*b", []string{"a*b"}},
	{"[\\]]", []string{"]"}},
	{"[\\", []string{"\\"}},
	{"*[", []string{}},
	{"**a", []string{"^a", "a"}},
	{"h*llo", []string{"hallo", "heeeello", "hello", "hllo", "hxllo"}},
	{"h?llo", []string{"hallo", "hello", "hxllo"}},
	{"h[ae]llo", []string{"hallo", "hello"}},
	{"h[^e]llo", []string{"hallo", "hxllo"}},
	{"h[a-b]llo", []string{"hallo"}},
	{"*b*", []string{"Ab", "a*b", "a-b", "ab", "abc", "b"}},
	{"*x*", []string{"hxllo"}},
	{"a*b*c", []string{"abc"}},
	{"[a-c]*", []string{"a", "a*b", "a-b", "aXc", "a\\", "a]", "ab", "abc", "b"}},
	{"[A-Z]", []string{"A"}},
	{"[^]", []string{"*", "-", "?", "A", "[", "\\", "]", "^", "a", "b", "m", "z"}},
	{"[]a]", []string{}},
	{"[^]a]", []string{"[a]"}},
	{"*\\", []string{"\\", "a\\"}},
	{"?*", []string{"*", "-", "?", "A", "Ab", "[", "[a]", "\\", "]", "^", "^a", "a", "a*b", "a-b", "aXc", "a\\", "a]", "ab", "abc", "b", "hallo", "heeeello", "hello", "hllo", "hxllo", "m", "z"}},
	{"*?*?", []string{"Ab", "[a]", "^a", "a*b", "a-b", "aXc", "a\\", "a]", "ab", "abc", "hallo", "heeeello", "hello", "hllo", "hxllo"}},
	{"[\\-]", []string{"-"}},
	{"[a-c-e]", []string{"-", "a", "b"}},
	{"^a", []string{"^a"}},
	{"[\\^]a", []string{"^a"}},
	{"**", []string{"*", "-", "?", "A", "Ab", "[", "[a]", "\\", "]", "^", "^a", "a", "a*b", "a-b", "aXc", "a\\", "a]", "ab", "abc", "b", "hallo", "heeeello", "hello", "hllo", "hxllo", "m", "z"}},
	{"***b", []string{"Ab", "a*b", "a-b", "ab", "b"}},
	{"a**", []string{"a", "a*b", "a-b", "aXc", "a\\", "a]", "ab", "abc"}},
	{"[[]", []string{"["}},
	{"[*]", []string{"*"}},
	{"[?]", []string{"?"}},
}

func TestStringMatch(t *testing.T) {
	for _, tc := range matchCases {
		var got []string
		if tc.pattern == "*" {
			got = append(got, "") // KEYS * lists every key without matching
		}
		for _, s := range matchStrings {
			if stringMatch(tc.pattern, s, false) {
				got = append(got, s)
			}
		}
		sort.Strings(got)
		want := tc.matches
		if len(want) == 0 {
			want = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("pattern %q matches %q, want %q", tc.pattern, got, want)
		}
	}
}

func TestStringMatchNocase(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"MAX*", "maxmemory", true},
		{"*MEMORY", "maxmemory", true},
		{"[A-Z]z", "hz", true}, // the range is lowered too
		{"[G-I]z", "hz", true},
		{"[^H]z", "hz", false},
		{"h[Z]", "hz", true},
		{"\\H\\Z", "hz", true},
	} {
		if got := stringMatch(tc.pattern, tc.s, true); got != tc.want {
			t.Errorf("stringMatch(%q, %q, nocase) = %v", tc.pattern, tc.s, got)
		}
	}
}
