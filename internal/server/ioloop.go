package server

import (
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"cairn/internal/persist/aof"
)

// I/O loops.
//
// Connections are served by a few event loops, one per GOMAXPROCS (or cairn-io-loops of
// them), as Redis serves them from its event loop and IO threads. A loop owns an epoll
// set of connections; for every connection that is readable it reads once and runs the
// complete commands under one acquisition of the executor lock, and when it has served
// all that were ready it writes each one's replies with one non-blocking write
// (writeReplies). Compared with a goroutine parked in net.Conn.Read per
// connection this saves, per request at pipeline depth 1, the failing second read that
// parks the goroutine and the goroutine switch that wakes it (measured: the bulk of the
// gap to redis-server on the unpipelined rows), and it serves the ready clients in the
// order the kernel reports them, with no run queue in between.
//
// A loop's goroutine never waits for anything but the epoll set. A connection whose
// writes must be durable before its replies go out (appendfsync) is parked: its
// replies and further input held, until the AOF log's notification after a group commit
// (an eventfd in the set) shows them durable — Redis's beforeSleep, while the loop goes
// on serving the others, so reads never wait for the fsync. When it has served the
// connections that were ready the loop kicks the log's group commit, so that one fsync
// covers all their writes (aof.Log.Kick). Under always the loop runs that commit
// itself: it writes the records and submits their fdatasync to the kernel (an
// aof.Committer), serves its connections while the disk works, and ends the commit
// when the Committer's descriptor, in its epoll set, reports the fsync done. A commit
// thus costs no goroutine hand-off: measured against commits run by the log's flusher
// goroutine, SET -P 1 with 50 clients took 6–8% less CPU per write unpinned (1–2% more
// throughput), and the same pinned (bench/RESULTS.md). A connection whose command
// must wait otherwise — a blocking pop, CLIENT PAUSE, a busy script, a reply the
// socket cannot take yet — is detached: the goroutine that was running the
// loop becomes that connection's own goroutine (the goroutine-per-connection model the
// rest of the package is written for, see serve) and a new goroutine takes over the
// loop with the events not served yet. A detached connection keeps its goroutine.
//
// The loop waits in Go's netpoller (an epoll descriptor is itself pollable), so the
// runtime schedules other goroutines normally while loops are idle, and a loop
// wakes once for however many connections became ready.
//
// Only the loop that owns a connection closes its socket (after removing it from the
// epoll set, so a reused descriptor number never reaches the wrong client); others hang
// it up with shutdown(2), which the owner sees as end of input (see client.hangUp).

// ioLoop is one event loop.
type ioLoop struct {
	srv    *Server
	epfd   int
	file   *os.File        // epfd, registered with the netpoller
	raw    syscall.RawConn // of file
	waitFn func(fd uintptr) bool

	mu    sync.Mutex
	conns map[int32]*client // by descriptor

	// Connections whose replies wait for their writes to be durable (appendfsync): out
	// of the epoll set until the log says so. wakeFD, in the set, is signalled after
	// every group commit while there are any.
	wakeFD     int
	hasWaiters atomic.Bool
	waiters    []*client // owned by the goroutine running the loop

	// committer runs the group commits the loop starts (aof.Log.Kick); its descriptor
	// commitFD, in the set, is readable when one may have ended. nil (and -1) where
	// there is no asynchronous fsync: the log's flusher commits then.
	committer *aof.Committer
	commitFD  int
	reaping   atomic.Bool // the loop is ending a commit: it serves its waiters itself

	// Owned by the goroutine running the loop.
	events  pollEvents
	n, next int // events[next:n] are not served yet
	waitErr error
	// Connections served in this round whose replies are written at its end
	// (writeReplies).
	replying []*client
}

func newIOLoop(s *Server) (*ioLoop, error) {
	epfd, err := pollCreate()
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(epfd), "epoll")
	raw, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	l := &ioLoop{srv: s, epfd: epfd, file: f, raw: raw, conns: make(map[int32]*client)}
	l.waitFn = l.collect
	if l.wakeFD, err = wakeCreate(); err == nil {
		err = pollAdd(epfd, l.wakeFD)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	l.commitFD = -1
	if c, cerr := aof.NewCommitter(); cerr == nil {
		if err := pollAdd(epfd, c.FD()); err != nil {
			c.Close()
		} else {
			l.committer, l.commitFD = c, c.FD()
		}
	}
	return l, nil
}

// add hands c to the loop. c's input, if any is already there, is reported at once
// (level-triggered).
func (l *ioLoop) add(c *client) error {
	if c.fd < 0 {
		return errors.New("connection has no descriptor")
	}
	c.loop = l
	c.inLoop.Store(true)
	l.mu.Lock()
	l.conns[int32(c.fd)] = c
	l.mu.Unlock()
	if err := pollAdd(l.epfd, c.fd); err != nil {
		l.forget(c)
		c.loop = nil
		c.inLoop.Store(false)
		return err
	}
	return nil
}

