package resp

import (
	"math"
	"testing"
)

func TestWriterDegradesToRESP2(t *testing.T) {
	type step func(w *Writer)
	cases := []struct {
		name         string
		do           step
		resp2, resp3 string
	}{
		{"null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{"map", func(w *Writer) { w.MapLen(2) }, "*4\r\n", "%2\r\n"},
		{"set", func(w *Writer) { w.SetLen(3) }, "*3\r\n", "~3\r\n"},
		{"push", func(w *Writer) { w.PushLen(3) }, "*3\r\n", ">3\r\n"},
		{"true", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
		{"false", func(w *Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n"},
		{"double", func(w *Writer) { w.Double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n"},
		{"double inf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"big number", func(w *Writer) { w.BigNumber("123") }, "$3\r\n123\r\n", "(123\r\n"},
		{"verbatim", func(w *Writer) { w.Verbatim("hi", "txt") }, "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"},
		{"error strips newlines", func(w *Writer) { w.Error("ERR a\r\nb") }, "-ERR a  b\r\n", "-ERR a  b\r\n"},
		{"int", func(w *Writer) { w.Int(-42) }, ":-42\r\n", ":-42\r\n"},
		{"empty array", func(w *Writer) { w.ArrayLen(0) }, "*0\r\n", "*0\r\n"},
		{"deferred", func(w *Writer) {
			d := w.DeferLen()
			w.BulkString("a")
			w.BulkString("b")
			w.SetArrayLen(d, 2)
		}, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{"deferred map", func(w *Writer) {
			w.Raw(OK)
			d := w.DeferLen()
			w.BulkString("k")
			w.Int(1)
			w.SetMapLen(d, 1)
		}, "+OK\r\n*2\r\n$1\r\nk\r\n:1\r\n", "+OK\r\n%1\r\n$1\r\nk\r\n:1\r\n"},
	}
	for _, tc := range cases {
		for _, proto := range []int{2, 3} {
			w := Writer{Proto: proto}
			tc.do(&w)
			want := tc.resp2
			if proto == 3 {
				want = tc.resp3
			}
			if string(w.B) != want {
				t.Errorf("%s RESP%d: got %q, want %q", tc.name, proto, w.B, want)
			}
		}
	}
}

func TestAppendDoubleMatchesPrintfG17(t *testing.T) {
	// Expected values are what C's printf("%.17g") prints (Redis 7.0's addReplyDouble).
	cases := map[float64]string{
		0: "0", 1: "1", -1: "-1", 1.5: "1.5", 0.1: "0.10000000000000001",
		1.1: "1.1000000000000001", 1e300: "1.0000000000000001e+300", 3e-5: "3.0000000000000001e-05",
		123456789012345678: "1.2345678901234568e+17", 100: "100", 1e16: "10000000000000000",
		1e17: "1e+17", 0.0001: "0.0001", 2.5e-5: "2.5000000000000001e-05",
		math.Inf(1): "inf", math.Inf(-1): "-inf", math.Copysign(0, -1): "-0",
	}
	for f, want := range cases {
		if got := string(AppendDouble(nil, f)); got != want {
			t.Errorf("AppendDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestWriterNoAllocs(t *testing.T) {
	w := Writer{B: make([]byte, 0, 4096), Proto: 2}
	val := []byte("value")
	allocs := testing.AllocsPerRun(1000, func() {
		w.B = w.B[:0]
		w.Bulk(val)
		w.Int(12345)
		w.OK()
		w.Null()
		w.Double(1.25)
	})
	if allocs != 0 {
		t.Fatalf("writer allocated %.1f times per run", allocs)
	}
}
