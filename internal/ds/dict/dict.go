package dict

import (
	"hash/maphash"
	"math/bits"
	"strings"
	"unsafe"
)

const (
	// initialSize is the smallest bucket table (Redis DICT_HT_INITIAL_SIZE).
	initialSize = 4
	// minFillPercent: a table less full than this shrinks (Redis
	// HASHTABLE_MIN_FILL).
	minFillPercent = 10
	// emptyVisitsPerStep bounds the empty buckets one rehash step may skip,
	// as in Redis's dictRehash, so a step costs O(1) even on a sparse table.
	emptyVisitsPerStep = 10
)

// Dict is a hash table keyed by byte strings, with Redis's incremental
// rehashing and reverse-binary SCAN cursor. It holds the keyspace and, later,
// large hashes and sets.
//
// Structure. Key/value pairs are entries in an arena of chunks (8, 8, 16, …,
// 512, then 1024 entries per chunk), chained per bucket by uint32 refs
// (index+1; 0 = none), with deleted slots on a free list. A bucket table is a
// []uint32 of chain heads. Why:
//
//   - Entries never move. Growing the arena appends a chunk and rehashing
//     relinks refs, so a *V returned by Find, Insert or Upsert stays valid
//     until that entry is deleted (or the dict is cleared), and growth never
//     copies the entries.
//   - Few pointers. A Go map[string]*T costs the garbage collector a heap
//     object per key and per value; here the tables are pointer-free and a
//     chunk of 1024 entries is one object. The key string (and whatever V
//     holds) are the only pointers per entry.
//   - Each entry keeps the low 32 bits of its hash: rehashing never rehashes
//     a key, and lookups skip almost every string compare.
//
// Resizing, exactly in Redis's spirit. There are two bucket tables during a
// rehash: tables[0] is drained bucket by bucket from rehashIdx upwards into
// tables[1], which receives every new entry. Each Find, Insert, Upsert and
// Delete does one rehash step first (one bucket chain moved, at most 10
// empty buckets visited), SomeKeys one per entry asked for, and RehashStep
// lets a cron do more, so even a 10M-key table never pauses to move everything at once; the
// only O(buckets) work at the start of a resize is allocating the zeroed new
// table. Sizes are powers of two. The table grows to the smallest power of
// two > len when an insert finds len >= buckets (load factor 1) and shrinks to
// the smallest power of two >= len (at least 4) when a delete or RehashStep
// finds it less than 10% full. A resize starts only when no rehash is in
// progress.
//
// Memory: one entry is 24 bytes plus sizeof(V), plus 4 bytes per bucket
// (between 1 and 2 buckets per entry outside a resize; up to 10 while a
// shrink is pending), plus the key bytes. Slots freed by Delete are reused by
// later inserts but the arena itself is released only by Clear: like a Go
// map, the entry storage keeps its high-water mark.
//
// Complexity: Find, Insert, Upsert and Delete are O(1) expected, and do not
// allocate except for a new key's copy and the occasional chunk or bucket
// table. Scan is O(returned entries + buckets visited).
//
// Concurrency: a Dict is not safe for concurrent use; the server serialises
// access. Even Find mutates (it does a rehash step).
//
// The zero Dict is not usable (it has no hash seed): use New.
type Dict[V any] struct {
	seed maphash.Seed
	// tables[0] is the main table. Outside a rehash tables[1] is nil.
	// During a rehash, every bucket of tables[0] below rehashIdx is empty
	// and new entries go to tables[1].
	tables [2][]uint32
	used   [2]int // entries reachable from each table
	// rehashIdx is -1 when not rehashing, otherwise the next bucket of
	// tables[0] to move (always < len(tables[0]), since tables[0] still
	// holds an entry).
	rehashIdx int
	// paused > 0 while a Scan or SomeKeys callback may run: no rehash step
	// or resize happens then, so the callback may delete the entry it got.
	paused int
	arena  arena[V]
	// marks is the snapshot mark bitmap (snapshot.go), indexed by arena ref; nil
	// when no snapshot is running.
	marks []uint64
	// sink takes what Prefetch and PrefetchEvery read, so that the compiler keeps the
	// reads. A field of the dict, not a global: dicts of different servers in one
	// process (the tests) would race on a global.
	sink uint32
}

