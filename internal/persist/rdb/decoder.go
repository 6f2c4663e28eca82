package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"slices"
	"strconv"

	"cairn/internal/conv"
	"cairn/internal/ds/intset"
	"cairn/internal/ds/listpack"
	"cairn/internal/keyspace"
	"cairn/internal/persist/lzf"
)

// DecoderOptions are the loader's settings.
type DecoderOptions struct {
	// SkipChecksum leaves the file's CRC64 unchecked (rdbchecksum no, or Redis's
	// skip-checksum-validation). A stored checksum of zero (a file written with
	// rdbchecksum no) is never checked.
	SkipChecksum bool
}

// Kind is the kind of a Record.
type Kind uint8

// Record kinds, in the order they appear in a file written by Redis 7.0: aux fields,
// function libraries, then per database a SelectDB, a ResizeDB and its keys, then EOF.
const (
	KindAux Kind = iota + 1
	KindFunction
	KindSelectDB
	KindResizeDB
	KindKey
	KindEOF
)

var kindNames = [...]string{"", "aux", "function", "selectdb", "resizedb", "key", "eof"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind-" + strconv.Itoa(int(k))
}

// Record is one item of an RDB file. Kind says which fields are set:
//
//	KindAux       AuxKey, AuxValue
//	KindFunction  Function: a library's code, for FUNCTION LOAD
//	KindSelectDB  DB
//	KindResizeDB  DBSize, ExpiresSize (hints: the sizes of the current database)
//	KindKey       DB, Key, Meta, Value, and Type: the object type in the file (which
//	              encoding it was written with, before any conversion)
//	KindEOF       Checksum: the stored CRC64 (0 when the file was written without one,
//	              or the version predates checksums); it was verified unless zero or
//	              DecoderOptions.SkipChecksum
//
// Offset is the record's byte offset in the file.
type Record struct {
	Kind        Kind
	Offset      int64
	AuxKey      []byte
	AuxValue    []byte
	Function    []byte
	DB          int
	DBSize      uint64
	ExpiresSize uint64
	Key         []byte
	Type        ObjType
	Meta        KeyMeta
	Value       Value
	Checksum    uint64
}

// Decoder reads an RDB file record by record (see Next). It reads versions 1 to
// MaxVersion and every encoding Redis has written in them, converting the ones
// Redis 7.0 no longer keeps (ziplists, zipmaps) as Redis 7.0 converts them on load.
// It never panics on bad input and allocates memory in proportion to the input it has
// actually read, not to the lengths the input claims. A Decoder is not safe for
// concurrent use.
type Decoder struct {
	rd      reader
	opts    DecoderOptions
	version int
	started bool
	done    bool
	err     error // sticky
	rec     Record

	// EmptyKeysSkipped counts keys holding an empty collection, which the Decoder
	// passes over as Redis's loader does (Redis 6.2 could write them, see #8453).
	EmptyKeysSkipped int

	db      int
	keyOff  int64
	keyLen  int    // arena[:keyLen] is the current key
	arena   []byte // the record's key, aux fields, strings and elements
	spans   []span
	elems   [][]byte
	scores  []float64
	nodes   []ListNode
	scratch []byte // compressed data, converted blobs
	cmp     []byte // LZF input
	seen    map[uint64]int
	seed    maphash.Seed
}

type span struct{ start, end int }

// NewDecoder returns a Decoder reading from r (buffered internally: r needs no
// bufio).
func NewDecoder(r io.Reader, opts DecoderOptions) *Decoder {
	return &Decoder{rd: reader{src: r}, opts: opts}
}

// Version is the file's RDB version, known after the first call to Next.
func (d *Decoder) Version() int { return d.version }

// Offset is the number of bytes of the input consumed so far.
func (d *Decoder) Offset() int64 { return d.rd.offset() }

