package main

import (
	"os"
	"testing"

	"github.com/tlsready/tlsready/internal/winetest"
)

// testBuilds holds the builds of this package (the Linux binary, the Windows .exe, the Windows
// test binaries under Wine) that the tests share: each is built once per run of the tests, not
// once per test (a build costs seconds under -race beside other packages). TestMain removes them.
var testBuilds winetest.Builds

func TestMain(m *testing.M) { os.Exit(testBuilds.Main(m)) }

// windowsExe is the Windows build (windows/amd64) of tlsready, built once for every test of the
// Windows build under Wine.
func windowsExe(t *testing.T) string {
	t.Helper()
	return testBuilds.Exe(t, winetest.Program{Dir: "."})
}
