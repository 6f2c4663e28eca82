package server

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cairn/internal/cmdtable"
	"cairn/internal/keyspace"
	"cairn/internal/persist/aof"
	"cairn/internal/persist/rdb"
	"cairn/internal/types"
)

// Loading the data set: at startup, in the background, and for DEBUG RELOAD.
//
// Redis opens its listening sockets before it loads the RDB or the AOF and, while it
// loads, answers -LOADING to every command without the "loading" flag of the command
// table; INFO, CONFIG, CLIENT, SHUTDOWN and the other flagged commands are served.
// Cairn does the same: Serve starts the accept loops and a loader goroutine. The RDB
// loader decodes records and builds their objects without the executor lock, then
// adds them to the keyspace in batches under it (loadBatchKeys keys or loadBatchBytes
// of file), so a client waits for at most one batch — well under a millisecond —
// and gets its -LOADING, never a hang. The AOF loader takes the lock per command
// (aof.go). INFO persistence shows loading:1 and the loading_* fields meanwhile.
//
// A file that cannot be loaded (corrupt, truncated, a checksum mismatch, a duplicate
// key) stops the server: the loader logs the error and shuts down, and Serve returns
// it. SHUTDOWN or a signal during the load stops the loader between batches and saves
// nothing (Redis forces NOSAVE while loading: a half-loaded data set must never
// replace the file).

// loadingState is what INFO persistence reports about a load in progress. Guarded by
// the executor lock.
type loadingState struct {
	active      bool
	startTime   int64 // Unix seconds
	totalBytes  int64 // the size of what is loaded (the RDB file, or the AOF's files)
	loadedBytes int64
	rdbUsedMem  int64 // the used-mem aux field of the RDB, when it has one
}

// Loader batches: the keys decoded without the lock and then added under it at once.
const (
	loadBatchKeys  = 1024
	loadBatchBytes = 1 << 20
)

// errLoadAborted ends a startup load that SHUTDOWN (or a signal) interrupted.
var errLoadAborted = errors.New("loading aborted by shutdown")

// errLoading is Redis's reply to a command that cannot run while the data set loads.
const errLoading = "LOADING Redis is loading the dataset in memory"

// startLoading marks a load of total bytes as begun (Redis's startLoading). Caller
// holds the lock.
func (s *Server) startLoading(total int64) {
	s.loading = loadingState{active: true, startTime: time.Now().Unix(), totalBytes: total}
}

// stopLoading marks the load as over. Caller holds the lock.
func (s *Server) stopLoading() { s.loading = loadingState{} }

// refusedWhileLoading reports whether cmd must get -LOADING: a load is in progress and
// the command lacks the "loading" flag (for EXEC: any queued command lacks it), as
// Redis's is_denyloading_command. Internal clients (the AOF loader) are never refused.
// Caller holds the lock.
func (s *Server) refusedWhileLoading(c *client, cmd *command) bool {
	if !s.loading.active || c.conn == nil {
		return false
	}
	if cmd.flags&cmdtable.FlagLoading == 0 {
		return true
	}
	if cmd.name == "exec" && c.multi != nil {
		for _, q := range c.multi.queue {
			if q.cmd.flags&cmdtable.FlagLoading == 0 {
				return true
			}
		}
	}
	return false
}

// infoLoading appends the loading_* fields, as Redis prints them while a load is in
// progress (and not otherwise).
func (s *Server) infoLoading(ib *infoBuilder) {
	l := &s.loading
	if !l.active {
		return
	}
	perc, remaining := 0.0, int64(1)
	if l.totalBytes > 0 {
		perc = float64(l.loadedBytes) / float64(l.totalBytes) * 100
		remaining = l.totalBytes - l.loadedBytes
	}
	elapsed := time.Now().Unix() - l.startTime
	eta := int64(1) // Redis's made-up figure while there is nothing to go by
	if elapsed != 0 {
		eta = elapsed * remaining / (l.loadedBytes + 1)
	}
	ib.int("loading_start_time", l.startTime)
	ib.int("loading_total_bytes", l.totalBytes)
	ib.int("loading_rdb_used_mem", l.rdbUsedMem)
	ib.int("loading_loaded_bytes", l.loadedBytes)
	ib.float("loading_loaded_perc", perc, 2)
	ib.int("loading_eta_seconds", eta)
}

