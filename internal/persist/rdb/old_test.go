package rdb

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// oldFiles are files in the encodings of Redis before 7.0, built item by item: what
// Redis 2.x to 6.2 wrote. redis-server 7.0.15 still loads them all, which proves the
// files right; the Decoder must read the same contents.
func oldFiles() map[string][]byte {
	files := map[string][]byte{}
	long := strings.Repeat("L", 300)
	huge := strings.Repeat("H", 20000)

	// Version 3 (Redis 2.4): no aux fields, no checksum, deadlines in seconds.
	f := newRawFile(3).selectDB(0)
	f.key(TypeString, "s").str("v")
	f.expireSec(2000000000).key(TypeString, "s:ttl").str("ttl")
	f.key(TypeList, "list1").len(4).str("a").str("1").str(long).str("-7")
	f.key(TypeSet, "set2").len(3).str("x").str("y").str("3")
	f.key(TypeZSet, "zset3").len(5).str("a").oldDouble(1.5).str("b").oldDouble(math.Inf(1)).
		str("c").oldDouble(math.Inf(-1)).str("d").oldDouble(1e-5).str("e").oldDouble(-3)
	f.key(TypeHash, "hash4").len(2).str("f1").str("v1").str("f2").str("2")
	f.key(TypeHashZipmap, "zipmap").str(string(zipmap(2, "f1", "v1", "f2", "22", "long", long, "", "empty")))
	f.key(TypeHashZipmap, "zipmap-nofree").str(string(zipmap(0, "a", "1")))
	f.key(TypeListZiplist, "zl-list").str(string(ziplist("a", "0", "12", "13", "-1", "127", "128", "-129",
		"32767", "32768", "8388607", "8388608", "-8388609", "2147483647", "2147483648", "9223372036854775807",
		"-9223372036854775808", long, "after-long", huge, "007", "")))
	f.key(TypeSetIntset, "intset").str(string(intsetVal(5, 1, 70000).Blob))
	f.selectDB(3)
	f.key(TypeString, "db3").str("three")
	files["v3"] = f.eof(3)

	// Version 6 (Redis 2.6): ziplist hashes and sorted sets, deadlines in ms.
	f = newRawFile(6).selectDB(0)
	f.expireMs(4102444800123).key(TypeHashZiplist, "zl-hash").str(string(ziplist("f1", "v1", "num", "12345", "long", long)))
	f.key(TypeZSetZiplist, "zl-zset").str(string(ziplist("a", "1", "b", "2.5", "c", "-1e10", "d", "inf")))
	many := make([]string, 70000)
	for i := range many {
		many[i] = strconv.Itoa(i % 200)
	}
	f.key(TypeListZiplist, "zl-65535+").str(string(ziplist(many...)))
	f.key(TypeString, "lzf").lzfStr(strings.Repeat("compress me ", 100))
	files["v6"] = f.eof(6)

	// Version 9 (Redis 5 to 6.2): aux fields, quicklists of ziplists, binary scores,
	// LRU and LFU fields.
	f = newRawFile(9).aux("redis-ver", "6.2.14").aux("redis-bits", "64").aux("aof-preamble", "0")
	f.selectDB(0).op(opResizeDB).len(5).len(1)
	f.key(TypeListQuicklist, "ql").len(3).str(string(ziplist("a", "b", "1"))).
		lzfStr(string(ziplist(strings.Repeat("x", 100), "2", strings.Repeat("y", 50)))).str(string(ziplist(long, "z")))
	f.key(TypeListQuicklist, "ql-empty-node").len(2).str(string(ziplist())).str(string(ziplist("only")))
	f.key(TypeZSet2, "zset2").len(3).str("c").double(3).str("b").double(math.Inf(-1)).str("a").double(-0.5)
	f.op(opIdle).len(12345).key(TypeString, "idle").str("v")
	f.op(opFreq, 77).key(TypeString, "freq").str("v")
	f.key(TypeHashZiplist, "zl-hash-lzf").lzfStr(string(ziplist("field-aaaaaaaaaaaaaaaaaaaa", "value-aaaaaaaaaaaaaaaaaa")))
	f.key(TypeZSetZiplist, "zl-zset-int").str(string(ziplist("m", "5", "n", "-2")))
	files["v9"] = f.eof(9)

	// Empty collections, which Redis 6.2 could write: redis-server skips them (but
	// redis-check-rdb reports them as errors, so it is not run on this file).
	f = newRawFile(9).selectDB(0)
	f.key(TypeList, "empty-list").len(0)
	f.key(TypeSet, "empty-set").len(0)
	f.key(TypeHash, "empty-hash").len(0)
	f.key(TypeZSet2, "empty-zset").len(0)
	f.key(TypeListZiplist, "empty-ziplist").str(string(ziplist()))
	f.key(TypeHashZiplist, "empty-hash-ziplist").str(string(ziplist()))
	f.key(TypeListQuicklist, "empty-quicklist").len(1).str(string(ziplist()))
	f.key(TypeListQuicklist2, "empty-quicklist2").len(0)
	f.key(TypeHashListpack, "empty-listpack").str(string(listpackVal(0, nil).Blob))
	f.key(TypeString, "not-empty").str("here")
	files["empty"] = f.eof(9)
	return files
}

