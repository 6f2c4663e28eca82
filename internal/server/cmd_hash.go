package server

import (
	"math"
	"strconv"

	"cairn/internal/config"
	"cairn/internal/conv"
	"cairn/internal/ds/listpack"
	"cairn/internal/glob"
	"cairn/internal/keyspace"
	"cairn/internal/types"
)

// The hash commands, as Redis 7.0's t_hash.c. The encodings (listpack, then hashtable)
// are types.Hash's business.
//
// Where Redis replies before it fires the keyspace event (HSET, HSETNX, HINCRBY,
// HINCRBYFLOAT) so do these commands, so that a RESP3 client subscribed to its own
// events sees the reply and the event in Redis's order.

var hashProcs = procTable{
	"hset":         hsetCommand,
	"hmset":        hsetCommand,
	"hsetnx":       hsetnxCommand,
	"hget":         hgetCommand,
	"hmget":        hmgetCommand,
	"hdel":         hdelCommand,
	"hlen":         hlenCommand,
	"hstrlen":      hstrlenCommand,
	"hexists":      hexistsCommand,
	"hkeys":        hkeysCommand,
	"hvals":        hvalsCommand,
	"hgetall":      hgetallCommand,
	"hincrby":      hincrbyCommand,
	"hincrbyfloat": hincrbyfloatCommand,
	"hrandfield":   hrandfieldCommand,
	"hscan":        hscanCommand,
}

// notifyHash is the keyspace event class of hash events ('h').
const notifyHash = config.NotifyHash

// hashLookupReadOrReply finds a hash for a read command; a missing key is (nil, true).
func (c *client) hashLookupReadOrReply(key []byte) (*types.Hash, bool) {
	e, ok := c.lookupReadOrReply(key, keyspace.TypeHash)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Obj.Ptr.(*types.Hash), true
}

// hashLookupWriteOrCreate is Redis's hashTypeLookupWriteOrCreate: the hash at key,
// created empty (in the listpack encoding) when the key is missing.
func (c *client) hashLookupWriteOrCreate(key []byte) (*types.Hash, bool) {
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeHash)
	if !ok {
		return nil, false
	}
	if e != nil {
		return e.Obj.Ptr.(*types.Hash), true
	}
	h := types.NewHash()
	c.db.Set(key, keyspace.Object{Type: keyspace.TypeHash, Enc: keyspace.EncListpack, Ptr: h}, false)
	return h, true
}

// replyHashEntry sends a field or value as a bulk reply.
func (c *client) replyHashEntry(e listpack.Entry) {
	if e.IsInt {
		c.w.BulkInt(e.Int)
		return
	}
	c.w.Bulk(e.Str)
}

// HSET key field value [field value ...]
// HMSET key field value [field value ...]
func hsetCommand(c *client) {
	if len(c.argv)%2 == 1 {
		c.addError("ERR wrong number of arguments for '" + c.cmd.name + "' command")
		return
	}
	key := c.argv[1]
	h, ok := c.hashLookupWriteOrCreate(key)
	if !ok {
		return
	}
	lim := c.srv.limits()
	created := 0
	for i := 2; i < len(c.argv); i += 2 {
		if h.Set(c.argv[i], c.argv[i+1], lim) {
			created++
		}
	}
	if c.cmd.name == "hset" {
		c.w.Int(int64(created))
	} else {
		c.w.OK()
	}
	s := c.srv
	s.dirty += int64(len(c.argv)-2) / 2
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyHash, "hset", key, c.db.ID)
}

// HSETNX key field value
func hsetnxCommand(c *client) {
	key := c.argv[1]
	h, ok := c.hashLookupWriteOrCreate(key)
	if !ok {
		return
	}
	if h.Exists(c.argv[2]) {
		c.w.Int(0)
		return
	}
	h.Set(c.argv[2], c.argv[3], c.srv.limits())
	c.w.Int(1)
	s := c.srv
	s.dirty++
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyHash, "hset", key, c.db.ID)
}

// HGET key field
func hgetCommand(c *client) {
	h, ok := c.hashLookupReadOrReply(c.argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.w.Null()
		return
	}
	v, found := h.Get(c.argv[2])
	if !found {
		c.w.Null()
		return
	}
	c.replyHashEntry(v)
}

// HMGET key field [field ...]
func hmgetCommand(c *client) {
	h, ok := c.hashLookupReadOrReply(c.argv[1])
	if !ok {
		return
	}
	c.w.ArrayLen(len(c.argv) - 2)
	for _, f := range c.argv[2:] {
		if h == nil {
			c.w.Null()
			continue
		}
		if v, found := h.Get(f); found {
			c.replyHashEntry(v)
		} else {
			c.w.Null()
		}
	}
}

// HDEL key field [field ...]
func hdelCommand(c *client) {
	key := c.argv[1]
	h, ok := c.hashLookupWriteOrReply(key)
	if !ok {
		return
	}
	if h == nil {
		c.w.Int(0)
		return
	}
	deleted := 0
	for _, f := range c.argv[2:] {
		if h.Delete(f) {
			deleted++
			if h.Len() == 0 {
				break
			}
		}
	}
	if deleted > 0 {
		s := c.srv
		s.dirty += int64(deleted)
		s.signalModifiedKey(c.db, key)
		s.notifyKeyspaceEvent(notifyHash, "hdel", key, c.db.ID)
		c.deleteIfEmpty(key, h.Len())
	}
	c.w.Int(int64(deleted))
}

