package server

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"cairn/internal/conv"
)

var infoProcs = procTable{
	"info": infoCommand,
}

// adminState is the server state that INFO shows and DEBUG changes, beyond the
// statistics. Guarded by the executor lock.
type adminState struct {
	replID, replID2 string // master_replid, master_replid2; replID is made on first use

	// DEBUG settings that wait for the machinery they tune: the list encoding, scripts,
	// reply buffers, RDB loading. They are stored so that the DEBUG calls of Redis's
	// test suite succeed and the code that grows them can read them.
	disableDenyScripts       bool  // DEBUG SET-DISABLE-DENY-SCRIPTS
	replyBufferPeakResetTime int64 // DEBUG REPLYBUFFER PEAK-RESET-TIME, ms; -1 = never
	replyBufferResizing      bool  // DEBUG REPLYBUFFER RESIZING
	skipChecksumValidation   bool  // DEBUG SET-SKIP-CHECKSUM-VALIDATION
	aofFlushSleep            int64 // DEBUG AOF-FLUSH-SLEEP, µs
	clusterDropPacketFilter  int64 // DEBUG DROP-CLUSTER-PACKET-FILTER
	pauseCron                bool  // DEBUG PAUSE-CRON: the cron skips its work while set
}

// replicationIDs returns master_replid and master_replid2, making the first on first use
// (Redis makes it at startup).
func (s *Server) replicationIDs() (string, string) {
	if s.admin.replID == "" {
		s.admin.replID = randomHex40()
	}
	if s.admin.replID2 == "" {
		s.admin.replID2 = strings.Repeat("0", 40)
	}
	return s.admin.replID, s.admin.replID2
}

func randomHex40() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// INFO [section ...]
func infoCommand(c *client) {
	sections, all, everything := infoSections(c.argv[1:])
	c.w.Verbatim(c.srv.genInfo(sections, all, everything), "txt")
}

// defaultInfoSections are the sections of a bare INFO, as in Redis 7.0.
var defaultInfoSections = []string{"server", "clients", "memory", "persistence", "stats",
	"replication", "cpu", "module_list", "errorstats", "cluster", "keyspace"}

// infoSections is Redis's genInfoSectionDict: the lower-cased section names asked for,
// "default" expanding to the default sections, "all" asking for every section but
// the module-generated ones, "everything" for all of them.
func infoSections(args [][]byte) (sections map[string]bool, all, everything bool) {
	sections = make(map[string]bool)
	if len(args) == 0 {
		for _, name := range defaultInfoSections {
			sections[name] = true
		}
		return sections, false, false
	}
	for _, a := range args {
		switch name := strings.ToLower(string(a)); name {
		case "default":
			for _, name := range defaultInfoSections {
				sections[name] = true
			}
		case "all":
			all = true
		case "everything":
			all, everything = true, true
		default:
			sections[name] = true
		}
	}
	return sections, all, everything
}

// infoBuilder accumulates INFO text: sections separated by a blank line, fields as
// name:value lines ending in CRLF.
type infoBuilder struct {
	b        []byte
	sections int
}

func (ib *infoBuilder) section(title string) {
	if ib.sections > 0 {
		ib.b = append(ib.b, '\r', '\n')
	}
	ib.sections++
	ib.b = append(ib.b, "# "...)
	ib.b = append(ib.b, title...)
	ib.b = append(ib.b, '\r', '\n')
}

func (ib *infoBuilder) str(name, v string) {
	ib.b = append(ib.b, name...)
	ib.b = append(ib.b, ':')
	ib.b = append(ib.b, v...)
	ib.b = append(ib.b, '\r', '\n')
}

func (ib *infoBuilder) int(name string, v int64) { ib.str(name, strconv.FormatInt(v, 10)) }

// float writes v with prec decimals, as printf's %.Nf.
func (ib *infoBuilder) float(name string, v float64, prec int) {
	ib.str(name, strconv.FormatFloat(v, 'f', prec, 64))
}

func (ib *infoBuilder) human(name string, v int64) { ib.str(name, conv.FormatMemoryHuman(v)) }

