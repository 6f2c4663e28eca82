package server

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestGoRedisSession drives a realistic client session through go-redis v9, in both
// protocol versions it speaks: strings, counters, expiry, keyspace commands, SCAN
// iteration and pipelining.
func TestGoRedisSession(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			s := startServer(t)
			rdb := redis.NewClient(&redis.Options{Addr: s.Addr().String(), Protocol: proto, DisableIdentity: true})
			t.Cleanup(func() { rdb.Close() })
			goRedisSession(t, context.Background(), rdb)
		})
	}
}

func goRedisSession(t *testing.T, ctx context.Context, rdb *redis.Client) {
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	eq := func(got, want any) {
		t.Helper()
		if got != want {
			t.Fatalf("got %v (%T), want %v (%T)", got, got, want, want)
		}
	}

	// Strings.
	check(rdb.Set(ctx, "user:1:name", "ada", 0).Err())
	name, err := rdb.Get(ctx, "user:1:name").Result()
	check(err)
	eq(name, "ada")
	_, err = rdb.Get(ctx, "missing").Result()
	if !errors.Is(err, redis.Nil) {
		t.Fatalf("GET missing: %v", err)
	}
	ok, err := rdb.SetNX(ctx, "user:1:name", "bob", 0).Result()
	check(err)
	eq(ok, false)
	old, err := rdb.SetArgs(ctx, "user:1:name", "grace", redis.SetArgs{Get: true, KeepTTL: true}).Result()
	check(err)
	eq(old, "ada")
	n, err := rdb.Append(ctx, "user:1:name", " hopper").Result()
	check(err)
	eq(n, int64(12))
	sub, err := rdb.GetRange(ctx, "user:1:name", -6, -1).Result()
	check(err)
	eq(sub, "hopper")
	n, err = rdb.SetRange(ctx, "user:1:name", 0, "G").Result()
	check(err)
	eq(n, int64(12))
	enc, err := rdb.ObjectEncoding(ctx, "user:1:name").Result()
	check(err)
	eq(enc, "raw")
	check(rdb.MSet(ctx, "a", "1", "b", "2").Err())
	vals, err := rdb.MGet(ctx, "a", "nothing", "b").Result()
	check(err)
	if len(vals) != 3 || vals[0] != "1" || vals[1] != nil || vals[2] != "2" {
		t.Fatalf("MGET: %#v", vals)
	}
	check(rdb.MSet(ctx, "lcs1", "ohmytext", "lcs2", "mynewtext").Err())
	lcs, err := rdb.LCS(ctx, &redis.LCSQuery{Key1: "lcs1", Key2: "lcs2"}).Result()
	check(err)
	eq(lcs.MatchString, "mytext")
	lcsIdx, err := rdb.LCS(ctx, &redis.LCSQuery{Key1: "lcs1", Key2: "lcs2", Idx: true, WithMatchLen: true}).Result()
	check(err)
	eq(lcsIdx.Len, int64(6))
	if len(lcsIdx.Matches) != 2 || lcsIdx.Matches[0].Key1.Start != 4 || lcsIdx.Matches[0].MatchLen != 4 {
		t.Fatalf("LCS IDX: %+v", lcsIdx)
	}

	// Counters.
	n, err = rdb.Incr(ctx, "visits").Result()
	check(err)
	eq(n, int64(1))
	n, err = rdb.IncrBy(ctx, "visits", 41).Result()
	check(err)
	eq(n, int64(42))
	n, err = rdb.DecrBy(ctx, "visits", 2).Result()
	check(err)
	eq(n, int64(40))
	f, err := rdb.IncrByFloat(ctx, "price", 10.5).Result()
	check(err)
	eq(f, 10.5)
	f, err = rdb.IncrByFloat(ctx, "price", 0.1).Result()
	check(err)
	eq(f, 10.6)
	price, err := rdb.Get(ctx, "price").Result()
	check(err)
	eq(price, "10.6")
	err = rdb.Incr(ctx, "user:1:name").Err()
	if err == nil || err.Error() != "ERR value is not an integer or out of range" {
		t.Fatalf("INCR on text: %v", err)
	}

	// Expiry.
	check(rdb.Set(ctx, "session", "token", time.Minute).Err())
	ttl, err := rdb.TTL(ctx, "session").Result()
	check(err)
	if ttl < 59*time.Second || ttl > time.Minute {
		t.Fatalf("TTL: %v", ttl)
	}
	ok, err = rdb.ExpireNX(ctx, "session", time.Hour).Result()
	check(err)
	eq(ok, false)
	ok, err = rdb.ExpireGT(ctx, "session", time.Hour).Result()
	check(err)
	eq(ok, true)
	at, err := rdb.ExpireTime(ctx, "session").Result()
	check(err)
	if d := time.Until(time.Unix(int64(at/time.Second), 0)); d < 59*time.Minute || d > time.Hour+time.Second {
		t.Fatalf("EXPIRETIME: %v from now", d)
	}
	ok, err = rdb.Persist(ctx, "session").Result()
	check(err)
	eq(ok, true)
	ttl, err = rdb.TTL(ctx, "session").Result()
	check(err)
	eq(ttl, time.Duration(-1))
	ttl, err = rdb.PTTL(ctx, "missing").Result()
	check(err)
	eq(ttl, time.Duration(-2))
	check(rdb.Set(ctx, "short", "v", 30*time.Millisecond).Err())
	time.Sleep(80 * time.Millisecond)
	n, err = rdb.Exists(ctx, "short").Result()
	check(err)
	eq(n, int64(0))
	v, err := rdb.GetEx(ctx, "a", 10*time.Second).Result()
	check(err)
	eq(v, "1")
	v, err = rdb.GetDel(ctx, "a").Result()
	check(err)
	eq(v, "1")

	// Keyspace commands.
	typ, err := rdb.Type(ctx, "b").Result()
	check(err)
	eq(typ, "string")
	check(rdb.Rename(ctx, "b", "c").Err())
	ok, err = rdb.RenameNX(ctx, "c", "visits").Result()
	check(err)
	eq(ok, false)
	err = rdb.Rename(ctx, "b", "d").Err()
	if err == nil || err.Error() != "ERR no such key" {
		t.Fatalf("RENAME missing: %v", err)
	}
	n, err = rdb.Copy(ctx, "c", "c2", 0, false).Result()
	check(err)
	eq(n, int64(1))
	n, err = rdb.Touch(ctx, "c", "c2", "nope").Result()
	check(err)
	eq(n, int64(2))
	ok, err = rdb.Move(ctx, "c2", 3).Result()
	check(err)
	eq(ok, true)
	n, err = rdb.Del(ctx, "c", "c2").Result()
	check(err)
	eq(n, int64(1))

	// SCAN iteration over more keys than one call returns.
	pipe := rdb.Pipeline()
	for i := 0; i < 250; i++ {
		pipe.Set(ctx, "item:"+strconv.Itoa(i), i, 0)
	}
	cmds, err := pipe.Exec(ctx)
	check(err)
	eq(len(cmds), 250)
	seen := map[string]bool{}
	iter := rdb.Scan(ctx, 0, "item:*", 20).Iterator()
	for iter.Next(ctx) {
		seen[iter.Val()] = true
	}
	check(iter.Err())
	eq(len(seen), 250)
	keys, err := rdb.Keys(ctx, "item:2?").Result()
	check(err)
	sort.Strings(keys)
	eq(len(keys), 10)
	eq(keys[0], "item:20")
	typed, _, err := rdb.ScanType(ctx, 0, "", 1000, "string").Result()
	check(err)
	if len(typed) < 250 {
		t.Fatalf("SCAN TYPE string: %d keys", len(typed))
	}
	size, err := rdb.DBSize(ctx).Result()
	check(err)
	if size < 250 {
		t.Fatalf("DBSIZE %d", size)
	}
	rk, err := rdb.RandomKey(ctx).Result()
	check(err)
	if rk == "" {
		t.Fatal("RANDOMKEY returned nothing")
	}
	check(rdb.FlushDB(ctx).Err())
	size, err = rdb.DBSize(ctx).Result()
	check(err)
	eq(size, int64(0))
	check(rdb.FlushAll(ctx).Err())
}
