package types

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"cairn/internal/conv"
	"cairn/internal/ds/dict"
	"cairn/internal/ds/listpack"
	"cairn/internal/ds/ztree"
	"cairn/internal/keyspace"
	"cairn/internal/persist/rdb"
)

// ZSet is a sorted set (Redis's t_zset.c zset* functions): members with float64
// scores, ordered by score then by member bytes.
//
// Encodings. A small sorted set is a listpack of member, score pairs in order, as
// Redis's zzl* functions keep it: the member as lpAppend stores a string (canonical
// integers as integers), the score as an integer when it is integral and within
// ±LLONG_MAX/2 (so -0 is stored, and read back, as 0), else as its "%.17g" text. It
// becomes an order-statistic B+tree (ds/ztree) plus a member → score dict (ds/dict),
// which share each member's string, when an insert would pass
// zset-max-listpack-entries elements or adds a member longer than
// zset-max-listpack-value bytes; OBJECT ENCODING then says "skiplist", as Redis 7.0
// does for its skiplist + dict. Conversion is one way, except that a set built whole
// from sorted elements (NewZSetFromSorted, for ZUNIONSTORE and ZRANGESTORE results)
// takes the encoding Redis would choose for its size.
//
// Members passed in are copied when stored. Members passed to callbacks are borrowed:
// valid, and not to be modified, until the callback returns. Callbacks must not modify
// the set. Ranks are 0-based; a reverse rank counts from the highest element.
//
// Cost: listpack operations are O(n) (n ≤ zset-max-listpack-entries), as in Redis;
// tree operations are O(log n) plus O(1) per element visited, and lookups by member go
// through the dict in O(1).
type ZSet struct {
	lp   listpack.Listpack   // the listpack encoding, used while tree is nil
	tree *ztree.Tree         // the skiplist encoding's order index
	dict *dict.Dict[float64] // the skiplist encoding's member → score table
	num  [24]byte            // scratch for the text of integer members
}

// ZElem is one element, for building a sorted set whole.
type ZElem struct {
	Member string
	Score  float64
}

// NewZSet returns an empty sorted set in the listpack encoding, or in the skiplist
// encoding when zset-max-listpack-entries is 0 or firstLen, the length of the first
// member about to be added, passes zset-max-listpack-value (as ZADD creates its key).
func NewZSet(firstLen int, lim Limits) *ZSet {
	if lim.ZsetMaxListpackEntries == 0 || firstLen > lim.ZsetMaxListpackValue {
		return &ZSet{tree: ztree.New(), dict: dict.New[float64]()}
	}
	return &ZSet{lp: listpack.New()}
}

// NewZSetFromSorted builds a sorted set from elems, which must be in zset order
// (score, then member) with no member twice, in the encoding Redis gives such a result
// (zsetConvertToListpackIfNeeded): a listpack if it has at most
// zset-max-listpack-entries elements and none longer than zset-max-listpack-value,
// else the skiplist encoding.
func NewZSetFromSorted(elems []ZElem, lim Limits) *ZSet {
	maxLen, total := 0, 0
	for i := range elems {
		maxLen = max(maxLen, len(elems[i].Member))
		total += len(elems[i].Member)
	}
	if len(elems) <= lim.ZsetMaxListpackEntries && maxLen <= lim.ZsetMaxListpackValue &&
		total <= listpack.MaxSafetySize {
		z := &ZSet{lp: listpack.New()}
		for i := range elems {
			z.lp.Append(unsafe.Slice(unsafe.StringData(elems[i].Member), len(elems[i].Member)))
			z.lpAppendScore(elems[i].Score)
		}
		return z
	}
	z := &ZSet{tree: ztree.New(), dict: dict.New[float64]()}
	z.dict.Expand(len(elems))
	for _, e := range elems {
		z.tree.Insert(e.Score, e.Member)
		z.dict.InsertString(e.Member, e.Score)
	}
	return z
}

// Encoding is the name OBJECT ENCODING shows.
func (z *ZSet) Encoding() keyspace.Encoding {
	if z.tree != nil {
		return keyspace.EncSkiplist
	}
	return keyspace.EncListpack
}

