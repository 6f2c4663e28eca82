package conv

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file compares the conversions with redis-server 7.0.15 itself, through
// the commands that use them. It is skipped when redis-server is not on PATH.
// SEED=n replays a random run.

// oracle is a redis-server started for one test, with a raw RESP
// connection to it.
type oracle struct {
	port int
	conn net.Conn
	r    *bufio.Reader
}

func startOracle(t *testing.T) *oracle {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed: differential test against the reference skipped")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--daemonize", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	o := &oracle{port: port}
	o.dial(t)
	return o
}

// dial opens another connection to the same server.
func (o *oracle) dial(t *testing.T) *oracle {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", o.port))
		if err == nil {
			t.Cleanup(func() { conn.Close() })
			if o.conn == nil {
				o.conn, o.r = conn, bufio.NewReader(conn)
				return o
			}
			return &oracle{port: o.port, conn: conn, r: bufio.NewReader(conn)}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start on port %d: %v", o.port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// do sends one command and returns its reply: string for simple, bulk,
// verbatim and error replies (errors keep their "-", RESP3 doubles their
// ","), int64, nil, or []any for arrays, sets, maps and pushes.
func (o *oracle) do(t *testing.T, args ...string) any {
	t.Helper()
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := o.conn.Write(b); err != nil {
		t.Fatal(err)
	}
	v, err := o.read()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (o *oracle) read() (any, error) {
	line, err := o.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, fmt.Errorf("empty reply line")
	}
	switch line[0] {
	case '+', '#':
		return line[1:], nil
	case '-', ',':
		return line, nil
	case '_':
		return nil, nil
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$', '=':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(o.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*', '~', '>', '%':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return nil, err
		}
		if line[0] == '%' {
			n *= 2
		}
		a := make([]any, n)
		for i := range a {
			if a[i], err = o.read(); err != nil {
				return nil, err
			}
		}
		return a, nil
	}
	return nil, fmt.Errorf("unknown reply %q", line)
}

func isErr(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, "-")
}

// intTexts are awkward integer candidates, plus random ones.
func intTexts(r *rand.Rand) []string {
	texts := []string{"0", "1", "-1", "-0", "00", "01", "+1", " 1", "1 ", "", "-", "--1", "1a", "1.0",
		"1e3", "0x10", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
		"-9223372036854775809", "18446744073709551615", "18446744073709551616", "99999999999999999999",
		"000000000000000000001", "\t1", "1\x00", "\x001", "+0", "-00", "5\x00junk", " -1", "-18446744073709551615"}
	for range 200 {
		var b strings.Builder
		for n := 1 + r.IntN(22); n > 0; n-- {
			b.WriteByte("0123456789012345678901234567890123456789-+ x\x00"[r.IntN(45)])
		}
		texts = append(texts, b.String())
	}
	return texts
}

func TestOracleParseInt(t *testing.T) {
	o := startOracle(t)
	r := testRand(t)
	for _, s := range intTexts(r) {
		// An argument: INCRBY on a missing key replies the increment.
		o.do(t, "DEL", "k")
		got := o.do(t, "INCRBY", "k", s)
		n, ok := ParseInt([]byte(s))
		if ok && got != n || !ok && got != "-ERR value is not an integer or out of range" {
			t.Errorf("INCRBY k %q: redis %v; ParseInt %d, %v", s, got, n, ok)
		}
		// A stored value.
		o.do(t, "SET", "k", s)
		got = o.do(t, "INCRBY", "k", "0")
		if ok && got != n || !ok && got != "-ERR value is not an integer or out of range" {
			t.Errorf("SET k %q; INCRBY k 0: redis %v; ParseInt %d, %v", s, got, n, ok)
		}
	}
}

func TestOracleParseUint(t *testing.T) {
	o := startOracle(t)
	r := testRand(t)
	for _, s := range intTexts(r) {
		if strings.ContainsAny(s, "-*") || len(s) > 100 {
			continue // "-" splits a stream ID, "*" asks for a generated one
		}
		o.do(t, "DEL", "s")
		got := o.do(t, "XADD", "s", "1-"+s, "f", "v")
		n, ok := ParseUint([]byte(s))
		if ok && got != "1-"+strconv.FormatUint(n, 10) ||
			!ok && got != "-ERR Invalid stream ID specified as stream command argument" {
			t.Errorf("XADD s 1-%q: redis %v; ParseUint %d, %v", s, got, n, ok)
		}
	}
}

