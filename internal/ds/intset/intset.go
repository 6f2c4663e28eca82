package intset

import (
	"encoding/binary"
	"errors"
	"iter"
	"math"
	"math/rand/v2"
)

// The encodings: the width in bytes of every value in the set (Redis's
// INTSET_ENC_INT16, INTSET_ENC_INT32 and INTSET_ENC_INT64).
const (
	EncInt16 = 2
	EncInt32 = 4
	EncInt64 = 8
)

// headerSize is sizeof(intset) in Redis: the encoding and length fields.
const headerSize = 8

// Intset is a sorted set of distinct int64 values in Redis's intset byte
// layout (see the package documentation). The zero value is an empty set.
type Intset struct {
	// b holds the whole intset: header and contents, len(b) ==
	// headerSize + length*encoding. Empty only for the zero Intset, which
	// stands for the empty int16 set.
	b []byte
}

// New returns an empty intset with the int16 encoding (Redis's intsetNew).
func New() *Intset {
	return &Intset{b: emptyBytes()}
}

func emptyBytes() []byte {
	b := make([]byte, headerSize)
	binary.LittleEndian.PutUint32(b, EncInt16)
	return b
}

// Validate reports whether b is a well-formed intset, with the checks of
// Redis's intsetValidateIntegrity: a known encoding, a length that accounts
// for exactly len(b) bytes, and at least one value (Redis never stores an
// empty set). When deep is set it also requires the values to be strictly
// increasing (sorted, no duplicates), which is O(n); Redis does that only
// when sanitize-dump-payload asks for it.
func Validate(b []byte, deep bool) bool {
	if len(b) < headerSize {
		return false
	}
	enc := binary.LittleEndian.Uint32(b)
	if enc != EncInt16 && enc != EncInt32 && enc != EncInt64 {
		return false
	}
	count := uint64(binary.LittleEndian.Uint32(b[4:]))
	if headerSize+count*uint64(enc) != uint64(len(b)) {
		return false
	}
	if count == 0 {
		return false
	}
	if !deep {
		return true
	}
	s := Intset{b: b}
	prev := s.Get(0)
	for i := 1; i < int(count); i++ {
		cur := s.Get(i)
		if cur <= prev {
			return false
		}
		prev = cur
	}
	return true
}

// errCorrupt is FromBytes's error for a payload that Validate rejects.
var errCorrupt = errors.New("intset: invalid encoding, length or order")

// FromBytes returns an intset holding a copy of b, an intset in Redis's
// layout (for example the string of an RDB or DUMP set of type
// RDB_TYPE_SET_INTSET). b must pass Validate(b, true): an intset read from
// outside is never trusted to be sorted, because Find would silently give
// wrong answers on one that is not.
func FromBytes(b []byte) (*Intset, error) {
	if !Validate(b, true) {
		return nil, errCorrupt
	}
	return &Intset{b: append([]byte(nil), b...)}, nil
}

// Bytes returns the intset in Redis's layout, with its header. The slice
// belongs to s: it must not be modified and is valid until the next Add or
// Remove.
func (s *Intset) Bytes() []byte {
	if len(s.b) == 0 {
		s.b = emptyBytes()
	}
	return s.b
}

// BlobLen is len(s.Bytes()), Redis's intsetBlobLen.
func (s *Intset) BlobLen() int { return headerSize + s.Len()*s.Encoding() }

// Len returns the number of values in s.
func (s *Intset) Len() int {
	if len(s.b) == 0 {
		return 0
	}
	return int(binary.LittleEndian.Uint32(s.b[4:]))
}

// Encoding returns the width in bytes of each value: EncInt16, EncInt32 or
// EncInt64.
func (s *Intset) Encoding() int {
	if len(s.b) == 0 {
		return EncInt16
	}
	return int(binary.LittleEndian.Uint32(s.b))
}

// ValueEncoding returns the narrowest encoding that holds v (Redis's
// _intsetValueEncoding).
func ValueEncoding(v int64) int {
	switch {
	case v < math.MinInt32 || v > math.MaxInt32:
		return EncInt64
	case v < math.MinInt16 || v > math.MaxInt16:
		return EncInt32
	}
	return EncInt16
}

// getEncoded reads value i of b as stored with encoding enc.
func getEncoded(b []byte, i, enc int) int64 {
	p := headerSize + i*enc
	switch enc {
	case EncInt64:
		return int64(binary.LittleEndian.Uint64(b[p:]))
	case EncInt32:
		return int64(int32(binary.LittleEndian.Uint32(b[p:])))
	}
	return int64(int16(binary.LittleEndian.Uint16(b[p:])))
}

// setEncoded writes v as value i of b with encoding enc; v must fit.
func setEncoded(b []byte, i, enc int, v int64) {
	p := headerSize + i*enc
	switch enc {
	case EncInt64:
		binary.LittleEndian.PutUint64(b[p:], uint64(v))
	case EncInt32:
		binary.LittleEndian.PutUint32(b[p:], uint32(v))
	default:
		binary.LittleEndian.PutUint16(b[p:], uint16(v))
	}
}

// Get returns the value at position i, 0 <= i < Len(), in increasing order.
// It panics if i is out of range.
func (s *Intset) Get(i int) int64 {
	if uint(i) >= uint(s.Len()) {
		panic("intset: index out of range")
	}
	return getEncoded(s.b, i, s.Encoding())
}

