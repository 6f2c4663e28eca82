package keyspace

import "cairn/internal/ds/dict"

// Snapshot is a fork-less, point-in-time copy of the whole keyspace in progress
// (Redis forks for BGSAVE; Go cannot). It hands every key that existed when it began,
// with the value and deadline it had then, to an emit function, exactly once:
//
//   - Step walks the databases' tables a few hundred slots at a time; the server calls
//     it under the executor lock between batches of commands, so pauses stay short.
//   - Every write path of the keyspace (LookupWrite, Set, Upsert, Put, SetExpire,
//     Persist, deletes and expiry) calls BeforeWrite first, which emits the key's
//     current value if the walk has not reached it yet — copy on write, per key.
//   - Keys created after the snapshot began are marked as they are inserted and never
//     emitted.
//   - FLUSHDB/FLUSHALL/SWAPDB replace or exchange whole tables: the snapshot keeps
//     walking the tables it started with (which nothing writes to any more after a
//     flush), under their original database numbers.
//
// Extra memory: one bit per table slot, plus what emit buffers. Emitted entries are
// valid only during the emit call (serialise them there).
type Snapshot struct {
	ks      *Keyspace
	emit    func(db int, key string, e *Entry)
	tables  []*dict.Dict[Entry] // each database's table when the snapshot began
	index   map[*dict.Dict[Entry]]int
	db      int    // the table being walked
	slot    uint32 // the next slot of that table
	done    bool
	emitted int // keys handed to emit so far
}

// BeginSnapshot starts a snapshot; emit receives each key with its database number.
// Only one snapshot runs at a time.
func (ks *Keyspace) BeginSnapshot(emit func(db int, key string, e *Entry)) *Snapshot {
	if ks.snap != nil {
		panic("keyspace: a snapshot is already running")
	}
	s := &Snapshot{ks: ks, index: make(map[*dict.Dict[Entry]]int), slot: 1}
	s.emit = func(db int, key string, e *Entry) {
		s.emitted++
		emit(db, key, e)
	}
	for i, db := range ks.DBs {
		db.keys.BeginMarks()
		s.tables = append(s.tables, db.keys)
		s.index[db.keys] = i
	}
	ks.snap = s
	return s
}

// FinishSnapshot runs the snapshot in progress, if any, to its end at once: its
// remaining keys are emitted now (SAVE while a background snapshot is running).
func (ks *Keyspace) FinishSnapshot() {
	if ks.snap != nil {
		ks.snap.Run()
	}
}

// Snapshotting reports whether a snapshot is running.
func (ks *Keyspace) Snapshotting() bool { return ks.snap != nil }

// Step walks up to n more table slots and reports whether the snapshot is complete.
// When it is, the marks are released and the keyspace has no snapshot any more.
func (s *Snapshot) Step(n int) bool {
	for n > 0 && !s.done {
		if s.db >= len(s.tables) {
			s.finish()
			break
		}
		t, db, start := s.tables[s.db], s.db, s.slot
		next := t.WalkUnmarked(start, n, func(key string, e *Entry) { s.emit(db, key, e) })
		if next == 0 {
			s.db++
			s.slot = 1
			n-- // the rest of a table is less than n slots; move on to the next
		} else {
			n -= int(next - start)
			s.slot = next
		}
	}
	return s.done
}

// Emitted is the number of keys handed to emit so far.
func (s *Snapshot) Emitted() int { return s.emitted }

// Run completes the snapshot at once (SAVE, or a FLUSH/SWAPDB that needs it done).
func (s *Snapshot) Run() {
	for !s.Step(1 << 16) {
	}
}

// Abort ends the snapshot without completing it.
func (s *Snapshot) Abort() { s.finish() }

func (s *Snapshot) finish() {
	if s.done {
		return
	}
	s.done = true
	for _, t := range s.tables {
		t.EndMarks()
	}
	s.ks.snap = nil
}

// BeforeWrite must run before any change to key's value or deadline, or its deletion:
// while a snapshot runs it emits the key's old value if the snapshot still needs it.
// Without a snapshot it costs one nil check.
func (db *DB) BeforeWrite(key []byte) {
	s := db.ks.snap
	if s == nil {
		return
	}
	i, ok := s.index[db.keys]
	if !ok {
		return // a table created after the snapshot began (FLUSHDB)
	}
	db.keys.MarkForWrite(key, func(k string, e *Entry) { s.emit(i, k, e) })
}
