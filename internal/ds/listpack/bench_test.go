package listpack

import (
	"strconv"
	"testing"
)

var sinkInt int

// BenchmarkAppend appends 10-byte strings into a listpack that is reset
// every 500 entries (a quicklist node's worth), so growth is included.
func BenchmarkAppend(b *testing.B) {
	b.ReportAllocs()
	v := []byte("abcdefghij")
	var l Listpack
	for i := 0; b.Loop(); i++ {
		if i%500 == 0 {
			l = Listpack{}
		}
		l.Append(v)
	}
}

// BenchmarkAppendReuse appends into a buffer with room: no allocation.
func BenchmarkAppendReuse(b *testing.B) {
	b.ReportAllocs()
	v := []byte("abcdefghij")
	l := New()
	l.Grow(500 * 12)
	for i := 0; b.Loop(); i++ {
		if i%500 == 0 {
			l.DeleteRange(0, 500)
		}
		l.Append(v)
	}
}

func BenchmarkAppendInteger(b *testing.B) {
	b.ReportAllocs()
	v := []byte("1234567")
	l := New()
	l.Grow(500 * 12)
	for i := 0; b.Loop(); i++ {
		if i%500 == 0 {
			l.DeleteRange(0, 500)
		}
		l.Append(v)
	}
}

func hash128() Listpack {
	var l Listpack
	for i := range 64 {
		l.Append([]byte("field:" + strconv.Itoa(i)))
		l.Append([]byte("value:" + strconv.Itoa(i)))
	}
	return l
}

// BenchmarkFind looks up the last field of a 64-field hash, as HGET does.
func BenchmarkFind(b *testing.B) {
	b.ReportAllocs()
	l := hash128()
	f := []byte("field:63")
	for b.Loop() {
		sinkInt += l.Find(l.First(), f, 1)
	}
}

func BenchmarkIterate(b *testing.B) {
	b.ReportAllocs()
	l := hash128()
	for b.Loop() {
		for p := l.First(); p >= 0; p = l.Next(p) {
			sinkInt += len(l.Get(p).Str)
		}
	}
}

func BenchmarkSeekMiddle(b *testing.B) {
	b.ReportAllocs()
	l := hash128()
	for b.Loop() {
		sinkInt += l.Seek(64)
	}
}

// BenchmarkInsertDeleteMiddle inserts into and deletes from the middle of
// a 128-entry listpack: two memmoves of half of it.
func BenchmarkInsertDeleteMiddle(b *testing.B) {
	b.ReportAllocs()
	l := hash128()
	l.Grow(64)
	v := []byte("new-entry")
	for b.Loop() {
		p := l.Insert(l.Seek(64), Before, v)
		l.Delete(p)
	}
}
