package winrmsim

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/psgrammar/psgtest"
)

// lab is a profile with one of everything the collector can meet.
const lab = `{"name": "PC-LAB-07",
 "os": {"caption": "Microsoft Windows 7 Professional", "version": "6.1.7601", "servicePack": 1, "productType": "workstation", "arch": "64-bit"},
 "files": {"C:\\Windows\\System32\\webio.dll": "6.1.7601.17514 (win7sp1_rtm.101119-1850)",
           "c:\\windows\\system32\\WINHTTP.dll": "6.1.7601.23375 (win7sp1_ldr.160303-0600)",
           "C:\\Windows\\System32\\noversion.dll": "",
           "C:\\Windows\\System32\\oddversion.dll": "build 7",
           "%ProgramFiles(x86)%\\Microsoft Office\\Office15\\OUTLOOK.EXE": "15.0.4420.1017",
           "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE": "16.0.11929.20300"},
 "registry": {
   "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp": {"DefaultSecureProtocols": {"type": "REG_DWORD", "data": 2560}},
   "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client": {"Enabled": {"type": "REG_SZ", "data": "1"}},
   "HKLM\\SOFTWARE\\Microsoft\\Internet Explorer": {"svcVersion": {"type": "REG_SZ", "data": "11.0.9600.19036"}, "Flags": {"type": "REG_MULTI_SZ", "data": ["a", "b"]},
      "Blob": {"type": "REG_BINARY", "data": "00FF10"}, "Big": {"type": "REG_QWORD", "data": 18446744073709551615}},
   "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\OUTLOOK.EXE": {"(default)": {"type": "REG_SZ", "data": "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\""}},
   "HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\App Paths\\OUTLOOK.EXE": {"": {"type": "REG_EXPAND_SZ", "data": "%ProgramFiles(x86)%\\Microsoft Office\\Office15\\OUTLOOK.EXE"}},
   "HKLM\\SOFTWARE\\Microsoft\\Office\\14.0\\Outlook": {"Bitness": {"type": "REG_SZ", "data": "x86"}},
   "HKU\\S-1-5-21-1111-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings": {"SecureProtocols": {"type": "REG_DWORD", "data": 168}},
   "HKU\\S-1-5-21-1111-1001_Classes\\Local Settings": {},
   "HKU\\S-1-5-21-1111-1002\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings": {"SecureProtocols": {"type": "REG_DWORD", "data": 2728}},
   "HKU\\.DEFAULT\\Software\\Microsoft": {}
 },
 "fault": ""}`

func reg(id, key, name string) facts.Item {
	return facts.Item{ID: id, Kind: facts.KindRegistry, Key: key, Name: name}
}

