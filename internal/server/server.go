package server

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cairn/internal/config"
	"cairn/internal/keyspace"
	"cairn/internal/persist/aof"
	"cairn/internal/pubsub"
	"cairn/internal/resp"
)

// Version is the Redis version Cairn reports and is compatible with.
const Version = "7.0.15"

// Server is a running Cairn instance.
type Server struct {
	mu sync.Mutex // the executor lock

	// rng is the random source of SPOP, SRANDMEMBER, HRANDFIELD and ZRANDMEMBER; guarded
	// by mu. One per server, not per package: a process (the tests) may run several.
	rng *rand.Rand

	cfg       *config.Config // guarded by mu
	ks        *keyspace.Keyspace
	commands  map[string]*command
	listeners []net.Listener
	log       *slog.Logger

	clients      map[uint64]*client // guarded by mu
	nextClientID atomic.Uint64

	// I/O loops serving connections (ioloop.go); none when goroutinePerConn is set
	// (then every connection has a goroutine of its own, as before the loops).
	loops            []*ioLoop
	nextLoop         atomic.Uint32
	goroutinePerConn bool
	batchClient      *client // whose goroutine holds the executor lock for a batch, guarded by mu
	inBatch          bool    // a client's batch is running (BCAST waits for its end), guarded by mu
	numClients       atomic.Int64
	monitors         []*client // guarded by mu
	current          *client   // the client whose command is executing, guarded by mu

	activeExpireEnabled bool // DEBUG SET-ACTIVE-EXPIRE, guarded by mu

	// Blocking commands (blocking.go), guarded by mu.
	blockedOnKey   map[blockKey][]*client // clients in arrival order
	readyKeys      []blockKey
	blockedClients int
	watchers       map[blockKey][]*client // WATCHed keys, guarded by mu
	multiFree      []*multiState          // ended transactions for MULTI to reuse, guarded by mu
	aof            *aofState              // nil when appendonly is off
	aofrw          aofRewriteState        // AOF status and rewrites (aof_rewrite.go), guarded by mu

	aofFileHook func(*os.File) aof.File // tests: wraps the opened AOF file to inject faults; nil otherwise

	// The executor's time snapshot (gate.go beginClock), guarded by mu.
	clockBase   time.Time     // when the current batch began (wall and monotonic)
	clockWallMs int64         // clockBase in Unix ms
	clockLast   time.Duration // monotonic time since clockBase at the end of the last command
	rdb         rdbState
	loading     loadingState // the load in progress (loading.go), guarded by mu

	// The startup load (loading.go): loadDone is closed when it has ended, loadErr
	// (written before) is why it failed. loadStepHook, when set (tests), runs between
	// the loader's batches without the lock.
	loadDone     chan struct{}
	loadErr      error
	loadStepHook func()
	// bgsaveStepHook, when set (tests), runs between a BGSAVE's steps without the lock.
	bgsaveStepHook func()

	// Pub/sub (cmd_pubsub.go), guarded by mu.
	pubsub      *pubsub.Registry[*client]
	shardPubsub *pubsub.Registry[*client]
	scratch     resp.Writer // for messages to other clients

	tracking trackingTable // client-side caching (tracking.go), guarded by mu

	// Limits read by connection goroutines without the executor lock.
	maxBulkLen     atomic.Int64
	queryBufLimit  atomic.Int64
	maxClients     atomic.Int64
	requirePassSet atomic.Bool

	startTime time.Time
	stats     stats // guarded by mu
	slowlog   slowlog
	latency   latencyMonitor
	pause     pauseState // guarded by mu
	admin     adminState // INFO and DEBUG state (cmd_info.go), guarded by mu

	scripts scriptState // EVAL/FUNCTION state (cmd_script.go), guarded by mu

	debug debugListener // cairn-debug-addr (debuglisten.go), guarded by mu

	shutdownOnce sync.Once
	shutdownCh   chan struct{}
	wg           sync.WaitGroup // client goroutines
	bgWG         sync.WaitGroup // BGSAVE goroutines
	cronStop     chan struct{}

	runID    string
	dirty    int64 // changes since the last save, guarded by mu
	lastSave int64
	pid      int
}