// genInfo is Redis's genRedisInfoString. Caller holds the executor lock.
func (s *Server) genInfo(sections map[string]bool, all, everything bool) string {
	if everything {
		all = true
	}
	want := func(names ...string) bool {
		if all {
			return true
		}
		for _, n := range names {
			if sections[n] {
				return true
			}
		}
		return false
	}
	ib := &infoBuilder{b: make([]byte, 0, 4096)}
	now := time.Now()
	if want("server") {
		s.infoServer(ib, now)
	}
	if want("clients") {
		s.infoClients(ib)
	}
	if want("memory") {
		s.infoMemory(ib)
	}
	if want("persistence") {
		s.infoPersistence(ib)
	}
	if want("stats") {
		s.infoStats(ib)
	}
	if want("replication") {
		s.infoReplication(ib)
	}
	if want("cpu") {
		s.infoCPU(ib)
	}
	if want("module_list", "modules") {
		ib.section("Modules")
	}
	if want("commandstats") {
		ib.section("Commandstats")
		s.eachCommand(func(cmd *command) {
			if cmd.calls == 0 && cmd.failedCalls == 0 && cmd.rejectedCalls == 0 {
				return
			}
			perCall := float64(0)
			if cmd.calls != 0 {
				perCall = float64(float32(cmd.usec) / float32(cmd.calls)) // Redis divides as float
			}
			ib.str("cmdstat_"+cmd.name, "calls="+strconv.FormatInt(cmd.calls, 10)+
				",usec="+strconv.FormatInt(cmd.usec, 10)+
				",usec_per_call="+strconv.FormatFloat(perCall, 'f', 2, 64)+
				",rejected_calls="+strconv.FormatInt(cmd.rejectedCalls, 10)+
				",failed_calls="+strconv.FormatInt(cmd.failedCalls, 10))
		})
	}
	if want("errorstats") {
		ib.section("Errorstats")
		codes := make([]string, 0, len(s.stats.errorCounts))
		for code := range s.stats.errorCounts {
			codes = append(codes, code)
		}
		slices.Sort(codes) // Redis keeps them in a radix tree
		for _, code := range codes {
			ib.str("errorstat_"+code, "count="+strconv.FormatInt(s.stats.errorCounts[code], 10))
		}
	}
	if want("latencystats") {
		ib.section("Latencystats")
		if s.cfg.LatencyTracking {
			percentiles := s.cfg.LatencyTrackingInfoPercentiles
			s.eachCommand(func(cmd *command) {
				if cmd.hist.total == 0 {
					return
				}
				var v []byte
				for i, p := range percentiles {
					if i > 0 {
						v = append(v, ',')
					}
					v = append(v, 'p')
					v = append(v, trimDoubleString(strconv.FormatFloat(p, 'f', 6, 64))...)
					v = append(v, '=')
					v = strconv.AppendFloat(v, float64(cmd.hist.valueAtPercentile(p))/1000, 'f', 3, 64)
				}
				ib.str("latency_percentiles_usec_"+cmd.name, string(v))
			})
		}
	}
	if want("cluster") {
		ib.section("Cluster")
		ib.int("cluster_enabled", 0)
	}
	if want("keyspace") {
		ib.section("Keyspace")
		for _, db := range s.ks.DBs {
			keys, vkeys := db.Len(), db.VolatileLen()
			if keys == 0 && vkeys == 0 {
				continue
			}
			ib.str("db"+strconv.Itoa(db.ID), "keys="+strconv.Itoa(keys)+",expires="+strconv.Itoa(vkeys)+
				",avg_ttl="+strconv.FormatInt(db.AvgTTL, 10))
		}
	}
	return string(ib.b)
}

