package cmdtable

import (
	"sort"
	"strings"
)

//go:generate go run ./gen -info testdata/redis-7.0.15-command-info.resp -docs testdata/redis-7.0.15-command-docs.resp -out table_gen.go

// Command is one entry of the command table: a top-level command such as "get", or a
// subcommand such as "config|get". Entries are static data shared by every client; they
// must not be modified.
type Command struct {
	// Name is lower case; for a subcommand it is the full "parent|sub" name.
	Name string
	// Arity is the number of arguments counting the command name (and, for a subcommand,
	// the subcommand name): N means exactly N, -N means at least N.
	Arity int
	Flags Flags
	// FirstKey, LastKey and Step are the legacy key positions of COMMAND INFO (LastKey
	// negative counts from the end; all zero when the keys cannot be described this way).
	FirstKey, LastKey, Step int
	// ACLCategories are the command's ACL categories without the '@', in Redis's order.
	ACLCategories []string
	// Tips are the command tips ("nondeterministic_output", "request_policy:all_shards", ...).
	Tips []string
	// KeySpecs describe where the keys are in the arguments, in Redis's order.
	KeySpecs []KeySpec
	// Subcommands are sorted by name; nil for commands without subcommands.
	Subcommands []*Command
	// Parent is the container of a subcommand; nil for a top-level command.
	Parent *Command
	// From COMMAND DOCS. Group is e.g. "string", "sorted-set", "server".
	Group, Since, Summary, Complexity string

	info, docs value // the captured replies for this command, see WriteInfo and WriteDocs

	// getkeys is Redis's getkeys_proc for the commands whose key specs can fail; nil
	// otherwise. Set by init from getkeysProcs.
	getkeys getkeysProc
}

// Flags is a set of Redis command flags, one bit each.
//
// The constants are named Flag + the Redis flag name in MixedCaps, split at '_' (denyoom is
// FlagDenyoom, no_mandatory_keys is FlagNoMandatoryKeys), so that the generator can name
// them without a table. Their order is the order in which Redis 7.0 lists flags in
// COMMAND INFO.
type Flags uint64

const (
	FlagWrite Flags = 1 << iota
	FlagReadonly
	FlagDenyoom
	FlagModule
	FlagAdmin
	FlagPubsub
	FlagNoscript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagAsking
	FlagFast
	FlagNoAuth
	// FlagMayReplicate, FlagSentinel, FlagOnlySentinel and FlagProtected exist in Redis but
	// COMMAND INFO hides them, so the captured table never sets them.
	FlagMayReplicate
	FlagSentinel
	FlagOnlySentinel
	FlagNoMandatoryKeys
	FlagProtected
	// FlagModuleGetkeys and FlagModuleNoCluster only apply to module commands and are
	// hidden by COMMAND INFO too.
	FlagModuleGetkeys
	FlagModuleNoCluster
	FlagNoAsyncLoading
	FlagNoMulti
	FlagMovablekeys
	FlagAllowBusy
)

var flagNames = [...]string{
	"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
	"loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
	"may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys", "protected",
	"module_getkeys", "module_no_cluster", "no_async_loading", "no_multi", "movablekeys",
	"allow_busy",
}

