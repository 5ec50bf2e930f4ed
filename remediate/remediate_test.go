package remediate

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/golden"
	"github.com/tlsready/tlsready/scan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func demoPlan(t *testing.T, protocols uint32) Plan {
	t.Helper()
	rs, _, err := scan.ReadResultsFiles("../testdata/results/demo.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return Build(rs, protocols)
}

var changed = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func TestGolden(t *testing.T) {
	p := demoPlan(t, DefaultDSP)
	for name, b := range map[string][]byte{
		"TLS12-x64.reg": p.RegFile(64), "TLS12-x86.reg": p.RegFile(32), "Registry.xml": p.RegistryXML(changed),
		"Set-TLS12.ps1": p.Script(), "README.en.txt": p.ReadMe("en"), "README.ja.txt": p.ReadMe("ja"),
		"hosts-need-KB3140245.csv": HostsCSV(p.KB), "hosts-must-migrate.csv": HostsCSV(p.Migrate), "hosts-registry-only.csv": HostsCSV(p.RegistryOnly),
	} {
		t.Run(name, func(t *testing.T) {
			golden.Check(t, filepath.Join("testdata", "golden", name), b, *update, "go test ./remediate -update")
		})
	}
}

// The demo fleet: 3 hosts miss KB3140245, 3 run an unsupported OS, the 8 other action hosts need
// registry values only, 4 could not be checked; each value comes with the findings that call for it.
func TestBuildFromFindings(t *testing.T) {
	p := demoPlan(t, DefaultDSP)
	if len(p.KB) != 3 || len(p.Migrate) != 3 || len(p.RegistryOnly) != 8 || p.Unknown != 4 {
		t.Fatalf("KB %d, migrate %d, registry only %d, unknown %d; want 3, 3, 8, 4", len(p.KB), len(p.Migrate), len(p.RegistryOnly), p.Unknown)
	}
	names := func(hs []Host) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.Name)
		}
		return out
	}
	if got := names(p.KB); !slices.Equal(got, []string{"PC-W7-010", "PC-W7-011", "SRV-2012-01"}) {
		t.Errorf("KB hosts %v", got)
	}
	for _, h := range p.RegistryOnly {
		if len(h.Values) == 0 || len(h.Findings) == 0 {
			t.Errorf("%s: on the registry list with no values or findings", h.Name)
		}
	}
	var paths []string
	for _, v := range p.Values {
		paths = append(paths, v.Key+`\`+v.Name)
		if len(v.Because) == 0 {
			t.Errorf("%s: no finding calls for it", v.Path())
		}
	}
	want := []string{KeyWinHTTP + `\DefaultSecureProtocols`, KeyWinHTTPWow64 + `\DefaultSecureProtocols`,
		KeySchannel + `\Enabled`, KeySchannel + `\DisabledByDefault`, KeyWinINetPolicy + `\SecureProtocols`}
	if !slices.Equal(paths, want) {
		t.Errorf("values %v, want %v", paths, want)
	}

	// A fleet whose only problem is DefaultSecureProtocols gets no SCHANNEL or WinINet value.
	only := []scan.Result{{Host: "A", Verdict: checks.Action, Findings: []checks.Finding{{ID: checks.IDDSPDefaultNoTLS12, Severity: checks.SeverityAction}}}}
	q := Build(only, TLS12)
	if len(q.Values) != 1 || q.Values[0].Data != TLS12 || q.Values[0].Key != KeyWinHTTP {
		t.Errorf("DSP-only fleet (host bitness unknown): %+v", q.Values)
	}
	if got := Build(nil, DefaultDSP); len(got.Values) != 0 || len(got.KB)+len(got.Migrate)+len(got.RegistryOnly) != 0 {
		t.Errorf("empty fleet: %+v", got)
	}
}

// regValue is one value read back from a .reg file.
type regValue struct {
	key, name string
	data      uint32
}

// parseReg reads a regedit export: UTF-16LE with BOM, a version line, [key] sections and
// "name"=dword:xxxxxxxx lines. Anything else is an error.
func parseReg(t *testing.T, b []byte) []regValue {
	t.Helper()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE || len(b)%2 != 0 {
		t.Fatal("not UTF-16LE with a byte order mark")
	}
	u := make([]uint16, (len(b)-2)/2)
	for i := range u {
		u[i] = uint16(b[2+2*i]) | uint16(b[3+2*i])<<8
	}
	text := string(utf16.Decode(u))
	lines := strings.Split(text, "\r\n")
	if lines[0] != "Windows Registry Editor Version 5.00" {
		t.Fatalf("first line %q", lines[0])
	}
	keyRE := regexp.MustCompile(`^\[HKEY_LOCAL_MACHINE\\([^\]]+)\]$`)
	valRE := regexp.MustCompile(`^"([^"]+)"=dword:([0-9a-f]{8})$`)
	var out []regValue
	key := ""
	for i, l := range lines[1:] {
		switch {
		case l == "":
		case keyRE.MatchString(l):
			key = keyRE.FindStringSubmatch(l)[1]
		case valRE.MatchString(l) && key != "":
			m := valRE.FindStringSubmatch(l)
			var d uint32
			fmt.Sscanf(m[2], "%x", &d)
			out = append(out, regValue{key, m[1], d})
		default:
			t.Fatalf("line %d: %q is not a key or a dword value", i+2, l)
		}
	}
	return out
}

