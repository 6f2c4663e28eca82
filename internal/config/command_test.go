package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestGet(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		patterns []string
		want     [][2]string
	}{
		{[]string{"maxmemory"}, [][2]string{{"maxmemory", "0"}}},
		// An exact name is answered under the name as given.
		{[]string{"MAXMEMORY"}, [][2]string{{"MAXMEMORY", "0"}}},
		// Each directive once, compared case-insensitively.
		{[]string{"port", "PORT", "po*"}, [][2]string{{"port", "6379"}}},
		{[]string{"maxmemory", "maxmemory", "maxmem*"}, [][2]string{{"maxmemory", "0"}, {"maxmemory-policy", "noeviction"}, {"maxmemory-samples", "5"}, {"maxmemory-eviction-tenacity", "10"}, {"maxmemory-clients", "0"}}},
		// Aliases are names of their own.
		{[]string{"slaveof", "replicaof"}, [][2]string{{"slaveof", ""}, {"replicaof", ""}}},
		{[]string{"hash-max-*-entries"}, [][2]string{{"hash-max-listpack-entries", "512"}, {"hash-max-ziplist-entries", "512"}}},
		{[]string{"h[a-z]"}, [][2]string{{"hz", "10"}}},
		{[]string{"H?"}, [][2]string{{"hz", "10"}}},
		{[]string{"nomatch", "no*match"}, nil},
		// Hidden directives: by exact name only.
		{[]string{"key-load-delay", "key-load*"}, [][2]string{{"key-load-delay", "0"}}},
		{[]string{"use-exit*"}, nil},
		// A backslash alone is not a glob character: exact lookup.
		{[]string{"h\\z"}, nil},
	} {
		if got := c.Get(tc.patterns); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Get(%q) = %q, want %q", tc.patterns, got, tc.want)
		}
	}
}

