package server

import (
	"math"

	"cairn/internal/conv"
	"cairn/internal/keyspace"
	"cairn/internal/resp"
)

var stringProcs = procTable{
	"get":    getCommand,
	"set":    setCommand,
	"setnx":  setnxCommand,
	"setex":  setexCommand,
	"psetex": psetexCommand,
	"getset": getsetCommand,
	"getdel": getdelCommand,
	"getex":  getexCommand,
	"mget":   mgetCommand,
	"mset":   msetCommand,
	"msetnx": msetnxCommand,
	"incr":   incrCommand,
	"decr":   decrCommand,
	"incrby": incrbyCommand,
	"decrby": decrbyCommand,
	"append": appendCommand,
	"strlen": strlenCommand,

	"incrbyfloat": incrbyfloatCommand,
	"getrange":    getrangeCommand,
	"substr":      getrangeCommand,
	"setrange":    setrangeCommand,
	"lcs":         lcsCommand,
}

// SET/GETEX option flags (t_string.c OBJ_*).
const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT
	setExpireMask = setEX | setPX | setEXAT | setPXAT
)

const (
	commandSet = iota
	commandGet
)

// lookupStringOrReply finds key for reading; it replies WRONGTYPE and returns ok=false
// if the key holds another type. A missing key gives (nil, true).
func (c *client) lookupStringOrReply(key []byte) (*keyspace.Entry, bool) {
	e := c.db.LookupRead(key, keyspace.Now())
	if e != nil && e.Obj.Type != keyspace.TypeString {
		c.addError(errWrongType)
		return nil, false
	}
	return e, true
}

// replyString sends a string value as a bulk reply.
func (c *client) replyString(o *keyspace.Object) {
	if o.Enc == keyspace.EncInt {
		c.w.BulkInt(o.Int)
		return
	}
	c.w.Bulk(o.Str)
}

// getGeneric is GET's body, shared with SET ... GET and GETSET.
func (c *client) getGeneric() bool {
	e, ok := c.lookupStringOrReply(c.argv[1])
	if !ok {
		return false
	}
	if e == nil {
		c.w.Null()
		return true
	}
	c.replyString(&e.Obj)
	return true
}

// GET key
func getCommand(c *client) { c.getGeneric() }

// parseStringOptions is Redis's parseExtendedStringArgumentsOrReply for SET and GETEX.
func (c *client) parseStringOptions(from, cmdType int) (flags int, expireArg []byte, ok bool) {
	for j := from; j < len(c.argv); j++ {
		opt := c.argv[j]
		var next []byte
		if j < len(c.argv)-1 {
			next = c.argv[j+1]
		}
		switch {
		case c.argIs(j, "nx") && flags&setXX == 0 && cmdType == commandSet:
			flags |= setNX
		case c.argIs(j, "xx") && flags&setNX == 0 && cmdType == commandSet:
			flags |= setXX
		case c.argIs(j, "get") && cmdType == commandSet:
			flags |= setGet
		case c.argIs(j, "keepttl") && flags&(setPersist|setExpireMask) == 0 && cmdType == commandSet:
			flags |= setKeepTTL
		case c.argIs(j, "persist") && cmdType == commandGet && flags&(setExpireMask|setKeepTTL) == 0:
			flags |= setPersist
		case c.argIs(j, "ex") && flags&(setKeepTTL|setPersist|setEXAT|setPX|setPXAT) == 0 && next != nil:
			flags |= setEX
			expireArg = next
			j++
		case c.argIs(j, "px") && flags&(setKeepTTL|setPersist|setEX|setEXAT|setPXAT) == 0 && next != nil:
			flags |= setPX
			expireArg = next
			j++
		case c.argIs(j, "exat") && flags&(setKeepTTL|setPersist|setEX|setPX|setPXAT) == 0 && next != nil:
			flags |= setEXAT
			expireArg = next
			j++
		case c.argIs(j, "pxat") && flags&(setKeepTTL|setPersist|setEX|setEXAT|setPX) == 0 && next != nil:
			flags |= setPXAT
			expireArg = next
			j++
		default:
			_ = opt
			c.addError(errSyntax)
			return 0, nil, false
		}
	}
	return flags, expireArg, true
}

