package listpack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testSeed returns the seed of a randomized test: $SEED if set, else the
// clock. It is logged so that a failure can be replayed with SEED=.
func testSeed(t testing.TB) uint64 {
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

func mustCheck(t testing.TB, l Listpack, what string) {
	t.Helper()
	if err := l.check(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// texts returns l's entries as strings, walking forward.
func texts(l Listpack) []string {
	var out []string
	for p := l.First(); p >= 0; p = l.Next(p) {
		out = append(out, l.Get(p).String())
	}
	return out
}

func hexBytes(s string) []byte {
	s = strings.ReplaceAll(s, " ", "")
	b := make([]byte, len(s)/2)
	for i := range b {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			panic(err)
		}
		b[i] = byte(v)
	}
	return b
}

func TestEmpty(t *testing.T) {
	for name, l := range map[string]Listpack{"zero": {}, "new": New()} {
		if got, want := l.Bytes(), hexBytes("07000000 0000 ff"); !bytes.Equal(got, want) {
			t.Errorf("%s: Bytes % x, want % x", name, got, want)
		}
		if l.Len() != 0 || l.BytesLen() != EmptySize || l.First() != -1 || l.Last() != -1 ||
			l.Seek(0) != -1 || l.Seek(-1) != -1 || l.Find(l.First(), []byte("x"), 0) != -1 {
			t.Errorf("%s: not empty", name)
		}
		mustCheck(t, l, name)
		l.DeleteRange(0, 5)
		l.Append([]byte("a"))
		if got := texts(l); len(got) != 1 || got[0] != "a" {
			t.Errorf("%s: after Append: %q", name, got)
		}
		mustCheck(t, l, name+" append")
	}
}

// TestEncodings pins the bytes of each encoding at its boundaries, worked
// out by hand from listpack.c.
func TestEncodings(t *testing.T) {
	cases := []struct {
		v    string
		want string // entry bytes: encoding, data, backlen
	}{
		{"0", "00 01"},
		{"127", "7f 01"},
		{"128", "c0 80 02"},
		{"-1", "df ff 02"},
		{"4095", "cf ff 02"},
		{"-4096", "d0 00 02"},
		{"4096", "f1 00 10 03"},
		{"-4097", "f1 ff ef 03"},
		{"32767", "f1 ff 7f 03"},
		{"-32768", "f1 00 80 03"},
		{"32768", "f2 00 80 00 04"},
		{"-32769", "f2 ff 7f ff 04"},
		{"8388607", "f2 ff ff 7f 04"},
		{"-8388608", "f2 00 00 80 04"},
		{"8388608", "f3 00 00 80 00 05"},
		{"2147483647", "f3 ff ff ff 7f 05"},
		{"-2147483648", "f3 00 00 00 80 05"},
		{"2147483648", "f4 00 00 00 80 00 00 00 00 09"},
		{"9223372036854775807", "f4 ff ff ff ff ff ff ff 7f 09"},
		{"-9223372036854775808", "f4 00 00 00 00 00 00 00 80 09"},
		{"", "80 01"},
		{"a", "81 61 02"},
		{"-0", "82 2d 30 03"},
		{"007", "83 30 30 37 04"},
		{"+1", "82 2b 31 03"},
		{"9223372036854775808", "93" + hexOf("9223372036854775808") + "14"},
	}
	for _, c := range cases {
		var l Listpack
		l.Append([]byte(c.v))
		got := l.Bytes()[HeaderSize : l.BytesLen()-1]
		if want := hexBytes(c.want); !bytes.Equal(got, want) {
			t.Errorf("Append(%q): % x, want % x", c.v, got, want)
		}
		if e := l.Get(l.First()); e.String() != c.v || !e.Equal([]byte(c.v)) || e.Len() != len(c.v) {
			t.Errorf("Append(%q): read back %q", c.v, e.String())
		}
		if n, err := strconv.ParseInt(c.v, 10, 64); err == nil && strconv.FormatInt(n, 10) == c.v {
			var m Listpack
			m.AppendInt(n)
			if !bytes.Equal(m.Bytes(), l.Bytes()) {
				t.Errorf("AppendInt(%d): % x, Append gives % x", n, m.Bytes(), l.Bytes())
			}
		}
		mustCheck(t, l, c.v)
	}
}

func hexOf(s string) string { return fmt.Sprintf("%x", s) }

// TestStringLengths covers the string encodings' and backlen's boundaries,
// including Redis's backlen quirk: an entry of exactly 16383 bytes gets a
// 3-byte backlen.
func TestStringLengths(t *testing.T) {
	cases := []struct {
		n         int // string length
		hdr, back int // encoding header and backlen sizes
	}{
		{0, 1, 1}, {63, 1, 1}, {64, 2, 1}, {125, 2, 1}, {126, 2, 2},
		{4095, 2, 2}, {4096, 5, 2}, {16377, 5, 2}, {16378, 5, 3}, {16379, 5, 3},
		{2097145, 5, 3}, {2097146, 5, 4},
	}
	for _, c := range cases {
		v := bytes.Repeat([]byte{'x'}, c.n)
		var l Listpack
		l.Append(v)
		l.Prepend(v)
		if got, want := l.BytesLen(), EmptySize+2*(c.hdr+c.n+c.back); got != want {
			t.Errorf("len %d: listpack of %d bytes, want %d", c.n, got, want)
		}
		p := l.Last()
		if got := l.EntrySize(p); got != c.hdr+c.n+c.back {
			t.Errorf("len %d: entry size %d", c.n, got)
		}
		if !bytes.Equal(l.Get(p).Str, v) || l.Prev(p) != HeaderSize {
			t.Errorf("len %d: read back wrong", c.n)
		}
		mustCheck(t, l, fmt.Sprint("len ", c.n))
	}
	for _, n := range []int{0, 1, 127, 128, 16382, 16383, 16384, 2097150, 2097151, 268435454, 268435455, 1 << 31} {
		var buf [5]byte
		k := backlenSize(n)
		putBacklen(buf[:], n)
		if v, ok := decodeBacklen(buf[:k], k-1); !ok || v != n {
			t.Errorf("backlen %d: decoded %d, %v", n, v, ok)
		}
	}
}

// TestUnknownCount: at 65535 entries the header's count becomes unknown and
// stays so while entries change; Len recounts and writes it back once it
// fits, as lpLength does.
func TestUnknownCount(t *testing.T) {
	var l Listpack
	for i := range 65534 {
		l.AppendInt(int64(i % 100))
	}
	if l.count() != 65534 {
		t.Fatalf("count %d", l.count())
	}
	l.Append([]byte("x"))
	if l.count() != countUnknown || l.Len() != 65535 || l.count() != countUnknown {
		t.Fatalf("at 65535: header %d, Len %d", l.count(), l.Len())
	}
	l.Append([]byte("y"))
	if l.Len() != 65536 || l.Seek(-1) != l.Last() || l.Get(l.Seek(65535)).String() != "y" {
		t.Fatal("Len or Seek wrong with unknown count")
	}
	if l.Get(l.Seek(-65536)).String() != "0" || l.Seek(-65537) != -1 || l.Seek(65536) != -1 {
		t.Fatal("Seek wrong with unknown count")
	}
	mustCheck(t, l, "65536")
	l.DeleteRange(-3, 2) // walks: the count is unknown
	l.Delete(l.First())
	if l.count() != countUnknown {
		t.Fatalf("after deletes: header %d, want unknown", l.count())
	}
	if l.Len() != 65533 || l.count() != 65533 {
		t.Fatalf("Len after deletes: %d, header %d", l.Len(), l.count())
	}
	mustCheck(t, l, "65533")
}

func TestIterateAndSeek(t *testing.T) {
	var l Listpack
	for _, v := range []string{"a", "1", "bb", "-70000", ""} {
		l.Append([]byte(v))
	}
	if got := strings.Join(texts(l), ","); got != "a,1,bb,-70000," {
		t.Fatalf("forward: %q", got)
	}
	var back []string
	for p := l.Last(); p >= 0; p = l.Prev(p) {
		back = append(back, l.Get(p).String())
	}
	if got := strings.Join(back, ","); got != ",-70000,bb,1,a" {
		t.Fatalf("backward: %q", got)
	}
	for i, want := range []string{"a", "1", "bb", "-70000", ""} {
		if got := l.Get(l.Seek(i)).String(); got != want {
			t.Errorf("Seek(%d) = %q", i, got)
		}
		if got := l.Get(l.Seek(i - 5)).String(); got != want {
			t.Errorf("Seek(%d) = %q", i-5, got)
		}
	}
}

func TestFind(t *testing.T) {
	var l Listpack
	for _, v := range []string{"f1", "1", "1", "v", "f3", "x", "12", "f1"} {
		l.Append([]byte(v))
	}
	find := func(v string, skip int) int {
		p := l.Find(l.First(), []byte(v), skip)
		if p < 0 {
			return -1
		}
		for i := 0; ; i++ {
			if l.Seek(i) == p {
				return i
			}
		}
	}
	for _, c := range []struct {
		v    string
		skip int
		want int
	}{
		{"f1", 1, 0}, {"1", 1, 2}, {"1", 0, 1}, {"v", 1, -1}, {"v", 0, 3},
		{"12", 1, 6}, {"x", 1, -1}, {"01", 0, -1}, {"f1", 2, 0}, {"12", 2, 6}, {"f1", 6, 0},
	} {
		if got := find(c.v, c.skip); got != c.want {
			t.Errorf("Find(%q, skip %d) = %d, want %d", c.v, c.skip, got, c.want)
		}
	}
	if p := l.Find(l.Seek(1), []byte("f1"), 1); p != l.Seek(7) {
		t.Errorf("Find f1 from index 1, skip 1: %d, want %d (compares indexes 1, 3, 5, 7)", p, l.Seek(7))
	}
	if p := l.Find(l.Seek(2), []byte("f1"), 1); p != -1 {
		t.Errorf("Find f1 from index 2, skip 1: %d, want -1", p)
	}
	if p := l.Find(l.Seek(1), []byte("f1"), 0); p != l.Seek(7) {
		t.Errorf("Find f1 from 1 with no skip: %d, want %d", p, l.Seek(7))
	}
}

func TestInsertReplaceDelete(t *testing.T) {
	var l Listpack
	l.Append([]byte("b"))
	p := l.Insert(l.First(), Before, []byte("a"))
	q := l.Insert(p, After, []byte("ab"))
	l.Insert(l.Last(), After, []byte("c"))
	if got := strings.Join(texts(l), ","); got != "a,ab,b,c" || p != HeaderSize || l.Get(q).String() != "ab" {
		t.Fatalf("after inserts: %q", got)
	}
	l.Replace(q, bytes.Repeat([]byte("z"), 100))
	l.ReplaceInt(l.First(), -5)
	if got := strings.Join(texts(l), ","); got != "-5,"+strings.Repeat("z", 100)+",b,c" {
		t.Fatalf("after replace: %q", got)
	}
	if next := l.Delete(q); l.Get(next).String() != "b" {
		t.Fatal("Delete did not return the next entry")
	}
	if next := l.Delete(l.Last()); next != -1 {
		t.Fatal("Delete of the last entry did not return -1")
	}
	if next := l.DeleteN(l.First(), 10); next != -1 || l.Len() != 0 || l.BytesLen() != EmptySize {
		t.Fatalf("DeleteN everything: %q", texts(l))
	}
	mustCheck(t, l, "end")
}

func TestValidateCorrupt(t *testing.T) {
	good := New()
	good.Append([]byte("hello"))
	good.AppendInt(1000)
	gb := good.Bytes()
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(gb)) }
	cases := map[string][]byte{
		"short":        {7, 0, 0},
		"total":        mutate(func(b []byte) []byte { b[0]++; return b }),
		"terminator":   mutate(func(b []byte) []byte { b[len(b)-1] = 0; return b }),
		"encoding":     mutate(func(b []byte) []byte { b[HeaderSize] = 0xF5; return b }),
		"backlen":      mutate(func(b []byte) []byte { b[HeaderSize+6]++; return b }),
		"count":        mutate(func(b []byte) []byte { b[4] = 3; return b }),
		"overrun":      mutate(func(b []byte) []byte { b[HeaderSize] = 0x80 | 40; return b }),
		"trailing":     mutate(func(b []byte) []byte { b = append(b[:len(b)-1], 0, 0xff); b[0] += 2; b[len(b)-3] = 0; return b }),
		"long-backlen": hexBytes("0c000000 0100 81 61 82 82 82 82 ff"),
	}
	for name, b := range cases {
		if _, err := FromBytes(b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: FromBytes accepted % x (err %v)", name, b, err)
		}
	}
	// Shallow validation looks at the header and terminator only.
	if err := (Listpack{cases["backlen"]}).Validate(false); err != nil {
		t.Errorf("shallow validation of a bad backlen: %v", err)
	}
	unknown := mutate(func(b []byte) []byte { b[4], b[5] = 0xff, 0xff; return b })
	l, err := FromBytes(unknown)
	if err != nil || l.Len() != 2 {
		t.Fatalf("unknown count rejected or miscounted: %v", err)
	}
	if !bytes.Equal(l.Bytes(), gb) {
		t.Fatal("Len did not write the count back")
	}
}

