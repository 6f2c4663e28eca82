package server

import (
	"math"
	"strconv"
	"time"

	"cairn/internal/config"
	"cairn/internal/keyspace"
	"cairn/internal/types"
)

// The list commands, as Redis 7.0's t_list.c. Lists are always quicklists in 7.0.
//
// Where Redis replies before it fires the keyspace event (LPUSH, LPOP, LSET, LMOVE...)
// so do these commands: a RESP3 client subscribed to its own events sees the reply and
// the event in Redis's order.

var listProcs = procTable{
	"lpush":      lpushCommand,
	"rpush":      rpushCommand,
	"lpushx":     lpushxCommand,
	"rpushx":     rpushxCommand,
	"lpop":       lpopCommand,
	"rpop":       rpopCommand,
	"llen":       llenCommand,
	"lrange":     lrangeCommand,
	"lindex":     lindexCommand,
	"lset":       lsetCommand,
	"linsert":    linsertCommand,
	"lrem":       lremCommand,
	"ltrim":      ltrimCommand,
	"lpos":       lposCommand,
	"lmove":      lmoveCommand,
	"rpoplpush":  rpoplpushCommand,
	"lmpop":      lmpopCommand,
	"blpop":      blpopCommand,
	"brpop":      brpopCommand,
	"blmove":     blmoveCommand,
	"brpoplpush": brpoplpushCommand,
	"blmpop":     blmpopCommand,
}

// notifyList is the keyspace event class of list events ('l').
const notifyList = config.NotifyList

const errMustBePositive = "ERR value is out of range, must be positive"

// listScratch holds an element moved by LMOVE between its pop and its push. Used only
// under the executor lock.
var listScratch []byte

// createListKey adds an empty list under key (Redis's createQuicklistObject + dbAdd)
// and signals the key as ready for clients blocked on it.
func (c *client) createListKey(key []byte) *types.List {
	l := types.NewList(c.srv.limits())
	c.db.Set(key, keyspace.Object{Type: keyspace.TypeList, Enc: keyspace.EncQuicklist, Ptr: l}, false)
	c.srv.signalKeyAsReady(c.db, key)
	return l
}

// replyListEntry sends one element as a bulk reply.
func (c *client) replyListEntry(e types.ListEntry) {
	if e.IsInt {
		c.w.BulkInt(e.Int)
		return
	}
	c.w.Bulk(e.Str)
}

// replyListRange sends elements start..stop (LRANGE index rules) as an array, from
// stop down to start if reverse (addListRangeReply).
func (c *client) replyListRange(l *types.List, start, stop int, reverse bool) {
	from, to, ok := types.ListRange(l.Len(), start, stop)
	if !ok {
		c.w.ArrayLen(0)
		return
	}
	c.w.ArrayLen(to - from + 1)
	l.Range(from, to, reverse, func(e types.ListEntry) bool {
		c.replyListEntry(e)
		return true
	})
}

// rangeLongOrReply is Redis's getRangeLongFromObjectOrReply: an integer in [lo, hi];
// msg, if not empty, replaces both errors.
func (c *client) rangeLongOrReply(arg []byte, lo, hi int64, msg string) (int64, bool) {
	n, ok := parseInt64(arg)
	if !ok {
		if msg == "" {
			msg = errNotInteger
		}
		c.addError(msg)
		return 0, false
	}
	if n < lo || n > hi {
		if msg == "" {
			msg = "ERR value is out of range, value must between " + strconv.FormatInt(lo, 10) +
				" and " + strconv.FormatInt(hi, 10)
		}
		c.addError(msg)
		return 0, false
	}
	return n, true
}

// positiveLongOrReply is Redis's getPositiveLongFromObjectOrReply (0 included).
func (c *client) positiveLongOrReply(arg []byte, msg string) (int64, bool) {
	if msg == "" {
		msg = errMustBePositive
	}
	return c.rangeLongOrReply(arg, 0, math.MaxInt64, msg)
}

// listPositionOrReply parses LEFT|RIGHT (getListPositionFromObjectOrReply).
func (c *client) listPositionOrReply(i int) (types.ListEnd, bool) {
	switch {
	case c.argIs(i, "left"):
		return types.ListHead, true
	case c.argIs(i, "right"):
		return types.ListTail, true
	}
	c.addError(errSyntax)
	return 0, false
}

// listOf returns the list held by a live entry of type list.
func listOf(e *keyspace.Entry) *types.List { return e.Obj.Ptr.(*types.List) }

