package server

import (
	"cairn/internal/cmdtable"
)

// procTable maps full command names ("get", "client|list") to implementations. Each
// cmd_<group>.go file contributes one.
type procTable map[string]procFunc

// procTables lists every group's table.
var procTables = []procTable{
	connectionProcs,
	multiProcs,
	pubsubProcs,
	persistProcs,
	aofProcs,
	stringProcs,
	keyProcs,
	expireProcs,
	objectProcs,
	serverProcs,
	infoProcs,
	configProcs,
	commandProcs,
	debugProcs,
	scriptProcs,
	functionProcs,
	listProcs,
	hashProcs,
	zsetProcs,
	setProcs,
	sortProcs,
}

// buildCommandTable binds Redis's command metadata to Cairn's implementations. Commands
// Redis has but Cairn does not implement yet get a proc that says so, so no client ever
// receives a silently wrong reply.
func buildCommandTable() map[string]*command {
	procs := make(procTable)
	for _, t := range procTables {
		for name, p := range t {
			if _, dup := procs[name]; dup {
				panic("command implemented twice: " + name)
			}
			procs[name] = p
		}
	}
	table := make(map[string]*command)
	for _, spec := range cmdtable.All() {
		table[spec.Name] = newCommand(spec, nil, procs)
	}
	for name := range procs {
		if lookupFullName(table, name) == nil {
			panic("implementation for a command Redis 7.0 does not have: " + name)
		}
	}
	return table
}

func newCommand(spec *cmdtable.Command, parent *command, procs procTable) *command {
	cmd := &command{
		spec:   spec,
		name:   spec.Name,
		flags:  spec.Flags,
		arity:  spec.Arity,
		parent: parent,
	}
	if p, ok := procs[spec.Name]; ok {
		cmd.proc, cmd.implemented = p, true
	} else {
		msg := "ERR unknown command '" + spec.Name + "': not implemented in Cairn yet"
		cmd.proc = func(c *client) { c.addError(msg) }
	}
	if len(spec.Subcommands) > 0 {
		cmd.subs = make(map[string]*command, len(spec.Subcommands))
		for _, sub := range spec.Subcommands {
			sc := newCommand(sub, cmd, procs)
			cmd.subs[subName(sub.Name)] = sc
		}
	}
	return cmd
}

// subName is the part of "config|get" after the bar.
func subName(full string) string {
	for i := 0; i < len(full); i++ {
		if full[i] == '|' {
			return full[i+1:]
		}
	}
	return full
}

func lookupFullName(table map[string]*command, name string) *command {
	for i := 0; i < len(name); i++ {
		if name[i] == '|' {
			parent := table[name[:i]]
			if parent == nil {
				return nil
			}
			return parent.subs[name[i+1:]]
		}
	}
	return table[name]
}
