package cmdtable

import (
	"bytes"
	"math"
)

// Error is an error reply of COMMAND GETKEYS; its text is the full reply after the '-',
// byte for byte as redis-server 7.0.15 sends it.
type Error string

func (e Error) Error() string { return string(e) }

// The errors of GetKeys, and the one COMMAND GETKEYS sends when LookupArgs finds nothing.
const (
	ErrInvalidCommand   Error = "ERR Invalid command specified"
	ErrNoKeyArguments   Error = "ERR The command has no key arguments"
	ErrInvalidArgCount  Error = "ERR Invalid number of arguments specified for command"
	ErrInvalidArguments Error = "ERR Invalid arguments specified for command"
)

// HasKeys reports whether c can take key arguments: it has a key spec not marked not_key
// or a getkeys procedure (Redis's doesCommandHaveKeys). Channels of SPUBLISH and
// SSUBSCRIBE are described by not_key specs and so do not count.
func (c *Command) HasKeys() bool {
	if c.getkeys != nil {
		return true
	}
	for i := range c.KeySpecs {
		if c.KeySpecs[i].Flags&KeyNotKey == 0 {
			return true
		}
	}
	return false
}

// GetKeys returns the positions in args of the key arguments of a call of c, as
// COMMAND GETKEYS computes them. args is the whole call: args[0] is the command name (and
// args[1] the subcommand name for a subcommand), as LookupArgs takes it; positions index
// args. The checks run in Redis's order: ErrNoKeyArguments if c never takes keys,
// ErrInvalidArgCount if len(args) does not satisfy the arity, ErrInvalidArguments if the
// arguments yield no keys (a bad numkeys, a missing STREAMS, ...). A command flagged
// no_mandatory_keys (EVAL, FCALL, ...) returns no positions and no error instead.
func (c *Command) GetKeys(args [][]byte) (positions []int, err error) {
	if !c.HasKeys() {
		return nil, ErrNoKeyArguments
	}
	if !c.ArityOK(len(args)) {
		return nil, ErrInvalidArgCount
	}
	positions = c.AppendKeys(nil, args)
	if len(positions) == 0 && c.Flags&FlagNoMandatoryKeys == 0 {
		return nil, ErrInvalidArguments
	}
	return positions, nil
}

// AppendKeys appends to dst the positions in args of the key arguments of a call of c and
// returns the extended slice (Redis's getKeysFromCommandWithSpecs): the key specs are
// used when all of them can be applied to args; otherwise, for the commands that have one,
// Redis's getkeys procedure. It does no arity check, but does not panic on a call with
// too few arguments. Keys are in the order Redis reports them; a key can appear twice.
// Specs marked not_key (shard channels) are skipped. It allocates only to grow dst.
func (c *Command) AppendKeys(dst []int, args [][]byte) []int {
	n := len(dst)
	if out, ok := c.appendSpecKeys(dst, args); ok {
		return out
	}
	if c.getkeys != nil {
		return c.getkeys(dst[:n], args)
	}
	return dst[:n]
}

