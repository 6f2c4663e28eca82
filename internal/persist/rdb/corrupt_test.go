package rdb

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"cairn/internal/keyspace"
)

// decodeErr decodes a whole file and returns the first error other than a skipped
// unsupported value (nil if the file decodes).
func decodeErr(file []byte, opts DecoderOptions) error {
	d := NewDecoder(bytes.NewReader(file), opts)
	for {
		_, err := d.Next()
		if err == io.EOF {
			return nil
		}
		var u *UnsupportedError
		if errors.As(err, &u) && u.Skipped {
			continue
		}
		if err != nil {
			return err
		}
	}
}

func smallFile(t testing.TB) []byte {
	ks := []testKey{
		{key: "s", val: strVal("hello")},
		{key: "i", val: intVal(-5), meta: KeyMeta{ExpireAt: 1e12}},
		{key: "lzf", val: strVal(strings.Repeat("ab", 40))},
		{key: "l", val: quicklistVal(-2, []string{"a", "b", "12"})},
		{key: "is", val: intsetVal(1, 2, 3)},
		{key: "set", val: elemsVal(keyspace.TypeSet, []string{"x", "y"})},
		{key: "h", val: listpackVal(keyspace.TypeHash, []string{"f", "v"})},
		{key: "h2", val: elemsVal(keyspace.TypeHash, []string{"f", "v", "g", "w"})},
		{key: "z", val: listpackVal(keyspace.TypeZSet, []string{"m", "1.5"})},
		{key: "z2", val: zsetElemsVal([]string{"m", "n"}, []float64{2, 1})},
	}
	return encodeFile(t, ks, DefaultOptions, []string{"#!lua name=x\n"})
}

// TestTruncated: every proper prefix of a file is refused with a CorruptError whose
// offset lies within the prefix.
func TestTruncated(t *testing.T) {
	file := smallFile(t)
	for n := range len(file) {
		err := decodeErr(file[:n], DecoderOptions{})
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Fatalf("prefix %d of %d: %v", n, len(file), err)
		}
		if ce.Offset < 0 || ce.Offset > int64(n) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("prefix %d: %v", n, err)
		}
	}
	big := encodeFile(t, testData(rand.New(rand.NewPCG(1, 1))), DefaultOptions, nil)
	r := rand.New(rand.NewPCG(testSeed(t), 1))
	for range 300 {
		n := r.IntN(len(big))
		if err := decodeErr(big[:n], DecoderOptions{}); err == nil {
			t.Fatalf("prefix %d of the big file decoded", n)
		}
	}
}

// TestMutated: any changed byte is caught (by the checksum at the latest), and with
// the checksum off a mutated file never panics.
func TestMutated(t *testing.T) {
	file := smallFile(t)
	r := rand.New(rand.NewPCG(testSeed(t), 2))
	for range 3000 {
		m := append([]byte{}, file...)
		for k := 1 + r.IntN(3); k > 0; k-- {
			i := r.IntN(len(m))
			m[i] ^= byte(1 + r.IntN(255))
		}
		if bytes.Equal(m, file) {
			continue // flips of one byte that cancelled out
		}
		if err := decodeErr(m, DecoderOptions{}); err == nil {
			t.Fatalf("mutated file decoded: %x", m)
		}
		decodeErr(m, DecoderOptions{SkipChecksum: true})
	}
}

func TestChecksum(t *testing.T) {
	file := smallFile(t)
	m := append([]byte{}, file...)
	m[len(m)-1] ^= 1
	var ce *ChecksumError
	if err := decodeErr(m, DecoderOptions{}); !errors.As(err, &ce) || ce.Offset != int64(len(m)-8) {
		t.Fatalf("wrong checksum: %v", err)
	}
	if err := decodeErr(m, DecoderOptions{SkipChecksum: true}); err != nil {
		t.Fatalf("SkipChecksum: %v", err)
	}
	// A zero checksum is a file saved with rdbchecksum no.
	copy(m[len(m)-8:], make([]byte, 8))
	if err := decodeErr(m, DecoderOptions{}); err != nil {
		t.Fatalf("zero checksum: %v", err)
	}
}