// New returns an empty dict with its own random hash seed.
func New[V any]() *Dict[V] {
	return &Dict[V]{seed: maphash.MakeSeed(), rehashIdx: -1}
}

// Len returns the number of entries.
func (d *Dict[V]) Len() int { return d.used[0] + d.used[1] }

// Rehashing reports whether an incremental resize is in progress.
func (d *Dict[V]) Rehashing() bool { return d.rehashIdx >= 0 }

// Buckets returns the sizes of the main table and, during a rehash, of the
// table being filled (0 otherwise); for DEBUG HTSTATS-like reporting.
func (d *Dict[V]) Buckets() (main, rehashTarget int) {
	return len(d.tables[0]), len(d.tables[1])
}

// bstr views b as a string for hashing and comparing, never for storing.
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func (d *Dict[V]) hash(key string) uint32 { return uint32(maphash.String(d.seed, key)) }

// Find returns a pointer to key's value. It does not allocate. The pointer
// stays valid until the entry is deleted or the dict cleared.
func (d *Dict[V]) Find(key []byte) (*V, bool) { return d.FindString(bstr(key)) }

// FindString is Find for a string key.
func (d *Dict[V]) FindString(key string) (*V, bool) {
	if d.Len() == 0 {
		return nil, false
	}
	d.rehashStep()
	if e := d.lookup(key, d.hash(key)); e != nil {
		return &e.val, true
	}
	return nil, false
}

// lookup finds key, whose hash is h, in the tables.
func (d *Dict[V]) lookup(key string, h uint32) *entry[V] {
	for t := range 2 {
		tab := d.tables[t]
		for r := tab[h&uint32(len(tab)-1)]; r != 0; {
			e := d.arena.at(r)
			if e.hash == h && e.key == key {
				return e
			}
			r = e.next
		}
		if d.rehashIdx < 0 {
			break
		}
	}
	return nil
}

// Prefetch reads the bucket heads and first entries that keys hash to, so that a
// batch of inserts or lookups that follows finds them in the CPU cache. The reads of
// all keys are independent, so the processor overlaps their cache misses, which one
// key at a time it cannot: loading a large snapshot is bound by those misses. scratch
// is reused for the bucket heads and returned. It changes nothing.
func (d *Dict[V]) Prefetch(keys []string, scratch []uint32) []uint32 {
	tab := d.tables[0]
	if d.rehashIdx >= 0 {
		tab = d.tables[1]
	}
	if len(tab) == 0 {
		return scratch
	}
	mask := uint32(len(tab) - 1)
	scratch = scratch[:0]
	for _, k := range keys {
		scratch = append(scratch, tab[d.hash(k)&mask])
	}
	var sink uint32
	for _, r := range scratch {
		if r != 0 {
			sink += d.arena.at(r).hash
		}
	}
	d.sink = sink
	return scratch
}

// PrefetchEvery is Prefetch for the keys keys[0], keys[step], keys[2*step], ... (MSET's
// arguments are keys and values in turn), at most prefetchMax of them, and it also
// reads the first byte of each key found, which the lookup compares next. It neither
// allocates nor changes anything. A command that looks up several keys calls it
// first: their cache misses, two or three per key in a large table, then overlap
// instead of following one another.
func (d *Dict[V]) PrefetchEvery(keys [][]byte, step int) {
	tab := d.tables[0]
	if d.rehashIdx >= 0 {
		tab = d.tables[1]
	}
	if len(tab) == 0 || step < 1 {
		return
	}
	mask := uint32(len(tab) - 1)
	var heads [prefetchMax]uint32
	n := 0
	for i := 0; i < len(keys) && n < len(heads); i += step {
		heads[n] = tab[d.hash(bstr(keys[i]))&mask]
		n++
	}
	var sink uint32
	for _, r := range heads[:n] {
		if r != 0 {
			e := d.arena.at(r)
			sink += e.hash
			if len(e.key) > 0 {
				sink += uint32(e.key[0])
			}
		}
	}
	d.sink = sink
}

