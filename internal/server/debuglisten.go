package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"cairn/internal/debughttp"
)

// debugListener is the optional HTTP listener of the cairn-debug-addr directive:
// pprof and the Go runtime's GC figures (package debughttp). Guarded by mu.
type debugListener struct {
	addr string // the configured address it was started for; "" = not running
	ln   net.Listener
	srv  *http.Server
}

// startDebugListenerLocked makes the debug listener match cfg.CairnDebugAddr: starts,
// moves or stops it. A new listener is opened before the old one is closed, so a
// failed CONFIG SET leaves the old one serving. Called from Listen and from CONFIG SET
// (an OnChange hook) with mu held.
func (s *Server) startDebugListenerLocked() error {
	addr := s.cfg.CairnDebugAddr
	if addr == s.debug.addr {
		return nil
	}
	if addr == "" {
		s.stopDebugListenerLocked()
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("can't listen on cairn-debug-addr %s: %w", addr, err)
	}
	s.stopDebugListenerLocked()
	// No write timeout: /debug/pprof/profile and /trace stream for as long as asked.
	srv := &http.Server{Handler: debughttp.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.debug = debugListener{addr: addr, ln: ln, srv: srv}
	s.log.Info("Debug HTTP listener (pprof, /debug/gc) started", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Warn("Debug HTTP listener stopped", "err", err)
		}
	}()
	return nil
}

// stopDebugListenerLocked closes the debug listener and its connections, if it runs.
func (s *Server) stopDebugListenerLocked() {
	if s.debug.srv != nil {
		s.debug.srv.Close() //nolint:errcheck // closing: the listener's error says nothing new
	}
	s.debug = debugListener{}
}

// DebugAddr is the address of the debug HTTP listener (cairn-debug-addr), or nil when
// it is off. Useful when the directive asked for port 0.
func (s *Server) DebugAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.debug.ln == nil {
		return nil
	}
	return s.debug.ln.Addr()
}
