//go:build !unix

package main

import (
	"errors"
	"syscall"
)

// disableCoreDumps does nothing: Windows writes no core files by default (Windows Error
// Reporting's LocalDumps is a machine setting).
func disableCoreDumps() error { return nil }

// warnLooseSecretFile does nothing: Windows file ACLs are not Unix modes.
func warnLooseSecretFile(e env, path string) {}

// Windows error codes of a full disk.
const (
	errorHandleDiskFull syscall.Errno = 39  // ERROR_HANDLE_DISK_FULL
	errorDiskFull       syscall.Errno = 112 // ERROR_DISK_FULL
)

// isDiskFull reports whether err means the disk is full.
func isDiskFull(err error) bool {
	return errors.Is(err, errorDiskFull) || errors.Is(err, errorHandleDiskFull) || errors.Is(err, syscall.ENOSPC)
}
