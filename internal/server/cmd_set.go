package server

import (
	"math"
	"slices"

	"cairn/internal/config"
	"cairn/internal/glob"
	"cairn/internal/keyspace"
	"cairn/internal/persist/rdb"
	"cairn/internal/resp"
	"cairn/internal/types"
)

// The set commands, as Redis 7.0's t_set.c. A set is an intset while it holds only
// integers, up to set-max-intset-entries, and a hash table otherwise (types.Set).

var setProcs = procTable{
	"sadd":        saddCommand,
	"srem":        sremCommand,
	"smembers":    sinterCommand, // as in Redis 7.0: SMEMBERS is SINTER of one key
	"sismember":   sismemberCommand,
	"smismember":  smismemberCommand,
	"scard":       scardCommand,
	"spop":        spopCommand,
	"srandmember": srandmemberCommand,
	"smove":       smoveCommand,
	"sinter":      sinterCommand,
	"sintercard":  sintercardCommand,
	"sinterstore": sinterstoreCommand,
	"sunion":      sunionCommand,
	"sunionstore": sunionstoreCommand,
	"sdiff":       sdiffCommand,
	"sdiffstore":  sdiffstoreCommand,
	"sscan":       sscanCommand,
}

// notifySet is the keyspace event class of set events ('s').
const notifySet = config.NotifySet

// setOf returns the set held by a live entry of type set.
func setOf(e *keyspace.Entry) *types.Set { return e.Obj.Ptr.(*types.Set) }

// setObject wraps a set as a value. The set knows its encoding (OBJECT ENCODING asks
// it); the object's Enc field, which DEBUG OBJECT shows, is kept in step by every
// command that may convert a set in place (SADD, SMOVE).
func setObject(s *types.Set) keyspace.Object {
	return keyspace.Object{Type: keyspace.TypeSet, Enc: s.Encoding(), Ptr: s}
}

// replySetMember sends one member as a bulk reply.
func (c *client) replySetMember(m types.Member) {
	if m.IsInt {
		c.w.BulkInt(m.Int)
		return
	}
	c.w.Bulk(m.Str)
}

// SADD key member [member ...]
func saddCommand(c *client) {
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeSet)
	if !ok {
		return
	}
	var set *types.Set
	if e == nil {
		// setTypeCreate: the first member chooses the encoding.
		set = types.NewSet(c.argv[2])
		e = c.db.Set(key, setObject(set), false)
	} else {
		set = setOf(e)
	}
	lim := c.srv.limits()
	added := 0
	for _, m := range c.argv[2:] {
		if set.Add(m, lim) {
			added++
		}
	}
	e.Obj.Enc = set.Encoding() // the object's field follows a conversion (DEBUG OBJECT)
	s := c.srv
	if added > 0 {
		s.signalModifiedKey(c.db, key)
		s.notifyKeyspaceEvent(notifySet, "sadd", key, c.db.ID)
	}
	s.dirty += int64(added)
	c.w.Int(int64(added))
}

// SREM key member [member ...]
func sremCommand(c *client) {
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	set := setOf(e)
	deleted := 0
	for _, m := range c.argv[2:] {
		if set.Remove(m) {
			deleted++
			if set.Len() == 0 {
				break
			}
		}
	}
	if deleted > 0 {
		s := c.srv
		s.signalModifiedKey(c.db, key)
		s.notifyKeyspaceEvent(notifySet, "srem", key, c.db.ID)
		c.deleteIfEmpty(key, set.Len())
		s.dirty += int64(deleted)
	}
	c.w.Int(int64(deleted))
}

// SMOVE source destination member
func smoveCommand(c *client) {
	srcKey, dstKey, member := c.argv[1], c.argv[2], c.argv[3]
	now := keyspace.Now()
	srcEntry := c.db.LookupWrite(srcKey, now)
	dstEntry := c.db.LookupWrite(dstKey, now)
	if srcEntry == nil {
		c.w.Int(0)
		return
	}
	if srcEntry.Obj.Type != keyspace.TypeSet || (dstEntry != nil && dstEntry.Obj.Type != keyspace.TypeSet) {
		c.addError(errWrongType)
		return
	}
	src := setOf(srcEntry)
	var dst *types.Set
	if dstEntry != nil {
		dst = setOf(dstEntry)
	}
	if src == dst {
		// The same key: a membership test.
		if src.IsMember(member) {
			c.w.Int(1)
		} else {
			c.w.Int(0)
		}
		return
	}
	if !src.Remove(member) {
		c.w.Int(0)
		return
	}
	s := c.srv
	s.notifyKeyspaceEvent(notifySet, "srem", srcKey, c.db.ID)
	c.deleteIfEmpty(srcKey, src.Len())
	if dst == nil {
		dst = types.NewSet(member)
		dstEntry = c.db.Set(dstKey, setObject(dst), false)
	}
	s.signalModifiedKey(c.db, srcKey)
	s.dirty++
	added := dst.Add(member, s.limits())
	dstEntry.Obj.Enc = dst.Encoding()
	if added {
		s.dirty++
		s.signalModifiedKey(c.db, dstKey)
		s.notifyKeyspaceEvent(notifySet, "sadd", dstKey, c.db.ID)
	}
	c.w.Int(1)
}

