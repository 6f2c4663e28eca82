package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Directives with their own syntax, each a copy of its Redis counterpart
// (setConfig<X>Option, getConfig<X>Option, rewriteConfig<X>Option).

// --- save ---

var saveSpecial = &special{
	set: func(c *Config, args []string, lc *loadCtx) (bool, string) {
		// A single "" means no save points.
		if len(args) == 1 && cstr(args[0]) == "" {
			c.Save = nil
			args = nil
		}
		if len(args)%2 != 0 {
			return false, "Invalid save parameters"
		}
		for j, a := range args {
			v, full, _ := strtoll(a, 10)
			if !full || j%2 == 0 && v < 1 || j%2 == 1 && v < 0 {
				return false, "Invalid save parameters"
			}
		}
		// In a config file, save lines add up, but the first one replaces
		// the defaults. (Redis's flag for "the first one" lives for the
		// whole process, and an include ends "reading a file" early: both
		// quirks are kept, see loadCtx.)
		var params [][2]int64
		if lc != nil && lc.reading {
			if lc.saveLoaded {
				params = append(params, c.Save...)
			}
			lc.saveLoaded = true
		}
		for j := 0; j < len(args); j += 2 {
			secs, _, _ := strtoll(args[j], 10)
			changes, _, _ := strtoll(args[j+1], 10)
			params = append(params, [2]int64{secs, int64(int32(changes))}) // changes is a C int
		}
		c.Save = params
		return true, ""
	},
	get: func(c *Config) string {
		var b []byte
		for i, p := range c.Save {
			if i > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, p[0], 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, p[1], 10)
		}
		return string(b)
	},
	rewrite: func(c *Config, st *rewriteState, name string) {
		if len(c.Save) == 0 {
			st.rewriteLine(name, "save \"\"", true)
		}
		for _, p := range c.Save {
			st.rewriteLine(name, "save "+strconv.FormatInt(p[0], 10)+" "+strconv.FormatInt(p[1], 10), true)
		}
		st.markProcessed(name)
	},
}

// --- client-output-buffer-limit ---

var obufDefaults = [3]OutputBufferLimit{
	{0, 0, 0},
	{256 * mb, 64 * mb, 60},
	{32 * mb, 8 * mb, 60},
}

// clientTypeByName is Redis's getClientTypeByName; 3 is "master".
func clientTypeByName(s string) int {
	s = cstr(s)
	switch {
	case strings.EqualFold(s, "normal"):
		return ClientNormal
	case strings.EqualFold(s, "slave"), strings.EqualFold(s, "replica"):
		return ClientReplica
	case strings.EqualFold(s, "pubsub"):
		return ClientPubsub
	case strings.EqualFold(s, "master"):
		return 3
	}
	return -1
}

var obufClassNames = [3]string{"normal", "slave", "pubsub"}

var obufSpecial = &special{
	set: func(c *Config, args []string, _ *loadCtx) (bool, string) {
		if len(args)%4 != 0 {
			return false, "Wrong number of arguments in buffer limit configuration."
		}
		vals := c.ClientOutputBufferLimit
		for j := 0; j < len(args); j += 4 {
			class := clientTypeByName(args[j])
			if class == -1 || class == 3 {
				return false, "Invalid client class specified in buffer limit configuration."
			}
			hard, okHard := memtoull(args[j+1])
			soft, okSoft := memtoull(args[j+2])
			secs, full, _ := strtoll(args[j+3], 10)
			secs32 := int32(secs) // a C int in Redis
			if !okHard || !okSoft || secs32 < 0 || !full {
				return false, "Error in hard, soft or soft_seconds setting in buffer limit configuration."
			}
			vals[class] = OutputBufferLimit{hard, soft, int64(secs32)}
		}
		c.ClientOutputBufferLimit = vals
		return true, ""
	},
	get: func(c *Config) string {
		var b []byte
		for i, l := range c.ClientOutputBufferLimit {
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, obufClassNames[i]...)
			b = append(b, ' ')
			b = strconv.AppendUint(b, l.Hard, 10)
			b = append(b, ' ')
			b = strconv.AppendUint(b, l.Soft, 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, l.SoftSeconds, 10)
		}
		return string(b)
	},
	rewrite: func(c *Config, st *rewriteState, name string) {
		for i, l := range c.ClientOutputBufferLimit {
			class := obufClassNames[i]
			if class == "slave" {
				class = "replica"
			}
			line := name + " " + class + " " + formatMemory(int64(l.Hard)) + " " + formatMemory(int64(l.Soft)) + " " + strconv.FormatInt(l.SoftSeconds, 10)
			st.rewriteLine(name, line, l != obufDefaults[i])
		}
	},
}

