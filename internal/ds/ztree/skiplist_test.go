package ztree

import "math/rand/v2"

// skiplist is a straightforward Go port of Redis's zskiplist (t_zset.c), for
// comparison only: one node object plus one level slice per element, the
// design the B-tree replaces. It implements what the benchmarks compare.
type skiplist struct {
	header, tail *slNode
	length       int
	level        int
	rng          *rand.Rand
}

type slNode struct {
	score    float64
	member   string
	backward *slNode
	level    []slLevel
}

type slLevel struct {
	forward *slNode
	span    int
}

const (
	slMaxLevel = 32
	slP        = 0.25
)

func newSkiplist() *skiplist {
	return &skiplist{
		header: &slNode{level: make([]slLevel, slMaxLevel)},
		level:  1,
		rng:    rand.New(rand.NewPCG(1, 2)),
	}
}

func (sl *skiplist) randomLevel() int {
	l := 1
	for l < slMaxLevel && sl.rng.Float64() < slP {
		l++
	}
	return l
}

// insert is zslInsert.
func (sl *skiplist) insert(score float64, member string) {
	var update [slMaxLevel]*slNode
	var rank [slMaxLevel]int
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		if i != sl.level-1 {
			rank[i] = rank[i+1]
		}
		for x.level[i].forward != nil && less(x.level[i].forward.score, x.level[i].forward.member, score, member) {
			rank[i] += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	level := sl.randomLevel()
	if level > sl.level {
		for i := sl.level; i < level; i++ {
			rank[i] = 0
			update[i] = sl.header
			update[i].level[i].span = sl.length
		}
		sl.level = level
	}
	x = &slNode{score: score, member: member, level: make([]slLevel, level)}
	for i := range level {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := level; i < sl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != sl.header {
		x.backward = update[0]
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x
	} else {
		sl.tail = x
	}
	sl.length++
}

// rank is zslGetRank, 0-based.
func (sl *skiplist) rank(score float64, member string) (int, bool) {
	r := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !less(score, member, x.level[i].forward.score, x.level[i].forward.member) {
			r += x.level[i].span
			x = x.level[i].forward
		}
		if x != sl.header && x.score == score && x.member == member {
			return r - 1, true
		}
	}
	return 0, false
}

// byRank is zslGetElementByRank, 0-based.
func (sl *skiplist) byRank(r int) *slNode {
	r++
	traversed := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= r {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == r {
			return x
		}
	}
	return nil
}