// TestCorruptCases checks specific bad input, each refused with a CorruptError at
// the offset where the bad item is.
func TestCorruptCases(t *testing.T) {
	hdr := func() *rawFile { return newRawFile(10).selectDB(0) } // 11 bytes
	const at = 11                                                // offset of the first key
	lp := listpackVal(0, []string{"a", "1"}).Blob
	badLP := append([]byte{}, lp...)
	badLP[len(badLP)-2] = 0x7f // a backlen that does not match
	unsorted := intsetVal(1, 2).Blob
	unsorted[8], unsorted[10] = 2, 1
	for _, tc := range []struct {
		name   string
		file   []byte
		offset int64
		reason string
	}{
		{"signature", []byte("RADIS0010\xff"), 0, "wrong signature"},
		{"version 0", []byte("REDIS0000\xff"), 5, "version 0"},
		{"version 12", []byte("REDIS0012\xff"), 5, "version 12"},
		{"version text", []byte("REDIS00a1\xff"), 5, "bad RDB version"},
		{"unknown type", hdr().op(8).str("k").str("v").eof(10), at, "unknown object type or opcode 8"},
		{"unknown opcode", hdr().op(230).eof(10), at, "opcode 230"},
		{"length encoding", hdr().key(TypeString, "k").op(0x82).eof(10), at + 3, "unknown length encoding"},
		{"string encoding", hdr().key(TypeString, "k").op(0xC4).eof(10), at + 3, "unknown string encoding"},
		{"encoded length", hdr().key(TypeSet, "k").op(0xC0).eof(10), at + 3, "an encoded value where a length belongs"},
		{"lzf ratio", hdr().key(TypeString, "k").op(0xC3).len(2).len(1000).op(0, 'a').eof(10), at + 3, "LZF lengths"},
		{"lzf data", hdr().key(TypeString, "k").op(0xC3).len(2).len(10).op(5, 'a').eof(10), at + 3, "lzf: corrupt"},
		{"lzf zero", hdr().key(TypeString, "k").op(0xC3).len(0).len(0).eof(10), at + 3, "LZF lengths"},
		{"listpack", hdr().key(TypeHashListpack, "k").str(string(badLP)).eof(10), at + 3, "hash-listpack integrity"},
		{"listpack odd", hdr().key(TypeHashListpack, "k").str(string(listpackVal(0, []string{"a"}).Blob)).eof(10), at + 3, "odd number"},
		{"listpack dup", hdr().key(TypeHashListpack, "k").str(string(listpackVal(0, []string{"a", "1", "a", "2"}).Blob)).eof(10), at + 3, "duplicate fields"},
		{"listpack zset dup", hdr().key(TypeZSetListpack, "k").str(string(listpackVal(0, []string{"a", "1", "a", "2"}).Blob)).eof(10), at + 3, "duplicate members"},
		{"listpack score", hdr().key(TypeZSetListpack, "k").str(string(listpackVal(0, []string{"a", "x1"}).Blob)).eof(10), at + 3, "bad score"},
		{"listpack nan", hdr().key(TypeZSetListpack, "k").str(string(listpackVal(0, []string{"a", "nan"}).Blob)).eof(10), at + 3, "bad score"},
		{"intset unsorted", hdr().key(TypeSetIntset, "k").str(string(unsorted)).eof(10), at + 3, "intset integrity"},
		{"intset empty", hdr().key(TypeSetIntset, "k").str(string(intsetVal().Blob)).eof(10), at + 3, "intset integrity"},
		{"set dup", hdr().key(TypeSet, "k").len(2).str("a").str("a").eof(10), at + 3, "duplicate set members"},
		{"set dup many", hdr().key(TypeSet, "k").len(40).str("x").str("y").str("z").str("0").str("1").str("2").str("3").str("4").str("5").str("6").str("7").str("8").str("9").str("10").str("11").str("12").str("13").str("14").str("15").str("16").str("17").str("18").str("19").str("20").str("21").str("22").str("23").str("24").str("25").str("26").str("27").str("28").str("29").str("30").str("31").str("32").str("33").str("34").str("35").str("x").eof(10), at + 3, "duplicate set members"},
		{"hash dup", hdr().key(TypeHash, "k").len(2).str("f").str("1").str("f").str("2").eof(10), at + 3, "duplicate hash fields"},
		{"zset dup", hdr().key(TypeZSet2, "k").len(2).str("m").double(1).str("m").double(2).eof(10), at + 3, "duplicate zset members"},
		{"zset nan", hdr().key(TypeZSet2, "k").len(1).str("m").op(0, 0, 0, 0, 0, 0, 0xf8, 0x7f).eof(10), at + 6, "NAN score"},
		{"zset old nan", hdr().key(TypeZSet, "k").len(1).str("m").op(253).eof(10), at + 6, "NAN score"},
		{"zset old text", hdr().key(TypeZSet, "k").len(1).str("m").op(2, 'x', 'y').eof(10), at + 6, "bad double"},
		{"ziplist", hdr().key(TypeHashZiplist, "k").str(string(ziplist("a", "1")[:12])).eof(10), at + 3, "ziplist integrity"},
		{"ziplist dup", hdr().key(TypeHashZiplist, "k").str(string(ziplist("a", "1", "a", "2"))).eof(10), at + 3, "duplicate fields"},
		{"zipmap", hdr().key(TypeHashZipmap, "k").str("\x01\x05ab\xff").eof(10), at + 3, "zipmap integrity"},
		{"quicklist container", hdr().key(TypeListQuicklist2, "k").len(1).len(3).str(string(lp)).eof(10), at + 4, "container 3"},
		{"quicklist node", hdr().key(TypeListQuicklist2, "k").len(1).len(2).str(string(badLP)).eof(10), at + 4, "listpack integrity"},
		{"module aux when", newRawFile(10).op(opModuleAux).len(1).len(5).eof(10), 9, "bad when_opcode"},
		{"module opcode", hdr().key(TypeModule2, "k").len(1).len(9).eof(10), at + 3, "unknown module opcode 9"},
		{"hostile string", append(hdr().key(TypeString, "k").op(0x81).b, 0, 0, 1, 0, 0, 0, 0, 0), at + 3, "unexpected EOF"},
		{"hostile count", append(hdr().key(TypeSet, "k").op(0x81).b, 0xff, 0, 0, 0, 0, 0, 0, 0), at + 12, "unexpected EOF"},
		{"db number", hdr().op(opSelectDB).op(0x81, 1, 0, 0, 0, 0, 0, 0, 0).eof(10), at, "out of range"},
	} {
		err := decodeErr(tc.file, DecoderOptions{})
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if ce.Offset != tc.offset || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: %v; want offset %d and %q", tc.name, err, tc.offset, tc.reason)
		}
	}
}