// trimDoubleString is Redis's trimDoubleString: drop the trailing zeros of a number
// with a decimal point, and the point if nothing follows it.
func trimDoubleString(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func (s *Server) infoServer(ib *infoBuilder, now time.Time) {
	uptime := int64(now.Sub(s.startTime) / time.Second)
	exe, _ := os.Executable()
	if exe != "" {
		if abs, err := filepath.Abs(exe); err == nil {
			exe = abs
		}
	}
	ib.section("Server")
	ib.str("redis_version", Version)
	ib.str("redis_git_sha1", "00000000")
	ib.int("redis_git_dirty", 0)
	ib.str("redis_build_id", buildID())
	ib.str("redis_mode", "standalone")
	ib.str("os", osName())
	ib.int("arch_bits", strconv.IntSize)
	ib.str("monotonic_clock", "POSIX clock_gettime")
	ib.str("multiplexing_api", multiplexingAPI())
	ib.str("atomicvar_api", "go-sync-atomic")
	ib.str("gcc_version", "0.0.0")
	ib.int("process_id", int64(s.pid))
	ib.str("process_supervised", "no")
	ib.str("run_id", s.runID)
	ib.int("tcp_port", int64(s.tcpPort()))
	ib.int("server_time_usec", now.UnixMicro())
	ib.int("uptime_in_seconds", uptime)
	ib.int("uptime_in_days", uptime/86400)
	ib.int("hz", int64(s.cfg.Hz))
	ib.int("configured_hz", int64(s.cfg.Hz))
	ib.int("lru_clock", lruClock(now))
	ib.str("executable", exe)
	ib.str("config_file", s.cfg.File())
	ib.int("io_threads_active", 0)
}

// tcpPort is the port the server listens on: the configured one, or the one the system
// chose for port 0.
func (s *Server) tcpPort() int {
	if len(s.listeners) > 0 {
		if a, ok := s.listeners[0].Addr().(*net.TCPAddr); ok {
			return a.Port
		}
	}
	return s.cfg.Port
}

// lruClock is Redis's LRU clock: seconds, in 24 bits.
func lruClock(now time.Time) int64 { return (now.UnixMilli() / 1000) & (1<<24 - 1) }

// buildID identifies the build: the VCS revision Go stamped into the binary.
func buildID() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, st := range bi.Settings {
			if st.Key == "vcs.revision" && len(st.Value) >= 16 {
				return st.Value[:16]
			}
		}
	}
	return "0"
}

// osName is what Redis prints from uname(2): system, release and machine.
func osName() string {
	sys, err1 := os.ReadFile("/proc/sys/kernel/ostype")
	rel, err2 := os.ReadFile("/proc/sys/kernel/osrelease")
	machine := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686"}[runtime.GOARCH]
	if machine == "" {
		machine = runtime.GOARCH
	}
	if err1 != nil || err2 != nil {
		return runtime.GOOS + " " + machine
	}
	return strings.TrimSpace(string(sys)) + " " + strings.TrimSpace(string(rel)) + " " + machine
}

// multiplexingAPI names the poller under Go's network poller.
func multiplexingAPI() string {
	switch runtime.GOOS {
	case "linux", "android":
		return "epoll"
	case "darwin", "freebsd", "netbsd", "openbsd", "dragonfly", "ios":
		return "kqueue"
	case "solaris", "illumos":
		return "evport"
	case "windows":
		return "iocp"
	}
	return "poll"
}

func (s *Server) infoClients(ib *infoBuilder) {
	maxIn, inTimeoutTable := 0, 0
	for _, c := range s.clients {
		maxIn = max(maxIn, c.qbufLen)
		if c.blocked != nil && !c.blocked.deadline.IsZero() {
			inTimeoutTable++
		}
	}
	ib.section("Clients")
	ib.int("connected_clients", s.numClients.Load())
	ib.int("cluster_connections", 0)
	ib.int("maxclients", int64(s.cfg.MaxClients))
	ib.int("client_recent_max_input_buffer", int64(maxIn))
	ib.int("client_recent_max_output_buffer", 0)
	// Clients blocked by blocking commands; clients waiting out a CLIENT PAUSE do not
	// count, as in Redis.
	ib.int("blocked_clients", int64(s.blockedClients))
	trackingClients, _, _, _ := s.trackingInfo()
	ib.int("tracking_clients", int64(trackingClients))
	ib.int("clients_in_timeout_table", int64(inTimeoutTable))
}

// memOverhead is Redis's struct redisMemOverhead, over the Go runtime's figures. The
// per-key overheads are Redis's structure sizes (dictEntry, robj, bucket pointers), an
// estimate of Cairn's own.
type memOverhead struct {
	peak, total, startup, clientsNormal int64
	dbs                                 []dbOverhead
	overheadTotal, totalKeys            int64
	bytesPerKey, dataset                int64
	datasetPerc, peakPerc               float32
	allocated, active, resident, rss    int64
	allocFrag, allocRSS                 float32
	rssExtra, totalFrag                 float32
}

type dbOverhead struct {
	id            int
	main, expires int64
}

