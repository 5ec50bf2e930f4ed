package facts

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleFacts() *Facts {
	return &Facts{
		ComputerName: "PC-01",
		OS:           OS{Caption: "Microsoft Windows 7 Enterprise 日本語\t<script>", Version: "6.1.7601", ServicePack: 1, ProductType: 1, Architecture: "64 ビット"},
		ProcessBits:  64, ProcessorArch: "AMD64", PSVersion: "2.0",
		Account:   "S-1-5-21-1-2-3-1105",
		BootTime:  time.Date(2026, 12, 1, 7, 30, 5, 0, time.UTC),
		UserHives: []string{".DEFAULT", "S-1-5-21-1-2-3-1001"},
		Values: []Value{
			{ItemID: "dsp.64", Key: `HKLM\SOFTWARE\X`, Name: "DefaultSecureProtocols", State: StateOK, Type: RegDWORD, Data: "4294967295"},
			{ItemID: "multi", Key: `HKU\S-1-5-21-1-2-3-1001\Y`, Name: "", State: StateOK, Type: RegMultiSZ, Data: "a\nb|c"},
			{ItemID: "gone", Key: `HKLM\SOFTWARE\Z`, Name: "V", State: StateNoKey},
			{ItemID: "denied", Key: `HKLM\SOFTWARE\Z`, Name: "V", State: StateDenied, Data: "Requested registry access is not allowed."},
		},
		Files: []File{
			{ItemID: "webio", Path: `C:\Windows\System32\webio.dll`, State: StateOK, Version: "6.1.7601.23375", VersionString: "6.1.7601.23375 (win7sp1_ldr.160303-0600)"},
			{ItemID: "winhttp", Path: `C:\Windows\System32\winhttp.dll`, State: StateNoFile},
		},
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	want := sampleFacts()
	got, err := ParseOutput(Encode(want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
	if v, ok := got.Value("dsp.64"); !ok {
		t.Error("dsp.64 not found")
	} else if n, ok := v.DWORD(); !ok || n != 0xFFFFFFFF {
		t.Errorf("DWORD() = %d, %v", n, ok)
	}
	if !got.Is64Bit() {
		t.Error("localised 64 ビット not seen as 64-bit")
	}
}

func TestParseOutputRejects(t *testing.T) {
	good := string(Encode(sampleFacts()))
	lines := strings.Split(strings.TrimRight(good, "\r\n"), "\r\n")
	join := func(ls []string) []byte { return []byte(strings.Join(ls, "\r\n") + "\r\n") }
	replace := func(i int, l string) []byte {
		c := append([]string(nil), lines...)
		c[i] = l
		return join(c)
	}
	tests := []struct {
		name, out, want string
	}{
		{"empty", "", "empty"},
		{"PowerShell error instead of output", "Get-WmiObject : Access denied\r\n", "want header"},
		{"cut short", string(join(lines[:len(lines)-3])), "no end record"},
		{"end count wrong", string(replace(len(lines)-1, "end\t3")), "records"},
		{"unknown record", string(replace(3, "banner\thello")), "unknown record"},
		{"field missing", string(replace(2, "os\tAAAA\t6.1.7601\t1\t1")), "want 6 fields"},
		{"bad base64", string(replace(1, "host\t!!!")), "base64"},
		{"version not Windows", string(replace(2, "os\tQQ==\tseven\t1\t1\tQQ==")), "not a Windows version"},
		{"product type out of range", string(replace(2, "os\tQQ==\t6.1.7601\t1\t9\tQQ==")), "product type"},
		{"ok state without type", string(replace(9, "reg\tdsp.64\tQQ==\tQQ==\tok\t\tMQ==")), "type is given"},
		{"bad state", string(replace(9, "reg\tdsp.64\tQQ==\tQQ==\tmaybe\tREG_DWORD\tMQ==")), "bad item id, state or type"},
		{"file ok without version", string(replace(13, "file\twebio\tQQ==\tok\t\t\t")), "state ok"},
		{"text after end", good + "extra\r\n", "after the end"},
		{"sid not a SID", string(replace(5, "sid\t"+b64("admin"))), "not a SID"},
		{"second sid", string(replace(6, "sid\t"+b64("S-1-5-18"))), "second sid"},
		{"boot not a time", string(replace(6, "boot\t2026-12-01 07:30")), "not yyyy-MM-ddTHH:mm:ssZ"},
		{"no sid record", string(replace(5, "hive\t"+b64("x"))), "sid or boot record missing"},
		{"no os record", string(join([]string{lines[0], lines[1], "end\t1"})), "host or os record missing"},
		{"line too long", string(replace(1, "host\t"+strings.Repeat("QUFB", maxLine/4))), "line longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseOutput([]byte(tc.out))
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a *ParseError containing %q", err, tc.want)
			}
		})
	}
}

func TestParseOutputTolerates(t *testing.T) {
	good := Encode(sampleFacts())
	for name, out := range map[string][]byte{
		"UTF-8 BOM":    append([]byte("\xef\xbb\xbf"), good...),
		"LF only":      []byte(strings.ReplaceAll(string(good), "\r\n", "\n")),
		"blank lines":  []byte("\r\n\r\n" + string(good) + "\r\n"),
		"no last EOL":  bytes.TrimSuffix(good, []byte("\r\n")),
		"boot unknown": []byte(strings.Replace(string(good), "boot\t2026-12-01T07:30:05Z", "boot\t", 1)),
		"sid unknown":  []byte(strings.Replace(string(good), "sid\t"+b64("S-1-5-21-1-2-3-1105"), "sid\t", 1)),
	} {
		if _, err := ParseOutput(out); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestItemsRoundTrip(t *testing.T) {
	items := []Item{
		{ID: "dsp.64", Kind: KindRegistry, Key: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`, Name: "DefaultSecureProtocols"},
		{ID: "user", Kind: KindRegistry, Key: AllUserHives + `Software\X`, Name: "Value|with\ttab"},
		{ID: "webio", Kind: KindFile, Path: `%SystemRoot%\System32\webio.dll`},
		{ID: "outlook", Kind: KindRegistryFile, Key: `HKLM\SOFTWARE\App Paths\OUTLOOK.EXE`},
	}
	block, err := FormatItems(items)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseItems("$x = 1\r\n" + strings.ReplaceAll(block, "\n", "\r\n") + "\r\nWrite-Output done\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, items) {
		t.Errorf("got %+v\nwant %+v", got, items)
	}
}

func TestValidateRejects(t *testing.T) {
	tests := map[string][]Item{
		"bad id":         {{ID: "Bad ID", Kind: KindFile, Path: "x"}},
		"duplicate id":   {{ID: "a", Kind: KindFile, Path: "x"}, {ID: "a", Kind: KindFile, Path: "y"}},
		"unknown root":   {{ID: "a", Kind: KindRegistry, Key: `HKCU\Software`}},
		"file sans path": {{ID: "a", Kind: KindFile}},
		"unknown kind":   {{ID: "a", Kind: "wmi"}},
	}
	for name, items := range tests {
		if err := Validate(items); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if _, err := FormatItems(items); err == nil {
			t.Errorf("%s: FormatItems accepted", name)
		}
	}
}
