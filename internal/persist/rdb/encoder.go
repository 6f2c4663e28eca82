package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"time"

	"cairn/internal/conv"
	"cairn/internal/ds/listpack"
	"cairn/internal/keyspace"
	"cairn/internal/persist/lzf"
)

// EncoderOptions are the settings of the same names in redis.conf.
type EncoderOptions struct {
	// Compress is rdbcompression: strings (and listpacks, intsets, node blobs) longer
	// than 20 bytes are stored LZF-compressed when that saves at least 4 bytes.
	Compress bool
	// Checksum is rdbchecksum: the file ends with its CRC64, else with 8 zero bytes.
	Checksum bool
}

// DefaultOptions are Redis's defaults: compression and checksum on.
var DefaultOptions = EncoderOptions{Compress: true, Checksum: true}

const (
	// flushAt: the Encoder hands its buffer to the writer once it holds this much.
	flushAt = 64 << 10
	// listNodeLimit is list-max-listpack-size -2 (8 KiB), for lists given as elements.
	listNodeLimit = 8192
	// packedThreshold: list elements this large get a plain node (quicklist.c).
	packedThreshold = 1 << 30
)

// compressors holds LZF compressors (256 KiB of hash table each) for reuse.
var compressors = sync.Pool{New: func() any { return new(lzf.Compressor) }}

// Encoder writes an RDB file as redis-server 7.0 writes it: WriteHeader, then any
// WriteFunction, then for each non-empty database SelectDB and its keys with
// WriteKey, then Close, which writes the EOF opcode and the checksum.
//
// It is incremental: output goes to the writer in chunks of about 64 KiB as the
// buffer fills (and strings larger than that straight through), so memory stays
// bounded whatever the data set, and a caller may stop between any two calls. The
// first error (from the writer, or a Value it cannot write) is sticky: every later
// call returns it. An Encoder is not safe for concurrent use.
type Encoder struct {
	w    io.Writer
	opts EncoderOptions
	buf  []byte
	crc  uint64 // of everything flushed
	n    int64  // bytes flushed
	err  error

	lzf     *lzf.Compressor
	scratch []byte
	nodes   []ListNode
	closed  bool
}

// NewEncoder returns an Encoder writing to w with the given options.
func NewEncoder(w io.Writer, opts EncoderOptions) *Encoder {
	return &Encoder{w: w, opts: opts, buf: make([]byte, 0, flushAt+1024)}
}

// DefaultAux returns the aux fields redis-server 7.0 writes in every file, in its
// order: redis-ver, redis-bits, ctime (Unix seconds), used-mem and aof-base (1 when
// the file is the base of an AOF). Replication fields (repl-stream-db, repl-id,
// repl-offset), when the server has them, go between used-mem and aof-base.
func DefaultAux(now time.Time, usedMem int64, aofBase bool) []Aux {
	base := "0"
	if aofBase {
		base = "1"
	}
	return []Aux{
		{"redis-ver", RedisVersion},
		{"redis-bits", "64"},
		{"ctime", strconv.FormatInt(now.Unix(), 10)},
		{"used-mem", strconv.FormatInt(usedMem, 10)},
		{"aof-base", base},
	}
}

// WriteHeader writes the magic string REDIS0010 and the aux fields.
func (e *Encoder) WriteHeader(aux []Aux) error {
	if e.err != nil {
		return e.err
	}
	e.buf = append(e.buf, "REDIS00"...)
	e.buf = strconv.AppendInt(e.buf, Version, 10)
	for _, a := range aux {
		e.buf = append(e.buf, opAux)
		e.writeString(unsafeBytes(a.Key))
		e.writeString(unsafeBytes(a.Value))
	}
	return e.maybeFlush()
}

// WriteFunction writes a function library (RDB_OPCODE_FUNCTION2): its code, as
// FUNCTION LOAD received it. Redis writes the libraries after the aux fields and
// before the first database.
func (e *Encoder) WriteFunction(code []byte) error {
	if e.err != nil {
		return e.err
	}
	e.buf = append(e.buf, opFunction2)
	e.writeString(code)
	return e.maybeFlush()
}

