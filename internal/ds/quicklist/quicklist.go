package quicklist

import (
	"bytes"
	"sync/atomic"
	"unsafe"

	"cairn/internal/ds/listpack"
)

// End names an end of the list (Redis's LIST_HEAD, LIST_TAIL).
type End int

const (
	Head End = iota
	Tail
)

const (
	// DefaultFill is list-max-listpack-size's default: 8 KiB per node.
	DefaultFill = -2
	// fillMax is FILL_MAX: positive fills are capped at 32767 entries.
	fillMax = 1<<15 - 1
	// compressMax is COMPRESS_MAX.
	compressMax = 1<<16 - 1
	// sizeSafetyLimit bounds a node's bytes when the fill counts entries.
	sizeSafetyLimit = 8192
	// sizeEstimateOverhead is added to a value's length to estimate what
	// it adds to a listpack (SIZE_ESTIMATE_OVERHEAD): never an
	// underestimate, so a node admitted by the estimate stays in bounds.
	sizeEstimateOverhead = 8
	// mergeOverhead is what _quicklistNodeAllowMerge takes merging two
	// nodes to save: 11 bytes, a ziplist's header and end, kept from before
	// listpacks (a listpack's are 7), so a merged node can be 4 bytes over
	// the limit. Checked against redis-server 7.0.15.
	mergeOverhead = 11
	// defaultPackedThreshold is where elements get a plain node of their
	// own (packed_threshold).
	defaultPackedThreshold = 1 << 30
)

// optimizationLevel is the node size limit for fills -1 to -5.
var optimizationLevel = [...]int{4096, 8192, 16384, 32768, 65536}

var packedThreshold atomic.Int64

func init() { packedThreshold.Store(defaultPackedThreshold) }

// SetPackedThreshold sets the element size from which elements are kept in
// plain nodes of their own, for every list, as quicklistSetPackedThreshold
// (DEBUG QUICKLIST-PACKED-THRESHOLD) does: 0 restores the default of 1 GiB,
// and sizes above 4 GiB - 1 MiB are refused.
func SetPackedThreshold(sz int) bool {
	if sz > 1<<32-1<<20 || sz < 0 {
		return false
	}
	if sz == 0 {
		sz = defaultPackedThreshold
	}
	packedThreshold.Store(int64(sz))
	return true
}

func isLarge(sz int) bool { return int64(sz) >= packedThreshold.Load() }

// node is a listpack of entries or, for a plain node, one element.
type node struct {
	lp    listpack.Listpack // the entries of a packed node
	plain []byte            // a plain node's element; nil for a packed node
	count int               // entries: lp.Len(), or 1
}

func (n *node) isPlain() bool { return n.plain != nil }

// sz is the node's size as Redis counts it (node->sz).
func (n *node) sz() int {
	if n.plain != nil {
		return len(n.plain)
	}
	return n.lp.BytesLen()
}

// List is Redis 7.0's quicklist: a sequence of listpack nodes. The zero
// value is not usable; call New.
type List struct {
	// buf[lo:hi] are the nodes, head first. Slots outside are zero.
	// Keeping room at both ends makes adding a node at either end
	// amortised O(1); a node in the middle moves the nodes on one side.
	buf    []node
	lo, hi int
	count  int // entries in all nodes
	fill   int // list-max-listpack-size, clamped
	depth  int // list-compress-depth, clamped; accepted, not applied
	// spare is the buffer of the last packed node that emptied, kept for
	// the next new node while the list has at least two nodes, so that a
	// queue (push at one end, pop at the other) allocates nothing.
	spare listpack.Listpack
}

// New returns an empty list with the given list-max-listpack-size (fill)
// and list-compress-depth, clamped as Redis clamps them.
func New(fill, compressDepth int) *List {
	fill = min(max(fill, -len(optimizationLevel)), fillMax)
	compressDepth = min(max(compressDepth, 0), compressMax)
	return &List{fill: fill, depth: compressDepth}
}

// Len is the number of elements.
func (q *List) Len() int { return q.count }

// Fill is the list's list-max-listpack-size.
func (q *List) Fill() int { return q.fill }

// CompressDepth is the list's list-compress-depth (recorded only: nodes
// are never compressed).
func (q *List) CompressDepth() int { return q.depth }

