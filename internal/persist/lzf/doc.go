// Package lzf is liblzf 3.6 as Redis builds it (lzf_c.c, lzf_d.c with HLOG 16,
// VERY_FAST, CHECK_INPUT): the compression of long strings in RDB files and DUMP
// payloads, and of quicklist nodes in Redis (not in Cairn).
//
// Compress produces the bytes liblzf produces from a zeroed hash table, which is what
// redis-server writes for a string whose earlier calls left nothing relevant in its
// (uninitialised, on-stack) table: the golden tests compare against redis-server's
// DUMP payloads. A different but valid compression would still load everywhere, since
// Decompress (like liblzf) accepts any well-formed stream.
//
// # Format
//
// A sequence of runs, each starting with a control byte:
//
//	000LLLLL                      literal run of L+1 bytes (1..32) that follow
//	LLLooooo oooooooo             back reference: copy L+2 bytes (L 1..6) from
//	111ooooo LLLLLLLL oooooooo    offset o+1 behind the output; L=7 takes 7+the next byte
//
// # Memory and concurrency
//
// A Compressor holds liblzf's 64 Ki-slot hash table (256 KiB): allocate one per
// goroutine and reuse it; Compress allocates only to grow dst. Instead of clearing the
// table for every call (as INIT_HTAB would, 256 KiB of writes for a 21-byte string), it
// tags entries with a base that moves past every call's positions, so entries from an
// earlier call read as empty. A Compressor is not safe for concurrent use; Decompress
// is a pure function.
package lzf
