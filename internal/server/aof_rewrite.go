package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"cairn/internal/conv"
	"cairn/internal/ds/listpack"
	"cairn/internal/keyspace"
	"cairn/internal/persist/aof"
	"cairn/internal/persist/fsync"
	"cairn/internal/resp"
	"cairn/internal/types"
)

// AOF rewrite: BGREWRITEAOF, automatic rewrites, turning appendonly on at runtime.
//
// Redis forks a child that writes the new base file while the parent appends to a new
// incremental file. Cairn cannot fork; it does the same with the fork-less snapshot
// BGSAVE uses (keyspace.Snapshot: copy on write per key, walked in short steps under
// the executor lock). In one hold of the executor lock, the rewrite switches the log
// to a new incremental file (aof.Log.Rotate) and begins the snapshot, so every write
// is either in the snapshot or in the new file, never in both and never in neither.
// The base is written from the snapshot with the lock released between steps: an RDB
// preamble (<name>.N.base.rdb) with aof-use-rdb-preamble yes, else commands as Redis's
// rewriteAppendOnlyFileRio writes them (<name>.N.base.aof). Once the base is fsynced,
// it is renamed into the AOF directory and the manifest is replaced atomically (new
// base, the incremental file being appended to, the older files as history); then
// the history files are deleted and the manifest written again, as Redis does.
//
// Until the new manifest is in place the old one names every file needed: a failed
// or interrupted rewrite loses nothing. The new incremental file is added to the
// manifest before the rewrite starts (Redis's openNewIncrAofForAppend).

// aofStatus is Redis's aof_state.
type aofStatus int

const (
	aofOff         aofStatus = iota
	aofOn                    // logging to the AOF
	aofWaitRewrite           // turned on at runtime; on once its first rewrite completes
)

// aofRewriteItemsPerCmd is AOF_REWRITE_ITEMS_PER_CMD: a collection is rewritten as
// commands of at most this many elements.
const aofRewriteItemsPerCmd = 64

// Redis's aofRewriteLimited: after this many consecutive failures automatic rewrites
// back off, from a minute doubling up to an hour.
const (
	aofRewriteLimitThreshold = 3
	aofRewriteLimitMax       = time.Hour
)

var errRewriteStopped = errors.New("the AOF rewrite was stopped")

// aofRewriteState is the AOF side of INFO persistence and the rewrite in progress.
// Guarded by the executor lock.
type aofRewriteState struct {
	status    aofStatus
	manifest  *aof.Manifest // nil until needed while the AOF is off (read from disk then)
	job       *rewriteJob   // the rewrite in progress, nil if none
	scheduled bool          // a rewrite starts as soon as no snapshot is running

	lastSecs   int64 // aof_last_rewrite_time_sec, -1 before the first
	lastFailed bool  // aof_last_bgrewrite_status
	rewrites   int64 // aof_rewrites
	failures   int64 // aof_rewrites_consecutive_failures
	baseSize   int64 // aof_base_size: the AOF's size when the last rewrite ended

	limitDelay time.Duration // aofRewriteLimited's back-off
	limitUntil time.Time
}

// rewriteJob is one rewrite in progress.
type rewriteJob struct {
	started        time.Time
	dir            string
	appendFilename string
	tmpPath        string // the new base while it is written (dir/temp-rewriteaof-bg-<pid>.aof)
	rdb            bool   // the base is an RDB preamble
	incr           *os.File
	incrName       string        // the incremental file appends switch to; nil/"" with the AOF off
	waitRewrite    bool          // the rewrite that turns the AOF on: incr is the temporary file
	manifest       *aof.Manifest // with incr added, until the goroutine has written it
	snap           *bgsaveJob
	aborted        atomic.Bool // set with snap.aborted, under the lock
	done           chan struct{}
}

var aofProcs = procTable{
	"bgrewriteaof": bgrewriteaofCommand,
}

// initAOF sets the AOF state a server starts with and its CONFIG SET hooks.
func (s *Server) initAOF() {
	s.aofrw.lastSecs = -1
	s.registerAOFConfig()
}