// NodeCount is the number of nodes.
func (q *List) NodeCount() int { return q.hi - q.lo }

func (q *List) nodes() []node { return q.buf[q.lo:q.hi] }

func (q *List) at(i int) *node { return &q.buf[q.lo+i] }

// MemoryUsage estimates the bytes the list holds: the List, the node array
// and every buffer's capacity.
func (q *List) MemoryUsage() int {
	n := int(unsafe.Sizeof(*q)) + cap(q.buf)*int(unsafe.Sizeof(node{})) + q.spare.Cap()
	for i := range q.nodes() {
		nd := q.at(i)
		n += nd.lp.Cap() + cap(nd.plain)
	}
	return n
}

// sizeLimit is the most bytes a node of several entries may hold.
func (q *List) sizeLimit() int {
	if q.fill < 0 {
		return optimizationLevel[-q.fill-1]
	}
	return sizeSafetyLimit
}

// exceeds reports whether a node of sz bytes and count entries is over the
// fill limit.
func (q *List) exceeds(sz, count int) bool {
	if q.fill < 0 {
		return sz > optimizationLevel[-q.fill-1]
	}
	return sz > sizeSafetyLimit || count > q.fill
}

// allowInsert is _quicklistNodeAllowInsert: whether a value of sz bytes
// may join node n (nil for none).
func (q *List) allowInsert(n *node, sz int) bool {
	if n == nil || n.isPlain() || isLarge(sz) {
		return false
	}
	return !q.exceeds(n.lp.BytesLen()+sz+sizeEstimateOverhead, n.count+1)
}

// allowMerge is _quicklistNodeAllowMerge.
func (q *List) allowMerge(a, b *node) bool {
	if a == nil || b == nil || a.isPlain() || b.isPlain() {
		return false
	}
	return !q.exceeds(a.lp.BytesLen()+b.lp.BytesLen()-mergeOverhead, a.count+b.count)
}

// reserve makes room in packed node n for a value of sz bytes: buffers
// grow by doubling up to the node size limit, so that a full node's
// buffer is exactly the limit.
func (q *List) reserve(n *node, sz int) {
	add := sz + sizeEstimateOverhead
	have := n.lp.BytesLen()
	if n.lp.Cap()-have >= add {
		return
	}
	want := max(have+add, min(2*n.lp.Cap(), q.sizeLimit()), 32)
	n.lp.Grow(want - have)
}

// newNode returns an empty packed node with room for a value of sz bytes,
// reusing the spare buffer if there is one.
func (q *List) newNode(sz int) node {
	var n node
	if q.spare.Cap() > 0 {
		n.lp, q.spare = q.spare, listpack.Listpack{}
	}
	q.reserve(&n, sz)
	return n
}

// nodeAt returns node i, or nil when i is out of range.
func (q *List) nodeAt(i int) *node {
	if i < 0 || i >= q.hi-q.lo {
		return nil
	}
	return q.at(i)
}

// insertNode puts n at position i (0 <= i <= NodeCount). Node indexes
// keep their meaning, but *node pointers taken before are stale.
func (q *List) insertNode(i int, n node) {
	count := q.hi - q.lo
	if (i == 0 && q.lo == 0) || (i == count && q.hi == len(q.buf)) || count == len(q.buf) {
		q.recentre(count + 1)
	}
	switch {
	case i == 0:
		q.lo--
	case i == count:
		q.hi++
	case q.lo > 0 && (i <= count/2 || q.hi == len(q.buf)):
		copy(q.buf[q.lo-1:], q.buf[q.lo:q.lo+i])
		q.lo--
	default:
		copy(q.buf[q.lo+i+1:q.hi+1], q.buf[q.lo+i:q.hi])
		q.hi++
	}
	q.buf[q.lo+i] = n
}

// recentre moves the nodes to the middle of the buffer, first to a new
// buffer of twice the size if less than half of them (or 2 slots) would be
// free once there are need nodes. Either way both ends have room after.
func (q *List) recentre(need int) {
	count := q.hi - q.lo
	if free := len(q.buf) - need; free < max(2, need/2) {
		nb := make([]node, max(4, 2*need))
		lo := (len(nb) - count) / 2
		copy(nb[lo:], q.nodes())
		q.buf, q.lo, q.hi = nb, lo, lo+count
		return
	}
	lo := (len(q.buf) - count) / 2
	copy(q.buf[lo:], q.nodes())
	clear(q.buf[:lo])
	clear(q.buf[lo+count:])
	q.lo, q.hi = lo, lo+count
}

