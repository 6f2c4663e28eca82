package server

import (
	"bufio"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Both ways of serving connections — the I/O loops and a goroutine per connection (the
// fallback where there is no epoll, and what a loop hands a waiting client to) — must
// behave the same. Each scenario runs against both.
var ioModes = []struct {
	name   string
	adjust func(*Server)
}{
	{"loops", nil},
	{"goroutine-per-conn", func(s *Server) { s.goroutinePerConn = true }},
}

func forEachIOMode(t *testing.T, run func(t *testing.T, s *Server)) {
	forEachIOModeOpts(t, nil, run)
}

// forEachIOModeOpts is forEachIOMode with server options.
func forEachIOModeOpts(t *testing.T, opts []string, run func(t *testing.T, s *Server)) {
	for _, m := range ioModes {
		t.Run(m.name, func(t *testing.T) {
			s, _ := startServerWith(t, m.adjust, io.Discard, opts...)
			if m.adjust == nil && len(s.loops) == 0 {
				t.Skip("no I/O loops on this platform")
			}
			run(t, s)
		})
	}
}

// dialMany opens n connections: with loops assigned round-robin, some share a loop.
func dialMany(t *testing.T, s *Server, n int) []*rawConn {
	conns := make([]*rawConn, n)
	for i := range conns {
		conns[i] = dial(t, s)
	}
	return conns
}

// A reply larger than the socket takes while its reader does not read must not stop
// the server from serving the other connections (a loop hands the writer to a
// goroutine of its own), and arrives whole once read.
func TestIOLargeReplyToSlowReader(t *testing.T) {
	forEachIOMode(t, func(t *testing.T, s *Server) {
		others := dialMany(t, s, 4)
		big := strings.Repeat("x", 8<<20)
		others[0].expect("+OK\r\n", "SET", "big", big)
		slow := dial(t, s)
		slow.send(encodeCommand("GET", "big") + encodeCommand("PING"))
		for round := range 3 {
			for i, o := range others {
				o.expect("+PONG\r\n", "PING")
				o.expect(":"+strconv.Itoa(round*len(others)+i+1)+"\r\n", "INCR", "n")
			}
		}
		slow.conn.SetReadDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck
		want := "$" + strconv.Itoa(len(big)) + "\r\n" + big + "\r\n+PONG\r\n"
		got := make([]byte, len(want))
		if _, err := io.ReadFull(slow.r, got); err != nil {
			t.Fatalf("reading the large reply: %v", err)
		}
		if string(got) != want {
			t.Fatalf("large reply differs (len %d)", len(got))
		}
		slow.expect("+PONG\r\n", "PING") // still served, by its own goroutine
	})
}

// A client blocked in BLPOP leaves the others served; once woken it goes on serving
// its pipeline in order.
func TestIOBlockedClientAmongOthers(t *testing.T) {
	forEachIOMode(t, func(t *testing.T, s *Server) {
		others := dialMany(t, s, 4)
		blocked := dial(t, s)
		blocked.send(encodeCommand("BLPOP", "q", "0") + encodeCommand("GET", "after"))
		eventually(t, func() bool { return strings.Contains(others[0].do("CLIENT", "LIST"), "cmd=blpop") })
		for _, o := range others {
			o.expect("+PONG\r\n", "PING")
		}
		others[1].expect("+OK\r\n", "SET", "after", "v")
		others[1].expect(":1\r\n", "RPUSH", "q", "item")
		blocked.expect("*2\r\n$1\r\nq\r\n$4\r\nitem\r\n", "PING") // the BLPOP reply was first in the stream
		if got := blocked.readReply(); got != "$1\r\nv\r\n" {
			t.Fatalf("GET after BLPOP: %q", got)
		}
		if got := blocked.readReply(); got != "+PONG\r\n" {
			t.Fatalf("PING: %q", got)
		}
	})
}

// CLIENT KILL of an idle client closes its connection, and it leaves CLIENT LIST.
func TestIOKillIdleClient(t *testing.T) {
	forEachIOMode(t, func(t *testing.T, s *Server) {
		admin := dial(t, s)
		victim := dial(t, s)
		victim.expect("+OK\r\n", "CLIENT", "SETNAME", "victim")
		id := strings.TrimSpace(strings.TrimPrefix(victim.do("CLIENT", "ID"), ":"))
		admin.expect(":1\r\n", "CLIENT", "KILL", "ID", id)
		victim.conn.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
		if _, err := victim.r.ReadByte(); err != io.EOF {
			t.Fatalf("killed client read: %v, want EOF", err)
		}
		eventually(t, func() bool { return !strings.Contains(admin.do("CLIENT", "LIST"), "name=victim") })
	})
}

// Many pipelining clients at once, each checking its own replies in order.
func TestIOManyPipelines(t *testing.T) {
	forEachIOMode(t, func(t *testing.T, s *Server) {
		const clients, depth, rounds = 20, 50, 20
		errs := make(chan error, clients)
		for i := range clients {
			go func() {
				errs <- pipelineClient(s.Addr().String(), "k"+strconv.Itoa(i), depth, rounds)
			}()
		}
		for range clients {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	})
}

func pipelineClient(addr, key string, depth, rounds int) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second)) //nolint:errcheck
	r := bufio.NewReader(conn)
	n := 0
	for range rounds {
		var req strings.Builder
		for range depth {
			req.WriteString(encodeCommand("INCR", key))
		}
		if _, err := conn.Write([]byte(req.String())); err != nil {
			return err
		}
		for range depth {
			n++
			line, err := r.ReadString('\n')
			if err != nil {
				return err
			}
			if want := ":" + strconv.Itoa(n) + "\r\n"; line != want {
				return &pipelineReplyError{key: key, got: line, want: want}
			}
		}
	}
	return nil
}