// prefetchMax bounds PrefetchEvery: about as many cache misses as a core keeps in
// flight.
const prefetchMax = 16

// Insert sets key to v, copying key only if it is new. It returns a pointer
// to the stored value and true if the key was inserted, false if it existed
// and its value was replaced.
func (d *Dict[V]) Insert(key []byte, v V) (*V, bool) {
	e, existed := d.upsert(bstr(key), true)
	e.val = v
	return &e.val, !existed
}

// InsertString is Insert for a string key, which it stores without copying.
func (d *Dict[V]) InsertString(key string, v V) (*V, bool) {
	e, existed := d.upsert(key, false)
	e.val = v
	return &e.val, !existed
}

// Upsert finds key or adds it with a zero value, hashing the key once: the
// "lookup for write" path. It copies key only if it is new.
func (d *Dict[V]) Upsert(key []byte) (v *V, existed bool) {
	e, existed := d.upsert(bstr(key), true)
	return &e.val, existed
}

// UpsertString is Upsert for a string key, which it stores without copying.
func (d *Dict[V]) UpsertString(key string) (v *V, existed bool) {
	e, existed := d.upsert(key, false)
	return &e.val, existed
}

func (d *Dict[V]) upsert(key string, clone bool) (*entry[V], bool) {
	d.rehashStep()
	h := d.hash(key)
	if d.Len() > 0 {
		if e := d.lookup(key, h); e != nil {
			return e, true
		}
	}
	d.expandIfNeeded()
	t := 0
	if d.rehashIdx >= 0 {
		t = 1
	}
	if clone {
		key = strings.Clone(key)
	}
	r := d.arena.alloc()
	e := d.arena.at(r)
	tab := d.tables[t]
	b := h & uint32(len(tab)-1)
	e.key, e.hash, e.next = key, h, tab[b]
	tab[b] = r
	d.used[t]++
	if d.marks != nil {
		d.setMark(r) // created after the snapshot began: not part of it
	}
	return e, false
}

// Delete removes key and returns its value.
func (d *Dict[V]) Delete(key []byte) (V, bool) { return d.DeleteString(bstr(key)) }

// DeleteString is Delete for a string key.
func (d *Dict[V]) DeleteString(key string) (V, bool) {
	var zero V
	if d.Len() == 0 {
		return zero, false
	}
	d.rehashStep()
	h := d.hash(key)
	for t := range 2 {
		tab := d.tables[t]
		b := h & uint32(len(tab)-1)
		var prev *entry[V]
		for r := tab[b]; r != 0; {
			e := d.arena.at(r)
			if e.hash == h && e.key == key {
				if prev == nil {
					tab[b] = e.next
				} else {
					prev.next = e.next
				}
				v := e.val
				d.arena.release(r)
				d.used[t]--
				if t == 0 && d.used[0] == 0 && d.rehashIdx >= 0 && d.paused == 0 {
					// The last entry left in the old table:
					// nothing remains to move. (If paused,
					// unpause does this.)
					d.endRehash()
				}
				d.resizeIfNeeded()
				return v, true
			}
			prev, r = e, e.next
		}
		if d.rehashIdx < 0 {
			break
		}
	}
	return zero, false
}

// Clear removes every entry and releases all memory. Pointers obtained
// before are no longer valid.
func (d *Dict[V]) Clear() {
	*d = Dict[V]{seed: d.seed, rehashIdx: -1}
}

// Expand makes room for n entries without further growth, as Redis's
// dictExpand (used to presize before loading a snapshot). An empty dict gets
// its table at once; otherwise an incremental rehash starts. It never
// shrinks the table. It reports false when a rehash is already in progress or
// n < Len.
func (d *Dict[V]) Expand(n int) bool {
	if d.rehashIdx >= 0 || d.paused > 0 || n < d.Len() || n > maxEntries {
		return false
	}
	if n > len(d.tables[0]) {
		d.resize(n)
	}
	return true
}