func TestOldEncodings(t *testing.T) {
	for name, file := range oldFiles() {
		_, _, keys, err := decodeAll(t, file, DecoderOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := map[string]decodedKey{}
		for _, k := range keys {
			got[strconv.Itoa(k.db)+"/"+k.key] = k
		}
		if name == "empty" && (len(keys) != 1 || keys[0].key != "not-empty") {
			t.Errorf("empty: keys %+v", keys)
		}
		// Spot checks that hold without redis-server; TestOracleOldEncodings checks all.
		switch name {
		case "v3":
			if k := got["0/s:ttl"]; k.meta.ExpireAt != 2000000000000 {
				t.Errorf("v3: deadline %d", k.meta.ExpireAt)
			}
			if k := got["0/zipmap"]; !strings.Contains(k.desc, `"long"="LLL`) || !strings.Contains(k.desc, `""="empty"`) {
				t.Errorf("v3: zipmap %.100s", k.desc)
			}
		case "v9":
			if k := got["0/idle"]; !k.meta.HasIdle || k.meta.Idle != 12345 {
				t.Errorf("v9: idle %+v", k.meta)
			}
			if k := got["0/freq"]; !k.meta.HasFreq || k.meta.Freq != 77 {
				t.Errorf("v9: freq %+v", k.meta)
			}
			if k := got["0/ql-empty-node"]; k.desc != `list:["only"]` {
				t.Errorf("v9: %s", k.desc)
			}
		}
	}
}

// TestOracleOldEncodings loads each old-format file into redis-server 7.0.15 and
// compares what it reports with what the Decoder reads.
func TestOracleOldEncodings(t *testing.T) {
	needRedis(t)
	for name, file := range oldFiles() {
		dir := t.TempDir()
		path := filepath.Join(dir, "dump.rdb")
		if err := os.WriteFile(path, file, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("redis-check-rdb", path).CombinedOutput(); err != nil && name != "empty" {
			t.Fatalf("%s: redis-check-rdb: %v\n%s", name, err, out)
		}
		s := startRedis(t, dir)
		want := s.describeAll(t, 16)
		_, _, keys, err := decodeAll(t, file, DecoderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != len(want) {
			t.Errorf("%s: decoded %d keys, redis-server has %d", name, len(keys), len(want))
		}
		for _, k := range keys {
			id := strconv.Itoa(k.db) + "/" + k.key
			w, ok := want[id]
			if !ok {
				t.Errorf("%s: key %s not in redis-server", name, id)
				continue
			}
			if k.desc != w.desc {
				t.Errorf("%s: key %s:\n got %.300s\nwant %.300s", name, id, k.desc, w.desc)
			}
			if k.meta.ExpireAt != w.expireAt {
				t.Errorf("%s: key %s: deadline %d, redis-server %d", name, id, k.meta.ExpireAt, w.expireAt)
			}
		}
		s.stop()
	}
}

// TestOldEncodingsConverted checks the representation old encodings arrive in.
func TestOldEncodingsConverted(t *testing.T) {
	want := map[string]Encoding{
		"list1": EncElems, "set2": EncElems, "zset3": EncElems, "hash4": EncElems, "zipmap": EncListpack,
		"zl-list": EncElems, "intset": EncIntset, "zl-hash": EncListpack, "zl-zset": EncListpack,
		"ql": EncQuicklist, "zset2": EncElems, "zl-65535+": EncElems,
	}
	for _, file := range oldFiles() {
		d := NewDecoder(bytes.NewReader(file), DecoderOptions{})
		for {
			rec, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.Kind != KindKey {
				continue
			}
			if enc, ok := want[string(rec.Key)]; ok && rec.Value.Enc != enc {
				t.Errorf("%s: encoding %d, want %d", rec.Key, rec.Value.Enc, enc)
			}
			if rec.Value.Enc == EncQuicklist {
				for _, n := range rec.Value.Nodes {
					if n.Plain {
						t.Errorf("%s: plain node", rec.Key)
					}
				}
			}
		}
		if d.Version() < 3 {
			t.Errorf("version %d", d.Version())
		}
	}
}

// newFiles are files of RDB version 11 (Redis 7.2, Valkey 7.2/8), which redis-server
// 7.0 refuses: listpack sets, streams with consumer active times, slot info.
func TestVersion11(t *testing.T) {
	f := newRawFile(11).aux("redis-ver", "7.2.4")
	f.selectDB(0).op(opResizeDB).len(4).len(0)
	f.op(opSlotInfo).len(5).len(4).len(0)
	lp := listpackVal(0, []string{"a", "b", "1", "-5"}).Blob
	f.key(TypeSetListpack, "lpset").str(string(lp))
	f.key(TypeListQuicklist2, "list").len(1).len(containerPacked).str(string(listpackVal(0, []string{"x", "y"}).Blob))
	// A stream of the 7.2 layout: one listpack node, one group with one pending entry
	// and one consumer.
	f.key(TypeStreamListpacks3, "stream").len(1).str(strings.Repeat("\x00", 16)).str(string(listpackVal(0, []string{"1", "2", "3"}).Blob))
	f.len(1).len(1700000000000).len(0)                     // length, last ID
	f.len(1700000000000).len(0).len(0).len(0).len(1)       // first ID, max deleted ID, entries added
	f.len(1).str("group").len(1700000000000).len(0).len(1) // one group: name, last ID, entries read
	f.len(1).op(make([]byte, 16)...).op(make([]byte, 8)...).len(1)
	f.len(1).str("consumer").op(make([]byte, 16)...).len(1).op(make([]byte, 16)...)
	f.key(TypeString, "after").str("ok")
	file := f.eof(11)

	_, _, keys, err := decodeAll(t, file, DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`set:{"-5" "1" "a" "b"}`, `list:["x" "y"]`, "unsupported: stream (stream-listpacks-3)", `string:"ok"`}
	if len(keys) != len(want) {
		t.Fatalf("keys %+v", keys)
	}
	for i, k := range keys {
		if k.desc != want[i] {
			t.Errorf("key %d: %s, want %s", i, k.desc, want[i])
		}
	}
	p := append([]byte{byte(TypeSetListpack)}, appendLen(nil, uint64(len(lp)))...)
	p = append(p, lp...)
	v, err := ParseDumpPayload(withVersion(append(p, make([]byte, 10)...), 11))
	if err != nil || mustDescribe(t, &v) != want[0] {
		t.Errorf("version 11 DUMP payload: %v", err)
	}
	if _, err := ParseDumpPayload(withVersion(append(p, make([]byte, 10)...), 12)); err != ErrDumpPayload {
		t.Errorf("version 12 payload: %v", err)
	}
}

// TestModules: module values and module aux data are skipped with an
// UnsupportedError naming the module type; pre-release formats stop the Decoder.
func TestModules(t *testing.T) {
	// Module type "mymodule1" with encoding version 3.
	const cset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var id uint64
	for _, c := range "mymodule1" {
		id = id<<6 | uint64(strings.IndexRune(cset, c))
	}
	id = id<<10 | 3
	f := newRawFile(10).aux("redis-ver", "7.0.0")
	f.op(opModuleAux).len(id).len(moduleOpUInt).len(2).len(moduleOpString).str("aux").len(moduleOpEOF)
	f.selectDB(0)
	f.key(TypeModule2, "mod").len(id).len(moduleOpSInt).len(5).len(moduleOpFloat).op(1, 2, 3, 4).
		len(moduleOpDouble).double(2.5).len(moduleOpString).lzfStr(strings.Repeat("m", 50)).len(moduleOpEOF)
	f.key(TypeString, "after").str("ok")
	file := f.eof(10)
	d := NewDecoder(bytes.NewReader(file), DecoderOptions{})
	var errs []string
	var keys []string
	for {
		rec, err := d.Next()
		if err == io.EOF {
			break
		}
		var u *UnsupportedError
		if errors.As(err, &u) {
			if !u.Skipped {
				t.Fatalf("not skipped: %v", u)
			}
			errs = append(errs, u.Error())
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Kind == KindKey {
			keys = append(keys, string(rec.Key))
		}
	}
	if len(errs) != 2 || !strings.Contains(errs[0], `aux data of module "mymodule1" (encver 3)`) ||
		!strings.Contains(errs[1], `key "mod"`) || !strings.Contains(errs[1], `"mymodule1" (encver 3)`) {
		t.Errorf("errors %q", errs)
	}
	if len(keys) != 1 || keys[0] != "after" {
		t.Errorf("keys %q", keys)
	}

	for name, f := range map[string]*rawFile{
		"module pre-GA":   newRawFile(10).selectDB(0).key(TypeModulePreGA, "m").len(id),
		"function pre-GA": newRawFile(10).op(opFunctionPreGA).str("name"),
	} {
		d := NewDecoder(bytes.NewReader(f.eof(10)), DecoderOptions{})
		var err error
		for err == nil {
			_, err = d.Next()
		}
		var u *UnsupportedError
		if !errors.As(err, &u) || u.Skipped {
			t.Errorf("%s: %v", name, err)
		}
		if _, err2 := d.Next(); err2 != err {
			t.Errorf("%s: error not sticky: %v", name, err2)
		}
	}
}
