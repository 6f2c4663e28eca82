package server

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"cairn/internal/config"
	"cairn/internal/conv"
	"cairn/internal/ds/ztree"
	"cairn/internal/glob"
	"cairn/internal/keyspace"
	"cairn/internal/persist/rdb"
	"cairn/internal/resp"
	"cairn/internal/types"
)

// The sorted set commands, as Redis 7.0's t_zset.c. The type (types.ZSet) hides the
// listpack and skiplist encodings; these procs parse, look up, call it, and reply.
//
// Side effects come in Redis's order for each command, which is not always the same:
// ZADD replies before it signals the key and fires its event, ZREM fires its events
// before replying. A RESP3 client subscribed to its own keyspace events sees the reply
// and the events in Redis's order.

var zsetProcs = procTable{
	"zadd":             zaddCommand,
	"zincrby":          zincrbyCommand,
	"zrem":             zremCommand,
	"zcard":            zcardCommand,
	"zcount":           zcountCommand,
	"zlexcount":        zlexcountCommand,
	"zscore":           zscoreCommand,
	"zmscore":          zmscoreCommand,
	"zrank":            zrankCommand,
	"zrevrank":         zrevrankCommand,
	"zrange":           zrangeCommand,
	"zrangestore":      zrangestoreCommand,
	"zrevrange":        zrevrangeCommand,
	"zrangebyscore":    zrangebyscoreCommand,
	"zrevrangebyscore": zrevrangebyscoreCommand,
	"zrangebylex":      zrangebylexCommand,
	"zrevrangebylex":   zrevrangebylexCommand,
	"zremrangebyrank":  zremrangebyrankCommand,
	"zremrangebyscore": zremrangebyscoreCommand,
	"zremrangebylex":   zremrangebylexCommand,
	"zpopmin":          zpopminCommand,
	"zpopmax":          zpopmaxCommand,
	"bzpopmin":         bzpopminCommand,
	"bzpopmax":         bzpopmaxCommand,
	"zmpop":            zmpopCommand,
	"bzmpop":           bzmpopCommand,
	"zrandmember":      zrandmemberCommand,
	"zunion":           zunionCommand,
	"zinter":           zinterCommand,
	"zdiff":            zdiffCommand,
	"zunionstore":      zunionstoreCommand,
	"zinterstore":      zinterstoreCommand,
	"zdiffstore":       zdiffstoreCommand,
	"zintercard":       zintercardCommand,
	"zscan":            zscanCommand,
}

func init() {
	rdbLoaders[keyspace.TypeZSet] = func(v *rdb.Value, lim types.Limits) (keyspace.Object, error) {
		z, err := types.ZSetFromRDB(v, lim)
		if err != nil {
			return keyspace.Object{}, err
		}
		return keyspace.Object{Type: keyspace.TypeZSet, Enc: z.Encoding(), Ptr: z}, nil
	}
}

// notifyZset is the keyspace event class of sorted set events ('z').
const notifyZset = config.NotifyZset

const (
	errZsetMinMaxFloat = "ERR min or max is not a float"
	errZsetLexRange    = "ERR min or max not valid string range item"
	errZsetNaN         = "ERR resulting score is not a number (NaN)"
)

// zsetOf returns the sorted set held by a live entry of type zset.
func zsetOf(e *keyspace.Entry) *types.ZSet { return e.Obj.Ptr.(*types.ZSet) }

// storeZset stores z under key, replacing any value and its deadline (Redis's setKey),
// and wakes clients blocked on key if it did not exist (dbAdd's signalKeyAsReady).
func (c *client) storeZset(key []byte, z *types.ZSet) {
	existed := c.db.LookupWrite(key, keyspace.Now()) != nil
	c.db.Set(key, keyspace.Object{Type: keyspace.TypeZSet, Enc: z.Encoding(), Ptr: z}, false)
	if !existed {
		c.srv.signalKeyAsReady(c.db, key)
	}
}

// parseScoreRange is Redis's zslParseRange: each bound is a number as C's strtod reads
// it (leading spaces, hex, "inf"; the empty string is 0), exclusive when it starts
// with "(", and nothing may follow it but a NUL byte; NaN is refused.
func parseScoreRange(min, max []byte) (ztree.ScoreRange, bool) {
	var r ztree.ScoreRange
	var ok1, ok2 bool
	r.Min, r.MinEx, ok1 = parseScoreBound(min)
	r.Max, r.MaxEx, ok2 = parseScoreBound(max)
	return r, ok1 && ok2
}

func parseScoreBound(b []byte) (float64, bool, bool) {
	ex := len(b) > 0 && b[0] == '('
	if ex {
		b = b[1:]
	}
	f, n, _ := conv.Strtod(b)
	if (n < len(b) && b[n] != 0) || math.IsNaN(f) {
		return 0, false, false
	}
	return f, ex, true
}

// scoreRangeOrReply parses arguments i and i+1 as a score range, replying Redis's
// error if they are not one.
func (c *client) scoreRangeOrReply(i, j int) (ztree.ScoreRange, bool) {
	r, ok := parseScoreRange(c.argv[i], c.argv[j])
	if !ok {
		c.addError(errZsetMinMaxFloat)
	}
	return r, ok
}

