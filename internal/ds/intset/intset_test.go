package intset

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// testSeed returns the seed of a randomized test: $SEED if set, else the
// clock. It is logged so that a failure can be replayed with SEED=.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("bad SEED %q: %v", s, err)
		}
		seed = v
	}
	t.Logf("SEED=%d", seed)
	return seed
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

func mustCheck(t *testing.T, s *Intset, what string) {
	t.Helper()
	if err := s.check(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestEmpty(t *testing.T) {
	for name, s := range map[string]*Intset{"New": New(), "zero": {}} {
		mustCheck(t, s, name)
		if s.Len() != 0 || s.Encoding() != EncInt16 || s.BlobLen() != 8 {
			t.Fatalf("%s: len %d, encoding %d, blob %d", name, s.Len(), s.Encoding(), s.BlobLen())
		}
		if s.Find(0) || s.Remove(0) {
			t.Fatalf("%s: found 0 in an empty set", name)
		}
		s.ForEach(func(int64) bool { t.Fatalf("%s: ForEach on an empty set", name); return true })
		for range s.All() {
			t.Fatalf("%s: All on an empty set", name)
		}
		if got := s.Bytes(); string(got) != "\x02\x00\x00\x00\x00\x00\x00\x00" {
			t.Fatalf("%s: Bytes %x", name, got)
		}
		if Validate(s.Bytes(), false) {
			t.Fatalf("%s: Validate accepts an empty set (Redis does not)", name)
		}
		mustCheck(t, s, name+" after reads")
	}
}

func TestValueEncoding(t *testing.T) {
	for _, c := range []struct {
		v    int64
		want int
	}{
		{0, 2}, {math.MaxInt16, 2}, {math.MinInt16, 2}, {math.MaxInt16 + 1, 4}, {math.MinInt16 - 1, 4},
		{math.MaxInt32, 4}, {math.MinInt32, 4}, {math.MaxInt32 + 1, 8}, {math.MinInt32 - 1, 8},
		{math.MaxInt64, 8}, {math.MinInt64, 8},
	} {
		if got := ValueEncoding(c.v); got != c.want {
			t.Errorf("ValueEncoding(%d): got %d, want %d", c.v, got, c.want)
		}
	}
}

func TestZeroValueAdd(t *testing.T) {
	var s Intset
	if !s.Add(-1) || s.Add(-1) || !s.Add(1<<40) {
		t.Fatal("Add on the zero Intset")
	}
	mustCheck(t, &s, "zero value")
	if s.Min() != -1 || s.Max() != 1<<40 || s.Encoding() != EncInt64 {
		t.Fatalf("min %d max %d enc %d", s.Min(), s.Max(), s.Encoding())
	}
}

func TestValidate(t *testing.T) {
	le := func(enc uint32, vals ...int64) []byte {
		b := binary.LittleEndian.AppendUint32(nil, enc)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
		for _, v := range vals {
			switch enc {
			case 2:
				b = binary.LittleEndian.AppendUint16(b, uint16(v))
			case 4:
				b = binary.LittleEndian.AppendUint32(b, uint32(v))
			default:
				b = binary.LittleEndian.AppendUint64(b, uint64(v))
			}
		}
		return b
	}
	lengthLies := le(2, 1, 2)
	binary.LittleEndian.PutUint32(lengthLies[4:], 1<<31) // 2^31 * 2 must not wrap
	for _, c := range []struct {
		name    string
		b       []byte
		shallow bool
		deep    bool
	}{
		{"ok16", le(2, -3, 1, 2), true, true},
		{"ok32", le(4, -3, 1, 1<<20), true, true},
		{"ok64", le(8, math.MinInt64, math.MaxInt64), true, true},
		{"nil", nil, false, false},
		{"short", []byte{2, 0, 0, 0, 1, 0, 0}, false, false},
		{"empty", le(2), false, false},
		{"encoding 1", le(1), false, false},
		{"encoding 3", le(3), false, false},
		{"encoding 16", le(16), false, false},
		{"trailing byte", append(le(2, 1), 0), false, false},
		{"missing byte", le(4, 1, 2)[:15], false, false},
		{"length overflow", lengthLies, false, false},
		{"unsorted", le(2, 2, 1), true, false},
		{"duplicate", le(4, 5, 5), true, false},
		// The encoding is not required to be the narrowest (Redis never
		// downgrades, so a wide set of small values is legitimate).
		{"wide small", le(8, 1, 2), true, true},
	} {
		if got := Validate(c.b, false); got != c.shallow {
			t.Errorf("%s: Validate(shallow) = %v, want %v", c.name, got, c.shallow)
		}
		if got := Validate(c.b, true); got != c.deep {
			t.Errorf("%s: Validate(deep) = %v, want %v", c.name, got, c.deep)
		}
		s, err := FromBytes(c.b)
		if (err == nil) != c.deep {
			t.Errorf("%s: FromBytes error %v, want ok=%v", c.name, err, c.deep)
		}
		if err == nil {
			mustCheck(t, s, c.name)
			if &s.Bytes()[0] == &c.b[0] {
				t.Errorf("%s: FromBytes did not copy", c.name)
			}
		}
	}
}

// TestModel runs random operations against a sorted []int64, checking every
// invariant (and the exact encoding) after each one.
func TestModel(t *testing.T) {
	seed := testSeed(t)
	rng := newRand(seed)
	src := rand.NewPCG(seed, 1)
	for round := range 200 {
		s := New()
		var model []int64
		enc := EncInt16 // the widest encoding any added value needed
		// Each round draws values from a few widths and a small or large
		// range, so that hits, misses and upgrades all happen.
		span := int64(1) << rng.IntN(63)
		value := func() int64 {
			switch rng.IntN(10) {
			case 0:
				return []int64{math.MinInt64, math.MaxInt64, math.MinInt32, math.MaxInt32,
					math.MinInt16, math.MaxInt16, math.MinInt32 - 1, math.MaxInt32 + 1,
					math.MinInt16 - 1, math.MaxInt16 + 1, 0, -1}[rng.IntN(12)]
			case 1, 2:
				return rng.Int64N(200) - 100
			}
			return rng.Int64N(span) - span/2
		}
		ops := 50 + rng.IntN(1500)
		for op := range ops {
			v := value()
			what := ""
			switch k := rng.IntN(100); {
			case k < 45:
				what = "Add"
				i, found := slices.BinarySearch(model, v)
				if got := s.Add(v); got == found {
					t.Fatalf("round %d op %d: Add(%d) = %v, model had it: %v", round, op, v, got, found)
				}
				if !found {
					model = slices.Insert(model, i, v)
				}
				enc = max(enc, ValueEncoding(v))
			case k < 70:
				what = "Remove"
				if len(model) > 0 && rng.IntN(2) == 0 {
					v = model[rng.IntN(len(model))]
				}
				i, found := slices.BinarySearch(model, v)
				if got := s.Remove(v); got != found {
					t.Fatalf("round %d op %d: Remove(%d) = %v, want %v", round, op, v, got, found)
				}
				if found {
					model = slices.Delete(model, i, i+1)
				}
			case k < 90:
				what = "Find"
				if len(model) > 0 && rng.IntN(2) == 0 {
					v = model[rng.IntN(len(model))]
				}
				_, found := slices.BinarySearch(model, v)
				if got := s.Find(v); got != found {
					t.Fatalf("round %d op %d: Find(%d) = %v, want %v", round, op, v, got, found)
				}
			default:
				what = "reads"
				if len(model) > 0 {
					if s.Min() != model[0] || s.Max() != model[len(model)-1] {
						t.Fatalf("round %d op %d: Min/Max %d %d, want %d %d", round, op,
							s.Min(), s.Max(), model[0], model[len(model)-1])
					}
					r := s.Random(src)
					if _, ok := slices.BinarySearch(model, r); !ok {
						t.Fatalf("round %d op %d: Random gave %d, not a member", round, op, r)
					}
				}
				var got []int64
				s.ForEach(func(v int64) bool { got = append(got, v); return true })
				if !slices.Equal(got, model) && !(len(got) == 0 && len(model) == 0) {
					t.Fatalf("round %d op %d: ForEach %v, want %v", round, op, got, model)
				}
				for i, v := range s.All() {
					if v != model[i] {
						t.Fatalf("round %d op %d: All()[%d] = %d, want %d", round, op, i, v, model[i])
					}
				}
			}
			mustCheck(t, s, what)
			if s.Len() != len(model) || s.Encoding() != enc {
				t.Fatalf("round %d op %d %s: len %d enc %d, want %d %d", round, op, what, s.Len(), s.Encoding(), len(model), enc)
			}
			for i, v := range model {
				if s.Get(i) != v {
					t.Fatalf("round %d op %d %s: Get(%d) = %d, want %d", round, op, what, i, s.Get(i), v)
				}
			}
			if len(model) > 0 {
				c, err := FromBytes(s.Bytes())
				if err != nil || c.Len() != len(model) {
					t.Fatalf("round %d op %d: FromBytes(Bytes()): %v", round, op, err)
				}
			}
		}
	}
}

func TestRandomUniform(t *testing.T) {
	s := New()
	for v := range int64(8) {
		s.Add(v * 1000)
	}
	src := rand.NewPCG(testSeed(t), 7)
	var counts [8]int
	const draws = 80000
	for range draws {
		counts[s.Random(src)/1000]++
	}
	for v, c := range counts {
		if c < draws/8*9/10 || c > draws/8*11/10 {
			t.Fatalf("value %d drawn %d times of %d: %v", v, c, draws, counts)
		}
	}
}

func TestPanics(t *testing.T) {
	s := New()
	s.Add(1)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"Get(-1)", func() { s.Get(-1) }},
		{"Get(len)", func() { s.Get(1) }},
		{"Min empty", func() { New().Min() }},
		{"Max empty", func() { New().Max() }},
		{"Random empty", func() { New().Random(rand.NewPCG(1, 1)) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", c.name)
				}
			}()
			c.f()
		}()
	}
}