// hashLookupWriteOrReply finds a hash for a write command that does not create it; a
// missing key is (nil, true).
func (c *client) hashLookupWriteOrReply(key []byte) (*types.Hash, bool) {
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeHash)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Obj.Ptr.(*types.Hash), true
}

// HLEN key
func hlenCommand(c *client) {
	h, ok := c.hashLookupReadOrReply(c.argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.w.Int(0)
		return
	}
	c.w.Int(int64(h.Len()))
}

// HSTRLEN key field
func hstrlenCommand(c *client) {
	h, ok := c.hashLookupReadOrReply(c.argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.w.Int(0)
		return
	}
	c.w.Int(int64(h.StrLen(c.argv[2])))
}

// HEXISTS key field
func hexistsCommand(c *client) {
	h, ok := c.hashLookupReadOrReply(c.argv[1])
	if !ok {
		return
	}
	if h != nil && h.Exists(c.argv[2]) {
		c.w.Int(1)
		return
	}
	c.w.Int(0)
}

// What genericHgetall replies with.
const (
	hgetallKeys = 1 << iota
	hgetallValues
)

// HKEYS key
func hkeysCommand(c *client) { c.hgetallGeneric(hgetallKeys) }

// HVALS key
func hvalsCommand(c *client) { c.hgetallGeneric(hgetallValues) }

// HGETALL key
func hgetallCommand(c *client) { c.hgetallGeneric(hgetallKeys | hgetallValues) }

// hgetallGeneric is Redis's genericHgetallCommand: HGETALL replies a map (an empty one
// for a missing key), HKEYS and HVALS an array.
func (c *client) hgetallGeneric(what int) {
	h, ok := c.hashLookupReadOrReply(c.argv[1])
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if what == hgetallKeys|hgetallValues {
		c.w.MapLen(n)
	} else {
		c.w.ArrayLen(n)
	}
	if h == nil {
		return
	}
	h.Iterate(func(f, v listpack.Entry) bool {
		if what&hgetallKeys != 0 {
			c.replyHashEntry(f)
		}
		if what&hgetallValues != 0 {
			c.replyHashEntry(v)
		}
		return true
	})
}

// HINCRBY key field increment
func hincrbyCommand(c *client) {
	incr, ok := c.int64ArgOrReply(3)
	if !ok {
		return
	}
	key, field := c.argv[1], c.argv[2]
	h, ok := c.hashLookupWriteOrCreate(key)
	if !ok {
		return
	}
	var value int64
	if v, found := h.Get(field); found {
		if v.IsInt {
			value = v.Int
		} else if value, ok = conv.ParseInt(v.Str); !ok {
			c.addError("ERR hash value is not an integer")
			return
		}
	}
	if (incr < 0 && value < 0 && incr < math.MinInt64-value) ||
		(incr > 0 && value > 0 && incr > math.MaxInt64-value) {
		c.addError(errOverflow)
		return
	}
	value += incr
	var buf [20]byte
	h.Set(field, conv.FormatInt(buf[:0], value), c.srv.limits())
	c.w.Int(value)
	s := c.srv
	s.dirty++
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyHash, "hincrby", key, c.db.ID)
}

// HINCRBYFLOAT key field increment
//
// Computed in x87 long double precision, as Redis on x86-64 (internal/conv). Its checks
// come in Redis's order, not INCRBYFLOAT's: the increment (not a float, then NaN or
// infinite), then the key's type, then the current value.
func hincrbyfloatCommand(c *client) {
	incr, ok := conv.ParseLongDouble(c.argv[3])
	if !ok {
		c.addError(conv.ErrNotValidFloat)
		return
	}
	if incr.IsNaN() || incr.IsInf() {
		c.addError("ERR value is NaN or Infinity")
		return
	}
	key, field := c.argv[1], c.argv[2]
	h, ok := c.hashLookupWriteOrCreate(key)
	if !ok {
		return
	}
	var value conv.LongDouble
	if v, found := h.Get(field); found {
		if v.IsInt {
			value = conv.LongDoubleFromInt64(v.Int)
		} else if value, ok = conv.ParseLongDouble(v.Str); !ok {
			c.addError("ERR hash value is not a float")
			return
		}
	}
	value = value.Add(incr)
	if value.IsNaN() || value.IsInf() {
		c.addError(conv.ErrIncrNaNOrInfity)
		return
	}
	var buf [64]byte
	out := conv.FormatLongDouble(buf[:0], value)
	h.Set(field, out, c.srv.limits())
	c.w.Bulk(out)
	// Logged as HSET of the result, as Redis does: replaying it cannot round
	// differently.
	c.propagateAs([]byte("HSET"), key, field, out)
	s := c.srv
	s.dirty++
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyHash, "hincrbyfloat", key, c.db.ID)
}

