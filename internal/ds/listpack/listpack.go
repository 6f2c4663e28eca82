package listpack

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strconv"

	"cairn/internal/conv"
)

const (
	// HeaderSize is the header: total bytes (uint32 LE) and number of
	// entries (uint16 LE).
	HeaderSize = 6
	// EmptySize is the size of a listpack with no entries.
	EmptySize = HeaderSize + 1
	// countUnknown in the header's count field means "count by walking".
	countUnknown = 65535
	// MaxSafetySize is LISTPACK_MAX_SAFETY_SIZE: callers keep listpacks
	// below it (see SafeToAdd), Redis converts to a bigger encoding first.
	MaxSafetySize = 1 << 30
)

// Listpack is a listpack in Redis 7.0's byte layout. The zero value is an
// empty listpack. It is a struct around the bytes rather than a named
// []byte so that no caller can append to, reslice or index the bytes and
// break the header, while costing the same (one slice header).
type Listpack struct {
	b []byte // nil (empty listpack) or a valid listpack, len(b) == total bytes
}

// New returns an empty listpack.
func New() Listpack {
	b := make([]byte, EmptySize)
	initEmpty(b)
	return Listpack{b}
}

func initEmpty(b []byte) {
	binary.LittleEndian.PutUint32(b, EmptySize)
	b[4], b[5], b[6] = 0, 0, eof
}

// FromBytes adopts b, which must be a whole listpack: it is validated as
// lpValidateIntegrity does with deep checking (header total, terminator,
// every entry's encoding and backlen, the header count unless unknown),
// and is not copied: the Listpack owns b from then on.
func FromBytes(b []byte) (Listpack, error) {
	l := Listpack{b}
	if err := l.Validate(true); err != nil {
		return Listpack{}, err
	}
	return l, nil
}

// Bytes returns the listpack's bytes, borrowed: they are valid, and must
// not be modified, until the next change to l.
func (l Listpack) Bytes() []byte {
	if l.b == nil {
		return New().b
	}
	return l.b[:len(l.b):len(l.b)]
}

// Clone returns a copy of l with its own bytes, sized exactly.
func (l Listpack) Clone() Listpack {
	if l.b == nil {
		return Listpack{}
	}
	return Listpack{bytes.Clone(l.b)}
}

// BytesLen is the listpack's size in bytes (lpBytes).
func (l Listpack) BytesLen() int {
	if l.b == nil {
		return EmptySize
	}
	return len(l.b)
}

// Cap is the capacity of the buffer holding l, for memory accounting.
func (l Listpack) Cap() int { return cap(l.b) }

// Len is the number of entries (lpLength). When the header's count is
// unknown (65535 or more entries at some point) it counts them by walking
// and, as Redis does, writes the count back if it fits again.
func (l *Listpack) Len() int {
	if l.b == nil {
		return 0
	}
	if n := l.count(); n != countUnknown {
		return n
	}
	n := 0
	for p := l.First(); p >= 0; p = l.Next(p) {
		n++
	}
	if n < countUnknown {
		l.setCount(n)
	}
	return n
}

// SafeToAdd reports whether add more bytes keep l within MaxSafetySize
// (lpSafeToAdd).
func (l Listpack) SafeToAdd(add int) bool { return l.BytesLen()+add <= MaxSafetySize }

// Grow makes room for n more bytes without another allocation, as
// bytes.Buffer.Grow does.
func (l *Listpack) Grow(n int) {
	if l.b == nil {
		l.b = make([]byte, EmptySize, EmptySize+n)
		initEmpty(l.b)
		return
	}
	if cap(l.b)-len(l.b) < n {
		l.b = slices.Grow(l.b, n)
	}
}

// Reset empties l, keeping its buffer for reuse.
func (l *Listpack) Reset() {
	if l.b != nil {
		l.b = l.b[:EmptySize]
		initEmpty(l.b)
	}
}

// ShrinkToFit releases unused capacity (lpShrinkToFit), copying l into a
// buffer of its exact size when a quarter or more of the buffer is unused.
func (l *Listpack) ShrinkToFit() {
	if l.b != nil && cap(l.b)-len(l.b) >= cap(l.b)/4 && cap(l.b) > 16 {
		l.b = bytes.Clone(l.b)
	}
}

func (l Listpack) count() int { return int(binary.LittleEndian.Uint16(l.b[4:])) }

func (l Listpack) setCount(n int) { binary.LittleEndian.PutUint16(l.b[4:], uint16(n)) }

// addCount adjusts the header's count by d unless it is unknown. Reaching
// 65535 makes it unknown, as in Redis.
func (l Listpack) addCount(d int) {
	if n := l.count(); n != countUnknown {
		l.setCount(n + d)
	}
}

