package server

import (
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"

	"cairn/internal/debughttp"
)

// getDebug fetches a path from the server's debug listener.
func getDebug(t *testing.T, addr net.Addr, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr.String() + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

func TestDebugListener(t *testing.T) {
	s := startServer(t, "--cairn-debug-addr", "127.0.0.1:0")
	addr := s.DebugAddr()
	if addr == nil {
		t.Fatal("cairn-debug-addr given, no debug listener")
	}
	runtime.GC() // the server shares the test's process: at least one pause to report

	code, body := getDebug(t, addr, "/debug/gc")
	if code != http.StatusOK {
		t.Fatalf("/debug/gc: status %d: %s", code, body)
	}
	var r debughttp.GCReport
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("/debug/gc: %v in %s", err, body)
	}
	if r.Cycles == 0 || r.Pauses.Count == 0 || r.Pauses.Max <= 0 || r.Pauses.P50 > r.Pauses.P99 || r.Pauses.P99 > r.Pauses.Max {
		t.Errorf("/debug/gc after runtime.GC: cycles %d, pauses %+v", r.Cycles, r.Pauses)
	}
	if r.HeapLive == 0 || r.Total == 0 {
		t.Errorf("/debug/gc: heap figures missing: %s", body)
	}
	if code, body := getDebug(t, addr, "/debug/pprof/goroutine?debug=1"); code != http.StatusOK || !strings.Contains(body, "goroutine profile:") {
		t.Errorf("/debug/pprof/goroutine: status %d, %.200q", code, body)
	}

	// A Cairn directive: by exact name only, so CONFIG GET * stays redis-server's list.
	c := dial(t, s)
	c.expect("*2\r\n$16\r\ncairn-debug-addr\r\n$11\r\n127.0.0.1:0\r\n", "CONFIG", "GET", "cairn-debug-addr")
	c.expect("*0\r\n", "CONFIG", "GET", "cairn-*")
	// It opens a port that exposes the process: protected, as dir is.
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'cairn-debug-addr') - can't set protected config\r\n",
		"CONFIG", "SET", "cairn-debug-addr", "")
	if code, _ := getDebug(t, addr, "/debug/gc"); code != http.StatusOK {
		t.Errorf("after a refused CONFIG SET the listener answers %d", code)
	}
}

func TestDebugListenerConfigSet(t *testing.T) {
	s := startServer(t, "--enable-protected-configs", "yes")
	if a := s.DebugAddr(); a != nil {
		t.Fatalf("off by default, but listening on %s", a)
	}
	c := dial(t, s)
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'cairn-debug-addr') - argument must be host:port\r\n",
		"CONFIG", "SET", "cairn-debug-addr", "nonsense")
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'cairn-debug-addr') - port must be a number between 0 and 65535\r\n",
		"CONFIG", "SET", "cairn-debug-addr", "127.0.0.1:99999")

	c.expect("+OK\r\n", "CONFIG", "SET", "cairn-debug-addr", "127.0.0.1:0")
	first := s.DebugAddr()
	if first == nil {
		t.Fatal("CONFIG SET cairn-debug-addr did not start the listener")
	}
	if code, _ := getDebug(t, first, "/debug/gc"); code != http.StatusOK {
		t.Fatalf("/debug/gc: status %d", code)
	}

	// Moving to a port that is taken fails and keeps the listener where it was.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	reply := c.do("CONFIG", "SET", "cairn-debug-addr", taken.Addr().String())
	if !strings.HasPrefix(reply, "-ERR CONFIG SET failed (possibly related to argument 'cairn-debug-addr') - can't listen on cairn-debug-addr") {
		t.Errorf("CONFIG SET to a taken port: %q", reply)
	}
	c.expect("*2\r\n$16\r\ncairn-debug-addr\r\n$11\r\n127.0.0.1:0\r\n", "CONFIG", "GET", "cairn-debug-addr")
	if got := s.DebugAddr(); got == nil || got.String() != first.String() {
		t.Errorf("after the failed move the listener is at %v, want %v", got, first)
	}

	c.expect("+OK\r\n", "CONFIG", "SET", "cairn-debug-addr", "")
	if a := s.DebugAddr(); a != nil {
		t.Errorf("CONFIG SET cairn-debug-addr \"\": still listening on %s", a)
	}
	if conn, err := net.Dial("tcp", first.String()); err == nil {
		conn.Close()
		t.Errorf("the debug listener's port still accepts connections")
	}
}