// beginStartupLoad starts the loader goroutine if there is a data set to load, before
// any client is accepted; loadDone is closed when it has finished (at once if there is
// nothing to load). It reports whether the load has already ended (then loadErr is
// its outcome and may be read at once).
func (s *Server) beginStartupLoad() (ended bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var total int64
	switch {
	case s.cfg.AppendOnly:
		dir := filepath.Join(s.cfg.Dir, s.cfg.AppendDirname)
		if _, err := os.Stat(filepath.Join(dir, aof.ManifestName(s.cfg.AppendFilename))); err != nil {
			// No AOF yet: openAOF only creates one, which takes no time worth a
			// -LOADING. It runs here, before clients are accepted.
			s.mu.Unlock()
			s.loadErr = s.openAOF()
			s.mu.Lock()
			s.loadEnded()
			return true
		}
		total = dirSize(dir)
	default:
		st, err := os.Stat(s.rdbPath())
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) { // else there is nothing to load
				s.loadErr = err
			}
			s.loadEnded()
			return true
		}
		total = st.Size()
	}
	s.startLoading(total)
	go s.loadDataFromDisk()
	return false
}

// loadEnded ends a startup load that had nothing to load in the background.
func (s *Server) loadEnded() {
	if s.loadErr == nil {
		s.log.Info("Ready to accept connections")
	}
	close(s.loadDone)
}

// loadDataFromDisk is the startup load (Redis's loadDataFromDisk): the AOF when
// appendonly is on, else dump.rdb. On failure it logs, records the error for Serve
// and shuts the server down.
func (s *Server) loadDataFromDisk() {
	defer close(s.loadDone)
	start := time.Now()
	var err error
	if s.cfg.AppendOnly {
		err = s.openAOF()
	} else {
		_, _, err = s.rdbLoad(s.rdbPath(), rdbLoadOptions{stepped: true})
		if err == nil {
			s.log.Info(fmt.Sprintf("DB loaded from disk: %.3f seconds", time.Since(start).Seconds()))
		}
	}
	s.mu.Lock()
	s.stopLoading()
	s.mu.Unlock()
	switch {
	case errors.Is(err, errLoadAborted):
		s.log.Warn("Loading interrupted by shutdown")
	case err != nil:
		s.log.Error(fmt.Sprintf("Fatal error loading the DB: %v. Exiting.", err))
		s.loadErr = err
		s.Shutdown()
	default:
		s.log.Info("Ready to accept connections")
	}
}

// dirSize is the total size of the regular files in dir (the AOF's base and
// incremental files and its manifest), what an AOF load reads.
func dirSize(dir string) int64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
	}
	return n
}

// loadedAOFCommand counts a replayed AOF command in loading_loaded_bytes: the size of
// its RESP encoding, which is what it took in the file. Caller holds the lock.
func (s *Server) loadedAOFCommand(argv [][]byte) {
	if !s.loading.active {
		return
	}
	n := 1 + len(strconv.Itoa(len(argv))) + 2
	for _, a := range argv {
		n += 1 + len(strconv.Itoa(len(a))) + 2 + len(a) + 2
	}
	s.loading.loadedBytes += int64(n)
}

// rdbLoadOptions say how rdbLoad runs.
type rdbLoadOptions struct {
	// stepped: the startup load. The caller does not hold the executor lock; batches
	// take it, and the load stops between batches when the server shuts down. Without
	// it the caller holds the lock throughout (DEBUG RELOAD, which blocks as in Redis).
	stepped bool
	// merge: a key (or function library) already present is replaced (DEBUG RELOAD
	// MERGE, Redis's RDBFLAGS_ALLOW_DUP); otherwise a duplicate fails the load.
	merge bool
	// aofPreamble: the RDB is the base of an AOF, whose tail deletes what expired, so
	// keys past their deadline are loaded too (Redis's RDBFLAGS_AOF_PREAMBLE).
	aofPreamble bool
	// end, when set, receives the input offset just past the RDB data (AOF commands
	// may follow an RDB preamble).
	end *int64
}

