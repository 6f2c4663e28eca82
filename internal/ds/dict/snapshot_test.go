package dict

import (
	"strconv"
	"testing"
)

// TestSnapshotIsPointInTime interleaves a stepped snapshot walk with random writes,
// deletes and inserts, and checks that the snapshot holds exactly the dict as it was
// when it began: every old key once, with its old value, and no new key.
func TestSnapshotIsPointInTime(t *testing.T) {
	seed := testSeed(t)
	rng := newRand(seed)
	d := New[int]()
	want := map[string]int{}
	for i := 0; i < 5000; i++ {
		k := "k" + strconv.Itoa(i)
		d.InsertString(k, i)
		want[k] = i
	}
	got := map[string]int{}
	save := func(key string, v *int) {
		if _, dup := got[key]; dup {
			t.Fatalf("key %q saved twice", key)
		}
		got[key] = *v
	}
	d.BeginMarks()
	next := uint32(1)
	for step := 0; next != 0; step++ {
		next = d.WalkUnmarked(next, 37, save)
		for j := 0; j < 20; j++ {
			k := []byte("k" + strconv.Itoa(int(rng.Uint64()%7000)))
			switch rng.Uint64() % 3 {
			case 0: // overwrite
				d.MarkForWrite(k, save)
				v, _ := d.Upsert(k)
				*v = -1
			case 1: // delete
				d.MarkForWrite(k, save)
				d.Delete(k)
			case 2: // grow the table: forces rehashing mid-snapshot
				d.InsertString("new"+strconv.Itoa(step*20+j), -2)
			}
		}
	}
	d.EndMarks()
	if len(got) != len(want) {
		t.Fatalf("snapshot has %d keys, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("key %q: snapshot has %d, want %d", k, got[k], v)
		}
	}
	mustCheck(t, d, "after snapshot")
}
