package listpack

import (
	"bytes"
	"fmt"
)

// check verifies every invariant of l, for tests: deep validation, every
// backlen byte-identical to what Redis writes, every integer and every
// string in the encoding Redis would choose for it, the backward walk
// visiting exactly the forward walk's offsets, and Seek agreeing with both.
func (l Listpack) check() error {
	if err := l.Validate(true); err != nil {
		return err
	}
	var offs []int
	for p := l.First(); p >= 0; p = l.Next(p) {
		offs = append(offs, p)
		n := encodedSize(l.b, p)
		var want [5]byte
		bl := backlenSize(n)
		putBacklen(want[:], n)
		if got := l.b[p+n : p+n+bl]; !bytes.Equal(got, want[:bl]) {
			return fmt.Errorf("entry at %d: backlen % x, want % x", p, got, want[:bl])
		}
		var e encoded
		if ent := l.Get(p); ent.IsInt {
			encodeInt(&e, ent.Int)
		} else {
			encodeString(&e, ent.Str)
			if e.str == nil {
				return fmt.Errorf("entry at %d: string %q stored as a string, not an integer", p, ent.Str)
			}
		}
		if got := l.b[p : p+e.nhdr]; !bytes.Equal(got, e.hdr[:e.nhdr]) || e.size() != n {
			return fmt.Errorf("entry at %d: encoding % x, Redis would write % x", p, got, e.hdr[:e.nhdr])
		}
	}
	if len(offs) == 0 && l.b != nil && len(l.b) != EmptySize {
		return fmt.Errorf("no entries in %d bytes", len(l.b))
	}
	i := len(offs)
	for p := l.Last(); p >= 0; p = l.Prev(p) {
		i--
		if i < 0 || offs[i] != p {
			return fmt.Errorf("backward walk reached offset %d at position %d, forward walk disagrees", p, i)
		}
	}
	if i != 0 {
		return fmt.Errorf("backward walk saw %d entries, forward %d", len(offs)-i, len(offs))
	}
	if l.b != nil {
		if num := l.count(); num != countUnknown && num != len(offs) {
			return fmt.Errorf("header count %d, %d entries", num, len(offs))
		}
	}
	step := 1 + len(offs)/500 // Seek is O(n): sample long listpacks
	for k := 0; k < len(offs); k += step {
		p := offs[k]
		if q := l.Seek(k); q != p {
			return fmt.Errorf("Seek(%d) = %d, want %d", k, q, p)
		}
		if q := l.Seek(k - len(offs)); q != p {
			return fmt.Errorf("Seek(%d) = %d, want %d", k-len(offs), q, p)
		}
	}
	if l.Seek(len(offs)) != -1 || l.Seek(-len(offs)-1) != -1 {
		return fmt.Errorf("Seek out of range found an entry")
	}
	return nil
}
