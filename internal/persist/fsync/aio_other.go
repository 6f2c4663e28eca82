//go:build !linux

package fsync

import (
	"errors"
	"os"
)

// syncer is Linux's asynchronous fsync (aio_linux.go); elsewhere there is none.
type syncer struct{}

func newSyncer() *syncer { return nil }

func (s *syncer) start(f *os.File, data bool) error { return errors.ErrUnsupported }
func (s *syncer) reap() (bool, error)               { return true, nil }
func (s *syncer) wait() error                       { return nil }
func (s *syncer) close()                            {}
func (s *syncer) eventFD() int                      { return -1 }
func (s *syncer) drain()                            {}

// fdatasync is fsync where Go's syscall package has no fdatasync: os.File.Sync, which
// on macOS is F_FULLFSYNC (plain fsync there does not flush the drive's cache; Redis
// uses F_FULLFSYNC too).
func fdatasync(f *os.File) error { return f.Sync() }
