package types

import (
	"bytes"

	"cairn/internal/ds/listpack"
	"cairn/internal/ds/quicklist"
	"cairn/internal/keyspace"
)

// ListEnd names an end of a list (Redis's LIST_HEAD, LIST_TAIL).
type ListEnd = quicklist.End

// The ends of a list.
const (
	ListHead = quicklist.Head
	ListTail = quicklist.Tail
)

// ListEntry is one element as the list hands it out: an integer (IsInt, Int) or a
// string (Str, borrowed: valid until the next change to the list). Elements that are
// the canonical text of an integer always come back as integers.
type ListEntry = listpack.Entry

// List is Redis 7.0's list type (t_list.c's listTypeX functions): always a quicklist
// of listpack nodes, as in 7.0, so OBJECT ENCODING answers "quicklist" whatever the
// length. Node size follows list-max-listpack-size (Limits.ListMaxListpackSize),
// fixed when the list is created, as Redis fixes it in quicklistSetOptions.
//
// Values passed in are copied; entries handed to callbacks or returned are borrowed
// until the next change to the list. Callbacks must not change the list.
type List struct {
	ql *quicklist.List
}

// NewList returns an empty list with the node size limits lim chooses.
func NewList(lim Limits) *List {
	return &List{ql: quicklist.New(lim.ListMaxListpackSize, lim.ListCompressDepth)}
}

// NewListFromQuicklist wraps ql (the RDB loader builds one node by node).
func NewListFromQuicklist(ql *quicklist.List) *List { return &List{ql: ql} }

// Quicklist is the list's quicklist, for the RDB writer and DEBUG QUICKLIST: read it,
// do not change it.
func (l *List) Quicklist() *quicklist.List { return l.ql }

// Encoding is "quicklist", Redis 7.0's only list encoding.
func (l *List) Encoding() keyspace.Encoding { return keyspace.EncQuicklist }

// Dup returns a deep copy with the same nodes (COPY; Redis's quicklistDup).
func (l *List) Dup() any {
	q := quicklist.New(l.ql.Fill(), l.ql.CompressDepth())
	l.ql.Nodes(func(data []byte, plain bool) bool {
		if plain {
			q.AppendPlain(bytes.Clone(data))
			return true
		}
		lp, err := listpack.FromBytes(bytes.Clone(data))
		if err != nil {
			panic("types: invalid list node: " + err.Error())
		}
		q.AppendListpack(lp)
		return true
	})
	return &List{ql: q}
}

// Len is the number of elements.
func (l *List) Len() int { return l.ql.Len() }

// MemoryUsage estimates the bytes the list holds.
func (l *List) MemoryUsage() int { return 8 + l.ql.MemoryUsage() }

// Push adds v at the given end (listTypePush).
func (l *List) Push(v []byte, where ListEnd) { l.ql.Push(v, where) }

// Pop removes the element at the given end after passing it to fn, and reports false
// if the list is empty. The entry is valid during the call only.
func (l *List) Pop(where ListEnd, fn func(e ListEntry)) bool { return l.ql.PopFunc(where, fn) }

// PopAppend removes the element at the given end and appends its text to dst.
func (l *List) PopAppend(where ListEnd, dst []byte) ([]byte, bool) { return l.ql.Pop(where, dst) }

// Index returns element i, negative counting from the tail (LINDEX).
func (l *List) Index(i int) (ListEntry, bool) { return l.ql.Index(i) }

// Set replaces element i with v (LSET) and reports whether i was in range.
func (l *List) Set(i int, v []byte) bool { return l.ql.Set(i, v) }

// Insert adds v before (or after) the first element equal to pivot, from the head
// (LINSERT), and reports whether pivot was found.
func (l *List) Insert(pivot, v []byte, after bool) bool {
	if after {
		return l.ql.InsertAfter(pivot, v)
	}
	return l.ql.InsertBefore(pivot, v)
}

// Rem removes elements equal to v (LREM): the first count from the head if count > 0,
// the last -count from the tail if count < 0, all if 0. It returns how many.
func (l *List) Rem(v []byte, count int) int { return l.ql.Rem(v, count) }

// ListRange normalises LRANGE's start and stop for a list of n elements, as Redis's
// addListRangeReply: negative indexes count from the tail, start is clamped to 0 and
// stop to the last element. ok is false when the range is empty.
func ListRange(n, start, stop int) (from, to int, ok bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		return 0, 0, false
	}
	return start, min(stop, n-1), true
}

// Range calls fn for the elements from start to stop inclusive (LRANGE's index rules,
// see ListRange), from stop down to start if reverse. fn returns false to stop.
func (l *List) Range(start, stop int, reverse bool, fn func(e ListEntry) bool) {
	l.ql.Range(start, stop, reverse, fn)
}

// DelRange deletes count elements from element start on (negative start counts from
// the tail), clamped to the list's end.
func (l *List) DelRange(start, count int) { l.ql.DelRange(start, count) }

// Trim keeps only the elements from start to stop inclusive with LTRIM's index rules
// and returns how many were removed.
func (l *List) Trim(start, stop int) int {
	before := l.ql.Len()
	l.ql.Trim(start, stop)
	return before - l.ql.Len()
}

// Pos calls fn with the index (from the head) of each element equal to v (LPOS),
// starting with the rank-th match, from the head if rank > 0, from the tail if rank < 0
// (rank must not be 0). At most maxlen elements are compared (0: all). fn returns false
// to stop.
func (l *List) Pos(v []byte, rank, maxlen int, fn func(index int) bool) {
	l.ql.Pos(v, rank, maxlen, fn)
}

// Each calls fn for every element from the head; fn returns false to stop.
func (l *List) Each(fn func(e ListEntry) bool) { l.ql.Range(0, -1, false, fn) }