// memoryOverhead is Redis's getMemoryOverheadData. Caller holds the executor lock.
func (s *Server) memoryOverhead() memOverhead {
	m := &s.stats.mem
	m.sample()
	mh := memOverhead{
		peak: m.peak, total: m.used, startup: m.startup,
		allocated: m.allocated, active: m.active, resident: m.res, rss: processRSS(),
	}
	ratio := func(a, b int64) float32 {
		if b == 0 {
			return 0
		}
		return float32(a) / float32(b)
	}
	mh.totalFrag = ratio(mh.rss, mh.total)
	mh.allocFrag = ratio(mh.active, mh.allocated)
	mh.allocRSS = ratio(mh.resident, mh.active)
	mh.rssExtra = ratio(mh.rss, mh.resident)

	memTotal := mh.startup
	for _, c := range s.clients {
		mh.clientsNormal += int64(c.qbufCap) + int64(unsafe.Sizeof(*c))
	}
	memTotal += mh.clientsNormal
	for _, db := range s.ks.DBs {
		keys := int64(db.Len())
		if keys == 0 {
			continue
		}
		mh.totalKeys += keys
		vkeys := int64(db.VolatileLen())
		d := dbOverhead{
			id:      db.ID,
			main:    keys*dictEntrySize + dictSlots(keys)*pointerSize + keys*robjSize,
			expires: vkeys*dictEntrySize + dictSlots(vkeys)*pointerSize,
		}
		memTotal += d.main + d.expires
		mh.dbs = append(mh.dbs, d)
	}
	mh.overheadTotal = memTotal
	mh.dataset = mh.total - memTotal
	if mh.peak > 0 {
		mh.peakPerc = float32(mh.total) * 100 / float32(mh.peak)
	}
	net := int64(1)
	if mh.total > mh.startup {
		net = mh.total - mh.startup
	}
	mh.datasetPerc = float32(mh.dataset) * 100 / float32(net)
	if mh.totalKeys > 0 {
		mh.bytesPerKey = net / mh.totalKeys
	}
	return mh
}

// dictSlots is the bucket count of a Redis dict holding n keys: the next power of two.
func dictSlots(n int64) int64 {
	if n == 0 {
		return 0
	}
	slots := int64(4)
	for slots < n {
		slots *= 2
	}
	return slots
}

// processRSS is the resident set size, from /proc/self/statm as Redis's zmalloc_get_rss
// reads it; 0 where that file does not exist.
func processRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * int64(os.Getpagesize())
}

