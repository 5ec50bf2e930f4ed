package remote

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
)

// sampleFacts is what a Windows 7 SP1 host could report.
func sampleFacts() *facts.Facts {
	return &facts.Facts{
		ComputerName: "PC-W7-003",
		OS:           facts.OS{Caption: "Microsoft Windows 7 Enterprise ", Version: "6.1.7601", ServicePack: 1, ProductType: 1, Architecture: "64 ビット"},
		ProcessBits:  64, ProcessorArch: "AMD64",
		PSVersion: "2.0",
		UserHives: []string{".DEFAULT", "S-1-5-18", "S-1-5-21-1-2-3-1001"},
		Values: []facts.Value{
			{ItemID: checks.ItemDSP64, Key: checks.KeyWinHTTP64, Name: "DefaultSecureProtocols", State: facts.StateOK, Type: facts.RegDWORD, Data: "2560"},
			{ItemID: checks.ItemDSP32, Key: checks.KeyWinHTTP32, Name: "DefaultSecureProtocols", State: facts.StateNoValue},
			{ItemID: checks.ItemInetUser, Key: `HKU\S-1-5-21-1-2-3-1001\Software\Microsoft\Windows\CurrentVersion\Internet Settings`, Name: "SecureProtocols", State: facts.StateOK, Type: facts.RegDWORD, Data: "4294967295"},
		},
		Files: []facts.File{
			{ItemID: checks.ItemWebio, Path: `C:\Windows\System32\webio.dll`, State: facts.StateOK, Version: "6.1.7601.23375", VersionString: "6.1.7601.23375 (win7sp1_ldr.160303-0600)"},
			{ItemID: checks.ItemOutlook32, State: facts.StateNoKey},
		},
	}
}

// The collector only reads, and uses nothing that PowerShell 2.0 (Windows 7 SP1) lacks.
func TestCollectorScriptIsReadOnlyAndPS2(t *testing.T) {
	// The collector with the probe's items, as scan --probe sends it: all of it is checked.
	want := append(checks.Items(), checks.ProbeItems("outlook.office365.com:443", 10000)...)
	script, err := CollectorScript(want)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []struct{ pattern, why string }{
		{`(?i)\b(Set|New|Remove|Clear|Rename|Move|Copy|Add|Stop|Start|Restart|Invoke|Export|Import|Register|Enable|Disable|Install|Update)-[A-Z]`, "a cmdlet that changes something"},
		{`(?i)Out-File|Set-Content|Add-Content|Tee-Object`, "writes a file"},
		{`(?i)\.(SetValue|CreateSubKey|DeleteValue|DeleteSubKey|DeleteSubKeyTree|SetAccessControl)\(`, "writes the registry"},
		{`(?i)\[IO\.File\]::(Write|Append|Delete|Move|Copy|Create)`, "writes a file"},
		{`(?i)ConvertTo-Json|ConvertFrom-Json`, "PowerShell 3"},
		{`(?i)\[ordered\]|\[pscustomobject\]`, "PowerShell 3"},
		{`::new\(`, "PowerShell 5"},
		{`(?i)OpenBaseKey|RegistryView`, ".NET 4"},
		{`(?i)Get-CimInstance|CimSession`, "PowerShell 3"},
		{`(?i)\s-(not)?in\s|\s-sh[lr]\s|\$PSItem|\.Where\(|\.ForEach\(`, "PowerShell 3 or later"},
		{`(?i)#requires`, "would refuse to run on some host"},
	}
	for _, f := range forbidden {
		if m := regexp.MustCompile(f.pattern).FindString(script); m != "" {
			t.Errorf("collector uses %q: %s", m, f.why)
		}
	}
	for _, m := range regexp.MustCompile(`OpenSubKey\([^)]*\)`).FindAllString(script, -1) {
		if !strings.HasSuffix(m, ", $false)") {
			t.Errorf("%s: not opened read-only", m)
		}
	}
	for i, r := range script {
		if r > 0x7e || r < 0x20 && r != '\r' && r != '\n' && r != '\t' {
			t.Fatalf("byte %d of the script is %q: the script must be ASCII (stdin's code page is unknown)", i, r)
		}
	}
	if strings.Contains(strings.ReplaceAll(script, "\r\n", ""), "\n") {
		t.Error("script has bare LF line ends")
	}
	if strings.Contains(script, itemsPlaceholder) {
		t.Error("placeholder left in the script")
	}
	items, err := facts.ParseItems(script)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("items read back from the script differ:\n%v\n%v", items, want)
	}
	// Host-controlled or odd text in items stays base64, so the script stays ASCII.
	odd := []facts.Item{{ID: "x", Kind: facts.KindRegistry, Key: `HKLM\SOFTWARE\ソフト'@` + "\n" + `$(evil)`, Name: "値"}}
	s, err := CollectorScript(odd)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := facts.ParseItems(s); err != nil || !reflect.DeepEqual(got, odd) {
		t.Errorf("odd item read back as %v, %v", got, err)
	}
	if _, err := CollectorScript([]facts.Item{{ID: "BAD ID", Kind: facts.KindFile, Path: "x"}}); err == nil {
		t.Error("invalid item accepted")
	}
}

