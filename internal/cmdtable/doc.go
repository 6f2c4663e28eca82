// Package cmdtable is Cairn's command table as data: for every command and subcommand of
// redis-server 7.0.15, its name, arity, flags, legacy key positions, ACL categories, tips,
// key specs and documentation, plus the exact COMMAND INFO and COMMAND DOCS replies, and
// the key extraction that COMMAND GETKEYS, WATCH, client tracking and cluster routing use.
//
// Nothing in the table is written by hand. redis-server 7.0.15 reports its own metadata
// through COMMAND INFO and COMMAND DOCS; those replies are captured byte for byte into
// testdata/ and table_gen.go is generated from them, so arity and flags cannot be copied
// wrong. The command procedures are not here: the server maps names to procs.
//
// # Main types
//
// A Command is one entry: a top-level command ("get") or a subcommand ("config|get", with
// Parent set). All returns the 240 top-level commands sorted by name; containers such as
// CONFIG list their 126 subcommands (366 entries in all) in Subcommands. Lookup and
// LookupSub find entries by lower-case name; LookupArgs resolves a client's arguments in
// any case, like Redis's lookupCommand, without allocating; LookupFullName accepts the
// "parent|sub" form of COMMAND INFO and ACL rules.
//
// WriteInfo and WriteDocs write the captured replies through a ReplyWriter, which the
// server's RESP writer implements; it degrades maps and sets to arrays for RESP2 clients.
// Tests prove that this reproduces both the RESP3 and the RESP2 captures byte for byte.
// The captures contain no nulls, doubles or other RESP3-only scalars.
//
// GetKeys is COMMAND GETKEYS: key positions from the key specs as Redis 7.0's
// getKeysUsingKeySpecs computes them, falling back to Redis's getkeys procedures (SORT,
// MIGRATE, ZUNIONSTORE, EVAL, XREAD, ...) where the specs are incomplete or do not apply,
// with Redis's error texts as Error constants. AppendKeys is the same extraction without
// the COMMAND GETKEYS checks and without allocation, for the server's hot paths. The
// server implements COMMAND GETKEYS as
//
//	c := cmdtable.LookupArgs(args) // args: the arguments after COMMAND GETKEYS
//	if c == nil {
//		return cmdtable.ErrInvalidCommand
//	}
//	positions, err := c.GetKeys(args) // err is an Error: reply it
//
// # Lifetime and concurrency
//
// The table is built at package initialisation (static data plus a name index; well under
// a millisecond) and is read-only afterwards: any number of goroutines may use it without
// locking. Do not modify a Command or the slices it holds.
//
// # Caveats
//
// Redis hides some command flags from COMMAND INFO (may_replicate, sentinel,
// only_sentinel, protected, and the module-only ones). Their constants exist but the table
// never sets them; the server must not rely on them.
//
// The order of entries in Redis's COMMAND and COMMAND DOCS replies is the order of its
// command dicts: seeded randomly at every start and shifted by incremental rehashing. It
// means nothing to clients. All is sorted by name; inside a container's entry the
// subcommands keep the captured order, which is one Redis really produced.
//
// GetKeys and AppendKeys skip the not_key specs, so SPUBLISH and SSUBSCRIBE report no keys
// (as COMMAND GETKEYS does); cluster routing of shard channels reads KeySpecs itself. Key
// spec flags (RO, RW, ...) are not reported per key.
//
// # Regenerating
//
// Only needed when the reference version changes (then also rename the testdata files and
// the //go:generate line in cmdtable.go, and check the GetKeys procedures against the new
// db.c):
//
//	redis-server --port 7302 --save '' --daemonize yes   # the reference redis-server
//	cd internal/cmdtable
//	go run ./capture -addr 127.0.0.1:7302                # rewrites testdata/redis-7.0.15-command-*.resp
//	go generate .                                         # rewrites table_gen.go from the RESP3 captures
//	go test -run GetKeysOracle -update .                  # re-records testdata/getkeys.txt (starts its own redis-server)
//	go test .
//	redis-cli -p 7302 shutdown nosave
//
// capture checks that the server reports version 7.0.15, and takes the RESP3 and RESP2
// replies on one connection, repeating until their order holds still, so that the four
// files share one dict order. TestGenerated fails if table_gen.go is stale.
package cmdtable
