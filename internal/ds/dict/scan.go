package dict

import (
	"math/bits"
	"math/rand/v2"
)

// Scan calls fn for the entries of the bucket(s) at cursor and returns the
// next cursor; a scan starts and ends at 0. It has Redis's dictScan
// guarantee: every key present from the first call to the last is returned
// at least once, however often the table grows or shrinks between calls.
// Keys may be returned more than once. Scan itself never rehashes.
//
// fn may modify *v and may delete the entry it was given (rehashing and
// resizing are paused during Scan, so nothing else moves), but must not
// insert or delete anything else.
//
// The algorithm (Redis dict.c). In a table of 2^k buckets a key's bucket is
// the low k bits of its hash. The cursor is a bucket index incremented in
// reversed bit order (set the bits above the mask, reverse, add one, reverse
// back), so the highest bit under the mask changes fastest. Consequences:
//
//   - Growth from 2^k to 2^(k+j) buckets splits bucket b into the buckets
//     whose low k bits are b. In reversed order, every cursor returned so far
//     stands for small buckets already visited, and the large buckets still
//     ahead are exactly the expansions of the small buckets not yet visited:
//     nothing is skipped.
//   - Shrinking from 2^k to 2^(k-j) continues at the cursor's low k-j bits,
//     whose bucket holds every large bucket sharing those bits; some were
//     already visited, so keys may repeat, but none is missed.
//   - During a rehash both tables are live: visit the cursor's bucket in the
//     smaller table, then every bucket of the larger table that expands it
//     (same low bits, each value of the extra high bits, enumerated by the
//     same reversed increment), and return the cursor advanced in the
//     smaller table.
func (d *Dict[V]) Scan(cursor uint64, fn func(key string, v *V)) uint64 {
	if d.Len() == 0 {
		return 0
	}
	d.paused++
	defer d.unpause()
	v := cursor
	if d.rehashIdx < 0 {
		tab := d.tables[0]
		m := uint64(len(tab) - 1)
		d.emit(tab[v&m], fn)
		return nextCursor(v, m)
	}
	t0, t1 := d.tables[0], d.tables[1]
	if len(t0) > len(t1) {
		t0, t1 = t1, t0
	}
	m0, m1 := uint64(len(t0)-1), uint64(len(t1)-1)
	d.emit(t0[v&m0], fn)
	for {
		d.emit(t1[v&m1], fn)
		v = nextCursor(v, m1)
		// Stop when the bits of the larger mask beyond the smaller have
		// wrapped to 0: the carry has advanced the smaller-table cursor.
		if v&(m0^m1) == 0 {
			return v
		}
	}
}

// nextCursor increments the bits of v under mask m in reversed bit order.
func nextCursor(v, m uint64) uint64 {
	v |= ^m
	v = bits.Reverse64(v)
	v++
	return bits.Reverse64(v)
}

// emit calls fn for the chain starting at ref r, reading each link before
// the call so that fn may delete the entry it gets.
func (d *Dict[V]) emit(r uint32, fn func(key string, v *V)) {
	for r != 0 {
		e := d.arena.at(r)
		r = e.next
		fn(e.key, &e.val)
	}
}

// Each calls fn for every entry, in no particular order, until fn returns
// false. fn may modify *v and may delete the entry it was given, and may call
// Find; it must not insert. Each walks the entry arena, not the buckets, so
// rehash steps done by fn's calls do not disturb it.
func (d *Dict[V]) Each(fn func(key string, v *V) bool) {
	if d.Len() == 0 {
		return
	}
	d.arena.each(func(_ uint32, e *entry[V]) bool {
		if e.next&freeBit != 0 {
			return true
		}
		return fn(e.key, &e.val)
	})
}

// SomeKeys calls fn for up to n entries sampled from a random place in the
// table and returns how many it visited, as Redis's dictGetSomeKeys: it walks
// consecutive buckets (of both tables while rehashing) from a random index,
// jumping elsewhere after a run of empty buckets, for at most 10*n buckets.
// Entries may repeat, fewer than n may come back, and the sample is not
// uniform, but it is cheap: it suits eviction and expiry sampling. Like Scan,
// fn may modify *v and delete the entry it was given, nothing else.
func (d *Dict[V]) SomeKeys(src rand.Source, n int, fn func(key string, v *V)) int {
	return d.sample(src, n, func(r uint32) {
		e := d.arena.at(r)
		fn(e.key, &e.val)
	})
}

