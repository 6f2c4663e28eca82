package listpack

import (
	"bytes"
	"cairn/internal/redisoracle"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The golden tests hold listpacks that redis-server 7.0.15 wrote, taken
// from DUMP payloads recorded in testdata/golden/<case>.dump. For each we
// check that FromBytes accepts Redis's bytes and reads the expected
// entries, and that building the same entries with our API gives the same
// bytes. TestGoldenOracle re-creates every case on a real redis-server (when
// one is on PATH) and checks that the recorded payloads are still what it
// writes; with -rewrite it records them afresh:
//
//	go test ./internal/ds/listpack -run Golden -args -rewrite

var rewrite = flag.Bool("rewrite", false, "record the golden DUMP payloads from redis-server")

// goldenCase is a key "k" created on redis-server by setup (an argument
// "@case" stands for the payload of an earlier case); entries are
// the listpack's entries as text; build, if set, makes the listpack with
// our API (else entries are appended one by one).
type goldenCase struct {
	name    string
	setup   [][]string
	entries []string
	build   func() Listpack
}

var intBounds = []string{"0", "127", "128", "-1", "4095", "4096", "-4096", "-4097", "32767", "32768",
	"-32768", "-32769", "8388607", "8388608", "-8388608", "-8388609", "2147483647", "2147483648",
	"-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808"}

var intLike = []string{"007", "-0", "+5", " 5", "5 ", "9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "0x10", "1e3", "1.5", "", "00", "-", "12345678901234567890",
	"-1234567890123456789", "123456789012345678901"}

func goldenCases() []goldenCase {
	var cases []goldenCase
	pairs := func(fields, values []string) (cmd, entries []string) {
		cmd = []string{"HSET", "k"}
		for i := range fields {
			cmd = append(cmd, fields[i], values[i])
			entries = append(entries, fields[i], values[i])
		}
		return cmd, entries
	}

	cmd, ent := pairs([]string{"f1", "f2"}, []string{"v1", "v2"})
	cases = append(cases, goldenCase{name: "hash-small", setup: [][]string{cmd}, entries: ent})

	var names []string
	for i := range intBounds {
		names = append(names, "f"+strconv.Itoa(i))
	}
	cmd, ent = pairs(intBounds, names)
	cmd2, ent2 := pairs(names, intBounds)
	cases = append(cases, goldenCase{name: "hash-int-bounds", setup: [][]string{cmd, cmd2}, entries: append(ent, ent2...)})

	names = names[:0]
	for i := range intLike {
		names = append(names, "s"+strconv.Itoa(i))
	}
	cmd, ent = pairs(names, intLike)
	cases = append(cases, goldenCase{name: "hash-int-like-strings", setup: [][]string{cmd}, entries: ent})

	var lens []string
	for _, n := range []int{0, 1, 63, 64, 125, 126, 127, 4095, 4096, 16377, 16378, 16379} {
		lens = append(lens, strings.Repeat(string(rune('a'+n%26)), n))
	}
	names = names[:0]
	for i := range lens {
		names = append(names, "l"+strconv.Itoa(i))
	}
	cmd, ent = pairs(names, lens)
	cases = append(cases, goldenCase{name: "hash-string-lengths",
		setup: [][]string{{"CONFIG", "SET", "hash-max-listpack-value", "100000"}, cmd}, entries: ent})

	cases = append(cases, goldenCase{name: "zset-small",
		setup:   [][]string{{"ZADD", "k", "1", "a", "2.5", "b", "-3", "c", "1e10", "d", "0.1", "e", "-0", "f", "5000000000000000", "g"}},
		entries: []string{"c", "-3", "f", "0", "e", "0.10000000000000001", "a", "1", "b", "2.5", "d", "10000000000", "g", "5000000000000000"}})

	cases = append(cases, goldenCase{name: "list-one-node",
		setup:   [][]string{{"RPUSH", "k", "a", "1", "-1", "", strings.Repeat("x", 100), "-70000", "99999999999999999999"}},
		entries: []string{"a", "1", "-1", "", strings.Repeat("x", 100), "-70000", "99999999999999999999"}})

	// 65536 entries: the header's count becomes unknown (65535).
	const bigFields = 32768
	var big [][]string
	var bigEnt []string
	for i := 0; i < bigFields; i += 1024 {
		c := []string{"HSET", "k"}
		for j := i; j < i+1024; j++ {
			f := strconv.Itoa(j)
			c = append(c, f, "v")
			bigEnt = append(bigEnt, f, "v")
		}
		big = append(big, c)
	}
	big = append([][]string{{"CONFIG", "SET", "hash-max-listpack-entries", "40000"}}, big...)
	cases = append(cases, goldenCase{name: "hash-65536-entries", setup: big, entries: bigEnt})

	// HDEL walks to recount (hashTypeLength), so the count is known again.
	var afterDel []string
	for i := 0; i < len(bigEnt); i += 2 {
		if bigEnt[i] != "0" && bigEnt[i] != "7" {
			afterDel = append(afterDel, bigEnt[i], bigEnt[i+1])
		}
	}
	cases = append(cases, goldenCase{name: "hash-65536-then-hdel",
		setup:   [][]string{{"CONFIG", "SET", "hash-max-listpack-entries", "40000"}, {"RESTORE", "k", "0", "@hash-65536-entries"}, {"HDEL", "k", "0", "7"}},
		entries: afterDel,
		build: func() Listpack {
			var l Listpack
			for _, e := range bigEnt {
				l.Append([]byte(e))
			}
			for _, f := range []string{"0", "7"} {
				l.DeleteN(l.Find(l.First(), []byte(f), 1), 2)
			}
			l.Len()
			return l
		}})

	// Replacing in place and deleting a pair (HSET on an existing field,
	// HDEL) through the matching calls.
	cases = append(cases, goldenCase{name: "hash-replace-delete",
		setup:   [][]string{{"HSET", "k", "a", "1", "b", "2", "c", "3"}, {"HSET", "k", "b", "two"}, {"HDEL", "k", "a"}},
		entries: []string{"b", "two", "c", "3"},
		build: func() Listpack {
			var l Listpack
			for _, e := range []string{"a", "1", "b", "2", "c", "3"} {
				l.Append([]byte(e))
			}
			l.Replace(l.Next(l.Find(l.First(), []byte("b"), 1)), []byte("two"))
			l.DeleteN(l.Find(l.First(), []byte("a"), 1), 2)
			return l
		}})
	return cases
}

// redisCRC64 is Redis's crc64: Jones polynomial, reflected, no inversion.
var jones = crc64.MakeTable(0x95ac9329ac4bc9b5)

func redisCRC64(b []byte) uint64 { return ^crc64.Update(^uint64(0), jones, b) }

// rdbLen reads an RDB length (not the special encodings).
func rdbLen(b []byte) (int, []byte, error) {
	if len(b) == 0 {
		return 0, nil, io.ErrUnexpectedEOF
	}
	switch b[0] >> 6 {
	case 0:
		return int(b[0] & 63), b[1:], nil
	case 1:
		return int(b[0]&63)<<8 | int(b[1]), b[2:], nil
	case 2:
		if b[0] == 0x80 {
			return int(binary.BigEndian.Uint32(b[1:])), b[5:], nil
		}
		return int(binary.BigEndian.Uint64(b[1:])), b[9:], nil
	}
	return 0, nil, fmt.Errorf("special string encoding %#x (LZF? the oracle runs with rdbcompression no)", b[0])
}

// listpackFromDump returns the listpack inside a DUMP payload of a hash or
// zset listpack (RDB types 16, 17) or a one-node quicklist (18), after
// checking the footer: RDB version 10 and the CRC64.
func listpackFromDump(payload []byte) ([]byte, error) {
	if len(payload) < 11 {
		return nil, fmt.Errorf("payload of %d bytes", len(payload))
	}
	body, foot := payload[:len(payload)-8], payload[len(payload)-8:]
	if got, want := binary.LittleEndian.Uint64(foot), redisCRC64(body); got != want {
		return nil, fmt.Errorf("CRC64 %#x, computed %#x", got, want)
	}
	if v := binary.LittleEndian.Uint16(body[len(body)-2:]); v != 10 {
		return nil, fmt.Errorf("RDB version %d", v)
	}
	body = body[:len(body)-2]
	typ, rest := body[0], body[1:]
	var err error
	switch typ {
	case 16, 17:
	case 18:
		var nodes, container int
		if nodes, rest, err = rdbLen(rest); err != nil || nodes != 1 {
			return nil, fmt.Errorf("quicklist of %d nodes (%v)", nodes, err)
		}
		if container, rest, err = rdbLen(rest); err != nil || container != 2 {
			return nil, fmt.Errorf("node container %d (%v)", container, err)
		}
	default:
		return nil, fmt.Errorf("RDB type %d", typ)
	}
	n, rest, err := rdbLen(rest)
	if err != nil {
		return nil, err
	}
	if n != len(rest) {
		return nil, fmt.Errorf("string of %d bytes, %d left in payload", n, len(rest))
	}
	return rest, nil
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".dump") }

