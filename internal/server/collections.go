package server

import (
	"cairn/internal/keyspace"
	"cairn/internal/types"
)

// Shared helpers for the collection commands (cmd_list.go, cmd_hash.go, cmd_set.go,
// cmd_zset.go): Redis's lookupKeyReadOrReply / lookupKeyWriteOrReply plus checkType.

// lookupReadOrReply finds key for a read command (counting a hit or miss). It replies
// WRONGTYPE and returns ok=false when the key holds another type; a missing key is
// (nil, true) and the caller sends its empty reply.
func (c *client) lookupReadOrReply(key []byte, t keyspace.Type) (*keyspace.Entry, bool) {
	e := c.db.LookupRead(key, keyspace.Now())
	if e != nil && e.Obj.Type != t {
		c.addError(errWrongType)
		return nil, false
	}
	return e, true
}

// lookupWriteOrReply is lookupReadOrReply for a write command (no hit/miss stats).
func (c *client) lookupWriteOrReply(key []byte, t keyspace.Type) (*keyspace.Entry, bool) {
	e := c.db.LookupWrite(key, keyspace.Now())
	if e != nil && e.Obj.Type != t {
		c.addError(errWrongType)
		return nil, false
	}
	return e, true
}

// limits returns the current encoding thresholds from the configuration.
func (s *Server) limits() types.Limits {
	cfg := s.cfg
	return types.Limits{
		HashMaxListpackEntries: int(cfg.HashMaxListpackEntries),
		HashMaxListpackValue:   int(cfg.HashMaxListpackValue),
		SetMaxIntsetEntries:    int(cfg.SetMaxIntsetEntries),
		ZsetMaxListpackEntries: int(cfg.ZsetMaxListpackEntries),
		ZsetMaxListpackValue:   int(cfg.ZsetMaxListpackValue),
		ListMaxListpackSize:    int(cfg.ListMaxListpackSize),
		ListCompressDepth:      int(cfg.ListCompressDepth),
	}
}

// deleteIfEmpty removes key when its collection became empty, as every Redis command
// that removes elements does, and fires the "del" event. It reports whether it did.
func (c *client) deleteIfEmpty(key []byte, n int) bool {
	if n > 0 {
		return false
	}
	c.db.Delete(key, 0)
	c.srv.notifyKeyspaceEvent(notifyGeneric, "del", key, c.db.ID)
	return true
}
