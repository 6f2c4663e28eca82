package server

import (
	"strings"
	"testing"
	"time"

	"cairn/internal/keyspace"
)

// The expected replies in this file were recorded from redis-server 7.0.15.

func TestStringEncodingsAndObject(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	runCmds(t, rc, []testCmd{
		tc("+OK\r\n", "flushall"),
		// Encodings as SET chooses them.
		tc("+OK\r\n", "set", "k", "123"),
		tc("$3\r\nint\r\n", "object", "encoding", "k"),
		tc("+OK\r\n", "set", "k", "-9223372036854775808"),
		tc("$3\r\nint\r\n", "object", "encoding", "k"),
		tc("+OK\r\n", "set", "k", "9223372036854775808"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "k"),
		tc("+OK\r\n", "set", "k", "012"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "k"),
		tc("+OK\r\n", "set", "k", "+1"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "k"),
		tc("+OK\r\n", "set", "k", "-0"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "k"),
		tc("+OK\r\n", "set", "k", " 1"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "k"),
		tc("+OK\r\n", "set", "k", "12345678901234567890123456789012345678901234"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "k"),
		tc("+OK\r\n", "set", "k", "123456789012345678901234567890123456789012345"),
		tc("$3\r\nraw\r\n", "object", "encoding", "k"),
		tc("+OK\r\n", "set", "k", ""),
		tc("$6\r\nembstr\r\n", "object", "encoding", "k"),
		tc("$0\r\n\r\n", "get", "k"),
		tc(":0\r\n", "strlen", "k"),
		// APPEND on a missing key encodes like SET; on an existing one it makes raw.
		tc(":3\r\n", "append", "a", "123"),
		tc("$3\r\nint\r\n", "object", "encoding", "a"),
		tc(":4\r\n", "append", "a", "4"),
		tc("$3\r\nraw\r\n", "object", "encoding", "a"),
		tc("$4\r\n1234\r\n", "get", "a"),
		tc(":1235\r\n", "incr", "a"),
		tc("$3\r\nint\r\n", "object", "encoding", "a"),
		tc(":3\r\n", "append", "b", "abc"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "b"),
		tc(":3\r\n", "append", "b", ""),
		tc("$3\r\nraw\r\n", "object", "encoding", "b"),
		tc(":3\r\n", "strlen", "b"),
		// SETRANGE always leaves raw; INCR makes int; INCRBYFLOAT embstr (or raw past 44 bytes).
		tc("+OK\r\n", "set", "c", "5"),
		tc(":1\r\n", "setrange", "c", "0", "6"),
		tc("$3\r\nraw\r\n", "object", "encoding", "c"),
		tc(":7\r\n", "incr", "c"),
		tc("$3\r\nint\r\n", "object", "encoding", "c"),
		tc("$1\r\n8\r\n", "incrbyfloat", "c", "1"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "c"),
		tc("$1\r\n8\r\n", "get", "c"),
		tc("$51\r\n100000000000000000003583830118858923890798487404544\r\n", "incrbyfloat", "c", "1e50"),
		tc("$3\r\nraw\r\n", "object", "encoding", "c"),
		tc("$51\r\n100000000000000000003583830118858923890798487404544\r\n", "getset", "c", "77"),
		tc("$3\r\nint\r\n", "object", "encoding", "c"),
		tc("+OK\r\n", "set", "d", "hello"),
		tc("$5\r\nhello\r\n", "getex", "d", "px", "100000"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "d"),
		tc("+OK\r\n", "mset", "e1", "1", "e2", "hello", "e3", "123456789012345678901234567890123456789012345"),
		tc("$3\r\nint\r\n", "object", "encoding", "e1"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "e2"),
		tc("$3\r\nraw\r\n", "object", "encoding", "e3"),
		tc(":1\r\n", "setnx", "e4", "10"),
		tc("$3\r\nint\r\n", "object", "encoding", "e4"),
		// OBJECT subcommands.
		tc(":2147483647\r\n", "object", "refcount", "e1"),
		tc("+OK\r\n", "set", "e5", "10000"),
		tc(":1\r\n", "object", "refcount", "e5"),
		tc("+OK\r\n", "set", "e6", "-1"),
		tc(":1\r\n", "object", "refcount", "e6"),
		tc(":1\r\n", "object", "refcount", "e2"),
		tc("$-1\r\n", "object", "refcount", "nokey"),
		tc("$-1\r\n", "object", "encoding", "nokey"),
		tc("$-1\r\n", "object", "idletime", "nokey"),
		tc("$-1\r\n", "object", "freq", "nokey"),
		tc("-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n", "object", "freq", "e1"),
		tc("-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n", "object", "foo", "e1"),
		tc("-ERR wrong number of arguments for 'object|encoding' command\r\n", "object", "encoding"),
		tc("-ERR wrong number of arguments for 'object|encoding' command\r\n", "object", "encoding", "a", "b"),
		tc("-ERR wrong number of arguments for 'object|help' command\r\n", "object", "help", "x"),
	})
}

