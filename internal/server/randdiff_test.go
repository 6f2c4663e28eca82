package server

import (
	"bufio"
	"bytes"
	"flag"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	randDiffN    = flag.Int("randdiff.n", 20000, "commands TestRandomDiff sends to each server")
	randDiffSeed = flag.Int64("randdiff.seed", 1, "seed of TestRandomDiff's command sequence")
	randDiffConf = flag.String("randdiff.config", "", "CONFIG SET arguments for both servers before TestRandomDiff's sequence (e.g. \"list-max-listpack-size 4 list-compress-depth 1\")")
)

// TestRandomDiff sends one pseudo-random sequence of commands (strings, lists, hashes,
// sets, sorted sets, keys and expiry, blocking pops, SORT, DUMP, EVAL with writes,
// SWAPDB and MOVE, transactions) over a dozen keys to Cairn and
// to redis-server 7.0.15, once in RESP2 and once in RESP3, and fails at the first reply
// that differs byte for byte, once the orders Redis leaves undefined are set aside (see
// randNormalize). The arguments mix valid values with bad ones (non-numbers,
// out-of-range numbers, malformed ranges), and collections grow past the listpack and
// intset limits, so errors and encoding conversions are compared too. In the RESP2 run,
// every randCheckEvery commands the data sets themselves are compared, and again
// through the files (sameThroughFiles): DEBUG RELOAD, each server loading the other's
// dump.rdb, both loading each one's AOF. -randdiff.n and -randdiff.seed run longer or
// other sequences; a failure names the seed and the commands before it.
func TestRandomDiff(t *testing.T) {
	bin, why := findOracle()
	if bin == "" {
		t.Skipf("needs redis-server %s: %s (install it with `%s`)", oracleVersion, why, installHint)
	}
	cairnDir := t.TempDir()
	// Both log every write (appendfsync no: a reply still follows the log's write).
	aof := []string{"--appendonly", "yes", "--appendfsync", "no", "--enable-debug-command", "yes"}
	s := startServer(t, append([]string{"--dir", cairnDir}, aof...)...)
	oracleAddr := startOracleServer(t, bin, aof...)
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			cairn, oracle := dial(t, s), dialAddr(t, oracleAddr)
			for _, c := range []*rawConn{cairn, oracle} {
				c.do("HELLO", proto)
				c.do("FLUSHALL")
				if conf := strings.Fields(*randDiffConf); len(conf) > 0 {
					if got := c.do(append([]string{"CONFIG", "SET"}, conf...)...); got != "+OK\r\n" {
						t.Fatalf("CONFIG SET %s: %q", *randDiffConf, got)
					}
				}
			}
			var checkpoint func(int)
			if proto == "2" {
				checkpoint = func(i int) { sameThroughFiles(t, i, bin, cairnDir, cairn, oracle) }
			}
			randDiff(t, cairn, oracle, checkpoint)
		})
	}
}

// sameThroughFiles compares the data sets the sequence has left so far, then again
// after both servers' DEBUG RELOAD (save, empty, load: the encodings become those a
// load chooses, and the sequence goes on from there), and every fourth time also
// across the servers: each loads a copy of the other's dump.rdb, and both load copies
// of each one's AOF directory.
func sameThroughFiles(t *testing.T, i int, bin, cairnDir string, cairn, oracle *rawConn) {
	t.Helper()
	at := "after command " + strconv.Itoa(i)
	waitBackgroundJobs(t, cairn)
	waitBackgroundJobs(t, oracle)
	sameKeyspace(t, at, cairn, oracle, true)
	cairn.expect("+OK\r\n", "DEBUG", "RELOAD")
	oracle.expect("+OK\r\n", "DEBUG", "RELOAD")
	sameKeyspace(t, at+", DEBUG RELOAD", cairn, oracle, true)
	if (i/randCheckEvery)%4 != 0 {
		return
	}
	cairn.expect("+OK\r\n", "SAVE")
	oracle.expect("+OK\r\n", "SAVE")
	oracleDir := strings.Split(oracle.do("CONFIG", "GET", "dir"), "\r\n")[4]
	// dump.rdb: just saved from a data set just loaded, so the encodings too must be
	// what the other server's load chooses.
	loaded := dialAddr(t, startOracleServer(t, bin, randConfArgs("--dir", copyDir(t, cairnDir), "--appendonly", "no")...))
	sameKeyspace(t, at+", redis-server loading Cairn's dump.rdb", cairn, loaded, true)
	loadedBy := dial(t, startServer(t, randConfArgs("--dir", copyDir(t, oracleDir), "--appendonly", "no")...))
	sameKeyspace(t, at+", Cairn loading redis-server's dump.rdb", loadedBy, oracle, true)
	// The AOF directories: replaying the commands makes the encodings their history's,
	// so those are compared between the two servers loading the same files, and the
	// contents also against the server that wrote them.
	for _, w := range []struct {
		name string
		dir  string
		live *rawConn
	}{{"Cairn's", cairnDir, cairn}, {"redis-server's", oracleDir, oracle}} {
		byCairn := dial(t, startServer(t, randConfArgs("--dir", copyDir(t, w.dir), "--appendonly", "yes")...))
		byRedis := dialAddr(t, startOracleServer(t, bin, randConfArgs("--dir", copyDir(t, w.dir), "--appendonly", "yes")...))
		sameKeyspace(t, at+", redis-server loading "+w.name+" AOF, against its writer", w.live, byRedis, false)
		sameKeyspace(t, at+", Cairn loading "+w.name+" AOF, against its writer", byCairn, w.live, false)
		sameKeyspace(t, at+", Cairn and redis-server loading "+w.name+" AOF", byCairn, byRedis, true)
	}
}