// SelectDB starts database id, which holds size keys of which expires have a
// deadline (RDB_OPCODE_SELECTDB and RESIZEDB; the sizes are hints for the loader).
// Redis writes nothing for an empty database.
func (e *Encoder) SelectDB(id int, size, expires uint64) error {
	if e.err != nil {
		return e.err
	}
	e.buf = append(e.buf, opSelectDB)
	e.writeLen(uint64(id))
	e.buf = append(e.buf, opResizeDB)
	e.writeLen(size)
	e.writeLen(expires)
	return e.maybeFlush()
}

// WriteKey writes one key: its deadline, LRU or LFU information when m has them,
// then the object type, the key and the value. v is only read, and not retained.
func (e *Encoder) WriteKey(key []byte, m KeyMeta, v *Value) error {
	if e.err != nil {
		return e.err
	}
	t, err := objTypeOf(v)
	if err != nil {
		return fmt.Errorf("rdb: key %q: %w", key, err)
	}
	if m.ExpireAt != 0 {
		e.buf = append(e.buf, opExpireTimeMs)
		e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(m.ExpireAt))
	}
	if m.HasIdle {
		e.buf = append(e.buf, opIdle)
		e.writeLen(m.Idle)
	}
	if m.HasFreq {
		e.buf = append(e.buf, opFreq, m.Freq)
	}
	e.buf = append(e.buf, byte(t))
	e.writeString(key)
	if err := e.writeValue(t, v); err != nil {
		e.err = fmt.Errorf("rdb: key %q: %w", key, err)
		return e.err
	}
	return e.maybeFlush()
}

// Close writes the EOF opcode and the checksum (zero when Options.Checksum is off)
// and flushes. It does not close the writer.
func (e *Encoder) Close() error {
	if e.err != nil {
		return e.err
	}
	if e.closed {
		return errors.New("rdb: encoder already closed")
	}
	e.closed = true
	e.buf = append(e.buf, opEOF)
	var sum uint64
	if e.opts.Checksum {
		sum = crc64Update(e.crc, e.buf)
	}
	e.buf = binary.LittleEndian.AppendUint64(e.buf, sum)
	e.flush()
	if e.lzf != nil {
		compressors.Put(e.lzf)
		e.lzf = nil
	}
	return e.err
}

// Flush hands everything buffered to the writer.
func (e *Encoder) Flush() error {
	if e.err == nil {
		e.flush()
	}
	return e.err
}

// Written is the number of bytes handed to the writer so far.
func (e *Encoder) Written() int64 { return e.n }

// Buffered is the number of bytes written but not yet handed to the writer.
func (e *Encoder) Buffered() int { return len(e.buf) }

func (e *Encoder) maybeFlush() error {
	if len(e.buf) >= flushAt && e.w != nil {
		e.flush()
	}
	return e.err
}

func (e *Encoder) flush() {
	if e.w == nil || len(e.buf) == 0 || e.err != nil {
		return
	}
	e.crc = crc64Update(e.crc, e.buf)
	n, err := e.w.Write(e.buf)
	e.n += int64(n)
	if err == nil && n < len(e.buf) {
		err = io.ErrShortWrite
	}
	if err != nil {
		e.err = fmt.Errorf("rdb: write: %w", err)
	}
	e.buf = e.buf[:0]
}

// write appends p, passing large ones straight to the writer.
func (e *Encoder) write(p []byte) {
	if len(p) < flushAt || e.w == nil {
		e.buf = append(e.buf, p...)
		if len(e.buf) >= flushAt && e.w != nil {
			e.flush()
		}
		return
	}
	e.flush()
	if e.err != nil {
		return
	}
	e.crc = crc64Update(e.crc, p)
	n, err := e.w.Write(p)
	e.n += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		e.err = fmt.Errorf("rdb: write: %w", err)
	}
}

// writeLen is rdbSaveLen.
func (e *Encoder) writeLen(n uint64) {
	e.buf = appendLen(e.buf, n)
}

func appendLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|0x40, byte(n))
	case n <= math.MaxUint32:
		b = append(b, 0x80)
		return binary.BigEndian.AppendUint32(b, uint32(n))
	}
	b = append(b, 0x81)
	return binary.BigEndian.AppendUint64(b, n)
}

