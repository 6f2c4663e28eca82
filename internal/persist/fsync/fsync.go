package fsync

import (
	"io"
	"os"
	"sync"
)

// File makes f's data and metadata durable, as f.Sync, without holding a processor
// while the disk works where the system allows it (see the package doc).
func File(f *os.File) error {
	return syncFile(f, false)
}

// Data makes f's data durable, as fdatasync(2) (the size that reaches it, not the
// modification time: one journal write fewer), without holding a processor while the
// disk works where the system allows it; elsewhere it is File.
func Data(f *os.File) error {
	return syncFile(f, true)
}

func syncFile(f *os.File, data bool) error {
	s := getSyncer()
	if s == nil {
		return blocking(f, data)
	}
	defer putSyncer(s)
	if err := s.start(f, data); err != nil {
		return blocking(f, data)
	}
	return s.wait()
}

// blocking is fdatasync (data) or fsync in the calling thread.
func blocking(f *os.File, data bool) error {
	if data {
		return fdatasync(f)
	}
	return f.Sync()
}

// IncrementalBytes is how much a Writer writes between the fsyncs it starts in the
// background: Redis's REDIS_AUTOSYNC_BYTES.
const IncrementalBytes = 4 << 20

// Writer writes to a file and starts an fsync in the background every IncrementalBytes
// (one at a time: if the previous one has not finished, it starts none). Sync ends it
// with a full fsync. Not safe for concurrent use.
type Writer struct {
	f        *os.File
	s        *syncer // nil: no background fsyncs
	inflight bool
	since    int64 // bytes written since the last fsync was started
	err      error // a background fsync's error, reported by Sync
}

// NewWriter writes to f. Call Sync, then close f.
func NewWriter(f *os.File) *Writer {
	return &Writer{f: f, s: getSyncer()}
}

var _ io.Writer = (*Writer)(nil)

// Write writes p to the file.
func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.since += int64(n)
	if w.s != nil && w.since >= IncrementalBytes {
		if w.inflight {
			if done, serr := w.s.reap(); done {
				w.inflight = false
				w.err = firstErr(w.err, serr)
			}
		}
		if !w.inflight && w.s.start(w.f, false) == nil {
			w.inflight, w.since = true, 0
		}
	}
	return n, err
}

// Sync waits for a background fsync in flight and makes the whole file durable; it
// reports the first error of any of them. The Writer cannot be used afterwards; a
// Writer that is dropped without Sync keeps its syncer (harmless, but not reused).
func (w *Writer) Sync() error {
	if w.s == nil {
		return w.f.Sync()
	}
	defer putSyncer(w.s)
	if w.inflight {
		w.err = firstErr(w.err, w.s.wait())
		w.inflight = false
	}
	if w.err != nil {
		return w.err
	}
	if err := w.s.start(w.f, false); err != nil {
		return w.f.Sync()
	}
	return w.s.wait()
}

// Syncers are kept for reuse, not released: releasing one (io_destroy) waits for an RCU
// grace period, measured at 30 ms, in the calling thread. There are as many as fsyncs
// ever ran at once (a handful).
var (
	freeMu  sync.Mutex
	free    []*syncer
	noAsync bool // setting one up failed: the system does not allow it
)

// getSyncer returns an idle syncer, or nil where there is no asynchronous fsync.
func getSyncer() *syncer {
	freeMu.Lock()
	defer freeMu.Unlock()
	if n := len(free); n > 0 {
		s := free[n-1]
		free = free[:n-1]
		return s
	}
	if noAsync {
		return nil
	}
	s := newSyncer()
	noAsync = s == nil
	return s
}

// putSyncer returns s, whose fsync has completed, for reuse.
func putSyncer(s *syncer) {
	freeMu.Lock()
	free = append(free, s)
	freeMu.Unlock()
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
