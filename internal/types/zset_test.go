package types

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"cairn/internal/ds/ztree"
	"cairn/internal/keyspace"
)

// zsetSeed returns the seed of a randomized test: SEED from the environment, or a
// fresh one, printed so a failure can be replayed.
func zsetSeed(t *testing.T) uint64 {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("SEED=%d", seed)
	return seed
}

// zmodel is the reference: a map and a sort.
type zmodel map[string]float64

func (m zmodel) sorted() []ZElem {
	out := make([]ZElem, 0, len(m))
	for k, v := range m {
		out = append(out, ZElem{k, v})
	}
	slices.SortFunc(out, func(a, b ZElem) int {
		if c := cmp.Compare(a.Score, b.Score); c != 0 && !(a.Score == b.Score) {
			return c
		}
		return cmp.Compare(a.Member, b.Member)
	})
	return out
}

var zTestScores = []float64{math.Inf(-1), -1e20, -3, -1.5, math.Copysign(0, -1), 0, 0.1, 1, 1.5, 2, 3, 7, 1 << 62, 1e20, math.Inf(1)}

func randScore(rng *rand.Rand) float64 {
	if rng.IntN(4) == 0 {
		return float64(rng.IntN(2000)-1000) / 8
	}
	return zTestScores[rng.IntN(len(zTestScores))]
}

func randMember(rng *rand.Rand, long bool) string {
	switch rng.IntN(6) {
	case 0:
		return strconv.Itoa(rng.IntN(300) - 100) // integer members are stored as integers
	case 1:
		return "0" + strconv.Itoa(rng.IntN(10)) // not canonical: stays a string
	}
	n := 1 + rng.IntN(3)
	if long && rng.IntN(30) == 0 {
		n = 9 + rng.IntN(4)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcde"[rng.IntN(5)]
	}
	return string(b)
}

func zcollect(z *ZSet) []ZElem {
	var out []ZElem
	z.Each(func(m []byte, s float64) bool {
		out = append(out, ZElem{string(m), s})
		return true
	})
	return out
}

// sameScore compares scores as stored: a listpack keeps -0 as 0.
func sameScore(got, want float64, listpack bool) bool {
	if got != want {
		return false
	}
	if want == 0 && !listpack {
		return math.Signbit(got) == math.Signbit(want)
	}
	return true
}

func zexpectEqual(t *testing.T, z *ZSet, m zmodel, where string) {
	t.Helper()
	if err := z.check(); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	want := m.sorted()
	got := zcollect(z)
	if len(got) != len(want) || z.Len() != len(want) {
		t.Fatalf("%s: %d elements (Len %d), want %d", where, len(got), z.Len(), len(want))
	}
	for i := range want {
		if got[i].Member != want[i].Member || !sameScore(got[i].Score, want[i].Score, z.IsListpack()) {
			t.Fatalf("%s: element %d is %q %v, want %q %v", where, i, got[i].Member, got[i].Score, want[i].Member, want[i].Score)
		}
	}
}

