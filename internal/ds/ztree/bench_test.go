package ztree

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

const benchN = 1 << 20 // members in the large benchmarks

// benchElems are benchN members with random scores, as ZADD would bring
// them: in random order, with scores from a range small enough to give
// some ties.
var benchElems = sync.OnceValue(func() []elem {
	rng := rand.New(rand.NewPCG(1, 2))
	e := make([]elem, benchN)
	for i := range e {
		e[i] = elem{float64(rng.IntN(benchN)), "member:" + strconv.Itoa(i)}
	}
	return e
})

// spread spreads consecutive iterations over n (a power of two) elements.
func spread(i, n int) int { return (i * 0x9e3779b1) & (n - 1) }

var benchSizes = []int{1 << 10, benchN}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dM", n>>20)
	}
	return fmt.Sprintf("%dK", n>>10)
}

func filledTree(es []elem) *Tree {
	t := New()
	for _, e := range es {
		t.Insert(e.score, e.member)
	}
	return t
}

func filledSkiplist(es []elem) *skiplist {
	sl := newSkiplist()
	for _, e := range es {
		sl.insert(e.score, e.member)
	}
	return sl
}

var sinkInt int
var sinkStr string

// BenchmarkInsert inserts into a structure growing from empty to n
// members, then starts over (untimed).
func BenchmarkInsert(b *testing.B) {
	for _, n := range benchSizes {
		es := benchElems()[:n]
		b.Run("btree/"+sizeName(n), func(b *testing.B) {
			b.ReportAllocs()
			t := New()
			for i := 0; b.Loop(); i++ {
				if i%n == 0 && i > 0 {
					b.StopTimer()
					t = New()
					b.StartTimer()
				}
				e := es[i%n]
				t.Insert(e.score, e.member)
			}
		})
		b.Run("skiplist/"+sizeName(n), func(b *testing.B) {
			b.ReportAllocs()
			sl := newSkiplist()
			for i := 0; b.Loop(); i++ {
				if i%n == 0 && i > 0 {
					b.StopTimer()
					sl = newSkiplist()
					b.StartTimer()
				}
				e := es[i%n]
				sl.insert(e.score, e.member)
			}
		})
	}
}

// BenchmarkDeleteInsert is a score update that moves the member: delete
// and reinsert with a new score (ZADD/ZINCRBY on a large zset).
func BenchmarkDeleteInsert(b *testing.B) {
	for _, n := range benchSizes {
		es := slices.Clone(benchElems()[:n])
		b.Run("btree/"+sizeName(n), func(b *testing.B) {
			b.ReportAllocs()
			t := filledTree(es)
			for i := 0; b.Loop(); i++ {
				e := &es[spread(i, n)]
				ns := float64((int(e.score) + i*7919) % benchN)
				t.UpdateScore(e.score, e.member, ns)
				e.score = ns
			}
		})
	}
}

// BenchmarkRank is ZRANK: the member's score is known (from the dict).
func BenchmarkRank(b *testing.B) {
	for _, n := range benchSizes {
		es := benchElems()[:n]
		b.Run("btree/"+sizeName(n), func(b *testing.B) {
			t := filledTree(es)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				e := es[spread(i, n)]
				r, _ := t.Rank(e.score, e.member)
				sinkInt += r
			}
		})
		b.Run("skiplist/"+sizeName(n), func(b *testing.B) {
			sl := filledSkiplist(es)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				e := es[spread(i, n)]
				r, _ := sl.rank(e.score, e.member)
				sinkInt += r
			}
		})
	}
}

// BenchmarkByRank is ZRANGE key i i.
func BenchmarkByRank(b *testing.B) {
	for _, n := range benchSizes {
		es := benchElems()[:n]
		b.Run("btree/"+sizeName(n), func(b *testing.B) {
			t := filledTree(es)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				_, m := t.ByRank(spread(i, n))
				sinkStr = m
			}
		})
		b.Run("skiplist/"+sizeName(n), func(b *testing.B) {
			sl := filledSkiplist(es)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				sinkStr = sl.byRank(spread(i, n)).member
			}
		})
	}
}

// BenchmarkRange100 is ZRANGE key i i+99 WITHSCORES: find a rank, walk 100
// elements.
func BenchmarkRange100(b *testing.B) {
	n := benchN
	es := benchElems()
	b.Run("btree/1M", func(b *testing.B) {
		t := filledTree(es)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			k := 0
			t.Iterate(spread(i, n)%(n-100), false, func(s float64, m string) bool {
				sinkStr = m
				k++
				return k < 100
			})
		}
	})
	b.Run("skiplist/1M", func(b *testing.B) {
		sl := filledSkiplist(es)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			x := sl.byRank(spread(i, n) % (n - 100))
			for k := 0; k < 100; k++ {
				sinkStr = x.member
				x = x.level[0].forward
			}
		}
	})
}

