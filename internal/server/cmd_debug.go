package server

import (
	"cairn/internal/ds/quicklist"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"cairn/internal/conv"
	"cairn/internal/ds/listpack"
	"cairn/internal/glob"
	"cairn/internal/keyspace"
	"cairn/internal/types"
)

var debugProcs = procTable{
	"debug": debugCommand,
}

// allowProtected is the gate's check of Redis 7.0's protected commands (DEBUG, MODULE
// LOAD/LOADEX/UNLOAD), made right after the arity check and before authentication, as
// in Redis: enable-debug-command and enable-module-command say "yes", "no", or "local"
// (loopback and Unix socket clients only). It replies and reports false when the
// command is refused. Caller holds the executor lock.
func (s *Server) allowProtected(c *client, cmd *command) bool {
	var setting, what, option string
	switch cmd.name {
	case "debug":
		setting, what, option = s.cfg.EnableDebugCommand, "DEBUG", "enable-debug-command"
	case "module|load", "module|loadex", "module|unload":
		setting, what, option = s.cfg.EnableModuleCommand, "MODULE", "enable-module-command"
	default:
		return true
	}
	if setting == "yes" || (setting == "local" && c.isLocal()) {
		return true
	}
	c.rejectCommand(cmd, "ERR "+what+" command not allowed. If the "+option+
		" option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
	return false
}

// isLocal is Redis's islocalClient: a Unix socket, or a peer at 127.0.0.1 or ::1.
func (c *client) isLocal() bool {
	if c.conn.RemoteAddr().Network() == "unix" {
		return true
	}
	host, _, err := net.SplitHostPort(c.addr)
	if err != nil {
		return false
	}
	return host == "127.0.0.1" || host == "::1"
}

// debugSub is one DEBUG subcommand: its handler and the argument counts it accepts
// (counting DEBUG and the subcommand name); max < 0 means no upper bound.
type debugSub struct {
	min, max int
	fn       func(c *client)
}

var debugSubs map[string]debugSub

func init() {
	debugSubs = map[string]debugSub{
		"help":                         {2, 2, func(c *client) { c.replyHelp("debug") }},
		"segfault":                     {2, -1, debugCrash},
		"panic":                        {2, -1, debugCrash},
		"assert":                       {2, -1, debugCrash},
		"oom":                          {2, -1, debugCrash},
		"restart":                      {2, -1, debugUnsupported},
		"crash-and-recover":            {2, -1, debugUnsupported},
		"log":                          {3, 3, debugLog},
		"leak":                         {3, 3, debugLeak},
		"reload":                       {2, -1, debugReload},
		"loadaof":                      {2, -1, debugLoadAOF},
		"drop-cluster-packet-filter":   {3, 3, debugDropClusterPacketFilter},
		"object":                       {3, 3, debugObject},
		"sdslen":                       {3, 3, debugSdslen},
		"listpack":                     {3, 3, debugListpack},
		"quicklist":                    {3, 4, debugQuicklist},
		"populate":                     {3, 5, debugPopulate},
		"digest":                       {2, 2, debugDigest},
		"digest-value":                 {2, -1, debugDigestValue},
		"protocol":                     {3, 3, debugProtocol},
		"sleep":                        {3, 3, debugSleep},
		"set-active-expire":            {3, 3, debugSetActiveExpire},
		"quicklist-packed-threshold":   {3, 3, debugQuicklistPackedThreshold},
		"set-skip-checksum-validation": {3, 3, func(c *client) { c.srv.admin.skipChecksumValidation = atoi(c.argv[2]) != 0; c.w.OK() }},
		"aof-flush-sleep":              {3, 3, func(c *client) { c.srv.admin.aofFlushSleep = atoi(c.argv[2]); c.w.OK() }},
		"replicate":                    {3, -1, func(c *client) { c.w.OK() }}, // no replicas to feed
		"error":                        {3, 3, debugError},
		"structsize":                   {2, 2, debugStructsize},
		"htstats":                      {3, -1, debugHTStats},
		"htstats-key":                  {3, -1, debugHTStatsKey},
		"change-repl-id":               {2, 2, debugChangeReplID},
		"stringmatch-test":             {2, 2, debugStringmatchTest},
		"set-disable-deny-scripts":     {3, 3, func(c *client) { c.srv.admin.disableDenyScripts = atoi(c.argv[2]) != 0; c.w.OK() }},
		"config-rewrite-force-all":     {2, 2, debugConfigRewriteForceAll},
		"client-eviction":              {2, 2, debugClientEviction},
		"pause-cron":                   {3, 3, func(c *client) { c.srv.admin.pauseCron = atoi(c.argv[2]) != 0; c.w.OK() }},
		"replybuffer":                  {4, 4, debugReplyBuffer},
		"clusterlink":                  {5, 5, debugClusterlink},
	}
}

// DEBUG subcommand [arg ...]
//
// The subcommands that crash redis-server on purpose (SEGFAULT, PANIC, ASSERT, OOM)
// panic inside the command instead: Cairn recovers that at the command boundary, as
// it does for any bug, so they exercise the recovery path and count in
// executor_panics. The ones that need a restart (RESTART, CRASH-AND-RECOVER) answer
// that Cairn cannot do them yet.
func debugCommand(c *client) {
	sub, ok := debugSubs[strings.ToLower(string(c.argv[1]))]
	if !ok || len(c.argv) < sub.min || (sub.max >= 0 && len(c.argv) > sub.max) {
		c.replySubcommandSyntaxError()
		return
	}
	sub.fn(c)
}

// atoi is C's atoi, which DEBUG uses for its switches: optional spaces and sign, then
// digits; anything else ends the number, and no digits gives 0.
func atoi(b []byte) int64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	var n int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if neg {
		n = -n
	}
	return int32ish(n)
}

