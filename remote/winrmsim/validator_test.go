package winrmsim

import (
	"context"
	"errors"
	"html"
	"slices"
	"strings"
	"sync"
	"testing"
)

// recordingValidator refuses every program that holds "BAD" with a parse error, fails on one
// that holds "BROKEN", and records the programs it was given.
type recordingValidator struct {
	mu   sync.Mutex
	seen []string
}

func (v *recordingValidator) validate(_ context.Context, script string) (string, error) {
	v.mu.Lock()
	v.seen = append(v.seen, script)
	v.mu.Unlock()
	switch {
	case strings.Contains(script, "BROKEN"):
		return "", errors.New("node died")
	case strings.Contains(script, "BAD"):
		return "At line:1 char:1\r\n+ BAD {\r\n+ ~\r\nMissing closing '}' in statement block or type definition.\r\n", nil
	}
	return "", nil
}

// Options.ScriptValidator sees the program of -EncodedCommand and the program on stdin, and the
// host answers a refused program with the validator's text on stderr, exit code 1 and nothing on
// stdout, as powershell.exe answers a parse error; a program that passes runs.
func TestScriptValidator(t *testing.T) {
	tests := []struct {
		name       string
		stdin      string
		command    string
		wantSeen   []string // the programs judged, in order
		wantExit   int
		wantStdout string
		wantStderr string
	}{
		{"stdin behind a bootstrap", "Write-Output BAD {\r\n", "powershell.exe -EncodedCommand " + encodeCommand(bootstrap),
			[]string{bootstrap, "Write-Output BAD {\r\n"}, 1, "", "Missing closing '}'"},
		{"-EncodedCommand", "", "powershell.exe -EncodedCommand " + encodeCommand("Write-Output BAD {"),
			[]string{"Write-Output BAD {"}, 1, "", "Missing closing '}'"},
		{"powershell - reads stdin", "Write-Output BAD {\r\n", "powershell.exe -",
			[]string{"Write-Output BAD {\r\n"}, 1, "", "Missing closing '}'"},
		{"valid program runs", "Write-Output fine\r\n", "powershell.exe -EncodedCommand " + encodeCommand(bootstrap),
			[]string{bootstrap, "Write-Output fine\r\n"}, 0, "fine\r\n", ""},
		{"validator fails", "Write-Output BROKEN\r\n", "powershell.exe -EncodedCommand " + encodeCommand(bootstrap),
			[]string{bootstrap, "Write-Output BROKEN\r\n"}, 1, "", "the script validator failed: node died"},
		{"-Command is not judged", "", "powershell.exe -Command Write-Output BAD",
			nil, 0, "BAD\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v recordingValidator
			h := startHost(t, mustProfile(t, win10), Options{ScriptValidator: v.validate})
			out, errOut, code := newClient(t, h).run(nil, []byte(tt.stdin), tt.command)
			if code != tt.wantExit || out != tt.wantStdout || !strings.Contains(html.UnescapeString(errOut), tt.wantStderr) || (tt.wantStderr == "" && errOut != "") {
				t.Errorf("exit %d stdout %q stderr %q; want %d, %q, %q", code, out, errOut, tt.wantExit, tt.wantStdout, tt.wantStderr)
			}
			v.mu.Lock()
			defer v.mu.Unlock()
			if !slices.Equal(v.seen, tt.wantSeen) {
				t.Errorf("judged %q, want %q", v.seen, tt.wantSeen)
			}
		})
	}
}
