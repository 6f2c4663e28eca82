package types

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"cairn/internal/ds/listpack"
	"cairn/internal/keyspace"
)

// testSeed returns $SEED if set, else a random seed; it is logged so that a failure
// can be replayed with SEED=.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("bad SEED %q: %v", s, err)
		}
	}
	t.Logf("SEED=%d", seed)
	return seed
}

// listContents returns the elements of l as strings, head first.
func listContents(l *List) []string {
	var out []string
	l.Each(func(e ListEntry) bool {
		out = append(out, e.String())
		return true
	})
	return out
}

// checkList verifies l against the model: length, contents, every node a valid
// listpack whose entries add up to the length.
func checkList(t *testing.T, l *List, model []string, step int, op string) {
	t.Helper()
	if l.Len() != len(model) {
		t.Fatalf("step %d (%s): Len %d, model %d", step, op, l.Len(), len(model))
	}
	if got := listContents(l); !slices.Equal(got, model) && !(len(got) == 0 && len(model) == 0) {
		t.Fatalf("step %d (%s): contents\n got %q\nwant %q", step, op, got, model)
	}
	total := 0
	l.Quicklist().Nodes(func(data []byte, plain bool) bool {
		if plain {
			total++
			return true
		}
		lp, err := listpack.FromBytes(bytes.Clone(data))
		if err != nil {
			t.Fatalf("step %d (%s): invalid node: %v", step, op, err)
		}
		if lp.Len() == 0 {
			t.Fatalf("step %d (%s): empty node", step, op)
		}
		total += lp.Len()
		return true
	})
	if total != len(model) {
		t.Fatalf("step %d (%s): nodes hold %d elements, model %d", step, op, total, len(model))
	}
	if l.Encoding() != keyspace.EncQuicklist {
		t.Fatalf("encoding %v", l.Encoding())
	}
}

// modelRange is LRANGE's rule on the model.
func modelRange(n, start, stop int) (int, int, bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= n {
		return 0, 0, false
	}
	if stop >= n {
		stop = n - 1
	}
	return start, stop, true
}

// equalAsRedis is lpCompare as the model sees it: a stored canonical integer equals
// only its own canonical text, so comparing the texts is exact.
func equalAsRedis(a, b string) bool { return a == b }

