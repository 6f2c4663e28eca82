package listpack

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrCorrupt is wrapped by every error of Validate and FromBytes.
var ErrCorrupt = errors.New("listpack: corrupt")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// Validate checks l as lpValidateIntegrity does. Shallow: the header's
// total equals the size and the last byte is the terminator. Deep, also:
// every entry has a valid encoding, lies within the listpack, and has a
// backlen of the size Redis writes for it that decodes to its length; the
// entries end exactly at the terminator; the header's count, unless
// unknown, is the number of entries.
func (l Listpack) Validate(deep bool) error {
	b := l.b
	if b == nil {
		return nil // the zero value is an empty listpack
	}
	if len(b) < EmptySize {
		return corrupt("%d bytes, shorter than a header and terminator", len(b))
	}
	if total := binary.LittleEndian.Uint32(b); int(total) != len(b) {
		return corrupt("header says %d bytes, have %d", total, len(b))
	}
	if b[len(b)-1] != eof {
		return corrupt("last byte %#x is not the terminator", b[len(b)-1])
	}
	if !deep {
		return nil
	}
	last := len(b) - 1 // the terminator: no entry byte may lie at or past it
	count := 0
	p := HeaderSize
	for b[p] != eof {
		nb := sizeBytes(b[p])
		if nb == 0 {
			return corrupt("entry %d at offset %d: invalid encoding %#x", count, p, b[p])
		}
		if p+nb > last {
			return corrupt("entry %d at offset %d: encoding runs past the end", count, p)
		}
		n := encodedSize(b, p)
		bl := backlenSize(n)
		if n > last-p || p+n+bl > last {
			return corrupt("entry %d at offset %d: %d bytes run past the end", count, p, n+bl)
		}
		p += n + bl
		if v, ok := decodeBacklen(b, p-1); !ok || v != n {
			return corrupt("entry %d ending at offset %d: backlen does not match its length %d", count, p, n)
		}
		count++
	}
	if p != last {
		return corrupt("entries end at offset %d, terminator at %d", p, last)
	}
	if num := l.count(); num != countUnknown && num != count {
		return corrupt("header count %d, found %d entries", num, count)
	}
	return nil
}
