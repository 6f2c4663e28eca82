package intset

import "fmt"

// check verifies every invariant of s, for tests: a known encoding, a length
// that accounts for every byte, values strictly increasing, and at least one
// value that needs the encoding unless the encoding is int16 (the width is
// only ever raised by a value that needed it; removing it does not narrow
// the set, so that last condition is checked by the tests that know the
// history, not here).
func (s *Intset) check() error {
	if len(s.b) == 0 {
		return nil // the zero Intset
	}
	if len(s.b) < headerSize {
		return fmt.Errorf("%d bytes, shorter than the header", len(s.b))
	}
	enc, n := s.Encoding(), s.Len()
	if enc != EncInt16 && enc != EncInt32 && enc != EncInt64 {
		return fmt.Errorf("unknown encoding %d", enc)
	}
	if want := headerSize + n*enc; len(s.b) != want {
		return fmt.Errorf("%d values of %d bytes take %d bytes, slice has %d", n, enc, want, len(s.b))
	}
	for i := 1; i < n; i++ {
		if a, b := s.Get(i-1), s.Get(i); a >= b {
			return fmt.Errorf("values %d and %d out of order: %d, %d", i-1, i, a, b)
		}
	}
	return nil
}