func TestGoMemoryLimitFromMaxmemory(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "") // not set: Cairn derives the limit
	orig := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(orig) })

	s := startServer(t, "--maxmemory", "1gb")
	s.ManageGoMemoryLimit()
	if got, want := debug.SetMemoryLimit(-1), int64(1<<30+1<<29+64<<20); got != want {
		t.Errorf("maxmemory 1gb at start: Go memory limit %d, want %d", got, want)
	}
	c := dial(t, s)
	c.expect("+OK\r\n", "CONFIG", "SET", "maxmemory", "2gb")
	if got, want := debug.SetMemoryLimit(-1), int64(3<<30+64<<20); got != want {
		t.Errorf("CONFIG SET maxmemory 2gb: Go memory limit %d, want %d", got, want)
	}
	c.expect("+OK\r\n", "CONFIG", "SET", "maxmemory", "0")
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("CONFIG SET maxmemory 0: Go memory limit %d, want none (MaxInt64)", got)
	}
	// A refused CONFIG SET changes nothing.
	c.expect("+OK\r\n", "CONFIG", "SET", "maxmemory", "100mb")
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n",
		"CONFIG", "SET", "maxmemory", "lots")
	if got, want := debug.SetMemoryLimit(-1), int64(150<<20+64<<20); got != want {
		t.Errorf("maxmemory 100mb: Go memory limit %d, want %d", got, want)
	}
}

func TestGoMemoryLimitEnvironmentWins(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "5GiB")
	orig := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(orig) })

	s := startServer(t, "--maxmemory", "1gb")
	s.ManageGoMemoryLimit()
	c := dial(t, s)
	c.expect("+OK\r\n", "CONFIG", "SET", "maxmemory", "2gb")
	if got := debug.SetMemoryLimit(-1); got != orig {
		t.Errorf("with GOMEMLIMIT set, maxmemory changed the Go memory limit to %d (was %d)", got, orig)
	}
}

func TestGoMemoryLimitFormula(t *testing.T) {
	for _, tc := range []struct {
		maxmemory uint64
		want      int64
	}{
		{0, math.MaxInt64},
		{1, 1 + 64<<20},
		{1 << 20, 1<<20 + 1<<19 + 64<<20},
		{10 << 30, 15<<30 + 64<<20},
		{math.MaxUint64, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64},
	} {
		if got := goMemoryLimit(tc.maxmemory); got != tc.want {
			t.Errorf("goMemoryLimit(%d) = %d, want %d", tc.maxmemory, got, tc.want)
		}
	}
}

// gogcNow reads the runtime's current GOGC without changing it.
func gogcNow() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestGCFloor: cairn-gc-min-heap sets the GOGC that keeps the heap goal at the floor
// (internal/gcfloor) and follows CONFIG SET; 0 gives GOGC back to the default 100.
func TestGCFloor(t *testing.T) {
	t.Setenv("GOGC", "") // not set: Cairn tunes it
	s := startServer(t, "--cairn-gc-min-heap", "0")
	s.ManageGCFloor()
	c := dial(t, s)
	t.Cleanup(func() { c.expect("+OK\r\n", "CONFIG", "SET", "cairn-gc-min-heap", "0") })
	if got := gogcNow(); got != 100 {
		t.Fatalf("cairn-gc-min-heap 0: GOGC %d, want 100", got)
	}
	// 4 GB is far above this test process's heap, so the GOGC that reaches it is the
	// highest the runtime's minimum heap allows: 4 GB / 4 MB * 100.
	c.expect("+OK\r\n", "CONFIG", "SET", "cairn-gc-min-heap", "4gb")
	if got := gogcNow(); got != 102400 {
		t.Errorf("CONFIG SET cairn-gc-min-heap 4gb: GOGC %d, want 102400", got)
	}
	c.expect("*2\r\n$17\r\ncairn-gc-min-heap\r\n$10\r\n4294967296\r\n", "CONFIG", "GET", "cairn-gc-min-heap")
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'cairn-gc-min-heap') - argument must be a memory value\r\n",
		"CONFIG", "SET", "cairn-gc-min-heap", "lots")
	c.expect("+OK\r\n", "CONFIG", "SET", "cairn-gc-min-heap", "0")
	if got := gogcNow(); got != 100 {
		t.Errorf("CONFIG SET cairn-gc-min-heap 0: GOGC %d, want 100", got)
	}
}

func TestGCFloorEnvironmentWins(t *testing.T) {
	t.Setenv("GOGC", "150")
	defer debug.SetGCPercent(debug.SetGCPercent(150))
	s := startServer(t, "--cairn-gc-min-heap", "1gb")
	s.ManageGCFloor()
	if got := gogcNow(); got != 150 {
		t.Errorf("with GOGC=150 set, cairn-gc-min-heap changed GOGC to %d", got)
	}
}