// waitBackgroundJobs waits until the server runs and has scheduled no BGSAVE or AOF
// rewrite.
func waitBackgroundJobs(t *testing.T, c *rawConn) {
	t.Helper()
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		info := c.do("INFO", "persistence")
		if !strings.Contains(info, "_in_progress:1") && !strings.Contains(info, "_scheduled:1") {
			return
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("background jobs still running after 20 s:\n%s", info)
		}
	}
}

// randConfArgs is args followed by -randdiff.config as command-line directives, for
// the servers that load the files.
func randConfArgs(args ...string) []string {
	conf := strings.Fields(*randDiffConf)
	for i := 0; i+1 < len(conf); i += 2 {
		args = append(args, "--"+conf[i], conf[i+1])
	}
	return args
}

// copyDir copies a server's directory (dump.rdb, appendonlydir) for another server to
// load without touching the files of the one that wrote it.
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dst, os.DirFS(dir)); err != nil {
		t.Fatalf("copying %s: %v", dir, err)
	}
	return dst
}

// randCheckEvery is how many commands apart sameThroughRDB runs.
const randCheckEvery = 2500

// sameKeyspace fails unless the two servers hold the same keys with the same types,
// contents and presence of a TTL, and with encodings, the same encodings.
func sameKeyspace(t *testing.T, when string, cairn, oracle *rawConn, encodings bool) {
	t.Helper()
	if t.Failed() {
		return
	}
	keys := sortArrayReply(oracle.do("KEYS", "*"), 1)
	if got := sortArrayReply(cairn.do("KEYS", "*"), 1); got != keys {
		t.Fatalf("%s: KEYS * differ:\ncairn: %q\nredis: %q", when, got, keys)
	}
	r := bufio.NewReader(strings.NewReader(keys))
	header, _ := r.ReadString('\n')
	n, _ := strconv.Atoi(strings.TrimSpace(header[1:]))
	for i := 0; i < n; i++ {
		var b bytes.Buffer
		if err := readValue(r, &b); err != nil {
			t.Fatal(err)
		}
		key := strings.SplitN(b.String(), "\r\n", 3)[1]
		typ := oracle.do("TYPE", key)
		read := map[string][]string{
			"+string\r\n": {"GET", key},
			"+list\r\n":   {"LRANGE", key, "0", "-1"},
			"+set\r\n":    {"SMEMBERS", key},
			"+hash\r\n":   {"HGETALL", key},
			"+zset\r\n":   {"ZRANGE", key, "0", "-1", "WITHSCORES"},
		}[typ]
		cmds := [][]string{{"TYPE", key}, read, {"PTTL", key}}
		if encodings {
			cmds = append(cmds, []string{"OBJECT", "ENCODING", key})
		}
		for _, cmd := range cmds {
			if cmd == nil {
				t.Fatalf("%s: key %q has type %q", when, key, typ)
			}
			got, want := randNormalize(cmd, cairn.do(cmd...)), randNormalize(cmd, oracle.do(cmd...))
			if cmd[0] == "PTTL" { // whether there is one; the milliseconds left differ
				got, want = strconv.FormatBool(got == ":-1\r\n"), strconv.FormatBool(want == ":-1\r\n")
			}
			if got != want {
				t.Errorf("%s: %q:\ncairn: %.600q\nredis: %.600q", when, cmd, got, want)
			}
		}
	}
}

