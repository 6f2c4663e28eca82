package server

// Benchmarks of the parse → execute → reply path of one connection, without the network:
// a client over a connection that discards what is written, whose read buffer is filled
// with a pipeline of commands before each call to processInput.
//
//	go test ./internal/server -run '^$' -bench . -benchmem
//	go test ./internal/server -run '^$' -bench GetPipelined -benchmem -memprofile mem.out
//	go tool pprof -list 'server\.' -sample_index=alloc_objects internal/server.test mem.out

import (
	"io"
	"log/slog"
	"net"
	"strconv"
	"testing"
	"time"

	"cairn/internal/config"
	"cairn/internal/script"
)

// discardConn is a net.Conn whose writes succeed and vanish; reads report EOF.
type discardConn struct{ written int64 }

func (d *discardConn) Read([]byte) (int, error)         { return 0, io.EOF }
func (d *discardConn) Write(b []byte) (int, error)      { d.written += int64(len(b)); return len(b), nil }
func (d *discardConn) Close() error                     { return nil }
func (d *discardConn) LocalAddr() net.Addr              { return benchAddr }
func (d *discardConn) RemoteAddr() net.Addr             { return benchAddr }
func (d *discardConn) SetDeadline(time.Time) error      { return nil }
func (d *discardConn) SetReadDeadline(time.Time) error  { return nil }
func (d *discardConn) SetWriteDeadline(time.Time) error { return nil }

var benchAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6379}

// benchClient makes a server (not listening) with its default configuration and one
// client on a discarding connection.
func benchClient(tb testing.TB) (*client, *discardConn) {
	tb.Helper()
	cfg, err := config.Load("", nil)
	if err != nil {
		tb.Fatal(err)
	}
	s := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	conn := &discardConn{}
	c := newClient(s, conn)
	s.mu.Lock()
	s.clients[c.id] = c
	s.mu.Unlock()
	return c, conn
}

// feed runs one batch: input is copied into the client's read buffer (which keeps its
// capacity, so this does not allocate) and processed as if it had just been read.
func feed(tb testing.TB, c *client, input []byte) {
	c.rbuf = append(c.rbuf[:0], input...)
	if !c.processInput() {
		tb.Fatal("processInput closed the connection")
	}
	if len(c.rbuf) != 0 {
		tb.Fatalf("%d bytes left unparsed", len(c.rbuf))
	}
}

// pipeline is n copies of the command, multibulk-encoded.
func pipeline(n int, args ...string) []byte {
	var b []byte
	for range n {
		b = append(b, encodeCommand(args...)...)
	}
	return b
}

const benchPipeline = 16

func benchmarkCommand(b *testing.B, depth int, setup [][]string, args ...string) {
	benchmarkInput(b, setup, pipeline(depth, args...), depth, "cmds/s")
}

// benchmarkInput runs the setup commands, then feeds input once per iteration and
// reports perInput units (commands, transactions) per second.
func benchmarkInput(b *testing.B, setup [][]string, input []byte, perInput int, unit string) {
	c, conn := benchClient(b)
	for _, cmd := range setup {
		feed(b, c, pipeline(1, cmd...))
	}
	feed(b, c, input) // warm up buffers
	conn.written = 0
	b.ReportAllocs()
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	for range b.N {
		feed(b, c, input)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*perInput)/b.Elapsed().Seconds(), unit)
}

var value100 = string(make([]byte, 100))

func BenchmarkGet(b *testing.B) {
	benchmarkCommand(b, 1, [][]string{{"SET", "key:000001", value100}}, "GET", "key:000001")
}

func BenchmarkGetPipelined(b *testing.B) {
	benchmarkCommand(b, benchPipeline, [][]string{{"SET", "key:000001", value100}}, "GET", "key:000001")
}

func BenchmarkGetMissing(b *testing.B) {
	benchmarkCommand(b, benchPipeline, nil, "GET", "nokey")
}

func BenchmarkSetOverwrite(b *testing.B) {
	benchmarkCommand(b, 1, [][]string{{"SET", "key:000001", value100}}, "SET", "key:000001", value100)
}

func BenchmarkSetOverwritePipelined(b *testing.B) {
	benchmarkCommand(b, benchPipeline, [][]string{{"SET", "key:000001", value100}}, "SET", "key:000001", value100)
}

func BenchmarkIncrPipelined(b *testing.B) {
	benchmarkCommand(b, benchPipeline, nil, "INCR", "counter")
}

