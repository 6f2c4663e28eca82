package cmdtable

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cairn/internal/cmdtable/internal/respval"
)

const (
	infoRESP3 = "testdata/redis-7.0.15-command-info.resp"
	docsRESP3 = "testdata/redis-7.0.15-command-docs.resp"
	infoRESP2 = "testdata/redis-7.0.15-command-info-resp2.resp"
	docsRESP2 = "testdata/redis-7.0.15-command-docs-resp2.resp"
)

// respWriter is a ReplyWriter that encodes RESP3, or with proto 2 degrades the RESP3 types
// to RESP2 as Redis does: a map of n pairs is an array of 2n elements, a set an array, a
// null the null bulk string.
type respWriter struct {
	b     []byte
	proto int
}

func (w *respWriter) header(kind byte, n int) {
	w.b = append(w.b, kind)
	w.b = strconv.AppendInt(w.b, int64(n), 10)
	w.b = append(w.b, "\r\n"...)
}

func (w *respWriter) ArrayLen(n int) { w.header('*', n) }

func (w *respWriter) MapLen(n int) {
	if w.proto == 2 {
		w.header('*', 2*n)
	} else {
		w.header('%', n)
	}
}

func (w *respWriter) SetLen(n int) {
	if w.proto == 2 {
		w.header('*', n)
	} else {
		w.header('~', n)
	}
}

func (w *respWriter) BulkString(s string) {
	w.header('$', len(s))
	w.b = append(w.b, s...)
	w.b = append(w.b, "\r\n"...)
}

func (w *respWriter) SimpleString(s string) {
	w.b = append(w.b, '+')
	w.b = append(w.b, s...)
	w.b = append(w.b, "\r\n"...)
}

func (w *respWriter) Int(n int64) {
	w.b = append(w.b, ':')
	w.b = strconv.AppendInt(w.b, n, 10)
	w.b = append(w.b, "\r\n"...)
}

func (w *respWriter) Null() {
	if w.proto == 2 {
		w.b = append(w.b, "$-1\r\n"...)
	} else {
		w.b = append(w.b, "_\r\n"...)
	}
}

