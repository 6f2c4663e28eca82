package server

// The differential test: command scripts in testdata/commands/*.txt replayed against an
// in-process Cairn and, when it is installed, against redis-server 7.0.15, with every
// reply compared byte for byte with the script's expectation.
//
//	go test ./internal/server -run TestDiff                  # replay (both halves)
//	go test ./internal/server -run TestDiff/cairn/strings    # one script, Cairn only
//	go test ./internal/server -run TestDiff -rewrite         # re-record from redis-server
//	go test ./internal/server -run TestDiff -pending         # also run pending scripts
//
// Expected replies are never written by hand and never taken from Cairn: -rewrite runs
// each script against a redis-server 7.0.15 started by the test and writes its replies
// into the script. Every run then replays the scripts against redis-server again (which
// proves the files are still true to Redis) and against Cairn.
//
// # Script format
//
// A script is a sequence of cases separated by blank lines. A case is one or more
// command lines, a `----` line, and the expected replies, one per command, in the text
// form described in difftest_resp_test.go (`+OK`, `:1`, `"bulk"`, `$-1`, `*2` with
// indented elements, `ignore`, `match <regexp>`, ...):
//
//	SET k "hello world"
//	GET k
//	----
//	+OK
//	"hello world"
//
// Command lines are split like an inline request to redis-server: arguments separated by
// spaces, "double quotes" with \n \r \t \b \a \xHH escapes, 'single quotes'. Each command
// is sent as a multibulk request and its reply read before the next line runs. A line may
// start with modifiers:
//
//	noreply CMD ...    send without reading a reply (CLIENT REPLY OFF/SKIP); the case
//	                   has no expected entry for it
//	sorted CMD ...     sort the reply before comparing: arrays and sets of non-aggregates
//	                   by their bytes, map pairs by key, at any depth (KEYS, SCAN: Redis's
//	                   hash order is seeded at random at startup)
//	sortpairs CMD ...  read the top-level reply as key/value pairs and sort them by key
//	                   (CONFIG GET with several names or a pattern, in RESP2)
//
// and two directive lines read no reply:
//
//	sleep 150ms        pause (Go duration syntax)
//	proto 3            send HELLO 3 (or 2) and check that it succeeded
//
// Lines starting with # outside expected sections are comments; in a file's comments:
//
//	# requires: <why>            the script needs what this runner cannot provide: it is
//	                             skipped in both halves with <why> as the message, except
//	                             `# requires: long <why>`, which runs unless -short
//	# status: pending <reason>   Cairn does not pass it yet: it is still checked against
//	                             redis-server; against Cairn it is replayed but reported
//	                             as skipped, with the reason and how many replies differ
//	                             (or that it now passes, so the line can go); -pending
//	                             makes its differences failures like any other script's
//
// Each script runs on a fresh connection to a fresh, empty server (one per script, for
// Cairn and for redis-server alike, so configuration, statistics and client ids never
// leak between scripts), with default configuration. After the last case the runner
// sends PING and expects +PONG, so a stray reply cannot go unnoticed.

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	rewriteFlag = flag.Bool("rewrite", false, "re-record testdata/commands/*.txt expected replies from redis-server 7.0.15")
	pendingFlag = flag.Bool("pending", false, "run `# status: pending` scripts against Cairn too")
)

// oracleVersion is the redis-server version the scripts are recorded from.
const oracleVersion = "7.0.15"

const installHint = "apt-get install -y redis-server redis-tools"

func TestDiff(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "commands", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scripts in testdata/commands: %v", err)
	}
	t.Run("redis", func(t *testing.T) {
		bin, why := findOracle()
		if bin == "" {
			if *rewriteFlag {
				t.Fatalf("-rewrite needs redis-server %s: %s (%s)", oracleVersion, why, installHint)
			}
			t.Skipf("replaying the scripts against redis-server skipped: %s (install it with `%s`)", why, installHint)
		}
		for _, path := range paths {
			t.Run(scriptName(path), func(t *testing.T) {
				t.Parallel()
				sc := loadScriptOrFatal(t, path)
				if sc.requires != "" && !requirementMet(sc.requires) {
					t.Skipf("requires: %s", sc.requires)
				}
				addr := startOracleServer(t, bin)
				if *rewriteFlag {
					rewriteScript(t, sc, addr)
					return
				}
				checkScript(t, sc, addr)
			})
		}
	})
	t.Run("cairn", func(t *testing.T) {
		for _, path := range paths {
			t.Run(scriptName(path), func(t *testing.T) {
				t.Parallel()
				sc := loadScriptOrFatal(t, path)
				if sc.requires != "" && !requirementMet(sc.requires) {
					t.Skipf("requires: %s", sc.requires)
				}
				// Redis's default save points, as the recorded CONFIG GET save shows.
				s := startServer(t, "--save", "3600 1 300 100 60 10000")
				if sc.pending != "" && !*pendingFlag {
					// Tried anyway, so the skip says whether it is still needed.
					problems, total := compareScript(sc, s.Addr().String())
					if len(problems) == 0 {
						t.Skipf("pending: %s -- but it now passes against Cairn: remove its `# status: pending` line", sc.pending)
					}
					t.Skipf("pending: %s (%d of %d replies differ)", sc.pending, len(problems), total)
				}
				checkScript(t, sc, s.Addr().String())
			})
		}
	})
}

