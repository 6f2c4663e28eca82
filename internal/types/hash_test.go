package types

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"cairn/internal/ds/listpack"
	"cairn/internal/keyspace"
)

// hashTestSeed returns the seed of a randomized test: $SEED if set, otherwise a random
// one. It is logged so that a failure can be replayed with SEED=<n>.
func hashTestSeed(t *testing.T) uint64 {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("SEED=%d", seed)
	return seed
}

func hashLimits(entries, value int) Limits {
	return Limits{HashMaxListpackEntries: entries, HashMaxListpackValue: value}
}

func hashMustCheck(t *testing.T, h *Hash, what string) {
	t.Helper()
	if err := h.check(); err != nil {
		t.Fatalf("after %s: %v", what, err)
	}
}

// hashContents returns the hash as a map, failing on a repeated field.
func hashContents(t *testing.T, h *Hash) map[string]string {
	t.Helper()
	got := map[string]string{}
	h.Iterate(func(f, v listpack.Entry) bool {
		if _, dup := got[f.String()]; dup {
			t.Fatalf("Iterate returned field %q twice", f.String())
		}
		got[f.String()] = v.String()
		return true
	})
	return got
}

func hashSameContents(t *testing.T, h *Hash, model map[string]string, what string) {
	t.Helper()
	got := hashContents(t, h)
	if len(got) != len(model) || h.Len() != len(model) {
		t.Fatalf("after %s: %d fields iterated, Len %d, model %d", what, len(got), h.Len(), len(model))
	}
	for f, v := range model {
		if g, ok := got[f]; !ok || g != v {
			t.Fatalf("after %s: field %q = %q (present %v), model %q", what, f, g, ok, v)
		}
	}
}

// hashRandText returns a field or value: small integers (listpack int encodings), short
// strings, the empty string, and now and then one past the value limit.
func hashRandText(r *rand.Rand, maxLen int) string {
	switch r.IntN(6) {
	case 0:
		return strconv.Itoa(r.IntN(40) - 20)
	case 1:
		return ""
	case 2:
		return strconv.FormatInt(r.Int64()-r.Int64(), 10)
	default:
		n := r.IntN(maxLen + 1)
		if r.IntN(30) == 0 {
			n = maxLen + 1 + r.IntN(3)
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcdef"[r.IntN(6)]
		}
		return string(b)
	}
}

// TestHashModel runs random operations on a Hash and on a map, comparing them after
// each one, with the invariants checked and the encoding predicted.
func TestHashModel(t *testing.T) {
	r := rand.New(rand.NewPCG(hashTestSeed(t), 1))
	for round := range 200 {
		lim := hashLimits(r.IntN(20), r.IntN(12))
		h := NewHash()
		model := map[string]string{}
		converted := false
		var fields []string
		for op := range 300 {
			what := fmt.Sprintf("round %d op %d (limits %d/%d)", round, op, lim.HashMaxListpackEntries, lim.HashMaxListpackValue)
			pick := func() string {
				if len(fields) > 0 && r.IntN(4) > 0 {
					return fields[r.IntN(len(fields))]
				}
				return hashRandText(r, lim.HashMaxListpackValue)
			}
			switch r.IntN(10) {
			case 0, 1, 2, 3, 4:
				f, v := pick(), hashRandText(r, lim.HashMaxListpackValue)
				_, had := model[f]
				if got := h.Set([]byte(f), []byte(v), lim); got != !had {
					t.Fatalf("%s: Set(%q, %q) = %v, field present before: %v", what, f, v, got, had)
				}
				if !had {
					fields = append(fields, f)
				}
				model[f] = v
				if len(f) > lim.HashMaxListpackValue || len(v) > lim.HashMaxListpackValue || len(model) > lim.HashMaxListpackEntries {
					converted = true
				}
			case 5, 6:
				f := pick()
				_, had := model[f]
				if got := h.Delete([]byte(f)); got != had {
					t.Fatalf("%s: Delete(%q) = %v, model %v", what, f, got, had)
				}
				delete(model, f)
			case 7:
				f := pick()
				want, had := model[f]
				got, ok := h.Get([]byte(f))
				if ok != had || (ok && got.String() != want) {
					t.Fatalf("%s: Get(%q) = %q, %v; model %q, %v", what, f, got.String(), ok, want, had)
				}
				if h.Exists([]byte(f)) != had {
					t.Fatalf("%s: Exists(%q) != %v", what, f, had)
				}
				if n := h.StrLen([]byte(f)); n != len(want) {
					t.Fatalf("%s: StrLen(%q) = %d, want %d", what, f, n, len(want))
				}
			case 8:
				hashSameContents(t, h, model, what)
			case 9:
				d := h.Dup().(*Hash)
				hashMustCheck(t, d, what+" Dup")
				if d.Encoding() != h.Encoding() {
					t.Fatalf("%s: Dup encoding %v, original %v", what, d.Encoding(), h.Encoding())
				}
				hashSameContents(t, d, model, what+" Dup")
				d.Set([]byte("dup-only"), []byte("x"), lim)
				d.Delete([]byte(pick()))
			}
			hashMustCheck(t, h, what)
			wantEnc := keyspace.EncListpack
			if converted {
				wantEnc = keyspace.EncHashtable
			}
			if h.Encoding() != wantEnc {
				t.Fatalf("%s: encoding %v, want %v", what, h.Encoding(), wantEnc)
			}
			if h.Len() != len(model) {
				t.Fatalf("%s: Len %d, model %d", what, h.Len(), len(model))
			}
		}
		hashSameContents(t, h, model, fmt.Sprintf("round %d", round))
	}
}