// Entry is one decoded entry: an integer (IsInt, Int) or a string (Str,
// borrowed from the listpack: valid, and not to be modified, until the next
// change to it). Strings that are canonical integers are always stored,
// and so returned, as integers.
type Entry struct {
	Str   []byte
	Int   int64
	IsInt bool
}

// AppendString appends the entry's text to dst: the string, or the
// integer in decimal.
func (e Entry) AppendString(dst []byte) []byte {
	if e.IsInt {
		return strconv.AppendInt(dst, e.Int, 10)
	}
	return append(dst, e.Str...)
}

// String returns the entry's text; it allocates.
func (e Entry) String() string { return string(e.AppendString(nil)) }

// Len is the length of the entry's text.
func (e Entry) Len() int {
	if !e.IsInt {
		return len(e.Str)
	}
	var buf [20]byte
	return len(strconv.AppendInt(buf[:0], e.Int, 10))
}

// Equal reports whether the entry's text is v, as lpCompare does.
func (e Entry) Equal(v []byte) bool {
	if !e.IsInt {
		return bytes.Equal(e.Str, v)
	}
	n, ok := conv.ParseInt(v)
	return ok && n == e.Int
}

// Offsets: entries are named by their byte offset in the listpack, as
// Redis names them by pointer; -1 stands for NULL. An offset is valid until
// the next change to the listpack, except as the change's doc says.

// First returns the offset of the first entry, or -1 (lpFirst).
func (l Listpack) First() int {
	if len(l.b) <= EmptySize {
		return -1
	}
	return HeaderSize
}

// Last returns the offset of the last entry, or -1 (lpLast).
func (l Listpack) Last() int {
	if len(l.b) <= EmptySize {
		return -1
	}
	return l.Prev(len(l.b) - 1)
}

// skip returns the offset just past the entry at p, its backlen included
// (lpSkip): the next entry or the terminator.
func (l Listpack) skip(p int) int {
	n := encodedSize(l.b, p)
	return p + n + backlenSize(n)
}

// Next returns the offset of the entry after p, or -1 (lpNext).
func (l Listpack) Next(p int) int {
	p = l.skip(p)
	if l.b[p] == eof {
		return -1
	}
	return p
}

// Prev returns the offset of the entry before p, or -1 (lpPrev). p may be
// the terminator's offset, BytesLen()-1.
func (l Listpack) Prev(p int) int {
	if p <= HeaderSize {
		return -1
	}
	n, _ := decodeBacklen(l.b, p-1)
	return p - n - backlenSize(n)
}

// Get decodes the entry at p (lpGet).
func (l Listpack) Get(p int) Entry { return entryAt(l.b, p) }

// EntrySize is the number of bytes the entry at p takes, backlen included.
func (l Listpack) EntrySize(p int) int { return l.skip(p) - p }

// Seek returns the offset of the entry at index i, negative indexes
// counting from the end (-1 is the last), or -1 if out of range (lpSeek).
// It walks from whichever end is nearer when the count is known.
func (l Listpack) Seek(i int) int {
	if l.b == nil {
		return -1
	}
	forward := true
	if n := l.count(); n != countUnknown {
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return -1
		}
		if i > n/2 {
			forward = false
			i -= n
		}
	} else if i < 0 {
		forward = false
	}
	if forward {
		p := l.First()
		for ; p >= 0 && i > 0; i-- {
			p = l.Next(p)
		}
		return p
	}
	p := l.Last()
	for ; p >= 0 && i < -1; i++ {
		p = l.Prev(p)
	}
	return p
}

// Find returns the offset of the first entry from p on whose text is v, or
// -1 (lpFind). After each entry compared it skips skip entries: with skip
// 1 it compares only the fields of a hash's field-value pairs.
func (l Listpack) Find(p int, v []byte, skip int) int {
	// Whether v can equal an integer entry is worked out once, lazily.
	const (
		unknown = iota
		isInt
		notInt
	)
	vkind := unknown
	var vint int64
	for cnt := 0; p >= 0; {
		if cnt == 0 {
			n := encodedSize(l.b, p)
			e := entryAt(l.b, p)
			if !e.IsInt {
				if bytes.Equal(e.Str, v) {
					return p
				}
			} else {
				if vkind == unknown {
					vkind = notInt
					if len(v) < 32 && len(v) > 0 {
						if x, ok := conv.ParseInt(v); ok {
							vkind, vint = isInt, x
						}
					}
				}
				if vkind == isInt && e.Int == vint {
					return p
				}
			}
			cnt = skip
			p += n + backlenSize(n)
		} else {
			cnt--
			p = l.skip(p)
		}
		if l.b[p] == eof {
			return -1
		}
	}
	return -1
}
