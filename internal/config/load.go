package config

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// LoadError is a fatal error in the configuration, formatted as
// redis-server prints it to standard error before exiting with status 1.
// Error returns that whole text, starting and ending with a newline:
//
//	*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***
//	Reading the configuration file, at line 2
//	>>> 'port "abc"'
//	argument couldn't be parsed into an integer
//
// Errors found after the last line (an unwritable logfile, replicaof with
// cluster-enabled) have no line: Line is 0 and the two middle lines are
// absent. Line numbers count the lines of the text being parsed: the config
// file followed by one empty line and one line per command-line option, or
// the included file for an error inside an include.
type LoadError struct {
	Line   int    // 1-based, 0 if the error is not about one line
	Text   string // the offending line, without surrounding blanks
	Reason string // Redis's message
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("\n*** FATAL CONFIG FILE ERROR (Redis " + Version + ") ***\n")
	if e.Line > 0 {
		b.WriteString("Reading the configuration file, at line " + strconv.Itoa(e.Line) + "\n")
		b.WriteString(">>> '" + e.Text + "'\n")
	}
	b.WriteString(e.Reason + "\n")
	return b.String()
}

// FileError reports a configuration file (the main one or an include without
// wildcards) that cannot be opened. Redis logs its text at warning level,
// through the normal log ("# Fatal error, can't open config file '/x':
// No such file or directory"), and exits with status 1.
type FileError struct {
	Path string // as Redis shows it: absolute for the main file, as written for an include
	Err  error
}

func (e *FileError) Error() string {
	return "Fatal error, can't open config file '" + e.Path + "': " + strerror(e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// Options are the parts of loading that need knowledge from other packages.
// The zero value is valid.
type Options struct {
	// Stdin is read when the arguments ask for the configuration on standard
	// input (an argument "-" first, with no config file, or last). Nil means
	// os.Stdin.
	Stdin io.Reader
	// CommandExists, if not nil, validates rename-command as Redis does
	// ("No such command in rename-command", "Target command name already
	// exists"). It is given lower-case command names. Without it, every
	// rename-command is accepted and left to the server.
	CommandExists func(name string) bool
	// CheckUser, if not nil, validates a user directive; args are the
	// arguments after "user". It returns -1, or the index in args of the
	// faulty argument and ACL's message, reported as "Error in user
	// declaration '<arg>': <message>".
	CheckUser func(args []string) (bad int, msg string)
}

// Load reads the configuration the way redis-server does for the command
// line "redis-server [path] [extra...]": the file at path (none if path is
// ""), then the extra arguments, where each "--name" starts a new directive
// line and the following arguments are its values ("--port 6380 --save ”
// --bind 127.0.0.1 ::1"). Later lines override earlier ones. An argument "-"
// (first when there is no file, or last) reads more configuration from
// standard input, after the file and before the options.
//
// The error, if any, is a *LoadError or a *FileError; the server prints it
// and exits with status 1. With no path and no arguments Load returns
// Default().
func Load(path string, extra []string) (*Config, error) {
	return LoadWith(path, extra, Options{})
}

// LoadWith is Load with Options.
func LoadWith(path string, extra []string, opts Options) (*Config, error) {
	c := Default()
	if path == "" && len(extra) == 0 {
		return c, nil
	}
	l := &loader{c: c, opts: opts}
	options, fromStdin := optionsFromArgs(extra, path != "")
	var text strings.Builder
	if path != "" {
		c.file = absPath(path)
		content, err := readConfig(c.file)
		if err != nil {
			return nil, &FileError{Path: c.file, Err: err}
		}
		text.WriteString(content)
	}
	if fromStdin {
		in := opts.Stdin
		if in == nil {
			in = os.Stdin
		}
		data, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		text.WriteString(fgetsConcat(data))
	}
	text.WriteString("\n")
	text.WriteString(options)
	if err := l.loadString(text.String()); err != nil {
		return nil, err
	}
	return c, nil
}

// ParseString parses text as the content of a config file (no command-line
// options) over the defaults. Relative paths in it (include, dir, logfile)
// are taken from the working directory.
func ParseString(text string) (*Config, error) {
	return ParseStringWith(text, Options{})
}

// ParseStringWith is ParseString with Options.
func ParseStringWith(text string, opts Options) (*Config, error) {
	c := Default()
	l := &loader{c: c, opts: opts}
	if err := l.loadString(cstr(text)); err != nil {
		return nil, err
	}
	return c, nil
}

// optionsFromArgs turns command-line arguments (after the config file) into
// config lines, as redis-server's main() does: "--name" starts a line, other
// arguments are appended quoted. hasFile tells whether a config file
// argument preceded them (it decides where "-" means standard input).
func optionsFromArgs(args []string, hasFile bool) (string, bool) {
	var b []byte
	fromStdin := false
	handledLast := true // the previous option name got at least one value
	last := len(args) - 1
	isOption := func(s string) bool { return len(s) >= 2 && s[0] == '-' && s[1] == '-' }
	for j, a := range args {
		a = cstr(a)
		switch {
		case a == "-" && (j == 0 && !hasFile || j == last):
			fromStdin = true
		case handledLast && isOption(a):
			if len(b) > 0 {
				b = append(b, '\n')
			}
			b = append(b, a[2:]...)
			b = append(b, ' ')
			toks, _ := SplitArgs(a)
			if len(toks) != 1 {
				// "--port 6380" as one argument: name and value together.
				handledLast = true
				break
			}
			handledLast = false
			switch {
			case j != last && isOption(args[j+1]) && strings.EqualFold(a, "--save"):
				// "--save --port 1" means --save "" (compatibility with 6.x).
				b = append(b, `""`...)
				handledLast = true
			case j == last && strings.EqualFold(a, "--save"):
				b = append(b, `""`...)
			case j != last && isOption(args[j+1]) && strings.EqualFold(a, "--sentinel"):
				handledLast = true
			}
		default:
			b = appendRepr(b, a)
			b = append(b, ' ')
			handledLast = true
		}
	}
	return string(b), fromStdin
}

// absPath is Redis's getAbsolutePath: an absolute path is kept as is
// (trimmed), a relative one is appended to the working directory after
// removing leading "../" elements against it.
func absPath(name string) string {
	rel := strings.Trim(name, " \r\n\t")
	if strings.HasPrefix(rel, "/") {
		return rel
	}
	wd, err := os.Getwd()
	if err != nil {
		return rel
	}
	abs := wd
	if !strings.HasSuffix(abs, "/") {
		abs += "/"
	}
	for strings.HasPrefix(rel, "../") {
		rel = rel[3:]
		if len(abs) > 1 {
			i := strings.LastIndexByte(abs[:len(abs)-1], '/')
			abs = abs[:i+1]
		}
	}
	return abs + rel
}

// readConfig reads a config file as Redis does: with fgets into a string,
// so that a NUL byte drops the rest of its 1024-byte chunk. A directory
// reads as empty (fopen succeeds, fgets fails).
func readConfig(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, syscall.EISDIR) {
			return "", nil
		}
		return "", err
	}
	return fgetsConcat(data), nil
}