// TestShrink: removing most values gives memory back.
func TestShrink(t *testing.T) {
	s := New()
	for v := range int64(10000) {
		s.Add(v << 33)
	}
	big := cap(s.b)
	for v := range int64(9990) {
		s.Remove(v << 33)
	}
	mustCheck(t, s, "after removals")
	if cap(s.b) > big/100 {
		t.Fatalf("capacity %d after shrinking from %d values to 10 (was %d)", cap(s.b), 10000, big)
	}
}

func FuzzFromBytes(f *testing.F) {
	f.Add([]byte("\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\x03\x00"))
	f.Add([]byte("\x08\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x80"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := FromBytes(b)
		if err != nil {
			return
		}
		mustCheck(t, s, "FromBytes")
		if string(s.Bytes()) != string(b) {
			t.Fatal("Bytes differ from the loaded payload")
		}
		// Operations on a loaded set keep it valid.
		for i := 0; i < len(b) && i < 64; i++ {
			v := int64(int8(b[i])) << (b[i] % 56)
			if b[i]&1 == 0 {
				s.Add(v)
			} else {
				s.Remove(v)
			}
			mustCheck(t, s, "after ops")
		}
	})
}

func BenchmarkAdd(b *testing.B) {
	rng := newRand(1)
	vals := make([]int64, 512)
	for i := range vals {
		vals[i] = rng.Int64N(1 << 30)
	}
	b.ReportAllocs()
	for b.Loop() {
		s := New()
		for _, v := range vals {
			s.Add(v)
		}
	}
}

func BenchmarkFind(b *testing.B) {
	s := New()
	for i := range int64(512) {
		s.Add(i * 1000003)
	}
	b.ReportAllocs()
	var n int
	for i := 0; b.Loop(); i++ {
		if s.Find(int64(i%1024) * 1000003 / 2) {
			n++
		}
	}
	_ = n
}
