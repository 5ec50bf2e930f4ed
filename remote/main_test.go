package remote

import (
	"fmt"
	"os"
	"testing"

	"github.com/tlsready/tlsready/internal/winetest"
)

// testBuilds holds this package's Windows test binary, built once for all the tests that run it
// under Wine (TestSSPIUnderWine, TestSSPIKerberosUnderWine); TestMain removes it.
var testBuilds winetest.Builds

// testPkgDir is this package's folder, for builds.
var testPkgDir string

func TestMain(m *testing.M) {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	testPkgDir = wd
	code := m.Run()
	if err := testBuilds.RemoveAll(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}