// sample is SomeKeys on refs; visit gets each sampled ref.
func (d *Dict[V]) sample(src rand.Source, count int, visit func(r uint32)) int {
	if size := d.Len(); count > size {
		count = size
	}
	if count <= 0 {
		return 0
	}
	// Rehashing work proportional to count, as Redis does.
	for j := 0; j < count && d.rehashIdx >= 0 && d.paused == 0; j++ {
		d.rehash(1)
	}
	d.paused++
	defer d.unpause()

	tables := 1
	maxMask := uint64(len(d.tables[0]) - 1)
	if d.rehashIdx >= 0 {
		tables = 2
		maxMask = max(maxMask, uint64(len(d.tables[1])-1))
	}
	i := src.Uint64() & maxMask
	stored, emptyLen := 0, 0
	for steps := count * 10; stored < count && steps > 0; steps-- {
		for t := range tables {
			if tables == 2 && t == 0 && i < uint64(d.rehashIdx) {
				// tables[0] is empty below rehashIdx. If i is also
				// beyond tables[1] (a shrink), nothing lies between i
				// and rehashIdx in either table: jump there.
				if i < uint64(len(d.tables[1])) {
					continue
				}
				i = uint64(d.rehashIdx)
			}
			tab := d.tables[t]
			if i >= uint64(len(tab)) {
				continue
			}
			r := tab[i]
			if r == 0 {
				// Jump after a run of empty buckets of at least
				// max(5, count+1).
				if emptyLen++; emptyLen >= 5 && emptyLen > count {
					i = src.Uint64() & maxMask
					emptyLen = 0
				}
				continue
			}
			emptyLen = 0
			for r != 0 {
				next := d.arena.at(r).next
				visit(r)
				if stored++; stored == count {
					return stored
				}
				r = next
			}
		}
		i = (i + 1) & maxMask
	}
	return stored
}

const (
	// fairSample is the sample size of Random's fallback (Redis
	// GETFAIR_NUM_ENTRIES).
	fairSample = 15
	// arenaProbes bounds Random's uniform probes of the arena, tried when
	// at least a quarter of its slots are in use (so all of them miss with
	// probability below 1%).
	arenaProbes = 16
)

// Random returns a random entry. It reports false only if the dict is
// empty, and works during a rehash and on sparse tables.
//
// Usually it is exactly uniform, which Redis's dictGetRandomKey is not: it
// probes random arena slots until one is in use, which costs one cache miss
// per probe. When most of the arena is free (after mass deletion) or the
// probes miss, it does what Redis's dictGetFairRandomKey does: sample up to
// 15 entries with SomeKeys and pick one of them uniformly, which evens out
// most of the bias of a random bucket toward short chains; and if sampling
// finds nothing (a very sparse table), a random non-empty bucket.
func (d *Dict[V]) Random(src rand.Source) (key string, v *V, ok bool) {
	if d.Len() == 0 {
		return "", nil, false
	}
	a := &d.arena
	if d.Len() >= int(a.n/4) {
		for range arenaProbes {
			if e := a.at(1 + uint32(src.Uint64()%uint64(a.n))); e.next&freeBit == 0 {
				return e.key, &e.val, true
			}
		}
	}
	var refs [fairSample]uint32
	n := 0
	d.sample(src, len(refs), func(r uint32) {
		refs[n] = r
		n++
	})
	var r uint32
	if n > 0 {
		r = refs[src.Uint64()%uint64(n)]
	} else {
		r = d.randomEntry(src)
	}
	e := a.at(r)
	return e.key, &e.val, true
}

// randomAttempts bounds the random bucket probes of randomEntry before it
// falls back to walking from a random bucket to the next non-empty one.
const randomAttempts = 100

// randomEntry is Redis's dictGetRandomKey with the probing bounded: pick a
// random non-empty bucket (among the live ones of both tables while
// rehashing), then a random entry of its chain. The dict must not be empty.
func (d *Dict[V]) randomEntry(src rand.Source) uint32 {
	d.rehashStep()
	lo, hi := 0, len(d.tables[0])
	if d.rehashIdx >= 0 {
		lo, hi = d.rehashIdx, hi+len(d.tables[1])
	}
	span := uint64(hi - lo)
	slot := func(s int) uint32 {
		if s < len(d.tables[0]) {
			return d.tables[0][s]
		}
		return d.tables[1][s-len(d.tables[0])]
	}
	head := uint32(0)
	for range randomAttempts {
		if head = slot(lo + int(src.Uint64()%span)); head != 0 {
			break
		}
	}
	if head == 0 {
		// Sparse table: the next non-empty bucket after a random one.
		// Slightly favours buckets after long empty runs; bounded by
		// the table size and only reached after many misses.
		s := lo + int(src.Uint64()%span)
		for head = slot(s); head == 0; head = slot(s) {
			if s++; s == hi {
				s = lo
			}
		}
	}
	n := 0
	for r := head; r != 0; r = d.arena.at(r).next {
		n++
	}
	r := head
	for k := src.Uint64() % uint64(n); k > 0; k-- {
		r = d.arena.at(r).next
	}
	return r
}
