package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeT records failures instead of failing the test.
type fakeT struct {
	testing.TB
	failed []string
}

func (f *fakeT) Helper()                        {}
func (f *fakeT) Errorf(format string, a ...any) { f.failed = append(f.failed, format) }
func (f *fakeT) Fatalf(format string, a ...any) { f.failed = append(f.failed, format) }
func (f *fakeT) Fatal(a ...any)                 { f.failed = append(f.failed, "fatal") }

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "x.golden")
	tests := []struct {
		name   string
		got    string
		update bool
		fails  bool
	}{
		{"missing file", "a\nb\n", false, true},
		{"update writes it", "a\nb\n", true, false},
		{"same bytes", "a\nb\n", false, false},
		{"one line differs", "a\nc\n", false, true},
		{"only the final newline differs", "a\nb", false, true},
	}
	for _, tt := range tests {
		ft := &fakeT{TB: t}
		Check(ft, path, []byte(tt.got), tt.update, "go test -update")
		if (len(ft.failed) > 0) != tt.fails {
			t.Errorf("%s: failures %q, want failing %t", tt.name, ft.failed, tt.fails)
		}
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "a\nb\n" {
		t.Errorf("golden file %q, %v", b, err)
	}
}

func TestFirstDiff(t *testing.T) {
	if d := FirstDiff("a\nb\nc", "a\nx\nc"); !strings.Contains(d, "line 2") || !strings.Contains(d, "want: b") || !strings.Contains(d, "got:  x") {
		t.Errorf("FirstDiff = %q", d)
	}
	if d := FirstDiff("a\n", "a\nb\n"); !strings.Contains(d, "line 2") {
		t.Errorf("extra line: %q", d)
	}
}
