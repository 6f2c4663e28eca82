package cmdtable

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/getkeys.txt from redis-server's replies")

const getkeysFile = "testdata/getkeys.txt"

type getkeysCase struct {
	line int
	args []string
	want string // "keys ..." or "error ...", "" if not recorded yet
}

// readGetkeysCases reads the cases and the file's comment header.
func readGetkeysCases(t *testing.T) ([]getkeysCase, []string) {
	t.Helper()
	data, err := os.ReadFile(getkeysFile)
	if err != nil {
		t.Fatal(err)
	}
	var cases []getkeysCase
	var header []string
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
			if len(cases) == 0 {
				header = append(header, line)
			}
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "=> "):
			if len(cases) == 0 || cases[len(cases)-1].want != "" {
				t.Fatalf("%s:%d: result without a case", getkeysFile, i+1)
			}
			cases[len(cases)-1].want = line[len("=> "):]
		default:
			a, err := splitArgs(line)
			if err != nil || len(a) < 2 {
				t.Fatalf("%s:%d: bad case (at least a command and one argument): %v", getkeysFile, i+1, err)
			}
			cases = append(cases, getkeysCase{line: i + 1, args: a})
		}
	}
	return cases, header
}

// splitArgs splits a line at spaces; an argument starting with '"' is a Go string literal.
func splitArgs(line string) ([]string, error) {
	var out []string
	for line = strings.TrimLeft(line, " "); line != ""; line = strings.TrimLeft(line, " ") {
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				return nil, err
			}
			s, _ := strconv.Unquote(q)
			out = append(out, s)
			line = line[len(q):]
			continue
		}
		arg, rest, _ := strings.Cut(line, " ")
		out = append(out, arg)
		line = rest
	}
	return out, nil
}

