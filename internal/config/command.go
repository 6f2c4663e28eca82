package config

import "strings"

// ReplyError is an error whose text is a complete Redis error reply, without
// the leading '-' and the trailing CRLF: "ERR CONFIG SET failed ...",
// "LOADING Redis is loading the dataset in memory".
type ReplyError string

func (e ReplyError) Error() string { return string(e) }

// SetContext tells Set about the client and the server state that CONFIG SET
// depends on.
type SetContext struct {
	// Loading is true while the server loads its data set: directives
	// flagged DenyLoading are then refused with -LOADING.
	Loading bool
	// LocalClient is true for a client connected over a Unix socket or
	// from a loopback address. With enable-protected-configs "local" it may
	// change Protected directives; with "yes" anyone may.
	LocalClient bool
}

// Get implements CONFIG GET: the name and value of every directive matching
// one of the patterns, each directive at most once. A pattern without glob
// characters (*, ? or [) is looked up as a name, in any case, and answered
// under the name as given (so hidden directives can be read); a glob pattern
// matches names case-insensitively, with Redis's stringmatchlen rules, and
// never matches hidden directives. Aliases are names of their own: "*"
// lists both hash-max-listpack-entries and hash-max-ziplist-entries.
//
// Values are formatted as Redis formats them. The order is the order of the
// patterns, and the table order within a pattern (Redis's order is that of
// a hash table, and not meaningful).
func (c *Config) Get(patterns []string) [][2]string {
	var out [][2]string
	seen := make(map[string]bool)
	for _, pat := range patterns {
		if !strings.ContainsAny(cstr(pat), "[*?") {
			key := asciiLower(pat)
			if seen[key] {
				continue
			}
			if e := lookup(pat); e != nil {
				seen[key] = true
				out = append(out, [2]string{pat, e.get(c)})
			}
			continue
		}
		for _, e := range table {
			if e.Flags&Hidden != 0 || seen[e.Name] {
				continue
			}
			if stringMatch(pat, e.Name, true) {
				seen[e.Name] = true
				out = append(out, [2]string{e.Name, e.get(c)})
			}
		}
	}
	return out
}

// Value returns the value of one directive (by name or alias) as CONFIG GET
// shows it, and false if there is no such directive.
func (c *Config) Value(name string) (string, bool) {
	e := lookup(name)
	if e == nil {
		return "", false
	}
	return e.get(c), true
}

// Set implements CONFIG SET name value [name value ...] for a client that is
// not local and a server that is not loading. See SetFrom.
func (c *Config) Set(pairs [][2]string) error {
	return c.SetFrom(pairs, SetContext{})
}

// SetFrom implements CONFIG SET. All names are checked first (unknown,
// immutable, protected, refused while loading, given twice), then every value
// is parsed and stored in order, then the OnChange callbacks of the changed
// directives run. If anything fails nothing changes: the previous values are
// restored, and the error is a ReplyError with Redis's text:
//
//	ERR Unknown option or number of arguments for CONFIG SET - 'foo'
//	ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config
//	ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value
//	LOADING Redis is loading the dataset in memory
//
// The first problem found is the one reported. The value of a multi-argument
// directive (save, bind...) is split on single spaces, as Redis does.
// An odd number of arguments is the command layer's "ERR syntax error".
func (c *Config) SetFrom(pairs [][2]string, ctx SetContext) error {
	items := make([]setItem, 0, len(pairs))
	var (
		unknown    string // name of the first unknown directive
		errName    string // name for "possibly related to argument"
		errText    string
		denyLoad   bool
		invalid    bool
		hasUnknown bool
	)
	for _, p := range pairs {
		e := lookup(p[0])
		if e == nil {
			if !invalid {
				unknown, hasUnknown = p[0], true
				invalid = true
			}
			continue
		}
		if invalid {
			continue
		}
		if e.Flags&Immutable != 0 || e.Flags&Protected != 0 && !c.allowProtected(ctx) {
			errText = "can't set protected config"
			if e.Flags&Immutable != 0 {
				errText = "can't set immutable config"
			}
			errName, invalid = p[0], true
			continue
		}
		if ctx.Loading && e.Flags&DenyLoading != 0 {
			denyLoad, invalid = true, true
			continue
		}
		for _, it := range items {
			if it.e == e {
				errText, errName, invalid = "duplicate parameter", p[0], true
				break
			}
		}
		items = append(items, setItem{e, p[1]})
	}
	switch {
	case denyLoad:
		return ReplyError("LOADING Redis is loading the dataset in memory")
	case hasUnknown:
		return ReplyError("ERR Unknown option or number of arguments for CONFIG SET - '" + unknown + "'")
	case invalid:
		return setFailed(errName, errText)
	}

	snap := c.clone()
	var changed []*entry // primary entries whose value changed, in order
	for _, it := range items {
		var args []string
		if it.e.Flags&MultiArg != 0 {
			args = splitSpaces(it.value)
		} else {
			args = []string{it.value}
		}
		ch, msg := it.e.set(c, args, nil)
		if msg != "" {
			c.restore(snap)
			return setFailed(it.e.Name, msg)
		}
		if ch {
			applyBuiltin(c, table[it.e.primary].Name)
			p := table[it.e.primary]
			dup := false
			for _, x := range changed {
				dup = dup || x == p
			}
			if !dup {
				changed = append(changed, p)
			}
		}
	}
	for _, p := range changed {
		for _, fn := range c.hooks.onChange[p.idx] {
			if err := fn(); err != nil {
				c.restore(snap)
				for _, q := range changed {
					for _, fn := range c.hooks.onChange[q.idx] {
						_ = fn() // best effort, as Redis's restoreBackupConfig
					}
				}
				return setFailed(setName(items, p), err.Error())
			}
		}
	}
	return nil
}

type setItem struct {
	e     *entry
	value string
}

// setName returns the name (primary or alias) under which p was set.
func setName(items []setItem, p *entry) string {
	for _, it := range items {
		if it.e.primary == p.idx {
			return it.e.Name
		}
	}
	return p.Name
}

func setFailed(name, text string) error {
	if text == "" {
		return ReplyError("ERR CONFIG SET failed (possibly related to argument '" + name + "')")
	}
	return ReplyError("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + text)
}

// allowProtected is Redis's allowProtectedAction for enable-protected-configs.
func (c *Config) allowProtected(ctx SetContext) bool {
	switch c.EnableProtectedConfigs {
	case "yes":
		return true
	case "local":
		return ctx.LocalClient
	}
	return false
}

// applyBuiltin does what Redis's apply functions do to the value itself
// after a CONFIG SET changed it.
func applyBuiltin(c *Config, name string) {
	switch name {
	case "hz":
		clampHz(c) // updateHZ
	case "watchdog-period":
		e := lookup(name)
		if p := e.num(c); p != 0 && p < int64(1000/c.Hz*2) { // applyWatchdogPeriod
			e.setNum(c, int64(1000/c.Hz*2))
		}
	case "repl-backlog-size":
		if c.ReplBacklogSize < 16*1024 { // resizeReplicationBacklog
			c.ReplBacklogSize = 16 * 1024
		}
	}
}

// clampHz keeps hz between 1 and 500, as Redis does after loading the
// config and after CONFIG SET hz.
func clampHz(c *Config) {
	if c.Hz < 1 {
		c.Hz = 1
	}
	if c.Hz > 500 {
		c.Hz = 500
	}
}
