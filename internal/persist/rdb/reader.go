package rdb

import (
	"encoding/binary"
	"errors"
	"io"
)

const readBufSize = 64 << 10

// reader is the Decoder's input: a buffer over the source that knows the file offset
// of every byte and keeps the CRC64 of the bytes consumed. The checksum is computed a
// buffer at a time, over bytes already consumed, when the buffer is refilled (and on
// demand at the EOF opcode). With fixed set, buf is the whole input (a DUMP payload)
// and there is no source.
type reader struct {
	src     io.Reader
	buf     []byte
	r, w    int   // buf[r:w] is unread
	base    int64 // file offset of buf[0]
	crc     uint64
	crcFrom int // buf[crcFrom:r] is consumed but not yet in crc
	srcErr  error
	fixed   bool
}

func (rd *reader) offset() int64 { return rd.base + int64(rd.r) }

// sum brings crc up to date with everything consumed and returns it.
func (rd *reader) sum() uint64 {
	rd.crc = crc64Update(rd.crc, rd.buf[rd.crcFrom:rd.r])
	rd.crcFrom = rd.r
	return rd.crc
}

// fill makes at least n bytes (n <= readBufSize) available in buf[r:w], or returns
// io.ErrUnexpectedEOF (or the source's error) when the input ends first.
func (rd *reader) fill(n int) error {
	if rd.w-rd.r >= n {
		return nil
	}
	if rd.fixed || rd.srcErr != nil {
		if rd.srcErr != nil && rd.srcErr != io.EOF {
			return rd.srcErr
		}
		return io.ErrUnexpectedEOF
	}
	if rd.buf == nil {
		rd.buf = make([]byte, readBufSize)
	}
	rd.sum()
	copy(rd.buf, rd.buf[rd.r:rd.w])
	rd.base += int64(rd.r)
	rd.w -= rd.r
	rd.r, rd.crcFrom = 0, 0
	for empty := 0; rd.w < n; {
		k, err := rd.src.Read(rd.buf[rd.w:])
		rd.w += k
		if err != nil {
			rd.srcErr = err
			if rd.w >= n {
				return nil
			}
			if err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		if k == 0 {
			if empty++; empty >= 100 { // as bufio: a reader that never makes progress
				rd.srcErr = io.ErrNoProgress
				return rd.srcErr
			}
		}
	}
	return nil
}

func (rd *reader) readByte() (byte, error) {
	if rd.r < rd.w {
		b := rd.buf[rd.r]
		rd.r++
		return b, nil
	}
	if err := rd.fill(1); err != nil {
		return 0, err
	}
	b := rd.buf[rd.r]
	rd.r++
	return b, nil
}

// next returns the next n bytes (n <= readBufSize), borrowed until the next read.
func (rd *reader) next(n int) ([]byte, error) {
	if err := rd.fill(n); err != nil {
		return nil, err
	}
	b := rd.buf[rd.r : rd.r+n]
	rd.r += n
	return b, nil
}

// appendN appends the next n bytes to dst, a chunk at a time, so that a hostile
// length costs no more memory than the input actually holds.
func (rd *reader) appendN(dst []byte, n uint64) ([]byte, error) {
	if rd.fixed {
		if uint64(rd.w-rd.r) < n {
			return dst, io.ErrUnexpectedEOF
		}
		dst = append(dst, rd.buf[rd.r:rd.r+int(n)]...)
		rd.r += int(n)
		return dst, nil
	}
	for n > 0 {
		if rd.r == rd.w {
			if err := rd.fill(1); err != nil {
				return dst, err
			}
		}
		k := min(uint64(rd.w-rd.r), n)
		dst = append(dst, rd.buf[rd.r:rd.r+int(k)]...)
		rd.r += int(k)
		n -= k
	}
	return dst, nil
}

// skipN consumes n bytes.
func (rd *reader) skipN(n uint64) error {
	for n > 0 {
		if rd.r == rd.w {
			if err := rd.fill(1); err != nil {
				return err
			}
		}
		k := min(uint64(rd.w-rd.r), n)
		rd.r += int(k)
		n -= k
	}
	return nil
}

// errLenEncoding is a length byte with the top bits 10 but not 0x80 or 0x81.
var errLenEncoding = errors.New("unknown length encoding")

// readLen is rdbLoadLenByRef: a length, or with encoded set the 6-bit special
// encoding of a string (an integer or LZF).
func (rd *reader) readLen() (n uint64, encoded bool, err error) {
	b, err := rd.readByte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case 0:
		return uint64(b & 0x3f), false, nil
	case 1:
		b2, err := rd.readByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(b&0x3f)<<8 | uint64(b2), false, nil
	case 3:
		return uint64(b & 0x3f), true, nil
	}
	switch b {
	case 0x80:
		p, err := rd.next(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case 0x81:
		p, err := rd.next(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, errLenEncoding
}