// TestZSetModel runs random operations against a ZSet and a map, checking the
// invariants and the whole content after each one, with small encoding limits so
// that both encodings and the conversion are exercised.
func TestZSetModel(t *testing.T) {
	seed := zsetSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	for round := 0; round < 60; round++ {
		lim := Limits{ZsetMaxListpackEntries: 1 + rng.IntN(20), ZsetMaxListpackValue: 4 + rng.IntN(6)}
		if round%10 == 0 {
			lim.ZsetMaxListpackEntries = 0
		}
		z := NewZSet(0, lim)
		m := zmodel{}
		wasTree := !z.IsListpack()
		for op := 0; op < 400; op++ {
			where := fmt.Sprintf("round %d op %d", round, op)
			member := randMember(rng, true)
			switch k := rng.IntN(20); {
			case k < 8:
				flags := 0
				for _, f := range []int{ZAddIncr, ZAddNX, ZAddXX, ZAddGT, ZAddLT} {
					if rng.IntN(5) == 0 {
						flags |= f
					}
				}
				if flags&ZAddNX != 0 {
					flags &^= ZAddXX | ZAddGT | ZAddLT
				}
				if flags&ZAddGT != 0 {
					flags &^= ZAddLT
				}
				score := randScore(rng)
				cur, exists := m[member]
				wantOut, wantScore := 0, score
				switch {
				case exists && flags&ZAddNX != 0:
					wantOut = ZAddNop
				case exists:
					if flags&ZAddIncr != 0 {
						wantScore = cur + score
					}
					switch {
					case math.IsNaN(wantScore):
						wantOut = ZAddNaN
					case flags&ZAddLT != 0 && wantScore >= cur, flags&ZAddGT != 0 && wantScore <= cur:
						wantOut = ZAddNop
					case wantScore != cur:
						wantOut = ZAddUpdated
						m[member] = wantScore
					default:
						wantScore = cur
					}
				case flags&ZAddXX != 0:
					wantOut = ZAddNop
				default:
					wantOut = ZAddAdded
					m[member] = score
				}
				out, ns := z.Add(score, []byte(member), flags, lim)
				if out != wantOut || (out&(ZAddNop|ZAddNaN) == 0 && ns != wantScore) {
					t.Fatalf("%s: Add(%v, %q, %b) = %b %v, want %b %v", where, score, member, flags, out, ns, wantOut, wantScore)
				}
				if out == ZAddAdded && (len(m) > lim.ZsetMaxListpackEntries || len(member) > lim.ZsetMaxListpackValue) && z.IsListpack() {
					t.Fatalf("%s: still a listpack with %d elements after adding %q", where, len(m), member)
				}
			case k < 11:
				_, exists := m[member]
				if got := z.Delete([]byte(member)); got != exists {
					t.Fatalf("%s: Delete(%q) = %v", where, member, got)
				}
				delete(m, member)
			case k < 13:
				want := m.sorted()
				s, ok := z.Score([]byte(member))
				ws, wok := m[member]
				if ok != wok || ok && !sameScore(s, ws, z.IsListpack()) {
					t.Fatalf("%s: Score(%q) = %v %v, want %v %v", where, member, s, ok, ws, wok)
				}
				rev := rng.IntN(2) == 0
				r, ok := z.Rank([]byte(member), rev)
				wr := slices.IndexFunc(want, func(e ZElem) bool { return e.Member == member })
				if rev && wr >= 0 {
					wr = len(want) - 1 - wr
				}
				if ok != (wr >= 0) || ok && r != wr {
					t.Fatalf("%s: Rank(%q, %v) = %d %v, want %d", where, member, rev, r, ok, wr)
				}
			case k < 15:
				checkZRanges(t, rng, z, m, where)
			case k == 15 && len(m) > 0:
				want := m.sorted()
				start := rng.IntN(len(want))
				end := start + rng.IntN(len(want)-start)
				if rng.IntN(3) == 0 {
					end = start + rng.IntN(min(3, len(want)-start))
				}
				if n := z.DeleteRangeByRank(start, end); n != end-start+1 {
					t.Fatalf("%s: DeleteRangeByRank(%d, %d) = %d", where, start, end, n)
				}
				for _, e := range want[start : end+1] {
					delete(m, e.Member)
				}
			case k == 16:
				r := randScoreRange(rng)
				want := 0
				for mem, s := range m {
					if r.Contains(s) {
						delete(m, mem)
						want++
					}
				}
				if n := z.DeleteRangeByScore(r); n != want {
					t.Fatalf("%s: DeleteRangeByScore(%+v) = %d, want %d", where, r, n, want)
				}
			case k == 17 && len(m) > 0:
				max := rng.IntN(2) == 0
				want := m.sorted()
				w := want[0]
				if max {
					w = want[len(want)-1]
				}
				z.Pop(max, func(mem []byte, s float64) {
					if string(mem) != w.Member || !sameScore(s, w.Score, z.IsListpack()) {
						t.Fatalf("%s: Pop(%v) gave %q %v, want %q %v", where, max, mem, s, w.Member, w.Score)
					}
				})
				delete(m, w.Member)
			case k == 18:
				d := z.Dup().(*ZSet)
				zexpectEqual(t, d, m, where+" (dup)")
				if d.Encoding() != z.Encoding() {
					t.Fatalf("%s: dup encoding %v, want %v", where, d.Encoding(), z.Encoding())
				}
				d.Add(1, []byte("dup-only"), 0, lim)
				if _, ok := z.Score([]byte("dup-only")); ok {
					t.Fatalf("%s: dup shares memory", where)
				}
			case k == 19:
				seen := map[string]int{}
				cursor := uint64(0)
				for {
					cursor = z.Scan(cursor, func(mem []byte, s float64) {
						seen[string(mem)]++
						if ws, ok := m[string(mem)]; !ok || !sameScore(s, ws, z.IsListpack()) {
							t.Fatalf("%s: Scan gave %q %v", where, mem, s)
						}
					})
					if cursor == 0 {
						break
					}
				}
				if len(seen) != len(m) {
					t.Fatalf("%s: Scan saw %d members, want %d", where, len(seen), len(m))
				}
			}
			if z.IsListpack() {
				// A listpack stores -0 as 0, which the conversion keeps.
				for k, v := range m {
					if v == 0 {
						m[k] = 0
					}
				}
			}
			if wasTree && z.IsListpack() {
				t.Fatalf("%s: converted back to a listpack", where)
			}
			wasTree = !z.IsListpack()
			zexpectEqual(t, z, m, where)
		}
	}
}

