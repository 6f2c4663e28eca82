package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"
	"unsafe"

	"cairn/internal/ds/listpack"
	"cairn/internal/ds/quicklist"
	"cairn/internal/keyspace"
	"cairn/internal/persist/rdb"
	"cairn/internal/types"
)

// RDB snapshots: SAVE, fork-less BGSAVE, save points, loading at start.
//
// Both SAVE and BGSAVE use a keyspace.Snapshot (point-in-time, copy on write per key)
// feeding an rdb.Encoder that writes into an in-memory buffer. SAVE runs it to the end
// under the executor lock, as Redis's SAVE blocks. BGSAVE runs in a goroutine that
// takes the lock for one short step at a time (a few thousand table slots), takes the
// bytes encoded so far and writes them to the file with the lock released; writes in
// between steps save the keys they touch first. The file is written to a temporary
// name, fsynced and renamed over dbfilename, as Redis does.

// A BGSAVE step walks the table under the lock in bursts of snapshotStepSlots slots
// until snapshotStepTime has passed, so that the executor is paused for about that
// long at a time whatever the sizes of the values (4,096-slot steps paused it for
// 10-20 ms on 1M keys with the server on one CPU). A 1M-key BGSAVE on one CPU, PING
// during it: 1 ms steps gave p99 1.5 ms and a save of 130 ms; 250 µs steps p99 0.5-0.9
// ms and 140-170 ms (redis-server's fork: 5-11 ms longest, a save of 900 ms).
const (
	snapshotStepSlots = 256
	snapshotStepTime  = 250 * time.Microsecond
	snapshotYield     = 20 * time.Microsecond
)

// rdbState is the RDB side of INFO persistence. Guarded by the executor lock.
type rdbState struct {
	bgsaveRunning   bool
	bgsaveStarted   time.Time
	lastBgsaveOK    bool
	bgsaveFailed    bool // the last BGSAVE failed and no save succeeded since
	lastBgsaveSecs  int64
	saves           int64
	dirtyAtStart    int64
	lastSaveError   error
	loadKeysLoaded  int64
	loadKeysExpired int64
	scheduled       bool       // BGSAVE SCHEDULE while another save runs
	job             *bgsaveJob // the running BGSAVE, nil when none
	lastTry         int64      // when the last BGSAVE started, Unix seconds
}

// rdbPath is dir/dbfilename.
func (s *Server) rdbPath() string { return filepath.Join(s.cfg.Dir, s.cfg.DBFilename) }

// valueToRDB describes an object for the encoder without copying its data.
func valueToRDB(o *keyspace.Object) (rdb.Value, error) {
	switch o.Type {
	case keyspace.TypeString:
		if o.Enc == keyspace.EncInt {
			return rdb.Value{Type: o.Type, Enc: rdb.EncInt, Int: o.Int}, nil
		}
		return rdb.Value{Type: o.Type, Enc: rdb.EncRaw, Str: o.Str}, nil
	case keyspace.TypeList:
		l := o.Ptr.(*types.List)
		ql := l.Quicklist()
		return rdb.Value{Type: o.Type, Enc: rdb.EncQuicklist, Len: ql.NodeCount(), NodeSeq: ql.Nodes}, nil
	}
	if conv, ok := o.Ptr.(rdbValuer); ok {
		return conv.RDBValue(), nil
	}
	return rdb.Value{}, fmt.Errorf("type %s cannot be saved yet", o.Type)
}

// rdbValuer is implemented by collection types that describe themselves for the RDB
// encoder (hash, set, sorted set).
type rdbValuer interface{ RDBValue() rdb.Value }

// objectFromRDB builds an object from a decoded value, applying the encoding
// thresholds lim as Redis does after loading. It copies what it keeps of v, except
// what the decoder hands over (see rdb.Record), and touches no server state: the
// loader calls it without the executor lock.
func objectFromRDB(v *rdb.Value, lim types.Limits) (keyspace.Object, error) {
	switch v.Type {
	case keyspace.TypeString:
		if v.Enc == rdb.EncInt {
			return keyspace.NewIntObject(v.Int), nil
		}
		return keyspace.NewStringObject(v.Str, nil), nil
	case keyspace.TypeList:
		ql := quicklist.New(lim.ListMaxListpackSize, lim.ListCompressDepth)
		switch v.Enc {
		case rdb.EncQuicklist:
			for _, n := range v.Nodes {
				if n.Plain {
					ql.AppendPlain(n.Data)
					continue
				}
				lp, err := listpackFromRDB(n.Data)
				if err != nil {
					return keyspace.Object{}, err
				}
				ql.AppendListpack(lp)
			}
		default:
			for _, e := range v.Elems {
				ql.PushTail(e)
			}
		}
		return keyspace.Object{Type: keyspace.TypeList, Enc: keyspace.EncQuicklist, Ptr: types.NewListFromQuicklist(ql)}, nil
	}
	if load := rdbLoaders[v.Type]; load != nil {
		return load(v, lim)
	}
	return keyspace.Object{}, fmt.Errorf("type %s cannot be loaded yet", v.Type)
}