func TestRegFilesParseBack(t *testing.T) {
	for _, protocols := range []uint32{TLS12, TLS11And12, TLS10To12} {
		p := demoPlan(t, protocols)
		for _, bits := range []int{64, 32} {
			got := parseReg(t, p.RegFile(bits))
			var want []regValue
			for _, v := range p.Values {
				if !v.Only64 || bits == 64 {
					want = append(want, regValue{v.Key, v.Name, v.Data})
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("0x%x, %d-bit: read back %v, want %v", protocols, bits, got, want)
			}
			hasWow := slices.ContainsFunc(got, func(v regValue) bool { return strings.Contains(v.key, "Wow6432Node") })
			if hasWow != (bits == 64) {
				t.Errorf("%d-bit .reg: Wow6432Node key present %t", bits, hasWow)
			}
			dsp := slices.IndexFunc(got, func(v regValue) bool { return v.key == KeyWinHTTP && v.name == "DefaultSecureProtocols" })
			if dsp < 0 || got[dsp].data != protocols {
				t.Errorf("%d-bit: DefaultSecureProtocols %v, want 0x%x", bits, got, protocols)
			}
		}
	}
}

// Registry.xml has the structure the Group Policy Management Console writes: RegistrySettings >
// Collection > Registry > Properties, with their class ids, one Update item per value and key,
// a GUID uid each.
func TestRegistryXMLStructure(t *testing.T) {
	p := demoPlan(t, DefaultDSP)
	b := p.RegistryXML(changed)
	var doc gppDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	if !bytes.HasPrefix(b, []byte(`<?xml version="1.0" encoding="utf-8"?>`)) || doc.Clsid != specClsidRegistrySettings || len(doc.Collection) != 1 ||
		doc.Collection[0].Clsid != gpmcClsidCollection {
		t.Fatalf("root or collection wrong: %+v", doc)
	}
	items := doc.Collection[0].Items
	if len(items) != len(p.Values) {
		t.Fatalf("%d items, want one per value (%d)", len(items), len(p.Values))
	}
	guid := regexp.MustCompile(`^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$`)
	uids := map[string]bool{}
	keys := map[string]bool{}
	for i, it := range items {
		v := p.Values[i]
		if it.Clsid != specClsidRegistry || it.Image != "12" || it.Name != v.Name || it.Changed != "2026-11-26 09:00:00" || !guid.MatchString(it.UID) || uids[it.UID] {
			t.Errorf("item %d: %+v", i, it)
		}
		uids[it.UID] = true
		if len(it.Props) != 1 {
			t.Fatalf("item %d: %d Properties", i, len(it.Props))
		}
		pr := it.Props[0]
		if pr.Action != "U" || pr.Hive != "HKEY_LOCAL_MACHINE" || pr.Type != "REG_DWORD" || pr.Key != v.Key || pr.Name != v.Name || pr.Value != fmt.Sprintf("%08x", v.Data) {
			t.Errorf("item %d properties %+v, want %+v", i, pr, v)
		}
		keys[pr.Key+`\`+pr.Name] = true
	}
	if !keys[KeyWinHTTP+`\DefaultSecureProtocols`] || !keys[KeyWinHTTPWow64+`\DefaultSecureProtocols`] {
		t.Errorf("both WinHttp keys must have an item (Q6, Q7): %v", keys)
	}
	if again := p.RegistryXML(changed); !bytes.Equal(again, b) {
		t.Error("the same plan gives another Registry.xml (uids must be stable)")
	}
}

func TestScriptAndListsAndKit(t *testing.T) {
	p := demoPlan(t, DefaultDSP)
	s := string(p.Script())
	for _, want := range []string{"SupportsShouldProcess = $true", "$PSCmdlet.ShouldProcess", "PROCESSOR_ARCHITEW6432",
		"if ($is64) { Set-TlsDword -Key '" + KeyWinHTTPWow64 + "'", "Set-TlsDword -Key '" + KeyWinHTTP + "' -Name 'DefaultSecureProtocols' -Data 2560 -AddBits\r\n",
		"-Name 'Enabled' -Data 1\r\n", "-Name 'SecureProtocols' -Data 2688 -AddBits\r\n", "powershell -ExecutionPolicy Bypass -File Set-TLS12.ps1"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	for n, line := range strings.Split(s, "\r\n") {
		if i := strings.Index(line, "#"); i > 0 && strings.Contains(line[i:], "}") {
			t.Errorf("line %d: a comment swallows a closing brace: %q", n+1, line)
		}
	}
	grammarCheck(t, s)
	// Every variant parses: another protocol set, the Windows 7 SCHANNEL values.
	rs, _, err := scan.ReadResultsFiles("../testdata/results/demo.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{Protocols: TLS12}, {Protocols: TLS10To12, Win7Schannel: true}} {
		grammarCheck(t, string(BuildWith(rs, o).Script()))
	}
	for _, banned := range []string{"wusa", "Install-", "Start-Process", "Invoke-Expression", "DownloadFile", "ffffffffL", "[ordered]", "[pscustomobject]", "::new(", "-shl", "-shr", "Get-ItemPropertyValue", "RegistryView", "OpenBaseKey"} {
		if strings.Contains(s, banned) {
			t.Errorf("script contains %q: it must only set registry values", banned)
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(HostsCSV(p.KB), []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][0] != "name" || rows[1][4] == "" {
		t.Errorf("KB list: %v %v", rows, err)
	}
	dir := t.TempDir()
	written, err := Write(dir, p, "ja", changed)
	if err != nil || len(written) != 8 {
		t.Fatalf("Write: %v %v", written, err)
	}
	readme, _ := os.ReadFile(filepath.Join(dir, FileReadMe))
	for _, want := range []string{"KB3140245 の適用が必要なホスト: 3 台", "Q9", "Q10", "Q11", "Q15", "gpupdate /force", "[更新]",
		"reg import TLS12-x64.reg /reg:64", "powershell -ExecutionPolicy Bypass -File Set-TLS12.ps1", "SYSVOL", "再起動",
		FileKB + " と " + FileRegOnly + " のホストだけ", "既存の値を置き換えます", "--win7-schannel"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("Japanese README lacks %q", want)
		}
	}
	for _, tc := range []struct {
		win7 bool
		want string
	}{{false, "\"tlsready remediate\r\n  --win7-schannel\""}, {true, "is included for\r\n  the Windows 7"}} {
		q := p
		q.Win7Schannel = tc.win7
		en := string(q.ReadMe("en"))
		for _, want := range []string{tc.want, "reg import TLS12-x64.reg /reg:64", "powershell -ExecutionPolicy Bypass -File Set-TLS12.ps1",
			"Computer Configuration > Preferences > Windows Settings >\r\n               Registry", "Do not copy Registry.xml into the GPO's\r\n               folder in SYSVOL",
			"Only the hosts in " + FileKB + " and " + FileRegOnly, "they replace what is there", "Restart each host after the change"} {
			if !strings.Contains(en, want) {
				t.Errorf("English README (win7 %v) lacks %q", tc.win7, want)
			}
		}
	}
	empty := t.TempDir()
	if written, err := Write(empty, Build(nil, DefaultDSP), "en", changed); err != nil || slices.Contains(written, FileReg64) {
		t.Errorf("a fleet that needs nothing got %v (%v)", written, err)
	}
}

// grammarCheck parses s with the tree-sitter PowerShell grammar at /tmp/tsp, when it is installed.
func grammarCheck(t *testing.T, s string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if _, serr := os.Stat("/tmp/tsp/t.js"); err != nil || serr != nil {
		t.Log("no PowerShell grammar at /tmp/tsp: not parsed")
		return
	}
	p := filepath.Join(t.TempDir(), "s.ps1")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, "/tmp/tsp/t.js", p).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "hasError false") {
		t.Errorf("does not parse as PowerShell: %v\n%s", err, out)
	}
}

// Values go only to the registry views and SCHANNEL values the findings name; SCHANNEL
// DisabledByDefault on Windows 7 only with Win7Schannel.
func TestHostValues(t *testing.T) {
	const (
		native = KeyWinHTTP + `\DefaultSecureProtocols`
		wow    = KeyWinHTTPWow64 + `\DefaultSecureProtocols`
		en     = KeySchannel + `\Enabled`
		dbd    = KeySchannel + `\DisabledByDefault`
	)
	x64 := &facts.Facts{OS: facts.OS{Architecture: "64-bit"}}
	withSch := func(enabled facts.State) *facts.Facts {
		f := *x64
		f.Values = []facts.Value{{ItemID: checks.ItemSchEnabled, State: enabled, Type: facts.RegDWORD, Data: "1"}, {ItemID: checks.ItemSchDisabledDef, State: facts.StateNoValue}}
		if enabled != facts.StateOK {
			f.Values[0].Type, f.Values[0].Data = "", ""
		}
		return &f
	}
	dspFinding := func(keys ...string) checks.Finding {
		f := checks.Finding{ID: checks.IDDSPDefaultNoTLS12, Severity: checks.SeverityAction}
		for _, k := range keys {
			f.Evidence = append(f.Evidence, checks.Evidence{Key: k, Name: "DefaultSecureProtocols", Value: "(absent)"})
		}
		return f
	}
	dbdAbsent := checks.Finding{ID: checks.IDSchannelDisabledByDefault, Severity: checks.SeverityWarning, Evidence: []checks.Evidence{{Key: checks.KeySchannel12, Name: "DisabledByDefault", Value: "(absent)"}}}
	tests := []struct {
		name     string
		facts    *facts.Facts
		findings []checks.Finding
		win7     bool
		want     []string
	}{
		{"0xA80 native, Wow6432Node missing: only Wow6432Node", x64, []checks.Finding{dspFinding(checks.KeyWinHTTP32)}, false, []string{wow}},
		{"native missing only", x64, []checks.Finding{dspFinding(checks.KeyWinHTTP64)}, false, []string{native}},
		{"both views", x64, []checks.Finding{dspFinding(checks.KeyWinHTTP64, checks.KeyWinHTTP32)}, false, []string{native, wow}},
		{"no evidence: every view of a 64-bit host", x64, []checks.Finding{dspFinding()}, false, []string{native, wow}},
		{"KB3140245 missing but DSP fine: no DSP value", x64, []checks.Finding{{ID: checks.IDKBMissing, Severity: checks.SeverityAction}}, false, nil},
		{"SCHANNEL_NOT_DWORD names DisabledByDefault only", x64, []checks.Finding{{ID: checks.IDSchannelNotDWORD, Evidence: []checks.Evidence{{Key: checks.KeySchannel12, Name: "DisabledByDefault", Type: "REG_SZ"}}}}, false, []string{dbd}},
		{"SCHANNEL_TLS12_DISABLED sets both", x64, []checks.Finding{{ID: checks.IDSchannelDisabled, Evidence: []checks.Evidence{{Key: checks.KeySchannel12, Name: "Enabled"}}}}, false, []string{en, dbd}},
		{"Windows 7 DisabledByDefault absent, no opt-in: nothing", withSch(facts.StateNoValue), []checks.Finding{dbdAbsent}, false, nil},
		{"--win7-schannel, Enabled absent too: both", withSch(facts.StateNoValue), []checks.Finding{dbdAbsent}, true, []string{en, dbd}},
		{"--win7-schannel, Enabled present: DisabledByDefault only", withSch(facts.StateOK), []checks.Finding{dbdAbsent}, true, []string{dbd}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := scan.Result{Host: "H", Verdict: checks.Action, Findings: tc.findings, Facts: tc.facts, End: changed}
			p := BuildWith([]scan.Result{r}, Options{Protocols: DefaultDSP, Win7Schannel: tc.win7})
			var got []string
			for _, v := range p.Values {
				got = append(got, v.Key+`\`+v.Name)
				if wantOr := v.Name != "Enabled" && v.Name != "DisabledByDefault"; v.OrIn != wantOr {
					t.Errorf("%s: OrIn %v", v.Name, v.OrIn)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("values %v, want %v", got, tc.want)
			}
		})
	}
}