// RehashStep does n steps of incremental rehashing, starting a resize first
// (and after a rehash completes) if the table is full or less than 10% full.
// It reports whether rehashing work remains. The server calls it from its
// cron, as Redis's incrementallyRehash and tryResizeHashTables.
func (d *Dict[V]) RehashStep(n int) bool {
	if d.paused > 0 {
		return d.rehashIdx >= 0
	}
	d.resizeIfNeeded()
	if d.rehash(n) {
		return true
	}
	// A rehash that just finished may leave the table needing another
	// resize (say, keys were deleted during a grow): start it now.
	d.resizeIfNeeded()
	return d.rehashIdx >= 0
}

// MemoryUsage returns the approximate bytes held by the table structure:
// the Dict, its bucket tables and entry chunks, but not key bytes nor
// anything V refers to.
func (d *Dict[V]) MemoryUsage() int {
	var e entry[V]
	n := int(unsafe.Sizeof(*d))
	n += (cap(d.tables[0]) + cap(d.tables[1])) * 4
	n += cap(d.arena.chunks) * int(unsafe.Sizeof(d.arena.chunks[:0]))
	n += int(d.arena.cap) * int(unsafe.Sizeof(e))
	return n
}

// expandIfNeeded is called before inserting a new entry.
func (d *Dict[V]) expandIfNeeded() {
	switch {
	case d.rehashIdx >= 0:
	case len(d.tables[0]) == 0:
		d.tables[0] = make([]uint32, initialSize)
	case d.used[0] >= len(d.tables[0]) && d.paused == 0:
		d.resize(d.used[0] + 1)
	}
}

// resizeIfNeeded starts a grow or a shrink if the table needs one.
func (d *Dict[V]) resizeIfNeeded() {
	if d.rehashIdx >= 0 || d.paused > 0 {
		return
	}
	size, used := len(d.tables[0]), d.used[0]
	switch {
	case size == 0:
	case used >= size:
		d.resize(used + 1)
	case size > initialSize && used*100 < size*minFillPercent:
		d.resize(used)
	}
}

// resize switches to a table of the smallest power of two >= n (at least
// initialSize): at once if the dict is empty, otherwise by starting an
// incremental rehash. No rehash may be in progress.
func (d *Dict[V]) resize(n int) {
	size := initialSize
	if n > initialSize {
		size = 1 << bits.Len(uint(n-1))
	}
	if size == len(d.tables[0]) {
		return
	}
	tab := make([]uint32, size)
	if d.Len() == 0 {
		d.tables[0] = tab
		return
	}
	d.tables[1] = tab
	d.rehashIdx = 0
}

// rehashStep is the single step every operation does while rehashing.
func (d *Dict[V]) rehashStep() {
	if d.rehashIdx >= 0 && d.paused == 0 {
		d.rehash(1)
	}
}

// rehash moves up to n bucket chains from tables[0] to tables[1], visiting
// at most 10*n empty buckets, as Redis's dictRehash. It reports whether
// rehashing work remains.
func (d *Dict[V]) rehash(n int) bool {
	if d.rehashIdx < 0 {
		return false
	}
	old, tab := d.tables[0], d.tables[1]
	mask := uint32(len(tab) - 1)
	emptyVisits := n * emptyVisitsPerStep
	for ; n > 0 && d.used[0] != 0; n-- {
		for old[d.rehashIdx] == 0 {
			d.rehashIdx++
			if emptyVisits--; emptyVisits == 0 {
				return true
			}
		}
		for r := old[d.rehashIdx]; r != 0; {
			e := d.arena.at(r)
			next := e.next
			b := e.hash & mask
			e.next, tab[b] = tab[b], r
			d.used[0]--
			d.used[1]++
			r = next
		}
		old[d.rehashIdx] = 0
		d.rehashIdx++
	}
	if d.used[0] != 0 {
		return true
	}
	d.endRehash()
	return false
}

// unpause ends a Scan or SomeKeys callback section, completing a rehash
// whose old table the callbacks emptied.
func (d *Dict[V]) unpause() {
	if d.paused--; d.paused == 0 && d.rehashIdx >= 0 && d.used[0] == 0 {
		d.endRehash()
	}
}

// endRehash makes tables[1] the main table once tables[0] is empty.
func (d *Dict[V]) endRehash() {
	d.tables[0], d.tables[1] = d.tables[1], nil
	d.used[0], d.used[1] = d.used[1], 0
	d.rehashIdx = -1
}
