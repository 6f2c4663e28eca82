package server

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// populatedRDB saves n keys (DEBUG POPULATE: key:0 = value:0, ...) plus one key whose
// deadline has passed, into dump.rdb in a new directory.
func populatedRDB(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	s, done := startServerDone(t, "--dir", dir, "--enable-debug-command", "yes")
	rc := dial(t, s)
	rc.expect("+OK\r\n", "DEBUG", "POPULATE", strconv.Itoa(n))
	// Saved although past its deadline (no active expiry, no access), as Redis saves
	// such keys; loading skips it.
	rc.expect("+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	rc.expect("+OK\r\n", "SET", "short-lived", "v", "PX", "1")
	time.Sleep(3 * time.Millisecond)
	rc.expect("+OK\r\n", "SAVE")
	stopAndWait(t, s, done)
	return dir
}

// pausedLoader is a loader hook that stops the startup load after its first batch
// until release is called: the test sees the server in the middle of a load, with no
// timing involved.
type pausedLoader struct {
	once    sync.Once
	paused  chan struct{} // closed when the loader is parked
	release chan struct{}
}

func newPausedLoader() *pausedLoader {
	return &pausedLoader{paused: make(chan struct{}), release: make(chan struct{})}
}

func (p *pausedLoader) hook() {
	p.once.Do(func() {
		close(p.paused)
		<-p.release
	})
}

func TestClientsGetLoadingDuringStartupLoad(t *testing.T) {
	const n = 5000 // several loader batches
	dir := populatedRDB(t, n)
	p := newPausedLoader()
	s, _ := launchServer(t, p.hook, "--dir", dir)
	<-p.paused

	rc := dial(t, s)
	loading := "-" + errLoading + "\r\n"
	rc.expect(loading, "PING")
	rc.expect(loading, "GET", "key:0")
	rc.expect(loading, "SET", "k", "v")
	rc.expect(loading, "DBSIZE")
	// Commands with the "loading" flag are served.
	rc.expect("$2\r\nhi\r\n", "ECHO", "hi")
	rc.expect("+OK\r\n", "SELECT", "0")
	// A refused command inside MULTI aborts the transaction, as any queue-time error.
	rc.expect("+OK\r\n", "MULTI")
	rc.expect(loading, "INCR", "counter")
	rc.expect("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC")

	sections := parseInfo(t, rc.do("INFO", "persistence"))
	if len(sections) != 1 {
		t.Fatalf("INFO persistence: %d sections", len(sections))
	}
	sec := sections[0]
	f := make(map[string]string)
	for i, name := range sec.names {
		f[name] = sec.values[i]
	}
	if f["loading"] != "1" || f["async_loading"] != "0" {
		t.Errorf("loading:%s async_loading:%s during the load", f["loading"], f["async_loading"])
	}
	// The loading_* fields close the section, in Redis's order.
	wantTail := []string{"module_fork_in_progress", "module_fork_last_cow_size", "loading_start_time",
		"loading_total_bytes", "loading_rdb_used_mem", "loading_loaded_bytes", "loading_loaded_perc", "loading_eta_seconds"}
	if got := sec.names[len(sec.names)-len(wantTail):]; !slices.Equal(got, wantTail) {
		t.Errorf("INFO persistence ends with %q, want %q", got, wantTail)
	}
	st, err := os.Stat(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	total, _ := strconv.ParseInt(f["loading_total_bytes"], 10, 64)
	loaded, _ := strconv.ParseInt(f["loading_loaded_bytes"], 10, 64)
	if total != st.Size() || loaded <= 0 || loaded >= total {
		t.Errorf("loading_total_bytes %d (file %d), loading_loaded_bytes %d", total, st.Size(), loaded)
	}
	if start, _ := strconv.ParseInt(f["loading_start_time"], 10, 64); start > time.Now().Unix() || start < time.Now().Unix()-60 {
		t.Errorf("loading_start_time %d", start)
	}
	if mem, _ := strconv.ParseInt(f["loading_rdb_used_mem"], 10, 64); mem <= 0 {
		t.Errorf("loading_rdb_used_mem %d, want the file's used-mem", mem)
	}
	wantPerc := strconv.FormatFloat(float64(loaded)/float64(total)*100, 'f', 2, 64)
	if f["loading_loaded_perc"] != wantPerc {
		t.Errorf("loading_loaded_perc %s, want %s", f["loading_loaded_perc"], wantPerc)
	}

	close(p.release)
	if err := s.WaitLoaded(); err != nil {
		t.Fatal(err)
	}
	rc.expect("+PONG\r\n", "PING")
	rc.expect(":"+strconv.Itoa(n)+"\r\n", "DBSIZE")
	rc.expect("$9\r\nvalue:123\r\n", "GET", "key:123")
	rc.expect(":0\r\n", "EXISTS", "short-lived")
	f = infoFields(t, rc.do("INFO", "persistence"))
	if f["loading"] != "0" || f["loading_start_time"] != "" {
		t.Errorf("after the load: loading:%s loading_start_time:%q", f["loading"], f["loading_start_time"])
	}
	if f["rdb_last_load_keys_loaded"] != strconv.Itoa(n) || f["rdb_last_load_keys_expired"] != "1" {
		t.Errorf("rdb_last_load_keys_loaded:%s rdb_last_load_keys_expired:%s, want %d and 1",
			f["rdb_last_load_keys_loaded"], f["rdb_last_load_keys_expired"], n)
	}
	if f["rdb_changes_since_last_save"] != "0" {
		t.Errorf("rdb_changes_since_last_save:%s after loading, want 0", f["rdb_changes_since_last_save"])
	}
}

// TestShutdownDuringLoadSavesNothing: SHUTDOWN while loading stops the loader and,
// as in Redis, never saves (a half-loaded data set must not replace the file), even
// with save points configured.
func TestShutdownDuringLoadSavesNothing(t *testing.T) {
	dir := populatedRDB(t, 3000)
	before, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	p := newPausedLoader()
	s, done := launchServer(t, p.hook, "--dir", dir, "--save", "3600 1")
	<-p.paused
	rc := dial(t, s)
	rc.send(encodeCommand("SHUTDOWN", "SAVE"))
	rc.readEOF()
	close(p.release)
	waitClosed(t, done, "server")
	after, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil || string(after) != string(before) {
		t.Fatalf("dump.rdb changed by a shutdown during loading (err %v)", err)
	}
}

// TestCorruptRDBStopsTheServer: a damaged dump.rdb is a fatal error naming the problem;
// the server stops instead of serving a partial data set.
func TestCorruptRDBStopsTheServer(t *testing.T) {
	dir := populatedRDB(t, 2000)
	path := filepath.Join(dir, "dump.rdb")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = b[:len(b)*2/3] // truncated in the middle of the keys
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s, done := launchServer(t, nil, "--dir", dir)
	err = s.WaitLoaded()
	if err == nil || !strings.Contains(err.Error(), "dump.rdb") {
		t.Fatalf("loading a truncated file: err = %v", err)
	}
	waitClosed(t, done, "server")
}
