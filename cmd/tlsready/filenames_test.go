package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/remediate"
)

// windowsNameProblem says why name is not a valid Windows file name, or "" when it is.
func windowsNameProblem(name string) string {
	if i := strings.IndexAny(name, `<>:"/\|?*`); i >= 0 {
		return "has " + string(name[i])
	}
	for _, r := range name {
		if r < 32 {
			return "has a control character"
		}
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return "ends in a dot or space"
	}
	base := strings.ToUpper(strings.SplitN(name, ".", 2)[0])
	switch base {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "LPT1", "LPT2", "LPT3":
		return "is a reserved device name"
	}
	return ""
}

// Every file name the tool picks itself must be valid on Windows, where most of its users run it.
func TestDefaultFileNamesValidOnWindows(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 12, 5, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("JST", 9*3600)),
		time.Now(),
	}
	names := []string{remediate.FileReg64, remediate.FileReg32, remediate.FileRegistryXML, remediate.FileScript,
		remediate.FileKB, remediate.FileMigrate, remediate.FileRegOnly, remediate.FileReadMe, "tlsready-lab-ca.pem"}
	for _, now := range times {
		names = append(names, defaultResultsName(now), defaultJournalName(now))
	}
	for _, n := range names {
		if p := windowsNameProblem(n); p != "" {
			t.Errorf("default file name %q %s", n, p)
		}
	}
	if got := defaultResultsName(times[0]); got != "tlsready-results-20261205-235959.jsonl" {
		t.Errorf("defaultResultsName = %q", got)
	}
	// The checker itself: names with each forbidden character fail it.
	for _, bad := range []string{"a:b.jsonl", "a<b", "a>b", `a"b`, "a/b", `a\b`, "a|b", "a?b", "a*b", "x.", "NUL.txt", "a\tb"} {
		if windowsNameProblem(bad) == "" {
			t.Errorf("windowsNameProblem(%q) = \"\", want a problem", bad)
		}
	}
}

func TestVersion(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.99.1", Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"}}}
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want []string
	}{
		{"Stamped", info, true, []string{"tlsready dev\n", "revision: 0123456789abcdef+dirty\n", "go: go1.99.1 "}},
		{"NoBuildInfo", nil, false, []string{"tlsready dev\n", "revision: unknown\n", "go: go1."}},
		{"Clean", &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}}}, true,
			[]string{"revision: abc\n"}},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		printVersion(&b, tt.info, tt.ok)
		for _, w := range tt.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: output %q lacks %q", tt.name, b.String(), w)
			}
		}
	}
	// Through the CLI, and listed in its usage.
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"version"}, strings.NewReader(""), &out, &errb); code != exitReady {
		t.Fatalf("tlsready version: exit %d, stderr %q", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "tlsready "+version+"\n") || !strings.Contains(out.String(), "\ngo: ") {
		t.Errorf("tlsready version printed %q", out.String())
	}
	if !strings.Contains(usage, "tlsready version") {
		t.Error("usage does not list the version command")
	}
}