// New makes a server from a configuration; call Serve or ListenAndServe to run it.
func New(cfg *config.Config, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s := &Server{
		rng:          rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		cfg:          cfg,
		log:          logger,
		clients:      make(map[uint64]*client),
		blockedOnKey: make(map[blockKey][]*client),
		watchers:     make(map[blockKey][]*client),
		pubsub:       pubsub.New[*client](),
		shardPubsub:  pubsub.New[*client](),
		startTime:    time.Now(),
		shutdownCh:   make(chan struct{}),
		cronStop:     make(chan struct{}),
		loadDone:     make(chan struct{}),
		runID:        newRunID(),
		lastSave:     time.Now().Unix(),
		rdb:          rdbState{lastBgsaveSecs: -1},
		pid:          os.Getpid(),

		activeExpireEnabled: true,
	}
	s.ks = keyspace.New(cfg.Databases, s)
	// Redis works inside dir: files it names relatively (dump.rdb, the AOF) live there.
	cfg.OnChange("dir", func() error { return os.Chdir(cfg.Dir) })
	cfg.OnChange("cairn-debug-addr", s.startDebugListenerLocked)
	s.commands = buildCommandTable()
	s.initAOF()
	s.applyLimits()
	s.slowlog.init()
	return s
}

// applyLimits copies the configuration values that connection goroutines read without
// the executor lock into atomics. Called at start and after CONFIG SET.
func (s *Server) applyLimits() {
	s.maxBulkLen.Store(s.cfg.ProtoMaxBulkLen)
	s.queryBufLimit.Store(s.cfg.ClientQueryBufferLimit)
	s.maxClients.Store(int64(s.cfg.MaxClients))
	s.requirePassSet.Store(s.cfg.RequirePass != "")
	s.ks.LFU = strings.HasSuffix(s.cfg.MaxMemoryPolicy, "-lfu")
	s.ks.LFULogFactor, s.ks.LFUDecayTime = s.cfg.LFULogFactor, s.cfg.LFUDecayTime
}

// ListenAndServe listens on the configured bind addresses and port and serves until
// Shutdown.
func (s *Server) ListenAndServe() error {
	if err := s.Listen(); err != nil {
		return err
	}
	return s.Serve()
}

// Listen opens the listeners without serving yet. The data set is loaded by Serve,
// while clients are already accepted (they get -LOADING until it is in memory).
func (s *Server) Listen() error {
	binds := s.cfg.Bind
	if len(binds) == 0 {
		binds = []string{"127.0.0.1"}
	}
	for _, b := range binds {
		optional := false
		if len(b) > 0 && b[0] == '-' {
			optional, b = true, b[1:]
		}
		host := b
		switch b {
		case "*":
			host = "0.0.0.0"
		case "::*":
			host = "::"
		}
		network := "tcp4"
		if strings.Contains(host, ":") {
			network = "tcp6"
		}
		ln, err := net.Listen(network, net.JoinHostPort(host, strconv.Itoa(s.cfg.Port)))
		if err != nil {
			if optional {
				continue
			}
			s.closeListeners()
			return fmt.Errorf("could not create server TCP listening socket %s:%d: %w", b, s.cfg.Port, err)
		}
		s.listeners = append(s.listeners, ln)
	}
	if len(s.listeners) == 0 {
		return errors.New("failed listening on any address")
	}
	s.mu.Lock()
	err := s.startDebugListenerLocked()
	s.mu.Unlock()
	if err == nil {
		err = s.startLoops()
	}
	if err != nil {
		s.closeListeners()
		return err
	}
	return nil
}

// Addr is the address of the first listener (useful when port 0 was asked for).
func (s *Server) Addr() net.Addr { return s.listeners[0].Addr() }

// Serve loads the data set (in the background: see loading.go) and accepts
// connections on the listeners opened by Listen until Shutdown. It returns the load's
// error if the data set could not be loaded.
func (s *Server) Serve() error {
	s.log.Info("Server initialized")
	if s.beginStartupLoad() && s.loadErr != nil {
		s.log.Error(fmt.Sprintf("Fatal error loading the DB: %v. Exiting.", s.loadErr))
		s.Shutdown()
	}
	go s.cron()
	var wg sync.WaitGroup
	for _, ln := range s.listeners {
		wg.Add(1)
		go func(ln net.Listener) {
			defer wg.Done()
			s.acceptLoop(ln)
		}(ln)
	}
	wg.Wait()
	<-s.shutdownCh
	<-s.loadDone
	s.wg.Wait()
	s.bgWG.Wait() // an aborted BGSAVE removes its temporary file
	for _, l := range s.loops {
		l.close()
	}
	err := s.closeAOF()
	if s.loadErr != nil {
		return s.loadErr
	}
	return err
}

