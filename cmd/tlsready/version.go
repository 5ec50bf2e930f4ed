package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// printVersion writes the version stamped at build time (-ldflags "-X main.version=..."), and
// from the build information the source revision (with "+dirty" for uncommitted changes) and
// the Go release that built the binary.
func printVersion(w io.Writer, info *debug.BuildInfo, ok bool) {
	fmt.Fprintln(w, "tlsready", version)
	revision, modified, goVersion := "unknown", false, runtime.Version()
	if ok && info != nil {
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		revision += "+dirty"
	}
	fmt.Fprintln(w, "revision:", revision)
	fmt.Fprintf(w, "go: %s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
}
