package config

import (
	"math"
	"strconv"
	"strings"
)

// entry is one name of the table: a directive, or the alias of one (aliases
// are separate entries, as in Redis, because CONFIG GET lists both names and
// CONFIG SET errors name the one that was used).
type entry struct {
	Directive
	idx     int  // index in table
	primary int  // index of the primary entry (== idx unless isAlias)
	isAlias bool // Name is the alias; Alias is the primary name

	// Numbers: bounds, compared unsigned when unsigned (Redis's unsigned
	// int, size_t and unsigned long long configs).
	lo, hi   int64
	unsigned bool

	enum []enumVal // Enum and EnumFlags

	// Strings.
	nullable bool // "" means unset (NULL in Redis): CONFIG REWRITE drops the line
	binary   bool // keeps NUL bytes (Redis's sds configs); others stop at NUL

	// Extra validation, returning Redis's error text or "".
	checkStr  func(c *Config, v string) string
	checkBool func(v bool) string
	checkEnum func(v int) string

	// Where the value lives: a typed field of Config, or else c.slots[primary].
	b   func(*Config) *bool
	i   func(*Config) *int
	i64 func(*Config) *int64
	u64 func(*Config) *uint64
	s   func(*Config) *string // strings, and Enum values held by name

	sp *special // Special directives

	def defValue // parsed default, for CONFIG REWRITE (set on primary entries)
}

type enumVal struct {
	name string
	val  int
}

// special implements a directive with its own syntax.
type special struct {
	// set parses args and stores the value. changed reports whether callbacks
	// should run. lc is non-nil while a config file is being read.
	set     func(c *Config, args []string, lc *loadCtx) (changed bool, err string)
	get     func(c *Config) string
	rewrite func(c *Config, st *rewriteState, name string)
}

// --- storage ---

func (e *entry) num(c *Config) int64 {
	switch {
	case e.i != nil:
		return int64(*e.i(c))
	case e.i64 != nil:
		return *e.i64(c)
	case e.u64 != nil:
		return int64(*e.u64(c))
	}
	return c.slots[e.primary].n
}

func (e *entry) setNum(c *Config, v int64) {
	switch {
	case e.i != nil:
		*e.i(c) = int(v)
	case e.i64 != nil:
		*e.i64(c) = v
	case e.u64 != nil:
		*e.u64(c) = uint64(v)
	default:
		c.slots[e.primary].n = v
	}
}

func (e *entry) boolean(c *Config) bool {
	if e.b != nil {
		return *e.b(c)
	}
	return c.slots[e.primary].n != 0
}

func (e *entry) setBool(c *Config, v bool) {
	if e.b != nil {
		*e.b(c) = v
		return
	}
	c.slots[e.primary].n = 0
	if v {
		c.slots[e.primary].n = 1
	}
}

func (e *entry) str(c *Config) string {
	if e.s != nil {
		return *e.s(c)
	}
	return c.slots[e.primary].s
}

func (e *entry) setStr(c *Config, v string) {
	if e.s != nil {
		*e.s(c) = v
		return
	}
	c.slots[e.primary].s = v
}

// enumValue returns the current value of an Enum or EnumFlags entry.
func (e *entry) enumValue(c *Config) int {
	switch {
	case e.s != nil:
		name := *e.s(c)
		for _, ev := range e.enum {
			if ev.name == name {
				return ev.val
			}
		}
		for _, ev := range e.enum {
			if strings.EqualFold(ev.name, name) {
				return ev.val
			}
		}
		return math.MinInt32 // shows as "unknown"
	case e.i != nil:
		return *e.i(c)
	}
	return int(c.slots[e.primary].n)
}

func (e *entry) setEnumValue(c *Config, v int) {
	switch {
	case e.s != nil:
		*e.s(c) = enumName(e.enum, v, false)
	case e.i != nil:
		*e.i(c) = v
	default:
		c.slots[e.primary].n = int64(v)
	}
}

// --- CONFIG GET ---

