package server

import (
	"bytes"
	"encoding/binary"
	"sort"
	"strconv"
	"strings"
	"time"

	"cairn/internal/glob"
	"cairn/internal/persist/lzf"
	"cairn/internal/persist/rdb"
	"cairn/internal/script"
)

// FCALL / FCALL_RO and FUNCTION (Redis's functions.c, function_lua.c). Libraries are
// compiled in their own interpreter (Server.functionEngine); this file keeps the
// registry: libraries by name, functions by name.

var functionProcs = procTable{
	"fcall":            fcallCommand,
	"fcall_ro":         fcallRoCommand,
	"function|load":    functionLoadCommand,
	"function|delete":  functionDeleteCommand,
	"function|flush":   functionFlushCommand,
	"function|list":    functionListCommand,
	"function|stats":   functionStatsCommand,
	"function|kill":    functionKillCommand,
	"function|help":    functionHelpCommand,
	"function|dump":    functionDumpCommand,
	"function|restore": functionRestoreCommand,
}

// functionStore is the library registry. Guarded by the executor lock.
type functionStore struct {
	libraries map[string]*script.Library
	functions map[string]*script.Function
}

func (fs *functionStore) init() {
	if fs.libraries == nil {
		fs.libraries = make(map[string]*script.Library)
		fs.functions = make(map[string]*script.Function)
	}
}

// add registers lib, replacing a library of the same name when replace is set. It
// refuses a function name another library has.
func (fs *functionStore) add(lib *script.Library, replace bool) string {
	fs.init()
	old := fs.libraries[lib.Name]
	if old != nil && !replace {
		return "ERR Library '" + lib.Name + "' already exists"
	}
	for _, f := range lib.Functions {
		if have := fs.functions[f.Name]; have != nil && have.Library != old {
			return "ERR Function " + f.Name + " already exists"
		}
	}
	if old != nil {
		fs.remove(old)
	}
	fs.libraries[lib.Name] = lib
	for _, f := range lib.Functions {
		fs.functions[f.Name] = f
	}
	return ""
}

func (fs *functionStore) remove(lib *script.Library) {
	delete(fs.libraries, lib.Name)
	for _, f := range lib.Functions {
		if fs.functions[f.Name] == f {
			delete(fs.functions, f.Name)
		}
	}
}

// FCALL function numkeys [key ...] [arg ...]
func fcallCommand(c *client) { c.fcallGeneric(false) }

// FCALL_RO function numkeys [key ...] [arg ...]
func fcallRoCommand(c *client) { c.fcallGeneric(true) }

func (c *client) fcallGeneric(ro bool) {
	s := c.srv
	s.feedScriptMonitors(c)
	f := s.scripts.functions.functions[string(c.argv[1])]
	if f == nil {
		c.addError("ERR Function not found")
		return
	}
	numkeys, ok := c.fcallNumkeysOrReply()
	if !ok {
		return
	}
	run := &script.Run{Name: f.Name, Flags: f.Flags, Resp: 2, Repl: script.ReplAll}
	if !c.prepareScriptRun(run, ro) {
		return
	}
	eng := s.functionEngine()
	keys := c.argv[3 : 3+numkeys]
	args := c.argv[3+numkeys:]
	s.runScript(c, run, false, func() { eng.RunFunction(run, f, keys, args, &c.w) })
}

// FUNCTION LOAD [REPLACE] function-code
func functionLoadCommand(c *client) {
	replace := false
	i := 2
	for ; i < len(c.argv)-1; i++ {
		if c.argIs(i, "replace") {
			replace = true
			continue
		}
		c.addError("ERR Unknown option given: " + string(c.argv[i]))
		return
	}
	if i >= len(c.argv) {
		c.addError("ERR Function code is missing")
		return
	}
	name, msg := c.srv.loadLibrary(c.argv[i], replace)
	if msg != "" {
		c.addError(msg)
		return
	}
	c.srv.dirty++ // a data change: propagated to the AOF, counted for save points
	c.w.BulkString(name)
}

