// Package script is Cairn's Lua: the interpreter (gopher-lua, Lua 5.1 in pure Go)
// with Redis 7.0's sandbox, its redis API, its conversions between replies and Lua
// values, and the libraries Redis embeds (cjson, cmsgpack, bit, struct). It knows
// nothing of the server: commands run through the Host the server provides.
//
// # API
//
//	e := script.NewEngine(script.KindEval, host)      // one per kind; reused by every script
//	s, errText := e.Load(body)                        // compile and cache by SHA1 (EVAL, SCRIPT LOAD)
//	s = e.Lookup(sha)                                 // EVALSHA, SCRIPT EXISTS (any case)
//	r := &script.Run{Name: s.SHA, Flags: s.Flags, Resp: 2, Repl: script.ReplAll}
//	e.RunScript(r, s, keys, args, &c.w)               // runs it, writes the reply (or error)
//
//	f := script.NewEngine(script.KindFunction, host)
//	engine, name, errText := script.ParseLibraryHeader(code) // "#!lua name=lib"
//	lib, errText := f.LoadLibrary(name, code, run)    // runs the code: redis.register_function
//	f.RunFunction(r, lib.Functions[i], keys, args, &c.w)
//
// Host.Call runs a command for redis.call / redis.pcall and returns its RESP reply in
// the protocol the script chose (redis.setresp), or the text of a refusal; the engine
// parses the reply into Lua values (Redis's redisProtocolToLuaType) and raises or
// returns errors as Redis does. Host.Tick is called about every 16k Lua instructions
// while a script runs: the server uses it for busy-reply-threshold. Setting Run.Killed
// (from Tick, or from another command while Tick has released the executor lock)
// stops the script at its next instruction, even inside pcall, with Redis's "Script
// killed by user with SCRIPT KILL..." error.
//
// Error replies are Redis's: a Lua error becomes "-ERR <msg> script: <name>, on
// @user_script:<line>." (user_function for FCALL), an error table keeps its code, and
// redis.call errors carry the command's own text.
//
// # Differences from Lua 5.1 as Redis embeds it
//
// Corrected here by replacing library functions: tostring and table.concat format
// numbers "%.14g"; tonumber is strtod (no octal "010", no "0b", no "1_000");
// string.format is C's printf (%u, %d truncating, default precision 6); math.huge is
// inf; math.random is Redis's rand48; rawset, setmetatable, rawget, next, pairs and
// getmetatable see the read-only tables as Redis's patched Lua does; loadstring refuses
// bytecode; error() adds positions to numbers too; pcall returns the err string of an
// error table (Redis 7.0's pcall); gopher-lua's runtime and compile error texts are
// rewritten to Lua 5.1's where they carry the same information.
//
// Not correctable from outside gopher-lua (see the README): the VM's own number to
// string conversion ("x" .. 1/3 gives 17 digits, not 14), variable names in runtime
// errors ("attempt to index local 't' (a nil value)" is "attempt to index a nil
// value"), "got no value" versus "got nil" in argument errors, some compile error texts,
// the iteration order of tables (cjson.encode of objects, {map=...} replies, pairs),
// string.dump (no bytecode: a placeholder loadstring refuses), the length operator on
// the read-only library tables (always 0), the position of a "stack overflow" error
// (gopher-lua cannot run the error handler on a full call stack).
//
// # Allocation
//
// A small EVAL allocates only the strings of its KEYS and ARGV (their bytes in one
// string) and the strings redis.call returns: the EVAL engine refills the KEYS and
// ARGV tables of the previous run and reuses the {ok=...} tables of status replies,
// which is invisible to scripts because nothing a script makes survives it (globals
// and library tables are read-only, an EVAL body has no upvalues). The function
// engine gets new tables for every call: a library can keep them in upvalues.
// Read-only proxies have no hash part, so each global or library lookup costs two
// map lookups (the proxy's metatable, then the real table), not three.
//
// # Concurrency
//
// An Engine is not safe for concurrent use; the server uses it under its executor
// lock. A Run's Killed may be set by another goroutine only while the script's own
// goroutine is inside Host.Tick and has handed over that lock.
package script