// Next returns the next record. After the KindEOF record it returns io.EOF.
//
// The record and everything it points to are valid until the next call to Next —
// except Value.Blob and the Data of Value.Nodes, which are allocated for the record
// and belong to the caller, who may adopt them (listpack.FromBytes,
// quicklist.AppendListpack) instead of copying.
//
// Errors: *CorruptError for invalid input (including a truncated file), after which
// the Decoder is done; *ChecksumError at the end; *UnsupportedError for a stream, a
// module value or module aux data — with Skipped set the data was read past and Next
// may be called again; any other error comes from the reader.
func (d *Decoder) Next() (*Record, error) {
	if d.err != nil {
		return nil, d.err
	}
	if d.done {
		return nil, io.EOF
	}
	rec, err := d.next()
	if err != nil {
		var u *UnsupportedError
		if !errors.As(err, &u) || !u.Skipped {
			d.err = err
		}
		return nil, err
	}
	return rec, nil
}

func (d *Decoder) next() (*Record, error) {
	if !d.started {
		if err := d.readHeader(); err != nil {
			return nil, err
		}
		d.started = true
	}
	rec := &d.rec
	*rec = Record{DB: d.db}
	d.arena = d.arena[:0]
	d.keyLen = 0
	for {
		off := d.rd.offset()
		rec.Offset = off
		d.keyOff = off
		op, err := d.rd.readByte()
		if err != nil {
			return nil, d.corrupt(off, "reading the next opcode", err)
		}
		switch op {
		case opExpireTime:
			p, err := d.rd.next(4)
			if err != nil {
				return nil, d.corrupt(off, "reading an expire time", err)
			}
			rec.Meta.ExpireAt = fileDeadline(int64(int32(binary.LittleEndian.Uint32(p))) * 1000)
			continue
		case opExpireTimeMs:
			p, err := d.rd.next(8)
			if err != nil {
				return nil, d.corrupt(off, "reading an expire time", err)
			}
			rec.Meta.ExpireAt = fileDeadline(int64(binary.LittleEndian.Uint64(p)))
			continue
		case opIdle:
			n, err := d.readPlainLen()
			if err != nil {
				return nil, d.corrupt(off, "reading an LRU idle time", err)
			}
			rec.Meta.Idle, rec.Meta.HasIdle = n, true
			continue
		case opFreq:
			b, err := d.rd.readByte()
			if err != nil {
				return nil, d.corrupt(off, "reading an LFU frequency", err)
			}
			rec.Meta.Freq, rec.Meta.HasFreq = b, true
			continue
		case opAux:
			d.arena, err = d.appendString(d.arena)
			if err != nil {
				return nil, d.corrupt(off, "reading an aux field name", err)
			}
			k := len(d.arena)
			d.arena, err = d.appendString(d.arena)
			if err != nil {
				return nil, d.corrupt(off, "reading an aux field value", err)
			}
			rec.Kind, rec.AuxKey, rec.AuxValue = KindAux, d.arena[:k:k], d.arena[k:]
			return rec, nil
		case opSelectDB:
			n, err := d.readPlainLen()
			if err != nil {
				return nil, d.corrupt(off, "reading a database number", err)
			}
			if n > math.MaxInt32 {
				return nil, d.corrupt(off, "database number "+strconv.FormatUint(n, 10)+" out of range", nil)
			}
			d.db = int(n)
			rec.Kind, rec.DB = KindSelectDB, d.db
			return rec, nil
		case opResizeDB:
			a, err := d.readPlainLen()
			if err == nil {
				rec.ExpiresSize, err = d.readPlainLen()
			}
			if err != nil {
				return nil, d.corrupt(off, "reading database sizes", err)
			}
			rec.Kind, rec.DBSize = KindResizeDB, a
			return rec, nil
		case opSlotInfo: // slot id, slot size, expires slot size: cluster hints
			for range 3 {
				if _, err := d.readPlainLen(); err != nil {
					return nil, d.corrupt(off, "reading slot info", err)
				}
			}
			continue
		case opFunction2:
			d.arena, err = d.appendString(d.arena)
			if err != nil {
				return nil, d.corrupt(off, "reading a function library", err)
			}
			rec.Kind, rec.Function = KindFunction, d.arena
			return rec, nil
		case opFunctionPreGA:
			return nil, &UnsupportedError{Offset: off, What: "function library in the pre-release format of Redis 7.0 release candidates"}
		case opModuleAux:
			name, err := d.skipModuleAux()
			if err != nil {
				return nil, d.corrupt(off, "reading module aux data", err)
			}
			return nil, &UnsupportedError{Offset: off, What: "aux data of module " + name, Skipped: true}
		case opEOF:
			if d.version >= 5 {
				sum := d.rd.sum()
				at := d.rd.offset()
				p, err := d.rd.next(8)
				if err != nil {
					return nil, d.corrupt(at, "reading the checksum", err)
				}
				rec.Checksum = binary.LittleEndian.Uint64(p)
				if rec.Checksum != 0 && !d.opts.SkipChecksum && rec.Checksum != sum {
					return nil, &ChecksumError{Offset: at, Stored: rec.Checksum, Computed: sum}
				}
			}
			d.done = true
			rec.Kind = KindEOF
			return rec, nil
		}
		t := ObjType(op)
		if !t.valid() {
			return nil, d.corrupt(off, "unknown object type or opcode "+strconv.Itoa(int(op)), nil)
		}
		d.arena, err = d.appendString(d.arena[:0])
		if err != nil {
			return nil, d.corrupt(off, "reading a key", err)
		}
		d.keyLen = len(d.arena)
		err = d.readValue(t, &rec.Value)
		if err == errEmptyKey {
			d.EmptyKeysSkipped++
			*rec = Record{DB: d.db}
			d.arena = d.arena[:0]
			d.keyLen = 0
			continue
		}
		if err != nil {
			return nil, err
		}
		rec.Kind, rec.Type = KindKey, t
		rec.Key = d.arena[:d.keyLen:d.keyLen]
		return rec, nil
	}
}