// rdbLoaders builds collection objects of the types that register here (hash, set,
// sorted set) from decoded values.
var rdbLoaders = map[keyspace.Type]func(v *rdb.Value, lim types.Limits) (keyspace.Object, error){
	keyspace.TypeHash: func(v *rdb.Value, lim types.Limits) (keyspace.Object, error) {
		h, err := types.HashFromRDB(v, lim)
		if err != nil {
			return keyspace.Object{}, err
		}
		return keyspace.Object{Type: keyspace.TypeHash, Enc: h.Encoding(), Ptr: h}, nil
	},
}

// bgsaveJob is one running BGSAVE, or the snapshot of an AOF rewrite. Guarded by the
// executor lock.
type bgsaveJob struct {
	snap    *keyspace.Snapshot
	aborted bool   // abortBgsave stopped it: its goroutine only removes its temp file
	aofBase bool   // the snapshot is an AOF base file's RDB preamble
	scratch []byte // drainSnapshot's copy of a step's bytes
}

// errBgsaveAborted ends a BGSAVE that FLUSHALL, DEBUG RELOAD or SHUTDOWN stopped.
var errBgsaveAborted = errors.New("background save aborted")

// writeSnapshot encodes the whole keyspace and the function libraries, as of now, to
// w in RDB format (with the aof-base aux field set for an AOF base's RDB preamble,
// job.aofBase). With a job (BGSAVE, BGREWRITEAOF) it releases the executor lock
// between steps and stops with errBgsaveAborted when the job is aborted meanwhile;
// without one (SAVE) it runs to the end under the lock. The caller holds the lock on
// entry and on return either way.
func (s *Server) writeSnapshot(w io.Writer, job *bgsaveJob) error {
	var buf bytes.Buffer
	enc := rdb.NewEncoder(&buf, rdb.EncoderOptions{Compress: s.cfg.RDBCompression, Checksum: s.cfg.RDBChecksum})
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if err := enc.WriteHeader(rdb.DefaultAux(time.Now(), int64(m.HeapAlloc), job != nil && job.aofBase)); err != nil {
		return err
	}
	for _, lib := range s.sortedLibraries() {
		if err := enc.WriteFunction(lib.Code); err != nil {
			return err
		}
	}
	curDB := -1
	var encErr error
	snap := s.ks.BeginSnapshot(func(db int, key string, e *keyspace.Entry) {
		if encErr != nil {
			return
		}
		if db != curDB {
			d := s.ks.DBs[db]
			if encErr = enc.SelectDB(db, uint64(d.Len()), uint64(d.VolatileLen())); encErr != nil {
				return
			}
			curDB = db
		}
		v, err := valueToRDB(&e.Obj)
		if err != nil {
			encErr = fmt.Errorf("key %q: %w", key, err)
			return
		}
		encErr = enc.WriteKey(keyView(key), rdb.KeyMeta{ExpireAt: e.ExpireAt}, &v)
	})
	err := s.streamSnapshot(snap, job, &buf, w, func() error {
		if err := enc.Flush(); err != nil && encErr == nil {
			encErr = err
		}
		return encErr
	})
	if err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return s.drainSnapshot(&buf, w, job)
}

// keyView is a stored key as bytes without a copy, for encoders that only read it
// while they run: a snapshot emits every key, and a copy of each was the bulk of a
// save's extra memory (16 MB of garbage for 1M keys). The bytes must not be changed.
func keyView(key string) []byte { return unsafe.Slice(unsafe.StringData(key), len(key)) }

// streamSnapshot runs snap to its end and hands what its emit function put in out to
// w after each step: a few thousand table slots per step with a job, all at once
// without. flush runs after each step: it moves an encoder's buffered bytes into out
// and reports an emit error. With a job, rdb-key-save-delay (a testing knob:
// microseconds per key saved) is slept after each step with the lock released. The
// caller holds the lock on entry and on return; on an error the snapshot is aborted.
func (s *Server) streamSnapshot(snap *keyspace.Snapshot, job *bgsaveJob, out *bytes.Buffer, w io.Writer, flush func() error) error {
	step := 1 << 20
	if job != nil {
		job.snap = snap
		step = snapshotStepSlots
	}
	for {
		before := snap.Emitted()
		done := snap.Step(step)
		if job != nil {
			for start := time.Now(); !done && time.Since(start) < snapshotStepTime; {
				done = snap.Step(step)
			}
		}
		if err := flush(); err != nil {
			snap.Abort()
			return err
		}
		if job != nil {
			s.keySaveDelay(snap.Emitted() - before)
		}
		if done {
			return nil
		}
		if err := s.drainSnapshot(out, w, job); err != nil {
			snap.Abort() // a no-op if abortBgsave already released it
			return err
		}
	}
}