// IsListpack reports whether z is in the listpack encoding.
func (z *ZSet) IsListpack() bool { return z.tree == nil }

// Len is the number of elements (zsetLength).
func (z *ZSet) Len() int {
	if z.tree != nil {
		return z.tree.Len()
	}
	return z.lp.Len() / 2
}

// Dup returns a deep copy (keyspace.Duper, for COPY). Member strings are immutable
// and shared.
func (z *ZSet) Dup() any {
	if z.tree == nil {
		return &ZSet{lp: z.lp.Clone()}
	}
	d := &ZSet{tree: ztree.New(), dict: dict.New[float64]()}
	d.dict.Expand(z.dict.Len())
	z.tree.Iterate(0, false, func(score float64, member string) bool {
		d.tree.Insert(score, member)
		d.dict.InsertString(member, score)
		return true
	})
	return d
}

// MemoryUsage approximates the bytes z holds, for MEMORY USAGE.
func (z *ZSet) MemoryUsage() int {
	n := int(unsafe.Sizeof(*z))
	if z.tree == nil {
		return n + z.lp.Cap()
	}
	n += z.tree.MemoryUsage() + z.dict.MemoryUsage()
	z.tree.Iterate(0, false, func(_ float64, m string) bool {
		n += len(m)
		return true
	})
	return n
}

// bstr views b as a string for lookups, never for storing.
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// sbytes views s as bytes, for callbacks that must not modify them.
func sbytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// ---- listpack encoding (Redis's zzl* functions) ----

// double2ll is Redis's double2ll: the integer value of d when d is integral and
// within ±LLONG_MAX/2, where the listpack stores a score as an integer.
func double2ll(d float64) (int64, bool) {
	const lim = float64(math.MaxInt64 / 2)
	if !(d >= -lim && d <= lim) {
		return 0, false
	}
	n := int64(d)
	return n, float64(n) == d
}

// lpAppendScore appends a score entry as zzlInsertAt writes it.
func (z *ZSet) lpAppendScore(score float64) {
	if n, ok := double2ll(score); ok {
		z.lp.AppendInt(n)
		return
	}
	var buf [32]byte
	z.lp.Append(conv.FormatDouble(buf[:0], score))
}

// lpInsertAt inserts member and score before the element at p, or at the end if p is
// -1 (zzlInsertAt).
func (z *ZSet) lpInsertAt(p int, member []byte, score float64) {
	if p < 0 {
		z.lp.Append(member)
		z.lpAppendScore(score)
		return
	}
	p = z.lp.Insert(p, listpack.Before, member)
	if n, ok := double2ll(score); ok {
		z.lp.InsertInt(p, listpack.After, n)
		return
	}
	var buf [32]byte
	z.lp.Insert(p, listpack.After, conv.FormatDouble(buf[:0], score))
}

// parseStoredScore reads a score stored as text in a listpack (zzlStrtod).
func parseStoredScore(b []byte) float64 {
	if f, err := strconv.ParseFloat(bstr(b), 64); err == nil {
		return f
	}
	f, _, _ := conv.Strtod(b)
	return f
}

// lpScore is zzlGetScore: the score entry at sp.
func (z *ZSet) lpScore(sp int) float64 {
	e := z.lp.Get(sp)
	if e.IsInt {
		return float64(e.Int)
	}
	return parseStoredScore(e.Str)
}

// lpMember returns the text of the member entry at p, borrowed (integers are
// formatted into z.num).
func (z *ZSet) lpMember(p int) []byte {
	e := z.lp.Get(p)
	if e.IsInt {
		return strconv.AppendInt(z.num[:0], e.Int, 10)
	}
	return e.Str
}

// lpFind is zzlFind: the offset of member's entry and its score, or -1.
func (z *ZSet) lpFind(member []byte) (int, float64) {
	p := z.lp.First()
	if p < 0 {
		return -1, 0
	}
	if p = z.lp.Find(p, member, 1); p < 0 {
		return -1, 0
	}
	return p, z.lpScore(z.lp.Next(p))
}

