// Package pubsub keeps Redis's publish/subscribe registry: which subscribers listen to
// which channels and which glob patterns, in subscription order, and who receives a
// message published to a channel. It knows nothing of clients or RESP: a subscriber is
// any comparable value (the server uses its client pointer).
//
// Delivery order follows Redis: first every subscriber of the channel itself, in the
// order they subscribed, then every pattern that matches the channel (Redis's glob
// semantics), in the order the patterns were first subscribed, each pattern's
// subscribers in their order. A subscriber listening to the channel and to a matching
// pattern receives the message twice, as in Redis.
//
// Shard channels (SSUBSCRIBE/SPUBLISH) are a separate Registry in the server; in a
// non-cluster server they behave as plain channels.
//
// Not safe for concurrent use: the server calls in under its executor lock.
package pubsub

import "cairn/internal/glob"

// Registry maps channels and patterns to their subscribers.
type Registry[S comparable] struct {
	channels map[string][]S
	patterns []patternSubs[S]
	patIndex map[string]int // pattern → index in patterns
}

type patternSubs[S comparable] struct {
	pattern string
	subs    []S
}

// New makes an empty registry.
func New[S comparable]() *Registry[S] {
	return &Registry[S]{channels: make(map[string][]S), patIndex: make(map[string]int)}
}

// Subscribe adds s to channel; false if it was already subscribed.
func (r *Registry[S]) Subscribe(s S, channel string) bool {
	subs := r.channels[channel]
	for _, x := range subs {
		if x == s {
			return false
		}
	}
	r.channels[channel] = append(subs, s)
	return true
}

// Unsubscribe removes s from channel; false if it was not subscribed.
func (r *Registry[S]) Unsubscribe(s S, channel string) bool {
	subs, ok := r.channels[channel]
	if !ok {
		return false
	}
	subs, removed := remove(subs, s)
	if len(subs) == 0 {
		delete(r.channels, channel)
	} else {
		r.channels[channel] = subs
	}
	return removed
}

// PSubscribe adds s to pattern; false if it was already subscribed.
func (r *Registry[S]) PSubscribe(s S, pattern string) bool {
	i, ok := r.patIndex[pattern]
	if !ok {
		r.patIndex[pattern] = len(r.patterns)
		r.patterns = append(r.patterns, patternSubs[S]{pattern: pattern, subs: []S{s}})
		return true
	}
	for _, x := range r.patterns[i].subs {
		if x == s {
			return false
		}
	}
	r.patterns[i].subs = append(r.patterns[i].subs, s)
	return true
}

// PUnsubscribe removes s from pattern; false if it was not subscribed.
func (r *Registry[S]) PUnsubscribe(s S, pattern string) bool {
	i, ok := r.patIndex[pattern]
	if !ok {
		return false
	}
	subs, removed := remove(r.patterns[i].subs, s)
	if len(subs) > 0 {
		r.patterns[i].subs = subs
		return removed
	}
	// Drop the pattern, keeping the order of the others.
	r.patterns = append(r.patterns[:i], r.patterns[i+1:]...)
	delete(r.patIndex, pattern)
	for j := i; j < len(r.patterns); j++ {
		r.patIndex[r.patterns[j].pattern] = j
	}
	return removed
}

// Publish calls deliver for every receiver of a message on channel — pattern is "" for
// channel subscribers — and returns how many deliveries there were (PUBLISH's reply).
func (r *Registry[S]) Publish(channel []byte, deliver func(s S, pattern string)) int {
	n := 0
	for _, s := range r.channels[string(channel)] {
		deliver(s, "")
		n++
	}
	for _, p := range r.patterns {
		if !glob.Match([]byte(p.pattern), channel, false) {
			continue
		}
		for _, s := range p.subs {
			deliver(s, p.pattern)
			n++
		}
	}
	return n
}

// Channels returns the channels with at least one subscriber that match pattern (all
// of them when pattern is nil).
func (r *Registry[S]) Channels(pattern []byte) []string {
	var out []string
	for ch := range r.channels {
		if pattern == nil || glob.Match(pattern, []byte(ch), false) {
			out = append(out, ch)
		}
	}
	return out
}

// NumSub is the number of subscribers of channel (not counting patterns).
func (r *Registry[S]) NumSub(channel string) int { return len(r.channels[channel]) }

// NumPat is the number of patterns with at least one subscriber.
func (r *Registry[S]) NumPat() int { return len(r.patterns) }

func remove[S comparable](subs []S, s S) ([]S, bool) {
	for i, x := range subs {
		if x == s {
			return append(subs[:i:i], subs[i+1:]...), true
		}
	}
	return subs, false
}
