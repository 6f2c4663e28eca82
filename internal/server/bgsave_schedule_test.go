package server

import (
	"strconv"
	"testing"
)

// BGSAVE SCHEDULE while a BGSAVE runs is refused like BGSAVE (scheduling is for a
// rewrite in progress), on Cairn as on redis-server.
func TestBgsaveScheduleDuringBgsave(t *testing.T) {
	onBoth(t, func(t *testing.T, addr string) {
		rc := dialAddr(t, addr)
		for i := range 20 {
			rc.do("SET", "k"+strconv.Itoa(i), "v")
		}
		rc.expect("+OK\r\n", "CONFIG", "SET", "rdb-key-save-delay", "50000") // about a second per snapshot
		rc.expect("+Background saving started\r\n", "BGSAVE")
		rc.expect("-ERR Background save already in progress\r\n", "BGSAVE", "SCHEDULE")
		rc.expect("-ERR Background save already in progress\r\n", "BGSAVE")
		rc.expect("+OK\r\n", "CONFIG", "SET", "rdb-key-save-delay", "0")
		eventually(t, func() bool { return infoField(t, rc.do("INFO", "persistence"), "rdb_bgsave_in_progress") == "0" })
	})
}
