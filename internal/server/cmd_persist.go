package server

import (
	"errors"
	"strings"

	"cairn/internal/conv"
	"cairn/internal/keyspace"
	"cairn/internal/persist/rdb"
)

var persistProcs = procTable{
	"save":    saveCommand,
	"bgsave":  bgsaveCommand,
	"dump":    dumpCommand,
	"restore": restoreCommand,
}

// SAVE
func saveCommand(c *client) {
	if err := c.srv.save(); err != nil {
		if strings.HasPrefix(err.Error(), "ERR ") {
			c.addError(err.Error())
			return
		}
		c.addError("ERR " + err.Error())
		return
	}
	c.w.OK()
}

// BGSAVE [SCHEDULE]
func bgsaveCommand(c *client) {
	s := c.srv
	schedule := false
	if len(c.argv) > 1 {
		if len(c.argv) == 2 && c.argIs(1, "schedule") {
			schedule = true
		} else {
			c.addError(errSyntax)
			return
		}
	}
	if s.rdb.bgsaveRunning { // even with SCHEDULE, as Redis
		c.addError("ERR Background save already in progress")
		return
	}
	if s.aofrw.job != nil { // an AOF rewrite holds the snapshot
		if schedule {
			s.rdb.scheduled = true
			c.w.SimpleString("Background saving scheduled")
			return
		}
		c.addError(errBgsaveChildActive)
		return
	}
	if err := s.bgsave(); err != nil {
		c.addError(err.Error())
		return
	}
	c.w.SimpleString("Background saving started")
}

// DUMP key
func dumpCommand(c *client) {
	e := c.db.LookupRead(c.argv[1], keyspace.Now())
	if e == nil {
		c.w.Null()
		return
	}
	v, err := valueToRDB(&e.Obj)
	if err != nil {
		c.addError("ERR " + err.Error())
		return
	}
	payload, err := rdb.DumpPayload(nil, &v, c.srv.cfg.RDBCompression)
	if err != nil {
		c.addError("ERR " + err.Error())
		return
	}
	c.w.Bulk(payload)
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
func restoreCommand(c *client) {
	s := c.srv
	replace, absTTL := false, false
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(c.argv); j++ {
		more := len(c.argv) - j - 1
		switch {
		case c.argIs(j, "replace"):
			replace = true
		case c.argIs(j, "absttl"):
			absTTL = true
		case c.argIs(j, "idletime") && more >= 1 && freq == -1:
			n, ok := c.int64ArgOrReply(j + 1)
			if !ok {
				return
			}
			if n < 0 {
				c.addError("ERR Invalid IDLETIME value, must be >= 0")
				return
			}
			idle = n
			j++
		case c.argIs(j, "freq") && more >= 1 && idle == -1:
			n, ok := c.int64ArgOrReply(j + 1)
			if !ok {
				return
			}
			if n < 0 || n > 255 {
				c.addError("ERR Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq = n
			j++
		default:
			c.addError(errSyntax)
			return
		}
	}
	key := c.argv[1]
	now := keyspace.Now()
	if !replace && c.db.LookupWrite(key, now) != nil {
		c.addError("BUSYKEY Target key name already exists.")
		return
	}
	ttl, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	if ttl < 0 {
		c.addError("ERR Invalid TTL value, must be >= 0")
		return
	}
	v, err := rdb.ParseDumpPayload(c.argv[3])
	if err != nil {
		var cs *rdb.ChecksumError
		if errors.As(err, &cs) || strings.Contains(err.Error(), "version") {
			c.addError("ERR DUMP payload version or checksum are wrong")
			return
		}
		c.addError("ERR Bad data format")
		return
	}
	obj, err := objectFromRDB(&v, s.limits())
	if err != nil {
		c.addError("ERR Bad data format")
		return
	}
	deleted := replace && c.db.Delete(key, now)
	if ttl != 0 && !absTTL {
		ttl += now
	}
	if ttl != 0 && ttl <= now {
		// Already expired: nothing is created (a replaced key is just deleted).
		if deleted {
			c.propagateAs([]byte("DEL"), key)
			s.dirty++
			s.signalModifiedKey(c.db, key)
			s.notifyKeyspaceEvent(notifyGeneric, "del", key, c.db.ID)
		}
		c.w.OK()
		return
	}
	obj.LRU = s.ks.RestoredClock(now, idle, freq)
	c.db.Put(key, keyspace.Entry{Obj: obj, ExpireAt: ttl})
	if ttl != 0 {
		// Logged with the absolute deadline, as Redis 7.0 rewrites RESTORE.
		argv := [][]byte{[]byte("RESTORE"), key, conv.FormatInt(nil, ttl), c.argv[3], []byte("ABSTTL")}
		if replace {
			argv = append(argv, []byte("REPLACE"))
		}
		c.propagateAs(argv...)
	}
	s.signalModifiedKey(c.db, key)
	s.notifyKeyspaceEvent(notifyGeneric, "restore", key, c.db.ID)
	s.signalKeyAsReady(c.db, key)
	s.dirty++
	c.w.OK()
}