func fgetsConcat(data []byte) string {
	if !containsNUL(data) {
		return string(data)
	}
	var b strings.Builder
	for len(data) > 0 {
		n := len(data)
		if n > 1024 {
			n = 1024
		}
		if i := indexByte(data[:n], '\n'); i >= 0 {
			n = i + 1
		}
		chunk := data[:n]
		data = data[n:]
		if i := indexByte(chunk, 0); i >= 0 {
			chunk = chunk[:i]
		}
		b.Write(chunk)
	}
	return b.String()
}

func containsNUL(b []byte) bool { return indexByte(b, 0) >= 0 }

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// loadCtx is the state Redis keeps in globals while reading config text.
type loadCtx struct {
	// reading is Redis's reading_config_file: set at the start of each
	// (possibly nested) text and cleared at its end, so that after an
	// include the rest of the outer file is no longer "reading".
	reading bool
	// saveLoaded is the function-static save_loaded of setConfigSaveOption:
	// whether a save line already replaced the defaults.
	saveLoaded bool
}

type loader struct {
	c    *Config
	opts Options
	ctx  loadCtx

	renamedAway map[string]bool // rename-command bookkeeping
	renamedTo   map[string]bool
}

// deprecated directives that Redis accepts and ignores, with their argc.
var deprecated = map[string]int{
	"list-max-ziplist-entries": 2,
	"list-max-ziplist-value":   2,
	"lua-replicate-commands":   2,
}

