package server

import (
	"strings"
	"testing"
)

// infoField returns a field of an INFO reply.
func infoField(t *testing.T, info, name string) string {
	t.Helper()
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO has no %s", name)
	return ""
}

// INFO's tracking figures, as redis-server 7.0.15 reports them for the same steps.
func TestInfoTrackingCounts(t *testing.T) {
	s := startServer(t)
	a := dial(t, s)
	a.expect("+OK\r\n", "CLIENT", "TRACKING", "on")
	a.expect("+OK\r\n", "SET", "a", "1")
	a.do("GET", "a")
	info := a.do("INFO")
	for name, want := range map[string]string{"tracking_clients": "1", "tracking_total_keys": "1", "tracking_total_items": "1", "tracking_total_prefixes": "0"} {
		if got := infoField(t, info, name); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	b := dial(t, s)
	b.expect("+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "y")
	info = b.do("INFO")
	for name, want := range map[string]string{"tracking_clients": "2", "tracking_total_prefixes": "2"} {
		if got := infoField(t, info, name); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
}

// INFO memory counts cached scripts, functions and libraries.
func TestInfoScriptCounts(t *testing.T) {
	s := startServer(t)
	c := dial(t, s)
	c.expect(":1\r\n", "EVAL", "return 1", "0")
	c.expect("$5\r\nmylib\r\n", "FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('f1', function() return 1 end)\nredis.register_function('f2', function() return 2 end)")
	info := c.do("INFO", "memory")
	for name, want := range map[string]string{"number_of_cached_scripts": "1", "number_of_functions": "2", "number_of_libraries": "1"} {
		if got := infoField(t, info, name); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	if got := infoField(t, info, "used_memory_scripts_eval"); got == "0" {
		t.Errorf("used_memory_scripts_eval = 0 with a cached script")
	}
}