// get returns the value as CONFIG GET shows it.
func (e *entry) get(c *Config) string {
	switch e.Kind {
	case Bool:
		if e.boolean(c) {
			return "yes"
		}
		return "no"
	case Integer:
		return strconv.FormatInt(e.num(c), 10)
	case Memory:
		return strconv.FormatUint(uint64(e.num(c)), 10)
	case MemoryOrPercent:
		if v := e.num(c); v < 0 {
			return strconv.FormatInt(-v, 10) + "%"
		}
		return strconv.FormatUint(uint64(e.num(c)), 10)
	case Octal:
		return strconv.FormatUint(uint64(e.num(c)), 8)
	case Enum:
		return enumName(e.enum, e.enumValue(c), false)
	case EnumFlags:
		return enumName(e.enum, e.enumValue(c), true)
	case String:
		return e.str(c)
	case Special:
		return e.sp.get(c)
	}
	return ""
}

// enumName is Redis's configEnumGetName: the first name with exactly that
// value, else (for flags) the names of the bits it covers, else "unknown".
func enumName(vals []enumVal, v int, flags bool) string {
	var names []string
	unmatched := v
	for _, ev := range vals {
		if v == ev.val {
			return ev.name
		}
		if flags && ev.val != 0 && ev.val == unmatched&ev.val {
			names = append(names, ev.name)
			unmatched &^= ev.val
		}
	}
	if names == nil || unmatched != 0 {
		return "unknown"
	}
	return strings.Join(names, " ")
}

// --- parsing and setting ---

// set parses args (the arguments after the directive name) and stores the
// value. It returns whether the value changed and Redis's error text.
func (e *entry) set(c *Config, args []string, lc *loadCtx) (changed bool, err string) {
	if e.Kind == Special {
		return e.sp.set(c, args, lc)
	}
	if e.Kind == EnumFlags {
		return e.setEnum(c, args)
	}
	// Single-argument directives: the caller checked len(args) == 1.
	v := args[0]
	switch e.Kind {
	case Bool:
		b, ok := yesno(v)
		if !ok {
			return false, "argument must be 'yes' or 'no'"
		}
		if e.checkBool != nil {
			if msg := e.checkBool(b); msg != "" {
				return false, msg
			}
		}
		if e.boolean(c) == b {
			return false, ""
		}
		e.setBool(c, b)
		return true, ""
	case Integer, Memory, MemoryOrPercent, Octal:
		n, msg := e.parseNum(v)
		if msg != "" {
			return false, msg
		}
		if msg := e.checkBounds(n); msg != "" {
			return false, msg
		}
		if e.num(c) == n {
			return false, ""
		}
		e.setNum(c, n)
		return true, ""
	case Enum:
		return e.setEnum(c, args)
	case String:
		if !e.binary {
			v = cstr(v)
		}
		if e.checkStr != nil {
			if msg := e.checkStr(c, v); msg != "" {
				return false, msg
			}
		}
		if e.str(c) == v {
			return false, ""
		}
		e.setStr(c, v)
		return true, ""
	}
	return false, "unsupported"
}

func (e *entry) setEnum(c *Config, args []string) (bool, string) {
	flags := e.Kind == EnumFlags
	v, ok := enumParse(e.enum, args, flags)
	if !ok {
		var b strings.Builder
		b.WriteString("argument(s) must be one of the following: ")
		for i, ev := range e.enum {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(ev.name)
		}
		msg := b.String()
		if len(msg) > 255 { // Redis copies it into a 256-byte buffer
			msg = msg[:255]
		}
		return false, msg
	}
	if e.checkEnum != nil {
		if msg := e.checkEnum(v); msg != "" {
			return false, msg
		}
	}
	if e.enumValue(c) == v {
		return false, ""
	}
	e.setEnumValue(c, v)
	return true, ""
}