// BenchmarkCountInScoreRange is ZCOUNT over a range of about 1000 scores.
func BenchmarkCountInScoreRange(b *testing.B) {
	t := filledTree(benchElems())
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		lo := float64(spread(i, benchN))
		sinkInt += t.CountInScoreRange(ScoreRange{Min: lo, Max: lo + 1000, MaxEx: true})
	}
}

// heapStats runs a full GC and returns the live heap bytes and objects.
func heapStats() (bytes, objects uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, ms.HeapObjects
}

// gcTime returns the median time of a forced full collection (runtime.GC,
// mark and sweep) over 5 runs, the median of their stop-the-world pauses
// (the sum of the two pauses of a cycle), and the mean CPU time the
// collector spent per cycle (which, unlike wall time, other processes on a
// busy machine do not inflate).
func gcTime() (full, stw, cpu time.Duration) {
	var d, p [5]time.Duration
	var ms runtime.MemStats
	sample := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(sample)
	cpu0 := sample[0].Value.Float64()
	for i := range d {
		start := time.Now()
		runtime.GC()
		d[i] = time.Since(start)
		runtime.ReadMemStats(&ms)
		p[i] = time.Duration(ms.PauseNs[(ms.NumGC+255)%256])
	}
	metrics.Read(sample)
	cpu = time.Duration((sample[0].Value.Float64() - cpu0) / float64(len(d)) * 1e9)
	slices.Sort(d[:])
	slices.Sort(p[:])
	return d[2], p[2], cpu
}

// gcMetrics records gcTime as prefix-GC-ms, prefix-GC-cpu-ms and
// prefix-STW-µs.
func gcMetrics(m map[string]float64, prefix string) {
	full, stw, cpu := gcTime()
	m[prefix+"-GC-ms"] = float64(full.Microseconds()) / 1000
	m[prefix+"-GC-cpu-ms"] = float64(cpu.Microseconds()) / 1000
	m[prefix+"-STW-µs"] = float64(stw.Microseconds())
}

// BenchmarkMemory1M reports, for 1M members (2^20) inserted in random order,
// the heap objects and bytes per member that the B-tree and the naive
// skiplist add (the member strings are shared and not counted), and the
// time of a full GC (and its stop-the-world part) with only the members
// live ("base") and with each structure.
// Run it alone: go test -run X -bench Memory1M -benchtime 1x.
func BenchmarkMemory1M(b *testing.B) {
	es := benchElems()
	m := map[string]float64{}
	runtime.GC()
	gcMetrics(m, "base")

	bytes0, objs0 := heapStats()
	t := filledTree(es)
	bytes1, objs1 := heapStats()
	m["btree-objects"] = float64(objs1 - objs0)
	m["btree-B/member"] = float64(bytes1-bytes0) / benchN
	m["btree-MemoryUsage-B/member"] = float64(t.MemoryUsage()) / benchN
	gcMetrics(m, "btree")
	runtime.KeepAlive(t)
	t = nil

	// The same tree shape holding the members in allocation order (the
	// scores are the members' indexes): what the collector spends on the
	// tree itself, without the cache misses of checking 1M members in
	// random memory order, which "btree" pays as any holder of these
	// members in that order would.
	runtime.GC()
	t = New()
	for i, e := range es {
		t.Insert(float64(i), e.member)
	}
	gcMetrics(m, "btree-ordered")
	runtime.KeepAlive(t)
	t = nil

	bytes0, objs0 = heapStats()
	sl := filledSkiplist(es)
	bytes1, objs1 = heapStats()
	m["skiplist-objects"] = float64(objs1 - objs0)
	m["skiplist-B/member"] = float64(bytes1-bytes0) / benchN
	gcMetrics(m, "skiplist")
	runtime.KeepAlive(sl)
	sl = nil

	for b.Loop() {
	}
	// After the loop: b.Loop resets the timer, which drops metrics.
	for k, v := range m {
		b.ReportMetric(v, k)
	}
}

// TestHeapObjects guards the point of the design: a large tree is few heap
// objects (one per node), not one or more per member.
func TestHeapObjects(t *testing.T) {
	const n = 100000
	es := benchElems()[:n]
	_, objs0 := heapStats()
	tr := filledTree(es)
	_, objs1 := heapStats()
	runtime.KeepAlive(tr)
	// ~70% full leaves of 128 elements: ~1,100 leaves and ~25 inner nodes.
	// Allow for the test runtime's own objects.
	if objs := int64(objs1) - int64(objs0); objs > n/40 {
		t.Fatalf("%d members made %d heap objects, want at most %d", n, objs, n/40)
	} else {
		t.Logf("%d members: %d heap objects (%d leaves, %d inner nodes)", n, objs, tr.nleaves, tr.ninners)
	}
}
