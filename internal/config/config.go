package config

import "os"

// Version is the Redis version whose configuration this package reproduces.
// It appears in startup error messages.
const Version = "7.0.15"

// Kind is the value syntax of a directive.
type Kind uint8

const (
	Bool            Kind = iota + 1 // yes or no
	Integer                         // a plain integer (no units)
	Memory                          // an integer with an optional unit: 1k, 1kb, 1mb, 1gb...
	MemoryOrPercent                 // Memory, or a percentage "N%" (stored negative)
	Octal                           // an integer written in octal (unixsocketperm)
	Enum                            // one word of a fixed set
	EnumFlags                       // one or more words of a fixed set (shutdown-on-sigint)
	String                          // free text
	Special                         // own syntax: save, bind, client-output-buffer-limit...
)

// Flag describes how a directive may be changed.
type Flag uint16

const (
	Immutable   Flag = 1 << iota // only at startup; CONFIG SET refuses it
	Protected                    // CONFIG SET needs enable-protected-configs
	DenyLoading                  // CONFIG SET refuses it while a data set is loading
	Sensitive                    // the value is a secret: redact it in logs, SLOWLOG, MONITOR
	Hidden                       // CONFIG GET patterns do not list it; the exact name works
	MultiArg                     // takes several arguments (CONFIG SET splits the value on spaces)
)

// Status says whether Cairn acts on a directive.
type Status uint8

const (
	// Implemented directives are honoured by the server.
	Implemented Status = iota + 1
	// StoredOnly directives are accepted, shown by CONFIG GET and written by
	// CONFIG REWRITE, but have no effect yet. The server logs them once
	// (see NotEffective) when they are set to a non-default value.
	StoredOnly
	// Ignored directives are accepted and stored but mean nothing in Cairn
	// (jemalloc, transparent huge pages, I/O threads, lazy freeing...):
	// Cairn's behaviour already matches what they select, or they tune a
	// mechanism Cairn does not have. They are never reported.
	Ignored
)

// Directive describes one configuration directive of the table.
type Directive struct {
	Name    string // canonical name, lower case
	Alias   string // the other accepted name ("slaveof" for "replicaof"), or ""
	Kind    Kind
	Flags   Flag
	Default string   // the default value as CONFIG GET shows it ("" for dir: the working directory)
	Enum    []string // accepted words, for Enum and EnumFlags, in Redis's order
	Status  Status
}

// OutputBufferLimit is one class of client-output-buffer-limit.
type OutputBufferLimit struct {
	Hard        uint64 // bytes; 0 = no limit
	Soft        uint64 // bytes; 0 = no limit
	SoftSeconds int64  // how long the soft limit may be exceeded
}

// Client classes of client-output-buffer-limit, in Redis's order.
const (
	ClientNormal  = 0
	ClientReplica = 1
	ClientPubsub  = 2
)

// Flags of shutdown-on-sigint and shutdown-on-sigterm; 0 means "default".
const (
	ShutdownSave   = 1
	ShutdownNoSave = 2
	ShutdownNow    = 4
	ShutdownForce  = 8
)

