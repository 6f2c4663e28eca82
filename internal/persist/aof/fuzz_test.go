package aof

import (
	"bytes"
	"errors"
	"testing"

	"cairn/internal/resp"
)

// FuzzReplay checks Replay on any file: it never panics, an offset it returns is inside
// the file, a truncated file's complete part replays on its own with the same commands,
// and the commands it hands out, encoded again, replay to themselves.
func FuzzReplay(f *testing.F) {
	f.Add([]byte("*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
	f.Add([]byte("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n*1\r\n$4\r\nEXEC\r\n"))
	f.Add([]byte("*1\r\n$4611686018427387903\r\nx")) // a bulk length no file holds
	f.Add([]byte("*2147483647\r\n$1\r\nx\r\n"))      // an argument count no file holds
	f.Add([]byte("*1\r\n$4\r\nPING\r\nGARBAGE\r\n"))
	f.Fuzz(func(t *testing.T, file []byte) {
		var got bytes.Buffer
		n := 0
		valid, err := Replay(bytes.NewReader(file), func(argv [][]byte) error {
			n++
			got.Write(encodeCommand(argv))
			return nil
		})
		if valid < 0 || valid > int64(len(file)) {
			t.Fatalf("offset %d outside a %d-byte file (err %v)", valid, len(file), err)
		}
		var te *ErrTruncated
		switch {
		case err == nil:
			if valid != int64(len(file)) {
				t.Fatalf("no error but only %d of %d bytes read", valid, len(file))
			}
		case errors.As(err, &te):
			if te.Valid != valid {
				t.Fatalf("ErrTruncated.Valid %d, returned %d", te.Valid, valid)
			}
			m := 0
			if v, err := Replay(bytes.NewReader(file[:valid]), func([][]byte) error { m++; return nil }); err != nil || v != valid || m != n {
				t.Fatalf("the complete part (%d bytes) replays to %d, %v with %d of %d commands", valid, v, err, m, n)
			}
		default:
			return // a malformed record: an error naming its offset (what got holds may be any prefix)
		}
		// The commands read, written out again as a log writes them, replay to
		// themselves. (Not always to the file's bytes: like Redis, the parser takes
		// any two bytes after a line's '\r' or a bulk string as its "\r\n".)
		var again bytes.Buffer
		if _, err := Replay(bytes.NewReader(got.Bytes()), func(argv [][]byte) error {
			again.Write(encodeCommand(argv))
			return nil
		}); err != nil || !bytes.Equal(again.Bytes(), got.Bytes()) {
			t.Fatalf("the commands read (%q) replay to %q, %v", got.Bytes(), again.Bytes(), err)
		}
	})
}

// encodeCommand is the RESP array of bulk strings for argv.
func encodeCommand(argv [][]byte) []byte {
	var w resp.Writer
	w.ArrayLen(len(argv))
	for _, a := range argv {
		w.Bulk(a)
	}
	return w.B
}

// FuzzParseManifest checks that any manifest ParseManifest accepts is written back
// (Bytes) as a manifest that parses to the same files.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"))
	f.Add([]byte("file a seq 1 type h\nfile b seq 2 type b\nfile c seq 3 type i\nfile d seq 4 type i\n"))
	f.Add([]byte("# comment\n\nfile x seq 9223372036854775807 type i\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		out := m.Bytes()
		m2, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("%q parses, but its Bytes %q do not: %v", data, out, err)
		}
		if out2 := m2.Bytes(); !bytes.Equal(out2, out) {
			t.Fatalf("written again: %q, first written: %q", out2, out)
		}
	})
}
