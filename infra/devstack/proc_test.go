//go:build unix

package devstack

import "syscall"

// processAlive reports whether pid exists (and is not a zombie we reaped).
func processAlive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}
