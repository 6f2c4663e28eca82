package server

import (
	"strings"
	"testing"
	"time"
)

// Scripts that run past busy-reply-threshold: other clients get -BUSY at once, SCRIPT
// KILL and FUNCTION KILL stop a script that has not written, and refuse one that has.

// startBusy runs a command that does not finish on its own on a new connection and
// returns that connection; its reply is read by the caller.
func startBusy(t *testing.T, s *Server, args ...string) *rawConn {
	t.Helper()
	rc := dial(t, s)
	rc.send(encodeCommand(args...))
	return rc
}

// waitBusy polls with PING until the server answers -BUSY.
func waitBusy(t *testing.T, rc *rawConn) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if got := rc.do("PING"); strings.HasPrefix(got, "-BUSY") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server never became busy")
}

func TestScriptBusyAndKill(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "CONFIG", "SET", "busy-reply-threshold", "50")
	rc.expect("-NOTBUSY No scripts in execution right now.\r\n", "SCRIPT", "KILL")

	// A script that has not written: BUSY for everyone, then SCRIPT KILL.
	script := startBusy(t, s, "EVAL", "local i = 0 while true do i = i + 1 end", "0")
	waitBusy(t, rc)
	start := time.Now()
	rc.expect("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n", "GET", "x")
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("BUSY reply took %v", d)
	}
	rc.expect("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n", "FUNCTION", "STATS")
	rc.expect("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n", "FUNCTION", "KILL")
	rc.expect("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n", "SHUTDOWN")
	rc.expect("+OK\r\n", "MULTI")
	rc.expect("-ERR Command not allowed inside a transaction\r\n", "SHUTDOWN")
	rc.expect("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n", "SET", "a", "b")
	rc.expect("+OK\r\n", "DISCARD")
	rc.expect("+OK\r\n", "SCRIPT", "KILL")
	if got, want := script.readReply(), "-ERR Script killed by user with SCRIPT KILL... script: 3fcf51a9b854b8f66cb8685600b0d7df968f4398, on @user_script:1.\r\n"; got != want {
		t.Errorf("killed script replied %q, want %q", got, want)
	}
	rc.expect("+PONG\r\n", "PING")
	rc.expect("-NOTBUSY No scripts in execution right now.\r\n", "SCRIPT", "KILL")

	// pcall cannot catch the kill.
	script = startBusy(t, s, "EVAL", "while true do pcall(function() while true do end end) end", "0")
	waitBusy(t, rc)
	rc.expect("+OK\r\n", "SCRIPT", "KILL")
	if got := script.readReply(); !strings.HasPrefix(got, "-ERR Script killed by user with SCRIPT KILL...") {
		t.Errorf("killed script replied %q", got)
	}

	// A script that wrote cannot be killed; it is still atomic: nobody sees its write.
	rc.expect("+OK\r\n", "FUNCTION", "FLUSH")
	rc.expect("$3\r\nlib\r\n", "FUNCTION", "LOAD",
		"#!lua name=lib\nlocal function now() local t = redis.call('time') return t[1] * 1000000 + t[2] end\nredis.register_function('w', function(keys) redis.call('set', keys[1], 'v') local t = now() while now() - t < 400000 do end return redis.call('get', keys[1]) end)\nredis.register_function('spin', function() while true do end end)")
	script = startBusy(t, s, "FCALL", "w", "1", "k")
	waitBusy(t, rc)
	rc.expect("-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n", "FUNCTION", "KILL")
	rc.expect("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n", "GET", "k")
	if got := script.readReply(); got != "$1\r\nv\r\n" {
		t.Errorf("FCALL w replied %q", got)
	}
	rc.expect("$1\r\nv\r\n", "GET", "k")

	// FUNCTION KILL stops a function; SCRIPT KILL refuses to.
	script = startBusy(t, s, "FCALL", "spin", "0")
	waitBusy(t, rc)
	got := rc.do("FUNCTION", "STATS")
	if !strings.Contains(got, "$4\r\nspin\r\n") || !strings.Contains(got, "duration_ms") {
		t.Errorf("FUNCTION STATS while busy: %q", got)
	}
	rc.expect("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n", "SCRIPT", "KILL")
	rc.expect("+OK\r\n", "FUNCTION", "KILL")
	if got, want := script.readReply(), "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:4.\r\n"; got != want {
		t.Errorf("killed function replied %q, want %q", got, want)
	}
	rc.expect("+PONG\r\n", "PING")
}

// A script runs atomically: while it runs below the threshold, other clients wait
// rather than interleave.
func TestScriptAtomic(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	script := startBusy(t, s, "EVAL", "local function now() local t = redis.call('time') return t[1] * 1000000 + t[2] end redis.call('set','k','1') local t = now() while now() - t < 100000 do end redis.call('set','k','2') return 1", "0")
	time.Sleep(20 * time.Millisecond)
	rc.expect("$1\r\n2\r\n", "GET", "k")
	script.readReply()
}

// BenchmarkEvalLoop is a script that spends its time in Lua (the cost of the
// per-instruction interrupt check shows here).
func BenchmarkEvalLoop(b *testing.B) {
	benchmarkCommand(b, 1, nil, "EVAL", "local n = 0 for i = 1, 10000 do n = n + i end return n", "0")
}

// A loop inside a coroutine is killable too.
func TestScriptKillCoroutine(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "CONFIG", "SET", "busy-reply-threshold", "50")
	for _, body := range []string{
		"local co = coroutine.create(function() while true do end end) coroutine.resume(co) while true do end",
		"return coroutine.wrap(function() while true do end end)()",
	} {
		script := startBusy(t, s, "EVAL", body, "0")
		waitBusy(t, rc)
		rc.expect("+OK\r\n", "SCRIPT", "KILL")
		if got := script.readReply(); !strings.HasPrefix(got, "-ERR Script killed by user with SCRIPT KILL...") {
			t.Errorf("%s: killed script replied %q", body, got)
		}
	}
	rc.expect("*2\r\n:1\r\n:3\r\n", "EVAL", "local f = coroutine.wrap(function(a) local b = coroutine.yield(a) return b + 1 end) return {f(1), f(2)}", "0")
}