// fileDeadline maps a deadline read from a file to KeyMeta's convention, where 0 is
// "none": one at or before the epoch stays in the past.
func fileDeadline(ms int64) int64 { return max(ms, 1) }

func (d *Decoder) readHeader() error {
	p, err := d.rd.next(9)
	if err != nil {
		return d.corrupt(0, "reading the signature", err)
	}
	if !bytes.Equal(p[:5], []byte("REDIS")) {
		return d.corrupt(0, "wrong signature: not an RDB file", nil)
	}
	v := 0
	for _, c := range p[5:9] {
		if c < '0' || c > '9' {
			return d.corrupt(5, fmt.Sprintf("bad RDB version %q", p[5:9]), nil)
		}
		v = v*10 + int(c-'0')
	}
	if v < 1 || v > MaxVersion {
		return d.corrupt(5, "can't handle RDB format version "+strconv.Itoa(v), nil)
	}
	d.version = v
	return nil
}

// corrupt makes the CorruptError for a failure at off while reading the current
// record.
func (d *Decoder) corrupt(off int64, reason string, err error) error {
	var c *CorruptError
	if errors.As(err, &c) {
		return err
	}
	ce := &CorruptError{Offset: off, Reason: reason, Err: err}
	if d.keyLen > 0 {
		ce.Key = string(d.arena[:d.keyLen])
	}
	return ce
}

var (
	errEmptyKey          = errors.New("empty key")
	errStringEncoding    = errors.New("unknown string encoding")
	errLZFLength         = errors.New("LZF lengths out of proportion")
	errUnexpectedEncoded = errors.New("an encoded value where a length belongs")
)

// readPlainLen reads a length that must not be a special encoding.
func (d *Decoder) readPlainLen() (uint64, error) {
	n, enc, err := d.rd.readLen()
	if err == nil && enc {
		err = errUnexpectedEncoded
	}
	return n, err
}

// readEncInt reads the integer of string encoding enc (enc8, enc16, enc32).
func (d *Decoder) readEncInt(enc uint64) (int64, error) {
	size := 1 << enc
	p, err := d.rd.next(size)
	if err != nil {
		return 0, err
	}
	switch enc {
	case enc8:
		return int64(int8(p[0])), nil
	case enc16:
		return int64(int16(binary.LittleEndian.Uint16(p))), nil
	}
	return int64(int32(binary.LittleEndian.Uint32(p))), nil
}

// appendString reads a string (rdbGenericLoadStringObject) and appends its bytes to
// dst: integers as decimal text, LZF decompressed.
func (d *Decoder) appendString(dst []byte) ([]byte, error) {
	n, enc, err := d.rd.readLen()
	if err != nil {
		return dst, err
	}
	if !enc {
		return d.rd.appendN(dst, n)
	}
	switch n {
	case enc8, enc16, enc32:
		v, err := d.readEncInt(n)
		return strconv.AppendInt(dst, v, 10), err
	case encLZF:
		return d.appendLZF(dst)
	}
	return dst, errStringEncoding
}

