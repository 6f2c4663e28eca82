package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cairn/internal/config"
	"cairn/internal/persist/aof"
)

// faultFile is the AOF file of a server under test (installed with aofFileHook): it
// passes writes and fsyncs through to the real file, records how far each got, and fails
// on demand. written is what the OS holds (it survives a process crash); synced is what
// an fsync covers (it survives a power loss).
type faultFile struct {
	f *os.File

	mu         sync.Mutex
	written    int64         // bytes handed to the OS
	synced     int64         // bytes covered by a successful fsync
	syncs      int           // successful fsyncs
	maxSync    time.Duration // longest fsync
	tear       int           // >= 0: the next write stores this many bytes, then fails with writeErr
	writeErr   error         // writes fail with it (after a tear, all of them)
	writeDelay time.Duration // each write takes this long before it reaches the OS
	syncErr    error         // fsyncs fail with it
	noTruncate bool          // truncation fails too (the disk is gone)
	powerLost  bool          // nothing reaches the disk any more
	survivors  int64         // synced when the power was lost
	lostAt     time.Time
}

var errPowerLost = errors.New("power lost")

// newFaultFile makes a faultFile with no fault armed; install it with hook.
func newFaultFile() *faultFile { return &faultFile{tear: -1} }

// hook is the Server.aofFileHook that installs ff.
func (ff *faultFile) hook(f *os.File) aof.File {
	ff.mu.Lock()
	defer ff.mu.Unlock()
	ff.f = f
	if st, err := f.Stat(); err == nil {
		ff.written, ff.synced = st.Size(), st.Size()
	}
	return ff
}

func (ff *faultFile) Write(p []byte) (int, error) {
	ff.mu.Lock()
	if d := ff.writeDelay; d > 0 {
		ff.mu.Unlock()
		time.Sleep(d)
		ff.mu.Lock()
	}
	defer ff.mu.Unlock()
	if ff.powerLost {
		return 0, errPowerLost
	}
	if ff.writeErr != nil {
		n := 0
		if ff.tear >= 0 {
			n = min(ff.tear, len(p))
			ff.tear = -1
			n, _ = ff.f.Write(p[:n])
			ff.written += int64(n)
		}
		return n, &os.PathError{Op: "write", Path: ff.f.Name(), Err: ff.writeErr}
	}
	n, err := ff.f.Write(p)
	ff.written += int64(n)
	return n, err
}

func (ff *faultFile) Sync() error {
	ff.mu.Lock()
	if ff.powerLost {
		ff.mu.Unlock()
		return errPowerLost
	}
	if ff.syncErr != nil {
		err := ff.syncErr
		ff.mu.Unlock()
		return &os.PathError{Op: "sync", Path: ff.f.Name(), Err: err}
	}
	target := ff.written // an fsync covers what was written before it began
	ff.mu.Unlock()
	start := time.Now()
	err := ff.f.Sync()
	took := time.Since(start)
	ff.mu.Lock()
	defer ff.mu.Unlock()
	if ff.powerLost {
		return errPowerLost // the power went during the fsync: it never returns
	}
	if err == nil {
		ff.synced = max(ff.synced, target)
		ff.syncs++
		ff.maxSync = max(ff.maxSync, took)
	}
	return err
}

func (ff *faultFile) Truncate(size int64) error {
	ff.mu.Lock()
	defer ff.mu.Unlock()
	if ff.noTruncate || ff.powerLost {
		return &os.PathError{Op: "truncate", Path: ff.f.Name(), Err: syscall.EIO}
	}
	if err := ff.f.Truncate(size); err != nil {
		return err
	}
	ff.written = min(ff.written, size)
	ff.synced = min(ff.synced, size)
	return nil
}

func (ff *faultFile) Close() error { return ff.f.Close() }

// powerLoss cuts the power: from now on nothing reaches the disk, and what survives is
// what an fsync covered. It returns the surviving size and what the OS had been given.
func (ff *faultFile) powerLoss() (survivors, written int64, at time.Time) {
	ff.mu.Lock()
	defer ff.mu.Unlock()
	ff.powerLost = true
	ff.survivors, ff.lostAt = ff.synced, time.Now()
	return ff.synced, ff.written, ff.lostAt
}

