package server

import (
	"time"

	"cairn/internal/cmdtable"
)

// pauseState is CLIENT PAUSE. Guarded by the executor lock.
type pauseState struct {
	until time.Time
	all   bool          // ALL mode; otherwise WRITE mode
	end   chan struct{} // closed when the pause ends or is lifted
}

// blocks reports whether cmd must wait for the pause to end.
func (p *pauseState) blocks(cmd *command) bool {
	if p.end == nil {
		return false
	}
	if time.Now().After(p.until) {
		p.lift()
		return false
	}
	return p.all || cmd.flags&(cmdtable.FlagWrite|cmdtable.FlagMayReplicate) != 0
}

// start begins or extends a pause; a later pause never shortens an earlier one, and
// ALL wins over WRITE while both are in force, as in Redis.
func (p *pauseState) start(until time.Time, all bool) {
	if p.end == nil {
		p.end = make(chan struct{})
		p.until, p.all = until, all
		return
	}
	if until.After(p.until) {
		p.until = until
	}
	p.all = p.all || all
}

func (p *pauseState) lift() {
	if p.end != nil {
		close(p.end)
		p.end = nil
	}
}

func (p *pauseState) expire(now time.Time) {
	if p.end != nil && now.After(p.until) {
		p.lift()
	}
}

// waitPause releases the executor lock until the pause that blocks cmd ends.
func (s *Server) waitPause(c *client, cmd *command) {
	for s.pause.blocks(cmd) {
		c.detach()
		end, until := s.pause.end, s.pause.until
		c.flags |= flagBlocked
		s.endBatch(c)
		c.moveRepliesToPush()
		s.endClock()
		s.mu.Unlock()
		t := time.NewTimer(time.Until(until))
		select {
		case <-end:
		case <-t.C:
		case <-c.closed:
		}
		t.Stop()
		s.mu.Lock()
		s.beginBatch(c)
		s.beginClock(time.Now())
		c.flags &^= flagBlocked
	}
}