// Names returns the Redis names of the flags in f, in COMMAND INFO order.
func (f Flags) Names() []string {
	var names []string
	for i, name := range flagNames {
		if f&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return names
}

// String returns the flag names joined by '|'.
func (f Flags) String() string { return strings.Join(f.Names(), "|") }

// KeySpec is one Redis 7 key specification: a begin-search step that finds where the keys
// start, and a find-keys step that says how many there are. The fields used depend on
// BeginSearch and FindKeys; the others are zero.
type KeySpec struct {
	Flags KeyFlags
	Notes string // free-text notes from the spec, often empty

	BeginSearch BeginSearch
	Index       int    // BeginIndex: the position of the first key
	Keyword     string // BeginKeyword: the keys start after this argument (upper case) ...
	StartFrom   int    // ... searched from this position; negative counts from the end, backwards

	FindKeys FindKeys
	// FindRange: keys from the begin position to LastKey (relative to it; negative counts
	// from the end of the arguments), every KeyStep; with Limit > 0 and LastKey -1 the range
	// is 1/Limit of the remaining arguments.
	LastKey, KeyStep, Limit int
	// FindKeynum: the argument at KeyNumIdx (relative to the begin position) is the number of
	// keys, the first key is at FirstKey (relative), then every KeyStep.
	KeyNumIdx, FirstKey int
}

// BeginSearch is the kind of a key spec's begin-search step.
type BeginSearch uint8

const (
	BeginUnknown BeginSearch = iota // Redis's "unknown": the keys cannot be found from the spec
	BeginIndex
	BeginKeyword
)

// FindKeys is the kind of a key spec's find-keys step.
type FindKeys uint8

const (
	FindUnknown FindKeys = iota // Redis's "unknown"
	FindRange
	FindKeynum
)

// KeyFlags are the flags of a key spec. Constants are named Key + the Redis name (the
// upper-case access names kept as they are, the others in MixedCaps).
type KeyFlags uint16

const (
	KeyRO KeyFlags = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
	KeyNotKey
	KeyIncomplete
	KeyVariableFlags
)

var keyFlagNames = [...]string{
	"RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete",
	"variable_flags",
}

// Names returns the Redis names of the flags in f, in COMMAND INFO order.
func (f KeyFlags) Names() []string {
	var names []string
	for i, name := range keyFlagNames {
		if f&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return names
}

// String returns the flag names joined by '|'.
func (f KeyFlags) String() string { return strings.Join(f.Names(), "|") }

// index maps the names of top-level commands to their entries. Built by init.
var index map[string]*Command

func init() {
	index = make(map[string]*Command, len(allCommands))
	for _, c := range allCommands {
		index[c.Name] = c
		for _, sub := range c.Subcommands {
			sub.Parent = c
		}
	}
	for name, proc := range getkeysProcs {
		c := LookupFullName(name)
		if c == nil {
			panic("cmdtable: getkeys procedure for unknown command " + name)
		}
		c.getkeys = proc
	}
}

// All returns the top-level commands sorted by name (COMMAND COUNT is its length). The
// slice is shared: do not modify it.
func All() []*Command { return allCommands }

// Lookup returns the top-level command called name, or nil. name must already be lower
// case. It does not resolve "parent|sub" names: see LookupFullName.
func Lookup(name string) *Command { return index[name] }

// LookupSub returns parent's subcommand sub (lower case, without the "parent|" prefix), or
// nil.
func LookupSub(parent *Command, sub string) *Command {
	subs := parent.Subcommands
	if len(subs) == 0 {
		return nil
	}
	// Names are "parent|sub" and sorted; compare the part after the '|'.
	prefix := len(parent.Name) + 1
	i := sort.Search(len(subs), func(i int) bool { return subs[i].Name[prefix:] >= sub })
	if i < len(subs) && subs[i].Name[prefix:] == sub {
		return subs[i]
	}
	return nil
}

// LookupFullName returns the command called name, where name is lower case and either a
// top-level name or "parent|sub" (the form COMMAND INFO, COMMAND DOCS and ACL rules accept).
func LookupFullName(name string) *Command {
	parent, sub, ok := strings.Cut(name, "|")
	c := Lookup(parent)
	if !ok || c == nil {
		return c
	}
	return LookupSub(c, sub)
}

// maxNameLen bounds the command and subcommand names LookupArgs lower-cases on the stack;
// the longest name in Redis 7.0 is 21 bytes.
const maxNameLen = 64

// LookupArgs returns the command that a client's arguments invoke, as Redis's
// lookupCommand: args[0] names the command in any case; if that command has subcommands
// and there is a second argument, args[1] names the subcommand. It returns nil for an
// unknown command or subcommand. A container called with no further argument ("CONFIG")
// returns the container itself, whose arity then rejects the call. It does not allocate.
func LookupArgs(args [][]byte) *Command {
	if len(args) == 0 {
		return nil
	}
	var buf [maxNameLen]byte
	name, ok := lower(buf[:0], args[0])
	if !ok {
		return nil
	}
	c := index[string(name)]
	if c == nil || len(args) == 1 || c.Subcommands == nil {
		return c
	}
	if name, ok = lower(buf[:0], args[1]); !ok {
		return nil
	}
	return LookupSub(c, string(name))
}

func lower(dst, s []byte) ([]byte, bool) {
	if len(s) > cap(dst) {
		return nil, false
	}
	for _, ch := range s {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	return dst, true
}

// ArityOK reports whether argc arguments (counting the command name and, for a
// subcommand, the subcommand name) satisfy c's arity.
func (c *Command) ArityOK(argc int) bool {
	if c.Arity >= 0 {
		return argc == c.Arity
	}
	return argc >= -c.Arity
}
