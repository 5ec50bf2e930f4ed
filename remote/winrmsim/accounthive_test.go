package winrmsim

import (
	"slices"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remediate"
	"github.com/tlsready/tlsready/scan"
)

// nobodySignedIn is a ready Windows 7 PC where nobody is signed in (only .DEFAULT under HKU),
// whose connecting account's own hive says SecureProtocols 0xA0 (no TLS 1.2).
const nobodySignedIn = `{"name": "PC-EMPTY-01",
 "os": {"caption": "Microsoft Windows 7 Enterprise", "version": "6.1.7601", "servicePack": 1, "productType": "workstation", "arch": "64-bit"},
 "files": {"C:\\Windows\\System32\\webio.dll": "6.1.7601.23375 (win7sp1_ldr.160303-0600)",
           "C:\\Windows\\System32\\winhttp.dll": "6.1.7601.23375 (win7sp1_ldr.160303-0600)"},
 "registry": {"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp": {"DefaultSecureProtocols": {"type": "REG_DWORD", "data": 2560}},
              "HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp": {"DefaultSecureProtocols": {"type": "REG_DWORD", "data": 2560}},
              "HKLM\\SOFTWARE\\Microsoft\\Internet Explorer": {"svcVersion": {"type": "REG_SZ", "data": "11.0.9600.19596"}},
              "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client": {"DisabledByDefault": {"type": "REG_DWORD", "data": 0}},
              "HKU\\.DEFAULT\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings": {}},
 "accountHive": {"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings": {"SecureProtocols": {"type": "REG_DWORD", "data": 160}}}}`

// A shell opened with a profile (no WINRS_NOPROFILE=TRUE) loads the account's hive, with the
// profile's accountHive values, while it is open; with WINRS_NOPROFILE=TRUE no hive appears and
// no profile is created. The checks never judge the hive: the PC is ready with "no user hive
// seen", and the remediation plan has no WinINet value for it.
func TestAccountHiveLoadedOnlyWithProfile(t *testing.T) {
	sid := AccountSID(testUser)
	for _, tt := range []struct {
		name    string
		options [][2]string
		loaded  bool
	}{
		{"NoOption", nil, true},
		{"NoProfileFALSE", [][2]string{{"WINRS_NOPROFILE", "FALSE"}, {"WINRS_CODEPAGE", "65001"}}, true},
		{"NoProfileTRUE", [][2]string{{"WINRS_NOPROFILE", "TRUE"}, {"WINRS_CODEPAGE", "65001"}}, false},
		{"NoProfileLowerCase", [][2]string{{"WINRS_NOPROFILE", "true"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := startHost(t, mustProfile(t, nobodySignedIn), Options{})
			c := newClient(t, h)
			shellID := c.createShell(tt.options...)
			if got := h.LoadedProfiles(); slices.Contains(got, sid) != tt.loaded {
				t.Errorf("open shell: loaded profiles %v, want %s loaded: %t", got, sid, tt.loaded)
			}
			cmdID := c.command(shellID, nil, "powershell.exe -NoProfile -EncodedCommand "+encodeCommand(bootstrap))
			c.send(shellID, cmdID, []byte(collectorScript(t, checks.Items())), true)
			out, errOut, code := c.receiveAll(shellID, cmdID)
			c.signal(shellID, cmdID)
			c.deleteShell(shellID)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			f, err := facts.ParseOutput(out)
			if err != nil {
				t.Fatal(err)
			}
			if f.Account != sid {
				t.Errorf("account %q, want %q", f.Account, sid)
			}
			if slices.Contains(f.UserHives, sid) != tt.loaded {
				t.Errorf("hives %v, want the account's (%s): %t", f.UserHives, sid, tt.loaded)
			}
			var acct []facts.Value
			for _, v := range f.ValuesOf(checks.ItemInetUser) {
				if strings.HasPrefix(v.Key, `HKU\`+sid+`\`) {
					acct = append(acct, v)
				}
			}
			if tt.loaded && (len(acct) != 1 || acct[0].State != facts.StateOK || acct[0].Data != "160") {
				t.Errorf("account hive values %+v, want SecureProtocols 160", acct)
			}
			if !tt.loaded && len(acct) != 0 {
				t.Errorf("account hive read without a profile: %+v", acct)
			}
			if got := h.LoadedProfiles(); len(got) != 0 {
				t.Errorf("after Delete: loaded profiles %v, want none", got)
			}
			if got := h.CreatedProfiles(); slices.Contains(got, sid) != tt.loaded {
				t.Errorf("created profiles %v, want %s created: %t", got, sid, tt.loaded)
			}

			verdict, findings := checks.Check(f)
			ids := findingIDs(findings)
			if verdict != checks.Ready || !slices.Contains(ids, checks.IDWinINetUsersNotSeen) || slices.Contains(ids, checks.IDWinINetNoTLS12) {
				t.Errorf("verdict %s, findings %v: want ready with %s", verdict, ids, checks.IDWinINetUsersNotSeen)
			}
			plan := remediate.Build([]scan.Result{{Host: f.ComputerName, Verdict: verdict, Findings: findings, Facts: f}}, 0xA00)
			for _, v := range plan.Values {
				if v.Key == remediate.KeyWinINetPolicy {
					t.Errorf("plan writes WinINet %s for the scanning account's hive", v.Name)
				}
			}
			if tt.loaded {
				// The premise: judged as a user's, that hive would make the PC "action".
				f.Account = ""
				if v, fs := checks.Check(f); v != checks.Action || !slices.Contains(findingIDs(fs), checks.IDWinINetNoTLS12) {
					t.Errorf("hive judged as a user's: %s %v, want action with %s", v, findingIDs(fs), checks.IDWinINetNoTLS12)
				}
			}
		})
	}
}

// Two shells with a profile hold the hive; it stays loaded until the last one is closed.
func TestAccountHiveUnloadedWithLastShell(t *testing.T) {
	h := startHost(t, mustProfile(t, nobodySignedIn), Options{})
	c := newClient(t, h)
	a, b := c.createShell(), c.createShell()
	want := []string{AccountSID(testUser)}
	c.deleteShell(a)
	if got := h.LoadedProfiles(); !slices.Equal(got, want) {
		t.Errorf("one shell left: loaded %v, want %v", got, want)
	}
	c.deleteShell(b)
	if got := h.LoadedProfiles(); len(got) != 0 {
		t.Errorf("no shell left: loaded %v", got)
	}
	if got := h.CreatedProfiles(); !slices.Equal(got, want) {
		t.Errorf("created %v, want %v (a profile stays on disk)", got, want)
	}
}

func TestAccountHiveValidation(t *testing.T) {
	base := strings.Replace(nobodySignedIn, `"accountHive": {`, `"accountHive": {REPLACE`, 1)
	for _, tt := range []struct{ name, entry, want string }{
		{"AbsoluteKey", `"HKU\\S-1-5-18\\Software": {},`, "relative to the hive"},
		{"CurrentUserKey", `"HKCU\\Software": {},`, "relative to the hive"},
		{"EmptyPart", `"Software\\\\X": {},`, "empty key name"},
		{"BadValue", `"Software\\X": {"V": {"type": "REG_DWORD", "data": "x"}},`, `value "V"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeProfile("p.json", []byte(strings.Replace(base, "REPLACE", tt.entry, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func findingIDs(fs []checks.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}
