package keyspace

import (
	"math/rand/v2"
	"sync/atomic"
	"time"

	"cairn/internal/ds/dict"
)

// Entry is what a DB stores for a key: its value and its deadline.
type Entry struct {
	Obj Object
	// ExpireAt is the absolute deadline in Unix milliseconds; 0 means no expiry.
	ExpireAt int64
}

// Hooks receives the keyspace's own changes, the ones no command asked for directly.
type Hooks interface {
	// KeyExpired is called after a key was deleted because its deadline passed, found
	// either by a lookup or by the active expiry cycle. The server propagates a DEL,
	// fires the "expired" keyspace event and invalidates WATCHes.
	KeyExpired(db *DB, key []byte)
	// KeyMiss is called when a read lookup (one that counts statistics) finds no key,
	// for Redis's "keymiss" keyspace event.
	KeyMiss(db *DB, key []byte)
}

// Keyspace is the set of numbered databases.
type Keyspace struct {
	DBs   []*DB
	hooks Hooks

	// Stats, as INFO's stats section reports them.
	ExpiredKeys           int64
	KeyspaceHits          int64
	KeyspaceMisses        int64
	ExpiredStalePerc      float64
	ExpiredTimeCapReached int64

	// Settings the server copies from its configuration (maxmemory-policy,
	// lfu-log-factor, lfu-decay-time) at start and on CONFIG SET. LFU is set under an
	// LFU maxmemory policy: Object.LRU then holds an LFU counter, not an LRU clock.
	LFU          bool
	LFULogFactor int
	LFUDecayTime int

	expireDB int // active expiry resumes at this DB
	scratch  [][]byte
	rnd      rand.Source
	snap     *Snapshot // the running snapshot, if any
}

// New makes n empty databases.
func New(n int, hooks Hooks) *Keyspace {
	ks := &Keyspace{DBs: make([]*DB, n), hooks: hooks, rnd: rand.NewPCG(rand.Uint64(), rand.Uint64()),
		LFULogFactor: 10, LFUDecayTime: 1}
	for i := range ks.DBs {
		ks.DBs[i] = newDB(ks, i)
	}
	return ks
}

// DB is one numbered database.
type DB struct {
	ID       int
	ks       *Keyspace
	keys     *dict.Dict[Entry]
	volatile *dict.Dict[struct{}] // keys that have a deadline
	// AvgTTL is the running estimate of the average TTL (ms) INFO keyspace shows.
	AvgTTL int64
}

func newDB(ks *Keyspace, id int) *DB {
	return &DB{ID: id, ks: ks, keys: dict.New[Entry](), volatile: dict.New[struct{}]()}
}

// Len is the number of keys, including ones that expired but were not yet reclaimed.
func (db *DB) Len() int { return db.keys.Len() }

// VolatileLen is the number of keys with a deadline.
func (db *DB) VolatileLen() int { return db.volatile.Len() }

// Now is the clock used for expiry, in Unix milliseconds.
//
// While the server executes commands it fixes this clock (SetNow) to its time
// snapshot for the running command, as Redis uses one time per command: one clock read
// serves every lookup of the command, which matters where reading the clock is costly.
func Now() int64 {
	if n := nowSnapshot.Load(); n != 0 {
		return n
	}
	return time.Now().UnixMilli()
}

// nowSnapshot is the executor's time snapshot in Unix ms, 0 when none is set.
var nowSnapshot atomic.Int64

// SetNow fixes what Now returns (the server's command time snapshot); 0 makes Now
// read the clock again. The server calls it under its executor lock.
func SetNow(ms int64) { nowSnapshot.Store(ms) }

// Find returns the entry of a live key, deleting it first if its deadline has passed.
// It touches no statistics (Redis's LOOKUP_NOTOUCH|LOOKUP_NOSTATS).
func (db *DB) Find(key []byte, now int64) *Entry {
	e, ok := db.keys.Find(key)
	if !ok {
		return nil
	}
	if e.ExpireAt != 0 && e.ExpireAt <= now {
		db.expire(key)
		return nil
	}
	return e
}

// Peek returns the entry of key as stored, even if its deadline has passed, without
// expiring it or touching statistics (Redis's plain dictFind, used by DEBUG OBJECT,
// DEBUG DIGEST-VALUE and MEMORY USAGE).
func (db *DB) Peek(key []byte) *Entry {
	e, ok := db.keys.Find(key)
	if !ok {
		return nil
	}
	return e
}

