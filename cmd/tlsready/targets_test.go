package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/scan"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in      string
		d       targetDefaults
		want    scan.Target
		wantErr string // part of the error; "" for none
	}{
		{"PC-01", targetDefaults{}, scan.Target{Name: "PC-01", Address: "PC-01:5985"}, ""},
		{"PC-01", targetDefaults{HTTPS: true}, scan.Target{Name: "PC-01", Address: "PC-01:5986"}, ""},
		{"PC-01", targetDefaults{Port: "6000", HTTPS: true}, scan.Target{Name: "PC-01", Address: "PC-01:6000"}, ""},
		{"PC-01=10.1.2.3", targetDefaults{}, scan.Target{Name: "PC-01", Address: "10.1.2.3:5985"}, ""},
		{"PC-01=127.0.0.1:40123", targetDefaults{}, scan.Target{Name: "PC-01", Address: "127.0.0.1:40123"}, ""},
		{"pc-01.corp.example", targetDefaults{}, scan.Target{Name: "pc-01.corp.example", Address: "pc-01.corp.example:5985"}, ""},
		{"PC-01=[::1]:5986", targetDefaults{}, scan.Target{Name: "PC-01", Address: "[::1]:5986"}, ""},
		// URLs keep their scheme; without a port, the scheme's WinRM port (or --port).
		{"PC-01 http://127.0.0.1:40123/wsman", targetDefaults{}, scan.Target{Name: "PC-01", Address: "127.0.0.1:40123", Scheme: "http"}, ""},
		{"PC-01 https://127.0.0.1:40123/wsman", targetDefaults{}, scan.Target{Name: "PC-01", Address: "127.0.0.1:40123", Scheme: "https"}, ""},
		{"PC-01 https://pc-01.corp.example/wsman", targetDefaults{}, scan.Target{Name: "PC-01", Address: "pc-01.corp.example:5986", Scheme: "https"}, ""},
		{"PC-01 http://pc-01.corp.example/wsman", targetDefaults{HTTPS: true}, scan.Target{Name: "PC-01", Address: "pc-01.corp.example:5985", Scheme: "http"}, ""},
		{"PC-01 HTTPS://h:5985/", targetDefaults{}, scan.Target{Name: "PC-01", Address: "h:5985", Scheme: "https"}, ""},
		{"PC-01=http://h:5986", targetDefaults{}, scan.Target{Name: "PC-01", Address: "h:5986", Scheme: "http"}, ""},
		// Bad lines say why.
		{"=10.0.0.1", targetDefaults{}, scan.Target{}, "empty name"},
		{`CORP\PC-01`, targetDefaults{}, scan.Target{}, "name with one of"},
		{"PC 01=10.0.0.1", targetDefaults{}, scan.Target{}, "blank in the name"},
		{"PC-01 10.0.0.1:5985", targetDefaults{}, scan.Target{}, "not a URL"},
		{"PC\f01 http://127.0.0.1:4000/wsman", targetDefaults{}, scan.Target{}, "blank or control"},
		{"PC\x1b01", targetDefaults{}, scan.Target{}, "blank or control"},
		{"\ufeff", targetDefaults{}, scan.Target{}, "blank or control"},      // a second byte order mark (FuzzReadTargets)
		{"PC-\u202e10", targetDefaults{}, scan.Target{}, "blank or control"}, // a bidi override
		{"PC-01=\u200b10.0.0.5:5985", targetDefaults{}, scan.Target{}, "blank or control character in the address"},
		{"PC-01=", targetDefaults{}, scan.Target{}, "empty address"},
		{"PC-01=:5985", targetDefaults{}, scan.Target{}, "empty host"},
		{"PC-01 https://:5986/wsman", targetDefaults{}, scan.Target{}, "empty host"},
		{"PC-01=10.0.0.1:0", targetDefaults{}, scan.Target{}, "from 1 to 65535"},
		{"PC-01=10.0.0.1:65536", targetDefaults{}, scan.Target{}, "from 1 to 65535"},
		{"PC-01=10.0.0.1:http", targetDefaults{}, scan.Target{}, "from 1 to 65535"},
		{"PC-01=10.0.0.1:", targetDefaults{}, scan.Target{}, "from 1 to 65535"},
		{"PC-01 https://h:99999/wsman", targetDefaults{}, scan.Target{}, "from 1 to 65535"},
		{`"PC-01"`, targetDefaults{}, scan.Target{}, "quotes"},
		{`PC-01='10.0.0.1'`, targetDefaults{}, scan.Target{}, "quotes"},
		{"PC-01 ftp://h/wsman", targetDefaults{}, scan.Target{}, `scheme "ftp"`},
		{"PC-01 ht!tp://", targetDefaults{}, scan.Target{}, "bad URL"},
		{"PC-01 https://admin:pw@h/wsman", targetDefaults{}, scan.Target{}, "user name or password"},
		{"PC-01 https://h/other", targetDefaults{}, scan.Target{}, "/wsman"},
		{"PC-01 http://10.0.0.1 10.0.0.2", targetDefaults{}, scan.Target{}, "blank or control character in the address"},
		{"PC#01", targetDefaults{}, scan.Target{}, "name with one of"},
		{"PC[01", targetDefaults{}, scan.Target{}, "bad"},            // FuzzReadTargets: address "PC[01:5985" is no host:port
		{"PC-01=10.0.0.1]x", targetDefaults{}, scan.Target{}, "bad"}, // nor "10.0.0.1]x:5985"
	}
	for _, tc := range tests {
		got, err := parseTarget(tc.in, tc.d)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) || got != tc.want {
			t.Errorf("parseTarget(%q) = %+v, %v; want %+v, error containing %q", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestReadTargets(t *testing.T) {
	const utf8Text = "# workstations\r\nPC-01\r\n\r\n  PC-02=10.0.0.2:5986  # lab, 2nd floor\r\n" +
		"PC-03 http://127.0.0.1:4000/wsman\r\nPC-04 https://127.0.0.1:4001/wsman\t# tlsready lab --https\r\n" +
		"PC-\u00e9t\u00e9  #\r\n#PC-99\r\n"
	want := []scan.Target{
		{Name: "PC-01", Address: "PC-01:5985"},
		{Name: "PC-02", Address: "10.0.0.2:5986"},
		{Name: "PC-03", Address: "127.0.0.1:4000", Scheme: "http"},
		{Name: "PC-04", Address: "127.0.0.1:4001", Scheme: "https"},
		{Name: "PC-\u00e9t\u00e9", Address: "PC-\u00e9t\u00e9:5985"},
	}
	encodings := []struct {
		name string
		data []byte
	}{
		{"UTF-8", []byte(utf8Text)},
		{"UTF-8 with BOM (Notepad, PowerShell 7 -Encoding utf8BOM)", append([]byte{0xEF, 0xBB, 0xBF}, utf8Text...)},
		{"UTF-16LE with BOM (Windows PowerShell 5.1 Out-File, >)", utf16Bytes(utf8Text, true)},
		{"UTF-16BE with BOM", utf16Bytes(utf8Text, false)},
		{"LF line ends", []byte(strings.ReplaceAll(utf8Text, "\r\n", "\n"))},
	}
	for _, tc := range encodings {
		got, err := readTargets(strings.NewReader(string(tc.data)), "hosts.txt", targetDefaults{})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, want)
		}
	}
}

