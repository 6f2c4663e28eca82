package config

import (
	"math"
	"strings"
	"testing"
)

func TestMemtoull(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"1b", 1, true},
		{"1B", 1, true},
		{"1k", 1000, true},
		{"1K", 1000, true},
		{"1kb", 1024, true},
		{"1kB", 1024, true},
		{"1KB", 1024, true},
		{"2m", 2000000, true},
		{"2mb", 2 << 20, true},
		{"1g", 1000000000, true},
		{"3GB", 3 << 30, true},
		{"00012", 12, true},
		{"", 0, true},   // no digits: strtoull("") is 0
		{"k", 0, true},  // likewise
		{"kb", 0, true}, // likewise
		{"18446744073709551615", math.MaxUint64, true},
		{"99999999999999999999999", math.MaxUint64, true}, // saturates, ERANGE unchecked
		{"17179869183gb", 17179869183 << 30, true},
		{"17179869184gb", 0, false}, // overflows with the unit
		{"18446744073709551616k", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1.5mb", 0, false},
		{"1kbb", 0, false},
		{"1t", 0, false},
		{"1x", 0, false},
		{"1\x00kb", 1, true}, // C string: stops at NUL
		{strings.Repeat("0", 126) + "1", 1, true},
		{strings.Repeat("0", 127) + "1", 0, false}, // 128 digits do not fit Redis's buffer
	} {
		got, ok := memtoull(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("memtoull(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestString2ll(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"12", 12, true},
		{"-12", -12, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false},
		{"-0", 0, false},
		{"007", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1a", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"1\x00", 0, false}, // length-aware, unlike the C-string parsers
	} {
		got, ok := string2ll(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("string2ll(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStrtoll(t *testing.T) {
	for _, tc := range []struct {
		in       string
		base     int
		want     int64
		full, ov bool
	}{
		{"12", 10, 12, true, false},
		{" 12", 10, 12, true, false},
		{"\t+12", 10, 12, true, false},
		{"-0", 10, 0, true, false},
		{"010", 10, 10, true, false},
		{"12a", 10, 12, false, false},
		{"12 ", 10, 12, false, false},
		{"", 10, 0, true, false}, // no conversion, end at "" itself
		{" ", 10, 0, false, false},
		{"-", 10, 0, false, false},
		{"a", 10, 0, false, false},
		{"9223372036854775807", 10, math.MaxInt64, true, false},
		{"9223372036854775808", 10, math.MaxInt64, true, true},
		{"-9223372036854775808", 10, math.MinInt64, true, false},
		{"-99999999999999999999", 10, math.MinInt64, true, true},
		{"0777", 8, 0777, true, false},
		{"777", 8, 0777, true, false},
		{"8", 8, 0, false, false},
		{"78", 8, 7, false, false},
		{"1\x002", 10, 1, true, false},
	} {
		got, full, ov := strtoll(tc.in, tc.base)
		if got != tc.want || full != tc.full || ov != tc.ov {
			t.Errorf("strtoll(%q, %d) = %d, %v, %v; want %d, %v, %v", tc.in, tc.base, got, full, ov, tc.want, tc.full, tc.ov)
		}
	}
}

func TestString2d(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true},
		{"+5", 5, true},
		{"-0", 0, true},
		{"1e1", 10, true},
		{"1.5e1", 15, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"0x10", 16, true},
		{"0X1p3", 8, true},
		{"0x1.8", 1.5, true},
		{"inf", math.Inf(1), true},
		{"-Infinity", math.Inf(-1), true},
		{"1e-310", 1e-310, true}, // subnormal: ERANGE, but not zero
		{"nan", 0, false},
		{"1e-400", 0, false}, // underflow to zero
		{"1e400", 0, false},  // overflow
		{"", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1_0", 0, false},
		{"0x", 0, false},
		{"0x1p", 0, false},
		{"1e", 0, false},
		{"1\x00", 0, false},
		{"0b1", 0, false},
	} {
		got, ok := string2d(tc.in)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("string2d(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "0"}, {1, "1"}, {1000, "1000"}, {1024, "1kb"}, {1536, "1536"}, {3 << 20, "3mb"},
		{1 << 30, "1gb"}, {5 << 30, "5gb"}, {1<<30 + 1024, "1048577kb"}, {-1024, "-1kb"},
	} {
		if got := formatMemory(tc.in); got != tc.want {
			t.Errorf("formatMemory(%d) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{50, "50"}, {99.9, "99.9"}, {99.99, "99.99"}, {0.000001, "0.000001"}, {0.0000001, "0"},
		{math.Copysign(0, -1), "-0"}, {100, "100"}, {12345678.5, "12345678.5"}, {33.3333333, "33.333333"},
	} {
		if got := formatPercentile(tc.in); got != tc.want {
			t.Errorf("formatPercentile(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