func TestListModel(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 7))
	for round := 0; round < 40; round++ {
		fills := []int{-1, -2, -5, 1, 2, 3, 5, 128}
		lim := Limits{ListMaxListpackSize: fills[r.IntN(len(fills))]}
		l := NewList(lim)
		var model []string
		value := func() string {
			switch r.IntN(10) {
			case 0:
				return strconv.FormatInt(r.Int64()-r.Int64(), 10)
			case 1, 2:
				return strconv.Itoa(r.IntN(20))
			case 3:
				return string(bytes.Repeat([]byte{'x'}, 4000+r.IntN(6000))) // beyond a node
			case 4:
				return ""
			case 5:
				return "0" + strconv.Itoa(r.IntN(5)) // not canonical: stays a string
			default:
				return string(rune('a' + r.IntN(6)))
			}
		}
		index := func() int {
			n := len(model) + 2
			return r.IntN(2*n) - n
		}
		for step := 0; step < 400; step++ {
			var op string
			switch k := r.IntN(16); k {
			case 0, 1, 2:
				v := value()
				if r.IntN(2) == 0 {
					op = "push head"
					l.Push([]byte(v), ListHead)
					model = append([]string{v}, model...)
				} else {
					op = "push tail"
					l.Push([]byte(v), ListTail)
					model = append(model, v)
				}
			case 3:
				where := ListEnd(r.IntN(2))
				op = fmt.Sprintf("pop %d", where)
				var got string
				ok := l.Pop(where, func(e ListEntry) { got = e.String() })
				if ok != (len(model) > 0) {
					t.Fatalf("step %d: pop ok %v with %d elements", step, ok, len(model))
				}
				if ok {
					var want string
					if where == ListHead {
						want, model = model[0], model[1:]
					} else {
						want, model = model[len(model)-1], model[:len(model)-1]
					}
					if got != want {
						t.Fatalf("step %d: popped %q, want %q", step, got, want)
					}
				}
			case 4:
				op = "pop append"
				where := ListEnd(r.IntN(2))
				got, ok := l.PopAppend(where, []byte("prefix:"))
				if ok != (len(model) > 0) {
					t.Fatalf("step %d: pop ok %v with %d elements", step, ok, len(model))
				}
				if ok {
					var want string
					if where == ListHead {
						want, model = model[0], model[1:]
					} else {
						want, model = model[len(model)-1], model[:len(model)-1]
					}
					if string(got) != "prefix:"+want {
						t.Fatalf("step %d: popped %q, want %q", step, got, want)
					}
				}
			case 5:
				i := index()
				op = fmt.Sprintf("index %d", i)
				e, ok := l.Index(i)
				j := i
				if j < 0 {
					j += len(model)
				}
				inRange := j >= 0 && j < len(model)
				if ok != inRange || (ok && e.String() != model[j]) {
					t.Fatalf("step %d: Index(%d) = %q %v, model %q", step, i, e.String(), ok, model)
				}
			case 6:
				i, v := index(), value()
				op = fmt.Sprintf("set %d", i)
				ok := l.Set(i, []byte(v))
				j := i
				if j < 0 {
					j += len(model)
				}
				inRange := j >= 0 && j < len(model)
				if ok != inRange {
					t.Fatalf("step %d: Set(%d) = %v with %d elements", step, i, ok, len(model))
				}
				if ok {
					model[j] = v
				}
			case 7:
				pivot, v, after := value(), value(), r.IntN(2) == 0
				op = fmt.Sprintf("insert %q after=%v", pivot, after)
				ok := l.Insert([]byte(pivot), []byte(v), after)
				j := slices.IndexFunc(model, func(s string) bool { return equalAsRedis(s, pivot) })
				if ok != (j >= 0) {
					t.Fatalf("step %d: Insert found=%v, model index %d", step, ok, j)
				}
				if ok {
					if after {
						j++
					}
					model = slices.Insert(model, j, v)
				}
			case 8:
				v := value()
				count := r.IntN(7) - 3
				op = fmt.Sprintf("rem %q %d", v, count)
				got := l.Rem([]byte(v), count)
				want := 0
				if count >= 0 {
					for j := 0; j < len(model); {
						if model[j] == v && (count == 0 || want < count) {
							model = slices.Delete(model, j, j+1)
							want++
							continue
						}
						j++
					}
				} else {
					for j := len(model) - 1; j >= 0; j-- {
						if model[j] == v && want < -count {
							model = slices.Delete(model, j, j+1)
							want++
						}
					}
				}
				if got != want {
					t.Fatalf("step %d: Rem = %d, want %d", step, got, want)
				}
			case 9:
				start, stop, reverse := index(), index(), r.IntN(2) == 0
				op = fmt.Sprintf("range %d %d %v", start, stop, reverse)
				var got []string
				l.Range(start, stop, reverse, func(e ListEntry) bool {
					got = append(got, e.String())
					return true
				})
				var want []string
				if s, e, ok := modelRange(len(model), start, stop); ok {
					want = slices.Clone(model[s : e+1])
					if reverse {
						slices.Reverse(want)
					}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("step %d: %s = %q, want %q", step, op, got, want)
				}
				fs, fe, fok := ListRange(len(model), start, stop)
				ms, me, mok := modelRange(len(model), start, stop)
				if fs != ms || fe != me || fok != mok {
					t.Fatalf("step %d: ListRange(%d, %d, %d) = %d %d %v, want %d %d %v", step, len(model), start, stop, fs, fe, fok, ms, me, mok)
				}
			case 10:
				if r.IntN(4) != 0 {
					continue
				}
				start, stop := index(), index()
				op = fmt.Sprintf("trim %d %d", start, stop)
				before := len(model)
				got := l.Trim(start, stop)
				if s, e, ok := modelRange(len(model), start, stop); ok {
					model = model[s : e+1]
				} else {
					model = nil
				}
				if got != before-len(model) {
					t.Fatalf("step %d: Trim removed %d, want %d", step, got, before-len(model))
				}
			case 11:
				n := len(model)
				if n == 0 {
					continue
				}
				count := 1 + r.IntN(n)
				op = fmt.Sprintf("delrange %d", count)
				if r.IntN(2) == 0 {
					l.DelRange(0, count)
					model = model[count:]
				} else {
					l.DelRange(-count, count)
					model = model[:n-count]
				}
			case 12:
				v := value()
				rank := r.IntN(5) - 2
				if rank == 0 {
					rank = 1
				}
				maxlen := r.IntN(len(model) + 2)
				op = fmt.Sprintf("pos %q rank %d maxlen %d", v, rank, maxlen)
				var got []int
				l.Pos([]byte(v), rank, maxlen, func(i int) bool {
					got = append(got, i)
					return true
				})
				var want []int
				matches := 0
				for k := 0; k < len(model) && (maxlen == 0 || k < maxlen); k++ {
					j := k
					if rank < 0 {
						j = len(model) - 1 - k
					}
					if model[j] == v {
						matches++
						if matches >= max(rank, -rank) {
							want = append(want, j)
						}
					}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("step %d: %s = %v, want %v", step, op, got, want)
				}
			case 13:
				op = "dup"
				d := l.Dup().(*List)
				checkList(t, d, model, step, "dup copy")
				d.Push([]byte("only in the copy"), ListTail)
				if d.Len() != len(model)+1 {
					t.Fatalf("step %d: copy len %d", step, d.Len())
				}
				if r.IntN(2) == 0 {
					d.Pop(ListTail, func(ListEntry) {})
					l = d // carry on with the copy
				}
			default:
				continue
			}
			checkList(t, l, model, step, op)
		}
	}
}

