// Package keyspace holds Cairn's databases: the key → value tables, key expiry, and the
// hooks the server needs when keys change (WATCH invalidation, keyspace events,
// propagation of expiry deletions). It knows nothing of RESP or of clients.
//
// A Keyspace is a fixed array of DBs. Each DB keeps its keys in a dict.Dict whose
// entries hold the value object and the key's deadline inline, so a lookup answers
// "present and not expired" with one hash probe. Keys that carry a deadline are also in a
// second table (volatile) that shares the key strings; the active expiry cycle samples it
// as Redis samples its expires dict.
//
// Expiry is lazy plus active, as in Redis: every lookup first checks the deadline and
// deletes a key that has passed it (so an expired key is never visible), and the server's
// cron calls ActiveExpireCycle, which samples keys with deadlines and keeps going while
// more than a quarter of a sample had expired, within a time budget.
//
// Lookups come in Redis's flavours: Find (no side effects besides lazy expiry),
// LookupRead (counts keyspace hits/misses and touches the key's access clock),
// LookupWrite (touches, no statistics) and Lookup with LookupNoTouch/LookupNoStats for
// the rest. The access clock in Object.LRU is an LRU time or, when the server sets LFU,
// an LFU counter (lru.go); new values get a fresh clock from Set.
//
// Concurrency: nothing here is safe for concurrent use. The server calls into a Keyspace
// only while holding its executor lock. Values returned by lookups are owned by the
// keyspace and valid until the next call that may modify the same DB.
package keyspace
