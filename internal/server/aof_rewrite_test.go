package server

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cairn/internal/persist/aof"
)

// testLibrary is a function library the AOF tests save and load.
const testLibrary = "#!lua name=aoflib\nredis.register_function('aoff', function() return 7 end)"

// fillEveryType writes keys of every type in each of their encodings, some with
// deadlines, in databases 0 and 3, plus a function library; rc is Cairn or
// redis-server. It leaves rc in database 0.
func fillEveryType(t *testing.T, rc *rawConn) {
	t.Helper()
	many := func(cmd, key string, n int, item func(i int) []string) []string {
		args := []string{cmd, key}
		for i := 0; i < n; i++ {
			args = append(args, item(i)...)
		}
		return args
	}
	cmds := [][]string{
		{"SET", "s", "hello"},
		{"SET", "n", "12345"},
		{"SET", "neg", "-7"},
		{"SET", "big", strings.Repeat("compressible ", 40)},
		{"SET", "e", "v", "PX", "100000000"},
		many("RPUSH", "l", 130, func(i int) []string {
			if i%3 == 0 {
				return []string{strconv.Itoa(i * 1000)}
			}
			return []string{"item" + strconv.Itoa(i)}
		}),
		many("SADD", "si", 70, func(i int) []string { return []string{strconv.Itoa(i*7 - 20)} }),
		many("SADD", "sh", 600, func(i int) []string { return []string{"m" + strconv.Itoa(i)} }),
		many("ZADD", "z", 100, func(i int) []string {
			return []string{strconv.FormatFloat(float64(i)/10, 'f', -1, 64), "zm" + strconv.Itoa(i)}
		}),
		many("ZADD", "zs", 200, func(i int) []string { return []string{strconv.Itoa(i * 3), "zs" + strconv.Itoa(i)} }),
		{"ZADD", "zinf", "inf", "top", "-inf", "bottom", "0.1", "tenth"},
		many("HSET", "h", 100, func(i int) []string { return []string{"f" + strconv.Itoa(i), strconv.Itoa(i)} }),
		many("HSET", "hh", 600, func(i int) []string { return []string{"field" + strconv.Itoa(i), "value" + strconv.Itoa(i)} }),
		{"PEXPIRE", "h", "100000000"},
		{"SELECT", "3"},
		{"SET", "db3", "x"},
		{"RPUSH", "l3", "a", "b"},
		{"SELECT", "0"},
		{"FUNCTION", "LOAD", testLibrary},
	}
	for _, args := range cmds {
		if got := rc.do(args...); strings.HasPrefix(got, "-") {
			t.Fatalf("%s: %q", args[0], got)
		}
	}
}