// failWrites makes writes fail with errno, the next one after storing tear bytes of
// its data (tear < 0: store nothing).
func (ff *faultFile) failWrites(errno syscall.Errno, tear int) {
	ff.mu.Lock()
	defer ff.mu.Unlock()
	ff.writeErr, ff.tear = errno, tear
}

// refuseTruncate makes truncation fail, as on a file that cannot be cut back.
func (ff *faultFile) refuseTruncate() {
	ff.mu.Lock()
	defer ff.mu.Unlock()
	ff.noTruncate = true
}

// failSyncs makes fsyncs fail with errno.
func (ff *faultFile) failSyncs(errno syscall.Errno) {
	ff.mu.Lock()
	defer ff.mu.Unlock()
	ff.syncErr = errno
}

// TestAOFRepliesFollowTheWrite checks the order of a write's reply and its AOF record
// with a slow disk: with always the reply waits for an fsync that covers the record,
// with everysec and no for the write(2) that hands it to the OS (as Redis writes its AOF
// buffer before it sends replies), so a process crash never loses an acknowledged write.
func TestAOFRepliesFollowTheWrite(t *testing.T) {
	for _, policy := range []string{"always", "everysec", "no"} {
		t.Run(policy, func(t *testing.T) {
			ff := newFaultFile()
			ff.writeDelay = 20 * time.Millisecond
			s, _ := startServerWith(t, func(s *Server) { s.aofFileHook = ff.hook }, io.Discard,
				"--appendonly", "yes", "--appendfsync", policy)
			rc := dial(t, s)
			for i := 0; i < 5; i++ {
				rc.expect("+OK\r\n", "SET", "k"+strconv.Itoa(i), "v")
				size := s.aof.log.Size()
				ff.mu.Lock()
				written, synced := ff.written, ff.synced
				ff.mu.Unlock()
				if written < size {
					t.Fatalf("SET acknowledged with %d of the log's %d bytes written", written, size)
				}
				if policy == "always" && synced < size {
					t.Fatalf("SET acknowledged with %d of the log's %d bytes fsynced", synced, size)
				}
			}
		})
	}
}