// appendLZF reads an LZF string: compressed length, length, data.
func (d *Decoder) appendLZF(dst []byte) ([]byte, error) {
	clen, err := d.readPlainLen()
	if err != nil {
		return dst, err
	}
	n, err := d.readPlainLen()
	if err != nil {
		return dst, err
	}
	// A stream of clen bytes cannot expand past clen*MaxRatio: refuse the claim
	// before allocating for it.
	if n == 0 || clen == 0 || clen > math.MaxInt32 || n > clen*lzf.MaxRatio || n > math.MaxInt {
		return dst, errLZFLength
	}
	d.cmp, err = d.rd.appendN(d.cmp[:0], clen)
	if err != nil {
		return dst, err
	}
	out, err := lzf.Decompress(dst, d.cmp, int(n))
	if cap(d.cmp) > 1<<20 {
		d.cmp = nil
	}
	if err != nil {
		return dst, err
	}
	return out, nil
}

// readBlob reads a string into memory of its own, for the caller to keep.
func (d *Decoder) readBlob() ([]byte, error) {
	n, enc, err := d.rd.readLen()
	if err != nil {
		return nil, err
	}
	if !enc {
		var b []byte
		if n <= 1<<20 {
			b = make([]byte, 0, n)
		}
		return d.rd.appendN(b, n)
	}
	switch n {
	case enc8, enc16, enc32:
		v, err := d.readEncInt(n)
		return strconv.AppendInt(nil, v, 10), err
	case encLZF:
		return d.appendLZF(nil)
	}
	return nil, errStringEncoding
}

// skipString passes over a string.
func (d *Decoder) skipString() error {
	n, enc, err := d.rd.readLen()
	if err != nil {
		return err
	}
	if !enc {
		return d.rd.skipN(n)
	}
	switch n {
	case enc8, enc16, enc32:
		return d.rd.skipN(1 << n)
	case encLZF:
		clen, err := d.readPlainLen()
		if err == nil {
			_, err = d.readPlainLen()
		}
		if err == nil {
			err = d.rd.skipN(clen)
		}
		return err
	}
	return errStringEncoding
}

// readElem reads a string onto the arena and records its span.
func (d *Decoder) readElem() error {
	start := len(d.arena)
	var err error
	d.arena, err = d.appendString(d.arena)
	if err != nil {
		return err
	}
	d.spans = append(d.spans, span{start, len(d.arena)})
	return nil
}

// spanElems turns the recorded spans into slices of the arena.
func (d *Decoder) spanElems() [][]byte {
	d.elems = slices.Grow(d.elems[:0], len(d.spans))
	for _, s := range d.spans {
		d.elems = append(d.elems, d.arena[s.start:s.end:s.end])
	}
	return d.elems
}

// lpElems records every entry of lp, as text, on the arena.
func (d *Decoder) lpElems(lp listpack.Listpack) {
	for p := lp.First(); p != -1; p = lp.Next(p) {
		start := len(d.arena)
		d.arena = lp.Get(p).AppendString(d.arena)
		d.spans = append(d.spans, span{start, len(d.arena)})
	}
}

// countHint caps a count read from the input for preallocation.
func countHint(n uint64) int { return int(min(n, 1024)) }

