package server

import (
	"cairn/internal/conv"
	"math"

	"cairn/internal/keyspace"
)

var expireProcs = procTable{
	"expire":      expireCommand,
	"pexpire":     pexpireCommand,
	"expireat":    expireatCommand,
	"pexpireat":   pexpireatCommand,
	"ttl":         ttlCommand,
	"pttl":        pttlCommand,
	"expiretime":  expiretimeCommand,
	"pexpiretime": pexpiretimeCommand,
	"persist":     persistCommand,
}

// EXPIRE options (expire.c EXPIRE_*).
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

// EXPIRE key seconds [NX|XX|GT|LT]
func expireCommand(c *client) { c.expireGeneric(keyspace.Now(), true) }

// PEXPIRE key milliseconds [NX|XX|GT|LT]
func pexpireCommand(c *client) { c.expireGeneric(keyspace.Now(), false) }

// EXPIREAT key unix-time-seconds [NX|XX|GT|LT]
func expireatCommand(c *client) { c.expireGeneric(0, true) }

// PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]
func pexpireatCommand(c *client) { c.expireGeneric(0, false) }

// expireFlagsOrReply is parseExtendedExpireArgumentsOrReply.
func (c *client) expireFlagsOrReply() (int, bool) {
	flags := 0
	for j := 3; j < len(c.argv); j++ {
		switch {
		case c.argIs(j, "nx"):
			flags |= expireNX
		case c.argIs(j, "xx"):
			flags |= expireXX
		case c.argIs(j, "gt"):
			flags |= expireGT
		case c.argIs(j, "lt"):
			flags |= expireLT
		default:
			c.addError("ERR Unsupported option " + clip(c.argv[j], len(c.argv[j])))
			return 0, false
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		c.addError("ERR NX and XX, GT or LT options at the same time are not compatible")
		return 0, false
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		c.addError("ERR GT and LT options at the same time are not compatible")
		return 0, false
	}
	return flags, true
}

// expireGeneric is Redis's expireGenericCommand. basetime is now for the relative
// forms, 0 for the *AT forms; seconds says the argument's unit. A deadline not in the
// future deletes the key (and is propagated as DEL); otherwise the deadline is set.
// Negative arguments are allowed; only overflow is an error.
func (c *client) expireGeneric(basetime int64, seconds bool) {
	flags, ok := c.expireFlagsOrReply()
	if !ok {
		return
	}
	when, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.addError(c.invalidExpireError())
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-basetime {
		c.addError(c.invalidExpireError())
		return
	}
	when += basetime

	key := c.argv[1]
	now := keyspace.Now()
	e := c.db.LookupWrite(key, now)
	if e == nil {
		c.w.Int(0)
		return
	}
	if flags != 0 {
		current := e.ExpireAt // 0: no deadline, Redis's -1
		switch {
		case flags&expireNX != 0 && current != 0,
			flags&expireXX != 0 && current == 0,
			// No deadline is an infinite TTL: GT always fails, LT always succeeds.
			flags&expireGT != 0 && (current == 0 || when <= current),
			flags&expireLT != 0 && current != 0 && when >= current:
			c.w.Int(0)
			return
		}
	}
	s := c.srv
	if when <= now {
		c.db.Delete(key, 0)
		c.propagateAs([]byte("DEL"), key)
		s.dirty++
		s.signalModifiedKey(c.db, key)
		s.notifyKeyspaceEvent(notifyGeneric, "del", key, c.db.ID)
		c.w.Int(1)
		return
	}
	c.db.SetExpire(key, e, when)
	// Logged as PEXPIREAT with the absolute deadline, keeping the NX/XX/GT/LT flags.
	argv := append([][]byte{[]byte("PEXPIREAT"), key, conv.FormatInt(nil, when)}, c.argv[3:]...)
	c.propagateAs(argv...)
	c.w.Int(1)
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyGeneric, "expire", key, c.db.ID)
	s.dirty++
}

// TTL key
func ttlCommand(c *client) { c.ttlGeneric(false, false) }

// PTTL key
func pttlCommand(c *client) { c.ttlGeneric(true, false) }

// EXPIRETIME key
func expiretimeCommand(c *client) { c.ttlGeneric(false, true) }

// PEXPIRETIME key
func pexpiretimeCommand(c *client) { c.ttlGeneric(true, true) }

// ttlGeneric is Redis's ttlGenericCommand: -2 for a missing key, -1 for no deadline,
// else the time left (or the deadline itself with abs), never negative; seconds are
// rounded to nearest.
func (c *client) ttlGeneric(ms, abs bool) {
	now := keyspace.Now()
	e := c.db.Lookup(c.argv[1], now, keyspace.LookupNoTouch)
	if e == nil {
		c.w.Int(-2)
		return
	}
	if e.ExpireAt == 0 {
		c.w.Int(-1)
		return
	}
	ttl := e.ExpireAt
	if !abs {
		ttl -= now
	}
	ttl = max(ttl, 0)
	if !ms {
		// Without wrapping near 2^63 ms: redis-server's build computes this exactly.
		ttl = int64((uint64(ttl) + 500) / 1000)
	}
	c.w.Int(ttl)
}

// PERSIST key
func persistCommand(c *client) {
	key := c.argv[1]
	e := c.db.LookupWrite(key, keyspace.Now())
	if e == nil || !c.db.Persist(key, e) {
		c.w.Int(0)
		return
	}
	s := c.srv
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyGeneric, "persist", key, c.db.ID)
	c.w.Int(1)
	s.dirty++
}