// The command line fits cmd.exe's 8191 characters with a wide margin; the collector itself goes
// over stdin, in envelopes that fit 150 KB.
func TestCollectorCommandLine(t *testing.T) {
	cmd := CollectorCommand()
	if len(cmd) >= MaxCommandLine || len(Bootstrap) >= 1000 {
		t.Errorf("command line of %d characters, bootstrap of %d", len(cmd), len(Bootstrap))
	}
	const prefix = "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
	if !strings.HasPrefix(cmd, prefix) {
		t.Fatalf("command %q", cmd)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(cmd, prefix))
	if err != nil || len(raw)%2 != 0 {
		t.Fatalf("encoded command: %v", err)
	}
	u := make([]uint16, len(raw)/2)
	for i := range u {
		u[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	if got := string(utf16.Decode(u)); got != Bootstrap {
		t.Errorf("encoded command decodes to %q", got)
	}
	if !strings.Contains(Bootstrap, "$input") {
		t.Error("the bootstrap must read its program from $input")
	}
	// The language mode check comes first, and ends with ExitLanguageMode.
	check, _, _ := strings.Cut(Bootstrap, "$ProgressPreference")
	if !strings.HasPrefix(Bootstrap, "$m=\"$($ExecutionContext.SessionState.LanguageMode)\";") ||
		!strings.Contains(check, "exit "+strconv.Itoa(ExitLanguageMode)+"}") || strings.Contains(check, "::") {
		t.Errorf("the bootstrap does not check the language mode first with CLM-safe code: %q", check)
	}
	script, _ := CollectorScript(append(checks.Items(), checks.ProbeItems("outlook.office365.com:443", 10000)...))
	if len(script) > DefaultEnvelopeSize/2 {
		t.Errorf("collector of %d bytes: more than one Send", len(script))
	}
}

func TestCollect(t *testing.T) {
	good := facts.Encode(sampleFacts())
	progress := "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><Obj S=\"progress\" RefId=\"0\"><TN RefId=\"0\"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N=\"SourceId\">1</I64><PR N=\"Record\"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj></Objs>"
	clixmlErr := "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><S S=\"Error\">The term 'Get-WmiObject' is not recognized &amp; so on_x000D__x000A_</S><S S=\"Error\">At line:1 char:1_x000D__x000A_</S></Objs>"
	tests := []struct {
		name     string
		stdout   []byte
		stderr   string
		exitCode int
		wantErr  string // "" for success
		parseErr bool
	}{
		{name: "Good", stdout: good},
		{name: "GoodWithBOMAndProgressOnStderr", stdout: append([]byte("\xef\xbb\xbf"), good...), stderr: progress},
		{name: "ExitCodeWithMessage", exitCode: 3, stderr: "tlsready collector: Invalid class \"Win32_OperatingSystem\"\r\n",
			wantErr: `collect: collector exited with code 3; stderr: tlsready collector: Invalid class "Win32_OperatingSystem"`},
		{name: "CLIXMLError", exitCode: 1, stderr: clixmlErr,
			wantErr: "collector exited with code 1; stderr: The term 'Get-WmiObject' is not recognized & so on At line:1 char:1"},
		{name: "NotFacts", stdout: []byte("hello\r\n"), parseErr: true, wantErr: `collect: collector output line 1: want header`},
		{name: "CutShort", stdout: good[:len(good)*2/3], parseErr: true, wantErr: "collect: collector output"},
		{name: "ConstrainedLanguage", stdout: []byte(LanguageModeMarker + "ConstrainedLanguage\r\n"), exitCode: ExitLanguageMode,
			wantErr: "collect: PowerShell runs in Constrained Language Mode for the scanning account on this host"},
		{name: "ConstrainedLanguageAdvice", stdout: []byte(LanguageModeMarker + "ConstrainedLanguage\r\n"), exitCode: ExitLanguageMode,
			wantErr: "AppLocker or WDAC (Device Guard) script rules. Let the scanning account run PowerShell in full language mode"},
		{name: "OtherLanguageMode", stdout: []byte(LanguageModeMarker + "RestrictedLanguage\r\n"), exitCode: ExitLanguageMode,
			wantErr: "PowerShell runs in language mode RestrictedLanguage"},
		{name: "LanguageModeLineWithOtherExitCode", stdout: []byte(LanguageModeMarker + "ConstrainedLanguage\r\n"), exitCode: 1,
			wantErr: "collector exited with code 1"},
		{name: "ExitCode4WithoutLine", exitCode: ExitLanguageMode, stderr: "boom",
			wantErr: "collector exited with code 4; stderr: boom"},
		{name: "LanguageModeNotAName", stdout: []byte(LanguageModeMarker + "<b>x</b>\r\n"), exitCode: ExitLanguageMode,
			wantErr: "collector exited with code 4"},
		{name: "NothingButStderr", stderr: "tlsready: no program on stdin", exitCode: 0, parseErr: true,
			wantErr: "collector output: empty (no header line); stderr: tlsready: no program on stdin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost(t)
			h.Stdout, h.Stderr, h.ExitCode = tt.stdout, []byte(tt.stderr), tt.exitCode
			c := newTestClient(t, Config{})
			f, err := c.Collect(context.Background(), h.Endpoint(), checks.Items())
			checkSecret(t, err)
			if cmds := h.Commands(); len(cmds) != 1 || cmds[0] != CollectorCommand() {
				t.Errorf("commands %q", cmds)
			}
			stdin, end := h.Stdin()
			if items, err := facts.ParseItems(string(stdin)); err != nil || !end || !reflect.DeepEqual(items, checks.Items()) {
				t.Errorf("host got items %v, %v (end %t)", items, err, end)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(f, sampleFacts()) {
					t.Errorf("facts %+v", f)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v\nwant %q", err, tt.wantErr)
			}
			var re *Error
			var ce *CollectorError
			if !errors.As(err, &re) || re.Step != stepCollect || CategoryOf(err) != CategoryCollector || !errors.As(err, &ce) {
				t.Errorf("error %#v", err)
			}
			var pe *facts.ParseError
			if errors.As(err, &pe) != tt.parseErr {
				t.Errorf("parse error %v, want %t", pe, tt.parseErr)
			}
		})
	}
}

func TestCollectRejectsBadItems(t *testing.T) {
	h := newFakeHost(t)
	c := newTestClient(t, Config{})
	_, err := c.Collect(context.Background(), h.Endpoint(), []facts.Item{{ID: "x", Kind: facts.KindRegistry, Key: `HKCU\Software`}})
	if CategoryOf(err) != CategoryCollector || h.Total() != 0 {
		t.Errorf("error %v after %d requests", err, h.Total())
	}
}

func TestStderrSummary(t *testing.T) {
	long := bytes.Repeat([]byte("ab "), 200)
	if got := stderrSummary(long); len(got) > 304 || !strings.HasSuffix(got, "...") {
		t.Errorf("summary of %d bytes: %q", len(got), got)
	}
	if got := stderrSummary([]byte("line one\r\n\r\n  line two\xff\r\n")); got != "line one line two?" {
		t.Errorf("got %q", got)
	}
}