// randDiff runs the sequence on the two connections, and checkpoint (if not nil) every
// randCheckEvery commands and at the end.
func randDiff(t *testing.T, cairn, oracle *rawConn, checkpoint func(i int)) {
	g := randCommands{rand.New(rand.NewSource(*randDiffSeed))}
	var history []string
	for i := 0; i <= *randDiffN; i++ {
		if checkpoint != nil && (i%randCheckEvery == 0 && i > 0 || i == *randDiffN) {
			checkpoint(i)
			if t.Failed() {
				t.FailNow()
			}
		}
		if i == *randDiffN {
			break
		}
		for _, args := range g.next() {
			history = append(history, strings.Join(args, " "))
			if len(history) > 25 {
				history = history[1:]
			}
			got, want := randNormalize(args, cairn.do(args...)), randNormalize(args, oracle.do(args...))
			if got != want {
				randDiffFailed(t, i, args, got, want, history, cairn, oracle)
			}
		}
	}
}

// randDiffFailed reports a reply that differs, with the state of its key and the
// commands before it.
func randDiffFailed(t *testing.T, i int, args []string, got, want string, history []string, cairn, oracle *rawConn) {
	t.Helper()
	var keyState string
	if len(args) > 1 {
		for _, probe := range [][]string{{"TYPE", args[1]}, {"OBJECT", "ENCODING", args[1]}} {
			keyState += strings.Join(probe, " ") + ": " + strconv.Quote(cairn.do(probe...)) + " (redis " + strconv.Quote(oracle.do(probe...)) + ")\n"
		}
	}
	t.Fatalf("seed %d, step %d: %q\ncairn: %.600q\nredis: %.600q\n%sthe commands before it:\n%s",
		*randDiffSeed, i, args, got, want, keyState, strings.Join(history, "\n"))
}

// randNormalize sets aside what Redis leaves undefined or what depends on timing: the
// order of a hashtable-encoded set's or hash's elements (its dict order, seeded at
// random per process) in replies and in DUMP payloads, a TTL's rounding at a second's
// boundary, EXPIRE GT/LT ties within a millisecond, background jobs' replies.
func randNormalize(args []string, reply string) string {
	switch strings.ToUpper(args[0]) {
	case "SMEMBERS", "SINTER", "SDIFF", "SUNION":
		return sortArrayReply(reply, 1)
	case "HGETALL":
		return sortArrayReply(reply, 2)
	case "EVAL":
		if strings.Contains(args[1], "hgetall") {
			return sortArrayReply(reply, 2)
		}
	case "DUMP":
		// RDB types 2 and 4: a set or hash as a hashtable, its elements in dict order.
		if i := strings.Index(reply, "\r\n"); reply[0] == '$' && i > 0 && len(reply) > i+2 && (reply[i+2] == 2 || reply[i+2] == 4) {
			return "(a DUMP of a hashtable)"
		}
	case "BGREWRITEAOF", "BGSAVE":
		// Started, scheduled or refused depends on what still runs in the background.
		return "(a background job)"
	case "EXPIRE":
		// GT and LT against a TTL set by a relative command in the same millisecond
		// is a tie, and which server sees the tie is a matter of timing.
		if len(args) > 3 && (strings.EqualFold(args[3], "GT") || strings.EqualFold(args[3], "LT")) && (reply == ":0\r\n" || reply == ":1\r\n") {
			return ":0 or 1\r\n"
		}
	case "TTL":
		if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(reply, ":"), "\r\n")); err == nil && n > 90 {
			return ":(about 100)\r\n"
		}
	}
	return reply
}

// sortArrayReply sorts the elements of an array, set or map reply, taken group at a
// time (a map's are its pairs).
func sortArrayReply(reply string, group int) string {
	if reply == "" || strings.IndexByte("*~%", reply[0]) < 0 {
		return reply
	}
	r := bufio.NewReader(strings.NewReader(reply))
	header, _ := r.ReadString('\n')
	n, _ := strconv.Atoi(strings.TrimSpace(header[1:]))
	if header[0] == '%' {
		n *= 2
	}
	elems := make([]string, 0, n/group)
	for i := 0; i < n; i += group {
		var b bytes.Buffer
		for j := 0; j < group; j++ {
			if err := readValue(r, &b); err != nil {
				return reply
			}
		}
		elems = append(elems, b.String())
	}
	sort.Strings(elems)
	return header + strings.Join(elems, "")
}

