package server

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"cairn/internal/persist/aof"
	"cairn/internal/resp"
)

// Propagation and the append-only file.
//
// Commands only bump s.dirty. call() notices a command that changed the data set and
// queues it for propagation (as its arguments, or as the deterministic form the
// command chose with c.propagateAs); keyspace changes nobody asked for (expired keys)
// queue a DEL. When the top-level command returns — a whole EXEC or script included —
// the queue becomes one unit of the AOF: a SELECT if the database changed, and MULTI/EXEC
// around it when it holds more than one command, as Redis 7.0 writes it. With no AOF,
// nothing is queued and propagation costs nothing.
//
// The client whose command produced the unit waits, after the executor lock is
// released, until the log has made it durable under appendfsync — with always until an
// fsync covers it, with everysec and no until write(2) has handed it to the OS (Redis
// too writes its AOF buffer before it sends replies, so a crash of the process alone
// loses no acknowledged write) — and only then are its replies sent. Other clients'
// reads never wait.
//
// The files are Redis 7.0's multi-part AOF: a manifest naming a base file (a snapshot,
// in RDB format with aof-use-rdb-preamble, else as commands) and the incremental files
// appended to since. Rewrites (BGREWRITEAOF, automatic ones, turning appendonly on at
// runtime) are in aof_rewrite.go.

// aofState is the open AOF: it exists while writes are being logged. Guarded by the
// executor lock, except log (safe itself).
type aofState struct {
	log    *aof.Log
	policy aof.Policy
	dir    string
	db     int // the database the AOF stream last SELECTed, -1 none

	fileStart int64 // log offset of the first byte of the incremental file appended to
	sizeOther int64 // bytes of the base file and the earlier incremental files

	unit      []byte // the unit being built for the current top-level command
	unitCount int
	unitDB    int
	depth     int // call() nesting
}

// currentSize is aof_current_size: the base and incremental files, including what is
// still queued.
func (a *aofState) currentSize() int64 { return a.sizeOther + a.log.Size() - a.fileStart }

var multiRecord = []byte("*1\r\n$5\r\nMULTI\r\n")

// propagate queues argv, run against db, for the AOF. Caller holds the lock.
func (s *Server) propagate(db int, argv [][]byte) {
	a := s.aof
	if a == nil {
		return
	}
	if a.unitCount == 0 {
		a.unitDB = db
	}
	if db != a.unitDB || (a.unitCount == 0 && db != a.db) {
		a.unit = appendRESPCommand(a.unit, []byte("SELECT"), []byte(strconv.Itoa(db)))
		a.unitDB = db
	}
	a.unit = appendRESPCommand(a.unit, argv...)
	a.unitCount++
}

// flushPropagation ends the current top-level command's unit: it appends it to the
// log and records the offset the client must wait for. Caller holds the lock.
func (s *Server) flushPropagation(c *client) {
	a := s.aof
	if a == nil || a.unitCount == 0 {
		return
	}
	unit := a.unit
	if a.unitCount > 1 {
		// Redis wraps a command's several effects (EXEC, scripts) in MULTI/EXEC.
		unit = make([]byte, 0, len(a.unit)+32)
		unit = append(unit, multiRecord...)
		unit = append(unit, a.unit...)
		unit = appendRESPCommand(unit, []byte("EXEC"))
	}
	var off int64
	if c != nil {
		off = a.log.Queue(unit, &c.aofWriter) // c waits for it, which starts the commit (aofWait)
	} else {
		off = a.log.Append(unit)
	}
	a.db = a.unitDB
	a.unit, a.unitCount = a.unit[:0], 0
	if c != nil {
		c.aofWait, c.aofLog = off, a.log
	}
}

// aofWait is what a client's replies wait for: the end of its last write in the log.
type aofWait struct {
	off int64
	log *aof.Log
}

// takeAOFWait takes the client's pending wait (set by flushPropagation) for a wait
// with no lock held. Called by the client's goroutine, with the lock held or after the
// batch, when no other goroutine serves the client.
func (c *client) takeAOFWait() aofWait {
	w := aofWait{c.aofWait, c.aofLog}
	c.aofWait, c.aofLog = 0, nil
	return w
}

// wait blocks until the write is durable under appendfsync; at once when there was
// none.
func (w aofWait) wait() error {
	if w.off == 0 {
		return nil
	}
	return w.log.Wait(w.off)
}

// wakeFsyncWaiters is every AOF log's notification after a group commit: it wakes the
// I/O loops that have connections parked for their writes to be durable.
func (s *Server) wakeFsyncWaiters() {
	for _, l := range s.loops {
		if l.hasWaiters.Load() && !l.reaping.Load() {
			wakeSignal(l.wakeFD)
		}
	}
}

