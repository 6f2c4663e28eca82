package keyspace

import (
	"strconv"

	"cairn/internal/conv"
)

// Type is the Redis data type of a value, as TYPE reports it.
type Type uint8

// Data types.
const (
	TypeString Type = iota
	TypeList
	TypeSet
	TypeZSet
	TypeHash
	TypeStream
)

var typeNames = [...]string{"string", "list", "set", "zset", "hash", "stream"}

// String is the name TYPE replies with.
func (t Type) String() string { return typeNames[t] }

// Encoding is a value's internal representation, named as OBJECT ENCODING names it.
type Encoding uint8

// Encodings, with Redis 7.0's names.
const (
	EncRaw Encoding = iota
	EncInt
	EncEmbstr
	EncHashtable
	EncQuicklist
	EncListpack
	EncIntset
	EncSkiplist
	EncStream
)

var encodingNames = [...]string{"raw", "int", "embstr", "hashtable", "quicklist", "listpack", "intset", "skiplist", "stream"}

// String is the name OBJECT ENCODING replies with.
func (e Encoding) String() string { return encodingNames[e] }

// EmbstrSizeLimit is OBJ_ENCODING_EMBSTR_SIZE_LIMIT: strings up to this length created
// whole (by SET and friends) report "embstr".
const EmbstrSizeLimit = 44

// Object is a value. Strings keep their bytes in Str, or their integer in Int when
// Enc is EncInt (so SET k 123 stores no bytes at all); collections keep their data
// structure in Ptr. Objects live by value inside dict entries: a string key costs no
// heap object besides its bytes.
type Object struct {
	Type Type
	Enc  Encoding
	// LRU is the access clock in seconds (for OBJECT IDLETIME), or the LFU counter
	// packed with its decrement time under an LFU maxmemory-policy.
	LRU uint32
	Int int64
	Str []byte
	Ptr any
}

// NewStringObject makes a string value from b, choosing Redis's encoding: int when b is
// the canonical text of an integer of at most 20 bytes, embstr up to 44 bytes, raw
// beyond. b is copied unless it is int-encoded; reuse, if non-nil, is a previous string
// buffer of the key that may be overwritten.
func NewStringObject(b []byte, reuse []byte) Object {
	if len(b) <= 20 {
		if n, ok := conv.ParseInt(b); ok {
			return Object{Type: TypeString, Enc: EncInt, Int: n}
		}
	}
	enc := EncEmbstr
	if len(b) > EmbstrSizeLimit {
		enc = EncRaw
	}
	var s []byte
	if cap(reuse) >= len(b) && cap(reuse) <= 2*len(b)+16 {
		s = append(reuse[:0], b...)
	} else {
		s = append(make([]byte, 0, len(b)), b...)
	}
	return Object{Type: TypeString, Enc: enc, Str: s}
}

// NewRawString makes a raw-encoded string that takes ownership of b (used by APPEND,
// SETRANGE and other commands that build a string in place, as Redis's raw sds).
func NewRawString(b []byte) Object { return Object{Type: TypeString, Enc: EncRaw, Str: b} }

// NewIntObject makes an int-encoded string.
func NewIntObject(n int64) Object { return Object{Type: TypeString, Enc: EncInt, Int: n} }

// AppendString appends the string value's bytes to dst (integers as decimal text).
func (o *Object) AppendString(dst []byte) []byte {
	if o.Enc == EncInt {
		return strconv.AppendInt(dst, o.Int, 10)
	}
	return append(dst, o.Str...)
}

// StringLen is the length of the string value's text.
func (o *Object) StringLen() int {
	if o.Enc == EncInt {
		var tmp [20]byte
		return len(strconv.AppendInt(tmp[:0], o.Int, 10))
	}
	return len(o.Str)
}

// Duper is implemented by collection payloads (Object.Ptr) so that COPY can duplicate
// them: Dup returns a deep copy sharing no mutable memory with the receiver.
type Duper interface {
	Dup() any
}

// Dup returns a deep copy of o, as Redis's dupStringObject and the per-type dups that
// COPY uses: the same type and encoding, no memory shared. The copy's access clock is
// left zero for the caller to set (a copy is a new object). A collection payload must
// implement Duper or be a plain []byte (a compact encoding); anything else panics,
// since sharing it between two keys would let a write to one change the other.
func (o *Object) Dup() Object {
	d := Object{Type: o.Type, Enc: o.Enc, Int: o.Int}
	if o.Str != nil {
		d.Str = append(make([]byte, 0, len(o.Str)), o.Str...)
	}
	switch p := o.Ptr.(type) {
	case nil:
	case Duper:
		d.Ptr = p.Dup()
	case []byte:
		d.Ptr = append([]byte(nil), p...)
	default:
		panic("keyspace: cannot duplicate a value of type " + o.Type.String())
	}
	return d
}
