package aof

import (
	"errors"
	"fmt"
	"io"

	"cairn/internal/resp"
)

// ErrTruncated means the file ends in the middle of a command: the tail of a write
// that did not complete. Valid holds the offset just after the last complete command.
type ErrTruncated struct{ Valid int64 }

func (e *ErrTruncated) Error() string {
	return fmt.Sprintf("aof: file ends with an incomplete command (last complete command ends at offset %d)", e.Valid)
}

// Replay reads RESP commands from r and calls fn with each command's arguments (valid
// only during the call). It stops at the first error from fn. A file that ends inside a
// command returns *ErrTruncated; a malformed command returns an error naming its
// offset.
func Replay(r io.Reader, fn func(argv [][]byte) error) (int64, error) {
	var p resp.Parser
	p.MaxBulkLen = 1 << 62 // the AOF may hold anything a client once sent
	buf := make([]byte, 0, 64*1024)
	var base int64 // file offset of buf[0]
	var argv [][]byte
	eof := false
	for {
		for {
			start := base + int64(p.Offset())
			if p.Offset() < len(buf) && buf[p.Offset()] != '*' {
				return start, fmt.Errorf("aof: bad file format at offset %d: expected '*', got %q", start, buf[p.Offset()])
			}
			var ok bool
			var err error
			argv, ok, err = p.Next(buf, argv[:0])
			if err != nil {
				return start, fmt.Errorf("aof: bad file format at offset %d: %v", start, err)
			}
			if !ok {
				break
			}
			if err := fn(argv); err != nil {
				return start, err
			}
		}
		if eof {
			valid := base + int64(p.Offset())
			if p.Offset() < len(buf) {
				return valid, &ErrTruncated{Valid: valid}
			}
			return valid, nil
		}
		shift := p.Offset()
		buf = p.Compact(buf)
		base += int64(shift)
		if need := p.Need(); need > cap(buf) || len(buf) == cap(buf) {
			// Double, never jump to what a length prefix asks: a corrupt prefix may
			// ask for more than any file holds, and the file ends (ErrTruncated)
			// before the buffer is ever more than twice what it holds.
			nb := make([]byte, len(buf), 2*cap(buf))
			copy(nb, buf)
			buf = nb
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			eof = true
		} else if err != nil {
			return base, err
		}
	}
}