// expireMillisOrReply is Redis's getExpireMillisecondsOrReply: the absolute deadline
// in ms for an EX/PX/EXAT/PXAT argument, or Redis's error.
func (c *client) expireMillisOrReply(arg []byte, flags int) (int64, bool) {
	ms, ok := c.int64ArgOrReplyBytes(arg)
	if !ok {
		return 0, false
	}
	seconds := flags&(setEX|setEXAT) != 0
	if ms <= 0 || (seconds && ms > math.MaxInt64/1000) {
		c.addError(c.invalidExpireError())
		return 0, false
	}
	if seconds {
		ms *= 1000
	}
	if flags&(setEX|setPX) != 0 {
		ms += keyspace.Now() // wraps to negative on overflow, as in C
	}
	if ms <= 0 {
		c.addError(c.invalidExpireError())
		return 0, false
	}
	return ms, true
}

func (c *client) invalidExpireError() string {
	return "ERR invalid expire time in '" + c.cmd.name + "' command"
}

func (c *client) int64ArgOrReplyBytes(b []byte) (int64, bool) {
	n, ok := parseInt64(b)
	if !ok {
		c.addError(errNotInteger)
	}
	return n, ok
}

// SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]
func setCommand(c *client) {
	flags, expireArg, ok := c.parseStringOptions(3, commandSet)
	if !ok {
		return
	}
	c.setGeneric(flags, c.argv[1], c.argv[2], expireArg, resp_OK, 0)
}

// Markers for setGeneric's replies.
const (
	resp_OK = iota + 1
	resp_Int1
	resp_Int0
)

// setGeneric is Redis's setGenericCommand. okReply and abortReply select what is sent
// on success and on an NX/XX abort (abortReply 0 means the null reply).
func (c *client) setGeneric(flags int, key, val, expireArg []byte, okReply, abortReply int) {
	var deadline int64
	if expireArg != nil {
		var ok bool
		if deadline, ok = c.expireMillisOrReply(expireArg, flags); !ok {
			return
		}
	}
	if flags&setGet != 0 && !c.getGeneric() {
		return
	}
	now := keyspace.Now()
	e := c.db.LookupWrite(key, now)
	found := e != nil
	if (flags&setNX != 0 && found) || (flags&setXX != 0 && !found) {
		if flags&setGet == 0 {
			c.replyMarker(abortReply)
		}
		return
	}
	var reuse []byte
	if found && e.Obj.Type == keyspace.TypeString {
		reuse = e.Obj.Str
	}
	e = c.db.Set(key, keyspace.NewStringObject(val, reuse), flags&setKeepTTL != 0)
	s := c.srv
	s.dirty++
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyString, "set", key, c.db.ID)
	if deadline != 0 {
		c.db.SetExpire(key, e, deadline)
		s.notifyKeyspaceEvent(notifyGeneric, "expire", key, c.db.ID)
		// Logged with an absolute deadline, so replaying it later means the same.
		c.propagateAs([]byte("SET"), key, val, []byte("PXAT"), conv.FormatInt(nil, deadline))
	}
	if flags&setGet == 0 {
		c.replyMarker(okReply)
	}
}

func (c *client) replyMarker(m int) {
	switch m {
	case resp_OK:
		c.w.OK()
	case resp_Int1:
		c.w.Int(1)
	case resp_Int0:
		c.w.Int(0)
	default:
		c.w.Null()
	}
}

// SETNX key value
func setnxCommand(c *client) { c.setGeneric(setNX, c.argv[1], c.argv[2], nil, resp_Int1, resp_Int0) }

// SETEX key seconds value
func setexCommand(c *client) { c.setGeneric(setEX, c.argv[1], c.argv[3], c.argv[2], resp_OK, 0) }

// PSETEX key milliseconds value
func psetexCommand(c *client) { c.setGeneric(setPX, c.argv[1], c.argv[3], c.argv[2], resp_OK, 0) }