// Lookup flags, as Redis's LOOKUP_* (db.c).
const (
	// LookupNoTouch leaves the key's access clock (OBJECT IDLETIME/FREQ) alone.
	LookupNoTouch = 1 << iota
	// LookupNoStats counts no keyspace hit or miss.
	LookupNoStats
)

// Lookup is Redis's lookupKey: Find, then, unless flags say otherwise, record the access
// in the value's LRU/LFU clock and count a keyspace hit or miss.
func (db *DB) Lookup(key []byte, now int64, flags int) *Entry {
	e := db.Find(key, now)
	if e == nil {
		if flags&LookupNoStats == 0 {
			db.ks.KeyspaceMisses++
			if db.ks.hooks != nil {
				db.ks.hooks.KeyMiss(db, key)
			}
		}
		return nil
	}
	if flags&LookupNoTouch == 0 {
		db.ks.touch(&e.Obj, now)
	}
	if flags&LookupNoStats == 0 {
		db.ks.KeyspaceHits++
	}
	return e
}

// LookupRead is Redis's lookupKeyRead: Find, touching the key's access clock and
// counting a keyspace hit or miss.
func (db *DB) LookupRead(key []byte, now int64) *Entry { return db.Lookup(key, now, 0) }

// LookupWrite is Redis's lookupKeyWrite: Find, touching the key's access clock, without
// statistics. Commands that modify a key look it up with this.
func (db *DB) LookupWrite(key []byte, now int64) *Entry {
	db.BeforeWrite(key)
	return db.Lookup(key, now, LookupNoStats)
}

// Exists reports whether key is live.
func (db *DB) Exists(key []byte, now int64) bool { return db.Find(key, now) != nil }

// Set stores obj under key, replacing any value. The key's deadline is cleared unless
// keepTTL is set (SET ... KEEPTTL). obj gets a fresh access clock, except that under
// an LFU policy a replaced value passes its counter on (Redis's dbSetValue). It
// returns the stored entry.
func (db *DB) Set(key []byte, obj Object, keepTTL bool) *Entry {
	db.BeforeWrite(key)
	e, existed := db.keys.Upsert(key)
	if existed && e.ExpireAt != 0 && !keepTTL {
		e.ExpireAt = 0
		db.volatile.Delete(key)
	}
	if existed && db.ks.LFU {
		obj.LRU = e.Obj.LRU
	} else {
		obj.LRU = db.ks.initLRU(Now())
	}
	e.Obj = obj
	return e
}

// NewObjectClock is the access clock a value created now gets; commands that replace a
// key's value in place (e.Obj = ...) store it in the new Object.LRU.
func (db *DB) NewObjectClock(now int64) uint32 { return db.ks.initLRU(now) }

// SetValue replaces the value of a live entry in place, keeping its deadline and its
// access clock (which the write lookup that found e has just updated), as Redis's
// in-place updates and dbOverwrite do.
func (e *Entry) SetValue(obj Object) {
	obj.LRU = e.Obj.LRU
	e.Obj = obj
}

// Upsert returns the entry for key, adding an empty one (zero Object, no deadline) when
// the key is absent; the caller fills Obj in. An expired key counts as absent.
func (db *DB) Upsert(key []byte, now int64) (e *Entry, existed bool) {
	db.BeforeWrite(key)
	if db.Find(key, now) == nil {
		e, _ = db.keys.Upsert(key)
		return e, false
	}
	e, _ = db.keys.Upsert(key)
	return e, true
}

// Delete removes key; it reports whether the key was present (expired keys are
// reclaimed and reported absent).
func (db *DB) Delete(key []byte, now int64) bool {
	if db.Find(key, now) == nil {
		return false
	}
	db.remove(key)
	return true
}

// Remove deletes key whether or not it is live, returning its entry.
func (db *DB) remove(key []byte) (Entry, bool) {
	db.BeforeWrite(key)
	e, ok := db.keys.Delete(key)
	if ok && e.ExpireAt != 0 {
		db.volatile.Delete(key)
	}
	return e, ok
}

// Take removes a live key and returns its entry (used by MOVE, RENAME, GETDEL).
func (db *DB) Take(key []byte, now int64) (Entry, bool) {
	if db.Find(key, now) == nil {
		return Entry{}, false
	}
	return db.remove(key)
}

// Put stores a whole entry (value and deadline) under key, replacing any value.
func (db *DB) Put(key []byte, ent Entry) {
	db.BeforeWrite(key)
	e, existed := db.keys.Upsert(key)
	if existed && e.ExpireAt != 0 && ent.ExpireAt == 0 {
		db.volatile.Delete(key)
	}
	if ent.ExpireAt != 0 && (!existed || e.ExpireAt == 0) {
		db.volatile.Insert(key, struct{}{})
	}
	*e = ent
}

