// Command txload is a load generator for MULTI/EXEC, which redis-benchmark cannot send
// as one request: each request is MULTI, -sets SET commands on random keys and EXEC,
// written as one pipeline over a raw RESP connection, and counts when EXEC's reply has
// arrived. It runs -clients connections for -requests transactions in total and
// prints one line in redis-benchmark's --csv format: transactions per second and the
// latency of a transaction (write of MULTI to the last byte of EXEC's reply) in ms.
//
//	go run ./bench/txload -addr 127.0.0.1:6379 -clients 50 -requests 100000
//
// Every reply is checked (+OK, +QUEUED, an array of -sets +OK): a server that answers
// anything else stops the run with an error, so a fast wrong server cannot win.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"cairn/internal/resp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	clients := flag.Int("clients", 50, "connections, each with one transaction in flight")
	requests := flag.Int("requests", 100000, "transactions in total")
	sets := flag.Int("sets", 10, "SET commands per transaction")
	keyspace := flag.Int("keyspace", 100000, "keys are key:<0..keyspace-1>")
	size := flag.Int("d", 3, "value size in bytes")
	name := flag.String("name", "", "test name in the output (default \"MULTI + <sets> SET + EXEC\")")
	flag.Parse()
	if *clients < 1 || *requests < 1 || *sets < 1 || *keyspace < 1 || *size < 0 {
		fmt.Fprintln(os.Stderr, "txload: -clients, -requests, -sets and -keyspace must be positive, -d not negative")
		os.Exit(2)
	}
	if *name == "" {
		*name = "MULTI + " + strconv.Itoa(*sets) + " SET + EXEC"
	}
	res, err := run(options{addr: *addr, clients: *clients, requests: *requests, sets: *sets, keyspace: *keyspace, size: *size})
	if err != nil {
		fmt.Fprintln(os.Stderr, "txload:", err)
		os.Exit(1)
	}
	fmt.Println(`"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"`)
	fmt.Printf("%q,\"%.2f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\"\n", *name, res.rps,
		ms(res.avg), ms(res.lat[0]), ms(res.quantile(0.50)), ms(res.quantile(0.95)), ms(res.quantile(0.99)), ms(res.lat[len(res.lat)-1]))
}

type options struct {
	addr                                    string
	clients, requests, sets, keyspace, size int
}

type result struct {
	rps float64
	avg time.Duration
	lat []time.Duration // sorted
}

// quantile is the latency below which a fraction q of the transactions finished.
func (r result) quantile(q float64) time.Duration {
	i := int(q*float64(len(r.lat))+0.5) - 1
	return r.lat[max(0, min(i, len(r.lat)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// run connects every client first, then starts them together and waits for all.
func run(cfg options) (result, error) {
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
	var left atomic.Int64
	left.Store(int64(cfg.requests))
	lats := make([][]time.Duration, cfg.clients)
	errs := make([]error, cfg.clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			lats[i], errs[i] = worker(c, cfg, &left, uint64(i))
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return result{}, err
	}
	var all []time.Duration
	var sum time.Duration
	for _, l := range lats {
		all = append(all, l...)
		for _, d := range l {
			sum += d
		}
	}
	slices.Sort(all)
	return result{rps: float64(len(all)) / elapsed.Seconds(), avg: sum / time.Duration(len(all)), lat: all}, nil
}

// worker sends transactions on c until left runs out and returns their latencies.
func worker(c net.Conn, cfg options, left *atomic.Int64, seed uint64) ([]time.Duration, error) {
	rng := rand.New(rand.NewPCG(seed, 0x7478))
	value := string(bytes.Repeat([]byte{'x'}, cfg.size))
	r := bufio.NewReaderSize(c, 64<<10)
	var req resp.Writer
	var lat []time.Duration
	for left.Add(-1) >= 0 {
		req.B = req.B[:0]
		req.ArrayLen(1)
		req.BulkString("MULTI")
		for range cfg.sets {
			req.ArrayLen(3)
			req.BulkString("SET")
			req.BulkString("key:" + strconv.Itoa(rng.IntN(cfg.keyspace)))
			req.BulkString(value)
		}
		req.ArrayLen(1)
		req.BulkString("EXEC")
		t0 := time.Now()
		if _, err := c.Write(req.B); err != nil {
			return nil, err
		}
		if err := expectLine(r, "+OK"); err != nil {
			return nil, fmt.Errorf("MULTI: %w", err)
		}
		for range cfg.sets {
			if err := expectLine(r, "+QUEUED"); err != nil {
				return nil, fmt.Errorf("SET: %w", err)
			}
		}
		if err := expectLine(r, "*"+strconv.Itoa(cfg.sets)); err != nil {
			return nil, fmt.Errorf("EXEC: %w", err)
		}
		for range cfg.sets {
			if err := expectLine(r, "+OK"); err != nil {
				return nil, fmt.Errorf("EXEC: %w", err)
			}
		}
		lat = append(lat, time.Since(t0))
	}
	return lat, nil
}

// expectLine reads one CRLF-terminated reply line and checks it is want.
func expectLine(r *bufio.Reader, want string) error {
	line, err := r.ReadSlice('\n')
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if got := bytes.TrimSuffix(line, []byte("\r\n")); string(got) != want {
		return fmt.Errorf("got %q, want %q", got, want)
	}
	return nil
}
