package conv

import (
	"math"
	"strings"
	"testing"
)

// The expectations here were checked against redis-server 7.0.15 (see
// oracle_test.go for the commands that observe each function).

func TestParseInt(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"10", 10, true}, {"123456789", 123456789, true},
		{"9223372036854775807", math.MaxInt64, true}, {"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551615", 0, false}, {"18446744073709551616", 0, false},
		{"99999999999999999999", 0, false}, {"-99999999999999999999", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"00", 0, false}, {"01", 0, false},
		{"-01", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1a", 0, false},
		{"a1", 0, false}, {"1.0", 0, false}, {"1e3", 0, false}, {"0x10", 0, false}, {"--1", 0, false},
		{"1\x00", 0, false}, {"\x001", 0, false}, {"000000000000000000001", 0, false},
		{"١", 0, false},
	} {
		got, ok := ParseInt([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("ParseInt(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseUint(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"5", 5, true}, {"18446744073709551615", math.MaxUint64, true},
		{"9223372036854775808", 1 << 63, true},
		{"18446744073709551616", 0, false}, {"-1", 0, false}, {"-5", 0, false},
		{"+5", 5, true}, {" 5", 5, true}, {"\t\n5", 5, true}, {"05", 5, true}, {"+0", 0, true},
		{"-0", 0, true}, {" -1", math.MaxUint64, true}, {"-18446744073709551615", 1, true},
		{"-18446744073709551616", 0, false}, {"", 0, false}, {" ", 0, false}, {"+", 0, false},
		{"5 ", 0, false}, {"0x5", 0, false}, {"5\x00junk", 5, true}, {"\x005", 0, false},
	} {
		got, ok := ParseUint([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("ParseUint(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestFormatInt(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {1, "1"}, {-1, "-1"}, {10, "10"}, {-10, "-10"},
		{math.MaxInt64, "9223372036854775807"}, {math.MinInt64, "-9223372036854775808"},
	} {
		n := c.n
		got := string(FormatInt([]byte("x"), n))
		if got != "x"+c.want {
			t.Errorf("FormatInt(%d) = %q", n, got)
		}
		if back, ok := ParseInt([]byte(got[1:])); !ok || back != n {
			t.Errorf("ParseInt(FormatInt(%d)) = %d, %v", n, back, ok)
		}
	}
}

func TestParseFloat(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.1", 1.1, true}, {"3", 3, true}, {"-0", math.Copysign(0, -1), true}, {"1e5", 1e5, true},
		{".5", 0.5, true}, {"5.", 5, true}, {"+5", 5, true}, {"1.e5", 1e5, true}, {"1E+05", 1e5, true},
		{"0x10", 16, true}, {"0X1p3", 8, true}, {"0x1.8", 1.5, true}, {"-0x.8p1", -1, true},
		{"inf", inf, true}, {"+inf", inf, true}, {"-inf", -inf, true}, {"infinity", inf, true},
		{"-Infinity", -inf, true}, {"INF", inf, true},
		{"4e-320", 4e-320, true}, {"0x1p-1074", 5e-324, true}, {"2.5e-324", 5e-324, true},
		{"2.4703282292062328e-324", 5e-324, true}, {"1.7976931348623158e308", math.MaxFloat64, true},
		{"0e999999999999999999999", 0, true},
		{"2.4703282292062327e-324", 0, false}, {"1.7976931348623159e308", 0, false},
		{"1e400", 0, false}, {"1e-400", 0, false}, {"-1e400", 0, false}, {"0x1p-1080", 0, false},
		{"nan", 0, false}, {"-nan", 0, false}, {"NaN", 0, false}, {"nan(1)", 0, false},
		{"", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"\t1", 0, false}, {"1\x00", 0, false},
		{"0x", 0, false}, {"1e", 0, false}, {"1e+", 0, false}, {".", 0, false}, {"-", 0, false},
		{"infinit", 0, false}, {"0x_1p0", 0, false}, {"1_0", 0, false}, {"1,5", 0, false},
		{"--1", 0, false}, {"0x1p", 0, false}, {"e5", 0, false},
	} {
		got, ok := ParseFloat([]byte(c.in))
		if ok != c.ok || ok && math.Float64bits(got) != math.Float64bits(c.want) {
			t.Errorf("ParseFloat(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestStrtod(t *testing.T) {
	for _, c := range []struct {
		in       string
		want     float64
		n        int
		rangeErr bool
	}{
		{"", 0, 0, false}, {" 1", 1, 2, false}, {"1 ", 1, 1, false}, {"1\x00x", 1, 1, false},
		{"0x", 0, 1, false}, {"0x.p1", 0, 1, false}, {"1e", 1, 1, false}, {"1e+x", 1, 1, false},
		{"infinit", math.Inf(1), 3, false}, {"-infinity!", math.Inf(-1), 9, false},
		{"1e400", math.Inf(1), 5, true}, {"-1e400", math.Inf(-1), 6, true}, {"1e-400", 0, 6, true},
		{"(1", 0, 0, false}, {"+-1", 0, 0, false}, {"\v\f\r\n\t 7", 7, 7, false},
	} {
		got, n, rangeErr := Strtod([]byte(c.in))
		if math.Float64bits(got) != math.Float64bits(c.want) || n != c.n || rangeErr != c.rangeErr {
			t.Errorf("Strtod(%q) = %v, %d, %v; want %v, %d, %v", c.in, got, n, rangeErr, c.want, c.n, c.rangeErr)
		}
	}
	if f, n, _ := Strtod([]byte("nan(abc_1)x")); !math.IsNaN(f) || n != 10 {
		t.Errorf("Strtod(nan(abc_1)x) = %v, %d", f, n)
	}
	if f, n, _ := Strtod([]byte("nan(a")); !math.IsNaN(f) || n != 3 {
		t.Errorf("Strtod(nan(a) = %v, %d", f, n)
	}
}

func TestFormatDouble(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{1.1, "1.1000000000000001"}, {3, "3"}, {1e300, "1.0000000000000001e+300"},
		{0.1, "0.10000000000000001"}, {math.Copysign(0, -1), "-0"}, {0, "0"},
		{1e-5, "1.0000000000000001e-05"}, {0.0001, "0.0001"}, {0.000001, "9.9999999999999995e-07"},
		{16, "16"}, {1e5, "100000"}, {1e16, "10000000000000000"}, {1e21, "1e+21"}, {1e22, "1e+22"},
		{123456789012345678, "1.2345678901234568e+17"}, {1000000000000000.25, "1000000000000000.2"},
		{4e-320, "3.999955468730732e-320"}, {5e-324, "4.9406564584124654e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"}, {123456789.123456789, "123456789.12345679"},
		{-1e-300, "-1e-300"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {math.NaN(), "nan"},
	} {
		if got := string(FormatDouble(nil, c.in)); got != c.want {
			t.Errorf("FormatDouble(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIncrByFloat(t *testing.T) {
	type step struct{ incr, want string }
	for _, c := range []struct {
		cur    string
		exists bool
		steps  []step
	}{
		{"10.50", true, []step{{"0.1", "10.6"}, {"5.0e3", "5010.60000000000000009"}}},
		{"3.0e3", true, []step{{"0", "3000"}}},
		{"0.1", true, []step{{"0.2", "0.3"}}},
		{"9223372036854775807", true, []step{{"1", "9223372036854775808"}}},
		{"9223372036854775808", true, []step{{"1", "9223372036854775809"}}},
		{"-0", true, []step{{"0", "0"}}},
		{"", false, []step{{"-0", "0"}, {"-1e-20", "0"}, {"1.5", "1.5"}, {"-1.5", "0"}}},
		{"", false, []step{{"0x10", "16"}, {"-5", "11"}, {"-.5", "10.5"}}},
		{"", false, []step{{"0.000003814697265625", "0.00000381469726562"}}},
		{"", false, []step{{"1e-17", "0.00000000000000001"}, {"-1e-17", "0"}}},
		{"", false, []step{{"5e-18", "0"}}},
		{"", false, []step{{"6e-18", "0.00000000000000001"}}},
		{"", false, []step{{"1e20", "100000000000000000000"}, {"1", "100000000000000000000"}}},
		{"", false, []step{{"1.23456789012345678901234567890", "1.23456789012345679"}}},
		{"", false, []step{{"0.1", "0.1"}, {"0.1", "0.2"}, {"0.1", "0.3"}, {"0.1", "0.4"}, {"0.1", "0.5"},
			{"0.1", "0.6"}, {"0.1", "0.7"}, {"0.1", "0.8"}, {"0.1", "0.9"}, {"0.1", "1"}}},
		{"", false, []step{{"1e-4940", "0"}, {"1e-4950", "0"}}},
		{"", false, []step{{"3e-4951", "0"}, {"0x1p-16445", "0"}, {"0x1.8p-16446", "0"}}},
		{"", false, []step{{"1e-4951", ErrNotValidFloat}, {"0x1p-16446", ErrNotValidFloat}}},
		{"", false, []step{{"1e5000", ErrNotValidFloat}, {"1e-5000", ErrNotValidFloat}}},
		{"", false, []step{{"1.18973149535723176509e+4932", ErrNotValidFloat}}},
		{"", false, []step{{"1e4932", ""}, {"1e4932", ErrIncrNaNOrInfity}}},
		{"", false, []step{{"inf", ErrIncrNaNOrInfity}, {"-inf", ErrIncrNaNOrInfity}, {"nan", ErrNotValidFloat}}},
		{"inf", true, []step{{"1", ErrIncrNaNOrInfity}}},
		{"abc", true, []step{{"1", ErrNotValidFloat}, {"x", ErrNotValidFloat}}},
		{"", true, []step{{"1", ErrNotValidFloat}}},
		{" 1", true, []step{{"1", ErrNotValidFloat}}},
		{"1 ", true, []step{{"1", ErrNotValidFloat}}},
		{"1", true, []step{{" 1", ErrNotValidFloat}, {"", ErrNotValidFloat}, {"1.5\x00", ErrNotValidFloat}}},
		{"1", true, []step{{strings.Repeat("0", 5119), "1"}, {strings.Repeat("0", 5120), ErrNotValidFloat}}},
	} {
		cur, exists := c.cur, c.exists
		for _, s := range c.steps {
			got, errMsg := IncrByFloat([]byte("prefix:"), []byte(cur), exists, []byte(s.incr))
			if strings.HasPrefix(s.want, "ERR") {
				if errMsg != s.want || string(got) != "prefix:" {
					t.Errorf("%q + %q: %q, %q; want error %q", cur, s.incr, got, errMsg, s.want)
				}
				continue
			}
			if errMsg != "" {
				t.Errorf("%q + %q: error %q; want %q", cur, s.incr, errMsg, s.want)
				break
			}
			res := strings.TrimPrefix(string(got), "prefix:")
			if s.want != "" && res != s.want {
				t.Errorf("%q + %q = %q; want %q", cur, s.incr, res, s.want)
			}
			cur, exists = res, true
		}
	}
}

func TestIncrByFloatHuge(t *testing.T) {
	// 1e308 is finite in a long double: Redis writes it out in full.
	got, errMsg := IncrByFloat(nil, nil, false, []byte("1e308"))
	want := "99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048"
	if errMsg != "" || string(got) != want {
		t.Fatalf("INCRBYFLOAT 1e308 = %q, %q", got, errMsg)
	}
	got, errMsg = IncrByFloat(nil, got, true, []byte("1e308"))
	if want := "199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096"; errMsg != "" || string(got) != want {
		t.Fatalf("second INCRBYFLOAT 1e308 = %q, %q", got, errMsg)
	}
}

func TestLongDouble(t *testing.T) {
	if got := string(FormatLongDouble(nil, LongDouble{})); got != "0" {
		t.Errorf("zero value formats as %q", got)
	}
	for _, n := range []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 1 << 53, -(1<<53 + 1)} {
		x := LongDoubleFromInt64(n)
		p, ok := ParseLongDouble(FormatInt(nil, n))
		if !ok || x != p {
			t.Errorf("LongDoubleFromInt64(%d) = %+v, parsed %+v", n, x, p)
		}
		if got, want := string(FormatLongDouble(nil, x)), string(FormatInt(nil, n)); got != want {
			t.Errorf("FormatLongDouble(%d) = %q", n, got)
		}
		if x.Float64() != float64(n) {
			t.Errorf("Float64(%d) = %v", n, x.Float64())
		}
	}
	inf, _ := ParseLongDouble([]byte("inf"))
	ninf, _ := ParseLongDouble([]byte("-inf"))
	if s := inf.Add(ninf); !s.IsNaN() || string(FormatLongDouble(nil, s)) != "-nan" {
		t.Errorf("inf + -inf = %+v", s)
	}
	if !inf.IsInf() || inf.IsNaN() || string(FormatLongDouble(nil, ninf)) != "-inf" || !math.IsInf(ninf.Float64(), -1) {
		t.Errorf("inf: %+v", inf)
	}
	nz, _ := ParseLongDouble([]byte("-0"))
	if s := nz.Add(nz); !math.Signbit(s.Float64()) {
		t.Errorf("-0 + -0 is not -0")
	}
	if s := nz.Add(LongDouble{}); math.Signbit(s.Float64()) {
		t.Errorf("-0 + 0 is not +0")
	}
	one, _ := ParseLongDouble([]byte("1"))
	mone, _ := ParseLongDouble([]byte("-1"))
	if s := one.Add(mone); math.Signbit(s.Float64()) || s.Float64() != 0 {
		t.Errorf("1 + -1 = %v", s.Float64())
	}
	if x, _ := ParseLongDouble([]byte("0.1")); x.Float64() != 0.1 {
		t.Errorf("Float64(0.1) = %v", x.Float64())
	}
}

func TestParseMemory(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"1kb", 1024, true}, {"1k", 1000, true}, {"1KB", 1024, true}, {"1K", 1000, true},
		{"1mb", 1 << 20, true}, {"1m", 1000000, true}, {"1gb", 1 << 30, true}, {"1g", 1e9, true},
		{"1Gb", 1 << 30, true}, {"1b", 1, true}, {"1B", 1, true}, {"100", 100, true}, {"0", 0, true},
		{"00012k", 12000, true}, {"", 0, true}, {"kb", 0, true}, {"b", 0, true},
		{"18446744073709551615", math.MaxUint64, true}, {"18446744073709551616", math.MaxUint64, true},
		{"99999999999999999999", math.MaxUint64, true}, {"20000000000gb", 3028092406290448384, true},
		{"17179869184gb", 0, true},
		{"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1 kb", 0, false}, {"-1", 0, false},
		{"1.5mb", 0, false}, {"1tb", 0, false}, {"1KiB", 0, false}, {"1kbb", 0, false}, {"x", 0, false},
		{strings.Repeat("0", 127) + "1", 0, false}, {strings.Repeat("0", 127), 0, true},
	} {
		got, ok := ParseMemory(c.in)
		if uint64(got) != c.want || ok != c.ok {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d, %v", c.in, uint64(got), ok, c.want, c.ok)
		}
	}
}

func TestFormatMemoryHuman(t *testing.T) {
	for _, c := range []struct {
		in   uint64
		want string
	}{
		{0, "0B"}, {1, "1B"}, {1000, "1000B"}, {1023, "1023B"}, {1024, "1.00K"}, {1152, "1.12K"},
		{1536, "1.50K"}, {12000, "11.72K"}, {1000000, "976.56K"}, {1 << 20, "1.00M"},
		{1e9, "953.67M"}, {1 << 30, "1.00G"}, {1 << 40, "1.00T"}, {1 << 50, "1.00P"},
		{1<<60 - 1, "1024.00P"}, {1 << 60, "1152921504606846976B"}, {math.MaxUint64, "18446744073709551615B"},
	} {
		if got := FormatMemoryHuman(int64(c.in)); got != c.want {
			t.Errorf("FormatMemoryHuman(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	for name, f := range map[string]func(){
		"ParseInt":      func() { ParseInt([]byte("-1234567890")) },
		"ParseUint":     func() { ParseUint([]byte("+1234567890")) },
		"FormatInt":     func() { FormatInt(buf[:0], math.MinInt64) },
		"FormatDouble":  func() { FormatDouble(buf[:0], 1.1) },
		"ParseFloat":    func() { ParseFloat([]byte("1.1000000000000001")) },
		"ParseFloatHex": func() { ParseFloat([]byte("0x1.8")) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocs", name, n)
		}
	}
}

func BenchmarkParseInt(b *testing.B) {
	in := []byte("-1234567890123")
	b.ReportAllocs()
	for b.Loop() {
		ParseInt(in)
	}
}

func BenchmarkFormatInt(b *testing.B) {
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		buf = FormatInt(buf[:0], -1234567890123)
	}
}

func BenchmarkFormatDouble(b *testing.B) {
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		buf = FormatDouble(buf[:0], 1.1)
	}
}

func BenchmarkParseFloat(b *testing.B) {
	in := []byte("3.1415926535897931")
	b.ReportAllocs()
	for b.Loop() {
		ParseFloat(in)
	}
}

func BenchmarkIncrByFloat(b *testing.B) {
	buf := make([]byte, 0, 64)
	cur, incr := []byte("10.5"), []byte("0.1")
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = IncrByFloat(buf[:0], cur, true, incr)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "-1", "1.5", "0x1p3", "inf", "nan(x)", " 1", "1e400", "1kb", "+5", "0x.8"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, ok := ParseInt(b); ok && string(FormatInt(nil, n)) != string(b) {
			t.Fatalf("ParseInt(%q) = %d does not round-trip", b, n)
		}
		ParseUint(b)
		ParseMemory(string(b))
		d, n, _ := Strtod(b)
		if n < 0 || n > len(b) {
			t.Fatalf("Strtod(%q) consumed %d", b, n)
		}
		if g, ok := ParseFloat(b); ok && (n != len(b) || math.Float64bits(g) != math.Float64bits(d)) {
			t.Fatalf("ParseFloat(%q) = %v, Strtod %v, %d", b, g, d, n)
		}
		if x, ok := ParseLongDouble(b); ok {
			if _, ok := ParseFloat(b); !ok && !(n == len(b) && !math.IsNaN(d)) {
				t.Fatalf("ParseLongDouble(%q) ok but strtod did not consume it", b)
			}
			FormatLongDouble(nil, x.Add(x))
		}
	})
}

// CeilTimes is (long long) ceill(x * 1000.0L) on x86-64: what redis-server 7.0.15 does
// with these BLPOP timeouts (checked: -0.001 and -0.0009 block forever, -0.0011 is
// negative, 0.0001 waits 1 ms, 1e30 and inf are negative).
func TestCeilTimes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"-0.001", 0}, {"-0.0009", 0}, {"-0.000999999", 0}, {"-1e-20", 0},
		{"-0.0011", -1}, {"-0.0015", -1}, {"-1", -1000}, {"-2.5", -2500},
		{"0", 0}, {"0.0001", 1}, {"0.0009", 1}, {"0.001", 1}, {"1.0005", 1001},
		{"1", 1000}, {"1e15", 1e18}, {"9.2e15", 9.2e18},
		{"1e30", math.MinInt64}, {"-1e30", math.MinInt64}, {"inf", math.MinInt64}, {"-inf", math.MinInt64},
	} {
		x, ok := ParseLongDouble([]byte(tc.in))
		if !ok {
			t.Fatalf("ParseLongDouble(%q) failed", tc.in)
		}
		if got := x.CeilTimes(1000); got != tc.want {
			t.Errorf("CeilTimes(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
