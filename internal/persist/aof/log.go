package aof

import (
	"errors"
	"os"
	"runtime"
	"sync"
	"time"

	"cairn/internal/persist/fsync"
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
	drained  bool // the flusher has written everything and stopped (after Close)
	flushing bool // a flush (flushLocked) holds a batch outside the lock
	done     chan struct{}

	// Rotation (Rotate): records from switchAt on go to next. gen counts the files
	// the log has switched to, so that everySec can tell a rotated file's sync error.
	next     File
	switchAt int64
	gen      int
	fileBase int64 // offset of the first byte of f

	// Stats.
	fsyncs      int64
	lastFsyncAt time.Time

	notify func() // called after every group commit (SetNotify)
}

// SetNotify registers fn, called after every group commit and when the log has drained
// after Close, so that a waiter that does not block in Wait (an event loop polling
// Durable) learns that it may look again. fn runs with the log's lock held: it must be
// quick and must not call the Log.
func (l *Log) SetNotify(fn func()) {
	l.mu.Lock()
	l.notify = fn
	l.mu.Unlock()
}

// DurableOffset reports, without blocking, the log offset up to which records are
// durable under the current policy (what Wait is waiting for), or Wait's error, which
// is for every record. ErrClosed: the log was closed, and records beyond the offset
// never will be durable.
func (l *Log) DurableOffset() (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	upTo := l.written
	if l.policy == FsyncAlways {
		upTo = l.fsynced
	}
	switch {
	case l.err != nil:
		return upTo, l.err
	case l.drained && upTo < l.appended:
		return upTo, ErrClosed
	}
	return upTo, nil
}