// Min returns the smallest value. It panics on an empty set.
func (s *Intset) Min() int64 { return s.Get(0) }

// Max returns the largest value. It panics on an empty set.
func (s *Intset) Max() int64 { return s.Get(s.Len() - 1) }

// Random returns a value chosen uniformly (as Redis's intsetRandom, the
// position is a random number modulo the length). It panics on an empty set.
func (s *Intset) Random(src rand.Source) int64 {
	n := s.Len()
	if n == 0 {
		panic("intset: Random on an empty set")
	}
	return s.Get(int(src.Uint64() % uint64(n)))
}

// search returns the position of v, or the position where v would be
// inserted to keep the set sorted, and whether v is present (Redis's
// intsetSearch). v must fit the current encoding for a hit to be possible.
func (s *Intset) search(v int64) (int, bool) {
	n := s.Len()
	if n == 0 {
		return 0, false
	}
	enc := s.Encoding()
	// Redis's shortcuts: beyond either end, no search.
	if v > getEncoded(s.b, n-1, enc) {
		return n, false
	}
	if v < getEncoded(s.b, 0, enc) {
		return 0, false
	}
	lo, hi := 0, n-1
	for lo <= hi {
		mid := int(uint(lo+hi) >> 1)
		switch cur := getEncoded(s.b, mid, enc); {
		case v > cur:
			lo = mid + 1
		case v < cur:
			hi = mid - 1
		default:
			return mid, true
		}
	}
	return lo, false
}

// Find reports whether v is in s (Redis's intsetFind).
func (s *Intset) Find(v int64) bool {
	if ValueEncoding(v) > s.Encoding() {
		return false
	}
	_, ok := s.search(v)
	return ok
}

// Add inserts v and reports whether it was added (false: already present).
// A value wider than the current encoding upgrades the whole set first.
func (s *Intset) Add(v int64) (added bool) {
	if len(s.b) == 0 {
		s.b = emptyBytes()
	}
	enc, n := s.Encoding(), s.Len()
	if venc := ValueEncoding(v); venc > enc {
		s.upgradeAndAdd(v, enc, venc, n)
		return true
	}
	pos, found := s.search(v)
	if found {
		return false
	}
	s.resize(n+1, enc)
	// Move the tail up one slot (Redis's intsetMoveTail).
	at := headerSize + pos*enc
	copy(s.b[at+enc:], s.b[at:headerSize+n*enc])
	setEncoded(s.b, pos, enc, v)
	s.setLen(n + 1)
	return true
}

// upgradeAndAdd widens every value from enc to venc and adds v, which does
// not fit enc: it is either below every value (negative) or above every
// value (positive), so it goes at one end.
func (s *Intset) upgradeAndAdd(v int64, enc, venc, n int) {
	s.resize(n+1, venc)
	binary.LittleEndian.PutUint32(s.b, uint32(venc))
	prepend := 0
	if v < 0 {
		prepend = 1
	}
	// From the end backwards, so no value is overwritten before it is read.
	for i := n - 1; i >= 0; i-- {
		setEncoded(s.b, i+prepend, venc, getEncoded(s.b, i, enc))
	}
	if prepend == 1 {
		setEncoded(s.b, 0, venc, v)
	} else {
		setEncoded(s.b, n, venc, v)
	}
	s.setLen(n + 1)
}

// Remove deletes v and reports whether it was present. The encoding never
// narrows.
func (s *Intset) Remove(v int64) (removed bool) {
	enc, n := s.Encoding(), s.Len()
	if ValueEncoding(v) > enc {
		return false
	}
	pos, found := s.search(v)
	if !found {
		return false
	}
	at := headerSize + pos*enc
	copy(s.b[at:], s.b[at+enc:headerSize+n*enc])
	s.setLen(n - 1)
	s.resize(n-1, enc)
	return true
}

func (s *Intset) setLen(n int) { binary.LittleEndian.PutUint32(s.b[4:], uint32(n)) }

// resize sets len(s.b) for n values of width enc, growing by append's
// amortised doubling and reallocating when the set has shrunk to a quarter
// of its capacity.
func (s *Intset) resize(n, enc int) {
	size := headerSize + n*enc
	switch {
	case size > cap(s.b):
		s.b = append(s.b[:cap(s.b)], make([]byte, size-cap(s.b))...)
	case cap(s.b) > 64 && size < cap(s.b)/4:
		s.b = append(make([]byte, 0, 2*size), s.b[:size]...)
	}
	s.b = s.b[:size]
}

// ForEach calls fn with each value in increasing order until fn returns
// false. fn must not modify s.
func (s *Intset) ForEach(fn func(v int64) bool) {
	enc, n := s.Encoding(), s.Len()
	for i := 0; i < n; i++ {
		if !fn(getEncoded(s.b, i, enc)) {
			return
		}
	}
}

// All returns an iterator over the positions and values of s in increasing
// order. s must not be modified during the iteration.
func (s *Intset) All() iter.Seq2[int, int64] {
	return func(yield func(int, int64) bool) {
		enc, n := s.Encoding(), s.Len()
		for i := 0; i < n; i++ {
			if !yield(i, getEncoded(s.b, i, enc)) {
				return
			}
		}
	}
}