// waitInfo polls INFO persistence until field has value.
func waitInfo(t *testing.T, rc *rawConn, field, value string) map[string]string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		info := infoFields(t, rc.do("INFO", "persistence"))
		if info[field] == value {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("INFO persistence %s is %q, waited for %q", field, info[field], value)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitRewrite waits until no AOF rewrite is running or scheduled.
func waitRewrite(t *testing.T, rc *rawConn) map[string]string {
	t.Helper()
	waitInfo(t, rc, "aof_rewrite_scheduled", "0")
	return waitInfo(t, rc, "aof_rewrite_in_progress", "0")
}

// readManifest reads dir/appendonlydir's manifest.
func readManifest(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// aofDirFiles lists the files of dir/appendonlydir.
func aofDirFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, "appendonlydir"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestBGRewriteAOF(t *testing.T) {
	for _, preamble := range []string{"yes", "no"} {
		t.Run("preamble-"+preamble, func(t *testing.T) {
			dir := t.TempDir()
			opts := []string{"--dir", dir, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble, "--enable-debug-command", "yes"}
			s, done := startServerDone(t, opts...)
			rc := dial(t, s)
			fillEveryType(t, rc)
			rc.expect(":5\r\n", "INCRBY", "counter", "5")
			rc.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
			info := waitRewrite(t, rc)
			if info["aof_rewrites"] != "1" || info["aof_last_bgrewrite_status"] != "ok" || info["aof_base_size"] == "0" {
				t.Fatalf("INFO after the rewrite: %v", info)
			}
			ext := map[string]string{"yes": "rdb", "no": "aof"}[preamble]
			want := "file appendonly.aof.2.base." + ext + " seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
			if got := readManifest(t, dir); got != want {
				t.Fatalf("manifest after the rewrite:\n%s\nwant\n%s", got, want)
			}
			wantFiles := []string{"appendonly.aof.2.base." + ext, "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"}
			if got := aofDirFiles(t, dir); !slices.Equal(got, wantFiles) {
				t.Fatalf("files after the rewrite (history not deleted?): %q", got)
			}
			rc.expect(":6\r\n", "INCR", "counter") // logged to the new incremental file
			digest := rc.do("DEBUG", "DIGEST")
			stopAndWait(t, s, done)

			s2 := startServer(t, opts...)
			rc2 := dial(t, s2)
			rc2.expect(digest, "DEBUG", "DIGEST")
			rc2.expect(":7\r\n", "FCALL", "aoff", "0")
			if got := rc2.do("PTTL", "e"); !strings.HasPrefix(got, ":9") {
				t.Fatalf("PTTL after the rewrite and a restart: %q", got)
			}
			info = infoFields(t, rc2.do("INFO", "persistence"))
			base, _ := strconv.Atoi(info["aof_base_size"])
			current, _ := strconv.Atoi(info["aof_current_size"])
			if base == 0 || current <= base {
				t.Fatalf("sizes after a restart: base %d current %d", base, current)
			}
		})
	}
}

// TestBGRewriteAOFWithAOFOff: as in Redis, BGREWRITEAOF with appendonly no writes a
// base file and a manifest naming only it.
func TestBGRewriteAOFWithAOFOff(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--dir", dir)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "k", "v")
	rc.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	waitRewrite(t, rc)
	if got := readManifest(t, dir); got != "file appendonly.aof.1.base.rdb seq 1 type b\n" {
		t.Fatalf("manifest: %q", got)
	}
	info := infoFields(t, rc.do("INFO", "persistence"))
	if _, ok := info["aof_current_size"]; ok || info["aof_enabled"] != "0" || info["aof_rewrites"] != "1" {
		t.Fatalf("INFO with the AOF off: %v", info)
	}
}

// TestAOFRewriteBaseMatchesRedis compares, byte for byte, the base file Cairn's rewrite
// writes without an RDB preamble with redis-server's, for one key of each type and
// encoding per database (so that key order does not depend on hashing).
func TestAOFRewriteBaseMatchesRedis(t *testing.T) {
	cmds := [][]string{
		{"FUNCTION", "LOAD", testLibrary},
		{"SET", "s", "hello"},
		{"SELECT", "1"}, {"SET", "n", "-12345"},
		{"SELECT", "2"}, {"RPUSH", "l"},
		{"SELECT", "3"}, {"SADD", "si"},
		{"SELECT", "4"}, {"ZADD", "z", "inf", "top", "-inf", "bottom", "1e300", "huge"},
		{"SELECT", "5"}, {"HSET", "h"},
		{"SELECT", "6"}, {"SET", "e", "v"}, {"PEXPIREAT", "e", "99999999999999"},
		{"SELECT", "7"}, {"SADD", "one", "x"},
	}
	for i := 0; i < 130; i++ {
		cmds[5] = append(cmds[5], "e"+strconv.Itoa(i), strconv.Itoa(i*1000))
		cmds[7] = append(cmds[7], strconv.Itoa(i*3-100))
	}
	for i := 0; i < 100; i++ {
		cmds[9] = append(cmds[9], strconv.FormatFloat(float64(i)/7, 'g', -1, 64), "m"+strconv.Itoa(i))
		cmds[11] = append(cmds[11], "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	baseOf := func(rc *rawConn, dir string) string {
		for _, args := range cmds {
			if got := rc.do(args...); strings.HasPrefix(got, "-") {
				t.Fatalf("%q: %q", args, got)
			}
		}
		rc.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
		waitRewrite(t, rc)
		data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.base.aof"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	rdir := t.TempDir()
	want := baseOf(startRedis(t, "--dir", rdir, "--aof-use-rdb-preamble", "no"), rdir)
	cdir := t.TempDir()
	got := baseOf(dial(t, startServer(t, "--dir", cdir, "--aof-use-rdb-preamble", "no")), cdir)
	if got != want {
		t.Fatalf("base file differs from redis-server's:\n cairn %q\n redis %q", clipText(got), clipText(want))
	}
}

// TestAOFRewriteUnderConcurrentWriters rewrites (several times) while clients keep
// writing with appendfsync always: every acknowledged write must be there after a
// restart, none twice.
func TestAOFRewriteUnderConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	opts := []string{"--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "yes"}
	s, done := startServerDone(t, opts...)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "DEBUG", "POPULATE", "30000", "pre", "10")
	rc.expect("+OK\r\n", "CONFIG", "SET", "rdb-key-save-delay", "20") // spread each rewrite over ~0.6 s
	const writers = 4
	acked := make([]int, writers)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			conn, err := net.Dial("tcp", s.Addr().String())
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			counter := "counter" + strconv.Itoa(w)
			for i := 1; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// INCR on an old key (saved by copy-on-write if the snapshot has not
				// reached it), RPUSH on a new one.
				old := "pre:" + strconv.Itoa((w*7919+i*13)%30000)
				fmt.Fprint(conn, encodeCommand("INCR", counter)+encodeCommand("APPEND", old, "+")+
					encodeCommand("RPUSH", "list"+strconv.Itoa(w), strconv.Itoa(i)))
				for k := 0; k < 3; k++ {
					line, err := r.ReadString('\n')
					if err != nil || line[0] == '-' {
						t.Errorf("writer %d: %q %v", w, line, err)
						return
					}
				}
				acked[w] = i
			}
		}(w)
	}
	for round := 0; round < 3; round++ {
		rc.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
		waitRewrite(t, rc)
	}
	close(stop)
	wg.Wait()
	info := infoFields(t, rc.do("INFO", "persistence"))
	if info["aof_rewrites"] != "3" || info["aof_last_bgrewrite_status"] != "ok" {
		t.Fatalf("INFO: %v", info)
	}
	digest := rc.do("DEBUG", "DIGEST")
	stopAndWait(t, s, done)

	rc2 := dial(t, startServer(t, opts...))
	total := 0
	for w := 0; w < writers; w++ {
		n := strconv.Itoa(acked[w])
		rc2.expect("$"+strconv.Itoa(len(n))+"\r\n"+n+"\r\n", "GET", "counter"+strconv.Itoa(w))
		rc2.expect(":"+n+"\r\n", "LLEN", "list"+strconv.Itoa(w))
		total += acked[w]
	}
	rc2.expect(digest, "DEBUG", "DIGEST")
	t.Logf("%d acknowledged write batches across 3 rewrites, all present after a restart", total)
}