func randScoreRange(rng *rand.Rand) ztree.ScoreRange {
	a, b := randScore(rng), randScore(rng)
	if rng.IntN(4) != 0 && a > b {
		a, b = b, a
	}
	return ztree.ScoreRange{Min: a, Max: b, MinEx: rng.IntN(3) == 0, MaxEx: rng.IntN(3) == 0}
}

// checkZRanges compares the range queries with the model.
func checkZRanges(t *testing.T, rng *rand.Rand, z *ZSet, m zmodel, where string) {
	t.Helper()
	want := m.sorted()
	if len(want) > 0 {
		start := rng.IntN(len(want))
		end := start + rng.IntN(len(want)-start)
		rev := rng.IntN(2) == 0
		var got []ZElem
		z.RangeByRank(start, end, rev, func(mem []byte, s float64) { got = append(got, ZElem{string(mem), s}) })
		exp := slices.Clone(want)
		if rev {
			slices.Reverse(exp)
		}
		exp = exp[start : end+1]
		if !zelemsEqual(got, exp, z.IsListpack()) {
			t.Fatalf("%s: RangeByRank(%d, %d, %v) = %v, want %v", where, start, end, rev, got, exp)
		}
	}

	r := randScoreRange(rng)
	rev := rng.IntN(2) == 0
	offset, limit := rng.IntN(4)-1, rng.IntN(6)-1
	var in []ZElem
	for _, e := range want {
		if r.Contains(e.Score) {
			in = append(in, e)
		}
	}
	if rev {
		slices.Reverse(in)
	}
	var exp []ZElem
	if offset >= 0 && offset < len(in) {
		exp = in[offset:]
		if limit >= 0 && limit < len(exp) {
			exp = exp[:limit]
		}
	}
	var got []ZElem
	n := z.RangeByScore(r, rev, offset, limit, func(mem []byte, s float64) { got = append(got, ZElem{string(mem), s}) })
	if n != len(got) || !zelemsEqual(got, exp, z.IsListpack()) {
		t.Fatalf("%s: RangeByScore(%+v, %v, %d, %d) = %d %v, want %v", where, r, rev, offset, limit, n, got, exp)
	}
	if c := z.CountInScoreRange(r); c != len(in) {
		t.Fatalf("%s: CountInScoreRange(%+v) = %d, want %d", where, r, c, len(in))
	}
}

