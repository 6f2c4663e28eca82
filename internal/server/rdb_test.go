package server

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSaveAndLoadAtStart(t *testing.T) {
	dir := t.TempDir()
	s, done := startServerDone(t, "--dir", dir)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "s", "hello")
	rc.expect("+OK\r\n", "SET", "n", "12345")
	rc.expect("+OK\r\n", "SET", "big", strings.Repeat("compressible ", 100))
	rc.expect("+OK\r\n", "SET", "ttl", "v", "EX", "1000")
	rc.expect("+OK\r\n", "SET", "gone", "v", "PX", "1")
	rc.expect(":3\r\n", "RPUSH", "l", "a", "b", "c")
	rc.expect(":2\r\n", "HSET", "h", "f1", "v1", "f2", "22")
	var big []string
	for i := 0; i < 600; i++ { // past the built-in hash-max-listpack-entries, 512
		big = append(big, "field"+strconv.Itoa(i), strconv.Itoa(i))
	}
	rc.expect(":600\r\n", append([]string{"HSET", "hbig"}, big...)...)
	rc.expect("+OK\r\n", "SELECT", "5")
	rc.expect("+OK\r\n", "SET", "db5", "x")
	time.Sleep(5 * time.Millisecond)
	rc.expect("+OK\r\n", "SAVE")
	if got := rc.do("LASTSAVE"); !strings.HasPrefix(got, ":1") {
		t.Fatalf("LASTSAVE %q", got)
	}
	stopAndWait(t, s, done)

	s2 := startServer(t, "--dir", dir)
	rc2 := dial(t, s2)
	rc2.expect("$5\r\nhello\r\n", "GET", "s")
	rc2.expect("$3\r\nint\r\n", "OBJECT", "ENCODING", "n")
	rc2.expect("$1300\r\n"+strings.Repeat("compressible ", 100)+"\r\n", "GET", "big")
	rc2.expect("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "LRANGE", "l", "0", "-1")
	rc2.expect(":0\r\n", "EXISTS", "gone")
	rc2.expect("$2\r\n22\r\n", "HGET", "h", "f2")
	rc2.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "h")
	rc2.expect("$3\r\n599\r\n", "HGET", "hbig", "field599")
	rc2.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "hbig")
	if got := rc2.do("TTL", "ttl"); got == ":-1\r\n" || got == ":-2\r\n" {
		t.Fatalf("TTL lost: %q", got)
	}
	rc2.expect("+OK\r\n", "SELECT", "5")
	rc2.expect("$1\r\nx\r\n", "GET", "db5")
}

// TestBGSaveIsPointInTime saves while another client keeps changing the data set: the
// file must hold exactly the values from the moment BGSAVE started.
func TestBGSaveIsPointInTime(t *testing.T) {
	dir := t.TempDir()
	s, done := startServerDone(t, "--dir", dir)
	rc, writer := dial(t, s), dial(t, s)
	const n = 20000
	var batch strings.Builder
	for i := 0; i < n; i++ {
		batch.WriteString(encodeCommand("SET", "k"+strconv.Itoa(i), "old"+strconv.Itoa(i)))
	}
	rc.send(batch.String())
	for i := 0; i < n; i++ {
		rc.readReply()
	}
	rc.expect("+Background saving started\r\n", "BGSAVE")
	// Overwrite, delete and add keys while the save runs.
	for i := 0; i < n; i += 7 {
		writer.send(encodeCommand("SET", "k"+strconv.Itoa(i), "new"))
		writer.send(encodeCommand("DEL", "k"+strconv.Itoa(i+1)))
		writer.send(encodeCommand("SET", "added"+strconv.Itoa(i), "x"))
	}
	for i := 0; i < n; i += 7 {
		writer.readReply()
		writer.readReply()
		writer.readReply()
	}
	waitNoBgsave(t, rc)
	stopAndWait(t, s, done)
	s2 := startServer(t, "--dir", dir)
	rc2 := dial(t, s2)
	rc2.expect(":"+strconv.Itoa(n)+"\r\n", "DBSIZE")
	for _, i := range []int{0, 1, 7, 8, 13, 14, n - 1} {
		k := "k" + strconv.Itoa(i)
		want := "old" + strconv.Itoa(i)
		rc2.expect("$"+strconv.Itoa(len(want))+"\r\n"+want+"\r\n", "GET", k)
	}
	rc2.expect(":0\r\n", "EXISTS", "added0")
}