func TestMerge(t *testing.T) {
	mk := func(vs ...string) Listpack {
		var l Listpack
		for _, v := range vs {
			l.Append([]byte(v))
		}
		return l
	}
	want := mk("a", "b", "1", "c").Bytes()
	for name, m := range map[string]Listpack{
		"plain":        Merge(mk("a", "b"), mk("1", "c")),
		"room-first":   func() Listpack { a := mk("a", "b"); a.Grow(100); return Merge(a, mk("1", "c")) }(),
		"room-second":  func() Listpack { b := mk("1", "c"); b.Grow(100); return Merge(mk("a", "b"), b) }(),
		"empty-first":  Merge(Listpack{}, mk("a", "b", "1", "c")),
		"empty-second": Merge(mk("a", "b", "1", "c"), New()),
	} {
		if !bytes.Equal(m.Bytes(), want) {
			t.Errorf("%s: % x, want % x", name, m.Bytes(), want)
		}
		mustCheck(t, m, name)
	}
}

// TestNoAllocs: reads never allocate, nor do writes into a listpack with
// room.
func TestNoAllocs(t *testing.T) {
	var l Listpack
	l.Grow(1 << 16)
	v := []byte("hello world")
	n := []byte("12345")
	allocs := testing.AllocsPerRun(100, func() {
		l.Append(v)
		l.Prepend(n)
		p := l.Insert(l.Seek(1), After, v)
		l.Replace(p, n)
		for q := l.First(); q >= 0; q = l.Next(q) {
			_ = l.Get(q)
		}
		_ = l.Find(l.First(), v, 1)
		l.Delete(p)
		l.DeleteRange(0, 1)
		_ = l.Len()
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run", allocs)
	}
}

// randValue returns values that exercise every encoding and the
// integer-looking strings that must stay strings.
func randValue(r *rand.Rand) []byte {
	switch r.IntN(12) {
	case 0:
		return []byte(strconv.Itoa(r.IntN(256) - 64))
	case 1:
		return []byte(strconv.FormatInt(r.Int64N(1<<40)-1<<39, 10))
	case 2:
		return []byte(strconv.FormatInt(int64(r.Uint64()), 10))
	case 3:
		bounds := []int64{4095, 4096, -4096, -4097, 32767, 32768, -32768, -32769, 8388607, 8388608,
			-8388608, -8388609, 2147483647, 2147483648, -2147483648, -2147483649, 1<<63 - 1, -1 << 63}
		return []byte(strconv.FormatInt(bounds[r.IntN(len(bounds))], 10))
	case 4:
		odd := []string{"", "-0", "007", "+1", " 1", "1 ", "9223372036854775808", "-9223372036854775809",
			"1e3", "0x10", "-", "00", "123456789012345678901"}
		return []byte(odd[r.IntN(len(odd))])
	case 5:
		return bytes.Repeat([]byte{byte('a' + r.IntN(26))}, 60+r.IntN(10))
	case 6:
		if r.IntN(10) == 0 {
			return bytes.Repeat([]byte{'L'}, 4090+r.IntN(12))
		}
		return bytes.Repeat([]byte{'m'}, 120+r.IntN(10))
	default:
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
}

// TestModel runs random operations against a [][]byte model, checking every
// invariant after each one.
func TestModel(t *testing.T) {
	seed := testSeed(t)
	r := newRand(seed)
	rounds := 10000
	if testing.Short() {
		rounds = 3000
	}
	var l Listpack
	var model [][]byte
	same := func(what string) {
		t.Helper()
		if err := l.check(); err != nil {
			t.Fatalf("%s: %v (SEED=%d)", what, err, seed)
		}
		if l.Len() != len(model) {
			t.Fatalf("%s: Len %d, model %d (SEED=%d)", what, l.Len(), len(model), seed)
		}
		i := 0
		for p := l.First(); p >= 0; p = l.Next(p) {
			if !l.Get(p).Equal(model[i]) || !bytes.Equal(l.Get(p).AppendString(nil), model[i]) {
				t.Fatalf("%s: entry %d is %q, model %q (SEED=%d)", what, i, l.Get(p).String(), model[i], seed)
			}
			i++
		}
	}
	index := func(n int) int { // a valid index, positive or negative
		i := r.IntN(n)
		if r.IntN(2) == 0 {
			i -= n
		}
		return i
	}
	norm := func(i int) int {
		if i < 0 {
			i += len(model)
		}
		return i
	}
	for round := range rounds {
		v := randValue(r)
		var what string
		switch op := r.IntN(16); {
		case op < 3 || len(model) == 0:
			what = "Append"
			l.Append(v)
			model = append(model, v)
		case op == 3:
			what = "Prepend"
			l.Prepend(v)
			model = append([][]byte{v}, model...)
		case op == 4:
			what = "AppendInt"
			n := int64(r.Uint64()) >> r.IntN(64)
			l.AppendInt(n)
			model = append(model, []byte(strconv.FormatInt(n, 10)))
		case op == 5 || op == 6:
			i := index(len(model))
			where := Where(r.IntN(2))
			what = fmt.Sprintf("Insert(%d, %d)", i, where)
			p := l.Insert(l.Seek(i), where, v)
			k := norm(i) + int(where)
			model = append(model[:k], append([][]byte{v}, model[k:]...)...)
			if !l.Get(p).Equal(v) {
				t.Fatalf("%s: returned offset holds %q", what, l.Get(p).String())
			}
		case op == 7:
			i := index(len(model))
			what = fmt.Sprintf("Replace(%d)", i)
			l.Replace(l.Seek(i), v)
			model[norm(i)] = v
		case op == 8:
			i := index(len(model))
			what = fmt.Sprintf("Delete(%d)", i)
			next := l.Delete(l.Seek(i))
			k := norm(i)
			model = append(model[:k], model[k+1:]...)
			if (next < 0) != (k == len(model)) || next >= 0 && !l.Get(next).Equal(model[k]) {
				t.Fatalf("%s: returned %d", what, next)
			}
		case op == 9:
			i, n := index(len(model)+2), r.IntN(6)
			what = fmt.Sprintf("DeleteRange(%d, %d)", i, n)
			l.DeleteRange(i, n)
			if k := norm(i); k >= 0 && k < len(model) && n > 0 {
				model = append(model[:k], model[min(k+n, len(model)):]...)
			}
		case op == 10:
			i, n := index(len(model)), r.IntN(5)
			what = fmt.Sprintf("DeleteN(%d, %d)", i, n)
			l.DeleteN(l.Seek(i), n)
			k := norm(i)
			model = append(model[:k], model[min(k+n, len(model)):]...)
		case op == 11:
			skip := r.IntN(3)
			start := r.IntN(len(model))
			needle := model[r.IntN(len(model))]
			if r.IntN(4) == 0 {
				needle = v
			}
			what = fmt.Sprintf("Find(%q, skip %d from %d)", needle, skip, start)
			want := -1
			for k := start; k < len(model); k += skip + 1 {
				if bytes.Equal(model[k], needle) {
					want = k
					break
				}
			}
			got := l.Find(l.Seek(start), needle, skip)
			if want < 0 && got != -1 || want >= 0 && got != l.Seek(want) {
				t.Fatalf("%s: got offset %d, want index %d", what, got, want)
			}
		case op == 12:
			what = "Merge"
			k := r.IntN(len(model) + 1)
			var a, b Listpack
			for _, m := range model[:k] {
				a.Append(m)
			}
			for _, m := range model[k:] {
				b.Append(m)
			}
			if r.IntN(2) == 0 {
				a.Grow(r.IntN(200))
			} else {
				b.Grow(r.IntN(200))
			}
			before := l.Bytes()
			l = Merge(a, b)
			if !bytes.Equal(l.Bytes(), before) {
				t.Fatalf("Merge at %d: bytes differ from the listpack built by appends", k)
			}
		case op == 13:
			what = "FromBytes(Bytes)"
			m, err := FromBytes(bytes.Clone(l.Bytes()))
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			l = m
		case op == 14:
			what = "Clone+ShrinkToFit"
			l = l.Clone()
			l.ShrinkToFit()
		default:
			what = "Seek"
			i := index(len(model))
			if !l.Get(l.Seek(i)).Equal(model[norm(i)]) {
				t.Fatalf("Seek(%d) wrong", i)
			}
		}
		same(fmt.Sprintf("round %d: %s", round, what))
		if len(model) > 300 {
			l.DeleteRange(0, 150)
			model = model[150:]
			same("trim")
		}
	}
}

// FuzzFromBytes: arbitrary bytes are rejected or, once accepted, can be
// walked both ways, read and changed without panicking.
func FuzzFromBytes(f *testing.F) {
	var l Listpack
	for _, v := range []string{"a", "1", "-5000", "", strings.Repeat("x", 70), "99999999999"} {
		l.Append([]byte(v))
	}
	f.Add(l.Bytes())
	f.Add(New().Bytes())
	f.Add(hexBytes("0c000000 0100 81 61 82 82 82 82 ff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := FromBytes(b)
		if err != nil {
			return
		}
		n := 0
		for p := l.First(); p >= 0; p = l.Next(p) {
			_ = l.Get(p).String()
			n++
		}
		for p := l.Last(); p >= 0; p = l.Prev(p) {
			n--
		}
		if n != 0 || l.Len() < 0 {
			t.Fatalf("forward and backward walks disagree on % x", b)
		}
		l.Append([]byte("tail"))
		if p := l.First(); p >= 0 {
			l.Delete(p)
		}
		if err := l.Validate(true); err != nil {
			t.Fatalf("changed listpack invalid: %v", err)
		}
		if binary.LittleEndian.Uint32(l.Bytes()) != uint32(l.BytesLen()) {
			t.Fatal("total bytes wrong")
		}
	})
}
