package server

import (
	"fmt"
	"math/bits"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"time"

	"cairn/internal/config"
	"cairn/internal/keyspace"
)

var serverProcs = procTable{
	"time":                timeCommand,
	"lastsave":            lastsaveCommand,
	"shutdown":            shutdownCommand,
	"monitor":             monitorCommand,
	"slowlog|get":         slowlogGetCommand,
	"slowlog|len":         slowlogLenCommand,
	"slowlog|reset":       slowlogResetCommand,
	"slowlog|help":        slowlogHelpCommand,
	"latency|latest":      latencyLatestCommand,
	"latency|history":     latencyHistoryCommand,
	"latency|reset":       latencyResetCommand,
	"latency|doctor":      latencyDoctorCommand,
	"latency|graph":       latencyGraphCommand,
	"latency|histogram":   latencyHistogramCommand,
	"latency|help":        latencyHelpCommand,
	"memory|usage":        memoryUsageCommand,
	"memory|stats":        memoryStatsCommand,
	"memory|purge":        memoryPurgeCommand,
	"memory|doctor":       memoryDoctorCommand,
	"memory|malloc-stats": memoryMallocStatsCommand,
	"memory|help":         memoryHelpCommand,
}

// replySubcommandSyntaxError is Redis's addReplySubcommandSyntaxError, for a known
// subcommand called with arguments it does not accept.
func (c *client) replySubcommandSyntaxError() {
	c.addError("ERR unknown subcommand or wrong number of arguments for '" + clip(c.argv[1], 128) +
		"'. Try " + strings.ToUpper(string(c.argv[0])) + " HELP.")
}

// TIME
func timeCommand(c *client) {
	now := time.Now()
	c.w.ArrayLen(2)
	c.w.BulkInt(now.Unix())
	c.w.BulkInt(int64(now.Nanosecond() / 1000))
}

// LASTSAVE
func lastsaveCommand(c *client) { c.w.Int(c.srv.lastSave) }

// Shutdown flags (Redis's SHUTDOWN_*), shared with shutdown-on-sigint/sigterm.
const (
	shutdownSave   = config.ShutdownSave
	shutdownNoSave = config.ShutdownNoSave
	shutdownNow    = config.ShutdownNow
	shutdownForce  = config.ShutdownForce
)

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
//
// Without replicas there is nothing to wait for, so NOW changes nothing. A final save
// is made, as in Redis, when SAVE is given or save points are configured and NOSAVE is
// not given; see prepareForShutdown.
func shutdownCommand(c *client) {
	flags, abort := 0, false
	for i := 1; i < len(c.argv); i++ {
		switch {
		case c.argIs(i, "nosave"):
			flags |= shutdownNoSave
		case c.argIs(i, "save"):
			flags |= shutdownSave
		case c.argIs(i, "now"):
			flags |= shutdownNow
		case c.argIs(i, "force"):
			flags |= shutdownForce
		case c.argIs(i, "abort"):
			abort = true
		default:
			c.addError(errSyntax)
			return
		}
	}
	if (abort && flags != 0) || (flags&shutdownNoSave != 0 && flags&shutdownSave != 0) {
		c.addError(errSyntax)
		return
	}
	if abort {
		// A shutdown only stays in progress while it waits for replicas to catch up;
		// Cairn has no replicas, so there is never one to abort.
		c.addError("ERR No shutdown in progress.")
		return
	}
	if flags&shutdownNow == 0 && c.inMulti() {
		c.addError("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client")
		return
	}
	s := c.srv
	s.log.Warn("User requested shutdown...")
	if err := s.prepareForShutdown(flags); err != nil {
		c.addError("ERR Errors trying to SHUTDOWN. Check logs.")
		return
	}
	// Like redis-server, which exits without replying. Shutdown takes the executor
	// lock, which this goroutine holds until the batch ends.
	c.closeAfterReply()
	go s.Shutdown()
}

// MONITOR
func monitorCommand(c *client) {
	if c.inMulti() {
		// A client in a transaction expects one reply per command (Redis's
		// CLIENT_DENY_BLOCKING).
		c.addError("ERR MONITOR isn't allowed for DENY BLOCKING client")
		return
	}
	if c.flags&flagMonitor != 0 {
		return // already monitoring: Redis ignores it, without a reply
	}
	c.srv.addMonitor(c)
	c.w.OK()
}