func readCapture(t *testing.T, path string) respval.Value {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := respval.ParseAll(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// allEntries returns every command and subcommand of the table.
func allEntries() []*Command {
	var all []*Command
	for _, c := range All() {
		all = append(all, c)
		all = append(all, c.Subcommands...)
	}
	return all
}

// The whole COMMAND INFO reply cannot be compared as one byte string: its order is the
// order of redis-server's command dict, which is hashed with a seed randomised at each
// start. So the captured reply is split into its entries and each entry, a byte string
// whose content is deterministic (the subcommand entries nested in a container entry are
// in the captured dict order, which the table keeps), is compared byte for byte with
// WriteInfo of the command it names; then every entry of the table must have been
// compared exactly once. Subcommand entries are compared on their own too, as written by
// the subcommand's WriteInfo. This is done for the RESP3 capture with a RESP3 writer and
// for the RESP2 capture (same server process, same order) with a degrading writer.
func TestWriteInfo(t *testing.T) {
	for _, tc := range []struct {
		path  string
		proto int
	}{{infoRESP3, 3}, {infoRESP2, 2}} {
		t.Run("RESP"+strconv.Itoa(tc.proto), func(t *testing.T) {
			reply := readCapture(t, tc.path)
			if reply.Kind != '*' {
				t.Fatalf("reply is %q, want an array", reply.Kind)
			}
			seen := map[*Command]bool{}
			var check func(entries []respval.Value, parent *Command)
			check = func(entries []respval.Value, parent *Command) {
				for _, e := range entries {
					name := e.Elems[0].Str
					c := LookupFullName(name)
					if c == nil || c.Parent != parent {
						t.Errorf("%s: not in the table (parent %v)", name, parent)
						continue
					}
					if seen[c] {
						t.Errorf("%s: listed twice", name)
					}
					seen[c] = true
					w := &respWriter{proto: tc.proto}
					c.WriteInfo(w)
					if got, want := string(w.b), e.Raw; got != want {
						t.Errorf("%s: WriteInfo\n got %q\nwant %q", name, got, want)
					}
					check(e.Elems[9].Elems, c)
				}
			}
			check(reply.Elems, nil)
			for _, c := range allEntries() {
				if !seen[c] {
					t.Errorf("%s: in the table but not in the capture", c.Name)
				}
			}
		})
	}
}

// TestWriteDocs does for COMMAND DOCS what TestWriteInfo does for COMMAND INFO. The reply
// is a map (a flat array in RESP2) of name => docs; container docs hold their
// subcommands' docs under "subcommands", in the same form.
func TestWriteDocs(t *testing.T) {
	for _, tc := range []struct {
		path  string
		proto int
	}{{docsRESP3, 3}, {docsRESP2, 2}} {
		t.Run("RESP"+strconv.Itoa(tc.proto), func(t *testing.T) {
			reply := readCapture(t, tc.path)
			if want := map[int]byte{3: '%', 2: '*'}[tc.proto]; reply.Kind != want {
				t.Fatalf("reply is %q, want %q", reply.Kind, want)
			}
			seen := map[*Command]bool{}
			var check func(pairs []respval.Value, parent *Command)
			check = func(pairs []respval.Value, parent *Command) {
				for i := 0; i+1 < len(pairs); i += 2 {
					name, docs := pairs[i].Str, pairs[i+1]
					c := LookupFullName(name)
					if c == nil || c.Parent != parent {
						t.Errorf("%s: not in the table (parent %v)", name, parent)
						continue
					}
					if seen[c] {
						t.Errorf("%s: listed twice", name)
					}
					seen[c] = true
					w := &respWriter{proto: tc.proto}
					c.WriteDocs(w)
					if got, want := string(w.b), docs.Raw; got != want {
						t.Errorf("%s: WriteDocs\n got %q\nwant %q", name, got, want)
					}
					if subs, ok := docs.Get("subcommands"); ok {
						check(subs.Elems, c)
					}
				}
			}
			check(reply.Elems, nil)
			for _, c := range allEntries() {
				if !seen[c] {
					t.Errorf("%s: in the table but not in the capture", c.Name)
				}
			}
		})
	}
}

// TestFields checks the decoded fields of every entry against the RESP3 captures, which
// covers the generator's decoding and the naming of flag constants.
func TestFields(t *testing.T) {
	info := readCapture(t, infoRESP3)
	docs := readCapture(t, docsRESP3)
	strs := func(v respval.Value, prefix string) []string {
		var out []string
		for _, e := range v.Elems {
			out = append(out, strings.TrimPrefix(e.Str, prefix))
		}
		return out
	}
	var check func(entries []respval.Value, docs respval.Value)
	check = func(entries []respval.Value, docs respval.Value) {
		for _, e := range entries {
			name := e.Elems[0].Str
			c := LookupFullName(name)
			if c == nil {
				t.Errorf("%s: missing", name)
				continue
			}
			if c.Name != name {
				t.Errorf("%s: Name %q", name, c.Name)
			}
			if got, want := c.Arity, int(e.Elems[1].Int); got != want {
				t.Errorf("%s: Arity %d, want %d", name, got, want)
			}
			if got, want := c.Flags.Names(), strs(e.Elems[2], ""); !slices.Equal(got, want) {
				t.Errorf("%s: Flags %v, want %v", name, got, want)
			}
			if got, want := [3]int{c.FirstKey, c.LastKey, c.Step}, [3]int{int(e.Elems[3].Int), int(e.Elems[4].Int), int(e.Elems[5].Int)}; got != want {
				t.Errorf("%s: key positions %v, want %v", name, got, want)
			}
			if got, want := c.ACLCategories, strs(e.Elems[6], "@"); !slices.Equal(got, want) {
				t.Errorf("%s: ACLCategories %v, want %v", name, got, want)
			}
			if got, want := c.Tips, strs(e.Elems[7], ""); !slices.Equal(got, want) {
				t.Errorf("%s: Tips %v, want %v", name, got, want)
			}
			specs := e.Elems[8].Elems
			if len(c.KeySpecs) != len(specs) {
				t.Errorf("%s: %d key specs, want %d", name, len(c.KeySpecs), len(specs))
			} else {
				for i, s := range specs {
					if got, want := renderSpec(c.KeySpecs[i]), s.String(); got != want {
						t.Errorf("%s: key spec %d\n got %s\nwant %s", name, i, got, want)
					}
				}
			}
			d, _ := docs.Get(name)
			for field, got := range map[string]string{"group": c.Group, "since": c.Since, "summary": c.Summary, "complexity": c.Complexity} {
				if want, _ := d.Get(field); got != want.Str {
					t.Errorf("%s: %s %q, want %q", name, field, got, want.Str)
				}
			}
			if got, want := len(c.Subcommands), len(e.Elems[9].Elems); got != want {
				t.Errorf("%s: %d subcommands, want %d", name, got, want)
			}
			if !slices.IsSortedFunc(c.Subcommands, func(a, b *Command) int { return strings.Compare(a.Name, b.Name) }) {
				t.Errorf("%s: subcommands not sorted", name)
			}
			for _, sub := range c.Subcommands {
				if sub.Parent != c {
					t.Errorf("%s: Parent %v", sub.Name, sub.Parent)
				}
			}
			subDocs, _ := d.Get("subcommands")
			check(e.Elems[9].Elems, subDocs)
		}
	}
	check(info.Elems, docs)
	if !slices.IsSortedFunc(All(), func(a, b *Command) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("All is not sorted")
	}
	if got, want := len(All()), len(info.Elems); got != want {
		t.Errorf("len(All()) = %d, want %d", got, want)
	}
}

// renderSpec renders a KeySpec the way respval renders the captured RESP3 key spec map.
func renderSpec(ks KeySpec) string {
	var b strings.Builder
	b.WriteString("{")
	if ks.Notes != "" {
		b.WriteString(`"notes": ` + strconv.Quote(ks.Notes) + " ")
	}
	b.WriteString(`"flags": ~[` + strings.Join(ks.Flags.Names(), " ") + `]`)
	switch ks.BeginSearch {
	case BeginIndex:
		b.WriteString(` "begin_search": {"type": "index" "spec": {"index": ` + strconv.Itoa(ks.Index) + `}}`)
	case BeginKeyword:
		b.WriteString(` "begin_search": {"type": "keyword" "spec": {"keyword": ` + strconv.Quote(ks.Keyword) + ` "startfrom": ` + strconv.Itoa(ks.StartFrom) + `}}`)
	default:
		b.WriteString(` "begin_search": {"type": "unknown" "spec": {}}`)
	}
	switch ks.FindKeys {
	case FindRange:
		b.WriteString(` "find_keys": {"type": "range" "spec": {"lastkey": ` + strconv.Itoa(ks.LastKey) + ` "keystep": ` + strconv.Itoa(ks.KeyStep) + ` "limit": ` + strconv.Itoa(ks.Limit) + `}}`)
	case FindKeynum:
		b.WriteString(` "find_keys": {"type": "keynum" "spec": {"keynumidx": ` + strconv.Itoa(ks.KeyNumIdx) + ` "firstkey": ` + strconv.Itoa(ks.FirstKey) + ` "keystep": ` + strconv.Itoa(ks.KeyStep) + `}}`)
	default:
		b.WriteString(` "find_keys": {"type": "unknown" "spec": {}}`)
	}
	b.WriteString("}")
	return b.String()
}

func TestLookup(t *testing.T) {
	get := Lookup("get")
	if get == nil || get.Name != "get" || get.Arity != 2 || get.Flags&FlagReadonly == 0 || get.Flags&FlagFast == 0 {
		t.Fatalf("Lookup(get) = %+v", get)
	}
	config := Lookup("config")
	configGet := LookupSub(config, "get")
	if configGet == nil || configGet.Name != "config|get" || configGet.Parent != config {
		t.Fatalf("LookupSub(config, get) = %+v", configGet)
	}
	for _, tc := range []struct {
		name string
		got  *Command
		want *Command
	}{
		{"Lookup(GET)", Lookup("GET"), nil},
		{"Lookup(config|get)", Lookup("config|get"), nil},
		{"Lookup(nosuch)", Lookup("nosuch"), nil},
		{"LookupSub(config, nosuch)", LookupSub(config, "nosuch"), nil},
		{"LookupSub(get, x)", LookupSub(get, "x"), nil},
		{"LookupFullName(config|get)", LookupFullName("config|get"), configGet},
		{"LookupFullName(config)", LookupFullName("config"), config},
		{"LookupFullName(get|x)", LookupFullName("get|x"), nil},
		{"LookupFullName(config|)", LookupFullName("config|"), nil},
		{"LookupArgs(GET k)", LookupArgs(args("GET", "k")), get},
		{"LookupArgs(get)", LookupArgs(args("get")), get},
		{"LookupArgs(Config Get x)", LookupArgs(args("Config", "Get", "x")), configGet},
		{"LookupArgs(CONFIG)", LookupArgs(args("CONFIG")), config},
		{"LookupArgs(CONFIG nosuch)", LookupArgs(args("CONFIG", "nosuch")), nil},
		{"LookupArgs(config|get x)", LookupArgs(args("config|get", "x")), nil},
		{"LookupArgs(nosuch)", LookupArgs(args("nosuch")), nil},
		{"LookupArgs()", LookupArgs(nil), nil},
		{"LookupArgs(long)", LookupArgs(args(strings.Repeat("a", 1000))), nil},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	// Every entry is found by every lookup.
	for _, c := range allEntries() {
		if got := LookupFullName(c.Name); got != c {
			t.Errorf("LookupFullName(%q) = %v", c.Name, got)
		}
		a := strings.Split(strings.ToUpper(c.Name), "|")
		if got := LookupArgs(args(append(a, "x")...)); got != c && !(c.Parent == nil && c.Subcommands != nil) {
			t.Errorf("LookupArgs(%q) = %v", a, got)
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	a := args("Config", "Get", "maxmemory")
	b := args("Client", "No-Evict", "on")
	if n := testing.AllocsPerRun(100, func() {
		LookupArgs(a)
		LookupArgs(b)
		Lookup("get")
	}); n != 0 {
		t.Errorf("lookups allocate %v times", n)
	}
}

func TestWriteAllocs(t *testing.T) {
	w := &respWriter{b: make([]byte, 0, 1<<20), proto: 3}
	c := Lookup("georadius")
	if n := testing.AllocsPerRun(100, func() {
		w.b = w.b[:0]
		c.WriteInfo(w)
		c.WriteDocs(w)
	}); n != 0 {
		t.Errorf("WriteInfo and WriteDocs allocate %v times", n)
	}
}

func TestFlagsString(t *testing.T) {
	if got, want := (FlagWrite | FlagDenyoom | FlagMovablekeys).String(), "write|denyoom|movablekeys"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (KeyRW | KeyAccess | KeyVariableFlags).String(), "RW|access|variable_flags"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(flagNames) != 26 || FlagAllowBusy != 1<<25 || len(keyFlagNames) != 11 || KeyVariableFlags != 1<<10 {
		t.Error("flag names and constants out of step")
	}
}

// TestGenerated checks that table_gen.go is what the generator makes of the captures.
func TestGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the generator")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	out := filepath.Join(t.TempDir(), "table_gen.go")
	cmd := exec.Command(goTool, "run", "./gen", "-info", infoRESP3, "-docs", docsRESP3, "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("table_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("table_gen.go is stale: run go generate ./internal/cmdtable")
	}
	if !bytes.HasPrefix(want, []byte("// Code generated ")) || !bytes.Contains(want[:bytes.IndexByte(want, '\n')], []byte(" DO NOT EDIT.")) {
		t.Error("table_gen.go lacks the generated-code header")
	}
}

func args(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

func BenchmarkLookupArgs(b *testing.B) {
	a := args("Config", "Get", "maxmemory")
	for b.Loop() {
		LookupArgs(a)
	}
}

func BenchmarkWriteInfoAll(b *testing.B) {
	w := &respWriter{b: make([]byte, 0, 1<<20), proto: 3}
	for b.Loop() {
		w.b = w.b[:0]
		for _, c := range All() {
			c.WriteInfo(w)
		}
	}
}
