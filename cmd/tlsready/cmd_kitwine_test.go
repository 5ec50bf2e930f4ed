//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tlsready/tlsready/internal/kittest"
	"github.com/tlsready/tlsready/internal/labenv"
	"github.com/tlsready/tlsready/internal/winetest"
	"github.com/tlsready/tlsready/internal/wintext"
	"github.com/tlsready/tlsready/remediate"
	"github.com/tlsready/tlsready/scan"
)

// regLoc is one registry value as a program of one bitness reads it: view "64" (a 64-bit program:
// the key as written) or "32" (a 32-bit program under WOW64).
type regLoc struct{ view, key, name string }

func (l regLoc) String() string {
	return fmt.Sprintf("[%s-bit view] HKLM\\%s\\%s", l.view, l.key, l.name)
}

// regGot is what reg query showed for a value: its type and data as printed.
type regGot struct{ typ, data string }

// wow64Key is the key a 32-bit program reads for a key written under SOFTWARE\Wow6432Node, and
// whether it is one: the registry redirector shows HKLM\SOFTWARE\Wow6432Node\X to 32-bit programs
// as HKLM\SOFTWARE\X ("Registry Redirector",
// https://learn.microsoft.com/windows/win32/winprog64/registry-redirector).
func wow64Key(key string) (string, bool) {
	const wow = `SOFTWARE\Wow6432Node\`
	if len(key) > len(wow) && strings.EqualFold(key[:len(wow)], wow) {
		return `SOFTWARE\` + key[len(wow):], true
	}
	return "", false
}

// expectedRegistry is what importing the .reg file for bits of a plan with values leaves in the
// registry, derived from the plan's values (not from the .reg text): each value the file is for,
// REG_DWORD with its data, in the 64-bit view at its key as written, and a Wow6432Node value also
// in the 32-bit view at the key 32-bit programs read.
func expectedRegistry(values []remediate.Value, bits int) map[regLoc]uint32 {
	want := map[regLoc]uint32{}
	for _, v := range values {
		if v.Only64 && bits != 64 {
			continue
		}
		want[regLoc{"64", v.Key, v.Name}] = v.Data
		if k, ok := wow64Key(v.Key); ok {
			want[regLoc{"32", k, v.Name}] = v.Data
		}
	}
	return want
}

// registryProblems compares what the registry shows at every location of all with want: a
// location in want must hold a REG_DWORD with that data, any other must be absent.
func registryProblems(got map[regLoc]regGot, want map[regLoc]uint32, all []regLoc) []string {
	var out []string
	for _, l := range all {
		g, present := got[l]
		d, wanted := want[l]
		switch {
		case wanted && !present:
			out = append(out, fmt.Sprintf("%s: absent, want REG_DWORD 0x%08x", l, d))
		case wanted && g.typ != "REG_DWORD":
			out = append(out, fmt.Sprintf("%s: %s %s, want REG_DWORD 0x%08x", l, g.typ, g.data, d))
		case wanted:
			n, err := strconv.ParseUint(strings.TrimPrefix(g.data, "0x"), 16, 32)
			if err != nil || !strings.HasPrefix(g.data, "0x") || uint32(n) != d {
				out = append(out, fmt.Sprintf("%s: REG_DWORD %s, want 0x%08x", l, g.data, d))
			}
		case present:
			out = append(out, fmt.Sprintf("%s: %s %s, want it absent", l, g.typ, g.data))
		}
	}
	return out
}

// locations are every location any of the value lists can write, in both views, sorted.
func locations(lists ...[]remediate.Value) []regLoc {
	seen := map[regLoc]bool{}
	for _, vs := range lists {
		for l := range expectedRegistry(vs, 64) {
			seen[l] = true
		}
	}
	var out []regLoc
	for l := range seen {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b regLoc) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// winePrefix is a fresh Wine prefix of its own for a test: the registry the imports change.
type winePrefix struct {
	env  winetest.Env // its own prefix, the Wine of scripts/wine.sh
	dir  string       // a folder inside the prefix's C: drive, for the files Wine reads
	root string
}

// startWinePrefix creates a 64-bit Wine prefix in a temporary folder with wineboot, in the
// background (it takes seconds, during which the test makes its kits), and stops its wineserver
// when the test ends. The prefix, or why it could not be made, arrives on the channel.
func startWinePrefix(ctx context.Context, t *testing.T, shared winetest.Env) <-chan prefixOrError {
	t.Helper()
	root := t.TempDir()
	env := winetest.Env{Wine: shared.Wine, Prefix: filepath.Join(root, "prefix")}
	server := filepath.Join(filepath.Dir(env.Wine), "wineserver")
	ready := make(chan prefixOrError, 1)
	done := make(chan struct{})
	t.Cleanup(func() {
		<-done // the test's context is cancelled by now: wineboot, if still running, is stopped
		kill := exec.Command(server, "-k")
		kill.Env = append(os.Environ(), "WINEPREFIX="+env.Prefix)
		_ = kill.Run()
		wait := exec.Command(server, "-w")
		wait.Env = kill.Env
		_ = wait.Run()
	})
	go func() {
		defer close(done)
		p, err := createWinePrefix(ctx, env, server, root)
		ready <- prefixOrError{p, err}
	}()
	return ready
}

// prefixOrError is what startWinePrefix delivers.
type prefixOrError struct {
	p   *winePrefix
	err error
}

// createWinePrefix makes the prefix env.Prefix (inside root) with wineboot.
func createWinePrefix(ctx context.Context, env winetest.Env, server, root string) (*winePrefix, error) {
	// One wineserver for all the runs of the test, started first so that the services wineboot
	// starts stay up: by default it stops 3 s after each program, and starting it and the
	// services again for each step costs seconds. It stays 20 s after the last program, so that
	// it goes away by itself should the test die before its cleanup.
	if err := os.Mkdir(env.Prefix, 0o700); err != nil {
		return nil, err
	}
	persist := exec.CommandContext(ctx, server, "-p20")
	persist.Env = append(os.Environ(), "WINEPREFIX="+env.Prefix)
	if err := persist.Run(); err != nil {
		return nil, fmt.Errorf("wineserver -p20: %w", err)
	}
	p := &winePrefix{env: env, root: root}
	// Console programs only: no display, no Mono or Gecko installer (as scripts/wine.sh).
	if out, err := p.run(ctx, "wineboot", "-i"); err != nil {
		return nil, fmt.Errorf("wineboot -i in a fresh prefix: %w\n%s", err, lastLines(out, 20))
	}
	p.dir = filepath.Join(env.Prefix, "drive_c", "tlsready kit")
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return nil, err
	}
	return p, nil
}

// put copies b into the prefix's C: drive as name and returns its Windows path.
func (p *winePrefix) put(t *testing.T, name string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(p.dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return `C:\tlsready kit\` + name
}

// run runs a Windows program of the prefix and returns its output and exit error. The output goes
// through a file, not a pipe: the Wine services a program starts keep a pipe open after it exits.
func (p *winePrefix) run(ctx context.Context, exe string, args ...string) (string, error) {
	f, err := os.CreateTemp(p.root, "out")
	if err != nil {
		return "", err
	}
	defer f.Close()
	cmd := p.env.Command(ctx, exe, []string{"WINEARCH=win64", "WINEDLLOVERRIDES=mscoree,mshtml="}, args...)
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	out, rerr := os.ReadFile(f.Name())
	if rerr != nil && err == nil {
		err = rerr
	}
	return string(out), err
}

// read reads the locations with Wine's reg.exe: one "reg query KEY /reg:VIEW" per key and view
// (/reg:32 reads as a 32-bit program does), all from one batch file so that one cmd.exe runs them.
func (p *winePrefix) read(ctx context.Context, t *testing.T, locs []regLoc) map[regLoc]regGot {
	t.Helper()
	const mark = "==tlsready== "
	var bat strings.Builder
	bat.WriteString("@echo off\r\n")
	type viewKey struct{ view, key string }
	var keys []viewKey
	for _, l := range locs {
		if k := (viewKey{l.view, l.key}); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for i, k := range keys {
		fmt.Fprintf(&bat, "echo %s%d\r\nreg query \"HKLM\\%s\" /reg:%s\r\n", mark, i, k.key, k.view)
	}
	out, _ := p.run(ctx, "cmd", "/c", p.put(t, "read.bat", []byte(bat.String())))
	got := map[regLoc]regGot{}
	cur := -1
	for _, line := range strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n") {
		if n, ok := strings.CutPrefix(line, mark); ok {
			cur, _ = strconv.Atoi(strings.TrimSpace(n))
			continue
		}
		// A value line: four spaces, then name, type and data separated by four spaces.
		f := strings.Split(strings.TrimPrefix(line, "    "), "    ")
		if cur < 0 || cur >= len(keys) || !strings.HasPrefix(line, "    ") || len(f) != 3 {
			continue
		}
		got[regLoc{keys[cur].view, keys[cur].key, f[0]}] = regGot{f[1], strings.TrimSpace(f[2])}
	}
	if cur != len(keys)-1 {
		t.Fatalf("reg query did not run for every key (last section %d of %d):\n%s", cur+1, len(keys), lastLines(out, 20))
	}
	return got
}

// Every .reg file "tlsready remediate" writes for the demo fleet imports with Wine's own regedit
// and reg.exe (parsers we did not write) into a fresh 64-bit Wine prefix, and Wine's reg query then
// shows, in the 64-bit and the 32-bit registry view, exactly the REG_DWORD values the kit's plan
// meant to write: the plan comes from the same results through remediate.BuildWith, the values
// from its data structures, never from the .reg text. A variant of each protocol set is imported
// in turn (each changes DefaultSecureProtocols, so each check sees that file's own data), then a
// .reg of every value the kit can write (both .NET runtimes in both views, whatever the demo's
// hosts answered) with 0xffffffff-like data; before them, files Windows would refuse leave
// nothing behind. TLS12-x86.reg, for 32-bit Windows (one registry view), goes through the 64-bit
// regedit: its values land at their keys as written and none under Wow6432Node. The kit writes no
// deletions ("-" keys or values): nothing to check there. The kits' README.txt (en, ja) and
// Set-TLS12.ps1 are checked as Notepad and Windows PowerShell read them (internal/wintext), and
// their Registry.xml with xmllint against the [MS-GPPREF] schema of remediate/testdata/gpp.
//
// Wine regedit quirks met here (Wine 8.0):
//   - regedit /S exits 0 even when it refuses a file (wrong header, UTF-16 without a byte order
//     mark): only reading the registry back tells. reg import exits 1 for those.
//   - Wine's regedit reads an 8-bit file with the "Windows Registry Editor Version 5.00" header
//     (UTF-8 without BOM) as well; a bad header or UTF-16 without BOM it imports nothing from.
//   - A dword of more than 8 hex digits is skipped silently, one of fewer than 8 accepted.
//   - reg query prints a REG_DWORD as 0x%x (0xa00, not 0x00000a00).
//   - In a win64 prefix HKLM\SOFTWARE is redirected for /reg:32 as on Windows (a key made in the
//     64-bit view is not seen there), which is what lets the 32-bit view be checked.
func TestDemoKitForWindows(t *testing.T) {
	t.Parallel() // its demo runs in-process like TestDemo_method's; Wine runs in a prefix of its own
	if testing.Short() {
		t.Skip("runs the demo, creates a Wine prefix and imports the kit's .reg files")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	start := time.Now()
	// The Wine prefix is made while the demo runs.
	var prefix <-chan prefixOrError
	if os.Getenv("TLSREADY_WINE_ENV") != "" {
		prefix = startWinePrefix(ctx, t, winetest.Load(t))
	}

	// The kit of the demo fleet, in each variant, and the plan each was made from.
	dir := t.TempDir()
	results := filepath.Join(dir, "demo.jsonl")
	// 10 s a host, as TestDemo_method (the hanging host costs the 10 s while the prefix is made).
	// The verdicts are TestDemo_method's subject, not this test's: should a loaded machine make a
	// host late and "unknown", its values drop out of the kit and out of the plan alike, and the
	// step of every value below still covers every kind of value.
	if code, _, stderr := runCLI(t, "demo", "--out", results, "--timeout", "10s"); code != exitReady {
		t.Fatalf("tlsready demo: exit %d\n%s", code, lastLines(stderr, 20))
	}
	rs, _, err := scan.ReadResultsFiles(results)
	if err != nil {
		t.Fatal(err)
	}
	type kit struct {
		name string
		args []string
		opts remediate.Options
		plan remediate.Plan
		dir  string
	}
	kits := []*kit{
		{name: "tls12", args: []string{"--protocols", "tls12"}, opts: remediate.Options{Protocols: remediate.TLS12}},
		{name: "tls11+12", opts: remediate.Options{Protocols: remediate.TLS11And12}},
		{name: "tls10+11+12 --win7-schannel --lang ja", args: []string{"--protocols", "tls10+11+12", "--win7-schannel", "--lang", "ja"}, opts: remediate.Options{Protocols: remediate.TLS10To12, Win7Schannel: true}},
	}
	for i, k := range kits {
		k.dir = filepath.Join(dir, fmt.Sprintf("kit%d", i))
		if code, _, stderr := runCLI(t, append([]string{"remediate", results, "--out", k.dir}, k.args...)...); code != exitReady {
			t.Fatalf("tlsready remediate %s: exit %d\n%s", k.name, code, stderr)
		}
		k.plan = remediate.BuildWith(rs, k.opts)
	}
	demo := kits[1].plan.Values
	if len(demo) == 0 {
		t.Fatal("the demo kit has no registry value")
	}
	// Every value the kit can write (both views, SCHANNEL, WinINet, both .NET runtimes), with the
	// DWORDs a writer gets wrong, as the kit's writer puts them in a .reg file.
	edge := everyValuePlan(t)
	for i := range edge.Values {
		edge.Values[i].Data = []uint32{0xffffffff, 0x80000000, 0, 0x7fffffff}[i%4]
	}
	all := locations(kits[0].plan.Values, kits[1].plan.Values, kits[2].plan.Values, edge.Values)
	readFile := func(t *testing.T, k *kit, name string) []byte {
		b, err := os.ReadFile(filepath.Join(k.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// README.txt and Set-TLS12.ps1 as Windows programs read them, Registry.xml against the
	// [MS-GPPREF] schema (remediate/gpp_schema_test.go checks the schema itself and the values).
	t.Run("text files and Registry.xml", func(t *testing.T) {
		for _, k := range kits {
			if err := wintext.Notepad(readFile(t, k, remediate.FileReadMe)); err != nil {
				t.Errorf("%s %s in Notepad: %v", k.name, remediate.FileReadMe, err)
			}
			if err := wintext.PowerShell(readFile(t, k, remediate.FileScript)); err != nil {
				t.Errorf("%s %s in Windows PowerShell: %v", k.name, remediate.FileScript, err)
			}
			xmllint, err := exec.LookPath("xmllint")
			if err != nil {
				labenv.Require(t, "no xmllint: install libxml2-utils (as .ci/run does) to validate Registry.xml against the [MS-GPPREF] schema")
			}
			if out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", "../../remediate/testdata/gpp/registry.xsd", filepath.Join(k.dir, remediate.FileRegistryXML)).CombinedOutput(); err != nil {
				t.Errorf("%s %s does not validate: %v\n%s", k.name, remediate.FileRegistryXML, err, out)
			}
		}
	})

	t.Run("reg files under Wine", func(t *testing.T) {
		if prefix == nil {
			winetest.Load(t) // skips, or fails under CI
		}
		r := <-prefix
		if r.err != nil {
			t.Fatal(r.err)
		}
		w := r.p
		t.Logf("demo, kits and a fresh Wine prefix: %s", time.Since(start).Round(time.Millisecond))
		// Files Windows' regedit would refuse import nothing (the check can fail): after them the
		// fresh prefix still has none of the kit's values.
		text := utf16LEText(t, readFile(t, kits[1], remediate.FileReg64))
		for _, bad := range []struct{ name, body string }{
			{"UTF-8 without BOM, header without \"Version\"", strings.Replace(text, "Windows Registry Editor Version 5.00", "Windows Registry Editor 5.00", 1)},
			{"UTF-16LE without BOM", string(utf16Bytes(text, true)[2:])},
		} {
			out, err := w.run(ctx, "regedit", "/S", w.put(t, "broken.reg", []byte(bad.body)))
			t.Logf("regedit /S %s: exit %v %s", bad.name, err, strings.TrimSpace(out))
		}
		got := w.read(ctx, t, all)
		if problems := registryProblems(got, nil, all); len(problems) > 0 {
			t.Errorf("after importing broken .reg files into a fresh prefix, %d of the kit's values are there, want none:\n%s", len(problems), strings.Join(problems, "\n"))
		}
		// So the check of the kit's own file fails on them, value by value.
		want := expectedRegistry(demo, 64)
		if problems := registryProblems(got, want, all); len(problems) != len(want) {
			t.Errorf("the check against the kit's values reports %d problems after the broken files, want all %d values missing:\n%s", len(problems), len(want), strings.Join(problems, "\n"))
		}
		t.Logf("broken files imported and read back: %s", time.Since(start).Round(time.Millisecond))

		// The kit's files, each import followed by a read of both views.
		steps := []struct {
			name   string
			file   []byte
			values []remediate.Value
			bits   int
			cmd    []string // the Windows command; %s is the file
		}{
			{"tls12 " + remediate.FileReg32 + ", regedit /S", readFile(t, kits[0], remediate.FileReg32), kits[0].plan.Values, 32, []string{"regedit", "/S", "%s"}},
			{"tls11+12 " + remediate.FileReg64 + ", reg import /reg:64 (as README.txt says)", readFile(t, kits[1], remediate.FileReg64), kits[1].plan.Values, 64, []string{"reg", "import", "%s", "/reg:64"}},
			{"tls10+11+12 --win7-schannel " + remediate.FileReg64 + ", regedit /S", readFile(t, kits[2], remediate.FileReg64), kits[2].plan.Values, 64, []string{"regedit", "/S", "%s"}},
			{"every value with 0xffffffff-like data, regedit /S", edge.RegFile(64), edge.Values, 64, []string{"regedit", "/S", "%s"}},
		}
		var imported []remediate.Value
		for i, s := range steps {
			path := w.put(t, fmt.Sprintf("step%d.reg", i), s.file)
			args := slices.Clone(s.cmd[1:])
			for j := range args {
				args[j] = strings.ReplaceAll(args[j], "%s", path)
			}
			if out, err := w.run(ctx, s.cmd[0], args...); err != nil {
				t.Errorf("%s: %v\n%s", s.name, err, out)
			}
			// What the registry must show: this file's values over what the earlier ones left.
			imported = mergeValues(imported, s.values, s.bits)
			want := expectedRegistry(imported, 64)
			problems := registryProblems(w.read(ctx, t, all), want, all)
			if len(problems) > 0 {
				// Seen once on a loaded machine (the whole suite and three busy loops on two
				// cores): the last key of a file absent from the read that followed its import,
				// and there in every other run. A second read, a moment later, tells a late
				// write or a one-off failure of Wine's reg.exe from a value the import dropped.
				t.Logf("after %s, %d problem(s) on the first read; reading again:\n%s", s.name, len(problems), strings.Join(problems, "\n"))
				time.Sleep(2 * time.Second)
				problems = registryProblems(w.read(ctx, t, all), want, all)
			}
			if len(problems) > 0 {
				t.Errorf("after %s:\n%s", s.name, strings.Join(problems, "\n"))
			}
			t.Logf("%s: imported and read back at %s", s.name, time.Since(start).Round(time.Millisecond))
		}
		t.Logf("in all: %s", time.Since(start).Round(time.Millisecond))
	})
}

// utf16LEText decodes a .reg file the kit wrote: UTF-16LE after a byte order mark.
func utf16LEText(t *testing.T, b []byte) string {
	t.Helper()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE || len(b)%2 != 0 {
		t.Fatalf("not UTF-16LE with a byte order mark: % x", b[:min(len(b), 8)])
	}
	u := make([]uint16, (len(b)-2)/2)
	for i := range u {
		u[i] = uint16(b[2+2*i]) | uint16(b[3+2*i])<<8
	}
	return string(utf16.Decode(u))
}

// everyValuePlan is the plan of one 64-bit host whose findings call for every value the kit can
// write: DefaultSecureProtocols in both views, SCHANNEL Enabled and DisabledByDefault, WinINet
// SecureProtocols, and the .NET Framework values of both runtimes in both views.
func everyValuePlan(t *testing.T) remediate.Plan {
	t.Helper()
	r := kittest.EveryValueResult(remediate.KeyNetV4, remediate.KeyNetV4Wow, remediate.KeyNetV2, remediate.KeyNetV2Wow)
	p := remediate.Build([]scan.Result{r}, remediate.DefaultDSP)
	if !slices.ContainsFunc(p.Values, func(v remediate.Value) bool { return v.Only64 && v.Key == remediate.KeyNetV2Wow }) {
		t.Fatalf("the plan of every value lacks the Wow6432Node .NET 2.0 values: %+v", p.Values)
	}
	// A SCHANNEL cipher key whose name holds a "/", which Wine's regedit and reg must take as
	// one key.
	if !slices.ContainsFunc(p.Values, func(v remediate.Value) bool { return strings.HasSuffix(v.Key, `\Ciphers\AES 128/128`) }) {
		t.Fatalf("the plan of every value lacks the SCHANNEL key %s: %+v", `Ciphers\AES 128/128`, p.Values)
	}
	return p
}

// mergeValues is what the registry holds after importing the .reg file for bits of next over
// have: next's values replace those at the same key and name.
func mergeValues(have, next []remediate.Value, bits int) []remediate.Value {
	out := slices.Clone(have)
	for _, v := range next {
		if v.Only64 && bits != 64 {
			continue
		}
		v.Only64 = false // in the registry now, whatever the file was for
		if i := slices.IndexFunc(out, func(o remediate.Value) bool { return o.Key == v.Key && o.Name == v.Name }); i >= 0 {
			out[i] = v
		} else {
			out = append(out, v)
		}
	}
	return out
}
