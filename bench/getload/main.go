// Command getload measures the latency of GET on a large data set: the load generator
// of bench/gclatency.sh. Each of -clients connections has one request in flight (a
// closed loop, as redis-benchmark -P 1); a request is GET key:N for a random N below
// -keyspace — the keys DEBUG POPULATE makes, whose values are value:N, which every
// reply is checked against — or, for -set-percent of the requests, SET of a new key
// (fresh:<client>:<i>, so that the server keeps allocating). With -think, a client
// pauses that long after each reply before its next request, as an application does
// between the commands it sends. Latency is from the write of the command to the last
// byte of its reply, recorded in a log-linear histogram (512 buckets per power of two:
// under 0.2% error) per client, merged at the end. It prints requests/s, p50, p99, p99.9 and max in ms.
//
// Why not redis-benchmark: its random keys are key:<12 digits>, which DEBUG POPULATE's
// keys never match, so every GET would miss and no value would be read or sent.
// getload's own GC cannot add to the figures: the request loop allocates nothing and
// the collector is off during the run.
//
// With -debug URL (Cairn's debug listener, cairn-debug-addr), it also reads /debug/gc
// before and after the run and prints the GC cycles and the pause percentiles of the
// run, from the Go runtime's own histogram.
//
//	go run ./bench/getload -addr 127.0.0.1:6379 -clients 50 -requests 1000000 -keyspace 10000000
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/bits"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"cairn/internal/debughttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	clients := flag.Int("clients", 50, "connections, each with one request in flight")
	requests := flag.Int("requests", 1000000, "requests in total")
	keyspace := flag.Int("keyspace", 10000000, "GET key:N for N in [0, keyspace): the keys of DEBUG POPULATE <keyspace>")
	setPercent := flag.Int("set-percent", 0, "percentage of requests that SET a new key instead")
	size := flag.Int("d", 10, "value size of the SETs in bytes")
	think := flag.Duration("think", 0, "pause of each client between a reply and its next request")
	debugURL := flag.String("debug", "", "Cairn's debug listener (http://host:port): report the GC pauses of the run")
	name := flag.String("name", "GET", "row name in the output")
	flag.Parse()
	if *clients < 1 || *requests < 1 || *keyspace < 1 || *setPercent < 0 || *setPercent > 100 || *size < 0 || *think < 0 {
		fmt.Fprintln(os.Stderr, "getload: -clients, -requests and -keyspace must be positive, -set-percent 0..100, -d and -think not negative")
		os.Exit(2)
	}
	var before debughttp.GCReport
	if *debugURL != "" {
		var err error
		if before, err = readGC(*debugURL); err != nil {
			fmt.Fprintln(os.Stderr, "getload:", err)
			os.Exit(1)
		}
	}
	res, err := run(config{addr: *addr, clients: *clients, requests: *requests, keyspace: *keyspace, setPercent: *setPercent, size: *size, think: *think})
	if err != nil {
		fmt.Fprintln(os.Stderr, "getload:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d requests, %.0f requests/s, latency ms: p50 %.3f p99 %.3f p99.9 %.3f max %.3f\n", *name,
		res.hist.count, res.rps, ms(res.hist.quantile(0.50)), ms(res.hist.quantile(0.99)), ms(res.hist.quantile(0.999)), ms(res.hist.max))
	if *debugURL != "" {
		after, err := readGC(*debugURL)
		if err != nil {
			fmt.Fprintln(os.Stderr, "getload:", err)
			os.Exit(1)
		}
		p := debughttp.Summarize(debughttp.PauseDelta(before.PauseBuckets, after.PauseBuckets))
		fmt.Printf("%s: Go GC during the run: %d cycles, %d pauses, ms: p50 %.3f p99 %.3f max %.3f; since start: %d cycles, pause p50 %.3f p99 %.3f max %.3f; heap live %d MB, total %d MB\n",
			*name, after.Cycles-before.Cycles, p.Count, p.P50*1e3, p.P99*1e3, p.Max*1e3,
			after.Cycles, after.Pauses.P50*1e3, after.Pauses.P99*1e3, after.Pauses.Max*1e3, after.HeapLive>>20, after.Total>>20)
	}
}

type config struct {
	addr                                          string
	clients, requests, keyspace, setPercent, size int
	think                                         time.Duration
}

type result struct {
	rps  float64
	hist histogram
}

func ms(ns uint64) float64 { return float64(ns) / 1e6 }

func readGC(url string) (debughttp.GCReport, error) {
	var r debughttp.GCReport
	resp, err := http.Get(url + "/debug/gc")
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("%s/debug/gc: %s", url, resp.Status)
	}
	return r, json.NewDecoder(resp.Body).Decode(&r)
}