// readValue reads a value of object type t (rdbLoadObject) into v.
func (d *Decoder) readValue(t ObjType, v *Value) error {
	d.spans = d.spans[:0]
	d.scores = d.scores[:0]
	d.nodes = d.nodes[:0]
	at := d.rd.offset()
	bad := func(reason string, err error) error { return d.corrupt(at, reason, err) }
	switch t {
	case TypeString:
		n, enc, err := d.rd.readLen()
		if err != nil {
			return bad("reading a string value", err)
		}
		if enc && n <= enc32 {
			i, err := d.readEncInt(n)
			if err != nil {
				return bad("reading a string value", err)
			}
			*v = Value{Type: keyspace.TypeString, Enc: EncInt, Int: i}
			return nil
		}
		start := len(d.arena)
		switch {
		case !enc:
			d.arena, err = d.rd.appendN(d.arena, n)
		case n == encLZF:
			d.arena, err = d.appendLZF(d.arena)
		default:
			err = errStringEncoding
		}
		if err != nil {
			return bad("reading a string value", err)
		}
		*v = Value{Type: keyspace.TypeString, Enc: EncRaw, Str: d.arena[start:]}
		return nil

	case TypeList, TypeSet, TypeHash:
		n, err := d.readPlainLen()
		if err != nil {
			return bad("reading a "+t.String()+" length", err)
		}
		if n == 0 {
			return errEmptyKey
		}
		count := n
		if t == TypeHash {
			count = 2 * n
			if n > math.MaxUint64/2 {
				return bad("hash length out of range", nil)
			}
		}
		d.spans = slices.Grow(d.spans, countHint(count))
		for range count {
			at := d.rd.offset()
			if err := d.readElem(); err != nil {
				return d.corrupt(at, "reading a "+t.String()+" element", err)
			}
		}
		elems := d.spanElems()
		*v = Value{Enc: EncElems, Elems: elems}
		switch t {
		case TypeList:
			v.Type = keyspace.TypeList
		case TypeSet:
			v.Type = keyspace.TypeSet
			if d.hasDup(elems, 1) {
				return bad("duplicate set members detected", nil)
			}
		default:
			v.Type = keyspace.TypeHash
			if d.hasDup(elems, 2) {
				return bad("duplicate hash fields detected", nil)
			}
		}
		return nil

	case TypeZSet, TypeZSet2:
		n, err := d.readPlainLen()
		if err != nil {
			return bad("reading a zset length", err)
		}
		if n == 0 {
			return errEmptyKey
		}
		d.spans = slices.Grow(d.spans, countHint(n))
		d.scores = slices.Grow(d.scores, countHint(n))
		for range n {
			at := d.rd.offset()
			if err := d.readElem(); err != nil {
				return d.corrupt(at, "reading a zset member", err)
			}
			at = d.rd.offset()
			var score float64
			if t == TypeZSet2 {
				p, err := d.rd.next(8)
				if err != nil {
					return d.corrupt(at, "reading a zset score", err)
				}
				score = math.Float64frombits(binary.LittleEndian.Uint64(p))
			} else if score, err = d.readOldDouble(); err != nil {
				return d.corrupt(at, "reading a zset score", err)
			}
			if math.IsNaN(score) {
				return d.corrupt(at, "zset with NAN score detected", nil)
			}
			d.scores = append(d.scores, score)
		}
		elems := d.spanElems()
		if d.hasDup(elems, 1) {
			return bad("duplicate zset members detected", nil)
		}
		*v = Value{Type: keyspace.TypeZSet, Enc: EncElems, Elems: elems, Scores: d.scores}
		return nil

	case TypeSetIntset:
		b, err := d.readBlob()
		if err != nil {
			return bad("reading an intset", err)
		}
		if !intset.Validate(b, true) {
			return bad("intset integrity check failed", nil)
		}
		*v = Value{Type: keyspace.TypeSet, Enc: EncIntset, Blob: b}
		return nil

	case TypeHashListpack, TypeZSetListpack, TypeSetListpack:
		b, err := d.readBlob()
		if err != nil {
			return bad("reading a listpack", err)
		}
		lp, err := listpack.FromBytes(b)
		if err != nil {
			return bad(t.String()+" integrity check failed", err)
		}
		if lp.Len() == 0 {
			return errEmptyKey
		}
		switch t {
		case TypeSetListpack: // Redis 7.2: to elements, for the set encodings of 7.0
			d.lpElems(lp)
			elems := d.spanElems()
			if d.hasDup(elems, 1) {
				return bad("duplicate set members detected", nil)
			}
			*v = Value{Type: keyspace.TypeSet, Enc: EncElems, Elems: elems}
			return nil
		case TypeHashListpack:
			*v = Value{Type: keyspace.TypeHash, Enc: EncListpack, Blob: lp.Bytes()}
		default:
			*v = Value{Type: keyspace.TypeZSet, Enc: EncListpack, Blob: lp.Bytes()}
		}
		if reason := d.checkPairs(lp, t == TypeZSetListpack); reason != "" {
			return bad(t.String()+" integrity check failed: "+reason, nil)
		}
		return nil

	case TypeHashZiplist, TypeZSetZiplist, TypeHashZipmap:
		var err error
		d.scratch, err = d.appendString(d.scratch[:0])
		if err != nil {
			return bad("reading a "+t.String(), err)
		}
		lp := listpack.New()
		lp.Grow(len(d.scratch))
		if t == TypeHashZipmap {
			_, err = zipmapEach(d.scratch, func(f, v []byte) { lp.Append(f); lp.Append(v) })
		} else {
			_, err = ziplistEach(d.scratch, func(e listpack.Entry) { lpAppendEntry(&lp, e) })
		}
		if cap(d.scratch) > 1<<20 {
			d.scratch = nil
		}
		if err != nil {
			return bad(t.String()+" integrity check failed", err)
		}
		if lp.Len() == 0 {
			return errEmptyKey
		}
		lp.ShrinkToFit()
		typ := keyspace.TypeHash
		if t == TypeZSetZiplist {
			typ = keyspace.TypeZSet
		}
		*v = Value{Type: typ, Enc: EncListpack, Blob: lp.Bytes()}
		if reason := d.checkPairs(lp, t == TypeZSetZiplist); reason != "" {
			return bad(t.String()+" integrity check failed: "+reason, nil)
		}
		return nil

	case TypeListZiplist:
		var err error
		d.scratch, err = d.appendString(d.scratch[:0])
		if err != nil {
			return bad("reading a ziplist", err)
		}
		_, err = ziplistEach(d.scratch, func(e listpack.Entry) {
			start := len(d.arena)
			d.arena = e.AppendString(d.arena)
			d.spans = append(d.spans, span{start, len(d.arena)})
		})
		if cap(d.scratch) > 1<<20 {
			d.scratch = nil
		}
		if err != nil {
			return bad("list-ziplist integrity check failed", err)
		}
		if len(d.spans) == 0 {
			return errEmptyKey
		}
		*v = Value{Type: keyspace.TypeList, Enc: EncElems, Elems: d.spanElems()}
		return nil

	case TypeListQuicklist, TypeListQuicklist2:
		n, err := d.readPlainLen()
		if err != nil {
			return bad("reading a quicklist length", err)
		}
		d.nodes = slices.Grow(d.nodes, countHint(n))
		for range n {
			at := d.rd.offset()
			container := uint64(containerPacked)
			if t == TypeListQuicklist2 {
				if container, err = d.readPlainLen(); err != nil {
					return d.corrupt(at, "reading a quicklist node", err)
				}
				if container != containerPlain && container != containerPacked {
					return d.corrupt(at, "quicklist integrity check failed: container "+strconv.FormatUint(container, 10), nil)
				}
			}
			if container == containerPlain {
				b, err := d.readBlob()
				if err != nil {
					return d.corrupt(at, "reading a quicklist node", err)
				}
				d.nodes = append(d.nodes, ListNode{Data: b, Plain: true})
				continue
			}
			var lp listpack.Listpack
			if t == TypeListQuicklist2 {
				b, err := d.readBlob()
				if err != nil {
					return d.corrupt(at, "reading a quicklist node", err)
				}
				if lp, err = listpack.FromBytes(b); err != nil {
					return d.corrupt(at, "quicklist node listpack integrity check failed", err)
				}
			} else {
				if d.scratch, err = d.appendString(d.scratch[:0]); err != nil {
					return d.corrupt(at, "reading a quicklist node", err)
				}
				lp = listpack.New()
				lp.Grow(len(d.scratch))
				_, err = ziplistEach(d.scratch, func(e listpack.Entry) { lpAppendEntry(&lp, e) })
				if err != nil {
					return d.corrupt(at, "quicklist node ziplist integrity check failed", err)
				}
				lp.ShrinkToFit()
			}
			if lp.Len() == 0 { // skipped, as Redis skips empty nodes
				continue
			}
			d.nodes = append(d.nodes, ListNode{Data: lp.Bytes()})
		}
		if len(d.nodes) == 0 {
			return errEmptyKey
		}
		*v = Value{Type: keyspace.TypeList, Enc: EncQuicklist, Nodes: d.nodes}
		return nil

	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
		if err := d.skipStream(t); err != nil {
			return bad("reading a stream", err)
		}
		return &UnsupportedError{Offset: d.keyOff, Key: string(d.arena[:d.keyLen]), Type: t,
			What: "stream (" + t.String() + ")", Skipped: true}

	case TypeModule2:
		name, err := d.skipModuleValue(true)
		if err != nil {
			return bad("reading a module value", err)
		}
		return &UnsupportedError{Offset: d.keyOff, Key: string(d.arena[:d.keyLen]), Type: t,
			What: "value of module type " + name, Skipped: true}

	case TypeModulePreGA:
		return &UnsupportedError{Offset: d.keyOff, Key: string(d.arena[:d.keyLen]), Type: t,
			What: "module value in the pre-release format"}
	}
	return bad("unknown object type "+strconv.Itoa(int(t)), nil)
}

