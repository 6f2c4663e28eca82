// Package types implements Redis's collection data types — list, hash, set and sorted
// set — over the pure structures in internal/ds, hiding their encodings from the
// commands (as Redis's t_list.c, t_hash.c, t_set.c and t_zset.c do with their
// listTypeX/hashTypeX/setTypeX/zsetX functions).
//
// Each type starts in Redis's compact encoding and converts, one way only, when it
// passes the thresholds in Limits, exactly where Redis 7.0 converts: a hash becomes a
// hash table past hash-max-listpack-entries entries or when a field or value is longer
// than hash-max-listpack-value; a set of integers leaves the intset past
// set-max-intset-entries or when a non-integer is added; a sorted set leaves the
// listpack past zset-max-listpack-entries or zset-max-listpack-value. Encoding reports
// the name OBJECT ENCODING shows.
//
// Every type implements Encoder (for OBJECT ENCODING) and keyspace.Duper (for COPY).
// Values handed to a type are copied when stored; values a type returns are borrowed
// and valid until the next modification of that value.
//
// Nothing here is safe for concurrent use; the server calls in under its executor lock.
package types

import "cairn/internal/keyspace"

// Limits are the encoding thresholds, from the configuration directives of the same
// names. The server passes the current values at each call that may convert.
type Limits struct {
	HashMaxListpackEntries int
	HashMaxListpackValue   int
	SetMaxIntsetEntries    int
	ZsetMaxListpackEntries int
	ZsetMaxListpackValue   int
	ListMaxListpackSize    int // list-max-listpack-size: >0 entries per node, -1..-5 node size class
	ListCompressDepth      int
}

// Encoder is implemented by every collection payload.
type Encoder interface {
	Encoding() keyspace.Encoding
}
