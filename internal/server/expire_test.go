package server

import (
	"strconv"
	"testing"
	"time"

	"cairn/internal/keyspace"
)

func TestExpireOptionsAndErrors(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	runCmds(t, rc, []testCmd{
		tc("+OK\r\n", "SET", "k", "v"),
		tc("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", "EXPIRE", "k", "10", "NX", "XX"),
		tc("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", "EXPIRE", "k", "10", "nx", "gt"),
		tc("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", "PEXPIRE", "k", "10", "lt", "nx"),
		tc("-ERR GT and LT options at the same time are not compatible\r\n", "EXPIRE", "k", "10", "GT", "LT"),
		tc("-ERR Unsupported option foo\r\n", "EXPIRE", "k", "10", "foo"),
		// Options are parsed before the time: a bad option wins over a bad number.
		tc("-ERR Unsupported option foo\r\n", "EXPIRE", "k", "abc", "foo"),
		tc("-ERR Unsupported option NXX\r\n", "EXPIREAT", "k", "10", "NX", "NXX"),
		tc("-ERR value is not an integer or out of range\r\n", "EXPIRE", "k", "abc"),
		tc("-ERR value is not an integer or out of range\r\n", "EXPIRE", "k", "1.5"),
		tc("-ERR value is not an integer or out of range\r\n", "EXPIRE", "nokey", "abc"),
		tc(":0\r\n", "EXPIRE", "nokey", "10"),
		// Overflow: seconds to ms, then adding the current time.
		tc("-ERR invalid expire time in 'expire' command\r\n", "EXPIRE", "k", "9223372036854775"),
		tc("-ERR invalid expire time in 'expire' command\r\n", "EXPIRE", "k", "-9223372036854776"),
		tc("-ERR invalid expire time in 'pexpire' command\r\n", "PEXPIRE", "k", "9223372036854775807"),
		tc("-ERR invalid expire time in 'pexpire' command\r\n", "PEXPIRE", "k", "9223372036854775000"),
		tc("-ERR invalid expire time in 'expireat' command\r\n", "EXPIREAT", "k", "9223372036854776"),
		tc("-ERR wrong number of arguments for 'expire' command\r\n", "EXPIRE", "k"),
		tc(":1\r\n", "EXPIREAT", "k", "9223372036854775"),
		tc(":9223372036854775\r\n", "EXPIRETIME", "k"),
		tc(":9223372036854775000\r\n", "PEXPIRETIME", "k"),
		tc(":1\r\n", "PEXPIREAT", "k", "9223372036854775807"),
		tc(":9223372036854775807\r\n", "PEXPIRETIME", "k"),
		// Rounding does not overflow.
		tc(":9223372036854776\r\n", "EXPIRETIME", "k"),
		tc(":1\r\n", "PERSIST", "k"),

		// NX: only without a TTL. XX: only with one.
		tc(":0\r\n", "EXPIRE", "k", "10", "XX"),
		tc(":0\r\n", "EXPIRE", "k", "10", "GT"), // no TTL is an infinite TTL
		tc(":1\r\n", "EXPIRE", "k", "10", "LT"),
		tc(":10\r\n", "TTL", "k"),
		tc(":0\r\n", "EXPIRE", "k", "20", "NX"),
		tc(":0\r\n", "EXPIRE", "k", "20", "LT"),
		tc(":0\r\n", "EXPIRE", "k", "5", "GT"),
		tc(":0\r\n", "EXPIRE", "k", "9", "GT", "XX"),
		tc(":1\r\n", "EXPIRE", "k", "20", "GT"),
		tc(":20\r\n", "TTL", "k"),
		tc(":1\r\n", "EXPIRE", "k", "100", "XX", "GT", "GT"),
		tc(":100\r\n", "TTL", "k"),
		tc(":1\r\n", "EXPIRE", "k", "50", "xx", "lt"),
		tc(":50\r\n", "TTL", "k"),
		tc(":1\r\n", "PERSIST", "k"),
		tc(":1\r\n", "EXPIRE", "k", "30", "NX"),
		tc(":30\r\n", "TTL", "k"),
	})
}

