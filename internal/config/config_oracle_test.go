package config

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Tests against captures of redis-server 7.0.15 (testdata/redis-7.0.15-*):
//
//   - defaults.txt: `redis-cli config get '*'` of a server started as
//     `redis-server --port 17397` (raw output: name and value on alternate
//     lines).
//   - hidden.txt: the same for the hidden directives, asked by exact name.
//   - config-set.txt: CONFIG SET of many values for every directive, with
//     the reply and the CONFIG GET value afterwards, produced by
//     testdata/gen-config-set.py (needs a redis-server; see its header).

// readPairs reads redis-cli's raw output of CONFIG GET: alternate lines.
func readPairs(t *testing.T, path string) [][2]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines)%2 != 0 {
		t.Fatalf("%s: odd number of lines", path)
	}
	var out [][2]string
	for i := 0; i < len(lines); i += 2 {
		out = append(out, [2]string{lines[i], lines[i+1]})
	}
	return out
}

// machineDependent lists the defaults that depend on how the reference
// server was started, with the reason.
var machineDependent = map[string]string{
	"dir":  "the working directory of the process",
	"port": "the capture ran on port 17397, not 6379",
}

func TestDefaultsMatchRedis(t *testing.T) {
	golden := readPairs(t, "testdata/redis-7.0.15-defaults.txt")
	c := Default()
	inGolden := map[string]bool{}
	for _, p := range golden {
		name, want := p[0], p[1]
		inGolden[name] = true
		e := lookup(name)
		if e == nil {
			t.Errorf("%s: not in the table", name)
			continue
		}
		if e.Name != name {
			t.Errorf("%s: table entry is named %s", name, e.Name)
		}
		if _, ok := machineDependent[name]; ok {
			continue
		}
		if got := e.get(c); got != want {
			t.Errorf("%s: default %q, want %q", name, got, want)
		}
		if e.isAlias {
			continue
		}
		if e.Default != want {
			t.Errorf("%s: Directive.Default %q, want %q", name, e.Default, want)
		}
	}
	if got := c.Get([]string{"port"}); got[0][1] != "6379" {
		t.Errorf("port default %q", got[0][1])
	}
	// Every visible name of the table is in the capture, and CONFIG GET *
	// lists exactly the capture's names.
	for _, e := range table {
		if e.Flags&Hidden == 0 && !inGolden[e.Name] {
			t.Errorf("%s: in the table but not in redis-server's CONFIG GET *", e.Name)
		}
	}
	all := c.Get([]string{"*"})
	if len(all) != len(golden) {
		t.Errorf("CONFIG GET * gave %d directives, redis-server %d", len(all), len(golden))
	}
	for _, p := range all {
		if !inGolden[p[0]] {
			t.Errorf("CONFIG GET * lists %s", p[0])
		}
	}
}

func TestHiddenMatchRedis(t *testing.T) {
	c := Default()
	for _, p := range readPairs(t, "testdata/redis-7.0.15-hidden.txt") {
		e := lookup(p[0])
		if e == nil || e.Flags&Hidden == 0 {
			t.Errorf("%s: missing or not hidden", p[0])
			continue
		}
		if got := c.Get([]string{p[0]}); len(got) != 1 || got[0][1] != p[1] {
			t.Errorf("%s: got %q, want %q", p[0], got, p[1])
		}
		if got := c.Get([]string{p[0] + "*"}); len(got) != 0 {
			t.Errorf("%s*: a pattern matched a hidden directive: %q", p[0], got)
		}
	}
}

// setCase is a line of testdata/redis-7.0.15-config-set.txt.
type setCase struct {
	line        int
	name, value string
	result      string // OK, ERR, FILE-OK, FILE-ERR
	detail      string // value after OK, reason after ERR and FILE-ERR
}

func readSetCases(t *testing.T) []setCase {
	t.Helper()
	f, err := os.Open("testdata/redis-7.0.15-config-set.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []setCase
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 {
			t.Fatalf("line %d: bad format", n)
		}
		value, err := strconv.Unquote(f[1])
		if err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		c := setCase{line: n, name: f[0], value: value}
		c.result, c.detail, _ = strings.Cut(f[2], " ")
		if c.result == "OK" {
			if c.detail, err = strconv.Unquote(c.detail); err != nil {
				t.Fatalf("line %d: %v", n, err)
			}
		}
		out = append(out, c)
	}
	return out
}

// serverSide are failures of the reference server's apply functions, which
// are the Cairn server's business (OnChange callbacks), not this package's.
var serverSide = []string{
	"Failed to bind to specified addresses.",
	"Unable to update TLS configuration. Check server logs.",
	"The operating system is not able to handle the specified number of clients",
}

func TestConfigSetMatchesRedis(t *testing.T) {
	cases := readSetCases(t)
	t.Chdir(t.TempDir()) // FILE-OK cases of logfile create files
	if len(cases) < 1000 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		if tc.name == "dir" {
			continue // machine-dependent; see TestDir
		}
		skip := false
		for _, s := range serverSide {
			skip = skip || strings.HasPrefix(tc.detail, s)
		}
		if skip {
			continue
		}
		switch tc.result {
		case "OK", "ERR":
			c := Default()
			c.EnableProtectedConfigs = "yes" // as the reference server ran
			err := c.Set([][2]string{{tc.name, tc.value}})
			if tc.result == "OK" {
				if err != nil {
					t.Errorf("line %d: CONFIG SET %s %q: %v, want OK", tc.line, tc.name, tc.value, err)
					continue
				}
				if got, _ := c.Value(tc.name); got != tc.detail {
					t.Errorf("line %d: CONFIG SET %s %q then GET: %q, want %q", tc.line, tc.name, tc.value, got, tc.detail)
				}
				continue
			}
			want := "ERR CONFIG SET failed (possibly related to argument '" + tc.name + "') - " + tc.detail
			if err == nil || err.Error() != want {
				t.Errorf("line %d: CONFIG SET %s %q: %v, want %s", tc.line, tc.name, tc.value, err, want)
			}
		case "FILE-OK", "FILE-ERR":
			// The command line of the capture ended with "--zzzbad x", to
			// make the server stop after parsing.
			_, err := Load("", []string{"--port", "0", "--" + tc.name, tc.value, "--zzzbad", "x"})
			var le *LoadError
			if !errors.As(err, &le) {
				t.Errorf("line %d: --%s %q: %v, want a LoadError", tc.line, tc.name, tc.value, err)
				continue
			}
			if tc.result == "FILE-OK" {
				if le.Line != 4 || le.Text != `zzzbad "x"` {
					t.Errorf("line %d: --%s %q: %v, want no error before zzzbad", tc.line, tc.name, tc.value, err)
				}
				continue
			}
			if le.Reason != tc.detail || le.Line != 3 {
				t.Errorf("line %d: --%s %q: %#v, want line 3 and %s", tc.line, tc.name, tc.value, err, tc.detail)
			}
		default:
			t.Fatalf("line %d: unknown result %s", tc.line, tc.result)
		}
	}
}
