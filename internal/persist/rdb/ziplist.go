package rdb

import (
	"encoding/binary"
	"errors"

	"cairn/internal/ds/listpack"
)

// Ziplists and zipmaps are the compact encodings of Redis before 7.0 (ziplist.c,
// zipmap.c). They are only read, with the checks of ziplistValidateIntegrity and
// zipmapValidateIntegrity with deep validation, and converted to listpacks or
// elements as redis-server 7.0 converts them when loading.

const (
	zlHeaderSize = 10 // zlbytes uint32, zltail uint32, zllen uint16
	zlEnd        = 0xFF
	zlBigPrevLen = 254
)

var errZiplist = errors.New("ziplist integrity check failed")

// ziplistEach calls fn with each entry of the ziplist b, after checking its header.
// Strings passed to fn borrow b.
func ziplistEach(b []byte, fn func(e listpack.Entry)) (count int, err error) {
	if len(b) < zlHeaderSize+1 || binary.LittleEndian.Uint32(b) != uint32(len(b)) || b[len(b)-1] != zlEnd {
		return 0, errZiplist
	}
	tail := int(binary.LittleEndian.Uint32(b[4:]))
	header := int(binary.LittleEndian.Uint16(b[8:]))
	if tail > len(b)-1 {
		return 0, errZiplist
	}
	p, prevLen, last := zlHeaderSize, 0, -1
	for b[p] != zlEnd {
		start := p
		// prevlen
		var prev int
		if b[p] < zlBigPrevLen {
			prev = int(b[p])
			p++
		} else {
			if p+5 > len(b)-1 {
				return 0, errZiplist
			}
			prev = int(binary.LittleEndian.Uint32(b[p+1:]))
			p += 5
		}
		if prev != prevLen || p >= len(b)-1 {
			return 0, errZiplist
		}
		var e listpack.Entry
		enc := b[p]
		rest := len(b) - 1 - p // bytes left before the terminator
		need := func(n int) bool { return n <= rest }
		switch enc >> 6 {
		case 0, 1, 2:
			var n, hdr int
			switch enc >> 6 {
			case 0:
				n, hdr = int(enc&0x3f), 1
			case 1:
				if !need(2) {
					return 0, errZiplist
				}
				n, hdr = int(enc&0x3f)<<8|int(b[p+1]), 2
			default:
				if !need(5) {
					return 0, errZiplist
				}
				n, hdr = int(binary.BigEndian.Uint32(b[p+1:])), 5
			}
			if n < 0 || !need(hdr+n) {
				return 0, errZiplist
			}
			e.Str = b[p+hdr : p+hdr+n]
			p += hdr + n
		default:
			var size int
			switch {
			case enc == 0xC0:
				size = 2
			case enc == 0xD0:
				size = 4
			case enc == 0xE0:
				size = 8
			case enc == 0xF0:
				size = 3
			case enc == 0xFE:
				size = 1
			case enc >= 0xF1 && enc <= 0xFD:
				size = 0
			default:
				return 0, errZiplist
			}
			if !need(1 + size) {
				return 0, errZiplist
			}
			d := b[p+1:]
			e.IsInt = true
			switch size {
			case 0:
				e.Int = int64(enc&0x0f) - 1
			case 1:
				e.Int = int64(int8(d[0]))
			case 2:
				e.Int = int64(int16(binary.LittleEndian.Uint16(d)))
			case 3:
				e.Int = int64(int32(uint32(d[0])<<8|uint32(d[1])<<16|uint32(d[2])<<24) >> 8)
			case 4:
				e.Int = int64(int32(binary.LittleEndian.Uint32(d)))
			case 8:
				e.Int = int64(binary.LittleEndian.Uint64(d))
			}
			p += 1 + size
		}
		prevLen = p - start
		last = start
		count++
		fn(e)
	}
	if p != len(b)-1 {
		return 0, errZiplist
	}
	if last == -1 && tail != zlHeaderSize || last != -1 && tail != last {
		return 0, errZiplist
	}
	if header != 0xFFFF && header != count {
		return 0, errZiplist
	}
	return count, nil
}

const (
	zmBigLen = 254
	zmEnd    = 255
)

var errZipmap = errors.New("zipmap integrity check failed")

// zipmapEach calls fn with each field and value of the zipmap b (borrowing b).
func zipmapEach(b []byte, fn func(field, value []byte)) (pairs int, err error) {
	if len(b) < 2 || b[len(b)-1] != zmEnd {
		return 0, errZipmap
	}
	header := int(b[0])
	p := 1
	readLen := func() (int, bool) {
		if p >= len(b) {
			return 0, false
		}
		switch c := b[p]; {
		case c < zmBigLen:
			p++
			return int(c), true
		case c == zmBigLen:
			if p+5 > len(b) {
				return 0, false
			}
			n := int(binary.LittleEndian.Uint32(b[p+1:]))
			p += 5
			return n, true
		}
		return 0, false // zmEnd where a length belongs
	}
	for p < len(b) && b[p] != zmEnd {
		kl, ok := readLen()
		if !ok || kl > len(b)-p {
			return 0, errZipmap
		}
		field := b[p : p+kl]
		p += kl
		vl, ok := readLen()
		if !ok || p >= len(b) {
			return 0, errZipmap
		}
		free := int(b[p])
		p++
		if vl > len(b)-p || free > len(b)-p-vl {
			return 0, errZipmap
		}
		value := b[p : p+vl]
		p += vl + free
		pairs++
		fn(field, value)
	}
	if p != len(b)-1 {
		return 0, errZipmap
	}
	if header < zmBigLen && header != pairs {
		return 0, errZipmap
	}
	return pairs, nil
}