func TestStringRangesAndCounters(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	runCmds(t, rc, []testCmd{
		tc("+OK\r\n", "flushall"),
		// GETRANGE / SUBSTR: negative and out-of-range offsets.
		tc("+OK\r\n", "set", "s", "Hello World"),
		tc("$5\r\nHello\r\n", "getrange", "s", "0", "4"),
		tc("$5\r\nWorld\r\n", "getrange", "s", "-5", "-1"),
		tc("$0\r\n\r\n", "getrange", "s", "-1", "-5"),
		tc("$0\r\n\r\n", "getrange", "s", "5", "3"),
		tc("$8\r\nlo World\r\n", "getrange", "s", "3", "1000"),
		tc("$3\r\nHel\r\n", "getrange", "s", "-1000", "2"),
		tc("$0\r\n\r\n", "getrange", "s", "-100", "-200"),
		tc("$1\r\nH\r\n", "getrange", "s", "0", "-100"),
		tc("$1\r\nd\r\n", "getrange", "s", "10", "10"),
		tc("$0\r\n\r\n", "getrange", "s", "11", "11"),
		tc("$11\r\nHello World\r\n", "getrange", "s", "-9223372036854775808", "9223372036854775807"),
		tc("$0\r\n\r\n", "getrange", "s", "9223372036854775807", "-9223372036854775808"),
		tc("$5\r\nWorld\r\n", "substr", "s", "6", "-1"),
		tc("$0\r\n\r\n", "getrange", "nokey", "0", "-1"),
		tc("-ERR value is not an integer or out of range\r\n", "getrange", "s", "x", "0"),
		tc("-ERR value is not an integer or out of range\r\n", "getrange", "s", "0", "x"),
		tc("-ERR value is not an integer or out of range\r\n", "getrange", "s", "0", "1.5"),
		tc("+OK\r\n", "set", "i", "-1234"),
		tc("$2\r\n12\r\n", "getrange", "i", "1", "2"),
		tc("$2\r\n34\r\n", "getrange", "i", "-2", "-1"),
		tc("+OK\r\n", "set", "e", ""),
		tc("$0\r\n\r\n", "getrange", "e", "0", "-1"),
		tc("$0\r\n\r\n", "getrange", "e", "-1", "0"),
		tc("$0\r\n\r\n", "getrange", "e", "0", "0"),
		// SETRANGE: zero padding, creating keys, empty values, limits.
		tc(":7\r\n", "setrange", "r", "5", "ab"),
		tc("$7\r\n\x00\x00\x00\x00\x00ab\r\n", "get", "r"),
		tc("$3\r\nraw\r\n", "object", "encoding", "r"),
		tc(":7\r\n", "setrange", "r", "0", "XY"),
		tc("$7\r\nXY\x00\x00\x00ab\r\n", "get", "r"),
		tc(":7\r\n", "setrange", "r", "20", ""),
		tc(":7\r\n", "strlen", "r"),
		tc(":0\r\n", "setrange", "r2", "100", ""),
		tc(":0\r\n", "exists", "r2"),
		tc(":0\r\n", "setrange", "r2", "0", ""),
		tc(":0\r\n", "exists", "r2"),
		tc("-ERR offset is out of range\r\n", "setrange", "r", "-1", "x"),
		tc("-ERR offset is out of range\r\n", "setrange", "r", "-1", ""),
		tc("-ERR offset is out of range\r\n", "setrange", "nokey", "-1", ""),
		tc("-ERR value is not an integer or out of range\r\n", "setrange", "r", "x", "y"),
		// The size limit is proto-max-bulk-len; at its 1mb minimum the same paths run
		// without allocating 512 MB (slow under the race detector).
		tc("+OK\r\n", "config", "set", "proto-max-bulk-len", "1mb"),
		tc(":1048576\r\n", "setrange", "r", "1048575", "x"),
		tc("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "setrange", "r", "1048576", "x"),
		tc("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "setrange", "r", "9223372036854775807", "x"),
		tc(":1048576\r\n", "setrange", "r", "1048576", ""),
		tc("+OK\r\n", "config", "set", "proto-max-bulk-len", "512mb"),
		tc(":3\r\n", "setrange", "new", "0", "abc"),
		tc("$3\r\nraw\r\n", "object", "encoding", "new"),
		tc("+OK\r\n", "set", "n", "12345"),
		tc(":5\r\n", "setrange", "n", "2", "x"),
		tc("$5\r\n12x45\r\n", "get", "n"),
		tc(":8\r\n", "setrange", "n", "7", "z"),
		tc("$8\r\n12x45\x00\x00z\r\n", "get", "n"),
		// INCR family.
		tc("+OK\r\n", "set", "c", "10"),
		tc(":11\r\n", "incr", "c"),
		tc(":10\r\n", "decr", "c"),
		tc(":110\r\n", "incrby", "c", "100"),
		tc(":60\r\n", "decrby", "c", "50"),
		tc(":50\r\n", "incrby", "c", "-10"),
		tc("-ERR value is not an integer or out of range\r\n", "incrby", "c", "x"),
		tc("-ERR value is not an integer or out of range\r\n", "incrby", "c", "1.5"),
		tc("-ERR value is not an integer or out of range\r\n", "incrby", "c", ""),
		tc("-ERR decrement would overflow\r\n", "decrby", "c", "-9223372036854775808"),
		tc(":-5\r\n", "incrby", "nc", "-5"),
		tc("+OK\r\n", "set", "big", "9223372036854775807"),
		tc("-ERR increment or decrement would overflow\r\n", "incr", "big"),
		tc(":9223372036854775807\r\n", "incrby", "big", "0"),
		tc(":9223372036854775806\r\n", "decr", "big"),
		tc("+OK\r\n", "set", "small", "-9223372036854775808"),
		tc("-ERR increment or decrement would overflow\r\n", "decr", "small"),
		tc("-ERR increment or decrement would overflow\r\n", "incrby", "small", "-1"),
		tc(":-1\r\n", "incrby", "small", "9223372036854775807"),
		tc("+OK\r\n", "set", "sp", " 1"),
		tc("-ERR value is not an integer or out of range\r\n", "incr", "sp"),
		tc("+OK\r\n", "set", "f", "1.5"),
		tc("-ERR value is not an integer or out of range\r\n", "incr", "f"),
		tc("+OK\r\n", "set", "z", "00"),
		tc("-ERR value is not an integer or out of range\r\n", "incr", "z"),
		tc("+OK\r\n", "set", "longnum", "12345678901234567890"),
		tc("-ERR value is not an integer or out of range\r\n", "incr", "longnum"),
		tc("+OK\r\n", "set", "r", "5"),
		tc(":2\r\n", "append", "r", "0"),
		tc(":51\r\n", "incr", "r"),
		tc("$3\r\nint\r\n", "object", "encoding", "r"),
		// INCRBYFLOAT: long double arithmetic and formatting.
		tc("+OK\r\n", "set", "ld", "10.5"),
		tc("$4\r\n10.6\r\n", "incrbyfloat", "ld", "0.1"),
		tc("$22\r\n5010.60000000000000009\r\n", "incrbyfloat", "ld", "5e3"),
		tc("$1\r\n0\r\n", "incrbyfloat", "ld", "-5010.6"),
		tc("+OK\r\n", "set", "ld2", "1"),
		tc("$3\r\n1.1\r\n", "incrbyfloat", "ld2", "0.1"),
		tc("$1\r\n0\r\n", "incrbyfloat", "ld2", "-1.1"),
		tc("$1\r\n0\r\n", "incrbyfloat", "ld3", "1e-20"),
		tc("$308\r\n99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048\r\n", "incrbyfloat", "ld4", "1e308"),
		tc("$309\r\n199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096\r\n", "incrbyfloat", "ld4", "1e308"),
		tc("$309\r\n199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096\r\n", "get", "ld4"),
		tc("$1\r\n0\r\n", "incrbyfloat", "ld5", "-0"),
		tc("$2\r\n16\r\n", "incrbyfloat", "ld6", "0x10"),
		tc("-ERR value is not a valid float\r\n", "incrbyfloat", "ld7", "1e"),
		tc("-ERR value is not a valid float\r\n", "incrbyfloat", "ld7", ""),
		tc("-ERR value is not a valid float\r\n", "incrbyfloat", "ld7", " 1"),
		tc("-ERR value is not a valid float\r\n", "incrbyfloat", "ld7", "1 "),
		tc("-ERR increment would produce NaN or Infinity\r\n", "incrbyfloat", "ld7", "inf"),
		tc("-ERR increment would produce NaN or Infinity\r\n", "incrbyfloat", "ld7", "-inf"),
		tc("-ERR value is not a valid float\r\n", "incrbyfloat", "ld7", "nan"),
		tc("$1\r\n3\r\n", "incrbyfloat", "ld7", "3.0e0"),
		tc("+OK\r\n", "set", "nf", "abc"),
		tc("-ERR value is not a valid float\r\n", "incrbyfloat", "nf", "1"),
		tc("+OK\r\n", "set", "ws", " 1.5"),
		tc("-ERR value is not a valid float\r\n", "incrbyfloat", "ws", "1"),
		tc("+OK\r\n", "set", "ws2", "1.5 "),
		tc("-ERR value is not a valid float\r\n", "incrbyfloat", "ws2", "1"),
		tc("+OK\r\n", "set", "ih", "5"),
		tc(":1\r\n", "expire", "ih", "100"),
		tc("$3\r\n7.5\r\n", "incrbyfloat", "ih", "2.5"),
		tc(":100\r\n", "ttl", "ih"),
		tc("$1\r\n8\r\n", "incrbyfloat", "ih", "0.5"),
		tc("$6\r\nembstr\r\n", "object", "encoding", "ih"),
		tc(":9\r\n", "incr", "ih"),
		tc(":100\r\n", "ttl", "ih"),
	})
}

func TestLCSAndSetFamily(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	runCmds(t, rc, []testCmd{
		tc("+OK\r\n", "flushall"),
		// LCS.
		tc("+OK\r\n", "mset", "key1", "ohmytext", "key2", "mynewtext"),
		tc("$6\r\nmytext\r\n", "lcs", "key1", "key2"),
		tc(":6\r\n", "lcs", "key1", "key2", "LEN"),
		tc("*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n", "lcs", "key1", "key2", "IDX"),
		tc("*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n", "lcs", "key1", "key2", "idx", "minmatchlen", "4"),
		tc("*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n", "lcs", "key1", "key2", "idx", "minmatchlen", "4", "withmatchlen"),
		tc("*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n", "lcs", "key1", "key2", "idx", "withmatchlen"),
		tc("$6\r\nmytext\r\n", "lcs", "key1", "key2", "withmatchlen"),
		tc("*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n", "lcs", "key1", "key2", "minmatchlen", "-5", "idx"),
		tc("-ERR If you want both the length and indexes, please just use IDX.\r\n", "lcs", "key1", "key2", "len", "idx"),
		tc("-ERR If you want both the length and indexes, please just use IDX.\r\n", "lcs", "key1", "key2", "idx", "len"),
		tc("-ERR syntax error\r\n", "lcs", "key1", "key2", "minmatchlen"),
		tc("-ERR value is not an integer or out of range\r\n", "lcs", "key1", "key2", "minmatchlen", "x"),
		tc("-ERR syntax error\r\n", "lcs", "key1", "key2", "foo"),
		tc("$0\r\n\r\n", "lcs", "key1", "nokey"),
		tc("*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n", "lcs", "nokey", "nokey2", "idx"),
		tc(":0\r\n", "lcs", "nokey", "nokey2", "len"),
		tc("*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:7\r\n*2\r\n:0\r\n:7\r\n:8\r\n$3\r\nlen\r\n:8\r\n", "lcs", "key1", "key1", "idx", "withmatchlen"),
		tc("+OK\r\n", "mset", "a1", "abcdefghij", "b1", "xbcdyefghz"),
		tc("*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:1\r\n:3\r\n*2\r\n:1\r\n:3\r\n:3\r\n$3\r\nlen\r\n:7\r\n", "lcs", "a1", "b1", "idx", "withmatchlen"),
		tc("$7\r\nbcdefgh\r\n", "lcs", "a1", "b1"),
		tc("+OK\r\n", "mset", "n", "1234567", "m", "9234560"),
		tc("*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:1\r\n:5\r\n*2\r\n:1\r\n:5\r\n$3\r\nlen\r\n:5\r\n", "lcs", "n", "m", "idx"),
		tc("$5\r\n23456\r\n", "lcs", "n", "m"),
		tc("+OK\r\n", "mset", "p1", "aaaa", "p2", "aa"),
		tc("*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:2\r\n", "lcs", "p1", "p2", "idx", "withmatchlen"),
		tc("-ERR wrong number of arguments for 'lcs' command\r\n", "lcs", "key1"),
		// SET options.
		tc("-ERR invalid expire time in 'set' command\r\n", "set", "k", "v", "ex", "0"),
		tc("-ERR invalid expire time in 'set' command\r\n", "set", "k", "v", "ex", "-1"),
		tc("-ERR invalid expire time in 'set' command\r\n", "set", "k", "v", "px", "0"),
		tc("-ERR value is not an integer or out of range\r\n", "set", "k", "v", "ex", "abc"),
		tc("-ERR invalid expire time in 'set' command\r\n", "set", "k", "v", "px", "9223372036854775807"),
		tc("-ERR invalid expire time in 'set' command\r\n", "set", "k", "v", "ex", "9223372036854775"),
		tc("-ERR invalid expire time in 'set' command\r\n", "set", "k", "v", "exat", "9223372036854775807"),
		tc("+OK\r\n", "set", "k", "v", "pxat", "9223372036854775807"),
		tc("+OK\r\n", "set", "k", "v", "pxat", "1"),
		tc(":0\r\n", "exists", "k"),
		tc("-ERR syntax error\r\n", "set", "k", "v", "ex", "10", "px", "10"),
		tc("-ERR syntax error\r\n", "set", "k", "v", "ex", "10", "keepttl"),
		tc("-ERR syntax error\r\n", "set", "k", "v", "keepttl", "px", "10"),
		tc("-ERR syntax error\r\n", "set", "k", "v", "nx", "xx"),
		tc("-ERR syntax error\r\n", "set", "k", "v", "xx", "nx"),
		tc("-ERR syntax error\r\n", "set", "k", "v", "ex"),
		tc("-ERR syntax error\r\n", "set", "k", "v", "foo"),
		tc("-ERR syntax error\r\n", "set", "k", "v", "persist"),
		tc("+OK\r\n", "set", "k", "v", "ex", "10", "ex", "20"),
		tc(":20\r\n", "ttl", "k"),
		tc("+OK\r\n", "set", "k", "v2", "keepttl"),
		tc(":20\r\n", "ttl", "k"),
		tc("$2\r\nv2\r\n", "get", "k"),
		tc("+OK\r\n", "set", "k", "v3"),
		tc(":-1\r\n", "ttl", "k"),
		tc("$2\r\nv3\r\n", "set", "k", "v4", "get"),
		tc("$2\r\nv4\r\n", "set", "k", "v5", "get", "nx"),
		tc("$2\r\nv4\r\n", "set", "k", "v6", "nx", "get"),
		tc("$-1\r\n", "set", "k2", "v", "get", "xx"),
		tc("$-1\r\n", "set", "k2", "v", "xx", "get"),
		tc(":0\r\n", "exists", "k2"),
		tc("$-1\r\n", "set", "k3", "v", "nx", "get"),
		tc("$-1\r\n", "set", "k3", "v", "nx"),
		tc(":0\r\n", "setnx", "k3", "x"),
		tc(":1\r\n", "setnx", "k4", "x"),
		tc("+OK\r\n", "setex", "k5", "10", "v"),
		tc(":10\r\n", "ttl", "k5"),
		tc("-ERR invalid expire time in 'setex' command\r\n", "setex", "k5", "0", "v"),
		tc("-ERR invalid expire time in 'setex' command\r\n", "setex", "k5", "-1", "v"),
		tc("-ERR value is not an integer or out of range\r\n", "setex", "k5", "x", "v"),
		tc("-ERR invalid expire time in 'setex' command\r\n", "setex", "k5", "9223372036854775", "v"),
		tc("-ERR invalid expire time in 'psetex' command\r\n", "psetex", "k5", "0", "v"),
		tc("+OK\r\n", "psetex", "k5", "100000", "v"),
		tc("-ERR invalid expire time in 'psetex' command\r\n", "psetex", "k5", "9223372036854775807", "v"),
		// GETEX and GETDEL.
		tc("+OK\r\n", "set", "g", "v"),
		tc("$1\r\nv\r\n", "getex", "g"),
		tc("$1\r\nv\r\n", "getex", "g", "ex", "100"),
		tc(":100\r\n", "ttl", "g"),
		tc("$1\r\nv\r\n", "getex", "g", "persist"),
		tc(":-1\r\n", "ttl", "g"),
		tc("-ERR syntax error\r\n", "getex", "g", "px", "100000", "persist"),
		tc("-ERR syntax error\r\n", "getex", "g", "persist", "ex", "10"),
		tc("-ERR syntax error\r\n", "getex", "g", "ex", "10", "px", "10"),
		tc("-ERR syntax error\r\n", "getex", "g", "exat", "10", "pxat", "10"),
		tc("-ERR syntax error\r\n", "getex", "g", "keepttl"),
		tc("-ERR syntax error\r\n", "getex", "g", "foo"),
		tc("-ERR syntax error\r\n", "getex", "g", "ex"),
		tc("-ERR invalid expire time in 'getex' command\r\n", "getex", "g", "ex", "0"),
		tc("-ERR invalid expire time in 'getex' command\r\n", "getex", "g", "ex", "-5"),
		tc("-ERR value is not an integer or out of range\r\n", "getex", "g", "ex", "x"),
		tc("$-1\r\n", "getex", "nokey", "ex", "x"),
		tc("-ERR syntax error\r\n", "getex", "nokey", "foo"),
		tc("$1\r\nv\r\n", "getex", "g", "exat", "1"),
		tc(":0\r\n", "exists", "g"),
		tc("+OK\r\n", "set", "g", "v"),
		tc("$1\r\nv\r\n", "getex", "g", "pxat", "1"),
		tc(":0\r\n", "exists", "g"),
		tc("$-1\r\n", "getdel", "g"),
		tc("+OK\r\n", "set", "g", "v"),
		tc("$1\r\nv\r\n", "getdel", "g"),
		tc("$-1\r\n", "getdel", "g"),
		tc("-ERR wrong number of arguments for 'getset' command\r\n", "getset", "g"),
		tc("$-1\r\n", "getset", "g", "new"),
		tc("$3\r\nnew\r\n", "getset", "g", "newer"),
		// MSET family.
		tc("-ERR wrong number of arguments for 'mset' command\r\n", "mset", "a"),
		tc("-ERR wrong number of arguments for 'mset' command\r\n", "mset", "a", "1", "b"),
		tc("-ERR wrong number of arguments for 'msetnx' command\r\n", "msetnx", "a", "1", "b"),
		tc("+OK\r\n", "mset", "a", "1", "a", "2"),
		tc("$1\r\n2\r\n", "get", "a"),
		tc(":0\r\n", "msetnx", "a", "1", "b", "2"),
		tc(":1\r\n", "msetnx", "x1", "1", "x2", "2", "x1", "3"),
		tc("$1\r\n3\r\n", "get", "x1"),
		tc("*4\r\n$1\r\n3\r\n$1\r\n2\r\n$-1\r\n$1\r\n2\r\n", "mget", "x1", "x2", "x3", "a"),
		tc("-ERR wrong number of arguments for 'mget' command\r\n", "mget"),
		tc(":1\r\n", "strlen", "a"),
		tc(":0\r\n", "strlen", "nokey"),
	})
}

func TestStringWrongType(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	putList(s, 0, "list")
	const wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	for _, cmd := range [][]string{
		{"GET", "list"}, {"GETSET", "list", "v"}, {"GETDEL", "list"}, {"GETEX", "list"},
		{"GETEX", "list", "EX", "abc"}, {"SET", "list", "v", "GET"}, {"STRLEN", "list"},
		{"APPEND", "list", "x"}, {"INCR", "list"}, {"DECRBY", "list", "5"},
		{"INCRBYFLOAT", "list", "1"}, {"INCRBYFLOAT", "list", "abc"},
		{"GETRANGE", "list", "0", "-1"}, {"SUBSTR", "list", "0", "1"},
		{"SETRANGE", "list", "0", "x"}, {"SETRANGE", "list", "0", ""},
	} {
		rc.expect(wrongType, cmd...)
	}
	runCmds(t, rc, []testCmd{
		tc("-ERR value is not an integer or out of range\r\n", "GETRANGE", "list", "x", "0"),
		tc("-ERR offset is out of range\r\n", "SETRANGE", "list", "-1", "x"),
		tc("-ERR The specified keys must contain string values\r\n", "LCS", "list", "nokey"),
		tc("-ERR The specified keys must contain string values\r\n", "LCS", "nokey", "list", "foo"),
		tc("*2\r\n$-1\r\n$-1\r\n", "MGET", "list", "nokey"),
		tc("$-1\r\n", "SET", "list", "v", "NX"),
		tc("+list\r\n", "TYPE", "list"),
		tc("+OK\r\n", "SET", "list", "v"),
		tc("+string\r\n", "TYPE", "list"),
	})
	putList(s, 0, "list")
	rc.expect("+OK\r\n", "MSET", "list", "v")
	rc.expect("+string\r\n", "TYPE", "list")
}

func TestLCSResp3(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.do("HELLO", "3")
	runCmds(t, rc, []testCmd{
		tc("+OK\r\n", "MSET", "key1", "ohmytext", "key2", "mynewtext"),
		tc("%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n",
			"LCS", "key1", "key2", "IDX", "WITHMATCHLEN"),
		tc(":6\r\n", "LCS", "key1", "key2", "LEN"),
		tc("%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n", "LCS", "nokey", "key2", "IDX"),
		tc("_\r\n", "GET", "nokey"),
		tc("_\r\n", "OBJECT", "ENCODING", "nokey"),
		tc("_\r\n", "GETEX", "nokey"),
		tc("*2\r\n_\r\n$8\r\nohmytext\r\n", "MGET", "nokey", "key1"),
	})
}

func TestStringLimits(t *testing.T) {
	s := startServer(t, "--proto-max-bulk-len", "1mb")
	rc := dial(t, s)
	big := strings.Repeat("x", 1<<20-2)
	runCmds(t, rc, []testCmd{
		tc(":1048575\r\n", "SETRANGE", "k", "1048574", "x"),
		tc(":1048576\r\n", "SETRANGE", "k", "1048575", "x"),
		tc("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "SETRANGE", "k", "1048576", "x"),
		tc("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "SETRANGE", "k", "9223372036854775807", "x"),
		tc("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "SETRANGE", "new", "1048576", "x"),
		tc(":0\r\n", "SETRANGE", "new", "1048576", ""),
		tc(":1048576\r\n", "SETRANGE", "k", "1048576", ""),
		tc(":1048574\r\n", "APPEND", "a", big),
		tc(":1048576\r\n", "APPEND", "a", "yy"),
		tc("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "APPEND", "a", "z"),
		tc(":1048576\r\n", "APPEND", "a", ""),
		tc("$2\r\nyy\r\n", "GETRANGE", "a", "-2", "-1"),
	})
}

func TestObjectIdletimeAndFreq(t *testing.T) {
	s := startServer(t)
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "k", "v")
	rc.expect(":0\r\n", "OBJECT", "IDLETIME", "k")
	age := func(key string, d time.Duration) {
		withKeyspace(s, func(ks *keyspace.Keyspace) {
			ks.DBs[0].Peek([]byte(key)).Obj.LRU = keyspace.LRUClock(keyspace.Now() - d.Milliseconds())
		})
	}
	age("k", 100*time.Second)
	// Commands that do not touch the key leave its idle time alone.
	for _, cmd := range [][]string{{"TYPE", "k"}, {"EXISTS", "k"}, {"TTL", "k"}, {"OBJECT", "ENCODING", "k"}, {"SCAN", "0", "TYPE", "string"}, {"KEYS", "*"}} {
		rc.do(cmd...)
	}
	if idle := intReply(t, rc.do("OBJECT", "IDLETIME", "k")); idle < 99 || idle > 101 {
		t.Fatalf("IDLETIME after aging: %d", idle)
	}
	// Reads and writes touch it.
	for _, cmd := range [][]string{{"GET", "k"}, {"APPEND", "k", "x"}, {"TOUCH", "k"}, {"STRLEN", "k"}, {"EXPIRE", "k", "100"}, {"SETRANGE", "k", "0", "y"}, {"GETRANGE", "k", "0", "1"}} {
		age("k", 50*time.Second)
		rc.do(cmd...)
		rc.expect(":0\r\n", "OBJECT", "IDLETIME", "k")
	}
	rc.expect("+OK\r\n", "SET", "n", "100")
	age("n", 50*time.Second)
	rc.expect(":101\r\n", "INCR", "n")
	rc.expect(":0\r\n", "OBJECT", "IDLETIME", "n")
	// RENAME keeps the value's clock; COPY makes a new one.
	age("n", 50*time.Second)
	rc.expect(":1\r\n", "COPY", "n", "n2")
	rc.expect(":0\r\n", "OBJECT", "IDLETIME", "n2")
	age("n", 50*time.Second)
	rc.expect("+OK\r\n", "RENAME", "n", "n3")
	rc.expect(":0\r\n", "OBJECT", "IDLETIME", "n3") // RENAME's write lookup touched it first

	const lfuOff = "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n"
	rc.expect(lfuOff, "OBJECT", "FREQ", "k")

	s2 := startServer(t, "--maxmemory-policy", "allkeys-lfu")
	withKeyspace(s2, func(ks *keyspace.Keyspace) { ks.LFU = true })
	rc2 := dial(t, s2)
	rc2.expect("+OK\r\n", "SET", "k", "v")
	rc2.expect("-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n", "OBJECT", "IDLETIME", "k")
	rc2.expect(":5\r\n", "OBJECT", "FREQ", "k") // LFU_INIT_VAL
	for i := 0; i < 1000; i++ {
		rc2.do("GET", "k")
	}
	if f := intReply(t, rc2.do("OBJECT", "FREQ", "k")); f <= 5 || f > 255 {
		t.Fatalf("FREQ after 1000 reads: %d", f)
	}
	rc2.expect("$-1\r\n", "OBJECT", "FREQ", "nokey")
}

func TestObjectRefcountWithoutSharing(t *testing.T) {
	s := startServer(t, "--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru")
	rc := dial(t, s)
	rc.expect("+OK\r\n", "SET", "k", "5")
	rc.expect(":1\r\n", "OBJECT", "REFCOUNT", "k")
	rc.expect("$3\r\nint\r\n", "OBJECT", "ENCODING", "k")
	if got := rc.do("OBJECT", "HELP"); !strings.HasPrefix(got, "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n") {
		t.Fatalf("OBJECT HELP: %q", got)
	}
}
