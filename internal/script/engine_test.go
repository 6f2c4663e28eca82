package script

import (
	"context"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"cairn/internal/resp"
)

// The interrupt check gopher-lua makes before every instruction once a context is set
// (how SCRIPT KILL stops a script): its cost, against the same loop without it.
func benchLoop(b *testing.B, withCtx bool) {
	L := lua.NewState()
	defer L.Close()
	if withCtx {
		e := &Engine{}
		e.intr.e = e
		e.run = &Run{}
		e.host = nopHost{}
		L.SetContext(&e.intr)
	}
	fn, err := L.Load(strings.NewReader("local n = 0 for i = 1, 100000 do n = n + i end return n"), "loop")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		L.Push(fn)
		L.Call(0, 1)
		L.Pop(1)
	}
}

func BenchmarkLoopNoInterrupt(b *testing.B)   { benchLoop(b, false) }
func BenchmarkLoopWithInterrupt(b *testing.B) { benchLoop(b, true) }
func BenchmarkLoopCancelCtx(b *testing.B) {
	L := lua.NewState()
	defer L.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	L.SetContext(ctx)
	fn, _ := L.Load(strings.NewReader("local n = 0 for i = 1, 100000 do n = n + i end return n"), "loop")
	b.ResetTimer()
	for range b.N {
		L.Push(fn)
		L.Call(0, 1)
		L.Pop(1)
	}
}

type nopHost struct{}

func (nopHost) Call(*Run, [][]byte) ([]byte, string)   { return []byte("+OK\r\n"), "" }
func (nopHost) CheckACL(*Run, [][]byte) (bool, string) { return true, "" }
func (nopHost) Log(int, string)                        {}
func (nopHost) Tick(*Run)                              {}
func (nopHost) CountError(string)                      {}

// testHost answers redis.call with canned replies keyed by the command name.
type testHost struct {
	replies map[string]string
	calls   [][]string
	ticks   int
	onTick  func(r *Run)
	logs    []string
	errs    []string
}

func (h *testHost) Call(r *Run, argv [][]byte) ([]byte, string) {
	var a []string
	for _, x := range argv {
		a = append(a, string(x))
	}
	h.calls = append(h.calls, a)
	if a[0] == "nosuch" {
		return nil, "Unknown Redis command called from script"
	}
	return []byte(h.replies[a[0]]), ""
}
func (h *testHost) CheckACL(*Run, [][]byte) (bool, string) { return true, "" }
func (h *testHost) Log(level int, msg string)              { h.logs = append(h.logs, msg) }
func (h *testHost) Tick(r *Run) {
	h.ticks++
	if h.onTick != nil {
		h.onTick(r)
	}
}
func (h *testHost) CountError(msg string) { h.errs = append(h.errs, msg) }

func eval(t *testing.T, e *Engine, body string, proto int, keys ...string) string {
	t.Helper()
	s, msg := e.Load([]byte(body))
	if s == nil {
		return "-" + msg + "\r\n"
	}
	var w resp.Writer
	w.Proto = proto
	var k [][]byte
	for _, x := range keys {
		k = append(k, []byte(x))
	}
	e.RunScript(&Run{Name: s.SHA, Flags: s.Flags, Resp: 2, Repl: ReplAll}, s, k, nil, &w)
	return string(w.B)
}

