package winrmsim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// The example of the issue, verbatim apart from the choices written as "a|b".
const issueExample = `{"name": "PC-01", "os": {"caption": "Microsoft Windows 7 Enterprise", "version": "6.1.7601", "servicePack": 1, "productType": "workstation", "arch": "64-bit"}, "files": {"C:\\Windows\\System32\\webio.dll": "6.1.7601.23375 (win7sp1_ldr.160303-0600)"}, "registry": {"HKLM\\SOFTWARE\\...\\WinHttp": {"DefaultSecureProtocols": {"type": "REG_DWORD", "data": 2560}}}, "fault": ""}`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadProfile_IssueExample(t *testing.T) {
	path := writeFile(t, t.TempDir(), "pc-01.json", issueExample)
	p, err := LoadProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "PC-01" || p.OS.Version != "6.1.7601" || p.OS.ServicePack != 1 || p.OS.ProductType != "workstation" || p.OS.Arch != "64-bit" {
		t.Errorf("profile %+v", p)
	}
	v := p.Registry[`HKLM\SOFTWARE\...\WinHttp`]["DefaultSecureProtocols"]
	if v.Type != "REG_DWORD" || string(v.Data) != "2560" {
		t.Errorf("value %+v", v)
	}
	if p.Files[`C:\Windows\System32\webio.dll`] != "6.1.7601.23375 (win7sp1_ldr.160303-0600)" {
		t.Errorf("files %v", p.Files)
	}
}

