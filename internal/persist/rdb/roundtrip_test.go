package rdb

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cairn/internal/keyspace"
)

type testKey struct {
	db   int
	key  string
	meta KeyMeta
	val  Value
}

// testData is a data set with every type and encoding the Encoder writes.
func testData(r *rand.Rand) []testKey {
	random := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return string(b)
	}
	var ks []testKey
	add := func(db int, key string, v Value) { ks = append(ks, testKey{db: db, key: key, val: v}) }
	// Strings: integer encodings and their edges, LZF edges.
	for _, s := range []string{"", "a", "0", "-1", "127", "128", "-128", "-129", "32767", "32768", "-32768",
		"2147483647", "2147483648", "-2147483648", "-2147483649", "12345678901", "9223372036854775807",
		"007", "-0", "+1", " 1", "1.5", strings.Repeat("a", 20), strings.Repeat("a", 21), strings.Repeat("ab", 500),
		random(100), random(70000), strings.Repeat("xyz", 40000)} {
		add(0, "s:"+s[:min(len(s), 30)]+":"+strconv.Itoa(len(s)), strVal(s))
	}
	for _, n := range []int64{0, 1, -1, 127, 128, -128, -129, 32767, 32768, math.MaxInt32, math.MaxInt32 + 1,
		math.MinInt32, math.MinInt32 - 1, math.MaxInt64, math.MinInt64} {
		add(0, "i:"+strconv.FormatInt(n, 10), intVal(n))
	}
	add(0, "12345", strVal("integer key"))
	add(0, strings.Repeat("long key ", 10), strVal("compressible key"))
	// Lists.
	add(1, "list:small", quicklistVal(-2, []string{"a", "1", "b", "-300"}))
	add(1, "list:nodes", quicklistVal(-2, seq(5000, func(i int) string { return "element-" + strconv.Itoa(i) })))
	add(1, "list:fill4", quicklistVal(4, seq(30, func(i int) string { return strconv.Itoa(i * 1000) })))
	add(1, "list:big-elems", quicklistVal(-2, []string{random(9000), "x", strings.Repeat("q", 20000), "y"}))
	plain := quicklistVal(-2, []string{"a", "b"})
	plain.Nodes = append(plain.Nodes, ListNode{Data: []byte("a plain node's element"), Plain: true})
	add(1, "list:plain", plain)
	add(1, "list:elems", elemsVal(keyspace.TypeList, seq(3000, func(i int) string { return strconv.Itoa(i) + "-x" })))
	// Sets.
	add(2, "set:int16", intsetVal(1, 2, 3, -5))
	add(2, "set:int32", intsetVal(1, 70000, -70000))
	add(2, "set:int64", intsetVal(1, math.MaxInt64, math.MinInt64))
	add(2, "set:elems", elemsVal(keyspace.TypeSet, seq(1000, func(i int) string { return "m" + strconv.Itoa(i) })))
	add(2, "set:one", elemsVal(keyspace.TypeSet, []string{"only"}))
	// Hashes.
	add(3, "hash:lp", listpackVal(keyspace.TypeHash, []string{"f1", "v1", "f2", "2", "3", "three"}))
	add(3, "hash:elems", elemsVal(keyspace.TypeHash, seq(600, func(i int) string {
		if i%2 == 0 {
			return "field" + strconv.Itoa(i)
		}
		return strings.Repeat("v", i)
	})))
	// Sorted sets.
	add(4, "zset:lp", listpackVal(keyspace.TypeZSet, []string{"a", "1", "b", "2.5", "c", "inf", "d", "-inf", "e", "-3"}))
	ms := seq(500, func(i int) string { return "member:" + strconv.Itoa(i) })
	ss := make([]float64, len(ms))
	for i := range ss {
		ss[i] = float64(len(ms)-i) / 3
	}
	ss[0], ss[1], ss[2] = math.Inf(1), math.Inf(-1), 1e-300
	add(4, "zset:elems", zsetElemsVal(ms, ss))
	// The Seq forms.
	setSeq := Value{Type: keyspace.TypeSet, Enc: EncElems, Len: 300, ElemSeq: func(yield func([]byte) bool) {
		for i := range 300 {
			if !yield([]byte("seq" + strconv.Itoa(i))) {
				return
			}
		}
	}}
	add(5, "set:seq", setSeq)
	hashSeq := Value{Type: keyspace.TypeHash, Enc: EncElems, Len: 200, ElemSeq: func(yield func([]byte) bool) {
		for i := range 200 {
			if !yield([]byte("f"+strconv.Itoa(i))) || !yield([]byte(strconv.Itoa(i*i))) {
				return
			}
		}
	}}
	add(5, "hash:seq", hashSeq)
	zsetSeq := Value{Type: keyspace.TypeZSet, Enc: EncElems, Len: 200, ZSeq: func(yield func([]byte, float64) bool) {
		for i := 200; i > 0; i-- {
			if !yield([]byte("z"+strconv.Itoa(i)), float64(i)+0.5) {
				return
			}
		}
	}}
	add(5, "zset:seq", zsetSeq)
	ql := quicklistVal(-2, seq(4000, func(i int) string { return "n" + strconv.Itoa(i) }))
	nodes := ql.Nodes
	add(5, "list:seq", Value{Type: keyspace.TypeList, Enc: EncQuicklist, Len: len(nodes),
		NodeSeq: func(yield func([]byte, bool) bool) {
			for _, n := range nodes {
				if !yield(n.Data, n.Plain) {
					return
				}
			}
		}})
	add(5, "list:elemseq", Value{Type: keyspace.TypeList, Enc: EncElems, ElemSeq: func(yield func([]byte) bool) {
		for i := range 2000 {
			if !yield([]byte(strconv.Itoa(i))) {
				return
			}
		}
	}})
	// Meta data.
	for i := range ks {
		switch i % 5 {
		case 1:
			ks[i].meta.ExpireAt = 4102444800000 + int64(i) // 2100
		case 2:
			ks[i].meta.HasIdle, ks[i].meta.Idle = true, uint64(i*1000)
		case 3:
			ks[i].meta.HasFreq, ks[i].meta.Freq = true, uint8(i)
		}
	}
	// Databases in order.
	slices.SortStableFunc(ks, func(a, b testKey) int { return a.db - b.db })
	return ks
}