// GETSET key value
func getsetCommand(c *client) {
	if !c.getGeneric() {
		return
	}
	c.db.Set(c.argv[1], keyspace.NewStringObject(c.argv[2], nil), false)
	c.propagateAs([]byte("SET"), c.argv[1], c.argv[2])
	c.srv.dirty++
	c.srv.signalModifiedKey(c.db, c.argv[1])
	c.srv.notifyKeyspaceEvent(notifyString, "set", c.argv[1], c.db.ID)
}

// GETDEL key
func getdelCommand(c *client) {
	e, ok := c.lookupStringOrReply(c.argv[1])
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	c.replyString(&e.Obj)
	c.db.Delete(c.argv[1], keyspace.Now())
	c.propagateAs([]byte("DEL"), c.argv[1])
	c.srv.dirty++
	c.srv.signalModifiedKey(c.db, c.argv[1])
	c.srv.notifyKeyspaceEvent(notifyGeneric, "del", c.argv[1], c.db.ID)
}

// GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]
func getexCommand(c *client) {
	flags, expireArg, ok := c.parseStringOptions(2, commandGet)
	if !ok {
		return
	}
	key := c.argv[1]
	e, ok := c.lookupStringOrReply(key)
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	// The expire argument is validated only for an existing string key, as in Redis.
	var deadline int64
	if expireArg != nil {
		if deadline, ok = c.expireMillisOrReply(expireArg, flags); !ok {
			return
		}
	}
	c.replyString(&e.Obj)
	s := c.srv
	switch {
	case flags&(setEXAT|setPXAT) != 0 && deadline <= keyspace.Now():
		// An absolute deadline already passed deletes the key, as Redis's GETEX does.
		c.db.Delete(key, 0)
		s.dirty++
		s.signalModifiedKey(c.db, key)
		s.notifyKeyspaceEvent(notifyGeneric, "del", key, c.db.ID)
		c.propagateAs([]byte("DEL"), key)
	case deadline != 0:
		c.db.SetExpire(key, e, deadline)
		c.propagateAs([]byte("PEXPIREAT"), key, conv.FormatInt(nil, deadline))
		s.dirty++
		s.signalModifiedKey(c.db, key)
		s.notifyKeyspaceEvent(notifyGeneric, "expire", key, c.db.ID)
	case flags&setPersist != 0:
		if c.db.Persist(key, e) {
			c.propagateAs([]byte("PERSIST"), key)
			s.dirty++
			s.signalModifiedKey(c.db, key)
			s.notifyKeyspaceEvent(notifyGeneric, "persist", key, c.db.ID)
		}
	}
}

// MGET key [key ...]
func mgetCommand(c *client) {
	c.w.ArrayLen(len(c.argv) - 1)
	now := keyspace.Now()
	c.db.PrefetchEvery(c.argv[1:], 1)
	for _, key := range c.argv[1:] {
		e := c.db.LookupRead(key, now)
		if e == nil || e.Obj.Type != keyspace.TypeString {
			c.w.Null()
			continue
		}
		c.replyString(&e.Obj)
	}
}

// MSET key value [key value ...]
func msetCommand(c *client) { c.msetGeneric(false) }

// MSETNX key value [key value ...]
func msetnxCommand(c *client) { c.msetGeneric(true) }

func (c *client) msetGeneric(nx bool) {
	if len(c.argv)%2 == 0 {
		c.addError("ERR wrong number of arguments for '" + c.cmd.name + "' command")
		return
	}
	now := keyspace.Now()
	c.db.PrefetchEvery(c.argv[1:], 2)
	if nx {
		for j := 1; j < len(c.argv); j += 2 {
			if c.db.LookupWrite(c.argv[j], now) != nil {
				c.w.Int(0)
				return
			}
		}
	}
	s := c.srv
	for j := 1; j < len(c.argv); j += 2 {
		// As Redis's setKey: a write lookup first (an expired key is deleted, with its
		// event), and the old string's buffer is reused, as SET does: an MSET
		// overwriting existing keys allocates nothing.
		var reuse []byte
		if e := c.db.LookupWrite(c.argv[j], now); e != nil && e.Obj.Type == keyspace.TypeString {
			reuse = e.Obj.Str
		}
		c.db.Set(c.argv[j], keyspace.NewStringObject(c.argv[j+1], reuse), false)
		s.signalModifiedKey(c.db, c.argv[j])
		s.notifyKeyspaceEvent(notifyString, "set", c.argv[j], c.db.ID)
	}
	s.dirty += int64(len(c.argv) / 2)
	if nx {
		c.w.Int(1)
	} else {
		c.w.OK()
	}
}

