package aof

import (
	"errors"
	"sync"
	"time"
)

// Policy is appendfsync.
type Policy int

// appendfsync values.
const (
	FsyncAlways Policy = iota
	FsyncEverySec
	FsyncNo
)

// ParsePolicy maps an appendfsync value to a Policy.
func ParsePolicy(s string) Policy {
	switch s {
	case "always":
		return FsyncAlways
	case "no":
		return FsyncNo
	}
	return FsyncEverySec
}

// File is what the Log writes to: an *os.File, or a test double that tears writes and
// fails syncs on purpose.
type File interface {
	Write(p []byte) (int, error)
	Sync() error
	Close() error
}

// ErrClosed is returned by Wait after Close.
var ErrClosed = errors.New("aof: log closed")

// Log is an append-only file with group commit (see the package doc).
type Log struct {
	mu       sync.Mutex
	synced   *sync.Cond // signalled when written/synced/err change
	work     *sync.Cond // signalled when there is something to write, or on close
	f        File
	policy   Policy
	pending  []byte // appended, not yet handed to the flusher
	spare    []byte
	appended int64 // offset of the end of pending
	written  int64 // offset written to the file
	fsynced  int64 // offset covered by an fsync
	err      error // sticky write/fsync error
	closed   bool
	done     chan struct{}

	// Stats.
	fsyncs      int64
	lastFsyncAt time.Time
}

// NewLog starts a log appending to f, whose current size is size.
func NewLog(f File, size int64, policy Policy) *Log {
	l := &Log{f: f, policy: policy, appended: size, written: size, fsynced: size, done: make(chan struct{})}
	l.synced = sync.NewCond(&l.mu)
	l.work = sync.NewCond(&l.mu)
	go l.flusher()
	go l.everySec()
	return l
}

// Append queues b (one or more complete RESP commands) and returns the log offset at
// its end. It never does I/O.
func (l *Log) Append(b []byte) int64 {
	l.mu.Lock()
	l.pending = append(l.pending, b...)
	l.appended += int64(len(b))
	off := l.appended
	l.work.Signal()
	l.mu.Unlock()
	return off
}

// Wait blocks until the record ending at off is durable under the current policy
// (fsynced with always; written otherwise), or the log failed.
func (l *Log) Wait(off int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.err == nil && !l.closed {
		if l.policy == FsyncAlways && l.fsynced >= off {
			return nil
		}
		if l.policy != FsyncAlways && l.written >= off {
			return nil
		}
		l.synced.Wait()
	}
	if l.err != nil {
		return l.err
	}
	return ErrClosed
}

// Err is the sticky write or fsync error, if any.
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// SetPolicy changes appendfsync live.
func (l *Log) SetPolicy(p Policy) {
	l.mu.Lock()
	l.policy = p
	l.work.Signal()
	l.mu.Unlock()
}

// Size is the log's size including what is still queued.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appended
}

// Stats reports the number of fsyncs done and the offsets, for INFO persistence.
func (l *Log) Stats() (fsyncs, written, fsynced int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fsyncs, l.written, l.fsynced
}

// Close writes and fsyncs everything queued, stops the flusher and closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return l.err
	}
	l.closed = true
	l.work.Broadcast()
	l.mu.Unlock()
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil && l.fsynced < l.written {
		if err := l.f.Sync(); err != nil {
			l.err = err
		}
	}
	cerr := l.f.Close()
	if l.err != nil {
		return l.err
	}
	return cerr
}

// flusher writes what was appended, group-committing: each round takes everything
// queued since the last, so one write (and one fsync) covers many records.
func (l *Log) flusher() {
	defer close(l.done)
	l.mu.Lock()
	for {
		for len(l.pending) == 0 && !l.closed {
			l.work.Wait()
		}
		if len(l.pending) == 0 && l.closed {
			l.mu.Unlock()
			return
		}
		buf, end, policy := l.pending, l.appended, l.policy
		l.pending, l.spare = l.spare[:0], nil
		failed := l.err != nil
		l.mu.Unlock()

		var err error
		if !failed {
			var n int
			n, err = l.f.Write(buf)
			if err != nil && n > 0 {
				l.dropTornTail()
			}
			if err == nil && policy == FsyncAlways {
				err = l.f.Sync()
			}
		}

		l.mu.Lock()
		if cap(buf) <= 1<<20 {
			l.spare = buf[:0]
		}
		switch {
		case failed:
		case err != nil:
			l.err = err
		default:
			l.written = end
			if policy == FsyncAlways {
				l.fsynced = end
				l.fsyncs++
				l.lastFsyncAt = time.Now()
			}
		}
		l.synced.Broadcast()
	}
}

// dropTornTail cuts a failed write's partial record off the file, as Redis does after
// a short write, so that the file still ends with a complete command. Best effort: when
// the file cannot be truncated, the torn tail is left for the loader (aof-load-truncated).
// Called by the flusher only, the sole writer, so l.written is stable.
func (l *Log) dropTornTail() {
	if t, ok := l.f.(interface{ Truncate(size int64) error }); ok {
		l.mu.Lock()
		size := l.written
		l.mu.Unlock()
		t.Truncate(size) //nolint:errcheck // best effort; the write error is what is reported
	}
}

// everySec fsyncs once a second under appendfsync everysec.
func (l *Log) everySec() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
		}
		l.mu.Lock()
		need := l.policy == FsyncEverySec && l.err == nil && l.written > l.fsynced
		target := l.written
		l.mu.Unlock()
		if !need {
			continue
		}
		err := l.f.Sync()
		l.mu.Lock()
		if err != nil {
			l.err = err
		} else if target > l.fsynced {
			l.fsynced = target
			l.fsyncs++
			l.lastFsyncAt = time.Now()
		}
		l.synced.Broadcast()
		l.mu.Unlock()
	}
}
