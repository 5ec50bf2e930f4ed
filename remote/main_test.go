package remote

import (
	"os"
	"testing"

	"github.com/tlsready/tlsready/internal/winetest"
)

// testBuilds holds this package's Windows test binary, built once for all the tests that run it
// under Wine (TestSSPIUnderWine, TestSSPIKerberosUnderWine); TestMain removes it.
var testBuilds winetest.Builds

func TestMain(m *testing.M) { os.Exit(testBuilds.Main(m)) }
