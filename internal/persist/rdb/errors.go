package rdb

import (
	"errors"
	"fmt"
	"strconv"
)

// CorruptError reports input that is not a valid RDB file or DUMP payload: a bad
// signature, an unknown opcode or type, a length that runs past the end, an encoding
// that fails its integrity check, duplicate members, a NaN score and so on. Offset is
// the byte offset in the input of the item found bad.
type CorruptError struct {
	Offset int64
	Key    string // the key being read, if any
	Reason string
	Err    error // the underlying error, if any (io.ErrUnexpectedEOF, listpack.ErrCorrupt …)
}

func (e *CorruptError) Error() string {
	s := "rdb: corrupt input at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Key != "" {
		s += " (key " + strconv.Quote(e.Key) + ")"
	}
	s += ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *CorruptError) Unwrap() error { return e.Err }

// UnsupportedError reports valid data that Cairn cannot load: a stream, a module
// value or module aux data (no modules in Cairn), a function library in the
// pre-release format. When Skipped is set the Decoder has read past it and Next may
// be called again (the caller logs and goes on, or refuses the file as Redis refuses
// data for a module it lacks); otherwise the Decoder cannot continue.
type UnsupportedError struct {
	Offset  int64
	Key     string  // the key, for a value
	Type    ObjType // the object type, for a value
	What    string
	Skipped bool
}

func (e *UnsupportedError) Error() string {
	s := "rdb: unsupported data at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Key != "" {
		s += " (key " + strconv.Quote(e.Key) + ")"
	}
	s += ": " + e.What
	if e.Skipped {
		s += " (skipped)"
	}
	return s
}

// ChecksumError reports a file whose stored CRC64 is not the checksum of its bytes.
type ChecksumError struct {
	Offset   int64 // of the stored checksum
	Stored   uint64
	Computed uint64
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("rdb: wrong RDB checksum at offset %d: expected %#x, got %#x", e.Offset, e.Computed, e.Stored)
}

// ErrDumpPayload is ParseDumpPayload's error for a payload whose footer is wrong: too
// short, an RDB version newer than MaxVersion, or a CRC64 that does not match. RESTORE
// replies "ERR DUMP payload version or checksum are wrong" for it, and "ERR Bad data
// format" for any other error.
var ErrDumpPayload = errors.New("rdb: DUMP payload version or checksum are wrong")
