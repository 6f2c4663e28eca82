package quicklist

import (
	"bytes"

	"cairn/internal/conv"
	"cairn/internal/ds/listpack"
)

// Iter walks the list from an element towards the tail or the head. Any
// change to the list invalidates it.
type Iter struct {
	q       *List
	ni      int  // current node
	p       int  // offset of the next entry in node ni; -1: node done
	reverse bool // towards the head
}

// Iterator returns an iterator whose first element is element from
// (negative counts from the tail), walking towards the head if reverse.
// If from is out of range the iterator is empty.
func (q *List) Iterator(from int, reverse bool) Iter {
	ni, k, ok := q.locate(from)
	if !ok {
		return Iter{q: q, ni: -1, p: -1}
	}
	return Iter{q: q, ni: ni, p: offset(q.at(ni), k), reverse: reverse}
}

// Next returns the next element, borrowed until the next change to the
// list, or ok false at the end.
func (it *Iter) Next() (e listpack.Entry, ok bool) {
	q := it.q
	for it.ni >= 0 && it.ni < q.hi-q.lo {
		n := q.at(it.ni)
		if it.p >= 0 {
			e = entry(n, it.p)
			switch {
			case n.isPlain():
				it.p = -1
			case it.reverse:
				it.p = n.lp.Prev(it.p)
			default:
				it.p = n.lp.Next(it.p)
			}
			return e, true
		}
		if it.reverse {
			it.ni--
			if it.ni >= 0 {
				it.p = last(q.at(it.ni))
			}
		} else {
			it.ni++
			if it.ni < q.hi-q.lo {
				it.p = first(q.at(it.ni))
			}
		}
	}
	return listpack.Entry{}, false
}

func first(n *node) int {
	if n.isPlain() {
		return 0
	}
	return n.lp.First()
}

func last(n *node) int {
	if n.isPlain() {
		return 0
	}
	return n.lp.Last()
}

// Range calls fn for the elements from start to stop inclusive, with
// LRANGE's index rules: negative indexes count from the tail, start is
// clamped to 0 and stop to the last element, and nothing is visited if
// the range is empty. With reverse it goes from stop down to start (as
// RPOP with a count replies). fn returns false to stop early; entries are
// valid during the call.
func (q *List) Range(start, stop int, reverse bool, fn func(e listpack.Entry) bool) {
	n := q.count
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		return
	}
	stop = min(stop, n-1)
	from := start
	if reverse {
		from = stop
	}
	it := q.Iterator(from, reverse)
	for k := stop - start + 1; k > 0; k-- {
		e, _ := it.Next()
		if !fn(e) {
			return
		}
	}
}

// matcher compares entries with a value as lpCompare does, parsing the
// value as an integer once.
type matcher struct {
	v     []byte
	i     int64
	isInt bool
}

func newMatcher(v []byte) matcher {
	i, ok := conv.ParseInt(v)
	return matcher{v: v, i: i, isInt: ok}
}

func (m *matcher) match(e listpack.Entry) bool {
	if e.IsInt {
		return m.isInt && e.Int == m.i
	}
	return bytes.Equal(e.Str, m.v)
}

// Pos calls fn with the index of each element equal to v (LPOS), starting
// with the rank-th match: from the head if rank > 0, from the tail if
// rank < 0 (rank 0 is the caller's error to report). At most maxlen
// elements are compared (0: all). fn returns false to stop; indexes are
// always counted from the head.
func (q *List) Pos(v []byte, rank, maxlen int, fn func(index int) bool) {
	m := newMatcher(v)
	reverse := rank < 0
	from := 0
	if reverse {
		rank, from = -rank, -1
	}
	it := q.Iterator(from, reverse)
	matches := 0
	for index := 0; maxlen == 0 || index < maxlen; index++ {
		e, ok := it.Next()
		if !ok {
			return
		}
		if !m.match(e) {
			continue
		}
		if matches++; matches >= rank {
			at := index
			if reverse {
				at = q.count - index - 1
			}
			if !fn(at) {
				return
			}
		}
	}
}

