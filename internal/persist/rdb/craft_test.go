package rdb

import (
	"encoding/binary"
	"math"
	"strconv"

	"cairn/internal/conv"
)

// rawFile builds RDB files item by item, for encodings and versions the Encoder
// does not write (the ones of older and newer Redis versions) and for corrupt input.
type rawFile struct{ b []byte }

func newRawFile(version int) *rawFile {
	return &rawFile{b: []byte("REDIS" + leftPad(strconv.Itoa(version)))}
}

func leftPad(s string) string {
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

func (f *rawFile) op(b ...byte) *rawFile { f.b = append(f.b, b...); return f }

func (f *rawFile) len(n uint64) *rawFile { f.b = appendLen(f.b, n); return f }

// str writes s as rdbSaveRawString does without compression.
func (f *rawFile) str(s string) *rawFile {
	e := Encoder{buf: f.b}
	e.writeString([]byte(s))
	f.b = e.buf
	return f
}

// lzfStr writes s LZF-compressed whatever its length.
func (f *rawFile) lzfStr(s string) *rawFile {
	e := Encoder{buf: f.b, opts: EncoderOptions{Compress: true}}
	e.writeString([]byte(s))
	f.b = e.buf
	return f
}

func (f *rawFile) key(t ObjType, k string) *rawFile { return f.op(byte(t)).str(k) }

func (f *rawFile) selectDB(db int) *rawFile { return f.op(opSelectDB).len(uint64(db)) }

func (f *rawFile) aux(k, v string) *rawFile { return f.op(opAux).str(k).str(v) }

func (f *rawFile) expireMs(ms int64) *rawFile {
	f.op(opExpireTimeMs)
	f.b = binary.LittleEndian.AppendUint64(f.b, uint64(ms))
	return f
}

func (f *rawFile) expireSec(s int32) *rawFile {
	f.op(opExpireTime)
	f.b = binary.LittleEndian.AppendUint32(f.b, uint32(s))
	return f
}

func (f *rawFile) double(x float64) *rawFile {
	f.b = binary.LittleEndian.AppendUint64(f.b, math.Float64bits(x))
	return f
}

// oldDouble is rdbSaveDoubleValue (RDB_TYPE_ZSET scores).
func (f *rawFile) oldDouble(x float64) *rawFile {
	switch {
	case math.IsNaN(x):
		return f.op(253)
	case math.IsInf(x, 1):
		return f.op(254)
	case math.IsInf(x, -1):
		return f.op(255)
	}
	s := conv.FormatDouble(nil, x)
	return f.op(byte(len(s))).op(s...)
}

// eof ends the file, with a checksum from version 5 on.
func (f *rawFile) eof(version int) []byte {
	f.op(opEOF)
	if version >= 5 {
		f.b = binary.LittleEndian.AppendUint64(f.b, CRC64(f.b))
	}
	return f.b
}

// ziplist builds a ziplist as ziplist.c does: canonical integers of fewer than 32
// bytes in the smallest integer encoding, other strings with 6, 14 or 32-bit lengths.
func ziplist(entries ...string) []byte {
	b := make([]byte, zlHeaderSize)
	prev, last := 0, zlHeaderSize
	for _, s := range entries {
		start := len(b)
		last = start
		if prev < zlBigPrevLen {
			b = append(b, byte(prev))
		} else {
			b = append(b, zlBigPrevLen)
			b = binary.LittleEndian.AppendUint32(b, uint32(prev))
		}
		if v, ok := conv.ParseInt([]byte(s)); ok && len(s) < 32 {
			switch {
			case v >= 0 && v <= 12:
				b = append(b, 0xF1+byte(v))
			case v >= math.MinInt8 && v <= math.MaxInt8:
				b = append(b, 0xFE, byte(v))
			case v >= math.MinInt16 && v <= math.MaxInt16:
				b = append(b, 0xC0)
				b = binary.LittleEndian.AppendUint16(b, uint16(v))
			case v >= -1<<23 && v < 1<<23:
				b = append(b, 0xF0, byte(v), byte(v>>8), byte(v>>16))
			case v >= math.MinInt32 && v <= math.MaxInt32:
				b = append(b, 0xD0)
				b = binary.LittleEndian.AppendUint32(b, uint32(v))
			default:
				b = append(b, 0xE0)
				b = binary.LittleEndian.AppendUint64(b, uint64(v))
			}
		} else {
			switch n := len(s); {
			case n < 1<<6:
				b = append(b, byte(n))
			case n < 1<<14:
				b = append(b, 0x40|byte(n>>8), byte(n))
			default:
				b = append(b, 0x80)
				b = binary.BigEndian.AppendUint32(b, uint32(n))
			}
			b = append(b, s...)
		}
		prev = len(b) - start
	}
	b = append(b, zlEnd)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint32(b[4:], uint32(last))
	binary.LittleEndian.PutUint16(b[8:], uint16(min(len(entries), 0xFFFF)))
	return b
}

// zipmap builds a zipmap as zipmap.c does, with free bytes after each value.
func zipmap(free int, pairs ...string) []byte {
	b := []byte{byte(min(len(pairs)/2, zmBigLen))}
	putLen := func(n int) {
		if n < zmBigLen {
			b = append(b, byte(n))
			return
		}
		b = append(b, zmBigLen)
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		putLen(len(pairs[i]))
		b = append(b, pairs[i]...)
		putLen(len(pairs[i+1]))
		b = append(b, byte(free))
		b = append(b, pairs[i+1]...)
		b = append(b, make([]byte, free)...)
	}
	return append(b, zmEnd)
}
