package fsync

import (
	"errors"
	"os"
)

// Async runs one fdatasync at a time in the kernel for a caller that waits for it in an
// epoll set of its own (an event loop) rather than in Go's netpoller: Start submits it
// and returns at once, the descriptor FD becomes readable when it has completed, and
// Reap, which never blocks, reports its outcome. Not safe for concurrent use.
type Async struct {
	s *syncer
}

// NewAsync sets one up, or reports that the system has no asynchronous fsync (not
// Linux, or AIO not allowed).
func NewAsync() (*Async, error) {
	s := newSyncer()
	if s == nil {
		return nil, errors.ErrUnsupported
	}
	return &Async{s: s}, nil
}

// FD is the descriptor that is readable once a started fsync has completed. Reap
// drains it.
func (a *Async) FD() int { return a.s.eventFD() }

// Start submits an fdatasync of f. An error means none is in flight.
func (a *Async) Start(f *os.File) error { return a.s.start(f, true) }

// Reap reports, without waiting, whether the fsync Start submitted has completed, and
// its outcome; it first drains FD.
func (a *Async) Reap() (bool, error) {
	a.s.drain()
	return a.s.reap()
}

// Close releases the AIO context and FD, waiting for an fsync still in flight.
func (a *Async) Close() { a.s.close() }