// WaitLoaded blocks until the startup load has ended and returns its error, if any.
func (s *Server) WaitLoaded() error {
	<-s.loadDone
	return s.loadErr
}

// startLoops starts the I/O loops: cairn-io-loops of them, or one per GOMAXPROCS.
func (s *Server) startLoops() error {
	if s.goroutinePerConn {
		return nil
	}
	n := s.cfg.CairnIOLoops
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	for range n {
		l, err := newIOLoop(s)
		if errors.Is(err, errNoPoll) {
			return nil // this platform: a goroutine per connection
		}
		if err != nil {
			return err
		}
		s.loops = append(s.loops, l)
		go l.run()
	}
	return nil
}

func (s *Server) acceptLoop(ln net.Listener) {
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			select {
			case <-s.shutdownCh:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn("Accepting client connection", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		delay = 0
		s.accept(conn)
	}
}

func (s *Server) accept(conn net.Conn) {
	if s.numClients.Load() >= s.maxClients.Load() {
		conn.Write([]byte("-ERR max number of clients reached\r\n")) //nolint:errcheck // best effort before closing
		conn.Close()
		s.mu.Lock()
		s.stats.rejectedConns++
		s.mu.Unlock()
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true) //nolint:errcheck // an option, not a failure
		s.mu.Lock()
		ka := s.cfg.TCPKeepalive
		s.mu.Unlock()
		if ka > 0 {
			tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true, Idle: time.Duration(ka) * time.Second, Interval: time.Duration(ka) * time.Second / 3, Count: 3}) //nolint:errcheck
		}
	}
	c := newClient(s, conn)
	// A loop reads the descriptor without the net package's lock (client.rawRead): from
	// the moment CLIENT KILL can see c, it must only shut the socket down, not close it.
	c.inLoop.Store(len(s.loops) > 0)
	s.mu.Lock()
	s.clients[c.id] = c
	s.stats.totalConnections++
	s.mu.Unlock()
	s.numClients.Add(1)
	s.wg.Add(1)
	if len(s.loops) > 0 {
		l := s.loops[(s.nextLoop.Add(1)-1)%uint32(len(s.loops))]
		if err := l.add(c); err == nil {
			return
		}
		c.inLoop.Store(false)
	}
	go c.serve()
}

// Shutdown stops accepting, closes every client and stops the cron.
func (s *Server) Shutdown() {
	s.mu.Lock()
	s.shutdownLocked(nil)
	s.mu.Unlock()
}

// shutdownLocked is Shutdown for a caller that holds the executor lock (the SHUTDOWN
// command). The client given, if any, is closed after its reply is written.
func (s *Server) shutdownLocked(except *client) {
	s.shutdownOnce.Do(func() {
		s.stopScriptForShutdown() // SHUTDOWN NOSAVE while a script is busy
		s.abortBgsave()
		close(s.shutdownCh)
		close(s.cronStop)
		s.closeListeners()
		s.stopDebugListenerLocked()
		for _, c := range s.clients {
			if c == except {
				c.closeAfterReply()
				continue
			}
			c.hangUp()
		}
	})
}

// prepareForShutdown is what Redis's prepareForShutdown and finishShutdown do before
// the exit: a running BGSAVE is stopped (its partial file removed) and the final save
// is made when flags ask for it or save points exist and NOSAVE is not given — never
// while loading, as Redis: a half-loaded data set must not replace the file. An error
// means that save failed without FORCE and the server must keep running. Caller holds
// the lock.
func (s *Server) prepareForShutdown(flags int) error {
	if s.loading.active {
		flags = flags&^shutdownSave | shutdownNoSave
	}
	if s.rdb.job != nil {
		s.log.Warn("There is a background save in progress. Stopping it!")
		s.abortBgsave()
	}
	if (len(s.cfg.Save) > 0 && flags&shutdownNoSave == 0) || flags&shutdownSave != 0 {
		s.log.Info("Saving the final RDB snapshot before exiting.")
		if err := s.rdbSave(); err != nil {
			if flags&shutdownForce == 0 {
				s.log.Warn("Error trying to save the DB, can't exit.")
				s.log.Warn("Errors trying to shut down the server. Check the logs for more information.")
				return err
			}
			s.log.Warn("Error trying to save the DB. Exit anyway.")
		}
	}
	s.log.Warn("Redis is now ready to exit, bye bye...")
	return nil
}

