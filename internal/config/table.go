package config

import (
	"math"
	"net"
	"strconv"
	"strings"
)

// The directive table. Names, types, bounds, flags and defaults are those of
// redis-server 7.0.15 (config.c's static_configs), checked against the
// server itself: see testdata/redis-7.0.15-*.txt and config_oracle_test.go.
// The Status column is Cairn's own.

const (
	intMax   = math.MaxInt32
	intMin   = math.MinInt32
	uintMax  = math.MaxUint32
	longMax  = math.MaxInt64
	ullMax   = -1 // ULLONG_MAX as Redis stores it in a long long; compared unsigned
	kb       = 1024
	mb       = 1024 * 1024
	notifyOK = "Ag$lshzxeKEtmdn"
)

var (
	yesNoLocal   = ev("no", 0, "yes", 1, "local", 2)
	shutdownEnum = ev("default", 0, "save", ShutdownSave, "nosave", ShutdownNoSave, "now", ShutdownNow, "force", ShutdownForce)
)

var table = build(
	// Booleans.
	boolean("rdbchecksum", "", Immutable, "yes", Implemented, func(c *Config) *bool { return &c.RDBChecksum }),
	boolean("daemonize", "", Immutable, "no", StoredOnly, func(c *Config) *bool { return &c.Daemonize }),
	boolean("io-threads-do-reads", "", Immutable, "no", Ignored, nil),
	boolean("always-show-logo", "", Immutable, "no", Implemented, func(c *Config) *bool { return &c.AlwaysShowLogo }),
	boolean("protected-mode", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.ProtectedMode }),
	boolean("rdbcompression", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.RDBCompression }),
	boolean("rdb-del-sync-files", "", 0, "no", StoredOnly, func(c *Config) *bool { return &c.RDBDelSyncFiles }),
	boolean("activerehashing", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.ActiveRehashing }),
	boolean("stop-writes-on-bgsave-error", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.StopWritesOnBgsaveError }),
	boolean("set-proc-title", "", Immutable, "yes", StoredOnly, func(c *Config) *bool { return &c.SetProcTitle }),
	boolean("dynamic-hz", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.DynamicHz }),
	boolean("lazyfree-lazy-eviction", "", 0, "no", Ignored, nil),
	boolean("lazyfree-lazy-expire", "", 0, "no", Ignored, nil),
	boolean("lazyfree-lazy-server-del", "", 0, "no", Ignored, nil),
	boolean("lazyfree-lazy-user-del", "", 0, "no", Ignored, nil),
	boolean("lazyfree-lazy-user-flush", "", 0, "no", Ignored, nil),
	boolean("repl-disable-tcp-nodelay", "", 0, "no", StoredOnly, nil),
	boolean("repl-diskless-sync", "", 0, "yes", StoredOnly, nil),
	boolean("aof-rewrite-incremental-fsync", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.AOFRewriteIncrementalFsync }),
	boolean("no-appendfsync-on-rewrite", "", 0, "no", Implemented, func(c *Config) *bool { return &c.NoAppendfsyncOnRewrite }),
	boolean("cluster-require-full-coverage", "", 0, "yes", StoredOnly, nil),
	boolean("rdb-save-incremental-fsync", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.RDBSaveIncrementalFsync }),
	boolean("aof-load-truncated", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.AOFLoadTruncated }),
	boolean("aof-use-rdb-preamble", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.AOFUseRDBPreamble }),
	boolean("aof-timestamp-enabled", "", 0, "no", StoredOnly, func(c *Config) *bool { return &c.AOFTimestampEnabled }),
	boolean("cluster-replica-no-failover", "cluster-slave-no-failover", 0, "no", StoredOnly, nil),
	boolean("replica-lazy-flush", "slave-lazy-flush", 0, "no", Ignored, nil),
	boolean("replica-serve-stale-data", "slave-serve-stale-data", 0, "yes", StoredOnly, func(c *Config) *bool { return &c.ReplicaServeStaleData }),
	boolean("replica-read-only", "slave-read-only", 0, "yes", StoredOnly, func(c *Config) *bool { return &c.ReplicaReadOnly }),
	boolean("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0, "yes", StoredOnly, nil),
	boolean("jemalloc-bg-thread", "", 0, "yes", Ignored, nil),
	boolean("activedefrag", "", 0, "no", Ignored, nil).checkB(func(v bool) string {
		if v {
			// What a redis-server built without Redis's patched jemalloc
			// answers (the reference build is one); Cairn has nothing to
			// defragment either.
			return "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
		}
		return ""
	}),
	boolean("syslog-enabled", "", Immutable, "no", StoredOnly, nil),
	boolean("cluster-enabled", "", Immutable, "no", StoredOnly, func(c *Config) *bool { return &c.ClusterEnabled }),
	boolean("appendonly", "", DenyLoading, "no", Implemented, func(c *Config) *bool { return &c.AppendOnly }),
	boolean("cluster-allow-reads-when-down", "", 0, "no", StoredOnly, nil),
	boolean("cluster-allow-pubsubshard-when-down", "", 0, "yes", StoredOnly, nil),
	boolean("crash-log-enabled", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.CrashLogEnabled }),
	boolean("crash-memcheck-enabled", "", 0, "yes", Ignored, nil),
	boolean("use-exit-on-panic", "", Hidden, "no", Ignored, nil),
	boolean("disable-thp", "", Immutable, "yes", Ignored, nil),
	boolean("cluster-allow-replica-migration", "", 0, "yes", StoredOnly, nil),
	boolean("replica-announced", "", 0, "yes", StoredOnly, nil),
	boolean("latency-tracking", "", 0, "yes", Implemented, func(c *Config) *bool { return &c.LatencyTracking }),
	boolean("aof-disable-auto-gc", "", 0, "no", StoredOnly, nil),
	boolean("replica-ignore-disk-write-errors", "", 0, "no", StoredOnly, nil),

	// Strings.
	str("aclfile", "", Immutable, "", StoredOnly).ref(func(c *Config) *string { return &c.ACLFile }),
	str("unixsocket", "", Immutable, "", Implemented).null().ref(func(c *Config) *string { return &c.UnixSocket }),
	str("pidfile", "", Immutable, "", Implemented).null().ref(func(c *Config) *string { return &c.PidFile }),
	str("replica-announce-ip", "slave-announce-ip", 0, "", StoredOnly).null(),
	str("masteruser", "", Sensitive, "", StoredOnly).null().ref(func(c *Config) *string { return &c.MasterUser }),
	str("cluster-announce-ip", "", 0, "", StoredOnly).null(),
	str("cluster-config-file", "", Immutable, "nodes.conf", StoredOnly),
	str("cluster-announce-hostname", "", 0, "", StoredOnly).null().check(checkHostname),
	str("syslog-ident", "", Immutable, "redis", StoredOnly),
	str("dbfilename", "", Protected|DenyLoading, "dump.rdb", Implemented).check(checkDBFilename).ref(func(c *Config) *string { return &c.DBFilename }),
	str("appendfilename", "", Immutable, "appendonly.aof", Implemented).check(checkAOFFilename).ref(func(c *Config) *string { return &c.AppendFilename }),
	str("appenddirname", "", Immutable, "appendonlydir", Implemented).check(checkAOFDirname).ref(func(c *Config) *string { return &c.AppendDirname }),
	str("server_cpulist", "", Immutable, "", StoredOnly).null(),
	str("bio_cpulist", "", Immutable, "", StoredOnly).null(),
	str("aof_rewrite_cpulist", "", Immutable, "", StoredOnly).null(),
	str("bgsave_cpulist", "", Immutable, "", StoredOnly).null(),
	str("ignore-warnings", "", 0, "", Ignored),
	str("proc-title-template", "", 0, "{title} {listen-addr} {server-mode}", StoredOnly).check(checkProcTitleTemplate).ref(func(c *Config) *string { return &c.ProcTitleTemplate }),
	str("bind-source-addr", "", 0, "", StoredOnly).null(),
	str("logfile", "", Immutable, "", Implemented).ref(func(c *Config) *string { return &c.LogFile }),
	str("masterauth", "", Sensitive, "", StoredOnly).null().bin().ref(func(c *Config) *string { return &c.MasterAuth }),
	str("requirepass", "", Sensitive, "", Implemented).null().bin().ref(func(c *Config) *string { return &c.RequirePass }),

	// Enums.
	enum("supervised", "", Immutable, ev("upstart", 3, "systemd", 2, "auto", 1, "no", 0), "no", StoredOnly).ref(func(c *Config) *string { return &c.Supervised }),
	enum("syslog-facility", "", Immutable, ev("user", 0, "local0", 1, "local1", 2, "local2", 3, "local3", 4, "local4", 5, "local5", 6, "local6", 7, "local7", 8), "local0", StoredOnly),
	enum("repl-diskless-load", "", DenyLoading, ev("disabled", 0, "on-empty-db", 1, "swapdb", 2), "disabled", StoredOnly),
	enum("loglevel", "", 0, ev("debug", 0, "verbose", 1, "notice", 2, "warning", 3), "notice", Implemented).ref(func(c *Config) *string { return &c.LogLevel }),
	enum("maxmemory-policy", "", 0, ev("volatile-lru", 0, "volatile-lfu", 1, "volatile-random", 2, "volatile-ttl", 3, "allkeys-lru", 4, "allkeys-lfu", 5, "allkeys-random", 6, "noeviction", 7), "noeviction", Implemented).ref(func(c *Config) *string { return &c.MaxMemoryPolicy }),
	enum("appendfsync", "", 0, ev("everysec", 1, "always", 2, "no", 0), "everysec", Implemented).ref(func(c *Config) *string { return &c.AppendFsync }),
	enum("oom-score-adj", "", 0, ev("no", 0, "yes", 1, "relative", 1, "absolute", 2), "no", StoredOnly).ref(func(c *Config) *string { return &c.OOMScoreAdj }),
	enum("acl-pubsub-default", "", 0, ev("allchannels", 1, "resetchannels", 0), "resetchannels", Implemented).ref(func(c *Config) *string { return &c.ACLPubsubDefault }),
	enum("sanitize-dump-payload", "", 0, ev("no", 0, "yes", 1, "clients", 2), "no", Implemented).ref(func(c *Config) *string { return &c.SanitizeDumpPayload }),
	enum("enable-protected-configs", "", Immutable, yesNoLocal, "no", Implemented).ref(func(c *Config) *string { return &c.EnableProtectedConfigs }),
	enum("enable-debug-command", "", Immutable, yesNoLocal, "no", Implemented).ref(func(c *Config) *string { return &c.EnableDebugCommand }),
	enum("enable-module-command", "", Immutable, yesNoLocal, "no", Implemented).ref(func(c *Config) *string { return &c.EnableModuleCommand }),
	enum("cluster-preferred-endpoint-type", "", 0, ev("ip", 0, "hostname", 1, "unknown-endpoint", 2), "ip", StoredOnly),
	enum("propagation-error-behavior", "", 0, ev("ignore", 0, "panic", 1, "panic-on-replicas", 2), "ignore", StoredOnly),
	enumFlags("shutdown-on-sigint", "", 0, shutdownEnum, "default", Implemented, func(c *Config) *int { return &c.ShutdownOnSigint }).checkE(checkShutdownFlags),
	enumFlags("shutdown-on-sigterm", "", 0, shutdownEnum, "default", Implemented, func(c *Config) *int { return &c.ShutdownOnSigterm }).checkE(checkShutdownFlags),

	// Integers (C int).
	num(Integer, "databases", "", Immutable, 1, intMax, "16", Implemented).int(func(c *Config) *int { return &c.Databases }),
	num(Integer, "port", "", 0, 0, 65535, "6379", Implemented).int(func(c *Config) *int { return &c.Port }),
	num(Integer, "io-threads", "", Immutable, 1, 128, "1", Ignored),
	num(Integer, "auto-aof-rewrite-percentage", "", 0, 0, intMax, "100", Implemented).int(func(c *Config) *int { return &c.AutoAOFRewritePercentage }),
	num(Integer, "cluster-replica-validity-factor", "cluster-slave-validity-factor", 0, 0, intMax, "10", StoredOnly),
	num(Integer, "list-max-listpack-size", "list-max-ziplist-size", 0, intMin, intMax, "-2", Implemented).int(func(c *Config) *int { return &c.ListMaxListpackSize }),
	num(Integer, "tcp-keepalive", "", 0, 0, intMax, "300", Implemented).int(func(c *Config) *int { return &c.TCPKeepalive }),
	num(Integer, "cluster-migration-barrier", "", 0, 0, intMax, "1", StoredOnly),
	num(Integer, "active-defrag-cycle-min", "", 0, 1, 99, "1", Ignored),
	num(Integer, "active-defrag-cycle-max", "", 0, 1, 99, "25", Ignored),
	num(Integer, "active-defrag-threshold-lower", "", 0, 0, 1000, "10", Ignored),
	num(Integer, "active-defrag-threshold-upper", "", 0, 0, 1000, "100", Ignored),
	num(Integer, "lfu-log-factor", "", 0, 0, intMax, "10", Implemented).int(func(c *Config) *int { return &c.LFULogFactor }),
	num(Integer, "lfu-decay-time", "", 0, 0, intMax, "1", Implemented).int(func(c *Config) *int { return &c.LFUDecayTime }),
	num(Integer, "replica-priority", "slave-priority", 0, 0, intMax, "100", StoredOnly),
	num(Integer, "repl-diskless-sync-delay", "", 0, 0, intMax, "5", StoredOnly),
	num(Integer, "maxmemory-samples", "", 0, 1, intMax, "5", Implemented).int(func(c *Config) *int { return &c.MaxMemorySamples }),
	num(Integer, "maxmemory-eviction-tenacity", "", 0, 0, 100, "10", Implemented).int(func(c *Config) *int { return &c.MaxMemoryEvictionTenacity }),
	num(Integer, "timeout", "", 0, 0, intMax, "0", Implemented).int64(func(c *Config) *int64 { return &c.Timeout }),
	num(Integer, "replica-announce-port", "slave-announce-port", 0, 0, 65535, "0", StoredOnly),
	num(Integer, "tcp-backlog", "", Immutable, 0, intMax, "511", Implemented).int(func(c *Config) *int { return &c.TCPBacklog }),
	num(Integer, "cluster-port", "", Immutable, 0, 65535, "0", StoredOnly),
	num(Integer, "cluster-announce-bus-port", "", 0, 0, 65535, "0", StoredOnly),
	num(Integer, "cluster-announce-port", "", 0, 0, 65535, "0", StoredOnly),
	num(Integer, "cluster-announce-tls-port", "", 0, 0, 65535, "0", StoredOnly),
	num(Integer, "repl-timeout", "", 0, 1, intMax, "60", StoredOnly).int(func(c *Config) *int { return &c.ReplTimeout }),
	num(Integer, "repl-ping-replica-period", "repl-ping-slave-period", 0, 1, intMax, "10", StoredOnly).int(func(c *Config) *int { return &c.ReplPingReplicaPeriod }),
	num(Integer, "list-compress-depth", "", 0, 0, intMax, "0", Implemented).int(func(c *Config) *int { return &c.ListCompressDepth }),
	num(Integer, "rdb-key-save-delay", "", Hidden, intMin, intMax, "0", Implemented).int(func(c *Config) *int { return &c.RDBKeySaveDelay }),
	num(Integer, "key-load-delay", "", Hidden, intMin, intMax, "0", StoredOnly),
	num(Integer, "active-expire-effort", "", 0, 1, 10, "1", Implemented).int(func(c *Config) *int { return &c.ActiveExpireEffort }),
	num(Integer, "hz", "", 0, 0, intMax, "10", Implemented).int(func(c *Config) *int { return &c.Hz }),
	num(Integer, "min-replicas-to-write", "min-slaves-to-write", 0, 0, intMax, "0", StoredOnly).int(func(c *Config) *int { return &c.MinReplicasToWrite }),
	num(Integer, "min-replicas-max-lag", "min-slaves-max-lag", 0, 0, intMax, "10", StoredOnly).int(func(c *Config) *int { return &c.MinReplicasMaxLag }),
	num(Integer, "watchdog-period", "", Hidden, 0, intMax, "0", StoredOnly),
	num(Integer, "shutdown-timeout", "", 0, 0, intMax, "10", Implemented).int(func(c *Config) *int { return &c.ShutdownTimeout }),
	num(Integer, "repl-diskless-sync-max-replicas", "", 0, 0, intMax, "0", StoredOnly),

	// Unsigned int.
	num(Integer, "maxclients", "", 0, 1, uintMax, "10000", Implemented).uns().int(func(c *Config) *int { return &c.MaxClients }),
	num(Octal, "unixsocketperm", "", Immutable, 0, 0777, "0", Implemented).uns().int(func(c *Config) *int { return &c.UnixSocketPerm }),
	num(Integer, "socket-mark-id", "", Immutable, 0, uintMax, "0", StoredOnly).uns(),

	// Unsigned long (bounds compared signed, as Redis does).
	num(Integer, "active-defrag-max-scan-fields", "", 0, 1, longMax, "1000", Ignored),
	num(Integer, "slowlog-max-len", "", 0, 0, longMax, "128", Implemented).int(func(c *Config) *int { return &c.SlowlogMaxLen }),
	num(Integer, "acllog-max-len", "", 0, 0, longMax, "128", Implemented).int64(func(c *Config) *int64 { return &c.ACLLogMaxLen }),

	// Long long.
	num(Integer, "busy-reply-threshold", "lua-time-limit", 0, 0, longMax, "5000", Implemented).int64(func(c *Config) *int64 { return &c.BusyReplyThreshold }),
	num(Integer, "cluster-node-timeout", "", 0, 0, longMax, "15000", StoredOnly),
	num(Integer, "slowlog-log-slower-than", "", 0, -1, longMax, "10000", Implemented).int64(func(c *Config) *int64 { return &c.SlowlogLogSlowerThan }),
	num(Integer, "latency-monitor-threshold", "", 0, 0, longMax, "0", Implemented).int64(func(c *Config) *int64 { return &c.LatencyMonitorThreshold }),
	num(Memory, "proto-max-bulk-len", "", 0, mb, longMax, "536870912", Implemented).int64(func(c *Config) *int64 { return &c.ProtoMaxBulkLen }),
	num(Integer, "stream-node-max-entries", "", 0, 0, longMax, "100", Implemented).int64(func(c *Config) *int64 { return &c.StreamNodeMaxEntries }),
	num(Memory, "repl-backlog-size", "", 0, 1, longMax, "1048576", StoredOnly).int64(func(c *Config) *int64 { return &c.ReplBacklogSize }),

	// Unsigned long long.
	num(Memory, "maxmemory", "", 0, 0, ullMax, "0", Implemented).uns().uint64(func(c *Config) *uint64 { return &c.MaxMemory }),
	num(Memory, "cluster-link-sendbuf-limit", "", 0, 0, ullMax, "0", StoredOnly).uns(),

	// size_t (unsigned) and ssize_t.
	num(Integer, "hash-max-listpack-entries", "hash-max-ziplist-entries", 0, 0, longMax, "512", Implemented).uns().int64(func(c *Config) *int64 { return &c.HashMaxListpackEntries }),
	num(Integer, "set-max-intset-entries", "", 0, 0, longMax, "512", Implemented).uns().int64(func(c *Config) *int64 { return &c.SetMaxIntsetEntries }),
	num(Integer, "zset-max-listpack-entries", "zset-max-ziplist-entries", 0, 0, longMax, "128", Implemented).uns().int64(func(c *Config) *int64 { return &c.ZsetMaxListpackEntries }),
	num(Memory, "active-defrag-ignore-bytes", "", 0, 1, longMax, "104857600", Ignored).uns(),
	num(Memory, "hash-max-listpack-value", "hash-max-ziplist-value", 0, 0, longMax, "64", Implemented).uns().int64(func(c *Config) *int64 { return &c.HashMaxListpackValue }),
	num(Memory, "stream-node-max-bytes", "", 0, 0, longMax, "4096", Implemented).uns().int64(func(c *Config) *int64 { return &c.StreamNodeMaxBytes }),
	num(Memory, "zset-max-listpack-value", "zset-max-ziplist-value", 0, 0, longMax, "64", Implemented).uns().int64(func(c *Config) *int64 { return &c.ZsetMaxListpackValue }),
	num(Memory, "hll-sparse-max-bytes", "", 0, 0, longMax, "3000", StoredOnly).uns().int64(func(c *Config) *int64 { return &c.HLLSparseMaxBytes }),
	num(Integer, "tracking-table-max-keys", "", 0, 0, longMax, "1000000", Implemented).uns().int64(func(c *Config) *int64 { return &c.TrackingTableMaxKeys }),
	num(Memory, "client-query-buffer-limit", "", 0, mb, longMax, "1073741824", Implemented).uns().int64(func(c *Config) *int64 { return &c.ClientQueryBufferLimit }),
	num(MemoryOrPercent, "maxmemory-clients", "", 0, -100, longMax, "0", StoredOnly).int64(func(c *Config) *int64 { return &c.MaxMemoryClients }),

	// time_t and off_t.
	num(Integer, "repl-backlog-ttl", "", 0, 0, longMax, "3600", StoredOnly).int64(func(c *Config) *int64 { return &c.ReplBacklogTTL }),
	num(Memory, "auto-aof-rewrite-min-size", "", 0, 0, longMax, "67108864", Implemented).int64(func(c *Config) *int64 { return &c.AutoAOFRewriteMinSize }),
	num(Integer, "loading-process-events-interval-bytes", "", Hidden, 1024, intMax, "2097152", StoredOnly),

	// TLS (all stored only: Cairn has no TLS listener yet).
	num(Integer, "tls-port", "", 0, 0, 65535, "0", StoredOnly).int(func(c *Config) *int { return &c.tlsPort }),
	num(Integer, "tls-session-cache-size", "", 0, 0, intMax, "20480", StoredOnly),
	num(Integer, "tls-session-cache-timeout", "", 0, 0, intMax, "300", StoredOnly),
	boolean("tls-cluster", "", 0, "no", StoredOnly, nil),
	boolean("tls-replication", "", 0, "no", StoredOnly, nil),
	enum("tls-auth-clients", "", 0, ev("no", 0, "yes", 1, "optional", 2), "yes", StoredOnly),
	boolean("tls-prefer-server-ciphers", "", 0, "no", StoredOnly, nil),
	boolean("tls-session-caching", "", 0, "yes", StoredOnly, nil),
	str("tls-cert-file", "", 0, "", StoredOnly).null(),
	str("tls-key-file", "", 0, "", StoredOnly).null(),
	str("tls-key-file-pass", "", Sensitive, "", StoredOnly).null(),
	str("tls-client-cert-file", "", 0, "", StoredOnly).null(),
	str("tls-client-key-file", "", 0, "", StoredOnly).null(),
	str("tls-client-key-file-pass", "", Sensitive, "", StoredOnly).null(),
	str("tls-dh-params-file", "", 0, "", StoredOnly).null(),
	str("tls-ca-cert-file", "", 0, "", StoredOnly).null(),
	str("tls-ca-cert-dir", "", 0, "", StoredOnly).null(),
	str("tls-protocols", "", 0, "", StoredOnly).null(),
	str("tls-ciphers", "", 0, "", StoredOnly).null(),
	str("tls-ciphersuites", "", 0, "", StoredOnly).null(),

	// Cairn's own directives. Hidden, so that CONFIG GET * lists exactly redis-server's
	// directives; CONFIG GET and SET by exact name work.
	//
	// cairn-debug-addr host:port starts an HTTP listener with net/http/pprof and the Go
	// runtime's GC and heap figures (internal/server/debughttp.go). Off by default; it
	// exposes profiles of the process, so CONFIG SET needs enable-protected-configs, as
	// for dir.
	str("cairn-debug-addr", "", Hidden|Protected, "", Implemented).null().check(checkListenAddr).ref(func(c *Config) *string { return &c.CairnDebugAddr }),
	// cairn-io-loops N serves the connections with N I/O loops (internal/server/ioloop.go);
	// 0, the default, is one per GOMAXPROCS (one per CPU). Fewer loops than CPUs suit a
	// small machine whose clients run on it too: the loops then do not compete with
	// them for the CPUs (measured in bench/RESULTS.md).
	num(Integer, "cairn-io-loops", "", Hidden|Immutable, 0, 1024, "0", Implemented).int(func(c *Config) *int { return &c.CairnIOLoops }),
	// cairn-gc-min-heap BYTES: the Go garbage collector does not start a cycle before
	// the heap reaches this size (internal/gcfloor): a small data set under a high write
	// rate is then not collected several times a second. 0 leaves GOGC alone in charge.
	// An explicit GOGC in the environment wins over it.
	num(Memory, "cairn-gc-min-heap", "", Hidden, 0, 1<<40, "32mb", Implemented).uns().uint64(func(c *Config) *uint64 { return &c.CairnGCMinHeap }),

	// Special directives (special.go).
	spec("dir", "", Protected|DenyLoading, "", Implemented, dirSpecial),
	spec("save", "", MultiArg, "3600 1 300 100 60 10000", Implemented, saveSpecial),
	spec("client-output-buffer-limit", "", MultiArg, "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", Implemented, obufSpecial),
	spec("oom-score-adj-values", "", MultiArg, "0 200 800", StoredOnly, oomSpecial),
	spec("notify-keyspace-events", "", 0, "", Implemented, notifySpecial),
	spec("bind", "", MultiArg, "* -::*", Implemented, bindSpecial),
	spec("replicaof", "slaveof", Immutable|MultiArg, "", StoredOnly, replicaofSpecial),
	spec("latency-tracking-info-percentiles", "", MultiArg, "50 99 99.9", Implemented, percentilesSpecial),
)

