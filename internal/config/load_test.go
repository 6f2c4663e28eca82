package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func loadErr(t *testing.T, err error) *LoadError {
	t.Helper()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a *LoadError", err)
	}
	return le
}

func TestLoadNothing(t *testing.T) {
	c, err := Load("", nil)
	must(t, err)
	if !reflect.DeepEqual(c.Get([]string{"*"}), Default().Get([]string{"*"})) || c.File() != "" {
		t.Errorf("Load with no arguments differs from Default")
	}
}

func TestLoadTypedFields(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "redis.conf")
	writeFile(t, path, `# a config
port 7000
BIND 127.0.0.1 "::1"
save 900 1
save 300 10
maxmemory 100mb
maxmemory-policy ALLKEYS-LRU
unixsocketperm 0700
notify-keyspace-events Ex
client-output-buffer-limit pubsub 64mb 16mb 90
requirepass "se cret"
slaveof 10.0.0.1 6380
hash-max-ziplist-entries 64
lua-time-limit 100
rename-command FLUSHALL ""
rename-command CONFIG cfg
user alice on >pw ~* +@all
loadmodule /x/y.so a b
mod.opt 1 2
mod.opt 3
sentinel
`)
	c, err := Load(path, []string{"--port", "7001", "--save", "60", "100", "--databases", "4"})
	must(t, err)
	if c.File() != path {
		t.Errorf("File() = %s", c.File())
	}
	if c.Port != 7001 || !reflect.DeepEqual(c.Bind, []string{"127.0.0.1", "::1"}) ||
		!reflect.DeepEqual(c.Save, [][2]int64{{900, 1}, {300, 10}, {60, 100}}) || c.MaxMemory != 100<<20 ||
		c.MaxMemoryPolicy != "allkeys-lru" || c.UnixSocketPerm != 0o700 || c.Databases != 4 ||
		c.NotifyKeyspaceEvents != NotifyKeyevent|NotifyExpired ||
		c.ClientOutputBufferLimit[ClientPubsub] != (OutputBufferLimit{64 << 20, 16 << 20, 90}) ||
		c.RequirePass != "se cret" || c.MasterHost != "10.0.0.1" || c.MasterPort != 6380 ||
		c.HashMaxListpackEntries != 64 || c.BusyReplyThreshold != 100 {
		t.Errorf("typed fields: %+v", c)
	}
	if !reflect.DeepEqual(c.RenameCommands, [][2]string{{"FLUSHALL", ""}, {"CONFIG", "cfg"}}) ||
		!reflect.DeepEqual(c.Users, [][]string{{"alice", "on", ">pw", "~*", "+@all"}}) ||
		!reflect.DeepEqual(c.LoadModules, [][]string{{"/x/y.so", "a", "b"}}) ||
		!reflect.DeepEqual(c.ModuleConfigs, [][2]string{{"mod.opt", "3"}}) {
		t.Errorf("non-config directives: %q %q %q %q", c.RenameCommands, c.Users, c.LoadModules, c.ModuleConfigs)
	}
}

func TestParseString(t *testing.T) {
	c, err := ParseString("port 7000\r\n\n  # comment\n\tmaxmemory 1gb  \n")
	must(t, err)
	if c.Port != 7000 || c.MaxMemory != 1<<30 {
		t.Errorf("port %d maxmemory %d", c.Port, c.MaxMemory)
	}
	_, err = ParseString("port 7000\nfoo\n")
	le := loadErr(t, err)
	if le.Line != 2 || le.Text != "foo" || le.Reason != "Bad directive or wrong number of arguments" {
		t.Errorf("%#v", le)
	}
	want := "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo'\nBad directive or wrong number of arguments\n"
	if err.Error() != want {
		t.Errorf("Error() = %q", err.Error())
	}
}

// TestSaveLines checks how save lines add up, including Redis's quirk that
// after an include each save line replaces the previous ones.
func TestSaveLines(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, filepath.Join(dir, "inc.conf"), "hz 7\n")
	for _, tc := range []struct {
		file string
		args []string
		want string
	}{
		{"save 1 1\nsave 2 2\n", nil, "1 1 2 2"},
		{"save 1 1\nsave 2 2\n", []string{"--save", "3", "3", "--save", "4 4"}, "1 1 2 2 3 3 4 4"},
		{"save 1 1\nsave \"\"\nsave 3 3\n", nil, "3 3"},
		{"save 1 1\nsave \"\"\n", nil, ""},
		{"hz 5\n", []string{"--save"}, ""},
		{"hz 5\n", []string{"--save", "--port", "7000"}, ""},
		{"include inc.conf\nsave 1 1\nsave 2 2\n", nil, "2 2"},
		{"include inc*.conf\nsave 1 1\nsave 2 2\n", nil, "2 2"},
		{"save 9 9\ninclude inc.conf\nsave 1 1\n", nil, "1 1"},
		{"save\n", nil, ""},
		{"save \"'\"\n", nil, ""}, // a value that does not split counts as no arguments
	} {
		path := filepath.Join(dir, "redis.conf")
		writeFile(t, path, tc.file)
		c, err := Load(path, tc.args)
		must(t, err)
		if got, _ := c.Value("save"); got != tc.want {
			t.Errorf("%q %q: save %q, want %q", tc.file, tc.args, got, tc.want)
		}
	}
}

