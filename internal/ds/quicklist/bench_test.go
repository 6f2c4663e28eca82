package quicklist

import (
	"cairn/internal/ds/listpack"
	"runtime"
	"strconv"
	"testing"
)

var (
	sinkInt   int
	benchVal  = []byte("abcdefghij") // 10 bytes, as the memory figure
	benchList = func() func() *List {
		var q *List
		return func() *List {
			if q == nil {
				q = New(DefaultFill, 0)
				for range 1 << 20 {
					q.PushTail(benchVal)
				}
			}
			return q
		}
	}()
)

// BenchmarkPushTail grows a list without bound: a new node's buffer now
// and then (doubling up to 8 KiB, about 8 allocations per 681 elements).
func BenchmarkPushTail(b *testing.B) {
	b.ReportAllocs()
	q := New(DefaultFill, 0)
	for b.Loop() {
		q.PushTail(benchVal)
	}
}

func BenchmarkPushHead(b *testing.B) {
	b.ReportAllocs()
	q := New(DefaultFill, 0)
	for b.Loop() {
		q.PushHead(benchVal)
	}
}

// BenchmarkQueue is a steady queue of 100k elements: RPUSH then LPOP.
// Emptied head nodes' buffers are reused for new tail nodes, so it does
// not allocate.
func BenchmarkQueue(b *testing.B) {
	b.ReportAllocs()
	q := New(DefaultFill, 0)
	for range 100_000 {
		q.PushTail(benchVal)
	}
	dst := make([]byte, 0, 64)
	for b.Loop() {
		q.PushTail(benchVal)
		dst, _ = q.PopHead(dst[:0])
	}
}

// BenchmarkPopHead pops from a full list, refilled outside the timer.
func BenchmarkPopHead(b *testing.B) {
	b.ReportAllocs()
	q := New(DefaultFill, 0)
	dst := make([]byte, 0, 64)
	for b.Loop() {
		if q.Len() == 0 {
			b.StopTimer()
			for range 1 << 16 {
				q.PushTail(benchVal)
			}
			b.StartTimer()
		}
		dst, _ = q.PopHead(dst[:0])
	}
}

// BenchmarkIndex is LINDEX at spread positions of a 1M-element list
// (1540 nodes): a walk of the node counts from the nearer end, then a
// listpack seek.
func BenchmarkIndex(b *testing.B) {
	b.ReportAllocs()
	q := benchList()
	for i := 0; b.Loop(); i++ {
		e, _ := q.Index((i * 0x9e3779b1) & (1<<20 - 1))
		sinkInt += len(e.Str)
	}
}

func BenchmarkRange100(b *testing.B) {
	b.ReportAllocs()
	q := benchList()
	for i := 0; b.Loop(); i++ {
		start := (i * 0x9e3779b1) & (1<<20 - 1)
		q.Range(start, start+99, false, func(e listpack.Entry) bool { sinkInt += len(e.Str); return true })
	}
}

// TestMemoryPerElement measures the heap held by a list of 1M 10-byte
// elements and checks it against Redis's own figure (about 12.1 bytes per
// element: 681 entries of 12 bytes per 8 KiB node).
func TestMemoryPerElement(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 12 MB")
	}
	const n = 1 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	q := New(DefaultFill, 0)
	for i := range n {
		v := []byte("value:" + strconv.Itoa(1000+i%9000)) // 10 bytes, not integers
		q.PushTail(v)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc - before.HeapAlloc)
	perElem := heap / n
	t.Logf("1M 10-byte elements: %.2f bytes/element on the heap (MemoryUsage %.2f), %d nodes, %d heap objects",
		perElem, float64(q.MemoryUsage())/n, q.NodeCount(), after.HeapObjects-before.HeapObjects)
	if perElem > 12.5 {
		t.Errorf("%.2f bytes per element, want at most 12.5", perElem)
	}
	runtime.KeepAlive(q)
}
