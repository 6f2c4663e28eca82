//go:build unix

package config

import "syscall"

// canSearch reports why chdir into dir would be refused for lack of search
// permission, or nil.
func canSearch(dir string) error {
	return syscall.Access(dir, 1) // X_OK
}
