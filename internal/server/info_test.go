package server

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// infoSection is one section of an INFO reply: its title and its field names and
// values in order.
type infoSection struct {
	title  string
	names  []string
	values []string
}

// parseInfo splits the raw reply of INFO (a bulk or verbatim string) into sections.
func parseInfo(t *testing.T, raw string) []infoSection {
	t.Helper()
	text, ok := parseReply(t, raw).(string)
	if !ok {
		t.Fatalf("INFO reply is not a string: %q", clipText(raw))
	}
	text = strings.TrimPrefix(text, "txt:")
	if text == "" {
		return nil
	}
	if !strings.HasSuffix(text, "\r\n") {
		t.Fatalf("INFO text does not end in CRLF: %q", clipText(text))
	}
	var out []infoSection
	for _, block := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n\r\n") {
		lines := strings.Split(block, "\r\n")
		if !strings.HasPrefix(lines[0], "# ") {
			t.Fatalf("section without a title: %q", block)
		}
		sec := infoSection{title: lines[0][2:]}
		for _, line := range lines[1:] {
			name, value, ok := strings.Cut(line, ":")
			if !ok || name == "" {
				t.Fatalf("bad INFO line %q in section %s", line, sec.title)
			}
			sec.names = append(sec.names, name)
			sec.values = append(sec.values, value)
		}
		out = append(out, sec)
	}
	return out
}

// infoFields is every field of an INFO reply by name.
func infoFields(t *testing.T, raw string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	for _, sec := range parseInfo(t, raw) {
		for i, name := range sec.names {
			m[name] = sec.values[i]
		}
	}
	return m
}

// sortedSection returns sec with its fields sorted by name.
func sortedSection(sec infoSection) infoSection {
	idx := make([]int, len(sec.names))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(sec.names[a], sec.names[b]) })
	out := infoSection{title: sec.title}
	for _, i := range idx {
		out.names = append(out.names, sec.names[i])
		out.values = append(out.values, sec.values[i])
	}
	return out
}

func titles(secs []infoSection) []string {
	var out []string
	for _, s := range secs {
		out = append(out, s.title)
	}
	return out
}

// cairnOnlyInfoFields are the fields Cairn adds to Redis's INFO.
var cairnOnlyInfoFields = map[string]bool{"executor_panics": true}

// TestInfoFieldsMatchRedis compares Cairn's INFO with redis-server 7.0.15's: which
// sections each form of the command returns, in which order, and the names and order of
// the fields of every section. Values differ, of course; for the sections whose fields
// depend on what ran (commandstats, errorstats, latencystats, keyspace), the same
// commands run on both servers and the fields' names and value formats are compared.
func TestInfoFieldsMatchRedis(t *testing.T) {
	p := newPair(t, nil, nil)
	for _, args := range [][]string{
		{"SET", "k", "v"},
		{"SET", "t", "v", "EX", "100"},
		{"GET", "k"},
		{"GET", "nokey"},
		{"CONFIG", "GET", "maxmemory"},
		{"NOSUCHCOMMAND"},
		{"GET"},
		{"SELECT", "3"},
		{"SET", "k3", "v"},
	} {
		p.same(args...)
	}
	for _, args := range [][]string{
		{"INFO"}, {"INFO", "default"}, {"INFO", "all"}, {"INFO", "everything"},
		{"INFO", "server", "clients"}, {"INFO", "SERVER"}, {"INFO", "bogus"},
		{"INFO", "commandstats"}, {"INFO", "all", "commandstats"}, {"INFO", "default", "cpu"},
		{"INFO", "modules"}, {"INFO", "module_list"}, {"INFO", "latencystats", "cluster"},
		{"INFO", "keyspace", "errorstats", "memory"},
	} {
		got, want := p.both(args...)
		if g, w := titles(parseInfo(t, got)), titles(parseInfo(t, want)); !slices.Equal(g, w) {
			t.Errorf("%q sections:\n cairn %q\n redis %q", args, g, w)
		}
	}

	got, want := p.both("INFO", "everything")
	cairn, redis := parseInfo(t, got), parseInfo(t, want)
	if len(cairn) != len(redis) {
		t.Fatalf("sections: cairn %q, redis %q", titles(cairn), titles(redis))
	}
	// Value shapes: digits become 9, so "calls=1,usec=6,usec_per_call=6.00" compares as
	// "calls=9,usec=9,usec_per_call=9.99".
	digits := regexp.MustCompile(`[0-9]+`)
	for i := range redis {
		c, r := cairn[i], redis[i]
		var names []string
		for _, n := range c.names {
			if !cairnOnlyInfoFields[n] {
				names = append(names, n)
			}
		}
		rnames := r.names
		switch r.title {
		case "Commandstats", "Latencystats":
			// Redis walks its command dict, in a random order.
			rnames = slices.Clone(rnames)
			slices.Sort(rnames)
			c, r = sortedSection(c), sortedSection(r)
		}
		if !slices.Equal(names, rnames) {
			t.Errorf("section %s fields differ:\n cairn %q\n redis %q", r.title, names, rnames)
			continue
		}
		switch r.title {
		case "Commandstats", "Errorstats", "Latencystats", "Keyspace", "Cluster":
			for j := range r.values {
				if g, w := digits.ReplaceAllString(c.values[j], "9"), digits.ReplaceAllString(r.values[j], "9"); g != w {
					t.Errorf("%s %s: cairn %q, redis %q", r.title, r.names[j], c.values[j], r.values[j])
				}
			}
		}
	}

	// RESP3: a verbatim string.
	p.cairn.do("HELLO", "3")
	if got := p.cairn.do("INFO", "cluster"); got != "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n" {
		t.Errorf("INFO cluster in RESP3: %q", got)
	}
}