// TestHashThresholds pins the conversion points: more than the entry limit, or a field
// or value longer than the value limit; equal stays a listpack.
func TestHashThresholds(t *testing.T) {
	lim := hashLimits(4, 8)
	h := NewHash()
	for i := range 4 {
		h.Set([]byte("f"+strconv.Itoa(i)), []byte("12345678"), lim)
	}
	h.Set([]byte("f0"), []byte("x"), lim) // an update does not add an entry
	if h.Encoding() != keyspace.EncListpack {
		t.Fatalf("4 fields, 8-byte values: %v", h.Encoding())
	}
	h.Set([]byte("f4"), []byte("x"), lim)
	if h.Encoding() != keyspace.EncHashtable {
		t.Fatalf("5 fields: %v", h.Encoding())
	}
	for range 5 {
		h.Delete([]byte("f0"))
		h.Delete([]byte("f1"))
	}
	if h.Encoding() != keyspace.EncHashtable {
		t.Fatal("deleting converted back")
	}

	for _, c := range []struct{ f, v string }{{"123456789", "x"}, {"x", "123456789"}} {
		h := NewHash()
		h.Set([]byte("a"), []byte("12345678"), lim)
		h.Set([]byte("12345678"), []byte("b"), lim)
		if h.Encoding() != keyspace.EncListpack {
			t.Fatalf("8-byte field and value: %v", h.Encoding())
		}
		h.Set([]byte(c.f), []byte(c.v), lim)
		if h.Encoding() != keyspace.EncHashtable {
			t.Fatalf("Set(%q, %q): %v", c.f, c.v, h.Encoding())
		}
		if v, _ := h.Get([]byte("12345678")); v.String() != "b" {
			t.Fatalf("after conversion: %q", v.String())
		}
	}

	// A lowered entry limit converts at the next write, even an update.
	h = NewHash()
	for _, f := range []string{"a", "b", "c"} {
		h.Set([]byte(f), []byte("v"), lim)
	}
	if h.Delete([]byte("a")); h.Encoding() != keyspace.EncListpack {
		t.Fatalf("delete under a lowered limit: %v", h.Encoding())
	}
	if h.Set([]byte("b"), []byte("w"), hashLimits(1, 8)) || h.Encoding() != keyspace.EncHashtable {
		t.Fatalf("update under a lowered limit: %v", h.Encoding())
	}

	h = NewHash()
	h.Set([]byte("a"), []byte("b"), hashLimits(0, 8))
	if h.Encoding() != keyspace.EncHashtable {
		t.Fatalf("entries limit 0: %v", h.Encoding())
	}
	h = NewHash()
	h.Set([]byte(""), []byte(""), hashLimits(8, 0))
	if h.Encoding() != keyspace.EncListpack {
		t.Fatalf("value limit 0, empty field and value: %v", h.Encoding())
	}
}