// PutString is Put for a key the caller hands over as a string, which the table keeps
// without copying (loading: the key was copied once, out of the decoder's buffer). It
// reports whether the key existed, and so was replaced.
func (db *DB) PutString(key string, ent Entry) (replaced bool) {
	if db.ks.snap != nil {
		db.BeforeWrite([]byte(key))
	}
	e, existed := db.keys.UpsertString(key)
	if existed && e.ExpireAt != 0 && ent.ExpireAt == 0 {
		db.volatile.DeleteString(key)
	}
	if ent.ExpireAt != 0 && (!existed || e.ExpireAt == 0) {
		db.volatile.InsertString(key, struct{}{})
	}
	*e = ent
	return existed
}

// Prefetch brings the table slots of keys into the CPU cache before a batch of PutString
// calls (see dict.Dict.Prefetch); scratch is reused and returned.
func (db *DB) Prefetch(keys []string, scratch []uint32) []uint32 {
	return db.keys.Prefetch(keys, scratch)
}

// PrefetchEvery brings the table slots of keys[0], keys[step], ... into the CPU cache
// before a command looks them up one by one (dict.Dict.PrefetchEvery).
func (db *DB) PrefetchEvery(keys [][]byte, step int) { db.keys.PrefetchEvery(keys, step) }

// Expand sizes the table for n keys at once (RDB loading knows the count from the
// file's RESIZEDB hint), so that loading does not rehash step by step.
func (db *DB) Expand(n, volatile int) {
	db.keys.Expand(n)
	db.volatile.Expand(volatile)
}

// SetExpire sets the deadline of the live entry e of key; at must be non-zero.
func (db *DB) SetExpire(key []byte, e *Entry, at int64) {
	db.BeforeWrite(key)
	if e.ExpireAt == 0 {
		db.volatile.Insert(key, struct{}{})
	}
	e.ExpireAt = at
}

// Persist removes the deadline of entry e of key; it reports whether there was one.
func (db *DB) Persist(key []byte, e *Entry) bool {
	if e.ExpireAt == 0 {
		return false
	}
	db.BeforeWrite(key)
	e.ExpireAt = 0
	db.volatile.Delete(key)
	return true
}

// expire deletes a key whose deadline has passed and tells the hooks.
func (db *DB) expire(key []byte) {
	db.remove(key)
	db.ks.ExpiredKeys++
	if db.ks.hooks != nil {
		db.ks.hooks.KeyExpired(db, key)
	}
}

// Flush removes every key.
func (db *DB) Flush() {
	db.keys = dict.New[Entry]()
	db.volatile = dict.New[struct{}]()
	db.AvgTTL = 0
}

// Swap exchanges the contents of two databases (SWAPDB).
func (db *DB) Swap(other *DB) {
	db.keys, other.keys = other.keys, db.keys
	db.volatile, other.volatile = other.volatile, db.volatile
	db.AvgTTL, other.AvgTTL = other.AvgTTL, db.AvgTTL
}

// Scan is one step of SCAN over the keys: fn sees every key in the visited buckets
// (including expired ones not yet reclaimed: the caller filters them, as Redis does).
// It returns the next cursor, 0 when the iteration is complete.
func (db *DB) Scan(cursor uint64, fn func(key string, e *Entry)) uint64 {
	return db.keys.Scan(cursor, fn)
}

// Each calls fn for every key until fn returns false. fn must not modify the DB.
func (db *DB) Each(fn func(key string, e *Entry) bool) { db.keys.Each(fn) }

// RandomKey returns a random live key, or false when the DB is empty. Expired keys met
// on the way are reclaimed, as Redis's dbRandomKey does.
func (db *DB) RandomKey(now int64) (string, bool) {
	for db.keys.Len() > 0 {
		k, e, ok := db.keys.Random(db.ks.rnd)
		if !ok {
			return "", false
		}
		if e.ExpireAt != 0 && e.ExpireAt <= now {
			// A master reclaims every expired key it meets, so this ends (Redis's
			// give-up-after-100-tries applies to replicas, which cannot delete).
			db.expire([]byte(k))
			continue
		}
		return k, true
	}
	return "", false
}

// RehashStep lets the server's cron advance incremental resizing of this DB's tables.
func (db *DB) RehashStep(n int) {
	db.keys.RehashStep(n)
	db.volatile.RehashStep(n)
}