// TestRDBInterchangeWithRedis: redis-server 7.0.15 loads Cairn's dump.rdb (and
// redis-check-rdb accepts it), and Cairn loads redis-server's.
func TestRDBInterchangeWithRedis(t *testing.T) {
	dir := t.TempDir()
	s, done := startServerDone(t, "--dir", dir)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "from", "cairn")
	rc.expect("+OK\r\n", "SET", "n", "-42")
	rc.expect("+OK\r\n", "SET", "ttl", "v", "PX", "100000000")
	rc.expect(":2\r\n", "RPUSH", "l", "x", "y")
	rc.expect("+OK\r\n", "SAVE")
	stopAndWait(t, s, done)
	if _, err := exec.LookPath("redis-check-rdb"); err == nil {
		out, err := exec.Command("redis-check-rdb", filepath.Join(dir, "dump.rdb")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "RDB looks OK") {
			t.Fatalf("redis-check-rdb rejects Cairn's file: %v\n%s", err, out)
		}
	}
	r := startRedis(t, "--dir", dir)
	r.expect("$5\r\ncairn\r\n", "GET", "from")
	r.expect("$3\r\n-42\r\n", "GET", "n")
	r.expect("*2\r\n$1\r\nx\r\n$1\r\ny\r\n", "LRANGE", "l", "0", "-1")
	if got := r.do("PTTL", "ttl"); !strings.HasPrefix(got, ":9") {
		t.Fatalf("PTTL in redis-server: %q", got)
	}
	r.expect("+OK\r\n", "SET", "from", "redis")
	r.expect(":3\r\n", "LPUSH", "l2", "a", "b", "c")
	r.expect("+OK\r\n", "SAVE")
	os.Remove(filepath.Join(dir, "appendonlydir"))
	s2 := startServer(t, "--dir", dir)
	rc2 := dial(t, s2)
	rc2.expect("$5\r\nredis\r\n", "GET", "from")
	rc2.expect("*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", "LRANGE", "l2", "0", "-1")
	rc2.expect("$3\r\n-42\r\n", "GET", "n")
}

func TestDumpRestore(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("$-1\r\n", "DUMP", "missing")
	rc.expect("+OK\r\n", "SET", "k", "v")
	// The payload redis-server 7.0.15 produces for the string "v".
	payload := "\x00\x01v\n\x00\x91\b\xce\xb2\x198\x8a\xce"
	rc.expect("$"+strconv.Itoa(len(payload))+"\r\n"+payload+"\r\n", "DUMP", "k")
	rc.expect("-BUSYKEY Target key name already exists.\r\n", "RESTORE", "k", "0", payload)
	rc.expect("-ERR Invalid TTL value, must be >= 0\r\n", "RESTORE", "k2", "-1", payload)
	rc.expect("-ERR DUMP payload version or checksum are wrong\r\n", "RESTORE", "k2", "0", "xxx")
	rc.expect("-ERR syntax error\r\n", "RESTORE", "k2", "0", payload, "foo")
	rc.expect("-ERR syntax error\r\n", "RESTORE", "k2", "0", payload, "IDLETIME", "5", "FREQ", "5")
	rc.expect("-ERR Invalid IDLETIME value, must be >= 0\r\n", "RESTORE", "k2", "0", payload, "IDLETIME", "-1")
	rc.expect("-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", "RESTORE", "k2", "0", payload, "FREQ", "300")
	rc.expect("+OK\r\n", "RESTORE", "k2", "100000", payload)
	rc.expect("$1\r\nv\r\n", "GET", "k2")
	if got := rc.do("PTTL", "k2"); got != ":100000\r\n" && !strings.HasPrefix(got, ":99") {
		t.Fatalf("PTTL after RESTORE: %q", got)
	}
	rc.expect("+OK\r\n", "RESTORE", "k", "1", payload, "REPLACE", "ABSTTL") // already expired
	rc.expect(":0\r\n", "EXISTS", "k")
	rc.expect(":2\r\n", "RPUSH", "l", "a", "b")
	list := rc.do("DUMP", "l")
	rc.expect("+OK\r\n", "RESTORE", "l2", "0", dumpBody(list))
	rc.expect("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "LRANGE", "l2", "0", "-1")
}

// dumpBody extracts the bytes of a bulk reply.
func dumpBody(bulk string) string {
	i := strings.Index(bulk, "\r\n")
	return bulk[i+2 : len(bulk)-2]
}

// TestStopWritesOnBgsaveError: after a failed BGSAVE, with save points, writes and PING
// get Redis's MISCONF error until a save succeeds or the option is turned off.
func TestStopWritesOnBgsaveError(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--dir", dir, "--save", "3600 1")
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "a", "1")
	os.RemoveAll(dir) // the save cannot create its file
	rc.expect("+Background saving started\r\n", "BGSAVE")
	misconf := "-" + errRDBDiskWrite + "\r\n"
	deadline := time.Now().Add(5 * time.Second)
	for rc.do("SET", "a", "2") != misconf {
		if time.Now().After(deadline) {
			t.Fatal("writes still accepted after a failed BGSAVE")
		}
		time.Sleep(10 * time.Millisecond)
	}
	rc.expect(misconf, "PING")
	rc.expect("$1\r\n1\r\n", "GET", "a")
	if !strings.Contains(rc.do("INFO", "persistence"), "rdb_last_bgsave_status:err") {
		t.Fatal("INFO does not show the failed save")
	}
	rc.expect("+OK\r\n", "CONFIG", "SET", "stop-writes-on-bgsave-error", "no")
	rc.expect("+OK\r\n", "SET", "a", "3")
	rc.expect("+OK\r\n", "CONFIG", "SET", "stop-writes-on-bgsave-error", "yes")
	os.MkdirAll(dir, 0o755)
	rc.expect("+OK\r\n", "SAVE") // a successful save clears the error
	rc.expect("+OK\r\n", "SET", "a", "4")
}