// loadString is Redis's loadServerConfigFromString.
func (l *loader) loadString(text string) error {
	c := l.c
	l.ctx.reading = true
	var lines []string
	if text != "" {
		lines = strings.Split(text, "\n")
	}
	for i, raw := range lines {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		fail := func(reason string) error { return &LoadError{Line: i + 1, Text: line, Reason: reason} }
		argv, ok := SplitArgs(line)
		if !ok {
			return fail("Unbalanced quotes in configuration line")
		}
		if len(argv) == 0 {
			continue
		}
		argv[0] = asciiLower(argv[0])

		if e := lookup(argv[0]); e != nil {
			if e.Flags&MultiArg == 0 && len(argv) != 2 {
				return fail("wrong number of arguments")
			}
			args := argv[1:]
			if e.Flags&MultiArg != 0 && len(argv) == 2 && argv[1] != "" {
				// One argument for a multi-argument directive: split it,
				// so that --save "3600 1 300 100" works.
				args, _ = SplitArgs(argv[1])
			}
			if _, msg := e.set(c, args, &l.ctx); msg != "" {
				return fail(msg)
			}
			continue
		}
		if n, ok := deprecated[argv[0]]; ok && len(argv) == n {
			continue
		}
		switch {
		case argv[0] == "include" && len(argv) == 2:
			if err := l.include(argv[1]); err != nil {
				return err
			}
		case argv[0] == "rename-command" && len(argv) == 3:
			if msg := l.renameCommand(argv[1], argv[2]); msg != "" {
				return fail(msg)
			}
			c.RenameCommands = append(c.RenameCommands, [2]string{argv[1], argv[2]})
		case argv[0] == "user" && len(argv) >= 2:
			if l.opts.CheckUser != nil {
				if bad, msg := l.opts.CheckUser(argv[1:]); bad >= 0 {
					return fail("Error in user declaration '" + argv[1+bad] + "': " + msg)
				}
			}
			c.Users = append(c.Users, argv[1:])
		case argv[0] == "loadmodule" && len(argv) >= 2:
			c.LoadModules = append(c.LoadModules, argv[1:])
		case strings.IndexByte(argv[0], '.') >= 0:
			if len(argv) < 2 {
				return fail("Module config specified without value")
			}
			c.setModuleConfig(argv[0], strings.Join(argv[1:], " "))
		case argv[0] == "sentinel":
			// Alone, it is handled by main(); Cairn has no sentinel mode.
			if len(argv) != 1 {
				return fail("sentinel directive while not in sentinel mode")
			}
		default:
			return fail("Bad directive or wrong number of arguments")
		}
	}

	if c.LogFile != "" {
		p := c.LogFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(c.Dir, p)
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
		if err != nil {
			return &LoadError{Reason: "Can't open the log file: " + strerror(err)}
		}
		f.Close()
	}
	if c.ClusterEnabled && c.MasterHost != "" {
		return &LoadError{Reason: "replicaof directive not allowed in cluster mode"}
	}
	clampHz(c)
	l.ctx.reading = false
	return nil
}

// include loads another config file, or every file matching a glob pattern
// (none matching is fine), relative to the current dir.
func (l *loader) include(name string) error {
	name = cstr(name)
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.c.Dir, p)
	}
	var text strings.Builder
	if strings.ContainsAny(name, "*?[") {
		for _, m := range glob(p) {
			content, err := readConfig(m)
			if err != nil {
				return &FileError{Path: m, Err: err}
			}
			text.WriteString(content)
		}
	} else {
		content, err := readConfig(p)
		if err != nil {
			return &FileError{Path: name, Err: err}
		}
		text.WriteString(content)
	}
	return l.loadString(text.String())
}

// glob is glob(3) without flags: sorted matches, and wildcards do not match
// a leading dot.
func glob(pattern string) []string {
	matches, _ := filepath.Glob(pattern)
	pat := strings.Split(pattern, "/")
	var out []string
next:
	for _, m := range matches {
		parts := strings.Split(m, "/")
		if len(parts) == len(pat) {
			for i, pp := range pat {
				if strings.ContainsAny(pp, "*?[") && !strings.HasPrefix(pp, ".") && strings.HasPrefix(parts[i], ".") {
					continue next
				}
			}
		}
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// renameCommand checks rename-command as Redis does, when the server told
// which commands exist.
func (l *loader) renameCommand(from, to string) string {
	if l.opts.CommandExists == nil {
		return ""
	}
	if l.renamedAway == nil {
		l.renamedAway, l.renamedTo = map[string]bool{}, map[string]bool{}
	}
	exists := func(name string) bool {
		name = strings.ToLower(name)
		return l.renamedTo[name] || !l.renamedAway[name] && l.opts.CommandExists(name)
	}
	if !exists(from) {
		return "No such command in rename-command"
	}
	from = strings.ToLower(from)
	delete(l.renamedTo, from)
	l.renamedAway[from] = true
	if to != "" {
		if exists(to) {
			return "Target command name already exists"
		}
		l.renamedTo[strings.ToLower(to)] = true
	}
	return ""
}

// setModuleConfig records "module.name value"; a later line for the same
// name replaces the value, as Redis's queue (a dict) does.
func (c *Config) setModuleConfig(name, value string) {
	for i := range c.ModuleConfigs {
		if c.ModuleConfigs[i][0] == name {
			c.ModuleConfigs[i][1] = value
			return
		}
	}
	c.ModuleConfigs = append(c.ModuleConfigs, [2]string{name, value})
}

// asciiLower lower-cases ASCII letters only, like C's tolower in the "C"
// locale.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
