// Package tlsready holds what the command ships inside its binary: the built-in fleet of
// simulated Windows hosts that "tlsready demo" and "tlsready lab" serve when no --fleet is given.
// The tool itself lives in cmd/tlsready and the packages beside this file.
package tlsready

import (
	"embed"
	"io/fs"
)

//go:embed testdata/fleet/*.json
var builtinFleet embed.FS

// BuiltinFleet returns the host profiles of testdata/fleet as a file system whose root holds the
// *.json files.
func BuiltinFleet() fs.FS {
	sub, err := fs.Sub(builtinFleet, "testdata/fleet")
	if err != nil {
		panic(err) // the pattern above guarantees the directory
	}
	return sub
}