func popEvent(where types.ListEnd) string {
	if where == types.ListHead {
		return "lpop"
	}
	return "rpop"
}

func pushEvent(where types.ListEnd) string {
	if where == types.ListHead {
		return "lpush"
	}
	return "rpush"
}

// listElementsRemoved does the side effects of popping count elements from the list
// at key: the pop event, deleting the key if the list emptied, the modified-key signal
// and the dirty counter (Redis's listElementsRemoved).
func (c *client) listElementsRemoved(key []byte, where types.ListEnd, l *types.List, count int) {
	s := c.srv
	s.notifyKeyspaceEvent(notifyList, popEvent(where), key, c.db.ID)
	c.deleteIfEmpty(key, l.Len())
	s.signalModifiedKey(c.db, key)
	s.dirty += int64(count)
}

// --- push ---

// LPUSH key element [element ...]
func lpushCommand(c *client) { c.pushGeneric(types.ListHead, false) }

// RPUSH key element [element ...]
func rpushCommand(c *client) { c.pushGeneric(types.ListTail, false) }

// LPUSHX key element [element ...]
func lpushxCommand(c *client) { c.pushGeneric(types.ListHead, true) }

// RPUSHX key element [element ...]
func rpushxCommand(c *client) { c.pushGeneric(types.ListTail, true) }

// pushGeneric is Redis's pushGenericCommand; xx (LPUSHX, RPUSHX) pushes only onto an
// existing list.
func (c *client) pushGeneric(where types.ListEnd, xx bool) {
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeList)
	if !ok {
		return
	}
	var l *types.List
	if e == nil {
		if xx {
			c.w.Int(0)
			return
		}
		l = c.createListKey(key)
	} else {
		l = listOf(e)
	}
	for _, v := range c.argv[2:] {
		l.Push(v, where)
	}
	s := c.srv
	s.dirty += int64(len(c.argv) - 2)
	c.w.Int(int64(l.Len()))
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyList, pushEvent(where), key, c.db.ID)
}

// --- pop ---

// LPOP key [count]
func lpopCommand(c *client) { c.popGeneric(types.ListHead) }

// RPOP key [count]
func rpopCommand(c *client) { c.popGeneric(types.ListTail) }

// popGeneric is Redis's popGenericCommand: without a count, one element as a bulk
// reply; with one, up to count elements as an array.
func (c *client) popGeneric(where types.ListEnd) {
	if len(c.argv) > 3 {
		c.addError("ERR wrong number of arguments for '" + c.cmd.name + "' command")
		return
	}
	hasCount := len(c.argv) == 3
	var count int64
	if hasCount {
		var ok bool
		if count, ok = c.positiveLongOrReply(c.argv[2], ""); !ok {
			return
		}
	}
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		if hasCount {
			c.w.NullArray()
		} else {
			c.w.Null()
		}
		return
	}
	if hasCount && count == 0 {
		c.w.ArrayLen(0)
		return
	}
	l := listOf(e)
	if !hasCount {
		l.Pop(where, c.replyListEntry)
		c.listElementsRemoved(key, where, l, 1)
		return
	}
	n := int(min(count, int64(l.Len())))
	c.popRangeReply(l, where, n)
	c.listElementsRemoved(key, where, l, n)
}

// popRangeReply replies with the n (<= length) elements at the given end, in pop
// order, and deletes them.
func (c *client) popRangeReply(l *types.List, where types.ListEnd, n int) {
	if where == types.ListHead {
		c.replyListRange(l, 0, n-1, false)
		l.DelRange(0, n)
	} else {
		c.replyListRange(l, -n, -1, true)
		l.DelRange(-n, n)
	}
}

// listPopRangeAndReplyWithKey replies [key, [elements...]] for up to count elements
// popped at the given end, with the side effects of the pop (LMPOP, BLMPOP). It
// returns how many were popped.
func (c *client) listPopRangeAndReplyWithKey(l *types.List, key []byte, where types.ListEnd, count int64) int {
	n := int(min(count, int64(l.Len())))
	c.w.ArrayLen(2)
	c.w.Bulk(key)
	c.popRangeReply(l, where, n)
	c.listElementsRemoved(key, where, l, n)
	return n
}

// --- read ---

// LLEN key
func llenCommand(c *client) {
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	c.w.Int(int64(listOf(e).Len()))
}

