package quicklist

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"cairn/internal/ds/listpack"
)

// testSeed returns the seed of a randomized test: $SEED if set, else the
// clock. It is logged so that a failure can be replayed with SEED=.
func testSeed(t testing.TB) uint64 {
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

// withPackedThreshold sets the (process-wide) packed threshold for one test.
func withPackedThreshold(t *testing.T, sz int) {
	t.Helper()
	SetPackedThreshold(sz)
	t.Cleanup(func() { SetPackedThreshold(0) })
}

// contents returns the list's elements, head first, through an iterator.
func contents(q *List) [][]byte {
	var out [][]byte
	it := q.Iterator(0, false)
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		out = append(out, e.AppendString(nil))
	}
	return out
}

func TestEmpty(t *testing.T) {
	q := New(DefaultFill, 0)
	if q.Len() != 0 || q.NodeCount() != 0 {
		t.Fatal("new list not empty")
	}
	if _, ok := q.PopHead(nil); ok {
		t.Fatal("PopHead on empty list")
	}
	if _, ok := q.PopTail(nil); ok {
		t.Fatal("PopTail on empty list")
	}
	if _, ok := q.Index(0); ok {
		t.Fatal("Index on empty list")
	}
	if q.Set(0, []byte("x")) || q.InsertBefore([]byte("a"), []byte("b")) || q.DelRange(0, 1) || q.Rem([]byte("a"), 0) != 0 {
		t.Fatal("change to empty list reported success")
	}
	q.Range(0, -1, false, func(listpack.Entry) bool { t.Fatal("Range visited"); return true })
	q.Pos([]byte("a"), 1, 0, func(int) bool { t.Fatal("Pos matched"); return true })
	q.Trim(0, 10)
	if err := q.check(true); err != nil {
		t.Fatal(err)
	}
}

func TestClamp(t *testing.T) {
	for _, c := range []struct{ fill, depth, wantFill, wantDepth int }{
		{-7, -1, -5, 0}, {100000, 1 << 20, fillMax, compressMax}, {0, 3, 0, 3}, {-2, 0, -2, 0},
	} {
		q := New(c.fill, c.depth)
		if q.Fill() != c.wantFill || q.CompressDepth() != c.wantDepth {
			t.Errorf("New(%d, %d): fill %d depth %d", c.fill, c.depth, q.Fill(), q.CompressDepth())
		}
	}
}

// TestFillLayout pins node sizes that redis-server 7.0.15 produces (see
// the oracle test): 681 10-byte elements in the first 8 KiB node, 79
// 100-byte ones, 4089 one-digit integers with fill 40000 (the 8 KiB safety
// limit), 5 per node with fill 5, one per node with fill 0.
func TestFillLayout(t *testing.T) {
	layout := func(q *List) []int {
		var out []int
		for i := range q.nodes() {
			out = append(out, q.at(i).count)
		}
		return out
	}
	for _, c := range []struct {
		fill int
		v    string
		n    int
		want []int
	}{
		{-2, "aaaaaaaaaa", 683, []int{681, 2}},
		{-2, string(bytes.Repeat([]byte("a"), 100)), 160, []int{79, 79, 2}},
		{40000, "1", 8200, []int{4089, 4089, 22}},
		{5, "x", 12, []int{5, 5, 2}},
		{0, "x", 3, []int{1, 1, 1}},
		{-5, "aaaaaaaaaa", 5500, []int{5460, 40}},
	} {
		q := New(c.fill, 0)
		for range c.n {
			q.PushTail([]byte(c.v))
		}
		if got := layout(q); !slices.Equal(got, c.want) {
			t.Errorf("fill %d, %d x %d bytes: nodes %v, want %v", c.fill, c.n, len(c.v), got, c.want)
		}
		if err := q.check(true); err != nil {
			t.Error(err)
		}
	}
}

