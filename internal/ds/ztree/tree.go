package ztree

import "unsafe"

// Node capacities. A leaf of 128 elements is 3,096 bytes, an inner node of
// 64 children 3,080 bytes: both just fit the runtime's 3,200-byte size class.
const (
	leafMax  = 128
	innerMax = 64
)

// leaf holds up to leafCap elements in order, in flat arrays: one heap
// object per leaf. Slots at and beyond n are zero, so that the tree never
// keeps a deleted member's bytes alive.
type leaf struct {
	n          int
	prev, next *leaf // the leaves in order, for iteration
	scores     [leafMax]float64
	members    [leafMax]string
}

// inner is a node above the leaves. Child i has counts[i] elements in its
// subtree; for i >= 1 (scores[i], members[i]) is the smallest element in
// that subtree (its separator), and slot 0 keeps no key. Children are in
// leaves at height 1 (the level just above the leaves) and in kids above
// that; the other array stays nil. Slots at and beyond n are zero.
type inner struct {
	n       int
	counts  [innerMax]int
	scores  [innerMax]float64
	members [innerMax]string
	kids    [innerMax]*inner
	leaves  [innerMax]*leaf
}

// step is one level of a root-to-leaf path: the node and the child taken.
type step struct {
	node *inner
	i    int
}

// Tree is an order-statistic B+tree of (score, member) elements in Redis's
// zset order. See the package documentation. The zero Tree is empty and
// ready to use.
type Tree struct {
	root   *inner // nil while height == 0
	rleaf  *leaf  // the root while height == 0; nil when the tree is empty
	height int    // levels of inner nodes
	length int
	head   *leaf // first and last leaves; nil when empty
	tail   *leaf

	nleaves, ninners int // nodes allocated, for MemoryUsage

	// leafCap and innerCap are the node capacities in use: leafMax and
	// innerMax, or less in tests, to build deep trees from few elements.
	leafCap, innerCap int

	// path is the root-to-leaf path of the last descent; scratch reused by
	// every operation.
	path []step
}

// New returns an empty tree.
func New() *Tree { return &Tree{leafCap: leafMax, innerCap: innerMax} }

// Len returns the number of elements.
func (t *Tree) Len() int { return t.length }

// MemoryUsage returns the bytes held by the tree's nodes, not counting the
// members' bytes (which the tree shares with the zset's dict).
func (t *Tree) MemoryUsage() int {
	return int(unsafe.Sizeof(*t)) + cap(t.path)*int(unsafe.Sizeof(step{})) +
		t.nleaves*int(unsafe.Sizeof(leaf{})) + t.ninners*int(unsafe.Sizeof(inner{}))
}

func (t *Tree) leafMin() int  { return t.leafCap / 2 }
func (t *Tree) innerMin() int { return t.innerCap / 2 }

// less is Redis's zset order: by score, then by member bytes (memcmp, a
// shorter prefix first). -0 and 0 are equal scores.
func less(s1 float64, m1 string, s2 float64, m2 string) bool {
	return s1 < s2 || (s1 == s2 && m1 < m2)
}

// child returns the child of p whose subtree holds (score, member) or would
// hold it: the last child whose separator is <= the key.
func (p *inner) child(score float64, member string) int {
	lo, hi := 1, p.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if less(score, member, p.scores[mid], p.members[mid]) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo - 1
}

// search returns the position of the first element >= (score, member) in
// l, and whether it is that element.
func (l *leaf) search(score float64, member string) (int, bool) {
	lo, hi := 0, l.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if less(l.scores[mid], l.members[mid], score, member) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < l.n && l.scores[lo] == score && l.members[lo] == member
}

// descend walks from the root to the leaf that holds (score, member) or
// would hold it, recording the path in t.path. The tree must not be empty.
func (t *Tree) descend(score float64, member string) *leaf {
	t.path = t.path[:0]
	if t.height == 0 {
		return t.rleaf
	}
	p := t.root
	for lvl := 0; ; lvl++ {
		i := p.child(score, member)
		t.path = append(t.path, step{p, i})
		if lvl == t.height-1 {
			return p.leaves[i]
		}
		p = p.kids[i]
	}
}

