package types

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"unsafe"

	"cairn/internal/conv"
	"cairn/internal/ds/dict"
	"cairn/internal/ds/intset"
	"cairn/internal/keyspace"
	"cairn/internal/persist/rdb"
)

// Set is Redis's set type (t_set.c's setTypeX functions): an intset while every
// member is the canonical text of a 64-bit integer (string2ll) and there are at most
// set-max-intset-entries of them, otherwise a hash table of member strings. The
// conversion is one way: removing the members that forced it does not bring the
// intset back, as in Redis 7.0 (which has no listpack sets; those came in 7.2).
//
// Memory: an intset costs 2, 4 or 8 bytes per member (the width of its widest value)
// in a single []byte; the hash table costs one dict entry (24 bytes plus bucket share)
// and the member's string per member.
//
// Members handed to a Set are copied; members it returns are borrowed (see Member).
type Set struct {
	// Exactly one of is and ht is non-nil.
	is *intset.Intset
	ht *dict.Dict[struct{}]
}

// Member is one element of a set, as the set holds it: an integer when IsInt (the set
// is an intset), else the bytes in Str, which belong to the set and must not be
// modified (they stay valid while the member is in the set, and after it is removed).
type Member struct {
	Str   []byte
	Int   int64
	IsInt bool
}

// Append appends the member's text to dst.
func (m Member) Append(dst []byte) []byte {
	if m.IsInt {
		return strconv.AppendInt(dst, m.Int, 10)
	}
	return append(dst, m.Str...)
}

// String returns the member's text (allocating).
func (m Member) String() string {
	if m.IsInt {
		return strconv.FormatInt(m.Int, 10)
	}
	return string(m.Str)
}

func strMember(key string) Member {
	return Member{Str: unsafe.Slice(unsafe.StringData(key), len(key))}
}

// NewSet returns an empty set in the encoding Redis's setTypeCreate picks for a set
// about to receive first: an intset if first is an integer, else a hash table.
func NewSet(first []byte) *Set {
	if _, ok := conv.ParseInt(first); ok {
		return NewIntSet()
	}
	return NewHashSet(0)
}

// NewIntSet returns an empty intset-encoded set (Redis's createIntsetObject). Adding
// members converts it as needed.
func NewIntSet() *Set { return &Set{is: intset.New()} }

// NewHashSet returns an empty hashtable-encoded set (createSetObject), with room for
// about sizeHint members.
func NewHashSet(sizeHint int) *Set {
	d := dict.New[struct{}]()
	if sizeHint > 0 {
		d.Expand(sizeHint)
	}
	return &Set{ht: d}
}

// SetFromIntset returns an intset-encoded set that takes ownership of is (for loading
// an RDB_TYPE_SET_INTSET payload). is must be valid and non-empty.
func SetFromIntset(is *intset.Intset) *Set { return &Set{is: is} }

// Intset returns the set's intset, or nil when the set is a hash table. It belongs to
// the set and must not be modified (for RDB and DUMP serialisation).
func (s *Set) Intset() *intset.Intset { return s.is }

// Encoding is the name OBJECT ENCODING reports: intset or hashtable.
func (s *Set) Encoding() keyspace.Encoding {
	if s.is != nil {
		return keyspace.EncIntset
	}
	return keyspace.EncHashtable
}

// Len returns the number of members (SCARD).
func (s *Set) Len() int {
	if s.is != nil {
		return s.is.Len()
	}
	return s.ht.Len()
}

// Add inserts member and reports whether it was new (setTypeAdd). A non-integer
// member, or an intset growing past lim.SetMaxIntsetEntries, converts the set to a
// hash table.
func (s *Set) Add(member []byte, lim Limits) bool {
	if s.is != nil {
		if v, ok := conv.ParseInt(member); ok {
			if !s.is.Add(v) {
				return false
			}
			if s.is.Len() > lim.SetMaxIntsetEntries {
				s.convert(s.is.Len())
			}
			return true
		}
		// Redis sizes the new table for the intset's members (the new one
		// may make it grow once more).
		s.convert(s.is.Len())
	}
	_, added := s.ht.Insert(member, struct{}{})
	return added
}

