package winrmsim

import (
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remote"
)

const (
	dspKey  = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	wowKey  = `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	schKey  = `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client`
	withA80 = `{"name": "PC-A80", "os": {"caption": "Microsoft Windows 10 Pro", "version": "10.0.19045", "servicePack": 0, "productType": "workstation", "arch": "64-bit"},
 "files": {}, "registry": {"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp": {"DefaultSecureProtocols": {"type": "REG_DWORD", "data": 2688}}},
 "denyWrite": ["HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"], "fault": ""}`
)

func TestRegistryWriter(t *testing.T) {
	dsp := facts.RegWrite{Op: facts.OpOr, Key: dspKey, Name: "DefaultSecureProtocols", Data: "2560"}
	wow := facts.RegWrite{Op: facts.OpOr, Key: wowKey, Name: "DefaultSecureProtocols", Data: "2560"}
	sch := facts.RegWrite{Op: facts.OpDWORD, Key: schKey, Name: "DisabledByDefault", Data: "0"}
	type want struct {
		outcome, data string
	}
	tests := []struct {
		name     string
		profile  string
		writes   []facts.RegWrite
		apply    bool
		wantErr  string
		outcomes []want
		after    map[string]string // key\name -> StateToken afterwards
	}{
		{"dry run reads and changes nothing", win10, []facts.RegWrite{dsp}, false, "",
			[]want{{facts.OutcomeWould, "2560"}}, map[string]string{dspKey: "absent"}},
		{"apply writes", win10, []facts.RegWrite{dsp, wow}, true, "",
			[]want{{facts.OutcomeApplied, "2560"}, {facts.OutcomeApplied, "2560"}}, map[string]string{dspKey: "REG_DWORD:2560", wowKey: "REG_DWORD:2560"}},
		{"0xA80 already has TLS 1.2: unchanged", withA80, []facts.RegWrite{dsp, wow}, true, "",
			[]want{{facts.OutcomeUnchanged, "2688"}, {facts.OutcomeApplied, "2560"}}, map[string]string{dspKey: "REG_DWORD:2688", wowKey: "REG_DWORD:2560"}},
		{"a denied key fails its write only; the writes before and after it are made", withA80, []facts.RegWrite{wow, sch, {Op: facts.OpOr, Key: `HKLM\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`, Name: "SecureProtocols", Data: "2688"}}, true, "",
			[]want{{facts.OutcomeApplied, "2560"}, {facts.OutcomeFailed, "Requested registry access is not allowed."}, {facts.OutcomeApplied, "2688"}},
			map[string]string{wowKey: "REG_DWORD:2560", schKey: "absent"}},
		{"compare-and-set: a value that changed since it was read is left alone", withA80, []facts.RegWrite{{Op: facts.OpDelete, Key: dspKey, Name: "DefaultSecureProtocols", Expect: []string{"REG_DWORD:2560"}}}, true, "",
			[]want{{facts.OutcomeFailed, "refused: the value is not what the journal says it was (now REG_DWORD:2688)"}}, map[string]string{dspKey: "REG_DWORD:2688"}},
		{"compare-and-set that matches deletes", withA80, []facts.RegWrite{{Op: facts.OpDelete, Key: dspKey, Name: "DefaultSecureProtocols", Data: "key", Expect: []string{"REG_DWORD:2688"}}}, true, "",
			[]want{{facts.OutcomeApplied, ""}}, map[string]string{dspKey: "absent"}},
		{"a value fix never writes is refused, nothing written", win10,
			[]facts.RegWrite{dsp, {Op: facts.OpDWORD, Key: `HKLM\SYSTEM\CurrentControlSet\Services\WinRM`, Name: "Start", Data: "4"}}, true, "not a value tlsready fix may write", nil, map[string]string{dspKey: "absent"}},
		{"Wow6432Node on 32-bit Windows is refused", strings.Replace(win10, `"64-bit"`, `"32-bit"`, 1), []facts.RegWrite{dsp, wow}, true, "32-bit", nil, map[string]string{dspKey: "absent"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := compile(mustProfile(t, tc.profile))
			if err != nil {
				t.Fatal(err)
			}
			var program string
			if tc.wantErr != "" {
				// The writer refuses to make such a program; the host must refuse it too.
				block := ""
				for _, w := range tc.writes {
					block += w.Op + "\t" + w.Key + "\t" + w.Name + "\tNA==\t-\n"
				}
				program = facts.WritesMarker + "\n" + facts.WritesApply + "\n" + facts.WritesBegin + "\n" + block + facts.WritesEnd + "\n"
			} else if program, err = remote.WriterScript(tc.writes, tc.apply); err != nil {
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
				if err != nil || len(res) != len(tc.outcomes) {
					t.Fatalf("answer %+v, %v", res, err)
				}
				for i, w := range tc.outcomes {
					got := want{res[i].Outcome, res[i].Data}
					if res[i].Outcome == facts.OutcomeFailed {
						got.data = res[i].Message
					}
					if got != w {
						t.Errorf("write %d: %+v, want %+v", i, got, w)
					}
				}
			}
			for key, tok := range tc.after {
				name := "DefaultSecureProtocols"
				if key == schKey {
					name = "DisabledByDefault"
				}
				if got := facts.StateToken(h.readValue("", key, name)); got != tok {
					t.Errorf("%s afterwards %s, want %s", key, got, tok)
				}
			}
		})
	}
}

func TestFleetReboot(t *testing.T) {
	f := &Fleet{}
	h, err := compile(mustProfile(t, win10))
	if err != nil {
		t.Fatal(err)
	}
	f.hosts = []*Host{{h: h}}
	if got := h.bootTime(); !got.Equal(DefaultBootTime()) {
		t.Fatalf("boot time %v, want the default", got)
	}
	now := time.Date(2026, 12, 4, 10, 0, 0, 500, time.UTC)
	if err := f.Reboot("pc-w10-01", now); err != nil {
		t.Fatal(err)
	}
	if got := h.bootTime(); !got.Equal(now.Truncate(time.Second)) {
		t.Errorf("boot time after Reboot %v, want %v", got, now)
	}
	if err := f.Reboot("nobody", now); err == nil {
		t.Error("Reboot of an unknown host succeeded")
	}
}
