package dict

import (
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// benchVal stands for a keyspace value: a small tagged struct.
type benchVal struct{ a, b uint64 }

const benchN = 1 << 20 // keys in the largest benchmark table

// benchSizes: a table that fits in cache, and one that does not.
var benchSizes = []struct {
	name string
	n    int
}{{"4K", 1 << 12}, {"1M", benchN}}

// benchKeys are the keys as a server sees them: []byte arguments.
var benchKeys = sync.OnceValue(func() [][]byte {
	keys := make([][]byte, benchN)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
	}
	return keys
})

// at spreads consecutive iterations over n keys (a permutation per cycle of
// n, a power of two), so lookups are not sequential walks.
func at(i, n int) int { return (i * 0x9e3779b1) & (n - 1) }

func filledDict(keys [][]byte) *Dict[benchVal] {
	d := New[benchVal]()
	for _, k := range keys {
		d.Insert(k, benchVal{})
	}
	finish(d)
	return d
}

func filledMap(keys [][]byte) map[string]benchVal {
	m := make(map[string]benchVal)
	for _, k := range keys {
		m[string(k)] = benchVal{}
	}
	return m
}

var sink uint64

// benchBoth runs dict and map variants for each table size.
func benchBoth(b *testing.B, dict, goMap func(b *testing.B, keys [][]byte)) {
	for _, size := range benchSizes {
		keys := benchKeys()[:size.n]
		b.Run("dict/"+size.name, func(b *testing.B) { b.ReportAllocs(); dict(b, keys) })
		b.Run("map/"+size.name, func(b *testing.B) { b.ReportAllocs(); goMap(b, keys) })
	}
}

func BenchmarkFind(b *testing.B) {
	benchBoth(b, func(b *testing.B, keys [][]byte) {
		d := filledDict(keys)
		var s uint64
		for i := 0; b.Loop(); i++ {
			if v, ok := d.Find(keys[at(i, len(keys))]); ok {
				s += v.a
			}
		}
		sink = s
	}, func(b *testing.B, keys [][]byte) {
		m := filledMap(keys)
		var s uint64
		for i := 0; b.Loop(); i++ {
			if v, ok := m[string(keys[at(i, len(keys))])]; ok {
				s += v.a
			}
		}
		sink = s
	})
}

// BenchmarkInsertExisting replaces values. The map variant allocates: a
// map assignment converts its []byte key to a string.
func BenchmarkInsertExisting(b *testing.B) {
	benchBoth(b, func(b *testing.B, keys [][]byte) {
		d := filledDict(keys)
		for i := 0; b.Loop(); i++ {
			d.Insert(keys[at(i, len(keys))], benchVal{a: uint64(i)})
		}
	}, func(b *testing.B, keys [][]byte) {
		m := filledMap(keys)
		for i := 0; b.Loop(); i++ {
			m[string(keys[at(i, len(keys))])] = benchVal{a: uint64(i)}
		}
	})
}

// BenchmarkInsertNew inserts into a table growing from empty to len(keys)
// keys, then starts over (untimed); the cost includes the key copy and all
// resizing.
func BenchmarkInsertNew(b *testing.B) {
	benchBoth(b, func(b *testing.B, keys [][]byte) {
		d := New[benchVal]()
		for i := 0; b.Loop(); i++ {
			if i%len(keys) == 0 && i > 0 {
				b.StopTimer()
				d = New[benchVal]()
				b.StartTimer()
			}
			d.Insert(keys[at(i, len(keys))], benchVal{})
		}
	}, func(b *testing.B, keys [][]byte) {
		m := make(map[string]benchVal)
		for i := 0; b.Loop(); i++ {
			if i%len(keys) == 0 && i > 0 {
				b.StopTimer()
				m = make(map[string]benchVal)
				b.StartTimer()
			}
			m[string(keys[at(i, len(keys))])] = benchVal{}
		}
	})
}

// BenchmarkDelete deletes every key of a full table in scattered order, then
// refills it (untimed). The dict shrinks as it empties; the map does not.
func BenchmarkDelete(b *testing.B) {
	benchBoth(b, func(b *testing.B, keys [][]byte) {
		d := filledDict(keys)
		for i := 0; b.Loop(); i++ {
			if i%len(keys) == 0 && i > 0 {
				b.StopTimer()
				d = filledDict(keys)
				b.StartTimer()
			}
			d.Delete(keys[at(i, len(keys))])
		}
	}, func(b *testing.B, keys [][]byte) {
		m := filledMap(keys)
		for i := 0; b.Loop(); i++ {
			if i%len(keys) == 0 && i > 0 {
				b.StopTimer()
				m = filledMap(keys)
				b.StartTimer()
			}
			delete(m, string(keys[at(i, len(keys))]))
		}
	})
}

// BenchmarkMemoryPerEntry reports heap bytes per entry of benchN entries
// with a 16-byte value, key bytes excluded (both tables share the same key
// strings), for the dict and a Go map.
func BenchmarkMemoryPerEntry(b *testing.B) {
	skeys := make([]string, benchN)
	for i := range skeys {
		skeys[i] = "key:" + strconv.Itoa(i)
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	d := New[benchVal]()
	for _, k := range skeys {
		d.InsertString(k, benchVal{})
	}
	finish(d)
	dictBytes := heap() - before
	usage := d.MemoryUsage()
	runtime.KeepAlive(d)
	d = nil

	before = heap()
	m := make(map[string]benchVal)
	for _, k := range skeys {
		m[k] = benchVal{}
	}
	mapBytes := heap() - before
	runtime.KeepAlive(m)
	for b.Loop() {
	}
	// After the loop: b.Loop resets the timer, which drops metrics.
	b.ReportMetric(float64(dictBytes)/benchN, "dict-B/entry")
	b.ReportMetric(float64(usage)/benchN, "dict-MemoryUsage-B/entry")
	b.ReportMetric(float64(mapBytes)/benchN, "map-B/entry")
}
