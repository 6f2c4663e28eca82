package listpack

import (
	"encoding/binary"

	"cairn/internal/conv"
)

// Entry encodings, the first byte of an entry (listpack.c's LP_ENCODING_*).
// 7-bit uints, 6-bit strings, 13-bit ints and 12-bit strings carry part of
// their value or length in the first byte; the others are exact bytes.
const (
	enc7BitUint  = 0x00 // 0xxxxxxx
	enc6BitStr   = 0x80 // 10xxxxxx, then the string
	enc13BitInt  = 0xC0 // 110xxxxx yyyyyyyy, big-endian two's complement
	enc12BitStr  = 0xE0 // 1110xxxx yyyyyyyy, then the string
	enc32BitStr  = 0xF0 // then a uint32 LE length and the string
	enc16BitInt  = 0xF1 // then int16 LE
	enc24BitInt  = 0xF2 // then int24 LE
	enc32BitInt  = 0xF3 // then int32 LE
	enc64BitInt  = 0xF4 // then int64 LE
	eof          = 0xFF // the terminator
	maxIntEncLen = 9    // LP_MAX_INT_ENCODING_LEN
)

// encoded is a value ready to be written as an entry: the encoding bytes
// (a whole integer, or a string's header) and, for strings, the payload.
type encoded struct {
	hdr  [maxIntEncLen]byte
	nhdr int
	str  []byte
}

// size is the entry's length without its backlen (encoding + data).
func (e *encoded) size() int { return e.nhdr + len(e.str) }

// encodeString prepares v as lpEncodeGetType does: a string that string2ll
// accepts (canonical decimal, at most 20 bytes) is stored as an integer.
func encodeString(e *encoded, v []byte) {
	if n, ok := conv.ParseInt(v); ok {
		encodeInt(e, n)
		return
	}
	e.str = v
	switch n := len(v); {
	case n < 64:
		e.hdr[0] = enc6BitStr | byte(n)
		e.nhdr = 1
	case n < 4096:
		e.hdr[0] = enc12BitStr | byte(n>>8)
		e.hdr[1] = byte(n)
		e.nhdr = 2
	default:
		e.hdr[0] = enc32BitStr
		binary.LittleEndian.PutUint32(e.hdr[1:], uint32(n))
		e.nhdr = 5
	}
}

// encodeInt prepares v in the smallest integer encoding, as
// lpEncodeIntegerGetType does.
func encodeInt(e *encoded, v int64) {
	e.str = nil
	switch {
	case v >= 0 && v <= 127:
		e.hdr[0] = byte(v)
		e.nhdr = 1
	case v >= -4096 && v <= 4095:
		u := uint64(v) & (1<<13 - 1)
		e.hdr[0] = enc13BitInt | byte(u>>8)
		e.hdr[1] = byte(u)
		e.nhdr = 2
	case v >= -32768 && v <= 32767:
		e.hdr[0] = enc16BitInt
		binary.LittleEndian.PutUint16(e.hdr[1:], uint16(v))
		e.nhdr = 3
	case v >= -8388608 && v <= 8388607:
		u := uint32(v)
		e.hdr[0] = enc24BitInt
		e.hdr[1], e.hdr[2], e.hdr[3] = byte(u), byte(u>>8), byte(u>>16)
		e.nhdr = 4
	case v >= -2147483648 && v <= 2147483647:
		e.hdr[0] = enc32BitInt
		binary.LittleEndian.PutUint32(e.hdr[1:], uint32(v))
		e.nhdr = 5
	default:
		e.hdr[0] = enc64BitInt
		binary.LittleEndian.PutUint64(e.hdr[1:], uint64(v))
		e.nhdr = 9
	}
}

// backlenSize is the number of bytes lpEncodeBacklen uses for l. The
// boundaries are Redis's, including its quirk of giving 16383, 2097151 and
// 268435455 one byte more than they need.
func backlenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	default:
		return 5
	}
}

// putBacklen writes l as lpEncodeBacklen does: big-endian groups of 7 bits,
// every byte but the first with its high bit set, so that it can be read
// from its last byte backwards. dst must hold backlenSize(l) bytes.
func putBacklen(dst []byte, l int) {
	n := backlenSize(l)
	for i := n - 1; i > 0; i-- {
		dst[i] = byte(l&127) | 128
		l >>= 7
	}
	dst[0] = byte(l)
}

// decodeBacklen reads the backlen whose last byte is b[p], as
// lpDecodeBacklen does. ok is false if it runs off b or over 5 bytes.
func decodeBacklen(b []byte, p int) (v int, ok bool) {
	shift := 0
	for {
		if p < 0 {
			return 0, false
		}
		v |= int(b[p]&127) << shift
		if b[p]&128 == 0 {
			return v, true
		}
		shift += 7
		p--
		if shift > 28 {
			return 0, false
		}
	}
}

// encodedSize is lpCurrentEncodedSizeUnsafe: the length of the entry at
// b[p] without its backlen. It trusts the listpack to be valid.
func encodedSize(b []byte, p int) int {
	c := b[p]
	switch {
	case c < 0x80:
		return 1
	case c < 0xC0:
		return 1 + int(c&0x3F)
	case c < 0xE0:
		return 2
	case c < 0xF0:
		return 2 + (int(c&0x0F)<<8 | int(b[p+1]))
	}
	switch c {
	case enc32BitStr:
		return 5 + int(binary.LittleEndian.Uint32(b[p+1:]))
	case enc16BitInt:
		return 3
	case enc24BitInt:
		return 4
	case enc32BitInt:
		return 5
	case enc64BitInt:
		return 9
	case eof:
		return 1
	}
	panic("listpack: invalid entry encoding")
}

// sizeBytes is lpCurrentEncodedSizeBytes: how many bytes of an entry must
// be read to know its length, 0 for an invalid encoding byte.
func sizeBytes(c byte) int {
	switch {
	case c < 0xE0:
		return 1
	case c < 0xF0:
		return 2
	case c == enc32BitStr:
		return 5
	case c <= enc64BitInt || c == eof:
		return 1
	}
	return 0
}

// entryAt decodes the entry at b[p] (lpGet).
func entryAt(b []byte, p int) Entry {
	c := b[p]
	switch {
	case c < 0x80:
		return Entry{Int: int64(c), IsInt: true}
	case c < 0xC0:
		n := p + 1 + int(c&0x3F)
		return Entry{Str: b[p+1 : n : n]}
	case c < 0xE0:
		u := uint64(c&0x1F)<<8 | uint64(b[p+1])
		return Entry{Int: int64(u<<51) >> 51, IsInt: true}
	case c < 0xF0:
		n := p + 2 + (int(c&0x0F)<<8 | int(b[p+1]))
		return Entry{Str: b[p+2 : n : n]}
	}
	switch c {
	case enc32BitStr:
		n := p + 5 + int(binary.LittleEndian.Uint32(b[p+1:]))
		return Entry{Str: b[p+5 : n : n]}
	case enc16BitInt:
		return Entry{Int: int64(int16(binary.LittleEndian.Uint16(b[p+1:]))), IsInt: true}
	case enc24BitInt:
		u := uint32(b[p+1]) | uint32(b[p+2])<<8 | uint32(b[p+3])<<16
		return Entry{Int: int64(int32(u<<8) >> 8), IsInt: true}
	case enc32BitInt:
		return Entry{Int: int64(int32(binary.LittleEndian.Uint32(b[p+1:]))), IsInt: true}
	case enc64BitInt:
		return Entry{Int: int64(binary.LittleEndian.Uint64(b[p+1:])), IsInt: true}
	}
	panic("listpack: invalid entry encoding")
}