// SISMEMBER key member
func sismemberCommand(c *client) {
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeSet)
	if !ok {
		return
	}
	if e != nil && setOf(e).IsMember(c.argv[2]) {
		c.w.Int(1)
	} else {
		c.w.Int(0)
	}
}

// SMISMEMBER key member [member ...]
func smismemberCommand(c *client) {
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeSet)
	if !ok {
		return
	}
	c.w.ArrayLen(len(c.argv) - 2)
	for _, m := range c.argv[2:] {
		if e != nil && setOf(e).IsMember(m) {
			c.w.Int(1)
		} else {
			c.w.Int(0)
		}
	}
}

// SCARD key
func scardCommand(c *client) {
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Int(0)
		return
	}
	c.w.Int(int64(setOf(e).Len()))
}

// SPOP key [count]
func spopCommand(c *client) {
	switch {
	case len(c.argv) == 3:
		c.spopWithCount()
		return
	case len(c.argv) > 3:
		c.addError(errSyntax)
		return
	}
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	set := setOf(e)
	m := set.Pop(c.srv.rng)
	s := c.srv
	s.notifyKeyspaceEvent(notifySet, "spop", key, c.db.ID)
	// Propagated as the SREM it amounted to.
	c.propagateAs([]byte("SREM"), key, m.Append(nil))
	c.replySetMember(m)
	c.deleteIfEmpty(key, set.Len())
	s.signalModifiedKey(c.db, key)
	s.dirty++
}

// spopMoveStrategyMul is Redis's SPOP_MOVE_STRATEGY_MUL: SPOP with a count pops the
// elements one by one while the set keeps more than count/5 of them, and otherwise
// moves the ones that remain to a new set.
const spopMoveStrategyMul = 5

// spopWithCount is Redis's spopWithCountCommand.
func (c *client) spopWithCount() {
	n, ok := c.positiveLongOrReply(c.argv[2], "")
	if !ok {
		return
	}
	count := int(min(n, math.MaxInt))
	key := c.argv[1]
	e, ok := c.lookupWriteOrReply(key, keyspace.TypeSet)
	if !ok {
		return
	}
	if e == nil || count == 0 {
		c.w.SetLen(0)
		return
	}
	set := setOf(e)
	size := set.Len()
	s := c.srv
	s.notifyKeyspaceEvent(notifySet, "spop", key, c.db.ID)

	// CASE 1: the whole set is popped: reply with it (as SUNION would) and delete the
	// key, which is what is propagated.
	if count >= size {
		// Redis replies through sunionDiffGenericCommand, whose read lookup counts a
		// keyspace hit.
		c.db.LookupRead(key, keyspace.Now())
		c.w.SetLen(size)
		set.Iterate(func(m types.Member) bool {
			c.replySetMember(m)
			return true
		})
		c.db.Delete(key, 0)
		s.notifyKeyspaceEvent(notifyGeneric, "del", key, c.db.ID)
		// Redis 7.0 logs UNLINK under lazyfree-lazy-server-del, which Cairn ignores
		// (it frees nothing in the background): always DEL.
		c.propagateAs([]byte("DEL"), key)
		s.signalModifiedKey(c.db, key)
		s.dirty += int64(size)
		return
	}

	// The popped members are propagated as one SREM (Redis sends one SREM each; the
	// effect is the same).
	var prop [][]byte
	if s.aof != nil {
		prop = make([][]byte, 0, 2+count)
		prop = append(prop, []byte("SREM"), key)
	}
	c.w.SetLen(count)
	remaining := size - count
	if remaining*spopMoveStrategyMul > count {
		// CASE 2: few to pop: pop them one by one.
		for range count {
			m := set.Pop(c.srv.rng)
			c.replySetMember(m)
			if prop != nil {
				prop = append(prop, m.Append(nil))
			}
		}
	} else {
		// CASE 3: most of the set goes: move the members that stay to a new set
		// (whose encoding the first of them chooses, as setTypeCreate), then reply
		// with what is left of the old one, which replaces it.
		var newset *types.Set
		lim := s.limits()
		var buf []byte
		for range remaining {
			m := set.Pop(c.srv.rng)
			buf = m.Append(buf[:0])
			if newset == nil {
				newset = types.NewSet(buf)
			}
			newset.Add(buf, lim)
		}
		set.Iterate(func(m types.Member) bool {
			c.replySetMember(m)
			if prop != nil {
				prop = append(prop, m.Append(nil))
			}
			return true
		})
		e.SetValue(setObject(newset))
	}
	if prop != nil {
		c.propagateAs(prop...)
	}
	s.signalModifiedKey(c.db, key)
	s.dirty += int64(count)
}

