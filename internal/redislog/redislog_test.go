package redislog

import (
	"bytes"
	"log/slog"
	"regexp"
	"testing"
)

func TestRedisFormat(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(New(&out, LevelVerbose))
	log.Info("Ready to accept connections", "port", 6379)
	log.Warn("Received SIGTERM scheduling shutdown...")
	log.Log(nil, LevelVerbose, "Client closed connection", "addr", "127.0.0.1:5000")
	log.Debug("not shown")
	log.With("client", "a b").Error("failed")
	want := []string{
		`^\d+:M \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Ready to accept connections port=6379$`,
		`^\d+:M .* # Received SIGTERM scheduling shutdown\.\.\.$`,
		`^\d+:M .* - Client closed connection addr=127\.0\.0\.1:5000$`,
		`^\d+:M .* # failed client="a b"$`,
	}
	lines := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), out.String())
	}
	for i, re := range want {
		if !regexp.MustCompile(re).Match(lines[i]) {
			t.Errorf("line %d: %q does not match %s", i, lines[i], re)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "verbose": LevelVerbose, "notice": slog.LevelInfo, "warning": slog.LevelWarn} {
		if got := ParseLevel(in); got != want {
			t.Errorf("ParseLevel(%q) = %v, want %v", in, got, want)
		}
	}
}
