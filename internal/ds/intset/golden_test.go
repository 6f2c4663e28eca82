package intset

import (
	"cairn/internal/redisoracle"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"hash/crc64"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The golden cases: SADD/SREM histories applied to one key. testdata/golden.txt
// holds, for each, the intset that redis-server 7.0.15 DUMPs for it. Every run
// compares our bytes with that file; when redis-server is installed the file is
// also compared with a live redis-server, and -rewrite re-records it:
//
//	go test ./internal/ds/intset -run TestGolden -rewrite
var rewrite = flag.Bool("rewrite", false, "re-record testdata/golden.txt from redis-server 7.0.15")

const goldenFile = "testdata/golden.txt"

var goldenCases = []struct{ name, history string }{
	{"int16", "SADD 1 2 3"},
	{"int16-one", "SADD 7"},
	{"int16-bounds", "SADD 5 -1 32767 0 -32768"},
	{"int16-duplicates", "SADD 3 3 1 2 1"},
	{"int32", "SADD 1 2 3 65536"},
	{"int32-upgrade-negative", "SADD 5 6 ; SADD -100000"},
	{"int32-bounds", "SADD 32768 -2147483648 -32769 2147483647"},
	{"int64", "SADD 1 4294967296 -5"},
	{"int64-bounds", "SADD 0 9223372036854775807 -9223372036854775808"},
	{"int64-upgrade-from-int16", "SADD 100 -100 ; SADD 3000000000 ; SADD -3000000000"},
	{"int64-upgrade-from-int32", "SADD 100000 -100000 1 ; SADD -2147483649"},
	{"no-downgrade-int32", "SADD 70000 1 ; SREM s 70000"},
	{"no-downgrade-int64", "SADD 5 5000000000 -2 ; SREM s 5000000000"},
	{"remove-middle", "SADD 10 20 30 40 50 ; SREM s 30 ; SREM s 10 ; SADD 25"},
	{"remove-missing", "SADD 1 2 3 ; SREM s 4 100000 5000000000"},
	{"many-int16", "SADD " + seq(-150, 150, 3)},
	{"many-int32", "SADD " + seq(-1500000, 1500000, 30011)},
	{"many-int64", "SADD " + seq(-1e12, 1e12, 2e10+7)},
	{"max-entries-512", "SADD " + seq(0, 511*97, 97)},
}

// seq returns the integers from..to in steps of step, shuffled
// deterministically, space-separated.
func seq(from, to, step int64) string {
	var v []string
	for x := from; x <= to; x += step {
		v = append(v, strconv.FormatInt(x, 10))
	}
	for i := range v { // a fixed permutation: adds must not be in order
		j := (i * 7919) % len(v)
		v[i], v[j] = v[j], v[i]
	}
	return strings.Join(v, " ")
}

// commands splits a history into commands; "SADD a b" adds to the key, "SREM
// s a b" removes (the s keeps the Redis command line readable).
func commands(history string) [][]string {
	var cmds [][]string
	for _, c := range strings.Split(history, " ; ") {
		f := strings.Fields(c)
		if f[0] == "SREM" {
			f = append([]string{"SREM"}, f[2:]...)
		}
		cmds = append(cmds, f)
	}
	return cmds
}

// replay builds our intset from a history.
func replay(t *testing.T, history string) *Intset {
	t.Helper()
	s := New()
	for _, c := range commands(history) {
		for _, a := range c[1:] {
			v, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if c[0] == "SADD" {
				s.Add(v)
			} else {
				s.Remove(v)
			}
		}
		if err := s.check(); err != nil {
			t.Fatalf("%s: %v", history, err)
		}
	}
	return s
}

func readGolden(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		name, h, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad line in %s: %q", goldenFile, line)
		}
		m[name] = h
	}
	return m
}