// drainSnapshot writes what out holds to w; with a job, with the lock released, and it
// reports errBgsaveAborted if the job was aborted meanwhile. Caller holds the lock.
func (s *Server) drainSnapshot(out *bytes.Buffer, w io.Writer, job *bgsaveJob) error {
	if out.Len() == 0 {
		return nil
	}
	if job == nil { // the lock stays held: nothing else appends to out meanwhile
		_, err := w.Write(out.Bytes())
		out.Reset()
		return err
	}
	// Writes between steps emit into out while w writes: hand w a copy, in a buffer
	// reused from step to step.
	job.scratch = append(job.scratch[:0], out.Bytes()...)
	out.Reset()
	s.mu.Unlock()
	// Let the clients that became ready during the step run before the next one. A
	// yield (runtime.Gosched) is not enough: with one P (GOMAXPROCS=1, a server on one
	// CPU) the scheduler polls the network only when nothing else is runnable, so the
	// I/O loops waited for sysmon's 10 ms poll (PING during a 1M-key BGSAVE: p99 10 ms,
	// max 20 ms). A short sleep leaves nothing runnable.
	time.Sleep(snapshotYield)
	_, err := w.Write(job.scratch)
	if hook := s.bgsaveStepHook; hook != nil {
		hook()
	}
	s.mu.Lock()
	if err == nil && job.aborted {
		err = errBgsaveAborted
	}
	return err
}

// keySaveDelay is rdb-key-save-delay for keys saved in a step: the delay times keys
// (a negative delay -n: one microsecond per n keys), slept with the lock released
// (Redis's child sleeps per key). Caller holds the lock.
func (s *Server) keySaveDelay(keys int) {
	d := s.cfg.RDBKeySaveDelay
	if d == 0 || keys == 0 {
		return
	}
	pause := time.Duration(keys*d) * time.Microsecond
	if d < 0 {
		pause = time.Duration(keys/-d) * time.Microsecond
	}
	s.mu.Unlock()
	time.Sleep(pause)
	s.mu.Lock()
}