func zelemsEqual(got, want []ZElem, lp bool) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Member != want[i].Member || !sameScore(got[i].Score, want[i].Score, lp) {
			return false
		}
	}
	return true
}

// TestZSetLexModel checks lex ranges, which are defined when all scores are equal,
// in both encodings.
func TestZSetLexModel(t *testing.T) {
	seed := zsetSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x1e8))
	items := []string{"-", "+", "(", "["}
	randItem := func() []byte {
		switch rng.IntN(6) {
		case 0:
			return []byte(items[rng.IntN(2)])
		}
		return []byte(items[2+rng.IntN(2)] + randMember(rng, false))
	}
	for round := 0; round < 40; round++ {
		lim := Limits{ZsetMaxListpackEntries: 1 + rng.IntN(40), ZsetMaxListpackValue: 64}
		z := NewZSet(0, lim)
		m := zmodel{}
		for op := 0; op < 300; op++ {
			where := fmt.Sprintf("round %d op %d", round, op)
			if rng.IntN(3) != 0 {
				mem := randMember(rng, false)
				z.Add(5, []byte(mem), 0, lim)
				m[mem] = 5
			}
			r, ok := ztree.ParseLexRange(randItem(), randItem())
			if !ok {
				t.Fatalf("%s: ParseLexRange", where)
			}
			var in []ZElem
			for _, e := range m.sorted() {
				if r.Contains(e.Member) {
					in = append(in, e)
				}
			}
			rev := rng.IntN(2) == 0
			if rev {
				slices.Reverse(in)
			}
			offset, limit := rng.IntN(3)-1, rng.IntN(5)-1
			var exp []ZElem
			if offset >= 0 && offset < len(in) {
				exp = in[offset:]
				if limit >= 0 && limit < len(exp) {
					exp = exp[:limit]
				}
			}
			var got []ZElem
			z.RangeByLex(r, rev, offset, limit, func(mem []byte, s float64) { got = append(got, ZElem{string(mem), s}) })
			if !zelemsEqual(got, exp, true) {
				t.Fatalf("%s: RangeByLex(%q %q, %v, %d, %d) = %v, want %v", where, r.Min, r.Max, rev, offset, limit, got, exp)
			}
			if c := z.CountInLexRange(r); c != len(in) {
				t.Fatalf("%s: CountInLexRange = %d, want %d", where, c, len(in))
			}
			if rng.IntN(10) == 0 {
				if n := z.DeleteRangeByLex(r); n != len(in) {
					t.Fatalf("%s: DeleteRangeByLex = %d, want %d", where, n, len(in))
				}
				for _, e := range in {
					delete(m, e.Member)
				}
			}
			zexpectEqual(t, z, m, where)
		}
	}
}

// TestZSetListpackBytes checks that scores are stored as Redis's zzlInsertAt stores
// them: integral scores within ±LLONG_MAX/2 (and -0) as integers, others as %.17g.
func TestZSetListpackBytes(t *testing.T) {
	lim := Limits{ZsetMaxListpackEntries: 128, ZsetMaxListpackValue: 64}
	z := NewZSet(0, lim)
	for i, s := range []float64{math.Copysign(0, -1), 1.1, 1e20, 5, math.Inf(1), 1 << 62, -(1 << 62), 1<<62 + 1024} {
		z.Add(s, []byte{byte('a' + i)}, 0, lim)
	}
	var got []string
	for p := z.lp.First(); p >= 0; p = z.lp.Next(p) {
		e := z.lp.Get(p)
		if e.IsInt {
			got = append(got, "i:"+strconv.FormatInt(e.Int, 10))
		} else {
			got = append(got, "s:"+string(e.Str))
		}
	}
	want := []string{"s:g", "i:-4611686018427387904", "s:a", "i:0", "s:b", "s:1.1000000000000001", "s:d", "i:5",
		"s:f", "i:4611686018427387904", "s:h", "s:4.6116860184273889e+18", "s:c", "s:1e+20", "s:e", "s:inf"}
	if !slices.Equal(got, want) {
		t.Fatalf("listpack entries\n got %q\nwant %q", got, want)
	}
	if s, _ := z.Score([]byte("a")); s != 0 || math.Signbit(s) {
		t.Fatalf("-0 in a listpack reads back as %v", s)
	}
}

