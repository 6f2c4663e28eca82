package types

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"cairn/internal/conv"
	"cairn/internal/ds/intset"
	"cairn/internal/keyspace"
)

// setTestSeed returns $SEED if set, else a fresh seed; it is logged for replay.
func setTestSeed(t *testing.T) uint64 {
	t.Helper()
	seed := rand.Uint64()
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

// check verifies the set's invariants against the model: exactly one encoding, an
// intset only while every member is an integer and the count is within the limit
// (the limit is only checked when the set never left it), the same members.
func (s *Set) check(model map[string]bool) error {
	if (s.is == nil) == (s.ht == nil) {
		return fmt.Errorf("is=%v ht=%v: want exactly one encoding", s.is != nil, s.ht != nil)
	}
	if s.Len() != len(model) {
		return fmt.Errorf("Len %d, model has %d", s.Len(), len(model))
	}
	if s.is != nil && s.is.Len() > 0 && !intset.Validate(s.is.Bytes(), true) {
		return fmt.Errorf("invalid intset")
	}
	seen := make(map[string]bool, len(model))
	var err error
	s.Iterate(func(m Member) bool {
		k := m.String()
		if m.IsInt != (s.is != nil) {
			err = fmt.Errorf("member %q: IsInt=%v in encoding %v", k, m.IsInt, s.Encoding())
			return false
		}
		if seen[k] {
			err = fmt.Errorf("member %q twice", k)
			return false
		}
		seen[k] = true
		if !model[k] {
			err = fmt.Errorf("member %q not in the model", k)
			return false
		}
		return true
	})
	return err
}

func isInt(m string) bool {
	_, ok := conv.ParseInt([]byte(m))
	return ok
}

func TestSetModel(t *testing.T) {
	seed := setTestSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x5e7))
	for round := range 200 {
		lim := Limits{SetMaxIntsetEntries: []int{0, 1, 4, 16, 512}[round%5]}
		// Members: small integers, wide integers, non-canonical integers, strings.
		member := func() string {
			switch rng.IntN(10) {
			case 0:
				return strconv.FormatInt(rng.Int64()-math.MaxInt64/2, 10)
			case 1:
				return []string{"+1", "01", "-0", " 1", "1.0", "", "9223372036854775808", "-9223372036854775808"}[rng.IntN(8)]
			case 2:
				return "m" + strconv.Itoa(rng.IntN(40))
			default:
				return strconv.Itoa(rng.IntN(60) - 20)
			}
		}
		allInts := rng.IntN(3) > 0
		first := member()
		if allInts {
			first = strconv.Itoa(rng.IntN(100))
		}
		s := NewSet([]byte(first))
		if got, want := s.Encoding() == keyspace.EncIntset, isInt(first); got != want {
			t.Fatalf("round %d: NewSet(%q) intset=%v", round, first, got)
		}
		model := map[string]bool{}
		left := false // the set has been a hash table
		caused := !isInt(first)
		for step := range 300 {
			m := member()
			if allInts && !isInt(m) && rng.IntN(20) > 0 {
				m = strconv.Itoa(rng.IntN(100))
			}
			var desc string
			switch op := rng.IntN(10); {
			case op < 5:
				got := s.Add([]byte(m), lim)
				desc = fmt.Sprintf("Add(%q)=%v", m, got)
				if got == model[m] {
					t.Fatalf("round %d step %d: %s, model has it: %v", round, step, desc, model[m])
				}
				model[m] = true
				if !isInt(m) || len(model) > lim.SetMaxIntsetEntries {
					caused = true
				}
			case op < 7:
				got := s.Remove([]byte(m))
				desc = fmt.Sprintf("Remove(%q)=%v", m, got)
				if got != model[m] {
					t.Fatalf("round %d step %d: %s, model has it: %v", round, step, desc, model[m])
				}
				delete(model, m)
			case op < 8:
				if s.Len() == 0 {
					continue
				}
				p := s.Pop(rng)
				desc = fmt.Sprintf("Pop()=%q", p.String())
				if !model[p.String()] {
					t.Fatalf("round %d step %d: %s, not in the model", round, step, desc)
				}
				delete(model, p.String())
				if s.IsMember([]byte(p.String())) {
					t.Fatalf("round %d step %d: %s still a member", round, step, desc)
				}
			case op < 9:
				if got := s.IsMember([]byte(m)); got != model[m] {
					t.Fatalf("round %d step %d: IsMember(%q)=%v, model %v", round, step, m, got, model[m])
				}
				if s.Len() > 0 {
					r := s.Random(rng)
					if !model[r.String()] {
						t.Fatalf("round %d step %d: Random()=%q not in the model", round, step, r.String())
					}
					if !s.IsMemberOf(r) {
						t.Fatalf("round %d step %d: IsMemberOf(Random()=%q) false", round, step, r.String())
					}
				}
				continue
			default:
				d := s.Dup().(*Set)
				if d.Encoding() != s.Encoding() {
					t.Fatalf("round %d step %d: Dup encoding %v, want %v", round, step, d.Encoding(), s.Encoding())
				}
				if err := d.check(model); err != nil {
					t.Fatalf("round %d step %d: Dup: %v", round, step, err)
				}
				// The copy is independent.
				d.Add([]byte("dup-only"), lim)
				if s.IsMember([]byte("dup-only")) {
					t.Fatalf("round %d step %d: Dup shares memory", round, step)
				}
				continue
			}
			if s.ht != nil {
				left = true
			}
			if left && s.is != nil {
				t.Fatalf("round %d step %d: %s: back to intset", round, step, desc)
			}
			if s.is != nil {
				for k := range model {
					if !isInt(k) {
						t.Fatalf("round %d step %d: %s: intset holds %q", round, step, desc, k)
					}
				}
				if len(model) > lim.SetMaxIntsetEntries {
					t.Fatalf("round %d step %d: %s: intset of %d > %d", round, step, desc, len(model), lim.SetMaxIntsetEntries)
				}
			} else if !caused {
				t.Fatalf("round %d step %d: %s: hashtable without cause", round, step, desc)
			}
			if err := s.check(model); err != nil {
				t.Fatalf("round %d step %d: %s: %v", round, step, desc, err)
			}
		}
	}
}

