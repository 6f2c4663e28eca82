package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"cairn/internal/config"
)

// startServer runs a Cairn server on a free loopback port for the test's lifetime.
// opts are config directives as on the command line ("--requirepass", "pw").
func startServer(t testing.TB, opts ...string) *Server {
	t.Helper()
	s, _ := startServerDone(t, opts...)
	return s
}

// startServerDone is startServer that also returns a channel closed when Serve has
// returned (after Shutdown), for tests that restart a server on the same files.
func startServerDone(t testing.TB, opts ...string) (*Server, <-chan struct{}) {
	t.Helper()
	return startServerWith(t, nil, io.Discard, opts...)
}

// startServerWith is startServerDone for tests that reach inside: setup (if not nil)
// runs on the new Server before it opens its files, and its log goes to logOut.
func startServerWith(t testing.TB, setup func(*Server), logOut io.Writer, opts ...string) (*Server, <-chan struct{}) {
	t.Helper()
	s, done := launchServerWith(t, setup, logOut, opts...)
	if err := s.WaitLoaded(); err != nil {
		t.Fatalf("loading the data set: %v", err)
	}
	return s, done
}

// launchServer starts a server without waiting for its startup load to end; loadHook,
// if not nil, runs between the loader's batches (see Server.loadStepHook).
func launchServer(t testing.TB, loadHook func(), opts ...string) (*Server, <-chan struct{}) {
	t.Helper()
	return launchServerWith(t, func(s *Server) { s.loadStepHook = loadHook }, io.Discard, opts...)
}

// launchServerWith is launchServer with a setup function run on the new Server before
// Listen, and a destination for its log.
func launchServerWith(t testing.TB, setup func(*Server), logOut io.Writer, opts ...string) (*Server, <-chan struct{}) {
	t.Helper()
	// No save points and a private dir unless a test asks: tests never write dump.rdb
	// into the source tree.
	args := append([]string{"--port", "0", "--bind", "127.0.0.1", "--save", "", "--dir", t.TempDir()}, opts...)
	cfg, err := config.Load("", args)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(logOut, nil))
	s := New(cfg, logger)
	if setup != nil {
		setup(s)
	}
	if err := s.Listen(); err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan struct{})
	go func() {
		s.Serve() //nolint:errcheck
		close(done)
	}()
	t.Cleanup(func() {
		s.Shutdown()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Errorf("server did not shut down")
		}
	})
	return s, done
}

// rawConn is a test client speaking raw bytes.
type rawConn struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func dial(t testing.TB, s *Server) *rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// send writes raw bytes.
func (rc *rawConn) send(s string) {
	rc.t.Helper()
	if _, err := rc.conn.Write([]byte(s)); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

// do sends a command in multibulk form and returns its raw reply.
func (rc *rawConn) do(args ...string) string {
	rc.t.Helper()
	rc.send(encodeCommand(args...))
	return rc.readReply()
}

// expect sends a command and checks its raw reply.
func (rc *rawConn) expect(want string, args ...string) {
	rc.t.Helper()
	if got := rc.do(args...); got != want {
		rc.t.Errorf("%q: got %q, want %q", args, got, want)
	}
}

func encodeCommand(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

// readReply reads one complete RESP2/RESP3 reply and returns its raw bytes.
func (rc *rawConn) readReply() string {
	rc.t.Helper()
	rc.conn.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
	var out bytes.Buffer
	if err := readValue(rc.r, &out); err != nil {
		rc.t.Fatalf("read reply: %v (so far %q)", err, out.String())
	}
	return out.String()
}

func readValue(r *bufio.Reader, out *bytes.Buffer) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	if len(line) < 3 {
		return fmt.Errorf("short line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', ',', '#', '_', '(':
		return nil
	case '$', '=', '!':
		var n int
		fmt.Sscan(body, &n)
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		out.Write(buf)
		return nil
	case '*', '~', '>', '%', '|':
		var n int
		fmt.Sscan(body, &n)
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readValue(r, out); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown reply type %q", line)
}

// readEOF asserts that the server closed the connection.
func (rc *rawConn) readEOF() {
	rc.t.Helper()
	rc.conn.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
	// A reset counts as closed: the server closes while the test may still be sending.
	if b, err := rc.r.ReadByte(); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
		rc.t.Fatalf("expected the connection to close, got byte %q err %v", b, err)
	}
}

// sscanReply reads the integers of a flat array reply such as "*2\r\n:1\r\n:2\r\n".
func sscanReply(reply string, dst ...*int) (int, error) {
	var n int
	rest := reply
	if _, err := fmt.Sscanf(rest, "*%d\r\n", &n); err != nil {
		return 0, err
	}
	rest = rest[strings.Index(rest, "\n")+1:]
	for i := 0; i < n && i < len(dst); i++ {
		if _, err := fmt.Sscanf(rest, ":%d\r\n", dst[i]); err != nil {
			return i, err
		}
		rest = rest[strings.Index(rest, "\n")+1:]
	}
	return n, nil
}