// lexRangeOrReply is scoreRangeOrReply for a lex range (zslParseLexRange).
func (c *client) lexRangeOrReply(i, j int) (ztree.LexRange, bool) {
	r, ok := ztree.ParseLexRange(c.argv[i], c.argv[j])
	if !ok {
		c.addError(errZsetLexRange)
	}
	return r, ok
}

// --- ZADD, ZINCRBY ---

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
func zaddCommand(c *client) { c.zaddGeneric(0) }

// ZINCRBY key increment member
func zincrbyCommand(c *client) { c.zaddGeneric(types.ZAddIncr) }

// zaddGeneric is Redis's zaddGenericCommand.
func (c *client) zaddGeneric(flags int) {
	key := c.argv[1]
	ch := false
	scoreIdx := 2
options:
	for ; scoreIdx < len(c.argv); scoreIdx++ {
		switch {
		case c.argIs(scoreIdx, "nx"):
			flags |= types.ZAddNX
		case c.argIs(scoreIdx, "xx"):
			flags |= types.ZAddXX
		case c.argIs(scoreIdx, "ch"):
			ch = true
		case c.argIs(scoreIdx, "incr"):
			flags |= types.ZAddIncr
		case c.argIs(scoreIdx, "gt"):
			flags |= types.ZAddGT
		case c.argIs(scoreIdx, "lt"):
			flags |= types.ZAddLT
		default:
			break options
		}
	}
	incr := flags&types.ZAddIncr != 0
	nx, xx := flags&types.ZAddNX != 0, flags&types.ZAddXX != 0
	gt, lt := flags&types.ZAddGT != 0, flags&types.ZAddLT != 0
	elements := len(c.argv) - scoreIdx
	if elements%2 != 0 || elements == 0 {
		c.addError(errSyntax)
		return
	}
	elements /= 2
	if nx && xx {
		c.addError("ERR XX and NX options at the same time are not compatible")
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		c.addError("ERR GT, LT, and/or NX options at the same time are not compatible")
		return
	}
	if incr && elements > 1 {
		c.addError("ERR INCR option supports a single increment-element pair")
		return
	}
	scores := make([]float64, elements)
	for j := range scores {
		f, ok := conv.ParseFloat(c.argv[scoreIdx+2*j])
		if !ok {
			c.addError(errNotFloat)
			return
		}
		scores[j] = f
	}

	e, ok := c.lookupWriteOrReply(key, keyspace.TypeZSet)
	if !ok {
		return
	}
	s := c.srv
	added, updated, processed := 0, 0, 0
	var score float64
	if e == nil {
		if xx {
			c.zaddReply(incr, ch, processed, score, added, updated)
			return
		}
		lim := s.limits()
		z := types.NewZSet(len(c.argv[scoreIdx+1]), lim)
		e = c.db.Set(key, keyspace.Object{Type: keyspace.TypeZSet, Enc: z.Encoding(), Ptr: z}, false)
		s.signalKeyAsReady(c.db, key)
	}
	z := zsetOf(e)
	lim := s.limits()
	for j := range scores {
		out, newScore := z.Add(scores[j], c.argv[scoreIdx+2*j+1], flags, lim)
		if out&types.ZAddNaN != 0 {
			c.addError(errZsetNaN)
			c.zaddDone(incr, added, updated)
			return
		}
		if out&types.ZAddAdded != 0 {
			added++
		}
		if out&types.ZAddUpdated != 0 {
			updated++
		}
		if out&types.ZAddNop == 0 {
			processed++
		}
		score = newScore
	}
	e.Obj.Enc = z.Encoding() // kept in step for readers of Obj.Enc (DEBUG OBJECT)
	s.dirty += int64(added + updated)
	c.zaddReply(incr, ch, processed, score, added, updated)
	c.zaddDone(incr, added, updated)
}

func (c *client) zaddReply(incr, ch bool, processed int, score float64, added, updated int) {
	switch {
	case incr && processed > 0:
		c.w.Double(score)
	case incr:
		c.w.Null()
	case ch:
		c.w.Int(int64(added + updated))
	default:
		c.w.Int(int64(added))
	}
}

// zaddDone does ZADD's side effects after the reply.
func (c *client) zaddDone(incr bool, added, updated int) {
	if added+updated == 0 {
		return
	}
	key := c.argv[1]
	c.srv.signalModifiedKey(c.db, key)
	ev := "zadd"
	if incr {
		ev = "zincr"
	}
	c.srv.notifyKeyspaceEvent(notifyZset, ev, key, c.db.ID)
}

// --- ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK ---

// ZREM key member [member ...]
func zremCommand(c *client) {
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeZSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	z := zsetOf(e)
	deleted, removed := 0, false
	for _, m := range c.argv[2:] {
		if z.Delete(m) {
			deleted++
		}
		if z.Len() == 0 {
			c.db.Delete(key, 0)
			removed = true
			break
		}
	}
	if deleted > 0 {
		s := c.srv
		s.notifyKeyspaceEvent(notifyZset, "zrem", key, c.db.ID)
		if removed {
			s.notifyKeyspaceEvent(notifyGeneric, "del", key, c.db.ID)
		}
		s.signalModifiedKey(c.db, key)
		s.dirty += int64(deleted)
	}
	c.w.Int(int64(deleted))
}

