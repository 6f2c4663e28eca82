package server

import (
	"sort"
	"strings"
	"time"

	"cairn/internal/glob"
	"cairn/internal/script"
)

// FCALL / FCALL_RO and FUNCTION (Redis's functions.c, function_lua.c). Libraries are
// compiled in their own interpreter (Server.functionEngine); this file keeps the
// registry: libraries by name, functions by name.

var functionProcs = procTable{
	"fcall":           fcallCommand,
	"fcall_ro":        fcallRoCommand,
	"function|load":   functionLoadCommand,
	"function|delete": functionDeleteCommand,
	"function|flush":  functionFlushCommand,
	"function|list":   functionListCommand,
	"function|stats":  functionStatsCommand,
	"function|kill":   functionKillCommand,
	"function|help":   functionHelpCommand,
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
	c.w.OK()
}

// FUNCTION FLUSH [ASYNC|SYNC]
func functionFlushCommand(c *client) {
	if len(c.argv) > 3 || (len(c.argv) == 3 && !c.argIs(2, "sync") && !c.argIs(2, "async")) {
		c.addError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	c.srv.flushFunctions()
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