// remove takes c out of the loop's set. Called by the goroutine running the loop.
func (l *ioLoop) remove(c *client) {
	pollDel(l.epfd, c.fd)
	l.forget(c)
}

func (l *ioLoop) forget(c *client) {
	l.mu.Lock()
	if l.conns[int32(c.fd)] == c {
		delete(l.conns, int32(c.fd))
	}
	l.mu.Unlock()
}

func (l *ioLoop) conn(fd int32) *client {
	l.mu.Lock()
	c := l.conns[fd]
	l.mu.Unlock()
	return c
}

// close stops the loop once its goroutine next waits. Its connections must have been
// closed already.
func (l *ioLoop) close() {
	l.file.Close()
	syscall.Close(l.wakeFD)
	if l.committer != nil {
		l.committer.Close()
	}
}

// run serves ready connections until the loop is closed, or until the goroutine is
// handed to a connection that had to wait (a new goroutine then runs the loop).
func (l *ioLoop) run() {
	for {
		for l.next < l.n {
			fd := l.events.fd(l.next)
			l.next++
			switch int(fd) {
			case l.wakeFD:
				wakeDrain(l.wakeFD)
				l.serveWaiters()
				continue
			case l.commitFD:
				l.reaping.Store(true)
				ended := l.committer.Reap()
				l.reaping.Store(false)
				if ended && l.hasWaiters.Load() {
					l.serveWaiters()
				}
				continue
			}
			c := l.conn(fd)
			if c != nil && c.parked {
				// Input while its replies wait for the fsync: read it after. Only now
				// does the descriptor leave the set (epoll_ctl is not cheap).
				if !c.parkedOut {
					pollDel(l.epfd, c.fd)
					c.parkedOut = true
				}
				continue
			}
			if c != nil && !l.serveReady(c) {
				return
			}
		}
		l.n, l.next = 0, 0
		if l.hasWaiters.Load() {
			l.serveWaiters() // before the loop looks for more: see serveWaiters
		}
		l.writeReplies()
		if err := l.raw.Read(l.waitFn); err != nil || l.waitErr != nil {
			if l.waitErr != nil {
				l.srv.log.Warn("I/O loop stopped", "err", l.waitErr)
			}
			return
		}
	}
}

// collect takes the ready events without blocking. Returning false parks the loop in
// the netpoller until the epoll descriptor is readable.
func (l *ioLoop) collect(fd uintptr) bool {
	n, err := pollReady(int(fd), &l.events)
	switch {
	case err != nil:
		l.waitErr = err
		return true
	case n == 0:
		return false
	}
	l.n, l.next = n, 0
	return true
}

// serveReady reads what c sent and processes it. It reports false when c was detached
// while being served: the calling goroutine then served c to the end of its connection.
func (l *ioLoop) serveReady(c *client) bool {
	c.ensureReadRoom()
	n, err := c.rawRead()
	open := err == nil
	if n > 0 {
		c.rbuf = c.rbuf[:len(c.rbuf)+n]
		open = c.processInput()
	} else if errors.Is(err, syscall.EAGAIN) {
		return true // nothing after all
	}
	if c.loop == nil {
		// Detached: this goroutine is c's now.
		defer c.srv.wg.Done()
		defer c.teardown()
		if open {
			c.readLoop()
		}
		return false
	}
	if c.fsyncWait.off > 0 {
		l.park(c, open)
		return true
	}
	if !open {
		l.closeConn(c)
	}
	return true
}

// closeConn ends c's connection. Teardown may wait for the push writer to finish
// with the socket: never in the loop.
func (l *ioLoop) closeConn(c *client) {
	l.remove(c)
	go func() {
		defer c.srv.wg.Done()
		c.teardown()
	}()
}

// park holds c's replies in c.w until its batch's writes are durable, and its input
// (the loop serves the other connections meanwhile: reads never wait for an fsync).
// open is whether the connection stays open after those replies.
func (l *ioLoop) park(c *client, open bool) {
	c.parked, c.parkedOut = true, false
	c.parkedOpen = open
	l.waiters = append(l.waiters, c)
	l.hasWaiters.Store(true)
}