func joinArgs(a []string) string {
	var parts []string
	for _, s := range a {
		if s == "" || strings.ContainsAny(s, " \"\\") || !strconv.CanBackquote(s) {
			s = strconv.Quote(s)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func renderKeys(names []string) string {
	s := "keys"
	for _, n := range names {
		s += " " + strconv.Quote(n)
	}
	return s
}

// ourGetKeys is what Cairn's COMMAND GETKEYS <a...> replies, rendered like the file.
func ourGetKeys(a []string) string {
	argv := args(a...)
	c := LookupArgs(argv)
	if c == nil {
		return "error " + string(ErrInvalidCommand)
	}
	positions, err := c.GetKeys(argv)
	if err != nil {
		return "error " + err.Error()
	}
	names := []string{}
	for _, p := range positions {
		names = append(names, a[p])
	}
	return renderKeys(names)
}

// renderOracle renders redis-server's reply to COMMAND GETKEYS like the file.
func renderOracle(reply any) string {
	switch r := reply.(type) {
	case redisError:
		return "error " + string(r)
	case []any:
		var names []string
		for _, n := range r {
			names = append(names, n.(string))
		}
		return renderKeys(names)
	}
	return fmt.Sprintf("unexpected reply %#v", reply)
}

// TestGetKeys compares GetKeys (after LookupArgs, as the server's COMMAND GETKEYS does)
// with the replies of redis-server recorded in testdata/getkeys.txt.
func TestGetKeys(t *testing.T) {
	cases, _ := readGetkeysCases(t)
	if len(cases) < 80 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		if tc.want == "" {
			t.Errorf("%s:%d: %s: no recorded result; run go test -run GetKeysOracle -update", getkeysFile, tc.line, joinArgs(tc.args))
			continue
		}
		if got := ourGetKeys(tc.args); got != tc.want {
			t.Errorf("%s:%d: COMMAND GETKEYS %s\n got %s\nwant %s", getkeysFile, tc.line, joinArgs(tc.args), got, tc.want)
		}
	}
}

// TestGetKeysOracle replays testdata/getkeys.txt against redis-server: it checks that the
// recorded results are the server's (or with -update records them), and that GetKeys
// agrees.
func TestGetKeysOracle(t *testing.T) {
	o := startOracle(t)
	cases, header := readGetkeysCases(t)
	var cmds [][][]byte
	for _, tc := range cases {
		cmds = append(cmds, args(append([]string{"COMMAND", "GETKEYS"}, tc.args...)...))
	}
	replies := o.pipeline(t, cmds)
	var out strings.Builder
	for _, h := range header {
		out.WriteString(h + "\n")
	}
	for i, tc := range cases {
		want := renderOracle(replies[i])
		if !*update && tc.want != want {
			t.Errorf("%s:%d: %s: recorded %s, redis-server says %s", getkeysFile, tc.line, joinArgs(tc.args), tc.want, want)
		}
		if got := ourGetKeys(tc.args); got != want {
			t.Errorf("%s:%d: COMMAND GETKEYS %s\n got %s\nwant %s", getkeysFile, tc.line, joinArgs(tc.args), got, want)
		}
		fmt.Fprintf(&out, "%s\n=> %s\n", joinArgs(tc.args), want)
	}
	if *update {
		if err := os.WriteFile(getkeysFile, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGetKeysRandom compares GetKeys with redis-server on random argument lists for every
// command with a getkeys procedure and some with plain key specs, drawn from a vocabulary
// of their keywords and of numbers that are valid, invalid and borderline for numkeys.
// SEED=n replays a run.
func TestGetKeysRandom(t *testing.T) {
	o := startOracle(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("SEED: %v", err)
		}
	}
	t.Logf("SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	// No number whose int value is huge and positive: Redis allocates numkeys slots before
	// checking them against the arguments.
	vocab := []string{
		"a", "b", "c", "d", "", " ", "0", "1", "2", "3", "-1", "01", "1x", " 2", "+1", "-0",
		"4294967297", "99999999999999999999", "x",
		"STORE", "storedist", "STREAMS", "streams", "KEYS", "keys", "LIMIT", "GET", "BY",
		"COUNT", "BLOCK", "GROUP", "NOACK", "AUTH", "AUTH2", "COPY", "REPLACE", "WEIGHTS",
		"LEFT", "MIN", ">",
	}
	names := []string{"set", "mset", "del", "blpop", "xadd", "object|encoding", "bitfield"}
	for _, c := range allEntries() {
		if c.getkeys != nil {
			names = append(names, c.Name)
		}
	}
	const perCommand = 300
	var cases [][]string
	for _, name := range names {
		c := LookupFullName(name)
		minArgs := c.Arity
		if minArgs < 0 {
			minArgs = -minArgs
		}
		for range perCommand {
			a := strings.Split(name, "|")
			// Around the minimum; at least two arguments, as COMMAND GETKEYS needs.
			n := max(minArgs-len(a)+rng.IntN(7)-1, 2-len(a))
			for range n {
				a = append(a, vocab[rng.IntN(len(vocab))])
			}
			cases = append(cases, a)
		}
	}
	var cmds [][][]byte
	for _, a := range cases {
		cmds = append(cmds, args(append([]string{"COMMAND", "GETKEYS"}, a...)...))
	}
	replies := o.pipeline(t, cmds)
	failures := 0
	outcomes := map[string]int{}
	defer func() { t.Logf("outcomes: %v", outcomes) }()
	for i, a := range cases {
		want := renderOracle(replies[i])
		if outcome, _, _ := strings.Cut(want, " "); outcome == "keys" {
			outcomes[fmt.Sprintf("%d keys", strings.Count(want, " "))]++
		} else {
			outcomes[want]++
		}
		if got := ourGetKeys(a); got != want {
			t.Errorf("COMMAND GETKEYS %s\n got %s\nwant %s", joinArgs(a), got, want)
			if failures++; failures > 20 {
				t.Fatal("too many failures")
			}
		}
	}
}

func TestMovableKeysHaveProcs(t *testing.T) {
	for _, c := range allEntries() {
		if movable, proc := c.Flags&FlagMovablekeys != 0, c.getkeys != nil; movable != proc {
			t.Errorf("%s: movablekeys %v, getkeys procedure %v", c.Name, movable, proc)
		}
	}
}

func TestAppendKeysAllocs(t *testing.T) {
	dst := make([]int, 0, 16)
	calls := []struct {
		c    *Command
		args [][]byte
	}{
		{Lookup("mset"), args("MSET", "a", "1", "b", "2")},
		{Lookup("zunionstore"), args("ZUNIONSTORE", "d", "2", "a", "b")},
		{Lookup("sort"), args("SORT", "k", "STORE", "d")},
		{Lookup("xread"), args("XREAD", "STREAMS", "a", "b", "0", "0")},
	}
	if n := testing.AllocsPerRun(100, func() {
		for _, call := range calls {
			dst = call.c.AppendKeys(dst[:0], call.args)
		}
	}); n != 0 {
		t.Errorf("AppendKeys allocates %v times", n)
	}
	// AppendKeys keeps what dst holds and does not panic on too few arguments.
	got := Lookup("get").AppendKeys([]int{7}, args("GET", "k"))
	if fmt.Sprint(got) != "[7 1]" {
		t.Errorf("AppendKeys kept %v", got)
	}
	for _, c := range allEntries() {
		for n := range 3 {
			c.AppendKeys(nil, args(strings.Split(c.Name, "|")...)[:min(n, len(strings.Split(c.Name, "|")))])
		}
	}
}

func TestString2ll(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"123", 123, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false}, {"99999999999999999999", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"01", 0, false}, {"+1", 0, false},
		{" 1", 0, false}, {"1 ", 0, false}, {"1x", 0, false},
	} {
		got, ok := string2ll([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("string2ll(%q) = %d, %v, want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestAtoi(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"0", 0}, {"12", 12}, {"-12", -12}, {"+3", 3}, {" \t2", 2}, {"1x", 1}, {"x1", 0},
		{"", 0}, {"-", 0}, {"01", 1},
		{"4294967297", 1}, {"2147483648", -2147483648},
		{"9223372036854775807", -1}, {"99999999999999999999", -1},
		{"-9223372036854775808", 0}, {"-99999999999999999999", 0},
	} {
		if got := atoi([]byte(tc.in)); got != tc.want {
			t.Errorf("atoi(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func BenchmarkAppendKeys(b *testing.B) {
	dst := make([]int, 0, 16)
	c := Lookup("zunionstore")
	a := args("ZUNIONSTORE", "d", "2", "a", "b")
	for b.Loop() {
		dst = c.AppendKeys(dst[:0], a)
	}
}
