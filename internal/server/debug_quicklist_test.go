package server

import (
	"strings"
	"testing"
)

// DEBUG QUICKLIST-PACKED-THRESHOLD makes larger list elements plain nodes: the DUMP of
// such a list is redis-server's byte for byte.
func TestDebugQuicklistPackedThreshold(t *testing.T) {
	bin, why := findOracle()
	if bin == "" {
		t.Skipf("needs redis-server: %s", why)
	}
	s := startServer(t, "--enable-debug-command", "yes")
	cairn, redis := dial(t, s), dialAddr(t, startOracleServer(t, bin, "--enable-debug-command", "yes"))
	t.Cleanup(func() { cairn.do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0") }) // process-wide
	big := strings.Repeat("v", 200)
	var dumps [2]string
	for i, c := range []*rawConn{cairn, redis} {
		c.expect("-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n", "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb")
		c.expect("+OK\r\n", "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")
		c.expect(":4\r\n", "RPUSH", "l", "a", big, "b", "c")
		dumps[i] = c.do("DUMP", "l")
		c.expect("+OK\r\n", "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0")
		c.expect(":5\r\n", "RPUSH", "m", "a", big, "b", "c", big)
		if i == 0 {
			if got := c.do("DUMP", "m"); got == dumps[0] {
				t.Errorf("DUMP equal with and without the threshold")
			}
		}
	}
	if dumps[0] != dumps[1] {
		t.Errorf("DUMP with a 100-byte threshold:\ncairn %q\nredis %q", dumps[0], dumps[1])
	}
}