// lpAppendEntry appends a decoded entry to lp.
func lpAppendEntry(lp *listpack.Listpack, e listpack.Entry) {
	if e.IsInt {
		lp.AppendInt(e.Int)
	} else {
		lp.Append(e.Str)
	}
}

// checkPairs checks a hash's or sorted set's listpack: an even number of entries, no
// duplicate fields or members, and for a sorted set scores that read as numbers and
// not NaN. It returns what is wrong, or "".
func (d *Decoder) checkPairs(lp listpack.Listpack, zset bool) string {
	if lp.Len()%2 != 0 {
		return "odd number of entries"
	}
	mark := len(d.arena)
	d.spans = slices.Grow(d.spans[:0], lp.Len()/2)
	d.arena = slices.Grow(d.arena, 2*lp.BytesLen())
	even := true
	for p := lp.First(); p != -1; p = lp.Next(p) {
		e := lp.Get(p)
		if even {
			start := len(d.arena)
			d.arena = e.AppendString(d.arena)
			d.spans = append(d.spans, span{start, len(d.arena)})
		} else if zset && !e.IsInt {
			f, n, _ := conv.Strtod(e.Str)
			if n != len(e.Str) || n == 0 || math.IsNaN(f) {
				return "bad score " + strconv.Quote(string(e.Str))
			}
		}
		even = !even
	}
	dup := d.hasDup(d.spanElems(), 1)
	d.arena = d.arena[:mark]
	d.spans = d.spans[:0]
	if dup {
		if zset {
			return "duplicate members"
		}
		return "duplicate fields"
	}
	return ""
}