// TestZSetEncodings checks the thresholds and the encodings of built sets.
func TestZSetEncodings(t *testing.T) {
	lim := Limits{ZsetMaxListpackEntries: 3, ZsetMaxListpackValue: 5}
	z := NewZSet(1, lim)
	for i, m := range []string{"a", "b", "c"} {
		z.Add(float64(i), []byte(m), 0, lim)
	}
	if z.Encoding() != keyspace.EncListpack {
		t.Fatalf("3 elements: %v", z.Encoding())
	}
	z.Add(9, []byte("d"), 0, lim)
	if z.Encoding() != keyspace.EncSkiplist {
		t.Fatalf("4 elements: %v", z.Encoding())
	}
	z = NewZSet(1, lim)
	z.Add(1, []byte("abcde"), 0, lim)
	if z.Encoding() != keyspace.EncListpack {
		t.Fatalf("5-byte member: %v", z.Encoding())
	}
	z.Add(1, []byte("abcdef"), 0, lim)
	if z.Encoding() != keyspace.EncSkiplist {
		t.Fatalf("6-byte member: %v", z.Encoding())
	}
	if NewZSet(6, lim).Encoding() != keyspace.EncSkiplist {
		t.Fatal("NewZSet with a long first member")
	}
	if NewZSet(1, Limits{ZsetMaxListpackValue: 64}).Encoding() != keyspace.EncSkiplist {
		t.Fatal("NewZSet with zset-max-listpack-entries 0")
	}
	elems := []ZElem{{"a", 1}, {"b", 2}, {"c", 3}}
	if NewZSetFromSorted(elems, lim).Encoding() != keyspace.EncListpack {
		t.Fatal("built 3")
	}
	if NewZSetFromSorted(append(elems, ZElem{"d", 4}), lim).Encoding() != keyspace.EncSkiplist {
		t.Fatal("built 4")
	}
	b := NewZSetFromSorted([]ZElem{{"abcdef", 1}}, lim)
	if b.Encoding() != keyspace.EncSkiplist || b.check() != nil || b.Len() != 1 {
		t.Fatal("built long")
	}
}

// TestZSetRandom checks the sampling helpers.
func TestZSetRandom(t *testing.T) {
	seed := zsetSeed(t)
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, entries := range []int{128, 0} {
		lim := Limits{ZsetMaxListpackEntries: entries, ZsetMaxListpackValue: 64}
		z := NewZSet(1, lim)
		for i := range 20 {
			z.Add(float64(i), []byte("m"+strconv.Itoa(i)), 0, lim)
		}
		hits := map[string]int{}
		z.RandomElems(rng, 4000, func(m []byte, s float64) {
			if want := "m" + strconv.Itoa(int(s)); string(m) != want {
				t.Fatalf("RandomElems gave %q %v", m, s)
			}
			hits[string(m)]++
		})
		for m, n := range hits {
			if n < 100 || n > 320 {
				t.Errorf("encoding %v: %s drawn %d times of 4000", z.Encoding(), m, n)
			}
		}
		if len(hits) != 20 {
			t.Errorf("only %d members drawn", len(hits))
		}
		for _, count := range []int{1, 5, 7, 19} {
			seen := map[string]bool{}
			z.DistinctRandomElems(rng, count, func(m []byte, _ float64) {
				if seen[string(m)] {
					t.Fatalf("DistinctRandomElems(%d) repeated %q", count, m)
				}
				seen[string(m)] = true
			})
			if len(seen) != count {
				t.Fatalf("DistinctRandomElems(%d) gave %d", count, len(seen))
			}
		}
		if m, _ := z.RandomElem(rng); !bytes.HasPrefix(m, []byte("m")) {
			t.Fatalf("RandomElem gave %q", m)
		}
	}
}
