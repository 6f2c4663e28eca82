// Package resp implements the Redis serialization protocol (RESP2 and RESP3) the way
// redis-server 7.0 speaks it.
//
// Reading: a Parser extracts complete commands from a connection's read buffer, one
// after another, without copying: the arguments it returns are sub-slices of that
// buffer ("borrowed") and stay valid only until the caller next modifies or compacts the
// buffer. Both request forms are accepted: multibulk (`*N\r\n$len\r\narg\r\n...`) and
// inline (`SET k "a b"\n`, as typed in telnet). Parsing is resumable: a command that
// has only partly arrived is remembered where it stopped, so a large command arriving
// over many reads is scanned once. Redis's limits and protocol errors are enforced while
// parsing, with Redis's exact error texts (see ProtocolError).
//
// Writing: a Writer appends encoded replies to a byte slice it owns. It knows the
// client's protocol version and degrades RESP3-only types to RESP2 exactly as Redis does
// (maps become flat arrays, sets arrays, doubles bulk strings, booleans integers, nulls
// `$-1`/`*-1`). Nothing in a Writer allocates once its buffer has grown to its working
// size.
//
// Neither type is safe for concurrent use; each connection owns one of each.
package resp