func floatTexts(r *rand.Rand) []string {
	texts := []string{"1.1", "3", "1e300", "0.1", "-0", "1e-5", "0x10", "0X1p3", "0x1.8", "0x", "inf",
		"+inf", "-inf", "infinity", "-Infinity", "INF", "nan", "-nan", "1e5", ".5", "5.", " 1", "1 ",
		"", "+5", "1e400", "1e-400", "4e-320", "1000000000000000.25", "1e16", "123456789012345678",
		"0x1p-1074", "0x1p-1080", "1e", "1.e5", "infinit", "0x_1p0", "1_0", "2.5e-324",
		"2.4703282292062328e-324", "2.4703282292062327e-324", "1.7976931348623158e308",
		"1.7976931348623159e308", "1e22", "1e21", "0.000001", "0.0001", "123456789.123456789",
		"1\x00", "\x001", "(1", "nan(1)", "1e4932", "-1e-20", "0x1p-16446"}
	for range 300 {
		texts = append(texts, randomNumberText(r))
	}
	return texts
}

func TestOracleParseFormatDouble(t *testing.T) {
	o := startOracle(t)
	r := testRand(t)
	o.do(t, "CONFIG", "SET", "zset-max-listpack-entries", "0") // a listpack turns -0 into 0
	o3 := o.dial(t)
	o3.do(t, "HELLO", "3")
	o.do(t, "ZADD", "range", "-1", "a", "0", "b", "1", "c", "1e300", "d", "inf", "e")
	for _, s := range floatTexts(r) {
		switch strings.ToLower(s) {
		case "nx", "xx", "gt", "lt", "ch", "incr":
			continue // ZADD options
		}
		o.do(t, "DEL", "z")
		got := o.do(t, "ZADD", "z", s, "m")
		f, ok := ParseFloat([]byte(s))
		if !ok {
			if got != "-ERR value is not a valid float" {
				t.Errorf("ZADD z %q m: redis %v; ParseFloat fails", s, got)
			}
		} else if got != int64(1) {
			t.Errorf("ZADD z %q m: redis %v; ParseFloat %v", s, got, f)
		} else {
			want := string(FormatDouble(nil, f))
			if got := o.do(t, "ZSCORE", "z", "m"); got != want {
				t.Errorf("ZADD z %q m; ZSCORE z m: redis %q, FormatDouble %q", s, got, want)
			}
			if got := o3.do(t, "ZSCORE", "z", "m"); got != ","+want {
				t.Errorf("RESP3 ZADD z %q m; ZSCORE z m: redis %q, FormatDouble %q", s, got, want)
			}
		}

		// zslParseRange: strtod on the C string, only NaN and junk rejected.
		b := strings.TrimPrefix(s, "(")
		rf, n, _ := Strtod([]byte(b))
		rok := (n == len(b) || b[n] == 0) && !math.IsNaN(rf)
		got = o.do(t, "ZCOUNT", "range", s, "+inf")
		if !rok {
			if got != "-ERR min or max is not a float" {
				t.Errorf("ZCOUNT range %q +inf: redis %v; Strtod fails", s, got)
			}
			continue
		}
		var count int64
		for _, score := range []float64{-1, 0, 1, 1e300, math.Inf(1)} {
			if score > rf || score == rf && len(b) == len(s) {
				count++
			}
		}
		if got != count {
			t.Errorf("ZCOUNT range %q +inf: redis %v; Strtod %v gives %d", s, got, rf, count)
		}
	}
}

func TestOracleIncrByFloat(t *testing.T) {
	o := startOracle(t)
	r := testRand(t)
	texts := floatTexts(r)
	pick := func() string {
		switch r.IntN(4) {
		case 0:
			return texts[r.IntN(len(texts))]
		case 1:
			return strconv.FormatInt(r.Int64N(2000)-1000, 10)
		}
		return randomDecimal(r)
	}
	for seq := range 150 {
		cur, exists := "", false
		o.do(t, "DEL", "k")
		if r.IntN(2) == 0 {
			cur, exists = pick(), true
			o.do(t, "SET", "k", cur)
		}
		for range 1 + r.IntN(8) {
			incr := pick()
			got := o.do(t, "INCRBYFLOAT", "k", incr)
			res, errMsg := IncrByFloat(nil, []byte(cur), exists, []byte(incr))
			want := any(string(res))
			if errMsg != "" {
				want = "-" + errMsg
			}
			if got != want {
				t.Errorf("sequence %d: value %q (exists %v), INCRBYFLOAT %q: redis %.200q, IncrByFloat %.200q",
					seq, cur, exists, incr, got, want)
				break
			}
			if errMsg == "" {
				cur, exists = string(res), true
			}
		}
	}
}