func encodeFile(t testing.TB, ks []testKey, opts EncoderOptions, funcs []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := NewEncoder(&buf, opts)
	if err := e.WriteHeader(DefaultAux(time.Unix(1700000000, 0), 123456, false)); err != nil {
		t.Fatal(err)
	}
	for _, f := range funcs {
		if err := e.WriteFunction([]byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < len(ks); {
		j, expires := i, 0
		for ; j < len(ks) && ks[j].db == ks[i].db; j++ {
			if ks[j].meta.ExpireAt != 0 {
				expires++
			}
		}
		if err := e.SelectDB(ks[i].db, uint64(j-i), uint64(expires)); err != nil {
			t.Fatal(err)
		}
		for ; i < j; i++ {
			if err := e.WriteKey([]byte(ks[i].key), ks[i].meta, &ks[i].val); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if e.Written() != int64(buf.Len()) {
		t.Fatalf("Written %d, file %d bytes", e.Written(), buf.Len())
	}
	return buf.Bytes()
}

type decodedKey struct {
	db   int
	key  string
	meta KeyMeta
	desc string
	typ  ObjType
}

// decodeAll decodes a whole file, describing each key's value.
func decodeAll(t testing.TB, file []byte, opts DecoderOptions) (aux map[string]string, funcs []string, keys []decodedKey, err error) {
	t.Helper()
	d := NewDecoder(bytes.NewReader(file), opts)
	aux = map[string]string{}
	sawEOF := false
	for {
		rec, err := d.Next()
		if err == io.EOF {
			if !sawEOF {
				t.Fatal("io.EOF before the EOF record")
			}
			return aux, funcs, keys, nil
		}
		var u *UnsupportedError
		if errors.As(err, &u) && u.Skipped {
			keys = append(keys, decodedKey{key: u.Key, desc: "unsupported: " + u.What, typ: u.Type})
			continue
		}
		if err != nil {
			return aux, funcs, keys, err
		}
		switch rec.Kind {
		case KindAux:
			aux[string(rec.AuxKey)] = string(rec.AuxValue)
		case KindFunction:
			funcs = append(funcs, string(rec.Function))
		case KindKey:
			keys = append(keys, decodedKey{db: rec.DB, key: string(rec.Key), meta: rec.Meta, desc: mustDescribe(t, &rec.Value)})
		case KindEOF:
			sawEOF = true
		}
	}
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 0))
	ks := testData(r)
	funcs := []string{"#!lua name=lib1\nredis.register_function('f1', function() return 1 end)"}
	for _, opts := range []EncoderOptions{DefaultOptions, {}, {Compress: true}, {Checksum: true}} {
		file := encodeFile(t, ks, opts, funcs)
		aux, gotFuncs, got, err := decodeAll(t, file, DecoderOptions{})
		if err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		if aux["redis-ver"] != RedisVersion || aux["redis-bits"] != "64" || aux["ctime"] != "1700000000" ||
			aux["used-mem"] != "123456" || aux["aof-base"] != "0" {
			t.Errorf("aux %v", aux)
		}
		if !slices.Equal(gotFuncs, funcs) {
			t.Errorf("functions %q", gotFuncs)
		}
		if len(got) != len(ks) {
			t.Fatalf("%+v: %d keys, want %d", opts, len(got), len(ks))
		}
		for i, k := range ks {
			want := decodedKey{db: k.db, key: k.key, meta: k.meta, desc: mustDescribe(t, &k.val)}
			if k.val.ElemSeq != nil || k.val.ZSeq != nil || k.val.NodeSeq != nil {
				want.desc = got[i].desc // checked below
			}
			if got[i] != want {
				t.Errorf("%+v: key %d:\n got %+v\nwant %+v", opts, i, short(got[i]), short(want))
			}
		}
		// The Seq values, against their contents.
		for _, g := range got {
			switch g.key {
			case "set:seq":
				want := mustDescribe(t, ptr(elemsVal(keyspace.TypeSet, seq(300, func(i int) string { return "seq" + strconv.Itoa(i) }))))
				if g.desc != want {
					t.Errorf("set:seq: %s", g.desc)
				}
			case "list:elemseq":
				want := mustDescribe(t, ptr(elemsVal(keyspace.TypeList, seq(2000, strconv.Itoa))))
				if g.desc != want {
					t.Errorf("list:elemseq: %s", g.desc)
				}
			case "hash:seq":
				if !strings.HasPrefix(g.desc, `hash:{"f0"="0" "f1"="1" "f10"="100"`) || strings.Count(g.desc, "=") != 200 {
					t.Errorf("hash:seq: %.100s", g.desc)
				}
			case "zset:seq":
				if !strings.HasPrefix(g.desc, `zset:["z1"@1.5 "z2"@2.5`) || strings.Count(g.desc, "@") != 200 {
					t.Errorf("zset:seq: %.100s", g.desc)
				}
			}
		}
		// Checksum: present exactly when enabled.
		sum := file[len(file)-8:]
		if opts.Checksum != !bytes.Equal(sum, make([]byte, 8)) {
			t.Errorf("%+v: checksum bytes %x", opts, sum)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func short(k decodedKey) decodedKey {
	if len(k.desc) > 200 {
		k.desc = k.desc[:200] + "…"
	}
	return k
}

// TestEncoderErrors checks values the Encoder refuses, before writing anything.
func TestEncoderErrors(t *testing.T) {
	for name, v := range map[string]Value{
		"empty list":      {Type: keyspace.TypeList, Enc: EncQuicklist},
		"empty set":       {Type: keyspace.TypeSet, Enc: EncElems},
		"empty intset":    intsetVal(),
		"empty listpack":  listpackVal(keyspace.TypeHash, nil),
		"odd hash":        elemsVal(keyspace.TypeHash, []string{"a"}),
		"zset no scores":  elemsVal(keyspace.TypeZSet, []string{"a"}),
		"string intset":   {Type: keyspace.TypeString, Enc: EncIntset},
		"stream":          {Type: keyspace.TypeStream},
		"list listpack":   {Type: keyspace.TypeList, Enc: EncListpack, Blob: []byte{1}},
		"set listpack":    {Type: keyspace.TypeSet, Enc: EncListpack},
		"hash quicklist":  {Type: keyspace.TypeHash, Enc: EncQuicklist},
		"zset intset":     {Type: keyspace.TypeZSet, Enc: EncIntset},
		"list elems none": {Type: keyspace.TypeList, Enc: EncElems},
	} {
		var buf bytes.Buffer
		e := NewEncoder(&buf, DefaultOptions)
		if err := e.WriteKey([]byte("k"), KeyMeta{}, &v); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if e.Buffered() != 0 {
			t.Errorf("%s: wrote %d bytes", name, e.Buffered())
		}
		if _, err := DumpPayload(nil, &v, true); err == nil {
			t.Errorf("%s: DumpPayload accepted", name)
		}
	}
	// A Seq that yields fewer or more than declared makes the Encoder fail for good.
	for _, n := range []int{2, 4} {
		v := Value{Type: keyspace.TypeSet, Enc: EncElems, Len: 3, ElemSeq: func(yield func([]byte) bool) {
			for i := range n {
				if !yield([]byte{byte('a' + i)}) {
					return
				}
			}
		}}
		e := NewEncoder(io.Discard, DefaultOptions)
		if err := e.WriteKey([]byte("k"), KeyMeta{}, &v); err == nil {
			t.Errorf("Seq of %d for Len 3 accepted", n)
		}
		if err := e.Close(); err == nil {
			t.Errorf("Close after a failed WriteKey succeeded")
		}
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestEncoderWriteError(t *testing.T) {
	ks := testData(rand.New(rand.NewPCG(1, 1)))
	e := NewEncoder(&failWriter{n: 100000}, DefaultOptions)
	var err error
	err = e.WriteHeader(nil)
	for i := 0; err == nil && i < len(ks); i++ {
		err = e.WriteKey([]byte(ks[i].key), ks[i].meta, &ks[i].val)
	}
	if err == nil {
		err = e.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("error %v, want disk full", err)
	}
	if err2 := e.Close(); err2 == nil {
		t.Fatal("error not sticky")
	}
}

// TestEncoderIncremental checks that output reaches the writer as the buffer fills,
// and large strings go straight through.
func TestEncoderIncremental(t *testing.T) {
	var buf bytes.Buffer
	e := NewEncoder(&buf, EncoderOptions{})
	e.WriteHeader(nil)
	e.SelectDB(0, 1000, 0)
	v := strVal(strings.Repeat("v", 1000))
	for i := range 1000 {
		if err := e.WriteKey([]byte(strconv.Itoa(i)), KeyMeta{}, &v); err != nil {
			t.Fatal(err)
		}
		if e.Buffered() > flushAt+2048 {
			t.Fatalf("buffered %d", e.Buffered())
		}
	}
	if buf.Len() < 900000 {
		t.Fatalf("only %d bytes written before Close", buf.Len())
	}
	big := strVal(strings.Repeat("b", 1<<20))
	before := e.Buffered()
	if err := e.WriteKey([]byte("big"), KeyMeta{}, &big); err != nil {
		t.Fatal(err)
	}
	if e.Buffered() > before+16 && e.Buffered() > flushAt {
		t.Fatalf("a 1 MiB string was buffered (%d)", e.Buffered())
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, keys, err := decodeAll(t, buf.Bytes(), DecoderOptions{})
	if err != nil || len(keys) != 1001 {
		t.Fatalf("%d keys, %v", len(keys), err)
	}
}
