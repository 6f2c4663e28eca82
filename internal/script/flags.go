package script

import (
	"bytes"
	"strings"
)

// Flags are the script flags of a "#!lua flags=..." shebang or of
// redis.register_function (SCRIPT_FLAG_*).
type Flags int

const (
	FlagNoWrites Flags = 1 << iota
	FlagAllowOOM
	FlagAllowStale
	FlagNoCluster
	FlagAllowCrossSlotKeys
	// FlagEvalCompat marks an EVAL script without a shebang: Redis applies 6.x
	// semantics to it (writes allowed unless _RO, checked per command).
	FlagEvalCompat
)

var flagNames = []struct {
	name string
	flag Flags
}{
	{"no-writes", FlagNoWrites},
	{"allow-oom", FlagAllowOOM},
	{"allow-stale", FlagAllowStale},
	{"no-cluster", FlagNoCluster},
	{"allow-cross-slot-keys", FlagAllowCrossSlotKeys},
}

// FlagNames lists the names of f in Redis's order (FUNCTION LIST).
func (f Flags) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.flag != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

// parseFlag returns the flag called name.
func parseFlag(name string) (Flags, bool) {
	for _, fn := range flagNames {
		if fn.name == name {
			return fn.flag, true
		}
	}
	return 0, false
}

// parseEvalShebang is evalExtractShebangFlags: a body starting with "#!" must be
// "#!lua" with optional "flags=a,b"; the shebang line is blanked (kept as an empty
// line, so line numbers stay right) in the code returned.
func parseEvalShebang(body []byte) (flags Flags, code []byte, shebang bool, errMsg string) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return FlagEvalCompat, body, false, ""
	}
	nl := bytes.IndexByte(body, '\n')
	if nl < 0 {
		return 0, nil, true, "ERR Invalid script shebang"
	}
	line := string(body[:nl])
	parts := strings.Fields(line)
	if len(parts) == 0 || parts[0] != "#!lua" {
		engine := line
		if len(parts) > 0 {
			engine = parts[0]
		}
		return 0, nil, true, "ERR Unexpected engine in script shebang: " + engine
	}
	for _, p := range parts[1:] {
		if !strings.HasPrefix(p, "flags=") {
			return 0, nil, true, "ERR Unknown lua shebang option: " + p
		}
		for _, name := range strings.Split(p[len("flags="):], ",") {
			if name == "" {
				continue
			}
			f, ok := parseFlag(name)
			if !ok {
				return 0, nil, true, "ERR Unexpected flag in script shebang: " + name
			}
			flags |= f
		}
	}
	code = make([]byte, 0, len(body)-nl)
	code = append(code, body[nl:]...)
	return flags, code, true, ""
}