// TestOracleHIncrByFloat checks the recipe documented on IncrByFloat for
// HINCRBYFLOAT.
func TestOracleHIncrByFloat(t *testing.T) {
	o := startOracle(t)
	r := testRand(t)
	texts := floatTexts(r)
	for range 300 {
		cur, exists := texts[r.IntN(len(texts))], r.IntN(3) > 0
		incr := texts[r.IntN(len(texts))]
		if r.IntN(2) == 0 {
			incr = randomDecimal(r)
		}
		o.do(t, "DEL", "h")
		if exists {
			o.do(t, "HSET", "h", "f", cur)
		}
		got := o.do(t, "HINCRBYFLOAT", "h", "f", incr)
		var want any
		if inc, ok := ParseLongDouble([]byte(incr)); !ok {
			want = "-" + ErrNotValidFloat
		} else if inc.IsInf() || inc.IsNaN() {
			want = "-ERR value is NaN or Infinity"
		} else {
			var value LongDouble
			if exists {
				value, ok = ParseLongDouble([]byte(cur))
			}
			if !ok {
				want = "-ERR hash value is not a float"
			} else if sum := value.Add(inc); sum.IsInf() || sum.IsNaN() {
				want = "-" + ErrIncrNaNOrInfity
			} else {
				want = string(FormatLongDouble(nil, sum))
			}
		}
		if got != want {
			t.Errorf("HSET h f %q (%v); HINCRBYFLOAT h f %q: redis %.200q, want %.200q", cur, exists, incr, got, want)
		}
	}
}

func TestOracleMemory(t *testing.T) {
	o := startOracle(t)
	r := testRand(t)
	texts := []string{"1kb", "1k", "1KB", "1K", "1mb", "1m", "1gb", "1g", "1b", "1B", "100", "", "kb",
		"+1", " 1", "1 kb", "-1", "1.5mb", "1tb", "18446744073709551615", "18446744073709551616",
		"99999999999999999999", "20000000000gb", "17179869184gb", "0", "00012k", "1KiB", "1Mb", "1gB",
		"1023", "1024", "1025", "1536", "1152", "1000000", "1099511627776", "1125899906842623",
		"1152921504606846975", "1152921504606846976"}
	for range 100 {
		texts = append(texts, strconv.FormatUint(r.Uint64()>>uint(r.IntN(64)), 10)+
			[]string{"", "b", "k", "kb", "m", "mb", "g", "gb", "KB", "x"}[r.IntN(10)])
	}
	defer o.do(t, "CONFIG", "SET", "maxmemory", "0")
	for _, s := range texts {
		o.do(t, "CONFIG", "SET", "maxmemory", "0")
		got := o.do(t, "CONFIG", "SET", "maxmemory", s)
		n, ok := ParseMemory(s)
		if !ok {
			if !isErr(got) {
				t.Errorf("CONFIG SET maxmemory %q: redis %v; ParseMemory fails", s, got)
			}
			continue
		}
		if got != "OK" {
			t.Errorf("CONFIG SET maxmemory %q: redis %v; ParseMemory %d", s, got, uint64(n))
			continue
		}
		cfg := o.do(t, "CONFIG", "GET", "maxmemory").([]any)
		if cfg[1] != strconv.FormatUint(uint64(n), 10) {
			t.Errorf("CONFIG SET maxmemory %q: redis %v; ParseMemory %d", s, cfg[1], uint64(n))
		}
		info := o.do(t, "INFO", "memory").(string)
		want := "maxmemory_human:" + FormatMemoryHuman(n) + "\r\n"
		if !strings.Contains(info, want) {
			i := strings.Index(info, "maxmemory_human:")
			t.Errorf("maxmemory %d: redis %q, FormatMemoryHuman %q", uint64(n), info[i:i+40], want)
		}
	}
}