// descendRank walks to the element of rank r, 0 <= r < Len(), recording
// the path, and returns its leaf and position.
func (t *Tree) descendRank(r int) (*leaf, int) {
	t.path = t.path[:0]
	if t.height == 0 {
		return t.rleaf, r
	}
	p := t.root
	for lvl := 0; ; lvl++ {
		i := 0
		for r >= p.counts[i] {
			r -= p.counts[i]
			i++
		}
		t.path = append(t.path, step{p, i})
		if lvl == t.height-1 {
			return p.leaves[i], r
		}
		p = p.kids[i]
	}
}

// pathRank returns the rank of position pos in the leaf at the end of
// t.path.
func (t *Tree) pathRank(pos int) int {
	r := pos
	for _, s := range t.path {
		for j := 0; j < s.i; j++ {
			r += s.node.counts[j]
		}
	}
	return r
}

// Rank returns the 0-based rank of (score, member) in ascending order, and
// whether the element is present. score must be the member's score.
func (t *Tree) Rank(score float64, member string) (int, bool) {
	if t.length == 0 {
		return 0, false
	}
	l := t.descend(score, member)
	pos, found := l.search(score, member)
	if !found {
		return 0, false
	}
	return t.pathRank(pos), true
}

// ByRank returns the element of 0-based rank i in ascending order. It
// panics unless 0 <= i < Len().
func (t *Tree) ByRank(i int) (score float64, member string) {
	if uint(i) >= uint(t.length) {
		panic("ztree: rank out of range")
	}
	l, pos := t.descendRank(i)
	return l.scores[pos], l.members[pos]
}

// First returns the smallest element, if any, in O(1).
func (t *Tree) First() (score float64, member string, ok bool) {
	if t.length == 0 {
		return 0, "", false
	}
	return t.head.scores[0], t.head.members[0], true
}

// Last returns the largest element, if any, in O(1).
func (t *Tree) Last() (score float64, member string, ok bool) {
	if t.length == 0 {
		return 0, "", false
	}
	l := t.tail
	return l.scores[l.n-1], l.members[l.n-1], true
}

// Iterate calls fn with the elements from rank fromRank onwards, in
// ascending order, or with ranks fromRank, fromRank-1, …, 0 if reverse,
// until fn returns false. Nothing is called if fromRank is out of range.
// fn must not modify the tree. ZREVRANGE's reverse rank r is rank
// Len()-1-r here.
func (t *Tree) Iterate(fromRank int, reverse bool, fn func(score float64, member string) bool) {
	if uint(fromRank) >= uint(t.length) {
		return
	}
	l, pos := t.descendRank(fromRank)
	if reverse {
		for {
			for ; pos >= 0; pos-- {
				if !fn(l.scores[pos], l.members[pos]) {
					return
				}
			}
			if l = l.prev; l == nil {
				return
			}
			pos = l.n - 1
		}
	}
	for {
		for ; pos < l.n; pos++ {
			if !fn(l.scores[pos], l.members[pos]) {
				return
			}
		}
		if l = l.next; l == nil {
			return
		}
		pos = 0
	}
}