// removeNode deletes node i. The buffer of an emptied packed node is kept
// as the spare while two or more nodes remain.
func (q *List) removeNode(i int) {
	n := q.at(i)
	if n.count == 0 && !n.isPlain() && n.lp.Cap() <= q.sizeLimit() && q.hi-q.lo > 2 {
		q.spare = n.lp
		q.spare.Reset()
	}
	count := q.hi - q.lo
	if i < count/2 {
		copy(q.buf[q.lo+1:], q.buf[q.lo:q.lo+i])
		q.buf[q.lo] = node{}
		q.lo++
	} else {
		copy(q.buf[q.lo+i:], q.buf[q.lo+i+1:q.hi])
		q.hi--
		q.buf[q.hi] = node{}
	}
	switch {
	case q.lo == q.hi:
		q.lo, q.hi = len(q.buf)/2, len(q.buf)/2
		q.spare = listpack.Listpack{}
	case q.hi-q.lo < 2:
		q.spare = listpack.Listpack{}
	}
	if cap(q.buf) > 64 && 4*(q.hi-q.lo) < cap(q.buf) {
		q.shrinkNodes()
	}
}

// shrinkNodes moves the nodes to a buffer half the size, centred.
func (q *List) shrinkNodes() {
	count := q.hi - q.lo
	nb := make([]node, cap(q.buf)/2)
	lo := (len(nb) - count) / 2
	copy(nb[lo:], q.nodes())
	q.buf, q.lo, q.hi = nb, lo, lo+count
}

// plainNode returns a node holding a copy of v.
func plainNode(v []byte) node { return node{plain: bytes.Clone(v), count: 1} }

// PushHead adds v at the head (LPUSH), copying it.
func (q *List) PushHead(v []byte) { q.Push(v, Head) }

// PushTail adds v at the tail (RPUSH), copying it.
func (q *List) PushTail(v []byte) { q.Push(v, Tail) }

// Push adds v at the given end (quicklistPush), copying it: into the end
// node if the fill allows, else into a new node; an element of the packed
// threshold or more gets a plain node of its own.
func (q *List) Push(v []byte, where End) {
	q.count++
	i := 0 // the end node's index, and where a new node goes
	if where == Tail {
		i = q.hi - q.lo - 1
	}
	if isLarge(len(v)) {
		q.insertNode(max(i+int(where), 0), plainNode(v))
		return
	}
	if n := q.nodeAt(i); q.allowInsert(n, len(v)) {
		q.reserve(n, len(v))
		if where == Head {
			n.lp.Prepend(v)
		} else {
			n.lp.Append(v)
		}
		n.count++
		return
	}
	n := q.newNode(len(v))
	n.lp.Append(v)
	n.count = 1
	q.insertNode(max(i+int(where), 0), n)
}

// PopHead removes the head element and appends it to dst (LPOP); ok is
// false if the list is empty. With a reused dst it allocates nothing.
func (q *List) PopHead(dst []byte) (out []byte, ok bool) { return q.Pop(Head, dst) }

// PopTail removes the tail element and appends it to dst (RPOP).
func (q *List) PopTail(dst []byte) (out []byte, ok bool) { return q.Pop(Tail, dst) }

// Pop removes the element at the given end and appends it to dst.
func (q *List) Pop(where End, dst []byte) (out []byte, ok bool) {
	ok = q.PopFunc(where, func(e listpack.Entry) { dst = e.AppendString(dst) })
	return dst, ok
}

// PopFunc removes the element at the given end after passing it to fn
// (quicklistPopCustom), which may write it to a reply without a copy: the
// entry is valid only during the call. It reports false if the list is
// empty.
func (q *List) PopFunc(where End, fn func(e listpack.Entry)) bool {
	if q.count == 0 {
		return false
	}
	i := 0
	if where == Tail {
		i = q.hi - q.lo - 1
	}
	n := q.at(i)
	if n.isPlain() {
		fn(listpack.Entry{Str: n.plain[:len(n.plain):len(n.plain)]})
		q.delIndex(i, 0)
		return true
	}
	p := n.lp.First()
	if where == Tail {
		p = n.lp.Last()
	}
	fn(n.lp.Get(p))
	q.delIndex(i, p)
	return true
}

