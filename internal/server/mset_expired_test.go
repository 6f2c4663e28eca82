package server

import (
	"strings"
	"testing"
	"time"
)

// MSET over a key whose deadline passed deletes it first ("expired" event), as Redis's
// setKey does through its write lookup, then sets it: the same events on both servers.
func TestMsetOverExpiredKeyEvents(t *testing.T) {
	bin, why := findOracle()
	addrs := map[string]string{"cairn": startServer(t, "--enable-debug-command", "yes").Addr().String()}
	if bin != "" {
		addrs["redis"] = startOracleServer(t, bin, "--enable-debug-command", "yes")
	} else {
		t.Logf("redis-server half skipped: %s", why)
	}
	for name, addr := range addrs {
		t.Run(name, func(t *testing.T) {
			c, sub := dialAddr(t, addr), dialAddr(t, addr)
			c.expect("+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
			c.expect("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "KEA")
			c.expect("+OK\r\n", "SET", "k", "v", "PX", "1")
			time.Sleep(20 * time.Millisecond)
			sub.do("PSUBSCRIBE", "__keyevent@0__:*")
			c.expect("+OK\r\n", "MSET", "k", "2", "j", "3")
			var events []string
			for range 3 {
				msg := sub.readReply()
				parts := strings.Split(msg, "\r\n")
				events = append(events, parts[6]+" "+parts[8]) // channel, key
			}
			want := "__keyevent@0__:expired k,__keyevent@0__:set k,__keyevent@0__:set j"
			if got := strings.Join(events, ","); got != want {
				t.Errorf("events %s, want %s", got, want)
			}
			c.expect("$1\r\n2\r\n", "GET", "k")
			c.expect("+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "1")
		})
	}
}
