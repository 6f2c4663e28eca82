package types

import (
	"fmt"
	"math/rand/v2"
	"unsafe"

	"cairn/internal/ds/dict"
	"cairn/internal/ds/listpack"
	"cairn/internal/keyspace"
)

// Hash is Redis's hash type (t_hash.c's hashTypeX functions): a map of fields to
// values, both byte strings.
//
// Encodings. A new hash is a listpack of field, value, field, value... in insertion
// order (a new field goes to the tail, a changed value stays in place), as Redis keeps
// it. Set converts it, for good, to a hash table (dict.Dict) when a field or value
// longer than hash-max-listpack-value bytes is stored, when the listpack would pass
// LISTPACK_MAX_SAFETY_SIZE, or when a write leaves it with more than
// hash-max-listpack-entries fields (an update counts: after the limit was lowered, the
// next write converts): the same conditions, compared the same way (strictly
// greater), as Redis 7.0's hashTypeTryConversion and hashTypeSet. Deleting never
// converts back.
//
// Memory. In the hash table each field and its value share one allocation: the field's
// bytes are the dict key (a string viewing the start of the buffer) and the value is
// a []byte over the rest, so a field costs one heap object and a 48-byte dict entry.
// A value rewritten in place (HINCRBY, HSET of an existing field) reuses its bytes when
// the new value fits, and gets an allocation of its own when it does not.
//
// Values returned (listpack.Entry, fields passed to callbacks) are borrowed: valid, and
// not to be modified, until the next change to the hash. A listpack entry holding a
// canonical integer comes back as an integer (Entry.IsInt); hash-table entries are
// always strings.
//
// Complexity: listpack operations are O(n) in the number of fields (n is small by
// construction); hash-table Get, Set, Delete are O(1) expected.
type Hash struct {
	lp listpack.Listpack  // the listpack encoding; unused once ht is set
	ht *dict.Dict[[]byte] // the hashtable encoding, or nil
}

// NewHash returns an empty hash in the listpack encoding (Redis's createHashObject).
func NewHash() *Hash { return &Hash{lp: listpack.New()} }

// Encoding is the name OBJECT ENCODING reports: listpack or hashtable.
func (h *Hash) Encoding() keyspace.Encoding {
	if h.ht != nil {
		return keyspace.EncHashtable
	}
	return keyspace.EncListpack
}

// Len is the number of fields (hashTypeLength).
func (h *Hash) Len() int {
	if h.ht != nil {
		return h.ht.Len()
	}
	return h.lp.Len() / 2
}

// hashStrEntry makes an entry of a hash-table string.
func hashStrEntry(b []byte) listpack.Entry { return listpack.Entry{Str: b} }

// hashKeyBytes views a dict key as bytes, for reading only.
func hashKeyBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// lpFind returns the listpack offset of field's entry, or -1.
func (h *Hash) lpFind(field []byte) int {
	p := h.lp.First()
	if p < 0 {
		return -1
	}
	return h.lp.Find(p, field, 1)
}

// Get returns field's value (hashTypeGetValue).
func (h *Hash) Get(field []byte) (listpack.Entry, bool) {
	if h.ht != nil {
		v, ok := h.ht.Find(field)
		if !ok {
			return listpack.Entry{}, false
		}
		return hashStrEntry(*v), true
	}
	p := h.lpFind(field)
	if p < 0 {
		return listpack.Entry{}, false
	}
	return h.lp.Get(h.lp.Next(p)), true
}

// Exists reports whether field is present (hashTypeExists).
func (h *Hash) Exists(field []byte) bool {
	if h.ht != nil {
		_, ok := h.ht.Find(field)
		return ok
	}
	return h.lpFind(field) >= 0
}

// StrLen is the length of field's value, 0 if there is no such field
// (hashTypeGetValueLength).
func (h *Hash) StrLen(field []byte) int {
	v, ok := h.Get(field)
	if !ok {
		return 0
	}
	return v.Len()
}

// Set stores value under field, converting to the hashtable encoding first or after
// as Redis does (see Hash), and reports whether the field is new (false: its value was
// replaced). field and value are copied.
func (h *Hash) Set(field, value []byte, lim Limits) (inserted bool) {
	if h.ht == nil && (len(field) > lim.HashMaxListpackValue || len(value) > lim.HashMaxListpackValue ||
		!h.lp.SafeToAdd(len(field)+len(value))) {
		h.convert()
	}
	if h.ht != nil {
		return h.htSet(field, value)
	}
	if p := h.lpFind(field); p >= 0 {
		h.lp.Replace(h.lp.Next(p), value)
	} else {
		h.lp.Append(field)
		h.lp.Append(value)
		inserted = true
	}
	// Checked after an update too: a hash left over the limit by a lowered
	// hash-max-listpack-entries converts at its next write, as in Redis.
	if h.lp.Len()/2 > lim.HashMaxListpackEntries {
		h.convert()
	}
	return inserted
}