// delIndex deletes the entry at offset p of node i (quicklistDelIndex),
// removing the node if it empties, and reports whether it did. Nodes are
// not merged after deletes, as in Redis.
func (q *List) delIndex(i, p int) (gone bool) {
	n := q.at(i)
	q.count--
	if n.isPlain() {
		n.count = 0
		q.removeNode(i)
		return true
	}
	n.lp.Delete(p)
	n.count--
	if n.count == 0 {
		q.removeNode(i)
		return true
	}
	return false
}

// locate finds element i (negative counts from the tail): its node and
// its index within the node, walking the per-node counts from the nearer
// end (quicklistGetIteratorAtIdx). ok is false when i is out of range.
func (q *List) locate(i int) (ni, k int, ok bool) {
	if i < 0 {
		i += q.count
	}
	if i < 0 || i >= q.count {
		return 0, 0, false
	}
	nodes := q.nodes()
	if i <= (q.count-1)/2 {
		for ni = range nodes {
			if c := nodes[ni].count; i < c {
				return ni, i, true
			} else {
				i -= c
			}
		}
	} else {
		r := q.count - 1 - i // index from the tail
		for ni = len(nodes) - 1; ni >= 0; ni-- {
			if c := nodes[ni].count; r < c {
				return ni, c - 1 - r, true
			} else {
				r -= c
			}
		}
	}
	panic("quicklist: counts out of step")
}

// offset returns the listpack offset of entry k of packed node n.
func offset(n *node, k int) int {
	if n.isPlain() {
		return 0
	}
	return n.lp.Seek(k)
}

// entry decodes the entry at offset p of node n.
func entry(n *node, p int) listpack.Entry {
	if n.isPlain() {
		return listpack.Entry{Str: n.plain[:len(n.plain):len(n.plain)]}
	}
	return n.lp.Get(p)
}

// Index returns element i, negative counting from the tail (LINDEX). The
// entry is borrowed: valid until the next change to the list.
func (q *List) Index(i int) (listpack.Entry, bool) {
	ni, k, ok := q.locate(i)
	if !ok {
		return listpack.Entry{}, false
	}
	n := q.at(ni)
	return entry(n, offset(n, k)), true
}

// Set replaces element i with v (LSET, quicklistReplaceAtIndex) and
// reports whether i was in range. As in Redis 7.0, a packed node takes the
// new value in place whatever its size, so a node can end up over the
// fill limit; a value at the packed threshold goes to a plain node.
func (q *List) Set(i int, v []byte) bool {
	ni, k, ok := q.locate(i)
	if !ok {
		return false
	}
	n := q.at(ni)
	large := isLarge(len(v))
	switch {
	case !n.isPlain() && !large:
		n.lp.Replace(n.lp.Seek(k), v)
	case n.isPlain() && large:
		n.plain = bytes.Clone(v)
	case n.isPlain():
		// Insert after it (n is stale after this), then drop it.
		q.insert(ni, k, v, true)
		q.count--
		q.removeNode(ni)
	default:
		// A large value for a packed node: insert it after the old one
		// (splitting the node there), then delete the old one, now the
		// last of its node.
		q.insert(ni, k, v, true)
		n = q.at(ni)
		q.delIndex(ni, n.lp.Last())
	}
	return true
}