// Insert adds (score, member). The member must not be in the tree (under
// any score): the zset's dict knows, and the caller checks it there. The
// tree keeps member itself, without copying, so a zset shares one string
// between its dict and its tree. score must not be NaN. Insert panics if
// the exact element is already present.
func (t *Tree) Insert(score float64, member string) {
	if score != score {
		panic("ztree: NaN score")
	}
	if t.leafCap == 0 { // the zero Tree
		t.leafCap, t.innerCap = leafMax, innerMax
	}
	if t.length == 0 {
		l := t.newLeaf()
		l.n, l.scores[0], l.members[0] = 1, score, member
		t.rleaf, t.head, t.tail, t.length = l, l, l, 1
		return
	}
	l := t.descend(score, member)
	pos, found := l.search(score, member)
	if found {
		panic("ztree: Insert of an element already present")
	}
	t.length++
	if l.n < t.leafCap {
		l.insertAt(pos, score, member)
		for _, s := range t.path {
			s.node.counts[s.i]++
		}
		return
	}

	// The leaf is full. An append past the last leaf keeps the old leaf
	// full and starts a new one with the new element (and a prepend before
	// the first, symmetrically), so that ascending or descending inserts
	// fill leaves completely instead of leaving them half full. Otherwise,
	// if a sibling has room, some elements move there (as in a B*-tree),
	// which raises the average fill under random inserts from about 70% to
	// about 80%; if neither has, the leaf splits in half.
	s := (l.n + 1) / 2
	switch {
	case l.next == nil && pos == l.n:
		s = l.n
	case l.prev == nil && pos == 0:
		s = 1
	case t.spill(l, pos, score, member):
		return
	}
	r := t.newLeaf()
	l.splitInsert(r, s, pos, score, member)
	r.prev, r.next = l, l.next
	if l.next != nil {
		l.next.prev = r
	} else {
		t.tail = r
	}
	l.next = r

	// Insert r beside l in the parent, splitting full inner nodes on the
	// way up. (newKid, newLeaf) is the node to insert, sepScore and
	// sepMember its smallest element, leftN and rightN the element counts
	// of the split pair.
	var newKid *inner
	newLeaf := r
	sepScore, sepMember := r.scores[0], r.members[0]
	leftN, rightN := l.n, r.n
	split := true
	for lvl := len(t.path) - 1; lvl >= 0; lvl-- {
		p, i := t.path[lvl].node, t.path[lvl].i
		if !split {
			p.counts[i]++
			continue
		}
		p.counts[i] = leftN
		if p.n < t.innerCap {
			p.insertChild(i+1, sepScore, sepMember, rightN, newKid, newLeaf)
			split = false
			continue
		}
		q := t.newInner()
		p.splitInsert(q, i+1, sepScore, sepMember, rightN, newKid, newLeaf)
		sepScore, sepMember = q.scores[0], q.members[0]
		q.scores[0], q.members[0] = 0, ""
		leftN, rightN = p.sum(), q.sum()
		newKid, newLeaf = q, nil
	}
	if split { // a new root above the old one
		nr := t.newInner()
		nr.n = 2
		if t.height == 0 {
			nr.leaves[0], nr.leaves[1] = t.rleaf, newLeaf
			t.rleaf = nil
		} else {
			nr.kids[0], nr.kids[1] = t.root, newKid
		}
		nr.counts[0], nr.counts[1] = leftN, rightN
		nr.scores[1], nr.members[1] = sepScore, sepMember
		t.root = nr
		t.height++
	}
}

// spill inserts an element at position pos of the full leaf l, at the end
// of t.path, by first moving some of l's elements to a sibling under the
// same parent that has room for at least two; it reports false, having
// done nothing, if there is no such sibling.
func (t *Tree) spill(l *leaf, pos int, score float64, member string) bool {
	if t.height == 0 {
		return false
	}
	last := len(t.path) - 1
	p, i := t.path[last].node, t.path[last].i
	switch {
	case i > 0 && t.leafCap-p.leaves[i-1].n >= 2:
		a := p.leaves[i-1]
		k := (t.leafCap - a.n) / 2 // l's first k move to a's end
		copy(a.scores[a.n:], l.scores[:k])
		copy(a.members[a.n:], l.members[:k])
		copy(l.scores[:], l.scores[k:l.n])
		copy(l.members[:], l.members[k:l.n])
		clear(l.scores[l.n-k : l.n])
		clear(l.members[l.n-k : l.n])
		a.n, l.n = a.n+k, l.n-k
		if pos <= k {
			a.insertAt(a.n-k+pos, score, member)
		} else {
			l.insertAt(pos-k, score, member)
		}
		p.counts[i-1], p.counts[i] = a.n, l.n
		p.scores[i], p.members[i] = l.scores[0], l.members[0]
	case i+1 < p.n && t.leafCap-p.leaves[i+1].n >= 2:
		b := p.leaves[i+1]
		k := (t.leafCap - b.n) / 2 // l's last k move to b's front
		copy(b.scores[k:], b.scores[:b.n])
		copy(b.members[k:], b.members[:b.n])
		copy(b.scores[:k], l.scores[l.n-k:l.n])
		copy(b.members[:k], l.members[l.n-k:l.n])
		clear(l.scores[l.n-k : l.n])
		clear(l.members[l.n-k : l.n])
		l.n, b.n = l.n-k, b.n+k
		if pos <= l.n {
			l.insertAt(pos, score, member)
		} else {
			b.insertAt(pos-l.n, score, member)
		}
		p.counts[i], p.counts[i+1] = l.n, b.n
		p.scores[i+1], p.members[i+1] = b.scores[0], b.members[0]
	default:
		return false
	}
	for _, s := range t.path[:last] {
		s.node.counts[s.i]++
	}
	return true
}