// Kick starts a group commit of the records queued (Queue), unless one is running (it
// is followed by another when it ends). An event loop calls it when it has served the
// connections that were ready, as Redis writes and fsyncs its AOF before it sleeps: one
// commit covers what all of them wrote. A notification follows the commit (SetNotify).
func (l *Log) Kick() {
	l.mu.Lock()
	if !l.flushing && (len(l.pending) > 0 || l.unsyncedLocked()) {
		l.work.Signal()
	}
	l.mu.Unlock()
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
// its end. It never does I/O: the flusher writes it promptly.
func (l *Log) Append(b []byte) int64 {
	return l.queue(b, true)
}

// Queue is Append for a record whose writer will Wait for it (which starts a commit
// when none is running) or have Kick called: the flusher is not woken for it alone, so
// that one commit covers the records of all the connections an event loop serves in a
// round rather than of the first one.
func (l *Log) Queue(b []byte) int64 {
	return l.queue(b, false)
}

func (l *Log) queue(b []byte, wake bool) int64 {
	l.mu.Lock()
	l.pending = append(l.pending, b...)
	l.appended += int64(len(b))
	off := l.appended
	if wake && !l.flushing {
		l.work.Signal() // a running commit signals the flusher when it ends
	}
	l.mu.Unlock()
	return off
}

// Wait blocks until the record ending at off is durable under the current policy
// (fsynced with always; written otherwise), or the log failed. After Close it
// reports ErrClosed only for a record Close could not make durable.
func (l *Log) Wait(off int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		switch {
		case l.err != nil:
			return l.err
		case l.policy == FsyncAlways && l.fsynced >= off, l.policy != FsyncAlways && l.written >= off:
			return nil
		case l.drained:
			return ErrClosed
		}
		if !l.flushing && !l.closed && (len(l.pending) > 0 || l.next != nil || l.policy == FsyncAlways && l.fsynced < off) {
			// Nobody is writing: lead the next group commit here rather than wake the
			// flusher and wait to be woken in turn (on a busy machine the flusher
			// queues behind every runnable connection goroutine).
			l.flushLocked()
			continue
		}
		l.synced.Wait()
	}
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

// Rotate makes the log continue in f (a new, empty file): the records appended before
// the call still go to the current file, which the flusher then fsyncs and closes;
// the records appended after it go to f. It does no I/O (the executor calls it under
// its lock) and returns the log offset where f's records begin. Offsets stay
// continuous across files, so Wait works across a rotation. If an earlier rotation
// has not been carried out yet, Rotate waits for it.
func (l *Log) Rotate(f File) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.next != nil && !l.drained {
		l.synced.Wait()
	}
	if l.closed {
		f.Close()
		return l.appended
	}
	l.next, l.switchAt = f, l.appended
	l.work.Signal()
	return l.switchAt
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

// flusher writes what was appended when no waiter does it (records nobody waits for,
// such as an expired key's DEL, or a waiter that arrives while another flush runs).
// Close stops it once everything queued is written.
func (l *Log) flusher() {
	defer close(l.done)
	l.mu.Lock()
	for {
		for l.flushing || (len(l.pending) == 0 && l.next == nil && !l.closed && !l.unsyncedLocked()) {
			l.work.Wait()
		}
		if len(l.pending) == 0 && l.next == nil && l.closed {
			l.drained = true
			l.synced.Broadcast()
			if l.notify != nil {
				l.notify()
			}
			l.mu.Unlock()
			return
		}
		l.flushLocked()
	}
}

// flushLocked is one group commit: it takes everything queued, writes it with one write
// and, under always, covers it with one fsync; at a rotation it first finishes the old
// file (its last records, an fsync, close). Whoever finds no flush running calls it —
// the flusher or a waiter — so the batches are written in order, one at a time. Caller
// holds l.mu with l.flushing false; it is released during the I/O.
func (l *Log) flushLocked() {
	l.flushing = true
	if l.policy == FsyncAlways {
		// Before taking the batch, let the goroutines that are ready to run (clients
		// with a command read) queue their records: they join this fsync instead of
		// waiting a whole one more. Without this, when an fsync takes less time than
		// serving the ready clients, each fsync covers a handful of records.
		l.mu.Unlock()
		runtime.Gosched()
		l.mu.Lock()
	}
	buf, end, policy := l.pending, l.appended, l.policy
	cur, next, switchAt := l.f, l.next, l.switchAt
	size := l.written - l.fileBase // cur's size; flushes are serialised by l.flushing
	needSync := policy == FsyncAlways && (len(buf) > 0 || l.fsynced < end)
	l.pending, l.spare = l.spare[:0], nil
	failed := l.err != nil
	l.mu.Unlock()

	var err error
	rest := buf
	if next != nil {
		cut := len(buf) - int(end-switchAt)
		err = finishFile(cur, buf[:cut], size, failed)
		rest, cur, size = buf[cut:], next, 0
	}
	if !failed && err == nil && len(rest) > 0 {
		err = writeRecords(cur, rest, size)
	}
	if !failed && err == nil && needSync {
		err = syncData(cur, true)
	}

	l.mu.Lock()
	l.flushing = false
	if cap(buf) <= 1<<20 {
		l.spare = buf[:0]
	}
	if next != nil {
		l.f, l.next, l.fileBase = next, nil, switchAt
		l.gen++
	}
	switch {
	case failed:
	case err != nil:
		l.err = err
	default:
		l.written = end
		if next != nil {
			l.fsynced = max(l.fsynced, switchAt)
		}
		if needSync {
			l.fsynced = end
			l.fsyncs++
			l.lastFsyncAt = time.Now()
		}
	}
	l.synced.Broadcast()
	l.work.Signal() // more may have been queued meanwhile, with nobody to wait for it
	if l.notify != nil {
		l.notify()
	}
}

// unsyncedLocked reports written records that appendfsync always has not covered yet
// (written under another policy before a switch to always), which a group commit must
// fsync even with nothing queued. Caller holds l.mu.
func (l *Log) unsyncedLocked() bool {
	return l.policy == FsyncAlways && l.fsynced < l.written && l.err == nil
}

// finishFile writes a rotated-out file's last records (unless the log has failed),
// fsyncs and closes it. size is its size before.
func finishFile(f File, tail []byte, size int64, failed bool) error {
	var err error
	if !failed {
		if len(tail) > 0 {
			err = writeRecords(f, tail, size)
		}
		if err == nil {
			err = syncFile(f)
		}
	}
	if cerr := f.Close(); err == nil && !failed {
		err = cerr
	}
	return err
}

// syncData makes f's written data durable: for an *os.File an fdatasync, done by the
// kernel while no processor waits (fsync.Data: everysec's once-a-second fsync of a
// second's writes may take long), in the calling thread for a group commit (commit:
// fsync.DataBlocking); Sync for any other File.
func syncData(f File, commit bool) error {
	osf, ok := f.(*os.File)
	switch {
	case !ok:
		return f.Sync()
	case commit:
		return fsync.DataBlocking(osf)
	}
	return fsync.Data(osf)
}

// syncFile is fsync for f (a rotated-out file: its last records and its size),
// without a processor waiting when f is an *os.File.
func syncFile(f File) error {
	if osf, ok := f.(*os.File); ok {
		return fsync.File(osf)
	}
	return f.Sync()
}

// writeRecords writes b to f, whose size is size. A failed write's partial record is
// cut off the file, as Redis does after a short write, so that the file still ends
// with a complete command. Best effort: when the file cannot be truncated, the torn
// tail is left for the loader (aof-load-truncated).
func writeRecords(f File, b []byte, size int64) error {
	n, err := f.Write(b)
	if err != nil && n > 0 {
		if t, ok := f.(interface{ Truncate(size int64) error }); ok {
			t.Truncate(size) //nolint:errcheck // best effort; the write error is what is reported
		}
	}
	return err
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
		target, f, gen := l.written, l.f, l.gen
		l.mu.Unlock()
		if !need {
			continue
		}
		err := syncData(f, false)
		l.mu.Lock()
		if gen != l.gen {
			// Rotated meanwhile: the flusher fsynced and closed that file itself.
		} else if err != nil {
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
