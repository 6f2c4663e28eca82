// Package debughttp is the handler of Cairn's optional debug HTTP listener (the
// cairn-debug-addr directive): net/http/pprof's profiles, and the Go runtime's
// garbage-collector and heap figures read from runtime/metrics.
//
// Routes:
//
//	/debug/pprof/...  net/http/pprof (profile, heap, allocs, goroutine, trace, ...)
//	/debug/gc         JSON: GC cycles, stop-the-world pause percentiles, heap figures,
//	                  GOGC and the memory limit, and the pause histogram (non-empty
//	                  buckets), so that a client can subtract two readings to get the
//	                  pauses of an interval (bench/gclatency.sh does)
//
// The figures are the process's, since it started: the runtime keeps no per-interval
// counts. Read concurrently by any number of requests; nothing here takes the server's
// locks.
package debughttp

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/pprof"
	"runtime/metrics"
)

// Handler serves the debug routes.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/gc", serveGC)
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("cairn debug listener: /debug/pprof/ (profiles), /debug/gc (GC pauses and heap, JSON)\n")) //nolint:errcheck // the client went away
	})
	return mux
}

func serveGC(w http.ResponseWriter, _ *http.Request) {
	body, err := json.MarshalIndent(ReadGC(), "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(body, '\n')) //nolint:errcheck // the client went away
}

// GCReport is what /debug/gc serves. Durations are in seconds, sizes in bytes.
type GCReport struct {
	Cycles         uint64       `json:"gc_cycles"`          // completed GC cycles
	Pauses         PauseSummary `json:"pauses"`             // GC stop-the-world pauses
	GCCPUSeconds   float64      `json:"gc_cpu_seconds"`     // CPU time spent in the GC (estimate)
	HeapLive       uint64       `json:"heap_live_bytes"`    // heap marked live by the last GC
	HeapObjects    uint64       `json:"heap_objects_bytes"` // heap occupied by objects, live and not yet swept
	HeapObjectsNum uint64       `json:"heap_objects"`       // number of heap objects, live and not yet swept
	HeapGoal       uint64       `json:"heap_goal_bytes"`    // heap size at which the next GC starts
	Total          uint64       `json:"total_bytes"`        // all memory the runtime has mapped
	Released       uint64       `json:"released_bytes"`     // mapped but returned to the OS
	GOGC           uint64       `json:"gogc_percent"`       // GOGC (debug.SetGCPercent)
	MemoryLimit    uint64       `json:"memory_limit_bytes"` // GOMEMLIMIT (debug.SetMemoryLimit)
	PauseBuckets   []Bucket     `json:"pause_histogram"`    // non-empty buckets of the pause histogram
}

// PauseSummary are percentiles of a pause histogram. A percentile is the upper bound
// of the histogram bucket it falls in (the runtime's buckets are at most 25% wide), so
// it errs on the long side; Max is the upper bound of the highest non-empty bucket.
type PauseSummary struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50_seconds"`
	P99   float64 `json:"p99_seconds"`
	P999  float64 `json:"p999_seconds"`
	Max   float64 `json:"max_seconds"`
}

// Bucket is a histogram bucket: Count values in (Lower, Upper] seconds. Infinite
// bounds are written as the finite bound next to them, since JSON has no infinity.
type Bucket struct {
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	Count uint64  `json:"count"`
}

const pauseMetric = "/sched/pauses/total/gc:seconds" // the same as the deprecated /gc/pauses:seconds

var gcMetrics = []string{
	"/gc/cycles/total:gc-cycles",
	pauseMetric,
	"/cpu/classes/gc/total:cpu-seconds",
	"/gc/heap/live:bytes",
	"/memory/classes/heap/objects:bytes",
	"/gc/heap/objects:objects",
	"/gc/heap/goal:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
	"/gc/gogc:percent",
	"/gc/gomemlimit:bytes",
}

// ReadGC reads the runtime's GC and heap figures (a few microseconds).
func ReadGC() GCReport {
	s := make([]metrics.Sample, len(gcMetrics))
	for i, name := range gcMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	u := func(i int) uint64 {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[i].Value.Uint64()
	}
	r := GCReport{
		Cycles:         u(0),
		HeapLive:       u(3),
		HeapObjects:    u(4),
		HeapObjectsNum: u(5),
		HeapGoal:       u(6),
		Total:          u(7),
		Released:       u(8),
		GOGC:           u(9),
		MemoryLimit:    u(10),
	}
	if s[2].Value.Kind() == metrics.KindFloat64 {
		r.GCCPUSeconds = s[2].Value.Float64()
	}
	if s[1].Value.Kind() == metrics.KindFloat64Histogram {
		h := s[1].Value.Float64Histogram()
		r.PauseBuckets = nonEmpty(h.Counts, h.Buckets)
		r.Pauses = Summarize(r.PauseBuckets)
	}
	return r
}

// Summarize computes the percentiles of a histogram given as buckets in increasing
// order (as GCReport.PauseBuckets, or PauseDelta's result).
func Summarize(buckets []Bucket) PauseSummary {
	var p PauseSummary
	for _, b := range buckets {
		p.Count += b.Count
	}
	if p.Count == 0 {
		return p
	}
	// rank(q) is the 1-based rank of the q-quantile: the smallest n with n >= q*count.
	rank := func(q float64) uint64 { return max(1, uint64(math.Ceil(q*float64(p.Count)))) }
	targets := []struct {
		rank uint64
		dst  *float64
	}{{rank(0.50), &p.P50}, {rank(0.99), &p.P99}, {rank(0.999), &p.P999}, {p.Count, &p.Max}}
	var seen uint64
	t := 0
	for _, b := range buckets {
		seen += b.Count
		for t < len(targets) && seen >= targets[t].rank {
			*targets[t].dst = b.Upper
			t++
		}
	}
	return p
}

// PauseDelta is the histogram of the pauses between two readings: after's buckets
// minus before's (the runtime's counts only grow).
func PauseDelta(before, after []Bucket) []Bucket {
	prev := make(map[[2]float64]uint64, len(before))
	for _, b := range before {
		prev[[2]float64{b.Lower, b.Upper}] = b.Count
	}
	var out []Bucket
	for _, b := range after {
		if n := b.Count - min(b.Count, prev[[2]float64{b.Lower, b.Upper}]); n > 0 {
			out = append(out, Bucket{Lower: b.Lower, Upper: b.Upper, Count: n})
		}
	}
	return out
}

// upper is the upper bound of bucket i, or its lower bound when that is infinite.
func upper(buckets []float64, i int) float64 {
	if math.IsInf(buckets[i+1], 1) {
		return buckets[i]
	}
	return buckets[i+1]
}

// nonEmpty converts a runtime/metrics histogram (counts[i] values in [buckets[i],
// buckets[i+1])) to its non-empty Buckets.
func nonEmpty(counts []uint64, buckets []float64) []Bucket {
	var out []Bucket
	for i, c := range counts {
		if c == 0 {
			continue
		}
		lo := buckets[i]
		if math.IsInf(lo, -1) {
			lo = buckets[i+1]
		}
		out = append(out, Bucket{Lower: lo, Upper: upper(buckets, i), Count: c})
	}
	return out
}