// HRANDFIELD key [count [WITHVALUES]]
func hrandfieldCommand(c *client) {
	if len(c.argv) >= 3 {
		l, ok := c.int64ArgOrReply(2)
		if !ok {
			return
		}
		if l < -math.MaxInt64 {
			c.addError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
			return
		}
		withValues := false
		if len(c.argv) > 4 || (len(c.argv) == 4 && !c.argIs(3, "withvalues")) {
			c.addError(errSyntax)
			return
		} else if len(c.argv) == 4 {
			withValues = true
			if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
				c.addError("ERR value is out of range")
				return
			}
		}
		c.hrandfieldWithCount(l, withValues)
		return
	}
	h, ok := c.hashLookupReadOrReply(c.argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.w.Null()
		return
	}
	f, _ := h.RandomPair(c.srv.rng)
	c.replyHashEntry(f)
}

// hrandfieldWithCount is Redis's hrandfieldWithCountCommand. A negative count may
// repeat fields and gives them in random order; a positive one gives distinct fields,
// all of them when count reaches the size. With WITHVALUES, RESP2 gets a flat array
// of fields and values and RESP3 an array of [field, value] pairs.
func (c *client) hrandfieldWithCount(l int64, withValues bool) {
	h, ok := c.hashLookupReadOrReply(c.argv[1])
	if !ok {
		return
	}
	if h == nil || l == 0 {
		c.w.ArrayLen(0)
		return
	}
	resp3Pairs := withValues && c.w.Proto >= 3
	reply := func(f, v listpack.Entry) {
		if resp3Pairs {
			c.w.ArrayLen(2)
		}
		c.replyHashEntry(f)
		if withValues {
			c.replyHashEntry(v)
		}
	}
	replyLen := func(n int64) {
		if withValues && !resp3Pairs {
			n *= 2
		}
		c.w.ArrayLen(int(n))
	}

	if l < 0 || l == 1 {
		// Independent picks: the only case that repeats fields and orders them at
		// random.
		count := l
		if count < 0 {
			count = -count
		}
		replyLen(count)
		done := int64(0)
		h.RandomPairs(c.srv.rng, int(count), func(f, v listpack.Entry) bool {
			reply(f, v)
			// Stop early if the client went past its output buffer limit, as Redis
			// does on CLIENT_CLOSE_ASAP (it is then disconnected anyway).
			if done++; done&1023 == 0 && c.hashOutputOverLimit() {
				return false
			}
			return true
		})
		return
	}
	size := int64(h.Len())
	if l >= size {
		replyLen(size)
		h.Iterate(func(f, v listpack.Entry) bool {
			reply(f, v)
			return true
		})
		return
	}
	replyLen(l)
	h.RandomUnique(c.srv.rng, int(l), reply)
}

// hashOutputOverLimit reports whether c's pending replies passed its output buffer
// limit, disconnecting it if so (Redis's closeClientOnOutputBufferLimitReached).
func (c *client) hashOutputOverLimit() bool {
	if c.closing.Load() {
		return true
	}
	if c.overOutputLimit(uint64(len(c.w.B))) {
		c.srv.log.Warn("Client scheduled to be closed ASAP for overcoming of output buffer limits", "addr", c.addr)
		c.kill()
		return true
	}
	return false
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
func hscanCommand(c *client) {
	cursor, ok := parseScanCursor(c.argv[2])
	if !ok {
		c.addError("ERR invalid cursor")
		return
	}
	h, ok := c.hashLookupReadOrReply(c.argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.w.ArrayLen(2)
		c.w.BulkInt(0)
		c.w.ArrayLen(0)
		return
	}
	// scanGenericCommand: the options are parsed only once the key was found.
	count, pattern, usePattern, ok := c.parseScanOptions(3)
	if !ok {
		return
	}

	// Collect, then filter by the pattern (on the field; its value goes with it).
	// A hash table is walked one bucket at a time until count fields were seen or
	// 10*count buckets were visited; a listpack comes whole in one call.
	var tmp [20]byte
	items := make([][]byte, 0, 2*min(count, int64(h.Len())))
	keep := func(f, v listpack.Entry) {
		fb := f.Str
		if f.IsInt {
			fb = f.AppendString(tmp[:0])
		}
		if usePattern && !glob.Match(pattern, fb, false) {
			return
		}
		items = append(items, hashEntryText(f), hashEntryText(v))
	}
	maxIterations := count * 10
	seen := int64(0)
	for {
		cursor = h.Scan(cursor, func(f, v listpack.Entry) {
			seen++
			keep(f, v)
		})
		if cursor == 0 || maxIterations == 0 || seen >= count {
			break
		}
		maxIterations--
	}
	c.w.ArrayLen(2)
	c.w.Bulk(strconv.AppendUint(tmp[:0], cursor, 10))
	c.w.ArrayLen(len(items))
	for _, it := range items {
		c.w.Bulk(it)
	}
}

// hashEntryText returns a field's or value's text: borrowed for a string, formatted into
// a new slice for an integer.
func hashEntryText(e listpack.Entry) []byte {
	if e.IsInt {
		return e.AppendString(nil)
	}
	return e.Str
}
