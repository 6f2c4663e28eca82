package server

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"cairn/internal/config"
	"cairn/internal/keyspace"
	"cairn/internal/persist/aof"
	"cairn/internal/resp"
)

// Client flags, as CLIENT LIST shows them.
const (
	flagMonitor  = 1 << iota // O
	flagPubSub               // P
	flagBlocked              // b
	flagMulti                // x
	flagNoEvict              // e
	flagDirtyCAS             // d: a WATCHed key changed; EXEC will fail
)

// Reply modes set by CLIENT REPLY.
const (
	replyOn = iota
	replyOff
	replySkip     // skip the next command's reply
	replySkipThis // set while the skipped command runs
)

const (
	readBufSize      = 16 * 1024 // PROTO_IOBUF_LEN
	maxBatchCommands = 1024      // commands run per lock acquisition before yielding
	outBufKeep       = 64 * 1024 // larger output buffers are dropped after a write
)

// client is one connection.
type client struct {
	srv         *Server
	id          uint64
	conn        net.Conn
	addr, laddr string
	fd          int

	// Owned by the connection goroutine.
	rbuf   []byte
	parser resp.Parser
	args   [][]byte // arguments of every command of the current batch
	ends   []int    // end index in args of each command of the batch

	// Guarded by the executor lock (Server.mu).
	w               resp.Writer // replies to this client's own commands
	argv            [][]byte    // the command being executed
	cmd, lastCmd    *command
	db              *keyspace.DB
	name            string
	flags           int
	authenticated   bool
	replyMode       int
	created         int64 // unix ms
	lastInteraction int64 // unix ms
	qbufLen         int   // bytes of unparsed input, as of the last batch
	qbufCap         int
	outLen, outCap  int // size of the output buffer at the end of the last batch
	lastBatchTime   time.Time
	pubsub          pubsubState
	multi           *multiState // non-nil between MULTI and EXEC/DISCARD
	watched         []watchedKey
	blocked         *blockState // non-nil while blocked (BLPOP...)
	reprocessing    bool        // its blocked command is being run again
	stillBlocked    bool        // ... and found nothing again
	aofWait         int64       // AOF offset the batch's replies wait for (Log.Wait)
	aofLog          *aof.Log    // the log aofWait is an offset of
	aofWriter       aof.Writer  // c as a writer whose records group commits cover
	propagateArgv   [][]byte    // what the running command propagates instead of argv
	noPropagate     bool        // the running command propagates nothing
	forcePropagate  bool        // the running command propagates even if nothing changed
	keyPos          []int       // scratch: key positions of the running command

	// Input read while blocked, by watchConnection; appended to rbuf after.
	watchMu      sync.Mutex
	pendingInput []byte
	watchDone    chan struct{}

	tracking clientTracking // CLIENT TRACKING state (tracking.go), guarded by the executor lock

	// closing is set when the connection must close once its pending replies are
	// written (QUIT, CLIENT KILL, protocol errors). Atomic: the connection and push
	// goroutines read it without the executor lock.
	closing atomic.Bool

	// Data pushed by other clients (MONITOR lines, later pub/sub), sent by pushLoop.
	pushMu    sync.Mutex
	push      []byte
	softSince time.Time // when the push buffer went over the soft limit
	pushWake  chan struct{}
	pushStart sync.Once
	writeMu   sync.Mutex // serialises socket writes from serve and pushLoop
	closed    chan struct{}

	// Served by an I/O loop (ioloop.go) rather than a goroutine of its own. loop is
	// owned by the goroutine serving the client; inLoop mirrors it for hangUp.
	loop       *ioLoop
	inLoop     atomic.Bool
	fsyncWait  aofWait // a parked connection's wait (ioLoop.park)
	parkedOpen bool    // ... and whether it stays open after its replies
	parked     bool    // its replies wait for an fsync (ioLoop.park)
	parkedOut  bool    // ... and its descriptor left the epoll set meanwhile
}