// Config is a server configuration: every directive of Redis 7.0.15, the
// ones Cairn uses as typed fields, the others stored in their canonical form.
//
// The typed fields may be read freely. Change values through Set (which
// validates, is atomic, and runs OnChange callbacks); a test may also assign
// a field directly, and Get, Rewrite and NotEffective then see the new value.
// A Config is not safe for concurrent use: the server reads and changes it
// under its executor lock.
type Config struct {
	// Network.
	Port           int      // port
	Bind           []string // bind: addresses; empty = no TCP listener
	UnixSocket     string   // unixsocket; "" = none
	UnixSocketPerm int      // unixsocketperm (permission bits)
	TCPBacklog     int      // tcp-backlog
	TCPKeepalive   int      // tcp-keepalive, seconds
	Timeout        int64    // timeout: idle client timeout, seconds; 0 = never
	ProtectedMode  bool     // protected-mode
	MaxClients     int      // maxclients

	// General.
	Daemonize         bool   // daemonize
	Supervised        string // supervised: upstart, systemd, auto, no
	PidFile           string // pidfile; "" = none
	LogLevel          string // loglevel: debug, verbose, notice, warning
	LogFile           string // logfile; "" = standard output
	Databases         int    // databases
	AlwaysShowLogo    bool   // always-show-logo
	SetProcTitle      bool   // set-proc-title
	ProcTitleTemplate string // proc-title-template
	Hz                int    // hz, kept between 1 and 500 as Redis does
	DynamicHz         bool   // dynamic-hz
	CrashLogEnabled   bool   // crash-log-enabled

	// Security.
	RequirePass            string // requirepass; "" = none
	ACLFile                string // aclfile
	ACLLogMaxLen           int64  // acllog-max-len
	ACLPubsubDefault       string // acl-pubsub-default: allchannels, resetchannels
	EnableProtectedConfigs string // enable-protected-configs: no, yes, local
	EnableDebugCommand     string // enable-debug-command: no, yes, local
	EnableModuleCommand    string // enable-module-command: no, yes, local

	// Limits.
	ProtoMaxBulkLen         int64                // proto-max-bulk-len, bytes
	ClientQueryBufferLimit  int64                // client-query-buffer-limit, bytes
	ClientOutputBufferLimit [3]OutputBufferLimit // client-output-buffer-limit, by ClientNormal...
	MaxMemoryClients        int64                // maxmemory-clients: bytes, or -N for N% of maxmemory
	BusyReplyThreshold      int64                // busy-reply-threshold (lua-time-limit), ms

	// Memory and eviction.
	MaxMemory                 uint64 // maxmemory, bytes; 0 = no limit
	MaxMemoryPolicy           string // maxmemory-policy
	MaxMemorySamples          int    // maxmemory-samples
	MaxMemoryEvictionTenacity int    // maxmemory-eviction-tenacity
	LFULogFactor              int    // lfu-log-factor
	LFUDecayTime              int    // lfu-decay-time, minutes
	ActiveExpireEffort        int    // active-expire-effort
	ActiveRehashing           bool   // activerehashing

	// Snapshotting.
	Save                    [][2]int64 // save: (seconds, changes) pairs; empty = never
	StopWritesOnBgsaveError bool       // stop-writes-on-bgsave-error
	RDBCompression          bool       // rdbcompression
	RDBKeySaveDelay         int        // rdb-key-save-delay: µs per key saved (testing)
	RDBChecksum             bool       // rdbchecksum
	DBFilename              string     // dbfilename
	RDBDelSyncFiles         bool       // rdb-del-sync-files
	RDBSaveIncrementalFsync bool       // rdb-save-incremental-fsync
	Dir                     string     // dir: absolute, symlinks resolved (what getcwd shows)
	SanitizeDumpPayload     string     // sanitize-dump-payload: no, yes, clients

	// Append only file.
	AppendOnly                 bool   // appendonly
	AppendFilename             string // appendfilename
	AppendDirname              string // appenddirname
	AppendFsync                string // appendfsync: always, everysec, no
	NoAppendfsyncOnRewrite     bool   // no-appendfsync-on-rewrite
	AutoAOFRewritePercentage   int    // auto-aof-rewrite-percentage
	AutoAOFRewriteMinSize      int64  // auto-aof-rewrite-min-size, bytes
	AOFLoadTruncated           bool   // aof-load-truncated
	AOFUseRDBPreamble          bool   // aof-use-rdb-preamble
	AOFTimestampEnabled        bool   // aof-timestamp-enabled
	AOFRewriteIncrementalFsync bool   // aof-rewrite-incremental-fsync

	// Encodings of small values.
	HashMaxListpackEntries int64 // hash-max-listpack-entries (hash-max-ziplist-entries)
	HashMaxListpackValue   int64 // hash-max-listpack-value (hash-max-ziplist-value), bytes
	SetMaxIntsetEntries    int64 // set-max-intset-entries
	ZsetMaxListpackEntries int64 // zset-max-listpack-entries (zset-max-ziplist-entries)
	ZsetMaxListpackValue   int64 // zset-max-listpack-value (zset-max-ziplist-value), bytes
	ListMaxListpackSize    int   // list-max-listpack-size (list-max-ziplist-size)
	ListCompressDepth      int   // list-compress-depth
	StreamNodeMaxBytes     int64 // stream-node-max-bytes
	StreamNodeMaxEntries   int64 // stream-node-max-entries
	HLLSparseMaxBytes      int64 // hll-sparse-max-bytes

	// Observability and events.
	SlowlogLogSlowerThan           int64     // slowlog-log-slower-than, µs; -1 = off
	SlowlogMaxLen                  int       // slowlog-max-len
	LatencyMonitorThreshold        int64     // latency-monitor-threshold, ms
	LatencyTracking                bool      // latency-tracking
	LatencyTrackingInfoPercentiles []float64 // latency-tracking-info-percentiles
	NotifyKeyspaceEvents           int       // notify-keyspace-events, as Notify* flags
	TrackingTableMaxKeys           int64     // tracking-table-max-keys
	CairnDebugAddr                 string    // cairn-debug-addr: host:port of the debug HTTP listener; "" = off (Cairn's own)
	CairnIOLoops                   int       // cairn-io-loops: I/O loops; 0 = one per GOMAXPROCS (Cairn's own)
	CairnGCMinHeap                 uint64    // cairn-gc-min-heap: heap size below which the GC does not collect; 0 = GOGC alone (Cairn's own)

	// Shutdown.
	ShutdownTimeout   int // shutdown-timeout, seconds
	ShutdownOnSigint  int // shutdown-on-sigint, Shutdown* flags
	ShutdownOnSigterm int // shutdown-on-sigterm, Shutdown* flags

	// Replication.
	MasterHost            string // replicaof host; "" = this is a master
	MasterPort            int    // replicaof port
	MasterAuth            string // masterauth
	MasterUser            string // masteruser
	ReplicaServeStaleData bool   // replica-serve-stale-data
	ReplicaReadOnly       bool   // replica-read-only
	ReplBacklogSize       int64  // repl-backlog-size, bytes
	ReplBacklogTTL        int64  // repl-backlog-ttl, seconds
	ReplTimeout           int    // repl-timeout, seconds
	ReplPingReplicaPeriod int    // repl-ping-replica-period, seconds
	MinReplicasToWrite    int    // min-replicas-to-write
	MinReplicasMaxLag     int    // min-replicas-max-lag, seconds
	ClusterEnabled        bool   // cluster-enabled

	// OOM score.
	OOMScoreAdj       string // oom-score-adj: no, yes, absolute
	OOMScoreAdjValues [3]int // oom-score-adj-values: master, replica, background child

	// Directives that are not configuration values, in file order.
	RenameCommands [][2]string // rename-command old new ("" new = remove)
	Users          [][]string  // user directives: arguments after "user"
	LoadModules    [][]string  // loadmodule directives: path and arguments
	ModuleConfigs  [][2]string // "module.name value" lines, value re-joined with spaces

	tlsPort int    // tls-port (read by proc-title-template)
	file    string // absolute path of the config file, "" if none
	slots   []slot // values of directives without a typed field, by table index
	hooks   *hooks // shared by snapshots of this Config
}