// Rem removes elements equal to v (LREM) and returns how many: the first
// count from the head if count > 0, the last -count from the tail if
// count < 0, all if 0. Nodes are not merged afterwards, as in Redis.
func (q *List) Rem(v []byte, count int) int {
	m := newMatcher(v)
	reverse := count < 0
	if reverse {
		count = -count
	}
	removed := 0
	done := func() bool { return count > 0 && removed == count }
	if !reverse {
		for ni := 0; ni < q.hi-q.lo && !done(); {
			n := q.at(ni)
			if n.isPlain() {
				if bytes.Equal(n.plain, v) {
					q.delIndex(ni, 0)
					removed++
					continue
				}
				ni++
				continue
			}
			gone := false
			for p := n.lp.First(); p >= 0 && !done(); {
				if !m.match(n.lp.Get(p)) {
					p = n.lp.Next(p)
					continue
				}
				removed++
				q.count--
				n.count--
				p = n.lp.Delete(p)
				if n.count == 0 {
					q.removeNode(ni)
					gone = true
					break
				}
			}
			if !gone {
				q.shrink(n)
				ni++
			}
		}
		return removed
	}
	for ni := q.hi - q.lo - 1; ni >= 0 && !done(); ni-- {
		n := q.at(ni)
		if n.isPlain() {
			if bytes.Equal(n.plain, v) {
				q.delIndex(ni, 0)
				removed++
			}
			continue
		}
		for p := n.lp.Last(); p >= 0 && !done(); {
			prev := n.lp.Prev(p)
			if m.match(n.lp.Get(p)) {
				removed++
				q.count--
				n.count--
				n.lp.Delete(p)
			}
			p = prev
		}
		if n.count == 0 {
			q.removeNode(ni)
		} else {
			q.shrink(n)
		}
	}
	return removed
}

// shrink drops the slack a node's buffer has after deletions.
func (q *List) shrink(n *node) {
	if c := n.lp.Cap(); c > 64 && 2*n.lp.BytesLen() < c {
		n.lp.ShrinkToFit()
	}
}

// DelRange deletes count elements from element start on, negative start
// counting from the tail (quicklistDelRange), clamped to the list's end.
// It reports false, deleting nothing, if count <= 0 or start is out of
// range. Whole nodes are dropped without touching their entries; nodes
// are not merged afterwards, as in Redis.
func (q *List) DelRange(start, count int) bool {
	if count <= 0 {
		return false
	}
	extent := count
	if start >= 0 && extent > q.count-start {
		extent = q.count - start
	} else if start < 0 && extent > -start {
		extent = -start
	}
	ni, k, ok := q.locate(start)
	if !ok {
		return false
	}
	for extent > 0 {
		n := q.at(ni)
		del := min(n.count-k, extent)
		extent -= del
		if (k == 0 && del == n.count) || n.isPlain() {
			q.count -= n.count
			n.count = 0
			q.removeNode(ni)
		} else {
			n.lp.DeleteRange(k, del)
			n.count -= del
			q.count -= del
			q.shrink(n)
			ni++
		}
		k = 0
	}
	return true
}

// Trim keeps only the elements from start to stop inclusive, with LTRIM's
// index rules (an empty range empties the list).
func (q *List) Trim(start, stop int) {
	n := q.count
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	var ltrim, rtrim int
	if start > stop || start >= n {
		ltrim, rtrim = n, 0
	} else {
		stop = min(stop, n-1)
		ltrim, rtrim = start, n-stop-1
	}
	q.DelRange(0, ltrim)
	q.DelRange(-rtrim, rtrim)
}

// Nodes calls fn for each node, head first, for the RDB writer: a packed
// node's listpack bytes, or a plain node's element with plain set (RDB
// quicklist 2 containers PACKED and PLAIN). data is borrowed for the call.
// fn returns false to stop.
func (q *List) Nodes(fn func(data []byte, plain bool) bool) {
	for i := range q.nodes() {
		n := q.at(i)
		var ok bool
		if n.isPlain() {
			ok = fn(n.plain[:len(n.plain):len(n.plain)], true)
		} else {
			ok = fn(n.lp.Bytes(), false)
		}
		if !ok {
			return
		}
	}
}

// AppendListpack adds a node holding lp at the tail, adopting it
// (quicklistAppendListpack), for the RDB loader. An empty listpack is
// skipped, as the loader does; no fill limit is applied.
func (q *List) AppendListpack(lp listpack.Listpack) {
	n := lp.Len()
	if n == 0 {
		return
	}
	q.insertNode(q.hi-q.lo, node{lp: lp, count: n})
	q.count += n
}

// AppendPlain adds a plain node holding v at the tail, adopting v
// (quicklistAppendPlainNode), for the RDB loader.
func (q *List) AppendPlain(v []byte) {
	if v == nil {
		v = []byte{}
	}
	q.insertNode(q.hi-q.lo, node{plain: v, count: 1})
	q.count++
}
