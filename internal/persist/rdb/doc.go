// Package rdb is Redis's RDB file format, both ways: an Encoder that writes what
// redis-server 7.0 writes (RDB version 10), a Decoder that reads every version from
// 1 to 11 (Redis 7.2 and Valkey 8 write 11) with every encoding Redis has used, and
// the DUMP/RESTORE payload (DumpPayload, ParseDumpPayload). A file moves between
// Cairn and Redis in both directions; the tests prove it against redis-server 7.0.15,
// including that decoding a file redis-server saved and encoding it again gives the
// same bytes.
//
// # Values
//
// A Value is a key's value in a neutral form that passes Redis's compact encodings
// through unchanged: a listpack (hash, sorted set), an intset (set) or quicklist
// nodes (list) go from the server's data structures to the file, and from the file
// to the server, as the same bytes (internal/ds lays them out as Redis does), with no
// re-encoding. Other collections travel as their elements (Elems, or an iterator for
// writing). See Value for which fields hold what.
//
// # Writing
//
//	e := rdb.NewEncoder(w, rdb.EncoderOptions{Compress: rdbcompression, Checksum: rdbchecksum})
//	e.WriteHeader(rdb.DefaultAux(time.Now(), usedMemory, false))
//	e.WriteFunction(libraryCode)                  // each function library
//	e.SelectDB(0, keys, keysWithDeadline)         // each non-empty database
//	e.WriteKey(key, rdb.KeyMeta{ExpireAt: ms}, &v) // each key
//	e.Close()                                     // EOF opcode and CRC64
//
// The Encoder is incremental: it hands its output to w in chunks of about 64 KiB
// (strings larger than that go straight through), so a snapshot of any size uses
// bounded memory, and the caller may interleave other work between keys. It never
// retains a Value. Strings are stored as Redis stores them (rdbSaveRawString): short
// canonical integers in the integer encodings, strings over 20 bytes LZF-compressed
// when Compress is on and that saves at least 4 bytes. IDLE and FREQ are written for
// a key when its KeyMeta has them (Redis writes them under an LRU or LFU
// maxmemory-policy).
//
// # Reading
//
//	d := rdb.NewDecoder(r, rdb.DecoderOptions{})
//	for {
//		rec, err := d.Next()
//		if err == io.EOF { break }
//		var u *rdb.UnsupportedError
//		if errors.As(err, &u) && u.Skipped { log; continue } // a stream, module data
//		if err != nil { return err }                         // corrupt, checksum, I/O
//		switch rec.Kind { case rdb.KindAux, KindFunction, KindSelectDB, KindResizeDB, KindKey, KindEOF: … }
//	}
//
// Old encodings are converted as redis-server 7.0 converts them on load: ziplist and
// zipmap hashes and ziplist sorted sets become listpacks, quicklist nodes of ziplists
// become listpack nodes, ziplist lists (RDB type 10) and linked lists (type 1) come
// as elements, sorted sets with text scores (type 3) as elements and scores, and
// Redis 7.2's listpack sets (type 20) as elements. The server applies its encoding
// thresholds afterwards (a listpack hash with more than hash-max-listpack-entries
// entries becomes a hash table, and so on), as Redis does after loading.
//
// Every structure read is checked: lengths against the input actually present,
// listpacks (deep, as listpack.FromBytes), intsets (sorted, no duplicates), ziplists
// and zipmaps, duplicate set members, hash fields and sorted set members (Redis
// rejects those files too), NaN scores; empty collections are skipped and counted
// (Decoder.EmptyKeysSkipped) as Redis's loader skips them. A bad file yields a
// *CorruptError naming the byte offset, never a panic (there is a fuzz target), and
// memory is allocated in proportion to the input read, not to the lengths it claims.
// Streams, module values and module aux data are read past and reported as a
// *UnsupportedError with Skipped set; Cairn has no streams or modules yet.
//
// # DUMP and RESTORE
//
// DumpPayload makes DUMP's payload: the object type and value as in a file, the RDB
// version (2 bytes) and the CRC64 (8 bytes). ParseDumpPayload is RESTORE's reading;
// ErrDumpPayload is its "DUMP payload version or checksum are wrong", any other
// error its "Bad data format".
//
// # Lifetimes
//
// A Record returned by Next, and everything it points to, is valid until the next
// call to Next, except Value.Blob and the Data of Value.Nodes, which are allocated for
// the record and may be adopted by the caller (listpack.FromBytes,
// quicklist.AppendListpack, intset.FromBytes copies). The Decoder keeps one buffer of
// 64 KiB plus an arena the size of the largest record, so reading millions of small
// keys allocates almost nothing per key.
//
// # Concurrency
//
// Encoders and Decoders are not safe for concurrent use; separate ones are
// independent. DumpPayload, ParseDumpPayload and CRC64 are safe for concurrent use.
package rdb