// int32ish truncates to a C int, as atoi's result is.
func int32ish(n int64) int64 { return int64(int32(n)) }

func debugCrash(c *client) {
	sub := strings.ToUpper(string(c.argv[1]))
	panic("DEBUG " + sub + " called at Unix time " + strconv.FormatInt(time.Now().Unix(), 10))
}

func debugUnsupported(c *client) {
	c.addError("ERR DEBUG " + strings.ToUpper(string(c.argv[1])) + " is not supported by Cairn yet")
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]
//
// As Redis 7.0: save (unless NOSAVE), empty the data set and the function libraries
// (unless NOFLUSH), and load dump.rdb back, all under the lock; with MERGE a key
// already present is replaced instead of failing the load. A running BGSAVE is stopped
// first: its older snapshot must not replace the file saved here.
func debugReload(c *client) {
	merge, flush, save := false, true, true
	for _, a := range c.argv[2:] {
		switch strings.ToLower(string(a)) {
		case "merge":
			merge = true
		case "noflush":
			flush = false
		case "nosave":
			save = false
		default:
			c.addError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	s := c.srv
	if s.loading.active {
		c.addError(errLoading)
		return
	}
	s.abortBgsave()
	if save {
		if err := s.rdbSave(); err != nil {
			c.addError("ERR")
			return
		}
	}
	if flush {
		s.emptyData(true)
	}
	if _, _, err := s.rdbLoad(s.rdbPath(), rdbLoadOptions{merge: merge}); err != nil {
		s.log.Warn(fmt.Sprintf("Error loading the RDB dump for DEBUG RELOAD: %v", err))
		c.addError("ERR Error trying to load the RDB dump")
		return
	}
	s.log.Warn("DB reloaded by DEBUG RELOAD")
	c.w.OK()
}

// DEBUG LOG message
func debugLog(c *client) {
	c.srv.log.Warn("DEBUG LOG: " + string(c.argv[2]))
	c.w.OK()
}

// debugLeaked holds what DEBUG LEAK leaks, for the life of the process.
var debugLeaked [][]byte

// DEBUG LEAK string
func debugLeak(c *client) {
	debugLeaked = append(debugLeaked, append([]byte(nil), c.argv[2]...))
	c.w.OK()
}

// DEBUG DROP-CLUSTER-PACKET-FILTER packet-type
func debugDropClusterPacketFilter(c *client) {
	n, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	c.srv.admin.clusterDropPacketFilter = n
	c.w.OK()
}

// sharedIntegers is OBJ_SHARED_INTEGERS: Redis shares the objects of the integers
// below it, whose refcount then shows as INT_MAX.
const sharedIntegers = 10000

// DEBUG OBJECT key
func debugObject(c *client) {
	e := c.db.Peek(c.argv[2])
	if e == nil {
		c.addError(errNoSuchKey)
		return
	}
	o := &e.Obj
	refcount := int64(1)
	if o.Type == keyspace.TypeString && o.Enc == keyspace.EncInt && o.Int >= 0 && o.Int < sharedIntegers &&
		c.srv.sharedIntegersAllowed() {
		refcount = 1<<31 - 1
	}
	idle := o.IdleMillis(keyspace.Now()) / 1000
	c.w.SimpleString(fmt.Sprintf("Value at:%p refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
		e, refcount, o.Enc, rdbSavedObjectLen(o), o.LRU, idle))
}

// sharedIntegersAllowed mirrors Redis: shared integer objects are not used when
// maxmemory is set with an LRU or LFU policy (each key needs its own access clock).
func (s *Server) sharedIntegersAllowed() bool {
	p := s.cfg.MaxMemoryPolicy
	return s.cfg.MaxMemory == 0 || !(strings.Contains(p, "lru") || strings.Contains(p, "lfu"))
}

// DEBUG SDSLEN key
func debugSdslen(c *client) {
	key := c.argv[2]
	e := c.db.Peek(key)
	if e == nil {
		c.addError(errNoSuchKey)
		return
	}
	o := &e.Obj
	if o.Type != keyspace.TypeString || o.Enc == keyspace.EncInt {
		c.addError("ERR Not an sds encoded string.")
		return
	}
	var avail, used int64
	if o.Enc == keyspace.EncEmbstr {
		used = jemallocSize(robjSize+3+int64(len(o.Str))+1) - robjSize
	} else {
		avail = int64(cap(o.Str) - len(o.Str))
		used = sdsAllocSize(cap(o.Str))
		if avail == 0 {
			// Redis's sds keeps the slack of its allocation's size class, unless
			// trimStringObjectIfNeeded found it above a tenth of the length.
			hdr := int64(sdsHeaderSize(len(o.Str)))
			slack := used - hdr - 1 - int64(len(o.Str))
			if slack <= int64(len(o.Str))/10 {
				avail = slack
			}
		}
	}
	c.w.SimpleString(fmt.Sprintf("key_sds_len:%d, key_sds_avail:0, key_zmalloc: %d, val_sds_len:%d, val_sds_avail:%d, val_zmalloc: %d",
		len(key), sdsZmallocSize(len(key)), len(o.Str), avail, used))
}

// DEBUG LISTPACK key
func debugListpack(c *client) {
	e := c.db.Lookup(c.argv[2], keyspace.Now(), keyspace.LookupNoTouch)
	if e == nil {
		c.addError(errNoSuchKey)
		return
	}
	// Printing the structure waits for Cairn's listpack encoding.
	c.addError("ERR Not a listpack encoded object.")
}

// DEBUG QUICKLIST key [0|1]
func debugQuicklist(c *client) {
	e := c.db.Lookup(c.argv[2], keyspace.Now(), keyspace.LookupNoTouch)
	if e == nil {
		c.addError(errNoSuchKey)
		return
	}
	// Printing the structure waits for Cairn's quicklist encoding.
	c.addError("ERR Not a quicklist encoded object.")
}

// DEBUG POPULATE count [prefix] [size]: keys prefix:0 ... with values value:0 ...
// (cut or zero-padded to size bytes), skipping keys that exist. Like Redis, it does
// not count as a change to the data set (nothing is propagated).
func debugPopulate(c *client) {
	const msg = "ERR value is out of range, must be positive"
	keys, ok := parseInt64(c.argv[2])
	if !ok || keys < 0 {
		c.addError(msg)
		return
	}
	var valsize int64
	if len(c.argv) == 5 {
		valsize, ok = parseInt64(c.argv[4])
		if !ok || valsize < 0 {
			c.addError(msg)
			return
		}
	}
	prefix := []byte("key")
	if len(c.argv) >= 4 {
		prefix = c.argv[3]
	}
	s := c.srv
	now := keyspace.Now()
	key := make([]byte, 0, len(prefix)+21)
	val := make([]byte, 0, 32)
	for j := int64(0); j < keys; j++ {
		key = strconv.AppendInt(append(append(key[:0], prefix...), ':'), j, 10)
		if c.db.LookupWrite(key, now) != nil {
			continue
		}
		val = strconv.AppendInt(append(val[:0], "value:"...), j, 10)
		var obj keyspace.Object
		if valsize == 0 {
			obj = stringObjectNoIntEncoding(val)
		} else {
			v := make([]byte, valsize)
			copy(v, val)
			obj = stringObjectNoIntEncoding(v)
		}
		c.db.Set(key, obj, false)
		s.signalModifiedKey(c.db, key)
	}
	c.w.OK()
}

// stringObjectNoIntEncoding is Redis's createStringObject: embstr up to 44 bytes, raw
// beyond, never int (DEBUG POPULATE does not try to encode its values).
func stringObjectNoIntEncoding(b []byte) keyspace.Object {
	enc := keyspace.EncEmbstr
	if len(b) > keyspace.EmbstrSizeLimit {
		enc = keyspace.EncRaw
	}
	return keyspace.Object{Type: keyspace.TypeString, Enc: enc, Str: append([]byte(nil), b...)}
}

// DEBUG DIGEST
func debugDigest(c *client) {
	d, err := c.srv.datasetDigest()
	if err != "" {
		c.addError(err)
		return
	}
	c.w.SimpleString(hex.EncodeToString(d[:]))
}

// DEBUG DIGEST-VALUE key [key ...]
func debugDigestValue(c *client) {
	digests := make([][20]byte, 0, len(c.argv)-2)
	for _, key := range c.argv[2:] {
		var d [20]byte
		if e := c.db.Peek(key); e != nil {
			if err := xorObjectDigest(&d, e); err != "" {
				c.addError(err)
				return
			}
		}
		digests = append(digests, d)
	}
	c.w.ArrayLen(len(digests))
	for _, d := range digests {
		c.w.SimpleString(hex.EncodeToString(d[:]))
	}
}

// datasetDigest is Redis's computeDatasetDigest: for every non-empty database, its
// number is mixed into the digest, then every key's digest (key, type, value, whether
// it has an expire) is XORed in, so the result does not depend on the order of keys and
// equals redis-server's for the same data. Keys whose deadline passed but that were not
// reclaimed yet count, as in Redis.
func (s *Server) datasetDigest() (final [20]byte, errMsg string) {
	for _, db := range s.ks.DBs {
		if db.Len() == 0 {
			continue
		}
		var aux [4]byte
		binary.BigEndian.PutUint32(aux[:], uint32(db.ID))
		mixDigest(&final, aux[:])
		db.Each(func(key string, e *keyspace.Entry) bool {
			var d [20]byte
			mixDigest(&d, keyView(key))
			if errMsg = xorObjectDigest(&d, e); errMsg != "" {
				return false
			}
			xorDigest(&final, d[:])
			return true
		})
		if errMsg != "" {
			return final, errMsg
		}
	}
	return final, ""
}

// redisTypeCode is the OBJ_* number of a type, which the digest mixes in.
func redisTypeCode(t keyspace.Type) uint32 {
	switch t {
	case keyspace.TypeString:
		return 0
	case keyspace.TypeList:
		return 1
	case keyspace.TypeSet:
		return 2
	case keyspace.TypeZSet:
		return 3
	case keyspace.TypeHash:
		return 4
	case keyspace.TypeStream:
		return 6
	}
	return 5 // OBJ_MODULE
}

// xorObjectDigest is Redis's xorObjectDigest for one key's value.
//
// Strings are digested as in Redis. The other types do not exist in Cairn yet; when
// they do, each follows debug.c: lists mix every element in order; sets XOR each
// member's SHA1; sorted sets XOR, per member, the mix of the member and its score
// formatted by fpconv_dtoa (%.17g shortest form); hashes XOR, per field, the mix of
// field and value; streams mix each entry's "ms.seq" ID then its fields and values.
// Until then a value of another type is refused rather than digested wrongly.
func xorObjectDigest(digest *[20]byte, e *keyspace.Entry) string {
	o := &e.Obj
	var aux [4]byte
	binary.BigEndian.PutUint32(aux[:], redisTypeCode(o.Type))
	mixDigest(digest, aux[:])
	switch o.Type {
	case keyspace.TypeString:
		var tmp [20]byte
		mixDigest(digest, o.AppendString(tmp[:0]))
	case keyspace.TypeList:
		// Elements mixed in order, head to tail.
		var buf []byte
		o.Ptr.(*types.List).Each(func(e types.ListEntry) bool {
			buf = e.AppendString(buf[:0])
			mixDigest(digest, buf)
			return true
		})
	case keyspace.TypeSet:
		// Members XORed in: the order does not matter.
		var buf []byte
		o.Ptr.(*types.Set).Iterate(func(m types.Member) bool {
			buf = m.Append(buf[:0])
			xorDigest(digest, buf)
			return true
		})
	case keyspace.TypeHash:
		// Each field and its value mixed into an element digest, XORed in.
		var fbuf, vbuf []byte
		o.Ptr.(*types.Hash).Iterate(func(field, value listpack.Entry) bool {
			var ele [20]byte
			fbuf, vbuf = field.AppendString(fbuf[:0]), value.AppendString(vbuf[:0])
			mixDigest(&ele, fbuf)
			mixDigest(&ele, vbuf)
			xorDigest(digest, ele[:])
			return true
		})
	case keyspace.TypeZSet:
		// Each member and its score (as Redis prints a double) mixed, XORed in.
		var sbuf []byte
		o.Ptr.(*types.ZSet).Each(func(member []byte, score float64) bool {
			var ele [20]byte
			mixDigest(&ele, member)
			sbuf = conv.FormatDouble(sbuf[:0], score)
			mixDigest(&ele, sbuf)
			xorDigest(digest, ele[:])
			return true
		})
	default:
		return "ERR DEBUG DIGEST does not support " + o.Type.String() + " values in Cairn yet"
	}
	if e.ExpireAt != 0 {
		xorDigest(digest, []byte("!!expire!!"))
	}
	return ""
}

// xorDigest XORs SHA1(b) into digest.
func xorDigest(digest *[20]byte, b []byte) {
	h := sha1.Sum(b)
	for i := range digest {
		digest[i] ^= h[i]
	}
}

// mixDigest XORs SHA1(b) into digest, then replaces digest by its own SHA1, so that
// the order of the mixed-in values matters.
func mixDigest(digest *[20]byte, b []byte) {
	xorDigest(digest, b)
	*digest = sha1.Sum(digest[:])
}

// DEBUG PROTOCOL type
func debugProtocol(c *client) {
	w := &c.w
	switch strings.ToLower(string(c.argv[2])) {
	case "string":
		w.BulkString("Hello World")
	case "integer":
		w.Int(12345)
	case "double":
		w.Double(3.141)
	case "bignum":
		w.BigNumber("1234567999999999999999999999999999999")
	case "null":
		w.Null()
	case "array":
		w.ArrayLen(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case "set":
		w.SetLen(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case "map":
		w.MapLen(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
			w.Bool(j == 1)
		}
	case "attrib":
		if w.Proto >= 3 {
			w.AttributeLen(1)
			w.BulkString("key-popularity")
			w.ArrayLen(2)
			w.BulkString("key:123")
			w.Int(90)
		}
		w.BulkString("Some real reply following the attribute")
	case "push":
		if w.Proto < 3 {
			c.addError("ERR RESP2 is not supported by this command")
			return
		}
		w.PushLen(2)
		w.BulkString("server-cpu-usage")
		w.Int(42)
		w.BulkString("Some real reply following the push reply")
	case "true":
		w.Bool(true)
	case "false":
		w.Bool(false)
	case "verbatim":
		w.Verbatim("This is a verbatim\nstring", "txt")
	default:
		c.addError("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

// DEBUG SLEEP seconds: stops the whole server, as in Redis (the executor lock is held).
func debugSleep(c *client) {
	secs, _, _ := conv.Strtod(c.argv[2])
	us := int64(secs * 1e6) // C's (long long) conversion truncates
	if us > 0 {
		time.Sleep(time.Duration(us) * time.Microsecond)
	}
	c.w.OK()
}

// DEBUG SET-ACTIVE-EXPIRE 0|1
func debugSetActiveExpire(c *client) {
	c.srv.activeExpireEnabled = atoi(c.argv[2]) != 0
	c.w.OK()
}

// DEBUG QUICKLIST-PACKED-THRESHOLD size
func debugQuicklistPackedThreshold(c *client) {
	// Process-wide, as in Redis: it applies to every list.
	sz, ok := conv.ParseMemory(string(c.argv[2]))
	if !ok || sz < 0 || !quicklist.SetPackedThreshold(int(sz)) {
		c.addError("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
		return
	}
	c.w.OK()
}

// DEBUG ERROR string
func debugError(c *client) {
	c.addError(string(c.argv[2]))
}

// DEBUG STRUCTSIZE: the sizes of Cairn's core structures, in Redis's format.
func debugStructsize(c *client) {
	c.w.BulkString(fmt.Sprintf("bits:%d object:%d entry:%d client:%d ",
		strconv.IntSize, unsafe.Sizeof(keyspace.Object{}), unsafe.Sizeof(keyspace.Entry{}), unsafe.Sizeof(client{})))
}

// DEBUG HTSTATS dbid [full]
func debugHTStats(c *client) {
	id, ok := c.int64ArgOrReply(2)
	if !ok {
		return
	}
	s := c.srv
	if id < 0 || id >= int64(len(s.ks.DBs)) {
		c.addError("ERR Out of range database")
		return
	}
	db := s.ks.DBs[id]
	stats := func(b *strings.Builder, n int) {
		b.WriteString("Hash table 0 stats (main hash table):\n")
		if n == 0 {
			b.WriteString("No stats available for empty dictionaries\n")
			return
		}
		b.WriteString(" number of elements: " + strconv.Itoa(n) + "\n")
	}
	var b strings.Builder
	b.WriteString("[Dictionary HT]\n")
	stats(&b, db.Len())
	b.WriteString("[Expires HT]\n")
	stats(&b, db.VolatileLen())
	c.w.Verbatim(b.String(), "txt")
}

// DEBUG HTSTATS-KEY key [full]
func debugHTStatsKey(c *client) {
	e := c.db.Lookup(c.argv[2], keyspace.Now(), keyspace.LookupNoTouch)
	if e == nil {
		c.addError(errNoSuchKey)
		return
	}
	// Only hashes, sets and sorted sets can be hash tables; none exist in Cairn yet.
	c.addError("ERR The value stored at the specified key is not represented using an hash table")
}

// DEBUG CHANGE-REPL-ID
func debugChangeReplID(c *client) {
	s := c.srv
	s.log.Warn("Changing replication IDs after receiving DEBUG change-repl-id")
	s.admin.replID = randomHex40()
	s.admin.replID2 = strings.Repeat("0", 40)
	c.w.OK()
}

// DEBUG STRINGMATCH-TEST: Redis's stringmatchlen_fuzz_test, ten million random
// patterns against random strings; the test is that nothing crashes or hangs.
func debugStringmatchTest(c *client) {
	var str, pat [32]byte
	rnd := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	matches := 0
	for range 10_000_000 {
		sl, pl := rnd.IntN(len(str)), rnd.IntN(len(pat))
		for j := 0; j < sl; j++ {
			str[j] = byte(rnd.IntN(128))
		}
		for j := 0; j < pl; j++ {
			pat[j] = byte(rnd.IntN(128))
		}
		if glob.Match(pat[:pl], str[:sl], false) {
			matches++
		}
	}
	c.srv.log.Debug("DEBUG STRINGMATCH-TEST", "matches", matches)
	c.w.SimpleString("Apparently Redis did not crash: test passed")
}

// DEBUG CONFIG-REWRITE-FORCE-ALL: rewrites the configuration file. The config package
// has no "force all" mode yet, so this writes what CONFIG REWRITE writes (the directives
// that differ from their defaults).
func debugConfigRewriteForceAll(c *client) {
	s := c.srv
	if s.cfg.File() == "" {
		// Redis passes a NULL path to rewriteConfig, which fails with EFAULT.
		c.addError("ERR CONFIG-REWRITE-FORCE-ALL failed: Bad address")
		return
	}
	if err := s.cfg.Rewrite(); err != nil {
		c.addError("ERR CONFIG-REWRITE-FORCE-ALL failed: " + rewriteErrorText(err))
		return
	}
	c.w.OK()
}

// DEBUG CLIENT-EVICTION
func debugClientEviction(c *client) {
	if c.srv.cfg.MaxMemoryClients == 0 {
		c.addError("ERR maxmemory-clients is disabled.")
		return
	}
	debugUnsupported(c)
}

// DEBUG REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|ms> | RESIZING <0|1>
func debugReplyBuffer(c *client) {
	a := &c.srv.admin
	switch {
	case c.argIs(2, "peak-reset-time"):
		switch {
		case c.argIs(3, "never"):
			a.replyBufferPeakResetTime = -1
		case c.argIs(3, "reset"):
			a.replyBufferPeakResetTime = 5000 // REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME
		default:
			n, ok := c.int64ArgOrReply(3)
			if !ok {
				return
			}
			a.replyBufferPeakResetTime = n
		}
	case c.argIs(2, "resizing"):
		a.replyBufferResizing = atoi(c.argv[3]) != 0
	default:
		c.replySubcommandSyntaxError()
		return
	}
	c.w.OK()
}

// DEBUG CLUSTERLINK KILL to|from|all node-id
func debugClusterlink(c *client) {
	if !c.argIs(2, "kill") {
		c.replySubcommandSyntaxError()
		return
	}
	c.addError("ERR Debug option only available for cluster mode enabled setup!")
}

// rdbSavedObjectLen is Redis's rdbSavedObjectLen for the value alone: the bytes its RDB
// serialisation takes (DEBUG OBJECT's serializedlength), with rdbcompression on.
func rdbSavedObjectLen(o *keyspace.Object) int64 {
	if o.Type != keyspace.TypeString {
		return 0 // the other types arrive with their encodings and RDB writers
	}
	if o.Enc == keyspace.EncInt {
		if n := rdbEncodedIntLen(o.Int); n > 0 {
			return n
		}
		s := strconv.FormatInt(o.Int, 10)
		return rdbLenLen(int64(len(s))) + int64(len(s))
	}
	return rdbSavedStringLen(o.Str)
}

// rdbEncodedIntLen is the size of rdbEncodeInteger's encoding of v, 0 if it has none.
func rdbEncodedIntLen(v int64) int64 {
	switch {
	case v >= -(1<<7) && v <= 1<<7-1:
		return 2
	case v >= -(1<<15) && v <= 1<<15-1:
		return 3
	case v >= -(1<<31) && v <= 1<<31-1:
		return 5
	}
	return 0
}

// rdbLenLen is the size of rdbSaveLen's encoding of n.
func rdbLenLen(n int64) int64 {
	switch {
	case n < 1<<6:
		return 1
	case n < 1<<14:
		return 2
	case n <= 1<<32-1:
		return 5
	}
	return 9
}

// rdbSavedStringLen is the size of rdbSaveRawString's output for s: an integer
// encoding for short canonical integers, LZF when it saves at least 4 bytes of a
// string longer than 20, the plain length-prefixed bytes otherwise.
func rdbSavedStringLen(s []byte) int64 {
	if len(s) <= 11 {
		if v, ok := parseInt64(s); ok {
			if n := rdbEncodedIntLen(v); n > 0 {
				return n
			}
		}
	}
	if len(s) > 20 {
		if n := lzfCompressedLen(s); n > 0 {
			return 1 + rdbLenLen(int64(n)) + rdbLenLen(int64(len(s))) + int64(n)
		}
	}
	return rdbLenLen(int64(len(s))) + int64(len(s))
}

// lzfCompressedLen is the length of liblzf 3.6's lzf_compress output for in (as built
// in Redis: HLOG 16, VERY_FAST, a zeroed hash table), with room for len(in)-4 bytes; 0
// when it does not fit, which is when Redis stores the string uncompressed.
func lzfCompressedLen(in []byte) int {
	const (
		hlog   = 16
		hsize  = 1 << hlog
		maxLit = 1 << 5
		maxOff = 1 << 13
		maxRef = 1<<8 + 1<<3
	)
	outLen := len(in) - 4
	if len(in) <= 4 || outLen <= 0 {
		return 0
	}
	htab := make([]uint32, hsize) // offsets into in; 0 = empty (in[0] is never a reference)
	idx := func(h uint32) uint32 { return ((h >> (3*8 - hlog)) - h*5) & (hsize - 1) }
	inEnd := len(in)
	ip, op := 0, 0
	lit := 0
	op++ // start run
	hval := uint32(in[0])<<8 | uint32(in[1])
	for ip < inEnd-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := idx(hval)
		ref := int(htab[slot])
		htab[slot] = uint32(ip)
		if off := ip - ref - 1; ref > 0 && ref < ip && off < maxOff &&
			in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			length := 2
			maxlen := inEnd - ip - length
			maxlen = min(maxlen, maxRef)
			if op+3+1 >= outLen {
				if lit0 := b2i(lit == 0); op-lit0+3+1 >= outLen {
					return 0
				}
			}
			op -= b2i(lit == 0) // undo run if length is zero
			// liblzf unrolls the first 16 comparisons when maxlen > 16, without the
			// maxlen bound, and then always takes one more step: kept, as it changes
			// the match length for maxlen 17 and 18.
			mismatch := false
			if maxlen > 16 {
				for range 16 {
					length++
					if in[ref+length] != in[ip+length] {
						mismatch = true
						break
					}
				}
			}
			if !mismatch {
				for {
					length++
					if length >= maxlen || in[ref+length] != in[ip+length] {
						break
					}
				}
			}
			length -= 2
			ip++
			if length < 7 {
				op++
			} else {
				op += 2
			}
			op++    // the low byte of the offset
			lit = 0 // start run
			op++    //
			ip += length + 1
			if ip >= inEnd-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			htab[idx(hval)] = uint32(ip)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			htab[idx(hval)] = uint32(ip)
			ip++
			continue
		}
		if op >= outLen {
			return 0
		}
		lit++
		op++
		ip++
		if lit == maxLit {
			lit = 0
			op++ // start run
		}
	}
	if op+3 > outLen {
		return 0
	}
	for ip < inEnd {
		lit++
		op++
		ip++
		if lit == maxLit {
			lit = 0
			op++
		}
	}
	op -= b2i(lit == 0)
	return op
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