// TestAOFRewriteScheduledDuringBGSave checks the replies and INFO fields when BGSAVE
// and BGREWRITEAOF meet, on Cairn and (when installed) on redis-server.
func TestAOFRewriteScheduledDuringBGSave(t *testing.T) {
	script := func(t *testing.T, rc *rawConn) []string {
		var out []string
		do := func(args ...string) { out = append(out, strings.Join(args, " ")+" -> "+rc.do(args...)) }
		for i := 0; i < 50; i++ {
			rc.do("SET", "k"+strconv.Itoa(i), "v")
		}
		rc.do("CONFIG", "SET", "rdb-key-save-delay", "20000") // 50 keys: a second per snapshot
		do("BGSAVE")
		do("BGREWRITEAOF")
		do("BGREWRITEAOF")
		info := infoFields(t, rc.do("INFO", "persistence"))
		out = append(out, "scheduled "+info["aof_rewrite_scheduled"]+" pending "+info["aof_pending_rewrite"]+" in progress "+info["aof_rewrite_in_progress"])
		waitInfo(t, rc, "aof_rewrite_in_progress", "1") // started once the save ended
		do("BGREWRITEAOF")
		do("BGSAVE")
		do("BGSAVE", "SCHEDULE")
		rc.do("CONFIG", "SET", "rdb-key-save-delay", "0")
		waitRewrite(t, rc)
		waitInfo(t, rc, "rdb_bgsave_in_progress", "0")
		info = infoFields(t, rc.do("INFO", "persistence"))
		out = append(out, "rewrites "+info["aof_rewrites"]+" saves "+info["rdb_saves"])
		return out
	}
	dir := t.TempDir()
	got := script(t, dial(t, startServer(t, "--dir", dir, "--appendonly", "yes")))
	want := []string{
		"BGSAVE -> +Background saving started\r\n",
		"BGREWRITEAOF -> +Background append only file rewriting scheduled\r\n",
		"BGREWRITEAOF -> +Background append only file rewriting scheduled\r\n",
		"scheduled 1 pending 1 in progress 0",
		"BGREWRITEAOF -> -ERR Background append only file rewriting already in progress\r\n",
		"BGSAVE -> -" + errBgsaveChildActive + "\r\n",
		"BGSAVE SCHEDULE -> +Background saving scheduled\r\n",
		"rewrites 1 saves 2",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("cairn:\n%q\nwant\n%q", got, want)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server half skipped: redis-server is not on PATH")
	}
	rdir := t.TempDir()
	if redis := script(t, startRedis(t, "--dir", rdir, "--appendonly", "yes")); !slices.Equal(redis, want) {
		t.Fatalf("redis-server:\n%q\nwant\n%q", redis, want)
	}
}

