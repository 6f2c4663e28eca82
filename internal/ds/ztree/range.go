package ztree

import "bytes"

// ScoreRange is a score interval with Redis's zrangespec semantics: Min and
// Max bound the scores, each inclusive unless MinEx or MaxEx ("(1.5" in a
// command). ±Inf are ordinary bounds. Neither bound may be NaN.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// Empty reports whether no score can be in r (Redis's zslIsInRange
// precheck): Min > Max, or Min == Max with either end exclusive.
func (r ScoreRange) Empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// gteMin is Redis's zslValueGteMin.
func (r *ScoreRange) gteMin(s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

// lteMax is Redis's zslValueLteMax.
func (r *ScoreRange) lteMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// Contains reports whether score s is in r.
func (r ScoreRange) Contains(s float64) bool { return r.gteMin(s) && r.lteMax(s) }

// LexRange is a member interval with Redis's zlexrangespec semantics, as
// parsed from ZRANGEBYLEX arguments: each bound is "-" (below every
// member, MinInf or MaxInf = -1), "+" (above every member, = +1), or a
// member (MinInf or MaxInf = 0) given in Min or Max, exclusive when MinEx or
// MaxEx ("(a") and inclusive otherwise ("[a"). Members compare as bytes
// (memcmp). Min and Max are borrowed: the tree does not keep them.
type LexRange struct {
	Min, Max       []byte
	MinEx, MaxEx   bool
	MinInf, MaxInf int8
}

// ParseLexRange parses the min and max arguments of ZRANGEBYLEX,
// ZLEXCOUNT and ZREMRANGEBYLEX (Redis's zslParseLexRange): "-", "+",
// "(member" or "[member". ok is false if either is malformed, for which
// Redis replies "min or max not valid string range item". The range
// borrows the arguments' bytes.
func ParseLexRange(min, max []byte) (r LexRange, ok bool) {
	var okMin, okMax bool
	r.Min, r.MinEx, r.MinInf, okMin = parseLexItem(min)
	r.Max, r.MaxEx, r.MaxInf, okMax = parseLexItem(max)
	return r, okMin && okMax
}

// parseLexItem is Redis's zslParseLexRangeItem.
func parseLexItem(c []byte) (v []byte, ex bool, inf int8, ok bool) {
	if len(c) == 0 {
		return nil, false, 0, false
	}
	switch c[0] {
	case '+':
		return nil, true, 1, len(c) == 1
	case '-':
		return nil, true, -1, len(c) == 1
	case '(':
		return c[1:], true, 0, true
	case '[':
		return c[1:], false, 0, true
	}
	return nil, false, 0, false
}

// Empty reports whether no member can be in r (Redis's zslIsInLexRange
// precheck): min above max, or min equal to max with either end exclusive
// (as "-" and "+" always are).
func (r LexRange) Empty() bool {
	var c int
	switch {
	case r.MinInf != r.MaxInf: // "-" < any member < "+"
		c = int(r.MinInf) - int(r.MaxInf)
	case r.MinInf != 0:
		return true // both "-" or both "+": no member is either
	default:
		c = bytes.Compare(r.Min, r.Max)
	}
	return c > 0 || (c == 0 && (r.MinEx || r.MaxEx))
}

// gteMin is Redis's zslLexValueGteMin.
func (r *LexRange) gteMin(m string) bool {
	switch r.MinInf {
	case -1:
		return true
	case 1:
		return false
	}
	if r.MinEx {
		return m > string(r.Min)
	}
	return m >= string(r.Min)
}

// lteMax is Redis's zslLexValueLteMax.
func (r *LexRange) lteMax(m string) bool {
	switch r.MaxInf {
	case -1:
		return false
	case 1:
		return true
	}
	if r.MaxEx {
		return m < string(r.Max)
	}
	return m <= string(r.Max)
}

// Contains reports whether member m is in r.
func (r LexRange) Contains(m string) bool { return r.gteMin(m) && r.lteMax(m) }

// lowerBound returns the rank of the first element for which pred is true,
// or Len() if there is none, with the leaf and position where that rank
// is (pos == l.n: the first element of the next leaf). pred must be
// monotone in the tree's order: false for a prefix of the elements, true for
// the rest. The tree must not be empty.
func (t *Tree) lowerBound(pred func(score float64, member string) bool) (rank int, l *leaf, pos int) {
	if t.height == 0 {
		l = t.rleaf
	} else {
		p := t.root
		for lvl := 0; ; lvl++ {
			// Every element before child c's separator is false (it is
			// below a false separator) and every element from child c+1
			// on is true, so the first true one is in child c or is
			// child c+1's first.
			lo, hi := 1, p.n
			for lo < hi {
				mid := int(uint(lo+hi) >> 1)
				if pred(p.scores[mid], p.members[mid]) {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			c := lo - 1
			for j := 0; j < c; j++ {
				rank += p.counts[j]
			}
			if lvl == t.height-1 {
				l = p.leaves[c]
				break
			}
			p = p.kids[c]
		}
	}
	lo, hi := 0, l.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if pred(l.scores[mid], l.members[mid]) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return rank + lo, l, lo
}

// at returns the element at position pos of l, where pos may be l.n (the
// next leaf's first element, which must exist).
func at(l *leaf, pos int) (float64, string) {
	if pos == l.n {
		l, pos = l.next, 0
	}
	return l.scores[pos], l.members[pos]
}

// before returns the element just before position pos of l, which must
// exist.
func before(l *leaf, pos int) (float64, string) {
	if pos == 0 {
		l, pos = l.prev, l.prev.n
	}
	return l.scores[pos-1], l.members[pos-1]
}

// FirstInScoreRange returns the rank of the first element whose score is in
// r (Redis's zslNthInRange from the start), and whether there is one.
func (t *Tree) FirstInScoreRange(r ScoreRange) (rank int, ok bool) {
	if t.length == 0 || r.Empty() {
		return 0, false
	}
	rank, l, pos := t.lowerBound(func(s float64, _ string) bool { return r.gteMin(s) })
	if rank == t.length {
		return 0, false
	}
	if s, _ := at(l, pos); !r.lteMax(s) {
		return 0, false
	}
	return rank, true
}

// LastInScoreRange returns the rank of the last element whose score is in
// r, and whether there is one.
func (t *Tree) LastInScoreRange(r ScoreRange) (rank int, ok bool) {
	if t.length == 0 || r.Empty() {
		return 0, false
	}
	rank, l, pos := t.lowerBound(func(s float64, _ string) bool { return !r.lteMax(s) })
	if rank == 0 {
		return 0, false
	}
	if s, _ := before(l, pos); !r.gteMin(s) {
		return 0, false
	}
	return rank - 1, true
}

// CountInScoreRange returns the number of elements whose score is in r
// (ZCOUNT).
func (t *Tree) CountInScoreRange(r ScoreRange) int {
	if t.length == 0 || r.Empty() {
		return 0
	}
	first, _, _ := t.lowerBound(func(s float64, _ string) bool { return r.gteMin(s) })
	end, _, _ := t.lowerBound(func(s float64, _ string) bool { return !r.lteMax(s) })
	return max(end-first, 0)
}

// FirstInLexRange returns the rank of the first element whose member is in
// r, and whether there is one. As in Redis, lex ranges are meaningful only
// when every element has the same score.
func (t *Tree) FirstInLexRange(r LexRange) (rank int, ok bool) {
	if t.length == 0 || r.Empty() {
		return 0, false
	}
	rank, l, pos := t.lowerBound(func(_ float64, m string) bool { return r.gteMin(m) })
	if rank == t.length {
		return 0, false
	}
	if _, m := at(l, pos); !r.lteMax(m) {
		return 0, false
	}
	return rank, true
}

// LastInLexRange returns the rank of the last element whose member is in
// r, and whether there is one.
func (t *Tree) LastInLexRange(r LexRange) (rank int, ok bool) {
	if t.length == 0 || r.Empty() {
		return 0, false
	}
	rank, l, pos := t.lowerBound(func(_ float64, m string) bool { return !r.lteMax(m) })
	if rank == 0 {
		return 0, false
	}
	if _, m := before(l, pos); !r.gteMin(m) {
		return 0, false
	}
	return rank - 1, true
}

// CountInLexRange returns the number of elements whose member is in r
// (ZLEXCOUNT).
func (t *Tree) CountInLexRange(r LexRange) int {
	if t.length == 0 || r.Empty() {
		return 0
	}
	first, _, _ := t.lowerBound(func(_ float64, m string) bool { return r.gteMin(m) })
	end, _, _ := t.lowerBound(func(_ float64, m string) bool { return !r.lteMax(m) })
	return max(end-first, 0)
}

// DeleteRangeByRank removes the elements of ranks start through end,
// inclusive and 0-based (clamped to the tree), calling fn, if not nil, with
// each member in ascending order just before it is removed, and returns how
// many it removed (ZREMRANGEBYRANK; Redis's zslDeleteRangeByRank counts
// from 1). fn must not modify the tree. The cost is O(log n) per leaf
// touched plus O(1) per element.
func (t *Tree) DeleteRangeByRank(start, end int, fn func(member string)) int {
	start = max(start, 0)
	end = min(end, t.length-1)
	if start > end {
		return 0
	}
	removed := end - start + 1
	for n := removed; n > 0; {
		// Each round empties the rest of one leaf: the rank start then
		// names the next element still to remove.
		l, pos := t.descendRank(start)
		k := min(n, l.n-pos)
		if fn != nil {
			for _, m := range l.members[pos : pos+k] {
				fn(m)
			}
		}
		t.removeFromLeaf(l, pos, k)
		n -= k
	}
	return removed
}

// DeleteRangeByScore removes the elements whose score is in r, as
// DeleteRangeByRank (ZREMRANGEBYSCORE).
func (t *Tree) DeleteRangeByScore(r ScoreRange, fn func(member string)) int {
	first, ok := t.FirstInScoreRange(r)
	if !ok {
		return 0
	}
	last, _ := t.LastInScoreRange(r)
	return t.DeleteRangeByRank(first, last, fn)
}

// DeleteRangeByLex removes the elements whose member is in r, as
// DeleteRangeByRank (ZREMRANGEBYLEX).
func (t *Tree) DeleteRangeByLex(r LexRange, fn func(member string)) int {
	first, ok := t.FirstInLexRange(r)
	if !ok {
		return 0
	}
	last, _ := t.LastInLexRange(r)
	return t.DeleteRangeByRank(first, last, fn)
}
