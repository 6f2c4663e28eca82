package dict

import (
	"fmt"
	"reflect"
)

// check verifies every invariant of d, for tests: table shapes and rehash
// index bounds, chain integrity, each entry in exactly one bucket of the
// right table with the right hash, per-table counts, unique keys, the arena
// layout, and a free list holding exactly the slots not in use, emptied.
func (d *Dict[V]) check() error {
	a := &d.arena
	var capacity uint32
	for k, c := range a.chunks {
		if len(c) != chunkSize(k) {
			return fmt.Errorf("chunk %d has %d slots, want %d", k, len(c), chunkSize(k))
		}
		capacity += uint32(len(c))
	}
	if capacity != a.cap || a.n > a.cap {
		return fmt.Errorf("arena: cap %d, chunks hold %d, handed out %d", a.cap, capacity, a.n)
	}
	if d.paused != 0 {
		return fmt.Errorf("paused = %d outside a callback", d.paused)
	}
	for t, tab := range d.tables {
		if n := len(tab); n != 0 && (n < initialSize || n&(n-1) != 0) {
			return fmt.Errorf("table %d has %d buckets, not a power of two >= %d", t, n, initialSize)
		}
	}
	if d.rehashIdx < 0 {
		if d.rehashIdx != -1 || d.tables[1] != nil || d.used[1] != 0 {
			return fmt.Errorf("not rehashing but rehashIdx %d, table 1 size %d, used %d",
				d.rehashIdx, len(d.tables[1]), d.used[1])
		}
		if len(d.tables[0]) == 0 && d.used[0] != 0 {
			return fmt.Errorf("no table but %d entries", d.used[0])
		}
	} else {
		if d.rehashIdx >= len(d.tables[0]) || len(d.tables[1]) == 0 || d.used[0] == 0 {
			return fmt.Errorf("rehashing at %d with tables %d/%d and %d entries left",
				d.rehashIdx, len(d.tables[0]), len(d.tables[1]), d.used[0])
		}
		if len(d.tables[1]) == len(d.tables[0]) {
			return fmt.Errorf("rehashing between equal tables of %d", len(d.tables[0]))
		}
	}

	const (
		unseen = iota
		inTable
		inFree
	)
	state := make([]byte, a.n)
	keys := make(map[string]struct{}, d.Len())
	for t, tab := range d.tables {
		mask := uint32(len(tab) - 1)
		count := 0
		for b, head := range tab {
			if t == 0 && b < d.rehashIdx && head != 0 {
				return fmt.Errorf("bucket %d of table 0 below rehashIdx %d is not empty", b, d.rehashIdx)
			}
			for r := head; r != 0; {
				if r > a.n {
					return fmt.Errorf("table %d bucket %d: ref %d beyond %d slots", t, b, r, a.n)
				}
				if state[r-1] != unseen {
					return fmt.Errorf("table %d bucket %d: ref %d reached twice", t, b, r)
				}
				state[r-1] = inTable
				e := a.at(r)
				if e.next&freeBit != 0 {
					return fmt.Errorf("ref %d in a chain is marked free", r)
				}
				if h := d.hash(e.key); e.hash != h {
					return fmt.Errorf("key %q: stored hash %#x, want %#x", e.key, e.hash, h)
				}
				if int(e.hash&mask) != b {
					return fmt.Errorf("key %q in bucket %d of table %d, belongs in %d", e.key, b, t, e.hash&mask)
				}
				if _, dup := keys[e.key]; dup {
					return fmt.Errorf("key %q stored twice", e.key)
				}
				keys[e.key] = struct{}{}
				count++
				r = e.next
			}
		}
		if count != d.used[t] {
			return fmt.Errorf("table %d: %d entries reachable, used says %d", t, count, d.used[t])
		}
	}

	nfree := 0
	for r := a.free; r != 0; {
		if r > a.n {
			return fmt.Errorf("free list: ref %d beyond %d slots", r, a.n)
		}
		if state[r-1] != unseen {
			return fmt.Errorf("free list: ref %d reached twice or also in a table", r)
		}
		state[r-1] = inFree
		e := a.at(r)
		if e.next&freeBit == 0 {
			return fmt.Errorf("free ref %d not marked free", r)
		}
		if e.key != "" || !reflect.ValueOf(&e.val).Elem().IsZero() {
			return fmt.Errorf("free ref %d still holds key %q or a value", r, e.key)
		}
		nfree++
		r = e.next &^ freeBit
	}
	if nfree != a.nfree {
		return fmt.Errorf("free list has %d slots, nfree says %d", nfree, a.nfree)
	}
	for i, s := range state {
		if s == unseen {
			return fmt.Errorf("slot %d neither in a table nor free", i)
		}
	}
	return nil
}
