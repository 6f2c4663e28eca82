package rdb

import (
	"cairn/internal/keyspace"
)

// Encoding says which fields of a Value hold it, and so how the Encoder writes it.
type Encoding uint8

// Value encodings. The first five are Redis's own encodings, written as they are; the
// Elems form is the generic one for a collection, written as Redis writes its hash
// table or skiplist encodings.
const (
	// EncRaw: a string, in Str.
	EncRaw Encoding = iota
	// EncInt: a string holding an integer, in Int.
	EncInt
	// EncListpack: a hash or sorted set in Redis's listpack layout, in Blob (RDB types
	// 16 and 17: field, value, ... or member, score, ...).
	EncListpack
	// EncIntset: a set of integers in Redis's intset layout, in Blob (RDB type 11).
	EncIntset
	// EncQuicklist: a list as quicklist nodes, in Nodes or NodeSeq (RDB type 18).
	EncQuicklist
	// EncElems: a collection as its elements, in Elems or ElemSeq (for a sorted set:
	// Elems and Scores, or ZSeq). A list is written as a quicklist of 8 KiB listpack
	// nodes, a set as RDB type 2, a hash as type 4, a sorted set as type 5.
	EncElems
)

// ListNode is one quicklist node: a listpack (Data, validated), or with Plain set one
// element held as it is (a node for an element too large for a listpack).
type ListNode struct {
	Data  []byte
	Plain bool
}

// Value is a key's value in a form that neither depends on Cairn's collection types
// nor copies their compact encodings: the Encoder writes it and the Decoder produces
// it. Type is the data type; Enc says which fields hold the data:
//
//	EncRaw        Str
//	EncInt        Int
//	EncListpack   Blob (hash: field, value, ...; zset: member, score, ...)
//	EncIntset     Blob
//	EncQuicklist  Nodes, or Len and NodeSeq
//	EncElems      list: Elems or ElemSeq, in order
//	              set: Elems, or Len and ElemSeq
//	              hash: Elems as field, value, field, value ..., or Len (pairs) and
//	                    ElemSeq yielding 2*Len items
//	              zset: Elems and Scores, or Len and ZSeq
//
// The Seq forms are for writing: they let the Encoder walk a large collection in
// place, so the snapshot never copies it. A Seq must yield exactly the declared
// number of items (else the Encoder fails, since the count is written first).
// Sorted sets in the Elems form are written in the order given; Redis writes (and the
// Decoder so returns) the greatest score first, which is also the cheapest order to
// load into a skiplist. Elements must not be modified while the Encoder holds them.
type Value struct {
	Type keyspace.Type
	Enc  Encoding

	Str  []byte
	Int  int64
	Blob []byte

	Nodes  []ListNode
	Elems  [][]byte
	Scores []float64

	Len     int
	NodeSeq func(yield func(data []byte, plain bool) bool)
	ElemSeq func(yield func(elem []byte) bool)
	ZSeq    func(yield func(member []byte, score float64) bool)
}

// KeyMeta is what an RDB file records about a key besides its name and value.
type KeyMeta struct {
	// ExpireAt is the key's deadline in Unix milliseconds, 0 for none (as in
	// keyspace.Entry). A deadline at or before the epoch read from a file becomes 1, so
	// it stays "already expired" rather than turning into "never".
	ExpireAt int64
	// Idle is the LRU idle time in seconds (RDB_OPCODE_IDLE), present if HasIdle.
	// Redis writes it under an LRU maxmemory-policy.
	Idle    uint64
	HasIdle bool
	// Freq is the LFU counter (RDB_OPCODE_FREQ), present if HasFreq. Redis writes it
	// under an LFU maxmemory-policy.
	Freq    uint8
	HasFreq bool
}

// Aux is an auxiliary field of the file header (RDB_OPCODE_AUX): redis-ver, ctime …
type Aux struct {
	Key, Value string
}