// ShutdownOnSignal is Redis's handling of SIGTERM and SIGINT: a shutdown with the
// flags of shutdown-on-sigterm (or shutdown-on-sigint), which by default saves when
// save points are configured. If that save fails the server keeps running, as Redis
// does, and ShutdownOnSignal reports false.
func (s *Server) ShutdownOnSignal(sig os.Signal) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, flags := "SIGTERM", s.cfg.ShutdownOnSigterm
	if sig == os.Interrupt {
		name, flags = "SIGINT", s.cfg.ShutdownOnSigint
	}
	if s.loading.active {
		s.log.Warn("Received shutdown signal during loading, scheduling shutdown.")
	} else {
		s.log.Warn("Received " + name + " scheduling shutdown...")
	}
	s.log.Warn("User requested shutdown...")
	if err := s.prepareForShutdown(flags); err != nil {
		s.log.Warn(name + " received but errors trying to shut down the server, check the logs for more information")
		return false
	}
	s.shutdownLocked(nil)
	return true
}

// Done is closed when Shutdown has begun.
func (s *Server) Done() <-chan struct{} { return s.shutdownCh }

func (s *Server) closeListeners() {
	for _, ln := range s.listeners {
		ln.Close()
	}
}

// KeyExpired implements keyspace.Hooks.
func (s *Server) KeyExpired(db *keyspace.DB, key []byte) {
	s.propagate(db.ID, [][]byte{[]byte("DEL"), key})
	s.signalModifiedKey(db, key)
	s.notifyKeyspaceEvent(notifyExpired, "expired", key, db.ID)
}

// cron is Redis's serverCron: hz times a second it expires keys, advances rehashing,
// closes idle clients and samples statistics.
func (s *Server) cron() {
	s.mu.Lock()
	hz := s.cfg.Hz
	s.mu.Unlock()
	t := time.NewTicker(time.Second / time.Duration(max(hz, 1)))
	defer t.Stop()
	for {
		select {
		case <-s.cronStop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		if s.cfg.Hz != hz {
			hz = s.cfg.Hz
			t.Reset(time.Second / time.Duration(max(hz, 1)))
		}
		if !s.admin.pauseCron && s.scripts.run == nil { // a busy script yields the lock: no cron then
			s.cronLocked()
		}
		s.mu.Unlock()
	}
}

func (s *Server) cronLocked() {
	now := time.Now()
	if s.loading.active {
		// Redis runs only its whileBlockedCron while it loads: no expiry, no save.
		s.stats.sampleOps(now)
		return
	}
	if s.activeExpireEnabled {
		s.ks.ActiveExpireCycle(s.cfg.Hz, keyspace.Now)
		s.flushPropagation(nil) // the DELs of keys the cycle expired
	}
	if len(s.cfg.Save) > 0 {
		s.checkSavePoints()
	}
	s.startScheduledBgsave()
	s.aofCron(now)
	for _, db := range s.ks.DBs {
		db.RehashStep(100)
	}
	s.stats.sampleOps(now)
	if s.cfg.Timeout > 0 {
		idleLimit := time.Duration(s.cfg.Timeout) * time.Second
		for _, c := range s.clients {
			if c.flags&(flagMonitor|flagPubSub|flagBlocked) != 0 {
				continue
			}
			if now.Sub(time.UnixMilli(c.lastInteraction)) > idleLimit {
				s.log.Debug("Closing idle client")
				c.hangUp()
			}
		}
	}
	s.pause.expire(now)
}

func newRunID() string {
	var b [20]byte
	f, err := os.Open("/dev/urandom")
	if err == nil {
		f.Read(b[:]) //nolint:errcheck
		f.Close()
	}
	return fmt.Sprintf("%x", b[:])
}