// lpInsert is zzlInsert: member goes before the first element with a greater score,
// or an equal score and a greater member.
func (z *ZSet) lpInsert(member []byte, score float64) {
	for p := z.lp.First(); p >= 0; {
		sp := z.lp.Next(p)
		s := z.lpScore(sp)
		if s > score || (s == score && bytes.Compare(z.lpMember(p), member) > 0) {
			z.lpInsertAt(p, member, score)
			return
		}
		p = z.lp.Next(sp)
	}
	z.lpInsertAt(-1, member, score)
}

// lpNext advances (p, sp) to the next element, or reverse to the previous one;
// p is -1 past the end.
func (z *ZSet) lpStep(p int, reverse bool) (int, int) {
	if reverse {
		p = z.lp.Prev(p)
		if p < 0 {
			return -1, -1
		}
		p = z.lp.Prev(p)
		if p < 0 {
			return -1, -1
		}
		return p, z.lp.Next(p)
	}
	p = z.lp.Next(p) // the score
	if p < 0 {
		return -1, -1
	}
	p = z.lp.Next(p)
	if p < 0 {
		return -1, -1
	}
	return p, z.lp.Next(p)
}

// lpAt returns the offsets of the element of ascending rank r, or -1.
func (z *ZSet) lpAt(r int) (int, int) {
	p := z.lp.Seek(2 * r)
	if p < 0 {
		return -1, -1
	}
	return p, z.lp.Next(p)
}

// convert moves a listpack-encoded set to the skiplist encoding (zsetConvert).
func (z *ZSet) convert() {
	t, d := ztree.New(), dict.New[float64]()
	d.Expand(z.Len())
	for p := z.lp.First(); p >= 0; {
		sp := z.lp.Next(p)
		m := string(z.lpMember(p))
		s := z.lpScore(sp)
		t.Insert(s, m)
		d.InsertString(m, s)
		p = z.lp.Next(sp)
	}
	z.lp = listpack.Listpack{}
	z.tree, z.dict = t, d
}

// ---- element operations ----

// Flags for Add (Redis's ZADD_IN_*).
const (
	ZAddIncr = 1 << iota // add the score to the current one
	ZAddNX               // only add new members
	ZAddXX               // only update existing members
	ZAddGT               // only update when the new score is greater
	ZAddLT               // only update when the new score is less
)

// Results of Add (Redis's ZADD_OUT_*).
const (
	ZAddNop     = 1 << iota // nothing done because of NX, XX, GT or LT
	ZAddNaN                 // the resulting score was NaN: nothing done
	ZAddAdded               // the member was added
	ZAddUpdated             // the member's score changed
)

// Add is Redis's zsetAdd: it adds member with score, or updates its score, as flags
// allow, converting to the skiplist encoding first when the listpack would pass lim.
// It returns ZAdd* result bits and the member's score after the call (valid unless
// the result has ZAddNop or ZAddNaN). score must not be NaN on its own; with ZAddIncr
// the sum may be, which is reported as ZAddNaN.
func (z *ZSet) Add(score float64, member []byte, flags int, lim Limits) (int, float64) {
	incr := flags&ZAddIncr != 0
	nx, xx := flags&ZAddNX != 0, flags&ZAddXX != 0
	gt, lt := flags&ZAddGT != 0, flags&ZAddLT != 0
	if math.IsNaN(score) {
		return ZAddNaN, 0
	}
	if z.tree == nil {
		if p, cur := z.lpFind(member); p >= 0 {
			if nx {
				return ZAddNop, 0
			}
			if incr {
				score += cur
				if math.IsNaN(score) {
					return ZAddNaN, 0
				}
			}
			if (lt && score >= cur) || (gt && score <= cur) {
				return ZAddNop, 0
			}
			if score != cur {
				z.lp.DeleteN(p, 2)
				z.lpInsert(member, score)
				return ZAddUpdated, score
			}
			return 0, score
		}
		if xx {
			return ZAddNop, 0
		}
		if z.Len()+1 > lim.ZsetMaxListpackEntries || len(member) > lim.ZsetMaxListpackValue ||
			!z.lp.SafeToAdd(len(member)) {
			z.convert()
		} else {
			z.lpInsert(member, score)
			return ZAddAdded, score
		}
	}
	if cur, ok := z.dict.Find(member); ok {
		if nx {
			return ZAddNop, 0
		}
		if incr {
			score += *cur
			if math.IsNaN(score) {
				return ZAddNaN, 0
			}
		}
		if (lt && score >= *cur) || (gt && score <= *cur) {
			return ZAddNop, 0
		}
		if score != *cur {
			z.tree.UpdateScore(*cur, bstr(member), score)
			*cur = score
			return ZAddUpdated, score
		}
		return 0, score
	}
	if xx {
		return ZAddNop, 0
	}
	m := string(member)
	z.tree.Insert(score, m)
	z.dict.InsertString(m, score)
	return ZAddAdded, score
}

