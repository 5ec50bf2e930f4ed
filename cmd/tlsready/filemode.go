package main

import (
	"fmt"
	"os"
	"strconv"
)

// fileModeEnv names the environment variable that widens the mode of the files tlsready
// writes (results, merged results, reports, kits, discover's list): they list every PC and its
// weaknesses, so they are created 0600 (owner only) unless it says otherwise, e.g. 0644.
const fileModeEnv = "TLSREADY_FILE_MODE"

// fileMode is the mode of the files tlsready writes: 0600, or TLSREADY_FILE_MODE (octal, at
// most 0666, no execute bits).
func fileMode(e env) (os.FileMode, error) {
	s := e.getenv(fileModeEnv)
	if s == "" {
		return 0o600, nil
	}
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n&^0o666 != 0 || n&0o600 != 0o600 {
		return 0, usagef("%s=%q: want an octal file mode of at most 0666 that the owner can read and write, such as 0600 or 0644", fileModeEnv, s)
	}
	return os.FileMode(n), nil
}

// createFile creates (or truncates) path for writing with fileMode: an existing regular file
// gets that mode too, so that a file left 0644 by an older run does not stay readable to all.
func createFile(e env, path string) (*os.File, error) {
	mode, err := fileMode(e)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != mode {
		if err := f.Chmod(mode); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return f, nil
}