func TestPlainNodes(t *testing.T) {
	withPackedThreshold(t, 100)
	q := New(DefaultFill, 0)
	big := bytes.Repeat([]byte("b"), 100)
	q.PushTail([]byte("a"))
	q.PushTail(big)
	q.PushTail([]byte("c"))
	q.PushHead(bytes.Repeat([]byte("d"), 200))
	if q.NodeCount() != 4 || !q.at(0).isPlain() || !q.at(2).isPlain() {
		t.Fatalf("layout: %d nodes", q.NodeCount())
	}
	if e, _ := q.Index(2); !bytes.Equal(e.Str, big) {
		t.Fatal("Index of a plain element")
	}
	if got, _ := q.PopHead(nil); len(got) != 200 {
		t.Fatalf("PopHead of a plain element: %d bytes", len(got))
	}
	if err := q.check(true); err != nil {
		t.Fatal(err)
	}
	var nodes []string
	q.Nodes(func(data []byte, plain bool) bool {
		nodes = append(nodes, fmt.Sprint(plain, len(data)))
		return true
	})
	if want := []string{"false 10", "true 100", "false 10"}; !slices.Equal(nodes, want) {
		t.Fatalf("Nodes: %v, want %v", nodes, want)
	}
}

func TestOps(t *testing.T) {
	q := New(2, 0)
	for _, v := range []string{"a", "b", "c", "d", "e"} {
		q.PushTail([]byte(v))
	}
	q.InsertAfter([]byte("b"), []byte("x"))
	q.InsertBefore([]byte("a"), []byte("0"))
	if got := fmt.Sprintf("%s", contents(q)); got != "[0 a b x c d e]" {
		t.Fatalf("after inserts: %s", got)
	}
	var rng []string
	q.Range(-3, 100, true, func(e listpack.Entry) bool { rng = append(rng, e.String()); return true })
	if fmt.Sprint(rng) != "[e d c]" {
		t.Fatalf("Range reverse: %v", rng)
	}
	q.PushTail([]byte("a"))
	var pos []int
	q.Pos([]byte("a"), -1, 0, func(i int) bool { pos = append(pos, i); return true })
	if fmt.Sprint(pos) != "[7 1]" {
		t.Fatalf("Pos: %v", pos)
	}
	if q.Rem([]byte("a"), -1) != 1 || q.Len() != 7 {
		t.Fatal("Rem")
	}
	q.Trim(1, -2)
	if got := fmt.Sprintf("%s", contents(q)); got != "[a b x c d]" {
		t.Fatalf("after trim: %s", got)
	}
	if err := q.check(true); err != nil {
		t.Fatal(err)
	}
}

// randValue: short strings, integers, integer-looking strings, and now
// and then values big enough to need a node of their own.
func randValue(r *rand.Rand, small bool) []byte {
	switch k := r.IntN(100); {
	case k < 30:
		return []byte(strconv.Itoa(r.IntN(20) - 5))
	case k < 40:
		return []byte(strconv.FormatInt(int64(r.Uint64())>>r.IntN(64), 10))
	case k < 45:
		return []byte([]string{"", "-0", "007", "+1", "a", "b"}[r.IntN(6)])
	case k < 90 || small:
		return bytes.Repeat([]byte{byte('a' + r.IntN(4))}, r.IntN(20))
	case k < 97:
		return bytes.Repeat([]byte{'m'}, 60+r.IntN(300))
	default:
		return bytes.Repeat([]byte{'L'}, 3000+r.IntN(7000))
	}
}

// TestModel runs random operations against a [][]byte model for several
// fills, checking every invariant after each one.
func TestModel(t *testing.T) {
	for _, fill := range []int{-2, -1, 1, 2, 128, 0, -5} {
		for _, threshold := range []int{0, 200} {
			t.Run(fmt.Sprintf("fill%d/threshold%d", fill, threshold), func(t *testing.T) {
				withPackedThreshold(t, threshold)
				runModel(t, fill)
			})
		}
	}
}

