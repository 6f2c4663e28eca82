package aof

import (
	"os"
	"syscall"
)

// fdatasync makes f's data durable with fdatasync(2), as Redis does for its AOF on
// Linux: the data and the size that reaches it, not the modification time, so one
// journal write fewer per group commit than fsync.
func fdatasync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return f.Sync()
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			if serr = syscall.Fdatasync(int(fd)); serr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}
