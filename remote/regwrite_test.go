package remote

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/facts"
)

const testDSPKey = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`

// The writer program in each form (dry run, apply, rollback with expected states) parses as
// PowerShell, when the tree-sitter PowerShell grammar is installed at /tmp/tsp (else skipped),
// and avoids what PowerShell 2.0 lacks.
func TestWriterScriptParses(t *testing.T) {
	forms := []struct {
		name   string
		writes []facts.RegWrite
		apply  bool
	}{
		{"dry run", []facts.RegWrite{{Op: facts.OpOr, Key: testDSPKey, Name: "DefaultSecureProtocols", Data: "2560"}}, false},
		{"apply", []facts.RegWrite{{Op: facts.OpOr, Key: testDSPKey, Name: "DefaultSecureProtocols", Data: "2560", Expect: []string{"absent"}}}, true},
		{"rollback", []facts.RegWrite{
			{Op: facts.OpDelete, Key: testDSPKey, Name: "DefaultSecureProtocols", Data: "key", Expect: []string{"REG_DWORD:2560", "absent"}},
			{Op: facts.OpString, Key: testDSPKey, Name: "DefaultSecureProtocols", Data: "x", Expect: []string{"REG_DWORD:2560"}},
		}, true},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			s, err := WriterScript(f.writes, f.apply)
			if err != nil {
				t.Fatal(err)
			}
			for _, banned := range []string{"[ordered]", "[pscustomobject]", " -in ", "-notin", ".ForEach(", ".Where(", "ConvertTo-Json", "Get-CimInstance", "::new(", "-shl", "-shr", "Get-ItemPropertyValue", " -Raw", "OpenBaseKey", "RegistryView", "ffffffffL"} {
				if strings.Contains(s, banned) {
					t.Errorf("uses %q, which PowerShell 2.0 lacks or parses wrongly", banned)
				}
			}
			for n, line := range strings.Split(s, "\n") {
				if i := strings.Index(line, "# "); i > 0 && strings.Contains(line[i:], "}") {
					t.Errorf("line %d: a comment swallows a closing brace: %q", n+1, line)
				}
			}
			// The writer checks the allowlist itself, and refuses a redirected (32-bit) registry view.
			for _, w := range facts.Writable() {
				if !strings.Contains(s, "'"+w+"'") {
					t.Errorf("the writer's $allowed lacks %s", w)
				}
			}
			for _, want := range []string{"-not ($allowed -contains ($key + '\\' + $name))", "$redirected = [bool]$env:PROCESSOR_ARCHITEW6432", "$expect -ccontains $tok"} {
				if !strings.Contains(s, want) {
					t.Errorf("the writer lacks %q", want)
				}
			}
			if strings.Contains(s, "$data -eq 'key'") && strings.Count(s, "$data -eq 'key'") != 1 {
				t.Error("the writer deletes keys outside the delete operation")
			}
			grammarCheck(t, s)
		})
	}
	if _, err := WriterScript(nil, true); err == nil {
		t.Error("a writer without writes (an empty here-string) was made")
	}
	if _, err := WriterScript([]facts.RegWrite{{Op: facts.OpDWORD, Key: `HKLM\SYSTEM\CurrentControlSet\Services\WinRM`, Name: "Start", Data: "4"}}, true); err == nil {
		t.Error("a writer for WinRM\\Start was made")
	}
}

// grammarCheck parses s with the tree-sitter PowerShell grammar at /tmp/tsp, when installed.
func grammarCheck(t *testing.T, s string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if _, serr := os.Stat("/tmp/tsp/t.js"); err != nil || serr != nil {
		t.Skip("no PowerShell grammar at /tmp/tsp")
	}
	p := filepath.Join(t.TempDir(), "w.ps1")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, "/tmp/tsp/t.js", p).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "hasError false") {
		t.Errorf("does not parse as PowerShell: %v\n%s", err, out)
	}
}
