package dict

import (
	"math"
	"strconv"
	"testing"
)

// TestScanGuarantee mutates the dict between scan calls — growing it,
// shrinking it, leaving rehashes half done — and asserts that a full scan
// returns every key present throughout.
func TestScanGuarantee(t *testing.T) {
	seed := testSeed(t)
	rng := newRand(seed)
	states := map[string]int{}
	for round := range 150 {
		d := New[int]()
		nStable := rng.IntN(300)
		for i := range nStable {
			d.InsertString("s"+strconv.Itoa(i), i)
		}
		// Volatile keys come and go; their value is -1.
		var volatile []string
		next := 0
		addVolatile := func(n int) {
			for range n {
				k := "v" + strconv.Itoa(next)
				next++
				d.InsertString(k, -1)
				volatile = append(volatile, k)
			}
		}
		addVolatile(rng.IntN(3000))
		if rng.IntN(2) == 0 {
			finish(d)
		}
		seen := map[string]int{}
		var cursor uint64
		for calls := 0; ; calls++ {
			if calls > 1e6 {
				t.Fatalf("round %d: scan did not finish", round)
			}
			switch {
			case !d.Rehashing():
				states["stable"]++
			case func() bool { a, b := d.Buckets(); return a < b }():
				states["growing"]++
			default:
				states["shrinking"]++
			}
			cursor = d.Scan(cursor, func(key string, v *int) {
				seen[key]++
				// Delete some volatile keys from the callback.
				if *v < 0 && rng.IntN(8) == 0 {
					if _, ok := d.DeleteString(key); !ok {
						t.Fatalf("round %d: could not delete %q during scan", round, key)
					}
				}
			})
			if rng.IntN(64) == 0 {
				mustCheck(t, d, "after Scan")
			}
			if cursor == 0 {
				break
			}
			switch rng.IntN(20) {
			case 0: // grow
				if len(volatile) < 5000 {
					addVolatile(rng.IntN(2000))
				}
			case 1: // shrink: delete most volatile keys
				kept := volatile[:0]
				for _, k := range volatile {
					if rng.IntN(10) == 0 {
						kept = append(kept, k)
					} else {
						d.DeleteString(k)
					}
				}
				volatile = kept
			case 2:
				d.RehashStep(rng.IntN(50))
			case 3:
				for range rng.IntN(100) {
					d.FindString("s0")
				}
			}
			if rng.IntN(64) == 0 {
				mustCheck(t, d, "after mutation")
			}
		}
		mustCheck(t, d, "after scan")
		for i := range nStable {
			if k := "s" + strconv.Itoa(i); seen[k] == 0 {
				t.Fatalf("round %d: scan missed %q", round, k)
			}
		}
	}
	t.Logf("scan calls by table state: %v", states)
	for _, s := range []string{"stable", "growing", "shrinking"} {
		if states[s] == 0 {
			t.Errorf("no scan call ran while the table was %s", s)
		}
	}
}

// TestScanExactlyOnce: without mutations between calls, even mid-rehash, a
// full scan returns each key exactly once.
func TestScanExactlyOnce(t *testing.T) {
	for _, n := range []int{1, 5, 100, 1000, 4097} {
		for _, rehashing := range []bool{false, true} {
			d := New[int]()
			for i := range n {
				d.InsertString(strconv.Itoa(i), i)
			}
			if rehashing {
				// Insert until a rehash is in progress.
				for i := n; !d.Rehashing(); i++ {
					d.InsertString(strconv.Itoa(i), i)
				}
			} else {
				finish(d)
			}
			seen := map[string]int{}
			var cursor uint64
			for {
				cursor = d.Scan(cursor, func(key string, _ *int) { seen[key]++ })
				if cursor == 0 {
					break
				}
			}
			if len(seen) != d.Len() {
				t.Fatalf("n=%d rehashing=%v: %d keys seen, want %d", n, rehashing, len(seen), d.Len())
			}
			for k, c := range seen {
				if c != 1 {
					t.Fatalf("n=%d rehashing=%v: %q seen %d times", n, rehashing, k, c)
				}
			}
		}
	}
}

