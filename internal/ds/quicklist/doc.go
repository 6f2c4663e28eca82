// Package quicklist is Redis 7.0's list: a quicklist of listpack nodes
// (quicklist.c), with Redis's node-filling, splitting and merging rules, so
// that the same commands leave the same nodes, byte for byte, as
// redis-server 7.0.15 — the RDB writer can emit each node's listpack as
// it is and DUMP payloads match Redis's. The oracle test checks exactly
// that after every command of long random runs.
//
// # Structure
//
// A List holds its nodes in a Go slice, not a linked list: buf[lo:hi],
// with free room kept at both ends so that adding a node at either end is
// amortised O(1) and a node in the middle (LINSERT splitting a node) moves
// the nodes on the nearer side only, 56 bytes each. A node is a
// listpack.Listpack and its entry count, or, for a plain node, one element
// held as is. Against Redis's doubly linked nodes this gives the same
// complexities (finding element i walks the per-node counts from the
// nearer end, O(nodes)), but the walk is a scan of contiguous memory, with
// no pointer chasing and no node objects: the only heap objects are the
// node array and one buffer per node, which is what the garbage collector
// cares about (1M elements: about 1540 objects).
//
// # Fill rules (list-max-listpack-size, the fill)
//
// A fill of -1 to -5 limits a node to 4, 8, 16, 32 or 64 KiB (default -2,
// 8 KiB); a positive fill limits it to that many entries and, for safety,
// to 8 KiB. Fills below -5 count as -5, above 32767 as 32767, 0 as one
// entry per node. Exactly as Redis 7.0.15 does it:
//
//   - A push goes into the end node if the node's size plus the value's
//     length plus 8 (an overestimate of its entry) keeps within the limit,
//     else into a new node. So an element larger than the limit gets a node
//     of its own.
//   - Elements of the packed threshold or more (1 GiB, settable with
//     SetPackedThreshold as DEBUG QUICKLIST-PACKED-THRESHOLD does) are
//     held in plain nodes, one element, no listpack.
//   - An insert (LINSERT) goes into the node if it fits; at a node's edge,
//     into the neighbour if that fits, else a new node; otherwise the node
//     is split at the pivot, the value joins one half whatever its size,
//     and the nodes around are merged where the merged size (counted as
//     the sum less 11 bytes) fits.
//   - LSET replaces in place whatever the size; LSET to or from a plain
//     node's size class inserts and deletes instead.
//   - Deletes (pops, LREM, LTRIM, ranges) never merge nodes; emptied nodes
//     are removed.
//
// So only pushes keep every node within the limit; inserts and LSET can
// exceed it, as in Redis.
//
// # Compression
//
// list-compress-depth is accepted and reported, but nodes are never
// LZF-compressed: interior nodes take their full size. The RDB writer may
// compress a node's listpack on the way out as Redis's rdbSaveRawString
// does with rdbcompression, which is independent of this.
//
// # Memory
//
// Per node: 56 bytes in the node array (plus its free room, at most
// double) and the listpack buffer. Buffers grow by doubling up to the
// node size limit, so a full node's buffer is exactly the limit; after
// LREM or a range delete, a node with more than half its buffer unused is
// copied to fit (pops leave it: the node drains and goes).
// The buffer of the last emptied node is kept for the next new one while
// two or more nodes remain, so a queue workload allocates nothing. For 1M
// 10-byte elements the list holds about 12.2 bytes per element (Redis:
// about 12.1).
//
// # Complexity
//
// Push, Pop: O(node size) (a listpack memmove at the head, as in Redis);
// amortised allocation-free. Index, Set, Iterator: O(nodes) to find the
// node plus O(node entries). InsertBefore/After, Rem, Pos: O(n). Range,
// DelRange, Trim: O(nodes) plus the elements visited or deleted (whole
// nodes are dropped without visiting their entries).
//
// # Lifetimes and concurrency
//
// Entries returned by Index, Iter.Next and passed to callbacks borrow the
// list's memory: valid until the next change. Values passed in are copied.
// Callbacks must not change the list. A List is not safe for concurrent
// use; the server serialises access under its executor lock. The packed
// threshold is process-wide, as in Redis.
package quicklist
