//go:build !linux

package aof

import "os"

// fdatasync makes f's data durable where the system has no fdatasync(2) in Go's
// syscall package: os.File.Sync, which is fsync(2), and on macOS F_FULLFSYNC (plain
// fsync there does not flush the drive's cache; Redis uses F_FULLFSYNC too).
func fdatasync(f *os.File) error {
	return f.Sync()
}