func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			payload, err := os.ReadFile(goldenPath(c.name))
			if err != nil {
				t.Fatalf("%v (record with: go test -run GoldenOracle -args -rewrite)", err)
			}
			raw, err := listpackFromDump(payload)
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := FromBytes(bytes.Clone(raw))
			if err != nil {
				t.Fatalf("FromBytes rejects Redis's listpack: %v", err)
			}
			mustCheck(t, theirs, "Redis's listpack")
			got := texts(theirs)
			if !slices.Equal(got, c.entries) {
				t.Fatalf("entries differ: got %d %.200q, want %d %.200q", len(got), got, len(c.entries), c.entries)
			}
			var ours Listpack
			if c.build != nil {
				ours = c.build()
			} else {
				for _, e := range c.entries {
					ours.Append([]byte(e))
				}
			}
			if !bytes.Equal(ours.Bytes(), raw) {
				i := 0
				for i < len(raw) && i < ours.BytesLen() && raw[i] == ours.Bytes()[i] {
					i++
				}
				t.Fatalf("our bytes differ from Redis's at offset %d (ours %d bytes, theirs %d): ours % x, theirs % x",
					i, ours.BytesLen(), len(raw), ours.Bytes()[i:min(i+16, ours.BytesLen())], raw[i:min(i+16, len(raw))])
			}
			if theirs.Len() != len(c.entries) {
				t.Fatalf("Len %d, want %d", theirs.Len(), len(c.entries))
			}
		})
	}
}