// SLOWLOG GET [count]
func slowlogGetCommand(c *client) {
	if len(c.argv) > 3 {
		c.replySubcommandSyntaxError()
		return
	}
	count := int64(10)
	if len(c.argv) == 3 {
		n, ok := parseInt64(c.argv[2])
		if !ok || n < -1 {
			c.addError("ERR count should be greater than or equal to -1")
			return
		}
		count = n
	}
	entries := c.srv.slowlog.newest(count)
	c.w.ArrayLen(len(entries))
	for _, e := range entries {
		c.w.ArrayLen(6)
		c.w.Int(e.id)
		c.w.Int(e.time)
		c.w.Int(e.durationUS)
		c.w.ArrayLen(len(e.argv))
		for _, a := range e.argv {
			c.w.BulkString(a)
		}
		c.w.BulkString(e.peer)
		c.w.BulkString(e.name)
	}
}

// SLOWLOG LEN
func slowlogLenCommand(c *client) { c.w.Int(int64(len(c.srv.slowlog.entries))) }

// SLOWLOG RESET
func slowlogResetCommand(c *client) {
	c.srv.slowlog.reset()
	c.w.OK()
}

// SLOWLOG HELP
func slowlogHelpCommand(c *client) { c.replyHelp("slowlog") }

// LATENCY LATEST
func latencyLatestCommand(c *client) {
	m := &c.srv.latency
	names := m.eventNames()
	c.w.ArrayLen(len(names))
	for _, name := range names {
		ts := m.events[name]
		last := ts.samples[len(ts.samples)-1]
		c.w.ArrayLen(4)
		c.w.BulkString(name)
		c.w.Int(last.time)
		c.w.Int(last.millis)
		c.w.Int(ts.max)
	}
}

// LATENCY HISTORY event
func latencyHistoryCommand(c *client) {
	ts := c.srv.latency.events[string(c.argv[2])]
	if ts == nil {
		c.w.ArrayLen(0)
		return
	}
	c.w.ArrayLen(len(ts.samples))
	for _, smp := range ts.samples {
		c.w.ArrayLen(2)
		c.w.Int(smp.time)
		c.w.Int(smp.millis)
	}
}

// LATENCY RESET [event ...]
func latencyResetCommand(c *client) {
	events := make([]string, 0, len(c.argv)-2)
	for _, a := range c.argv[2:] {
		events = append(events, string(a))
	}
	c.w.Int(int64(c.srv.latency.reset(events)))
}

// LATENCY DOCTOR
func latencyDoctorCommand(c *client) { c.w.Verbatim(c.srv.latencyDoctorReport(), "txt") }

// LATENCY GRAPH event
func latencyGraphCommand(c *client) {
	event := string(c.argv[2])
	ts := c.srv.latency.events[event]
	if ts == nil {
		c.addError("ERR No samples available for event '" + event + "'")
		return
	}
	c.w.Verbatim(latencyGraph(event, ts, time.Now().Unix()), "txt")
}

// LATENCY HISTOGRAM [command ...]
func latencyHistogramCommand(c *client) {
	s := c.srv
	d := c.w.DeferLen()
	n := 0
	if len(c.argv) == 2 {
		s.eachCommand(func(cmd *command) {
			if cmd.hist.total > 0 {
				c.writeCommandCDF(cmd)
				n++
			}
		})
	} else {
		for _, a := range c.argv[2:] {
			cmd := lookupFullName(s.commands, strings.ToLower(string(a)))
			if cmd == nil {
				continue
			}
			if cmd.hist.total > 0 {
				c.writeCommandCDF(cmd)
				n++
			}
			for _, sub := range sortedSubcommands(cmd) {
				if sub.hist.total > 0 {
					c.writeCommandCDF(sub)
					n++
				}
			}
		}
	}
	c.w.SetMapLen(d, n)
}

// writeCommandCDF is Redis's fillCommandCDF, preceded by the command's name.
func (c *client) writeCommandCDF(cmd *command) {
	c.w.BulkString(cmd.name)
	c.w.MapLen(2)
	c.w.BulkString("calls")
	c.w.Int(cmd.hist.total)
	c.w.BulkString("histogram_usec")
	cdf := cmd.hist.cdf()
	c.w.MapLen(len(cdf))
	for _, p := range cdf {
		c.w.Int(p[0])
		c.w.Int(p[1])
	}
}

// eachCommand calls fn for every command and subcommand: commands by name, each
// container followed by its subcommands by name. (Redis walks its command dicts, whose
// order means nothing.) Caller holds the executor lock.
func (s *Server) eachCommand(fn func(cmd *command)) {
	names := make([]string, 0, len(s.commands))
	for name := range s.commands {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		cmd := s.commands[name]
		fn(cmd)
		for _, sub := range sortedSubcommands(cmd) {
			fn(sub)
		}
	}
}

func sortedSubcommands(cmd *command) []*command {
	if len(cmd.subs) == 0 {
		return nil
	}
	names := make([]string, 0, len(cmd.subs))
	for name := range cmd.subs {
		names = append(names, name)
	}
	slices.Sort(names)
	subs := make([]*command, len(names))
	for i, name := range names {
		subs[i] = cmd.subs[name]
	}
	return subs
}

