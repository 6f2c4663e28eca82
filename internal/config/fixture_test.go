package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Tests replaying testdata/load-errors.txt and testdata/rewrite.txt, both
// captured from redis-server 7.0.15 by testdata/gen-load-rewrite.py (see its
// header for the format).

type fixtureCase struct {
	name     string
	sections map[string]string
}

var sectionRE = regexp.MustCompile(`(?m)^-- ([a-z]+) --\n`)

func readFixture(t *testing.T, path string) []fixtureCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	locs := sectionRE.FindAllStringSubmatchIndex(s, -1)
	var out []fixtureCase
	for i, loc := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		content := strings.TrimSuffix(s[loc[1]:end], "\n")
		name := s[loc[2]:loc[3]]
		if name == "case" {
			out = append(out, fixtureCase{name: content, sections: map[string]string{}})
			continue
		}
		out[len(out)-1].sections[name] = content
	}
	if len(out) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	return out
}

// quotedLines parses a section of Go-quoted strings, one line each, several
// per line separated by tabs.
func quotedLines(t *testing.T, s string) [][]string {
	t.Helper()
	var out [][]string
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			continue
		}
		var fields []string
		for _, f := range strings.Split(line, "\t") {
			v, err := strconv.Unquote(f)
			if err != nil {
				t.Fatalf("bad quoted string %s: %v", f, err)
			}
			fields = append(fields, v)
		}
		out = append(out, fields)
	}
	return out
}

func TestLoadErrorsMatchRedis(t *testing.T) {
	for _, tc := range readFixture(t, "testdata/load-errors.txt") {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			sub := func(s string) string { return strings.ReplaceAll(s, "@DIR@", dir) }
			if err := os.WriteFile(filepath.Join(dir, "inc-bad.conf"), []byte("hz 5\nfoo\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "redis.conf")
			if err := os.WriteFile(path, []byte(sub(tc.sections["config"])), 0o644); err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, l := range quotedLines(t, tc.sections["args"]) {
				args = append(args, sub(l[0]))
			}
			_, err := Load(path, args)
			if err == nil {
				t.Fatalf("no error, want:\n%s", tc.sections["error"])
			}
			got := strings.ReplaceAll(err.Error(), dir, "@DIR@")
			var fe *FileError
			if errors.As(err, &fe) {
				got += "\n"
			}
			if want := tc.sections["error"]; got != want {
				t.Errorf("got:\n%q\nwant:\n%q", got, want)
			}
		})
	}
}

func TestRewriteMatchesRedis(t *testing.T) {
	for _, tc := range readFixture(t, "testdata/rewrite.txt") {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if real, err := filepath.EvalSymlinks(dir); err == nil {
				dir = real
			}
			t.Chdir(dir)
			sub := func(s string) string { return strings.ReplaceAll(s, "@DIR@", dir) }
			if err := os.WriteFile(filepath.Join(dir, "inc.conf"), []byte("hz 20\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "redis.conf")
			if err := os.WriteFile(path, []byte(sub(tc.sections["config"])), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path, []string{"--port", "17381"})
			if err != nil {
				t.Fatal(err)
			}
			var pairs [][2]string
			for _, l := range quotedLines(t, tc.sections["set"]) {
				pairs = append(pairs, [2]string{l[0], l[1]})
			}
			if err := c.Set(pairs); err != nil {
				t.Fatal(err)
			}
			if tc.name == "user lines" {
				// ACL's own description of the users; ACL is not this
				// package's job, where the lines go is.
				c.SetUserLines(func() []string {
					return []string{
						"alice on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~k* resetchannels -@all +get",
						"default on sanitize-payload #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~* &* +@all",
					}
				})
			}
			content, appended, err := c.rewriteContent()
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Rewrite(); err != nil {
				t.Fatal(err)
			}
			written, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(written) != content {
				t.Fatalf("written file differs from the computed content")
			}
			got := strings.Split(strings.ReplaceAll(content, dir, "@DIR@"), "\n")
			want := strings.Split(tc.sections["output"], "\n")
			// Lines from the old file are in place; Redis appends new ones in
			// the order of a hash table, so compare those as a set.
			if appended > len(got) || appended > len(want) {
				t.Fatalf("appended at %d, got %d lines, want %d", appended, len(got), len(want))
			}
			if g, w := strings.Join(got[:appended], "\n"), strings.Join(want[:appended], "\n"); g != w {
				t.Errorf("rewritten lines:\n%s\nwant:\n%s", g, w)
			}
			g, w := append([]string(nil), got[appended:]...), append([]string(nil), want[appended:]...)
			sort.Strings(g)
			sort.Strings(w)
			if strings.Join(g, "\n") != strings.Join(w, "\n") {
				t.Errorf("appended lines:\n%s\nwant:\n%s", strings.Join(got[appended:], "\n"), strings.Join(want[appended:], "\n"))
			}
			// The rewritten file loads back to the same values.
			c2, err := Load(path, nil)
			if err != nil {
				t.Fatalf("reloading: %v", err)
			}
			for _, p := range c.Get([]string{"*"}) {
				if v, _ := c2.Value(p[0]); v != p[1] && p[0] != "slaveof" && p[0] != "replicaof" {
					t.Errorf("after reload %s = %q, want %q", p[0], v, p[1])
				}
			}
		})
	}
}
