// Package config is Cairn's redis.conf: the table of every Redis 7.0.15
// configuration directive, the config file and command-line parser, and the
// CONFIG GET / SET / REWRITE semantics, reproduced byte for byte from
// redis-server 7.0.15 (values, formats, error texts, quirks).
//
// It knows nothing of RESP or of the server: the command layer calls
// Get, Set and Rewrite and turns their results into replies.
//
// # Main types
//
//   - Config holds a configuration: typed fields for the directives the
//     server uses (Port, MaxMemory, Save...), the others in their canonical
//     form. Default returns the defaults; Load and ParseString read config
//     files and command-line options.
//   - Directive describes a table entry: name, alias, Kind, Flags
//     (Immutable, Protected, Sensitive...), default, and Status: whether
//     Cairn honours it (Implemented), only stores it (StoredOnly; see
//     NotEffective), or accepts it as meaningless for Cairn (Ignored).
//   - LoadError and FileError are fatal startup errors, formatted as
//     redis-server prints them. ReplyError is an error whose text is a
//     complete Redis error reply ("ERR CONFIG SET failed ...").
//   - SplitArgs is Redis's sdssplitargs, for config lines and for inline
//     commands.
//
// # Aliases
//
// Redis 7.0 renamed some directives and kept the old names as aliases
// (slaveof for replicaof, hash-max-ziplist-entries for
// hash-max-listpack-entries, lua-time-limit for busy-reply-threshold...).
// An alias is a name of its own, as in Redis: CONFIG GET * lists both,
// CONFIG GET answers under the name asked for, a CONFIG SET error names the
// one that was used, and CONFIG REWRITE always writes the canonical name.
//
// # Differences from Redis
//
// Cairn does not chdir: the dir directive is validated and resolved (Dir is
// absolute, symlinks resolved, as getcwd shows it) and relative paths in the
// configuration are resolved against it; the server may chdir in an
// OnChange("dir") callback. CONFIG GET answers patterns in table order, not
// in the order of a hash table, and CONFIG REWRITE appends new lines in
// table order.
//
// # Concurrency and lifetime
//
// A Config is not safe for concurrent use; the server reads and changes it
// under its executor lock. Set replaces slice fields (Bind, Save...) with
// new slices and never modifies them in place, so a slice read from a field
// stays valid and unchanged. Arguments returned by SplitArgs may share
// memory with the line.
package config