// rdbLoad loads the RDB file at path into the keyspace (Redis's rdbLoad), logging as
// Redis does. A missing file is an error satisfying errors.Is(err, os.ErrNotExist).
func (s *Server) rdbLoad(path string, opts rdbLoadOptions) (loaded, expired int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	loaded, expired, err = s.rdbLoadFrom(f, opts)
	if err != nil {
		return loaded, expired, fmt.Errorf("loading %s: %w", path, err)
	}
	return loaded, expired, nil
}

// loadItem is one decoded record waiting to be applied under the lock.
type loadItem struct {
	kind loadItemKind
	db   int
	key  string
	ent  keyspace.Entry
	lru  [2]int64 // idle seconds and LFU counter from the file, -1 when absent
	lib  []byte   // loadLibrary's code
	n    [2]int64 // loadResize: keys and keys with a deadline; loadUsedMem: bytes
}

type loadItemKind uint8

const (
	loadKey     loadItemKind = iota
	loadLibrary              // a function library
	loadResize               // RESIZEDB: presize db
	loadUsedMem              // the used-mem aux field, for loading_rdb_used_mem
)

// loadBatch is what the decoding goroutine hands to the applying one: items, the
// input offset after them, and the error that ended the decoding, if any.
type loadBatch struct {
	items  []loadItem
	offset int64
	err    error
}

// rdbLoader is the state of one RDB load. Two goroutines share the work: decode
// reads records and builds their objects (touching no server state), apply adds
// them to the keyspace under the lock, so decoding the next batch overlaps adding this
// one.
type rdbLoader struct {
	s       *Server
	opts    rdbLoadOptions
	d       *rdb.Decoder
	lim     types.Limits
	now     int64 // Unix ms: keys with an earlier deadline are skipped
	loaded  int64
	expired int64    // written by decode, read once it has finished
	keys    []string // prefetch's scratch
	scratch []uint32
}

// rdbLoadFrom decodes an RDB stream into the keyspace. With opts.stepped the caller
// does not hold the lock; otherwise it does.
func (s *Server) rdbLoadFrom(r io.Reader, opts rdbLoadOptions) (loaded, expired int64, err error) {
	l := &rdbLoader{s: s, opts: opts, now: time.Now().UnixMilli()}
	l.lock()
	l.lim = s.limits()
	l.d = rdb.NewDecoder(r, rdb.DecoderOptions{SkipChecksum: s.admin.skipChecksumValidation})
	l.unlock()

	full := make(chan *loadBatch, 2)
	free := make(chan *loadBatch, 3)
	for range cap(free) {
		free <- &loadBatch{items: make([]loadItem, 0, loadBatchKeys)}
	}
	stop := make(chan struct{})
	go l.decode(full, free, stop)
	err = l.applyAll(full, free)
	close(stop)
	for range full { // let decode finish
	}

	l.lock()
	defer l.unlock()
	s.rdb.loadKeysLoaded, s.rdb.loadKeysExpired = l.loaded, l.expired
	if opts.end != nil {
		*opts.end = l.d.Offset()
	}
	if err != nil {
		return l.loaded, l.expired, err
	}
	if n := l.d.EmptyKeysSkipped; n > 0 {
		s.log.Info(fmt.Sprintf("Done loading RDB, keys loaded: %d, keys expired: %d, empty keys skipped: %d.", l.loaded, l.expired, n))
	} else {
		s.log.Info(fmt.Sprintf("Done loading RDB, keys loaded: %d, keys expired: %d.", l.loaded, l.expired))
	}
	return l.loaded, l.expired, nil
}

func (l *rdbLoader) lock() {
	if l.opts.stepped {
		l.s.mu.Lock()
	}
}