// rehashingDict returns a dict in the middle of a grow (grow=true) or of a
// shrink, holding keys strconv.Itoa(i) -> i for i in 0..Len-1, Len >= n.
func rehashingDict(t *testing.T, n int, grow bool) *Dict[int] {
	t.Helper()
	d := New[int]()
	if grow {
		for i := 0; i < n || !d.Rehashing(); i++ {
			d.InsertString(strconv.Itoa(i), i)
		}
	} else {
		for i := range 20 * n {
			d.InsertString(strconv.Itoa(i), i)
		}
		finish(d)
		for i := 20*n - 1; i >= n; i-- {
			d.DeleteString(strconv.Itoa(i))
		}
		if !d.Rehashing() {
			d.RehashStep(0) // start the pending shrink
		}
	}
	if !d.Rehashing() {
		t.Fatalf("could not reach a rehash state (grow=%v)", grow)
	}
	mustCheck(t, d, "rehashingDict")
	return d
}

// TestRandom checks that Random is roughly uniform, works mid-rehash and on
// very sparse tables, and never returns a deleted entry.
func TestRandom(t *testing.T) {
	seed := testSeed(t)
	rng := newRand(seed)

	// Uniform arena probes, then (most of the arena free) bucket sampling,
	// which is only roughly fair: its bias follows chain lengths, which depend on the
	// per-dict hash seed (not on SEED), so the bound only rules out starvation.
	for _, c := range []struct {
		name  string
		extra int     // keys inserted then deleted, leaving free slots
		skew  float64 // allowed min/max ratio to the mean
	}{{"uniform", 0, 1.3}, {"sampled", 2000, 5}} {
		t.Run(c.name, func(t *testing.T) {
			const n, draws = 200, 200000
			d := New[int]()
			for i := range n + c.extra {
				d.InsertString(strconv.Itoa(i), i)
			}
			for i := n; i < n+c.extra; i++ {
				d.DeleteString(strconv.Itoa(i))
			}
			for d.RehashStep(100) {
			}
			counts := make([]int, n)
			for range draws {
				key, v, ok := d.Random(rng)
				if !ok || strconv.Itoa(*v) != key {
					t.Fatalf("Random: %q %v %v", key, *v, ok)
				}
				counts[*v]++
			}
			lo, hi := math.MaxInt, 0
			for _, c := range counts {
				lo, hi = min(lo, c), max(hi, c)
			}
			mean := float64(draws / n)
			t.Logf("%d draws over %d keys: min %d, max %d per key (mean %.0f)", draws, n, lo, hi, mean)
			if float64(lo) < mean/c.skew || float64(hi) > mean*c.skew {
				t.Fatalf("skewed: min %d, max %d, mean %.0f", lo, hi, mean)
			}
		})
	}

	for _, grow := range []bool{true, false} {
		name := map[bool]string{true: "growing", false: "shrinking"}[grow]
		t.Run(name, func(t *testing.T) {
			d := rehashingDict(t, 300, grow)
			seen := map[string]bool{}
			for range 20000 {
				key, v, ok := d.Random(rng)
				if p, found := d.FindString(key); !ok || !found || p != v {
					t.Fatalf("Random returned %q (ok=%v), not in the dict", key, ok)
				}
				seen[key] = true
			}
			if len(seen) != d.Len() {
				t.Fatalf("saw %d of %d keys", len(seen), d.Len())
			}
		})
	}

	t.Run("sparse", func(t *testing.T) {
		// Three keys in 2^20 buckets: sampling finds nothing and the
		// fallback walks to a non-empty bucket.
		d := New[int]()
		for i := range 3 {
			d.InsertString(strconv.Itoa(i), i)
		}
		d.Expand(1 << 20)
		finish(d)
		if b, _ := d.Buckets(); b != 1<<20 {
			t.Fatalf("%d buckets", b)
		}
		counts := make([]int, 3)
		for range 300 {
			_, v, ok := d.Random(rng)
			if !ok {
				t.Fatal("Random on a sparse table failed")
			}
			counts[*v]++
			counts[d.arena.at(d.randomEntry(rng)).val]++
		}
		for i, c := range counts {
			if c == 0 {
				t.Fatalf("key %d never returned: %v", i, counts)
			}
		}
		mustCheck(t, d, "sparse")
	})

	t.Run("deleted", func(t *testing.T) {
		d := New[int]()
		live := map[string]bool{}
		for i := range 20000 {
			k := strconv.Itoa(i)
			d.InsertString(k, i)
			live[k] = true
			if rng.IntN(3) != 0 {
				victim, _, _ := d.Random(rng)
				d.DeleteString(victim)
				delete(live, victim)
			}
			if key, _, ok := d.Random(rng); ok && !live[key] {
				t.Fatalf("Random returned deleted key %q", key)
			}
		}
		mustCheck(t, d, "deleted")
	})
}