// hasDup reports whether two of elems[0], elems[step], elems[2*step] … are equal.
func (d *Decoder) hasDup(elems [][]byte, step int) bool {
	n := (len(elems) + step - 1) / step
	if n <= 16 {
		for i := 0; i < len(elems); i += step {
			for j := i + step; j < len(elems); j += step {
				if bytes.Equal(elems[i], elems[j]) {
					return true
				}
			}
		}
		return false
	}
	if d.seen == nil {
		d.seen = make(map[uint64]int, n)
		d.seed = maphash.MakeSeed()
	}
	defer func() {
		if len(d.seen) > 1<<16 {
			d.seen = nil
		} else {
			clear(d.seen)
		}
	}()
	for i := 0; i < len(elems); i += step {
		h := maphash.Bytes(d.seed, elems[i])
		if j, ok := d.seen[h]; ok {
			if bytes.Equal(elems[j], elems[i]) {
				return true
			}
			return hasDupSorted(elems, step) // two members with one hash: sort instead
		}
		d.seen[h] = i
	}
	return false
}

func hasDupSorted(elems [][]byte, step int) bool {
	var s [][]byte
	for i := 0; i < len(elems); i += step {
		s = append(s, elems[i])
	}
	slices.SortFunc(s, bytes.Compare)
	for i := 1; i < len(s); i++ {
		if bytes.Equal(s[i-1], s[i]) {
			return true
		}
	}
	return false
}

// readOldDouble is rdbLoadDoubleValue: a length byte (253 NaN, 254 +inf, 255 -inf)
// and that many bytes of text.
func (d *Decoder) readOldDouble() (float64, error) {
	n, err := d.rd.readByte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := d.rd.next(int(n))
	if err != nil {
		return 0, err
	}
	f, k, _ := conv.Strtod(p) // sscanf("%lg"): a prefix will do
	if k == 0 {
		return 0, errors.New("bad double value " + strconv.Quote(string(p)))
	}
	return f, nil
}

