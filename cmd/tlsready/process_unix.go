//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// disableCoreDumps sets RLIMIT_CORE to 0 (soft and hard): a core file of tlsready holds the
// password in clear.
func disableCoreDumps() error {
	return unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
}

// warnLooseSecretFile warns on stderr when a password file can be read by its group or by
// others.
func warnLooseSecretFile(e env, path string) {
	fi, err := os.Stat(path)
	if err != nil {
		return // reading it reports the error
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		fmt.Fprintf(e.stderr, "WARNING: password file %s is readable by others (mode %04o): chmod 600 %s\n", path, perm, path)
	}
}

// isDiskFull reports whether err means the disk is full.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