func TestReadTargets_badLines(t *testing.T) {
	var many strings.Builder
	for i := 0; i < maxTargetErrors+5; i++ {
		many.WriteString("bad name\n")
	}
	tests := []struct {
		name string
		data []byte
		want []string // lines of the error, in order (prefixes)
		not  string   // must not be in the error
	}{
		{"every bad line listed", []byte("PC-01\nbad\\name\nPC-03=h:0\nPC-04\nPC 05\n"),
			[]string{"hosts.txt:2: ", "hosts.txt:3: ", "hosts.txt:5: "}, "hosts.txt:4"},
		{"UTF-16 line numbers", utf16Bytes("PC-01\r\nPC-02=\"h\"\r\n", true), []string{"hosts.txt:2: "}, ""},
		{"NUL without a BOM (UTF-16 saved without one)", []byte("P\x00C\x00-\x000\x001\x00\n\x00"), []string{"hosts.txt:1: NUL byte"}, ""},
		{"binary after good lines", []byte("PC-01\nPC-02\n\x7fELF\x02\x01\x01\x00\x00"), []string{"hosts.txt:3: NUL byte"}, ""},
		{"not UTF-8 (ANSI code page)", []byte("PC-01\nPC-\xe9t\xe9\n"), []string{"hosts.txt:2: not UTF-8"}, ""},
		{"odd UTF-16", append(utf16Bytes("PC-01\n", true), 'x'), []string{"hosts.txt: UTF-16 text with an odd number"}, ""},
		{"unpaired surrogate", []byte{0xFF, 0xFE, 'P', 0, 0x00, 0xD8, '\n', 0}, []string{"hosts.txt:1: "}, ""},
		{"bounded list", []byte(many.String()), []string{"hosts.txt:1: ", "hosts.txt:2: "}, "hosts.txt:21:"},
		{"control characters escaped", []byte("PC\x1b[2J=h\n"), []string{`hosts.txt:1: target "PC\x1b[2J=h"`}, "\x1b"},
	}
	for _, tc := range tests {
		got, err := readTargets(strings.NewReader(string(tc.data)), "hosts.txt", targetDefaults{})
		if err == nil || got != nil {
			t.Errorf("%s: %+v, %v; want an error and no target", tc.name, got, err)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) < len(tc.want) {
			t.Errorf("%s: error %q, want lines starting %q", tc.name, err, tc.want)
			continue
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%s: error line %d %q, want it to start %q", tc.name, i+1, lines[i], w)
			}
		}
		if tc.not != "" && strings.Contains(err.Error(), tc.not) {
			t.Errorf("%s: error %q contains %q", tc.name, err, tc.not)
		}
	}
	_, err := readTargets(strings.NewReader(many.String()), "hosts.txt", targetDefaults{})
	if err == nil || !strings.HasSuffix(err.Error(), "... and 5 more bad line(s)") || strings.Count(err.Error(), "\n") != maxTargetErrors {
		t.Errorf("%d bad lines: %v; want %d listed and the rest counted", maxTargetErrors+5, err, maxTargetErrors)
	}
}