// byName maps every name and alias, lower case, to its table index.
var byName = map[string]int{}

func init() {
	for _, e := range table {
		byName[e.Name] = e.idx
	}
	// Parse the defaults once, for CONFIG REWRITE's comparisons.
	c := Default()
	for _, e := range table {
		if e.isAlias {
			continue
		}
		switch e.Kind {
		case Bool:
			if e.boolean(c) {
				e.def.n = 1
			}
		case Integer, Memory, MemoryOrPercent, Octal:
			e.def.n = e.num(c)
		case Enum, EnumFlags:
			e.def.n = int64(e.enumValue(c))
		case String:
			e.def.s = e.str(c)
		}
	}
}

// build lays the entries out with each alias right after its primary.
func build(entries ...*entry) []*entry {
	var out []*entry
	for _, e := range entries {
		e.idx = len(out)
		e.primary = e.idx
		out = append(out, e)
		if e.Alias != "" {
			a := *e
			a.Name, a.Alias = e.Alias, e.Name
			a.isAlias = true
			a.idx = len(out)
			out = append(out, &a)
		}
	}
	return out
}

func ev(pairs ...any) []enumVal {
	var out []enumVal
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, enumVal{pairs[i].(string), pairs[i+1].(int)})
	}
	return out
}

func boolean(name, alias string, fl Flag, def string, st Status, ref func(*Config) *bool) *entry {
	return &entry{Directive: Directive{Name: name, Alias: alias, Kind: Bool, Flags: fl, Default: def, Status: st}, b: ref}
}