// BGREWRITEAOF
func bgrewriteaofCommand(c *client) {
	s := c.srv
	switch {
	case s.aofrw.job != nil:
		c.addError("ERR Background append only file rewriting already in progress")
	case s.rdb.bgsaveRunning || c.multi != nil:
		s.aofrw.scheduled = true
		s.aofrw.failures = 0 // a rewrite asked for by hand starts at once
		c.w.SimpleString("Background append only file rewriting scheduled")
	default:
		if err := s.rewriteAppendOnlyFileBackground(); err != nil {
			c.addError("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
			return
		}
		c.w.SimpleString("Background append only file rewriting started")
	}
}

// rewriteBusy reports whether a background snapshot (BGSAVE or a rewrite) runs:
// Redis's hasActiveChildProcess.
func (s *Server) rewriteBusy() bool { return s.rdb.bgsaveRunning || s.aofrw.job != nil }

// rewriteAppendOnlyFileBackground starts a rewrite (Redis's function of that name):
// with the AOF on, it adds a new incremental file to the manifest for the writes made
// from the snapshot on. The snapshot itself is taken by the rewrite's goroutine, in
// the same hold of the lock as the switch to that file. Caller holds the lock.
func (s *Server) rewriteAppendOnlyFileBackground() error {
	if s.rewriteBusy() {
		return errors.New("another background operation is in progress")
	}
	cfg := s.cfg
	dir := s.aofDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		s.log.Warn(fmt.Sprintf("Can't open or create append-only dir %s: %v", cfg.AppendDirname, err))
		s.aofrw.lastFailed = true
		return err
	}
	if s.aofrw.manifest == nil {
		m, _, err := aof.LoadManifest(dir, cfg.AppendFilename)
		if err != nil {
			s.log.Warn("Can't read the AOF manifest", "err", err)
			s.aofrw.lastFailed = true
			return err
		}
		s.aofrw.manifest = m
	}
	j := &rewriteJob{
		started:        time.Now(),
		dir:            dir,
		appendFilename: cfg.AppendFilename,
		tmpPath:        filepath.Join(cfg.Dir, fmt.Sprintf("temp-rewriteaof-bg-%d.aof", s.pid)),
		rdb:            cfg.AOFUseRDBPreamble,
		waitRewrite:    s.aofrw.status == aofWaitRewrite,
		snap:           &bgsaveJob{aofBase: cfg.AOFUseRDBPreamble},
		done:           make(chan struct{}),
	}
	if s.aofrw.status != aofOff {
		if err := s.openRewriteIncr(j); err != nil {
			s.log.Warn(fmt.Sprintf("Can't open the append-only file %s: %v", j.incrName, err))
			s.aofrw.lastFailed = true
			return err
		}
		s.log.Info("Creating AOF incr file " + j.incrName + " on background rewrite")
	}
	s.aofrw.rewrites++
	s.aofrw.job = j
	s.aofrw.scheduled = false
	s.log.Info("Background append only file rewriting started (fork-less snapshot)")
	go s.runRewrite(j)
	return nil
}