// TestHostileLengths: lengths claiming far more than the input holds cost no more
// memory than the input.
func TestHostileLengths(t *testing.T) {
	hdr := newRawFile(10).selectDB(0).key(TypeString, "k")
	for name, file := range map[string][]byte{
		"string 1 TiB": append(append([]byte{}, hdr.b...), 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 'x'),
		"lzf 4 GiB":    append(append([]byte{}, hdr.b...), 0xC3, 0x80, 0, 0, 0, 100, 0x80, 0x7f, 0xff, 0xff, 0xff),
		"blob 4 GiB":   append(newRawFile(10).selectDB(0).key(TypeHashListpack, "k").b, 0x80, 0xff, 0xff, 0xff, 0xff, 'x'),
		"set 2^60":     append(newRawFile(10).selectDB(0).key(TypeSet, "k").b, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0, 1, 'a'),
		"list nodes":   append(newRawFile(10).selectDB(0).key(TypeListQuicklist2, "k").b, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0),
		"zset 2^60":    append(newRawFile(10).selectDB(0).key(TypeZSet2, "k").b, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0),
		"stream":       append(newRawFile(10).selectDB(0).key(TypeStreamListpacks2, "k").b, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := decodeErr(file, DecoderOptions{})
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: decoded", name)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
			t.Errorf("%s: allocated %d bytes", name, alloc)
		}
	}
}

