package fsync

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("durable"); err != nil {
		t.Fatal(err)
	}
	if err := File(f); err != nil {
		t.Fatalf("File: %v", err)
	}
}

// TestFileErrors: an fsync the kernel refuses is reported, whether it was refused at
// submission (a pipe has no fsync) or the descriptor is gone.
func TestFileErrors(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if err := File(w); err == nil {
		t.Fatal("File of a pipe: no error")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := File(f); err == nil {
		t.Fatal("File of a closed file: no error")
	}
}

// TestWriterIncremental: a file written through a Writer has fsyncs started while it
// is written, and holds exactly what was written once Sync returns.
func TestWriterIncremental(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NewWriter(f)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KB
	var want bytes.Buffer
	started := false
	for want.Len() < 3*IncrementalBytes {
		chunk[0]++
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
		want.Write(chunk)
		if w.s != nil && w.inflight {
			started = true
		}
	}
	if w.s != nil && !started {
		t.Fatalf("no background fsync started in %d bytes", want.Len())
	}
	if err := w.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("file holds %d bytes, not the %d written", len(got), want.Len())
	}
}
