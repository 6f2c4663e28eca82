package server

import (
	"os"

	"cairn/internal/gcfloor"
)

// ManageGCFloor makes the server keep the Go garbage collector from collecting before
// the heap reaches cairn-gc-min-heap (internal/gcfloor explains why), now and whenever
// CONFIG SET changes it, unless the GOGC environment variable is set: an explicit GOGC
// is then the operator's choice and Cairn leaves it alone. Like the memory limit, the
// GC setting belongs to the whole process, so cmd/cairn-server asks for it and tests
// that run many servers in one process do not. Call it once.
func (s *Server) ManageGCFloor() {
	if v := os.Getenv("GOGC"); v != "" {
		s.log.Info("GOGC is set in the environment; cairn-gc-min-heap will not change it", "GOGC", v)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := gcfloor.Start(s.cfg.CairnGCMinHeap)
	if t == nil {
		return
	}
	s.cfg.OnChange("cairn-gc-min-heap", func() error {
		t.SetFloor(s.cfg.CairnGCMinHeap)
		return nil
	})
}