// appendRESPCommand encodes argv as a RESP array.
func appendRESPCommand(b []byte, argv ...[]byte) []byte {
	w := resp.Writer{B: b, Proto: 2}
	w.ArrayLen(len(argv))
	for _, a := range argv {
		w.Bulk(a)
	}
	return w.B
}

// propagateAs replaces what the running command propagates (Redis's
// rewriteClientCommandVector), e.g. SET ... EX 10 → SET ... PXAT <abs>.
func (c *client) propagateAs(argv ...[]byte) {
	if c.srv.aof == nil {
		return
	}
	c.propagateArgv = copyArgv(argv)
}

// preventPropagation keeps the running command out of the AOF.
func (c *client) preventPropagation() { c.noPropagate = true }

// forcePropagation logs the running command even if it changed nothing (Redis's
// forceCommandPropagation: FLUSHALL on an empty data set, or after its save).
func (c *client) forcePropagation() { c.forcePropagate = true }

// aofWriteError is the MISCONF refusal of write commands after an AOF error.
func (s *Server) aofWriteError() string {
	if s.aof == nil {
		return ""
	}
	if err := s.aof.log.Err(); err != nil {
		return "MISCONF Errors writing to the AOF file: " + strerror(err)
	}
	return ""
}

// strerror is the C library's text for the errno behind err ("No space left on
// device"), as Redis prints it; err's own text when it carries no errno.
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	msg := errno.Error()
	if msg != "" && 'a' <= msg[0] && msg[0] <= 'z' {
		msg = string(msg[0]-'a'+'A') + msg[1:]
	}
	return msg
}

// aofDir is the AOF directory, dir/appenddirname.
func (s *Server) aofDir() string { return filepath.Join(s.cfg.Dir, s.cfg.AppendDirname) }

// openAOF loads the AOF at start (creating it if there is none, with a base file of the
// empty data set, as Redis does) and opens its last incremental file for appending.
// Called once at start, before clients are accepted, without the executor lock.
func (s *Server) openAOF() error {
	cfg := s.cfg
	dir := s.aofDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("can't create the AOF directory %s: %w", dir, err)
	}
	m, exists, err := aof.LoadManifest(dir, cfg.AppendFilename)
	if err != nil {
		return err
	}
	a := &aofState{dir: dir, db: -1, policy: aof.ParsePolicy(cfg.AppendFsync)}
	var baseSize int64
	if exists {
		sizes, err := s.loadAOFFiles(dir, m, false)
		if err != nil {
			return err
		}
		for _, n := range sizes {
			a.sizeOther += n
		}
		if m.Base != nil {
			baseSize = sizes[0]
		}
	}
	if m.Base == nil && len(m.Incr) == 0 {
		name := m.NewBase(cfg.AppendFilename, cfg.AOFUseRDBPreamble)
		s.mu.Lock()
		_, err := s.writeBaseFile(filepath.Join(dir, name), cfg.AOFUseRDBPreamble)
		s.mu.Unlock()
		if err != nil {
			return fmt.Errorf("creating the AOF base file %s: %w", name, err)
		}
		// Not counted in aof_current_size, as in Redis (which starts it from what it
		// loaded: nothing).
		s.log.Info("Creating AOF base file " + name + " on server start")
	}
	if len(m.Incr) == 0 {
		s.log.Info("Creating AOF incr file " + m.AddIncr(cfg.AppendFilename) + " on server start")
		if err := aof.WriteManifest(dir, cfg.AppendFilename, m); err != nil {
			return err
		}
	} else {
		s.log.Info("Opening AOF incr file " + m.Incr[len(m.Incr)-1].Name + " on server start")
	}
	last := m.Incr[len(m.Incr)-1]
	f, err := os.OpenFile(filepath.Join(dir, last.Name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	a.sizeOther -= st.Size() // counted through the log from here on
	var lf aof.File = f
	if s.aofFileHook != nil {
		lf = s.aofFileHook(f)
	}
	a.log = aof.NewLog(lf, st.Size(), a.policy)
	a.log.SetNotify(s.wakeFsyncWaiters)
	s.mu.Lock() // clients are served meanwhile (loading.go)
	defer s.mu.Unlock()
	s.aof = a
	s.aofrw.manifest = m
	s.aofrw.status = aofOn
	s.aofrw.baseSize = baseSize
	s.deleteHistoryFiles(dir, m)
	return nil
}

// loadAOFFiles replays the base and incremental files of a manifest into the data set
// and returns each file's size. A file that starts with "REDIS" has an RDB preamble,
// loaded as an RDB file; commands may follow it. locked says the caller holds the
// executor lock (DEBUG LOADAOF); otherwise it is taken per command.
func (s *Server) loadAOFFiles(dir string, m *aof.Manifest, locked bool) ([]int64, error) {
	files := m.Files()
	sizes := make([]int64, 0, len(files))
	loader := s.newLoaderClient()
	replay := loader.replayCommand
	if locked {
		replay = loader.replayLocked
	}
	start := time.Now()
	for i, mf := range files {
		path := filepath.Join(dir, mf.Name)
		fileStart := time.Now()
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) && mf.Type == aof.TypeIncr && i == len(files)-1 {
			sizes = append(sizes, 0)
			continue // created lazily: an empty last file
		}
		if err != nil {
			return nil, err
		}
		size, err := s.loadAOFFile(f, mf, i == len(files)-1, locked, replay)
		f.Close()
		if err != nil {
			return nil, err
		}
		sizes = append(sizes, size)
		kind := "incr"
		if mf.Type == aof.TypeBase {
			kind = "base"
		}
		s.log.Info(fmt.Sprintf("DB loaded from %s file %s: %.3f seconds", kind, mf.Name, time.Since(fileStart).Seconds()))
	}
	if loader.multi != nil {
		s.log.Warn("Revert incomplete MULTI/EXEC transaction in AOF file")
	}
	s.log.Info(fmt.Sprintf("DB loaded from append only file: %.3f seconds", time.Since(start).Seconds()))
	return sizes, nil
}

