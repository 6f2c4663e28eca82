// Package dict is the hash table under the keyspace (and, later, large
// hashes and sets): a generic Dict[V] keyed by byte strings, built for a
// server holding tens of millions of keys.
//
// # Structure
//
// Entries (key string, 32 bits of hash, a uint32 chain link, the value V)
// live in a chunked arena and never move. Bucket tables are []uint32 of
// chain heads naming arena slots. Resizing is incremental, exactly as in
// Redis's dict.c: during a rehash two tables are live and every operation
// moves one bucket chain (visiting at most 10 empty buckets); the server's
// cron calls RehashStep for more. Tables grow at load factor 1 and shrink
// below 10% fill; sizes are powers of two. The hash is hash/maphash with a
// random seed per dict.
//
// # Memory per entry
//
// 24 bytes + sizeof(V) in the arena, plus 4 to 8 bytes of buckets (up to 40
// while a shrink is pending), plus the key's bytes. Pointers per entry: the
// key string and whatever V holds; bucket tables are pointer-free and each
// arena chunk of 1024 entries is a single heap object, which keeps garbage
// collection cheap. The arena keeps its high-water mark: deleted slots are
// reused, and released only by Clear.
//
// # Complexity
//
// Find, Insert, Upsert, Delete: O(1) expected, no allocation on Find, on
// Insert of an existing key or on Delete (Insert of a new []byte key copies
// it; chunks and tables are allocated as the dict grows). Scan: proportional
// to the buckets and entries visited. Random and SomeKeys: O(1) expected,
// bounded on sparse tables. Each: proportional to the arena's high-water mark.
//
// # SCAN
//
// Scan implements Redis's dictScan: a stateless reverse-binary cursor over
// the smaller table, visiting the expansions of that bucket in the larger
// table while rehashing. A full scan from cursor 0 back to 0 returns every
// key present throughout, even if the table grows or shrinks in between;
// it may return a key more than once.
//
// # Lifetimes and callbacks
//
// A *V returned by Find, Insert or Upsert, or passed to a callback, is valid
// until that entry is deleted or the dict is cleared; rehashing and growth do
// not move entries. Keys passed to callbacks are the stored strings. The
// callbacks of Scan, SomeKeys and Each may modify *v and may delete the entry
// they were given, but must not insert or delete any other entry.
//
// # Concurrency
//
// A Dict is not safe for concurrent use, not even for concurrent Finds (a
// lookup does a rehash step). The server serialises all access under its
// executor lock.
package dict
