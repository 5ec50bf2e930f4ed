package remote

import (
	"context"
	"encoding/base64"
	"html"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/tlsready/tlsready/internal/psgrammar/psgtest"
	"github.com/tlsready/tlsready/remote/winrmsim"
)

// grammar is the PowerShell grammar of this test binary (one node process), when installed.
var grammar = psgtest.Opener()

// oldKit has the defect of Set-TLS12.ps1 before the grammar gate: the findings comment swallows
// the closing brace of the 64-bit line, so PowerShell refuses the whole program.
const oldKit = "$is64 = [IntPtr]::Size -eq 8\r\n" +
	"if ($is64) { Set-TlsDword -Key 'SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp' -Name 'DefaultSecureProtocols' -Data 0xa00 # DSP_NO_TLS12, KB3140245_MISSING }\r\n" +
	"Write-Output 'done'\r\n"

// A simulated host that judges programs with the PowerShell grammar answers a program that does
// not parse as powershell.exe does: the parser's error on stderr, exit code 1, nothing on stdout
// (nothing of the program ran, not even its valid first lines). Both ways a program arrives are
// judged: on stdin behind the collector's bootstrap, and as -EncodedCommand.
func TestSimulatedHostRefusesUnparsableProgram(t *testing.T) {
	v := psgtest.Require(t, grammar)
	fixed := strings.Replace(oldKit, " # DSP_NO_TLS12, KB3140245_MISSING }", " }", 1)
	valid := "# a comment with a } in it\r\nWrite-Output 'done'\r\n"
	tests := []struct {
		name       string
		command    string
		stdin      string
		wantExit   int
		wantStdout string
		wantStderr []string
	}{
		{"old kit on stdin", CollectorCommand(), oldKit, 1, "",
			[]string{"At line:2 char:12", "+ if ($is64) {", "Missing closing '}' in statement block or type definition.", "MissingEndCurlyBrace"}},
		{"old kit as -EncodedCommand", encodedCommand(oldKit), "", 1, "",
			[]string{"At line:2 char:12", "Missing closing '}' in statement block or type definition."}},
		{"broken bootstrap", encodedCommand(Bootstrap + "}"), valid, 1, "", []string{"Unexpected token '}'"}},
		// The same program with the brace outside the comment parses; the host then runs it
		// (its simple interpreter does not know Set-TlsDword, a function of the real kit).
		{"fixed kit on stdin", CollectorCommand(), fixed, 1, "done\r\n", []string{"'$is64' is not recognized"}},
		{"valid program on stdin", CollectorCommand(), valid, 0, "done\r\n", nil},
		{"valid program as -EncodedCommand", encodedCommand(valid), "", 0, "done\r\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ep := startSim(t, simProfile(t, "pc-w10-001.json"), winrmsim.Options{ScriptValidator: v.ScriptError}, nil)
			c := newTestClient(t, Config{Auth: AuthNTLM})
			var stdin []byte
			if tt.stdin != "" {
				stdin = []byte(tt.stdin)
			}
			res, err := c.Run(context.Background(), ep, tt.command, stdin)
			if err != nil {
				t.Fatal(err)
			}
			stderr := clixmlText(res.Stderr)
			if res.ExitCode != tt.wantExit || string(res.Stdout) != tt.wantStdout {
				t.Errorf("exit %d, stdout %q; want %d, %q (stderr %s)", res.ExitCode, res.Stdout, tt.wantExit, tt.wantStdout, stderr)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if tt.wantStderr == nil && len(res.Stderr) != 0 {
				t.Errorf("stderr %s", stderr)
			}
		})
	}
}

// clixmlText is the text of the error records of a CLIXML stderr, whole.
func clixmlText(b []byte) string {
	var parts []string
	for _, m := range clixmlString.FindAllStringSubmatch(string(b), -1) {
		parts = append(parts, html.UnescapeString(m[1]))
	}
	return strings.ReplaceAll(strings.Join(parts, ""), "_x000D__x000A_", "\r\n")
}

// encodedCommand is powershell.exe with program as -EncodedCommand (UTF-16LE, base64).
func encodedCommand(program string) string {
	u := utf16.Encode([]rune(program))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return "powershell.exe -NoProfile -NonInteractive -EncodedCommand " + base64.StdEncoding.EncodeToString(b)
}
