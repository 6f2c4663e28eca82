// Package listpack is Redis 7.0's listpack (listpack.c), byte for byte: the
// compact encoding of small hashes and sorted sets and of every quicklist
// node. The RDB writer emits our bytes unchanged and the RDB reader adopts
// Redis's (FromBytes), so the layout, the integer encoding choices, the
// backlen quirks and the header count rules are exactly Redis's; the
// golden tests hold listpacks captured from redis-server 7.0.15.
//
// # Layout
//
//	total-bytes uint32 LE | count uint16 LE | entry ... | 0xFF
//
// count 65535 means unknown: it becomes so when an insert reaches 65535
// entries, stays so through further changes, and Len recounts by walking
// and writes the count back once it is below 65535 again (lpLength). Each
// entry is its encoding and data, then a backlen: the length of encoding
// and data as a reverse varint of 1 to 5 bytes, so the listpack can be
// walked backwards. Encodings:
//
//	0xxxxxxx                      7-bit unsigned int
//	10xxxxxx + data               string of up to 63 bytes
//	110xxxxx yyyyyyyy             13-bit signed int
//	1110xxxx yyyyyyyy + data      string of up to 4095 bytes
//	0xF0 + uint32 LE + data       longer string
//	0xF1, 0xF2, 0xF3, 0xF4        16, 24, 32, 64-bit signed int, LE
//
// Every write of a string stores it as an integer when Redis's string2ll
// accepts it (canonical decimal, at most 20 bytes), in the smallest
// encoding: "12" and AppendInt(12) write the same byte, and read back as
// an integer entry. "012", "-0", "+1" and "1.0" stay strings.
//
// # API
//
// A Listpack is a struct holding the bytes: one slice header, like a
// []byte, but callers cannot reslice or append to it. The zero value is an
// empty listpack. Entries are named by byte offset, as Redis names them by
// pointer, with -1 for NULL: First, Last, Next, Prev and Seek (negative
// indexes count from the end) return offsets, Get decodes one into an Entry
// (Str or Int). Append, Prepend, Insert, Replace, Delete, DeleteN,
// DeleteRange and Merge change it; Find is lpFind (with skip 1 it looks up a
// hash field). Validate is lpValidateIntegrity.
//
// # Lifetimes
//
// Bytes and Entry.Str are borrowed: valid, and not to be modified, until
// the next change to the listpack. An offset is valid until the next
// change, except that a change at offset p leaves offsets before p valid,
// and Insert, Replace and Delete return the offsets to go on with.
// FromBytes adopts its argument without copying.
//
// # Memory and complexity
//
// The listpack is one allocation of its size plus Go's append-style slack
// (ShrinkToFit and Clone drop it; Grow reserves room ahead). Reads allocate
// nothing; writes allocate only to grow. Next, Prev, Get: O(1). Seek: O(n)
// from the nearer end. Find: O(n). Append: amortised O(1) plus the length of
// the value; Prepend, Insert, Replace, Delete: O(n) (one memmove), as in
// Redis. Listpacks over 4 GiB panic; callers keep them under MaxSafetySize.
//
// # Concurrency
//
// A Listpack is not safe for concurrent use; even Len may write (it repairs
// an unknown count). The server serialises access under its executor lock.
package listpack
