package keyspace

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

type savedKey struct {
	db  int
	key string
}

// TestSnapshotPointInTime runs a stepped snapshot while writes, deletes, expiries,
// FLUSHDB and SWAPDB happen in between steps, and checks the snapshot equals the
// keyspace at the moment it began.
func TestSnapshotPointInTime(t *testing.T) {
	ks := New(4, nil)
	now := Now()
	want := map[savedKey]string{}
	for db := 0; db < 4; db++ {
		for i := 0; i < 2000; i++ {
			k := "k" + strconv.Itoa(i)
			v := strconv.Itoa(db*10000 + i)
			e := ks.DBs[db].Set([]byte(k), NewStringObject([]byte("v"+v), nil), false)
			if i%10 == 0 {
				ks.DBs[db].SetExpire([]byte(k), e, now+100000)
			}
			want[savedKey{db, k}] = "v" + v
		}
	}
	got := map[savedKey]string{}
	snap := ks.BeginSnapshot(func(db int, key string, e *Entry) {
		sk := savedKey{db, key}
		if _, dup := got[sk]; dup {
			t.Fatalf("%v emitted twice", sk)
		}
		got[sk] = string(e.Obj.AppendString(nil))
	})
	rng := rand.New(rand.NewPCG(1, 2))
	for step := 0; !snap.Step(100); step++ {
		db := ks.DBs[rng.IntN(4)]
		k := []byte("k" + strconv.Itoa(rng.IntN(2500)))
		switch step % 5 {
		case 0:
			db.Set(k, NewStringObject([]byte("changed"), nil), false)
		case 1:
			db.Delete(k, Now())
		case 2:
			if e := db.LookupWrite(k, Now()); e != nil {
				e.SetValue(NewIntObject(-1)) // in-place change after a write lookup
			}
		case 3:
			if e := db.Find(k, Now()); e != nil {
				db.SetExpire(k, e, Now()-1) // expires: the next lookup deletes it
				db.Find(k, Now())
			}
		case 4:
			if step == 34 {
				ks.DBs[2].Flush()
			}
			if step == 59 {
				ks.DBs[0].Swap(ks.DBs[3])
			}
		}
	}
	if ks.Snapshotting() {
		t.Fatal("snapshot still registered after completing")
	}
	if len(got) != len(want) {
		t.Fatalf("snapshot has %d keys, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%v: snapshot has %q, want %q", k, got[k], v)
		}
	}
}