func newClient(s *Server, conn net.Conn) *client {
	now := time.Now().UnixMilli()
	c := &client{
		srv:             s,
		id:              s.nextClientID.Add(1),
		conn:            conn,
		addr:            conn.RemoteAddr().String(),
		laddr:           conn.LocalAddr().String(),
		fd:              connFD(conn),
		rbuf:            make([]byte, 0, readBufSize),
		created:         now,
		lastInteraction: now,
		closed:          make(chan struct{}),
	}
	c.w.Proto = 2
	c.db = s.ks.DBs[0]
	c.authenticated = !s.requirePassSet.Load()
	c.parser.Unauthenticated = !c.authenticated
	return c
}

// serve is the connection goroutine: read, parse every complete command, run the batch
// under one acquisition of the executor lock, write every reply with one write.
func (c *client) serve() {
	defer c.srv.wg.Done()
	defer c.teardown()
	c.readLoop()
}

// readLoop reads and processes input until the connection ends.
func (c *client) readLoop() {
	for {
		c.ensureReadRoom()
		n, err := c.conn.Read(c.rbuf[len(c.rbuf):cap(c.rbuf)])
		if n > 0 {
			c.rbuf = c.rbuf[:len(c.rbuf)+n]
			if !c.processInput() {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				c.srv.log.Debug("Client read error", "addr", c.addr, "err", err)
			}
			return
		}
	}
}

// ensureReadRoom makes room in rbuf for the next read.
func (c *client) ensureReadRoom() {
	if need := c.parser.Need(); need > cap(c.rbuf) || len(c.rbuf) == cap(c.rbuf) {
		// Grow geometrically, or straight to the size of a large bulk in one step.
		c.growReadBuf(max(need, 2*cap(c.rbuf)))
	}
}

func (c *client) growReadBuf(size int) {
	nb := make([]byte, len(c.rbuf), size)
	copy(nb, c.rbuf)
	c.rbuf = nb
}

// processInput parses and executes everything complete in rbuf, writes the replies and
// reports whether the connection stays open.
func (c *client) processInput() bool {
	for {
		if !c.processBuffered() {
			return false
		}
		c.watchMu.Lock()
		more := c.pendingInput
		c.pendingInput = nil
		c.watchMu.Unlock()
		if len(more) == 0 {
			return true
		}
		c.rbuf = append(c.rbuf, more...)
	}
}

// processBuffered runs everything complete in rbuf once.
func (c *client) processBuffered() bool {
	c.parser.MaxBulkLen = c.srv.maxBulkLen.Load()
	c.args, c.ends = c.args[:0], c.ends[:0]
	var protoErr error
	for {
		args, ok, err := c.parser.Next(c.rbuf, c.args)
		if err != nil {
			protoErr = err
			break
		}
		if !ok {
			break
		}
		c.args = args
		c.ends = append(c.ends, len(c.args))
	}
	pending := len(c.rbuf) - c.parser.Offset()
	if limit := c.srv.queryBufLimit.Load(); limit > 0 && int64(pending) > limit {
		c.srv.log.Warn("Closing client that reached max query buffer length", "addr", c.addr, "qbuf", pending)
		return false
	}
	if len(c.ends) > 0 || protoErr != nil {
		c.execBatch(protoErr, pending)
	}
	parked := false
	if c.aofWait > 0 && c.loop != nil {
		// In a loop the connection is parked instead (ioLoop.park): its replies go
		// out when the loop sees the log durable, without a goroutine waiting.
		c.fsyncWait = c.takeAOFWait()
		parked = true
	} else if c.aofWait > 0 {
		// The replies go out once the batch's writes are durable under appendfsync
		// (fsynced with always, written with everysec and no). On a log error they never
		// do: the client is disconnected without an acknowledgement.
		w := c.takeAOFWait()
		if err := w.wait(); err != nil {
			c.srv.log.Warn("Closing client: its writes could not be made durable", "addr", c.addr, "err", err)
			return false
		}
	}
	c.rbuf = c.parser.Compact(c.rbuf)
	if cap(c.rbuf) > 4*readBufSize && len(c.rbuf) < readBufSize && c.parser.Need() < readBufSize {
		nb := make([]byte, len(c.rbuf), readBufSize)
		copy(nb, c.rbuf)
		c.rbuf = nb
	}
	if parked {
		return !c.closing.Load() && protoErr == nil
	}
	open := !c.closing.Load() && protoErr == nil
	if open && c.loop != nil {
		// The loop writes the replies when it has served every connection that was
		// ready (ioLoop.writeReplies).
		c.loop.replyLater(c)
		return true
	}
	if err := c.flush(); err != nil {
		return false
	}
	return open
}