// run connects every client first, then starts them together and waits for all.
func run(cfg config) (result, error) {
	conns := make([]net.Conn, cfg.clients)
	for i := range conns {
		c, err := net.Dial("tcp", cfg.addr)
		if err != nil {
			for _, c := range conns[:i] {
				c.Close()
			}
			return result{}, err
		}
		conns[i] = c
	}
	hists := make([]histogram, cfg.clients)
	errs := make([]error, cfg.clients)
	var left atomic.Int64
	left.Store(int64(cfg.requests))
	var wg sync.WaitGroup
	// The request loop allocates nothing; with the collector off too, none of the
	// latency recorded can be this process's GC.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	start := time.Now()
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			errs[i] = worker(c, cfg, &left, uint64(i), &hists[i])
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return result{}, err
	}
	var all histogram
	for i := range hists {
		all.merge(&hists[i])
	}
	return result{rps: float64(all.count) / elapsed.Seconds(), hist: all}, nil
}

// worker sends requests on c until left runs out, recording their latencies in h.
func worker(c net.Conn, cfg config, left *atomic.Int64, id uint64, h *histogram) error {
	rng := rand.New(rand.NewPCG(id, 0x6765746c6f6164))
	r := bufio.NewReaderSize(c, 64<<10)
	value := make([]byte, cfg.size)
	for i := range value {
		value[i] = 'x'
	}
	fresh := strconv.AppendUint([]byte("fresh:"), id, 10)
	fresh = append(fresh, ':')
	var req, key, want []byte
	for n := 0; left.Add(-1) >= 0; n++ {
		set := cfg.setPercent > 0 && rng.IntN(100) < cfg.setPercent
		if set {
			key = strconv.AppendInt(append(key[:0], fresh...), int64(n), 10)
			req = appendCommand(req[:0], []byte("SET"), key, value)
		} else {
			k := int64(rng.IntN(cfg.keyspace))
			key = strconv.AppendInt(append(key[:0], "key:"...), k, 10)
			want = strconv.AppendInt(append(want[:0], "value:"...), k, 10)
			req = appendCommand(req[:0], []byte("GET"), key)
		}
		t0 := time.Now()
		if _, err := c.Write(req); err != nil {
			return err
		}
		var err error
		if set {
			err = expectLine(r, "+OK")
		} else {
			err = expectBulk(r, want)
		}
		if err != nil {
			return err
		}
		h.record(uint64(time.Since(t0)))
		if cfg.think > 0 {
			time.Sleep(cfg.think)
		}
	}
	return nil
}

// appendCommand appends a RESP array of bulk strings to b.
func appendCommand(b []byte, args ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

func expectLine(r *bufio.Reader, want string) error {
	line, err := readLine(r)
	if err != nil {
		return err
	}
	if string(line) != want {
		return fmt.Errorf("got %q, want %q", line, want)
	}
	return nil
}

// expectBulk reads a bulk string reply and checks it is want (a miss is an error: the
// data set is not DEBUG POPULATE's).
func expectBulk(r *bufio.Reader, want []byte) error {
	line, err := readLine(r)
	if err != nil {
		return err
	}
	if len(line) == 0 || line[0] != '$' {
		return fmt.Errorf("GET: got %q, want a bulk string", line)
	}
	n, err := strconv.Atoi(string(line[1:]))
	if err != nil || n != len(want) {
		return fmt.Errorf("GET: got %q, want a bulk string of %q (is the data set DEBUG POPULATE's, with as many keys as -keyspace?)", line, want)
	}
	body, err := r.Peek(n + 2)
	if err != nil {
		return eof(err)
	}
	if string(body[:n]) != string(want) || body[n] != '\r' || body[n+1] != '\n' {
		return fmt.Errorf("GET: got %q, want %q", body, want)
	}
	_, err = r.Discard(n + 2)
	return err
}

func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return nil, eof(err)
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, fmt.Errorf("bad reply line %q", line)
	}
	return line[:len(line)-2], nil
}

func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// histogram counts latencies in nanoseconds in log-linear buckets: values below 1,024
// exactly, then 512 buckets per power of two (relative width under 0.2%, reported at
// the bucket's upper end), as HdrHistogram does with 3 significant digits.
type histogram struct {
	counts [subCount + 54*subHalf]uint64
	count  uint64
	max    uint64
}

const (
	subBits  = 10
	subCount = 1 << subBits // exact values below this
	subHalf  = subCount / 2 // buckets per power of two above it
)

func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	e := bits.Len64(v) - subBits // v>>e is in [subHalf, subCount)
	return e*subHalf + int(v>>e)
}

// upperOf is the largest value in bucket i.
func upperOf(i int) uint64 {
	if i < subCount {
		return uint64(i)
	}
	e := i/subHalf - 1
	m := uint64(i - e*subHalf)
	return (m+1)<<e - 1
}

func (h *histogram) record(v uint64) {
	h.counts[bucketOf(v)]++
	h.count++
	h.max = max(h.max, v)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.count += o.count
	h.max = max(h.max, o.max)
}

// quantile is the smallest recorded value v (to the bucket's precision) such that a
// fraction q of the values are at most v; never above the exact maximum.
func (h *histogram) quantile(q float64) uint64 {
	if h.count == 0 {
		return 0
	}
	rank := max(1, uint64(math.Ceil(q*float64(h.count))))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(upperOf(i), h.max)
		}
	}
	return h.max
}