// TestInfoSections checks the section rules without redis-server.
func TestInfoSections(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	cases := []struct {
		args []string
		want []string
	}{
		{nil, []string{"Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats", "Cluster", "Keyspace"}},
		{[]string{"all"}, []string{"Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"}},
		{[]string{"keyspace", "SERVER"}, []string{"Server", "Keyspace"}},
		{[]string{"nosuch"}, nil},
	}
	for _, tc := range cases {
		got := titles(parseInfo(t, rc.do(append([]string{"INFO"}, tc.args...)...)))
		if !slices.Equal(got, tc.want) {
			t.Errorf("INFO %q: %q, want %q", tc.args, got, tc.want)
		}
	}
	if got := rc.do("INFO", "nosuch"); got != "$0\r\n\r\n" {
		t.Errorf("INFO nosuch = %q", got)
	}
}

func TestInfoValues(t *testing.T) {
	s := startServer(t, "--enable-debug-command", "yes")
	rc := dial(t, s)
	rc.do("SET", "a", "1")
	rc.do("SET", "b", "2", "PX", "100000")
	rc.do("GET", "a")
	rc.do("GET", "missing")
	rc.do("CONFIG", "GET", "hz")
	rc.do("CONFIG", "NOSUCH")
	rc.do("GET")
	got := rc.do("DEBUG", "ASSERT")
	if !strings.HasPrefix(got, "-ERR internal error while executing 'debug'") {
		t.Errorf("DEBUG ASSERT: %q", got)
	}
	f := infoFields(t, rc.do("INFO", "everything"))
	_, port, _ := strings.Cut(s.Addr().String(), ":")
	want := map[string]string{
		"redis_version":               "7.0.15",
		"redis_mode":                  "standalone",
		"tcp_port":                    port,
		"connected_clients":           "1",
		"role":                        "master",
		"connected_slaves":            "0",
		"loading":                     "0",
		"aof_enabled":                 "0",
		"rdb_changes_since_last_save": "2",
		"keyspace_hits":               "1",
		"keyspace_misses":             "1",
		"executor_panics":             "1",
		"total_error_replies":         "3",
		"errorstat_ERR":               "count=3",
		"db0":                         "keys=2,expires=1,avg_ttl=0",
		"cluster_enabled":             "0",
		"maxmemory_policy":            "noeviction",
	}
	for name, v := range want {
		if f[name] != v {
			t.Errorf("%s = %q, want %q", name, f[name], v)
		}
	}
	for _, name := range []string{"cmdstat_config|get", "cmdstat_set", "latency_percentiles_usec_config|get", "used_memory", "used_cpu_user"} {
		if f[name] == "" {
			t.Errorf("no %s", name)
		}
	}
	if !regexp.MustCompile(`^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$`).MatchString(f["cmdstat_set"]) {
		t.Errorf("cmdstat_set = %q", f["cmdstat_set"])
	}
	if !regexp.MustCompile(`^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0$`).MatchString(f["cmdstat_get"]) {
		t.Errorf("cmdstat_get = %q (GET without a key is rejected by the gate)", f["cmdstat_get"])
	}
	if !regexp.MustCompile(`^calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1$`).MatchString(f["cmdstat_debug"]) {
		t.Errorf("cmdstat_debug = %q", f["cmdstat_debug"])
	}
	if !regexp.MustCompile(`^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$`).MatchString(f["latency_percentiles_usec_set"]) {
		t.Errorf("latency_percentiles_usec_set = %q", f["latency_percentiles_usec_set"])
	}
	if len(f["master_replid"]) != 40 || f["master_replid2"] != strings.Repeat("0", 40) {
		t.Errorf("replids %q %q", f["master_replid"], f["master_replid2"])
	}
	old := f["master_replid"]
	rc.expect("+OK\r\n", "DEBUG", "CHANGE-REPL-ID")
	if f = infoFields(t, rc.do("INFO", "replication")); f["master_replid"] == old || len(f["master_replid"]) != 40 {
		t.Errorf("DEBUG CHANGE-REPL-ID left master_replid %q (was %q)", f["master_replid"], old)
	}
}