func num(k Kind, name, alias string, fl Flag, lo, hi int64, def string, st Status) *entry {
	return &entry{Directive: Directive{Name: name, Alias: alias, Kind: k, Flags: fl, Default: def, Status: st}, lo: lo, hi: hi}
}

func str(name, alias string, fl Flag, def string, st Status) *entry {
	return &entry{Directive: Directive{Name: name, Alias: alias, Kind: String, Flags: fl, Default: def, Status: st}}
}

func enum(name, alias string, fl Flag, vals []enumVal, def string, st Status) *entry {
	e := &entry{Directive: Directive{Name: name, Alias: alias, Kind: Enum, Flags: fl, Default: def, Status: st}, enum: vals}
	for _, v := range vals {
		e.Enum = append(e.Enum, v.name)
	}
	return e
}

func enumFlags(name, alias string, fl Flag, vals []enumVal, def string, st Status, ref func(*Config) *int) *entry {
	e := enum(name, alias, fl|MultiArg, vals, def, st)
	e.Kind = EnumFlags
	e.i = ref
	return e
}

func spec(name, alias string, fl Flag, def string, st Status, sp *special) *entry {
	return &entry{Directive: Directive{Name: name, Alias: alias, Kind: Special, Flags: fl, Default: def, Status: st}, sp: sp}
}