func scriptName(path string) string { return strings.TrimSuffix(filepath.Base(path), ".txt") }

func loadScriptOrFatal(t *testing.T, path string) *diffScript {
	t.Helper()
	sc, err := loadDiffScript(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// requirementMet reports whether a `# requires:` condition holds here.
func requirementMet(req string) bool {
	word, _, _ := strings.Cut(req, " ")
	return word == "long" && !testing.Short()
}

// checkScript replays sc against the server at addr and reports every reply that does
// not match the script.
func checkScript(t *testing.T, sc *diffScript, addr string) {
	t.Helper()
	problems, total := compareScript(sc, addr)
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		t.Errorf("%s: %d of %d replies differ from the script", sc.path, len(problems), total)
	}
}

// compareScript replays sc against the server at addr and describes every reply that
// does not match the script (or the error that stopped the replay), out of total.
func compareScript(sc *diffScript, addr string) (problems []string, total int) {
	for _, dc := range sc.cases {
		if dc.expectErr != nil {
			return []string{fmt.Sprintf("%s:%v", sc.path, dc.expectErr)}, 0
		}
		if n := dc.replies(); n != len(dc.expect) {
			return []string{fmt.Sprintf("%s:%d: %d commands read a reply but the case expects %d replies (run with -rewrite)", sc.path, dc.line, n, len(dc.expect))}, 0
		}
		total += len(dc.expect)
	}
	got, err := runScript(sc, addr)
	for i, dc := range sc.cases[:len(got)] {
		for j, p := range dc.expect[:min(len(dc.expect), len(got[i]))] {
			if p.matches(got[i][j]) {
				continue
			}
			st := dc.replyStep(j)
			problems = append(problems, fmt.Sprintf("%s:%d: %s\ngot:\n%s\nwant:\n%s", sc.path, st.line, st.text,
				indent(renderRV(got[i][j])), indent(strings.Join(renderPattern(nil, p, 0), "\n"))))
		}
	}
	if err != nil {
		problems = append(problems, err.Error())
	}
	return problems, total
}

// rewriteScript replays sc against redis-server at addr and writes its replies into the
// script file.
func rewriteScript(t *testing.T, sc *diffScript, addr string) {
	t.Helper()
	got, err := runScript(sc, addr)
	if err != nil {
		t.Fatalf("%v\n%s: not rewritten", err, sc.path)
	}
	newExpect := make([][]*pattern, len(sc.cases))
	for i, dc := range sc.cases {
		if !dc.hasSep && len(got[i]) == 0 {
			continue // a block of directives only
		}
		// Expected entries pair with replies by position: a new case may start with
		// only its ignore/match entries written, and the rest is recorded.
		old := dc.expect
		if dc.expectErr != nil {
			old = nil
		}
		for j, g := range got[i] {
			var p *pattern
			if j < len(old) {
				p = old[j]
			}
			np, err := p.merge(g)
			if err != nil {
				t.Fatalf("%s:%d: %v", sc.path, dc.replyStep(j).line, err)
			}
			newExpect[i] = append(newExpect[i], np)
		}
		if newExpect[i] == nil {
			newExpect[i] = []*pattern{}
		}
	}
	text := sc.rewrite(newExpect)
	if old, err := os.ReadFile(sc.path); err == nil && string(old) == text {
		return
	}
	if err := os.WriteFile(sc.path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: rewritten from redis-server", sc.path)
}

// replyStep is the step that reads the case's j-th reply.
func (dc *diffCase) replyStep(j int) diffStep {
	for _, st := range dc.steps {
		if st.kind == stepCommand && !st.noreply {
			if j == 0 {
				return st
			}
			j--
		}
	}
	panic("no such reply")
}

// runScript runs every case of sc on one new connection to addr and returns each case's
// replies. A connection failure or a reply that cannot be read ends the script: the
// replies so far are returned with the error (the last case's may be incomplete).
func runScript(sc *diffScript, addr string) ([][]*rv, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	dc := &diffConn{conn: conn, r: bufio.NewReader(conn)}
	var out [][]*rv
	for _, c := range sc.cases {
		var got []*rv
		fail := func(format string, args ...any) ([][]*rv, error) {
			return append(out, got), fmt.Errorf(format, args...)
		}
		for _, st := range c.steps {
			where := fmt.Sprintf("%s:%d: %s", sc.path, st.line, st.text)
			switch st.kind {
			case stepSleep:
				time.Sleep(st.dur)
			case stepProto:
				v, err := dc.do([]byte("HELLO"), []byte(strconv.Itoa(st.proto)))
				if err != nil {
					return fail("%s: %v", where, err)
				}
				if v.kind != '%' && v.kind != '*' {
					return fail("%s: HELLO %d failed:\n%s", where, st.proto, indent(renderRV(v)))
				}
			case stepCommand:
				if err := dc.send(st.args...); err != nil {
					return fail("%s: %v", where, err)
				}
				if st.noreply {
					continue
				}
				v, err := dc.read()
				if err != nil {
					return fail("%s: reading the reply: %v", where, err)
				}
				if st.sorted {
					v.sortReply()
				}
				if st.sortpairs {
					v.sortReplyPairs()
				}
				got = append(got, v)
			}
		}
		out = append(out, got)
	}
	v, err := dc.do([]byte("PING"))
	if err != nil {
		return out, fmt.Errorf("%s: PING after the last case: %v", sc.path, err)
	}
	if v.kind != '+' || string(v.text) != "PONG" {
		return out, fmt.Errorf("%s: PING after the last case replied (a stray reply?):\n%s", sc.path, indent(renderRV(v)))
	}
	return out, nil
}

type diffConn struct {
	conn net.Conn
	r    *bufio.Reader
	buf  []byte
}

func (dc *diffConn) send(args ...[]byte) error {
	dc.buf = append(dc.buf[:0], '*')
	dc.buf = strconv.AppendInt(dc.buf, int64(len(args)), 10)
	dc.buf = append(dc.buf, '\r', '\n')
	for _, a := range args {
		dc.buf = append(dc.buf, '$')
		dc.buf = strconv.AppendInt(dc.buf, int64(len(a)), 10)
		dc.buf = append(dc.buf, '\r', '\n')
		dc.buf = append(dc.buf, a...)
		dc.buf = append(dc.buf, '\r', '\n')
	}
	dc.conn.SetWriteDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck
	_, err := dc.conn.Write(dc.buf)
	return err
}

func (dc *diffConn) read() (*rv, error) {
	dc.conn.SetReadDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck
	return readRV(dc.r)
}

func (dc *diffConn) do(args ...[]byte) (*rv, error) {
	if err := dc.send(args...); err != nil {
		return nil, err
	}
	return dc.read()
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

var oracleOnce struct {
	sync.Once
	bin, why string
}

// findOracle returns the path of a redis-server of the recorded version, or "" and why
// not.
func findOracle() (bin, why string) {
	oracleOnce.Do(func() {
		path, err := exec.LookPath("redis-server")
		if err != nil {
			oracleOnce.why = "redis-server is not on PATH"
			return
		}
		out, err := exec.Command(path, "--version").Output()
		if err != nil {
			oracleOnce.why = fmt.Sprintf("%s --version: %v", path, err)
			return
		}
		if !bytes.Contains(out, []byte("v="+oracleVersion+" ")) {
			oracleOnce.why = fmt.Sprintf("%s is %q; the scripts are recorded from %s", path, strings.TrimSpace(string(out)), oracleVersion)
			return
		}
		oracleOnce.bin = path
	})
	return oracleOnce.bin, oracleOnce.why
}

// startOracleServer starts redis-server with its default configuration on a free
// loopback port for the test's lifetime and returns its address.
func startOracleServer(t *testing.T, bin string, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	for attempt := 0; ; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--dir", dir, "--daemonize", "no", "--logfile", filepath.Join(dir, "redis.log")}, extra...)
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }() //nolint:errcheck
		stop := func() {
			cmd.Process.Kill() //nolint:errcheck
			<-exited
		}
		if waitReady(addr, exited) {
			t.Cleanup(stop)
			return addr
		}
		stop()
		if attempt == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server did not start on %s:\n%s", addr, log)
		}
	}
}

// waitReady waits until the server at addr answers PING, or it exited.
func waitReady(addr string, exited <-chan struct{}) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			dc := &diffConn{conn: conn, r: bufio.NewReader(conn)}
			v, err := dc.do([]byte("PING"))
			conn.Close()
			if err == nil && v.kind == '+' {
				return true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}