func (t *Tree) newLeaf() *leaf {
	t.nleaves++
	return &leaf{}
}

func (t *Tree) newInner() *inner {
	t.ninners++
	return &inner{}
}

// insertAt inserts an element at position pos of a leaf that has room.
func (l *leaf) insertAt(pos int, score float64, member string) {
	copy(l.scores[pos+1:l.n+1], l.scores[pos:l.n])
	copy(l.members[pos+1:l.n+1], l.members[pos:l.n])
	l.scores[pos], l.members[pos] = score, member
	l.n++
}

// splitInsert splits the full leaf l into l and the empty leaf r while
// inserting an element at pos: of the n+1 elements, l keeps the first s and
// r gets the rest.
func (l *leaf) splitInsert(r *leaf, s, pos int, score float64, member string) {
	from := s // the first old element that moves to r
	if pos < s {
		from = s - 1
	}
	r.n = copy(r.scores[:], l.scores[from:l.n])
	copy(r.members[:], l.members[from:l.n])
	clear(l.scores[from:l.n])
	clear(l.members[from:l.n])
	l.n = from
	if pos < s {
		l.insertAt(pos, score, member)
	} else {
		r.insertAt(pos-s, score, member)
	}
}

// sum returns the number of elements under p.
func (p *inner) sum() int {
	n := 0
	for _, c := range p.counts[:p.n] {
		n += c
	}
	return n
}

// moveInner copies k children with their keys and counts from src[si:]
// to dst[di:] (the ranges may overlap).
func moveInner(dst *inner, di int, src *inner, si, k int) {
	copy(dst.counts[di:di+k], src.counts[si:si+k])
	copy(dst.scores[di:di+k], src.scores[si:si+k])
	copy(dst.members[di:di+k], src.members[si:si+k])
	copy(dst.kids[di:di+k], src.kids[si:si+k])
	copy(dst.leaves[di:di+k], src.leaves[si:si+k])
}

// clearInner zeroes the child slots [from, to) of p.
func (p *inner) clear(from, to int) {
	clear(p.counts[from:to])
	clear(p.scores[from:to])
	clear(p.members[from:to])
	clear(p.kids[from:to])
	clear(p.leaves[from:to])
}

// insertChild inserts a child (kid or lf) with its separator and count at
// position j of an inner node that has room.
func (p *inner) insertChild(j int, score float64, member string, count int, kid *inner, lf *leaf) {
	moveInner(p, j+1, p, j, p.n-j)
	p.counts[j], p.scores[j], p.members[j], p.kids[j], p.leaves[j] = count, score, member, kid, lf
	p.n++
}

// splitInsert splits the full node p into p and the empty node q while
// inserting a child at position j: p keeps the first half of the n+1
// children. q's separator is left in q's slot 0 for the caller.
func (p *inner) splitInsert(q *inner, j int, score float64, member string, count int, kid *inner, lf *leaf) {
	s := (p.n + 1) / 2
	from := s
	if j < s {
		from = s - 1
	}
	moveInner(q, 0, p, from, p.n-from)
	q.n = p.n - from
	p.clear(from, p.n)
	p.n = from
	if j < s {
		p.insertChild(j, score, member, count, kid, lf)
	} else {
		q.insertChild(j-s, score, member, count, kid, lf)
	}
}

// removeChild removes child j of p, keeping slot 0 keyless.
func (p *inner) removeChild(j int) {
	moveInner(p, j, p, j+1, p.n-j-1)
	p.clear(p.n-1, p.n)
	p.n--
	p.scores[0], p.members[0] = 0, ""
}

// Delete removes (score, member) and reports whether it was present.
func (t *Tree) Delete(score float64, member string) bool {
	if t.length == 0 {
		return false
	}
	l := t.descend(score, member)
	pos, found := l.search(score, member)
	if !found {
		return false
	}
	t.removeFromLeaf(l, pos, 1)
	return true
}

