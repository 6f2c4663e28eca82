package server

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// SORT and SORT_RO: a randomized comparison with redis-server over lists, sets and
// sorted sets with every option (ties in the BY values included, which exercise the
// exact sort algorithms: glibc's stable merge sort, Redis's partial quicksort for BY
// with LIMIT), keyspace events, wake-ups of blocked clients and scripts. Deterministic
// cases are in testdata/commands/sort*.txt.

func sortTestSeed(t *testing.T) uint64 {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("bad SEED %q: %v", s, err)
		}
		seed = v
	}
	t.Logf("SEED=%d", seed)
	return seed
}

func TestSortRandomized(t *testing.T) {
	ts := newTwins(t)
	if len(ts.addrs) < 2 {
		t.Skip("redis-server not installed")
	}
	seed := sortTestSeed(t)
	rng := rand.New(rand.NewPCG(seed, 0x5027))
	a := ts.client()
	// both runs a command on both servers and checks that the replies are equal.
	both := func(args ...string) {
		t.Helper()
		c, r := a.conns[0].do(args...), a.conns[1].do(args...)
		if c != r {
			t.Fatalf("%q:\ncairn %q\nredis %q", args, c, r)
		}
	}
	elems := func(n int, numeric bool) []string {
		out := make([]string, n)
		for i := range out {
			switch {
			case numeric && rng.IntN(8) == 0:
				out[i] = []string{"1.5", "-2", "1e3", " 7", "0x10", "-inf", "3.0"}[rng.IntN(7)]
			case numeric:
				out[i] = strconv.Itoa(rng.IntN(40) - 10)
			default:
				out[i] = []string{"a", "b", "B", "ab", "a\x00b", "", "z", "é", "10", "9"}[rng.IntN(10)] + strconv.Itoa(rng.IntN(6))
			}
		}
		return out
	}
	for round := range 150 {
		both("FLUSHALL")
		numeric := rng.IntN(2) == 0
		n := 1 + rng.IntN(60)
		members := elems(n, numeric)
		typ := []string{"list", "set", "zset"}[rng.IntN(3)]
		if typ != "list" {
			// ALPHA compares up to a NUL byte (strcoll): members equal that far tie,
			// in the set's hash order.
			for i, m := range members {
				members[i] = strings.ReplaceAll(m, "\x00", "_")
			}
		}
		switch typ {
		case "list":
			both(append([]string{"RPUSH", "k"}, members...)...)
		case "set":
			both(append([]string{"SADD", "k"}, members...)...)
		case "zset":
			args := []string{"ZADD", "k"}
			for _, m := range members {
				args = append(args, strconv.Itoa(rng.IntN(5)), m)
			}
			both(args...)
		}
		// Hash-table sets and sorted sets are loaded in hash order, so equal BY values
		// would tie in an order that differs between the servers: unique weights there.
		hashOrder := typ == "zset"
		for _, m := range members {
			if _, err := strconv.ParseInt(m, 10, 64); err != nil || strconv.Itoa(int(must(strconv.ParseInt(m, 10, 64)))) != m {
				hashOrder = hashOrder || typ == "set"
			}
		}
		uniq := hashOrder || rng.IntN(2) == 0
		for i, m := range members {
			if !hashOrder && rng.IntN(6) == 0 {
				continue // a missing weight (ties with the others missing)
			}
			w := strconv.Itoa(rng.IntN(5))
			if uniq {
				w = strconv.Itoa(rng.IntN(100)*1000 + i)
			}
			both("SET", "w_"+m, w)
			both("HSET", "h_"+m, "f", w, "g", "v"+m)
		}
		for range 10 {
			args := []string{"SORT", "k"}
			dontsort := false
			by := rng.IntN(5)
			switch by {
			case 1:
				args = append(args, "BY", "w_*")
			case 2:
				args = append(args, "BY", "h_*->f")
			case 3:
				args = append(args, "BY", "nosort")
				dontsort = true
			}
			alpha := !numeric || rng.IntN(3) == 0
			if by == 1 || by == 2 {
				alpha = rng.IntN(2) == 0
			}
			if alpha {
				args = append(args, "ALPHA")
			}
			if rng.IntN(2) == 0 {
				args = append(args, "DESC")
			}
			if rng.IntN(2) == 0 {
				args = append(args, "LIMIT", strconv.Itoa(rng.IntN(n+4)-2), strconv.Itoa(rng.IntN(n+4)-2))
			}
			for range rng.IntN(3) {
				args = append(args, "GET", []string{"#", "w_*", "h_*->g", "h_*->nofield", "nostar"}[rng.IntN(5)])
			}
			store := rng.IntN(3) == 0
			if store {
				args = append(args, "STORE", "dst")
			}
			if dontsort && typ == "set" && !store && hashOrder {
				continue // the set's own hash order
			}
			both(args...)
			if store {
				both("LRANGE", "dst", "0", "-1")
			}
			both("OBJECT", "ENCODING", "k")
		}
		if t.Failed() {
			t.Fatalf("round %d", round)
		}
	}
}