func TestExpireInThePastDeletes(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	for _, cmd := range [][]string{
		{"EXPIRE", "k", "0"},
		{"EXPIRE", "k", "-10"},
		{"PEXPIRE", "k", "-1"},
		{"EXPIREAT", "k", "1"},
		{"PEXPIREAT", "k", "1"},
		{"EXPIRE", "k", "-9223372036854775"},
		{"EXPIREAT", "k", strconv.FormatInt(time.Now().Unix()-1, 10)},
		{"PEXPIREAT", "k", "-9223372036854775808"},
		{"EXPIRE", "k", "-1", "LT"}, // LT against no TTL succeeds, and deletes
	} {
		rc.expect("+OK\r\n", "SET", "k", "v")
		var before int64
		withKeyspace(s, func(*keyspace.Keyspace) { before = s.dirty })
		rc.expect(":1\r\n", cmd...)
		rc.expect(":0\r\n", "EXISTS", "k")
		rc.expect(":-2\r\n", "TTL", "k")
		var after int64
		withKeyspace(s, func(*keyspace.Keyspace) { after = s.dirty })
		if after-before != 1 {
			t.Errorf("%q: dirty +%d, want +1", cmd, after-before)
		}
	}
	// GT against a later deadline fails and leaves the key.
	rc.expect("+OK\r\n", "SET", "k", "v")
	rc.expect(":1\r\n", "EXPIRE", "k", "100")
	rc.expect(":0\r\n", "EXPIRE", "k", "-1", "GT")
	rc.expect(":1\r\n", "EXISTS", "k")
}

func TestTTLFamily(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	runCmds(t, rc, []testCmd{
		tc(":-2\r\n", "TTL", "nokey"),
		tc(":-2\r\n", "PTTL", "nokey"),
		tc(":-2\r\n", "EXPIRETIME", "nokey"),
		tc(":-2\r\n", "PEXPIRETIME", "nokey"),
		tc("+OK\r\n", "SET", "k", "v"),
		tc(":-1\r\n", "TTL", "k"),
		tc(":-1\r\n", "PTTL", "k"),
		tc(":-1\r\n", "EXPIRETIME", "k"),
		tc(":-1\r\n", "PEXPIRETIME", "k"),
		tc(":1\r\n", "EXPIREAT", "k", "4102444800"),
		tc(":4102444800\r\n", "EXPIRETIME", "k"),
		tc(":4102444800000\r\n", "PEXPIRETIME", "k"),
		// EXPIRETIME rounds to the nearest second.
		tc(":1\r\n", "PEXPIREAT", "k", "4102444800499"),
		tc(":4102444800\r\n", "EXPIRETIME", "k"),
		tc(":1\r\n", "PEXPIREAT", "k", "4102444800500"),
		tc(":4102444801\r\n", "EXPIRETIME", "k"),
		tc(":4102444800500\r\n", "PEXPIRETIME", "k"),
		// TTL rounds too: 1499 ms left is 1 s, 499 ms is 0 s.
		tc(":1\r\n", "PEXPIRE", "k", "1499"),
		tc(":1\r\n", "TTL", "k"),
		tc(":1\r\n", "PEXPIRE", "k", "499"),
		tc(":0\r\n", "TTL", "k"),
		tc(":1\r\n", "PERSIST", "k"),
		tc(":0\r\n", "PERSIST", "k"),
		tc(":0\r\n", "PERSIST", "nokey"),
		tc(":-1\r\n", "TTL", "k"),
		tc("-ERR wrong number of arguments for 'ttl' command\r\n", "TTL", "a", "b"),
		tc("-ERR wrong number of arguments for 'persist' command\r\n", "PERSIST"),
	})
	rc.expect(":1\r\n", "PEXPIRE", "k", "100000")
	if ms := intReply(t, rc.do("PTTL", "k")); ms < 99000 || ms > 100000 {
		t.Fatalf("PTTL: %d", ms)
	}
	if sec := intReply(t, rc.do("TTL", "k")); sec != 100 && sec != 99 {
		t.Fatalf("TTL: %d", sec)
	}
	now := time.Now().UnixMilli()
	if at := intReply(t, rc.do("PEXPIRETIME", "k")); at < now+99000 || at > now+100000 {
		t.Fatalf("PEXPIRETIME %d, now %d", at, now)
	}
}

