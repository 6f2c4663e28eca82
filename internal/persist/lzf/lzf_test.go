package lzf

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("SEED=%d", seed)
	return seed
}

// sample returns data of length n that compresses to a varying degree.
func sample(r *rand.Rand, n int) []byte {
	b := make([]byte, 0, n)
	alpha := 1 + r.IntN(255)
	for len(b) < n {
		switch r.IntN(4) {
		case 0: // repeat an earlier stretch
			if len(b) > 0 {
				from := r.IntN(len(b))
				k := min(1+r.IntN(300), n-len(b))
				for i := 0; i < k; i++ {
					b = append(b, b[from+i%(len(b)-from)])
				}
				continue
			}
			fallthrough
		default:
			b = append(b, byte(r.IntN(alpha)))
		}
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 1))
	var c Compressor
	for i := 0; i < 3000; i++ {
		n := 1 + r.IntN(3000)
		if i%10 == 0 {
			n = 1 + r.IntN(70000)
		}
		in := sample(r, n)
		maxOut := len(in) - 4
		if r.IntN(3) == 0 {
			maxOut = len(in) + 64
		}
		out, ok := c.Compress(nil, in, maxOut)
		var fresh Compressor
		out2, ok2 := fresh.Compress([]byte("prefix"), in, maxOut)
		if ok != ok2 || (ok && !bytes.Equal(out, out2[6:])) {
			t.Fatalf("case %d: reused compressor differs from a fresh one (ok %v/%v)", i, ok, ok2)
		}
		if !ok {
			if maxOut >= len(in)+36 { // literal runs cost 1 byte per 32
				t.Fatalf("case %d: %d bytes did not fit in %d", i, len(in), maxOut)
			}
			continue
		}
		if len(out) > maxOut {
			t.Fatalf("case %d: %d bytes out, limit %d", i, len(out), maxOut)
		}
		got, err := Decompress(nil, out, len(in))
		if err != nil || !bytes.Equal(got, in) {
			t.Fatalf("case %d (len %d): round trip failed: %v", i, len(in), err)
		}
		if _, err := Decompress(nil, out, len(in)-1); err == nil {
			t.Fatalf("case %d: short target accepted", i)
		}
		if _, err := Decompress(nil, out, len(in)+1); err == nil {
			t.Fatalf("case %d: long target accepted", i)
		}
		if len(out) > 1 {
			if _, err := Decompress(nil, out[:len(out)-1], len(in)); err == nil {
				t.Fatalf("case %d: truncated input accepted", i)
			}
		}
	}
}

// TestBaseWrap checks that the table is cleared when the tag base would wrap.
func TestBaseWrap(t *testing.T) {
	in := bytes.Repeat([]byte("abcdefgh"), 100)
	var fresh Compressor
	want, _ := fresh.Compress(nil, in, len(in))
	var c Compressor
	c.Compress(nil, in, len(in))
	c.base = 1<<32 - 500
	for range 3 {
		got, ok := c.Compress(nil, in, len(in))
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("after wrap: %x, want %x", got, want)
		}
	}
}

// TestKnown checks outputs worked out by hand from liblzf's algorithm.
func TestKnown(t *testing.T) {
	var c Compressor
	for _, tc := range []struct {
		in   string
		want []byte
	}{
		{"a", []byte{0, 'a'}},
		{"abc", []byte{2, 'a', 'b', 'c'}},
		// "aaaa...": literal 'a', then a back reference at offset 0.
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			nil},
	} {
		out, ok := c.Compress(nil, []byte(tc.in), len(tc.in)+8)
		if !ok {
			t.Fatalf("%q: not compressed", tc.in)
		}
		if tc.want != nil && !bytes.Equal(out, tc.want) {
			t.Errorf("%q: got %x, want %x", tc.in, out, tc.want)
		}
		back, err := Decompress(nil, out, len(tc.in))
		if err != nil || string(back) != tc.in {
			t.Errorf("%q: back %q, %v", tc.in, back, err)
		}
	}
}

func TestDecompressErrors(t *testing.T) {
	for _, tc := range []struct {
		in []byte
		n  int
	}{
		{[]byte{5, 'a'}, 6},            // literal past the input
		{[]byte{0, 'a', 0x20}, 4},      // reference without its offset byte
		{[]byte{0, 'a', 0x20, 1}, 4},   // reference before the start
		{[]byte{0, 'a', 0xE0, 0}, 10},  // long reference without its offset byte
		{[]byte{0, 'a', 0x20, 0}, 3},   // output past n
		{[]byte{0, 'a'}, 2},            // output short of n
		{[]byte{0, 'a', 0xE0, 255}, 9}, // length byte then nothing
	} {
		if out, err := Decompress(nil, tc.in, tc.n); err == nil {
			t.Errorf("%x (n %d): accepted, %q", tc.in, tc.n, out)
		}
	}
}

func FuzzDecompress(f *testing.F) {
	var c Compressor
	for _, s := range []string{"hello hello hello hello", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "x"} {
		out, _ := c.Compress(nil, []byte(s), len(s)+8)
		f.Add(out, len(s))
	}
	f.Fuzz(func(t *testing.T, in []byte, n int) {
		if n < 0 || n > 1<<20 {
			return
		}
		out, err := Decompress(nil, in, n)
		if err == nil && len(out) != n {
			t.Fatalf("len %d, want %d", len(out), n)
		}
	})
}

func FuzzCompress(f *testing.F) {
	f.Add([]byte("hello hello hello hello hello"), 10)
	f.Fuzz(func(t *testing.T, in []byte, slack int) {
		var c Compressor
		maxOut := len(in) + slack%64
		out, ok := c.Compress(nil, in, maxOut)
		if !ok {
			return
		}
		if len(out) > maxOut {
			t.Fatalf("%d bytes out, limit %d", len(out), maxOut)
		}
		back, err := Decompress(nil, out, len(in))
		if err != nil || !bytes.Equal(back, in) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func BenchmarkCompress(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	in := sample(r, 4096)
	var c Compressor
	var dst []byte
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		dst, _ = c.Compress(dst[:0], in, len(in)-4)
	}
}

func BenchmarkDecompress(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	in := sample(r, 4096)
	var c Compressor
	comp, _ := c.Compress(nil, in, len(in)+64)
	var dst []byte
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		dst, _ = Decompress(dst[:0], comp, len(in))
	}
}
