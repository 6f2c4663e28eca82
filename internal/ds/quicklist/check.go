package quicklist

import "fmt"

// check verifies every invariant of q, for tests: the node array's
// bounds and zeroed free slots, every node non-empty and valid with its
// count right, the total count, the spare buffer rule, and, if strict, the
// fill limit on every packed node of two or more entries. Only pushes,
// pops and deletes keep that last one: as in Redis 7.0, Set replaces in
// place whatever the size, an insert that splits a node puts the value in
// one half whatever the size, and AppendListpack takes what it is given;
// tests that use them pass strict false.
func (q *List) check(strict bool) error {
	if q.lo < 0 || q.lo > q.hi || q.hi > len(q.buf) {
		return fmt.Errorf("nodes at [%d, %d) of %d", q.lo, q.hi, len(q.buf))
	}
	for i := range q.buf {
		if (i < q.lo || i >= q.hi) && (q.buf[i].count != 0 || q.buf[i].plain != nil || q.buf[i].lp.Cap() != 0) {
			return fmt.Errorf("free slot %d not zeroed", i)
		}
	}
	if q.fill < -len(optimizationLevel) || q.fill > fillMax || q.depth < 0 || q.depth > compressMax {
		return fmt.Errorf("fill %d, depth %d out of range", q.fill, q.depth)
	}
	total := 0
	for i := range q.nodes() {
		n := q.at(i)
		if n.count <= 0 {
			return fmt.Errorf("node %d: count %d", i, n.count)
		}
		total += n.count
		if n.isPlain() {
			if n.count != 1 || n.lp.Cap() != 0 {
				return fmt.Errorf("plain node %d: count %d, listpack cap %d", i, n.count, n.lp.Cap())
			}
			continue
		}
		if err := n.lp.Validate(true); err != nil {
			return fmt.Errorf("node %d: %v", i, err)
		}
		if got := n.lp.Len(); got != n.count {
			return fmt.Errorf("node %d: count %d, listpack holds %d", i, n.count, got)
		}
		if n.count > 65535 {
			return fmt.Errorf("node %d: %d entries, over Redis's 16-bit node count", i, n.count)
		}
		if strict && n.count > 1 && q.exceeds(n.lp.BytesLen(), n.count) {
			return fmt.Errorf("node %d: %d entries in %d bytes, over fill %d", i, n.count, n.lp.BytesLen(), q.fill)
		}
	}
	if total != q.count {
		return fmt.Errorf("nodes hold %d entries, count says %d", total, q.count)
	}
	if q.spare.Cap() != 0 && (q.hi-q.lo < 2 || q.spare.Len() != 0) {
		return fmt.Errorf("spare buffer kept with %d nodes, %d entries in it", q.hi-q.lo, q.spare.Len())
	}
	return nil
}
