package winetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestReadEnv(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       Env
		wantErr    string
	}{
		{"scripts/wine.sh's file", "WINEPREFIX=/tmp/w/prefix\nWINE=/usr/bin/wine\nWINEDEBUG=-all\n", Env{Prefix: "/tmp/w/prefix", Wine: "/usr/bin/wine"}, ""},
		{"comments and blanks", "# set up by scripts/wine.sh\n\n  WINE=/opt/wine  \n#WINEPREFIX=/no\nWINEPREFIX=/p\n", Env{Prefix: "/p", Wine: "/opt/wine"}, ""},
		{"no prefix", "WINE=/usr/bin/wine\n", Env{}, "lacks WINEPREFIX"},
		{"commented-out program", "WINEPREFIX=/p\n#WINE=/usr/bin/wine\n", Env{}, "lacks WINE"},
		{"empty program", "WINEPREFIX=/p\nWINE=\n", Env{}, "lacks WINE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "env")
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := readEnv(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("err %v, want one naming %s and %q", err, path, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	if _, err := readEnv(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing env file read without error")
	}
}

func TestPathAndCommand(t *testing.T) {
	if got, want := Path("/tmp/a b/c.jsonl"), `Z:\tmp\a b\c.jsonl`; got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	e := Env{Prefix: "/tmp/w/prefix", Wine: "/usr/bin/wine"}
	cmd := e.Command(context.Background(), "/x/t.exe", []string{"WINEDEBUG=+seh", "A=1"}, "scan", "--out", `Z:\o`)
	if want := []string{"/usr/bin/wine", "/x/t.exe", "scan", "--out", `Z:\o`}; !slices.Equal(cmd.Args, want) {
		t.Errorf("args %q, want %q", cmd.Args, want)
	}
	// The Wine variables come after this process's environment and before extra: the last of a
	// name wins in exec (os/exec dedups keeping the last), so the caller's extra overrides.
	env := cmd.Environ()
	last := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		last[k] = v
	}
	if last["WINEPREFIX"] != e.Prefix || last["WINEDEBUG"] != "+seh" || last["A"] != "1" || last["DISPLAY"] != "" {
		t.Errorf("environment %v", last)
	}
	if _, ok := last["DISPLAY"]; !ok {
		t.Error("DISPLAY not set empty: Wine would open windows on the tester's display")
	}
	if cmd.WaitDelay != WaitDelay {
		t.Errorf("WaitDelay %s, want %s", cmd.WaitDelay, WaitDelay)
	}
	if got, want := e.Shell("/x/t.exe"), "WINEPREFIX=/tmp/w/prefix WINEDEBUG=-all DISPLAY= /usr/bin/wine /x/t.exe"; got != want {
		t.Errorf("Shell = %q, want %q", got, want)
	}
}

// Builds builds a program once for every caller, parallel ones included, and RemoveAll deletes
// it; a Windows build is a PE file (MZ), a native one runs here.
func TestBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	var b Builds
	defer b.RemoveAll()
	for _, p := range []Program{{Dir: "testdata/hello"}, {Dir: "testdata/hello", Native: true}} {
		paths := make([]string, 4)
		var wg sync.WaitGroup
		for i := range paths {
			wg.Add(1)
			go func() {
				defer wg.Done()
				paths[i] = b.Exe(t, p)
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		fi, err := os.Stat(paths[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths[1:] {
			if p != paths[0] {
				t.Fatalf("built to %q and %q: want one build", paths[0], p)
			}
		}
		if again := b.Exe(t, p); again != paths[0] {
			t.Errorf("a later call built again: %q", again)
		} else if fi2, err := os.Stat(again); err != nil || !fi2.ModTime().Equal(fi.ModTime()) {
			t.Errorf("the build was rewritten: %v", err)
		}
		head, err := os.ReadFile(paths[0])
		if err != nil {
			t.Fatal(err)
		}
		if isPE := strings.HasPrefix(string(head), "MZ"); isPE == p.Native {
			t.Errorf("%+v: a PE file %t", p, isPE)
		}
		if p.Native && runtime.GOOS != "windows" {
			if out, err := exec.Command(paths[0]).Output(); err != nil || string(out) != "hello\n" {
				t.Errorf("native build: %q, %v", out, err)
			}
		}
	}
	dir := filepath.Dir(filepath.Dir(b.Exe(t, Program{Dir: "testdata/hello"})))
	if err := b.RemoveAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("RemoveAll left %s: %v", dir, err)
	}
}

// A build that fails fails every test that asks for it, with the compiler's message.
func TestBuildsFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\nfunc main() { undefinedName() }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module broken\n\ngo 1.21\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var b Builds
	defer b.RemoveAll()
	for i := 0; i < 2; i++ {
		ft := &fatalRecorder{TB: t}
		func() {
			defer func() { _ = recover() }()
			b.Exe(ft, Program{Dir: dir, Native: true})
		}()
		if !strings.Contains(ft.msg, "undefinedName") || !strings.Contains(ft.msg, dir) {
			t.Errorf("call %d: failure %q, want the compiler's message and the folder", i, ft.msg)
		}
	}
}

// fatalRecorder records a Fatalf instead of ending the test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic("fatal")
}

// A relative Dir is the package's folder as Main found it, even after a test changes folder
// (t.Chdir in the tests of cmd/tlsready).
func TestBuildsRelativeToMainsFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	b := Builds{base: wd}
	defer b.RemoveAll()
	t.Chdir(t.TempDir())
	exe := b.Exe(t, Program{Dir: "testdata/hello", Native: true})
	if out, err := exec.Command(exe).Output(); err != nil || string(out) != "hello\n" {
		t.Errorf("%s: %q, %v", exe, out, err)
	}
}