func TestSortKeyspaceEvents(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	for _, rc := range a.conns {
		rc.do("HELLO", "3")
		rc.do("CONFIG", "SET", "notify-keyspace-events", "KEA")
		rc.do("PSUBSCRIBE", "__keyevent@0__:*")
	}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"RPUSH", "l", "2", "1"}, ":2\r\n rpush:l"},
		{[]string{"SORT", "l"}, "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{[]string{"SORT", "l", "STORE", "d"}, "sortstore:d :2\r\n"},
		{[]string{"SORT", "l", "STORE", "d"}, "sortstore:d :2\r\n"},
		{[]string{"SORT", "l", "LIMIT", "0", "0", "STORE", "d"}, "del:d :0\r\n"},
		{[]string{"SORT", "l", "LIMIT", "0", "0", "STORE", "d"}, ":0\r\n"},
		{[]string{"SORT", "nokey", "STORE", "l"}, "del:l :0\r\n"},
	}
	for _, st := range steps {
		got := a.transcript(st.args...)
		if got[0] != st.want {
			t.Errorf("%q: cairn %q, want %q", st.args, got[0], st.want)
		}
		if len(got) > 1 && got[1] != st.want {
			t.Errorf("%q: redis %q, want %q", st.args, got[1], st.want)
		}
	}
}

// TestSortStoreWakesBlocked checks that SORT ... STORE creating a list serves a client
// blocked on it, as Redis's dbAdd does, and that the stored list replaces a value of
// another type.
func TestSortStoreWakesBlocked(t *testing.T) {
	ts := newTwins(t)
	a, b := ts.client(), ts.client()
	a.expect(":3\r\n", "SADD", "s", "b", "c", "a")
	b.send("BLPOP", "dst", "0")
	ts.waitBlocked(1)
	a.expect(":3\r\n", "SORT", "s", "ALPHA", "STORE", "dst")
	b.read("*2\r\n$3\r\ndst\r\n$1\r\na\r\n")
	a.expect("*2\r\n$1\r\nb\r\n$1\r\nc\r\n", "LRANGE", "dst", "0", "-1")
	a.expect("+OK\r\n", "SET", "str", "v")
	a.expect(":3\r\n", "SORT", "s", "BY", "nosort", "STORE", "str")
	a.expect("+list\r\n", "TYPE", "str")
	a.expect("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "LRANGE", "str", "0", "-1")
}

// TestSortInScript checks that a set sorted BY a constant inside a script comes back
// sorted (ALPHA), so that the script's effects are deterministic; outside a script it
// comes in the set's own order.
func TestSortInScript(t *testing.T) {
	ts := newTwins(t)
	a := ts.client()
	a.expect(":5\r\n", "SADD", "s", "e", "d", "c", "b", "a")
	want := "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
	a.expect(want, "EVAL", "return redis.call('sort', KEYS[1], 'by', 'nosort')", "1", "s")
	a.expect(want, "EVAL", "return redis.call('sort_ro', KEYS[1], 'by', 'nosort')", "1", "s")
	for i, rc := range a.conns {
		got := rc.do("SORT", "s", "BY", "nosort")
		if !strings.HasPrefix(got, "*5\r\n") {
			t.Errorf("%s: SORT BY nosort %q", side(i), got)
		}
	}
}

// TestPqsort checks the partial quicksort against a full sort on the range it
// guarantees, with many equal keys.
func TestPqsort(t *testing.T) {
	seed := sortTestSeed(t)
	rng := rand.New(rand.NewPCG(seed, 7))
	cmp := func(a, b sortObject) int {
		switch {
		case a.score < b.score:
			return -1
		case a.score > b.score:
			return 1
		}
		return 0
	}
	for range 2000 {
		n := rng.IntN(200)
		v := make([]sortObject, n)
		for i := range v {
			v[i].score = float64(rng.IntN(1 + rng.IntN(50)))
		}
		want := append([]sortObject(nil), v...)
		sortStable(want, cmp)
		lo, hi := 0, n-1
		if n > 0 {
			lo = rng.IntN(n)
			hi = lo + rng.IntN(n-lo)
		}
		pqsort(v, cmp, lo, hi)
		for i := lo; i <= hi && i < n; i++ {
			if v[i].score != want[i].score {
				t.Fatalf("n=%d range [%d,%d]: index %d has %v, want %v", n, lo, hi, i, v[i].score, want[i].score)
			}
		}
	}
}

func must(v int64, _ error) int64 { return v }

func sortStable(v []sortObject, cmp func(a, b sortObject) int) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && cmp(v[j-1], v[j]) > 0; j-- {
			v[j-1], v[j] = v[j], v[j-1]
		}
	}
}
