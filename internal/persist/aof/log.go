package aof

import (
	"errors"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
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

	// Who commits what is queued under always: records a writer waits for are committed
	// by its event loop (Kick), so the flusher takes them only when asked (kicked: by a
	// loop that cannot commit itself, or by the gathering timer) or when records nobody
	// waits for are among them (orphans).
	kicked, orphans bool
	// The commit a loop started (Kick) and reaps (Committer.Reap); committer is nil
	// when none is in flight.
	committer *Committer
	commit    commitBatch

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

	gather gathering
}

// Writer is a client whose records a group commit covers (Queue): the log tells by it
// whether the writers a commit released have come back (gatheredLocked). The zero
// value is a writer that has queued nothing yet.
type Writer struct {
	batch uint64 // the batch its last record went into
}

// gathering is what a group commit under always knows of the writers that wait for
// it, to decide when to start (gatheredLocked). Batches of records are numbered: batch
// is the one being queued, inFlight the one a commit is making durable (0: none) and
// ended the last one made durable.
type gathering struct {
	batch, inFlight, ended uint64
	queued                 int           // writers with records in batch
	covered                int           // writers with records in inFlight ...
	back                   int           // ... who have queued in batch already
	expect                 int           // writers ended released, less those already back ...
	returned               int           // ... and how many of them have queued since
	endedAt                time.Time     // when the last commit ended
	limit                  time.Duration // how long the next commit may wait for them (end)
	skip                   int           // commits to start at once after a wait that timed out ...
	skipLeft               int           // ... and how many of them are left
	waited                 bool          // gatheredLocked has held back the next commit
	timer                  *time.Timer   // wakes the flusher when a wait times out
}

// A group commit waits for the writers the last commit released at most gatherFsyncs
// times as long as that commit's fsync took, and never more than gatherMax (about the
// time an event loop takes to serve a hundred clients, which is how long their next
// writes take to come back when the machine is busy).
const (
	gatherFsyncs = 3
	gatherMax    = time.Millisecond
)

// gatherSkipMax caps the backoff after waits that timed out: when writers do not come
// back (their next command is a read, or they pause), at most one commit in this many
// waits, for at most gatherMax.
const gatherSkipMax = 64

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
// commit covers what all of them wrote. With a Committer (appendfsync always, Linux)
// the loop starts the commit itself: it writes the records and submits their fsync,
// and reaps it when the Committer's descriptor is readable; otherwise the flusher
// commits. A notification follows the commit (SetNotify).
func (l *Log) Kick(c *Committer) {
	l.mu.Lock()
	if l.flushing || len(l.pending) == 0 && !l.unsyncedLocked() || !l.gatheredLocked() {
		l.mu.Unlock()
		return
	}
	f, isFile := l.f.(*os.File)
	if c == nil || c.log.Load() != nil || !isFile || l.policy != FsyncAlways || l.next != nil || l.closed || l.err != nil {
		l.kicked = true
		l.work.Signal()
		l.mu.Unlock()
		return
	}
	b := l.takeLocked()
	l.mu.Unlock()

	err := writeRecords(f, b.buf, b.size)
	if err == nil {
		b.start = time.Now()
		if err = c.async.Start(f); err == nil {
			l.mu.Lock()
			l.committer, l.commit = c, b
			c.log.Store(l)
			if l.closed {
				l.work.Signal() // the flusher reaps it if the loop does not
			}
			l.mu.Unlock()
			return
		}
		err = syncData(f) // no asynchronous fsync after all: in this goroutine
	}
	l.mu.Lock()
	l.endLocked(b, err)
	l.mu.Unlock()
}

// Committer is an event loop's means of running group commits itself (Kick): an
// fdatasync the kernel runs while the loop goes on serving its connections, and whose
// completion makes FD readable in the loop's epoll set. Not safe for concurrent use:
// one loop owns it.
type Committer struct {
	async *fsync.Async
	log   atomic.Pointer[Log] // whose commit is in flight; nil when none is
}

// NewCommitter sets one up, or reports that the system has none (not Linux, or Linux
// AIO not allowed): the loop then leaves commits to the flusher.
func NewCommitter() (*Committer, error) {
	a, err := fsync.NewAsync()
	if err != nil {
		return nil, err
	}
	return &Committer{async: a}, nil
}

// FD is the descriptor that becomes readable when the commit in flight may have ended.
func (c *Committer) FD() int { return c.async.FD() }

