package server

import (
	"strings"

	"cairn/internal/cmdtable"
	"cairn/internal/glob"
)

var commandProcs = procTable{
	"command":                 commandCommand,
	"command|count":           commandCountCommand,
	"command|info":            commandInfoCommand,
	"command|docs":            commandDocsCommand,
	"command|list":            commandListCommand,
	"command|getkeys":         func(c *client) { commandGetKeysGeneric(c, false) },
	"command|getkeysandflags": func(c *client) { commandGetKeysGeneric(c, true) },
	"command|help":            func(c *client) { c.replyHelp("command") },
}

// The command table is Redis's, captured from redis-server 7.0.15 (see cmdtable): the
// replies below are that server's, byte for byte, whatever Cairn implements. Redis lists
// commands in the order of its command dict, which is random; Cairn lists them by name.

// COMMAND
func commandCommand(c *client) {
	all := cmdtable.All()
	c.w.ArrayLen(len(all))
	for _, spec := range all {
		spec.WriteInfo(&c.w)
	}
}

// COMMAND COUNT
func commandCountCommand(c *client) { c.w.Int(int64(len(cmdtable.All()))) }

// lookupSpecByName is Redis's lookupCommandBySds: a name or "container|sub", in any case.
func lookupSpecByName(name []byte) *cmdtable.Command {
	return cmdtable.LookupFullName(strings.ToLower(string(name)))
}

// COMMAND INFO [command-name ...]
func commandInfoCommand(c *client) {
	if len(c.argv) == 2 {
		commandCommand(c)
		return
	}
	c.w.ArrayLen(len(c.argv) - 2)
	for _, name := range c.argv[2:] {
		if spec := lookupSpecByName(name); spec != nil {
			spec.WriteInfo(&c.w)
		} else {
			c.w.Null()
		}
	}
}

// COMMAND DOCS [command-name ...]
func commandDocsCommand(c *client) {
	if len(c.argv) == 2 {
		all := cmdtable.All()
		c.w.MapLen(len(all))
		for _, spec := range all {
			c.w.BulkString(spec.Name)
			spec.WriteDocs(&c.w)
		}
		return
	}
	d := c.w.DeferLen()
	n := 0
	for _, name := range c.argv[2:] {
		spec := lookupSpecByName(name)
		if spec == nil {
			continue
		}
		c.w.BulkString(spec.Name)
		spec.WriteDocs(&c.w)
		n++
	}
	c.w.SetMapLen(d, n)
}

// aclCategories are Redis 7.0's ACL command categories (without the '@').
var aclCategories = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash",
	"string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting"}

// COMMAND LIST [FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]
func commandListCommand(c *client) {
	var filter func(spec *cmdtable.Command) bool
	for i := 2; i < len(c.argv); i++ {
		if !c.argIs(i, "filterby") || len(c.argv)-1-i != 2 {
			c.addError(errSyntax)
			return
		}
		arg := string(c.argv[i+2])
		switch {
		case c.argIs(i+1, "module"):
			filter = func(*cmdtable.Command) bool { return false } // Cairn has no modules
		case c.argIs(i+1, "aclcat"):
			cat := ""
			for _, name := range aclCategories {
				if strings.EqualFold(name, arg) {
					cat = name
				}
			}
			filter = func(spec *cmdtable.Command) bool {
				if cat == "" {
					return false
				}
				for _, have := range spec.ACLCategories {
					if have == cat {
						return true
					}
				}
				return false
			}
		case c.argIs(i+1, "pattern"):
			filter = func(spec *cmdtable.Command) bool { return glob.MatchString(arg, spec.Name, true) }
		default:
			c.addError(errSyntax)
			return
		}
		i += 2
	}
	d := c.w.DeferLen()
	n := 0
	var walk func(specs []*cmdtable.Command)
	walk = func(specs []*cmdtable.Command) {
		for _, spec := range specs {
			if filter == nil || filter(spec) {
				c.w.BulkString(spec.Name)
				n++
			}
			walk(spec.Subcommands)
		}
	}
	walk(cmdtable.All())
	c.w.SetArrayLen(d, n)
}

// COMMAND GETKEYS command [arg ...] and COMMAND GETKEYSANDFLAGS command [arg ...]
func commandGetKeysGeneric(c *client, withFlags bool) {
	args := c.argv[2:]
	spec := cmdtable.LookupArgs(args)
	if spec == nil {
		c.addError(string(cmdtable.ErrInvalidCommand))
		return
	}
	positions, err := spec.GetKeys(args)
	if err != nil {
		c.addError(err.Error())
		return
	}
	var flags []cmdtable.KeyFlags
	if withFlags {
		flags = keyFlagsFor(spec, args, positions)
	}
	c.w.ArrayLen(len(positions))
	for i, pos := range positions {
		if !withFlags {
			c.w.Bulk(args[pos])
			continue
		}
		c.w.ArrayLen(2)
		c.w.Bulk(args[pos])
		names := flags[i].Names()
		c.w.SetLen(len(names))
		for _, name := range names {
			c.w.SimpleString(name)
		}
	}
}

// keyRef is a key position with the flags of the key spec that found it.
type keyRef struct {
	pos   int
	flags cmdtable.KeyFlags
}