// randCommands generates TestRandomDiff's commands.
type randCommands struct{ rng *rand.Rand }

func (g randCommands) pick(xs ...string) string { return xs[g.rng.Intn(len(xs))] }

func (g randCommands) key() string {
	return g.pick("k1", "k2", "k3", "l1", "l2", "h1", "s1", "s2", "z1", "z2", "n1")
}

// val is a value, member or field: numbers of every kind, short strings, long strings
// (past the 64-byte listpack value limit) and strings that look like numbers.
func (g randCommands) val() string {
	switch g.rng.Intn(6) {
	case 0:
		return strconv.Itoa(g.rng.Intn(200) - 100)
	case 1:
		return g.pick("a", "b", "c", "d", "e")
	case 2:
		return strconv.FormatFloat(g.rng.Float64()*10-5, 'f', g.rng.Intn(4), 64)
	case 3:
		return strings.Repeat("x", g.rng.Intn(70))
	case 4:
		return g.pick("", " ", "inf", "-inf", "nan", "1e3", "0x10", "9223372036854775807", "-9223372036854775808", "18446744073709551616")
	}
	return g.pick("m1", "m2", "m3", "m4")
}

func (g randCommands) num() string {
	return g.pick("0", "1", "-1", "2", "-2", "3", "10", "-10", "100", "abc", "1.5", "9223372036854775807", "-9223372036854775808")
}

func (g randCommands) score() string {
	return g.pick("0", "1", "2.5", "-1", "+inf", "-inf", "nan", "(1", "(2.5", "abc", "1e2")
}

func (g randCommands) lex() string { return g.pick("-", "+", "[a", "(a", "[m2", "(m3", "a", "[") }

// count is 1 to 600: enough, at the upper end, to pass the listpack (128 entries) and
// intset (512) limits.
func (g randCommands) count() int { return 1 + g.rng.Intn([]int{3, 20, 140, 600}[g.rng.Intn(4)]) }

// many appends count() groups to args, each group the values of gens in turn.
func (g randCommands) many(args []string, gens ...func() string) []string {
	for i := g.count(); i > 0; i-- {
		for _, gen := range gens {
			args = append(args, gen())
		}
	}
	return args
}

// next is the next step: one command, or now and then a transaction of a few (without
// the commands whose replies randNormalize must reorder or set aside, which it does not
// look for inside EXEC's reply, nor blocking ones).
func (g randCommands) next() [][]string {
	if g.rng.Intn(50) != 0 {
		return [][]string{g.one()}
	}
	step := [][]string{{"MULTI"}}
	for len(step) < 2+g.rng.Intn(4) {
		cmd := g.one()
		switch cmd[0] {
		case "SMEMBERS", "SINTER", "SDIFF", "HGETALL", "DUMP", "EVAL", "BLPOP", "BLMOVE", "BZPOPMIN", "BGSAVE", "BGREWRITEAOF":
			continue
		}
		step = append(step, cmd)
	}
	return append(step, []string{g.pick("EXEC", "EXEC", "EXEC", "DISCARD")})
}

