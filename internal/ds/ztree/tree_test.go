package ztree

import (
	"fmt"
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

func mustCheck(t *testing.T, tr *Tree, what string) {
	t.Helper()
	if err := tr.check(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// newTestTree returns a tree with small nodes, so that a few hundred
// elements already make several levels.
func newTestTree(leafCap, innerCap int) *Tree { return &Tree{leafCap: leafCap, innerCap: innerCap} }

type elem struct {
	score  float64
	member string
}

func cmpElem(a, b elem) int {
	switch {
	case less(a.score, a.member, b.score, b.member):
		return -1
	case less(b.score, b.member, a.score, a.member):
		return 1
	}
	return 0
}

// model is the reference: a sorted slice, searched linearly or by binary
// search, plus the member -> score map a zset keeps beside its index.
type model struct {
	elems  []elem
	scores map[string]float64
}

func (m *model) find(e elem) (int, bool) { return slices.BinarySearchFunc(m.elems, e, cmpElem) }

func (m *model) insert(e elem) {
	i, _ := m.find(e)
	m.elems = slices.Insert(m.elems, i, e)
	m.scores[e.member] = e.score
}

func (m *model) remove(i int) {
	delete(m.scores, m.elems[i].member)
	m.elems = slices.Delete(m.elems, i, i+1)
}

func (m *model) firstLast(in func(e elem) bool) (first, last int, ok bool) {
	first, last = -1, -1
	for i, e := range m.elems {
		if in(e) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last, first >= 0
}

// compare checks that tr holds exactly the model's elements, through
// Iterate both ways, First and Last.
func compare(t *testing.T, tr *Tree, m *model, what string) {
	t.Helper()
	if tr.Len() != len(m.elems) {
		t.Fatalf("%s: Len %d, want %d", what, tr.Len(), len(m.elems))
	}
	i := 0
	tr.Iterate(0, false, func(s float64, mem string) bool {
		if e := m.elems[i]; math.Float64bits(s) != math.Float64bits(e.score) || mem != e.member {
			t.Fatalf("%s: element %d is (%v, %q), want (%v, %q)", what, i, s, mem, e.score, e.member)
		}
		i++
		return true
	})
	if i != len(m.elems) {
		t.Fatalf("%s: Iterate gave %d elements, want %d", what, i, len(m.elems))
	}
	i = len(m.elems) - 1
	tr.Iterate(len(m.elems)-1, true, func(s float64, mem string) bool {
		if e := m.elems[i]; s != e.score || mem != e.member {
			t.Fatalf("%s: reverse element %d is (%v, %q), want (%v, %q)", what, i, s, mem, e.score, e.member)
		}
		i--
		return true
	})
	if i != -1 {
		t.Fatalf("%s: reverse Iterate stopped at %d", what, i)
	}
	s, mem, ok := tr.First()
	if ok != (len(m.elems) > 0) || (ok && (s != m.elems[0].score || mem != m.elems[0].member)) {
		t.Fatalf("%s: First (%v, %q, %v)", what, s, mem, ok)
	}
	s, mem, ok = tr.Last()
	if ok && (s != m.elems[len(m.elems)-1].score || mem != m.elems[len(m.elems)-1].member) {
		t.Fatalf("%s: Last (%v, %q, %v)", what, s, mem, ok)
	}
}

// gen draws scores and members for a model test round.
type gen struct {
	rng       *rand.Rand
	sameScore bool // every element gets score 7: the lex-range regime
	space     int  // members are drawn from this many names
}

var specialScores = []float64{math.Inf(-1), math.Inf(1), 0, math.Copysign(0, -1), -1, 1, 2.5, -2.5,
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64}

func (g *gen) score() float64 {
	if g.sameScore {
		return 7
	}
	switch g.rng.IntN(4) {
	case 0:
		return specialScores[g.rng.IntN(len(specialScores))]
	case 1:
		return g.rng.NormFloat64() * 1e6
	}
	return float64(g.rng.IntN(10) - 5) // many duplicate scores
}

// member returns names that exercise memcmp order: prefixes, empty, bytes
// above 0x7f, embedded zero bytes.
func (g *gen) member() string {
	n := g.rng.IntN(g.space)
	switch n % 7 {
	case 0:
		return strconv.Itoa(n)
	case 1:
		return "m" + strconv.Itoa(n)
	case 2:
		return "m" + strconv.Itoa(n) + "\x00"
	case 3:
		return "\xff" + strconv.Itoa(n)
	case 4:
		return fmt.Sprintf("%0*d", 1+n%5, n) // zero-padded: "00012" < "12"
	case 5:
		if n < 7 {
			return ""
		}
		return "a" + string(rune('a'+n%26)) + strconv.Itoa(n/26)
	}
	return "member-with-a-longer-name-" + strconv.Itoa(n)
}

// lexBound draws a lex range bound, mostly near existing members.
func (g *gen) lexBound(m *model) (v []byte, ex bool, inf int8) {
	switch g.rng.IntN(10) {
	case 0:
		return nil, true, -1
	case 1:
		return nil, true, 1
	case 2, 3, 4:
		if len(m.elems) > 0 {
			s := m.elems[g.rng.IntN(len(m.elems))].member
			if g.rng.IntN(3) == 0 && len(s) > 0 {
				s = s[:g.rng.IntN(len(s))]
			}
			return []byte(s), g.rng.IntN(2) == 0, 0
		}
	}
	return []byte(g.member()), g.rng.IntN(2) == 0, 0
}

// nearPair returns two elements at most 10 ranks apart, for narrow ranges.
func (g *gen) nearPair(m *model) (a, b elem) {
	i := g.rng.IntN(len(m.elems))
	j := min(i+g.rng.IntN(10), len(m.elems)-1)
	return m.elems[i], m.elems[j]
}

func (g *gen) scoreRange(m *model, narrow bool) ScoreRange {
	if narrow && len(m.elems) > 0 {
		a, b := g.nearPair(m)
		return ScoreRange{Min: a.score, Max: b.score, MinEx: g.rng.IntN(3) == 0, MaxEx: g.rng.IntN(3) == 0}
	}
	pick := func() float64 {
		if len(m.elems) > 0 && g.rng.IntN(2) == 0 {
			return m.elems[g.rng.IntN(len(m.elems))].score
		}
		return g.score()
	}
	r := ScoreRange{Min: pick(), Max: pick(), MinEx: g.rng.IntN(3) == 0, MaxEx: g.rng.IntN(3) == 0}
	if g.rng.IntN(4) != 0 && r.Min > r.Max {
		r.Min, r.Max = r.Max, r.Min
	}
	return r
}

func (g *gen) lexRange(m *model, narrow bool) LexRange {
	var r LexRange
	if narrow && len(m.elems) > 0 {
		a, b := g.nearPair(m)
		return LexRange{Min: []byte(a.member), Max: []byte(b.member), MinEx: g.rng.IntN(3) == 0, MaxEx: g.rng.IntN(3) == 0}
	}
	r.Min, r.MinEx, r.MinInf = g.lexBound(m)
	r.Max, r.MaxEx, r.MaxInf = g.lexBound(m)
	if g.rng.IntN(4) != 0 && r.MinInf == 0 && r.MaxInf == 0 && string(r.Min) > string(r.Max) {
		r.Min, r.Max = r.Max, r.Min
	}
	return r
}

var testShapes = []struct{ leafCap, innerCap int }{{4, 4}, {5, 5}, {8, 4}, {6, 9}, {16, 8}, {leafMax, innerMax}}

// TestModel runs random operations against the sorted-slice model, checking
// every invariant after each one. Rounds alternate growing and draining
// phases (down to empty), mixed scores and single-score (lex) regimes, and
// node shapes from tiny (deep trees) to the real ones.
func TestModel(t *testing.T) {
	seed := testSeed(t)
	for _, shape := range testShapes {
		t.Run(fmt.Sprintf("leaf%d-inner%d", shape.leafCap, shape.innerCap), func(t *testing.T) {
			rng := newRand(seed + uint64(shape.leafCap*100+shape.innerCap))
			ops, phase := 16000, 2000
			if shape.leafCap == leafMax {
				ops, phase = 60000, 15000 // up to two inner levels
			}
			runModel(t, rng, newTestTree(shape.leafCap, shape.innerCap), ops, phase)
		})
	}
	t.Run("zero-value", func(t *testing.T) {
		runModel(t, newRand(seed), &Tree{}, 4000, 1000)
	})
}

func runModel(t *testing.T, rng *rand.Rand, tr *Tree, ops, phase int) {
	t.Helper()
	m := &model{scores: map[string]float64{}}
	g := &gen{rng: rng, space: 50}
	growing := false
	existing := func() (elem, int) {
		i := rng.IntN(len(m.elems))
		return m.elems[i], i
	}
	maxLen, maxHeight := 0, 0
	defer func() { t.Logf("largest tree: %d elements, %d inner levels", maxLen, maxHeight) }()
	for op := range ops {
		maxLen, maxHeight = max(maxLen, tr.Len()), max(maxHeight, tr.height)
		if op%phase == 0 {
			growing = !growing
			g.space = 10 + rng.IntN(phase*2)
			if same := rng.IntN(3) == 0; same != g.sameScore {
				// Switching regimes: empty the tree in one range delete.
				n := tr.Len()
				var got []string
				if k := tr.DeleteRangeByRank(-5, n+5, func(s string) { got = append(got, s) }); k != n || len(got) != n {
					t.Fatalf("op %d: DeleteRangeByRank(all) removed %d, called back %d, want %d", op, k, len(got), n)
				}
				for i, e := range m.elems {
					if got[i] != e.member {
						t.Fatalf("op %d: DeleteRangeByRank(all) called back %q at %d, want %q", op, got[i], i, e.member)
					}
				}
				m = &model{scores: map[string]float64{}}
				g.sameScore = same
				mustCheck(t, tr, "clear")
			}
		}
		insertW, deleteW := 50, 5
		if !growing {
			insertW, deleteW = 10, 30
		}
		what := ""
		// Range deletes can remove much of the tree: rare while growing.
		rangeDeletePerMille := 1
		if !growing {
			rangeDeletePerMille = 30
		}
		k := rng.IntN(100)
		if rng.IntN(1000) < rangeDeletePerMille {
			k = -1
		}
		switch {
		case k < 0:
			var got []string
			fn := func(s string) { got = append(got, s) }
			var n, first int
			want := -1 // members removed: a contiguous run from first
			switch rng.IntN(3) {
			case 0:
				what = "DeleteRangeByRank"
				start := rng.IntN(len(m.elems)+4) - 2
				end := start + rng.IntN(1+rng.IntN(len(m.elems)/4+2))
				if growing {
					end = start + rng.IntN(300)
				}
				n = tr.DeleteRangeByRank(start, end, fn)
				first = max(start, 0)
				want = max(min(end, len(m.elems)-1)-first+1, 0)
			case 1:
				what = "DeleteRangeByScore"
				r := g.scoreRange(m, growing)
				n = tr.DeleteRangeByScore(r, fn)
				var ok bool
				var last int
				if first, last, ok = m.firstLast(func(e elem) bool { return r.Contains(e.score) }); ok {
					want = last - first + 1
				} else {
					want = 0
				}
			default:
				what = "DeleteRangeByLex"
				r := g.lexRange(m, growing)
				n = tr.DeleteRangeByLex(r, fn)
				if g.sameScore {
					var ok bool
					var last int
					if first, last, ok = m.firstLast(func(e elem) bool { return r.Contains(e.member) }); ok {
						want = last - first + 1
					} else {
						want = 0
					}
				} else if len(got) > 0 { // undefined which: follow the tree
					first, _ = m.find(elem{m.scores[got[0]], got[0]})
					want = len(got)
				}
			}
			if n != len(got) || (want >= 0 && n != want) {
				t.Fatalf("op %d: %s removed %d, called back %d times, want %d", op, what, n, len(got), want)
			}
			for i, mem := range got {
				if e := m.elems[first+i]; e.member != mem {
					t.Fatalf("op %d: %s called back %q at %d, want %q", op, what, mem, first+i, e.member)
				}
			}
			for _, mem := range got {
				delete(m.scores, mem)
			}
			if n > 0 {
				m.elems = slices.Delete(m.elems, first, first+n)
			}
		case k < insertW:
			what = "Insert"
			e := elem{g.score(), g.member()}
			if old, ok := m.scores[e.member]; ok {
				what = "Insert existing (Delete first)"
				if !tr.Delete(old, e.member) {
					t.Fatalf("op %d: Delete(%v, %q) of a present member failed", op, old, e.member)
				}
				i, _ := m.find(elem{old, e.member})
				m.remove(i)
			}
			tr.Insert(e.score, e.member)
			m.insert(e)
		case k < insertW+deleteW:
			if len(m.elems) == 0 || rng.IntN(5) == 0 {
				what = "Delete absent"
				e := elem{g.score(), g.member()}
				if _, ok := m.find(e); !ok && tr.Delete(e.score, e.member) {
					t.Fatalf("op %d: Delete(%v, %q) of an absent element succeeded", op, e.score, e.member)
				}
				if len(m.elems) > 0 { // present member, wrong score
					e, _ := existing()
					if s := e.score + 1; s != e.score && tr.Delete(s, e.member) {
						t.Fatalf("op %d: Delete with the wrong score succeeded", op)
					}
				}
				break
			}
			what = "Delete"
			e, i := existing()
			if !tr.Delete(e.score, e.member) {
				t.Fatalf("op %d: Delete(%v, %q) failed", op, e.score, e.member)
			}
			m.remove(i)
		case k < 55:
			if len(m.elems) == 0 {
				break
			}
			what = "UpdateScore"
			e, i := existing()
			ns := g.score()
			switch rng.IntN(3) {
			case 0: // most updates keep the position: the in-place path
				ns = math.Nextafter(e.score, math.Inf(1))
				if math.IsInf(e.score, 0) || g.sameScore {
					ns = e.score
				}
			case 1:
				ns = e.score
			}
			tr.UpdateScore(e.score, e.member, ns)
			m.remove(i)
			m.insert(elem{ns, e.member})
		case k < 63:
			what = "Rank"
			if len(m.elems) > 0 {
				e, i := existing()
				if r, ok := tr.Rank(e.score, e.member); !ok || r != i {
					t.Fatalf("op %d: Rank(%v, %q) = %d, %v, want %d", op, e.score, e.member, r, ok, i)
				}
				if e.score == 0 { // -0 and 0 are the same score
					if r, ok := tr.Rank(-e.score, e.member); !ok || r != i {
						t.Fatalf("op %d: Rank(%v, %q) = %d, %v, want %d", op, -e.score, e.member, r, ok, i)
					}
				}
			}
			e := elem{g.score(), g.member()}
			_, want := m.find(e)
			if _, ok := tr.Rank(e.score, e.member); ok != want {
				t.Fatalf("op %d: Rank(%v, %q) found %v, want %v", op, e.score, e.member, ok, want)
			}
		case k < 68:
			what = "ByRank"
			if len(m.elems) > 0 {
				e, i := existing()
				if s, mem := tr.ByRank(i); s != e.score || mem != e.member {
					t.Fatalf("op %d: ByRank(%d) = (%v, %q), want (%v, %q)", op, i, s, mem, e.score, e.member)
				}
			}
		case k < 72:
			what = "Iterate"
			if len(m.elems) == 0 {
				tr.Iterate(0, false, func(float64, string) bool { t.Fatal("Iterate on an empty tree"); return false })
				break
			}
			_, from := existing()
			reverse := rng.IntN(2) == 0
			limit := rng.IntN(300)
			n, i := 0, from
			tr.Iterate(from, reverse, func(s float64, mem string) bool {
				if e := m.elems[i]; s != e.score || mem != e.member {
					t.Fatalf("op %d: Iterate(%d, %v) item %d is (%v, %q), want (%v, %q)", op, from, reverse, n, s, mem, e.score, e.member)
				}
				n++
				if reverse {
					i--
				} else {
					i++
				}
				return n < limit
			})
			want := len(m.elems) - from
			if reverse {
				want = from + 1
			}
			if n != min(max(limit, 1), want) {
				t.Fatalf("op %d: Iterate(%d, %v) with limit %d gave %d, want %d", op, from, reverse, limit, n, min(limit, want))
			}
			tr.Iterate(len(m.elems), false, func(float64, string) bool { t.Fatal("Iterate past the end"); return false })
			tr.Iterate(-1, true, func(float64, string) bool { t.Fatal("Iterate before the start"); return false })
		case k < 82:
			what = "score range"
			r := g.scoreRange(m, rng.IntN(2) == 0)
			first, last, ok := m.firstLast(func(e elem) bool { return r.Contains(e.score) })
			gf, okf := tr.FirstInScoreRange(r)
			gl, okl := tr.LastInScoreRange(r)
			if okf != ok || okl != ok || (ok && (gf != first || gl != last)) {
				t.Fatalf("op %d: %+v: first %d %v, last %d %v, want %d %d %v", op, r, gf, okf, gl, okl, first, last, ok)
			}
			want := 0
			if ok {
				want = last - first + 1
			}
			if c := tr.CountInScoreRange(r); c != want {
				t.Fatalf("op %d: CountInScoreRange(%+v) = %d, want %d", op, r, c, want)
			}
			if r.Empty() && ok {
				t.Fatalf("op %d: %+v is Empty but holds elements", op, r)
			}
		default:
			what = "lex range"
			r := g.lexRange(m, rng.IntN(2) == 0)
			gf, okf := tr.FirstInLexRange(r)
			gl, okl := tr.LastInLexRange(r)
			c := tr.CountInLexRange(r)
			if !g.sameScore {
				break // only defined when all scores are equal
			}
			first, last, ok := m.firstLast(func(e elem) bool { return r.Contains(e.member) })
			if okf != ok || okl != ok || (ok && (gf != first || gl != last)) {
				t.Fatalf("op %d: %s: first %d %v, last %d %v, want %d %d %v", op, lexString(r), gf, okf, gl, okl, first, last, ok)
			}
			want := 0
			if ok {
				want = last - first + 1
			}
			if c != want {
				t.Fatalf("op %d: CountInLexRange(%s) = %d, want %d", op, lexString(r), c, want)
			}
			if r.Empty() && ok {
				t.Fatalf("op %d: %s is Empty but holds elements", op, lexString(r))
			}
		}
		if what == "" {
			continue
		}
		if len(m.elems) < 2000 || op%61 == 0 {
			mustCheck(t, tr, fmt.Sprintf("op %d %s", op, what))
		}
		if op%97 == 0 || len(m.elems) < 20 {
			compare(t, tr, m, fmt.Sprintf("op %d %s", op, what))
		}
	}
	compare(t, tr, m, "end")
	// Drain to empty one element at a time, from both ends and the middle.
	for len(m.elems) > 0 {
		i := []int{0, len(m.elems) - 1, len(m.elems) / 2}[rng.IntN(3)]
		e := m.elems[i]
		if !tr.Delete(e.score, e.member) {
			t.Fatalf("drain: Delete(%v, %q) failed", e.score, e.member)
		}
		m.remove(i)
		mustCheck(t, tr, "drain")
	}
	compare(t, tr, m, "drained")
	if tr.MemoryUsage() > 1024 {
		t.Fatalf("empty tree: MemoryUsage %d", tr.MemoryUsage())
	}
}

func lexString(r LexRange) string {
	b := func(v []byte, ex bool, inf int8) string {
		switch {
		case inf < 0:
			return "-"
		case inf > 0:
			return "+"
		case ex:
			return fmt.Sprintf("(%q", v)
		}
		return fmt.Sprintf("[%q", v)
	}
	return b(r.Min, r.MinEx, r.MinInf) + " " + b(r.Max, r.MaxEx, r.MaxInf)
}

// TestLarge grows a tree with the real node sizes to several inner levels,
// checking it against the model at intervals, then takes it apart with range
// deletes and single deletes.
func TestLarge(t *testing.T) {
	n, levels := 600000, 3 // > 64*64 leaves of 128: three levels
	if testing.Short() {
		n, levels = 60000, 2
	}
	rng := newRand(testSeed(t))
	tr := New()
	m := &model{scores: map[string]float64{}}
	for i := range n {
		e := elem{float64(rng.IntN(n / 10)), "member:" + strconv.Itoa(i)}
		if i%3 == 0 {
			e.score = rng.Float64()
		}
		tr.Insert(e.score, e.member)
		m.elems = append(m.elems, e)
		m.scores[e.member] = e.score
		if i%50000 == 0 {
			mustCheck(t, tr, "growing")
		}
	}
	slices.SortFunc(m.elems, cmpElem)
	mustCheck(t, tr, "grown")
	compare(t, tr, m, "grown")
	t.Logf("%d elements: %d inner levels, %d leaves, %d inner nodes, %.1f%% leaf fill, %d bytes of nodes",
		tr.Len(), tr.height, tr.nleaves, tr.ninners, 100*float64(n)/float64(tr.nleaves*leafMax), tr.MemoryUsage())
	if tr.height < levels {
		t.Fatalf("only %d inner levels", tr.height)
	}
	for range 2000 {
		i := rng.IntN(len(m.elems))
		e := m.elems[i]
		if r, ok := tr.Rank(e.score, e.member); !ok || r != i {
			t.Fatalf("Rank(%v, %q) = %d, %v, want %d", e.score, e.member, r, ok, i)
		}
		if s, mem := tr.ByRank(i); s != e.score || mem != e.member {
			t.Fatalf("ByRank(%d) = (%v, %q), want (%v, %q)", i, s, mem, e.score, e.member)
		}
	}
	for len(m.elems) > 0 {
		start := rng.IntN(len(m.elems))
		end := start + rng.IntN(len(m.elems)/8+10)
		i := 0
		k := tr.DeleteRangeByRank(start, end, func(mem string) {
			if mem != m.elems[start+i].member {
				t.Fatalf("DeleteRangeByRank(%d, %d) called back %q at %d, want %q", start, end, mem, start+i, m.elems[start+i].member)
			}
			i++
		})
		m.elems = slices.Delete(m.elems, start, start+k)
		for j := 0; j < 100 && len(m.elems) > 0; j++ {
			e := m.elems[len(m.elems)/2]
			if !tr.Delete(e.score, e.member) {
				t.Fatalf("Delete(%v, %q) failed", e.score, e.member)
			}
			m.elems = slices.Delete(m.elems, len(m.elems)/2, len(m.elems)/2+1)
		}
		mustCheck(t, tr, "shrinking")
		if tr.Len() != len(m.elems) {
			t.Fatalf("Len %d, want %d", tr.Len(), len(m.elems))
		}
	}
	compare(t, tr, m, "emptied")
}

// TestSequentialFill: ascending inserts (timestamps) and descending ones
// leave every leaf full but the last (first) one.
func TestSequentialFill(t *testing.T) {
	for _, desc := range []bool{false, true} {
		tr := New()
		const n = 100000
		for i := range n {
			s := float64(i)
			if desc {
				s = -s
			}
			tr.Insert(s, "m")
		}
		mustCheck(t, tr, "sequential")
		if want := (n + leafMax - 1) / leafMax; tr.nleaves != want {
			t.Errorf("descending=%v: %d leaves for %d elements, want %d (full leaves)", desc, tr.nleaves, n, want)
		}
	}
}

func TestNegativeZero(t *testing.T) {
	tr := New()
	negz := math.Copysign(0, -1)
	tr.Insert(0, "b")
	tr.Insert(negz, "a")
	tr.Insert(negz, "c")
	mustCheck(t, tr, "inserts")
	for i, mem := range []string{"a", "b", "c"} {
		for _, s := range []float64{0, negz} {
			if r, ok := tr.Rank(s, mem); !ok || r != i {
				t.Fatalf("Rank(%v, %q) = %d, %v, want %d", s, mem, r, ok, i)
			}
		}
	}
	// The stored score keeps its sign.
	if s, _ := tr.ByRank(0); !math.Signbit(s) {
		t.Fatalf("ByRank(0) score %v lost its sign", s)
	}
	if c := tr.CountInScoreRange(ScoreRange{Min: negz, Max: 0}); c != 3 {
		t.Fatalf("count [-0, 0] = %d", c)
	}
	if c := tr.CountInScoreRange(ScoreRange{Min: 0, Max: negz, MinEx: true}); c != 0 {
		t.Fatalf("count (0, -0] = %d", c)
	}
	if !tr.Delete(0, "a") || tr.Delete(negz, "a") {
		t.Fatal("Delete of (-0, a) as (0, a)")
	}
	mustCheck(t, tr, "delete")
}

func TestScoreRangeEmpty(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		r    ScoreRange
		want bool
	}{
		{ScoreRange{Min: 1, Max: 2}, false},
		{ScoreRange{Min: 2, Max: 1}, true},
		{ScoreRange{Min: 1, Max: 1}, false},
		{ScoreRange{Min: 1, Max: 1, MinEx: true}, true},
		{ScoreRange{Min: 1, Max: 1, MaxEx: true}, true},
		{ScoreRange{Min: -inf, Max: inf, MinEx: true, MaxEx: true}, false},
		{ScoreRange{Min: inf, Max: inf}, false},
		{ScoreRange{Min: inf, Max: inf, MinEx: true}, true},
	} {
		if got := c.r.Empty(); got != c.want {
			t.Errorf("%+v.Empty() = %v, want %v", c.r, got, c.want)
		}
	}
}

func TestParseLexRange(t *testing.T) {
	for _, c := range []struct {
		min, max string
		ok       bool
		empty    bool
		in       []string
		out      []string
	}{
		{"-", "+", true, false, []string{"", "a", "\xff"}, nil},
		{"[a", "[c", true, false, []string{"a", "b", "c"}, []string{"", "c\x00", "d", "A"}},
		{"(a", "(c", true, false, []string{"a\x00", "b", "bzz"}, []string{"a", "c"}},
		{"[", "(b", true, false, []string{"", "a"}, []string{"b"}},
		{"(", "+", true, false, []string{"\x00", "z"}, []string{""}},
		{"[b", "[a", true, true, nil, []string{"a", "b"}},
		{"[a", "(a", true, true, nil, []string{"a"}},
		{"(a", "[a", true, true, nil, []string{"a"}},
		{"[a", "[a", true, false, []string{"a"}, []string{"a\x00", ""}},
		{"+", "+", true, true, nil, []string{"a"}},
		{"-", "-", true, true, nil, []string{"a"}},
		{"+", "-", true, true, nil, []string{"a"}},
		{"+", "[a", true, true, nil, []string{"a"}},
		{"[a", "-", true, true, nil, []string{"a"}},
		{"-", "[a", true, false, []string{"", "a"}, []string{"b"}},
		{"a", "+", false, false, nil, nil},
		{"", "+", false, false, nil, nil},
		{"-", "", false, false, nil, nil},
		{"-x", "+", false, false, nil, nil},
		{"-", "++", false, false, nil, nil},
	} {
		r, ok := ParseLexRange([]byte(c.min), []byte(c.max))
		if ok != c.ok {
			t.Errorf("ParseLexRange(%q, %q) ok = %v, want %v", c.min, c.max, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		if r.Empty() != c.empty {
			t.Errorf("%q %q: Empty() = %v, want %v", c.min, c.max, r.Empty(), c.empty)
		}
		for _, m := range c.in {
			if !r.Contains(m) {
				t.Errorf("%q %q: does not contain %q", c.min, c.max, m)
			}
		}
		for _, m := range c.out {
			if r.Contains(m) {
				t.Errorf("%q %q: contains %q", c.min, c.max, m)
			}
		}
	}
}

func TestPanics(t *testing.T) {
	tr := New()
	tr.Insert(1, "a")
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"Insert NaN", func() { tr.Insert(math.NaN(), "b") }},
		{"Insert duplicate", func() { tr.Insert(1, "a") }},
		{"ByRank(-1)", func() { tr.ByRank(-1) }},
		{"ByRank(Len)", func() { tr.ByRank(1) }},
		{"UpdateScore absent", func() { tr.UpdateScore(2, "a", 3) }},
		{"UpdateScore empty", func() { New().UpdateScore(2, "a", 3) }},
		{"UpdateScore NaN", func() { tr.UpdateScore(1, "a", math.NaN()) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", c.name)
				}
			}()
			c.f()
		}()
		mustCheck(t, tr, c.name)
	}
	if tr.Len() != 1 {
		t.Fatalf("Len %d after failed operations", tr.Len())
	}
}

// TestNoAllocs: queries allocate nothing (closures and the path stay off
// the heap once the path has grown).
func TestNoAllocs(t *testing.T) {
	tr := New()
	for i := range 20000 {
		tr.Insert(float64(i%100), "m"+strconv.Itoa(i))
	}
	sr := ScoreRange{Min: 10, Max: 20, MinEx: true}
	lr, _ := ParseLexRange([]byte("[m1"), []byte("(m2"))
	for name, f := range map[string]func(){
		"Rank":   func() { tr.Rank(50, "m150") },
		"ByRank": func() { tr.ByRank(12345) },
		"score":  func() { tr.FirstInScoreRange(sr); tr.LastInScoreRange(sr); tr.CountInScoreRange(sr) },
		"lex":    func() { tr.FirstInLexRange(lr); tr.LastInLexRange(lr); tr.CountInLexRange(lr) },
		"Iterate": func() {
			tr.Iterate(100, true, func(float64, string) bool { return true })
		},
		"UpdateScore in place": func() { tr.UpdateScore(50, "m150", 50) },
	} {
		if a := testing.AllocsPerRun(100, f); a != 0 {
			t.Errorf("%s: %v allocations", name, a)
		}
	}
}