// execBatch runs the parsed commands under the executor lock.
func (c *client) execBatch(protoErr error, pending int) {
	s := c.srv
	start := 0
	s.mu.Lock()
	s.beginBatch(c)
	now := time.Now()
	s.beginClock(now)
	c.lastInteraction = now.UnixMilli()
	c.qbufLen, c.qbufCap = pending, cap(c.rbuf)
	s.stats.netInputBytes += int64(c.parser.Offset())
	s.stats.readsProcessed++
	for i, end := range c.ends {
		if i > 0 && i%maxBatchCommands == 0 {
			s.endBatch(c)
			c.moveRepliesToPush()
			s.endClock()
			s.mu.Unlock()
			s.mu.Lock()
			s.beginBatch(c)
			s.beginClock(time.Now())
		}
		c.argv = c.args[start:end:end] // capped: an append by a command must not reach the next one
		start = end
		s.processCommand(c)
		if c.blocked != nil {
			c.detach()
			if !c.waitWhileBlocked() {
				c.closing.Store(true)
			}
		}
		if c.closing.Load() {
			break
		}
	}
	if protoErr != nil {
		c.w.Error("ERR " + protoErr.Error())
		c.closing.Store(true)
		s.log.Debug("Protocol error from client", "addr", c.addr, "err", protoErr)
	}
	c.argv = nil
	s.endBatch(c)
	c.moveRepliesToPush()
	s.stats.netOutputBytes += int64(len(c.w.B))
	c.outLen, c.outCap = len(c.w.B), cap(c.w.B)
	if len(c.w.B) > 0 {
		s.stats.writesProcessed++
	}
	s.endClock()
	s.mu.Unlock()
}

// beginBatch notes that c's goroutine holds the executor lock to run a batch of c's
// commands. Caller holds the lock.
func (s *Server) beginBatch(c *client) {
	s.batchClient = c
	s.inBatch = true
}

// endBatch ends c's batch before the lock is released: the BCAST invalidations of the
// keys the batch modified go out as one message per prefix, as Redis sends them once
// per event-loop iteration; c's own come after its replies. Caller holds the lock.
func (s *Server) endBatch(c *client) {
	s.inBatch = false
	if s.tracking.bcastKeys == 0 {
		return
	}
	current := s.current
	s.current = c
	s.trackingBroadcastInvalidationMessages()
	s.current = current
}

// flush writes the client's pending replies with one write.
func (c *client) flush() error {
	if len(c.w.B) == 0 {
		return nil
	}
	c.writeMu.Lock()
	var err error
	if c.loop != nil {
		var n int
		n, err = c.rawWrite(c.w.B)
		if n < len(c.w.B) && (err == nil || errors.Is(err, syscall.EAGAIN)) {
			// The socket cannot take it all now: the rest is written by a goroutine
			// of the client's own, which waits.
			c.detach()
			_, err = c.conn.Write(c.w.B[n:])
		}
	} else {
		_, err = c.conn.Write(c.w.B)
	}
	c.writeMu.Unlock()
	c.resetOutput()
	return err
}

// resetOutput empties the reply buffer once written, dropping it if a large reply
// grew it past outBufKeep.
func (c *client) resetOutput() {
	if cap(c.w.B) > outBufKeep {
		c.w.B = nil
	} else {
		c.w.B = c.w.B[:0]
	}
}

// enablePush starts the push writer of a client that will receive data from other
// clients (a subscriber, a MONITOR). From then on its own replies also go through the
// push buffer, so replies and pushes reach the socket in the order they were made.
// Caller holds the executor lock.
func (c *client) enablePush() {
	c.pushStart.Do(func() {
		c.pushWake = make(chan struct{}, 1)
		go c.pushLoop()
	})
}

// moveRepliesToPush hands the replies written so far to the push writer, for a client
// that receives pushes, before the executor lock is released. Caller holds the lock.
func (c *client) moveRepliesToPush() {
	if c.pushWake == nil || len(c.w.B) == 0 {
		return
	}
	c.pushMu.Lock()
	c.push = append(c.push, c.w.B...)
	c.pushMu.Unlock()
	c.w.B = c.w.B[:0]
	c.wakePush()
}