// BenchmarkSetNewKeys measures SET of distinct keys over a 100,000-key space, as
// redis-benchmark -r 100000 does.
func BenchmarkSetNewKeys(b *testing.B) {
	c, _ := benchClient(b)
	inputs := make([][]byte, 1024)
	for i := range inputs {
		var in []byte
		for j := range benchPipeline {
			key := "key:" + strconv.Itoa((i*benchPipeline+j)*7919%100000)
			in = append(in, encodeCommand("SET", key, "xxx")...)
		}
		inputs[i] = in
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		feed(b, c, inputs[i%len(inputs)])
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*benchPipeline)/b.Elapsed().Seconds(), "cmds/s")
}

// TestGetSetZeroAllocs holds the hot path to its promise: once buffers have grown, a
// pipelined GET and a SET that overwrites an existing key allocate nothing.
func TestGetSetZeroAllocs(t *testing.T) {
	cases := []struct {
		name  string
		setup []string
		cmd   []string
	}{
		{"GET", []string{"SET", "key:000001", value100}, []string{"GET", "key:000001"}},
		{"GET missing", nil, []string{"GET", "nokey"}},
		{"SET overwrite", []string{"SET", "key:000001", value100}, []string{"SET", "key:000001", value100}},
		{"SET overwrite int", []string{"SET", "n", "12345"}, []string{"SET", "n", "67890"}},
		{"MSET overwrite", []string{"MSET", "key:000001", value100, "key:000002", "xyz"}, []string{"MSET", "key:000001", value100, "key:000002", "abc"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := benchClient(t)
			if tc.setup != nil {
				feed(t, c, pipeline(1, tc.setup...))
			}
			input := pipeline(benchPipeline, tc.cmd...)
			feed(t, c, input)
			allocs := testing.AllocsPerRun(200, func() { feed(t, c, input) })
			if allocs != 0 {
				t.Errorf("%d pipelined %q: %.2f allocations per batch, want 0", benchPipeline, tc.cmd[0], allocs)
			}
		})
	}
}

// The EVALSHA rows of bench/scripting.sh: a small script through the whole command
// path (gate, engine, redis.call through the gate again, reply).
const (
	benchScriptSet = "return redis.call('SET', KEYS[1], ARGV[1])"
	benchScriptGet = "return redis.call('GET', KEYS[1])"
)

func benchmarkEvalsha(b *testing.B, depth int, body string) {
	sha := script.SHA1Hex([]byte(body))
	benchmarkCommand(b, depth, [][]string{{"SET", "key:000001", "xxx"}, {"SCRIPT", "LOAD", body}},
		"EVALSHA", sha, "1", "key:000001", "xxx")
}

func BenchmarkEvalshaSet(b *testing.B)          { benchmarkEvalsha(b, 1, benchScriptSet) }
func BenchmarkEvalshaSetPipelined(b *testing.B) { benchmarkEvalsha(b, benchPipeline, benchScriptSet) }
func BenchmarkEvalshaGet(b *testing.B)          { benchmarkEvalsha(b, 1, benchScriptGet) }
func BenchmarkEvalshaGetPipelined(b *testing.B) { benchmarkEvalsha(b, benchPipeline, benchScriptGet) }

// BenchmarkMultiExec10Sets is one transaction of bench/multi: MULTI, ten SETs, EXEC,
// sent as one pipeline.
func BenchmarkMultiExec10Sets(b *testing.B) {
	benchmarkInput(b, nil, multiExec10Sets(), 1, "tx/s")
}

// multiExec10Sets is MULTI, SET key:0 … key:9 and EXEC as one pipeline.
func multiExec10Sets() []byte {
	input := encodeCommand("MULTI")
	for i := range 10 {
		input += encodeCommand("SET", "key:"+strconv.Itoa(i), "xxx")
	}
	return []byte(input + encodeCommand("EXEC"))
}

// BenchmarkMsetRandomKeys: MSET of 10 keys drawn from 100,000 existing ones, as
// redis-benchmark's MSET row does once its key space has filled: the keys' table slots
// and entries are cache misses (msetGeneric prefetches them).
func BenchmarkMsetRandomKeys(b *testing.B) {
	c, _ := benchClient(b)
	for i := range 100000 {
		feed(b, c, pipeline(1, "SET", "key:"+strconv.Itoa(i), "xxx"))
	}
	inputs := make([][]byte, 4096)
	for i := range inputs {
		args := []string{"MSET"}
		for j := range 10 {
			args = append(args, "key:"+strconv.Itoa((i*10+j)*7919%100000), "xxx")
		}
		inputs[i] = pipeline(1, args...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		feed(b, c, inputs[i%len(inputs)])
	}
}