type pipelineReplyError struct{ key, got, want string }

func (e *pipelineReplyError) Error() string { return e.key + ": got " + e.got + ", want " + e.want }

// Under appendfsync always a loop parks a writing connection until its writes are
// durable: its replies come in order, a QUIT after a write closes the connection after
// the replies, and a reply larger than the socket takes is still delivered whole.
func TestIOParkedForFsync(t *testing.T) {
	forEachIOModeOpts(t, []string{"--appendonly", "yes", "--appendfsync", "always"}, func(t *testing.T, s *Server) {
		a, b := dial(t, s), dial(t, s)
		a.send(encodeCommand("SET", "k", "1") + encodeCommand("INCR", "k") + encodeCommand("GET", "k"))
		a.expectRead("+OK\r\n")
		a.expectRead(":2\r\n")
		a.expectRead("$1\r\n2\r\n")
		b.expect("$1\r\n2\r\n", "GET", "k")

		big := strings.Repeat("y", 4<<20)
		a.send(encodeCommand("SET", "big", big) + encodeCommand("GET", "big") + encodeCommand("INCR", "k"))
		b.expect("+PONG\r\n", "PING") // served while a's reply waits to be read
		a.expectRead("+OK\r\n")
		a.conn.SetReadDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck
		want := "$" + strconv.Itoa(len(big)) + "\r\n" + big + "\r\n:3\r\n"
		got := make([]byte, len(want))
		if _, err := io.ReadFull(a.r, got); err != nil || string(got) != want {
			t.Fatalf("large reply after a parked write: err %v, %d bytes", err, len(got))
		}
		a.expect(":4\r\n", "INCR", "k")

		c := dial(t, s)
		c.send(encodeCommand("SET", "q", "1") + encodeCommand("QUIT"))
		c.expectRead("+OK\r\n")
		c.expectRead("+OK\r\n")
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
		if _, err := c.r.ReadByte(); err != io.EOF {
			t.Fatalf("after QUIT: %v, want EOF", err)
		}
		b.expect("$1\r\n1\r\n", "GET", "q")
	})
}

// TestIOLoopsConfig: cairn-io-loops sets how many I/O loops serve the connections (0,
// the default: one per GOMAXPROCS), and connections spread over them are all served.
// It is read at start only and, like cairn-debug-addr, missing from CONFIG GET *.
func TestIOLoopsConfig(t *testing.T) {
	if len(startServer(t).loops) == 0 {
		t.Skip("no I/O loops on this platform: a goroutine per connection")
	}
	for _, tc := range []struct {
		arg  string
		want int
	}{{"1", 1}, {"3", 3}, {"0", runtime.GOMAXPROCS(0)}} {
		s := startServer(t, "--cairn-io-loops", tc.arg)
		if len(s.loops) != tc.want {
			t.Errorf("cairn-io-loops %s: %d loops, want %d", tc.arg, len(s.loops), tc.want)
		}
		for i := range 2*tc.want + 1 { // every loop gets connections
			c := dial(t, s)
			key := "k" + strconv.Itoa(i)
			c.expect("+OK\r\n", "SET", key, tc.arg)
			c.expect("$"+strconv.Itoa(len(tc.arg))+"\r\n"+tc.arg+"\r\n", "GET", key)
		}
	}
	c := dial(t, startServer(t, "--cairn-io-loops", "2"))
	c.expect("*2\r\n$14\r\ncairn-io-loops\r\n$1\r\n2\r\n", "CONFIG", "GET", "cairn-io-loops")
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'cairn-io-loops') - can't set immutable config\r\n",
		"CONFIG", "SET", "cairn-io-loops", "1")
	if all := c.do("CONFIG", "GET", "*"); strings.Contains(all, "cairn-io-loops") {
		t.Error("CONFIG GET * lists cairn-io-loops")
	}
}

// Connections that send at once are served in one round of their loop, and each gets
// its own replies, in order, when the loop writes them at the round's end; one that
// quits in the middle gets the replies before its QUIT and then end of input.
func TestIORepliesAtRoundEnd(t *testing.T) {
	forEachIOMode(t, func(t *testing.T, s *Server) {
		conns := dialMany(t, s, 12)
		for i, c := range conns {
			k := "k" + strconv.Itoa(i)
			req := encodeCommand("SET", k, strconv.Itoa(i)) + encodeCommand("INCR", k) + encodeCommand("GET", k)
			if i == 5 {
				req += encodeCommand("QUIT") + encodeCommand("INCR", k)
			}
			c.send(req)
		}
		for i, c := range conns {
			v := strconv.Itoa(i + 1)
			want := []string{"+OK\r\n", ":" + v + "\r\n", "$" + strconv.Itoa(len(v)) + "\r\n" + v + "\r\n"}
			if i == 5 {
				want = append(want, "+OK\r\n")
			}
			for _, w := range want {
				if got := c.readReply(); got != w {
					t.Fatalf("conn %d: got %q, want %q", i, got, w)
				}
			}
			if i == 5 {
				c.conn.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
				if _, err := c.r.ReadByte(); err != io.EOF {
					t.Fatalf("after QUIT: %v, want EOF", err)
				}
			}
		}
		conns[0].expect("$1\r\n6\r\n", "GET", "k5") // the INCR after QUIT did not run
	})
}