// loadLibrary compiles code and registers its library; it returns the library's name
// or Redis's error.
func (s *Server) loadLibrary(code []byte, replace bool) (string, string) {
	engine, name, msg := script.ParseLibraryHeader(code)
	if msg != "" {
		return "", msg
	}
	if !strings.EqualFold(engine, "lua") {
		return "", "ERR Engine '" + engine + "' not found"
	}
	if !script.ValidName(name) {
		return "", "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
	}
	if old := s.scripts.functions.libraries[name]; old != nil && !replace {
		return "", "ERR Library '" + name + "' already exists"
	}
	run := &script.Run{Name: name, Resp: 2, Repl: script.ReplAll}
	lib, msg := s.functionEngine().LoadLibrary(name, code, run)
	if msg != "" {
		return "", msg
	}
	if msg := s.scripts.functions.add(lib, replace); msg != "" {
		return "", msg
	}
	return name, ""
}

// FUNCTION DELETE library-name
func functionDeleteCommand(c *client) {
	fs := &c.srv.scripts.functions
	lib := fs.libraries[string(c.argv[2])]
	if lib == nil {
		c.addError("ERR Library not found")
		return
	}
	fs.remove(lib)
	c.srv.dirty++ // a data change: propagated to the AOF, counted for save points
	c.w.OK()
}

