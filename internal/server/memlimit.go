package server

import (
	"math"
	"os"
	"runtime/debug"
)

// The Go memory limit derived from maxmemory.
//
// Redis's maxmemory bounds the data: used_memory, the bytes the allocator handed out
// (Cairn's used_memory is the heap's objects). Go's memory limit (GOMEMLIMIT,
// debug.SetMemoryLimit) bounds everything the runtime maps: the live heap, garbage
// waiting for the next cycle, fragmentation, goroutine stacks and runtime metadata.
// Setting the limit to maxmemory itself would put the live heap at the limit exactly
// when the data set is full, and the GC would then run back to back (up to the
// runtime's 50% CPU cap) — the worst moment for it. So the limit is maxmemory plus
// headroom:
//
//   - half of maxmemory: with the data set full, the GC still runs no more often than
//     with GOGC=50, where GOGC=100 alone would let the heap reach twice the data;
//   - 64 MiB for what does not grow with the data: goroutine stacks, client buffers,
//     runtime metadata (10,000 idle clients take ~40 MB).
//
// What this buys: without a limit, a server at maxmemory 10 GB can map 20 GB and more
// (GOGC=100 doubles the live heap before collecting) and be OOM-killed; with it, the
// runtime collects earlier as the total nears 15 GB. Without maxmemory there is no
// limit (Go's default) and GOGC alone paces the GC. An explicit GOMEMLIMIT in the
// environment wins: Cairn then never changes the limit.
const memLimitFixedHeadroom = 64 << 20

// goMemoryLimit is the Go memory limit for a maxmemory (0 = none: no limit).
func goMemoryLimit(maxmemory uint64) int64 {
	if maxmemory == 0 || maxmemory > (math.MaxInt64-memLimitFixedHeadroom)/3*2 {
		return math.MaxInt64
	}
	return int64(maxmemory + maxmemory/2 + memLimitFixedHeadroom)
}

// ManageGoMemoryLimit makes the server set the Go runtime's memory limit from
// maxmemory (see goMemoryLimit), now and whenever CONFIG SET changes maxmemory, unless
// the GOMEMLIMIT environment variable is set. The limit belongs to the whole process,
// which is why this is asked for, not automatic: cmd/cairn-server calls it, while
// tests that run many servers in one process do not. Call it once.
func (s *Server) ManageGoMemoryLimit() {
	if v := os.Getenv("GOMEMLIMIT"); v != "" {
		s.log.Info("GOMEMLIMIT is set in the environment; maxmemory will not change the Go memory limit", "GOMEMLIMIT", v)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyGoMemoryLimitLocked()
	s.cfg.OnChange("maxmemory", func() error {
		s.applyGoMemoryLimitLocked()
		return nil
	})
}

func (s *Server) applyGoMemoryLimitLocked() {
	limit := goMemoryLimit(s.cfg.MaxMemory)
	if debug.SetMemoryLimit(limit) == limit {
		return
	}
	if limit == math.MaxInt64 {
		s.log.Info("Go memory limit removed (maxmemory is 0)")
		return
	}
	s.log.Info("Go memory limit set from maxmemory (maxmemory + 50% + 64 MiB)", "maxmemory", s.cfg.MaxMemory, "limit", limit)
}