// incrDecr is Redis's incrDecrCommand.
func (c *client) incrDecr(incr int64) {
	key := c.argv[1]
	now := keyspace.Now()
	e := c.db.LookupWrite(key, now)
	var value int64
	if e != nil {
		if e.Obj.Type != keyspace.TypeString {
			c.addError(errWrongType)
			return
		}
		if e.Obj.Enc == keyspace.EncInt {
			value = e.Obj.Int
		} else {
			v, ok := conv.ParseInt(e.Obj.Str)
			if !ok {
				c.addError(errNotInteger)
				return
			}
			value = v
		}
	}
	if (incr < 0 && value < 0 && incr < math.MinInt64-value) ||
		(incr > 0 && value > 0 && incr > math.MaxInt64-value) {
		c.addError(errOverflow)
		return
	}
	value += incr
	if e != nil {
		e.SetValue(keyspace.NewIntObject(value)) // keeps the TTL, as Redis's in-place update
	} else {
		c.db.Set(key, keyspace.NewIntObject(value), false)
	}
	s := c.srv
	s.dirty++
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyString, "incrby", key, c.db.ID)
	c.w.Int(value)
}

// INCR key
func incrCommand(c *client) { c.incrDecr(1) }

// DECR key
func decrCommand(c *client) { c.incrDecr(-1) }

// INCRBY key increment
func incrbyCommand(c *client) {
	if n, ok := c.int64ArgOrReply(2); ok {
		c.incrDecr(n)
	}
}

// DECRBY key decrement
func decrbyCommand(c *client) {
	n, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	if n == math.MinInt64 {
		c.addError("ERR decrement would overflow")
		return
	}
	c.incrDecr(-n)
}

// APPEND key value
func appendCommand(c *client) {
	key, val := c.argv[1], c.argv[2]
	e := c.db.LookupWrite(key, keyspace.Now())
	s := c.srv
	if e == nil {
		// A new key is encoded as SET would (Redis's tryObjectEncoding on the argument).
		c.db.Set(key, keyspace.NewStringObject(val, nil), false)
		c.w.Int(int64(len(val)))
	} else {
		if e.Obj.Type != keyspace.TypeString {
			c.addError(errWrongType)
			return
		}
		total := int64(e.Obj.StringLen()) + int64(len(val))
		if !c.checkStringLength(int64(e.Obj.StringLen()), int64(len(val))) {
			return
		}
		var b []byte
		if e.Obj.Enc == keyspace.EncRaw {
			b = e.Obj.Str
		} else {
			b = e.Obj.AppendString(make([]byte, 0, total))
		}
		e.SetValue(keyspace.NewRawString(append(b, val...)))
		c.w.Int(total)
	}
	s.dirty++
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyString, "append", key, c.db.ID)
}

// STRLEN key
func strlenCommand(c *client) {
	e, ok := c.lookupStringOrReply(c.argv[1])
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	c.w.Int(int64(e.Obj.StringLen()))
}

// checkStringLength is Redis's checkStringLength: a string may not grow past
// proto-max-bulk-len (appendLen and size are non-negative; their sum may overflow).
func (c *client) checkStringLength(appendLen, size int64) bool {
	total := appendLen + size
	if total > c.srv.cfg.ProtoMaxBulkLen || total < appendLen || total < size {
		c.addError(errStringTooLong)
		return false
	}
	return true
}

// newStringValue makes a string value that owns b, as Redis's createStringObject:
// embstr up to 44 bytes, raw beyond, never int (INCRBYFLOAT's result).
func newStringValue(b []byte) keyspace.Object {
	if len(b) <= keyspace.EmbstrSizeLimit {
		return keyspace.Object{Type: keyspace.TypeString, Enc: keyspace.EncEmbstr, Str: b}
	}
	return keyspace.NewRawString(b)
}