// TestAOFWriteAndFsyncErrors injects disk errors into a running server's AOF: a full
// disk, a write torn mid-record (with and without the truncation that removes the torn
// part), and an fsync that fails. The write in flight is never acknowledged (the client
// is disconnected); later writes, and PING, get Redis's MISCONF with the errno's text;
// reads go on. A restart loads what the file holds: a torn tail is cut off with
// aof-load-truncated yes (logged) and refused with no.
func TestAOFWriteAndFsyncErrors(t *testing.T) {
	cases := []struct {
		name      string
		policy    string
		arm       func(ff *faultFile)
		errText   string
		victimAck bool // the write in flight is acknowledged (everysec: fsync comes later)
		tornTail  bool // the file is left ending inside a record
	}{
		{"ENOSPC/always", "always", func(ff *faultFile) { ff.failWrites(syscall.ENOSPC, -1) }, "No space left on device", false, false},
		{"ENOSPC/everysec", "everysec", func(ff *faultFile) { ff.failWrites(syscall.ENOSPC, -1) }, "No space left on device", false, false},
		{"torn/always", "always", func(ff *faultFile) { ff.failWrites(syscall.ENOSPC, 11) }, "No space left on device", false, false},
		{"torn-untruncatable/always", "always", func(ff *faultFile) { ff.refuseTruncate(); ff.failWrites(syscall.EIO, 11) }, "Input/output error", false, true},
		{"torn-untruncatable/everysec", "everysec", func(ff *faultFile) { ff.refuseTruncate(); ff.failWrites(syscall.EIO, 11) }, "Input/output error", false, true},
		{"fsync-EIO/always", "always", func(ff *faultFile) { ff.failSyncs(syscall.EIO) }, "Input/output error", false, false},
		{"fsync-EIO/everysec", "everysec", func(ff *faultFile) { ff.failSyncs(syscall.EIO) }, "Input/output error", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := []string{"--dir", dir, "--appendonly", "yes", "--appendfsync", tc.policy}
			ff := newFaultFile()
			s, done := startServerWith(t, func(s *Server) { s.aofFileHook = ff.hook }, io.Discard, opts...)
			rc := dial(t, s)
			rc.expect("+OK\r\n", "SET", "before", "1")
			sizeBefore := s.aof.log.Size()
			tc.arm(ff)

			rc.send(encodeCommand("SET", "victim", "1"))
			rc.conn.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
			line, err := rc.r.ReadString('\n')
			switch {
			case tc.victimAck && line != "+OK\r\n":
				t.Fatalf("write in flight: got %q (%v), want +OK", line, err)
			case !tc.victimAck && err == nil:
				t.Fatalf("write in flight acknowledged with %q although its record never became durable", line)
			}

			misconf := "-MISCONF Errors writing to the AOF file: " + tc.errText + "\r\n"
			rc2 := dial(t, s)
			for deadline := time.Now().Add(5 * time.Second); ; { // everysec: the fsync fails within a second
				if got := rc2.do("PING"); got == misconf || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			rc2.expect(misconf, "PING")
			rc2.expect(misconf, "SET", "after", "1")
			rc2.expect(misconf, "INCR", "counter")
			rc2.expect("$1\r\n1\r\n", "GET", "before")
			rc2.expect("$-1\r\n", "GET", "after")
			if info := rc2.do("INFO", "persistence"); !strings.Contains(info, "aof_last_write_status:err\r\n") {
				t.Errorf("INFO persistence after the failure:\n%s", info)
			}
			stopAndWait(t, s, done)

			path := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = aof.Replay(f, func([][]byte) error { return nil })
			f.Close()
			var te *aof.ErrTruncated
			if tc.tornTail != errors.As(err, &te) || (!tc.tornTail && err != nil) {
				t.Fatalf("the file after the failure reads back with %v; torn tail expected: %v", err, tc.tornTail)
			}

			noOpts := append(opts[:len(opts):len(opts)], "--aof-load-truncated", "no")
			if tc.tornTail {
				err := listenErr(t, noOpts...)
				if err == nil || !strings.Contains(err.Error(), "unexpected end of file") || !strings.Contains(err.Error(), "aof-load-truncated") {
					t.Fatalf("restart over a torn tail with aof-load-truncated no: %v", err)
				}
				var logs syncBuffer
				s2, done2 := startServerWith(t, nil, &logs, opts...)
				dial(t, s2).expect("$1\r\n1\r\n", "GET", "before")
				stopAndWait(t, s2, done2)
				if !strings.Contains(logs.String(), "Truncating the AOF") || !strings.Contains(logs.String(), fmt.Sprintf("offset=%d", sizeBefore)) {
					t.Fatalf("truncation not logged with its offset:\n%s", logs.String())
				}
			}
			// The file now ends with a complete record: it loads even with no.
			s3, done3 := startServerDone(t, noOpts...)
			rc3 := dial(t, s3)
			rc3.expect("$1\r\n1\r\n", "GET", "before")
			rc3.expect("$-1\r\n", "GET", "after")
			rc3.expect("+OK\r\n", "SET", "after", "2") // a healthy disk takes writes again
			stopAndWait(t, s3, done3)
		})
	}
}

// TestAOFCorruptRecordNamesOffset puts garbage between two records: loading stops with
// an error naming the file and the offset, whatever aof-load-truncated says.
func TestAOFCorruptRecordNamesOffset(t *testing.T) {
	opts, path := aofWithOneSet(t, "a", "1")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := append(append(data[:len(data):len(data)], "*3\r\n$3\r\nSET\r\n$1\r\nb\r\nGARBAGE\r\n"...), encodeCommand("SET", "c", "3")...)
	if err := os.WriteFile(path, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, truncated := range []string{"yes", "no"} {
		err := listenErr(t, append(opts, "--aof-load-truncated", truncated)...)
		want := fmt.Sprintf("appendonly.aof.1.incr.aof at offset %d", len(data))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("aof-load-truncated %s: loading a corrupt record: %v, want an error naming %q", truncated, err, want)
		}
	}
}

// listenErr starts a server with opts and returns the error that kept it from
// starting or loading its data (nil if it did; it is stopped again).
func listenErr(t *testing.T, opts ...string) error {
	t.Helper()
	cfg, err := config.Load("", append([]string{"--port", "0", "--bind", "127.0.0.1", "--save", ""}, opts...))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	s := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := s.Listen(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { s.Serve(); close(done) }() //nolint:errcheck
	err = s.WaitLoaded()
	stopAndWait(t, s, done)
	return err
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
