package conv

// This file checks the conversions against glibc itself — the C library
// that redis-server uses — by compiling a small C program with cc and
// comparing on hundreds of thousands of inputs: printf "%.17g" and
// "%.17Lf", strtod, strtold, x87 long double addition, and bytesToHuman.
// It is skipped when no C compiler is installed. SEED=n replays a run.

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const glibcRefSource = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <ctype.h>
static int unhex(const char *h, char *out) { int n=0; while (h[0] && h[1] && h[0]!='\n') { unsigned v; sscanf(h, "%2x", &v); out[n++]=(char)v; h+=2; } out[n]=0; return n; }
static long double ldfrom(uint16_t se, uint64_t m) { long double x = 0; memcpy(&x, &m, 8); memcpy((char*)&x+8, &se, 2); return x; }
static void ldbits(long double x, uint16_t *se, uint64_t *m) { memcpy(m, &x, 8); memcpy(se, (char*)&x+8, 2); }
static char buf[1<<16], s[1<<15], out[1<<15];
int main(void) {
  while (fgets(buf, sizeof buf, stdin)) {
    char op = buf[0]; char *arg = buf+2;
    if (op == 'g') { uint64_t b = strtoull(arg, 0, 16); double d; memcpy(&d, &b, 8); printf("%.17g\n", d); }
    else if (op == 'd') { int n = unhex(arg, s); char *e; errno = 0; double d = strtod(s, &e); uint64_t b; memcpy(&b,&d,8); printf("%ld %016llx %d\n", (long)(e-s), (unsigned long long)b, errno==ERANGE); (void)n; }
    else if (op == 'l') { int n = unhex(arg, s); char *e; errno = 0; long double d = strtold(s, &e); uint16_t se; uint64_t m; ldbits(d,&se,&m); printf("%ld %04x %016llx %d\n", (long)(e-s), se, (unsigned long long)m, errno==ERANGE); (void)n; }
    else if (op == 'a' || op == 'f') { unsigned se1, se2=0; unsigned long long m1, m2=0; if (op=='a') sscanf(arg, "%x %llx %x %llx", &se1, &m1, &se2, &m2); else sscanf(arg, "%x %llx", &se1, &m1);
      long double x = ldfrom(se1, m1); if (op=='a') { long double y = ldfrom(se2, m2); x += y; }
      uint16_t se; uint64_t m; ldbits(x,&se,&m);
      /* ld2string LD_STR_HUMAN */
      size_t l;
      if (isinf(x)) { strcpy(out, x > 0 ? "inf" : "-inf"); l = strlen(out); }
      else { l = snprintf(out, sizeof out, "%.17Lf", x); if (strchr(out,'.')) { char *p = out+l-1; while (*p=='0') { p--; l--; } if (*p=='.') l--; } if (l==2 && out[0]=='-' && out[1]=='0') { out[0]='0'; l=1; } out[l]=0; }
      printf("%04x %016llx %s\n", se, (unsigned long long)m, out); }
    else if (op == 'h') { unsigned long long n = strtoull(arg, 0, 10); double d; const unsigned long long k=1024;
      if (n < k) printf("%lluB\n", n); else if (n < k*k) { d=(double)n/k; printf("%.2fK\n", d);} else if (n < k*k*k) { d=(double)n/(k*k); printf("%.2fM\n", d);} else if (n < k*k*k*k) { d=(double)n/(k*k*k); printf("%.2fG\n", d);} else if (n < k*k*k*k*k) { d=(double)n/(k*k*k*k); printf("%.2fT\n", d);} else if (n < k*k*k*k*k*k) { d=(double)n/(k*k*k*k*k); printf("%.2fP\n", d);} else printf("%lluB\n", n); }
    fflush(stdout);
  }
  return 0;
}
`

// glibcRef compiles the reference program and runs it on input, one request
// per line, returning one reply per line.
func glibcRef(t *testing.T, input []string) []string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc): comparison with glibc skipped")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "ref.c")
	bin := filepath.Join(dir, "ref")
	if err := os.WriteFile(src, []byte(glibcRefSource), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-O2", "-o", bin, src, "-lm").CombinedOutput(); err != nil {
		t.Skipf("cc could not build the glibc reference: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Stdin = strings.NewReader(strings.Join(input, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(input) {
		t.Fatalf("glibc reference answered %d lines for %d requests", len(lines), len(input))
	}
	return lines
}

func testRand(t *testing.T) *rand.Rand {
	t.Helper()
	s := rand.Uint64()
	if v := os.Getenv("SEED"); v != "" {
		var err error
		if s, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("SEED: %v", err)
		}
	}
	t.Logf("SEED=%d", s)
	return rand.New(rand.NewPCG(s, 0))
}

// ldBits is x in the x87 memory format: sign and biased exponent, and the
// significand with its explicit integer bit.
func ldBits(x LongDouble) (uint16, uint64) {
	var se uint16
	if x.neg {
		se = 0x8000
	}
	switch {
	case x.kind == numInf:
		return se | 0x7fff, 1 << 63
	case x.kind == numNaN:
		return se | 0x7fff, 3 << 62
	case x.mant == 0:
		return se, 0
	case x.mant < 1<<63:
		return se, x.mant // subnormal, exp is ldMinExp
	}
	return se | uint16(int(x.exp)+16446), x.mant
}

// ldFromBits is the inverse of ldBits for finite, infinite and NaN values
// with a valid (normalised) encoding.
func ldFromBits(se uint16, m uint64) LongDouble {
	x := LongDouble{neg: se&0x8000 != 0}
	e := int(se & 0x7fff)
	switch {
	case e == 0x7fff && m == 1<<63:
		x.kind = numInf
		return x
	case e == 0x7fff:
		x.kind = numNaN
		return x
	case e == 0:
		return x.withMant(m, ldMinExp)
	}
	return x.withMant(m, int32(e-16446))
}

func randomLDBits(r *rand.Rand) (uint16, uint64) {
	var se uint16
	if r.IntN(2) == 0 {
		se = 0x8000
	}
	m := r.Uint64()
	switch r.IntN(10) {
	case 0: // subnormal or zero
		m >>= r.IntN(65)
		return se, m
	case 1: // anywhere in range
		e := 1 + r.IntN(0x7ffe)
		return se | uint16(e), m | 1<<63
	case 2: // short significand
		m &^= 1<<uint(r.IntN(64)) - 1
	}
	// Mostly magnitudes INCRBYFLOAT users see: 2^-80 .. 2^100.
	e := 16383 - 80 + r.IntN(180)
	return se | uint16(e), m | 1<<63
}

func randomDecimal(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(3) == 0 {
		b.WriteByte('-')
	}
	digits := "0123456789"
	n := 1 + r.IntN(25)
	point := r.IntN(n + 2)
	for i := 0; i < n; i++ {
		if i == point {
			b.WriteByte('.')
		}
		b.WriteByte(digits[r.IntN(10)])
	}
	if r.IntN(4) == 0 {
		b.WriteByte("eE"[r.IntN(2)])
		b.WriteString([]string{"", "+", "-"}[r.IntN(3)])
		exps := []int{0, 1, 5, 17, 18, 19, 300, 307, 308, 309, 320, 323, 324, 325, 4931, 4932, 4933, 4950, 4951, 4952, 5000}
		b.WriteString(strconv.Itoa(exps[r.IntN(len(exps))] + r.IntN(3) - 1))
	}
	return b.String()
}

var numberTokens = []string{
	"0", "1", "5", "9", "00", "123456789", "99999999999999999999", "3", ".", ".", "e", "E", "p", "P",
	"x", "X", "0x", "0X", "a", "f", "F", "+", "-", " ", "\t", "\n", "inf", "INF", "infinity",
	"Infinit", "nan", "NaN", "nan(", "abc_1)", ")", "_", "4932", "308", "16445", "1e", "0x1p",
}

func randomNumberText(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return randomDecimal(r)
	case 1:
		s := fmt.Sprintf("%x", r.Uint64()>>uint(r.IntN(64)))
		if i := r.IntN(len(s) + 1); r.IntN(2) == 0 {
			s = s[:i] + "." + s[i:]
		}
		s = []string{"0x", "0X", "-0x", "+0x"}[r.IntN(4)] + s
		if r.IntN(2) == 0 {
			s += fmt.Sprintf("p%d", r.IntN(33000)-16500)
		}
		return s
	}
	var b strings.Builder
	for n := 1 + r.IntN(6); n > 0; n-- {
		b.WriteString(numberTokens[r.IntN(len(numberTokens))])
	}
	return b.String()
}

func TestGlibcFormatDouble(t *testing.T) {
	r := testRand(t)
	var in []string
	var vals []float64
	specials := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.1, 1e22, 1e21, 1e16, 1e17, 1e-5, 1e-4,
		1000000000000000.25, math.MaxFloat64, math.SmallestNonzeroFloat64, 2.2250738585072014e-308, 123456789012345678}
	for _, f := range specials {
		vals = append(vals, f)
	}
	for range 100000 {
		var f float64
		switch r.IntN(3) {
		case 0:
			f = math.Float64frombits(r.Uint64())
		case 1:
			f = float64(r.Int64N(1<<54)-1<<53) / math.Pow(10, float64(r.IntN(20)))
		default:
			f = math.Ldexp(r.Float64(), r.IntN(200)-100)
		}
		if !math.IsNaN(f) {
			vals = append(vals, f)
		}
	}
	for _, f := range vals {
		in = append(in, fmt.Sprintf("g %016x", math.Float64bits(f)))
	}
	want := glibcRef(t, in)
	var buf []byte
	for i, f := range vals {
		buf = FormatDouble(buf[:0], f)
		if string(buf) != want[i] {
			t.Errorf("FormatDouble(%b) = %q, glibc %%.17g %q", f, buf, want[i])
		}
	}
}

func TestGlibcStrtod(t *testing.T) {
	r := testRand(t)
	texts := []string{"", " ", "0x", "0x.", "0x.8", "0x1p", "1e", "1e+", ".e1", ".", "-", "+.5", "5.",
		"infinit", "nan(", "nan(x_1)", "-nan", "0x1p-1074", "0x1p-1075", "0x1.0000000000001p-1075",
		"2.4703282292062328e-324", "2.4703282292062327e-324", "1.7976931348623158e308",
		"1.7976931348623159e308", "1e400", "1e-400", "4e-320", "0e999999999999999999999",
		"1e-99999999999999999999", "\x00", "1\x002", " \t+1e5", "0x_1p0", "1_0"}
	for range 100000 {
		texts = append(texts, randomNumberText(r))
	}
	in := make([]string, len(texts))
	for i, s := range texts {
		in[i] = "d " + hex.EncodeToString([]byte(s))
	}
	want := glibcRef(t, in)
	for i, s := range texts {
		var n int
		var bits uint64
		var erange int
		if _, err := fmt.Sscanf(want[i], "%d %x %d", &n, &bits, &erange); err != nil {
			t.Fatalf("%q: %v", want[i], err)
		}
		wf := math.Float64frombits(bits)
		wantRange := erange == 1 && (math.IsInf(wf, 0) || wf == 0)
		f, gn, rangeErr := Strtod([]byte(s))
		if gn != n || rangeErr != wantRange || (math.IsNaN(wf) != math.IsNaN(f)) ||
			!math.IsNaN(wf) && math.Float64bits(f) != bits {
			t.Errorf("Strtod(%q) = %v, %d, %v; glibc %v, %d, %v", s, f, gn, rangeErr, wf, n, wantRange)
			continue
		}
		wantOK := len(s) > 0 && !isSpace(s[0]) && n == len(s) && !wantRange && !math.IsNaN(wf)
		if g, ok := ParseFloat([]byte(s)); ok != wantOK || ok && math.Float64bits(g) != bits {
			t.Errorf("ParseFloat(%q) = %v, %v; want %v, %v", s, g, ok, wf, wantOK)
		}
	}
}

func TestGlibcStrtold(t *testing.T) {
	r := testRand(t)
	texts := []string{"0x1p-16445", "0x1p-16446", "0x1.8p-16446", "1e-4951", "3e-4951", "1e4932",
		"1.18973149535723176502e+4932", "1.18973149535723176509e+4932", "1e5000", "1e-5000",
		"0.000003814697265625", "9223372036854775808", "18446744073709551615", "18446744073709551617",
		"-0", "inf", "-Infinity", "nan", "0x10", "1.5\x00x", " 1", "1 ",
		"3.36210314311209350626e-4932", "3.36210314311209350625e-4932", strings.Repeat("1", 5119),
		strings.Repeat("1", 5120), "0." + strings.Repeat("0", 4949) + "36", "0x" + strings.Repeat("f", 4000) + "p-16000"}
	for range 100000 {
		texts = append(texts, randomNumberText(r))
	}
	in := make([]string, len(texts))
	for i, s := range texts {
		in[i] = "l " + hex.EncodeToString([]byte(s))
	}
	want := glibcRef(t, in)
	for i, s := range texts {
		var n, erange int
		var se uint16
		var m uint64
		if _, err := fmt.Sscanf(want[i], "%d %x %x %d", &n, &se, &m, &erange); err != nil {
			t.Fatalf("%q: %v", want[i], err)
		}
		w := ldFromBits(se, m)
		zero := w.kind == numFinite && w.mant == 0
		wantOK := len(s) > 0 && len(s) < maxLongDoubleChars && !isSpace(s[0]) && n == len(s) &&
			!(erange == 1 && (w.IsInf() || zero)) && !w.IsNaN()
		got, ok := ParseLongDouble([]byte(s))
		if ok != wantOK {
			t.Errorf("ParseLongDouble(%.80q) ok = %v, want %v (glibc %s)", s, ok, wantOK, want[i])
			continue
		}
		if gse, gm := ldBits(got); ok && (gse != se || gm != m) {
			t.Errorf("ParseLongDouble(%.80q) = %04x %016x, glibc %04x %016x", s, gse, gm, se, m)
		}
	}
}

func TestGlibcLongDoubleAddFormat(t *testing.T) {
	r := testRand(t)
	type pair struct{ x, y LongDouble }
	var pairs []pair
	var in []string
	add := func(x, y LongDouble) {
		xse, xm := ldBits(x)
		yse, ym := ldBits(y)
		pairs = append(pairs, pair{x, y})
		in = append(in, fmt.Sprintf("a %04x %016x %04x %016x", xse, xm, yse, ym))
	}
	for range 25000 {
		var x, y LongDouble
		if r.IntN(2) == 0 {
			x = ldFromBits(randomLDBits(r))
			y = ldFromBits(randomLDBits(r))
		} else {
			var ok1, ok2 bool
			x, ok1 = ParseLongDouble([]byte(randomDecimal(r)))
			y, ok2 = ParseLongDouble([]byte(randomDecimal(r)))
			if !ok1 || !ok2 {
				continue
			}
		}
		add(x, y)
		// Near cancellation.
		yse, ym := ldBits(x)
		add(x, ldFromBits(yse^0x8000, ym+uint64(r.IntN(5))-2|func() uint64 {
			if yse&0x7fff != 0 {
				return 1 << 63
			}
			return 0
		}()))
	}
	inf := ldFromBits(0x7fff, 1<<63)
	add(inf, ldFromBits(0xffff, 1<<63))
	add(ldFromBits(0x8000, 0), ldFromBits(0x8000, 0))
	add(ldFromBits(0x8000, 0), ldFromBits(0, 0))
	add(ldFromBits(0x7ffe, 1<<64-1), ldFromBits(0x7ffe, 1<<64-1))
	add(ldFromBits(0x7ffe, 1<<64-1), ldFromBits(0x7fbe, 1<<63))
	add(ldFromBits(0x0001, 1<<63), ldFromBits(0x8000, 1))
	want := glibcRef(t, in)
	var buf []byte
	for i, p := range pairs {
		var se uint16
		var m uint64
		var text string
		if _, err := fmt.Sscanf(want[i], "%x %x %s", &se, &m, &text); err != nil {
			t.Fatalf("%q: %v", want[i], err)
		}
		sum := p.x.Add(p.y)
		gse, gm := ldBits(sum)
		if sum.IsNaN() {
			gm = m // NaN payloads are not compared
		}
		if gse != se || gm != m {
			xse, xm := ldBits(p.x)
			yse, ym := ldBits(p.y)
			t.Errorf("%04x %016x + %04x %016x = %04x %016x, x87 %04x %016x", xse, xm, yse, ym, gse, gm, se, m)
			continue
		}
		if buf = FormatLongDouble(buf[:0], sum); !sum.IsNaN() && string(buf) != text {
			t.Errorf("FormatLongDouble(%04x %016x) = %.100q, ld2string %.100q", se, m, buf, text)
		}
	}
}

func TestGlibcBytesToHuman(t *testing.T) {
	r := testRand(t)
	ns := []uint64{0, 1, 1023, 1024, 1025, 1152, 1536, 1000000, 1 << 20, 1<<30 - 1, 1 << 40, 1 << 50,
		1<<60 - 1, 1 << 60, 1<<64 - 1}
	for range 20000 {
		ns = append(ns, r.Uint64()>>uint(r.IntN(64)))
	}
	in := make([]string, len(ns))
	for i, n := range ns {
		in[i] = "h " + strconv.FormatUint(n, 10)
	}
	want := glibcRef(t, in)
	for i, n := range ns {
		if got := FormatMemoryHuman(int64(n)); got != want[i] {
			t.Errorf("FormatMemoryHuman(%d) = %q, bytesToHuman %q", n, got, want[i])
		}
	}
}