// pushBytes queues data from another client's command for this client, enforcing
// client-output-buffer-limit as Redis does: past the hard limit, or past the soft limit
// for longer than its seconds, the client is disconnected. Caller holds the executor
// lock.
func (c *client) pushBytes(b []byte) {
	c.enablePush()
	c.pushMu.Lock()
	c.push = append(c.push, b...)
	pending := uint64(len(c.push))
	c.pushMu.Unlock()
	if c.overOutputLimit(pending) {
		c.srv.log.Warn("Client scheduled to be closed ASAP for overcoming of output buffer limits", "addr", c.addr)
		c.kill()
		return
	}
	c.wakePush()
}

// overOutputLimit applies the client-output-buffer-limit class of c to pending bytes.
func (c *client) overOutputLimit(pending uint64) bool {
	class := config.ClientNormal
	if c.flags&flagPubSub != 0 {
		class = config.ClientPubsub
	}
	lim := c.srv.cfg.ClientOutputBufferLimit[class]
	if lim.Hard > 0 && pending >= lim.Hard {
		return true
	}
	if lim.Soft == 0 || pending < lim.Soft {
		c.softSince = time.Time{}
		return false
	}
	now := time.Now()
	if c.softSince.IsZero() {
		c.softSince = now
	}
	return now.Sub(c.softSince) > time.Duration(lim.SoftSeconds)*time.Second
}

func (c *client) wakePush() {
	select {
	case c.pushWake <- struct{}{}:
	default:
	}
}

// pushLoop sends pushed data until the client is closed.
func (c *client) pushLoop() {
	var buf []byte
	for {
		select {
		case <-c.closed:
			return
		case <-c.pushWake:
		}
		c.writeMu.Lock()
		c.pushMu.Lock()
		buf, c.push = c.push, buf[:0]
		c.pushMu.Unlock()
		var err error
		if len(buf) > 0 {
			_, err = c.conn.Write(buf)
		}
		c.writeMu.Unlock()
		if err != nil {
			c.hangUp()
			return
		}
	}
}

// teardown unregisters the client after its connection ended.
func (c *client) teardown() {
	// Replies already handed to the push writer (QUIT's +OK from a subscriber or a
	// tracking client) go out before the close.
	c.writeMu.Lock()
	c.pushMu.Lock()
	rest := c.push
	c.push = nil
	c.pushMu.Unlock()
	if len(rest) > 0 {
		c.conn.Write(rest) //nolint:errcheck // closing anyway
	}
	c.writeMu.Unlock()
	c.conn.Close()
	s := c.srv
	s.mu.Lock()
	delete(s.clients, c.id)
	if c.flags&flagMonitor != 0 {
		s.removeMonitor(c)
	}
	s.unwatchAll(c)
	c.unsubscribeAll()
	s.disableTracking(c)
	s.mu.Unlock()
	s.numClients.Add(-1)
	close(c.closed)
}

// close marks the client to be disconnected once its pending replies are written.
// Caller holds the executor lock.
func (c *client) closeAfterReply() { c.closing.Store(true) }

// kill disconnects the client now (CLIENT KILL). Caller holds the executor lock.
func (c *client) kill() {
	c.closing.Store(true)
	c.hangUp()
}

// hangUp ends the connection from any goroutine. shutdown(2) makes the goroutine or
// loop serving the client see the end of its input (and fail a pending write), and it
// closes the socket itself; a client with a goroutine of its own is also closed now.
func (c *client) hangUp() {
	if sc, ok := c.conn.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			raw.Control(func(fd uintptr) { syscall.Shutdown(int(fd), syscall.SHUT_RDWR) }) //nolint:errcheck // best effort: the close below or the owner's teardown follows
		}
	}
	if !c.inLoop.Load() {
		c.conn.Close()
	}
}

// connFD returns the socket's file descriptor number, for CLIENT LIST.
func connFD(conn net.Conn) int {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	raw.Control(func(f uintptr) { fd = int(f) }) //nolint:errcheck // fd stays -1 on failure
	return fd
}