// loadAOFFile replays one file and returns its size (after truncating a torn tail).
func (s *Server) loadAOFFile(f *os.File, mf aof.ManifestFile, last, locked bool, replay func([][]byte) error) (int64, error) {
	var sig [5]byte
	n, _ := io.ReadFull(f, sig[:])
	var preamble int64
	if n == len(sig) && string(sig[:]) == "REDIS" {
		s.log.Info("Reading RDB base file on AOF loading...", "file", mf.Name)
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return 0, err
		}
		// Keys past their deadline are loaded too: the AOF's DELs follow (Redis's
		// RDBFLAGS_AOF_PREAMBLE). Commands may follow the RDB data.
		_, _, err := s.rdbLoadFrom(f, rdbLoadOptions{stepped: !locked, aofPreamble: true, end: &preamble})
		if err != nil {
			return 0, fmt.Errorf("bad file format reading the RDB preamble of the append only file %s: %w", mf.Name, err)
		}
	}
	if _, err := f.Seek(preamble, io.SeekStart); err != nil {
		return 0, err
	}
	valid, err := aof.Replay(f, replay)
	valid += preamble
	var te *aof.ErrTruncated
	if errors.As(err, &te) && last {
		if !s.cfg.AOFLoadTruncated {
			return 0, fmt.Errorf("unexpected end of file reading the append only file %s; set aof-load-truncated yes to load it truncated: %w", mf.Name, err)
		}
		s.log.Warn("!!! Warning: short read while loading the AOF file !!! Truncating the AOF", "file", mf.Name, "offset", valid)
		if err := os.Truncate(f.Name(), valid); err != nil {
			return 0, err
		}
		return valid, nil
	}
	if err != nil {
		return 0, fmt.Errorf("bad file format reading the append only file %s at offset %d: %w", mf.Name, valid, err)
	}
	return valid, nil
}

// newLoaderClient makes the client that replays the AOF: no connection, every command
// allowed, replies discarded.
func (s *Server) newLoaderClient() *client {
	c := &client{srv: s, db: s.ks.DBs[0], authenticated: true, closed: make(chan struct{})}
	c.w.Proto = 2
	return c
}