// htSet is Set on the hash table.
func (h *Hash) htSet(field, value []byte) bool {
	if v, ok := h.ht.Find(field); ok {
		if len(value) <= cap(*v) {
			*v = append((*v)[:0], value...)
		} else {
			*v = append(make([]byte, 0, len(value)), value...)
		}
		return false
	}
	h.htInsertNew(field, value)
	return true
}

// htInsertNew adds a field known to be absent, field and value in one allocation.
func (h *Hash) htInsertNew(field, value []byte) {
	buf := make([]byte, len(field)+len(value))
	copy(buf, field)
	copy(buf[len(field):], value)
	var key string
	if len(field) > 0 {
		key = unsafe.String(&buf[0], len(field))
	}
	h.ht.InsertString(key, buf[len(field):len(buf):len(buf)])
}

// convert moves a listpack hash to the hashtable encoding (hashTypeConvertListpack).
func (h *Hash) convert() {
	n := h.lp.Len() / 2
	h.ht = dict.New[[]byte]()
	h.ht.Expand(n)
	var fbuf, vbuf [20]byte
	for p := h.lp.First(); p >= 0; {
		f := h.lp.Get(p)
		p = h.lp.Next(p)
		v := h.lp.Get(p)
		p = h.lp.Next(p)
		h.htInsertNew(hashEntryBytes(f, fbuf[:0]), hashEntryBytes(v, vbuf[:0]))
	}
	h.lp = listpack.Listpack{}
}

// hashEntryBytes returns e's text, formatting an integer into buf.
func hashEntryBytes(e listpack.Entry, buf []byte) []byte {
	if e.IsInt {
		return e.AppendString(buf)
	}
	return e.Str
}

// Delete removes field and reports whether it was present (hashTypeDelete).
func (h *Hash) Delete(field []byte) bool {
	if h.ht != nil {
		_, ok := h.ht.Delete(field)
		return ok
	}
	p := h.lpFind(field)
	if p < 0 {
		return false
	}
	h.lp.DeleteN(p, 2)
	return true
}

// Iterate calls fn for every field and its value until fn returns false: in listpack
// order, or in the hash table's order. fn must not modify the hash.
func (h *Hash) Iterate(fn func(field, value listpack.Entry) bool) {
	if h.ht != nil {
		h.ht.Each(func(k string, v *[]byte) bool {
			return fn(hashStrEntry(hashKeyBytes(k)), hashStrEntry(*v))
		})
		return
	}
	for p := h.lp.First(); p >= 0; {
		f := h.lp.Get(p)
		p = h.lp.Next(p)
		v := h.lp.Get(p)
		p = h.lp.Next(p)
		if !fn(f, v) {
			return
		}
	}
}

// Scan is one step of HSCAN: it calls fn for the fields and values at cursor and
// returns the next cursor, 0 when done. A listpack is returned whole in one call,
// whatever the cursor, with cursor 0 next, as Redis does; a hash table is scanned one
// bucket at a time with dict.Scan's guarantee (every field present throughout the
// scan is returned at least once, across resizes). fn must not modify the hash.
func (h *Hash) Scan(cursor uint64, fn func(field, value listpack.Entry)) uint64 {
	if h.ht != nil {
		return h.ht.Scan(cursor, func(k string, v *[]byte) {
			fn(hashStrEntry(hashKeyBytes(k)), hashStrEntry(*v))
		})
	}
	h.Iterate(func(f, v listpack.Entry) bool {
		fn(f, v)
		return true
	})
	return 0
}

// RandomPair returns a random field and its value; the hash must not be empty
// (hashTypeRandomElement: lpRandomPair, or dictGetFairRandomKey).
func (h *Hash) RandomPair(r *rand.Rand) (field, value listpack.Entry) {
	if h.ht != nil {
		k, v, _ := h.ht.Random(r)
		return hashStrEntry(hashKeyBytes(k)), hashStrEntry(*v)
	}
	p := h.lp.Seek(2 * r.IntN(h.lp.Len()/2))
	return h.lp.Get(p), h.lp.Get(h.lp.Next(p))
}

// RandomPairs calls fn count times with a random field and its value, chosen
// independently, so fields may repeat (HRANDFIELD with a negative count), until fn
// returns false. The hash must not be empty; fn must not modify it.
func (h *Hash) RandomPairs(r *rand.Rand, count int, fn func(field, value listpack.Entry) bool) {
	if h.ht != nil {
		for ; count > 0; count-- {
			k, v, _ := h.ht.Random(r)
			if !fn(hashStrEntry(hashKeyBytes(k)), hashStrEntry(*v)) {
				return
			}
		}
		return
	}
	// The offsets of the fields, so that each pick costs O(1) (lpRandomPairs sorts
	// its picks and walks the listpack once per batch to the same effect).
	offs := h.lpFieldOffsets()
	for ; count > 0; count-- {
		p := offs[r.IntN(len(offs))]
		if !fn(h.lp.Get(p), h.lp.Get(h.lp.Next(p))) {
			return
		}
	}
}

