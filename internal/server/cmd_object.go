package server

import (
	"cairn/internal/types"
	"math"
	"strings"

	"cairn/internal/keyspace"
)

var objectProcs = procTable{
	"object|encoding": objectEncodingCommand,
	"object|refcount": objectRefcountCommand,
	"object|idletime": objectIdletimeCommand,
	"object|freq":     objectFreqCommand,
	"object|help":     objectHelpCommand,
}

// objectLookupOrReply is objectCommandLookupOrReply: a lookup that does not touch the
// key (but counts a hit or miss); a missing key gets the null reply.
func (c *client) objectLookupOrReply() *keyspace.Entry {
	e := c.db.Lookup(c.argv[2], keyspace.Now(), keyspace.LookupNoTouch)
	if e == nil {
		c.w.Null()
	}
	return e
}

// OBJECT ENCODING key
func objectEncodingCommand(c *client) {
	if e := c.objectLookupOrReply(); e != nil {
		c.w.BulkString(objectEncoding(&e.Obj).String())
	}
}

// sharedRefcount is OBJ_SHARED_REFCOUNT, the refcount Redis reports for its shared
// integer objects.
const sharedRefcount = math.MaxInt32

// objSharedIntegers is OBJ_SHARED_INTEGERS: Redis shares the values 0..9999.
const objSharedIntegers = 10000

// OBJECT REFCOUNT key
//
// Cairn stores values inline and shares nothing, so the count is what Redis would
// report: its shared-integer refcount for an int-encoded 0..9999 (when the maxmemory
// policy lets Redis share integers), 1 for everything else.
func objectRefcountCommand(c *client) {
	e := c.objectLookupOrReply()
	if e == nil {
		return
	}
	o := &e.Obj
	if o.Type == keyspace.TypeString && o.Enc == keyspace.EncInt &&
		o.Int >= 0 && o.Int < objSharedIntegers && c.srv.sharedIntegers() {
		c.w.Int(sharedRefcount)
		return
	}
	c.w.Int(1)
}

// sharedIntegers reports whether Redis would share small integers now: not when
// maxmemory is set with an LRU or LFU policy (MAXMEMORY_FLAG_NO_SHARED_INTEGERS),
// since each key then needs its own access clock.
func (s *Server) sharedIntegers() bool {
	p := s.cfg.MaxMemoryPolicy
	return s.cfg.MaxMemory == 0 || !(strings.HasSuffix(p, "-lru") || strings.HasSuffix(p, "-lfu"))
}

// lfuPolicy reports whether the maxmemory policy is an LFU one (MAXMEMORY_FLAG_LFU).
func (s *Server) lfuPolicy() bool { return strings.HasSuffix(s.cfg.MaxMemoryPolicy, "-lfu") }

// OBJECT IDLETIME key
func objectIdletimeCommand(c *client) {
	e := c.objectLookupOrReply()
	if e == nil {
		return
	}
	if c.srv.lfuPolicy() {
		c.addError("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	c.w.Int(e.Obj.IdleMillis(keyspace.Now()) / 1000)
}

// OBJECT FREQ key
func objectFreqCommand(c *client) {
	e := c.objectLookupOrReply()
	if e == nil {
		return
	}
	if !c.srv.lfuPolicy() {
		c.addError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	c.w.Int(int64(c.srv.ks.LFUCounter(&e.Obj, keyspace.Now())))
}

// OBJECT HELP
func objectHelpCommand(c *client) { c.replyHelp("object") }

// objectEncoding is the encoding OBJECT ENCODING reports: a collection knows its own
// (it changes as the collection grows), a string's is in the object.
func objectEncoding(o *keyspace.Object) keyspace.Encoding {
	if enc, ok := o.Ptr.(types.Encoder); ok {
		return enc.Encoding()
	}
	return o.Enc
}
