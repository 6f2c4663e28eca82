package main

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"cairn/internal/servertest"
)

// TestHistogramBuckets checks every bucket's bounds over small values and random ones
// (the seed is printed on failure; SEED=n replays it).
func TestHistogramBuckets(t *testing.T) {
	seed := rand.Uint64()
	if s := os.Getenv("SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("SEED=%q: %v", s, err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	check := func(v uint64) {
		t.Helper()
		i := bucketOf(v)
		up := upperOf(i)
		if up < v || up-v > v/512 {
			t.Fatalf("seed %d: value %d in bucket %d whose upper bound is %d", seed, v, i, up)
		}
		if i > 0 && upperOf(i-1) >= v {
			t.Fatalf("seed %d: value %d in bucket %d, but bucket %d reaches %d", seed, v, i, i-1, upperOf(i-1))
		}
	}
	for v := uint64(0); v < 5000; v++ {
		check(v)
	}
	for range 100000 {
		check(rng.Uint64() >> rng.IntN(64))
	}
	check(math.MaxUint64)
}

func TestHistogramQuantile(t *testing.T) {
	var h histogram
	for v := uint64(1); v <= 1000; v++ { // 1..1000 ns: exact buckets
		h.record(v)
	}
	for _, tc := range []struct {
		q    float64
		want uint64
	}{{0.5, 500}, {0.99, 990}, {0.999, 999}, {1, 1000}, {0, 1}} {
		if got := h.quantile(tc.q); got != tc.want {
			t.Errorf("quantile(%v) = %d, want %d", tc.q, got, tc.want)
		}
	}
	var big histogram
	big.record(10_000_000) // 10 ms
	big.merge(&h)
	if got := big.quantile(1); got != 10_000_000 {
		t.Errorf("max quantile %d, want the exact maximum", got)
	}
	if got := big.quantile(0.999); got != 1000 {
		t.Errorf("p99.9 of 1001 values, one of them 10 ms: %d, want 1000", got)
	}
}

// TestRunThink: every request is sent and timed once, and with -think each client
// pauses after each reply, which bounds the rate: 2 clients pausing 5 ms make at most
// 400 requests a second.
func TestRunThink(t *testing.T) {
	addr := servertest.Start(t)
	res, err := run(config{addr: addr, clients: 2, requests: 20, keyspace: 1, setPercent: 100, size: 3, think: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.hist.count != 20 {
		t.Fatalf("%d requests timed, want 20", res.hist.count)
	}
	if res.rps <= 0 || res.rps > 400 {
		t.Fatalf("%.0f requests/s with 2 clients pausing 5 ms after each reply, want at most 400", res.rps)
	}
}