// TestGolden compares our bytes with the recorded Redis payloads, and
// checks that FromBytes accepts each and gives the same set back.
func TestGolden(t *testing.T) {
	golden := readGolden(t)
	if len(golden) != len(goldenCases) {
		t.Errorf("%s has %d cases, the test %d: re-record with -rewrite", goldenFile, len(golden), len(goldenCases))
	}
	for _, c := range goldenCases {
		want, ok := golden[c.name]
		if !ok {
			t.Errorf("%s: not recorded in %s", c.name, goldenFile)
			continue
		}
		s := replay(t, c.history)
		if got := hex.EncodeToString(s.Bytes()); got != want {
			t.Errorf("%s: got\n%s\nwant (redis-server)\n%s", c.name, got, want)
		}
		b, _ := hex.DecodeString(want)
		l, err := FromBytes(b)
		if err != nil {
			t.Errorf("%s: FromBytes(redis bytes): %v", c.name, err)
			continue
		}
		if l.Len() != s.Len() || l.Encoding() != s.Encoding() {
			t.Errorf("%s: FromBytes: len %d enc %d, want %d %d", c.name, l.Len(), l.Encoding(), s.Len(), s.Encoding())
		}
		for i, v := range s.All() {
			if l.Get(i) != v || !l.Find(v) {
				t.Errorf("%s: FromBytes: value %d = %d, want %d", c.name, i, l.Get(i), v)
			}
		}
	}
}

// TestGoldenOracle runs the golden histories against redis-server itself and
// compares the intsets it DUMPs with testdata (or, with -rewrite, records
// them). Skipped when redis-server is not installed, unless -rewrite.
func TestGoldenOracle(t *testing.T) {
	o := startOracle(t)
	if v := oracleVersion(o, t); v != "7.0.15" {
		if *rewrite {
			t.Fatalf("-rewrite needs redis-server 7.0.15, found %s", v)
		}
		t.Skipf("redis-server %s is not the 7.0.15 reference", v)
	}
	// Uncompressed DUMP strings, so the intset is there byte for byte.
	oracleMustOK(o, t, "CONFIG", "SET", "rdbcompression", "no")
	got := map[string]string{}
	for _, c := range goldenCases {
		o.Do(t, "DEL", "s")
		for _, cmd := range commands(c.history) {
			args := append([]string{cmd[0], "s"}, cmd[1:]...)
			if r := o.Do(t, args...); strings.HasPrefix(fmt.Sprint(r), "-") {
				t.Fatalf("%s: %v: %v", c.name, args, r)
			}
		}
		if enc := o.Do(t, "OBJECT", "ENCODING", "s"); enc != "intset" {
			t.Fatalf("%s: redis-server encoding %v, want intset", c.name, enc)
		}
		dump, ok := o.Do(t, "DUMP", "s").(string)
		if !ok {
			t.Fatalf("%s: DUMP failed", c.name)
		}
		is, err := intsetFromDump([]byte(dump))
		if err != nil {
			t.Fatalf("%s: %v (payload %x)", c.name, err, dump)
		}
		got[c.name] = hex.EncodeToString(is)
	}
	if *rewrite {
		var b strings.Builder
		b.WriteString("# Intsets DUMPed by redis-server 7.0.15 for the histories in golden_test.go.\n")
		b.WriteString("# Recorded by: go test ./internal/ds/intset -run TestGoldenOracle -rewrite\n")
		for _, c := range goldenCases {
			fmt.Fprintf(&b, "%s %s\n", c.name, got[c.name])
		}
		if err := os.WriteFile(goldenFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	golden := readGolden(t)
	for _, c := range goldenCases {
		if got[c.name] != golden[c.name] {
			t.Errorf("%s: redis-server now DUMPs\n%s\ntestdata has\n%s", c.name, got[c.name], golden[c.name])
		}
	}
}

// intsetFromDump extracts the intset from a DUMP payload of a set with the
// intset encoding: the RDB type byte (11, RDB_TYPE_SET_INTSET), the intset as
// an RDB string, the RDB version (2 bytes, little-endian) and the CRC64 (8
// bytes, little-endian, Jones polynomial) of everything before it.
func intsetFromDump(p []byte) ([]byte, error) {
	if len(p) < 1+1+10 {
		return nil, fmt.Errorf("payload of %d bytes too short", len(p))
	}
	body, footer := p[:len(p)-8], p[len(p)-8:]
	sum := ^crc64.Update(^uint64(0), crc64.MakeTable(0x95ac9329ac4bc9b5), body)
	if want := binary.LittleEndian.Uint64(footer); sum != want {
		return nil, fmt.Errorf("crc64 %#x, payload says %#x", sum, want)
	}
	if v := binary.LittleEndian.Uint16(body[len(body)-2:]); v != 10 {
		return nil, fmt.Errorf("RDB version %d, want 10", v)
	}
	body = body[:len(body)-2]
	if body[0] != 11 {
		return nil, fmt.Errorf("RDB type %d, want 11 (intset)", body[0])
	}
	body = body[1:]
	// The RDB length: 00xxxxxx, 01xxxxxx xxxxxxxx, 0x80 + 32-bit BE,
	// 0x81 + 64-bit BE; 11xxxxxx is a special (integer or LZF) encoding.
	var n uint64
	switch b := body[0]; {
	case b>>6 == 0:
		n, body = uint64(b&0x3f), body[1:]
	case b>>6 == 1:
		n, body = uint64(b&0x3f)<<8|uint64(body[1]), body[2:]
	case b == 0x80:
		n, body = uint64(binary.BigEndian.Uint32(body[1:])), body[5:]
	case b == 0x81:
		n, body = binary.BigEndian.Uint64(body[1:]), body[9:]
	default:
		return nil, fmt.Errorf("string encoding %#x (compressed?)", b)
	}
	if n != uint64(len(body)) {
		return nil, fmt.Errorf("string of %d bytes, %d left in payload", n, len(body))
	}
	return body, nil
}

func oracleVersion(o *redisoracle.Conn, t *testing.T) string {
	t.Helper()
	info, _ := o.Do(t, "INFO", "server").(string)
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "redis_version:"); ok {
			return v
		}
	}
	return "unknown"
}