// --- oom-score-adj-values ---

var oomDefaults = [3]int{0, 200, 800}

var oomSpecial = &special{
	set: func(c *Config, args []string, _ *loadCtx) (bool, string) {
		if len(args) != 3 {
			return false, "wrong number of arguments"
		}
		var vals [3]int
		for i, a := range args {
			v, full, _ := strtoll(a, 10)
			if !full || v < -2000 || v > 2000 {
				return false, "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
			}
			vals[i] = int(v)
		}
		// Redis logs a warning when the values are not increasing; the
		// server may check that itself.
		if vals == c.OOMScoreAdjValues {
			return false, ""
		}
		c.OOMScoreAdjValues = vals
		return true, ""
	},
	get: func(c *Config) string {
		v := c.OOMScoreAdjValues
		return strconv.Itoa(v[0]) + " " + strconv.Itoa(v[1]) + " " + strconv.Itoa(v[2])
	},
	rewrite: func(c *Config, st *rewriteState, name string) {
		v := c.OOMScoreAdjValues
		line := name + " " + strconv.Itoa(v[0]) + " " + strconv.Itoa(v[1]) + " " + strconv.Itoa(v[2])
		st.rewriteLine(name, line, v != oomDefaults)
	},
}

// --- notify-keyspace-events ---

// Keyspace notification classes, the bits of Config.NotifyKeyspaceEvents
// (Redis's NOTIFY_* values).
const (
	NotifyKeyspace = 1 << 0  // K
	NotifyKeyevent = 1 << 1  // E
	NotifyGeneric  = 1 << 2  // g
	NotifyString   = 1 << 3  // $
	NotifyList     = 1 << 4  // l
	NotifySet      = 1 << 5  // s
	NotifyHash     = 1 << 6  // h
	NotifyZset     = 1 << 7  // z
	NotifyExpired  = 1 << 8  // x
	NotifyEvicted  = 1 << 9  // e
	NotifyStream   = 1 << 10 // t
	NotifyKeyMiss  = 1 << 11 // m (not part of A)
	NotifyLoaded   = 1 << 12 // module key loaded (no letter)
	NotifyModule   = 1 << 13 // d
	NotifyNew      = 1 << 14 // n (not part of A)

	// NotifyAll is the A class.
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash | NotifyZset |
		NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// ParseKeyspaceEvents converts a notify-keyspace-events string ("KEA",
// "Elx"...) to Notify* flags, as Redis's keyspaceEventsStringToFlags does.
// ok is false if it contains a character that is not a class.
func ParseKeyspaceEvents(s string) (flags int, ok bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			flags |= NotifyAll
		case 'g':
			flags |= NotifyGeneric
		case '$':
			flags |= NotifyString
		case 'l':
			flags |= NotifyList
		case 's':
			flags |= NotifySet
		case 'h':
			flags |= NotifyHash
		case 'z':
			flags |= NotifyZset
		case 'x':
			flags |= NotifyExpired
		case 'e':
			flags |= NotifyEvicted
		case 'K':
			flags |= NotifyKeyspace
		case 'E':
			flags |= NotifyKeyevent
		case 't':
			flags |= NotifyStream
		case 'm':
			flags |= NotifyKeyMiss
		case 'd':
			flags |= NotifyModule
		case 'n':
			flags |= NotifyNew
		default:
			return 0, false
		}
	}
	return flags, true
}