// INCRBYFLOAT key increment
//
// The sum is computed in x87 long double precision (internal/conv), as Redis does on
// x86-64, and stored as text: "3" stays an embstr, never int.
func incrbyfloatCommand(c *client) {
	key := c.argv[1]
	e := c.db.LookupWrite(key, keyspace.Now())
	if e != nil && e.Obj.Type != keyspace.TypeString {
		c.addError(errWrongType)
		return
	}
	var cur []byte
	if e != nil {
		var tmp [24]byte
		cur = tmp[:0]
		if e.Obj.Enc == keyspace.EncInt {
			cur = conv.FormatInt(cur, e.Obj.Int)
		} else {
			cur = e.Obj.Str
		}
	}
	out, errMsg := conv.IncrByFloat(nil, cur, e != nil, c.argv[2])
	if errMsg != "" {
		c.addError(errMsg)
		return
	}
	if e != nil {
		e.SetValue(newStringValue(out))
	} else {
		c.db.Set(key, newStringValue(out), false)
	}
	s := c.srv
	// The float result, not the increment, is logged: replaying it cannot round
	// differently.
	c.propagateAs([]byte("SET"), key, out, []byte("KEEPTTL"))
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyString, "incrbyfloat", key, c.db.ID)
	s.dirty++
	c.w.Bulk(out)
}

// GETRANGE key start end (and SUBSTR, its old name)
func getrangeCommand(c *client) {
	start, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	end, ok := c.int64ArgOrReply(3)
	if !ok {
		return
	}
	e, ok := c.lookupStringOrReply(c.argv[1])
	if !ok {
		return
	}
	if e == nil {
		c.w.Bulk(nil)
		return
	}
	var tmp [24]byte
	str := e.Obj.Str
	if e.Obj.Enc == keyspace.EncInt {
		str = conv.FormatInt(tmp[:0], e.Obj.Int)
	}
	n := int64(len(str))
	if start < 0 && end < 0 && start > end {
		c.w.Bulk(nil)
		return
	}
	// Two's complement wrap-around as in C, where strlen is a size_t.
	if start < 0 {
		start = n + start
	}
	if end < 0 {
		end = n + end
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.w.Bulk(nil)
		return
	}
	c.w.Bulk(str[start : end+1])
}

// SETRANGE key offset value
func setrangeCommand(c *client) {
	offset, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	if offset < 0 {
		c.addError("ERR offset is out of range")
		return
	}
	key, val := c.argv[1], c.argv[3]
	e := c.db.LookupWrite(key, keyspace.Now())
	var b []byte
	if e == nil {
		// Setting nothing on a missing key creates nothing.
		if len(val) == 0 {
			c.w.Int(0)
			return
		}
		if !c.checkStringLength(offset, int64(len(val))) {
			return
		}
		b = make([]byte, offset+int64(len(val)))
		copy(b[offset:], val)
		c.db.Set(key, keyspace.NewRawString(b), false)
	} else {
		if e.Obj.Type != keyspace.TypeString {
			c.addError(errWrongType)
			return
		}
		olen := e.Obj.StringLen()
		if len(val) == 0 {
			c.w.Int(int64(olen))
			return
		}
		if !c.checkStringLength(offset, int64(len(val))) {
			return
		}
		need := max(int(offset)+len(val), olen)
		if e.Obj.Enc == keyspace.EncRaw {
			b = e.Obj.Str
		} else {
			b = e.Obj.AppendString(make([]byte, 0, need))
		}
		if need > len(b) {
			// Zero-pad up to the offset (sdsgrowzero).
			b = append(b, make([]byte, need-len(b))...)
		}
		copy(b[offset:], val)
		e.SetValue(keyspace.NewRawString(b))
	}
	s := c.srv
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyString, "setrange", key, c.db.ID)
	s.dirty++
	c.w.Int(int64(len(b)))
}

