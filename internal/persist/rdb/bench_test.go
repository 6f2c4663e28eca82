package rdb

import (
	"bytes"
	"io"
	"strconv"
	"testing"
	"time"

	"cairn/internal/keyspace"
)

const benchKeys = 1_000_000

// benchData is benchKeys small string keys ("key:N" → "value:N", every tenth value
// an integer, every fifth key with a deadline), made once.
var benchData struct {
	keys, vals [][]byte
	file       []byte
}

func benchSetup(b *testing.B) {
	if benchData.keys != nil {
		return
	}
	var slab []byte
	spans := make([][2]int, 0, 2*benchKeys)
	for i := range benchKeys {
		s := len(slab)
		slab = strconv.AppendInt(append(slab, "key:"...), int64(i), 10)
		spans = append(spans, [2]int{s, len(slab)})
		s = len(slab)
		slab = strconv.AppendInt(append(slab, "value:"...), int64(i), 10)
		spans = append(spans, [2]int{s, len(slab)})
	}
	for i := range benchKeys {
		k, v := spans[2*i], spans[2*i+1]
		benchData.keys = append(benchData.keys, slab[k[0]:k[1]])
		benchData.vals = append(benchData.vals, slab[v[0]:v[1]])
	}
	var buf bytes.Buffer
	encodeSmallKeys(b, &buf)
	benchData.file = buf.Bytes()
}

func encodeSmallKeys(b *testing.B, w io.Writer) {
	e := NewEncoder(w, DefaultOptions)
	e.WriteHeader(DefaultAux(time.Now(), 0, false))
	e.SelectDB(0, benchKeys, benchKeys/5)
	for i := range benchKeys {
		v := Value{Type: keyspace.TypeString, Enc: EncRaw, Str: benchData.vals[i]}
		if i%10 == 0 {
			v = Value{Type: keyspace.TypeString, Enc: EncInt, Int: int64(i)}
		}
		var m KeyMeta
		if i%5 == 0 {
			m.ExpireAt = 1900000000000 + int64(i)
		}
		if err := e.WriteKey(benchData.keys[i], m, &v); err != nil {
			b.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		b.Fatal(err)
	}
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkEncode1M writes 1M small string keys; MB/s is of the file written.
func BenchmarkEncode1M(b *testing.B) {
	benchSetup(b)
	b.SetBytes(int64(len(benchData.file)))
	b.ReportAllocs()
	for b.Loop() {
		encodeSmallKeys(b, &countWriter{})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchKeys, "ns/key")
}

// BenchmarkDecode1M reads them back, checksum verified.
func BenchmarkDecode1M(b *testing.B) {
	benchSetup(b)
	file := benchData.file
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(file), DecoderOptions{})
		n := 0
		for {
			rec, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if rec.Kind == KindKey {
				n++
			}
		}
		if n != benchKeys {
			b.Fatalf("%d keys", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchKeys, "ns/key")
}

// BenchmarkDumpPayload is DUMP of a 100-byte string.
func BenchmarkDumpPayload(b *testing.B) {
	v := strVal(string(bytes.Repeat([]byte("0123456789"), 10)))
	var dst []byte
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = DumpPayload(dst[:0], &v, true)
	}
}

// BenchmarkParseDumpPayload is RESTORE's reading of a 128-entry listpack hash.
func BenchmarkParseDumpPayload(b *testing.B) {
	var entries []string
	for i := range 128 {
		entries = append(entries, "field:"+strconv.Itoa(i), "value:"+strconv.Itoa(i))
	}
	v := listpackVal(keyspace.TypeHash, entries)
	p, _ := DumpPayload(nil, &v, true)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDumpPayload(p); err != nil {
			b.Fatal(err)
		}
	}
}