// TestAOFRewriteFailureKeepsOldAOF makes the rewrite fail (its temporary file's path is
// taken by a directory): the old manifest stays valid, nothing is lost, INFO reports
// the failure, and the next rewrite succeeds.
func TestAOFRewriteFailureKeepsOldAOF(t *testing.T) {
	dir := t.TempDir()
	opts := []string{"--dir", dir, "--appendonly", "yes", "--enable-debug-command", "yes"}
	s, done := startServerDone(t, opts...)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "before", "1")
	blocker := filepath.Join(dir, fmt.Sprintf("temp-rewriteaof-bg-%d.aof", os.Getpid()))
	if err := os.Mkdir(blocker, 0o755); err != nil {
		t.Fatal(err)
	}
	rc.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	info := waitRewrite(t, rc)
	if info["aof_last_bgrewrite_status"] != "err" || info["aof_rewrites_consecutive_failures"] != "1" || info["aof_rewrites"] != "1" {
		t.Fatalf("INFO after a failed rewrite: %v", info)
	}
	rc.expect("+OK\r\n", "SET", "after", "2") // writes go on (the AOF itself is fine)
	want := "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
	if got := readManifest(t, dir); got != want {
		t.Fatalf("manifest after a failed rewrite:\n%s\nwant\n%s", got, want)
	}
	if _, err := exec.LookPath("redis-check-aof"); err == nil {
		out, err := exec.Command("redis-check-aof", filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "All AOF files and manifest are valid") {
			t.Fatalf("redis-check-aof after a failed rewrite: %v\n%s", err, out)
		}
	}
	digest := rc.do("DEBUG", "DIGEST")
	stopAndWait(t, s, done)
	s2, done2 := startServerDone(t, opts...)
	rc2 := dial(t, s2)
	rc2.expect(digest, "DEBUG", "DIGEST")
	os.Remove(blocker)
	rc2.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	info = waitRewrite(t, rc2)
	if info["aof_last_bgrewrite_status"] != "ok" || info["aof_rewrites_consecutive_failures"] != "0" {
		t.Fatalf("INFO after a successful rewrite: %v", info)
	}
	stopAndWait(t, s2, done2)
	dial(t, startServer(t, opts...)).expect(digest, "DEBUG", "DIGEST")
}

