package dict

import "math/bits"

// An entry is one key/value pair. Entries live in the arena and never move,
// so a *V handed out stays valid until that entry is deleted.
type entry[V any] struct {
	key string
	// hash is the low 32 bits of the key's maphash. It picks the bucket in
	// either table (masks are at most 31 bits), so rehashing never hashes a
	// key again, and it rejects almost every non-matching key before a
	// string compare.
	hash uint32
	// next links the chain: for an entry in use, the ref of the next entry
	// in the same bucket (0 = end of chain); for a free slot, freeBit | the
	// ref of the next free slot.
	next uint32
	val  V
}

// A ref names an arena slot: its index + 1, so that 0 can mean "none" in
// buckets, chains and the free list.
const (
	freeBit = 1 << 31
	// maxEntries keeps every ref below freeBit.
	maxEntries = freeBit - 1

	// Chunk sizes: 8, 8, 16, 32, ..., 512 (smallChunks of them, 1024 slots
	// in all), then chunkLen each. Small dicts (hashes and sets above
	// their listpack threshold, the 16 databases) pay for what they use;
	// large ones get big chunks.
	chunkShift  = 10
	chunkLen    = 1 << chunkShift
	chunkMask   = chunkLen - 1
	smallChunks = 8
)

// arena is a chunked slab of entries with a free list. Chunks are never
// reallocated, so entries never move; growth appends a chunk.
type arena[V any] struct {
	chunks [][]entry[V]
	n      uint32 // slots handed out so far: indexes 0..n-1 are in use or free
	cap    uint32 // total slots in chunks
	free   uint32 // ref of the first free slot, 0 if none
	nfree  int    // length of the free list
}

// chunkSize is the length of chunk k.
func chunkSize(k int) int {
	switch {
	case k == 0:
		return 8
	case k < smallChunks:
		return 8 << (k - 1)
	}
	return chunkLen
}

// at returns the entry named by ref r (r != 0).
func (a *arena[V]) at(r uint32) *entry[V] {
	i := r - 1
	if i >= chunkLen {
		return &a.chunks[i>>chunkShift+smallChunks-1][i&chunkMask]
	}
	return a.small(i)
}

// small locates index i < chunkLen in the geometric leading chunks.
func (a *arena[V]) small(i uint32) *entry[V] {
	if i < 8 {
		return &a.chunks[0][i]
	}
	n := bits.Len32(i) // 4..10
	return &a.chunks[n-3][i-1<<(n-1)]
}

// alloc returns the ref of a slot whose key is "", value is zero and next
// is 0. It reuses the most recently freed slot first.
func (a *arena[V]) alloc() uint32 {
	if r := a.free; r != 0 {
		e := a.at(r)
		a.free = e.next &^ freeBit
		a.nfree--
		e.next = 0
		return r
	}
	if a.n == maxEntries {
		panic("dict: too many entries")
	}
	if a.n == a.cap {
		c := make([]entry[V], chunkSize(len(a.chunks)))
		a.chunks = append(a.chunks, c)
		a.cap += uint32(len(c))
	}
	a.n++
	return a.n
}

// release puts slot r on the free list, dropping its key and value so the
// garbage collector can reclaim what they reference.
func (a *arena[V]) release(r uint32) {
	e := a.at(r)
	var zero V
	e.key, e.val = "", zero
	e.next = freeBit | a.free
	a.free = r
	a.nfree++
}

// each calls fn for every slot handed out, in or out of use, in index
// order, until fn returns false.
func (a *arena[V]) each(fn func(r uint32, e *entry[V]) bool) {
	n := a.n
	var base uint32
	for _, c := range a.chunks {
		if base >= n {
			return
		}
		m := min(uint32(len(c)), n-base)
		for j := uint32(0); j < m; j++ {
			if !fn(base+j+1, &c[j]) {
				return
			}
		}
		base += uint32(len(c))
	}
}
