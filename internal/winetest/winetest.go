// Package winetest runs Windows programs under the Wine that scripts/wine.sh sets up, for tests:
// it reads the env file that TLSREADY_WINE_ENV names (with labenv's rule: skip locally, fail
// under CI), builds Windows programs and test binaries once per test run, and starts them with
// the prefix, a quiet WINEDEBUG and no display. Tests only; no production code imports it.
package winetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/labenv"
)

// RunTimeout is how long one Windows program of a test may run under Wine: Wine's start-up in a
// ready prefix is a few seconds, a test binary's run well under a minute.
const RunTimeout = 2 * time.Minute

// WaitDelay is how long a Wine command's pipes may stay open after its context ends (wineserver
// children can hold them).
const WaitDelay = 10 * time.Second

// Env is the Wine of scripts/wine.sh: its prefix (WINEPREFIX) and its wine program (WINE).
type Env struct {
	Prefix string
	Wine   string
}

// Load reads the env file of scripts/wine.sh named by TLSREADY_WINE_ENV (KEY=value lines:
// WINEPREFIX, WINE); without TLSREADY_WINE_ENV it calls labenv.Require (skip, or fail under CI).
func Load(tb testing.TB) Env {
	tb.Helper()
	path := os.Getenv("TLSREADY_WINE_ENV")
	if path == "" {
		labenv.Require(tb, "TLSREADY_WINE_ENV not set: run scripts/wine.sh setup /tmp/tlsready-wine and set TLSREADY_WINE_ENV=/tmp/tlsready-wine/env (as .ci/run does) for the tests of the Windows build under Wine")
	}
	env, err := readEnv(path)
	if err != nil {
		tb.Fatalf("TLSREADY_WINE_ENV: %v", err)
	}
	return env
}

// readEnv parses the env file at path and checks that it names the prefix and the program.
func readEnv(path string) (Env, error) {
	kv, err := labenv.ReadEnvFile(path)
	if err != nil {
		return Env{}, err
	}
	for _, k := range []string{"WINEPREFIX", "WINE"} {
		if kv[k] == "" {
			return Env{}, fmt.Errorf("%s lacks %s", path, k)
		}
	}
	return Env{Prefix: kv["WINEPREFIX"], Wine: kv["WINE"]}, nil
}

// Vars is the environment that selects this Wine for a wine command: the prefix, no debug
// channels, no display.
func (e Env) Vars() []string {
	return []string{"WINEPREFIX=" + e.Prefix, "WINEDEBUG=-all", "DISPLAY="}
}

// Command runs the Windows program exe under this Wine with args, in this process's environment
// plus Vars and then extra (later entries win).
func (e Env) Command(ctx context.Context, exe string, extra []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, e.Wine, append([]string{exe}, args...)...)
	cmd.Env = append(append(os.Environ(), e.Vars()...), extra...)
	cmd.WaitDelay = WaitDelay
	return cmd
}

// Shell is the start of a POSIX shell command line that runs exe under this Wine (for a
// terminal such as tmux); the caller appends the arguments. Paths with shell metacharacters
// are not supported: the prefix, the program and exe come from the test's own set-up.
func (e Env) Shell(exe string) string {
	return strings.Join(e.Vars(), " ") + " " + e.Wine + " " + exe
}

// Path is the Windows name of a Linux path under Wine, which maps / to Z:.
func Path(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// Program is a build of the Go package in Dir: the program itself, or with Test its test binary
// (go test -c); for windows/amd64 without cgo, or with Native for this machine as a plain
// "go build" makes it (the native build that a Wine test compares the Windows build with).
type Program struct {
	Dir    string
	Test   bool
	Native bool
}

// target names the platform of p's build, for messages.
func (p Program) target() string {
	if p.Native {
		return "this machine"
	}
	return "windows/amd64"
}

// Builds builds each Program once per test binary run, for every test that asks for it (a
// build costs seconds, more under -race beside other packages; the tests of a package share
// one). The zero value is ready;
// the files live in one temporary folder that RemoveAll deletes (call it from TestMain after
// m.Run). Safe for concurrent use by parallel tests.
type Builds struct {
	mu    sync.Mutex
	base  string // the working folder when Main started: relative Dirs are taken from it
	dir   string
	built map[Program]*build
}

// Main is the body of a TestMain whose package's tests use b: it notes the working folder (a
// Program's relative Dir is taken from it, even after a test changes folder), runs the tests,
// removes b's builds, and returns the code for os.Exit.
func (b *Builds) Main(m *testing.M) int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	b.mu.Lock()
	b.base = wd
	b.mu.Unlock()
	code := m.Run()
	if err := b.RemoveAll(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return code
}

// build is one Program's build: done once, its path or its error shared.
type build struct {
	once sync.Once
	path string
	err  error
}

// Exe is the path of p's build, built on the first call; a failed build fails every
// test that asks for it, with the go command's output.
func (b *Builds) Exe(tb testing.TB, p Program) string {
	tb.Helper()
	b.mu.Lock()
	if b.built == nil {
		b.built = map[Program]*build{}
	}
	e := b.built[p]
	if e == nil {
		e = &build{}
		b.built[p] = e
	}
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "winetest-")
		if err != nil {
			b.mu.Unlock()
			tb.Fatalf("winetest: %v", err)
		}
		b.dir = dir
	}
	dir, base := b.dir, b.base
	b.mu.Unlock()
	e.once.Do(func() {
		abs := p.Dir
		if !filepath.IsAbs(abs) && base != "" {
			abs = filepath.Join(base, abs)
		}
		abs, err := filepath.Abs(abs)
		if err != nil {
			e.err = err
			return
		}
		p.Dir = abs
		out, err := os.MkdirTemp(dir, "build-")
		if err != nil {
			e.err = err
			return
		}
		name := filepath.Base(abs)
		if !p.Native {
			name += ".exe"
		}
		e.path = filepath.Join(out, name)
		if msg, err := BuildCommand(p, e.path).CombinedOutput(); err != nil {
			e.err = fmt.Errorf("%w\n%s", err, msg)
		}
	})
	if e.err != nil {
		tb.Fatalf("go build of %s (%s): %v", p.Dir, p.target(), e.err)
	}
	return e.path
}

// RemoveAll deletes every build of b.
func (b *Builds) RemoveAll() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir == "" {
		return nil
	}
	err := os.RemoveAll(b.dir)
	b.dir, b.built = "", nil // base stays: Main's folder
	return err
}

// BuildCommand is the go command that builds p into out: for windows/amd64 without cgo
// (-trimpath for a program), or with p.Native as plain "go build" or "go test -c" does here.
func BuildCommand(p Program, out string) *exec.Cmd {
	args := []string{"build", "-o", out, "."}
	if p.Test {
		args = []string{"test", "-c", "-o", out, "."}
	} else if !p.Native {
		args = []string{"build", "-trimpath", "-o", out, "."}
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = p.Dir
	cmd.Env = os.Environ()
	if !p.Native {
		cmd.Env = append(cmd.Env, "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	}
	return cmd
}
