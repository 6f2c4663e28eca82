package ztree

import (
	"fmt"
	"math"
)

// check verifies every invariant of t, for tests: the shape (all leaves at
// the same depth, a root with at least two children, fill bounds: inner
// nodes at least half full, leaves at least half full except the first and
// last, which hold at least one element), the subtree count of every child,
// every separator equal to the smallest element under its child, slot 0 of
// inner nodes and every slot past n zeroed (no stale member kept alive), the
// leaf list in tree order, the elements strictly increasing in Redis's
// order with no NaN, and the length and node tallies.
func (t *Tree) check() error {
	if t.length == 0 {
		if t.root != nil || t.rleaf != nil || t.height != 0 || t.head != nil || t.tail != nil {
			return fmt.Errorf("empty tree with nodes: root %p, root leaf %p, height %d", t.root, t.rleaf, t.height)
		}
		if t.nleaves != 0 || t.ninners != 0 {
			return fmt.Errorf("empty tree tallies %d leaves, %d inner nodes", t.nleaves, t.ninners)
		}
		return nil
	}
	if t.leafCap < 4 || t.leafCap > leafMax || t.innerCap < 4 || t.innerCap > innerMax {
		return fmt.Errorf("capacities %d/%d outside [4, %d]/[4, %d]", t.leafCap, t.innerCap, leafMax, innerMax)
	}
	c := checker{t: t}
	if t.height == 0 {
		if t.root != nil || t.rleaf == nil {
			return fmt.Errorf("height 0 with root %p and root leaf %p", t.root, t.rleaf)
		}
		c.leaves = append(c.leaves, t.rleaf)
	} else {
		if t.rleaf != nil || t.root == nil {
			return fmt.Errorf("height %d with root %p and root leaf %p", t.height, t.root, t.rleaf)
		}
		if t.root.n < 2 {
			return fmt.Errorf("root has %d children", t.root.n)
		}
		if _, _, _, err := c.inner(t.root, 0); err != nil {
			return err
		}
	}
	if c.ninners != t.ninners || len(c.leaves) != t.nleaves {
		return fmt.Errorf("found %d inner nodes and %d leaves, tallies say %d and %d",
			c.ninners, len(c.leaves), t.ninners, t.nleaves)
	}

	// Leaves: fill, zeroed slots, links, and the order of all elements.
	if t.head != c.leaves[0] || t.tail != c.leaves[len(c.leaves)-1] {
		return fmt.Errorf("head/tail are not the first and last leaves")
	}
	total := 0
	var prevScore float64
	var prevMember string
	for k, l := range c.leaves {
		edge := k == 0 || k == len(c.leaves)-1
		if l.n < 1 || l.n > t.leafCap || (!edge && l.n < t.leafMin()) {
			return fmt.Errorf("leaf %d of %d holds %d (capacity %d)", k, len(c.leaves), l.n, t.leafCap)
		}
		var wantPrev, wantNext *leaf
		if k > 0 {
			wantPrev = c.leaves[k-1]
		}
		if k < len(c.leaves)-1 {
			wantNext = c.leaves[k+1]
		}
		if l.prev != wantPrev || l.next != wantNext {
			return fmt.Errorf("leaf %d: prev/next links out of tree order", k)
		}
		for i := l.n; i < leafMax; i++ {
			if l.scores[i] != 0 || l.members[i] != "" {
				return fmt.Errorf("leaf %d slot %d past n=%d not zeroed", k, i, l.n)
			}
		}
		for i := 0; i < l.n; i++ {
			s, m := l.scores[i], l.members[i]
			if math.IsNaN(s) {
				return fmt.Errorf("leaf %d slot %d: NaN score", k, i)
			}
			if total > 0 && !less(prevScore, prevMember, s, m) {
				return fmt.Errorf("element %d (%v, %q) not after (%v, %q)", total, s, m, prevScore, prevMember)
			}
			prevScore, prevMember = s, m
			total++
		}
	}
	if total != t.length {
		return fmt.Errorf("%d elements in leaves, length %d", total, t.length)
	}
	return nil
}

type checker struct {
	t       *Tree
	leaves  []*leaf // in tree order
	ninners int
}

// inner checks the subtree at p, at depth lvl, and returns its element
// count and smallest element.
func (c *checker) inner(p *inner, lvl int) (count int, minScore float64, minMember string, err error) {
	t := c.t
	c.ninners++
	if p.n > t.innerCap || (lvl > 0 && p.n < t.innerMin()) {
		return 0, 0, "", fmt.Errorf("inner node at depth %d has %d children (capacity %d)", lvl, p.n, t.innerCap)
	}
	if p.scores[0] != 0 || p.members[0] != "" {
		return 0, 0, "", fmt.Errorf("inner node at depth %d keeps a key in slot 0", lvl)
	}
	for i := p.n; i < innerMax; i++ {
		if p.counts[i] != 0 || p.scores[i] != 0 || p.members[i] != "" || p.kids[i] != nil || p.leaves[i] != nil {
			return 0, 0, "", fmt.Errorf("inner node at depth %d: slot %d past n=%d not zeroed", lvl, i, p.n)
		}
	}
	bottom := lvl == t.height-1
	for i := 0; i < p.n; i++ {
		var n int
		var s float64
		var m string
		switch {
		case bottom && (p.leaves[i] == nil || p.kids[i] != nil):
			return 0, 0, "", fmt.Errorf("inner node at depth %d (bottom) child %d: leaf %p, kid %p", lvl, i, p.leaves[i], p.kids[i])
		case !bottom && (p.kids[i] == nil || p.leaves[i] != nil):
			return 0, 0, "", fmt.Errorf("inner node at depth %d child %d: leaf %p, kid %p", lvl, i, p.leaves[i], p.kids[i])
		case bottom:
			l := p.leaves[i]
			c.leaves = append(c.leaves, l)
			n = l.n
			if n > 0 {
				s, m = l.scores[0], l.members[0]
			}
		default:
			if n, s, m, err = c.inner(p.kids[i], lvl+1); err != nil {
				return 0, 0, "", err
			}
		}
		if p.counts[i] != n {
			return 0, 0, "", fmt.Errorf("inner node at depth %d child %d: count %d, subtree holds %d", lvl, i, p.counts[i], n)
		}
		if i == 0 {
			minScore, minMember = s, m
		} else if math.Float64bits(p.scores[i]) != math.Float64bits(s) || p.members[i] != m {
			return 0, 0, "", fmt.Errorf("inner node at depth %d child %d: separator (%v, %q), smallest element (%v, %q)",
				lvl, i, p.scores[i], p.members[i], s, m)
		}
		count += n
	}
	return count, minScore, minMember, nil
}
