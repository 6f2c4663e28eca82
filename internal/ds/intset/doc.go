// Package intset is Redis's intset (intset.c): a sorted set of distinct
// int64 values in one byte slice, laid out byte for byte as Redis lays it out,
// so that the RDB and DUMP payload of a set with the intset encoding is
// Bytes() as it stands, and a payload from Redis is loaded with FromBytes.
//
// # Layout
//
//	offset 0  encoding  uint32 little-endian: 2, 4 or 8 (int16, int32, int64)
//	offset 4  length    uint32 little-endian: number of values
//	offset 8  contents  length values, each encoding bytes, little-endian,
//	                    two's complement, in strictly increasing order
//
// The encoding is the narrowest that holds every value ever added: adding a
// value outside the current width upgrades every value in place (Redis's
// intsetUpgradeAndAdd); removing values never downgrades, exactly as in
// Redis, so the bytes of a set depend on its history, not only its members
// (SADD s 70000 then SREM s 70000 then SADD s 1 gives int32 contents).
//
// # Complexity
//
// Find is a binary search, O(log n). Add and Remove are O(n): they shift the
// tail of the contents (and an upgrade rewrites every value). Get, Min, Max
// and Random are O(1). Redis keeps intsets small (set-max-intset-entries,
// default 512); past that the server converts the set to a hash table.
//
// # Memory and lifetimes
//
// An Intset is the slice header and the bytes: one heap object, no pointers
// inside, so the garbage collector never scans it. The zero Intset is an
// empty set with the int16 encoding and is ready to use. Capacity grows by
// append's amortised doubling and is given back when the set shrinks to a
// quarter of it. Bytes returns the Intset's own slice: it is valid, and must
// not be modified, until the next Add or Remove. FromBytes copies its
// argument.
//
// # Concurrency
//
// An Intset is not safe for concurrent use; the server serialises all access
// under its executor lock.
package intset
