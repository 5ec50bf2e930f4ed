package facts

import (
	"strings"
	"testing"
)

func TestRegWritesRoundTrip(t *testing.T) {
	ws := []RegWrite{
		{Op: OpDWORD, Key: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`, Name: "DefaultSecureProtocols", Data: "2560"},
		{Op: OpString, Key: `HKLM\SOFTWARE\X`, Name: "V", Data: "0x00000a00 with\ttab and ünïcode"},
		{Op: OpDelete, Key: `HKLM\SOFTWARE\X`, Name: "W", Data: "key"},
	}
	block, err := EncodeWrites(ws)
	if err != nil {
		t.Fatal(err)
	}
	program := WritesMarker + "\r\n$apply = $true\r\n" + WritesBegin + "\r\n" + strings.ReplaceAll(block, "\n", "\r\n") + WritesEnd + "\r\n"
	got, err := ParseWrites(program)
	if err != nil || len(got) != len(ws) {
		t.Fatalf("ParseWrites = %v, %v", got, err)
	}
	for i := range ws {
		if got[i] != ws[i] {
			t.Errorf("write %d = %+v, want %+v", i, got[i], ws[i])
		}
	}
	for _, bad := range []RegWrite{
		{Op: "format", Key: `HKLM\X`, Name: "V"},
		{Op: OpDWORD, Key: `HKCU\X`, Name: "V"},
		{Op: OpDWORD, Key: `HKLM\X'; rm -r`, Name: "V"},
		{Op: OpDWORD, Key: `HKLM\X`, Name: "a\tb"},
		{Op: OpDWORD, Key: `HKLM\X`, Name: ""},
	} {
		if _, err := EncodeWrites([]RegWrite{bad}); err == nil {
			t.Errorf("EncodeWrites accepted %+v", bad)
		}
	}
	if _, err := ParseWrites("no marker"); err == nil {
		t.Error("ParseWrites accepted a program without the marker")
	}
}

func TestParseWriterOutput(t *testing.T) {
	prior := Value{Key: `HKLM\X`, Name: "V", State: StateOK, Type: RegSZ, Data: "0x00000a00"}
	out := FormatPrior(prior) + "\r\n" + FormatApplied(RegWrite{Op: OpDWORD, Key: `HKLM\X`, Name: "V"}) + "\r\n"
	r, err := ParseWriterOutput([]byte(out))
	if err != nil || len(r.Prior) != 1 || r.Prior[0] != prior || len(r.Applied) != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	for _, bad := range []string{"hello\n", "prior\tK\tN\tweird\t\t\n", "prior\tK\tN\tok\tREG_SZ\t!!\n"} {
		if _, err := ParseWriterOutput([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
