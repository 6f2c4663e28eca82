package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"cairn/internal/persist/fsync"
)

// File types in a manifest.
const (
	TypeBase    = 'b'
	TypeHistory = 'h'
	TypeIncr    = 'i'
)

// ManifestFile is one line of a manifest.
type ManifestFile struct {
	Name string
	Seq  int64
	Type byte
}

// Manifest is Redis 7.0's appendonly.aof.manifest: a base file and incremental files,
// plus history files (replaced by a rewrite, waiting to be deleted).
//
// BaseSeq and IncrSeq are the last sequence numbers handed out (Redis's
// curr_base_file_seq and curr_incr_file_seq): the next base or incremental file gets
// the number after. They are read from the file's base and last incremental entry.
type Manifest struct {
	Base    *ManifestFile
	Incr    []ManifestFile
	History []ManifestFile

	BaseSeq, IncrSeq int64
}

// ParseManifest reads a manifest in Redis's format:
//
//	file appendonly.aof.1.base.rdb seq 1 type b
//	file appendonly.aof.1.incr.aof seq 1 type i
func ParseManifest(data []byte) (*Manifest, error) {
	m := &Manifest{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		fields := strings.Fields(text)
		var f ManifestFile
		seen := 0
		for i := 0; i+1 < len(fields); i += 2 {
			switch fields[i] {
			case "file":
				f.Name = fields[i+1]
				seen |= 1
			case "seq":
				n, err := strconv.ParseInt(fields[i+1], 10, 64)
				if err != nil {
					return nil, fmt.Errorf("invalid AOF manifest line %d: bad seq %q", line, fields[i+1])
				}
				f.Seq = n
				seen |= 2
			case "type":
				if len(fields[i+1]) != 1 {
					return nil, fmt.Errorf("invalid AOF manifest line %d: bad type %q", line, fields[i+1])
				}
				f.Type = fields[i+1][0]
				seen |= 4
			}
		}
		if seen != 7 || len(fields)%2 != 0 {
			return nil, fmt.Errorf("invalid AOF manifest line %d: %q", line, text)
		}
		if strings.ContainsAny(f.Name, "/\\") {
			return nil, fmt.Errorf("invalid AOF manifest line %d: file name %q is not a plain name", line, f.Name)
		}
		switch f.Type {
		case TypeBase:
			if m.Base != nil {
				return nil, fmt.Errorf("invalid AOF manifest line %d: more than one base file", line)
			}
			b := f
			m.Base = &b
			m.BaseSeq = f.Seq
		case TypeIncr:
			if f.Seq <= m.IncrSeq {
				return nil, fmt.Errorf("invalid AOF manifest line %d: found a non-monotonic sequence number", line)
			}
			m.Incr = append(m.Incr, f)
			m.IncrSeq = f.Seq
		case TypeHistory:
			m.History = append(m.History, f)
		default:
			return nil, fmt.Errorf("invalid AOF manifest line %d: unknown type %q", line, f.Type)
		}
	}
	return m, sc.Err()
}

// Bytes formats the manifest as Redis writes it.
func (m *Manifest) Bytes() []byte {
	var b bytes.Buffer
	line := func(f ManifestFile) { fmt.Fprintf(&b, "file %s seq %d type %c\n", f.Name, f.Seq, f.Type) }
	if m.Base != nil {
		line(*m.Base)
	}
	for _, f := range m.History {
		line(f)
	}
	for _, f := range m.Incr {
		line(f)
	}
	return b.Bytes()
}

// Clone returns a copy that can be changed without changing m.
func (m *Manifest) Clone() *Manifest {
	c := *m
	if m.Base != nil {
		b := *m.Base
		c.Base = &b
	}
	c.Incr = append([]ManifestFile(nil), m.Incr...)
	c.History = append([]ManifestFile(nil), m.History...)
	return &c
}

// AddIncr appends the next incremental file (Redis's getNewIncrAofName) and returns
// its name.
func (m *Manifest) AddIncr(appendFilename string) string {
	m.IncrSeq++
	f := ManifestFile{Name: IncrName(appendFilename, m.IncrSeq), Seq: m.IncrSeq, Type: TypeIncr}
	m.Incr = append(m.Incr, f)
	return f.Name
}

// NewBase makes the next base file the base and the previous one, if any, history
// (Redis's getNewBaseFileNameAndMarkPreAsHistory); it returns the new base's name.
// rdb selects the RDB-preamble form of the name.
func (m *Manifest) NewBase(appendFilename string, rdb bool) string {
	if m.Base != nil {
		old := *m.Base
		old.Type = TypeHistory
		m.History = append([]ManifestFile{old}, m.History...)
	}
	m.BaseSeq++
	m.Base = &ManifestFile{Name: BaseName(appendFilename, m.BaseSeq, rdb), Seq: m.BaseSeq, Type: TypeBase}
	return m.Base.Name
}

// IncrToHistory makes the incremental files history, all but the last one when
// keepLast (the file being appended to), as Redis's markRewrittenIncrAofAsHistory:
// a new base covers them.
func (m *Manifest) IncrToHistory(keepLast bool) {
	n := len(m.Incr)
	if keepLast && n > 0 {
		n--
	}
	moved := make([]ManifestFile, 0, n+len(m.History))
	for _, f := range m.Incr[:n] {
		f.Type = TypeHistory
		moved = append(moved, f)
	}
	m.History = append(moved, m.History...)
	m.Incr = append([]ManifestFile(nil), m.Incr[n:]...)
}

// Files lists the base (if any) and the incremental files, in loading order.
func (m *Manifest) Files() []ManifestFile {
	var fs []ManifestFile
	if m.Base != nil {
		fs = append(fs, *m.Base)
	}
	return append(fs, m.Incr...)
}

// LoadManifest reads dir's manifest for appendFilename; a missing one (or missing
// directory) is an empty manifest and exists false.
func LoadManifest(dir, appendFilename string) (m *Manifest, exists bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName(appendFilename)))
	if errors.Is(err, os.ErrNotExist) {
		return &Manifest{}, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	m, err = ParseManifest(data)
	return m, err == nil, err
}

// TempIncrName is the incremental file Redis writes to while AOF is being turned on,
// until the first rewrite gives it a sequence number.
func TempIncrName(appendFilename string) string { return "temp-" + appendFilename + ".incr" }

// ManifestName is the manifest's file name for an appendfilename.
func ManifestName(appendFilename string) string { return appendFilename + ".manifest" }

// IncrName and BaseName are Redis's file names for sequence numbers.
func IncrName(appendFilename string, seq int64) string {
	return fmt.Sprintf("%s.%d.incr.aof", appendFilename, seq)
}

// BaseName is the base file name; rdb selects the RDB-preamble form.
func BaseName(appendFilename string, seq int64, rdb bool) string {
	if rdb {
		return fmt.Sprintf("%s.%d.base.rdb", appendFilename, seq)
	}
	return fmt.Sprintf("%s.%d.base.aof", appendFilename, seq)
}

// WriteManifest replaces the manifest atomically: a temporary file, fsync, rename,
// fsync of the directory.
func WriteManifest(dir, appendFilename string, m *Manifest) error {
	tmp := filepath.Join(dir, "temp-"+ManifestName(appendFilename))
	if err := writeFileSync(tmp, m.Bytes()); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, ManifestName(appendFilename))); err != nil {
		return err
	}
	return syncDir(dir)
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := fsync.File(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return fsync.File(d)
}
