package server

import (
	"strconv"
	"time"
)

// Redis's slow log limits (slowlog.h).
const (
	slowlogEntryMaxArgc   = 32
	slowlogEntryMaxString = 128
)

type slowlogEntry struct {
	id         int64
	time       int64 // unix seconds
	durationUS int64
	argv       []string
	peer, name string
}

// slowlog keeps the newest slowlog-max-len commands that ran for at least
// slowlog-log-slower-than microseconds. Guarded by the executor lock.
//
// Entries are kept oldest first and trimmed from the front, so recording is O(1)
// amortised whatever slowlog-max-len is.
type slowlog struct {
	entries []slowlogEntry // oldest first
	nextID  int64
}

func (l *slowlog) init() {}

// record adds the command c just ran if it was slow enough (Redis's
// slowlogPushEntryIfNeeded). Entry ids keep counting across SLOWLOG RESET.
func (l *slowlog) record(c *client, dur time.Duration) {
	cfg := c.srv.cfg
	threshold := cfg.SlowlogLogSlowerThan
	if threshold < 0 || cfg.SlowlogMaxLen == 0 || dur.Microseconds() < threshold {
		return
	}
	e := slowlogEntry{id: l.nextID, time: time.Now().Unix(), durationUS: dur.Microseconds(), peer: c.addr, name: c.name}
	l.nextID++
	argc := len(c.argv)
	shown := min(argc, slowlogEntryMaxArgc)
	e.argv = make([]string, 0, shown)
	for i := 0; i < shown; i++ {
		if shown != argc && i == shown-1 {
			e.argv = append(e.argv, "... ("+strconv.Itoa(argc-shown+1)+" more arguments)")
			break
		}
		a := c.argv[i]
		if len(a) > slowlogEntryMaxString {
			e.argv = append(e.argv, string(a[:slowlogEntryMaxString])+"... ("+strconv.Itoa(len(a)-slowlogEntryMaxString)+" more bytes)")
		} else {
			e.argv = append(e.argv, string(a))
		}
	}
	l.entries = append(l.entries, e)
	l.trim(cfg.SlowlogMaxLen)
}

// trim keeps the newest max entries.
func (l *slowlog) trim(max int) {
	if max >= 0 && len(l.entries) > max {
		drop := len(l.entries) - max
		clear(l.entries[:drop]) // let the argv strings go
		l.entries = l.entries[drop:]
	}
}

func (l *slowlog) reset() { l.entries = nil }

// newest returns the n newest entries, newest first (all of them for n < 0).
func (l *slowlog) newest(n int64) []slowlogEntry {
	if n < 0 || n > int64(len(l.entries)) {
		n = int64(len(l.entries))
	}
	out := make([]slowlogEntry, 0, n)
	for i := len(l.entries) - 1; i >= 0 && int64(len(out)) < n; i-- {
		out = append(out, l.entries[i])
	}
	return out
}