// appendEncodedInt is rdbEncodeInteger: v in the smallest of the 8, 16 and 32-bit
// integer encodings, ok false when it needs more.
func appendEncodedInt(b []byte, v int64) ([]byte, bool) {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(b, lenEncVal<<6|enc8, byte(v)), true
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(b, lenEncVal<<6|enc16, byte(v), byte(v>>8)), true
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return append(b, lenEncVal<<6|enc32, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)), true
	}
	return b, false
}

// writeInt is rdbSaveLongLongAsStringObject.
func (e *Encoder) writeInt(v int64) {
	if b, ok := appendEncodedInt(e.buf, v); ok {
		e.buf = b
		return
	}
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	e.writeLen(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// writeString is rdbSaveRawString: a short canonical integer in an integer encoding,
// a string over 20 bytes LZF-compressed if enabled and at least 4 bytes shorter so,
// otherwise length and bytes.
func (e *Encoder) writeString(s []byte) {
	if len(s) <= 11 {
		if v, ok := conv.ParseInt(s); ok {
			if b, ok := appendEncodedInt(e.buf, v); ok {
				e.buf = b
				return
			}
		}
	}
	if e.opts.Compress && len(s) > 20 {
		if e.lzf == nil {
			e.lzf = compressors.Get().(*lzf.Compressor)
		}
		out, ok := e.lzf.Compress(e.scratch[:0], s, len(s)-4)
		if cap(out) <= 1<<20 {
			e.scratch = out[:0]
		}
		if ok {
			e.buf = append(e.buf, lenEncVal<<6|encLZF)
			e.writeLen(uint64(len(out)))
			e.writeLen(uint64(len(s)))
			e.write(out)
			return
		}
	}
	e.writeLen(uint64(len(s)))
	e.write(s)
}

// writeDouble is rdbSaveBinaryDoubleValue.
func (e *Encoder) writeDouble(f float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f))
}

// objTypeOf is rdbSaveObjectType: the RDB type v is written as, or why it cannot be.
func objTypeOf(v *Value) (ObjType, error) {
	bad := func() (ObjType, error) {
		return 0, fmt.Errorf("cannot write a %s value with encoding %d", v.Type, v.Enc)
	}
	empty := func() (ObjType, error) { return 0, fmt.Errorf("empty %s", v.Type) }
	switch v.Type {
	case keyspace.TypeString:
		if v.Enc == EncRaw || v.Enc == EncInt {
			return TypeString, nil
		}
	case keyspace.TypeList:
		switch v.Enc {
		case EncQuicklist:
			if v.NodeSeq == nil && len(v.Nodes) == 0 || v.NodeSeq != nil && v.Len == 0 {
				return empty()
			}
			return TypeListQuicklist2, nil
		case EncElems:
			if v.ElemSeq == nil && len(v.Elems) == 0 {
				return empty()
			}
			return TypeListQuicklist2, nil
		}
	case keyspace.TypeSet:
		switch v.Enc {
		case EncIntset:
			if len(v.Blob) < 8 || binary.LittleEndian.Uint32(v.Blob[4:]) == 0 {
				return empty()
			}
			return TypeSetIntset, nil
		case EncElems:
			if elemCount(v) == 0 {
				return empty()
			}
			return TypeSet, nil
		}
	case keyspace.TypeHash, keyspace.TypeZSet:
		switch v.Enc {
		case EncListpack:
			if len(v.Blob) < listpack.EmptySize || binary.LittleEndian.Uint16(v.Blob[4:]) == 0 {
				return empty()
			}
			if v.Type == keyspace.TypeHash {
				return TypeHashListpack, nil
			}
			return TypeZSetListpack, nil
		case EncElems:
			if elemCount(v) == 0 {
				return empty()
			}
			if v.Type == keyspace.TypeHash {
				if v.ElemSeq == nil && len(v.Elems)%2 != 0 {
					return 0, errors.New("hash with an odd number of fields and values")
				}
				return TypeHash, nil
			}
			if v.ZSeq == nil && len(v.Scores) != len(v.Elems) {
				return 0, errors.New("sorted set with a score count unlike its member count")
			}
			return TypeZSet2, nil
		}
	}
	return bad()
}

