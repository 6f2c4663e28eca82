package server

import (
	"math"
	"strings"

	"cairn/internal/glob"
	"cairn/internal/keyspace"
)

var keyProcs = procTable{
	"del":       delCommand,
	"unlink":    unlinkCommand,
	"exists":    existsCommand,
	"type":      typeCommand,
	"dbsize":    dbsizeCommand,
	"touch":     touchCommand,
	"keys":      keysCommand,
	"scan":      scanCommand,
	"randomkey": randomkeyCommand,
	"rename":    renameCommand,
	"renamenx":  renamenxCommand,
	"move":      moveCommand,
	"copy":      copyCommand,
	"swapdb":    swapdbCommand,
	"flushdb":   flushdbCommand,
	"flushall":  flushallCommand,
}

// delGeneric is DEL and UNLINK: Cairn frees values through the garbage collector, so
// both are the same (UNLINK's lazy freeing is what the collector already does).
func (c *client) delGeneric() {
	now := keyspace.Now()
	deleted := int64(0)
	s := c.srv
	c.db.PrefetchEvery(c.argv[1:], 1)
	for _, key := range c.argv[1:] {
		if c.db.Delete(key, now) {
			s.signalModifiedKey(c.db, key)
			s.notifyKeyspaceEvent(notifyGeneric, "del", key, c.db.ID)
			s.dirty++
			deleted++
		}
	}
	c.w.Int(deleted)
}

// DEL key [key ...]
func delCommand(c *client) { c.delGeneric() }

// UNLINK key [key ...]
func unlinkCommand(c *client) { c.delGeneric() }

// EXISTS key [key ...]
func existsCommand(c *client) {
	now := keyspace.Now()
	n := int64(0)
	c.db.PrefetchEvery(c.argv[1:], 1)
	for _, key := range c.argv[1:] {
		if c.db.Lookup(key, now, keyspace.LookupNoTouch) != nil {
			n++
		}
	}
	c.w.Int(n)
}

// TYPE key
func typeCommand(c *client) {
	e := c.db.Lookup(c.argv[1], keyspace.Now(), keyspace.LookupNoTouch)
	c.w.SimpleString(typeName(e))
}

// typeName is Redis's getObjectTypeName: "none" for a missing key.
func typeName(e *keyspace.Entry) string {
	if e == nil {
		return "none"
	}
	return e.Obj.Type.String()
}

// DBSIZE
func dbsizeCommand(c *client) { c.w.Int(int64(c.db.Len())) }

// TOUCH key [key ...]
func touchCommand(c *client) {
	now := keyspace.Now()
	n := int64(0)
	for _, key := range c.argv[1:] {
		if c.db.LookupRead(key, now) != nil {
			n++
		}
	}
	c.w.Int(n)
}

// KEYS pattern
//
// Expired keys are left out but not reclaimed, as Redis's keyIsExpired does here. A
// pattern without special characters can only match itself: one lookup answers it.
func keysCommand(c *client) {
	pattern := c.argv[1]
	now := keyspace.Now()
	if glob.IsPlainLiteral(pattern) {
		if e := c.db.Peek(pattern); e != nil && !expired(e, now) {
			c.w.ArrayLen(1)
			c.w.Bulk(pattern)
		} else {
			c.w.ArrayLen(0)
		}
		return
	}
	allKeys := len(pattern) == 1 && pattern[0] == '*'
	pat := string(pattern)
	d := c.w.DeferLen()
	n := 0
	c.db.Each(func(key string, e *keyspace.Entry) bool {
		if (allKeys || glob.MatchString(pat, key, false)) && !expired(e, now) {
			c.w.BulkString(key)
			n++
		}
		return true
	})
	c.w.SetArrayLen(d, n)
}

// expired reports whether e's deadline has passed (keyIsExpired).
func expired(e *keyspace.Entry, now int64) bool { return e.ExpireAt != 0 && e.ExpireAt <= now }

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
func scanCommand(c *client) {
	cursor, ok := parseScanCursor(c.argv[1])
	if !ok {
		c.addError("ERR invalid cursor")
		return
	}
	c.scanGeneric(cursor)
}

