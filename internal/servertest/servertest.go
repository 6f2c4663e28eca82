// Package servertest runs a Cairn server in the test process, for tests of tools that
// talk to one over a real socket (the bench load generators).
package servertest

import (
	"io"
	"log/slog"
	"testing"

	"cairn/internal/config"
	"cairn/internal/server"
)

// Start runs a Cairn server on a free loopback port, with no save points and its
// files in a temporary directory, until the test ends, and returns its address. args
// are more configuration, as on the command line.
func Start(t testing.TB, args ...string) string {
	t.Helper()
	base := []string{"--port", "0", "--bind", "127.0.0.1", "--save", "", "--dir", t.TempDir()}
	cfg, err := config.Load("", append(base, args...))
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	go s.Serve() //nolint:errcheck // ends with Shutdown
	t.Cleanup(s.Shutdown)
	if err := s.WaitLoaded(); err != nil {
		t.Fatal(err)
	}
	return s.Addr().String()
}
