package rdb

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// testdata/redis-7.0.15.rdb is the file redis-server 7.0.15 saved for the data set of
// populateRedis (with streams); testdata/redis-7.0.15.keys lists, per key, what
// redis-server reported through commands: database/key, RDB type, deadline and the
// SHA-256 of the value as describe renders it. TestGoldenRedisFile checks the Decoder
// against them without redis-server; TestOracleRedisToCairn rewrites them with
// -rewrite:
//
//	go test ./internal/persist/rdb -run OracleRedisToCairn -args -rewrite

const (
	goldenFile = "testdata/redis-7.0.15.rdb"
	goldenKeys = "testdata/redis-7.0.15.keys"
)

func goldenLine(id string, typ ObjType, expireAt int64, desc string) string {
	sum := sha256.Sum256([]byte(desc))
	return id + " " + typ.String() + " " + strconv.FormatInt(expireAt, 10) + " " + hex.EncodeToString(sum[:])
}

func writeGolden(t *testing.T, file []byte, want map[string]redisKey) {
	t.Helper()
	var lines []string
	for id, w := range want {
		typ := strings.SplitN(w.desc, ":", 2)[0]
		lines = append(lines, goldenLine(id, wantObjType(typ, w.encoding), w.expireAt, w.desc))
	}
	slices.Sort(lines)
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenFile, file, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenKeys, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes) and %s (%d keys)", goldenFile, len(file), goldenKeys, len(lines))
}

func TestGoldenRedisFile(t *testing.T) {
	file, err := os.ReadFile(filepath.FromSlash(goldenFile))
	if err != nil {
		t.Fatal(err)
	}
	wantRaw, err := os.ReadFile(filepath.FromSlash(goldenKeys))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSpace(string(wantRaw)), "\n")
	var got []string
	for _, fr := range readRecords(t, file) {
		if u := fr.unsup; u != nil {
			got = append(got, goldenLine("5/"+u.Key, u.Type, 0, "stream"))
			continue
		}
		if fr.rec.Kind == KindKey {
			r := fr.rec
			got = append(got, goldenLine(strconv.Itoa(r.DB)+"/"+string(r.Key), r.Type, r.Meta.ExpireAt, mustDescribe(t, &r.Value)))
		}
	}
	slices.Sort(got)
	if len(got) != len(want) {
		t.Fatalf("%d keys, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("got  %s\nwant %s", got[i], want[i])
		}
	}
}