// FormatKeyspaceEvents is the inverse of ParseKeyspaceEvents, in Redis's
// canonical order (keyspaceEventsFlagsToString): "AKE", "g$xKE"...
func FormatKeyspaceEvents(flags int) string {
	var b []byte
	if flags&NotifyAll == NotifyAll {
		b = append(b, 'A')
	} else {
		for _, f := range []struct {
			bit int
			c   byte
		}{
			{NotifyGeneric, 'g'}, {NotifyString, '$'}, {NotifyList, 'l'}, {NotifySet, 's'},
			{NotifyHash, 'h'}, {NotifyZset, 'z'}, {NotifyExpired, 'x'}, {NotifyEvicted, 'e'},
			{NotifyStream, 't'}, {NotifyModule, 'd'}, {NotifyNew, 'n'},
		} {
			if flags&f.bit != 0 {
				b = append(b, f.c)
			}
		}
	}
	if flags&NotifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if flags&NotifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if flags&NotifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

var notifySpecial = &special{
	set: func(c *Config, args []string, _ *loadCtx) (bool, string) {
		if len(args) != 1 {
			return false, "wrong number of arguments"
		}
		flags, ok := ParseKeyspaceEvents(cstr(args[0]))
		if !ok {
			return false, "Invalid event class character. Use '" + notifyOK + "'."
		}
		c.NotifyKeyspaceEvents = flags
		return true, ""
	},
	get: func(c *Config) string { return FormatKeyspaceEvents(c.NotifyKeyspaceEvents) },
	rewrite: func(c *Config, st *rewriteState, name string) {
		line := name + " " + repr(FormatKeyspaceEvents(c.NotifyKeyspaceEvents))
		st.rewriteLine(name, line, c.NotifyKeyspaceEvents != 0)
	},
}

// --- bind ---

var bindSpecial = &special{
	set: func(c *Config, args []string, _ *loadCtx) (bool, string) {
		if len(args) > 16 {
			return false, "Too many bind addresses specified."
		}
		if len(args) == 1 && args[0] == "" {
			args = nil
		}
		addrs := make([]string, len(args))
		for i, a := range args {
			addrs[i] = cstr(a)
		}
		c.Bind = addrs
		return true, ""
	},
	get: func(c *Config) string { return strings.Join(c.Bind, " ") },
	rewrite: func(c *Config, st *rewriteState, name string) {
		if len(c.Bind) == 2 && c.Bind[0] == "*" && c.Bind[1] == "-::*" {
			st.markProcessed(name) // the default: drop bind lines
			return
		}
		addrs := `""`
		if len(c.Bind) > 0 {
			addrs = strings.Join(c.Bind, " ")
		}
		st.rewriteLine(name, name+" "+addrs, true)
	},
}

// --- replicaof ---

var replicaofSpecial = &special{
	set: func(c *Config, args []string, _ *loadCtx) (bool, string) {
		if len(args) != 2 {
			return false, "wrong number of arguments"
		}
		c.MasterHost = ""
		if strings.EqualFold(cstr(args[0]), "no") && strings.EqualFold(cstr(args[1]), "one") {
			return true, ""
		}
		port, full, _ := strtoll(args[1], 10)
		c.MasterPort = int(int32(port)) // strtol into a C int
		if c.MasterPort < 0 || c.MasterPort > 65535 || !full {
			return false, "Invalid master port"
		}
		c.MasterHost = cstr(args[0])
		return true, ""
	},
	get: func(c *Config) string {
		if c.MasterHost == "" {
			return ""
		}
		return c.MasterHost + " " + strconv.Itoa(c.MasterPort)
	},
	rewrite: func(c *Config, st *rewriteState, name string) {
		if c.ClusterEnabled || c.MasterHost == "" {
			st.markProcessed(name)
			return
		}
		st.rewriteLine(name, name+" "+c.MasterHost+" "+strconv.Itoa(c.MasterPort), true)
	},
}

// SetReplicaOf records the master the server replicates from, as the
// REPLICAOF command changes it (replicaof cannot be changed by CONFIG SET).
// host "" means none. CONFIG GET and Rewrite then show it.
func (c *Config) SetReplicaOf(host string, port int) {
	c.MasterHost, c.MasterPort = host, port
}

// --- latency-tracking-info-percentiles ---

var percentilesSpecial = &special{
	set: func(c *Config, args []string, _ *loadCtx) (bool, string) {
		if len(args) == 1 && args[0] == "" {
			args = nil
		}
		vals := make([]float64, 0, len(args))
		for _, a := range args {
			f, ok := string2d(a)
			if !ok {
				return false, "Invalid latency-tracking-info-percentiles parameters"
			}
			if f > 100 || f < 0 {
				return false, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
			}
			vals = append(vals, f)
		}
		c.LatencyTrackingInfoPercentiles = vals
		return true, ""
	},
	get: func(c *Config) string {
		parts := make([]string, len(c.LatencyTrackingInfoPercentiles))
		for i, f := range c.LatencyTrackingInfoPercentiles {
			parts[i] = formatPercentile(f)
		}
		return strings.Join(parts, " ")
	},
	rewrite: func(c *Config, st *rewriteState, name string) {
		line := name
		if len(c.LatencyTrackingInfoPercentiles) == 0 {
			line += ` ""`
		}
		for _, f := range c.LatencyTrackingInfoPercentiles {
			line += " " + formatPercentile(f)
		}
		st.rewriteLine(name, line, true)
	},
}

// --- dir ---

// dirSpecial is Redis's dir, except that Cairn does not chdir: Dir holds the
// absolute, symlink-free path that getcwd would return after the chdir, and
// relative paths (dir, include, logfile) are resolved against it. The
// server may chdir from an OnChange("dir") callback.
var dirSpecial = &special{
	set: func(c *Config, args []string, _ *loadCtx) (bool, string) {
		if len(args) != 1 {
			return false, "wrong number of arguments"
		}
		d, err := resolveDir(c.Dir, cstr(args[0]))
		if err != "" {
			return false, err
		}
		c.Dir = d
		return true, ""
	},
	get: func(c *Config) string { return c.Dir },
	rewrite: func(c *Config, st *rewriteState, name string) {
		if c.Dir == "" {
			st.markProcessed(name)
			return
		}
		st.rewriteLine(name, name+" "+repr(c.Dir), true)
	},
}

// resolveDir returns where chdir(d) from cur would lead, as getcwd shows
// it, or the strerror text of the failure.
func resolveDir(cur, d string) (string, string) {
	if d == "" {
		return "", strerror(syscall.ENOENT)
	}
	p := d
	if !filepath.IsAbs(p) {
		p = cur + string(filepath.Separator) + d // not cleaned: ".." follows symlinks, as in the kernel
	}
	fi, err := os.Stat(p)
	if err != nil {
		return "", strerror(err)
	}
	if !fi.IsDir() {
		return "", strerror(syscall.ENOTDIR)
	}
	if err := canSearch(p); err != nil {
		return "", strerror(err)
	}
	real, err := evalSymlinks(p)
	if err != nil {
		return "", strerror(err)
	}
	return real, ""
}

func evalSymlinks(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(real)
}

// strerror returns the C library's text for err's errno ("No such file or
// directory"), or err's own text.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" && s[0] >= 'a' && s[0] <= 'z' {
			s = string(s[0]-'a'+'A') + s[1:]
		}
		return s
	}
	return err.Error()
}