func TestGetFormats(t *testing.T) {
	c := Default()
	must(t, c.Set([][2]string{
		{"maxmemory", "1gb"},
		{"notify-keyspace-events", "KEA"},
		{"save", "+5 010"},
		{"client-output-buffer-limit", "normal 1k 2kb 3 replica 1 2 3"},
		{"maxmemory-clients", "10%"},
		{"oom-score-adj", "relative"},
		{"shutdown-on-sigint", "force now nosave"},
		{"latency-tracking-info-percentiles", "50.5 0x10 1e1"},
		{"bind", "127.0.0.1 -::1"},
		{"appendfsync", "ALWAYS"},
	}))
	want := map[string]string{
		"maxmemory":                         "1073741824",
		"notify-keyspace-events":            "AKE",
		"save":                              "5 10",
		"client-output-buffer-limit":        "normal 1000 2048 3 slave 1 2 3 pubsub 33554432 8388608 60",
		"maxmemory-clients":                 "10%",
		"oom-score-adj":                     "yes",
		"shutdown-on-sigint":                "nosave now force",
		"latency-tracking-info-percentiles": "50.5 16 10",
		"bind":                              "127.0.0.1 -::1",
		"appendfsync":                       "always",
	}
	for name, v := range want {
		if got, _ := c.Value(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	// Typed fields follow.
	if c.MaxMemory != 1<<30 || c.NotifyKeyspaceEvents != NotifyAll|NotifyKeyspace|NotifyKeyevent ||
		!reflect.DeepEqual(c.Save, [][2]int64{{5, 10}}) || c.MaxMemoryClients != -10 ||
		c.ShutdownOnSigint != ShutdownNoSave|ShutdownNow|ShutdownForce || c.AppendFsync != "always" ||
		c.ClientOutputBufferLimit[ClientReplica] != (OutputBufferLimit{1, 2, 3}) {
		t.Errorf("typed fields: %+v", c)
	}
	// A field assigned directly shows in Get.
	c.Port = 7000
	c.Bind = []string{"::1"}
	if got := c.Get([]string{"port", "bind"}); !reflect.DeepEqual(got, [][2]string{{"port", "7000"}, {"bind", "::1"}}) {
		t.Errorf("after assignment: %q", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSetErrors(t *testing.T) {
	for _, tc := range []struct {
		pairs [][2]string
		want  string
	}{
		{[][2]string{{"foo", "bar"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[][2]string{{"foo", "1"}, {"daemonize", "yes"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[][2]string{{"daemonize", "yes"}, {"foo", "1"}}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
		{[][2]string{{"DAEMONIZE", "yes"}}, "ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set immutable config"},
		// Names are all checked before any value is parsed.
		{[][2]string{{"maxmemory", "abc"}, {"daemonize", "yes"}}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
		{[][2]string{{"hz", "5"}, {"hz", "abc"}}, "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter"},
		{[][2]string{{"hz", "5"}, {"HZ", "6"}}, "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter"},
		{[][2]string{{"save", "1 1"}, {"save", "2 2"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - duplicate parameter"},
		{[][2]string{{"slaveof", "a 1"}}, "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config"},
		{[][2]string{{"dir", "/tmp"}}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[][2]string{{"dbfilename", "x"}}, "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"},
		// A value error names the directive as the table has it.
		{[][2]string{{"Maxmemory", "abc"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{[][2]string{{"hash-max-ziplist-entries", "abc"}}, "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') - argument couldn't be parsed into an integer"},
		{[][2]string{{"maxmemory-samples", "0"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - argument must be between 1 and 2147483647 inclusive"},
		{[][2]string{{"maxmemory-policy", "bogus"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
		{[][2]string{{"save", "100  1"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
	} {
		c := Default()
		err := c.Set(tc.pairs)
		var re ReplyError
		if !errors.As(err, &re) || err.Error() != tc.want {
			t.Errorf("Set(%q) = %v, want %s", tc.pairs, err, tc.want)
		}
	}
}

func TestSetAliasAndPrimaryTogether(t *testing.T) {
	// Different names of one directive are not "duplicate" (Redis compares
	// table entries, and an alias is an entry of its own): the last wins.
	c := Default()
	must(t, c.Set([][2]string{{"hash-max-listpack-entries", "1"}, {"hash-max-ziplist-entries", "2"}}))
	if c.HashMaxListpackEntries != 2 {
		t.Errorf("got %d", c.HashMaxListpackEntries)
	}
}

func TestSetIsAtomic(t *testing.T) {
	c := Default()
	before := c.Get([]string{"*"})
	err := c.Set([][2]string{
		{"maxmemory", "10mb"}, {"save", "1 1"}, {"bind", "127.0.0.1"}, {"notify-keyspace-events", "KEA"},
		{"maxmemory-clients", "5%"}, {"client-output-buffer-limit", "normal 1 1 1"}, {"latency-tracking-info-percentiles", "1"},
		{"requirepass", "x"}, {"hz", "abc"},
	})
	if err == nil || !strings.Contains(err.Error(), "'hz'") {
		t.Fatalf("err = %v", err)
	}
	if after := c.Get([]string{"*"}); !reflect.DeepEqual(after, before) {
		t.Errorf("a failed Set changed values")
	}
	if c.MaxMemory != 0 || len(c.Save) != 3 || c.RequirePass != "" {
		t.Errorf("typed fields changed: %d %v %q", c.MaxMemory, c.Save, c.RequirePass)
	}
}

func TestSetContext(t *testing.T) {
	dir := t.TempDir()
	c := Default()
	c.EnableProtectedConfigs = "local"
	if err := c.SetFrom([][2]string{{"dir", dir}}, SetContext{}); err == nil {
		t.Errorf("protected config set by a remote client")
	}
	must(t, c.SetFrom([][2]string{{"dir", dir}}, SetContext{LocalClient: true}))
	c.EnableProtectedConfigs = "yes"
	must(t, c.Set([][2]string{{"dbfilename", "x.rdb"}}))

	err := c.SetFrom([][2]string{{"hz", "5"}, {"appendonly", "yes"}}, SetContext{Loading: true})
	if err == nil || err.Error() != "LOADING Redis is loading the dataset in memory" {
		t.Errorf("loading: %v", err)
	}
	if c.Hz != 10 {
		t.Errorf("hz changed to %d", c.Hz)
	}
	must(t, c.SetFrom([][2]string{{"hz", "5"}}, SetContext{Loading: true}))
}

func TestApplyBuiltins(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ name, value, want string }{
		{"hz", "0", "1"},
		{"hz", "1000", "500"},
		{"hz", "10", "10"},
		{"repl-backlog-size", "1", "16384"},
		{"repl-backlog-size", "20000", "20000"},
		{"watchdog-period", "1", "200"}, // twice the period of hz 10
		{"watchdog-period", "0", "0"},
	} {
		must(t, c.Set([][2]string{{tc.name, tc.value}}))
		if got, _ := c.Value(tc.name); got != tc.want {
			t.Errorf("set %s %s: got %s, want %s", tc.name, tc.value, got, tc.want)
		}
	}
}

func TestOnChange(t *testing.T) {
	c := Default()
	var calls []string
	c.OnChange("maxmemory", func() error {
		calls = append(calls, "maxmemory="+c.Get([]string{"maxmemory"})[0][1])
		return nil
	})
	c.OnChange("hash-max-ziplist-entries", func() error { calls = append(calls, "hash"); return nil })
	c.OnChange("bind", func() error { calls = append(calls, "bind"); return nil })

	must(t, c.Set([][2]string{{"maxmemory", "100"}, {"hash-max-listpack-entries", "1"}, {"hash-max-ziplist-entries", "2"}}))
	if want := []string{"maxmemory=100", "hash"}; !reflect.DeepEqual(calls, want) {
		t.Errorf("calls %q, want %q", calls, want)
	}
	// Unchanged values do not call back, except for the special directives.
	calls = nil
	must(t, c.Set([][2]string{{"maxmemory", "100"}, {"bind", "* -::*"}}))
	if want := []string{"bind"}; !reflect.DeepEqual(calls, want) {
		t.Errorf("calls %q, want %q", calls, want)
	}

	// A failing callback rolls everything back and calls the callbacks
	// again with the restored values.
	calls = nil
	c.OnChange("port", func() error {
		if c.Port == 1 {
			return errors.New("Unable to listen on this port")
		}
		calls = append(calls, "port")
		return nil
	})
	err := c.Set([][2]string{{"maxmemory", "200"}, {"port", "1"}})
	if err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port" {
		t.Errorf("err = %v", err)
	}
	if c.MaxMemory != 100 || c.Port != 6379 {
		t.Errorf("not rolled back: maxmemory %d port %d", c.MaxMemory, c.Port)
	}
	if want := []string{"maxmemory=200", "maxmemory=100", "port"}; !reflect.DeepEqual(calls, want) {
		t.Errorf("calls %q, want %q", calls, want)
	}
	c.OnChange("timeout", func() error { return errors.New("") })
	err = c.Set([][2]string{{"timeout", "5"}})
	if err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'timeout')" {
		t.Errorf("err = %v", err)
	}
}

func TestNotEffective(t *testing.T) {
	c := Default()
	if got := c.NotEffective(); len(got) != 0 {
		t.Errorf("defaults: %q", got)
	}
	must(t, c.Set([][2]string{{"repl-timeout", "30"}, {"maxmemory", "1"}, {"lazyfree-lazy-expire", "yes"}, {"slave-priority", "1"}}))
	if got, want := c.NotEffective(), []string{"replica-priority", "repl-timeout"}; !sameSet(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := c.NotEffective(); len(got) != 0 {
		t.Errorf("reported twice: %q", got)
	}
	must(t, c.Set([][2]string{{"tls-port", "6380"}}))
	if got := c.NotEffective(); !sameSet(got, []string{"tls-port"}) {
		t.Errorf("got %q", got)
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Directives() {
		if seen[d.Name] {
			t.Errorf("%s twice", d.Name)
		}
		seen[d.Name] = true
		if d.Status == 0 || d.Kind == 0 {
			t.Errorf("%s: no status or kind", d.Name)
		}
		if got, ok := Lookup(strings.ToUpper(d.Name)); !ok || got.Name != d.Name {
			t.Errorf("Lookup(%s) = %v", d.Name, got)
		}
		if d.Alias != "" {
			if got, ok := Lookup(d.Alias); !ok || got.Name != d.Name {
				t.Errorf("Lookup(%s) = %v", d.Alias, got)
			}
		}
		if (d.Kind == Enum || d.Kind == EnumFlags) != (len(d.Enum) > 0) {
			t.Errorf("%s: enum values %q", d.Name, d.Enum)
		}
	}
	for _, name := range []string{"requirepass", "masterauth", "masteruser", "tls-key-file-pass", "tls-client-key-file-pass"} {
		if d, _ := Lookup(name); d.Flags&Sensitive == 0 {
			t.Errorf("%s not sensitive", name)
		}
	}
	if _, ok := Lookup("include"); ok {
		t.Errorf("include is not a config")
	}
}

func TestKeyspaceEvents(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"KEA", "AKE"}, {"Kx", "xK"}, {"gA", "A"}, {"n", "n"}, {"AKEmn", "AKEm"}, {"$lshzxetd", "$lshzxetd"},
		{"g$lshzxetdn", "A"}, {"E", "E"}, {"", ""}, {"tKE", "tKE"}, {"ed", "ed"},
	} {
		f, ok := ParseKeyspaceEvents(tc.in)
		if !ok || FormatKeyspaceEvents(f) != tc.out {
			t.Errorf("%q: %q %v, want %q", tc.in, FormatKeyspaceEvents(f), ok, tc.out)
		}
	}
	if _, ok := ParseKeyspaceEvents("Kxq"); ok {
		t.Errorf("Kxq accepted")
	}
}