// parseScanCursor is parseScanCursorOrReply: C's strtoul in base 10, so a sign is
// allowed ("-1" is 2^64-1), and so is the empty string (cursor 0); a leading space,
// anything after the digits (up to a NUL byte, where C's string ends) or a value
// beyond 64 bits is invalid.
func parseScanCursor(b []byte) (uint64, bool) {
	if len(b) > 0 && isCSpace(b[0]) {
		return 0, false
	}
	i, neg := 0, false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	var v uint64
	overflow := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			overflow = true
		}
		v = v*10 + d
	}
	if i == start {
		// No digits: strtoul consumes nothing, so the text must be empty.
		return 0, len(b) == 0 || b[0] == 0
	}
	if i < len(b) && b[i] != 0 {
		return 0, false
	}
	if overflow {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// isCSpace is C's isspace in the C locale.
func isCSpace(ch byte) bool {
	return ch == ' ' || (ch >= '\t' && ch <= '\r')
}

// scanGeneric is Redis's scanGenericCommand for the keyspace: parse the options, walk
// the dict for up to COUNT keys (at most 10*COUNT buckets), then filter by pattern, by
// type and out expired keys, which are reclaimed.
func (c *client) scanGeneric(cursor uint64) {
	count := int64(10)
	var pattern, typ []byte
	usePattern := false
	for i := 2; i < len(c.argv); {
		more := len(c.argv) - i
		switch {
		case c.argIs(i, "count") && more >= 2:
			n, ok := c.int64ArgOrReply(i + 1)
			if !ok {
				return
			}
			if n < 1 {
				c.addError(errSyntax)
				return
			}
			count = n
			i += 2
		case c.argIs(i, "match") && more >= 2:
			pattern = c.argv[i+1]
			usePattern = !(len(pattern) == 1 && pattern[0] == '*')
			i += 2
		case c.argIs(i, "type") && more >= 2:
			typ = c.argv[i+1]
			i += 2
		default:
			c.addError(errSyntax)
			return
		}
	}

	var keys []string
	maxIterations := count * 10
	for {
		cursor = c.db.Scan(cursor, func(key string, _ *keyspace.Entry) {
			keys = append(keys, key)
		})
		if cursor == 0 || maxIterations == 0 || int64(len(keys)) >= count {
			break
		}
		maxIterations--
	}

	now := keyspace.Now()
	pat := string(pattern)
	kept := keys[:0]
	for _, key := range keys {
		if usePattern && !glob.MatchString(pat, key, false) {
			continue
		}
		kb := []byte(key)
		if typ != nil {
			// Redis looks the key up here (reclaiming it if expired, counting a hit or
			// a miss); an expired key then has type "none" and is no longer there to
			// be filtered as expired.
			e := c.db.Lookup(kb, now, keyspace.LookupNoTouch)
			if !strings.EqualFold(string(typ), typeName(e)) {
				continue
			}
			if e == nil {
				kept = append(kept, key)
				continue
			}
		}
		if c.db.Find(kb, now) == nil {
			continue
		}
		kept = append(kept, key)
	}

	c.w.ArrayLen(2)
	c.w.BulkInt(int64(cursor))
	c.w.ArrayLen(len(kept))
	for _, key := range kept {
		c.w.BulkString(key)
	}
}

// RANDOMKEY
func randomkeyCommand(c *client) {
	key, ok := c.db.RandomKey(keyspace.Now())
	if !ok {
		c.w.Null()
		return
	}
	c.w.BulkString(key)
}

// RENAME key newkey
func renameCommand(c *client) { c.renameGeneric(false) }

// RENAMENX key newkey
func renamenxCommand(c *client) { c.renameGeneric(true) }

// renameGeneric is Redis's renameGenericCommand. The value moves with its deadline and
// its access clock. Renaming a key to itself checks only that it exists.
func (c *client) renameGeneric(nx bool) {
	src, dst := c.argv[1], c.argv[2]
	now := keyspace.Now()
	if c.db.LookupWrite(src, now) == nil {
		c.addError(errNoSuchKey)
		return
	}
	if string(src) == string(dst) {
		if nx {
			c.w.Int(0)
		} else {
			c.w.OK()
		}
		return
	}
	if c.db.LookupWrite(dst, now) != nil && nx {
		c.w.Int(0)
		return
	}
	ent, _ := c.db.Take(src, now)
	c.db.Put(dst, ent)
	s := c.srv
	s.signalKeyAdded(c.db, dst, ent.Obj.Type)
	s.signalModifiedKey(c.db, src)
	s.signalModifiedKey(c.db, dst)
	s.notifyKeyspaceEvent(notifyGeneric, "rename_from", src, c.db.ID)
	s.notifyKeyspaceEvent(notifyGeneric, "rename_to", dst, c.db.ID)
	s.dirty++
	if nx {
		c.w.Int(1)
	} else {
		c.w.OK()
	}
}

// dbArgOrReply parses a database index argument as MOVE and COPY do: an int, then a
// valid index.
func (c *client) dbArgOrReply(arg []byte) (*keyspace.DB, bool) {
	id, ok := parseInt32(arg)
	if !ok {
		c.addError(errNotInteger)
		return nil, false
	}
	if id < 0 || int(id) >= len(c.srv.ks.DBs) {
		c.addError(errDBIndex)
		return nil, false
	}
	return c.srv.ks.DBs[id], true
}

// MOVE key db
func moveCommand(c *client) {
	key := c.argv[1]
	dst, ok := c.dbArgOrReply(c.argv[2])
	if !ok {
		return
	}
	src := c.db
	if src == dst {
		c.addError(errSameObject)
		return
	}
	now := keyspace.Now()
	if src.LookupWrite(key, now) == nil {
		c.w.Int(0)
		return
	}
	if dst.LookupWrite(key, now) != nil {
		c.w.Int(0)
		return
	}
	ent, _ := src.Take(key, now)
	dst.Put(key, ent)
	s := c.srv
	s.signalKeyAdded(dst, key, ent.Obj.Type)
	s.signalModifiedKey(src, key)
	s.signalModifiedKey(dst, key)
	s.notifyKeyspaceEvent(notifyGeneric, "move_from", key, src.ID)
	s.notifyKeyspaceEvent(notifyGeneric, "move_to", key, dst.ID)
	s.dirty++
	c.w.Int(1)
}

// COPY source destination [DB destination-db] [REPLACE]
func copyCommand(c *client) {
	src, dst := c.db, c.db
	replace := false
	for j := 3; j < len(c.argv); j++ {
		switch {
		case c.argIs(j, "replace"):
			replace = true
		case c.argIs(j, "db") && j+1 < len(c.argv):
			db, ok := c.dbArgOrReply(c.argv[j+1])
			if !ok {
				return
			}
			dst = db
			j++
		default:
			c.addError(errSyntax)
			return
		}
	}
	key, newkey := c.argv[1], c.argv[2]
	if src == dst && string(key) == string(newkey) {
		c.addError(errSameObject)
		return
	}
	now := keyspace.Now()
	e := src.LookupRead(key, now)
	if e == nil {
		c.w.Int(0)
		return
	}
	if dst.LookupWrite(newkey, now) != nil && !replace {
		c.w.Int(0)
		return
	}
	obj := e.Obj.Dup()
	obj.LRU = dst.NewObjectClock(now)
	dst.Put(newkey, keyspace.Entry{Obj: obj, ExpireAt: e.ExpireAt})
	s := c.srv
	s.signalKeyAdded(dst, newkey, obj.Type)
	s.signalModifiedKey(dst, newkey)
	s.notifyKeyspaceEvent(notifyGeneric, "copy_to", newkey, dst.ID)
	s.dirty++
	c.w.Int(1)
}

// SWAPDB index1 index2
func swapdbCommand(c *client) {
	id1, ok := parseInt32(c.argv[1])
	if !ok {
		c.addError("ERR invalid first DB index")
		return
	}
	id2, ok := parseInt32(c.argv[2])
	if !ok {
		c.addError("ERR invalid second DB index")
		return
	}
	dbs := c.srv.ks.DBs
	if id1 < 0 || int(id1) >= len(dbs) || id2 < 0 || int(id2) >= len(dbs) {
		c.addError(errDBIndex)
		return
	}
	if id1 != id2 {
		// Clients stay in their DB: the ones blocked there may now be served, the
		// ones watching a key that exists on either side see it changed.
		s := c.srv
		db1, db2 := dbs[id1], dbs[id2]
		db1.Swap(db2)
		s.scanDatabaseForReadyKeys(db1)
		s.touchWatchedKeysInDB(db1, db2)
		s.scanDatabaseForReadyKeys(db2)
		s.touchWatchedKeysInDB(db2, db1)
	}
	c.srv.dirty++
	c.w.OK()
}

// flushFlagsOrReply is getFlushCommandFlags: an optional ASYNC or SYNC. Both flush at
// once here: the garbage collector frees the values in the background either way.
func (c *client) flushFlagsOrReply() bool {
	switch {
	case len(c.argv) == 1:
		return true
	case len(c.argv) == 2 && (c.argIs(1, "sync") || c.argIs(1, "async")):
		return true
	}
	c.addError(errSyntax)
	return false
}

// FLUSHDB [ASYNC|SYNC]
func flushdbCommand(c *client) {
	if !c.flushFlagsOrReply() {
		return
	}
	c.srv.touchWatchedKeysInDB(c.db, nil) // signalFlushedDb
	c.srv.trackingInvalidateKeysOnFlush()
	c.srv.dirty += int64(c.db.Len())
	c.db.Flush()
	c.w.OK()
}

// FLUSHALL [ASYNC|SYNC]
//
// As Redis 7.0's flushAllDataAndResetRDB: dirty grows by the keys removed; a running
// BGSAVE is stopped (its snapshot would bring the old data back); with save points
// configured the empty data set is saved at once, which leaves nothing unsaved. The
// command is propagated even when it removed nothing.
func flushallCommand(c *client) {
	if !c.flushFlagsOrReply() {
		return
	}
	s := c.srv
	s.dirty += s.emptyData(false)
	s.abortBgsave()
	if len(s.cfg.Save) > 0 {
		s.rdbSave() //nolint:errcheck // logged; FLUSHALL succeeds anyway, as in Redis
	}
	c.forcePropagation()
	c.w.OK()
}

// emptyData is Redis's emptyData for every database: it removes every key, telling
// WATCH and client tracking, and, with functions, every function library. It returns
// the number of keys removed. Caller holds the lock.
func (s *Server) emptyData(functions bool) int64 {
	var removed int64
	for _, db := range s.ks.DBs {
		s.touchWatchedKeysInDB(db, nil) // signalFlushedDb
		removed += int64(db.Len())
		db.Flush()
	}
	s.trackingInvalidateKeysOnFlush()
	if functions {
		s.flushFunctions()
	}
	return removed
}

// signalKeyAdded is dbAdd's wake-up: a list, sorted set or stream appearing under key
// (RENAME, MOVE, COPY) may serve clients blocked on it. Other types wake no one, as in
// Redis 7.0.
func (s *Server) signalKeyAdded(db *keyspace.DB, key []byte, t keyspace.Type) {
	switch t {
	case keyspace.TypeList, keyspace.TypeZSet, keyspace.TypeStream:
		s.signalKeyAsReady(db, key)
	}
}

// scanDatabaseForReadyKeys is Redis's scanDatabaseForReadyLists, run after SWAPDB:
// every key of db that clients are blocked on and that now holds a list, sorted set
// or stream is signalled ready.
func (s *Server) scanDatabaseForReadyKeys(db *keyspace.DB) {
	for bk := range s.blockedOnKey {
		if bk.db != db.ID {
			continue
		}
		key := []byte(bk.key)
		if e := db.Peek(key); e != nil {
			s.signalKeyAdded(db, key, e.Obj.Type)
		}
	}
}