// LATENCY HELP
func latencyHelpCommand(c *client) { c.replyHelp("latency") }

// MEMORY USAGE key [SAMPLES count]
func memoryUsageCommand(c *client) {
	samples := int64(5) // OBJ_COMPUTE_SIZE_DEF_SAMPLES
	for j := 3; j < len(c.argv); j++ {
		if c.argIs(j, "samples") && j+1 < len(c.argv) {
			n, ok := c.int64ArgOrReply(j + 1)
			if !ok {
				return
			}
			if n < 0 {
				c.addError(errSyntax)
				return
			}
			if n == 0 {
				n = 1<<63 - 1
			}
			samples = n
			j++
			continue
		}
		c.addError(errSyntax)
		return
	}
	e := c.db.Peek(c.argv[2])
	if e == nil {
		c.w.Null()
		return
	}
	c.w.Int(objectComputeSize(&e.Obj, samples) + sdsZmallocSize(len(c.argv[2])) + dictEntrySize)
}

// Sizes of Redis's structures on a 64-bit build, for MEMORY USAGE and MEMORY STATS.
const (
	robjSize      = 16 // sizeof(robj)
	dictEntrySize = 24 // sizeof(dictEntry)
	pointerSize   = 8
)

// objectComputeSize is Redis's objectComputeSize: what the value would take in
// redis-server with jemalloc. For strings this is exact (the same size classes and sds
// headers), so MEMORY USAGE agrees with redis-server for string keys. The other types
// do not exist in Cairn yet; their estimate will follow Redis's sampling (samples
// elements averaged, times the element count) when they do.
func objectComputeSize(o *keyspace.Object, samples int64) int64 {
	switch o.Type {
	case keyspace.TypeString:
		switch o.Enc {
		case keyspace.EncInt:
			return robjSize
		case keyspace.EncEmbstr:
			return jemallocSize(robjSize + 3 + int64(len(o.Str)) + 1) // robj + sdshdr8 + bytes + NUL
		default:
			return sdsAllocSize(cap(o.Str)) + robjSize
		}
	}
	// Collections report their own footprint (Go allocations, not jemalloc's classes).
	if m, ok := o.Ptr.(interface{ MemoryUsage() int }); ok {
		return robjSize + int64(m.MemoryUsage())
	}
	return robjSize
}

// sdsZmallocSize is the allocation of an sds string of n bytes created to size (the
// keys of the main dict are), as zmalloc_size reports it.
func sdsZmallocSize(n int) int64 { return sdsAllocSize(n) }

// sdsAllocSize is the jemalloc allocation of an sds whose buffer holds n bytes.
func sdsAllocSize(n int) int64 { return jemallocSize(int64(sdsHeaderSize(n) + n + 1)) }

// sdsHeaderSize is the header of the sds type sdsnewlen picks for a string of n bytes.
func sdsHeaderSize(n int) int {
	switch {
	case n < 1<<5:
		if n == 0 {
			return 3 // an empty sds is made type 8
		}
		return 1
	case n < 1<<8:
		return 3
	case n < 1<<16:
		return 5
	case n < 1<<32:
		return 9
	}
	return 17
}

// jemallocSize rounds an allocation request up to jemalloc's size class (LG_QUANTUM 4,
// four classes per doubling, 4 KiB pages), as je_malloc_usable_size reports it.
func jemallocSize(n int64) int64 {
	switch {
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	}
	// Classes in (2^k, 2^(k+1)] are spaced 2^(k-2) apart.
	k := bits.Len64(uint64(n-1)) - 1
	step := int64(1) << (k - 2)
	return (n + step - 1) &^ (step - 1)
}