// Delete removes member and reports whether it was there (zsetDel).
func (z *ZSet) Delete(member []byte) bool {
	if z.tree == nil {
		p, _ := z.lpFind(member)
		if p < 0 {
			return false
		}
		z.lp.DeleteN(p, 2)
		return true
	}
	score, ok := z.dict.Delete(member)
	if !ok {
		return false
	}
	z.tree.Delete(score, bstr(member))
	return true
}

// Score returns member's score (zsetScore).
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.tree == nil {
		p, s := z.lpFind(member)
		return s, p >= 0
	}
	if s, ok := z.dict.Find(member); ok {
		return *s, true
	}
	return 0, false
}

// Rank returns member's 0-based rank, from the highest if reverse (zsetRank).
func (z *ZSet) Rank(member []byte, reverse bool) (int, bool) {
	n := z.Len()
	var r int
	if z.tree == nil {
		p := z.lp.First()
		if p < 0 {
			return 0, false
		}
		if p = z.lp.Find(p, member, 1); p < 0 {
			return 0, false
		}
		for q := z.lp.First(); q != p; q, _ = z.lpStep(q, false) {
			r++
		}
	} else {
		s, ok := z.dict.Find(member)
		if !ok {
			return 0, false
		}
		r, _ = z.tree.Rank(*s, bstr(member))
	}
	if reverse {
		r = n - 1 - r
	}
	return r, true
}

// ByRank returns the element of ascending rank r, 0 <= r < Len().
func (z *ZSet) ByRank(r int) ([]byte, float64) {
	if z.tree == nil {
		p, sp := z.lpAt(r)
		return z.lpMember(p), z.lpScore(sp)
	}
	s, m := z.tree.ByRank(r)
	return sbytes(m), s
}

// Each calls fn with every element in ascending order until fn returns false.
func (z *ZSet) Each(fn func(member []byte, score float64) bool) {
	z.iterate(0, false, fn)
}

// EachReverse calls fn with every element in descending order until fn returns
// false (the order of Redis's zuiNext over a sorted set).
func (z *ZSet) EachReverse(fn func(member []byte, score float64) bool) {
	z.iterate(z.Len()-1, true, fn)
}

// iterate calls fn with the elements from rank start (ascending, or descending ranks
// if reverse, where start is still an ascending rank) until fn returns false.
func (z *ZSet) iterate(start int, reverse bool, fn func(member []byte, score float64) bool) {
	if start < 0 || start >= z.Len() {
		return
	}
	if z.tree != nil {
		z.tree.Iterate(start, reverse, func(s float64, m string) bool { return fn(sbytes(m), s) })
		return
	}
	for p, sp := z.lpAt(start); p >= 0; p, sp = z.lpStep(p, reverse) {
		if !fn(z.lpMember(p), z.lpScore(sp)) {
			return
		}
	}
}

// RangeByRank calls fn with the elements of ranks start through end, 0 <= start <=
// end < Len(), in ascending order, or in descending order with reverse ranks if
// reverse (ZRANGE, ZREVRANGE).
func (z *ZSet) RangeByRank(start, end int, reverse bool, fn func(member []byte, score float64)) {
	n := end - start + 1
	from := start
	if reverse {
		from = z.Len() - 1 - start
	}
	z.iterate(from, reverse, func(m []byte, s float64) bool {
		fn(m, s)
		n--
		return n > 0
	})
}