// keyFlagsFor returns the flags of each key position GetKeys found: those of the key
// spec that yields it when the specs apply (the same walk as Redis's
// getKeysUsingKeySpecs), otherwise those Redis's getkeys procedure gives.
func keyFlagsFor(spec *cmdtable.Command, args [][]byte, positions []int) []cmdtable.KeyFlags {
	flags := make([]cmdtable.KeyFlags, len(positions))
	variable := false
	for _, ks := range spec.KeySpecs {
		variable = variable || ks.Flags&cmdtable.KeyVariableFlags != 0
	}
	if variable && len(positions) == 1 {
		// SET and BITFIELD: Redis asks their getkeys procedures, which decide from the
		// arguments whether the key is only read or also written.
		flags[0] = variableKeyFlags(spec.Name, args)
		return flags
	}
	if refs, ok := specKeyRefs(spec, args); !variable && ok && len(refs) == len(positions) {
		for i, r := range refs {
			flags[i] = r.flags
		}
		return flags
	}
	const (
		ro     = cmdtable.KeyRO | cmdtable.KeyAccess
		ow     = cmdtable.KeyOW | cmdtable.KeyUpdate
		rwDel  = cmdtable.KeyRW | cmdtable.KeyAccess | cmdtable.KeyDelete
		noFlag = cmdtable.KeyFlags(0)
	)
	for i, pos := range positions {
		switch spec.Name {
		case "sort", "georadius", "georadiusbymember":
			flags[i] = ow
			if pos == 1 {
				flags[i] = ro
			}
		case "sort_ro", "xread", "xreadgroup":
			flags[i] = ro
		case "migrate":
			flags[i] = rwDel
		default:
			flags[i] = noFlag // Redis's genericGetKeys sets no flags
		}
	}
	return flags
}

// variableKeyFlags are the key flags of Redis's setGetKeys and bitfieldGetKeys.
func variableKeyFlags(name string, args [][]byte) cmdtable.KeyFlags {
	const (
		ro = cmdtable.KeyRO | cmdtable.KeyAccess
		rw = cmdtable.KeyRW | cmdtable.KeyAccess | cmdtable.KeyUpdate
		ow = cmdtable.KeyOW | cmdtable.KeyUpdate
	)
	switch name {
	case "set":
		for _, a := range args[min(3, len(args)):] {
			if strings.EqualFold(string(a), "get") {
				return rw
			}
		}
		return ow
	case "bitfield":
		for i := 2; i < len(args); i++ {
			rem := len(args) - i - 1
			a := string(args[i])
			switch {
			case strings.EqualFold(a, "get") && rem >= 2:
				i += 2
			case (strings.EqualFold(a, "set") || strings.EqualFold(a, "incrby")) && rem >= 3:
				return rw
			case strings.EqualFold(a, "overflow") && rem >= 1:
				i++
			default:
				return rw // a syntax error: assume a write, as Redis does
			}
		}
		return ro
	}
	return rw
}

// specKeyRefs is Redis 7.0's getKeysUsingKeySpecs with the flags of each key. It
// reports false when a spec cannot be applied (and Redis falls back to the command's
// getkeys procedure).
func specKeyRefs(spec *cmdtable.Command, args [][]byte) ([]keyRef, bool) {
	argc := len(args)
	var refs []keyRef
	for i := range spec.KeySpecs {
		ks := &spec.KeySpecs[i]
		if ks.Flags&cmdtable.KeyNotKey != 0 {
			continue
		}
		first := 0
		switch ks.BeginSearch {
		case cmdtable.BeginIndex:
			first = ks.Index
		case cmdtable.BeginKeyword:
			start, end := ks.StartFrom, argc-1
			if ks.StartFrom <= 0 {
				start, end = argc+ks.StartFrom, 1
			}
			for j := start; j != end; {
				if j >= argc || j < 1 {
					break
				}
				if strings.EqualFold(string(args[j]), ks.Keyword) {
					first = j + 1
					break
				}
				if start <= end {
					j++
				} else {
					j--
				}
			}
			if first == 0 {
				continue
			}
		default:
			return nil, false
		}
		var last int
		switch ks.FindKeys {
		case cmdtable.FindRange:
			switch {
			case ks.LastKey >= 0:
				last = first + ks.LastKey
			case ks.Limit == 0:
				last = argc + ks.LastKey
			default:
				last = first + (argc-first)/ks.Limit + ks.LastKey
			}
		case cmdtable.FindKeynum:
			if first+ks.KeyNumIdx >= argc {
				return nil, false
			}
			numkeys, ok := parseInt64(args[first+ks.KeyNumIdx])
			if !ok || numkeys < 0 {
				return nil, false
			}
			first += ks.FirstKey
			last = first + int(int32(numkeys)) - 1
		default:
			return nil, false
		}
		if last >= argc || last < first || first >= argc {
			return nil, false
		}
		for j := first; j <= last; j += ks.KeyStep {
			refs = append(refs, keyRef{j, ks.Flags})
		}
		if ks.Flags&cmdtable.KeyIncomplete != 0 {
			return nil, false
		}
	}
	return refs, true
}