func TestOptionsFromArgs(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		hasFile bool
		want    string
		stdin   bool
	}{
		{[]string{"--port", "6380"}, false, `port "6380" `, false},
		{[]string{"--port 6380", "--hz", "5"}, false, "port 6380 \nhz \"5\" ", false},
		{[]string{"--bind", "a", "b"}, false, `bind "a" "b" `, false},
		{[]string{"--save", "--port", "1"}, false, "save \"\"\nport \"1\" ", false},
		{[]string{"--save"}, false, `save ""`, false},
		{[]string{"--sentinel", "--port", "1"}, false, "sentinel \nport \"1\" ", false},
		{[]string{"--port", "--hz"}, false, `port "--hz" `, false},
		{[]string{"-", "--port", "1"}, false, `port "1" `, true},
		{[]string{"-", "--port", "1"}, true, "\"-\" \nport \"1\" ", false},
		{[]string{"--port", "1", "-"}, true, `port "1" `, true},
		{[]string{"--x", "a\"b\n\xff"}, false, `x "a\"b\n\xff" `, false},
	} {
		got, stdin := optionsFromArgs(tc.args, tc.hasFile)
		if got != tc.want || stdin != tc.stdin {
			t.Errorf("%q: %q %v, want %q %v", tc.args, got, stdin, tc.want, tc.stdin)
		}
	}
}