// ZCARD key
func zcardCommand(c *client) {
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeZSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	c.w.Int(int64(zsetOf(e).Len()))
}

// ZSCORE key member
func zscoreCommand(c *client) {
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeZSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	if s, found := zsetOf(e).Score(c.argv[2]); found {
		c.w.Double(s)
		return
	}
	c.w.Null()
}

// ZMSCORE key member [member ...]
func zmscoreCommand(c *client) {
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeZSet)
	if !ok {
		return
	}
	c.w.ArrayLen(len(c.argv) - 2)
	for _, m := range c.argv[2:] {
		if e == nil {
			c.w.Null()
			continue
		}
		if s, found := zsetOf(e).Score(m); found {
			c.w.Double(s)
		} else {
			c.w.Null()
		}
	}
}

// ZRANK key member
func zrankCommand(c *client) { c.zrankGeneric(false) }

// ZREVRANK key member
func zrevrankCommand(c *client) { c.zrankGeneric(true) }

func (c *client) zrankGeneric(reverse bool) {
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeZSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	if r, found := zsetOf(e).Rank(c.argv[2], reverse); found {
		c.w.Int(int64(r))
		return
	}
	c.w.Null()
}

// --- ZCOUNT, ZLEXCOUNT ---

// ZCOUNT key min max
func zcountCommand(c *client) {
	r, ok := c.scoreRangeOrReply(2, 3)
	if !ok {
		return
	}
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeZSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	c.w.Int(int64(zsetOf(e).CountInScoreRange(r)))
}

// ZLEXCOUNT key min max
func zlexcountCommand(c *client) {
	r, ok := c.lexRangeOrReply(2, 3)
	if !ok {
		return
	}
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeZSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	c.w.Int(int64(zsetOf(e).CountInLexRange(r)))
}

// --- ZRANGE and friends ---

type zrangeType int