func TestEmptyKeysSkipped(t *testing.T) {
	d := NewDecoder(bytes.NewReader(oldFiles()["empty"]), DecoderOptions{})
	for {
		if _, err := d.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if d.EmptyKeysSkipped != 9 {
		t.Fatalf("EmptyKeysSkipped %d", d.EmptyKeysSkipped)
	}
	if _, err := ParseDumpPayload(withVersion([]byte{byte(TypeSet), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, Version)); err == nil ||
		!strings.Contains(err.Error(), "empty set") {
		t.Fatalf("empty set payload: %v", err)
	}
}

// errReader fails after the data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReaderErrors: an I/O error is reported as itself, and a reader that makes no
// progress is given up on.
func TestReaderErrors(t *testing.T) {
	file := smallFile(t)
	ioErr := errors.New("device on fire")
	d := NewDecoder(&errReader{data: file[:100], err: ioErr}, DecoderOptions{})
	var err error
	for err == nil {
		_, err = d.Next()
	}
	if !errors.Is(err, ioErr) {
		t.Fatalf("got %v", err)
	}
	d = NewDecoder(&errReader{data: file[:100]}, DecoderOptions{})
	for err = nil; err == nil; {
		_, err = d.Next()
	}
	if !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("got %v", err)
	}
}

// oneByteReader returns one byte per Read.
type oneByteReader struct{ data []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	p[0] = r.data[0]
	r.data = r.data[1:]
	return 1, nil
}

func TestByteAtATime(t *testing.T) {
	file := encodeFile(t, testData(rand.New(rand.NewPCG(3, 3))), DefaultOptions, nil)
	_, _, want, err := decodeAll(t, file, DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(&oneByteReader{file}, DecoderOptions{})
	n := 0
	for {
		rec, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Kind == KindKey {
			if got := mustDescribe(t, &rec.Value); got != want[n].desc {
				t.Fatalf("key %d: %.100s", n, got)
			}
			n++
		}
	}
	if n != len(want) {
		t.Fatalf("%d keys", n)
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add(smallFile(f))
	for _, file := range oldFiles() {
		if len(file) < 8<<10 { // big seeds make minimising new inputs crawl
			f.Add(file)
		}
	}
	old := newRawFile(9).selectDB(0)
	old.key(TypeList, "l").len(2).str("a").str("1")
	old.key(TypeZSet, "z").len(2).str("a").oldDouble(1.5).str("b").oldDouble(-2)
	old.key(TypeHashZipmap, "zm").str(string(zipmap(1, "f", "v", "g", "12")))
	old.key(TypeListZiplist, "zl").str(string(ziplist("a", "5", "300", "-70000", "x")))
	old.key(TypeHashZiplist, "zh").str(string(ziplist("f", "1", "g", "two")))
	old.key(TypeZSetZiplist, "zz").str(string(ziplist("m", "1", "n", "2.5")))
	old.key(TypeListQuicklist, "q").len(2).str(string(ziplist("a", "b"))).lzfStr(string(ziplist(strings.Repeat("c", 30))))
	old.key(TypeSetListpack, "sl").str(string(listpackVal(0, []string{"a", "1"}).Blob))
	old.key(TypeStreamListpacks, "st").len(0).len(0).len(0).len(0).len(0)
	f.Add(old.eof(9))
	f.Add([]byte("REDIS0011"))
	f.Fuzz(func(t *testing.T, file []byte) {
		d := NewDecoder(bytes.NewReader(file), DecoderOptions{SkipChecksum: true})
		for range 10000 {
			rec, err := d.Next()
			var u *UnsupportedError
			if errors.As(err, &u) && u.Skipped {
				continue
			}
			if err != nil {
				return
			}
			if rec.Kind == KindKey {
				if _, err := describe(&rec.Value); err != nil {
					t.Fatalf("decoded value does not describe: %v", err)
				}
				// A decoded value is writable and reads back the same.
				p, err := DumpPayload(nil, &rec.Value, true)
				if err != nil {
					t.Fatalf("DumpPayload of a decoded value: %v", err)
				}
				v, err := ParseDumpPayload(p)
				if err != nil {
					t.Fatalf("ParseDumpPayload of DumpPayload: %v", err)
				}
				a, _ := describe(&rec.Value)
				if b, _ := describe(&v); a != b {
					t.Fatalf("DUMP round trip: %.100s != %.100s", a, b)
				}
			}
		}
	})
}

func FuzzParseDumpPayload(f *testing.F) {
	for _, v := range []Value{strVal("hello"), intsetVal(1, 2), listpackVal(keyspace.TypeHash, []string{"a", "b"}),
		quicklistVal(-2, []string{"x"}), zsetElemsVal([]string{"m"}, []float64{1})} {
		p, _ := DumpPayload(nil, &v, true)
		f.Add(p[:len(p)-10])
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p := withVersion(append(append([]byte{}, body...), make([]byte, 10)...), Version)
		v, err := ParseDumpPayload(p)
		if err == nil {
			if _, err := describe(&v); err != nil {
				t.Fatalf("parsed value does not describe: %v", err)
			}
		}
	})
}
