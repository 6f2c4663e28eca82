// Package config is Cairn's redis.conf: the table of every Redis 7.0.15
// configuration directive, the config file and command-line parser, and the
// CONFIG GET / SET / REWRITE semantics, reproduced byte for byte from
// redis-server 7.0.15 (accepted values, formats, error texts, quirks).
//
// It knows nothing of RESP or of the server: the server's command layer calls
// Get, Set and Rewrite and turns their results into replies, and reacts to
// changes through OnChange callbacks.
//
// # Main types
//
//   - Config holds a configuration: typed fields for the directives the
//     server uses (Port, Bind, MaxMemory, Save, ClientOutputBufferLimit...),
//     the others stored in their canonical form (read them with Value).
//     Default returns the defaults; Load and ParseString read config files
//     and command-line options.
//   - Directive describes an entry of the table: name, alias, Kind, Flags
//     (Immutable, Protected, DenyLoading, Sensitive, Hidden, MultiArg),
//     default, and Status: whether Cairn honours it (Implemented), only
//     stores it (StoredOnly, reported once by NotEffective when set), or
//     accepts it as meaningless for Cairn (Ignored: jemalloc, defrag, lazy
//     freeing, I/O threads).
//   - LoadError and FileError are fatal startup errors, formatted as
//     redis-server prints them. ReplyError is an error whose text is a
//     complete Redis error reply ("ERR CONFIG SET failed ...").
//   - SplitArgs is Redis's sdssplitargs, for config lines and inline
//     commands.
//
// # Aliases
//
// Redis 7.0 renamed some directives and kept the old names as aliases
// (slaveof for replicaof, hash-max-ziplist-entries for
// hash-max-listpack-entries, lua-time-limit for busy-reply-threshold...).
// An alias is a name of its own, as in Redis: CONFIG GET * lists both,
// CONFIG GET answers under the name asked for, a CONFIG SET error names the
// one that was used, and CONFIG REWRITE writes the canonical name.
//
// # Cairn's own directives
//
// Directives that only Cairn has are named cairn-* (cairn-debug-addr) and are
// Hidden: CONFIG GET * lists exactly redis-server's directives, while CONFIG
// GET and SET by exact name, config files and the command line accept them.
//
// # Where the values come from
//
// Everything checked against redis-server 7.0.15 is in testdata: the
// defaults (CONFIG GET *), about 3000 CONFIG SET cases with the reply and
// the value read back, startup errors for config files and command lines,
// and CONFIG REWRITE results. The scripts that captured them are there too;
// rerun them against a redis-server after changing this package's rules.
//
// # Caveats
//
// Cairn does not chdir. The dir directive is validated and resolved as
// chdir would (Dir is absolute with symlinks resolved, what getcwd shows),
// and relative paths in the configuration (include, dir, the logfile check)
// are resolved against it. The server should chdir, or join paths with Dir,
// itself (an OnChange("dir") callback sees each change).
//
// Redis's apply functions that only act on the server (listening on a new
// port, binding, TLS, maxclients against the file descriptor limit) are the
// server's OnChange callbacks; their errors become CONFIG SET errors with
// the callback's text and roll the whole call back. The ones that adjust
// the value itself are done here: hz is kept in 1..500, repl-backlog-size
// raised to 16kb, watchdog-period raised to two hz periods.
//
// CONFIG REWRITE writes "user" lines from a function the ACL code installs
// with SetUserLines; until then it writes the default user for requirepass
// and the user lines of the config file as they were.
//
// CONFIG GET answers patterns in table order and CONFIG REWRITE appends new
// lines in table order, where Redis uses the order of a hash table.
//
// A Config is not safe for concurrent use; the server reads and changes it
// under its executor lock. Set replaces slice fields (Bind, Save,
// LatencyTrackingInfoPercentiles) with new slices and never modifies them in
// place, so a slice read from a field stays valid and unchanged. Arguments
// returned by SplitArgs may share memory with the line.
package config
