package server

import "cairn/internal/keyspace"

// Keyspace event classes (notify-keyspace-events flags), as in Redis's server.h.
const (
	notifyGeneric = 1 << 2 // g
	notifyString  = 1 << 3 // $
	notifyExpired = 1 << 8 // x
)

// signalModifiedKey is called after every change a command makes to a key: it is the
// single point where WATCH invalidation and client-side caching hang (Redis's
// signalModifiedKey). Caller holds the executor lock.
func (s *Server) signalModifiedKey(db *keyspace.DB, key []byte) {
	s.touchWatchedKey(db, key)
	s.trackingInvalidateKey(s.current, key, true)
}