// addString is Add for a hash-table set and a member that is already an immutable
// string, which is stored without copying.
func (s *Set) addString(member string) bool {
	_, added := s.ht.InsertString(member, struct{}{})
	return added
}

// convert turns an intset into a hash table sized for n members (setTypeConvert).
func (s *Set) convert(n int) {
	d := dict.New[struct{}]()
	d.Expand(n)
	var buf [20]byte
	s.is.ForEach(func(v int64) bool {
		d.Insert(strconv.AppendInt(buf[:0], v, 10), struct{}{})
		return true
	})
	s.is, s.ht = nil, d
}

// Remove deletes member and reports whether it was present (setTypeRemove).
func (s *Set) Remove(member []byte) bool {
	if s.is != nil {
		v, ok := conv.ParseInt(member)
		return ok && s.is.Remove(v)
	}
	_, ok := s.ht.Delete(member)
	return ok
}

// IsMember reports whether member is in the set (setTypeIsMember).
func (s *Set) IsMember(member []byte) bool {
	if s.is != nil {
		v, ok := conv.ParseInt(member)
		return ok && s.is.Find(v)
	}
	_, ok := s.ht.Find(member)
	return ok
}

// IsMemberOf reports whether m, a member of another set, is in s; it spares the
// integer text round trip when both sets are intsets.
func (s *Set) IsMemberOf(m Member) bool {
	if m.IsInt {
		if s.is != nil {
			return s.is.Find(m.Int)
		}
		var buf [20]byte
		_, ok := s.ht.Find(strconv.AppendInt(buf[:0], m.Int, 10))
		return ok
	}
	return s.IsMember(m.Str)
}

// AddMember is Add for a member of another set, as Iterate, Random or Scan returned
// it: a hash table stores its string without copying (it is immutable), so m must not
// be built from bytes that may change.
func (s *Set) AddMember(m Member, lim Limits) bool {
	if m.IsInt {
		if s.is != nil {
			if !s.is.Add(m.Int) {
				return false
			}
			if s.is.Len() > lim.SetMaxIntsetEntries {
				s.convert(s.is.Len())
			}
			return true
		}
		var buf [20]byte
		_, added := s.ht.Insert(strconv.AppendInt(buf[:0], m.Int, 10), struct{}{})
		return added
	}
	if s.ht != nil {
		return s.addString(unsafe.String(unsafe.SliceData(m.Str), len(m.Str)))
	}
	return s.Add(m.Str, lim)
}

// RemoveMember is Remove for a member of another set (or of this one).
func (s *Set) RemoveMember(m Member) bool {
	if m.IsInt {
		if s.is != nil {
			return s.is.Remove(m.Int)
		}
		var buf [20]byte
		_, ok := s.ht.Delete(strconv.AppendInt(buf[:0], m.Int, 10))
		return ok
	}
	return s.Remove(m.Str)
}

// Iterate calls fn for every member until fn returns false: an intset in increasing
// order, a hash table in no particular order. fn must not modify the set.
func (s *Set) Iterate(fn func(m Member) bool) {
	if s.is != nil {
		s.is.ForEach(func(v int64) bool { return fn(Member{Int: v, IsInt: true}) })
		return
	}
	s.ht.Each(func(key string, _ *struct{}) bool { return fn(strMember(key)) })
}

// Random returns a random member (setTypeRandomElement); the set must not be empty.
func (s *Set) Random(src rand.Source) Member {
	if s.is != nil {
		return Member{Int: s.is.Random(src), IsInt: true}
	}
	key, _, ok := s.ht.Random(src)
	if !ok {
		panic("types: Random on an empty set")
	}
	return strMember(key)
}

// Pop removes a random member and returns it; the set must not be empty.
func (s *Set) Pop(src rand.Source) Member {
	m := s.Random(src)
	s.RemoveMember(m)
	return m
}

