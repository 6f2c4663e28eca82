// Package ztree is the index of a large sorted set: an order-statistic
// B+tree of (score, member) elements in Redis's zset order, with the
// operations every ZSET command needs — insert, delete, score update, rank,
// element by rank, iteration from a rank in either direction, and score
// and lex ranges (first, last, count, delete) with Redis's zrangespec and
// zlexrangespec semantics. It replaces Redis's skiplist (zskiplist); the
// zset type pairs it with a member -> score dict, as Redis does.
//
// # Order
//
// Elements are ordered by score, then by member bytes (memcmp order, a
// prefix first), exactly as zslInsert orders them. Scores compare as Go
// and C compare doubles: -0 and 0 are equal (a stored -0 keeps its sign),
// ±Inf are ordinary values, and NaN is never stored (Insert and UpdateScore
// panic on it). A member appears at most once; the caller guarantees that,
// from its dict.
//
// # Structure
//
// Leaves hold up to 128 elements in two flat arrays (scores, members) and
// are linked in order both ways. Inner nodes hold up to 64 children with,
// for each, the number of elements in its subtree and its smallest element
// as separator (none for child 0). All leaves are at the same depth. Every
// inner node but the root is at least half full, the root has at least two
// children; every leaf is at least half full except the first and the last,
// which hold at least one element. A full leaf that receives an element
// first moves some elements to a sibling with room (as a B*-tree does),
// and splits in half only when neither sibling has room; a full last leaf
// that receives an append is not halved but followed by a new leaf (and
// symmetrically for a prepend to the first), so that scores inserted in
// ascending order (timestamps, counters) fill leaves completely. Deletion
// merges a leaf or inner node that falls below half with a sibling, or
// evens them out, and drops an emptied leaf; the tree loses a level when
// the root is left with one child. Separators are kept equal to the
// smallest element of their subtree, and emptied slots are zeroed, so the
// tree never keeps a deleted member alive.
//
// # Memory
//
// A node is a single heap object of about 3 KB (one 3,200-byte size class)
// and the tree is one object per node, about one per 110 elements: 1M
// members are about 10k heap objects (a skiplist node per member with its
// level array is 2M). Per element: 24 bytes in a leaf slot (score 8, member
// string header 16), about 29 bytes with random insertion (leaves ~86%
// full) and 24 with ascending insertion, plus about 2% for inner nodes.
// Member bytes are not copied.
//
// The members are the only pointers in the tree. A full garbage collection
// therefore costs the collector little for the nodes themselves, and one
// pointer check per element, which dominates when the members lie in
// memory in another order than the tree's (random cache misses), as they
// would for any holder of them. BenchmarkMemory1M measures both.
//
// # Complexity
//
// With n elements, height is O(log n) (at most 4 inner levels below 10M
// elements). Insert, Delete, UpdateScore, Rank, ByRank, the First/Last/Count
// range queries: O(log n) node visits, plus an O(128) shift within one leaf
// for updates. First and Last are O(1). Iterate is O(log n) to start, then
// O(1) per element. DeleteRangeByRank/Score/Lex of k elements: O((k/64 + 1)
// log n + k). UpdateScore rewrites the score in place when the element
// keeps its position, as Redis's zslUpdateScore does. Nothing allocates
// except node splits (and the path scratch when the tree grows a level).
//
// # Ranks and callbacks
//
// Ranks are 0-based, in ascending order; reverse ranks (ZREVRANK,
// ZREVRANGE) are Len()-1-rank. Lex range queries, as in Redis, are
// meaningful only when all elements have the same score. Callbacks
// (Iterate's fn, the DeleteRange functions' fn) must not modify the tree;
// a DeleteRange callback sees each member just before it is removed, in
// ascending order, so the zset can delete it from its dict.
//
// # Concurrency
//
// A Tree is not safe for concurrent use, not even for concurrent reads
// (every operation reuses a path scratch in the Tree). The server
// serialises all access under its executor lock.
package ztree