func (h *Hash) lpFieldOffsets() []int {
	offs := make([]int, 0, h.lp.Len()/2)
	for p := h.lp.First(); p >= 0; p = h.lp.Next(h.lp.Next(p)) {
		offs = append(offs, p)
	}
	return offs
}

// Sampling strategies of RandomUnique (t_hash.c HRANDFIELD_SUB_STRATEGY_MUL).
const hrandfieldSubStrategyMul = 3

// RandomUnique calls fn for count distinct random fields and their values, 0 < count <
// Len() (HRANDFIELD with a positive count smaller than the hash; a larger one is the
// whole hash, which Iterate gives). As in Redis: a listpack is sampled in one pass and
// the fields come in listpack order (lpRandomPairsUnique); a hash table that count
// covers more than a third of is copied and thinned at random to count fields; a
// larger one is sampled at random until count distinct fields came up, in the order
// they did. fn must not modify the hash.
func (h *Hash) RandomUnique(r *rand.Rand, count int, fn func(field, value listpack.Entry)) {
	size := h.Len()
	if count <= 0 || count >= size {
		panic(fmt.Sprintf("types: Hash.RandomUnique of %d fields out of %d", count, size))
	}
	if h.ht == nil {
		// Selection sampling (Knuth's algorithm S): field i is taken with
		// probability remaining/(size-i).
		remaining := count
		i := 0
		for p := h.lp.First(); p >= 0 && remaining > 0; i++ {
			vp := h.lp.Next(p)
			if r.IntN(size-i) < remaining {
				fn(h.lp.Get(p), h.lp.Get(vp))
				remaining--
			}
			p = h.lp.Next(vp)
		}
		return
	}
	if count*hrandfieldSubStrategyMul > size {
		// Copy the fields, then pick count of them (a partial Fisher-Yates shuffle:
		// the same uniform choice as removing size-count at random).
		type pair struct {
			k string
			v []byte
		}
		all := make([]pair, 0, size)
		h.ht.Each(func(k string, v *[]byte) bool {
			all = append(all, pair{k, *v})
			return true
		})
		for i := range count {
			j := i + r.IntN(len(all)-i)
			all[i], all[j] = all[j], all[i]
			fn(hashStrEntry(hashKeyBytes(all[i].k)), hashStrEntry(all[i].v))
		}
		return
	}
	seen := make(map[string]struct{}, count)
	for len(seen) < count {
		k, v, _ := h.ht.Random(r)
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		fn(hashStrEntry(hashKeyBytes(k)), hashStrEntry(*v))
	}
}

// Dup returns a deep copy with the same encoding (keyspace.Duper, for COPY).
func (h *Hash) Dup() any {
	if h.ht == nil {
		return &Hash{lp: h.lp.Clone()}
	}
	d := &Hash{ht: dict.New[[]byte]()}
	d.ht.Expand(h.ht.Len())
	h.ht.Each(func(k string, v *[]byte) bool {
		d.htInsertNew(hashKeyBytes(k), *v)
		return true
	})
	return d
}

// check verifies the invariants: a listpack holds field/value pairs with distinct
// fields; a hash table's count matches its entries.
func (h *Hash) check() error {
	if h.ht != nil {
		if h.lp.Len() != 0 {
			return fmt.Errorf("hash: hashtable encoding with a non-empty listpack")
		}
		n := 0
		h.ht.Each(func(k string, v *[]byte) bool {
			n++
			return true
		})
		if n != h.ht.Len() {
			return fmt.Errorf("hash: %d entries, Len %d", n, h.ht.Len())
		}
		return nil
	}
	if err := h.lp.Validate(true); err != nil {
		return fmt.Errorf("hash: %v", err)
	}
	if h.lp.Len()%2 != 0 {
		return fmt.Errorf("hash: listpack of %d entries, not pairs", h.lp.Len())
	}
	seen := map[string]bool{}
	for p := h.lp.First(); p >= 0; p = h.lp.Next(h.lp.Next(p)) {
		f := h.lp.Get(p).String()
		if seen[f] {
			return fmt.Errorf("hash: field %q twice", f)
		}
		seen[f] = true
	}
	return nil
}

// MemoryUsage estimates the bytes the hash holds (for MEMORY USAGE): the listpack, or
// the table plus every field and value.
func (h *Hash) MemoryUsage() int {
	if h.ht == nil {
		return 16 + h.lp.Cap()
	}
	n := 16 + h.ht.MemoryUsage()
	h.ht.Each(func(field string, value *[]byte) bool {
		n += cap(*value) + len(field)
		return true
	})
	return n
}