func (l *rdbLoader) unlock() {
	if l.opts.stepped {
		l.s.mu.Unlock()
	}
}

// decode reads the records into batches sent on full, taking empty batches from
// free, until the end of the input, an error (sent in a last batch) or stop. It
// closes full when done.
func (l *rdbLoader) decode(full chan<- *loadBatch, free <-chan *loadBatch, stop <-chan struct{}) {
	defer close(full)
	var b *loadBatch
	batchStart := int64(0)
	send := func(err error) bool {
		b.offset, b.err = l.d.Offset(), err
		select {
		case full <- b:
			b = nil
			return true
		case <-stop:
			return false
		}
	}
	s, d := l.s, l.d
	db := 0
	for {
		if b == nil {
			select {
			case b = <-free:
			case <-stop:
				return
			}
			b.items = b.items[:0]
			batchStart = d.Offset()
		}
		rec, err := d.Next()
		if errors.Is(err, io.EOF) {
			send(nil)
			return
		}
		var unsupported *rdb.UnsupportedError
		if errors.As(err, &unsupported) && unsupported.Skipped {
			s.log.Warn(fmt.Sprintf("Skipping data Cairn cannot load yet: %v", err))
			continue
		}
		if err != nil {
			send(err)
			return
		}
		switch rec.Kind {
		case rdb.KindAux:
			if mem, ok := l.aux(string(rec.AuxKey), string(rec.AuxValue)); ok {
				b.items = append(b.items, loadItem{kind: loadUsedMem, n: [2]int64{mem}})
			}
		case rdb.KindFunction:
			b.items = append(b.items, loadItem{kind: loadLibrary, lib: append([]byte(nil), rec.Function...)})
		case rdb.KindSelectDB:
			if rec.DB >= len(s.ks.DBs) {
				send(fmt.Errorf("FATAL: Data file was created with a Redis server configured to handle more than %d databases. Exiting", len(s.ks.DBs)))
				return
			}
			db = rec.DB
		case rdb.KindResizeDB:
			b.items = append(b.items, loadItem{kind: loadResize, db: db, n: [2]int64{int64(min(rec.DBSize, 1<<40)), int64(min(rec.ExpiresSize, 1<<40))}})
		case rdb.KindKey:
			if rec.Meta.ExpireAt != 0 && rec.Meta.ExpireAt < l.now && !l.opts.aofPreamble {
				l.expired++
				continue
			}
			obj, err := objectFromRDB(&rec.Value, l.lim)
			if err != nil {
				send(fmt.Errorf("key %q: %w", rec.Key, err))
				return
			}
			it := loadItem{db: db, key: string(rec.Key), ent: keyspace.Entry{Obj: obj, ExpireAt: rec.Meta.ExpireAt}, lru: [2]int64{-1, -1}}
			if rec.Meta.HasIdle {
				it.lru[0] = int64(min(rec.Meta.Idle, 1<<40))
			}
			if rec.Meta.HasFreq {
				it.lru[1] = int64(rec.Meta.Freq)
			}
			b.items = append(b.items, it)
		case rdb.KindEOF:
			// The checksum was verified; Next returns io.EOF now.
		}
		if len(b.items) >= loadBatchKeys || d.Offset()-batchStart >= loadBatchBytes {
			if !send(nil) {
				return
			}
		}
	}
}

// applyAll applies the batches decode sends until the last one, an error, or (in a
// stepped load) a shutdown.
func (l *rdbLoader) applyAll(full <-chan *loadBatch, free chan<- *loadBatch) error {
	s := l.s
	for b := range full {
		l.lock()
		err := l.apply(b)
		l.unlock()
		if err == nil {
			err = b.err
		}
		clear(b.items) // drop the references to what the keyspace now owns
		free <- b
		if err != nil {
			return err
		}
		if !l.opts.stepped {
			continue
		}
		if hook := s.loadStepHook; hook != nil {
			hook()
		}
		select {
		case <-s.shutdownCh:
			return errLoadAborted
		default:
		}
	}
	return nil
}

