package gcfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

const mb = 1 << 20

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		name                                 string
		floor, base, marked, stacks, globals uint64
		want                                 int
	}{
		{"no floor", 0, 100, 1 * mb, 0, 0, 100},
		{"no floor keeps the base", 0, 250, 1 * mb, 0, 0, 250},
		// Nothing marked yet (before the first cycle): as high as the runtime's minimum
		// heap allows, 4 MB * 800 / 100 = 32 MB.
		{"before the first cycle", 32 * mb, 100, 0, 0, 0, 800},
		// 8 MB marked, 32 MB floor: 8 + 8 * 3 = 32.
		{"small heap", 32 * mb, 100, 8 * mb, 0, 0, 300},
		// Stacks and globals are scanned too: 8 + (8 + 2 + 2) * 2 = 32.
		{"stacks and globals count", 32 * mb, 100, 8 * mb, 2 * mb, 2 * mb, 200},
		{"heap at the floor/2: GOGC alone reaches it", 32 * mb, 100, 16 * mb, 0, 0, 100},
		{"large heap", 32 * mb, 100, 1024 * mb, 0, 0, 100},
		{"a higher base wins", 32 * mb, 400, 8 * mb, 0, 0, 400},
		// A floor below the runtime's own minimum heap changes nothing.
		{"floor below 4 MB", 2 * mb, 100, 1 * mb, 0, 0, 100},
		{"cap by the minimum heap", 64 * mb, 100, 1 * mb, 0, 0, 1600},
	} {
		if got := Percent(tc.floor, tc.base, tc.marked, tc.stacks, tc.globals); got != tc.want {
			t.Errorf("%s: Percent(%d MB, %d, %d MB, %d MB, %d MB) = %d, want %d", tc.name,
				tc.floor/mb, tc.base, tc.marked/mb, tc.stacks/mb, tc.globals/mb, got, tc.want)
		}
	}
}

// heapGoal is the runtime's goal for the next cycle.
func heapGoal() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// waitGoal collects until the tuner has applied the floor to the heap goal (its
// finalizer runs after the cycle, in the finalizer goroutine) and reports the goal.
func waitGoal(t *testing.T, ok func(goal uint64) bool) uint64 {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if g := heapGoal(); ok(g) || time.Now().After(deadline) {
			return g
		}
	}
}

// TestTuner: the live runtime's heap goal follows the floor after a collection, and
// follows GOGC again when the floor is removed.
func TestTuner(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tu := Start(64 * mb)
	if tu == nil {
		t.Fatal("Start returned nil with GOGC on")
	}
	if again := Start(64 * mb); again != tu {
		t.Error("a second Start returned another Tuner: there is one GC setting per process")
	}
	var garbage [][]byte
	for range 64 {
		garbage = append(garbage, make([]byte, 64<<10)) // live: ~4 MB
	}
	near := func(g uint64) bool { return g >= 60*mb && g <= 70*mb }
	if g := waitGoal(t, near); !near(g) {
		t.Errorf("floor 64 MB: heap goal %.1f MB after collections, GOGC %d", float64(g)/mb, tu.GOGC())
	}
	tu.SetFloor(0)
	if p := tu.GOGC(); p != 100 {
		t.Errorf("floor 0: GOGC %d, want the base 100", p)
	}
	small := func(g uint64) bool { return g < 20*mb }
	if g := waitGoal(t, small); !small(g) {
		t.Errorf("floor 0: heap goal %.1f MB after collections, want GOGC=100's (under 20 MB)", float64(g)/mb)
	}
	runtime.KeepAlive(garbage)
}
