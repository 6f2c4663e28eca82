package listpack

import (
	"encoding/binary"
	"math"
	"slices"
)

// Where says on which side of an entry Insert puts the new one.
type Where int

const (
	Before Where = iota // LP_BEFORE
	After               // LP_AFTER
)

// ensure makes l a real (non-nil) listpack.
func (l *Listpack) ensure() {
	if l.b == nil {
		l.b = make([]byte, EmptySize, 16)
		initEmpty(l.b)
	}
}

// splice replaces the del bytes at p with add bytes of room, updating the
// header's total (not its count). Growth is geometric, so a run of
// appends is amortised O(1) per byte.
func (l *Listpack) splice(p, del, add int) {
	n := len(l.b)
	m := n - del + add
	if m > math.MaxUint32 {
		panic("listpack: over 4 GiB")
	}
	if m > cap(l.b) {
		nb := slices.Grow(l.b[:p], m-p)[:m]
		copy(nb[p+add:], l.b[p+del:n])
		l.b = nb
	} else if add != del {
		l.b = l.b[:max(n, m)]
		copy(l.b[p+add:], l.b[p+del:n])
		l.b = l.b[:m]
	}
	binary.LittleEndian.PutUint32(l.b, uint32(m))
}

// put writes e and its backlen at p, which has room for them.
func (l *Listpack) put(p int, e *encoded) {
	n := e.size()
	copy(l.b[p:], e.hdr[:e.nhdr])
	copy(l.b[p+e.nhdr:], e.str)
	putBacklen(l.b[p+n:], n)
}

// insertAt inserts e before the entry (or terminator) at p and returns p.
func (l *Listpack) insertAt(p int, e *encoded) int {
	n := e.size()
	l.splice(p, 0, n+backlenSize(n))
	l.put(p, e)
	l.addCount(1)
	return p
}

// Append adds v at the end (lpAppend). Like every write of a string, it
// stores a canonical decimal integer of at most 20 bytes as an integer.
func (l *Listpack) Append(v []byte) {
	l.ensure()
	var e encoded
	encodeString(&e, v)
	l.insertAt(len(l.b)-1, &e)
}

// AppendInt adds the integer v at the end (lpAppendInteger).
func (l *Listpack) AppendInt(v int64) {
	l.ensure()
	var e encoded
	encodeInt(&e, v)
	l.insertAt(len(l.b)-1, &e)
}

// Prepend adds v at the start (lpPrepend).
func (l *Listpack) Prepend(v []byte) {
	l.ensure()
	var e encoded
	encodeString(&e, v)
	l.insertAt(HeaderSize, &e)
}

// PrependInt adds the integer v at the start.
func (l *Listpack) PrependInt(v int64) {
	l.ensure()
	var e encoded
	encodeInt(&e, v)
	l.insertAt(HeaderSize, &e)
}

// Insert adds v before or after the entry at p and returns the new entry's
// offset (lpInsertString). Offsets before p stay valid.
func (l *Listpack) Insert(p int, where Where, v []byte) int {
	var e encoded
	encodeString(&e, v)
	return l.insert(p, where, &e)
}

// InsertInt adds the integer v before or after the entry at p and returns
// the new entry's offset (lpInsertInteger).
func (l *Listpack) InsertInt(p int, where Where, v int64) int {
	var e encoded
	encodeInt(&e, v)
	return l.insert(p, where, &e)
}

func (l *Listpack) insert(p int, where Where, e *encoded) int {
	if where == After {
		p = l.skip(p)
	}
	return l.insertAt(p, e)
}

// Replace stores v in place of the entry at p (lpReplace); p stays the
// entry's offset, and offsets before it stay valid.
func (l *Listpack) Replace(p int, v []byte) {
	var e encoded
	encodeString(&e, v)
	l.replace(p, &e)
}

// ReplaceInt stores the integer v in place of the entry at p
// (lpReplaceInteger).
func (l *Listpack) ReplaceInt(p int, v int64) {
	var e encoded
	encodeInt(&e, v)
	l.replace(p, &e)
}

func (l *Listpack) replace(p int, e *encoded) {
	n := e.size()
	l.splice(p, l.EntrySize(p), n+backlenSize(n))
	l.put(p, e)
}

// Delete removes the entry at p (lpDelete) and returns the offset of the
// entry that followed it, now at p, or -1 if it was the last.
func (l *Listpack) Delete(p int) int {
	l.splice(p, l.EntrySize(p), 0)
	l.addCount(-1)
	if l.b[p] == eof {
		return -1
	}
	return p
}

// DeleteN removes up to n entries starting with the one at p
// (lpDeleteRangeWithEntry) and returns the offset of the entry that
// followed them, now at p, or -1.
func (l *Listpack) DeleteN(p, n int) int {
	if n <= 0 {
		return p
	}
	q, deleted := p, 0
	for deleted < n {
		deleted++
		q = l.skip(q)
		if l.b[q] == eof {
			break
		}
	}
	l.splice(p, q-p, 0)
	l.addCount(-deleted)
	if l.b[p] == eof {
		return -1
	}
	return p
}

// DeleteRange removes up to n entries starting at index i, negative
// counting from the end (lpDeleteRange). An index out of range deletes
// nothing.
func (l *Listpack) DeleteRange(i, n int) {
	if n <= 0 {
		return
	}
	p := l.Seek(i)
	if p < 0 {
		return
	}
	if num := l.count(); num != countUnknown {
		if i < 0 {
			i += num
		}
		if num-i <= n {
			// Deleting through the end: move the terminator.
			l.b[p] = eof
			l.b = l.b[:p+1]
			binary.LittleEndian.PutUint32(l.b, uint32(p+1))
			l.setCount(i)
			return
		}
	}
	l.DeleteN(p, n)
}

// Merge returns the concatenation of first and second (lpMerge), built in
// whichever of the two buffers has room for it, else in a new one; both
// arguments are consumed.
func Merge(first, second Listpack) Listpack {
	if second.b == nil {
		return first
	}
	if first.b == nil {
		return second
	}
	n1, n2 := first.Len(), second.Len()
	body1 := len(first.b) - EmptySize // entries only
	body2 := len(second.b) - EmptySize
	total := EmptySize + body1 + body2
	var out []byte
	if cap(first.b) < total && cap(second.b) >= total {
		// Only second has room: slide its entries up, put first's before.
		out = second.b[:total]
		copy(out[HeaderSize+body1:], second.b[HeaderSize:len(second.b)])
		copy(out[HeaderSize:], first.b[HeaderSize:HeaderSize+body1])
		copy(out[:HeaderSize], first.b[:HeaderSize])
	} else {
		out = slices.Grow(first.b[:len(first.b)-1], total-len(first.b)+1)[:total]
		copy(out[HeaderSize+body1:], second.b[HeaderSize:])
	}
	binary.LittleEndian.PutUint32(out, uint32(total))
	m := Listpack{out}
	m.setCount(min(n1+n2, countUnknown))
	return m
}