func oracleMustOK(o *redisoracle.Conn, t *testing.T, args ...string) {
	t.Helper()
	if r := o.Do(t, args...); r != "OK" {
		t.Fatalf("%v: %v", args, r)
	}
}

// TestRandomOracle applies random SADD/SREM histories to redis-server and to
// an Intset and compares the DUMPed bytes after every command. Skipped when
// redis-server is not installed.
func TestRandomOracle(t *testing.T) {
	if *rewrite {
		t.Skip("-rewrite records the golden cases only")
	}
	o := startOracle(t)
	oracleMustOK(o, t, "CONFIG", "SET", "rdbcompression", "no")
	rng := newRand(testSeed(t))
	for round := range 30 {
		o.Do(t, "DEL", "s")
		s := New()
		span := int64(1) << rng.IntN(63)
		for op := range 40 {
			cmd := []string{"SADD", "s"}
			if s.Len() > 0 && rng.IntN(3) == 0 {
				cmd[0] = "SREM"
			}
			for range 1 + rng.IntN(8) {
				v := rng.Int64N(span) - span/2
				if cmd[0] == "SREM" && s.Len() > 0 && rng.IntN(2) == 0 {
					v = s.Get(rng.IntN(s.Len()))
				}
				if cmd[0] == "SADD" {
					s.Add(v)
				} else {
					s.Remove(v)
				}
				cmd = append(cmd, strconv.FormatInt(v, 10))
			}
			o.Do(t, cmd...)
			if s.Len() == 0 {
				break // Redis deletes the key
			}
			dump, _ := o.Do(t, "DUMP", "s").(string)
			want, err := intsetFromDump([]byte(dump))
			if err != nil {
				t.Fatalf("round %d op %d: %v", round, op, err)
			}
			if got := s.Bytes(); string(got) != string(want) {
				t.Fatalf("round %d op %d after %v:\ngot  %x\nwant %x", round, op, cmd, got, want)
			}
		}
	}
}

// startOracle runs redis-server 7.0.15, the reference, for this test (redisoracle).
func startOracle(t *testing.T) *redisoracle.Conn {
	t.Helper()
	if *rewrite && !redisoracle.Installed() {
		t.Fatal("-rewrite needs redis-server 7.0.15 (apt-get install -y redis-server)")
	}
	return redisoracle.Start(t, "comparison with the reference skipped")
}
