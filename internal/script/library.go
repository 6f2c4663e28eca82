package script

import (
	"bytes"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"cairn/internal/resp"
)

// Function libraries (FUNCTION LOAD): "#!lua name=<lib>" code that calls
// redis.register_function. While the code loads, its globals are only the load API
// (redis.register_function, redis.log and the constants); the functions it registers
// run later with the normal globals.

// Library is a loaded function library.
type Library struct {
	Name      string
	Code      []byte
	Functions []*Function // in registration order
}

// Function is one function of a library.
type Function struct {
	Name        string
	Description string // "" with HasDesc false: none
	HasDesc     bool
	Flags       Flags
	Library     *Library
	fn          *lua.LFunction
}

// libraryAPI builds the load-time globals: {redis = {register_function, log, LOG_*,
// REDIS_VERSION*}} with the missing-global error on both.
func (e *Engine) libraryAPI() *lua.LTable {
	L := e.L
	api := L.NewTable()
	redis := L.NewTable()
	redis.RawSetString("register_function", L.NewFunction(e.registerFunction))
	redis.RawSetString("log", L.NewFunction(e.redisLog))
	e.setConstants(redis)
	errMeta := L.NewTable()
	errMeta.RawSetString("__index", L.NewFunction(globalIndex))
	redis.Metatable = errMeta
	api.RawSetString("redis", e.protect(redis, nil))
	api.Metatable = errMeta
	return api
}

// ParseLibraryHeader is functionExtractLibMetaData: the "#!lua name=<lib>" line.
func ParseLibraryHeader(code []byte) (engine, name string, errMsg string) {
	if !bytes.HasPrefix(code, []byte("#!")) {
		return "", "", "ERR Missing library metadata"
	}
	nl := bytes.IndexByte(code, '\n')
	if nl < 0 {
		return "", "", "ERR Invalid library metadata"
	}
	parts := strings.Fields(string(code[2:nl]))
	if len(parts) == 0 {
		return "", "", "ERR Invalid library metadata"
	}
	engine = parts[0]
	given := false
	for _, p := range parts[1:] {
		if !strings.HasPrefix(p, "name=") {
			return "", "", "ERR Invalid metadata value given: " + p
		}
		name, given = p[len("name="):], true
	}
	if !given {
		return "", "", "ERR Library name was not given"
	}
	return engine, name, ""
}

// validName is functionsVerifyName: letters, digits and underscores, not empty.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ValidName reports whether s is a valid library or function name.
func ValidName(s string) bool { return validName(s) }

// LoadTimeout is how long a library's code may run while it loads (Redis's
// LOAD_TIMEOUT_MS).
const LoadTimeout = 500 * time.Millisecond

// LoadLibrary runs a library's code (the caller checked the header) and returns the
// functions it registered; code running past LoadTimeout is stopped ("FUNCTION LOAD
// timeout"). The error is Redis's reply text.
func (e *Engine) LoadLibrary(name string, code []byte, r *Run) (*Library, string) {
	nl := bytes.IndexByte(code, '\n')
	body := code[nl:]
	fn, errMsg := e.compile(body, "user_function")
	if errMsg != "" {
		return nil, "ERR Error compiling function: " + errMsg
	}
	lib := &Library{Name: name, Code: append([]byte(nil), code...)}
	e.loading = lib
	e.loadDeadline = time.Now().Add(LoadTimeout)
	e.gmeta.RawSetString("__index", e.loadAPI)
	defer func() {
		e.loading = nil
		e.loadDeadline = time.Time{}
		e.gmeta.RawSetString("__index", e.globals)
	}()
	if _, errObj := e.pcall(r, fn); errObj != nil {
		msg := "unknown error"
		if t, ok := errObj.(*lua.LTable); ok {
			if s, ok := luaString(t.RawGetString("err")); ok {
				msg = s
			}
		} else {
			msg = lvString(errObj)
		}
		return nil, "ERR Error registering functions: " + msg
	}
	if len(lib.Functions) == 0 {
		return nil, "ERR No functions registered"
	}
	return lib, ""
}

// registerFunction is redis.register_function(name, callback) or
// redis.register_function{function_name=, callback=, flags=, description=}.
func (e *Engine) registerFunction(L *lua.LState) int {
	lib := e.loading
	if lib == nil {
		return raise(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	f := &Function{Library: lib}
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			return raise(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		var bad string
		t.ForEach(func(k, v lua.LValue) {
			if bad != "" {
				return
			}
			ks, ok := k.(lua.LString)
			if !ok {
				bad = "named argument key given to redis.register_function is not a string"
				return
			}
			switch string(ks) {
			case "function_name":
				s, ok := luaString(v)
				if !ok {
					bad = "function_name argument given to redis.register_function must be a string"
					return
				}
				f.Name = s
			case "description":
				s, ok := luaString(v)
				if !ok {
					bad = "description argument given to redis.register_function must be a string"
					return
				}
				f.Description, f.HasDesc = s, true
			case "callback":
				fn, ok := v.(*lua.LFunction)
				if !ok {
					bad = "callback argument given to redis.register_function must be a function"
					return
				}
				f.fn = fn
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					bad = "flags argument to redis.register_function must be a table representing function flags"
					return
				}
				for i := 1; ; i++ {
					fv := ft.RawGetInt(i)
					if fv == lua.LNil {
						break
					}
					fs, ok := fv.(lua.LString)
					if !ok {
						bad = "unknown flag given"
						return
					}
					fl, ok := parseFlag(string(fs))
					if !ok {
						bad = "unknown flag given"
						return
					}
					f.Flags |= fl
				}
			default:
				bad = "unknown argument given to redis.register_function"
			}
		})
		if bad != "" {
			return raise(L, bad)
		}
		if f.Name == "" {
			return raise(L, "redis.register_function must get a function name argument")
		}
		if f.fn == nil {
			return raise(L, "redis.register_function must get a callback argument")
		}
	case 2:
		s, ok := luaString(L.Get(1))
		if !ok {
			return raise(L, "first argument to redis.register_function must be a string")
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			return raise(L, "second argument to redis.register_function must be a function")
		}
		f.Name, f.fn = string(s), fn
	default:
		return raise(L, "wrong number of arguments to redis.register_function")
	}
	if !validName(f.Name) {
		return raise(L, "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
	}
	for _, have := range lib.Functions {
		if have.Name == f.Name {
			return raise(L, "Function already exists in the library")
		}
	}
	lib.Functions = append(lib.Functions, f)
	return 0
}

// RunFunction calls a library function with KEYS and ARGV as its two arguments and
// writes its reply to w.
func (e *Engine) RunFunction(r *Run, f *Function, keys, args [][]byte, w *resp.Writer) {
	// New tables for every call: a library's functions can keep what they are given.
	vals := e.luaStrings(keys, args)
	kt, at := newArray(vals[:len(keys)]), newArray(vals[len(keys):])
	clear(vals)
	e.call(r, f.fn, w, kt, at)
}