// openRewriteIncr opens the incremental file the log switches to when the rewrite's
// snapshot is taken: the temporary one while the AOF is being turned on, else the
// next one, which the rewrite's goroutine adds to the manifest before the switch.
func (s *Server) openRewriteIncr(j *rewriteJob) error {
	if j.waitRewrite {
		j.incrName = aof.TempIncrName(j.appendFilename)
	} else {
		j.manifest = s.aofrw.manifest.Clone()
		j.incrName = j.manifest.AddIncr(j.appendFilename)
	}
	f, err := os.OpenFile(filepath.Join(j.dir, j.incrName), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	j.incr = f
	return nil
}

// runRewrite is the rewrite's goroutine: new incremental file in the manifest, then
// snapshot, base file, new manifest.
func (s *Server) runRewrite(j *rewriteJob) {
	defer close(j.done)
	var err error
	if j.manifest != nil {
		// Listed before any write goes to it (no other rewrite changes the manifest
		// meanwhile), and without the lock: the fsyncs never pause the executor.
		err = aof.WriteManifest(j.dir, j.appendFilename, j.manifest)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && j.manifest != nil {
		s.aofrw.manifest = j.manifest
		j.manifest = nil
	}
	if err == nil && j.aborted.Load() {
		err = errRewriteStopped
	}
	if err == nil {
		s.switchToRewriteIncr(j)
		err = s.writeRewriteBase(j)
		if err == nil && j.aborted.Load() {
			err = errRewriteStopped
		}
		if err == nil {
			err = s.installRewrite(j)
		}
	}
	s.endRewrite(j, err)
}

// switchToRewriteIncr makes writes go to the rewrite's incremental file from now on
// (the snapshot begins in the same hold of the lock). Caller holds the lock.
func (s *Server) switchToRewriteIncr(j *rewriteJob) {
	f := j.incr
	if f == nil {
		return
	}
	j.incr = nil // the log owns it now
	if j.waitRewrite {
		policy := aof.ParsePolicy(s.cfg.AppendFsync)
		s.aof = &aofState{log: aof.NewLog(f, 0, policy), policy: policy, dir: j.dir, db: -1}
		s.aof.log.SetNotify(s.wakeFsyncWaiters)
		return
	}
	a := s.aof
	off := a.log.Rotate(f)
	a.sizeOther += off - a.fileStart
	a.fileStart = off
	a.db = -1 // the new file starts with a SELECT
}

// writeRewriteBase writes the snapshot to the temporary base file and fsyncs it.
// Caller holds the lock, which is released while the file is written.
func (s *Server) writeRewriteBase(j *rewriteJob) error {
	f, err := os.OpenFile(j.tmpPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("opening the temp file for AOF rewrite: %w", err)
	}
	bw := newSaveFile(f)
	if j.rdb {
		err = s.writeSnapshot(bw, j.snap)
	} else {
		err = s.writeRESPSnapshot(bw, j.snap)
	}
	s.mu.Unlock()
	err = bw.finish(err)
	s.mu.Lock()
	if err == nil {
		s.log.Info("Successfully created the temporary AOF base file " + filepath.Base(j.tmpPath))
	}
	return err
}

// installRewrite puts the new base in place: renames it (and, when turning the AOF on,
// the temporary incremental file) into the AOF directory and replaces the manifest,
// then deletes the history files. Caller holds the lock; the file operations run with
// it released (no other rewrite can change the manifest meanwhile).
func (s *Server) installRewrite(j *rewriteJob) error {
	m := s.aofrw.manifest.Clone()
	baseName := m.NewBase(j.appendFilename, j.rdb)
	incrName := ""
	if j.waitRewrite {
		incrName = m.AddIncr(j.appendFilename)
	}
	m.IncrToHistory(j.incrName != "")
	s.mu.Unlock()
	basePath := filepath.Join(j.dir, baseName)
	err := os.Rename(j.tmpPath, basePath)
	if err != nil {
		err = fmt.Errorf("error trying to rename the temporary AOF file %s into %s: %w", filepath.Base(j.tmpPath), baseName, err)
	} else {
		s.log.Info(fmt.Sprintf("Successfully renamed the temporary AOF base file %s into %s", filepath.Base(j.tmpPath), baseName))
	}
	if err == nil && incrName != "" {
		if err = os.Rename(filepath.Join(j.dir, j.incrName), filepath.Join(j.dir, incrName)); err != nil {
			err = fmt.Errorf("error trying to rename the temporary AOF incr file %s into %s: %w", j.incrName, incrName, err)
			os.Remove(basePath)
		} else {
			s.log.Info(fmt.Sprintf("Successfully renamed the temporary AOF incr file %s into %s", j.incrName, incrName))
		}
	}
	if err == nil {
		if err = aof.WriteManifest(j.dir, j.appendFilename, m); err != nil {
			// The old manifest stands and names every file it needs.
			os.Remove(basePath)
			if incrName != "" {
				os.Rename(filepath.Join(j.dir, incrName), filepath.Join(j.dir, j.incrName)) //nolint:errcheck // best effort: the rewrite has failed
			}
		}
	}
	var baseSize int64
	if st, serr := os.Stat(basePath); serr == nil {
		baseSize = st.Size()
	}
	s.mu.Lock()
	if err != nil {
		return err
	}
	s.aofrw.manifest = m
	s.aofrw.baseSize = baseSize
	if a := s.aof; a != nil {
		a.db = -1 // SELECT is issued again, as Redis does
		a.sizeOther = baseSize
		s.aofrw.baseSize = a.currentSize()
	}
	s.deleteHistoryFiles(j.dir, m)
	if s.aofrw.status == aofWaitRewrite {
		s.aofrw.status = aofOn
	}
	return nil
}

// deleteHistoryFiles deletes the manifest's history files and writes the manifest
// without them (Redis's aofDelHistoryFiles). A failure here costs nothing but disk
// space: the files are not named as needed any more. Caller holds the lock, which is
// released for the file operations; m must be s.aofrw.manifest.
func (s *Server) deleteHistoryFiles(dir string, m *aof.Manifest) {
	if len(m.History) == 0 {
		return
	}
	next := m.Clone()
	next.History = nil
	appendFilename := s.cfg.AppendFilename
	s.mu.Unlock()
	for _, h := range m.History {
		s.log.Info("Removing the history file " + h.Name + " in the background")
		if err := os.Remove(filepath.Join(dir, h.Name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("Can't remove the AOF history file", "file", h.Name, "err", err)
		}
	}
	err := aof.WriteManifest(dir, appendFilename, next)
	s.mu.Lock()
	if err != nil {
		s.log.Warn("Can't write the AOF manifest after removing history files", "err", err)
		return
	}
	if s.aofrw.manifest == m {
		s.aofrw.manifest = next
	}
}

// endRewrite records how the rewrite ended and starts what waited for it. Caller
// holds the lock.
func (s *Server) endRewrite(j *rewriteJob, err error) {
	if j.incr != nil { // stopped or failed before the switch
		j.incr.Close()
		j.incr = nil
		if j.manifest != nil { // and never listed in the manifest
			os.Remove(filepath.Join(j.dir, j.incrName))
		}
	}
	removeFile(j.tmpPath)
	switch {
	case j.aborted.Load():
		if j.waitRewrite {
			os.Remove(filepath.Join(j.dir, j.incrName))
		}
	case err != nil:
		s.aofrw.lastFailed = true
		s.aofrw.failures++
		s.aofrw.lastSecs = int64(time.Since(j.started).Seconds())
		s.log.Warn("Background AOF rewrite terminated with error", "err", err)
		if j.waitRewrite && s.aofrw.status == aofWaitRewrite {
			// What the temporary file holds is lost with it, as in Redis; the next
			// rewrite's snapshot covers it.
			if a := s.aof; a != nil {
				a.log.Close() //nolint:errcheck // the file is being discarded
				s.aof = nil
			}
			os.Remove(filepath.Join(j.dir, j.incrName))
			s.aofrw.scheduled = true
		}
	default:
		s.aofrw.lastFailed = false
		s.aofrw.failures = 0
		s.aofrw.lastSecs = int64(time.Since(j.started).Seconds())
		s.log.Info("Background AOF rewrite finished successfully")
	}
	s.aofrw.job = nil
	s.startScheduledBgsave()
}

// removeFile removes path if it is a regular file (a temporary file of ours; never
// what else took its name).
func removeFile(path string) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
		os.Remove(path)
	}
}

// killRewrite stops the rewrite in progress, if any (Redis's killAppendOnlyChild):
// its goroutine notices at its next step, discards its files and exits. Caller holds
// the lock.
func (s *Server) killRewrite() {
	if j := s.aofrw.job; j != nil && !j.aborted.Load() {
		s.log.Info("Killing running AOF rewrite (fork-less snapshot)")
		j.abort()
	}
}

// abort stops the rewrite at its next step. Caller holds the lock.
func (j *rewriteJob) abort() {
	j.aborted.Store(true)
	j.snap.aborted = true
}

// aofCron is serverCron's AOF part: a scheduled rewrite starts once nothing else
// runs, and with the AOF on a rewrite starts when it has grown
// auto-aof-rewrite-percentage past its size after the last rewrite (and is at least
// auto-aof-rewrite-min-size). Caller holds the lock.
func (s *Server) aofCron(now time.Time) {
	rw := &s.aofrw
	if s.rewriteBusy() {
		return
	}
	if rw.scheduled && !s.aofRewriteLimited(now) {
		s.rewriteAppendOnlyFileBackground() //nolint:errcheck // logged; retried by the next tick while scheduled
		return
	}
	a := s.aof
	if rw.status != aofOn || a == nil || s.cfg.AutoAOFRewritePercentage == 0 {
		return
	}
	size := a.currentSize()
	if size <= s.cfg.AutoAOFRewriteMinSize {
		return
	}
	base := max(rw.baseSize, 1)
	growth := size*100/base - 100
	if growth >= int64(s.cfg.AutoAOFRewritePercentage) && !s.aofRewriteLimited(now) {
		s.log.Info(fmt.Sprintf("Starting automatic rewriting of AOF on %d%% growth", growth))
		s.rewriteAppendOnlyFileBackground() //nolint:errcheck // logged
	}
}

// aofRewriteLimited is Redis's: after repeated failures, automatic and scheduled
// rewrites wait 1, 2, 4... up to 60 minutes between attempts.
func (s *Server) aofRewriteLimited(now time.Time) bool {
	rw := &s.aofrw
	if rw.failures < aofRewriteLimitThreshold {
		rw.limitDelay, rw.limitUntil = 0, time.Time{}
		return false
	}
	if !rw.limitUntil.IsZero() {
		if now.Before(rw.limitUntil) {
			return true
		}
		rw.limitUntil = time.Time{}
		return false
	}
	rw.limitDelay = min(max(2*rw.limitDelay, time.Minute), aofRewriteLimitMax)
	rw.limitUntil = now.Add(rw.limitDelay)
	s.log.Warn(fmt.Sprintf("Background AOF rewrite has repeatedly failed and triggered the limit, will retry in %d minutes", int(rw.limitDelay/time.Minute)))
	return true
}

// infoAOF writes the aof_* fields of INFO persistence, in Redis 7.0's order. There is
// no fork, so no copy-on-write to report (aof_last_cow_size 0), and no bio thread
// (aof_pending_bio_fsync 0; fsyncs run in the log's own goroutines).
func (s *Server) infoAOF(ib *infoBuilder) {
	rw := &s.aofrw
	ib.int("aof_enabled", int64(b2i(rw.status != aofOff)))
	ib.int("aof_rewrite_in_progress", int64(b2i(rw.job != nil)))
	ib.int("aof_rewrite_scheduled", int64(b2i(rw.scheduled)))
	ib.int("aof_last_rewrite_time_sec", rw.lastSecs)
	current := int64(-1)
	if rw.job != nil {
		current = int64(time.Since(rw.job.started).Seconds())
	}
	ib.int("aof_current_rewrite_time_sec", current)
	ib.str("aof_last_bgrewrite_status", okOrErr(!rw.lastFailed))
	ib.int("aof_rewrites", rw.rewrites)
	ib.int("aof_rewrites_consecutive_failures", rw.failures)
	ib.str("aof_last_write_status", okOrErr(s.aof == nil || s.aof.log.Err() == nil))
	ib.int("aof_last_cow_size", 0)
	ib.int("module_fork_in_progress", 0)
	ib.int("module_fork_last_cow_size", 0)
	if rw.status == aofOff {
		return
	}
	var size, buffered int64
	if a := s.aof; a != nil {
		size = a.currentSize()
		_, written, _ := a.log.Stats()
		buffered = max(a.log.Size()-written, 0)
	}
	ib.int("aof_current_size", size)
	ib.int("aof_base_size", rw.baseSize)
	ib.int("aof_pending_rewrite", int64(b2i(rw.scheduled)))
	ib.int("aof_buffer_length", buffered)
	ib.int("aof_pending_bio_fsync", 0)
	ib.int("aof_delayed_fsync", 0)
}

// writeBaseFile writes the whole data set to path as an AOF base file, under the lock
// (the base Redis creates at start for an empty AOF directory), and returns its size.
func (s *Server) writeBaseFile(path string, rdbPreamble bool) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return 0, err
	}
	bw := newSaveFile(f)
	cw := &countingWriter{w: bw}
	if rdbPreamble {
		err = s.writeSnapshot(cw, &bgsaveJob{aofBase: true})
	} else {
		err = s.writeRESPSnapshot(cw, nil)
	}
	return cw.n, bw.finish(err)
}

