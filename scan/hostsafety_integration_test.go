package scan_test

import (
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/remediate"
	"github.com/tlsready/tlsready/remote"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

// A scan changes nothing on the PC and judges only real users: on a PC where nobody is signed
// in (only .DEFAULT under HKU), whose scanning account's own hive would say SecureProtocols
// 0xA0, the real client opens its shell without a profile, so Windows neither creates nor loads
// one; the PC is ready with "no user hive seen", and the remediation plan writes no WinINet
// value for it.
func TestScanNobodySignedIn_noProfileLoaded_ready(t *testing.T) {
	p := win7("PC-NOBODY", true)
	p.Registry[`HKU\.DEFAULT\Software\Microsoft\Windows\CurrentVersion\Internet Settings`] = map[string]winrmsim.RegistryValue{}
	p.AccountHive = map[string]map[string]winrmsim.RegistryValue{
		`Software\Microsoft\Windows\CurrentVersion\Internet Settings`: {"SecureProtocols": dword(0xA0)},
	}
	ctx := context.Background()
	h, err := winrmsim.Start(ctx, p, winrmsim.Options{User: labUser, Password: labPass})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	client, err := remote.NewClient(remote.Config{User: labUser, Password: labPass, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var results []scan.Result
	_, err = scan.Run(ctx, []scan.Target{{Name: h.Name(), Address: h.Addr()}}, collectorFor(client), scan.Options{
		Concurrency: 1,
		Timeout:     20 * time.Second,
		Categorize:  func(err error) string { return string(remote.CategoryOf(err)) },
	}, scan.HandlerFunc(func(r scan.Result) error { results = append(results, r); return nil }))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Facts == nil {
		t.Fatalf("results %+v", results)
	}
	r := results[0]
	sid := winrmsim.AccountSID(labUser)
	if r.Facts.Account != sid {
		t.Errorf("account %q, want %q", r.Facts.Account, sid)
	}
	if slices.Contains(r.Facts.UserHives, sid) || !slices.Equal(r.Facts.UserHives, []string{".DEFAULT"}) {
		t.Errorf("hives %v, want only .DEFAULT: no profile loaded for the scanning account", r.Facts.UserHives)
	}
	if got := h.CreatedProfiles(); len(got) != 0 {
		t.Errorf("the scan created profiles %v on the PC", got)
	}
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.ID)
	}
	if r.Verdict != checks.Ready || !slices.Contains(ids, checks.IDWinINetUsersNotSeen) {
		t.Errorf("verdict %s, findings %v: want ready with %s", r.Verdict, ids, checks.IDWinINetUsersNotSeen)
	}
	plan := remediate.Build(results, 0xA00)
	for _, v := range plan.Values {
		if v.Key == remediate.KeyWinINetPolicy {
			t.Errorf("plan writes WinINet %s", v.Name)
		}
	}
	if len(plan.KB)+len(plan.RegistryOnly)+len(plan.Migrate) != 0 {
		t.Errorf("plan has hosts to change: %+v", plan)
	}
}

// When the scanning account's profile is already loaded on the PC by another session (here a
// shell of the winrm library, which asks for a profile, as winrs and Enter-PSSession do), its
// hive is among the hives the scan sees, with SecureProtocols 0xA0: the PC is still ready with
// "no user hive seen", the hive is named as the scanning account's, and the remediation plan
// writes no WinINet value for it.
func TestScanNobodySignedIn_accountHiveLoadedElsewhere_notJudged(t *testing.T) {
	p := win7("PC-ADMIN-SESSION", true)
	p.Registry[`HKU\.DEFAULT\Software\Microsoft\Windows\CurrentVersion\Internet Settings`] = map[string]winrmsim.RegistryValue{}
	p.AccountHive = map[string]map[string]winrmsim.RegistryValue{
		`Software\Microsoft\Windows\CurrentVersion\Internet Settings`: {"SecureProtocols": dword(0xA0)},
	}
	ctx := context.Background()
	h, err := winrmsim.Start(ctx, p, winrmsim.Options{User: labUser, Password: labPass,
		Auth: []string{winrmsim.SchemeNegotiate, winrmsim.SchemeBasic}, AllowUnencrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	host, port, err := net.SplitHostPort(h.Addr())
	if err != nil {
		t.Fatal(err)
	}
	portN, _ := strconv.Atoi(port)
	lib, err := winrm.NewClient(winrm.NewEndpoint(host, portN, false, false, nil, nil, nil, 20*time.Second), labUser, labPass)
	if err != nil {
		t.Fatal(err)
	}
	other, err := lib.CreateShell()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	sid := winrmsim.AccountSID(labUser)
	if got := h.LoadedProfiles(); !slices.Equal(got, []string{sid}) {
		t.Fatalf("the other session loaded profiles %v, want %s", got, sid)
	}

	client, err := remote.NewClient(remote.Config{User: labUser, Password: labPass, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var results []scan.Result
	_, err = scan.Run(ctx, []scan.Target{{Name: h.Name(), Address: h.Addr()}}, collectorFor(client), scan.Options{
		Concurrency: 1,
		Timeout:     20 * time.Second,
		Categorize:  func(err error) string { return string(remote.CategoryOf(err)) },
	}, scan.HandlerFunc(func(r scan.Result) error { results = append(results, r); return nil }))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Facts == nil {
		t.Fatalf("results %+v", results)
	}
	r := results[0]
	if !slices.Contains(r.Facts.UserHives, sid) || r.Facts.Account != sid {
		t.Fatalf("hives %v, account %q: want the account's hive %s seen", r.Facts.UserHives, r.Facts.Account, sid)
	}
	var notSeen *checks.Finding
	var ids []string
	for i, f := range r.Findings {
		ids = append(ids, f.ID)
		if f.ID == checks.IDWinINetUsersNotSeen {
			notSeen = &r.Findings[i]
		}
	}
	if r.Verdict != checks.Ready || notSeen == nil {
		t.Fatalf("verdict %s, findings %v: want ready with %s", r.Verdict, ids, checks.IDWinINetUsersNotSeen)
	}
	if len(notSeen.Evidence) == 0 || !strings.Contains(notSeen.Evidence[0].Value, sid+" (scanning account, not judged)") {
		t.Errorf("evidence %+v does not name %s as the scanning account", notSeen.Evidence, sid)
	}
	plan := remediate.Build(results, 0xA00)
	for _, v := range plan.Values {
		if v.Key == remediate.KeyWinINetPolicy {
			t.Errorf("plan writes WinINet %s for the scanning account's hive", v.Name)
		}
	}
	if len(plan.KB)+len(plan.RegistryOnly)+len(plan.Migrate) != 0 {
		t.Errorf("plan has hosts to change: %+v", plan)
	}
}

// A host whose PowerShell runs in Constrained Language Mode (AppLocker or WDAC script
// enforcement) ends unknown, category collector, with a message that names the mode and what
// the admin can do; the other hosts of the scan are not affected.
func TestScanConstrainedLanguageHost_unknownCollector(t *testing.T) {
	locked := win7("PC-LOCKED", true)
	locked.LanguageMode = winrmsim.LanguageConstrained
	ctx := context.Background()
	fleet, err := winrmsim.StartFleet(ctx, []winrmsim.Profile{locked, win7("PC-OPEN", true)}, winrmsim.Options{User: labUser, Password: labPass})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	client, err := remote.NewClient(remote.Config{User: labUser, Password: labPass, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var targets []scan.Target
	for _, h := range fleet.Hosts() {
		targets = append(targets, scan.Target{Name: h.Name(), Address: h.Addr()})
	}
	got := map[string]scan.Result{}
	_, err = scan.Run(ctx, targets, collectorFor(client), scan.Options{
		Concurrency: 2,
		Timeout:     20 * time.Second,
		Categorize:  func(err error) string { return string(remote.CategoryOf(err)) },
	}, scan.HandlerFunc(func(r scan.Result) error { got[r.Host] = r; return nil }))
	if err != nil {
		t.Fatal(err)
	}
	r := got["PC-LOCKED"]
	if r.Verdict != checks.Unknown || r.Error == nil || r.Error.Category != scan.CategoryCollector {
		t.Fatalf("PC-LOCKED: verdict %s, error %+v; want unknown, collector", r.Verdict, r.Error)
	}
	for _, s := range []string{"Constrained Language Mode", "AppLocker or WDAC", "full language mode", "check this host another way"} {
		if !strings.Contains(r.Error.Message, s) {
			t.Errorf("message %q lacks %q", r.Error.Message, s)
		}
	}
	if r.Attempts != 1 {
		t.Errorf("PC-LOCKED tried %d times: a language mode is no passing glitch", r.Attempts)
	}
	if o := got["PC-OPEN"]; o.Verdict != checks.Ready {
		t.Errorf("PC-OPEN: verdict %s, error %+v; want ready", o.Verdict, o.Error)
	}
}