// ---- score ranges ----

func gteMin(r *ztree.ScoreRange, s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

func lteMax(r *ztree.ScoreRange, s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// scoreRangeStart returns the ascending rank where a walk of the elements in r
// starts: the first in r, or the last if reverse.
func (z *ZSet) scoreRangeStart(r ztree.ScoreRange, reverse bool) (int, bool) {
	if z.tree != nil {
		if reverse {
			return z.tree.LastInScoreRange(r)
		}
		return z.tree.FirstInScoreRange(r)
	}
	n := z.Len()
	if n == 0 || r.Empty() {
		return 0, false
	}
	if reverse {
		// zzlLastInRange
		for i, p := n-1, z.lp.Last(); p >= 0; i-- {
			s := z.lpScore(p)
			if lteMax(&r, s) {
				return i, gteMin(&r, s)
			}
			p = z.lp.Prev(z.lp.Prev(p))
		}
		return 0, false
	}
	// zzlFirstInRange
	i := 0
	for p := z.lp.First(); p >= 0; i++ {
		sp := z.lp.Next(p)
		s := z.lpScore(sp)
		if gteMin(&r, s) {
			return i, lteMax(&r, s)
		}
		p = z.lp.Next(sp)
	}
	return 0, false
}

// RangeByScore calls fn with the elements whose score is in r, in ascending order, or
// descending if reverse, skipping the first offset of them and stopping after limit
// (no limit if negative), as genericZrangebyscoreCommand: a negative offset yields
// nothing. It returns the number of elements passed to fn.
func (z *ZSet) RangeByScore(r ztree.ScoreRange, reverse bool, offset, limit int, fn func(member []byte, score float64)) int {
	start, ok := z.scoreRangeStart(r, reverse)
	if !ok || offset < 0 || limit == 0 {
		return 0
	}
	if reverse {
		start -= offset
	} else {
		start += offset
	}
	n := 0
	z.iterate(start, reverse, func(m []byte, s float64) bool {
		if reverse && !gteMin(&r, s) || !reverse && !lteMax(&r, s) {
			return false
		}
		fn(m, s)
		n++
		return n != limit
	})
	return n
}

// CountInScoreRange is the number of elements whose score is in r (ZCOUNT).
func (z *ZSet) CountInScoreRange(r ztree.ScoreRange) int {
	if z.tree != nil {
		return z.tree.CountInScoreRange(r)
	}
	return z.RangeByScore(r, false, 0, -1, func([]byte, float64) {})
}

// ---- lex ranges ----

func lexGteMin(r *ztree.LexRange, m []byte) bool {
	switch r.MinInf {
	case -1:
		return true
	case 1:
		return false
	}
	c := bytes.Compare(m, r.Min)
	if r.MinEx {
		return c > 0
	}
	return c >= 0
}

func lexLteMax(r *ztree.LexRange, m []byte) bool {
	switch r.MaxInf {
	case -1:
		return false
	case 1:
		return true
	}
	c := bytes.Compare(m, r.Max)
	if r.MaxEx {
		return c < 0
	}
	return c <= 0
}

// lexRangeStart is scoreRangeStart for a lex range.
func (z *ZSet) lexRangeStart(r ztree.LexRange, reverse bool) (int, bool) {
	if z.tree != nil {
		if reverse {
			return z.tree.LastInLexRange(r)
		}
		return z.tree.FirstInLexRange(r)
	}
	n := z.Len()
	if n == 0 || r.Empty() {
		return 0, false
	}
	// zzlIsInLexRange's precheck: the last member >= min and the first <= max.
	if !lexGteMin(&r, z.lpMember(z.lp.Prev(z.lp.Last()))) || !lexLteMax(&r, z.lpMember(z.lp.First())) {
		return 0, false
	}
	if reverse {
		for i, p := n-1, z.lp.Prev(z.lp.Last()); p >= 0; i-- {
			m := z.lpMember(p)
			if lexLteMax(&r, m) {
				return i, lexGteMin(&r, m)
			}
			p = z.lp.Prev(p)
			if p >= 0 {
				p = z.lp.Prev(p)
			}
		}
		return 0, false
	}
	i := 0
	for p := z.lp.First(); p >= 0; i++ {
		m := z.lpMember(p)
		if lexGteMin(&r, m) {
			return i, lexLteMax(&r, m)
		}
		p = z.lp.Next(z.lp.Next(p))
	}
	return 0, false
}

// RangeByLex is RangeByScore for a lex range (ZRANGEBYLEX).
func (z *ZSet) RangeByLex(r ztree.LexRange, reverse bool, offset, limit int, fn func(member []byte, score float64)) int {
	start, ok := z.lexRangeStart(r, reverse)
	if !ok || offset < 0 || limit == 0 {
		return 0
	}
	if reverse {
		start -= offset
	} else {
		start += offset
	}
	n := 0
	z.iterate(start, reverse, func(m []byte, s float64) bool {
		if reverse && !lexGteMin(&r, m) || !reverse && !lexLteMax(&r, m) {
			return false
		}
		fn(m, s)
		n++
		return n != limit
	})
	return n
}

// CountInLexRange is the number of elements whose member is in r (ZLEXCOUNT).
func (z *ZSet) CountInLexRange(r ztree.LexRange) int {
	if z.tree != nil {
		return z.tree.CountInLexRange(r)
	}
	return z.RangeByLex(r, false, 0, -1, func([]byte, float64) {})
}

// ---- deletion by range ----

// DeleteRangeByRank removes the elements of ascending ranks start through end,
// 0 <= start <= end < Len(), and returns how many it removed (ZREMRANGEBYRANK).
func (z *ZSet) DeleteRangeByRank(start, end int) int {
	if z.tree == nil {
		z.lp.DeleteRange(2*start, 2*(end-start+1))
		return end - start + 1
	}
	return z.tree.DeleteRangeByRank(start, end, z.dropMember)
}

func (z *ZSet) dropMember(m string) { z.dict.DeleteString(m) }

// DeleteRangeByScore removes the elements whose score is in r and returns how many
// (ZREMRANGEBYSCORE).
func (z *ZSet) DeleteRangeByScore(r ztree.ScoreRange) int {
	if z.tree != nil {
		return z.tree.DeleteRangeByScore(r, z.dropMember)
	}
	start, ok := z.scoreRangeStart(r, false)
	if !ok {
		return 0
	}
	n := 0
	z.iterate(start, false, func(_ []byte, s float64) bool {
		if !lteMax(&r, s) {
			return false
		}
		n++
		return true
	})
	z.lp.DeleteRange(2*start, 2*n)
	return n
}

// DeleteRangeByLex removes the elements whose member is in r and returns how many
// (ZREMRANGEBYLEX).
func (z *ZSet) DeleteRangeByLex(r ztree.LexRange) int {
	if z.tree != nil {
		return z.tree.DeleteRangeByLex(r, z.dropMember)
	}
	start, ok := z.lexRangeStart(r, false)
	if !ok {
		return 0
	}
	n := 0
	z.iterate(start, false, func(m []byte, _ float64) bool {
		if !lexLteMax(&r, m) {
			return false
		}
		n++
		return true
	})
	z.lp.DeleteRange(2*start, 2*n)
	return n
}

// Pop removes the lowest element, or the highest if max, after passing it to fn. The
// set must not be empty.
func (z *ZSet) Pop(max bool, fn func(member []byte, score float64)) {
	if z.tree == nil {
		p := z.lp.First()
		if max {
			p = z.lp.Prev(z.lp.Last())
		}
		fn(z.lpMember(p), z.lpScore(z.lp.Next(p)))
		z.lp.DeleteN(p, 2)
		return
	}
	var s float64
	var m string
	if max {
		s, m, _ = z.tree.Last()
	} else {
		s, m, _ = z.tree.First()
	}
	fn(sbytes(m), s)
	z.tree.Delete(s, m)
	z.dict.DeleteString(m)
}

// ---- scanning and sampling ----

// Scan is one step of ZSCAN: fn gets the elements of the visited dict buckets and
// the next cursor is returned, 0 at the end. A listpack-encoded set passes every
// element, in order, whatever the cursor, and returns 0, as Redis does.
func (z *ZSet) Scan(cursor uint64, fn func(member []byte, score float64)) uint64 {
	if z.tree == nil {
		z.Each(func(m []byte, s float64) bool {
			fn(m, s)
			return true
		})
		return 0
	}
	return z.dict.Scan(cursor, func(m string, s *float64) { fn(sbytes(m), *s) })
}

// RandomElem returns a uniformly random element; the set must not be empty.
func (z *ZSet) RandomElem(rng *rand.Rand) ([]byte, float64) {
	return z.ByRank(rng.IntN(z.Len()))
}

// lpOffsets returns the offsets of the member entries, in order.
func (z *ZSet) lpOffsets() []int {
	offs := make([]int, 0, z.Len())
	for p := z.lp.First(); p >= 0; p = z.lp.Next(z.lp.Next(p)) {
		offs = append(offs, p)
	}
	return offs
}

// RandomElems calls fn count times with random elements, with repetitions
// (ZRANDMEMBER with a negative count). The set must not be empty.
func (z *ZSet) RandomElems(rng *rand.Rand, count int, fn func(member []byte, score float64)) {
	n := z.Len()
	if z.tree != nil {
		for range count {
			fn(z.ByRank(rng.IntN(n)))
		}
		return
	}
	offs := z.lpOffsets()
	for range count {
		p := offs[rng.IntN(n)]
		fn(z.lpMember(p), z.lpScore(z.lp.Next(p)))
	}
}

// DistinctRandomElems calls fn with count distinct random elements in random order,
// 0 < count < Len() (ZRANDMEMBER with a positive count smaller than the set).
func (z *ZSet) DistinctRandomElems(rng *rand.Rand, count int, fn func(member []byte, score float64)) {
	n := z.Len()
	var ranks []int
	if count*3 > n {
		// Many: a partial shuffle of all ranks.
		ranks = make([]int, n)
		for i := range ranks {
			ranks[i] = i
		}
		for i := 0; i < count; i++ {
			j := i + rng.IntN(n-i)
			ranks[i], ranks[j] = ranks[j], ranks[i]
		}
		ranks = ranks[:count]
	} else {
		seen := make(map[int]struct{}, count)
		ranks = make([]int, 0, count)
		for len(ranks) < count {
			r := rng.IntN(n)
			if _, dup := seen[r]; !dup {
				seen[r] = struct{}{}
				ranks = append(ranks, r)
			}
		}
	}
	if z.tree != nil {
		for _, r := range ranks {
			fn(z.ByRank(r))
		}
		return
	}
	offs := z.lpOffsets()
	for _, r := range ranks {
		p := offs[r]
		fn(z.lpMember(p), z.lpScore(z.lp.Next(p)))
	}
}

// ---- invariants ----

// check verifies z's invariants, for tests: a listpack of member, score pairs in
// strict zset order with no member twice and every score stored as zzlInsertAt
// stores it; or a tree and dict holding the same elements.
func (z *ZSet) check() error {
	if z.tree == nil {
		if z.dict != nil {
			return fmt.Errorf("listpack zset with a dict")
		}
		if z.lp.Len()%2 != 0 {
			return fmt.Errorf("listpack of %d entries, not pairs", z.lp.Len())
		}
		var prevM []byte
		prevS := math.Inf(-1)
		first := true
		seen := map[string]bool{}
		for p := z.lp.First(); p >= 0; {
			sp := z.lp.Next(p)
			m := slices.Clone(z.lpMember(p))
			s := z.lpScore(sp)
			if math.IsNaN(s) {
				return fmt.Errorf("NaN score for %q", m)
			}
			e := z.lp.Get(sp)
			if n, ok := double2ll(s); ok != e.IsInt || ok && n != e.Int {
				return fmt.Errorf("score %v of %q stored as %+v", s, m, e)
			}
			if !first && !(prevS < s || prevS == s && bytes.Compare(prevM, m) < 0) {
				return fmt.Errorf("%q %v after %q %v: out of order", m, s, prevM, prevS)
			}
			if seen[string(m)] {
				return fmt.Errorf("member %q twice", m)
			}
			seen[string(m)] = true
			prevM, prevS, first = m, s, false
			p = z.lp.Next(sp)
		}
		return nil
	}
	if z.dict == nil {
		return fmt.Errorf("tree without dict")
	}
	if z.tree.Len() != z.dict.Len() {
		return fmt.Errorf("tree has %d elements, dict %d", z.tree.Len(), z.dict.Len())
	}
	var err error
	i := 0
	z.tree.Iterate(0, false, func(s float64, m string) bool {
		ds, ok := z.dict.FindString(m)
		if !ok || *ds != s && !(math.IsNaN(s) && math.IsNaN(*ds)) || math.Signbit(*ds) != math.Signbit(s) {
			err = fmt.Errorf("tree element %q %v: dict has %v, %v", m, s, ds, ok)
			return false
		}
		if r, ok := z.tree.Rank(s, m); !ok || r != i {
			err = fmt.Errorf("rank of %q is %d, %v; iterated at %d", m, r, ok, i)
			return false
		}
		i++
		return true
	})
	return err
}

// ---- RDB ----

// RDBValue describes the sorted set for the RDB encoder without copying it: a
// listpack is its bytes (RDB type 17), the skiplist encoding its elements walked in
// place from the highest, as Redis writes them (type 5).
func (z *ZSet) RDBValue() rdb.Value {
	if z.tree == nil {
		return rdb.Value{Type: keyspace.TypeZSet, Enc: rdb.EncListpack, Blob: z.lp.Bytes()}
	}
	return rdb.Value{Type: keyspace.TypeZSet, Enc: rdb.EncElems, Len: z.tree.Len(),
		ZSeq: func(yield func([]byte, float64) bool) {
			z.tree.Iterate(z.tree.Len()-1, true, func(s float64, m string) bool { return yield(sbytes(m), s) })
		}}
}

// ZSetFromRDB builds a sorted set from a decoded RDB value, as Redis's loader does: a
// listpack is adopted and converted only if it has more than
// zset-max-listpack-entries elements (its members' lengths are not checked); elements
// become a listpack when they fit both limits, else the skiplist encoding.
func ZSetFromRDB(v *rdb.Value, lim Limits) (*ZSet, error) {
	if v.Enc == rdb.EncListpack {
		lp, err := listpack.FromBytes(v.Blob)
		if err != nil {
			return nil, err
		}
		z := &ZSet{lp: lp}
		if z.lp.Len()%2 != 0 {
			return nil, fmt.Errorf("zset listpack with %d entries", z.lp.Len())
		}
		if z.Len() > lim.ZsetMaxListpackEntries {
			z.convert()
		} else {
			z.lp.ShrinkToFit()
		}
		return z, nil
	}
	if len(v.Scores) != len(v.Elems) {
		return nil, fmt.Errorf("zset with %d members and %d scores", len(v.Elems), len(v.Scores))
	}
	elems := make([]ZElem, len(v.Elems))
	for i, m := range v.Elems {
		if math.IsNaN(v.Scores[i]) {
			return nil, fmt.Errorf("zset with a NaN score")
		}
		elems[i] = ZElem{Member: string(m), Score: v.Scores[i]}
	}
	slices.SortFunc(elems, CompareZElems) // the decoder has refused duplicate members
	return NewZSetFromSorted(elems, lim), nil
}

// CompareZElems orders elements as a sorted set does: by score, then member bytes.
func CompareZElems(a, b ZElem) int {
	if a.Score < b.Score {
		return -1
	}
	if a.Score > b.Score {
		return 1
	}
	return strings.Compare(a.Member, b.Member)
}