func TestResolveRegistry(t *testing.T) {
	const winhttp = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	const ie = `HKLM\SOFTWARE\Microsoft\Internet Explorer`
	for _, tt := range []struct {
		name string
		item facts.Item
		want []facts.Value
	}{
		{"Present", reg("dsp.64", winhttp, "DefaultSecureProtocols"),
			[]facts.Value{{ItemID: "dsp.64", Key: winhttp, Name: "DefaultSecureProtocols", State: facts.StateOK, Type: "REG_DWORD", Data: "2560"}}},
		{"KeyAndValueNamesCaseInsensitive", reg("x", strings.ToUpper(winhttp), "defaultsecureprotocols"),
			[]facts.Value{{ItemID: "x", Key: strings.ToUpper(winhttp), Name: "defaultsecureprotocols", State: facts.StateOK, Type: "REG_DWORD", Data: "2560"}}},
		{"ValueMissing", reg("x", winhttp, "Other"),
			[]facts.Value{{ItemID: "x", Key: winhttp, Name: "Other", State: facts.StateNoValue}}},
		{"ParentKeyExists", reg("x", `HKLM\SOFTWARE\Microsoft\Windows`, "X"),
			[]facts.Value{{ItemID: "x", Key: `HKLM\SOFTWARE\Microsoft\Windows`, Name: "X", State: facts.StateNoValue}}},
		{"KeyMissing", reg("x", `HKLM\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`, "SecureProtocols"),
			[]facts.Value{{ItemID: "x", Key: `HKLM\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`, Name: "SecureProtocols", State: facts.StateNoKey}}},
		{"WrongTypeAsStored", reg("x", `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client`, "Enabled"),
			[]facts.Value{{ItemID: "x", Key: `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client`, Name: "Enabled", State: facts.StateOK, Type: "REG_SZ", Data: "1"}}},
		{"MultiSZ", reg("x", ie, "Flags"), []facts.Value{{ItemID: "x", Key: ie, Name: "Flags", State: facts.StateOK, Type: "REG_MULTI_SZ", Data: "a\nb"}}},
		{"Binary", reg("x", ie, "Blob"), []facts.Value{{ItemID: "x", Key: ie, Name: "Blob", State: facts.StateOK, Type: "REG_BINARY", Data: "00ff10"}}},
		{"QWORD", reg("x", ie, "Big"), []facts.Value{{ItemID: "x", Key: ie, Name: "Big", State: facts.StateOK, Type: "REG_QWORD", Data: "18446744073709551615"}}},
		{"DefaultValue", reg("x", `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE`, ""),
			[]facts.Value{{ItemID: "x", Key: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE`, State: facts.StateOK, Type: "REG_SZ",
				Data: `"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"`}}},
		{"AllUserHives", reg("wininet.user", `HKU\*\Software\Microsoft\Windows\CurrentVersion\Internet Settings`, "SecureProtocols"),
			[]facts.Value{
				{ItemID: "wininet.user", Key: `HKU\.DEFAULT\Software\Microsoft\Windows\CurrentVersion\Internet Settings`, Name: "SecureProtocols", State: facts.StateNoKey},
				{ItemID: "wininet.user", Key: `HKU\S-1-5-21-1111-1001\Software\Microsoft\Windows\CurrentVersion\Internet Settings`, Name: "SecureProtocols", State: facts.StateOK, Type: "REG_DWORD", Data: "168"},
				{ItemID: "wininet.user", Key: `HKU\S-1-5-21-1111-1002\Software\Microsoft\Windows\CurrentVersion\Internet Settings`, Name: "SecureProtocols", State: facts.StateOK, Type: "REG_DWORD", Data: "2728"},
			}},
		{"Wow6432NodeOn64BitNotInProfile", reg("dsp.32", `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`, "DefaultSecureProtocols"),
			[]facts.Value{{ItemID: "dsp.32", Key: `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`, Name: "DefaultSecureProtocols", State: facts.StateNoKey}}},
		{"Wow6432NodeItselfOn64Bit", reg("x", `HKLM\SOFTWARE\Wow6432Node`, "X"),
			[]facts.Value{{ItemID: "x", Key: `HKLM\SOFTWARE\Wow6432Node`, Name: "X", State: facts.StateNoValue}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := compile(mustProfile(t, lab))
			if err != nil {
				t.Fatal(err)
			}
			f := h.collect([]facts.Item{tt.item}, testUser)
			if !reflect.DeepEqual(f.Values, tt.want) {
				t.Errorf("values\n got %+v\nwant %+v", f.Values, tt.want)
			}
			if want := []string{".DEFAULT", "S-1-5-21-1111-1001", "S-1-5-21-1111-1002"}; !reflect.DeepEqual(f.UserHives, want) {
				t.Errorf("user hives %v, want %v", f.UserHives, want)
			}
		})
	}
}

// On a 32-bit Windows there is no Wow6432Node: the key is absent unless a profile has it.
func TestResolveWow6432NodeOn32BitOS(t *testing.T) {
	const key = `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	base := strings.Replace(win10, `"64-bit"`, `"32-bit"`, 1)
	for _, tt := range []struct {
		name, registry string
		want           facts.Value
	}{
		{"Absent", `{}`, facts.Value{ItemID: "dsp.32", Key: key, Name: "DefaultSecureProtocols", State: facts.StateNoKey}},
		{"WowNodeAbsentToo", `{}`, facts.Value{ItemID: "dsp.32", Key: `HKLM\SOFTWARE\Wow6432Node`, Name: "DefaultSecureProtocols", State: facts.StateNoKey}},
		{"InProfile", `{"HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp": {"DefaultSecureProtocols": {"type": "REG_DWORD", "data": 2048}}}`,
			facts.Value{ItemID: "dsp.32", Key: key, Name: "DefaultSecureProtocols", State: facts.StateOK, Type: "REG_DWORD", Data: "2048"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := compile(mustProfile(t, strings.Replace(base, `"registry": {}`, `"registry": `+tt.registry, 1)))
			if err != nil {
				t.Fatal(err)
			}
			f := h.collect([]facts.Item{reg("dsp.32", tt.want.Key, "DefaultSecureProtocols")}, testUser)
			if len(f.Values) != 1 || f.Values[0] != tt.want {
				t.Errorf("got %+v, want %+v", f.Values, tt.want)
			}
		})
	}
}

func TestResolveFiles(t *testing.T) {
	file := func(id, path string) facts.Item { return facts.Item{ID: id, Kind: facts.KindFile, Path: path} }
	regfile := func(id, key string) facts.Item { return facts.Item{ID: id, Kind: facts.KindRegistryFile, Key: key} }
	for _, tt := range []struct {
		name string
		item facts.Item
		want facts.File
	}{
		{"SystemRoot", file("webio", `%SystemRoot%\System32\webio.dll`),
			facts.File{ItemID: "webio", Path: `C:\Windows\System32\webio.dll`, State: facts.StateOK, Version: "6.1.7601.17514", VersionString: "6.1.7601.17514 (win7sp1_rtm.101119-1850)"}},
		{"WindirCaseInsensitive", file("winhttp", `%windir%\SYSTEM32\WinHttp.dll`),
			facts.File{ItemID: "winhttp", Path: `C:\Windows\SYSTEM32\WinHttp.dll`, State: facts.StateOK, Version: "6.1.7601.23375", VersionString: "6.1.7601.23375 (win7sp1_ldr.160303-0600)"}},
		{"Missing", file("x", `C:\Windows\System32\schannel.dll`), facts.File{ItemID: "x", Path: `C:\Windows\System32\schannel.dll`, State: facts.StateNoFile}},
		{"NoVersionResource", file("x", `C:\Windows\System32\noversion.dll`), facts.File{ItemID: "x", Path: `C:\Windows\System32\noversion.dll`, State: facts.StateNoVersion}},
		{"VersionWithoutFourParts", file("x", `C:\Windows\System32\oddversion.dll`),
			facts.File{ItemID: "x", Path: `C:\Windows\System32\oddversion.dll`, State: facts.StateNoVersion, VersionString: "build 7"}},
		{"ProgramFilesX86", file("x", `%ProgramFiles(x86)%\Microsoft Office\Office15\OUTLOOK.EXE`),
			facts.File{ItemID: "x", Path: `C:\Program Files (x86)\Microsoft Office\Office15\OUTLOOK.EXE`, State: facts.StateOK, Version: "15.0.4420.1017", VersionString: "15.0.4420.1017"}},
		{"RegistryFileQuoted", regfile("outlook.exe.64", `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE`),
			facts.File{ItemID: "outlook.exe.64", Path: `C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, State: facts.StateOK, Version: "16.0.11929.20300", VersionString: "16.0.11929.20300"}},
		{"RegistryFileExpanded", regfile("outlook.exe.32", `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE`),
			facts.File{ItemID: "outlook.exe.32", Path: `C:\Program Files (x86)\Microsoft Office\Office15\OUTLOOK.EXE`, State: facts.StateOK, Version: "15.0.4420.1017", VersionString: "15.0.4420.1017"}},
		{"RegistryFileNoKey", regfile("x", `HKLM\SOFTWARE\Clients\Mail\Microsoft Outlook`), facts.File{ItemID: "x", State: facts.StateNoKey}},
		{"RegistryFileNotAFile", facts.Item{ID: "x", Kind: facts.KindRegistryFile, Key: `HKLM\SOFTWARE\Microsoft\Office\14.0\Outlook`, Name: "Bitness"},
			facts.File{ItemID: "x", Path: "x86", State: facts.StateNoFile}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := compile(mustProfile(t, lab))
			if err != nil {
				t.Fatal(err)
			}
			f := h.collect([]facts.Item{tt.item}, testUser)
			if len(f.Files) != 1 || f.Files[0] != tt.want {
				t.Errorf("got %+v\nwant %+v", f.Files, tt.want)
			}
		})
	}
	// On a 32-bit Windows %ProgramFiles(x86)% is not defined: the path stays as written.
	h, err := compile(mustProfile(t, strings.Replace(win10, `"64-bit"`, `"32-bit"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	got := h.collect([]facts.Item{file("x", `%ProgramFiles(x86)%\Microsoft Office\Office15\OUTLOOK.EXE`)}, testUser).Files[0]
	if got.State != facts.StateNoFile || got.Path != `%ProgramFiles(x86)%\Microsoft Office\Office15\OUTLOOK.EXE` {
		t.Errorf("32-bit: %+v", got)
	}
}

func TestResolveOS(t *testing.T) {
	for _, tt := range []struct {
		name, os string
		want     facts.Facts
	}{
		{"Win7SP1x64", `{"caption": "Microsoft Windows 7 Enterprise", "version": "6.1.7601", "servicePack": 1, "productType": "workstation", "arch": "64-bit"}`,
			facts.Facts{OS: facts.OS{Caption: "Microsoft Windows 7 Enterprise", Version: "6.1.7601", ServicePack: 1, ProductType: 1, Architecture: "64-bit"},
				ProcessBits: 64, ProcessorArch: "AMD64", PSVersion: "2.0"}},
		{"Win7x86", `{"caption": "Microsoft Windows 7 Professional", "version": "6.1.7600", "servicePack": 0, "productType": "workstation", "arch": "32-bit"}`,
			facts.Facts{OS: facts.OS{Caption: "Microsoft Windows 7 Professional", Version: "6.1.7600", ProductType: 1, Architecture: "32-bit"},
				ProcessBits: 32, ProcessorArch: "x86", PSVersion: "2.0"}},
		{"Server2012R2DC", `{"caption": "Microsoft Windows Server 2012 R2 Standard", "version": "6.3.9600", "servicePack": 0, "productType": "domaincontroller", "arch": "64-bit"}`,
			facts.Facts{OS: facts.OS{Caption: "Microsoft Windows Server 2012 R2 Standard", Version: "6.3.9600", ProductType: 2, Architecture: "64-bit"},
				ProcessBits: 64, ProcessorArch: "AMD64", PSVersion: "5.1"}},
		{"Server2008", `{"caption": "Microsoft Windows Server 2008 Standard", "version": "6.0.6002", "servicePack": 2, "productType": "server", "arch": "32-bit"}`,
			facts.Facts{OS: facts.OS{Caption: "Microsoft Windows Server 2008 Standard", Version: "6.0.6002", ServicePack: 2, ProductType: 3, Architecture: "32-bit"},
				ProcessBits: 32, ProcessorArch: "x86", PSVersion: "2.0"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			js := `{"name": "HOST-1", "os": ` + tt.os + `}`
			h, err := compile(mustProfile(t, js))
			if err != nil {
				t.Fatal(err)
			}
			got := h.collect(nil, testUser)
			tt.want.ComputerName = "HOST-1"
			tt.want.Account, tt.want.BootTime = AccountSID(testUser), DefaultBootTime()
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

// The collector over real WinRM: the facts that come back are those of the profile, whichever
// way the command line is written.
func TestCollectorOverWinRM(t *testing.T) {
	items := []facts.Item{
		{ID: "webio", Kind: facts.KindFile, Path: `%SystemRoot%\System32\webio.dll`},
		reg("dsp.64", `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`, "DefaultSecureProtocols"),
		reg("dsp.32", `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`, "DefaultSecureProtocols"),
		reg("wininet.user", `HKU\*\Software\Microsoft\Windows\CurrentVersion\Internet Settings`, "SecureProtocols"),
		{ID: "outlook.exe.64", Kind: facts.KindRegistryFile, Key: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE`},
	}
	p := mustProfile(t, lab)
	hd, _ := compile(p)
	// The test client opens shells without WINRS_NOPROFILE, as winrs does by default: the
	// account's profile is loaded and its hive is one more under HKU.
	hd.loadProfile(AccountSID(testUser))
	want := hd.collect(items, testUser)
	script := collectorScript(t, items)
	enc := encodeCommand(bootstrap)
	for _, tt := range []struct {
		name    string
		options [][2]string
		stdin   []byte
		command string
		args    []string
	}{
		{"WholeLineInCommand", nil, []byte(script), "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " + enc, nil},
		{"SplitArguments", nil, []byte(script), "powershell.exe", []string{"-NoProfile", "-ExecutionPolicy", "Bypass", "-enc", enc}},
		{"ShortSwitchFullPath", skipCmdShell, []byte("\xef\xbb\xbf" + script), `"C:\Windows\System32\WindowsPowerShell\v1.0\PowerShell.EXE"`, []string{"-e", enc}},
		{"ProgramInEncodedCommand", nil, nil, "powershell.exe -EncodedCommand " + encodeCommand(script), nil},
		{"ProgramOnStdin", nil, []byte(script), "powershell.exe", []string{"-NoProfile", "-"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := startHost(t, p, Options{})
			c := newClient(t, h)
			out, errOut, code := c.run(tt.options, tt.stdin, tt.command, tt.args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			got, err := facts.ParseOutput([]byte(out))
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("facts\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestCollectorFailures(t *testing.T) {
	items := []facts.Item{reg("dsp.64", `HKLM\SOFTWARE\X`, "Y")}
	script := collectorScript(t, items)
	enc := encodeCommand(bootstrap)
	for _, tt := range []struct {
		name         string
		profile      Profile
		stdin        string
		command      string
		wantExit     int
		stderrHas    string
		stdoutBroken bool
		// validator: "any" takes every program; "grammar" needs the PowerShell grammar; "": the
		// default of startHost (the grammar when installed).
		validator string
	}{
		{"NoItemList", mustProfile(t, win10), "Get-ItemProperty HKLM:\\SOFTWARE", "powershell.exe -EncodedCommand " + enc, 1, "is not recognized as the name of a cmdlet", false, ""},
		{"ItemListCut", mustProfile(t, win10), script[:strings.Index(script, facts.ItemsEnd)], "powershell.exe -EncodedCommand " + enc, 1, "tlsready collector: item", false, "any"},
		// PowerShell refuses the cut collector before it runs: the here-string is not closed.
		{"ItemListCutParsed", mustProfile(t, win10), script[:strings.Index(script, facts.ItemsEnd)], "powershell.exe -EncodedCommand " + enc, 1, "At line:3 char:1", false, "grammar"},
		{"NotBase64", mustProfile(t, win10), "", "powershell.exe -EncodedCommand ###", 1, "not properly encoded", false, ""},
		{"GarbageHost", withFault(t, win10, "PC-GARBAGE", FaultGarbage), script, "powershell.exe -EncodedCommand " + enc, 0, "", true, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var opts Options
			switch tt.validator {
			case "any":
				opts.ScriptValidator = func(context.Context, string) (string, error) { return "", nil }
			case "grammar":
				opts.ScriptValidator = psgtest.Require(t, grammar).ScriptError
			}
			h := startHost(t, tt.profile, opts)
			out, errOut, code := newClient(t, h).run(nil, []byte(tt.stdin), tt.command)
			if code != tt.wantExit || !strings.Contains(errOut, tt.stderrHas) {
				t.Errorf("exit %d stderr %q: want exit %d and %q", code, errOut, tt.wantExit, tt.stderrHas)
			}
			_, err := facts.ParseOutput([]byte(out))
			if tt.stdoutBroken && (err == nil || !strings.HasPrefix(out, facts.Header)) {
				t.Errorf("garbage output should look like facts and be rejected: %v\n%s", err, out)
			}
		})
	}
}
