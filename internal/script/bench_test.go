package script

import (
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