// TestGoldenOracle re-creates the golden cases on redis-server and compares
// (or, with -rewrite, records) the DUMP payloads.
func TestGoldenOracle(t *testing.T) {
	o := startOracle(t)
	payloads := map[string]string{}
	for _, c := range goldenCases() {
		if testing.Short() && strings.Contains(c.name, "65536") {
			continue
		}
		o.Do(t, "FLUSHALL")
		o.Do(t, "CONFIG", "SET", "hash-max-listpack-value", "64")
		o.Do(t, "CONFIG", "SET", "hash-max-listpack-entries", "128")
		for _, cmd := range c.setup {
			cmd = slices.Clone(cmd)
			for i, a := range cmd {
				if p, ok := payloads[strings.TrimPrefix(a, "@")]; ok && strings.HasPrefix(a, "@") {
					cmd[i] = p
				}
			}
			if r, ok := o.Do(t, cmd...).(string); ok && strings.HasPrefix(r, "-") {
				t.Fatalf("%s: %q: %s", c.name, cmd[0], r)
			}
		}
		if enc := o.Do(t, "OBJECT", "ENCODING", "k"); enc != "listpack" && enc != "quicklist" {
			t.Fatalf("%s: encoding %v", c.name, enc)
		}
		payload, ok := o.Do(t, "DUMP", "k").(string)
		if !ok {
			t.Fatalf("%s: DUMP failed", c.name)
		}
		payloads[c.name] = payload
		if _, err := listpackFromDump([]byte(payload)); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		path := goldenPath(c.name)
		if *rewrite {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(payload), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		recorded, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(recorded, []byte(payload)) {
			t.Errorf("%s: redis-server's payload differs from %s (re-record with -rewrite)", c.name, path)
		}
	}
}

// startOracle runs redis-server 7.0.15, the reference, for this test (redisoracle).
func startOracle(t *testing.T) *redisoracle.Conn {
	t.Helper()
	return redisoracle.Start(t, "golden payloads not re-captured", "--rdbcompression", "no")
}