// TestHashListpackOrder checks Redis's listpack layout: pairs in insertion order, an
// updated value in place, integers stored as integers.
func TestHashListpackOrder(t *testing.T) {
	lim := hashLimits(128, 64)
	h := NewHash()
	for _, kv := range [][2]string{{"b", "1"}, {"a", "x"}, {"c", "-5"}, {"b", "y"}, {"10", "012"}} {
		h.Set([]byte(kv[0]), []byte(kv[1]), lim)
	}
	var got []string
	var ints []bool
	h.Iterate(func(f, v listpack.Entry) bool {
		got = append(got, f.String(), v.String())
		ints = append(ints, f.IsInt, v.IsInt)
		return true
	})
	want := []string{"b", "y", "a", "x", "c", "-5", "10", "012"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if !slices.Equal(ints, []bool{false, false, false, false, false, true, true, false}) {
		t.Fatalf("integer entries: %v", ints)
	}
	h.Delete([]byte("a"))
	got = got[:0]
	n := h.Scan(12345, func(f, v listpack.Entry) { got = append(got, f.String(), v.String()) })
	if n != 0 || !slices.Equal(got, []string{"b", "y", "c", "-5", "10", "012"}) {
		t.Fatalf("Scan: cursor %d, %q", n, got)
	}
}

// TestHashTableMemory checks the shared field/value allocation: empty fields and
// values, values rewritten larger and smaller, with garbage collections in between.
func TestHashTableMemory(t *testing.T) {
	lim := hashLimits(0, 64)
	h := NewHash()
	model := map[string]string{}
	set := func(f, v string) {
		h.Set([]byte(f), []byte(v), lim)
		model[f] = v
	}
	set("", "empty field")
	set("empty value", "")
	set("", "")
	for i := range 2000 {
		set("f"+strconv.Itoa(i), strconv.Itoa(i))
	}
	runtime.GC()
	for i := range 2000 {
		set("f"+strconv.Itoa(i), strconv.Itoa(i*1000003))
		if i%3 == 0 {
			set("f"+strconv.Itoa(i), "")
		}
	}
	set("", "now a longer value for the empty field")
	runtime.GC()
	runtime.GC()
	hashMustCheck(t, h, "rewrites")
	hashSameContents(t, h, model, "rewrites")
	d := h.Dup().(*Hash)
	h.Set([]byte(""), []byte("changed"), lim)
	runtime.GC()
	hashSameContents(t, d, model, "Dup")
}

// TestHashScanGuarantee checks that a full HSCAN of a hash table returns every field
// present throughout, while other fields are added and removed between calls.
func TestHashScanGuarantee(t *testing.T) {
	r := rand.New(rand.NewPCG(hashTestSeed(t), 2))
	lim := hashLimits(16, 64)
	for round := range 20 {
		h := NewHash()
		n := 20 + r.IntN(1000)
		for i := range n {
			h.Set([]byte("stay"+strconv.Itoa(i)), []byte("v"), lim)
		}
		seen := map[string]bool{}
		cursor, extra := uint64(0), 0
		for {
			cursor = h.Scan(cursor, func(f, v listpack.Entry) { seen[f.String()] = true })
			if cursor == 0 {
				break
			}
			// Grow or shrink the table between steps (the growth is bounded, or
			// the table could outrun the cursor forever).
			if r.IntN(2) == 0 && extra < 4*n {
				for range r.IntN(200) {
					h.Set([]byte("tmp"+strconv.Itoa(extra)), []byte("v"), lim)
					extra++
				}
			} else {
				for range r.IntN(200) {
					h.Delete([]byte("tmp" + strconv.Itoa(r.IntN(extra+1))))
				}
			}
		}
		for i := range n {
			if !seen["stay"+strconv.Itoa(i)] {
				t.Fatalf("round %d: field stay%d missed by the scan", round, i)
			}
		}
	}
}

// TestHashRandom checks the random pickers' contracts on both encodings, and that
// every field can come up.
func TestHashRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(hashTestSeed(t), 3))
	for _, size := range []int{1, 2, 5, 50, 600} {
		for _, enc := range []keyspace.Encoding{keyspace.EncListpack, keyspace.EncHashtable} {
			lim := hashLimits(1000, 64)
			if enc == keyspace.EncHashtable {
				lim = hashLimits(0, 64)
			}
			h := NewHash()
			for i := range size {
				h.Set([]byte("f"+strconv.Itoa(i)), []byte("v"+strconv.Itoa(i)), lim)
			}
			if h.Encoding() != enc {
				t.Fatalf("size %d: encoding %v", size, h.Encoding())
			}
			name := fmt.Sprintf("%v/%d", enc, size)
			checkPair := func(f, v listpack.Entry) {
				if "v"+f.String()[1:] != v.String() {
					t.Fatalf("%s: pair %q %q", name, f.String(), v.String())
				}
			}
			hits := map[string]int{}
			for range 20 * size {
				f, v := h.RandomPair(r)
				checkPair(f, v)
				hits[f.String()]++
			}
			if len(hits) != size {
				t.Errorf("%s: RandomPair hit %d of %d fields", name, len(hits), size)
			}
			n := 0
			h.RandomPairs(r, 3*size+1, func(f, v listpack.Entry) bool {
				checkPair(f, v)
				n++
				return true
			})
			if n != 3*size+1 {
				t.Fatalf("%s: RandomPairs gave %d", name, n)
			}
			for count := 1; count < size; count += 1 + count/3 {
				got := map[string]bool{}
				var order []int
				h.RandomUnique(r, count, func(f, v listpack.Entry) {
					checkPair(f, v)
					if got[f.String()] {
						t.Fatalf("%s: RandomUnique(%d) repeated %q", name, count, f.String())
					}
					got[f.String()] = true
					i, _ := strconv.Atoi(f.String()[1:])
					order = append(order, i)
				})
				if len(got) != count {
					t.Fatalf("%s: RandomUnique(%d) gave %d", name, count, len(got))
				}
				if enc == keyspace.EncListpack && !slices.IsSorted(order) {
					t.Fatalf("%s: RandomUnique(%d) not in listpack order: %v", name, count, order)
				}
			}
		}
	}
}

func BenchmarkHashTableSet(b *testing.B) {
	lim := hashLimits(128, 64)
	fields := make([][]byte, 1<<16)
	for i := range fields {
		fields[i] = []byte("field:" + strconv.Itoa(i))
	}
	val := []byte("some value")
	b.ReportAllocs()
	h := NewHash()
	for i := 0; b.Loop(); i++ {
		if i&(len(fields)-1) == 0 {
			h = NewHash()
		}
		h.Set(fields[i&(len(fields)-1)], val, lim)
	}
}