func TestListRangeEdges(t *testing.T) {
	cases := []struct {
		n, start, stop int
		from, to       int
		ok             bool
	}{
		{5, 0, -1, 0, 4, true},
		{5, -100, 100, 0, 4, true},
		{5, 3, 1, 0, 0, false},
		{5, 5, 10, 0, 0, false},
		{5, -1, -2, 0, 0, false},
		{0, 0, -1, 0, 0, false},
		{5, -1 << 63, 1<<63 - 1, 0, 4, true},
		{5, 1<<63 - 1, -1 << 63, 0, 0, false},
	}
	for _, c := range cases {
		from, to, ok := ListRange(c.n, c.start, c.stop)
		if from != c.from || to != c.to || ok != c.ok {
			t.Errorf("ListRange(%d, %d, %d) = %d %d %v, want %d %d %v", c.n, c.start, c.stop, from, to, ok, c.from, c.to, c.ok)
		}
	}
}

func TestListIntegersComeBackAsText(t *testing.T) {
	l := NewList(Limits{ListMaxListpackSize: -2})
	for _, v := range []string{"12", "012", "-0", "9223372036854775807", "9223372036854775808", ""} {
		l.Push([]byte(v), ListTail)
	}
	if got, want := listContents(l), []string{"12", "012", "-0", "9223372036854775807", "9223372036854775808", ""}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	// LREM and LINSERT compare as Redis does: 12 matches the integer entry only.
	if n := l.Rem([]byte("12"), 0); n != 1 {
		t.Fatalf("Rem 12 removed %d", n)
	}
	if !l.Insert([]byte("012"), []byte("x"), true) {
		t.Fatal("pivot 012 not found")
	}
	if got, want := listContents(l), []string{"012", "x", "-0", "9223372036854775807", "9223372036854775808", ""}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