// appendSpecKeys is Redis 7.0's getKeysUsingKeySpecs. It reports false if a spec cannot be
// applied: an unknown begin-search or find-keys type, a bad numkeys, a range outside the
// arguments, or a spec marked incomplete.
func (c *Command) appendSpecKeys(dst []int, args [][]byte) ([]int, bool) {
	argc := len(args)
	for i := range c.KeySpecs {
		ks := &c.KeySpecs[i]
		if ks.Flags&KeyNotKey != 0 {
			continue
		}

		first := 0
		switch ks.BeginSearch {
		case BeginIndex:
			first = ks.Index
		case BeginKeyword:
			// Search forward from StartFrom to the second-to-last argument, or with a
			// negative StartFrom backwards from argc+StartFrom to the second argument.
			start, end := ks.StartFrom, argc-1
			if ks.StartFrom <= 0 {
				start, end = argc+ks.StartFrom, 1
			}
			for j := start; j != end; {
				if j >= argc || j < 1 {
					break
				}
				if equalFold(args[j], ks.Keyword) {
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
				continue // keyword absent: this spec has no keys
			}
		default:
			return dst, false
		}

		var last int
		switch ks.FindKeys {
		case FindRange:
			switch {
			case ks.LastKey >= 0:
				last = first + ks.LastKey
			case ks.Limit == 0:
				last = argc + ks.LastKey
			default:
				last = first + (argc-first)/ks.Limit + ks.LastKey
			}
		case FindKeynum:
			if first+ks.KeyNumIdx >= argc {
				return dst, false
			}
			numkeys, ok := string2ll(args[first+ks.KeyNumIdx])
			if !ok || numkeys < 0 {
				return dst, false
			}
			first += ks.FirstKey
			last = first + int(int32(numkeys)) - 1 // Redis casts to int
		default:
			return dst, false
		}

		if last >= argc || last < first || first >= argc {
			return dst, false
		}
		for j := first; j <= last; j += ks.KeyStep {
			dst = append(dst, j)
		}
		if ks.Flags&KeyIncomplete != 0 {
			return dst, false
		}
	}
	return dst, true
}

// getkeysProc is a Redis getkeys_proc: it appends key positions to dst, or nothing when
// the arguments are invalid.
type getkeysProc func(dst []int, args [][]byte) []int

// getkeysProcs are the getkeys procedures of Redis 7.0 by command name: exactly the
// commands flagged movablekeys. They only run when the key specs cannot be applied.
var getkeysProcs = map[string]getkeysProc{
	"zunionstore":       zunionInterDiffStoreGetKeys,
	"zinterstore":       zunionInterDiffStoreGetKeys,
	"zdiffstore":        zunionInterDiffStoreGetKeys,
	"zunion":            zunionInterDiffGetKeys,
	"zinter":            zunionInterDiffGetKeys,
	"zdiff":             zunionInterDiffGetKeys,
	"eval":              evalGetKeys,
	"evalsha":           evalGetKeys,
	"eval_ro":           evalGetKeys,
	"evalsha_ro":        evalGetKeys,
	"fcall":             functionGetKeys,
	"fcall_ro":          functionGetKeys,
	"lmpop":             lmpopGetKeys,
	"blmpop":            blmpopGetKeys,
	"zmpop":             zmpopGetKeys,
	"bzmpop":            bzmpopGetKeys,
	"sintercard":        sintercardGetKeys,
	"zintercard":        zintercardGetKeys,
	"sort":              sortGetKeys,
	"sort_ro":           sortROGetKeys,
	"migrate":           migrateGetKeys,
	"georadius":         georadiusGetKeys,
	"georadiusbymember": georadiusGetKeys,
	"xread":             xreadGetKeys,
	"xreadgroup":        xreadGetKeys,
}

// ZUNIONSTORE destination numkeys key [key ...] ... (and ZINTERSTORE, ZDIFFSTORE)
func zunionInterDiffStoreGetKeys(dst []int, args [][]byte) []int {
	return genericGetKeys(dst, args, 1, 2, 3, 1)
}

// ZUNION numkeys key [key ...] ... (and ZINTER, ZDIFF)
func zunionInterDiffGetKeys(dst []int, args [][]byte) []int {
	return genericGetKeys(dst, args, 0, 1, 2, 1)
}

// EVAL script numkeys [key [key ...]] [arg [arg ...]] (and EVALSHA, EVAL_RO, EVALSHA_RO)
func evalGetKeys(dst []int, args [][]byte) []int { return genericGetKeys(dst, args, 0, 2, 3, 1) }

// FCALL function numkeys [key [key ...]] [arg [arg ...]] (and FCALL_RO)
func functionGetKeys(dst []int, args [][]byte) []int {
	return genericGetKeys(dst, args, 0, 2, 3, 1)
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
func lmpopGetKeys(dst []int, args [][]byte) []int { return genericGetKeys(dst, args, 0, 1, 2, 1) }

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
func blmpopGetKeys(dst []int, args [][]byte) []int {
	return genericGetKeys(dst, args, 0, 2, 3, 1)
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
func zmpopGetKeys(dst []int, args [][]byte) []int { return genericGetKeys(dst, args, 0, 1, 2, 1) }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
func bzmpopGetKeys(dst []int, args [][]byte) []int {
	return genericGetKeys(dst, args, 0, 2, 3, 1)
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func sintercardGetKeys(dst []int, args [][]byte) []int {
	return genericGetKeys(dst, args, 0, 1, 2, 1)
}

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
func zintercardGetKeys(dst []int, args [][]byte) []int {
	return genericGetKeys(dst, args, 0, 1, 2, 1)
}

// genericGetKeys is Redis's helper for commands with a numkeys argument at keyCountOfs,
// keys from firstKeyOfs every keyStep, and (if storeKeyOfs is not 0) a destination key,
// which it reports last. numkeys is read with C's atoi.
func genericGetKeys(dst []int, args [][]byte, storeKeyOfs, keyCountOfs, firstKeyOfs, keyStep int) []int {
	argc := len(args)
	if keyCountOfs >= argc {
		return dst
	}
	num := atoi(args[keyCountOfs])
	if num < 1 || num > (argc-firstKeyOfs)/keyStep {
		return dst
	}
	for i := range num {
		dst = append(dst, firstKeyOfs+i*keyStep)
	}
	if storeKeyOfs != 0 {
		dst = append(dst, storeKeyOfs)
	}
	return dst
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC]
// [ALPHA] [STORE destination]
//
// The destination is the argument after the last STORE; like Redis this skips the
// arguments of LIMIT, GET and BY but not of STORE.
func sortGetKeys(dst []int, args [][]byte) []int {
	dst = append(dst, 1)
	store := 0
	for i := 2; i < len(args); i++ {
		switch {
		case equalFold(args[i], "LIMIT"):
			i += 2
		case equalFold(args[i], "STORE") && i+1 < len(args):
			store = i + 1
		case equalFold(args[i], "GET"), equalFold(args[i], "BY"):
			i++
		}
	}
	if store != 0 {
		dst = append(dst, store)
	}
	return dst
}

// SORT_RO key ...
func sortROGetKeys(dst []int, args [][]byte) []int { return append(dst, 1) }

// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
// [AUTH2 username password] [KEYS key [key ...]]
func migrateGetKeys(dst []int, args [][]byte) []int {
	first, num := 3, 1
	if len(args) > 6 {
	scan:
		for i := 6; i < len(args); i++ {
			switch {
			case equalFold(args[i], "KEYS"):
				if len(args[3]) > 0 {
					return dst // KEYS needs an empty key argument
				}
				first = i + 1
				num = len(args) - first
				break scan
			case equalFold(args[i], "AUTH"):
				i++
			case equalFold(args[i], "AUTH2"):
				i += 2
			}
		}
	}
	if first+num > len(args) {
		return dst
	}
	for i := range num {
		dst = append(dst, first+i)
	}
	return dst
}

// GEORADIUS key longitude latitude radius unit ... [STORE key|STOREDIST key]
// (and GEORADIUSBYMEMBER key member radius unit ...): the key, and the argument after the
// last STORE or STOREDIST from position 5 on.
func georadiusGetKeys(dst []int, args [][]byte) []int {
	stored := -1
	for i := 5; i < len(args); i++ {
		if (equalFold(args[i], "STORE") || equalFold(args[i], "STOREDIST")) && i+1 < len(args) {
			stored = i + 1
			i++
		}
	}
	dst = append(dst, 1)
	if stored != -1 {
		dst = append(dst, stored)
	}
	return dst
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS ...
func xreadGetKeys(dst []int, args [][]byte) []int {
	argc := len(args)
	streams := -1
scan:
	for i := 1; i < argc; i++ {
		switch {
		case equalFold(args[i], "BLOCK"), equalFold(args[i], "COUNT"):
			i++
		case equalFold(args[i], "GROUP"):
			i += 2
		case equalFold(args[i], "NOACK"):
		case equalFold(args[i], "STREAMS"):
			streams = i
			break scan
		default:
			break scan // syntax error
		}
	}
	num := argc - streams - 1
	if streams == -1 || num == 0 || num%2 != 0 {
		return dst
	}
	for i := streams + 1; i < argc-num/2; i++ {
		dst = append(dst, i)
	}
	return dst
}

// equalFold reports whether b equals the ASCII string s ignoring case (strcasecmp).
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// string2ll is Redis's strict integer parser: an optional '-', no leading zeros, no
// spaces or '+', and the value must fit in 64 bits.
func string2ll(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// atoi is C's atoi as glibc implements it, (int)strtol(s, NULL, 10): leading white space,
// an optional sign, then digits up to the first non-digit; saturating at the 64-bit
// bounds, then truncated to 32 bits.
func atoi(b []byte) int {
	b = bytes.TrimLeft(b, " \t\n\v\f\r")
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	var v uint64
	overflow := false
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			break
		}
		if d := uint64(ch - '0'); !overflow && v <= (1<<63-d)/10 {
			v = v*10 + d
		} else {
			overflow = true // beyond every bound that matters: saturate
		}
	}
	var n int64
	switch {
	case neg && (overflow || v == 1<<63):
		n = math.MinInt64
	case neg:
		n = -int64(v)
	case overflow || v == 1<<63:
		n = math.MaxInt64
	default:
		n = int64(v)
	}
	return int(int32(n))
}