// Reap ends the commit in flight if its fsync has completed, without waiting, and
// reports whether it did. The log's notification follows (SetNotify).
func (c *Committer) Reap() bool {
	l := c.log.Load()
	if l == nil {
		c.async.Reap() //nolint:errcheck // nothing in flight: only drains FD
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reapLocked(c)
}

// Close releases the Committer once the commit in flight, if any, has ended.
func (c *Committer) Close() {
	for l := c.log.Load(); l != nil; l = c.log.Load() {
		if !c.Reap() {
			time.Sleep(50 * time.Microsecond)
		}
	}
	c.async.Close()
}

// reapLocked ends the commit c started if its fsync has completed. Caller holds l.mu.
func (l *Log) reapLocked(c *Committer) bool {
	if l.committer != c {
		return false
	}
	done, err := c.async.Reap()
	if !done {
		return false
	}
	b := l.commit
	b.took = time.Since(b.start)
	l.committer, l.commit = nil, commitBatch{}
	c.log.Store(nil)
	l.endLocked(b, err)
	return true
}

// NewLog starts a log appending to f, whose current size is size.
func NewLog(f File, size int64, policy Policy) *Log {
	l := &Log{f: f, policy: policy, appended: size, written: size, fsynced: size, done: make(chan struct{})}
	l.synced = sync.NewCond(&l.mu)
	l.work = sync.NewCond(&l.mu)
	l.gather.timer = time.AfterFunc(time.Hour, func() {
		l.mu.Lock()
		if !l.flushing { // else a commit has started since: the timer is stale
			l.kicked = true
			l.work.Signal()
		}
		l.mu.Unlock()
	})
	l.gather.timer.Stop()
	l.gather.batch = 1
	go l.flusher()
	go l.everySec()
	return l
}

// Append queues b (one or more complete RESP commands) and returns the log offset at
// its end. It never does I/O: the flusher writes it promptly.
func (l *Log) Append(b []byte) int64 {
	return l.queue(b, nil)
}

// Queue is Append for a record whose writer w will Wait for it (which starts a commit
// when none is running) or have Kick called: the flusher is not woken for it alone, so
// that one commit covers the records of all the connections an event loop serves in a
// round rather than of the first one.
func (l *Log) Queue(b []byte, w *Writer) int64 {
	return l.queue(b, w)
}

// queue appends b for writer w, or for nobody (nil: Append, which wakes the flusher).
func (l *Log) queue(b []byte, w *Writer) int64 {
	l.mu.Lock()
	l.pending = append(l.pending, b...)
	l.appended += int64(len(b))
	off := l.appended
	if g := &l.gather; w != nil && w.batch != g.batch {
		switch {
		case w.batch == 0: // its first record
		case w.batch == g.ended:
			g.returned++
		case w.batch == g.inFlight:
			g.back++
		}
		g.queued++
		w.batch = g.batch
	}
	if w == nil {
		l.orphans = true
		if !l.flushing {
			l.work.Signal() // a running commit signals the flusher when it ends
		}
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
		if !l.flushing && !l.closed && (len(l.pending) > 0 || l.next != nil || l.policy == FsyncAlways && l.fsynced < off) && l.gatheredLocked() {
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
	l.gather.timer.Stop()
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
		for l.flushing || !l.flusherDueLocked() {
			if l.flushing && l.closed && l.committer != nil {
				// A loop's commit, which the loop may no longer be there to reap.
				l.mu.Unlock()
				time.Sleep(50 * time.Microsecond)
				l.mu.Lock()
				l.reapLocked(l.committer)
				continue
			}
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
	b := l.takeLocked()
	l.mu.Unlock()

	var err error
	rest, cur, size := b.buf, b.cur, b.size
	if b.next != nil {
		cut := len(b.buf) - int(b.end-b.switchAt)
		err = finishFile(cur, b.buf[:cut], size, b.failed)
		rest, cur, size = b.buf[cut:], b.next, 0
	}
	if !b.failed && err == nil && len(rest) > 0 {
		err = writeRecords(cur, rest, size)
	}
	if !b.failed && err == nil && b.needSync {
		start := time.Now()
		err = syncData(cur)
		b.took = time.Since(start)
	}

	l.mu.Lock()
	l.endLocked(b, err)
}

// commitBatch is what one group commit covers (takeLocked), and how its fsync went.
type commitBatch struct {
	buf       []byte
	end       int64 // log offset of the end of buf
	size      int64 // cur's size before
	needSync  bool  // under always: buf, or earlier records, are not fsynced yet
	failed    bool  // the log had failed already: nothing is written
	cur, next File  // next: a rotation (Rotate) at switchAt
	switchAt  int64
	start     time.Time     // when its fsync was submitted (Kick)
	took      time.Duration // how long its fsync took
}

// takeLocked starts a group commit: it takes the records queued. Caller holds l.mu,
// with no flush running.
func (l *Log) takeLocked() commitBatch {
	l.flushing = true
	b := commitBatch{buf: l.pending, end: l.appended, size: l.written - l.fileBase, failed: l.err != nil,
		cur: l.f, next: l.next, switchAt: l.switchAt}
	b.needSync = l.policy == FsyncAlways && (len(b.buf) > 0 || l.fsynced < b.end)
	l.gather.take()
	l.gather.timer.Stop()
	l.pending, l.spare = l.spare[:0], nil
	l.kicked, l.orphans = false, false
	return b
}

// endLocked ends the group commit of b, which err ended (nil: written, and fsynced if
// b.needSync), and notifies those waiting for it. Caller holds l.mu.
func (l *Log) endLocked(b commitBatch, err error) {
	l.flushing = false
	l.gather.end(b.took)
	if cap(b.buf) <= 1<<20 {
		l.spare = b.buf[:0]
	}
	if b.next != nil {
		l.f, l.next, l.fileBase = b.next, nil, b.switchAt
		l.gen++
	}
	switch {
	case b.failed:
	case err != nil:
		l.err = err
	default:
		l.written = b.end
		if b.next != nil {
			l.fsynced = max(l.fsynced, b.switchAt)
		}
		if b.needSync {
			l.fsynced = b.end
			l.fsyncs++
			l.lastFsyncAt = time.Now()
		}
	}
	l.synced.Broadcast()
	if l.flusherWantedLocked() {
		l.work.Signal() // more may have been queued meanwhile, with nobody to wait for it
	}
	if l.notify != nil {
		l.notify()
	}
}

// flusherDueLocked reports whether the flusher has a group commit to run now: at a
// rotation or Close, for records nobody waits for, or when asked to (Kick without a
// Committer, another policy than always, the gathering timer). Records a loop's
// connections wait for under always are that loop's to commit (Kick). Caller holds l.mu.
func (l *Log) flusherDueLocked() bool {
	return l.flusherWantedLocked() && l.gatheredLocked()
}

// flusherWantedLocked is flusherDueLocked before the gathering of writers. Caller
// holds l.mu.
func (l *Log) flusherWantedLocked() bool {
	switch {
	case l.closed || l.next != nil:
		return true
	case len(l.pending) == 0 && !l.unsyncedLocked():
		return false
	}
	return l.policy != FsyncAlways || l.kicked || l.orphans || l.unsyncedLocked()
}

// gatheredLocked reports whether a group commit under always may start now. Redis
// gathers the writes of one event-loop turn into an fsync and makes everything else
// wait for it; Cairn's commits run beside the loops, so the writers a commit releases
// send their next writes while the next commit may already have started without them:
// commits smaller and more of them, each costing CPU time in the kernel. So a commit
// waits until at least half the writers the last one released have queued their next
// records (halfBack), or for a few times as long as its fsync took (end). When such a wait
// times out, the next commits start at once, twice as many after each timed-out wait
// (up to gatherSkipMax), so that a load whose writers do not come back pays for it
// rarely. Otherwise, and with nobody released (a lone writer, records nobody waits
// for), the commit starts at once. Arms the timer that wakes the flusher when it must
// wait. Caller holds l.mu.
func (l *Log) gatheredLocked() bool {
	g := &l.gather
	if l.policy != FsyncAlways || l.closed || l.next != nil || g.skipLeft > 0 || g.halfBack() {
		return true
	}
	wait := g.limit - time.Since(g.endedAt)
	if wait <= 0 {
		return true
	}
	g.waited = true
	g.timer.Reset(wait)
	return false
}

// end starts the wait for the writers a commit released, bounded by the time its
// fsync took. A writer that comes back within one fsync time is acknowledged sooner
// than if it waited for the commit after one that started without it, and each fsync
// saved is disk time every later commit gains; so, measured (bench/RESULTS.md), a wait
// of up to three fsync times pays under a steady load, while writers that pause
// between requests (for half a millisecond, in the measurement) lose no throughput.
func (g *gathering) end(fsyncTook time.Duration) {
	g.ended, g.inFlight = g.inFlight, 0
	g.expect, g.returned, g.endedAt = g.covered-g.back, 0, time.Now()
	g.limit = min(gatherMax, gatherFsyncs*fsyncTook)
}

// halfBack reports whether at least half the writers the last commit released have
// queued their next records. Not all of them: they come back one by one, as fast as
// their clients read the replies and send again (a load generator serving 50 clients
// from one thread takes about 14 µs for each), and a commit that waits for the last of
// them makes the whole burst and the fsync take turns instead of overlapping; the
// writers that come back while it runs are the next commit's. Measured pinned
// (bench/RESULTS.md), SET with 50 clients under always: waiting for half made 6-8%
// more writes a second than waiting for all, over 22 alternating rounds, and reads
// lost nothing; waiting for a quarter made 4% fewer than for half, for 70% 11% fewer.
// Not waiting at all also beat waiting for all (5-8%), but its extra fsyncs kept the
// CPU busy and made reads 10-30% slower.
func (g *gathering) halfBack() bool {
	return 2*g.returned >= g.expect
}

// take accounts for a commit taking the pending records: whether it waited in vain
// (gatheredLocked), and which writers it covers.
func (g *gathering) take() {
	switch {
	case g.skipLeft > 0:
		g.skipLeft--
	case g.halfBack():
		g.skip = 0
	case g.waited: // and timed out
		g.skip = min(max(2*g.skip, 1), gatherSkipMax)
		g.skipLeft = g.skip
	}
	g.waited = false
	g.inFlight, g.covered, g.back, g.queued = g.batch, g.queued, 0, 0
	g.batch++
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

// syncData makes f's written data durable: for an *os.File an fdatasync done by the
// kernel while no processor waits (fsync.Data), so that the I/O loops serve reads
// during a group commit's fsync even on one CPU; Sync for any other File.
func syncData(f File) error {
	if osf, ok := f.(*os.File); ok {
		return fsync.Data(osf)
	}
	return f.Sync()
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
		err := syncData(f)
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