// LRANGE key start stop
func lrangeCommand(c *client) {
	start, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	stop, ok := c.int64ArgOrReply(3)
	if !ok {
		return
	}
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.w.ArrayLen(0)
		return
	}
	c.replyListRange(listOf(e), int(start), int(stop), false)
}

// LINDEX key index
func lindexCommand(c *client) {
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	index, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	v, found := listOf(e).Index(int(index))
	if !found {
		c.w.Null()
		return
	}
	c.replyListEntry(v)
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func lposCommand(c *client) {
	rank, count, maxlen := int64(1), int64(-1), int64(0) // count -1: no COUNT option
	for j := 3; j < len(c.argv); j++ {
		more := len(c.argv) - 1 - j
		var ok bool
		switch {
		case c.argIs(j, "rank") && more > 0:
			j++
			// 7.0.15 takes any long here, -2^63 included (see below).
			if rank, ok = c.int64ArgOrReply(j); !ok {
				return
			}
			if rank == 0 {
				c.addError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
				return
			}
		case c.argIs(j, "count") && more > 0:
			j++
			if count, ok = c.positiveLongOrReply(c.argv[j], "ERR COUNT can't be negative"); !ok {
				return
			}
		case c.argIs(j, "maxlen") && more > 0:
			j++
			if maxlen, ok = c.positiveLongOrReply(c.argv[j], "ERR MAXLEN can't be negative"); !ok {
				return
			}
		default:
			c.addError(errSyntax)
			return
		}
	}
	e := c.db.LookupRead(c.argv[1], keyspace.Now())
	if e == nil {
		if count != -1 {
			c.w.ArrayLen(0)
		} else {
			c.w.Null()
		}
		return
	}
	if e.Obj.Type != keyspace.TypeList {
		c.addError(errWrongType)
		return
	}
	l := listOf(e)
	if count == -1 {
		found := -1
		l.Pos(c.argv[2], int(rank), int(maxlen), func(index int) bool {
			found = index
			return false
		})
		if found < 0 {
			c.w.Null()
		} else {
			c.w.Int(int64(found))
		}
		return
	}
	// RANK -2^63 negates to itself: Redis then counts every match as past the rank
	// and its COUNT test (matches-rank+1 >= count) overflows, so COUNT never stops it.
	if rank == math.MinInt64 {
		count = 0
	}
	d := c.w.DeferLen()
	n := int64(0)
	l.Pos(c.argv[2], int(rank), int(maxlen), func(index int) bool {
		c.w.Int(int64(index))
		n++
		return count == 0 || n < count
	})
	c.w.SetArrayLen(d, int(n))
}

// --- change ---

// LSET key index element
func lsetCommand(c *client) {
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.addError(errNoSuchKey)
		return
	}
	index, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	if !listOf(e).Set(int(index), c.argv[3]) {
		c.addError(errOutOfRange)
		return
	}
	s := c.srv
	c.w.OK()
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyList, "lset", key, c.db.ID)
	s.dirty++
}

// LINSERT key BEFORE|AFTER pivot element
func linsertCommand(c *client) {
	var after bool
	switch {
	case c.argIs(2, "after"):
		after = true
	case c.argIs(2, "before"):
	default:
		c.addError(errSyntax)
		return
	}
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	l := listOf(e)
	if !l.Insert(c.argv[3], c.argv[4], after) {
		c.w.Int(-1)
		return
	}
	s := c.srv
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyList, "linsert", key, c.db.ID)
	s.dirty++
	c.w.Int(int64(l.Len()))
}

// LREM key count element
func lremCommand(c *client) {
	count, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	l := listOf(e)
	// A count of -2^63 negates to itself, here as in Redis: every match goes.
	removed := l.Rem(c.argv[3], int(count))
	s := c.srv
	s.dirty += int64(removed)
	if removed > 0 {
		s.signalModifiedKey(c.db, key)
		s.notifyKeyspaceEvent(notifyList, "lrem", key, c.db.ID)
	}
	c.deleteIfEmpty(key, l.Len())
	c.w.Int(int64(removed))
}

// LTRIM key start stop
func ltrimCommand(c *client) {
	start, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	stop, ok := c.int64ArgOrReply(3)
	if !ok {
		return
	}
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.w.OK()
		return
	}
	l := listOf(e)
	removed := l.Trim(int(start), int(stop))
	s := c.srv
	s.notifyKeyspaceEvent(notifyList, "ltrim", key, c.db.ID)
	c.deleteIfEmpty(key, l.Len())
	s.signalModifiedKey(c.db, key)
	s.dirty += int64(removed)
	c.w.OK()
}