// elemCount is the count written before a set's, hash's (pairs) or zset's elements.
func elemCount(v *Value) int {
	switch {
	case v.Type == keyspace.TypeZSet && v.ZSeq != nil, v.ElemSeq != nil:
		return v.Len
	case v.Type == keyspace.TypeHash:
		return len(v.Elems) / 2
	}
	return len(v.Elems)
}

// writeValue is rdbSaveObject.
func (e *Encoder) writeValue(t ObjType, v *Value) error {
	switch t {
	case TypeString:
		if v.Enc == EncInt {
			e.writeInt(v.Int)
		} else {
			e.writeString(v.Str)
		}
	case TypeSetIntset, TypeHashListpack, TypeZSetListpack:
		e.writeString(v.Blob)
	case TypeListQuicklist2:
		return e.writeQuicklist(v)
	case TypeSet, TypeHash:
		n := elemCount(v)
		e.writeLen(uint64(n))
		want := n
		if t == TypeHash {
			want = 2 * n
		}
		got := 0
		if v.ElemSeq != nil {
			for el := range v.ElemSeq {
				if got++; got > want {
					break
				}
				e.writeString(el)
			}
		} else {
			for _, el := range v.Elems {
				got++
				e.writeString(el)
			}
		}
		if got != want {
			return fmt.Errorf("%s yielded more or fewer than its %d elements", v.Type, want)
		}
	case TypeZSet2:
		n := elemCount(v)
		e.writeLen(uint64(n))
		got := 0
		if v.ZSeq != nil {
			for m, s := range v.ZSeq {
				if got++; got > n {
					break
				}
				e.writeString(m)
				e.writeDouble(s)
			}
		} else {
			for i, m := range v.Elems {
				got++
				e.writeString(m)
				e.writeDouble(v.Scores[i])
			}
		}
		if got != n {
			return fmt.Errorf("zset yielded more or fewer than its %d members", n)
		}
	}
	return e.err
}

func (e *Encoder) writeQuicklist(v *Value) error {
	node := func(data []byte, plain bool) {
		if plain {
			e.writeLen(containerPlain)
		} else {
			e.writeLen(containerPacked)
		}
		e.writeString(data)
	}
	switch {
	case v.Enc == EncElems:
		e.nodes = packList(e.nodes[:0], v)
		e.writeLen(uint64(len(e.nodes)))
		for _, n := range e.nodes {
			node(n.Data, n.Plain)
		}
		clear(e.nodes)
	case v.NodeSeq != nil:
		n, nodes := v.Len, v.NodeSeq // not v in the loop: a captured v would escape
		e.writeLen(uint64(n))
		got := 0
		for data, plain := range nodes {
			if got++; got > n {
				break
			}
			node(data, plain)
		}
		if got != n {
			return fmt.Errorf("list yielded more or fewer than its %d nodes", n)
		}
	default:
		e.writeLen(uint64(len(v.Nodes)))
		for _, n := range v.Nodes {
			node(n.Data, n.Plain)
		}
	}
	return e.err
}

// packList builds quicklist nodes for a list given as elements, as pushing them to a
// quicklist with the default fill (8 KiB nodes) would.
func packList(nodes []ListNode, v *Value) []ListNode {
	var lp listpack.Listpack
	have := false
	push := func(el []byte) {
		if len(el) >= packedThreshold {
			if have {
				nodes = append(nodes, ListNode{Data: lp.Bytes()})
				have = false
			}
			nodes = append(nodes, ListNode{Data: el, Plain: true})
			return
		}
		if have && (lp.BytesLen()+len(el)+8 > listNodeLimit || lp.Len() >= 65535) {
			nodes = append(nodes, ListNode{Data: lp.Bytes()})
			have = false
		}
		if !have {
			lp = listpack.New()
			have = true
		}
		lp.Append(el)
	}
	if v.ElemSeq != nil {
		for el := range v.ElemSeq {
			push(el)
		}
	} else {
		for _, el := range v.Elems {
			push(el)
		}
	}
	if have {
		nodes = append(nodes, ListNode{Data: lp.Bytes()})
	}
	return nodes
}
