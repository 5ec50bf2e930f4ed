package main

import (
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
