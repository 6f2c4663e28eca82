package aof

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestManifestRoundTripsRedisFile(t *testing.T) {
	data, err := os.ReadFile("testdata/redis-7.0.15.manifest") // written by redis-server 7.0.15
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Base == nil || m.Base.Name != "appendonly.aof.1.base.rdb" || len(m.Incr) != 1 || m.Incr[0].Seq != 1 {
		t.Fatalf("parsed %+v", m)
	}
	if got := m.Bytes(); !bytes.Equal(got, data) {
		t.Fatalf("Bytes() = %q, want Redis's %q", got, data)
	}
	for _, bad := range []string{"file x seq 1\n", "file a/b seq 1 type i\n", "file x seq z type i\n", "file x seq 1 type q\n",
		"file a seq 1 type b\nfile b seq 2 type b\n"} {
		if _, err := ParseManifest([]byte(bad)); err == nil {
			t.Errorf("ParseManifest(%q) accepted a bad manifest", bad)
		}
	}
	if BaseName("appendonly.aof", 1, true) != "appendonly.aof.1.base.rdb" || IncrName("appendonly.aof", 3) != "appendonly.aof.3.incr.aof" {
		t.Fatal("file names differ from Redis's")
	}
}

func TestReplayRedisFile(t *testing.T) {
	f, err := os.Open("testdata/redis-7.0.15.incr.aof")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []string
	if _, err := Replay(f, func(argv [][]byte) error {
		cmds = append(cmds, string(bytes.Join(argv, []byte(" "))))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := "SELECT 0|set a 1|SET b c 2 PXAT 1795319415258|SELECT 3|incr x|SELECT 0|MULTI|set s 1|set t 2|EXEC"
	if got := strings.Join(cmds, "|"); got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

func TestReplayTruncatedAndCorrupt(t *testing.T) {
	full := "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
	for cut := 1; cut < len(full); cut++ {
		n := 0
		valid, err := Replay(strings.NewReader(full[:cut]), func([][]byte) error { n++; return nil })
		switch {
		case cut == 14:
			if err != nil || valid != 14 || n != 1 {
				t.Fatalf("cut %d: valid %d n %d err %v", cut, valid, n, err)
			}
		default:
			var te *ErrTruncated
			if !errors.As(err, &te) {
				t.Fatalf("cut %d: err %v, want ErrTruncated", cut, err)
			}
			wantValid := int64(0)
			if cut > 14 {
				wantValid = 14
			}
			if te.Valid != wantValid {
				t.Fatalf("cut %d: valid %d, want %d", cut, te.Valid, wantValid)
			}
		}
	}
	_, err := Replay(strings.NewReader("*1\r\n$4\r\nPING\r\nGARBAGE\r\n"), func([][]byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "offset 14") {
		t.Fatalf("corrupt record: %v", err)
	}
}

// memFile is a File that records writes and syncs, optionally slowly or failing.
type memFile struct {
	mu        sync.Mutex
	data      []byte
	synced    int
	syncs     int
	syncDelay time.Duration
	failSync  error
}

func (f *memFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data = append(f.data, p...)
	return len(p), nil
}

func (f *memFile) Sync() error {
	time.Sleep(f.syncDelay)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failSync != nil {
		return f.failSync
	}
	f.syncs++
	f.synced = len(f.data)
	return nil
}

func (f *memFile) Close() error { return nil }

func TestGroupCommit(t *testing.T) {
	f := &memFile{syncDelay: 2 * time.Millisecond}
	l := NewLog(f, 0, FsyncAlways)
	const writers, perWriter = 50, 40
	var wg sync.WaitGroup
	record := []byte("*1\r\n$4\r\nPING\r\n")
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				off := l.Append(record)
				if err := l.Wait(off); err != nil {
					t.Error(err)
					return
				}
				// Acknowledged: the record must be covered by an fsync.
				f.mu.Lock()
				synced := f.synced
				f.mu.Unlock()
				if int64(synced) < off {
					t.Errorf("acknowledged offset %d but only %d bytes synced", off, synced)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	total := writers * perWriter
	if len(f.data) != total*len(record) {
		t.Fatalf("wrote %d bytes, want %d", len(f.data), total*len(record))
	}
	if f.syncs >= total/2 {
		t.Fatalf("%d fsyncs for %d records: no group commit", f.syncs, total)
	}
	t.Logf("%d records acknowledged with %d fsyncs", total, f.syncs)
}

func TestFsyncErrorIsSticky(t *testing.T) {
	f := &memFile{failSync: errors.New("EIO")}
	l := NewLog(f, 0, FsyncAlways)
	off := l.Append([]byte("*1\r\n$4\r\nPING\r\n"))
	if err := l.Wait(off); err == nil || err.Error() != "EIO" {
		t.Fatalf("Wait after a failed fsync: %v", err)
	}
	f.mu.Lock()
	f.failSync = nil
	f.mu.Unlock()
	off = l.Append([]byte("*1\r\n$4\r\nPING\r\n"))
	if err := l.Wait(off); err == nil {
		t.Fatal("a later write was acknowledged after an fsync error")
	}
	if l.Err() == nil {
		t.Fatal("Err() lost the error")
	}
}

func TestEverySecAndNo(t *testing.T) {
	for _, p := range []Policy{FsyncEverySec, FsyncNo} {
		f := &memFile{}
		l := NewLog(f, 0, p)
		off := l.Append([]byte("*1\r\n$4\r\nPING\r\n"))
		if err := l.Wait(off); err != nil { // written, not necessarily synced
			t.Fatal(err)
		}
		f.mu.Lock()
		n := len(f.data)
		f.mu.Unlock()
		if int64(n) != off {
			t.Fatalf("policy %d: %d bytes written after Wait(%d)", p, n, off)
		}
		if p == FsyncEverySec {
			time.Sleep(1200 * time.Millisecond)
			f.mu.Lock()
			synced := f.synced
			f.mu.Unlock()
			if synced != n {
				t.Fatalf("everysec: %d of %d bytes synced after a second", synced, n)
			}
		}
		l.Close()
	}
}

// closingFile is a memFile that records Close.
type closingFile struct {
	memFile
	closed bool
}

func (f *closingFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// TestRotate: records appended before Rotate end up in the old file, which is fsynced
// and closed; later ones in the new file; Wait keeps working across the switch.
func TestRotate(t *testing.T) {
	for _, p := range []Policy{FsyncAlways, FsyncEverySec, FsyncNo} {
		old, next := &closingFile{}, &closingFile{}
		l := NewLog(old, 100, p) // an existing file of 100 bytes
		rec := []byte("*1\r\n$4\r\nPING\r\n")
		var last int64
		for i := 0; i < 50; i++ {
			last = l.Append(rec)
		}
		at := l.Rotate(next)
		if at != last || at != 100+50*int64(len(rec)) {
			t.Fatalf("policy %d: Rotate returned %d, want %d", p, at, last)
		}
		for i := 0; i < 30; i++ {
			last = l.Append(rec)
		}
		if err := l.Wait(last); err != nil {
			t.Fatal(err)
		}
		if err := l.Wait(at); err != nil { // an offset of the old file
			t.Fatal(err)
		}
		// A second rotation right away waits for nothing but works.
		third := &closingFile{}
		at2 := l.Rotate(third)
		off := l.Append(rec)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := l.Wait(off); err != nil {
			t.Fatalf("policy %d: Wait after Close for a record Close wrote: %v", p, err)
		}
		old.mu.Lock()
		if len(old.data) != 50*len(rec) || old.synced != len(old.data) || !old.closed {
			t.Fatalf("policy %d: old file %d bytes, %d synced, closed %v", p, len(old.data), old.synced, old.closed)
		}
		old.mu.Unlock()
		if len(next.data) != 30*len(rec) || !next.closed || next.synced != len(next.data) {
			t.Fatalf("policy %d: second file %d bytes, %d synced, closed %v", p, len(next.data), next.synced, next.closed)
		}
		if at2 != at+30*int64(len(rec)) || len(third.data) != len(rec) || !third.closed {
			t.Fatalf("policy %d: third file at %d with %d bytes", p, at2, len(third.data))
		}
	}
}

// TestWaitAfterSwitchToAlways: a record written under everysec but not yet fsynced,
// waited for after CONFIG SET appendfsync always, gets its fsync from the waiter (there
// is nothing new for the flusher to write, and everysec's ticker no longer syncs).
func TestWaitAfterSwitchToAlways(t *testing.T) {
	f := &memFile{}
	l := NewLog(f, 0, FsyncEverySec)
	defer l.Close()
	off := l.Append([]byte("*1\r\n$4\r\nPING\r\n"))
	if err := l.Wait(off); err != nil {
		t.Fatal(err)
	}
	l.SetPolicy(FsyncAlways)
	done := make(chan error, 1)
	go func() { done <- l.Wait(off) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait under always never returned for a written, unsynced record")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if int64(f.synced) < off {
		t.Fatalf("Wait returned under always with %d of %d bytes fsynced", f.synced, off)
	}
}

// TestQueueKick: records queued for a writer that will not Wait (an event loop's
// connection) are committed when the loop kicks the log, all of them in one commit, and
// DurableOffset reports them durable afterwards.
func TestQueueKick(t *testing.T) {
	f := &memFile{}
	l := NewLog(f, 0, FsyncAlways)
	defer l.Close()
	record := []byte("*1\r\n$4\r\nPING\r\n")
	time.Sleep(20 * time.Millisecond) // the flusher is waiting to be woken
	var last int64
	var w Writer
	for range 10 {
		last = l.Queue(record, &w)
	}
	time.Sleep(20 * time.Millisecond) // the flusher would have run by now, were it woken
	if upTo, err := l.DurableOffset(); err != nil || upTo != 0 {
		t.Fatalf("before Kick: durable up to %d (%v), want 0: queued records were committed unasked", upTo, err)
	}
	done := make(chan struct{})
	l.SetNotify(func() {
		select {
		case done <- struct{}{}:
		default:
		}
	})
	l.Kick(nil)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no commit notification after Kick")
	}
	upTo, err := l.DurableOffset()
	if err != nil || upTo != last {
		t.Fatalf("after Kick: durable up to %d (%v), want %d", upTo, err, last)
	}
	f.mu.Lock()
	syncs := f.syncs
	f.mu.Unlock()
	if syncs != 1 {
		t.Fatalf("%d fsyncs for one kick, want 1", syncs)
	}
	// Append (a record nobody waits for) is committed without a kick.
	off := l.Append(record)
	for deadline := time.Now().Add(5 * time.Second); ; {
		if upTo, _ := l.DurableOffset(); upTo >= off {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an appended record was never committed")
		}
		time.Sleep(time.Millisecond)
	}
}

// commitWatch reports each group commit of l (SetNotify) on the returned channel.
func commitWatch(l *Log) <-chan struct{} {
	done := make(chan struct{}, 16)
	l.SetNotify(func() {
		select {
		case done <- struct{}{}:
		default:
		}
	})
	return done
}

// awaitCommit waits for a commit notification and checks what is durable and how many
// fsyncs the file has had.
func awaitCommit(t *testing.T, l *Log, f *memFile, done <-chan struct{}, wantDurable int64, wantSyncs int) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("no commit (want %d fsyncs, durable up to %d)", wantSyncs, wantDurable)
	}
	if upTo, err := l.DurableOffset(); err != nil || upTo != wantDurable {
		t.Fatalf("durable up to %d (%v), want %d", upTo, err, wantDurable)
	}
	f.mu.Lock()
	syncs := f.syncs
	f.mu.Unlock()
	if syncs != wantSyncs {
		t.Fatalf("%d fsyncs, want %d", syncs, wantSyncs)
	}
}

// TestGatherWaitsForReleasedWriters: after a commit that released three writers, the
// next commit waits until at least half of them (two) have queued again, and covers
// what they and others queued in one fsync.
func TestGatherWaitsForReleasedWriters(t *testing.T) {
	l, f, done, ws := commitThreeWriters(t, 2) // two records each: writers count, not records
	setGatherLimit(l, time.Hour)               // only the writers' return may start the next commit

	first := l.Queue(pingRecord, &ws[0]) // one of the three is back...
	l.Queue(pingRecord, &ws[0])
	l.Queue(pingRecord, &ws[0]) // ... with more records than the three had
	var newcomer Writer
	l.Queue(pingRecord, &newcomer) // and a writer the commit did not release
	l.Kick(nil)
	time.Sleep(20 * time.Millisecond)
	if upTo, _ := l.DurableOffset(); upTo >= first {
		t.Fatal("a commit started before half the released writers came back")
	}
	last := l.Queue(pingRecord, &ws[1]) // two of the three are back
	l.Kick(nil)
	awaitCommit(t, l, f, done, last, 2)
}

// TestGatherTimesOut: a commit whose released writers do not come back starts when
// its limit has passed, and the next commit after such a wait starts at once.
func TestGatherTimesOut(t *testing.T) {
	l, f, done, ws := commitThreeWriters(t, 1)
	setGatherLimit(l, 5*time.Millisecond) // as if the fsync had taken a few milliseconds

	last := l.Queue(pingRecord, &ws[0]) // only one of the three comes back
	l.Kick(nil)
	awaitCommit(t, l, f, done, last, 2) // after the limit, by the timer

	l.mu.Lock()
	l.gather.limit = time.Hour // from now on, only the backoff starts a commit at once
	l.gather.expect = 3        // the last commit released one writer: made to look like three
	l.mu.Unlock()
	last = l.Queue(pingRecord, &ws[1]) // one of them is back
	l.Kick(nil)
	awaitCommit(t, l, f, done, last, 3)
}

// TestGatherWriterAlreadyBack: a writer that queues again while the commit covering
// its last record runs is not waited for after it: the next commit waits only for the
// writers that have not come back.
func TestGatherWriterAlreadyBack(t *testing.T) {
	f := &memFile{syncDelay: 20 * time.Millisecond}
	l := NewLog(f, 0, FsyncAlways)
	defer l.Close()
	done := commitWatch(l)
	var a, b Writer
	l.Queue(pingRecord, &a)
	first := l.Queue(pingRecord, &b)
	l.Kick(nil)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Microsecond) {
		l.mu.Lock()
		running := l.gather.inFlight != 0
		l.mu.Unlock()
		if running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the commit never started")
		}
	}
	l.Queue(pingRecord, &a) // a is back while its commit runs
	awaitCommit(t, l, f, done, first, 1)
	setGatherLimit(l, time.Hour)
	last := l.Queue(pingRecord, &b) // b is back: nobody else to wait for
	l.Kick(nil)
	awaitCommit(t, l, f, done, last, 2)
}

// pingRecord is a log record: PING in RESP.
var pingRecord = []byte("*1\r\n$4\r\nPING\r\n")

// commitThreeWriters starts a log under always, has three writers queue perWriter
// records each, kicks it and waits for the commit that covers them all.
func commitThreeWriters(t *testing.T, perWriter int) (*Log, *memFile, <-chan struct{}, *[3]Writer) {
	t.Helper()
	f := &memFile{}
	l := NewLog(f, 0, FsyncAlways)
	t.Cleanup(func() { l.Close() })
	done := commitWatch(l)
	var last int64
	var ws [3]Writer
	for i := range ws {
		for range perWriter {
			last = l.Queue(pingRecord, &ws[i])
		}
	}
	l.Kick(nil)
	awaitCommit(t, l, f, done, last, 1)
	return l, f, done, &ws
}

// setGatherLimit sets how long the next commit may wait for the writers the last one
// released (normally set from the time its fsync took, next to nothing for a memFile).
func setGatherLimit(l *Log, d time.Duration) {
	l.mu.Lock()
	l.gather.limit = d
	l.mu.Unlock()
}

// TestCommitterKick: with a Committer, Kick writes the queued records at once and
// submits their fsync; nothing is durable until the loop reaps it, and then all of it
// is, in one fsync. The flusher does not take the records meanwhile.
func TestCommitterKick(t *testing.T) {
	c, f := newCommitterFile(t)
	l := NewLog(f, 0, FsyncAlways)
	defer l.Close()
	record := []byte("*1\r\n$4\r\nPING\r\n")
	var w Writer // the same client each round: the commit does not wait to gather it
	for round := 1; round <= 3; round++ {
		var last int64
		for range 10 {
			last = l.Queue(record, &w)
		}
		l.Kick(c)
		if fi, err := f.Stat(); err != nil || fi.Size() != last {
			t.Fatalf("round %d: file size %d (%v) after Kick, want %d: the loop writes the records itself", round, fi.Size(), err, last)
		}
		time.Sleep(10 * time.Millisecond) // the fsync has completed; a flusher would have published it
		if upTo, err := l.DurableOffset(); err != nil || upTo >= last {
			t.Fatalf("round %d: durable up to %d (%v) before the loop reaped its commit, want below %d", round, upTo, err, last)
		}
		for deadline := time.Now().Add(5 * time.Second); !c.Reap(); {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the commit's fsync never completed", round)
			}
			time.Sleep(100 * time.Microsecond)
		}
		if upTo, err := l.DurableOffset(); err != nil || upTo != last {
			t.Fatalf("round %d: durable up to %d (%v) after Reap, want %d", round, upTo, err, last)
		}
		if fsyncs, _, _ := l.Stats(); fsyncs != int64(round) {
			t.Fatalf("round %d: %d fsyncs, want one per commit", round, fsyncs)
		}
	}
	if c.Reap() {
		t.Fatal("Reap ended a commit with none in flight")
	}
}

// TestCloseReapsLoopCommit: Close makes the records of a loop's commit durable when
// the loop does not reap it (it has stopped), and the Committer is free again.
func TestCloseReapsLoopCommit(t *testing.T) {
	c, f := newCommitterFile(t)
	l := NewLog(f, 0, FsyncAlways)
	var w Writer
	last := l.Queue([]byte("*1\r\n$4\r\nPING\r\n"), &w)
	l.Kick(c)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if fsyncs, written, fsynced := l.Stats(); fsyncs != 1 || written != last || fsynced != last {
		t.Fatalf("after Close: %d fsyncs, written %d, fsynced %d; want 1, %d, %d", fsyncs, written, fsynced, last, last)
	}
	if c.Reap() {
		t.Fatal("the loop reaped a commit that Close had ended")
	}
}

// newCommitterFile is a Committer (the test is skipped where there is none) and an
// empty log file, both closed at the end of the test.
func newCommitterFile(t *testing.T) (*Committer, *os.File) {
	t.Helper()
	c, err := NewCommitter()
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skip("no asynchronous fsync on this system:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	f, err := os.OpenFile(filepath.Join(t.TempDir(), "log.aof"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}
