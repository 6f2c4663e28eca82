package script

import (
	"strings"
	"testing"

	"cairn/internal/resp"
)

// Benchmarks of one small script run through the engine, with a host that answers
// every redis.call at once: the engine's own cost per EVALSHA (KEYS/ARGV, the call,
// the argument and reply conversions), without the server.
//
//	go test ./internal/script -run '^$' -bench Run -benchmem

// replyHost answers every redis.call with a fixed reply.
type replyHost struct {
	nopHost
	reply []byte
}

func (h replyHost) Call(*Run, [][]byte) ([]byte, string) { return h.reply, "" }

func benchmarkRunScript(b *testing.B, body, reply string) {
	e := NewEngine(KindEval, replyHost{reply: []byte(reply)})
	defer e.Close()
	s, msg := e.Load([]byte(body))
	if s == nil {
		b.Fatal(msg)
	}
	keys := [][]byte{[]byte("key:000001")}
	args := [][]byte{[]byte("xxx")}
	var w resp.Writer
	r := &Run{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		*r = Run{Name: s.SHA, Flags: s.Flags, Resp: 2, Repl: ReplAll}
		w.B = w.B[:0]
		e.RunScript(r, s, keys, args, &w)
	}
	b.StopTimer()
	if len(w.B) == 0 || w.B[0] == '-' {
		b.Fatalf("reply %q", w.B)
	}
}

func BenchmarkRunScriptSet(b *testing.B) {
	benchmarkRunScript(b, "return redis.call('SET', KEYS[1], ARGV[1])", "+OK\r\n")
}

func BenchmarkRunScriptGet(b *testing.B) {
	benchmarkRunScript(b, "return redis.call('GET', KEYS[1])", "$3\r\nxxx\r\n")
}

func BenchmarkRunScriptReturn(b *testing.B) {
	benchmarkRunScript(b, "return 1", "")
}

// TestRunScriptAllocs holds a small EVAL to its allocation budget once the engine has
// warmed up: the strings of KEYS and ARGV (their bytes and one box each), and for a
// bulk reply the string it becomes; KEYS, ARGV and {ok=...} tables are reused.
func TestRunScriptAllocs(t *testing.T) {
	for _, tc := range []struct {
		body, reply string
		max         float64
	}{
		{"return redis.call('SET', KEYS[1], ARGV[1])", "+OK\r\n", 3},
		{"return redis.call('GET', KEYS[1])", "$3\r\nxxx\r\n", 5},
		{"return redis.call('GET', KEYS[1])", "$100\r\n" + strings.Repeat("v", 100) + "\r\n", 5},
	} {
		e := NewEngine(KindEval, replyHost{reply: []byte(tc.reply)})
		s, msg := e.Load([]byte(tc.body))
		if s == nil {
			t.Fatal(msg)
		}
		keys := [][]byte{[]byte("key:000001")}
		args := [][]byte{[]byte("xxx")}
		var w resp.Writer
		var r Run
		run := func() {
			w.B = w.B[:0]
			r = Run{Name: s.SHA, Resp: 2, Repl: ReplAll}
			e.RunScript(&r, s, keys, args, &w)
		}
		run()
		if len(w.B) == 0 || w.B[0] == '-' {
			t.Fatalf("%s: reply %q", tc.body, w.B)
		}
		if got := testing.AllocsPerRun(100, run); got > tc.max {
			t.Errorf("%s: %.1f allocations per run, want at most %.0f", tc.body, got, tc.max)
		}
		e.Close()
	}
}