func (g randCommands) one() []string {
	k, v, n := g.key, g.val, g.num
	switch g.rng.Intn(100) {
	case 77:
		return []string{"SETEX", k(), g.pick("100", "0", "-5", "abc"), v()}
	case 78:
		return []string{"GETEX", k(), "EX", g.pick("100", "0", "abc")}
	case 79:
		return []string{"PEXPIRE", k(), g.pick("100000", "0", "-1")}
	case 80:
		// 2100-01-01, and a time long past (the key is deleted, and logged as DEL).
		return []string{"EXPIREAT", k(), g.pick("4102444800", "1")}
	case 81:
		return []string{"PERSIST", k()}
	case 82:
		return []string{"GETSET", k(), v()}
	case 83:
		return []string{"SETNX", k(), v()}
	case 84:
		return []string{"MSET", k(), v(), k(), v()}
	case 85:
		return []string{"RPOPLPUSH", k(), k()}
	case 86, 87, 88:
		// Blocking pops (logged as the pop they performed); rare, as each one on an
		// empty key waits out its 10 ms.
		if g.rng.Intn(5) != 0 {
			return []string{"LPOP", k()}
		}
		return [][]string{
			{"BLPOP", k(), k(), "0.01"},
			{"BLMOVE", k(), k(), g.pick("LEFT", "RIGHT"), g.pick("LEFT", "RIGHT"), "0.01"},
			{"BZPOPMIN", k(), "0.01"},
		}[g.rng.Intn(3)]
	case 89:
		return []string{"ZPOPMAX", k(), g.pick("1", "3")}
	case 90:
		return []string{"SORT", k(), "ALPHA", "STORE", k()}
	case 91:
		return []string{"SDIFFSTORE", k(), k(), k()}
	case 92:
		return []string{"ZDIFFSTORE", k(), "2", k(), k()}
	case 93:
		return []string{"UNLINK", k(), k()}
	case 94:
		return []string{"SWAPDB", "0", "1"}
	case 95:
		return []string{"MOVE", k(), "1"}
	case 96:
		switch g.rng.Intn(10) {
		case 0:
			return []string{"FLUSHDB"}
		case 1, 2:
			// In the background while the sequence goes on; the file checks see the
			// rewritten AOF.
			return []string{g.pick("BGREWRITEAOF", "BGSAVE")}
		}
		return []string{"DBSIZE"}
	case 97:
		return []string{"EVAL", g.pick(
			"redis.call('lpush', KEYS[1], ARGV[1]) redis.call('expire', KEYS[1], 100) return redis.call('llen', KEYS[1])",
			"return redis.call('incrbyfloat', KEYS[1], '1.5')",
			"redis.call('del', KEYS[1]) return 1",
			"return redis.call('hincrbyfloat', KEYS[1], ARGV[1], '0.5')",
		), "1", k(), v()}
	case 0:
		return []string{"SET", k(), v()}
	case 1:
		return []string{"SET", k(), v(), g.pick("NX", "XX", "GET", "KEEPTTL", "EX")}
	case 2:
		return []string{"GET", k()}
	case 3:
		return []string{"GETDEL", k()}
	case 4:
		return []string{"APPEND", k(), v()}
	case 5:
		return []string{"INCRBY", k(), n()}
	case 6:
		return []string{"INCRBYFLOAT", k(), v()}
	case 7:
		return []string{"DECR", k()}
	case 8:
		return []string{"STRLEN", k()}
	case 9:
		return []string{"GETRANGE", k(), n(), n()}
	case 10:
		return []string{"SETRANGE", k(), g.pick("0", "1", "5", "-1", "abc"), v()}
	case 11:
		return []string{"MSETNX", k(), v(), k(), v()}
	case 12:
		return []string{"LPUSH", k(), v(), v()}
	case 13:
		return []string{"RPUSHX", k(), v()}
	case 14:
		return []string{"LPOP", k(), g.pick("1", "2", "0", "-1")}
	case 15:
		return []string{"RPOP", k()}
	case 16:
		return []string{"LRANGE", k(), n(), n()}
	case 17:
		return []string{"LINDEX", k(), n()}
	case 18:
		return []string{"LSET", k(), n(), v()}
	case 19:
		return []string{"LREM", k(), n(), v()}
	case 20:
		return []string{"LTRIM", k(), n(), n()}
	case 21:
		return []string{"LINSERT", k(), g.pick("BEFORE", "AFTER", "x"), v(), v()}
	case 22:
		return []string{"LPOS", k(), v(), g.pick("RANK", "COUNT", "MAXLEN"), n()}
	case 23:
		return []string{"LMOVE", k(), k(), g.pick("LEFT", "RIGHT"), g.pick("LEFT", "RIGHT")}
	case 24:
		return []string{"HSET", k(), v(), v()}
	case 25:
		return []string{"HGET", k(), v()}
	case 26:
		return []string{"HDEL", k(), v(), v()}
	case 27:
		return []string{"HINCRBY", k(), v(), n()}
	case 28:
		return []string{"HINCRBYFLOAT", k(), v(), v()}
	case 29:
		return []string{"HGETALL", k()}
	case 30:
		return []string{"HSETNX", k(), v(), v()}
	case 31:
		return []string{"HSTRLEN", k(), v()}
	case 32:
		return []string{"SADD", k(), v(), v()}
	case 33:
		return []string{"SREM", k(), v()}
	case 34:
		return []string{"SMEMBERS", k()}
	case 35:
		return []string{"SINTER", k(), k()}
	case 36:
		return []string{"SUNIONSTORE", k(), k(), k()}
	case 37:
		return []string{"SDIFF", k(), k()}
	case 38:
		return []string{"SMOVE", k(), k(), v()}
	case 39:
		return []string{"SMISMEMBER", k(), v(), v()}
	case 40:
		return []string{"SINTERCARD", "2", k(), k(), "LIMIT", n()}
	case 41:
		return []string{"ZADD", k(), g.score(), v()}
	case 42:
		return []string{"ZADD", k(), g.pick("NX", "XX", "GT", "LT", "CH", "INCR"), g.score(), v()}
	case 43:
		return []string{"ZINCRBY", k(), g.score(), v()}
	case 44:
		return []string{"ZRANGE", k(), n(), n(), "WITHSCORES"}
	case 45:
		return []string{"ZRANGE", k(), g.score(), g.score(), "BYSCORE", g.pick("REV", "LIMIT")}
	case 46:
		return []string{"ZRANGEBYSCORE", k(), g.score(), g.score(), "LIMIT", n(), n()}
	case 47:
		// Lexicographic ranges only where every score is 0: with mixed scores Redis's
		// answer depends on its skiplist's random levels.
		return []string{"ZRANGEBYLEX", g.pick("zl", "nokey"), g.lex(), g.lex(), "LIMIT", n(), n()}
	case 48:
		return []string{"ZLEXCOUNT", g.pick("zl", "nokey"), g.lex(), g.lex()}
	case 49:
		return []string{"ZADD", "zl", "0", v(), "0", v()}
	case 50:
		return []string{"ZREMRANGEBYLEX", "zl", g.lex(), g.lex()}
	case 51:
		return []string{"ZREMRANGEBYSCORE", k(), g.score(), g.score()}
	case 52:
		return []string{"ZREMRANGEBYRANK", k(), n(), n()}
	case 53:
		return []string{"ZMSCORE", k(), v(), v()}
	case 54:
		return []string{"ZRANK", k(), v()}
	case 55:
		return []string{"ZCOUNT", k(), g.score(), g.score()}
	case 56:
		return []string{"ZPOPMIN", k(), g.pick("1", "2", "-1", "0")}
	case 57:
		return []string{"ZUNIONSTORE", k(), "2", k(), k(), "WEIGHTS", g.score(), g.score(), "AGGREGATE", g.pick("SUM", "MIN", "MAX")}
	case 58:
		return []string{"ZINTER", "2", k(), k(), "WITHSCORES"}
	case 59:
		return []string{"ZRANGESTORE", k(), k(), n(), n()}
	case 60:
		return []string{"TYPE", k()}
	case 61:
		return []string{"EXISTS", k(), k()}
	case 62:
		return []string{"DEL", k()}
	case 63:
		return []string{"RENAME", k(), k()}
	case 64:
		return []string{"COPY", k(), k(), g.pick("REPLACE", "DB")}
	case 65:
		// Expiry times far enough away not to pass during the test.
		return []string{"EXPIRE", k(), g.pick("100", "0", "-1", "abc", "9223372036854775807"), g.pick("NX", "XX", "GT", "LT")}
	case 66:
		return []string{"TTL", k()}
	case 67:
		return []string{"OBJECT", "ENCODING", k()}
	case 68:
		return []string{"SORT", k(), g.pick("ALPHA", "DESC"), "LIMIT", n(), n()}
	case 69:
		return []string{"DUMP", k()}
	case 70:
		return []string{"LCS", k(), k()}
	case 71:
		return g.many([]string{"RPUSH", k()}, v)
	case 72:
		return g.many([]string{"SADD", k()}, func() string { return strconv.Itoa(g.rng.Intn(2000) - 1000) })
	case 73:
		return g.many([]string{"HSET", k()}, v, v)
	case 74:
		return g.many([]string{"ZADD", k()}, func() string { return strconv.Itoa(g.rng.Intn(100)) }, v)
	case 75:
		return []string{"LMPOP", "2", k(), k(), g.pick("LEFT", "RIGHT"), "COUNT", n()}
	}
	return []string{"EVAL", g.pick(
		"return redis.call('incr', KEYS[1])",
		"return redis.pcall('lpush', KEYS[1], ARGV[1])",
		"return {1, 2.5, 'x', false, true}",
		"return redis.call('get', KEYS[1])",
		"return redis.error_reply('boom')",
		"return tonumber(ARGV[1])",
		"redis.call('set', KEYS[1], ARGV[1]) return redis.call('type', KEYS[1])",
		"return redis.call('zrange', KEYS[1], 0, -1, 'withscores')",
		"return redis.call('hgetall', KEYS[1])",
	), "1", k(), v()}
}
