package winrmsim

import (
	"context"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remote"
)

// oldBootstrap is the collector bootstrap before it checked the language mode: its first .NET
// call fails in Constrained Language Mode.
const oldBootstrap = `$ProgressPreference='SilentlyContinue';$s=@($input) -join [char]10;` +
	`if(-not $s){[Console]::Error.WriteLine('tlsready: no program on stdin');exit 2};` +
	`&([ScriptBlock]::Create($s))|Out-Null`

const clmError = "Method invocation is supported only on core types in this language mode."

// PowerShell on a host with languageMode ConstrainedLanguage: remote's bootstrap sees the mode
// and ends with its exit code and line; a program that invokes .NET methods gets PowerShell's
// error record and exit code 1; plain commands still run. In FullLanguage the collector runs.
func TestConstrainedLanguage(t *testing.T) {
	script := collectorScript(t, checks.Items()) // the simulator's stand-in: no .NET call of its own
	real, err := remote.CollectorScript(checks.Items())
	if err != nil {
		t.Fatal(err)
	}
	enc := func(s string) string {
		return "powershell.exe -NoProfile -NonInteractive -EncodedCommand " + encodeCommand(s)
	}
	for _, tt := range []struct {
		name, mode, command, stdin string
		wantExit                   int
		stdout                     string // exact, unless facts
		facts                      bool   // stdout must be the collector's facts
		stderrHas                  []string
	}{
		{name: "Bootstrap", mode: LanguageConstrained, command: remote.CollectorCommand(), stdin: script,
			wantExit: remote.ExitLanguageMode, stdout: remote.LanguageModeMarker + "ConstrainedLanguage\r\n"},
		{name: "BootstrapFullLanguage", mode: LanguageFull, command: remote.CollectorCommand(), stdin: script, facts: true},
		{name: "BootstrapNoMode", mode: "", command: remote.CollectorCommand(), stdin: script, facts: true},
		{name: "OldBootstrap", mode: LanguageConstrained, command: enc(oldBootstrap), stdin: real, wantExit: 1,
			stderrHas: []string{"#< CLIXML", clmError, "MethodInvocationNotSupportedInConstrainedLanguage"}},
		{name: "OldBootstrapStandIn", mode: LanguageConstrained, command: enc(oldBootstrap), stdin: script, wantExit: 1,
			stderrHas: []string{clmError, "+ " + registryCall}},
		{name: "RealCollectorFullLanguage", mode: LanguageFull, command: remote.CollectorCommand(), stdin: real, facts: true},
		{name: "OldBootstrapFullLanguage", mode: "", command: enc(oldBootstrap), stdin: script, facts: true},
		{name: "CollectorOnStdin", mode: LanguageConstrained, command: "powershell.exe -NoProfile -", stdin: real, wantExit: 1,
			stderrHas: []string{clmError, "+ CategoryInfo          : InvalidOperation: (:) [], RuntimeException"}},
		{name: "ConsoleCallInCommand", mode: LanguageConstrained, command: `powershell.exe -Command "[Console]::Out.WriteLine('x')"`, wantExit: 1,
			stderrHas: []string{clmError + "\r\nAt line:1 char:1\r\n+ [Console]::Out.WriteLine('x')\r\n+ ~~~~~~~~~~~~~~~~~~~~~~~~"}},
		{name: "CoreTypeCallAllowed", mode: LanguageConstrained, command: `powershell.exe -Command "$s=[string]::Join('-','a');echo ok"`,
			stdout: "ok\r\n"},
		{name: "PlainCommand", mode: LanguageConstrained, command: `powershell.exe -Command "echo hello; exit 7"`, wantExit: 7, stdout: "hello\r\n"},
		{name: "ModeCheckEq", mode: LanguageConstrained,
			command:  enc(`if($ExecutionContext.SessionState.LanguageMode -eq 'constrainedlanguage'){"mode $($ExecutionContext.SessionState.LanguageMode)";exit 9};exit 0`),
			wantExit: 9, stdout: "mode ConstrainedLanguage\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := mustProfile(t, win7)
			p.LanguageMode = tt.mode
			h := startHost(t, p, Options{})
			var stdin []byte
			if tt.stdin != "" {
				stdin = []byte(tt.stdin)
			}
			out, errOut, code := newClient(t, h).run(nil, stdin, tt.command)
			if code != tt.wantExit {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantExit, errOut)
			}
			if tt.facts {
				if f, err := facts.ParseOutput([]byte(out)); err != nil || f.ComputerName != p.Name {
					t.Errorf("collector output: %v\n%s", err, out)
				}
			} else if out != tt.stdout {
				t.Errorf("stdout %q, want %q", out, tt.stdout)
			}
			// The CLIXML error record carries the text with _x000D__x000A_ line ends.
			plain := strings.ReplaceAll(errOut, "_x000D__x000A_", "\r\n")
			for _, s := range tt.stderrHas {
				if !strings.Contains(plain, s) {
					t.Errorf("stderr %q lacks %q", errOut, s)
				}
			}
			if len(tt.stderrHas) == 0 && errOut != "" {
				t.Errorf("stderr %q", errOut)
			}
		})
	}
}

// The real client maps the bootstrap's answer to a collector error that names Constrained
// Language Mode and what to do.
// Both programs the client runs through the bootstrap, the collector and the fix writer, end
// with the Constrained Language Mode error, not a bare exit code.
func TestConstrainedLanguageWithTheClient(t *testing.T) {
	p := mustProfile(t, win7)
	p.LanguageMode = LanguageConstrained
	h := startHost(t, p, Options{})
	ep, err := remote.ParseEndpoint(h.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c := realClient(t, nil)
	for _, tt := range []struct {
		name string
		run  func() error
	}{
		{"collector", func() error { _, err := c.Collect(context.Background(), ep, clientItems); return err }},
		{"fix writer", func() error {
			w := facts.RegWrite{Op: facts.OpOr, Key: dspKey, Name: "DefaultSecureProtocols", Data: "2560"}
			_, err := c.WriteRegistry(context.Background(), ep, []facts.RegWrite{w}, true)
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil {
				t.Fatal("succeeded in Constrained Language Mode")
			}
			if c := remote.CategoryOf(err); c != remote.CategoryCollector {
				t.Errorf("category %s, want collector", c)
			}
			for _, s := range []string{"host " + h.Addr(), "Constrained Language Mode", "AppLocker or WDAC", "check this host another way"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
	if h.OpenShells() != 0 {
		t.Errorf("%d shells left open", h.OpenShells())
	}
}

func TestLanguageModeValidation(t *testing.T) {
	p := mustProfile(t, win7)
	p.LanguageMode = "Constrained"
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "languageMode") {
		t.Errorf("err = %v, want a languageMode error", err)
	}
}
