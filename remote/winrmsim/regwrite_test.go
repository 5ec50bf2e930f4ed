package winrmsim

import (
	"strings"
	"testing"

	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remote"
)

const dspKey = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`

func TestRegistryWriter(t *testing.T) {
	dsp := facts.RegWrite{Op: facts.OpDWORD, Key: dspKey, Name: "DefaultSecureProtocols", Data: "2560"}
	wow := facts.RegWrite{Op: facts.OpDWORD, Key: `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`, Name: "DefaultSecureProtocols", Data: "2560"}
	tests := []struct {
		name    string
		profile string
		writes  []facts.RegWrite
		apply   bool
		wantErr string
		after   facts.State // the DSP value's state afterwards
	}{
		{"dry run reads and changes nothing", win10, []facts.RegWrite{dsp}, false, "", facts.StateNoKey},
		{"apply writes", win10, []facts.RegWrite{dsp, wow}, true, "", facts.StateOK},
		{"a value fix never writes is refused, nothing written", win10,
			[]facts.RegWrite{dsp, {Op: facts.OpDWORD, Key: `HKLM\SYSTEM\CurrentControlSet\Services\WinRM`, Name: "Start", Data: "4"}}, true, "refused", facts.StateNoKey},
		{"Wow6432Node on 32-bit Windows is refused", strings.Replace(win10, `"64-bit"`, `"32-bit"`, 1), []facts.RegWrite{dsp, wow}, true, "32-bit", facts.StateNoKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := compile(mustProfile(t, tc.profile))
			if err != nil {
				t.Fatal(err)
			}
			program, err := remote.WriterScript(tc.writes, tc.apply)
			if err != nil {
				t.Fatal(err)
			}
			out, err := h.writeRegistry(program)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				res, err := facts.ParseWriterOutput([]byte(out))
				if err != nil || len(res.Prior) != len(tc.writes) || (len(res.Applied) > 0) != tc.apply {
					t.Fatalf("answer %+v, %v", res, err)
				}
				if res.Prior[0].State != facts.StateNoKey {
					t.Errorf("prior %+v, want no key", res.Prior[0])
				}
			}
			if got := h.readValue("", dspKey, "DefaultSecureProtocols"); got.State != tc.after || (tc.after == facts.StateOK && (got.Type != facts.RegDWORD || got.Data != "2560")) {
				t.Errorf("afterwards %+v, want %s", got, tc.after)
			}
		})
	}
}
