package facts

import (
	"fmt"
	"testing"
)

// benchFacts is a host's facts of the size the collector reports: 40 registry values, 4 files.
func benchFacts() *Facts {
	f := &Facts{ComputerName: "PC-0001", OS: OS{Caption: "Microsoft Windows 10 Enterprise", Version: "10.0.19045", ProductType: 1, Architecture: "64-bit"},
		ProcessBits: 64, ProcessorArch: "AMD64", PSVersion: "5.1", UserHives: []string{"S-1-5-21-1-2-3-1001"}}
	for i := range 40 {
		f.Values = append(f.Values, Value{ItemID: fmt.Sprintf("item%02d", i), Key: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`,
			Name: "DefaultSecureProtocols", State: StateOK, Type: RegDWORD, Data: "2560"})
	}
	for i := range 4 {
		f.Files = append(f.Files, File{ItemID: fmt.Sprintf("file%d", i), Path: `C:\Windows\System32\webio.dll`, State: StateOK, Version: "10.0.19041.3636", VersionString: "10.0.19041.3636 (WinBuild.160101.0800)"})
	}
	return f
}

// BenchmarkParseOutput is the client's parsing of one host's collector output.
func BenchmarkParseOutput(b *testing.B) {
	out := Encode(benchFacts())
	b.SetBytes(int64(len(out)))
	for b.Loop() {
		if _, err := ParseOutput(out); err != nil {
			b.Fatal(err)
		}
	}
}