// replayCommand runs one AOF command, taking the executor lock for it.
func (c *client) replayCommand(argv [][]byte) error {
	s := c.srv
	select {
	case <-s.shutdownCh:
		return errLoadAborted
	default:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.endClock()
	s.loadedAOFCommand(argv)
	return c.replayLocked(argv)
}

// replayLocked runs one AOF command; the caller holds the executor lock.
func (c *client) replayLocked(argv [][]byte) error {
	s := c.srv
	c.argv = argv
	cmd, unknownSub := s.lookupCommand(argv)
	if cmd == nil || unknownSub {
		return fmt.Errorf("unknown command '%s' reading the append only file", clip(argv[0], 128))
	}
	s.processCommand(c)
	if len(c.w.B) > 0 && c.w.B[0] == '-' && c.multi == nil {
		s.log.Warn("Error replaying an AOF command", "command", cmd.name, "reply", string(c.w.B))
	}
	c.w.B = c.w.B[:0]
	return nil
}

// DEBUG LOADAOF
//
// What was logged is written out, the data set (function libraries included) emptied
// and loaded again from the AOF files, as Redis does. Redis exits when there is no AOF
// to load or loading fails; Cairn replies with an error instead, and when there is
// nothing to load it keeps the data set.
func debugLoadAOF(c *client) {
	s := c.srv
	if s.loading.active {
		c.addError(errLoading)
		return
	}
	c.preventPropagation()
	if a := s.aof; a != nil {
		if err := a.log.Wait(a.log.Size()); err != nil {
			c.addError("ERR Error writing to the AOF: " + err.Error())
			return
		}
	}
	dir := s.aofDir()
	m, exists, err := aof.LoadManifest(dir, s.cfg.AppendFilename)
	if err != nil {
		c.addError("ERR " + err.Error())
		return
	}
	if !exists || (m.Base == nil && len(m.Incr) == 0) {
		c.addError("ERR There is no append only file to load")
		return
	}
	s.emptyData(true)
	logging := s.aof
	s.aof = nil // what is loaded is in the AOF already
	_, err = s.loadAOFFiles(dir, m, true)
	s.aof = logging
	if err != nil {
		s.log.Warn("DEBUG LOADAOF failed", "err", err)
		c.addError("ERR Error loading the append only file: " + err.Error())
		return
	}
	s.dirty = 0
	s.log.Warn("Append Only File loaded by DEBUG LOADAOF")
	c.w.OK()
}

// totalKeys counts the keys of every database.
func (s *Server) totalKeys() int {
	n := 0
	for _, db := range s.ks.DBs {
		n += db.Len()
	}
	return n
}

// closeAOF stops a rewrite in progress and flushes and closes the AOF, at shutdown.
func (s *Server) closeAOF() error {
	s.mu.Lock()
	job := s.aofrw.job
	if job != nil {
		job.abort()
	}
	a := s.aof
	s.mu.Unlock()
	if job != nil {
		<-job.done
	}
	if a == nil {
		return nil
	}
	return a.log.Close()
}

// stopAppendOnly turns the AOF off (CONFIG SET appendonly no): what was logged is
// written and fsynced, the file closed, and a rewrite in progress stopped, as Redis's
// stopAppendOnly. Caller holds the lock.
func (s *Server) stopAppendOnly() {
	if a := s.aof; a != nil {
		if err := a.log.Close(); err != nil {
			s.log.Warn("Fail to fsync the AOF file: " + err.Error())
		}
		s.aof = nil
	}
	s.aofrw.status = aofOff
	s.aofrw.scheduled = false
	s.killRewrite()
}

// startAppendOnly turns the AOF on at runtime (CONFIG SET appendonly yes) as Redis's
// startAppendOnly: the AOF waits for a rewrite whose base is the current data set;
// writes are logged from the moment that rewrite's snapshot is taken. Caller holds
// the lock.
func (s *Server) startAppendOnly() error {
	s.aofrw.status = aofWaitRewrite
	switch {
	case s.rdb.bgsaveRunning:
		s.aofrw.scheduled = true
		s.log.Warn("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.")
	case s.current != nil && s.current.multi != nil:
		s.aofrw.scheduled = true
		s.log.Warn("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.")
	case s.aofrw.job != nil:
		// It cannot become the new AOF's base: its writes were not being logged.
		s.log.Warn("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.")
		s.killRewrite()
		s.aofrw.scheduled = true // started as soon as the stopped one has exited
	default:
		if err := s.rewriteAppendOnlyFileBackground(); err != nil {
			s.aofrw.status = aofOff
			s.log.Warn("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.")
			return err
		}
	}
	return nil
}

// registerAOFConfig makes CONFIG SET appendonly and appendfsync act at runtime.
func (s *Server) registerAOFConfig() {
	cfg := s.cfg
	cfg.OnChange("appendonly", func() error {
		switch {
		case !cfg.AppendOnly && s.aofrw.status != aofOff:
			s.stopAppendOnly()
		case cfg.AppendOnly && s.aofrw.status == aofOff:
			if err := s.startAppendOnly(); err != nil {
				return errors.New("Unable to turn on AOF. Check server logs.")
			}
		}
		return nil
	})
	cfg.OnChange("appendfsync", func() error {
		if a := s.aof; a != nil {
			a.policy = aof.ParsePolicy(cfg.AppendFsync)
			a.log.SetPolicy(a.policy)
		}
		return nil
	})
}