// skipStream passes over a stream value (rdbLoadObject's stream cases).
func (d *Decoder) skipStream(t ObjType) error {
	n, err := d.readPlainLen()
	if err != nil {
		return err
	}
	for range n {
		if err := d.skipString(); err != nil { // master ID
			return err
		}
		if err := d.skipString(); err != nil { // listpack
			return err
		}
	}
	lens := 3 // length, last ID ms and seq
	if t >= TypeStreamListpacks2 {
		lens += 5 // first ID, max deleted ID, entries added
	}
	if err := d.skipLens(lens); err != nil {
		return err
	}
	groups, err := d.readPlainLen()
	if err != nil {
		return err
	}
	for range groups {
		if err := d.skipString(); err != nil {
			return err
		}
		lens := 2 // last ID
		if t >= TypeStreamListpacks2 {
			lens++ // entries read
		}
		if err := d.skipLens(lens); err != nil {
			return err
		}
		pel, err := d.readPlainLen()
		if err != nil {
			return err
		}
		for range pel {
			if err := d.rd.skipN(16 + 8); err != nil { // ID, delivery time
				return err
			}
			if err := d.skipLens(1); err != nil { // delivery count
				return err
			}
		}
		consumers, err := d.readPlainLen()
		if err != nil {
			return err
		}
		for range consumers {
			if err := d.skipString(); err != nil {
				return err
			}
			times := uint64(8) // seen time
			if t >= TypeStreamListpacks3 {
				times += 8 // active time
			}
			if err := d.rd.skipN(times); err != nil {
				return err
			}
			cpel, err := d.readPlainLen()
			if err != nil {
				return err
			}
			if cpel > math.MaxUint64/16 {
				return errors.New("consumer PEL length out of range")
			}
			if err := d.rd.skipN(16 * cpel); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *Decoder) skipLens(n int) error {
	for range n {
		if _, err := d.readPlainLen(); err != nil {
			return err
		}
	}
	return nil
}

// skipModuleValue passes over a module value of the RDB_TYPE_MODULE_2 format (its
// module ID first when withID) and returns the module type's name and encoding
// version.
func (d *Decoder) skipModuleValue(withID bool) (string, error) {
	name := ""
	if withID {
		id, err := d.readPlainLen()
		if err != nil {
			return "", err
		}
		name = moduleTypeName(id)
	}
	for {
		op, err := d.readPlainLen()
		if err != nil {
			return name, err
		}
		switch op {
		case moduleOpEOF:
			return name, nil
		case moduleOpSInt, moduleOpUInt:
			_, err = d.readPlainLen()
		case moduleOpFloat:
			err = d.rd.skipN(4)
		case moduleOpDouble:
			err = d.rd.skipN(8)
		case moduleOpString:
			err = d.skipString()
		default:
			err = errors.New("unknown module opcode " + strconv.FormatUint(op, 10))
		}
		if err != nil {
			return name, err
		}
	}
}

// skipModuleAux passes over RDB_OPCODE_MODULE_AUX data.
func (d *Decoder) skipModuleAux() (string, error) {
	id, err := d.readPlainLen()
	if err != nil {
		return "", err
	}
	whenOp, err := d.readPlainLen()
	if err != nil {
		return "", err
	}
	if whenOp != moduleOpUInt {
		return "", errors.New("bad when_opcode")
	}
	if _, err := d.readPlainLen(); err != nil {
		return "", err
	}
	_, err = d.skipModuleValue(false)
	return moduleTypeName(id), err
}

// moduleTypeName is moduleTypeNameByID plus the encoding version: a module type ID is
// nine 6-bit characters and a 10-bit version.
func moduleTypeName(id uint64) string {
	const cset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var name [9]byte
	v := id >> 10
	for j := 8; j >= 0; j-- {
		name[j] = cset[v&63]
		v >>= 6
	}
	return strconv.Quote(string(name[:])) + " (encver " + strconv.FormatUint(id&1023, 10) + ")"
}