func TestConversions(t *testing.T) {
	h := &testHost{replies: map[string]string{
		"int":    ":42\r\n",
		"bulk":   "$3\r\nabc\r\n",
		"nil":    "$-1\r\n",
		"nilarr": "*-1\r\n",
		"status": "+OK\r\n",
		"err":    "-WRONGTYPE bad\r\n",
		"arr":    "*3\r\n:1\r\n$1\r\nx\r\n*1\r\n:2\r\n",
		"map":    "%1\r\n$1\r\nk\r\n:7\r\n",
		"set":    "~1\r\n$1\r\nm\r\n",
		"double": ",1.5\r\n",
		"null":   "_\r\n",
		"true":   "#t\r\n",
		"big":    "(123\r\n",
		"verb":   "=7\r\ntxt:abc\r\n",
		"attr":   "|1\r\n$1\r\na\r\n:1\r\n:5\r\n",
	}}
	e := NewEngine(KindEval, h)
	defer e.Close()
	for _, tc := range []struct{ body, want string }{
		{"return redis.call('int')", ":42\r\n"},
		{"return redis.call('bulk')", "$3\r\nabc\r\n"},
		{"return type(redis.call('nil'))", "$7\r\nboolean\r\n"},
		{"return type(redis.call('nilarr'))", "$7\r\nboolean\r\n"},
		{"return redis.call('status').ok", "$2\r\nOK\r\n"},
		{"return redis.call('status')", "+OK\r\n"},
		{"return redis.pcall('err').err", "$13\r\nWRONGTYPE bad\r\n"},
		{"return redis.pcall('err')", "-WRONGTYPE bad\r\n"},
		{"return redis.call('arr')", "*3\r\n:1\r\n$1\r\nx\r\n*1\r\n:2\r\n"},
		{"return redis.call('map').map.k", ":7\r\n"},
		{"return redis.call('set').set.m", ":1\r\n"},
		{"return redis.call('double').double * 2", ":3\r\n"},
		{"return type(redis.call('null'))", "$3\r\nnil\r\n"},
		{"return redis.call('true') == true", ":1\r\n"},
		{"return redis.call('big').big_number", "$3\r\n123\r\n"},
		{"return redis.call('verb').verbatim_string.format", "$3\r\ntxt\r\n"},
		{"return redis.call('verb').verbatim_string.string", "$3\r\nabc\r\n"},
		{"return redis.call('attr')", ":5\r\n"},
		{"return redis.call('int', 1.5, 7, 'x')", ":42\r\n"},
		{"return {1, 2, nil, 4}", "*2\r\n:1\r\n:2\r\n"},
		{"return 2^63", ":-9223372036854775808\r\n"},
		{"return -2.5", ":-2\r\n"},
		{"return {map={a=1}}", "*2\r\n$1\r\na\r\n:1\r\n"},
		{"return {double=0.1}", "$19\r\n0.10000000000000001\r\n"},
		{"return redis.call('nosuch')", "-ERR Unknown Redis command called from script script: "},
	} {
		got := eval(t, e, tc.body, 2)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.body, got, tc.want)
		}
	}
	if last := h.calls[len(h.calls)-2]; strings.Join(last, ",") != "int,1.5,7,x" {
		t.Errorf("redis.call arguments: %q", last)
	}
	// RESP3 client, script in RESP2 / RESP3.
	for _, tc := range []struct{ body, want string }{
		{"return {map={a=1}}", "%1\r\n$1\r\na\r\n:1\r\n"},
		{"return true", ":1\r\n"},
		{"return false", "_\r\n"},
		{"redis.setresp(3) return true", "#t\r\n"},
		{"redis.setresp(3) return false", "#f\r\n"},
		{"return {double=1.5}", ",1.5\r\n"},
	} {
		if got := eval(t, e, tc.body, 3); got != tc.want {
			t.Errorf("RESP3 %s: got %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestSandbox(t *testing.T) {
	e := NewEngine(KindEval, &testHost{})
	defer e.Close()
	for _, tc := range []struct{ body, want string }{
		{"return x", "-ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: "},
		{"x = 1", "-ERR user_script:1: Attempt to modify a readonly table script: "},
		{"rawset(_G, 'x', 1)", "-ERR Attempt to modify a readonly table script: "},
		{"setmetatable(_G, nil)", "-ERR Attempt to modify a readonly table script: "},
		{"string.x = 1", "-ERR user_script:1: Attempt to modify a readonly table script: "},
		{"getmetatable('').__index = nil", "-ERR user_script:1: Attempt to modify a readonly table script: "},
		{"return type(os)", "-ERR user_script:1: Script attempted to access nonexistent global variable 'os' script: "},
		{"return loadstring(string.dump(function() end))", "$-1\r\n"},
		{"return tostring(1/3)", "$16\r\n0.33333333333333\r\n"},
		{"return tonumber('010')", ":10\r\n"},
		{"return tonumber(' 0x10 ')", ":16\r\n"},
		{"return tostring(math.huge)", "$3\r\ninf\r\n"},
		{"return string.format('%u|%5.1f|%g', 3, 2.25, 1e20)", "$13\r\n3|  2.2|1e+20\r\n"},
		{"return #KEYS", ":1\r\n"},
		// Recorded from redis-server 7.0.15.
		{"math.randomseed(1) return math.random(1, 1000000)", ":41631\r\n"},
		{"return rawget(_G, 'redis') ~= nil", ":1\r\n"},
		{"local n = 0 for k in pairs(_G) do n = n + 1 end return n > 30", ":1\r\n"},
	} {
		got := eval(t, e, tc.body, 2, "k")
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.body, got, tc.want)
		}
	}
}

// A killed script stops at its next instruction, even inside pcall.
func TestKill(t *testing.T) {
	h := &testHost{}
	h.onTick = func(r *Run) {
		if h.ticks == 3 {
			r.Killed = true
		}
	}
	e := NewEngine(KindEval, h)
	defer e.Close()
	got := eval(t, e, "while true do pcall(function() while true do end end) end", 2)
	if !strings.HasPrefix(got, "-ERR Script killed by user with SCRIPT KILL... script: ") {
		t.Errorf("got %q", got)
	}
	// The engine is usable afterwards.
	if got := eval(t, e, "return 1", 2); got != ":1\r\n" {
		t.Errorf("after kill: %q", got)
	}
}

func TestLibraryLoadTimeout(t *testing.T) {
	e := NewEngine(KindFunction, &testHost{})
	defer e.Close()
	start := time.Now()
	_, msg := e.LoadLibrary("x", []byte("#!lua name=x\nwhile true do end"), &Run{Resp: 2})
	if msg != "ERR Error registering functions: ERR FUNCTION LOAD timeout" {
		t.Errorf("got %q", msg)
	}
	if d := time.Since(start); d < LoadTimeout || d > 5*LoadTimeout {
		t.Errorf("load stopped after %v", d)
	}
	lib, msg := e.LoadLibrary("y", []byte("#!lua name=y\nredis.register_function('f', function(keys, args) return #keys + #args end)"), &Run{Resp: 2})
	if msg != "" || len(lib.Functions) != 1 {
		t.Fatalf("load: %q", msg)
	}
	var w resp.Writer
	w.Proto = 2
	e.RunFunction(&Run{Name: "f", Resp: 2}, lib.Functions[0], [][]byte{[]byte("a")}, [][]byte{[]byte("b"), []byte("c")}, &w)
	if string(w.B) != ":3\r\n" {
		t.Errorf("f: %q", w.B)
	}
}

func TestRand48(t *testing.T) {
	// drand48's generator from seed 0, as Redis's rand.c.
	var r rand48
	r.seed(0)
	var got []int32
	for range 3 {
		got = append(got, r.next())
	}
	want := []int32{366850414, 1610402240, 206956554}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}