// saveFile is a snapshot file being written (an RDB, an AOF base): buffered, with
// fsyncs started in the background as it grows, as Redis's incremental fsync, and a
// final fsync that holds no processor while the disk works (see package fsync).
type saveFile struct {
	*bufio.Writer
	f    *os.File
	sync *fsync.Writer
}

func newSaveFile(f *os.File) *saveFile {
	sw := fsync.NewWriter(f)
	return &saveFile{Writer: bufio.NewWriterSize(sw, 1<<16), f: f, sync: sw}
}

// finish completes the file: the buffered bytes, an fsync, close. An earlier error
// err wins; the file is closed either way.
func (w *saveFile) finish(err error) error {
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = w.sync.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeRESPSnapshot writes the data set, as of now, as the commands that rebuild it
// (Redis's rewriteAppendOnlyFileRio): FUNCTION LOAD for each library, then per
// database a SELECT and per key one SET, RPUSH, SADD, ZADD or HMSET (collections in
// commands of at most 64 elements) and a PEXPIREAT for a key with a deadline. job as
// for writeSnapshot.
func (s *Server) writeRESPSnapshot(w io.Writer, job *bgsaveJob) error {
	var out bytes.Buffer
	rw := resp.Writer{Proto: 2}
	for _, lib := range s.sortedLibraries() {
		rw.B = appendRESPCommand(rw.B[:0], []byte("FUNCTION"), []byte("LOAD"), lib.Code)
		out.Write(rw.B)
	}
	curDB := -1
	var emitErr error
	snap := s.ks.BeginSnapshot(func(db int, key string, e *keyspace.Entry) {
		if emitErr != nil {
			return
		}
		rw.B = rw.B[:0]
		if db != curDB {
			rw.B = appendRESPCommand(rw.B, []byte("SELECT"), strconv.AppendInt(nil, int64(db), 10))
			curDB = db
		}
		if emitErr = rewriteKey(&rw, keyView(key), e); emitErr == nil {
			out.Write(rw.B)
		}
	})
	if err := s.streamSnapshot(snap, job, &out, w, func() error { return emitErr }); err != nil {
		return err
	}
	return s.drainSnapshot(&out, w, job)
}

// rewriteKey appends the commands that rebuild one key.
func rewriteKey(w *resp.Writer, key []byte, e *keyspace.Entry) error {
	o := &e.Obj
	switch o.Type {
	case keyspace.TypeString:
		w.ArrayLen(3)
		w.BulkString("SET")
		w.Bulk(key)
		if o.Enc == keyspace.EncInt {
			w.BulkInt(o.Int)
		} else {
			w.Bulk(o.Str)
		}
	case keyspace.TypeList:
		l := o.Ptr.(*types.List)
		b := newItemBatcher(w, "RPUSH", key, l.Len(), 1)
		l.Each(func(e types.ListEntry) bool { b.item(); bulkEntry(w, e); return true })
	case keyspace.TypeSet:
		set := o.Ptr.(*types.Set)
		b := newItemBatcher(w, "SADD", key, set.Len(), 1)
		set.Iterate(func(m types.Member) bool {
			b.item()
			bulkEntry(w, listpack.Entry{Str: m.Str, Int: m.Int, IsInt: m.IsInt})
			return true
		})
	case keyspace.TypeZSet:
		z := o.Ptr.(*types.ZSet)
		b := newItemBatcher(w, "ZADD", key, z.Len(), 2)
		var num []byte
		z.Each(func(member []byte, score float64) bool {
			b.item()
			num = conv.FormatDouble(num[:0], score)
			w.Bulk(num)
			w.Bulk(member)
			return true
		})
	case keyspace.TypeHash:
		h := o.Ptr.(*types.Hash)
		b := newItemBatcher(w, "HMSET", key, h.Len(), 2)
		h.Iterate(func(f, v listpack.Entry) bool {
			b.item()
			bulkEntry(w, f)
			bulkEntry(w, v)
			return true
		})
	default:
		return fmt.Errorf("key %q: type %s cannot be rewritten yet", key, o.Type)
	}
	if e.ExpireAt != 0 {
		w.ArrayLen(3)
		w.BulkString("PEXPIREAT")
		w.Bulk(key)
		w.BulkInt(e.ExpireAt)
	}
	return nil
}

// itemBatcher writes a collection as commands of at most aofRewriteItemsPerCmd
// items (each of width arguments), as Redis's rewriteListObject and its siblings.
type itemBatcher struct {
	w            *resp.Writer
	cmd          string
	key          []byte
	width        int // arguments per item
	left         int // items not yet written
	inCmd        int // items written in the current command
	itemsThisCmd int
}

func newItemBatcher(w *resp.Writer, cmd string, key []byte, items, width int) *itemBatcher {
	return &itemBatcher{w: w, cmd: cmd, key: key, left: items, width: width}
}

// item starts a new command when the previous one is full; the caller then writes
// the item's arguments.
func (b *itemBatcher) item() {
	if b.inCmd == 0 {
		b.itemsThisCmd = min(b.left, aofRewriteItemsPerCmd)
		b.w.ArrayLen(2 + b.itemsThisCmd*b.width)
		b.w.BulkString(b.cmd)
		b.w.Bulk(b.key)
	}
	b.left--
	if b.inCmd++; b.inCmd == b.itemsThisCmd {
		b.inCmd = 0
	}
}

// bulkEntry writes a compact-encoding entry as a bulk string.
func bulkEntry(w *resp.Writer, e listpack.Entry) {
	if e.IsInt {
		w.BulkInt(e.Int)
		return
	}
	w.Bulk(e.Str)
}