// lcsMaxTable bounds the bytes of LCS's dynamic-programming table. Redis tries to
// allocate whatever the strings need and replies an error when malloc fails; a Go
// allocation failure is fatal instead, so past this size Cairn replies that error.
const lcsMaxTable = 1 << 30

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
func lcsCommand(c *client) {
	now := keyspace.Now()
	ea := c.db.LookupRead(c.argv[1], now)
	eb := c.db.LookupRead(c.argv[2], now)
	if (ea != nil && ea.Obj.Type != keyspace.TypeString) || (eb != nil && eb.Obj.Type != keyspace.TypeString) {
		c.addError("ERR The specified keys must contain string values")
		return
	}
	var a, b []byte
	if ea != nil {
		a = ea.Obj.AppendString(nil)
	}
	if eb != nil {
		b = eb.Obj.AppendString(nil)
	}
	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(c.argv); j++ {
		more := len(c.argv) - 1 - j
		switch {
		case c.argIs(j, "idx"):
			getIdx = true
		case c.argIs(j, "len"):
			getLen = true
		case c.argIs(j, "withmatchlen"):
			withMatchLen = true
		case c.argIs(j, "minmatchlen") && more > 0:
			n, ok := c.int64ArgOrReply(j + 1)
			if !ok {
				return
			}
			minMatchLen = max(n, 0)
			j++
		default:
			c.addError(errSyntax)
			return
		}
	}
	if getIdx && getLen {
		c.addError("ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	if len(a) >= math.MaxUint32-1 || len(b) >= math.MaxUint32-1 {
		c.addError("ERR String too long for LCS")
		return
	}
	alen, blen := len(a), len(b)
	cells := uint64(alen+1) * uint64(blen+1)
	if cells*4 > lcsMaxTable {
		c.addError("ERR Insufficient memory, failed allocating transient memory for LCS")
		return
	}
	// dp[j+(blen+1)*i] is the length of the LCS of a[:i] and b[:j].
	w := blen + 1
	dp := make([]uint32, cells)
	for i := 1; i <= alen; i++ {
		for j := 1; j <= blen; j++ {
			if a[i-1] == b[j-1] {
				dp[j+w*i] = dp[j-1+w*(i-1)] + 1
			} else {
				dp[j+w*i] = max(dp[j+w*(i-1)], dp[j-1+w*i])
			}
		}
	}

	idx := dp[blen+w*alen]
	computeLCS := getIdx || !getLen
	var result []byte
	if computeLCS {
		result = make([]byte, idx)
	}
	var matches resp.Deferred
	if getIdx {
		c.w.MapLen(2)
		c.w.BulkString("matches")
		matches = c.w.DeferLen()
	}
	// Walk back from the end, emitting the ranges of contiguous matches (Redis's
	// lcsCommand, kept step for step: the order and the MINMATCHLEN filter depend on it).
	arangeStart, arangeEnd, brangeStart, brangeEnd := alen, 0, 0, 0
	ranges := 0
	i, j := alen, blen
	for computeLCS && i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if arangeStart == alen {
				arangeStart, arangeEnd = i-1, i-1
				brangeStart, brangeEnd = j-1, j-1
			} else if arangeStart == i && brangeStart == j {
				arangeStart--
				brangeStart--
			} else {
				emit = true
			}
			if arangeStart == 0 || brangeStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if dp[j+w*(i-1)] > dp[j-1+w*i] {
				i--
			} else {
				j--
			}
			if arangeStart != alen {
				emit = true
			}
		}
		matchLen := arangeEnd - arangeStart + 1
		if emit {
			if (minMatchLen == 0 || int64(matchLen) >= minMatchLen) && getIdx {
				if withMatchLen {
					c.w.ArrayLen(3)
				} else {
					c.w.ArrayLen(2)
				}
				c.w.ArrayLen(2)
				c.w.Int(int64(arangeStart))
				c.w.Int(int64(arangeEnd))
				c.w.ArrayLen(2)
				c.w.Int(int64(brangeStart))
				c.w.Int(int64(brangeEnd))
				if withMatchLen {
					c.w.Int(int64(matchLen))
				}
				ranges++
			}
			arangeStart = alen
		}
	}
	switch {
	case getIdx:
		c.w.SetArrayLen(matches, ranges)
		c.w.BulkString("len")
		c.w.Int(int64(dp[blen+w*alen]))
	case getLen:
		c.w.Int(int64(idx))
	default:
		c.w.Bulk(result)
	}
}