// MEMORY STATS
func memoryStatsCommand(c *client) {
	mh := c.srv.memoryOverhead()
	w := &c.w
	w.MapLen(27 + len(mh.dbs))
	pair := func(name string, v int64) {
		w.BulkString(name)
		w.Int(v)
	}
	double := func(name string, v float32) {
		w.BulkString(name)
		w.Double(float64(v))
	}
	pair("peak.allocated", mh.peak)
	pair("total.allocated", mh.total)
	pair("startup.allocated", mh.startup)
	pair("replication.backlog", 0)
	pair("clients.slaves", 0)
	pair("clients.normal", mh.clientsNormal)
	pair("cluster.links", 0)
	pair("aof.buffer", 0)
	pair("lua.caches", 0)
	pair("functions.caches", 0)
	for _, db := range mh.dbs {
		w.BulkString("db." + strconv.Itoa(db.id))
		w.MapLen(3)
		pair("overhead.hashtable.main", db.main)
		pair("overhead.hashtable.expires", db.expires)
		pair("overhead.hashtable.slot-to-keys", 0)
	}
	pair("overhead.total", mh.overheadTotal)
	pair("keys.count", mh.totalKeys)
	pair("keys.bytes-per-key", mh.bytesPerKey)
	pair("dataset.bytes", mh.dataset)
	double("dataset.percentage", mh.datasetPerc)
	double("peak.percentage", mh.peakPerc)
	pair("allocator.allocated", mh.allocated)
	pair("allocator.active", mh.active)
	pair("allocator.resident", mh.resident)
	double("allocator-fragmentation.ratio", mh.allocFrag)
	pair("allocator-fragmentation.bytes", mh.active-mh.allocated)
	double("allocator-rss.ratio", mh.allocRSS)
	pair("allocator-rss.bytes", mh.resident-mh.active)
	double("rss-overhead.ratio", mh.rssExtra)
	pair("rss-overhead.bytes", mh.rss-mh.resident)
	double("fragmentation", mh.totalFrag)
	pair("fragmentation.bytes", mh.rss-mh.total)
}

// MEMORY PURGE
func memoryPurgeCommand(c *client) {
	debug.FreeOSMemory()
	c.w.OK()
}

// MEMORY DOCTOR: Redis's getMemoryDoctorReport, over the Go runtime's figures.
func memoryDoctorCommand(c *client) {
	s := c.srv
	mh := s.memoryOverhead()
	var bigPeak, highFrag, highAllocFrag, highAllocRSS, highProcRSS, bigClientBuf bool
	empty, reports := false, 0
	if mh.total < 5<<20 {
		empty = true
		reports++
	} else {
		if float32(mh.peak)/float32(mh.total) > 1.5 {
			bigPeak = true
			reports++
		}
		if mh.totalFrag > 1.4 && mh.rss-mh.total > 10<<20 {
			highFrag = true
			reports++
		}
		if mh.allocFrag > 1.1 && mh.active-mh.allocated > 10<<20 {
			highAllocFrag = true
			reports++
		}
		if mh.allocRSS > 1.1 && mh.resident-mh.active > 10<<20 {
			highAllocRSS = true
			reports++
		}
		if mh.rssExtra > 1.1 && mh.rss-mh.resident > 10<<20 {
			highProcRSS = true
			reports++
		}
		if n := int64(len(s.clients)); n > 0 && mh.clientsNormal/n > 200*1024 {
			bigClientBuf = true
			reports++
		}
	}
	var b strings.Builder
	switch {
	case reports == 0:
		b.WriteString("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n")
	case empty:
		b.WriteString("Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n")
	default:
		b.WriteString("Sam, I detected a few issues in this Redis instance memory implants:\n\n")
		if bigPeak {
			b.WriteString(" * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n")
		}
		if highFrag {
			b.WriteString(" * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is \"" + memAllocatorName() + "\".\n\n")
		}
		if highAllocFrag {
			b.WriteString(" * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n")
		}
		if highAllocRSS {
			b.WriteString(" * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n")
		}
		if highProcRSS {
			b.WriteString(" * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This problem may be due to Lua scripts or Modules.\n\n")
		}
		if bigClientBuf {
			b.WriteString(" * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n")
		}
		b.WriteString("I'm here to keep you safe, Sam. I want to help you.\n")
	}
	c.w.Verbatim(b.String(), "txt")
}

// MEMORY MALLOC-STATS: Redis prints jemalloc's statistics; Cairn prints the Go
// runtime's memory metrics, one "name: value" per line, between the same kind of
// markers.
func memoryMallocStatsCommand(c *client) {
	var b strings.Builder
	b.WriteString("___ Begin Go runtime statistics ___\n")
	b.WriteString("Version: " + runtime.Version() + "\n")
	var names []string
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/memory/") || strings.HasPrefix(d.Name, "/gc/") {
			names = append(names, d.Name)
		}
	}
	samples := make([]metrics.Sample, len(names))
	for i, name := range names {
		samples[i].Name = name
	}
	metrics.Read(samples)
	for _, smp := range samples {
		switch smp.Value.Kind() {
		case metrics.KindUint64:
			fmt.Fprintf(&b, "%s: %d\n", smp.Name, smp.Value.Uint64())
		case metrics.KindFloat64:
			fmt.Fprintf(&b, "%s: %g\n", smp.Name, smp.Value.Float64())
		}
	}
	b.WriteString("--- End Go runtime statistics ---\n")
	c.w.Verbatim(b.String(), "txt")
}

// MEMORY HELP
func memoryHelpCommand(c *client) { c.replyHelp("memory") }