func TestLoadProfile_Accepts(t *testing.T) {
	for _, tt := range []struct{ name, registry string }{
		{"LongForms", `{"HKEY_LOCAL_MACHINE\\SOFTWARE\\X": {"A": {"type": "REG_SZ", "data": "a"}}, "HKEY_USERS\\S-1-5-18\\Y": {}}`},
		{"DefaultValue", `{"HKLM\\SOFTWARE\\X": {"(default)": {"type": "REG_SZ", "data": "C:\\x.exe"}}}`},
		{"EmptyNameDefault", `{"HKLM\\SOFTWARE\\X": {"": {"type": "REG_EXPAND_SZ", "data": "%SystemRoot%\\x.exe"}}}`},
		{"QWORDMax", `{"HKLM\\SOFTWARE\\X": {"Q": {"type": "REG_QWORD", "data": 18446744073709551615}}}`},
		{"DWORDMax", `{"HKLM\\SOFTWARE\\X": {"D": {"type": "REG_DWORD", "data": 4294967295}}}`},
		{"MultiSZ", `{"HKLM\\SOFTWARE\\X": {"M": {"type": "REG_MULTI_SZ", "data": ["a", "b"]}}}`},
		{"Binary", `{"HKLM\\SOFTWARE\\X": {"B": {"type": "REG_BINARY", "data": "00FFa0"}}}`},
		{"NoneWithoutData", `{"HKLM\\SOFTWARE\\X": {"N": {"type": "REG_NONE"}}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			js := strings.Replace(win10, `"registry": {}`, `"registry": `+tt.registry, 1)
			if _, err := decodeProfile("x.json", []byte(js)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLoadProfile_Rejects(t *testing.T) {
	reg := func(r string) string { return strings.Replace(win10, `"registry": {}`, `"registry": `+r, 1) }
	val := func(v string) string { return reg(`{"HKLM\\SOFTWARE\\X": {"V": ` + v + `}}`) }
	for _, tt := range []struct{ name, json, cause string }{
		{"UnknownField", strings.Replace(win10, `"fault": ""`, `"fault": "", "domain": "corp"`, 1), `unknown field "domain"`},
		{"UnknownOSField", strings.Replace(win10, `"arch": "64-bit"`, `"arch": "64-bit", "build": 1`, 1), `unknown field "build"`},
		{"UnknownValueField", val(`{"type": "REG_DWORD", "data": 1, "kind": "x"}`), `unknown field "kind"`},
		{"TextAfterObject", win10 + ` {}`, "text after the JSON object"},
		{"EmptyName", strings.Replace(win10, `"PC-W10-01"`, `""`, 1), "name is empty"},
		{"NameWithSpace", strings.Replace(win10, `"PC-W10-01"`, `"PC 01"`, 1), "no spaces"},
		{"ProductType", strings.Replace(win10, `"workstation"`, `"desktop"`, 1), "os.productType"},
		{"Arch", strings.Replace(win10, `"64-bit"`, `"x64"`, 1), "os.arch"},
		{"Version", strings.Replace(win10, `"10.0.19045"`, `"Windows 10"`, 1), "os.version"},
		{"ServicePack", strings.Replace(win10, `"servicePack": 0`, `"servicePack": 12`, 1), "os.servicePack"},
		{"Fault", strings.Replace(win10, `"fault": ""`, `"fault": "crash"`, 1), `fault "crash"`},
		{"UnknownType", val(`{"type": "REG_FOO", "data": 1}`), `type "REG_FOO"`},
		{"DWORDNegative", val(`{"type": "REG_DWORD", "data": -1}`), "0..4294967295"},
		{"DWORDTooBig", val(`{"type": "REG_DWORD", "data": 4294967296}`), "0..4294967295"},
		{"DWORDFraction", val(`{"type": "REG_DWORD", "data": 1.5}`), "0..4294967295"},
		{"DWORDString", val(`{"type": "REG_DWORD", "data": "2560"}`), "0..4294967295"},
		{"QWORDTooBig", val(`{"type": "REG_QWORD", "data": 18446744073709551616}`), "0..18446744073709551615"},
		{"SZNumber", val(`{"type": "REG_SZ", "data": 5}`), "want a string"},
		{"MultiSZString", val(`{"type": "REG_MULTI_SZ", "data": "a"}`), "array of strings"},
		{"BinaryOdd", val(`{"type": "REG_BINARY", "data": "abc"}`), "hex string"},
		{"BinaryNotHex", val(`{"type": "REG_BINARY", "data": "zz"}`), "hex string"},
		{"MissingData", val(`{"type": "REG_SZ"}`), "without data"},
		{"KeyRoot", reg(`{"HKCU\\Software\\X": {}}`), `HKLM\ or HKU\`},
		{"KeyEmptyPart", reg(`{"HKLM\\SOFTWARE\\\\X": {}}`), "empty key name"},
		{"DuplicateKey", reg(`{"HKLM\\SOFTWARE\\X": {}, "hkey_local_machine\\software\\x": {}}`), "listed twice"},
		{"DuplicateDefault", reg(`{"HKLM\\SOFTWARE\\X": {"": {"type": "REG_SZ", "data": "a"}, "(default)": {"type": "REG_SZ", "data": "b"}}}`), "listed twice"},
		{"RelativeFile", strings.Replace(win10, `"files": {}`, `"files": {"webio.dll": "6.1.7601.1"}`, 1), "full path"},
		{"NotJSON", `{"name": "PC-1",`, "unexpected EOF"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "host.json", tt.json)
			_, err := LoadProfile(path)
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.cause) {
				t.Errorf("error %q: want the file %s and %q", err, path, tt.cause)
			}
		})
	}
}

func TestLoadFleet(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.json", win7)
	writeFile(t, dir, "a.json", win10)
	writeFile(t, dir, "notes.txt", "not a profile")
	ps, err := LoadFleet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Name != "PC-W10-01" || ps[1].Name != "PC-W7-01" {
		t.Errorf("fleet %v", ps)
	}

	writeFile(t, dir, "c.json", strings.Replace(win10, `"PC-W10-01"`, `"pc-w7-01"`, 1))
	if _, err := LoadFleet(dir); err == nil || !strings.Contains(err.Error(), "already used by") {
		t.Errorf("duplicate names: %v", err)
	}
	if _, err := LoadFleet(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.json") {
		t.Errorf("empty directory: %v", err)
	}

	fsys := fstest.MapFS{"x.json": {Data: []byte(win7)}, "bad.json": {Data: []byte(`{"name": 1}`)}}
	if _, err := LoadFleetFS(fsys, "built-in fleet"); err == nil || !strings.Contains(err.Error(), "built-in fleet/bad.json") {
		t.Errorf("LoadFleetFS error should name the file: %v", err)
	}
	delete(fsys, "bad.json")
	if ps, err := LoadFleetFS(fsys, "built-in fleet"); err != nil || len(ps) != 1 {
		t.Errorf("LoadFleetFS: %v %v", ps, err)
	}
}

func TestProfileHealthy(t *testing.T) {
	no, yes := false, true
	for _, tt := range []struct {
		name string
		edit func(*Profile)
		want bool
	}{
		{"default host", func(*Profile) {}, true},
		{"remote shells allowed explicitly", func(p *Profile) { p.RemoteShellAccess = &yes }, true},
		{"full language named", func(p *Profile) { p.LanguageMode = LanguageFull }, true},
		{"a fault", func(p *Profile) { p.Fault = FaultRefuse }, false},
		{"Constrained Language Mode", func(p *Profile) { p.LanguageMode = LanguageConstrained }, false},
		{"remote shells disabled", func(p *Profile) { p.RemoteShellAccess = &no }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := Profile{Name: "PC-1"}
			tt.edit(&p)
			if got := p.Healthy(); got != tt.want {
				t.Errorf("Healthy() = %t, want %t", got, tt.want)
			}
		})
	}
}