// totalSystemMemory is the machine's physical memory, from /proc/meminfo.
func totalSystemMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("MemTotal:")); ok {
			f := bytes.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// memAllocatorName is INFO's mem_allocator: Go's own allocator.
func memAllocatorName() string { return runtime.Version() }

func (s *Server) infoMemory(ib *infoBuilder) {
	mh := s.memoryOverhead()
	sysMem := totalSystemMemory()
	maxmem := int64(s.cfg.MaxMemory)
	pct := func(v float32) string { return strconv.FormatFloat(float64(v), 'f', 2, 64) + "%" }
	ib.section("Memory")
	ib.int("used_memory", mh.total)
	ib.human("used_memory_human", mh.total)
	ib.int("used_memory_rss", mh.rss)
	ib.human("used_memory_rss_human", mh.rss)
	ib.int("used_memory_peak", mh.peak)
	ib.human("used_memory_peak_human", mh.peak)
	ib.str("used_memory_peak_perc", pct(mh.peakPerc))
	ib.int("used_memory_overhead", mh.overheadTotal)
	ib.int("used_memory_startup", mh.startup)
	ib.int("used_memory_dataset", mh.dataset)
	ib.str("used_memory_dataset_perc", pct(mh.datasetPerc))
	ib.int("allocator_allocated", mh.allocated)
	ib.int("allocator_active", mh.active)
	ib.int("allocator_resident", mh.resident)
	ib.int("total_system_memory", sysMem)
	ib.human("total_system_memory_human", sysMem)
	// Scripts and functions: counts, and the bytes of their bodies. The memory of the
	// Lua VMs themselves (gopher-lua's, on the Go heap) is not measured: 0.
	si := s.scriptMemoryInfo()
	ib.int("used_memory_lua", 0)
	ib.int("used_memory_vm_eval", 0)
	ib.human("used_memory_lua_human", 0)
	ib.int("used_memory_scripts_eval", int64(si.scriptBytes))
	ib.int("number_of_cached_scripts", int64(si.cachedScripts))
	ib.int("number_of_functions", int64(si.functions))
	ib.int("number_of_libraries", int64(si.libraries))
	ib.int("used_memory_vm_functions", 0)
	ib.int("used_memory_vm_total", 0)
	ib.human("used_memory_vm_total_human", 0)
	ib.int("used_memory_functions", int64(si.libBytes))
	ib.int("used_memory_scripts", int64(si.scriptBytes+si.libBytes))
	ib.human("used_memory_scripts_human", int64(si.scriptBytes+si.libBytes))
	ib.int("maxmemory", maxmem)
	ib.human("maxmemory_human", maxmem)
	ib.str("maxmemory_policy", s.cfg.MaxMemoryPolicy)
	ib.float("allocator_frag_ratio", float64(mh.allocFrag), 2)
	ib.int("allocator_frag_bytes", mh.active-mh.allocated)
	ib.float("allocator_rss_ratio", float64(mh.allocRSS), 2)
	ib.int("allocator_rss_bytes", mh.resident-mh.active)
	ib.float("rss_overhead_ratio", float64(mh.rssExtra), 2)
	ib.int("rss_overhead_bytes", mh.rss-mh.resident)
	ib.float("mem_fragmentation_ratio", float64(mh.totalFrag), 2)
	ib.int("mem_fragmentation_bytes", mh.rss-mh.total)
	ib.int("mem_not_counted_for_evict", 0)
	ib.int("mem_replication_backlog", 0)
	ib.int("mem_total_replication_buffers", 0)
	ib.int("mem_clients_slaves", 0)
	ib.int("mem_clients_normal", mh.clientsNormal)
	ib.int("mem_cluster_links", 0)
	ib.int("mem_aof_buffer", 0)
	ib.str("mem_allocator", memAllocatorName())
	ib.int("active_defrag_running", 0)
	ib.int("lazyfree_pending_objects", 0)
	ib.int("lazyfreed_objects", 0)
}

// infoPersistence is INFO persistence, with Redis's fields in Redis's order; the
// loading_* fields come last, while a load is in progress (loading.go).
func (s *Server) infoPersistence(ib *infoBuilder) {
	ib.section("Persistence")
	ib.int("loading", int64(b2i(s.loading.active)))
	ib.int("async_loading", 0)
	ib.int("current_cow_peak", 0)
	ib.int("current_cow_size", 0)
	ib.int("current_cow_size_age", 0)
	ib.str("current_fork_perc", "0.00")
	ib.int("current_save_keys_processed", 0)
	ib.int("current_save_keys_total", 0)
	ib.int("rdb_changes_since_last_save", s.dirty)
	ib.int("rdb_bgsave_in_progress", int64(b2i(s.rdb.bgsaveRunning)))
	ib.int("rdb_last_save_time", s.lastSave)
	ib.str("rdb_last_bgsave_status", okOrErr(!s.rdb.bgsaveFailed))
	ib.int("rdb_last_bgsave_time_sec", s.rdb.lastBgsaveSecs)
	current := int64(-1)
	if s.rdb.bgsaveRunning {
		current = int64(time.Since(s.rdb.bgsaveStarted).Seconds())
	}
	ib.int("rdb_current_bgsave_time_sec", current)
	ib.int("rdb_saves", s.rdb.saves)
	ib.int("rdb_last_cow_size", 0)
	ib.int("rdb_last_load_keys_expired", s.rdb.loadKeysExpired)
	ib.int("rdb_last_load_keys_loaded", s.rdb.loadKeysLoaded)
	s.infoAOF(ib)
	s.infoLoading(ib)
}

func (s *Server) infoStats(ib *infoBuilder) {
	st := &s.stats
	ks := s.ks
	ib.section("Stats")
	ib.int("total_connections_received", st.totalConnections)
	ib.int("total_commands_processed", st.commandsProcessed)
	ib.int("instantaneous_ops_per_sec", int64(average(st.opsSamples[:])))
	ib.int("total_net_input_bytes", st.netInputBytes)
	ib.int("total_net_output_bytes", st.netOutputBytes)
	ib.int("total_net_repl_input_bytes", 0)
	ib.int("total_net_repl_output_bytes", 0)
	ib.float("instantaneous_input_kbps", average(st.inSamples[:]), 2)
	ib.float("instantaneous_output_kbps", average(st.outSamples[:]), 2)
	ib.str("instantaneous_input_repl_kbps", "0.00")
	ib.str("instantaneous_output_repl_kbps", "0.00")
	ib.int("rejected_connections", st.rejectedConns)
	ib.int("sync_full", 0)
	ib.int("sync_partial_ok", 0)
	ib.int("sync_partial_err", 0)
	ib.int("expired_keys", ks.ExpiredKeys)
	ib.float("expired_stale_perc", ks.ExpiredStalePerc*100, 2)
	ib.int("expired_time_cap_reached_count", ks.ExpiredTimeCapReached)
	ib.int("expire_cycle_cpu_milliseconds", 0)
	ib.int("evicted_keys", 0)
	ib.int("evicted_clients", 0)
	ib.int("total_eviction_exceeded_time", 0)
	ib.int("current_eviction_exceeded_time", 0)
	ib.int("keyspace_hits", ks.KeyspaceHits)
	ib.int("keyspace_misses", ks.KeyspaceMisses)
	ib.int("pubsub_channels", 0)
	ib.int("pubsub_patterns", 0)
	ib.int("pubsubshard_channels", 0)
	ib.int("latest_fork_usec", 0)
	ib.int("total_forks", 0)
	ib.int("migrate_cached_sockets", 0)
	ib.int("slave_expires_tracked_keys", 0)
	ib.int("active_defrag_hits", 0)
	ib.int("active_defrag_misses", 0)
	ib.int("active_defrag_key_hits", 0)
	ib.int("active_defrag_key_misses", 0)
	ib.int("total_active_defrag_time", 0)
	ib.int("current_active_defrag_time", 0)
	_, trackedKeys, trackedItems, trackedPrefixes := s.trackingInfo()
	ib.int("tracking_total_keys", int64(trackedKeys))
	ib.int("tracking_total_items", int64(trackedItems))
	ib.int("tracking_total_prefixes", int64(trackedPrefixes))
	ib.int("unexpected_error_replies", 0)
	ib.int("total_error_replies", st.totalErrorReplies)
	ib.int("dump_payload_sanitizations", 0)
	ib.int("total_reads_processed", st.readsProcessed)
	ib.int("total_writes_processed", st.writesProcessed)
	ib.int("io_threaded_reads_processed", 0)
	ib.int("io_threaded_writes_processed", 0)
	ib.int("reply_buffer_shrinks", 0)
	ib.int("reply_buffer_expands", 0)
	ib.int("executor_panics", st.panics) // Cairn's own: commands that panicked and were recovered
}

func (s *Server) infoReplication(ib *infoBuilder) {
	id1, id2 := s.replicationIDs()
	ib.section("Replication")
	ib.str("role", "master")
	ib.int("connected_slaves", 0)
	ib.str("master_failover_state", "no-failover")
	ib.str("master_replid", id1)
	ib.str("master_replid2", id2)
	ib.int("master_repl_offset", 0)
	ib.int("second_repl_offset", -1)
	ib.int("repl_backlog_active", 0)
	ib.int("repl_backlog_size", s.cfg.ReplBacklogSize)
	ib.int("repl_backlog_first_byte_offset", 0)
	ib.int("repl_backlog_histlen", 0)
}

// infoCPU reports the process's CPU time from /proc/self/stat (clock ticks). Cairn
// has no main thread: the *_main_thread fields repeat the process figures.
func (s *Server) infoCPU(ib *infoBuilder) {
	user, sys, cuser, csys := processCPU()
	ib.section("CPU")
	ib.str("used_cpu_sys", sys)
	ib.str("used_cpu_user", user)
	ib.str("used_cpu_sys_children", csys)
	ib.str("used_cpu_user_children", cuser)
	ib.str("used_cpu_sys_main_thread", sys)
	ib.str("used_cpu_user_main_thread", user)
}

// processCPU returns user, system, children's user and children's system CPU time in
// Redis's "%ld.%06ld" form.
func processCPU() (user, sys, cuser, csys string) {
	zero := "0.000000"
	user, sys, cuser, csys = zero, zero, zero, zero
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return
	}
	// Fields after the parenthesised command name: state is field 3; utime, stime,
	// cutime, cstime are fields 14 to 17.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 15 {
		return
	}
	const ticks = 100 // USER_HZ
	secs := func(field []byte) string {
		n, _ := strconv.ParseInt(string(field), 10, 64)
		us := n * 1_000_000 / ticks
		frac := strconv.FormatInt(us%1_000_000, 10)
		return strconv.FormatInt(us/1_000_000, 10) + "." + strings.Repeat("0", 6-len(frac)) + frac
	}
	return secs(f[11]), secs(f[12]), secs(f[13]), secs(f[14])
}

func okOrErr(ok bool) string {
	if ok {
		return "ok"
	}
	return "err"
}