// srandmemberSubStrategyMul is Redis's SRANDMEMBER_SUB_STRATEGY_MUL: a sample of
// more than a third of the set is made by removing random members from a copy.
const srandmemberSubStrategyMul = 3

// SRANDMEMBER key [count]
func srandmemberCommand(c *client) {
	switch {
	case len(c.argv) == 3:
		c.srandmemberWithCount()
		return
	case len(c.argv) > 3:
		c.addError(errSyntax)
		return
	}
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeSet)
	if !ok {
		return
	}
	if e == nil {
		c.w.Null()
		return
	}
	c.replySetMember(setOf(e).Random(c.srv.rng))
}

// srandmemberWithCount is Redis's srandmemberWithCountCommand.
func (c *client) srandmemberWithCount() {
	l, ok := c.rangeLongOrReply(c.argv[2], -math.MaxInt64, math.MaxInt64, "")
	if !ok {
		return
	}
	uniq := true
	if l < 0 {
		l, uniq = -l, false
	}
	count := int(min(l, math.MaxInt))
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeSet)
	if !ok {
		return
	}
	if e == nil || count == 0 {
		c.w.ArrayLen(0)
		return
	}
	set := setOf(e)
	size := set.Len()

	// CASE 1: a negative count: members may repeat.
	if !uniq || count == 1 {
		c.w.ArrayLen(count)
		for range count {
			c.replySetMember(set.Random(c.srv.rng))
		}
		return
	}

	// CASE 2: at least the whole set: all of it.
	if count >= size {
		c.w.ArrayLen(size)
		set.Iterate(func(m types.Member) bool {
			c.replySetMember(m)
			return true
		})
		return
	}

	var d *types.Set
	if count*srandmemberSubStrategyMul > size {
		// CASE 3: a large part of the set: copy it, remove random members down to
		// count.
		d = types.NewHashSet(size)
		set.Iterate(func(m types.Member) bool {
			d.AddMember(m, types.Limits{})
			return true
		})
		for d.Len() > count {
			d.Pop(c.srv.rng)
		}
	} else {
		// CASE 4: a small part: add random members until there are count distinct.
		d = types.NewHashSet(count)
		for d.Len() < count {
			d.AddMember(set.Random(c.srv.rng), types.Limits{})
		}
	}
	c.w.ArrayLen(count)
	d.Iterate(func(m types.Member) bool {
		c.replySetMember(m)
		return true
	})
}

// SINTER key [key ...] (also SMEMBERS key)
func sinterCommand(c *client) { c.sinterGeneric(c.argv[1:], nil, false, 0) }