const (
	zrangeAuto zrangeType = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

type zrangeDirection int

const (
	zrangeDirAuto zrangeDirection = iota
	zrangeForward
	zrangeReverse
)

// zrangeResult is Redis's zrange_result_handler: it sends the elements of a range to
// the client, or collects them for ZRANGESTORE.
type zrangeResult struct {
	c          *client
	dst        []byte // ZRANGESTORE's destination, nil for a reply
	withScores bool
	deferred   bool
	d          resp.Deferred
	elems      []types.ZElem
}

// begin starts the result; length is the element count if known, else -1.
func (h *zrangeResult) begin(length int) {
	if h.dst != nil {
		return
	}
	w := &h.c.w
	if length > 0 {
		if h.withScores && w.Proto == 2 {
			length *= 2
		}
		w.ArrayLen(length)
		return
	}
	h.deferred = true
	h.d = w.DeferLen()
}

// emit adds one element.
func (h *zrangeResult) emit(member []byte, score float64) {
	if h.dst != nil {
		h.elems = append(h.elems, types.ZElem{Member: string(member), Score: score})
		return
	}
	w := &h.c.w
	if h.withScores && w.Proto > 2 {
		w.ArrayLen(2)
	}
	w.Bulk(member)
	if h.withScores {
		w.Double(score)
	}
}

// finalize ends the result of count elements: the deferred array length, or
// ZRANGESTORE's store and reply.
func (h *zrangeResult) finalize(count int) {
	c := h.c
	if h.dst == nil {
		if h.deferred {
			if h.withScores && c.w.Proto == 2 {
				count *= 2
			}
			c.w.SetArrayLen(h.d, count)
		}
		return
	}
	s := c.srv
	if count > 0 {
		c.storeZset(h.dst, zsetFromElems(h.elems, s.limits()))
		s.signalModifiedKey(c.db, h.dst)
		c.w.Int(int64(count))
		s.notifyKeyspaceEvent(notifyZset, "zrangestore", h.dst, c.db.ID)
		s.dirty++
		return
	}
	c.w.Int(0)
	if c.db.Delete(h.dst, keyspace.Now()) {
		s.signalModifiedKey(c.db, h.dst)
		s.notifyKeyspaceEvent(notifyGeneric, "del", h.dst, c.db.ID)
		s.dirty++
	}
}

// zsetFromElems builds a sorted set from distinct elements in any order.
func zsetFromElems(elems []types.ZElem, lim types.Limits) *types.ZSet {
	slices.SortFunc(elems, types.CompareZElems)
	return types.NewZSetFromSorted(elems, lim)
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
func zrangeCommand(c *client) {
	c.zrangeGeneric(&zrangeResult{c: c}, 1, zrangeAuto, zrangeDirAuto)
}

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
func zrangestoreCommand(c *client) {
	c.zrangeGeneric(&zrangeResult{c: c, dst: c.argv[1]}, 2, zrangeAuto, zrangeDirAuto)
}

// ZREVRANGE key start stop [WITHSCORES]
func zrevrangeCommand(c *client) {
	c.zrangeGeneric(&zrangeResult{c: c}, 1, zrangeRank, zrangeReverse)
}

// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
func zrangebyscoreCommand(c *client) {
	c.zrangeGeneric(&zrangeResult{c: c}, 1, zrangeScore, zrangeForward)
}

// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
func zrevrangebyscoreCommand(c *client) {
	c.zrangeGeneric(&zrangeResult{c: c}, 1, zrangeScore, zrangeReverse)
}

// ZRANGEBYLEX key min max [LIMIT offset count]
func zrangebylexCommand(c *client) {
	c.zrangeGeneric(&zrangeResult{c: c}, 1, zrangeLex, zrangeForward)
}

// ZREVRANGEBYLEX key max min [LIMIT offset count]
func zrevrangebylexCommand(c *client) {
	c.zrangeGeneric(&zrangeResult{c: c}, 1, zrangeLex, zrangeReverse)
}

// zrangeGeneric is Redis's zrangeGenericCommand; the source key is argument argStart.
func (c *client) zrangeGeneric(h *zrangeResult, argStart int, rangeType zrangeType, dir zrangeDirection) {
	store := h.dst != nil
	key := c.argv[argStart]
	minIdx, maxIdx := argStart+1, argStart+2
	withScores := false
	var offset, limit int64 = 0, -1
	for j := argStart + 3; j < len(c.argv); j++ {
		left := len(c.argv) - j - 1
		switch {
		case !store && c.argIs(j, "withscores"):
			withScores = true
		case c.argIs(j, "limit") && left >= 2:
			var ok bool
			if offset, ok = c.int64ArgOrReply(j + 1); !ok {
				return
			}
			if limit, ok = c.int64ArgOrReply(j + 2); !ok {
				return
			}
			j += 2
		case dir == zrangeDirAuto && c.argIs(j, "rev"):
			dir = zrangeReverse
		case rangeType == zrangeAuto && c.argIs(j, "bylex"):
			rangeType = zrangeLex
		case rangeType == zrangeAuto && c.argIs(j, "byscore"):
			rangeType = zrangeScore
		default:
			c.addError(errSyntax)
			return
		}
	}
	if dir == zrangeDirAuto {
		dir = zrangeForward
	}
	if rangeType == zrangeAuto {
		rangeType = zrangeRank
	}
	if limit != -1 && rangeType == zrangeRank {
		c.addError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return
	}
	if withScores && rangeType == zrangeLex {
		c.addError("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return
	}
	reverse := dir == zrangeReverse
	if reverse && rangeType != zrangeRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var start, end int64
	var sr ztree.ScoreRange
	var lr ztree.LexRange
	var ok bool
	switch rangeType {
	case zrangeRank:
		if start, ok = c.int64ArgOrReply(minIdx); !ok {
			return
		}
		if end, ok = c.int64ArgOrReply(maxIdx); !ok {
			return
		}
	case zrangeScore:
		if sr, ok = c.scoreRangeOrReply(minIdx, maxIdx); !ok {
			return
		}
	case zrangeLex:
		if lr, ok = c.lexRangeOrReply(minIdx, maxIdx); !ok {
			return
		}
	}
	h.withScores = withScores

	e := c.db.LookupRead(key, keyspace.Now())
	if e == nil {
		if store {
			h.begin(-1)
			h.finalize(0)
		} else {
			c.w.ArrayLen(0)
		}
		return
	}
	if e.Obj.Type != keyspace.TypeZSet {
		c.addError(errWrongType)
		return
	}
	z := zsetOf(e)
	switch rangeType {
	case zrangeRank:
		llen := int64(z.Len())
		if start < 0 {
			start += llen
		}
		if end < 0 {
			end += llen
		}
		start = max(start, 0)
		if start > end || start >= llen {
			h.begin(0)
			h.finalize(0)
			return
		}
		end = min(end, llen-1)
		n := int(end - start + 1)
		h.begin(n)
		z.RangeByRank(int(start), int(end), reverse, h.emit)
		h.finalize(n)
	case zrangeScore:
		h.begin(-1)
		if offset > 0 && offset >= int64(z.Len()) {
			h.finalize(0)
			return
		}
		h.finalize(z.RangeByScore(sr, reverse, clampInt(offset), clampInt(limit), h.emit))
	case zrangeLex:
		h.begin(-1)
		if offset > 0 && offset >= int64(z.Len()) {
			h.finalize(0)
			return
		}
		h.finalize(z.RangeByLex(lr, reverse, clampInt(offset), clampInt(limit), h.emit))
	}
}

// clampInt converts an int64 option to int (they are the same size on 64-bit hosts).
func clampInt(n int64) int { return int(max(min(n, math.MaxInt), math.MinInt)) }

// --- ZREMRANGEBY* ---

// ZREMRANGEBYRANK key start stop
func zremrangebyrankCommand(c *client) { c.zremrangeGeneric(zrangeRank) }

// ZREMRANGEBYSCORE key min max
func zremrangebyscoreCommand(c *client) { c.zremrangeGeneric(zrangeScore) }

// ZREMRANGEBYLEX key min max
func zremrangebylexCommand(c *client) { c.zremrangeGeneric(zrangeLex) }

// zremrangeGeneric is Redis's zremrangeGenericCommand.
func (c *client) zremrangeGeneric(rangeType zrangeType) {
	key := c.argv[1]
	var start, end int64
	var sr ztree.ScoreRange
	var lr ztree.LexRange
	var ok bool
	var event string
	switch rangeType {
	case zrangeRank:
		if start, ok = c.int64ArgOrReply(2); !ok {
			return
		}
		if end, ok = c.int64ArgOrReply(3); !ok {
			return
		}
		event = "zremrangebyrank"
	case zrangeScore:
		if sr, ok = c.scoreRangeOrReply(2, 3); !ok {
			return
		}
		event = "zremrangebyscore"
	case zrangeLex:
		if lr, ok = c.lexRangeOrReply(2, 3); !ok {
			return
		}
		event = "zremrangebylex"
	}
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeZSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	z := zsetOf(e)
	var deleted int
	switch rangeType {
	case zrangeRank:
		llen := int64(z.Len())
		if start < 0 {
			start += llen
		}
		if end < 0 {
			end += llen
		}
		start = max(start, 0)
		if start > end || start >= llen {
			c.w.Int(0)
			return
		}
		end = min(end, llen-1)
		deleted = z.DeleteRangeByRank(int(start), int(end))
	case zrangeScore:
		deleted = z.DeleteRangeByScore(sr)
	case zrangeLex:
		deleted = z.DeleteRangeByLex(lr)
	}
	removed := false
	if z.Len() == 0 {
		c.db.Delete(key, 0)
		removed = true
	}
	s := c.srv
	if deleted > 0 {
		s.signalModifiedKey(c.db, key)
		s.notifyKeyspaceEvent(notifyZset, event, key, c.db.ID)
		if removed {
			s.notifyKeyspaceEvent(notifyGeneric, "del", key, c.db.ID)
		}
	}
	s.dirty += int64(deleted)
	c.w.Int(int64(deleted))
}

// --- pops ---

// ZPOPMIN key [count]
func zpopminCommand(c *client) { c.zpopMinMax(false) }

// ZPOPMAX key [count]
func zpopmaxCommand(c *client) { c.zpopMinMax(true) }

// zpopMinMax is Redis's zpopMinMaxCommand.
func (c *client) zpopMinMax(max bool) {
	if len(c.argv) > 3 {
		c.addError(errSyntax)
		return
	}
	count := int64(-1)
	if len(c.argv) == 3 {
		var ok bool
		if count, ok = c.positiveLongOrReply(c.argv[2], ""); !ok {
			return
		}
	}
	nested := c.w.Proto > 2 && count != -1
	c.zpopGeneric(c.argv[1:2], max, false, count, nested, false)
}

// zpopGeneric is Redis's genericZpopCommand: pop up to count elements (count -1: one,
// as a flat reply) from the first existing key of keys. emitKey puts the key in the
// reply (BZPOP*, ZMPOP); nested replies [member, score] pairs; nilWhenEmpty replies
// the null array rather than an empty one when no key exists. It reports whether it
// popped anything.
func (c *client) zpopGeneric(keys [][]byte, max, emitKey bool, count int64, nested, nilWhenEmpty bool) bool {
	now := keyspace.Now()
	var key []byte
	var e *keyspace.Entry
	for _, k := range keys {
		if e = c.db.LookupWrite(k, now); e == nil {
			continue
		}
		if e.Obj.Type != keyspace.TypeZSet {
			c.addError(errWrongType)
			return false
		}
		key = k
		break
	}
	if e == nil {
		if nilWhenEmpty {
			c.w.NullArray()
		} else {
			c.w.ArrayLen(0)
		}
		return false
	}
	if count == 0 {
		c.w.ArrayLen(0)
		return false
	}
	if count == -1 {
		count = 1
	}
	z := zsetOf(e)
	n := int(min(count, int64(z.Len())))
	w := &c.w
	switch {
	case !nested && !emitKey:
		w.ArrayLen(2 * n)
	case nested && !emitKey:
		w.ArrayLen(n)
	case !nested && emitKey:
		w.ArrayLen(2*n + 1)
		w.Bulk(key)
	default:
		w.ArrayLen(2)
		w.Bulk(key)
		w.ArrayLen(n)
	}
	for range n {
		z.Pop(max, func(m []byte, score float64) {
			if nested {
				w.ArrayLen(2)
			}
			w.Bulk(m)
			w.Double(score)
		})
	}
	s := c.srv
	s.dirty += int64(n)
	ev := "zpopmin"
	if max {
		ev = "zpopmax"
	}
	s.notifyKeyspaceEvent(notifyZset, ev, key, c.db.ID)
	s.signalModifiedKey(c.db, key)
	if z.Len() == 0 {
		c.deleteIfEmpty(key, 0)
	}
	if c.cmd.name != "zpopmin" && c.cmd.name != "zpopmax" {
		// BZPOP*, ZMPOP and BZMPOP propagate as the pop they amounted to.
		name := []byte("ZPOPMIN")
		if max {
			name = []byte("ZPOPMAX")
		}
		if c.cmd.name == "bzpopmin" || c.cmd.name == "bzpopmax" {
			c.propagateAs(name, key)
		} else {
			c.propagateAs(name, key, strconv.AppendInt(nil, count, 10))
		}
	}
	return true
}

// BZPOPMIN key [key ...] timeout
func bzpopminCommand(c *client) {
	c.blockingZpopGeneric(c.argv[1:len(c.argv)-1], false, c.argv[len(c.argv)-1], -1)
}

// BZPOPMAX key [key ...] timeout
func bzpopmaxCommand(c *client) {
	c.blockingZpopGeneric(c.argv[1:len(c.argv)-1], true, c.argv[len(c.argv)-1], -1)
}

// blockingZpopGeneric is Redis's blockingGenericZpopCommand: pop from the first
// non-empty sorted set of keys, else block until one is ready — inside a transaction,
// reply the null array at once. count is -1 for BZPOPMIN/BZPOPMAX (a flat [key,
// member, score] reply) and the COUNT of BZMPOP (a nested reply).
func (c *client) blockingZpopGeneric(keys [][]byte, max bool, timeoutArg []byte, count int64) {
	deadline, ok := c.parseBlockTimeout(timeoutArg)
	if !ok {
		return
	}
	now := keyspace.Now()
	for i, key := range keys {
		e := c.db.LookupWrite(key, now)
		if e == nil {
			continue
		}
		if e.Obj.Type != keyspace.TypeZSet {
			if c.reprocessing {
				// Served again: a key that became another type does not concern a
				// client blocked on sorted sets, as in Redis 7.0.
				continue
			}
			c.addError(errWrongType)
			return
		}
		if zsetOf(e).Len() == 0 {
			continue
		}
		c.zpopGeneric(keys[i:i+1], max, true, count, count != -1, count != -1)
		return
	}
	if c.inMulti() {
		c.w.NullArray()
		return
	}
	c.block(keys, deadline, replyNullArray)
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
func zmpopCommand(c *client) { c.zmpopGeneric(1, false) }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
func bzmpopCommand(c *client) { c.zmpopGeneric(2, true) }

// zmpopGeneric is Redis's zmpopGenericCommand; numkeys is argument numkeysIdx.
func (c *client) zmpopGeneric(numkeysIdx int, block bool) {
	numkeys, ok := c.rangeLongOrReply(c.argv[numkeysIdx], 1, math.MaxInt64, "ERR numkeys should be greater than 0")
	if !ok {
		return
	}
	if numkeys >= int64(len(c.argv)-numkeysIdx-1) {
		c.addError(errSyntax)
		return
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	var max bool
	switch {
	case c.argIs(whereIdx, "min"):
	case c.argIs(whereIdx, "max"):
		max = true
	default:
		c.addError(errSyntax)
		return
	}
	count, ok := c.parseMpopCount(whereIdx + 1)
	if !ok {
		return
	}
	keys := c.argv[numkeysIdx+1 : whereIdx]
	if block {
		c.blockingZpopGeneric(keys, max, c.argv[1], count)
		return
	}
	c.zpopGeneric(keys, max, true, count, true, true)
}

// --- ZRANDMEMBER ---

// zrandmemberSampleLimit is ZRANDMEMBER_RANDOM_SAMPLE_LIMIT.
const zrandmemberSampleLimit = 1000

// ZRANDMEMBER key [count [WITHSCORES]]
func zrandmemberCommand(c *client) {
	if len(c.argv) >= 3 {
		l, ok := c.rangeLongOrReply(c.argv[2], -math.MaxInt64, math.MaxInt64, "")
		if !ok {
			return
		}
		withScores := false
		if len(c.argv) > 4 || (len(c.argv) == 4 && !c.argIs(3, "withscores")) {
			c.addError(errSyntax)
			return
		} else if len(c.argv) == 4 {
			withScores = true
			if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
				c.addError("ERR value is out of range")
				return
			}
		}
		c.zrandmemberWithCount(l, withScores)
		return
	}
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeZSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	m, _ := zsetOf(e).RandomElem(c.srv.rng)
	c.w.Bulk(m)
}

// zrandmemberWithCount is Redis's zrandmemberWithCountCommand.
func (c *client) zrandmemberWithCount(l int64, withScores bool) {
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeZSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.ArrayLen(0)
		return
	}
	z := zsetOf(e)
	size := int64(z.Len())
	count, uniq := l, true
	if l < 0 {
		count, uniq = -l, false
	}
	if count == 0 {
		c.w.ArrayLen(0)
		return
	}
	w := &c.w
	emit := func(m []byte, s float64) {
		if withScores && w.Proto > 2 {
			w.ArrayLen(2)
		}
		w.Bulk(m)
		if withScores {
			w.Double(s)
		}
	}
	replyLen := func(n int64) {
		if withScores && w.Proto == 2 {
			n *= 2
		}
		w.ArrayLen(int(n))
	}
	// Case 1: a negative count (or 1): count random elements, repetitions allowed.
	if !uniq || count == 1 {
		replyLen(count)
		for count > 0 {
			n := min(count, zrandmemberSampleLimit)
			z.RandomElems(c.srv.rng, int(n), emit)
			count -= n
		}
		return
	}
	// Case 2: as many as there are or more: the whole set, from the highest element
	// down, as Redis's zuiNext walks it.
	if count >= size {
		replyLen(size)
		z.EachReverse(func(m []byte, s float64) bool {
			emit(m, s)
			return true
		})
		return
	}
	// Cases 3 and 4: count distinct random elements.
	replyLen(count)
	z.DistinctRandomElems(c.srv.rng, int(count), emit)
}

// --- ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD ---

type zsetOp int

const (
	zopUnion zsetOp = iota
	zopInter
	zopDiff
)

// Aggregates (REDIS_AGGR_*).
const (
	aggrSum = iota
	aggrMin
	aggrMax
)

// zsetOpSrc is one input of a set operation (Redis's zsetopsrc): a sorted set, a set
// (every member scoring 1), or nothing (a missing key).
type zsetOpSrc struct {
	z      *types.ZSet
	s      *types.Set
	weight float64
}

func (src *zsetOpSrc) len() int {
	switch {
	case src.z != nil:
		return src.z.Len()
	case src.s != nil:
		return src.s.Len()
	}
	return 0
}

// same reports whether two inputs are the same key's value.
func (src *zsetOpSrc) same(o *zsetOpSrc) bool {
	return (src.z != nil && src.z == o.z) || (src.s != nil && src.s == o.s)
}

// each calls fn with every element (zuiNext) until fn returns false.
func (src *zsetOpSrc) each(fn func(member []byte, score float64) bool) {
	switch {
	case src.z != nil:
		src.z.Each(fn)
	case src.s != nil:
		var buf []byte
		src.s.Iterate(func(m types.Member) bool {
			buf = m.Append(buf[:0])
			return fn(buf, 1)
		})
	}
}

// find returns member's score in the input (zuiFind).
func (src *zsetOpSrc) find(member []byte) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.Score(member)
	case src.s != nil:
		return 1, src.s.IsMember(member)
	}
	return 0, false
}

// zunionInterAggregate is Redis's: a sum that is NaN (inf + -inf) is 0.
func zunionInterAggregate(target *float64, val float64, aggregate int) {
	switch aggregate {
	case aggrSum:
		*target += val
		if math.IsNaN(*target) {
			*target = 0
		}
	case aggrMin:
		if val < *target {
			*target = val
		}
	case aggrMax:
		if val > *target {
			*target = val
		}
	}
}

// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
func zunionstoreCommand(c *client) { c.zsetOpGeneric(c.argv[1], 2, zopUnion, false) }

// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
func zinterstoreCommand(c *client) { c.zsetOpGeneric(c.argv[1], 2, zopInter, false) }

// ZDIFFSTORE destination numkeys key [key ...]
func zdiffstoreCommand(c *client) { c.zsetOpGeneric(c.argv[1], 2, zopDiff, false) }

// ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
func zunionCommand(c *client) { c.zsetOpGeneric(nil, 1, zopUnion, false) }

// ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
func zinterCommand(c *client) { c.zsetOpGeneric(nil, 1, zopInter, false) }

// ZDIFF numkeys key [key ...] [WITHSCORES]
func zdiffCommand(c *client) { c.zsetOpGeneric(nil, 1, zopDiff, false) }

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
func zintercardCommand(c *client) { c.zsetOpGeneric(nil, 1, zopInter, true) }

// zsetOpGeneric is Redis's zunionInterDiffGenericCommand: dst is the destination of
// the STORE forms (nil otherwise), numkeys is argument numkeysIdx; cardOnly is
// ZINTERCARD.
func (c *client) zsetOpGeneric(dst []byte, numkeysIdx int, op zsetOp, cardOnly bool) {
	setnum, ok := c.int64ArgOrReply(numkeysIdx)
	if !ok {
		return
	}
	if setnum < 1 {
		c.addError("ERR at least 1 input key is needed for '" + c.cmd.name + "' command")
		return
	}
	if setnum > int64(len(c.argv)-numkeysIdx-1) {
		c.addError(errSyntax)
		return
	}
	// The inputs are looked up, and type-checked, before the options are parsed.
	now := keyspace.Now()
	srcs := make([]zsetOpSrc, setnum)
	j := numkeysIdx + 1
	for i := range srcs {
		e := c.db.LookupRead(c.argv[j], now) // even for the STORE forms, as Redis
		srcs[i].weight = 1
		j++
		if e == nil {
			continue
		}
		switch e.Obj.Type {
		case keyspace.TypeZSet:
			srcs[i].z = zsetOf(e)
		case keyspace.TypeSet:
			srcs[i].s = e.Obj.Ptr.(*types.Set)
		default:
			c.addError(errWrongType)
			return
		}
	}
	aggregate := aggrSum
	withScores := false
	var limit int64
	for remaining := len(c.argv) - j; remaining > 0; remaining = len(c.argv) - j {
		switch {
		case op != zopDiff && !cardOnly && remaining >= int(setnum)+1 && c.argIs(j, "weights"):
			j++
			for i := range srcs {
				f, ok := conv.ParseFloat(c.argv[j])
				if !ok {
					c.addError("ERR weight value is not a float")
					return
				}
				srcs[i].weight = f
				j++
			}
		case op != zopDiff && !cardOnly && remaining >= 2 && c.argIs(j, "aggregate"):
			j++
			switch {
			case c.argIs(j, "sum"):
				aggregate = aggrSum
			case c.argIs(j, "min"):
				aggregate = aggrMin
			case c.argIs(j, "max"):
				aggregate = aggrMax
			default:
				c.addError(errSyntax)
				return
			}
			j++
		case dst == nil && !cardOnly && c.argIs(j, "withscores"):
			j++
			withScores = true
		case cardOnly && remaining >= 2 && c.argIs(j, "limit"):
			j++
			if limit, ok = c.positiveLongOrReply(c.argv[j], "ERR LIMIT can't be negative"); !ok {
				return
			}
			j++
		default:
			c.addError(errSyntax)
			return
		}
	}
	if op != zopDiff {
		// Smallest inputs first (a stable sort, as glibc's qsort is for small arrays).
		slices.SortStableFunc(srcs, func(a, b zsetOpSrc) int { return cmp.Compare(a.len(), b.len()) })
	}

	var elems []types.ZElem
	cardinality := int64(0)
	switch op {
	case zopInter:
		if srcs[0].len() == 0 {
			break
		}
		srcs[0].each(func(m []byte, s0 float64) bool {
			score := srcs[0].weight * s0
			if math.IsNaN(score) {
				score = 0
			}
			k := 1
			for ; k < len(srcs); k++ {
				if srcs[k].same(&srcs[0]) {
					zunionInterAggregate(&score, s0*srcs[k].weight, aggregate)
				} else if v, found := srcs[k].find(m); found {
					zunionInterAggregate(&score, v*srcs[k].weight, aggregate)
				} else {
					break
				}
			}
			if k < len(srcs) {
				return true
			}
			if cardOnly {
				cardinality++
				return limit == 0 || cardinality < limit
			}
			elems = append(elems, types.ZElem{Member: string(m), Score: score})
			return true
		})
	case zopUnion:
		acc := make(map[string]float64)
		var order []string
		for i := range srcs {
			srcs[i].each(func(m []byte, s float64) bool {
				score := srcs[i].weight * s
				if math.IsNaN(score) {
					score = 0
				}
				if cur, found := acc[string(m)]; found {
					zunionInterAggregate(&cur, score, aggregate)
					acc[string(m)] = cur
				} else {
					ms := string(m)
					acc[ms] = score
					order = append(order, ms)
				}
				return true
			})
		}
		elems = make([]types.ZElem, 0, len(order))
		for _, m := range order {
			elems = append(elems, types.ZElem{Member: m, Score: acc[m]})
		}
	case zopDiff:
		if srcs[0].len() == 0 {
			break
		}
		srcs[0].each(func(m []byte, s float64) bool {
			for k := 1; k < len(srcs); k++ {
				if srcs[k].same(&srcs[0]) {
					return false // nothing can remain
				}
				if _, found := srcs[k].find(m); found {
					return true
				}
			}
			elems = append(elems, types.ZElem{Member: string(m), Score: s})
			return true
		})
		for k := 1; k < len(srcs); k++ {
			if srcs[k].same(&srcs[0]) {
				elems = nil
			}
		}
	}

	if cardOnly {
		c.w.Int(cardinality)
		return
	}
	s := c.srv
	if dst != nil {
		event := [...]string{"zunionstore", "zinterstore", "zdiffstore"}[op]
		if len(elems) > 0 {
			c.storeZset(dst, zsetFromElems(elems, s.limits()))
			s.signalModifiedKey(c.db, dst)
			c.w.Int(int64(len(elems)))
			s.notifyKeyspaceEvent(notifyZset, event, dst, c.db.ID)
			s.dirty++
			return
		}
		c.w.Int(0)
		if c.db.Delete(dst, keyspace.Now()) {
			s.signalModifiedKey(c.db, dst)
			s.notifyKeyspaceEvent(notifyGeneric, "del", dst, c.db.ID)
			s.dirty++
		}
		return
	}
	slices.SortFunc(elems, types.CompareZElems)
	w := &c.w
	if withScores && w.Proto == 2 {
		w.ArrayLen(2 * len(elems))
	} else {
		w.ArrayLen(len(elems))
	}
	for _, el := range elems {
		if withScores && w.Proto > 2 {
			w.ArrayLen(2)
		}
		w.BulkString(el.Member)
		if withScores {
			w.Double(el.Score)
		}
	}
}

// --- ZSCAN ---

// ZSCAN key cursor [MATCH pattern] [COUNT count]
func zscanCommand(c *client) {
	cursor, ok := parseScanCursor(c.argv[2])
	if !ok {
		c.addError("ERR invalid cursor")
		return
	}
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeZSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.ArrayLen(2)
		c.w.BulkString("0")
		c.w.ArrayLen(0)
		return
	}
	count, pattern, usePattern, ok := c.parseScanOptions(3)
	if !ok {
		return
	}
	z := zsetOf(e)
	var out [][]byte // member, score text, ...
	var buf [40]byte
	collect := func(m []byte, s float64) {
		if usePattern && !glob.Match(pattern, m, false) {
			return
		}
		out = append(out, append([]byte(nil), m...), conv.FormatDouble(buf[:0:0], s))
	}
	if z.IsListpack() {
		cursor = z.Scan(cursor, collect)
	} else {
		// Redis counts both the member and the score against COUNT, and filters
		// after the walk.
		visited := int64(0)
		maxIterations := count * 10
		for {
			cursor = z.Scan(cursor, func(m []byte, s float64) {
				visited += 2
				collect(m, s)
			})
			if cursor == 0 || maxIterations == 0 || visited >= count {
				break
			}
			maxIterations--
		}
	}
	c.w.ArrayLen(2)
	c.w.Bulk(strconv.AppendUint(buf[:0], cursor, 10))
	c.w.ArrayLen(len(out))
	for _, b := range out {
		c.w.Bulk(b)
	}
}
