package server

import (
	"strings"
	"testing"
	"time"
)

func TestMaxClients(t *testing.T) {
	s := startServer(t, "--maxclients", "1")
	a := dial(t, s)
	a.expect("+PONG\r\n", "PING")
	b := dial(t, s)
	if got := b.readReply(); got != "-ERR max number of clients reached\r\n" {
		t.Fatalf("second client got %q", got)
	}
	b.readEOF()
	a.expect("+PONG\r\n", "PING")
}

func TestQueryBufferLimitClosesClient(t *testing.T) {
	s := startServer(t, "--client-query-buffer-limit", "1mb")
	rc := dial(t, s)
	// A bulk announced within proto-max-bulk-len but larger than the query buffer limit:
	// Redis drops the client without a reply once the buffer passes the limit.
	rc.send("*2\r\n$3\r\nGET\r\n$2000000\r\n" + strings.Repeat("x", 1100*1024))
	rc.readEOF()
	ok := dial(t, s)
	ok.expect("+PONG\r\n", "PING")
}

func TestPanicInCommandIsRecovered(t *testing.T) {
	s := startServer(t)
	s.mu.Lock()
	s.commands["echo"].proc = func(c *client) { panic("boom") }
	s.mu.Unlock()
	rc := dial(t, s)
	rc.expect("-ERR internal error while executing 'echo': boom\r\n", "ECHO", "x")
	rc.expect("+PONG\r\n", "PING")
	s.mu.Lock()
	panics := s.stats.panics
	s.mu.Unlock()
	if panics != 1 {
		t.Fatalf("panic counter = %d, want 1", panics)
	}
}

func TestIdleTimeoutClosesClient(t *testing.T) {
	s := startServer(t, "--timeout", "1")
	rc := dial(t, s)
	rc.expect("+PONG\r\n", "PING")
	start := time.Now()
	rc.readEOF()
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Fatalf("closed after %v, before the 1s timeout", d)
	}
}

func TestShutdownClosesClients(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+PONG\r\n", "PING")
	go s.Shutdown()
	rc.readEOF()
}