func TestSomeKeys(t *testing.T) {
	seed := testSeed(t)
	rng := newRand(seed)
	for _, name := range []string{"stable", "growing", "shrinking"} {
		t.Run(name, func(t *testing.T) {
			var d *Dict[int]
			if name == "stable" {
				d = New[int]()
				for i := range 500 {
					d.InsertString(strconv.Itoa(i), i)
				}
				finish(d)
			} else {
				d = rehashingDict(t, 500, name == "growing")
			}
			n := d.Len()
			seen := map[string]bool{}
			for range 2000 {
				want := 1 + rng.IntN(40)
				got := 0
				c := d.SomeKeys(rng, want, func(key string, v *int) {
					if p, ok := d.FindString(key); !ok || p != v {
						t.Fatalf("SomeKeys returned %q, not in the dict", key)
					}
					seen[key] = true
					got++
				})
				if c != got || c > want {
					t.Fatalf("SomeKeys(%d) returned %d, called back %d times", want, c, got)
				}
			}
			if len(seen) != n {
				t.Fatalf("sampled %d distinct of %d keys", len(seen), n)
			}
			mustCheck(t, d, name)
		})
	}

	t.Run("evict", func(t *testing.T) {
		// Eviction-style: the callback deletes what it is given.
		d := rehashingDict(t, 2000, true)
		for d.Len() > 0 {
			before := d.Len()
			c := d.SomeKeys(rng, 5, func(key string, _ *int) {
				if _, ok := d.DeleteString(key); !ok {
					t.Fatalf("could not delete sampled %q", key)
				}
			})
			if d.Len() != before-c {
				t.Fatalf("sampled %d, len %d -> %d", c, before, d.Len())
			}
			mustCheck(t, d, "evict")
		}
	})
}

// TestEachDuringRehash: Each sees every entry once even when its callback
// drives rehash steps and deletes the entries it is given.
func TestEachDuringRehash(t *testing.T) {
	d := rehashingDict(t, 3000, true)
	n := d.Len()
	seen := map[string]int{}
	deleted := 0
	d.Each(func(key string, v *int) bool {
		seen[key]++
		d.FindString("1") // a rehash step
		if *v%2 == 0 {
			d.DeleteString(key)
			deleted++
		}
		return true
	})
	if len(seen) != n {
		t.Fatalf("Each saw %d of %d keys", len(seen), n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("%q seen %d times", k, c)
		}
	}
	if d.Len() != n-deleted || deleted != (n+1)/2 {
		t.Fatalf("len %d after deleting %d of %d", d.Len(), deleted, n)
	}
	mustCheck(t, d, "each")
	stops := 0
	d.Each(func(string, *int) bool { stops++; return stops < 10 })
	if stops != 10 {
		t.Fatalf("Each did not stop: %d calls", stops)
	}
}