// TestSetConversion pins the conversion points: Redis's setTypeAdd converts after the
// insert that makes the intset longer than set-max-intset-entries, or on the first
// non-integer; removal never converts back.
func TestSetConversion(t *testing.T) {
	lim := Limits{SetMaxIntsetEntries: 3}
	s := NewSet([]byte("1"))
	for i, want := range []keyspace.Encoding{keyspace.EncIntset, keyspace.EncIntset, keyspace.EncIntset, keyspace.EncHashtable} {
		s.Add([]byte(strconv.Itoa(i)), lim)
		if got := s.Encoding(); got != want {
			t.Fatalf("after %d adds: %v, want %v", i+1, got, want)
		}
	}
	s.Remove([]byte("0"))
	s.Remove([]byte("1"))
	if got := s.Encoding(); got != keyspace.EncHashtable {
		t.Fatalf("after removals: %v, want hashtable", got)
	}
	s = NewSet([]byte("a"))
	if s.Encoding() != keyspace.EncHashtable {
		t.Fatalf("NewSet(a): %v", s.Encoding())
	}
	s = NewSet([]byte("5"))
	s.Add([]byte("5"), lim)
	s.Add([]byte("05"), lim)
	if s.Encoding() != keyspace.EncHashtable || !s.IsMember([]byte("05")) || !s.IsMember([]byte("5")) {
		t.Fatalf("05 did not convert: %v", s.Encoding())
	}
	// A repeated member never converts.
	s = NewSet([]byte("1"))
	for range 10 {
		s.Add([]byte("1"), Limits{SetMaxIntsetEntries: 1})
	}
	if s.Encoding() != keyspace.EncIntset {
		t.Fatalf("repeated add converted")
	}
}

// TestSetScan checks the SSCAN guarantee through the set: every member present for a
// whole scan is returned, while the table grows and shrinks between steps.
func TestSetScan(t *testing.T) {
	seed := setTestSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	lim := Limits{SetMaxIntsetEntries: 512}
	s := NewHashSet(0)
	for i := range 1000 {
		s.Add([]byte("k"+strconv.Itoa(i)), lim)
	}
	stable := map[string]bool{}
	for i := range 500 {
		stable["k"+strconv.Itoa(i)] = true
	}
	seen := map[string]bool{}
	next := 2000
	cursor := uint64(0)
	for steps := 0; ; steps++ {
		cursor = s.Scan(cursor, func(m Member) { seen[string(m.Str)] = true })
		if cursor == 0 {
			break
		}
		// Churn outside the stable half: grow, then shrink.
		if steps < 50 {
			for range 40 {
				s.Add([]byte("n"+strconv.Itoa(next)), lim)
				next++
			}
		} else {
			for range 40 {
				s.Remove([]byte("k" + strconv.Itoa(500+rng.IntN(500))))
				s.Remove([]byte("n" + strconv.Itoa(2000+rng.IntN(next-2000))))
			}
		}
	}
	for k := range stable {
		if !seen[k] {
			t.Fatalf("member %s present throughout was not returned", k)
		}
	}
	// An intset comes back whole, whatever the cursor.
	is := NewIntSet()
	for _, v := range []string{"3", "-1", "70000"} {
		is.Add([]byte(v), lim)
	}
	var got []string
	if c := is.Scan(12345, func(m Member) { got = append(got, m.String()) }); c != 0 {
		t.Fatalf("intset scan cursor %d", c)
	}
	if !slices.Equal(got, []string{"-1", "3", "70000"}) {
		t.Fatalf("intset scan %v", got)
	}
}