// enumParse is Redis's configEnumGetValue.
func enumParse(vals []enumVal, args []string, flags bool) (int, bool) {
	if len(args) == 0 || !flags && len(args) != 1 {
		return 0, false
	}
	v := 0
	for _, a := range args {
		a = cstr(a)
		matched := false
		for _, ev := range vals {
			if strings.EqualFold(a, ev.name) {
				v |= ev.val
				matched = true
			}
		}
		if !matched {
			return 0, false
		}
	}
	return v, true
}

// parseNum is Redis's numericParseString.
func (e *entry) parseNum(v string) (int64, string) {
	switch e.Kind {
	case Memory, MemoryOrPercent:
		if n, ok := memtoull(v); ok {
			return int64(n), ""
		}
	case Octal:
		if n, full, overflow := strtoll(v, 8); full && !overflow {
			return n, ""
		}
	}
	if e.Kind == MemoryOrPercent && len(v) > 1 && v[len(v)-1] == '%' {
		if n, ok := string2ll(v[:len(v)-1]); ok && n >= 0 {
			return -n, ""
		}
	}
	if e.Kind == Integer {
		if n, ok := string2ll(v); ok {
			return n, ""
		}
	}
	switch e.Kind {
	case MemoryOrPercent:
		return 0, "argument must be a memory or percent value"
	case Memory:
		return 0, "argument must be a memory value"
	case Octal:
		return 0, "argument couldn't be parsed as an octal number"
	}
	return 0, "argument couldn't be parsed into an integer"
}

// checkBounds is Redis's numericBoundaryCheck.
func (e *entry) checkBounds(n int64) string {
	if e.unsigned {
		u, lo, hi := uint64(n), uint64(e.lo), uint64(e.hi)
		if u > hi || u < lo {
			if e.Kind == Octal {
				return "argument must be between " + strconv.FormatUint(lo, 8) + " and " + strconv.FormatUint(hi, 8) + " inclusive"
			}
			return "argument must be between " + strconv.FormatUint(lo, 10) + " and " + strconv.FormatUint(hi, 10) + " inclusive"
		}
		return ""
	}
	if e.Kind == MemoryOrPercent && n < 0 {
		if n < e.lo {
			return "percentage argument must be less or equal to " + strconv.FormatInt(-e.lo, 10)
		}
		return ""
	}
	if n > e.hi || n < e.lo {
		return "argument must be between " + strconv.FormatInt(e.lo, 10) + " and " + strconv.FormatInt(e.hi, 10) + " inclusive"
	}
	return ""
}

// --- CONFIG REWRITE ---

// rewrite emits e's line(s) into st, Redis's way for each type.
func (e *entry) rewrite(c *Config, st *rewriteState) {
	name := e.Name
	def := table[e.primary].def
	switch e.Kind {
	case Bool:
		v := e.boolean(c)
		s := "no"
		if v {
			s = "yes"
		}
		st.rewriteLine(name, name+" "+s, v != (def.n != 0))
	case Integer, Memory, MemoryOrPercent, Octal:
		v := e.num(c)
		var s string
		switch {
		case e.Kind == MemoryOrPercent && v < 0:
			s = strconv.FormatInt(-v, 10) + "%"
		case e.Kind == Memory || e.Kind == MemoryOrPercent:
			s = formatMemory(v)
		case e.Kind == Octal:
			s = strconv.FormatUint(uint64(v), 8)
		default:
			s = strconv.FormatInt(v, 10)
		}
		st.rewriteLine(name, name+" "+s, v != def.n)
	case Enum, EnumFlags:
		v := e.enumValue(c)
		st.rewriteLine(name, name+" "+enumName(e.enum, v, e.Kind == EnumFlags), v != int(def.n))
	case String:
		v := e.str(c)
		if e.nullable && v == "" {
			st.markProcessed(name)
			return
		}
		force := e.nullable || v != def.s
		st.rewriteLine(name, name+" "+repr(v), force)
	case Special:
		e.sp.rewrite(c, st, name)
	}
}

// def is a parsed default value, for the "differs from default" test of
// CONFIG REWRITE.
type defValue struct {
	n int64
	s string
}