// serveWaiters sends the replies of the parked connections whose writes are durable
// now and puts them back in the epoll set (input that arrived meanwhile is reported at
// once: level-triggered). A connection whose writes failed is closed without its
// replies, as in the goroutine path. The log is asked once per pass, not once per
// waiter (they all wait for the same log but across a switch of AOF files), and kicked
// if some wait still: the loop calls this when it has served the connections that were
// ready, so that one group commit covers all their writes.
func (l *ioLoop) serveWaiters() {
	var (
		log  *aof.Log
		upTo int64
		err  error
	)
	kept := l.waiters[:0]
	for _, c := range l.waiters {
		w := c.fsyncWait
		if w.log != log {
			log = w.log
			upTo, err = log.DurableOffset()
			if err == nil && upTo < l.maxWait(log) {
				log.Kick(l.committer)
			}
		}
		switch {
		case err != nil:
			c.srv.log.Warn("Closing client: its writes could not be made durable", "addr", c.addr, "err", err)
			c.fsyncWait = aofWait{}
			l.closeConn(c)
		case upTo < w.off:
			kept = append(kept, c)
		default:
			c.fsyncWait = aofWait{}
			l.resume(c)
		}
	}
	clear(l.waiters[len(kept):])
	l.waiters = kept
	l.hasWaiters.Store(len(kept) > 0)
}

// maxWait is the end of the last record that a parked connection waits for in log.
func (l *ioLoop) maxWait(log *aof.Log) int64 {
	var m int64
	for _, c := range l.waiters {
		if c.fsyncWait.log == log {
			m = max(m, c.fsyncWait.off)
		}
	}
	return m
}

// resume writes a parked connection's replies and returns it to the loop, or to a
// goroutine of its own if the socket does not take them all now.
func (l *ioLoop) resume(c *client) {
	c.parked = false
	if c.parkedOut {
		c.parkedOut = false
		if err := pollAdd(l.epfd, c.fd); err != nil { // input that came meanwhile: reported at once
			l.closeConn(c)
			return
		}
	}
	l.writeOut(c, c.parkedOpen)
}

// replyLater queues c, just served, for writeReplies.
func (l *ioLoop) replyLater(c *client) {
	if len(c.w.B) > 0 {
		l.replying = append(l.replying, c)
	}
}

// writeReplies writes the replies of the connections served in this round, one write
// each, once the loop has served all that were ready — as Redis writes its replies
// before it next waits for events (handleClientsWithPendingWrites in beforeSleep).
// Writing each connection's replies as soon as it was served instead had the same
// throughput but a longer latency tail once the load generator was the busier side:
// with 50 clients at pipeline depth 16, pinned, p99 ratios to redis-server up to
// 1.28-1.43 (HSET) against at most 1.13-1.17 this way (bench/RESULTS.md).
func (l *ioLoop) writeReplies() {
	for i, c := range l.replying {
		l.replying[i] = nil
		if c.loop == l { // it may have left the loop since (detach)
			l.writeOut(c, true)
		}
	}
	l.replying = l.replying[:0]
}

// writeOut writes c's replies, then closes the connection unless open. When the
// socket does not take them all now, c leaves the loop for a goroutine of its own,
// which writes the rest and then serves c as long as it is open.
func (l *ioLoop) writeOut(c *client, open bool) {
	c.writeMu.Lock()
	n, err := c.rawWrite(c.w.B)
	c.writeMu.Unlock()
	if n < len(c.w.B) && (err == nil || errors.Is(err, syscall.EAGAIN)) {
		rest := c.w.B[n:]
		l.remove(c)
		c.loop = nil
		c.inLoop.Store(false)
		go func() {
			defer c.srv.wg.Done()
			defer c.teardown()
			c.writeMu.Lock()
			_, err := c.conn.Write(rest)
			c.writeMu.Unlock()
			c.resetOutput()
			if err == nil && open {
				c.readLoop()
			}
		}()
		return
	}
	c.resetOutput()
	if err != nil || !open {
		l.closeConn(c)
	}
}

// detach takes c out of its loop before it waits for something: the calling goroutine,
// the loop's, becomes c's own, and a new goroutine carries on with the loop. A no-op
// for a client that already has its own goroutine.
func (c *client) detach() {
	if c == nil || c.loop == nil {
		return
	}
	l := c.loop
	l.remove(c)
	c.loop = nil
	c.inLoop.Store(false)
	go l.run()
}

// rawRead reads once, without waiting, into the free part of rbuf. The loop reads
// and writes c.fd itself (see readNow): only the goroutine running the loop closes a
// connection it owns, so the descriptor cannot be closed, and its number reused, under
// it.
func (c *client) rawRead() (int, error) {
	for {
		n, err := readNow(c.fd, c.rbuf[len(c.rbuf):cap(c.rbuf)])
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// rawWrite writes what the socket takes of b now, without waiting.
func (c *client) rawWrite(b []byte) (int, error) {
	for {
		n, err := writeNow(c.fd, b)
		if err == syscall.EINTR {
			continue
		}
		return max(n, 0), err
	}
}
