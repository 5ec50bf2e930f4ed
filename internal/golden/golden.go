// Package golden compares what a test produced with a golden file, for the tests of several
// packages (the reports, the remediation kit, the command line).
package golden

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Check fails t unless got is byte for byte the file at path. With update it writes got to path
// instead (creating the folder). rewrite is the command that rewrites the file after review,
// shown in the failure.
func Check(t testing.TB, path string, got []byte, update bool, rewrite string) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (%s creates it)", err, rewrite)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%s rewrites it after review): %s", path, rewrite, FirstDiff(string(want), string(got)))
	}
}

// FirstDiff shows the first line that differs between want and got (each cut at 300 bytes).
func FirstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant: %.300s\ngot:  %.300s", i+1, a, b)
		}
	}
	return "no line differs (line ends or a final newline do)"
}