// SINTERSTORE destination key [key ...]
func sinterstoreCommand(c *client) { c.sinterGeneric(c.argv[2:], c.argv[1], false, 0) }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func sintercardCommand(c *client) {
	numkeys, ok := c.rangeLongOrReply(c.argv[1], 1, math.MaxInt64, "ERR numkeys should be greater than 0")
	if !ok {
		return
	}
	if numkeys > int64(len(c.argv)-2) {
		c.addError("ERR Number of keys can't be greater than number of args")
		return
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(c.argv); j++ {
		if c.argIs(j, "limit") && j < len(c.argv)-1 {
			j++
			if limit, ok = c.positiveLongOrReply(c.argv[j], "ERR LIMIT can't be negative"); !ok {
				return
			}
		} else {
			c.addError(errSyntax)
			return
		}
	}
	c.sinterGeneric(c.argv[2:2+numkeys], nil, true, limit)
}

// lookupSetsOrReply looks up keys for reading (missing keys are nil sets). It replies
// WRONGTYPE at the first key of another type, after looking up the ones before it.
func (c *client) lookupSetsOrReply(keys [][]byte) ([]*types.Set, bool) {
	sets := make([]*types.Set, len(keys))
	for j, key := range keys {
		e, ok := c.lookupReadOrReply(key, keyspace.TypeSet)
		if !ok {
			return nil, false
		}
		if e != nil {
			sets[j] = setOf(e)
		}
	}
	return sets, true
}

// storeSetResult stores the result of a *STORE command at dstKey (replacing any value,
// deadline included) or deletes dstKey when the result is empty, and replies with the
// result's size (the tail of sinterGenericCommand and sunionDiffGenericCommand).
func (c *client) storeSetResult(dstKey []byte, result *types.Set, event string) {
	s := c.srv
	if n := result.Len(); n > 0 {
		c.db.Set(dstKey, setObject(result), false)
		s.signalModifiedKey(c.db, dstKey)
		c.w.Int(int64(n))
		s.notifyKeyspaceEvent(notifySet, event, dstKey, c.db.ID)
		s.dirty++
		return
	}
	c.w.Int(0)
	c.deleteStoreTarget(dstKey)
}

// deleteStoreTarget deletes the destination of a *STORE command whose result is empty.
func (c *client) deleteStoreTarget(dstKey []byte) {
	if c.db.Delete(dstKey, keyspace.Now()) {
		s := c.srv
		s.dirty++
		s.signalModifiedKey(c.db, dstKey)
		s.notifyKeyspaceEvent(notifyGeneric, "del", dstKey, c.db.ID)
	}
}

// sinterGeneric is Redis's sinterGenericCommand: SINTER (SMEMBERS), SINTERSTORE when
// dstKey is set, SINTERCARD when cardinalityOnly (stopping at limit if not 0).
func (c *client) sinterGeneric(keys [][]byte, dstKey []byte, cardinalityOnly bool, limit int64) {
	sets, ok := c.lookupSetsOrReply(keys)
	if !ok {
		return
	}
	// The intersection with a missing key (an empty set) is empty.
	if slices.Contains(sets, nil) {
		switch {
		case dstKey != nil:
			c.deleteStoreTarget(dstKey)
			c.w.Int(0)
		case cardinalityOnly:
			c.w.Int(0)
		default:
			c.w.SetLen(0)
		}
		return
	}
	// Smallest first: each member of the smallest is tested against the others.
	slices.SortStableFunc(sets, func(a, b *types.Set) int { return a.Len() - b.Len() })

	var dst *types.Set
	var d resp.Deferred
	switch {
	case dstKey != nil:
		dst = types.NewIntSet()
	case !cardinalityOnly:
		d = c.w.DeferLen()
	}
	lim := c.srv.limits()
	var cardinality int64
	sets[0].Iterate(func(m types.Member) bool {
		for _, other := range sets[1:] {
			if other != sets[0] && !other.IsMemberOf(m) {
				return true
			}
		}
		switch {
		case cardinalityOnly:
			cardinality++
			if limit != 0 && cardinality >= limit {
				return false
			}
		case dst == nil:
			c.replySetMember(m)
			cardinality++
		default:
			dst.AddMember(m, lim)
		}
		return true
	})
	switch {
	case cardinalityOnly:
		c.w.Int(cardinality)
	case dst != nil:
		c.storeSetResult(dstKey, dst, "sinterstore")
	default:
		c.w.SetSetLen(d, int(cardinality))
	}
}

// The set operations of sunionDiffGeneric.
const (
	setOpUnion = iota
	setOpDiff
)

// SUNION key [key ...]
func sunionCommand(c *client) { c.sunionDiffGeneric(c.argv[1:], nil, setOpUnion) }

// SUNIONSTORE destination key [key ...]
func sunionstoreCommand(c *client) { c.sunionDiffGeneric(c.argv[2:], c.argv[1], setOpUnion) }

// SDIFF key [key ...]
func sdiffCommand(c *client) { c.sunionDiffGeneric(c.argv[1:], nil, setOpDiff) }

// SDIFFSTORE destination key [key ...]
func sdiffstoreCommand(c *client) { c.sunionDiffGeneric(c.argv[2:], c.argv[1], setOpDiff) }

// sunionDiffGeneric is Redis's sunionDiffGenericCommand. The result is built in a new
// set that starts as an intset, so it gets the encoding its members call for — except
// that SDIFF's second algorithm copies the first set whole before removing members,
// so its result may stay a hash table of integers, as in Redis.
func (c *client) sunionDiffGeneric(keys [][]byte, dstKey []byte, op int) {
	sets, ok := c.lookupSetsOrReply(keys)
	if !ok {
		return
	}
	sameset := false
	for _, set := range sets[1:] {
		if set != nil && set == sets[0] {
			sameset = true
		}
	}
	// Pick the DIFF algorithm: 1 is O(N*M), N the size of the first set and M the
	// number of sets; 2 is O(N), N the total number of members.
	diffAlgo := 1
	if op == setOpDiff && sets[0] != nil && !sameset {
		var algoOneWork, algoTwoWork int
		for _, set := range sets {
			if set == nil {
				continue
			}
			algoOneWork += sets[0].Len()
			algoTwoWork += set.Len()
		}
		// Algorithm 1 has better constant times and stops early on members in
		// common: give it some advantage.
		algoOneWork /= 2
		if algoOneWork > algoTwoWork {
			diffAlgo = 2
		}
		if diffAlgo == 1 && len(sets) > 1 {
			// Largest first, to find shared members sooner.
			rest := sets[1:]
			slices.SortStableFunc(rest, func(a, b *types.Set) int { return setLen(b) - setLen(a) })
		}
	}

	lim := c.srv.limits()
	dst := types.NewIntSet()
	switch {
	case op == setOpUnion:
		for _, set := range sets {
			if set == nil {
				continue
			}
			set.Iterate(func(m types.Member) bool {
				dst.AddMember(m, lim)
				return true
			})
		}
	case sameset:
		// The first set minus itself: empty.
	case sets[0] != nil && diffAlgo == 1:
		sets[0].Iterate(func(m types.Member) bool {
			for _, other := range sets[1:] {
				if other == nil {
					continue
				}
				if other == sets[0] || other.IsMemberOf(m) {
					return true
				}
			}
			dst.AddMember(m, lim)
			return true
		})
	case sets[0] != nil && diffAlgo == 2:
		for j, set := range sets {
			if set == nil {
				continue
			}
			set.Iterate(func(m types.Member) bool {
				if j == 0 {
					dst.AddMember(m, lim)
				} else {
					dst.RemoveMember(m)
				}
				return true
			})
			if dst.Len() == 0 {
				break
			}
		}
	}

	if dstKey == nil {
		c.w.SetLen(dst.Len())
		dst.Iterate(func(m types.Member) bool {
			c.replySetMember(m)
			return true
		})
		return
	}
	event := "sunionstore"
	if op == setOpDiff {
		event = "sdiffstore"
	}
	c.storeSetResult(dstKey, dst, event)
}

// setLen is the size of a possibly missing set.
func setLen(s *types.Set) int {
	if s == nil {
		return 0
	}
	return s.Len()
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
func sscanCommand(c *client) {
	cursor, ok := parseScanCursor(c.argv[2])
	if !ok {
		c.addError("ERR invalid cursor")
		return
	}
	// As Redis: the key first, then the options (a missing key replies an empty scan
	// whatever they are).
	e, ok := c.lookupReadOrReply(c.argv[1], keyspace.TypeSet)
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

	set := setOf(e)
	var found []types.Member
	maxIterations := count * 10
	if maxIterations/10 != count {
		maxIterations = math.MaxInt64
	}
	for {
		cursor = set.Scan(cursor, func(m types.Member) { found = append(found, m) })
		if cursor == 0 || maxIterations == 0 || int64(len(found)) >= count {
			break
		}
		maxIterations--
	}
	kept := found[:0]
	var buf []byte
	for _, m := range found {
		if usePattern {
			buf = m.Append(buf[:0])
			if !glob.Match(pattern, buf, false) {
				continue
			}
		}
		kept = append(kept, m)
	}
	c.w.ArrayLen(2)
	c.w.BulkInt(int64(cursor))
	c.w.ArrayLen(len(kept))
	for _, m := range kept {
		c.replySetMember(m)
	}
}

// Sets in RDB files and DUMP payloads (rdb.go): saved through types.Set's RDBValue,
// loaded here.
func init() {
	rdbLoaders[keyspace.TypeSet] = func(v *rdb.Value, lim types.Limits) (keyspace.Object, error) {
		s, err := types.SetFromRDB(v, lim)
		if err != nil {
			return keyspace.Object{}, err
		}
		return setObject(s), nil
	}
}