// insert adds v before or after entry k of node ni (_quicklistInsert): into
// that node if the fill allows; at its edge, into the neighbour if that
// one has room, else into a new node; else by splitting the node at k and
// then merging around it.
func (q *List) insert(ni, k int, v []byte, after bool) {
	n := q.at(ni)
	sz := len(v)
	full := !q.allowInsert(n, sz)
	atTail := after && k == n.count-1
	atHead := !after && k == 0
	availNext := atTail && q.allowInsert(q.nodeAt(ni+1), sz)
	availPrev := atHead && q.allowInsert(q.nodeAt(ni-1), sz)
	where := ni // where a new node goes: before node ni...
	if after {
		where = ni + 1 // ...or after it
	}
	q.count++

	if isLarge(sz) {
		if n.isPlain() || atTail || atHead {
			q.insertNode(where, plainNode(v))
			return
		}
		rest := q.split(n, k, after)
		q.insertNode(where, plainNode(v))
		if after {
			q.insertNode(where+1, rest)
		} else {
			q.insertNode(where, rest)
		}
		return
	}

	switch {
	case !full:
		q.reserve(n, sz)
		p := n.lp.Seek(k)
		if after {
			n.lp.Insert(p, listpack.After, v)
		} else {
			n.lp.Insert(p, listpack.Before, v)
		}
		n.count++
	case atTail && availNext:
		next := q.at(ni + 1)
		q.reserve(next, sz)
		next.lp.Prepend(v)
		next.count++
	case atHead && availPrev:
		prev := q.at(ni - 1)
		q.reserve(prev, sz)
		prev.lp.Append(v)
		prev.count++
	case atTail || atHead:
		nn := q.newNode(sz)
		nn.lp.Append(v)
		nn.count = 1
		q.insertNode(where, nn)
	default:
		// Split: the half on the far side of k gets v at its near end.
		rest := q.split(n, k, after)
		q.reserve(&rest, sz)
		if after {
			rest.lp.Prepend(v)
		} else {
			rest.lp.Append(v)
		}
		rest.count++
		q.insertNode(where, rest)
		if !after {
			ni++ // node ni moved up by one
		}
		q.mergeAround(ni)
	}
}

// split is _quicklistSplitNode: node n keeps entries 0..k (after) or
// k..end (before), and the other entries are returned as a new node.
func (q *List) split(n *node, k int, after bool) node {
	rest := node{lp: n.lp.Clone()}
	if after {
		n.lp.DeleteRange(k+1, n.count)
		rest.lp.DeleteRange(0, k+1)
	} else {
		n.lp.DeleteRange(0, k)
		rest.lp.DeleteRange(k, n.count)
	}
	n.count = n.lp.Len()
	rest.count = rest.lp.Len()
	rest.lp.ShrinkToFit()
	return rest
}

// mergeAround is _quicklistMergeNodes: merge the two nodes before node c,
// the two after it, then c with its previous and the result with its next,
// wherever the fill allows.
func (q *List) mergeAround(c int) {
	if q.allowMerge(q.nodeAt(c-2), q.nodeAt(c-1)) {
		q.merge(c - 2)
		c--
	}
	if q.allowMerge(q.nodeAt(c+1), q.nodeAt(c+2)) {
		q.merge(c + 1)
	}
	if q.allowMerge(q.nodeAt(c-1), q.nodeAt(c)) {
		q.merge(c - 1)
		c--
	}
	if q.allowMerge(q.nodeAt(c), q.nodeAt(c+1)) {
		q.merge(c)
	}
}

// merge joins nodes i and i+1 into node i (_quicklistListpackMerge).
func (q *List) merge(i int) {
	a, b := q.at(i), q.at(i+1)
	a.lp = listpack.Merge(a.lp, b.lp)
	a.count += b.count
	b.lp, b.count = listpack.Listpack{}, 0
	q.removeNode(i + 1)
}

// InsertBefore inserts v before the first element equal to pivot, from
// the head (LINSERT ... BEFORE), and reports whether pivot was found.
func (q *List) InsertBefore(pivot, v []byte) bool { return q.insertPivot(pivot, v, false) }

// InsertAfter inserts v after the first element equal to pivot.
func (q *List) InsertAfter(pivot, v []byte) bool { return q.insertPivot(pivot, v, true) }

func (q *List) insertPivot(pivot, v []byte, after bool) bool {
	for ni := range q.nodes() {
		n := q.at(ni)
		if n.isPlain() {
			if bytes.Equal(n.plain, pivot) {
				q.insert(ni, 0, v, after)
				return true
			}
			continue
		}
		k := 0
		for p := n.lp.First(); p >= 0; p = n.lp.Next(p) {
			if n.lp.Get(p).Equal(pivot) {
				q.insert(ni, k, v, after)
				return true
			}
			k++
		}
	}
	return false
}