func (e *entry) int(ref func(*Config) *int) *entry            { e.i = ref; return e }
func (e *entry) int64(ref func(*Config) *int64) *entry        { e.i64 = ref; return e }
func (e *entry) uint64(ref func(*Config) *uint64) *entry      { e.u64 = ref; return e }
func (e *entry) ref(ref func(*Config) *string) *entry         { e.s = ref; return e }
func (e *entry) uns() *entry                                  { e.unsigned = true; return e }
func (e *entry) null() *entry                                 { e.nullable = true; return e }
func (e *entry) bin() *entry                                  { e.binary = true; return e }
func (e *entry) checkE(fn func(int) string) *entry            { e.checkEnum = fn; return e }
func (e *entry) checkB(fn func(bool) string) *entry           { e.checkBool = fn; return e }
func (e *entry) check(fn func(*Config, string) string) *entry { e.checkStr = fn; return e }

// --- string validators (Redis's is_valid_fn) ---

func pathIsBaseName(s string) bool { return !strings.ContainsAny(s, "/\\") }

func checkDBFilename(_ *Config, v string) string {
	if !pathIsBaseName(v) {
		return "dbfilename can't be a path, just a filename"
	}
	return ""
}

func checkAOFFilename(_ *Config, v string) string {
	if v == "" {
		return "appendfilename can't be empty"
	}
	if !pathIsBaseName(v) {
		return "appendfilename can't be a path, just a filename"
	}
	return ""
}

func checkAOFDirname(_ *Config, v string) string {
	if v == "" {
		return "appenddirname can't be empty"
	}
	if !pathIsBaseName(v) {
		return "appenddirname can't be a path, just a dirname"
	}
	return ""
}

func checkHostname(_ *Config, v string) string {
	if len(v) >= 256 {
		return "Hostnames must be less than 256 characters"
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return "Hostnames may only contain alphanumeric characters, hyphens or dots"
		}
	}
	return ""
}

// checkListenAddr accepts "" or host:port with a numeric port (0 picks a free one).
func checkListenAddr(_ *Config, v string) string {
	if v == "" {
		return ""
	}
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return "argument must be host:port"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "port must be a number between 0 and 65535"
	}
	return ""
}

func checkShutdownFlags(v int) string {
	if v&ShutdownSave != 0 && v&ShutdownNoSave != 0 {
		return "shutdown options SAVE and NOSAVE can't be used simultaneously"
	}
	return ""
}

func checkProcTitleTemplate(c *Config, v string) string {
	if s, ok := expandProcTitle(c, v, ""); !ok || strings.Trim(s, " ") == "" {
		return "template format is invalid or contains unknown variables"
	}
	return ""
}