// saveRDB writes the snapshot to dbfilename through a temporary file that replaces it
// only when complete and fsynced; job as for writeSnapshot. Caller holds the lock (a
// BGSAVE releases it while it writes and fsyncs, and checks for an abort before the
// rename).
func (s *Server) saveRDB(job *bgsaveJob) error {
	path := s.rdbPath()
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf("temp-%d-%d.rdb", os.Getpid(), time.Now().UnixNano()))
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("failed opening the temp RDB file %s: %w", tmp, err)
	}
	bw := newSaveFile(f)
	err = s.writeSnapshot(bw, job)
	if job != nil {
		s.mu.Unlock()
	}
	err = bw.finish(err)
	if job != nil {
		s.mu.Lock()
		if err == nil && job.aborted {
			err = errBgsaveAborted
		}
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// rdbSave is Redis's rdbSave: a synchronous save under the lock (SAVE, FLUSHALL,
// SHUTDOWN, DEBUG RELOAD). Afterwards nothing is unsaved. Caller holds the lock and
// has made sure no BGSAVE runs.
func (s *Server) rdbSave() error {
	// An AOF rewrite's snapshot is completed first (the rest of it is buffered for the
	// rewrite): the keyspace runs one snapshot at a time.
	s.ks.FinishSnapshot()
	if err := s.saveRDB(nil); err != nil {
		s.log.Warn(fmt.Sprintf("Write error saving DB on disk: %v", err))
		s.rdb.lastSaveError = err
		return err
	}
	s.dirty = 0
	s.lastSave = time.Now().Unix()
	s.rdb.lastBgsaveOK = true
	s.rdb.bgsaveFailed = false
	s.log.Info("DB saved on disk")
	return nil
}

// save is SAVE. Caller holds the lock.
func (s *Server) save() error {
	if s.rdb.bgsaveRunning {
		return errors.New("ERR Background save already in progress")
	}
	if err := s.rdbSave(); err != nil {
		return err
	}
	s.rdb.saves++
	return nil
}

// bgsave starts a fork-less background save. Caller holds the lock.
func (s *Server) bgsave() error {
	if s.rdb.bgsaveRunning {
		return errors.New("ERR Background save already in progress")
	}
	if s.aofrw.job != nil {
		return errors.New(errBgsaveChildActive)
	}
	job := &bgsaveJob{}
	s.rdb.job = job
	s.rdb.bgsaveRunning = true
	s.rdb.bgsaveStarted = time.Now()
	s.rdb.lastTry = s.rdb.bgsaveStarted.Unix()
	s.rdb.dirtyAtStart = s.dirty
	s.rdb.saves++
	s.log.Info("Background saving started (fork-less snapshot)")
	s.bgWG.Add(1)
	go func() {
		defer s.bgWG.Done()
		s.mu.Lock()
		defer s.mu.Unlock()
		err := s.saveRDB(job)
		if job.aborted {
			return // abortBgsave did the bookkeeping; the temp file is gone
		}
		s.rdb.job = nil
		s.rdb.bgsaveRunning = false
		s.rdb.lastBgsaveSecs = int64(time.Since(s.rdb.bgsaveStarted).Seconds())
		if err != nil {
			s.rdb.lastBgsaveOK = false
			s.rdb.bgsaveFailed = true
			s.rdb.lastSaveError = err
			s.log.Warn("Background saving error", "err", err)
			return
		}
		s.dirty -= s.rdb.dirtyAtStart
		s.lastSave = time.Now().Unix()
		s.rdb.lastBgsaveOK = true
		s.rdb.bgsaveFailed = false
		s.log.Info("Background saving terminated with success")
		s.startScheduledBgsave()
	}()
	return nil
}

// abortBgsave stops a running BGSAVE at once, as Redis's killRDBChild: the snapshot
// is released now, and the save's goroutine removes its temporary file as soon as it
// gets the lock back, so a partial file never replaces dump.rdb. A scheduled BGSAVE
// stays scheduled. Caller holds the lock.
func (s *Server) abortBgsave() {
	job := s.rdb.job
	if job == nil {
		return
	}
	job.aborted = true
	if job.snap != nil {
		job.snap.Abort()
	}
	s.rdb.job = nil
	s.rdb.bgsaveRunning = false
	s.rdb.lastBgsaveSecs = int64(time.Since(s.rdb.bgsaveStarted).Seconds())
	s.log.Warn("Background saving aborted")
}

// startScheduledBgsave starts the BGSAVE that BGSAVE SCHEDULE asked for, once none
// runs (after a failure, not before the retry delay). Caller holds the lock.
func (s *Server) startScheduledBgsave() {
	if s.rdb.scheduled && !s.rewriteBusy() && s.bgsaveMayStart(time.Now().Unix()) {
		s.rdb.scheduled = false
		s.bgsave() //nolint:errcheck // nothing is running now
	}
}

// bgsaveRetryDelay is Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save
// points and BGSAVE SCHEDULE try again only this many seconds after the last try.
const bgsaveRetryDelay = 5

// bgsaveMayStart is Redis's cron condition for an automatic BGSAVE: the last one
// succeeded, or the last try is more than bgsaveRetryDelay seconds old.
func (s *Server) bgsaveMayStart(now int64) bool {
	return !s.rdb.bgsaveFailed || now-s.rdb.lastTry > bgsaveRetryDelay
}

// checkSavePoints is the cron's `save <seconds> <changes>` rule: a BGSAVE once some
// save point has at least its changes, more than its seconds after the last save.
// Caller holds the lock.
func (s *Server) checkSavePoints() {
	if s.rewriteBusy() || s.dirty == 0 {
		return
	}
	now := time.Now().Unix()
	elapsed := now - s.lastSave
	for _, sp := range s.cfg.Save {
		if s.dirty >= sp[1] && elapsed > sp[0] && s.bgsaveMayStart(now) {
			s.log.Info(fmt.Sprintf("%d changes in %d seconds. Saving...", sp[1], sp[0]))
			s.bgsave() //nolint:errcheck // not running: checked above
			return
		}
	}
}

// listpackFromRDB adopts a listpack node read from an RDB file (already validated).
func listpackFromRDB(b []byte) (listpack.Listpack, error) { return listpack.FromBytes(b) }

// errBgsaveChildActive is Redis's BGSAVE refusal while an AOF rewrite runs.
const errBgsaveChildActive = "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."

// errRDBDiskWrite is Redis's reply to writes after a failed background save.
const errRDBDiskWrite = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."

// diskWriteError is Redis's writeCommandsDeniedByDiskError: the MISCONF refusal of
// writes (and PING) after a failed background save (stop-writes-on-bgsave-error, with
// save points) or an AOF write error; "" when writes are accepted. Caller holds the lock.
func (s *Server) diskWriteError() string {
	if s.cfg.StopWritesOnBgsaveError && len(s.cfg.Save) > 0 && s.rdb.bgsaveFailed {
		return errRDBDiskWrite
	}
	return s.aofWriteError()
}
