package server

import (
	"regexp"
	"testing"
	"time"
)

// FUNCTION LOAD stops library code that runs too long.
func TestFunctionLoadTimeout(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	start := time.Now()
	rc.expect("-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n", "FUNCTION", "LOAD", "#!lua name=inf\nwhile true do end")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("FUNCTION LOAD took %v", d)
	}
	rc.expect("*0\r\n", "FUNCTION", "LIST")
}

// A script's writes wake blocked clients once the script is over; a blocking command
// inside a script does not block.
func TestScriptWakesBlockedClient(t *testing.T) {
	s := startServer(t)
	blocked := dial(t, s)
	blocked.send(encodeCommand("BLPOP", "q", "0"))
	rc := dial(t, s)
	time.Sleep(50 * time.Millisecond)
	rc.expect(":2\r\n", "EVAL", "redis.call('rpush', KEYS[1], 'a') redis.call('rpush', KEYS[1], 'b') return redis.call('llen', KEYS[1])", "1", "q")
	if got := blocked.readReply(); got != "*2\r\n$1\r\nq\r\n$1\r\na\r\n" {
		t.Errorf("BLPOP woken with %q", got)
	}
	rc.expect("*1\r\n$1\r\nb\r\n", "LRANGE", "q", "0", "-1")
	// Inside a script, the blocking commands that are allowed there do not block.
	rc.expect("$-1\r\n", "EVAL", "return redis.call('lmove', 'nolist', 'x', 'left', 'right')", "0")
}

// MONITOR shows EVAL and FCALL before the commands their script runs, as [db lua].
func TestScriptMonitor(t *testing.T) {
	s := startServer(t)
	mon := dial(t, s)
	mon.expect("+OK\r\n", "MONITOR")
	rc := dial(t, s)
	rc.expect("$1\r\nv\r\n", "EVAL", "redis.call('set','k','v') return redis.call('get','k')", "0")
	want := []string{
		`^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "EVAL" "redis\.call\('set','k','v'\) return redis\.call\('get','k'\)" "0"\r\n$`,
		`^\+\d+\.\d{6} \[0 lua\] "set" "k" "v"\r\n$`,
		`^\+\d+\.\d{6} \[0 lua\] "get" "k"\r\n$`,
	}
	for _, w := range want {
		got := mon.readReply()
		if !regexp.MustCompile(w).MatchString(got) {
			t.Errorf("MONITOR: got %q, want %s", got, w)
		}
	}
}