// UpdateScore changes the score of member from oldScore to newScore, in
// place when the member keeps its position (Redis's zslUpdateScore), else
// by a delete and an insert. The element (oldScore, member) must be present:
// UpdateScore panics if it is not. newScore must not be NaN.
func (t *Tree) UpdateScore(oldScore float64, member string, newScore float64) {
	if newScore != newScore {
		panic("ztree: NaN score")
	}
	var l *leaf
	pos, found := 0, false
	if t.length > 0 {
		l = t.descend(oldScore, member)
		pos, found = l.search(oldScore, member)
	}
	if !found {
		panic("ztree: UpdateScore of an element not present")
	}
	m := l.members[pos] // keep the stored string
	prevOK, nextOK := true, true
	switch {
	case pos > 0:
		prevOK = less(l.scores[pos-1], l.members[pos-1], newScore, m)
	case l.prev != nil:
		p := l.prev
		prevOK = less(p.scores[p.n-1], p.members[p.n-1], newScore, m)
	}
	switch {
	case pos < l.n-1:
		nextOK = less(newScore, m, l.scores[pos+1], l.members[pos+1])
	case l.next != nil:
		nextOK = less(newScore, m, l.next.scores[0], l.next.members[0])
	}
	if prevOK && nextOK {
		l.scores[pos] = newScore
		if pos == 0 {
			t.lowKeyChanged(len(t.path)-1, newScore, m)
		}
		return
	}
	t.removeFromLeaf(l, pos, 1)
	t.Insert(newScore, m)
}

// removeFromLeaf removes the k elements from position pos of the leaf l at
// the end of t.path, then restores the invariants.
func (t *Tree) removeFromLeaf(l *leaf, pos, k int) {
	copy(l.scores[pos:], l.scores[pos+k:l.n])
	copy(l.members[pos:], l.members[pos+k:l.n])
	clear(l.scores[l.n-k : l.n])
	clear(l.members[l.n-k : l.n])
	l.n -= k
	t.length -= k
	for _, s := range t.path {
		s.node.counts[s.i] -= k
	}
	if pos == 0 && l.n > 0 {
		t.lowKeyChanged(len(t.path)-1, l.scores[0], l.members[0])
	}
	t.rebalanceLeaf(l)
}

// lowKeyChanged records that the smallest element under child t.path[lvl].i
// of t.path[lvl].node is now (score, member): it sets the one separator that
// names it, at the deepest level where the path does not take child 0.
// lvl -1 (the root) has no separator.
func (t *Tree) lowKeyChanged(lvl int, score float64, member string) {
	for ; lvl >= 0; lvl-- {
		if s := t.path[lvl]; s.i > 0 {
			s.node.scores[s.i], s.node.members[s.i] = score, member
			return
		}
	}
}

// childLowChanged is lowKeyChanged for child j of t.path[lvl].node, which
// need not be the child on the path.
func (t *Tree) childLowChanged(lvl, j int, score float64, member string) {
	if j > 0 {
		p := t.path[lvl].node
		p.scores[j], p.members[j] = score, member
		return
	}
	t.lowKeyChanged(lvl-1, score, member)
}

// unlink removes l from the list of leaves and counts it freed.
func (t *Tree) unlink(l *leaf) {
	if l.prev != nil {
		l.prev.next = l.next
	} else {
		t.head = l.next
	}
	if l.next != nil {
		l.next.prev = l.prev
	} else {
		t.tail = l.prev
	}
	l.prev, l.next = nil, nil
	t.nleaves--
}

