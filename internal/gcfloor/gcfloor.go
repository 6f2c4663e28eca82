// Package gcfloor keeps Go's garbage collector from collecting a small heap often: it
// adjusts GOGC after every collection so that the next one starts no earlier than when
// the heap reaches a floor (the cairn-gc-min-heap directive), and at GOGC's own pace
// once the live heap is large enough for GOGC alone to put the goal above the floor.
//
// # Why
//
// With GOGC=100 the runtime collects each time the heap doubles, and at least every
// 4 MB. A server whose data set is small but whose write rate is high (a cache of a
// few hundred thousand keys filling at 700,000 SETs a second) then collects several
// times a second; each cycle takes a quarter of the CPU for its mark phase and makes
// allocating goroutines assist, so the requests served meanwhile are slower: on one
// pinned CPU, SET -P 16 over 100,000 keys ran its p99 at 2.03-2.06 ms with GOGC=100 and
// 1.63-1.79 ms with the collector off (bench/RESULTS.md). A floor of a few tens of
// megabytes removes those cycles for small data sets and changes nothing for large
// ones, where the memory a floor could hold is a small share of what GOGC already lets
// the heap grow by. This is the memory floor of Go proposal 44309 (not adopted in the
// runtime), done the way users of the runtime do it: a finalizer that runs after each
// cycle.
//
// # How
//
// After each cycle, the next goal is, as the runtime computes it,
//
//	marked + (marked + stacks + globals) * GOGC / 100
//
// and never below 4 MB * GOGC / 100 (the runtime's minimum heap). The tuner sets the
// GOGC that puts that goal at the floor, no lower than the base GOGC (100, or what the
// program set before Start) and no higher than makes the minimum heap exceed the
// floor. An explicit memory limit (GOMEMLIMIT, or the one derived from maxmemory)
// still makes the runtime collect earlier when the process nears it.
//
// The package's state is the process's GC setting: Start is for main.
package gcfloor

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// runtimeHeapMinimum is the runtime's minimum heap goal at GOGC=100 (defaultHeapMinimum
// in runtime/mgcpacer.go), which it scales by GOGC/100.
const runtimeHeapMinimum = 4 << 20

// Percent is the GOGC that puts the next collection's goal at floor, given what the last
// one marked live and the stack and global bytes it scanned; base is the GOGC to use
// when the heap is large enough for it alone to reach the floor. A floor of 0 gives base.
func Percent(floor, base, marked, stacks, globals uint64) int {
	if floor == 0 {
		return int(base)
	}
	p := base
	if marked < floor {
		scanned := max(marked+stacks+globals, 1)
		p = max(p, (floor-marked)*100/scanned)
	}
	// The runtime never lets the goal fall below runtimeHeapMinimum*GOGC/100: a GOGC
	// above floor*100/runtimeHeapMinimum would put the goal above the floor.
	p = min(p, max(base, floor*100/runtimeHeapMinimum))
	return int(min(p, math.MaxInt32))
}

// Tuner holds the floor and re-applies it after every collection.
type Tuner struct {
	floor   atomic.Uint64
	base    uint64
	mu      sync.Mutex // serialises apply: the finalizer goroutine and SetFloor
	samples []metrics.Sample
	applied int // the GOGC last set
}

// process is the process's Tuner (there is one GC setting), made by the first Start.
var process struct {
	once  sync.Once
	tuner *Tuner
}

// Start begins tuning GOGC to floor (0: GOGC stays at its base until SetFloor sets a
// floor) and returns the process's Tuner; a later Start sets the floor of the same
// Tuner. The GOGC in effect at the first Start is the base. It returns nil if GOGC
// was off then.
func Start(floor uint64) *Tuner {
	process.once.Do(func() {
		base := debug.SetGCPercent(100)
		debug.SetGCPercent(base)
		if base < 0 {
			return
		}
		t := &Tuner{base: uint64(base), applied: base, samples: []metrics.Sample{
			{Name: "/gc/heap/live:bytes"},
			{Name: "/gc/scan/stack:bytes"},
			{Name: "/gc/scan/globals:bytes"},
		}}
		t.arm()
		process.tuner = t
	})
	if process.tuner != nil {
		process.tuner.SetFloor(floor)
	}
	return process.tuner
}

// SetFloor changes the floor; it takes effect at once.
func (t *Tuner) SetFloor(floor uint64) {
	t.floor.Store(floor)
	t.apply()
}

// GOGC reports the GOGC the tuner last set.
func (t *Tuner) GOGC() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.applied
}

// sentinel is an object nothing refers to: its finalizer runs after the cycle that
// found it unreachable. It holds a pointer so that it is not a tiny allocation, whose
// finalizer could wait for the other objects sharing its block.
type sentinel struct{ t *Tuner }

// arm allocates the sentinel for the next cycle.
func (t *Tuner) arm() {
	runtime.SetFinalizer(&sentinel{t}, func(s *sentinel) {
		s.t.apply()
		s.t.arm()
	})
}

// apply sets GOGC for the next cycle from what the last one marked.
func (t *Tuner) apply() {
	t.mu.Lock()
	defer t.mu.Unlock()
	metrics.Read(t.samples)
	var v [3]uint64
	for i, s := range t.samples {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	// Set even when unchanged: a microsecond once per cycle, and GOGC stays what the
	// tuner says if something else in the process changed it.
	t.applied = Percent(t.floor.Load(), t.base, v[0], v[1], v[2])
	debug.SetGCPercent(t.applied)
}