func TestLoadStdin(t *testing.T) {
	c, err := LoadWith("", []string{"--port", "0", "-"}, Options{Stdin: strings.NewReader("hz 7\n")})
	must(t, err)
	if c.Hz != 7 || c.Port != 0 {
		t.Errorf("hz %d port %d", c.Hz, c.Port)
	}
	// The file, then standard input, then the options.
	dir := t.TempDir()
	path := filepath.Join(dir, "r.conf")
	writeFile(t, path, "port 0\n")
	_, err = LoadWith(path, []string{"-"}, Options{Stdin: strings.NewReader("hz x")})
	if le := loadErr(t, err); le.Line != 2 || le.Text != "hz x" {
		t.Errorf("%#v", le)
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	_, err := Load("missing.conf", nil)
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
	wd, _ := os.Getwd()
	if want := "Fatal error, can't open config file '" + wd + "/missing.conf': No such file or directory"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	// A directory reads as empty, as fopen+fgets do.
	must(t, os.Mkdir(filepath.Join(dir, "d"), 0o755))
	if _, err := Load("d", nil); err != nil {
		t.Errorf("directory: %v", err)
	}
}

func TestAbsPath(t *testing.T) {
	wd, _ := os.Getwd()
	parent := filepath.Dir(wd)
	if parent != "/" {
		parent += "/"
	}
	for _, tc := range []struct{ in, want string }{
		{"/etc/redis.conf", "/etc/redis.conf"},
		{" /x.conf\n", "/x.conf"},
		{"r.conf", wd + "/r.conf"},
		{"./r.conf", wd + "/./r.conf"},
		{"../r.conf", parent + "r.conf"},
		{"a/../r.conf", wd + "/a/../r.conf"},
	} {
		if got := absPath(tc.in); got != tc.want {
			t.Errorf("absPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, filepath.Join(dir, "conf.d", "b.conf"), "maxmemory 2mb\n")
	writeFile(t, filepath.Join(dir, "conf.d", "a.conf"), "maxmemory 1mb\nhz 11") // no final newline: joins the next file
	writeFile(t, filepath.Join(dir, "conf.d", ".hidden.conf"), "port 1\n")
	writeFile(t, filepath.Join(dir, "sub", "x.conf"), "timeout 9\n")
	writeFile(t, filepath.Join(dir, "redis.conf"), "include conf.d/*.conf\n")
	_, err := Load("redis.conf", nil)
	// "hz 11" + "maxmemory 2mb": one line of three arguments.
	if le := loadErr(t, err); le.Line != 2 || le.Text != "hz 11maxmemory 2mb" || le.Reason != "wrong number of arguments" {
		t.Errorf("%#v", le)
	}
	writeFile(t, filepath.Join(dir, "conf.d", "a.conf"), "maxmemory 1mb\nhz 11\n")
	c, err := Load("redis.conf", nil)
	must(t, err)
	if c.MaxMemory != 2<<20 || c.Hz != 11 || c.Port != 6379 {
		t.Errorf("maxmemory %d hz %d port %d", c.MaxMemory, c.Hz, c.Port)
	}
	// Relative includes follow the dir directive, as after Redis's chdir.
	writeFile(t, filepath.Join(dir, "redis.conf"), "dir sub\ninclude x.conf\n")
	c, err = Load("redis.conf", nil)
	must(t, err)
	if c.Timeout != 9 || c.Dir != filepath.Join(realDir(t, dir), "sub") {
		t.Errorf("timeout %d dir %s", c.Timeout, c.Dir)
	}
	writeFile(t, filepath.Join(dir, "redis.conf"), "include nothere.conf\n")
	_, err = Load("redis.conf", nil)
	if err == nil || err.Error() != "Fatal error, can't open config file 'nothere.conf': No such file or directory" {
		t.Errorf("err = %v", err)
	}
}

func realDir(t *testing.T, dir string) string {
	t.Helper()
	real, err := filepath.EvalSymlinks(dir)
	must(t, err)
	return real
}

func TestDir(t *testing.T) {
	dir := realDir(t, t.TempDir())
	t.Chdir(dir)
	must(t, os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755))
	must(t, os.Symlink(filepath.Join(dir, "a", "b"), filepath.Join(dir, "link")))
	writeFile(t, filepath.Join(dir, "file"), "")
	c := Default()
	c.EnableProtectedConfigs = "yes"
	for _, tc := range []struct{ value, want, err string }{
		{"a", dir + "/a", ""},
		{"b", dir + "/a/b", ""},
		{"..", dir + "/a", ""},
		{".", dir + "/a", ""},
		{dir + "/link", dir + "/a/b", ""},
		{dir + "/link/..", dir + "/a", ""}, // .. after the symlink, as the kernel does
		{"/nonexistent", "", "No such file or directory"},
		{"", "", "No such file or directory"},
		{dir + "/file", "", "Not a directory"},
		{dir + "/file/x", "", "Not a directory"},
	} {
		err := c.Set([][2]string{{"dir", tc.value}})
		if tc.err != "" {
			if want := "ERR CONFIG SET failed (possibly related to argument 'dir') - " + tc.err; err == nil || err.Error() != want {
				t.Errorf("dir %q: %v, want %s", tc.value, err, want)
			}
			continue
		}
		must(t, err)
		if c.Dir != tc.want {
			t.Errorf("dir %q: %s, want %s", tc.value, c.Dir, tc.want)
		}
	}
	// In a config file, relative to the working directory.
	c, err := ParseString("dir a\ndir b\n")
	must(t, err)
	if c.Dir != dir+"/a/b" {
		t.Errorf("dir %s", c.Dir)
	}
}

func TestLogfileChecked(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	must(t, os.Mkdir(filepath.Join(dir, "logs"), 0o755))
	c, err := ParseString("dir logs\nlogfile redis.log\n")
	must(t, err)
	if _, err := os.Stat(filepath.Join(dir, "logs", "redis.log")); err != nil {
		t.Errorf("log file not created relative to dir: %v", err)
	}
	if c.LogFile != "redis.log" {
		t.Errorf("logfile %q", c.LogFile)
	}
	_, err = ParseString("logfile nodir/x.log\n")
	if le := loadErr(t, err); le.Line != 0 || le.Reason != "Can't open the log file: No such file or directory" {
		t.Errorf("%#v", le)
	}
	if want := "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory\n"; err.Error() != want {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestLoadNUL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.conf")
	// fgets then strcat: the NUL drops the rest of its line, newline included.
	writeFile(t, path, "port 17399\x00junk\nhz 5\n")
	_, err := Load(path, nil)
	if le := loadErr(t, err); le.Line != 1 || le.Text != "port 17399hz 5" {
		t.Errorf("%#v", le)
	}
}

func TestRenameCommandAndUserHooks(t *testing.T) {
	cmds := map[string]bool{"get": true, "set": true, "flushall": true}
	opts := Options{
		CommandExists: func(name string) bool { return cmds[name] },
		CheckUser: func(args []string) (int, string) {
			for i, a := range args {
				if a == "bogus" {
					return i, "Syntax error"
				}
			}
			return -1, ""
		},
	}
	for _, tc := range []struct{ text, err string }{
		{"rename-command GET g\nrename-command g h\nrename-command flushall \"\"\n", ""},
		{"rename-command nosuch x\n", "No such command in rename-command"},
		{"rename-command get set\n", "Target command name already exists"},
		{"rename-command get x\nrename-command get y\n", "No such command in rename-command"},
		{"user alice on bogus\n", "Error in user declaration 'bogus': Syntax error"},
		{"user alice on >pw\n", ""},
	} {
		_, err := ParseStringWith(tc.text, opts)
		if tc.err == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.text, err)
			}
			continue
		}
		if err == nil || loadErr(t, err).Reason != tc.err {
			t.Errorf("%q: %v, want %s", tc.text, err, tc.err)
		}
	}
}

func TestHzClampedAtLoad(t *testing.T) {
	for text, want := range map[string]int{"hz 0\n": 1, "hz 501\n": 500, "hz 100\n": 100} {
		c, err := ParseString(text)
		must(t, err)
		if c.Hz != want {
			t.Errorf("%q: hz %d, want %d", text, c.Hz, want)
		}
	}
}