// slot holds the value of a directive that has no typed field.
type slot struct {
	n int64  // bool (0/1), integers, enum values
	s string // strings
}

type hooks struct {
	onChange map[int][]func() error // by table index of the primary entry
	users    func() []string
	reported map[int]bool // NotEffective already returned these
}

// Default returns a Config with every directive at its default value, as
// redis-server 7.0.15 has it when started without a config file. Dir is the
// process's working directory.
func Default() *Config {
	c := &Config{
		slots: make([]slot, len(table)),
		hooks: &hooks{onChange: map[int][]func() error{}, reported: map[int]bool{}},
	}
	for _, e := range table {
		if e.isAlias {
			continue
		}
		if e.Name == "dir" {
			wd, err := os.Getwd()
			if err == nil {
				if real, err := evalSymlinks(wd); err == nil {
					wd = real
				}
			}
			c.Dir = wd
			continue
		}
		if err := c.setDefault(e); err != "" {
			panic("config: bad default for " + e.Name + ": " + err)
		}
	}
	return c
}

// setDefault stores e's default value, parsed as the config file would.
func (c *Config) setDefault(e *entry) string {
	var args []string
	if e.Name == "replicaof" {
		return "" // no master: MasterHost is ""
	}
	if e.Flags&MultiArg != 0 {
		args, _ = SplitArgs(e.Default)
		if e.Name == "save" || e.Name == "latency-tracking-info-percentiles" || e.Name == "bind" {
			if len(args) == 0 {
				args = []string{""}
			}
		}
	} else {
		args = []string{e.Default}
	}
	_, err := e.set(c, args, nil)
	return err
}