func TestAutoAOFRewrite(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--dir", dir, "--appendonly", "yes", "--auto-aof-rewrite-min-size", "4096", "--hz", "100", "--rdbcompression", "no")
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "k", "v")
	info := infoFields(t, rc.do("INFO", "persistence"))
	if info["aof_rewrites"] != "0" {
		t.Fatalf("rewrote below auto-aof-rewrite-min-size: %v", info)
	}
	value := strings.Repeat("x", 1000)
	for i := 0; i < 5; i++ {
		rc.expect("+OK\r\n", "SET", "k"+strconv.Itoa(i), value)
	}
	waitInfo(t, rc, "aof_rewrites", "1")
	waitRewrite(t, rc)
	info = infoFields(t, rc.do("INFO", "persistence"))
	base, _ := strconv.Atoi(info["aof_base_size"])
	if base < 5000 {
		t.Fatalf("aof_base_size %d after the automatic rewrite", base)
	}
	// Growth of 100% (the default percentage) over the new base triggers the next one.
	for i := 0; i < 7; i++ {
		rc.expect("+OK\r\n", "SET", "g"+strconv.Itoa(i), value)
	}
	waitInfo(t, rc, "aof_rewrites", "2")
}

// TestAppendonlyAtRuntime turns the AOF on and off with CONFIG SET, as Redis does: on
// starts with a rewrite whose base is the data set at that moment.
func TestAppendonlyAtRuntime(t *testing.T) {
	dir := t.TempDir()
	s, done := startServerDone(t, "--dir", dir, "--enable-debug-command", "yes")
	rc := dial(t, s)
	fillEveryType(t, rc)
	rc.expect("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	rc.expect(":1\r\n", "INCR", "during") // logged to the temporary incremental file
	info := waitRewrite(t, rc)
	if info["aof_enabled"] != "1" || info["aof_rewrites"] != "1" {
		t.Fatalf("INFO after turning the AOF on: %v", info)
	}
	want := "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
	if got := readManifest(t, dir); got != want {
		t.Fatalf("manifest:\n%s\nwant\n%s", got, want)
	}
	rc.expect(":2\r\n", "INCR", "during")
	rc.expect("+OK\r\n", "CONFIG", "SET", "appendonly", "no")
	if info := infoFields(t, rc.do("INFO", "persistence")); info["aof_enabled"] != "0" {
		t.Fatalf("INFO after turning the AOF off: %v", info)
	}
	incr := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	st1, err := os.Stat(incr)
	if err != nil {
		t.Fatal(err)
	}
	rc.expect(":3\r\n", "INCR", "during") // not logged
	if st2, _ := os.Stat(incr); st2.Size() != st1.Size() {
		t.Fatal("a write was logged with the AOF off")
	}
	rc.expect("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	waitRewrite(t, rc)
	want = "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
	if got := readManifest(t, dir); got != want {
		t.Fatalf("manifest after turning the AOF on again:\n%s\nwant\n%s", got, want)
	}
	rc.expect(":4\r\n", "INCR", "during")
	digest := rc.do("DEBUG", "DIGEST")
	stopAndWait(t, s, done)
	rc2 := dial(t, startServer(t, "--dir", dir, "--appendonly", "yes", "--enable-debug-command", "yes"))
	rc2.expect(digest, "DEBUG", "DIGEST")
	rc2.expect(":7\r\n", "FCALL", "aoff", "0")
}

func TestDebugLoadAOF(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--dir", dir, "--enable-debug-command", "yes")
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "k", "v")
	rc.expect("-ERR There is no append only file to load\r\n", "DEBUG", "LOADAOF")
	rc.expect(":1\r\n", "DBSIZE") // Redis exits here; Cairn keeps the data set
	rc.expect("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	waitRewrite(t, rc)
	fillEveryType(t, rc)
	digest := rc.do("DEBUG", "DIGEST")
	rc.expect("+OK\r\n", "SET", "k", "v2")
	rc.expect("+OK\r\n", "DEBUG", "LOADAOF")
	rc.expect("$2\r\nv2\r\n", "GET", "k")
	rc.expect("+OK\r\n", "SET", "k", "v")
	rc.expect(digest, "DEBUG", "DIGEST")
	rc.expect("+OK\r\n", "DEBUG", "LOADAOF")
	rc.expect(digest, "DEBUG", "DIGEST")
	rc.expect(":7\r\n", "FCALL", "aoff", "0")
	if got := rc.do("INFO", "persistence"); !strings.Contains(got, "rdb_changes_since_last_save:0\r\n") {
		t.Fatal("DEBUG LOADAOF left changes to save")
	}
}

// TestAOFInfoFieldsMatchRedis compares the names and order of INFO persistence with
// redis-server's, with the AOF on and off.
func TestAOFInfoFieldsMatchRedis(t *testing.T) {
	for _, on := range []string{"yes", "no"} {
		p := newPair(t, []string{"--appendonly", on}, []string{"--appendonly", on})
		got, want := p.both("INFO", "persistence")
		g, w := parseInfo(t, got), parseInfo(t, want)
		if len(g) != 1 || len(w) != 1 || !slices.Equal(g[0].names, w[0].names) {
			t.Fatalf("appendonly %s: fields differ:\n cairn %q\n redis %q", on, g[0].names, w[0].names)
		}
	}
}

// TestAOFPreambleInterchangeWithRedis proves rewritten AOF directories move both ways:
// redis-server's (RDB preamble or not) loads into Cairn, and Cairn's is accepted by
// redis-check-aof and loads into redis-server, with equal DEBUG DIGEST.
func TestAOFPreambleInterchangeWithRedis(t *testing.T) {
	for _, preamble := range []string{"yes", "no"} {
		t.Run("redis-to-cairn-preamble-"+preamble, func(t *testing.T) {
			dir := t.TempDir()
			r := startRedis(t, "--dir", dir, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble, "--enable-debug-command", "yes")
			fillEveryType(t, r)
			r.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
			waitRewrite(t, r)
			r.expect(":1\r\n", "INCR", "after") // in the incremental file
			digest := r.do("DEBUG", "DIGEST")
			r.send(encodeCommand("SHUTDOWN", "NOSAVE"))
			r.readEOF()
			rc := dial(t, startServer(t, "--dir", dir, "--appendonly", "yes", "--enable-debug-command", "yes"))
			rc.expect(digest, "DEBUG", "DIGEST")
			rc.expect(":7\r\n", "FCALL", "aoff", "0")
		})
		t.Run("cairn-to-redis-preamble-"+preamble, func(t *testing.T) {
			if _, err := exec.LookPath("redis-server"); err != nil {
				t.Skip("skipped: redis-server is not on PATH")
			}
			dir := t.TempDir()
			opts := []string{"--dir", dir, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble, "--enable-debug-command", "yes"}
			s, done := startServerDone(t, opts...)
			rc := dial(t, s)
			fillEveryType(t, rc)
			rc.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
			waitRewrite(t, rc)
			rc.expect(":1\r\n", "INCR", "after")
			digest := rc.do("DEBUG", "DIGEST")
			stopAndWait(t, s, done)
			manifest := filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")
			if out, err := exec.Command("redis-check-aof", manifest).CombinedOutput(); err != nil ||
				!strings.Contains(string(out), "All AOF files and manifest are valid") {
				t.Fatalf("redis-check-aof rejects Cairn's AOF: %v\n%s", err, out)
			}
			r := startRedis(t, "--dir", dir, "--appendonly", "yes", "--enable-debug-command", "yes")
			r.expect(digest, "DEBUG", "DIGEST")
			r.expect(":7\r\n", "FCALL", "aoff", "0")
		})
	}
}

// TestManifestAfterRewriteMatchesRedis checks the manifest bookkeeping of a rewrite
// (new base, history in Redis's order) on the parsed form of a Redis manifest.
func TestManifestAfterRewriteMatchesRedis(t *testing.T) {
	m, err := aof.ParseManifest([]byte("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n"))
	if err != nil {
		t.Fatal(err)
	}
	m.AddIncr("appendonly.aof")
	m.NewBase("appendonly.aof", true)
	m.IncrToHistory(true)
	want := "file appendonly.aof.2.base.rdb seq 2 type b\n" +
		"file appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type h\nfile appendonly.aof.1.base.rdb seq 1 type h\n" +
		"file appendonly.aof.3.incr.aof seq 3 type i\n"
	if got := string(m.Bytes()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestSyncSaveDuringAOFRewrite: SAVE, FLUSHALL with save points and DEBUG RELOAD need
// the keyspace's snapshot while a rewrite holds it (Redis runs them beside its child):
// the rewrite's snapshot is completed first, and both files come out right.
func TestSyncSaveDuringAOFRewrite(t *testing.T) {
	dir := t.TempDir()
	opts := []string{"--dir", dir, "--appendonly", "yes", "--enable-debug-command", "yes"}
	s, done := startServerDone(t, opts...)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "DEBUG", "POPULATE", "20000", "k", "5")
	digest := rc.do("DEBUG", "DIGEST")
	rc.expect("+OK\r\n", "CONFIG", "SET", "rdb-key-save-delay", "50") // ~1 s per snapshot
	rc.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	waitInfo(t, rc, "aof_rewrite_in_progress", "1")
	rc.expect("+OK\r\n", "SET", "k:1", "changed") // after the rewrite's snapshot began
	rc.expect("+OK\r\n", "SAVE")
	rc.expect("+OK\r\n", "CONFIG", "SET", "rdb-key-save-delay", "0")
	info := waitRewrite(t, rc)
	if info["aof_last_bgrewrite_status"] != "ok" {
		t.Fatalf("INFO: %v", info)
	}
	after := rc.do("DEBUG", "DIGEST")
	rc.expect("+OK\r\n", "DEBUG", "RELOAD") // from the dump.rdb SAVE wrote
	rc.expect(after, "DEBUG", "DIGEST")
	rc.expect("+OK\r\n", "SET", "k:1", "value") // DEBUG POPULATE cut "value:1" to 5 bytes
	rc.expect(digest, "DEBUG", "DIGEST")
	stopAndWait(t, s, done)
	rc2 := dial(t, startServer(t, opts...)) // from the rewritten AOF
	rc2.expect(digest, "DEBUG", "DIGEST")
}

// TestAutoAOFRewriteBacksOff: after three failed rewrites in a row, automatic ones
// wait (Redis's aofRewriteLimited: a minute first); BGREWRITEAOF still runs at once.
func TestAutoAOFRewriteBacksOff(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--dir", dir, "--appendonly", "yes", "--auto-aof-rewrite-min-size", "0", "--hz", "100")
	rc := dial(t, s)
	blocker := filepath.Join(dir, fmt.Sprintf("temp-rewriteaof-bg-%d.aof", os.Getpid()))
	if err := os.Mkdir(blocker, 0o755); err != nil {
		t.Fatal(err)
	}
	rc.expect("+OK\r\n", "SET", "k", "v") // the AOF has grown past its (empty) base: rewrites start
	waitInfo(t, rc, "aof_rewrites_consecutive_failures", "3")
	waitRewrite(t, rc)
	time.Sleep(300 * time.Millisecond) // 30 cron ticks
	if info := infoFields(t, rc.do("INFO", "persistence")); info["aof_rewrites"] != "3" {
		t.Fatalf("automatic rewrites went on after 3 failures: %v", info)
	}
	os.Remove(blocker)
	rc.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	if info := waitRewrite(t, rc); info["aof_last_bgrewrite_status"] != "ok" || info["aof_rewrites"] != "4" {
		t.Fatalf("INFO after BGREWRITEAOF: %v", info)
	}
}

// TestCrashDuringAOFRewrite kills a real cairn-server with SIGKILL while it rewrites
// its AOF (again and again) under concurrent writers with appendfsync always: after a
// restart every acknowledged write is there, whatever step of the rewrite the kill hit
// (snapshot, base file, manifest switch, history deletion).
func TestCrashDuringAOFRewrite(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "cairn-server")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/cairn-server").CombinedOutput(); err != nil {
		t.Fatalf("building cairn-server: %v\n%s", err, out)
	}
	seed := rand.Uint64()
	t.Logf("SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	for round := 0; round < 3; round++ {
		dir := t.TempDir()
		port := pickPort(t)
		addr := "127.0.0.1:" + strconv.Itoa(port)
		args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
			"--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "yes",
			"--aof-use-rdb-preamble", []string{"yes", "no"}[round%2]}
		srv := startProcess(t, bin, args)
		ctl, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		rc := &rawConn{t: t, conn: ctl, r: bufio.NewReader(ctl)}
		rc.expect("+OK\r\n", "DEBUG", "POPULATE", "20000", "pre", "10")
		rc.expect("+OK\r\n", "CONFIG", "SET", "rdb-key-save-delay", "10") // ~0.2 s per rewrite

		stop := make(chan struct{})
		finish := setWriters(addr, 6, stop)
		rewrites := make(chan int)
		go func() { // BGREWRITEAOF whenever none runs, until the kill
			n := 0
			defer func() { rewrites <- n }()
			for {
				if _, err := ctl.Write([]byte(encodeCommand("BGREWRITEAOF"))); err != nil {
					return
				}
				line, err := rc.r.ReadString('\n')
				if err != nil {
					return
				}
				if strings.HasPrefix(line, "+Background append only file rewriting started") {
					n++
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		time.Sleep(time.Duration(300+rng.IntN(900)) * time.Millisecond)
		srv.Process.Signal(syscall.SIGKILL) //nolint:errcheck
		srv.Wait()                          //nolint:errcheck
		close(stop)
		acked := finish()
		started := <-rewrites
		ctl.Close()

		srv = startProcess(t, bin, args)
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		rc2 := &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
		keys := make([]string, len(acked))
		for i, a := range acked {
			keys[i] = a.key
		}
		lost := len(missingOn(rc2, keys))
		// Besides those: the populated keys, and at most one write in flight per writer.
		var size int
		if _, err := fmt.Sscanf(rc2.do("DBSIZE"), ":%d\r\n", &size); err != nil || size < 20000+len(keys) || size > 20000+len(keys)+6 {
			t.Fatalf("round %d: DBSIZE %d after the restart, %d acknowledged writes (%v)", round, size, len(keys), err)
		}
		conn.Close()
		srv.Process.Kill() //nolint:errcheck
		srv.Wait()         //nolint:errcheck
		t.Logf("round %d: %d rewrites started, %d acknowledged writes, %d lost after SIGKILL and restart", round, started, len(keys), lost)
		if len(keys) == 0 || started == 0 {
			t.Fatalf("round %d: nothing happened before the kill", round)
		}
		if lost != 0 {
			t.Fatalf("round %d: %d of %d acknowledged writes lost", round, lost, len(keys))
		}
	}
}
