package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

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

// aofState is the open AOF. Guarded by the executor lock, except log (safe itself).
type aofState struct {
	log      *aof.Log
	policy   aof.Policy
	dir      string
	manifest *aof.Manifest
	db       int // the database the AOF stream last SELECTed, -1 none

	unit      []byte // the unit being built for the current top-level command
	unitCount int
	unitDB    int
	depth     int // call() nesting
}

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
	off := a.log.Append(unit)
	a.db = a.unitDB
	a.unit, a.unitCount = a.unit[:0], 0
	if c != nil {
		c.aofWait = off
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

// openAOF loads the AOF (creating it if there is none) and opens its last incremental
// file for appending. Called once at start, before clients are accepted.
func (s *Server) openAOF() error {
	cfg := s.cfg
	dir := filepath.Join(cfg.Dir, cfg.AppendDirname)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("can't create the AOF directory %s: %w", dir, err)
	}
	a := &aofState{dir: dir, db: -1, policy: aof.ParsePolicy(cfg.AppendFsync)}
	data, err := os.ReadFile(filepath.Join(dir, aof.ManifestName(cfg.AppendFilename)))
	switch {
	case err == nil:
		if a.manifest, err = aof.ParseManifest(data); err != nil {
			return err
		}
		if err := s.loadAOF(a); err != nil {
			return err
		}
	case errors.Is(err, os.ErrNotExist):
		a.manifest = &aof.Manifest{}
		base := aof.ManifestFile{Name: aof.BaseName(cfg.AppendFilename, 1, false), Seq: 1, Type: aof.TypeBase}
		if err := os.WriteFile(filepath.Join(dir, base.Name), nil, 0o644); err != nil {
			return err
		}
		a.manifest.Base = &base
	default:
		return err
	}
	if len(a.manifest.Incr) == 0 {
		seq := int64(1)
		if a.manifest.Base != nil {
			seq = a.manifest.Base.Seq
		}
		a.manifest.Incr = append(a.manifest.Incr, aof.ManifestFile{Name: aof.IncrName(cfg.AppendFilename, seq), Seq: seq, Type: aof.TypeIncr})
		if err := aof.WriteManifest(dir, cfg.AppendFilename, a.manifest); err != nil {
			return err
		}
	}
	last := a.manifest.Incr[len(a.manifest.Incr)-1]
	f, err := os.OpenFile(filepath.Join(dir, last.Name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	var lf aof.File = f
	if s.aofFileHook != nil {
		lf = s.aofFileHook(f)
	}
	a.log = aof.NewLog(lf, st.Size(), a.policy)
	s.mu.Lock() // clients are served meanwhile (loading.go)
	s.aof = a
	cfg.OnChange("appendfsync", func() error {
		a.policy = aof.ParsePolicy(cfg.AppendFsync)
		a.log.SetPolicy(a.policy)
		return nil
	})
	s.mu.Unlock()
	return nil
}

// loadAOF replays the base and incremental files of a manifest.
func (s *Server) loadAOF(a *aofState) error {
	files := a.manifest.Incr
	if b := a.manifest.Base; b != nil {
		if filepath.Ext(b.Name) == ".rdb" {
			return fmt.Errorf("the AOF base %s is an RDB preamble, which this build cannot load yet", b.Name)
		}
		files = append([]aof.ManifestFile{*b}, files...)
	}
	loader := s.newLoaderClient()
	for i, mf := range files {
		path := filepath.Join(a.dir, mf.Name)
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) && mf.Type == aof.TypeIncr && i == len(files)-1 {
			continue // created lazily: an empty last file
		}
		if err != nil {
			return err
		}
		valid, err := aof.Replay(f, loader.replayCommand)
		f.Close()
		var te *aof.ErrTruncated
		if errors.As(err, &te) && i == len(files)-1 {
			if !s.cfg.AOFLoadTruncated {
				return fmt.Errorf("unexpected end of file reading the append only file %s; set aof-load-truncated yes to load it truncated: %w", mf.Name, err)
			}
			s.log.Warn("!!! Warning: short read while loading the AOF file !!! Truncating the AOF", "file", mf.Name, "offset", te.Valid)
			if err := os.Truncate(path, te.Valid); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("bad file format reading the append only file %s at offset %d: %w", mf.Name, valid, err)
		}
	}
	if loader.multi != nil {
		s.log.Warn("Revert incomplete MULTI/EXEC transaction in AOF file")
	}
	s.log.Info("DB loaded from append only file", "keys", s.totalKeys())
	return nil
}

// newLoaderClient makes the client that replays the AOF: no connection, every command
// allowed, replies discarded.
func (s *Server) newLoaderClient() *client {
	c := &client{srv: s, db: s.ks.DBs[0], authenticated: true, closed: make(chan struct{})}
	c.w.Proto = 2
	return c
}

// replayCommand runs one AOF command.
func (c *client) replayCommand(argv [][]byte) error {
	s := c.srv
	c.argv = argv
	cmd, unknownSub := s.lookupCommand(argv)
	if cmd == nil || unknownSub {
		return fmt.Errorf("unknown command '%s' reading the append only file", clip(argv[0], 128))
	}
	select {
	case <-s.shutdownCh:
		return errLoadAborted
	default:
	}
	s.mu.Lock()
	s.loadedAOFCommand(argv)
	s.processCommand(c)
	s.endClock()
	s.mu.Unlock()
	if len(c.w.B) > 0 && c.w.B[0] == '-' && c.multi == nil {
		s.log.Warn("Error replaying an AOF command", "command", cmd.name, "reply", string(c.w.B))
	}
	c.w.B = c.w.B[:0]
	return nil
}

// totalKeys counts the keys of every database.
func (s *Server) totalKeys() int {
	n := 0
	for _, db := range s.ks.DBs {
		n += db.Len()
	}
	return n
}

// closeAOF flushes and closes the AOF at shutdown.
func (s *Server) closeAOF() error {
	if s.aof == nil {
		return nil
	}
	return s.aof.log.Close()
}