// --- move ---

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func lmoveCommand(c *client) {
	from, ok := c.listPositionOrReply(3)
	if !ok {
		return
	}
	to, ok := c.listPositionOrReply(4)
	if !ok {
		return
	}
	c.lmoveGeneric(from, to)
}

// RPOPLPUSH source destination
func rpoplpushCommand(c *client) { c.lmoveGeneric(types.ListTail, types.ListHead) }

// lmoveGeneric is Redis's lmoveGenericCommand: pop from argv[1], push onto argv[2].
func (c *client) lmoveGeneric(from, to types.ListEnd) {
	srcKey, dstKey := c.argv[1], c.argv[2]
	e, ok := c.lookupWriteOrReply(srcKey, keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	src := listOf(e)
	de, ok := c.lookupWriteOrReply(dstKey, keyspace.TypeList)
	if !ok {
		return
	}
	var dst *types.List
	if de != nil {
		dst = listOf(de) // may be src itself: the pop leaves it in the keyspace
	}
	listScratch, _ = src.PopAppend(from, listScratch[:0])
	c.lmoveHandlePush(dstKey, dst, listScratch, to)
	s := c.srv
	s.notifyKeyspaceEvent(notifyList, popEvent(from), srcKey, c.db.ID)
	c.deleteIfEmpty(srcKey, src.Len())
	s.signalModifiedKey(c.db, srcKey)
	s.dirty++
	c.propagateLMove()
}

// lmoveHandlePush pushes value onto dst at dstKey, creating the list if dst is nil,
// and replies with the value (Redis's lmoveHandlePush).
func (c *client) lmoveHandlePush(dstKey []byte, dst *types.List, value []byte, where types.ListEnd) {
	if dst == nil {
		dst = c.createListKey(dstKey)
	}
	s := c.srv
	s.signalModifiedKey(c.db, dstKey)
	dst.Push(value, where)
	s.notifyKeyspaceEvent(notifyList, pushEvent(where), dstKey, c.db.ID)
	c.w.Bulk(value)
}

// --- multi-key pop ---

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
func lmpopCommand(c *client) { c.lmpopGeneric(1, false) }

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
func blmpopCommand(c *client) { c.lmpopGeneric(2, true) }

// lmpopGeneric is Redis's lmpopGenericCommand; numkeys is argument numkeysIdx.
func (c *client) lmpopGeneric(numkeysIdx int, block bool) {
	numkeys, ok := c.rangeLongOrReply(c.argv[numkeysIdx], 1, math.MaxInt64, "ERR numkeys should be greater than 0")
	if !ok {
		return
	}
	// whereIdx = numkeysIdx + numkeys + 1 must be an argument.
	if numkeys >= int64(len(c.argv)-numkeysIdx-1) {
		c.addError(errSyntax)
		return
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	where, ok := c.listPositionOrReply(whereIdx)
	if !ok {
		return
	}
	count, ok := c.parseMpopCount(whereIdx + 1)
	if !ok {
		return
	}
	keys := c.argv[numkeysIdx+1 : whereIdx]
	if !block {
		c.mpopGeneric(keys, where, count)
		return
	}
	c.blockingPopGeneric(keys, where, c.argv[1], count)
}

// mpopGeneric pops up to count elements from the first non-empty list of keys (LMPOP).
func (c *client) mpopGeneric(keys [][]byte, where types.ListEnd, count int64) {
	now := keyspace.Now()
	for _, key := range keys {
		e := c.db.LookupWrite(key, now)
		if e == nil {
			continue
		}
		if e.Obj.Type != keyspace.TypeList {
			c.addError(errWrongType)
			return
		}
		l := listOf(e)
		if l.Len() == 0 {
			continue
		}
		n := c.listPopRangeAndReplyWithKey(l, key, where, count)
		c.propagatePopCount(key, where, n)
		return
	}
	c.w.NullArray()
}

// --- blocking ---

// BLPOP key [key ...] timeout
func blpopCommand(c *client) {
	c.blockingPopGeneric(c.argv[1:len(c.argv)-1], types.ListHead, c.argv[len(c.argv)-1], -1)
}

// BRPOP key [key ...] timeout
func brpopCommand(c *client) {
	c.blockingPopGeneric(c.argv[1:len(c.argv)-1], types.ListTail, c.argv[len(c.argv)-1], -1)
}

// blockingPopGeneric is Redis's blockingPopGenericCommand: pop from the first
// non-empty list of keys — one element replied as [key, element], or with count != -1
// (BLMPOP) up to count as [key, [elements...]] — else block until one of the keys
// becomes ready, or, inside a transaction, reply as on timeout.
func (c *client) blockingPopGeneric(keys [][]byte, where types.ListEnd, timeoutArg []byte, count int64) {
	deadline, ok := c.parseBlockTimeout(timeoutArg)
	if !ok {
		return
	}
	now := keyspace.Now()
	for _, key := range keys {
		e := c.db.LookupWrite(key, now)
		if e == nil {
			continue
		}
		if e.Obj.Type != keyspace.TypeList {
			if c.reprocessing {
				// Served again: Redis 7.0 serves only list keys to a client blocked
				// on lists; a key that became another type does not concern it.
				continue
			}
			c.addError(errWrongType)
			return
		}
		l := listOf(e)
		if l.Len() == 0 {
			continue
		}
		if count != -1 {
			n := c.listPopRangeAndReplyWithKey(l, key, where, count)
			c.propagatePopCount(key, where, n)
			return
		}
		c.w.ArrayLen(2)
		c.w.Bulk(key)
		l.Pop(where, c.replyListEntry)
		c.listElementsRemoved(key, where, l, 1)
		c.propagatePop(key, where)
		return
	}
	if c.inMulti() {
		c.w.NullArray()
		return
	}
	c.block(keys, deadline, replyNullArray)
}

// replyNullArray is the timeout reply of every blocking list command: Redis's
// replyToBlockedClientTimedOut sends the null array even for BLMOVE and BRPOPLPUSH.
func replyNullArray(c *client) { c.w.NullArray() }

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
func blmoveCommand(c *client) {
	from, ok := c.listPositionOrReply(3)
	if !ok {
		return
	}
	to, ok := c.listPositionOrReply(4)
	if !ok {
		return
	}
	deadline, ok := c.parseBlockTimeout(c.argv[5])
	if !ok {
		return
	}
	c.blmoveGeneric(from, to, deadline)
}

// BRPOPLPUSH source destination timeout
func brpoplpushCommand(c *client) {
	deadline, ok := c.parseBlockTimeout(c.argv[3])
	if !ok {
		return
	}
	c.blmoveGeneric(types.ListTail, types.ListHead, deadline)
}

// blmoveGeneric is Redis's blmoveGenericCommand: LMOVE if the source has elements,
// else block on it (inside a transaction: the null reply at once).
func (c *client) blmoveGeneric(from, to types.ListEnd, deadline time.Time) {
	e := c.db.LookupWrite(c.argv[1], keyspace.Now())
	if e != nil && e.Obj.Type != keyspace.TypeList {
		if !c.reprocessing {
			c.addError(errWrongType)
			return
		}
		e = nil // not a list any more: keep waiting, as Redis 7.0 does
	}
	if e != nil {
		c.lmoveGeneric(from, to)
		return
	}
	if c.inMulti() {
		c.w.Null()
		return
	}
	c.block(c.argv[1:2], deadline, replyNullArray)
}

// --- propagation ---

// What a blocking or multi-key pop propagates (AOF) is the plain command it amounted
// to, as Redis's rewriteClientCommandVector calls in t_list.c make it: a served BLPOP
// must not block when replayed.

func popCommandName(where types.ListEnd) []byte {
	if where == types.ListHead {
		return []byte("LPOP")
	}
	return []byte("RPOP")
}

// propagatePop makes BLPOP/BRPOP propagate as LPOP/RPOP key.
func (c *client) propagatePop(key []byte, where types.ListEnd) {
	c.propagateAs(popCommandName(where), key)
}

// propagatePopCount makes LMPOP/BLMPOP propagate as LPOP/RPOP key n.
func (c *client) propagatePopCount(key []byte, where types.ListEnd, n int) {
	c.propagateAs(popCommandName(where), key, strconv.AppendInt(nil, int64(n), 10))
}

// propagateLMove makes BLMOVE/BRPOPLPUSH propagate as LMOVE/RPOPLPUSH.
func (c *client) propagateLMove() {
	switch c.cmd.name {
	case "blmove":
		c.propagateAs([]byte("LMOVE"), c.argv[1], c.argv[2], c.argv[3], c.argv[4])
	case "brpoplpush":
		c.propagateAs([]byte("RPOPLPUSH"), c.argv[1], c.argv[2])
	}
}