// Scan is one step of SSCAN: it calls fn for the members of the buckets at cursor and
// returns the next cursor (0 when done), with the hash table's guarantee that a full
// scan returns every member present throughout, resizing or not. An intset is
// returned whole in one call with cursor 0, as Redis does for compact encodings.
func (s *Set) Scan(cursor uint64, fn func(m Member)) uint64 {
	if s.is != nil {
		s.is.ForEach(func(v int64) bool {
			fn(Member{Int: v, IsInt: true})
			return true
		})
		return 0
	}
	return s.ht.Scan(cursor, func(key string, _ *struct{}) { fn(strMember(key)) })
}

// Dup returns a deep copy with the same encoding (setTypeDup), for COPY.
func (s *Set) Dup() any {
	if s.is != nil {
		if s.is.Len() == 0 {
			return NewIntSet()
		}
		c, err := intset.FromBytes(s.is.Bytes())
		if err != nil {
			panic("types: set holds an invalid intset: " + err.Error())
		}
		return &Set{is: c}
	}
	d := NewHashSet(s.ht.Len())
	s.ht.Each(func(key string, _ *struct{}) bool {
		d.addString(key) // strings are immutable: sharing them shares nothing mutable
		return true
	})
	return d
}

// MemoryUsage approximates the bytes s holds, for MEMORY USAGE.
func (s *Set) MemoryUsage() int {
	n := int(unsafe.Sizeof(*s))
	if s.is != nil {
		return n + cap(s.is.Bytes())
	}
	n += s.ht.MemoryUsage()
	s.ht.Each(func(key string, _ *struct{}) bool {
		n += len(key)
		return true
	})
	return n
}

// RDBValue describes the set for the RDB encoder without copying it: an intset is its
// bytes (RDB type 11), a hash table its members walked in place (type 2), as Redis
// writes them.
func (s *Set) RDBValue() rdb.Value {
	if s.is != nil {
		return rdb.Value{Type: keyspace.TypeSet, Enc: rdb.EncIntset, Blob: s.is.Bytes()}
	}
	return rdb.Value{Type: keyspace.TypeSet, Enc: rdb.EncElems, Len: s.ht.Len(), ElemSeq: func(yield func([]byte) bool) {
		s.ht.Each(func(key string, _ *struct{}) bool {
			return yield(unsafe.Slice(unsafe.StringData(key), len(key)))
		})
	}}
}

// SetFromRDB builds a set from a decoded RDB value (whose bytes it copies), as Redis
// 7.0's loader does: an intset is adopted, and converted when it is longer than
// set-max-intset-entries; members (RDB type 2, or a 7.2 listpack set the decoder
// turned into members) make a hash table when there are more than that, else an
// intset that converts at the first non-integer. The decoder has already refused
// duplicates and empty sets.
func SetFromRDB(v *rdb.Value, lim Limits) (*Set, error) {
	if v.Enc == rdb.EncIntset {
		is, err := intset.FromBytes(v.Blob)
		if err != nil {
			return nil, err
		}
		s := &Set{is: is}
		if is.Len() > lim.SetMaxIntsetEntries {
			s.convert(is.Len())
		}
		return s, nil
	}
	if v.Enc != rdb.EncElems {
		return nil, errors.New("set: unexpected RDB encoding")
	}
	var s *Set
	if len(v.Elems) > lim.SetMaxIntsetEntries {
		s = NewHashSet(len(v.Elems))
	} else {
		s = NewIntSet()
	}
	for _, m := range v.Elems {
		if s.is != nil {
			if _, ok := conv.ParseInt(m); !ok {
				s.convert(len(v.Elems))
			}
		}
		if !s.Add(m, lim) {
			return nil, errors.New("duplicate set members detected")
		}
	}
	return s, nil
}

// ConvertToSkiplist moves a listpack-encoded sorted set to the skiplist encoding, as
// Redis 7.0's SORT does (zsetConvert) to every sorted set it reads, SORT_RO included,
// for good. It belongs with the sorted set in zset.go; it is here because SORT's
// author does not own that file.
func (z *ZSet) ConvertToSkiplist() {
	if z.tree == nil {
		z.convert()
	}
}
