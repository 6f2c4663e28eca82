package rdb

import (
	"encoding/binary"
	"errors"
)

// DumpPayload appends to dst the DUMP payload of v, as redis-server 7.0 makes it
// (createDumpPayload): the object type and value as in an RDB file (compressed when
// compress, the rdbcompression setting), the RDB version as 2 bytes little-endian,
// and the CRC64 of all that as 8 bytes little-endian.
func DumpPayload(dst []byte, v *Value, compress bool) ([]byte, error) {
	t, err := objTypeOf(v)
	if err != nil {
		return dst, err
	}
	start := len(dst)
	e := Encoder{opts: EncoderOptions{Compress: compress}, buf: dst}
	e.buf = append(e.buf, byte(t))
	err = e.writeValue(t, v)
	if e.lzf != nil {
		compressors.Put(e.lzf)
	}
	if err != nil {
		return dst, err
	}
	e.buf = binary.LittleEndian.AppendUint16(e.buf, Version)
	return binary.LittleEndian.AppendUint64(e.buf, CRC64(e.buf[start:])), nil
}

// ParseDumpPayload reads a DUMP payload, as RESTORE does (verifyDumpPayload, then
// rdbLoadObjectType and rdbLoadObject). It returns ErrDumpPayload when the footer is
// wrong (shorter than 10 bytes, an RDB version above MaxVersion, or a bad CRC64: Redis
// 7.0 also refuses version 11, which 7.2 writes, but nothing in it needs refusing
// here), *UnsupportedError for a stream or module value, and *CorruptError for
// anything else wrong, an empty collection included (RESTORE's "Bad data format").
// As in Redis, the value is read from the whole payload, footer included (a value
// may run into its footer), and bytes after it are ignored. The Value belongs to the
// caller and shares no memory with b.
func ParseDumpPayload(b []byte) (Value, error) {
	if len(b) < 10 {
		return Value{}, ErrDumpPayload
	}
	ver := binary.LittleEndian.Uint16(b[len(b)-10:])
	if ver > MaxVersion || CRC64(b[:len(b)-8]) != binary.LittleEndian.Uint64(b[len(b)-8:]) {
		return Value{}, ErrDumpPayload
	}
	d := &Decoder{rd: reader{buf: b, w: len(b), fixed: true}, version: int(ver), started: true}
	var v Value
	t, err := d.rd.readByte()
	if err != nil {
		return v, d.corrupt(0, "reading the object type", err)
	}
	if !ObjType(t).valid() {
		return v, d.corrupt(0, "unknown object type "+ObjType(t).String(), nil)
	}
	if err := d.readValue(ObjType(t), &v); err != nil {
		if errors.Is(err, errEmptyKey) {
			return Value{}, &CorruptError{Offset: 1, Reason: "empty " + ObjType(t).String()}
		}
		return Value{}, err
	}
	return v, nil
}

// SerializedLength is the size of v's serialisation in an RDB file, the value alone
// (no type byte, no key), as Redis's rdbSavedObjectLen computes it for DEBUG OBJECT's
// serializedlength; compress is rdbcompression. It uses bounded memory whatever the
// size of v.
func SerializedLength(v *Value, compress bool) (int64, error) {
	t, err := objTypeOf(v)
	if err != nil {
		return 0, err
	}
	var cw countingWriter
	e := Encoder{w: &cw, opts: EncoderOptions{Compress: compress}, buf: make([]byte, 0, 512)}
	err = e.writeValue(t, v)
	if e.lzf != nil {
		compressors.Put(e.lzf)
	}
	if err != nil {
		return 0, err
	}
	return cw.n + int64(len(e.buf)), nil
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