// TestExpiredKeysAreInvisible checks every command against a key whose deadline has
// passed but that no one reclaimed yet (active expiry off): each behaves as if the
// key were missing.
func TestExpiredKeysAreInvisible(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	withKeyspace(s, func(*keyspace.Keyspace) { s.activeExpireEnabled = false })
	expireNow := func(keys ...string) {
		t.Helper()
		for _, k := range keys {
			rc.expect("+OK\r\n", "SET", k, "123", "PX", "1")
		}
		time.Sleep(3 * time.Millisecond)
	}
	expireNow("k")
	runCmds(t, rc, []testCmd{
		tc("$-1\r\n", "GET", "k"),
		tc(":0\r\n", "EXISTS", "k"),
		tc("+none\r\n", "TYPE", "k"),
		tc(":-2\r\n", "TTL", "k"),
		tc(":-2\r\n", "PEXPIRETIME", "k"),
		tc(":0\r\n", "STRLEN", "k"),
		tc("$0\r\n\r\n", "GETRANGE", "k", "0", "-1"),
		tc("$-1\r\n", "OBJECT", "ENCODING", "k"),
		tc(":0\r\n", "TOUCH", "k"),
		tc(":0\r\n", "DEL", "k"),
	})
	expireNow("k", "k2")
	runCmds(t, rc, []testCmd{
		tc("*2\r\n$-1\r\n$-1\r\n", "MGET", "k", "k2"),
		tc("*0\r\n", "KEYS", "*"),
		tc("*0\r\n", "KEYS", "k"),
		tc("$-1\r\n", "RANDOMKEY"),
		tc(":0\r\n", "DBSIZE"), // RANDOMKEY reclaimed them
	})
	expireNow("k")
	runCmds(t, rc, []testCmd{
		tc(":0\r\n", "EXPIRE", "k", "100"),
		tc(":0\r\n", "PERSIST", "k"),
		tc("-ERR no such key\r\n", "RENAME", "k", "x"),
		tc(":0\r\n", "MOVE", "k", "1"),
		tc(":0\r\n", "COPY", "k", "x"),
		tc("$-1\r\n", "GETDEL", "k"),
		tc("$-1\r\n", "GETEX", "k", "PERSIST"),
		tc("$0\r\n\r\n", "LCS", "k", "k"),
	})
	expireNow("k")
	rc.expect(":1\r\n", "INCR", "k")
	rc.expect(":-1\r\n", "TTL", "k")
	expireNow("k")
	rc.expect("$3\r\n1.5\r\n", "INCRBYFLOAT", "k", "1.5")
	expireNow("k")
	rc.expect(":1\r\n", "APPEND", "k", "x")
	rc.expect("$1\r\nx\r\n", "GET", "k")
	expireNow("k")
	rc.expect(":3\r\n", "SETRANGE", "k", "1", "ab")
	rc.expect("$3\r\n\x00ab\r\n", "GET", "k")
	expireNow("k")
	rc.expect(":1\r\n", "SETNX", "k", "v")
	expireNow("k")
	rc.expect("$-1\r\n", "SET", "k", "v", "GET")
	expireNow("k")
	rc.expect("$-1\r\n", "GETSET", "k", "v")
	expireNow("k")
	rc.expect("+OK\r\n", "SET", "k", "v", "NX")
	rc.expect(":-1\r\n", "TTL", "k")
	expireNow("k")
	rc.expect(":1\r\n", "MSETNX", "k", "v")
	expireNow("k")
	rc.expect("$-1\r\n", "SET", "k", "v", "XX")
	rc.expect(":0\r\n", "EXISTS", "k")
	// A destination that expired counts as absent.
	rc.expect("+OK\r\n", "SET", "src", "v")
	expireNow("dst")
	rc.expect(":1\r\n", "RENAMENX", "src", "dst")
	expireNow("dst2")
	rc.expect(":1\r\n", "COPY", "dst", "dst2")
	rc.expect("+OK\r\n", "SELECT", "1")
	expireNow("dst")
	rc.expect("+OK\r\n", "SELECT", "0")
	rc.expect(":1\r\n", "MOVE", "dst", "1")
}

func TestKeysExpireForReal(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "a", "v", "PX", "50")
	rc.expect("+OK\r\n", "SET", "b", "v")
	rc.expect(":1\r\n", "PEXPIRE", "b", "50")
	rc.expect("+OK\r\n", "SET", "c", "v", "PX", "100000")
	rc.expect(":3\r\n", "DBSIZE")
	time.Sleep(120 * time.Millisecond)
	rc.expect("$-1\r\n", "GET", "a")
	rc.expect(":0\r\n", "EXISTS", "b")
	rc.expect(":1\r\n", "EXISTS", "c")
	rc.expect(":1\r\n", "DBSIZE")
	var expired int64
	withKeyspace(s, func(ks *keyspace.Keyspace) { expired = ks.ExpiredKeys })
	if expired != 2 {
		t.Fatalf("expired_keys %d, want 2", expired)
	}
}