func runModel(t *testing.T, fill int) {
	seed := testSeed(t)
	r := newRand(seed)
	rounds := 4000
	if testing.Short() {
		rounds = 800
	}
	q := New(fill, 0)
	var model [][]byte
	strict := true
	var dst []byte
	for round := range rounds {
		v := randValue(r, false)
		idx := func(extra int) int { // an index, sometimes out of range, sometimes negative
			i := r.IntN(len(model) + extra + 1)
			if r.IntN(2) == 0 {
				i = -i - 1
			}
			return i
		}
		norm := func(i int) (int, bool) {
			if i < 0 {
				i += len(model)
			}
			return i, i >= 0 && i < len(model)
		}
		pick := func() []byte {
			if len(model) > 0 && r.IntN(4) > 0 {
				return model[r.IntN(len(model))]
			}
			return v
		}
		var what string
		switch op := r.IntN(20); {
		case op < 4:
			what = "PushTail"
			q.PushTail(v)
			model = append(model, v)
		case op < 7:
			what = "PushHead"
			q.PushHead(v)
			model = append([][]byte{v}, model...)
		case op == 7:
			what = "PopHead"
			got, ok := q.PopHead(dst[:0])
			if ok != (len(model) > 0) || ok && !bytes.Equal(got, model[0]) {
				t.Fatalf("round %d: PopHead %q %v", round, got, ok)
			}
			if ok {
				model = model[1:]
			}
			dst = got
		case op == 8:
			what = "PopTail"
			var got []byte
			ok := q.PopFunc(Tail, func(e listpack.Entry) { got = e.AppendString(nil) })
			if ok != (len(model) > 0) || ok && !bytes.Equal(got, model[len(model)-1]) {
				t.Fatalf("round %d: PopTail %q %v", round, got, ok)
			}
			if ok {
				model = model[:len(model)-1]
			}
		case op == 9:
			i := idx(2)
			what = fmt.Sprintf("Index(%d)", i)
			e, ok := q.Index(i)
			k, want := norm(i)
			if ok != want || ok && !e.Equal(model[k]) {
				t.Fatalf("round %d: %s = %q %v", round, what, e.String(), ok)
			}
		case op == 10:
			i := idx(1)
			what = fmt.Sprintf("Set(%d)", i)
			ok := q.Set(i, v)
			k, want := norm(i)
			if ok != want {
				t.Fatalf("round %d: %s = %v", round, what, ok)
			}
			if ok {
				model[k] = v
				strict = false
			}
		case op == 11 || op == 12:
			pivot := pick()
			after := op == 12
			what = fmt.Sprintf("Insert(after %v, pivot %.20q)", after, pivot)
			ok := q.insertPivot(pivot, v, after)
			k := slices.IndexFunc(model, func(m []byte) bool { return bytes.Equal(m, pivot) })
			if ok != (k >= 0) {
				t.Fatalf("round %d: %s = %v", round, what, ok)
			}
			if ok {
				strict = false // a split node takes v whatever its size, as in Redis
				if after {
					k++
				}
				model = slices.Insert(model, k, v)
			}
		case op == 13:
			start, count := idx(2), r.IntN(len(model)/2+3)-1
			what = fmt.Sprintf("DelRange(%d, %d)", start, count)
			ok := q.DelRange(start, count)
			k, in := norm(start)
			if ok != (in && count > 0) {
				t.Fatalf("round %d: %s = %v", round, what, ok)
			}
			if ok {
				model = slices.Delete(model, k, min(k+count, len(model)))
			}
		case op == 14:
			start, stop := idx(2), idx(2)
			what = fmt.Sprintf("Trim(%d, %d)", start, stop)
			q.Trim(start, stop)
			n := len(model)
			s, e := start, stop
			if s < 0 {
				s += n
			}
			if e < 0 {
				e += n
			}
			s = max(s, 0)
			if s > e || s >= n {
				model = nil
			} else {
				model = model[s : min(e, n-1)+1]
			}
		case op == 15:
			val, count := pick(), r.IntN(7)-3
			what = fmt.Sprintf("Rem(%.20q, %d)", val, count)
			got := q.Rem(val, count)
			want := 0
			if count >= 0 {
				for k := 0; k < len(model); {
					if bytes.Equal(model[k], val) && (count == 0 || want < count) {
						model = slices.Delete(model, k, k+1)
						want++
						continue
					}
					k++
				}
			} else {
				for k := len(model) - 1; k >= 0; k-- {
					if bytes.Equal(model[k], val) && want < -count {
						model = slices.Delete(model, k, k+1)
						want++
					}
				}
			}
			if got != want {
				t.Fatalf("round %d: %s = %d, want %d", round, what, got, want)
			}
		case op == 16:
			val, rank, maxlen, count := pick(), r.IntN(5)-2, r.IntN(len(model)+2), r.IntN(3)
			if rank == 0 {
				rank = 1
			}
			what = fmt.Sprintf("Pos(%.20q, %d, %d, %d)", val, rank, maxlen, count)
			var got, want []int
			q.Pos(val, rank, maxlen, func(i int) bool { got = append(got, i); return count == 0 || len(got) < count })
			matches := 0
			for j := 0; j < len(model) && (maxlen == 0 || j < maxlen); j++ {
				k := j
				if rank < 0 {
					k = len(model) - 1 - j
				}
				if bytes.Equal(model[k], val) {
					if matches++; matches >= max(rank, -rank) {
						want = append(want, k)
						if count != 0 && len(want) == count {
							break
						}
					}
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("round %d: %s = %v, want %v", round, what, got, want)
			}
		case op == 17:
			start, stop, reverse := idx(2), idx(2), r.IntN(2) == 0
			what = fmt.Sprintf("Range(%d, %d, %v)", start, stop, reverse)
			var got [][]byte
			q.Range(start, stop, reverse, func(e listpack.Entry) bool { got = append(got, e.AppendString(nil)); return true })
			n := len(model)
			s, e := start, stop
			if s < 0 {
				s += n
			}
			if e < 0 {
				e += n
			}
			s = max(s, 0)
			var want [][]byte
			if s <= e && s < n {
				want = slices.Clone(model[s : min(e, n-1)+1])
				if reverse {
					slices.Reverse(want)
				}
			}
			if !slices.EqualFunc(got, want, bytes.Equal) {
				t.Fatalf("round %d: %s = %q, want %q", round, what, got, want)
			}
		case op == 18:
			from := idx(1)
			what = fmt.Sprintf("Iterator(%d, reverse)", from)
			it := q.Iterator(from, true)
			k, ok := norm(from)
			for ; ok && k >= 0; k-- {
				e, more := it.Next()
				if !more || !e.Equal(model[k]) {
					t.Fatalf("round %d: %s: element %d is %q", round, what, k, e.String())
				}
			}
			if _, more := it.Next(); more {
				t.Fatalf("round %d: %s: went past the head", round, what)
			}
		default:
			what = "AppendListpack"
			if r.IntN(4) > 0 {
				continue
			}
			var lp listpack.Listpack
			for range r.IntN(4) {
				x := randValue(r, true)
				lp.Append(x)
				model = append(model, x)
			}
			q.AppendListpack(lp)
			strict = false
		}
		if err := q.check(strict); err != nil {
			t.Fatalf("round %d: after %s: %v (SEED=%d)", round, what, err, seed)
		}
		if got := contents(q); q.Len() != len(model) || !slices.EqualFunc(got, model, bytes.Equal) {
			t.Fatalf("round %d: after %s: list differs from model: %d vs %d elements (SEED=%d)", round, what, q.Len(), len(model), seed)
		}
		if len(model) > 3000 {
			q.Trim(1000, -1)
			model = model[1000:]
		}
	}
}

// TestNoAllocs: reads, and a queue in steady state, do not allocate.
func TestNoAllocs(t *testing.T) {
	q := New(DefaultFill, 0)
	v := []byte("abcdefghij")
	for range 5000 {
		q.PushTail(v)
	}
	dst := make([]byte, 0, 64)
	for range 5000 { // settle: the spare buffer is in use
		q.PushTail(v)
		dst, _ = q.PopHead(dst[:0])
	}
	allocs := testing.AllocsPerRun(5000, func() {
		q.PushTail(v)
		dst, _ = q.PopHead(dst[:0])
		e, _ := q.Index(2500)
		dst = e.AppendString(dst[:0])
		q.Range(100, 120, false, func(e listpack.Entry) bool { return len(e.Str) > 0 })
		q.Pos(v, -1, 10, func(int) bool { return false })
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run", allocs)
	}
}