// File returns the absolute path of the configuration file the Config was
// loaded from, or "" when there was none. Rewrite writes to it.
func (c *Config) File() string { return c.file }

// Lookup finds a directive by name or alias, in any case.
func Lookup(name string) (Directive, bool) {
	e := lookup(name)
	if e == nil {
		return Directive{}, false
	}
	return table[e.primary].Directive, true
}

// Directives returns the table, one element per directive (aliases are in
// the Alias field), in a stable order.
func Directives() []Directive {
	var out []Directive
	for _, e := range table {
		if !e.isAlias {
			out = append(out, e.Directive)
		}
	}
	return out
}

// lookup finds a table entry by name (primary or alias), case-insensitively.
func lookup(name string) *entry {
	if i, ok := byName[name]; ok {
		return table[i]
	}
	if i, ok := byName[asciiLower(name)]; ok {
		return table[i]
	}
	return nil
}

// OnChange registers fn to be called after a Set changes the directive name
// (or its alias), so the server can act on the new value (listen on the new
// port, resize the slow log...). fn sees the new value in the Config. If fn
// returns an error, Set restores every value of that call, calls the
// callbacks of the directives it had changed again (so they can act on the
// restored values; their errors are then ignored) and fails with
// "ERR CONFIG SET failed (possibly related to argument '<name>') - <error text>",
// as Redis does when an apply function fails. The callbacks of one Set run
// in the order of its arguments, each at most once per Set.
//
// Callbacks run only when the value changed, except for bind, save,
// client-output-buffer-limit, dir, notify-keyspace-events and
// latency-tracking-info-percentiles, which like in Redis count as changed on
// every successful set.
func (c *Config) OnChange(name string, fn func() error) {
	e := lookup(name)
	if e == nil {
		panic("config: OnChange for unknown directive " + name)
	}
	c.hooks.onChange[e.primary] = append(c.hooks.onChange[e.primary], fn)
}

// SetUserLines sets the function Rewrite calls for the "user" lines of the
// rewritten file (the part after "user ", as ACL's describe gives it, e.g.
// "default on nopass ~* &* +@all"). Until the server sets one, Rewrite writes
// the default user as Redis would describe it for the current requirepass,
// followed by the user directives read from the file.
func (c *Config) SetUserLines(fn func() []string) { c.hooks.users = fn }

// NotEffective returns, once each, the StoredOnly directives whose value
// differs from the default, so the server can log that they are not yet
// effective. Each call returns only directives it has not returned before.
func (c *Config) NotEffective() []string {
	var out []string
	for _, e := range table {
		if e.isAlias || e.Status != StoredOnly || c.hooks.reported[e.idx] {
			continue
		}
		if e.get(c) != e.Default {
			c.hooks.reported[e.idx] = true
			out = append(out, e.Name)
		}
	}
	return out
}

// clone returns a copy of c that shares nothing mutable with it except the
// hooks. Typed slice fields are always replaced, never changed in place, so
// copying the slice headers is enough.
func (c *Config) clone() *Config {
	cp := *c
	cp.slots = append([]slot(nil), c.slots...)
	return &cp
}

// restore makes c equal to the snapshot taken by clone.
func (c *Config) restore(snap *Config) {
	slots := c.slots
	*c = *snap
	c.slots = append(slots[:0], snap.slots...)
}