// rebalanceLeaf restores the fill bounds after removals from l, the leaf
// at the end of t.path: an empty leaf is dropped; one below half full is
// merged with a sibling, or takes elements from it.
func (t *Tree) rebalanceLeaf(l *leaf) {
	if t.height == 0 {
		if l.n == 0 {
			t.rleaf, t.head, t.tail = nil, nil, nil
			t.nleaves--
		}
		return
	}
	if l.n >= t.leafMin() {
		return
	}
	lvl := len(t.path) - 1
	p, i := t.path[lvl].node, t.path[lvl].i
	if l.n == 0 {
		t.unlink(l)
		if i == 0 { // p's smallest element is now child 1's
			t.lowKeyChanged(lvl-1, p.scores[1], p.members[1])
		}
		p.removeChild(i)
		t.rebalanceInner(lvl)
		return
	}
	j := i // the pair is children j and j+1 of p
	if i+1 >= p.n {
		j = i - 1
	}
	a, b := p.leaves[j], p.leaves[j+1]
	if a.n+b.n <= t.leafCap { // merge b into a; a is not empty
		copy(a.scores[a.n:], b.scores[:b.n])
		copy(a.members[a.n:], b.members[:b.n])
		a.n += b.n
		t.unlink(b)
		p.counts[j] += p.counts[j+1]
		p.removeChild(j + 1)
		t.rebalanceInner(lvl)
		return
	}
	// Share the elements evenly. Neither leaf is empty, so only b's
	// smallest element changes.
	if want := (a.n + b.n) / 2; a.n < want {
		k := want - a.n // b's first k move to a's end
		copy(a.scores[a.n:], b.scores[:k])
		copy(a.members[a.n:], b.members[:k])
		copy(b.scores[:], b.scores[k:b.n])
		copy(b.members[:], b.members[k:b.n])
		clear(b.scores[b.n-k : b.n])
		clear(b.members[b.n-k : b.n])
		a.n, b.n = a.n+k, b.n-k
	} else {
		k := a.n - want // a's last k move to b's front
		copy(b.scores[k:], b.scores[:b.n])
		copy(b.members[k:], b.members[:b.n])
		copy(b.scores[:k], a.scores[a.n-k:a.n])
		copy(b.members[:k], a.members[a.n-k:a.n])
		clear(a.scores[a.n-k : a.n])
		clear(a.members[a.n-k : a.n])
		a.n, b.n = a.n-k, b.n+k
	}
	p.counts[j], p.counts[j+1] = a.n, b.n
	p.scores[j+1], p.members[j+1] = b.scores[0], b.members[0]
}

// rebalanceInner restores the fill bounds of t.path[lvl].node after it lost
// a child, and of its ancestors in turn; a root left with one child is
// replaced by that child.
func (t *Tree) rebalanceInner(lvl int) {
	for ; lvl > 0; lvl-- {
		p := t.path[lvl].node
		if p.n >= t.innerMin() {
			return
		}
		g, i := t.path[lvl-1].node, t.path[lvl-1].i
		j := i
		if i+1 >= g.n {
			j = i - 1
		}
		a, b := g.kids[j], g.kids[j+1]
		if a.n+b.n <= t.innerCap { // merge b into a, then look at g
			moveInner(a, a.n, b, 0, b.n)
			a.scores[a.n], a.members[a.n] = g.scores[j+1], g.members[j+1]
			a.n += b.n
			t.ninners--
			g.counts[j] += g.counts[j+1]
			g.removeChild(j + 1)
			continue
		}
		// Share the children evenly, rotating separators through g.
		moved := 0
		if want := (a.n + b.n) / 2; a.n < want {
			k := want - a.n // b's first k children move to a's end
			moveInner(a, a.n, b, 0, k)
			a.scores[a.n], a.members[a.n] = g.scores[j+1], g.members[j+1]
			g.scores[j+1], g.members[j+1] = b.scores[k], b.members[k]
			for _, c := range b.counts[:k] {
				moved += c
			}
			moveInner(b, 0, b, k, b.n-k)
			b.clear(b.n-k, b.n)
			b.scores[0], b.members[0] = 0, ""
			a.n, b.n = a.n+k, b.n-k
		} else {
			k := a.n - want // a's last k children move to b's front
			moveInner(b, k, b, 0, b.n)
			b.scores[k], b.members[k] = g.scores[j+1], g.members[j+1]
			moveInner(b, 0, a, a.n-k, k)
			g.scores[j+1], g.members[j+1] = b.scores[0], b.members[0]
			b.scores[0], b.members[0] = 0, ""
			for _, c := range b.counts[:k] {
				moved -= c
			}
			a.clear(a.n-k, a.n)
			a.n, b.n = a.n-k, b.n+k
		}
		g.counts[j] += moved
		g.counts[j+1] -= moved
		return
	}
	for t.height > 0 && t.root.n == 1 {
		old := t.root
		if t.height == 1 {
			t.rleaf, t.root = old.leaves[0], nil
		} else {
			t.root = old.kids[0]
		}
		t.height--
		t.ninners--
	}
}