// --- proc-title-template ---

// expandProcTitle is Redis's expandProcTitleTemplate (sdstemplate with the
// variables {title} {listen-addr} {server-mode} {port} {tls-port}
// {unixsocket} {config-file}; "{{" is a literal brace). ok is false for an
// unknown variable or an unterminated one.
func expandProcTitle(c *Config, tmpl, title string) (string, bool) {
	tmpl = cstr(tmpl)
	var b strings.Builder
	for p := tmpl; p != ""; {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			b.WriteString(p)
			break
		}
		b.WriteString(p[:i])
		sv := p[i+1:]
		if sv == "" {
			return "", false
		}
		if sv[0] == '{' {
			b.WriteByte('{')
			p = sv[1:]
			continue
		}
		j := strings.IndexByte(sv, '}')
		if j < 0 {
			return "", false
		}
		v, ok := procTitleVar(c, sv[:j], title)
		if !ok {
			return "", false
		}
		b.WriteString(v)
		p = sv[j+1:]
	}
	return strings.Trim(b.String(), " "), true
}

func procTitleVar(c *Config, name, title string) (string, bool) {
	tlsPort := int64(c.tlsPort)
	switch name {
	case "title":
		return title, true
	case "listen-addr":
		if c.Port != 0 || tlsPort != 0 {
			addr := "*"
			if len(c.Bind) > 0 {
				addr = c.Bind[0]
			}
			port := int64(c.Port)
			if port == 0 {
				port = tlsPort
			}
			return addr + ":" + strconv.FormatInt(port, 10), true
		}
		if c.UnixSocket == "" {
			return "unixsocket:(null)", true
		}
		return "unixsocket:" + c.UnixSocket, true
	case "server-mode":
		if c.ClusterEnabled {
			return "[cluster]", true
		}
		return "", true
	case "config-file":
		if c.file == "" {
			return "-", true
		}
		return c.file, true
	case "port":
		return strconv.Itoa(c.Port), true
	case "tls-port":
		return strconv.FormatInt(tlsPort, 10), true
	case "unixsocket":
		return c.UnixSocket, true
	}
	return "", false
}
