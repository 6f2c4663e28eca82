package types

import (
	"cairn/internal/ds/listpack"
	"cairn/internal/keyspace"
	"cairn/internal/persist/rdb"
)

// RDBValue describes the hash for the RDB encoder without copying it: a listpack hash
// is its listpack bytes (RDB type 16, as Redis writes it), a hash table its fields and
// values walked in place.
func (h *Hash) RDBValue() rdb.Value {
	if h.ht == nil {
		return rdb.Value{Type: keyspace.TypeHash, Enc: rdb.EncListpack, Blob: h.lp.Bytes()}
	}
	return rdb.Value{Type: keyspace.TypeHash, Enc: rdb.EncElems, Len: h.ht.Len(), ElemSeq: func(yield func([]byte) bool) {
		h.ht.Each(func(field string, value *[]byte) bool {
			return yield(hashKeyBytes(field)) && yield(*value)
		})
	}}
}

// HashFromRDB builds a hash from a decoded RDB value. A listpack is adopted as it is
// and converted to a hash table when it passes the limits, as Redis's loader does.
func HashFromRDB(v *rdb.Value, lim Limits) (*Hash, error) {
	if v.Enc == rdb.EncListpack {
		lp, err := listpack.FromBytes(v.Blob)
		if err != nil {
			return nil, err
		}
		h := &Hash{lp: lp}
		if h.Len() > lim.HashMaxListpackEntries || maxEntryLen(lp) > lim.HashMaxListpackValue {
			h.convert()
		}
		return h, nil
	}
	h := NewHash()
	for i := 0; i+1 < len(v.Elems); i += 2 {
		h.Set(v.Elems[i], v.Elems[i+1], lim)
	}
	return h, nil
}

// maxEntryLen is the length of the longest element of a listpack, as text.
func maxEntryLen(lp listpack.Listpack) int {
	longest := 0
	for p := lp.First(); p >= 0; p = lp.Next(p) {
		longest = max(longest, lp.Get(p).Len())
	}
	return longest
}
