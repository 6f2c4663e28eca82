package rdb

import (
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

func TestCRC64(t *testing.T) {
	// The check value of Redis's crc64 test (crc64.c).
	if got := CRC64([]byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64(123456789) = %#x", got)
	}
	tab := crc64.MakeTable(0x95ac9329ac4bc9b5)
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		want := ^crc64.Update(^uint64(0), tab, p)
		if got := CRC64(p); got != want {
			t.Fatalf("len %d: %#x, want %#x", n, got, want)
		}
		split := r.IntN(n + 1)
		if got := crc64Update(CRC64(p[:split]), p[split:]); got != want {
			t.Fatalf("len %d split %d: %#x, want %#x", n, split, got, want)
		}
	}
}

func BenchmarkCRC64(b *testing.B) {
	p := make([]byte, 64<<10)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		CRC64(p)
	}
}
