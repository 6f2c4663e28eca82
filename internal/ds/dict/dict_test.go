package dict

import (
	"fmt"
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

func mustCheck[V any](t *testing.T, d *Dict[V], what string) {
	t.Helper()
	if err := d.check(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// finish completes any rehash in progress.
func finish[V any](d *Dict[V]) {
	for d.rehash(1 << 20) {
	}
}

func TestEmpty(t *testing.T) {
	d := New[int]()
	mustCheck(t, d, "new")
	if _, ok := d.Find([]byte("x")); ok {
		t.Fatal("Find on empty dict found something")
	}
	if _, ok := d.Delete(nil); ok {
		t.Fatal("Delete on empty dict deleted something")
	}
	if _, _, ok := d.Random(rand.NewPCG(1, 2)); ok {
		t.Fatal("Random on empty dict returned an entry")
	}
	if n := d.SomeKeys(rand.NewPCG(1, 2), 5, func(string, *int) { t.Fatal("SomeKeys callback on empty dict") }); n != 0 {
		t.Fatalf("SomeKeys on empty dict: got %d, want 0", n)
	}
	if c := d.Scan(0, func(string, *int) { t.Fatal("Scan callback on empty dict") }); c != 0 {
		t.Fatalf("Scan on empty dict: got cursor %d, want 0", c)
	}
	d.Each(func(string, *int) bool { t.Fatal("Each callback on empty dict"); return true })
	if d.RehashStep(10) {
		t.Fatal("RehashStep on empty dict reports work")
	}
	mustCheck(t, d, "after reads")
}

func TestBasic(t *testing.T) {
	d := New[string]()
	p, inserted := d.Insert([]byte("a"), "1")
	if !inserted || *p != "1" {
		t.Fatalf("Insert new: got %q, %v", *p, inserted)
	}
	q, inserted := d.Insert([]byte("a"), "2")
	if inserted || q != p || *p != "2" {
		t.Fatalf("Insert existing: got %q, %v, same pointer %v", *q, inserted, q == p)
	}
	if v, existed := d.Upsert([]byte("a")); !existed || v != p {
		t.Fatalf("Upsert existing: got existed=%v same pointer %v", existed, v == p)
	}
	v, existed := d.Upsert([]byte("b"))
	if existed || *v != "" {
		t.Fatalf("Upsert new: got %q, existed=%v", *v, existed)
	}
	*v = "3"
	if got, ok := d.FindString("b"); !ok || *got != "3" {
		t.Fatalf("FindString after Upsert: got %v", ok)
	}
	// The empty key is a key like any other.
	d.InsertString("", "empty")
	if got, ok := d.Find(nil); !ok || *got != "empty" {
		t.Fatalf("Find empty key: got %v", ok)
	}
	// Insert copies the key: the caller may reuse its buffer.
	buf := []byte("key")
	d.Insert(buf, "k")
	copy(buf, "xyz")
	if _, ok := d.FindString("key"); !ok {
		t.Fatal("Insert did not copy its key")
	}
	if old, ok := d.Delete([]byte("a")); !ok || old != "2" {
		t.Fatalf("Delete: got %q, %v", old, ok)
	}
	if _, ok := d.DeleteString("a"); ok {
		t.Fatal("Delete twice succeeded")
	}
	if d.Len() != 3 {
		t.Fatalf("Len: got %d, want 3", d.Len())
	}
	mustCheck(t, d, "basic")
	d.Clear()
	if d.Len() != 0 || d.MemoryUsage() > 200 {
		t.Fatalf("after Clear: len %d, memory %d", d.Len(), d.MemoryUsage())
	}
	mustCheck(t, d, "clear")
}

// TestModel runs random operations against a map[string]int model, checking
// every invariant after each one.
func TestModel(t *testing.T) {
	seed := testSeed(t)
	rng := newRand(seed)
	d := New[int]()
	model := map[string]int{}
	ptrs := map[string]*int{} // pointers handed out must stay valid
	var cursor uint64
	var scanned map[string]bool
	const ops = 40000
	space := 10
	growing := true
	for op := range ops {
		if op%2000 == 0 {
			// Alternate phases that fill and drain the dict over key
			// spaces of varying size, to exercise growth and shrink.
			growing = !growing
			space = 1 + rng.IntN(3000)
		}
		key := "k" + strconv.Itoa(rng.IntN(space))
		if rng.IntN(200) == 0 {
			key = ""
		}
		val := rng.Int()
		what := ""
		insertBias, deleteBias := 30, 10
		if !growing {
			insertBias, deleteBias = 10, 35
		}
		switch k := rng.IntN(100); {
		case k < insertBias:
			var p *int
			var inserted bool
			if rng.IntN(2) == 0 {
				what = "Insert"
				p, inserted = d.Insert([]byte(key), val)
			} else {
				what = "InsertString"
				p, inserted = d.InsertString(key, val)
			}
			_, had := model[key]
			if inserted == had {
				t.Fatalf("op %d %s %q: inserted=%v but model had=%v", op, what, key, inserted, had)
			}
			if had && ptrs[key] != p {
				t.Fatalf("op %d %s %q: pointer changed", op, what, key)
			}
			model[key], ptrs[key] = val, p
		case k < insertBias+deleteBias:
			what = "Delete"
			var got int
			var ok bool
			if rng.IntN(2) == 0 {
				got, ok = d.Delete([]byte(key))
			} else {
				got, ok = d.DeleteString(key)
			}
			want, had := model[key]
			if ok != had || got != want {
				t.Fatalf("op %d Delete %q: got %d, %v, want %d, %v", op, key, got, ok, want, had)
			}
			delete(model, key)
			delete(ptrs, key)
		case k < 60:
			what = "Upsert"
			var p *int
			var existed bool
			if rng.IntN(2) == 0 {
				p, existed = d.Upsert([]byte(key))
			} else {
				p, existed = d.UpsertString(key)
			}
			want, had := model[key]
			if existed != had || *p != want || (had && p != ptrs[key]) {
				t.Fatalf("op %d Upsert %q: got %d, %v, want %d, %v", op, key, *p, existed, want, had)
			}
			*p = val
			model[key], ptrs[key] = val, p
		case k < 80:
			what = "Find"
			p, ok := d.Find([]byte(key))
			want, had := model[key]
			if ok != had || (ok && (*p != want || p != ptrs[key])) {
				t.Fatalf("op %d Find %q: got %v, want %d, %v", op, key, ok, want, had)
			}
		case k < 84:
			what = "RehashStep"
			d.RehashStep(rng.IntN(4))
		case k < 88:
			what = "Random"
			key, p, ok := d.Random(rng)
			if ok != (len(model) > 0) {
				t.Fatalf("op %d Random: ok=%v with %d keys", op, ok, len(model))
			}
			if want, had := model[key]; ok && (!had || *p != want || p != ptrs[key]) {
				t.Fatalf("op %d Random returned %q, not in the dict", op, key)
			}
		case k < 92:
			what = "SomeKeys"
			n := rng.IntN(30)
			got := d.SomeKeys(rng, n, func(key string, p *int) {
				if want, had := model[key]; !had || *p != want || p != ptrs[key] {
					t.Fatalf("op %d SomeKeys returned %q, not in the dict", op, key)
				}
			})
			if got > n || got > len(model) {
				t.Fatalf("op %d SomeKeys(%d): got %d with %d keys", op, n, got, len(model))
			}
		case k < 97:
			// One step of a scan that runs across the other ops.
			what = "Scan"
			if cursor == 0 {
				scanned = map[string]bool{}
			}
			cursor = d.Scan(cursor, func(key string, p *int) {
				if want, had := model[key]; !had || *p != want {
					t.Fatalf("op %d Scan returned %q, not in the dict", op, key)
				}
				scanned[key] = true
			})
		case k < 98:
			what = "Expand"
			n := len(model) + rng.IntN(5000)
			if d.Expand(n) {
				if b, r := d.Buckets(); max(b, r) < n {
					t.Fatalf("op %d Expand(%d) left %d/%d buckets", op, n, b, r)
				}
			}
		case k < 99:
			what = "Each"
			seen := 0
			d.Each(func(key string, p *int) bool {
				if want, had := model[key]; !had || *p != want || p != ptrs[key] {
					t.Fatalf("op %d Each returned %q, not in the dict", op, key)
				}
				seen++
				return true
			})
			if seen != len(model) {
				t.Fatalf("op %d Each visited %d, want %d", op, seen, len(model))
			}
		default:
			if rng.IntN(20) == 0 {
				what = "Clear"
				d.Clear()
				clear(model)
				clear(ptrs)
				cursor = 0
			}
		}
		if err := d.check(); err != nil {
			t.Fatalf("op %d (%s %q): %v", op, what, key, err)
		}
		if d.Len() != len(model) {
			t.Fatalf("op %d (%s %q): Len %d, model %d", op, what, key, d.Len(), len(model))
		}
	}
	for k, want := range model {
		if p, ok := d.FindString(k); !ok || *p != want {
			t.Fatalf("final: %q missing or wrong", k)
		}
	}
}

// TestPointerStability holds pointers across growth, shrinking and slot
// reuse.
func TestPointerStability(t *testing.T) {
	d := New[[2]int]()
	const anchors = 50
	ptrs := make([]*[2]int, anchors)
	for i := range anchors {
		ptrs[i], _ = d.InsertString("anchor"+strconv.Itoa(i), [2]int{i, -i})
	}
	for round := range 3 {
		for i := range 100000 {
			d.Insert([]byte("x"+strconv.Itoa(i)), [2]int{round, i})
		}
		for i := range 100000 {
			if i%10 != 0 {
				d.Delete([]byte("x" + strconv.Itoa(i)))
			}
		}
		for i, p := range ptrs {
			q, ok := d.FindString("anchor" + strconv.Itoa(i))
			if !ok || q != p || *p != [2]int{i + round, -i} {
				t.Fatalf("round %d anchor %d: found=%v same pointer=%v value %v", round, i, ok, q == p, *p)
			}
			p[0]++ // writes through the old pointer are seen by Find
		}
		mustCheck(t, d, "round")
	}
}

// TestResize checks the growth and shrink policy and that resizing is
// incremental.
func TestResize(t *testing.T) {
	d := New[int]()
	for i := range 4 {
		d.InsertString(strconv.Itoa(i), i)
	}
	if b, _ := d.Buckets(); b != 4 || d.Rehashing() {
		t.Fatalf("4 keys: %d buckets, rehashing %v", b, d.Rehashing())
	}
	d.InsertString("4", 4) // len 4 >= 4 buckets: grow to 8
	if b, r := d.Buckets(); b != 4 || r != 8 || !d.Rehashing() {
		t.Fatalf("5th key: buckets %d -> %d, rehashing %v", b, r, d.Rehashing())
	}
	finish(d)
	for i := 5; i < 1<<16; i++ {
		d.InsertString(strconv.Itoa(i), i)
	}
	finish(d)
	if b, _ := d.Buckets(); b != 1<<16 {
		t.Fatalf("65536 keys: %d buckets", b)
	}
	// One more key starts a rehash to 2^17 that no single operation
	// completes.
	d.InsertString("more", 0)
	if _, r := d.Buckets(); r != 1<<17 {
		t.Fatalf("grow target %d", r)
	}
	steps := 0
	for d.Rehashing() {
		d.FindString("0")
		steps++
	}
	if steps < 1000 {
		t.Fatalf("rehash of 65536 keys finished in %d lookups", steps)
	}
	// Deleting down to < 10% fill shrinks to the next power of two.
	for i := 0; i < 1<<16; i++ {
		if i >= 10000 {
			d.DeleteString(strconv.Itoa(i))
		}
	}
	for d.RehashStep(100) {
	}
	if b, _ := d.Buckets(); b != 16384 {
		t.Fatalf("after deleting to %d keys: %d buckets", d.Len(), b)
	}
	mustCheck(t, d, "after shrink")
	for i := range 10000 {
		d.DeleteString(strconv.Itoa(i))
	}
	for d.RehashStep(100) {
	}
	if b, _ := d.Buckets(); b > 8 || d.Len() != 1 {
		t.Fatalf("after deleting to %d keys: %d buckets", d.Len(), b)
	}
	mustCheck(t, d, "after shrink to 1")
}

func TestExpand(t *testing.T) {
	d := New[int]()
	if !d.Expand(1000) {
		t.Fatal("Expand on empty dict failed")
	}
	if b, _ := d.Buckets(); b != 1024 || d.Rehashing() {
		t.Fatalf("Expand(1000): %d buckets, rehashing %v", b, d.Rehashing())
	}
	for i := range 1000 {
		d.InsertString(strconv.Itoa(i), i)
	}
	if b, _ := d.Buckets(); b != 1024 || d.Rehashing() {
		t.Fatalf("presized dict grew: %d buckets, rehashing %v", b, d.Rehashing())
	}
	if d.Expand(10) {
		t.Fatal("Expand below Len succeeded")
	}
	mustCheck(t, d, "expand")
}

// TestPrefetch: Prefetch changes nothing, also mid-rehash, and reuses its scratch.
func TestPrefetch(t *testing.T) {
	d := New[int]()
	var keys []string
	for i := range 3000 {
		keys = append(keys, strconv.Itoa(i))
	}
	scratch := d.Prefetch(keys, nil) // no table yet
	for i, k := range keys[:2000] {
		d.InsertString(k, i)
		if i%500 == 0 {
			scratch = d.Prefetch(keys, scratch) // also while rehashing
		}
	}
	if len(scratch) != len(keys) {
		t.Fatalf("scratch holds %d heads, want %d", len(scratch), len(keys))
	}
	// PrefetchEvery: every key, every other (MSET's keys), more keys than it reads, none,
	// keys never inserted, a step that selects nothing; none of it changes the dict.
	bkeys := make([][]byte, len(keys))
	for i, k := range keys {
		bkeys[i] = []byte(k)
	}
	for _, step := range []int{1, 2, 7, 0, -1} {
		d.PrefetchEvery(bkeys, step)
		d.PrefetchEvery(bkeys[:3], step)
		d.PrefetchEvery(nil, step)
		d.PrefetchEvery([][]byte{{}}, step) // an empty key
	}
	New[int]().PrefetchEvery(bkeys, 1) // no table yet
	if d.Len() != 2000 {
		t.Fatalf("Len %d after Prefetch, want 2000", d.Len())
	}
	for i, k := range keys {
		v, ok := d.FindString(k)
		if ok != (i < 2000) || (ok && *v != i) {
			t.Fatalf("key %s: found %v", k, ok)
		}
	}
	mustCheck(t, d, "prefetch")
}

func TestNoAllocs(t *testing.T) {
	d := New[int]()
	const n = 1000
	keys := make([][]byte, n)
	skeys := make([]string, n)
	for i := range keys {
		skeys[i] = "key:" + strconv.Itoa(i)
		keys[i] = []byte(skeys[i])
		d.Insert(keys[i], i)
	}
	finish(d)
	src := rand.NewPCG(1, 2)
	i := 0
	for _, c := range []struct {
		name string
		fn   func()
	}{
		{"Find", func() { d.Find(keys[i%n]) }},
		{"FindString", func() { d.FindString(skeys[i%n]) }},
		{"Insert existing", func() { d.Insert(keys[i%n], i) }},
		{"Upsert existing", func() { d.Upsert(keys[i%n]) }},
		{"Delete and InsertString", func() {
			d.Delete(keys[i%n])
			d.InsertString(skeys[i%n], i)
		}},
		{"Random", func() { d.Random(src) }},
		{"SomeKeys", func() { d.SomeKeys(src, 20, func(string, *int) {}) }},
		{"Scan", func() { d.Scan(uint64(i), func(string, *int) {}) }},
		{"PrefetchEvery", func() { d.PrefetchEvery(keys[i%(n-20):], 2) }},
	} {
		if a := testing.AllocsPerRun(1000, func() { c.fn(); i++ }); a != 0 {
			t.Errorf("%s: %v allocs per op", c.name, a)
		}
	}
	mustCheck(t, d, "after")
}

func TestMemoryUsage(t *testing.T) {
	d := New[[2]uint64]()
	for i := range 100000 {
		d.InsertString(strconv.Itoa(i), [2]uint64{})
	}
	finish(d)
	per := float64(d.MemoryUsage()) / float64(d.Len())
	// 40-byte entries, 131072 buckets of 4 bytes for 100000 keys.
	if per < 40 || per > 50 {
		t.Fatalf("%.1f bytes per entry", per)
	}
	t.Logf("%.1f bytes per entry (V = 16 bytes), excluding key bytes", per)
}

func TestArenaLayout(t *testing.T) {
	var a arena[int]
	for i := range 5000 {
		r := a.alloc()
		if r != uint32(i+1) {
			t.Fatalf("alloc %d: ref %d", i, r)
		}
		a.at(r).val = i
	}
	// Every index maps to its own slot.
	seen := map[*entry[int]]bool{}
	for r := uint32(1); r <= 5000; r++ {
		e := a.at(r)
		if seen[e] || e.val != int(r-1) {
			t.Fatalf("ref %d maps to a shared or wrong slot", r)
		}
		seen[e] = true
	}
	// Slots are reused last-freed first.
	a.release(7)
	a.release(4000)
	if r := a.alloc(); r != 4000 {
		t.Fatalf("reuse: got %d, want 4000", r)
	}
	if r := a.alloc(); r != 7 {
		t.Fatalf("reuse: got %d, want 7", r)
	}
	if want := []int{8, 8, 16, 32, 64, 128, 256, 512, 1024}; !slices.Equal(chunkSizes(&a)[:9], want) {
		t.Fatalf("chunk sizes %v, want prefix %v", chunkSizes(&a), want)
	}
}

func chunkSizes(a *arena[int]) []int {
	var s []int
	for _, c := range a.chunks {
		s = append(s, len(c))
	}
	return s
}

func ExampleDict_Scan() {
	d := New[int]()
	for i := range 5 {
		d.InsertString(fmt.Sprint("key", i), i)
	}
	n := 0
	for cursor := d.Scan(0, func(string, *int) { n++ }); cursor != 0; {
		cursor = d.Scan(cursor, func(string, *int) { n++ })
	}
	fmt.Println(n)
	// Output: 5
}