// FUNCTION FLUSH [ASYNC|SYNC]
func functionFlushCommand(c *client) {
	if len(c.argv) > 3 || (len(c.argv) == 3 && !c.argIs(2, "sync") && !c.argIs(2, "async")) {
		c.addError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	c.srv.flushFunctions()
	c.srv.dirty++ // a data change: propagated to the AOF, counted for save points
	c.w.OK()
}

func (s *Server) flushFunctions() {
	s.scripts.functions = functionStore{}
	if s.scripts.fn != nil {
		s.scripts.fn.Close()
		s.scripts.fn = nil
	}
}

// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
func functionListCommand(c *client) {
	withCode := false
	var pattern []byte
	for i := 2; i < len(c.argv); i++ {
		switch {
		case c.argIs(i, "withcode"):
			withCode = true
		case c.argIs(i, "libraryname"):
			if i+1 >= len(c.argv) {
				c.addError("ERR library name argument was not given")
				return
			}
			i++
			pattern = c.argv[i]
		default:
			c.addError("ERR Unknown argument " + string(c.argv[i]))
			return
		}
	}
	libs := c.srv.sortedLibraries()
	var match []*script.Library
	for _, lib := range libs {
		if pattern == nil || glob.Match(pattern, []byte(lib.Name), true) {
			match = append(match, lib)
		}
	}
	c.w.ArrayLen(len(match))
	for _, lib := range match {
		n := 3
		if withCode {
			n = 4
		}
		c.w.MapLen(n)
		c.w.BulkString("library_name")
		c.w.BulkString(lib.Name)
		c.w.BulkString("engine")
		c.w.BulkString("LUA")
		c.w.BulkString("functions")
		c.w.ArrayLen(len(lib.Functions))
		for _, f := range lib.Functions {
			c.w.MapLen(3)
			c.w.BulkString("name")
			c.w.BulkString(f.Name)
			c.w.BulkString("description")
			if f.HasDesc {
				c.w.BulkString(f.Description)
			} else {
				c.w.Null()
			}
			c.w.BulkString("flags")
			names := f.Flags.Names()
			c.w.SetLen(len(names))
			for _, fl := range names {
				c.w.SimpleString(fl)
			}
		}
		if withCode {
			c.w.BulkString("library_code")
			c.w.Bulk(lib.Code)
		}
	}
}

// sortedLibraries lists the libraries by name (Redis lists them in its dict's order,
// which is not defined).
func (s *Server) sortedLibraries() []*script.Library {
	libs := make([]*script.Library, 0, len(s.scripts.functions.libraries))
	for _, lib := range s.scripts.functions.libraries {
		libs = append(libs, lib)
	}
	sort.Slice(libs, func(i, j int) bool { return libs[i].Name < libs[j].Name })
	return libs
}

// FUNCTION STATS
func functionStatsCommand(c *client) {
	s := c.srv
	st := &s.scripts
	if st.run != nil && st.isEval {
		c.addError(errSlowEval)
		return
	}
	c.w.MapLen(2)
	c.w.BulkString("running_script")
	if st.run == nil {
		c.w.Null()
	} else {
		c.w.MapLen(3)
		c.w.BulkString("name")
		c.w.BulkString(st.run.Name)
		c.w.BulkString("command")
		c.w.ArrayLen(len(st.argv))
		for _, a := range st.argv {
			c.w.Bulk(a)
		}
		c.w.BulkString("duration_ms")
		c.w.Int(time.Since(st.start).Milliseconds())
	}
	c.w.BulkString("engines")
	c.w.MapLen(1)
	c.w.BulkString("LUA")
	c.w.MapLen(2)
	c.w.BulkString("libraries_count")
	c.w.Int(int64(len(st.functions.libraries)))
	c.w.BulkString("functions_count")
	c.w.Int(int64(len(st.functions.functions)))
}

// FUNCTION KILL
func functionKillCommand(c *client) { c.scriptKill(false) }

// FUNCTION HELP
func functionHelpCommand(c *client) { c.replyHelp("function") }

// fcallNumkeysOrReply is FCALL's numkeys, with its own text for a bad number.
func (c *client) fcallNumkeysOrReply() (int, bool) {
	n, ok := parseInt64(c.argv[2])
	if !ok {
		c.addError("ERR Bad number of keys provided")
		return 0, false
	}
	if n > int64(len(c.argv)-3) {
		c.addError("ERR Number of keys can't be greater than number of args")
		return 0, false
	}
	if n < 0 {
		c.addError("ERR Number of keys can't be negative")
		return 0, false
	}
	return int(n), true
}

// FUNCTION DUMP: every library as an RDB function record (RDB_OPCODE_FUNCTION2 and the
// code as an RDB string, LZF-compressed under rdbcompression), then the RDB version as
// 2 bytes little-endian and the CRC64 of all that, as Redis's functionDumpCommand.
// Libraries are written in name order (Redis: its dict's order).
func functionDumpCommand(c *client) {
	var buf bytes.Buffer
	enc := rdb.NewEncoder(&buf, rdb.EncoderOptions{Compress: c.srv.cfg.RDBCompression})
	for _, lib := range c.srv.sortedLibraries() {
		enc.WriteFunction(lib.Code) //nolint:errcheck // a bytes.Buffer does not fail
	}
	enc.Flush() //nolint:errcheck
	b := binary.LittleEndian.AppendUint16(buf.Bytes(), rdb.Version)
	b = binary.LittleEndian.AppendUint64(b, rdb.CRC64(b))
	c.w.Bulk(b)
}

// FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE]
func functionRestoreCommand(c *client) {
	s := c.srv
	if len(c.argv) > 4 {
		c.addError("ERR unknown subcommand or wrong number of arguments for 'RESTORE'. Try FUNCTION HELP.")
		return
	}
	policy := "append"
	if len(c.argv) == 4 {
		switch {
		case c.argIs(3, "flush"):
			policy = "flush"
		case c.argIs(3, "append"):
		case c.argIs(3, "replace"):
			policy = "replace"
		default:
			c.addError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
	}
	payload := c.argv[2]
	n := len(payload)
	if n < 10 || binary.LittleEndian.Uint16(payload[n-10:]) > rdb.Version ||
		rdb.CRC64(payload[:n-8]) != binary.LittleEndian.Uint64(payload[n-8:]) {
		c.addError("ERR DUMP payload version or checksum are wrong")
		return
	}
	data := payload[:n-10]
	var libs []*script.Library
	names := make(map[string]bool)
	for len(data) > 0 {
		op := data[0]
		data = data[1:]
		if op == 246 {
			c.addError("ERR Pre-GA function format not supported")
			return
		}
		if op != 245 {
			c.addError("ERR given type is not a function")
			return
		}
		code, rest, ok := readRDBString(data)
		if !ok {
			c.addError("ERR failed loading the given functions payload")
			return
		}
		data = rest
		lib, msg := s.compileLibrary(code)
		if msg != "" {
			c.addError(msg)
			return
		}
		if names[lib.Name] {
			c.addError("ERR Library '" + lib.Name + "' already exists")
			return
		}
		names[lib.Name] = true
		libs = append(libs, lib)
	}
	if msg := s.joinLibraries(libs, policy); msg != "" {
		c.addError(msg)
		return
	}
	c.srv.dirty++ // a data change: propagated to the AOF, counted for save points
	c.w.OK()
}

// compileLibrary checks a library's header and compiles it, without registering it.
func (s *Server) compileLibrary(code []byte) (*script.Library, string) {
	engine, name, msg := script.ParseLibraryHeader(code)
	if msg != "" {
		return nil, msg
	}
	if !strings.EqualFold(engine, "lua") {
		return nil, "ERR Engine '" + engine + "' not found"
	}
	if !script.ValidName(name) {
		return nil, "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
	}
	run := &script.Run{Name: name, Resp: 2, Repl: script.ReplAll}
	return s.functionEngine().LoadLibrary(name, code, run)
}

// joinLibraries is libraryJoin: FLUSH replaces every library; APPEND refuses a
// library that exists; REPLACE replaces those; a function name another library has
// fails the whole restore.
func (s *Server) joinLibraries(libs []*script.Library, policy string) string {
	fs := &s.scripts.functions
	fs.init()
	if policy == "flush" {
		*fs = functionStore{}
		fs.init()
	}
	replaced := make(map[*script.Library]bool)
	for _, lib := range libs {
		if old := fs.libraries[lib.Name]; old != nil {
			if policy != "replace" {
				return "ERR Library " + lib.Name + " already exists"
			}
			replaced[old] = true
		}
	}
	for _, lib := range libs {
		for _, f := range lib.Functions {
			if have := fs.functions[f.Name]; have != nil && !replaced[have.Library] {
				return "ERR Function " + f.Name + " already exists"
			}
		}
	}
	for old := range replaced {
		fs.remove(old)
	}
	for _, lib := range libs {
		fs.libraries[lib.Name] = lib
		for _, f := range lib.Functions {
			fs.functions[f.Name] = f
		}
	}
	return ""
}

// readRDBString reads an RDB string (rdbGenericLoadStringObject): a length-prefixed
// string, an integer encoding, or an LZF-compressed string.
func readRDBString(b []byte) (s, rest []byte, ok bool) {
	n, enc, b, ok := readRDBLen(b)
	if !ok {
		return nil, nil, false
	}
	if !enc {
		if uint64(len(b)) < n {
			return nil, nil, false
		}
		return b[:n], b[n:], true
	}
	switch n {
	case 0, 1, 2: // 8, 16, 32-bit integers
		size := 1 << n
		if len(b) < size {
			return nil, nil, false
		}
		var v int64
		switch size {
		case 1:
			v = int64(int8(b[0]))
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(b)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(b)))
		}
		return strconv.AppendInt(nil, v, 10), b[size:], true
	case 3: // LZF
		clen, _, b, ok := readRDBLen(b)
		if !ok {
			return nil, nil, false
		}
		ulen, _, b, ok := readRDBLen(b)
		if !ok || uint64(len(b)) < clen || ulen > 512<<20 {
			return nil, nil, false
		}
		out, err := lzf.Decompress(nil, b[:clen], int(ulen))
		if err != nil {
			return nil, nil, false
		}
		return out, b[clen:], true
	}
	return nil, nil, false
}

// readRDBLen reads an RDB length; enc reports the special encodings (11xxxxxx).
func readRDBLen(b []byte) (n uint64, enc bool, rest []byte, ok bool) {
	if len(b) == 0 {
		return 0, false, nil, false
	}
	switch b[0] >> 6 {
	case 0:
		return uint64(b[0] & 0x3f), false, b[1:], true
	case 1:
		if len(b) < 2 {
			return 0, false, nil, false
		}
		return uint64(b[0]&0x3f)<<8 | uint64(b[1]), false, b[2:], true
	case 3:
		return uint64(b[0] & 0x3f), true, b[1:], true
	}
	switch b[0] {
	case 0x80:
		if len(b) < 5 {
			return 0, false, nil, false
		}
		return uint64(binary.BigEndian.Uint32(b[1:])), false, b[5:], true
	case 0x81:
		if len(b) < 9 {
			return 0, false, nil, false
		}
		return binary.BigEndian.Uint64(b[1:]), false, b[9:], true
	}
	return 0, false, nil, false
}