// apply adds a batch to the keyspace. Caller holds the lock.
func (l *rdbLoader) apply(b *loadBatch) error {
	s := l.s
	now := time.Now().UnixMilli()
	l.prefetch(b)
	for i := range b.items {
		it := &b.items[i]
		switch it.kind {
		case loadKey:
			it.ent.Obj.LRU = s.ks.RestoredClock(now, it.lru[0], it.lru[1])
			if s.ks.DBs[it.db].PutString(it.key, it.ent) && !l.opts.merge {
				return fmt.Errorf("duplicated key '%s' in DB %d", it.key, it.db)
			}
			l.loaded++
		case loadLibrary:
			if _, msg := s.loadLibrary(it.lib, l.opts.merge); msg != "" {
				return fmt.Errorf("failed loading a function library: %s", strings.TrimPrefix(msg, "ERR "))
			}
		case loadResize:
			l.resize(it.db, it.n[0], it.n[1], b.offset)
		case loadUsedMem:
			if s.loading.active {
				s.loading.rdbUsedMem = it.n[0]
			}
		}
	}
	if s.loading.active {
		s.loading.loadedBytes = b.offset
	}
	return nil
}

// prefetch brings the keyspace slots of the batch's keys into the CPU cache, for each
// run of keys of one database, before apply adds them: one key after the other, each
// insert waits for its own cache misses (measured: most of a large load's time).
func (l *rdbLoader) prefetch(b *loadBatch) {
	keys := l.keys[:0]
	db := -1
	for i := range b.items {
		it := &b.items[i]
		if it.kind != loadKey {
			continue
		}
		if it.db != db && len(keys) > 0 {
			l.scratch = l.s.ks.DBs[db].Prefetch(keys, l.scratch)
			keys = keys[:0]
		}
		db = it.db
		keys = append(keys, it.key)
	}
	if len(keys) > 0 {
		l.scratch = l.s.ks.DBs[db].Prefetch(keys, l.scratch)
	}
	clear(keys)
	l.keys = keys[:0]
}

// resize presizes a database from the file's RESIZEDB hint, as Redis does, when it is
// empty (a startup load). The hint is capped by the bytes left to read, so a bad file
// cannot make it allocate out of proportion. Caller holds the lock.
func (l *rdbLoader) resize(db int, keys, expires, offset int64) {
	d := l.s.ks.DBs[db]
	if d.Len() != 0 {
		return
	}
	limit := int64(1 << 20)
	if total := l.s.loading.totalBytes; total > 0 {
		limit = max(total-offset, 0) / 3 // a key takes 3 bytes at least
	}
	d.Expand(int(min(keys, limit)), int(min(expires, keys, limit)))
}

// aux handles an RDB aux field as Redis's loader does: some are logged. It returns the
// used-mem field's value, if this is it.
func (l *rdbLoader) aux(key, val string) (usedMem int64, ok bool) {
	s := l.s
	switch {
	case strings.HasPrefix(key, "%"):
		s.log.Info(fmt.Sprintf("RDB '%s': %s", key, val))
	case key == "redis-ver":
		s.log.Info("Loading RDB produced by version " + val)
	case key == "ctime":
		ctime, _ := strconv.ParseInt(val, 10, 64)
		s.log.Info(fmt.Sprintf("RDB age %d seconds", max(time.Now().Unix()-ctime, 0)))
	case key == "used-mem":
		mem, _ := strconv.ParseInt(val, 10, 64)
		s.log.Info(fmt.Sprintf("RDB memory usage when created %.2f Mb", float64(mem)/(1024*1024)))
		return mem, true
	case key == "aof-preamble":
		if n, _ := strconv.ParseInt(val, 10, 64); n != 0 {
			s.log.Info("RDB has an AOF tail")
		}
	case key == "aof-base":
		if n, _ := strconv.ParseInt(val, 10, 64); n != 0 {
			s.log.Info("RDB is base AOF")
		}
	}
	return 0, false
}
