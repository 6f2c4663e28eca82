package keyspace

import (
	"bytes"
	"testing"
)

func TestIdleMillisWrapsLikeRedis(t *testing.T) {
	now := int64(1_700_000_000_000)
	o := Object{LRU: LRUClock(now - 5000)}
	if got := o.IdleMillis(now); got != 5000 {
		t.Fatalf("idle %d, want 5000", got)
	}
	// The 24-bit clock wrapped between the access and now.
	wrapAt := (now/1000 | LRUClockMax) + 1 // next multiple of 2^24 seconds
	o.LRU = LRUClock((wrapAt - 3) * 1000)
	if got := o.IdleMillis((wrapAt + 2) * 1000); got != 4000 {
		// Redis's formula: (clock + (LRU_CLOCK_MAX - lru)) * 1000 = (2 + 2^24-1 - (2^24-3)) s.
		t.Fatalf("idle across the wrap %d, want 4000", got)
	}
}

func TestLookupFlags(t *testing.T) {
	ks := New(1, nil)
	db := ks.DBs[0]
	now := Now()
	db.Set([]byte("k"), NewStringObject([]byte("v"), nil), false)
	e := db.Find([]byte("k"), now)
	if e.Obj.LRU != LRUClock(now) && e.Obj.LRU != LRUClock(Now()) {
		t.Fatalf("Set gave clock %d, want about %d", e.Obj.LRU, LRUClock(now))
	}
	e.Obj.LRU = 0
	db.Lookup([]byte("k"), now, LookupNoTouch)
	if e.Obj.LRU != 0 || ks.KeyspaceHits != 1 {
		t.Fatalf("NoTouch lookup: LRU %d hits %d", e.Obj.LRU, ks.KeyspaceHits)
	}
	db.LookupWrite([]byte("k"), now)
	if e.Obj.LRU != LRUClock(now) || ks.KeyspaceHits != 1 {
		t.Fatalf("write lookup: LRU %d hits %d", e.Obj.LRU, ks.KeyspaceHits)
	}
	db.LookupRead([]byte("nope"), now)
	db.LookupWrite([]byte("nope"), now)
	if ks.KeyspaceMisses != 1 {
		t.Fatalf("misses %d, want 1", ks.KeyspaceMisses)
	}
	// SetValue keeps the deadline and the clock.
	db.SetExpire([]byte("k"), e, now+10000)
	e.SetValue(NewIntObject(7))
	if e.ExpireAt != now+10000 || e.Obj.LRU != LRUClock(now) || e.Obj.Int != 7 {
		t.Fatalf("SetValue: %+v", *e)
	}
}

func TestLFUCounter(t *testing.T) {
	ks := New(1, nil)
	ks.LFU = true
	db := ks.DBs[0]
	now := Now()
	db.Set([]byte("k"), NewStringObject([]byte("v"), nil), false)
	e := db.Find([]byte("k"), now)
	if got := ks.LFUCounter(&e.Obj, now); got != lfuInitVal {
		t.Fatalf("new key counter %d, want %d", got, lfuInitVal)
	}
	for range 10000 {
		db.LookupRead([]byte("k"), now)
	}
	c := ks.LFUCounter(&e.Obj, now)
	if c <= lfuInitVal || c > 255 {
		t.Fatalf("counter after 10000 reads: %d", c)
	}
	// One decay period (lfu-decay-time minutes) per minute idle.
	if got := ks.LFUCounter(&e.Obj, now+3*60000); got != c-3 {
		t.Fatalf("counter after 3 idle minutes %d, want %d", got, c-3)
	}
	if got := ks.LFUCounter(&e.Obj, now+1000*60000); got != 0 {
		t.Fatalf("counter after 1000 idle minutes %d, want 0", got)
	}
	// Replacing the value under LFU keeps the counter (dbSetValue).
	db.Set([]byte("k"), NewStringObject([]byte("w"), nil), false)
	if got := ks.LFUCounter(&db.Find([]byte("k"), now).Obj, now); got != c {
		t.Fatalf("counter after SET %d, want %d", got, c)
	}
}

type dupList struct{ items []string }

func (l *dupList) Dup() any { return &dupList{append([]string(nil), l.items...)} }

func TestObjectDup(t *testing.T) {
	o := NewStringObject([]byte("hello"), nil)
	d := o.Dup()
	o.Str[0] = 'j'
	if string(d.Str) != "hello" || d.Enc != EncEmbstr {
		t.Fatalf("dup of a string: %q %v", d.Str, d.Enc)
	}
	l := Object{Type: TypeList, Enc: EncQuicklist, Ptr: &dupList{[]string{"a"}}}
	dl := l.Dup()
	l.Ptr.(*dupList).items[0] = "b"
	if dl.Ptr.(*dupList).items[0] != "a" {
		t.Fatal("dup shares the collection")
	}
	lp := Object{Type: TypeHash, Enc: EncListpack, Ptr: []byte("lp")}
	dlp := lp.Dup()
	lp.Ptr.([]byte)[0] = 'x'
	if !bytes.Equal(dlp.Ptr.([]byte), []byte("lp")) {
		t.Fatal("dup shares the listpack")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Dup of an unknown payload did not panic")
		}
	}()
	(&Object{Type: TypeSet, Ptr: 42}).Dup()
}

func TestRandomKeyReclaimsEveryExpiredKey(t *testing.T) {
	ks := New(1, nil)
	db := ks.DBs[0]
	now := Now()
	for i := range 500 {
		k := []byte{byte(i), byte(i >> 8)}
		e := db.Set(k, NewIntObject(1), false)
		db.SetExpire(k, e, now-1)
	}
	if k, ok := db.RandomKey(now); ok {
		t.Fatalf("RandomKey returned expired key %q", k)
	}
	if db.Len() != 0 || ks.ExpiredKeys != 500 {
		t.Fatalf("len %d expired %d", db.Len(), ks.ExpiredKeys)
	}
}
