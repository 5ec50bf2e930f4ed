package scan_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/psgrammar/psgtest"
	"github.com/tlsready/tlsready/remote"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

const (
	labUser = `LAB\scanner`
	labPass = "S3cret-lab-only"
)

// grammar is the PowerShell grammar of this test binary (one node process), when installed.
var grammar = psgtest.Opener()

func dword(n uint32) winrmsim.RegistryValue {
	return winrmsim.RegistryValue{Type: "REG_DWORD", Data: []byte(fmt.Sprint(n))}
}

// win7 is a 64-bit Windows 7 SP1 profile; fixed says whether KB3140245 and both
// DefaultSecureProtocols values are in place.
func win7(name string, fixed bool) winrmsim.Profile {
	dll := "6.1.7601.17514 (win7sp1_rtm.101119-1850)"
	reg := map[string]map[string]winrmsim.RegistryValue{
		checks.KeyIE:         {"Version": {Type: "REG_SZ", Data: []byte(`"9.11.9600.19596"`)}, "svcVersion": {Type: "REG_SZ", Data: []byte(`"11.0.9600.19596"`)}},
		checks.KeySchannel12: {"DisabledByDefault": dword(0)},
	}
	if fixed {
		dll = "6.1.7601.23375 (win7sp1_ldr.160303-0600)"
		reg[checks.KeyWinHTTP64] = map[string]winrmsim.RegistryValue{"DefaultSecureProtocols": dword(0xA00)}
		reg[checks.KeyWinHTTP32] = map[string]winrmsim.RegistryValue{"DefaultSecureProtocols": dword(0xA00)}
	}
	return winrmsim.Profile{
		Name: name,
		OS:   winrmsim.OSInfo{Caption: "Microsoft Windows 7 Enterprise", Version: "6.1.7601", ServicePack: 1, ProductType: "workstation", Arch: "64-bit"},
		Files: map[string]string{
			`C:\Windows\System32\webio.dll`:   dll,
			`C:\Windows\System32\winhttp.dll`: dll,
		},
		Registry: reg,
	}
}

func collectorFor(client *remote.Client) scan.Collector {
	items := checks.Items()
	return scan.CollectorFunc(func(ctx context.Context, t scan.Target) (*facts.Facts, error) {
		ep, err := remote.ParseEndpoint(t.Address)
		if err != nil {
			return nil, err
		}
		return client.Collect(ctx, ep, items)
	})
}

func settleGoroutines(base int) int {
	deadline := time.Now().Add(10 * time.Second)
	n := runtime.NumGoroutine()
	for n > base && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// The acceptance test of the core issue: 200 simulated hosts scanned over real WinRM, every
// host exactly once with the verdict of its profile, and afterwards no goroutine, shell or
// connection left behind.
func TestScan200SimulatedHosts_noLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("scans 200 hosts")
	}
	base := runtime.NumGoroutine()

	var profiles []winrmsim.Profile
	for i := 0; i < 200; i++ {
		p := win7(fmt.Sprintf("PC-%03d", i), i%2 == 0)
		if i%25 == 3 {
			p.Fault = winrmsim.FaultRefuse
		}
		profiles = append(profiles, p)
	}
	ctx := context.Background()
	fleet, err := winrmsim.StartFleet(ctx, profiles, winrmsim.Options{User: labUser, Password: labPass, ScriptValidator: psgtest.ScriptValidator(t, grammar)})
	if err != nil {
		t.Fatal(err)
	}
	client, err := remote.NewClient(remote.Config{User: labUser, Password: labPass, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var targets []scan.Target
	for _, h := range fleet.Hosts() {
		targets = append(targets, scan.Target{Name: h.Name(), Address: h.Addr()})
	}
	got := map[string]scan.Result{}
	_, err = scan.Run(ctx, targets, collectorFor(client), scan.Options{
		Concurrency: 16,
		Timeout:     30 * time.Second,
		Categorize:  func(err error) string { return string(remote.CategoryOf(err)) },
	}, scan.HandlerFunc(func(r scan.Result) error {
		if _, dup := got[r.Host]; dup {
			t.Errorf("host %s reported twice", r.Host)
		}
		got[r.Host] = r
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 200 {
		t.Fatalf("got %d results, want 200", len(got))
	}
	for i, p := range profiles {
		r := got[p.Name]
		want := checks.Action
		switch {
		case i%25 == 3:
			want = checks.Unknown
			if r.Error == nil || r.Error.Category != scan.CategoryUnreachable {
				t.Errorf("%s: error %+v, want unreachable", p.Name, r.Error)
			}
		case i%2 == 0:
			want = checks.Ready
		}
		if r.Verdict != want {
			t.Errorf("%s: verdict %s, want %s (%+v)", p.Name, r.Verdict, want, r.Error)
		}
	}
	for _, h := range fleet.Hosts() {
		if n := h.OpenShells(); n != 0 {
			t.Errorf("%s: %d shell(s) left open", h.Name(), n)
		}
		if st := h.Stats(); st.Create != st.Delete {
			t.Errorf("%s: %d shells created, %d deleted", h.Name(), st.Create, st.Delete)
		}
	}
	client.Close()
	if err := fleet.Close(); err != nil {
		t.Fatal(err)
	}
	if n := settleGoroutines(base); n > base {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d before, %d after\n%s", base, n, buf[:runtime.Stack(buf, true)])
	}
}

// A SOAP fault answered by the simulated host during Receive ends the command with a typed
// error after a bounded number of requests, and the shell is still deleted.
func TestReceiveFaultFromSimulator_endsWithTypedError(t *testing.T) {
	for _, fault := range []string{"InvalidParameter", "InvalidSelectors", "InternalError"} {
		t.Run(fault, func(t *testing.T) {
			h, err := winrmsim.Start(context.Background(), win7("PC-FAULT", true), winrmsim.Options{User: labUser, Password: labPass, ReceiveFault: fault,
				ScriptValidator: psgtest.ScriptValidator(t, grammar)})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			client, err := remote.NewClient(remote.Config{User: labUser, Password: labPass, Timeout: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			ep, _ := remote.ParseEndpoint(h.Addr())
			_, err = client.Collect(context.Background(), ep, checks.Items())
			var fe *remote.FaultError
			if !errors.As(err, &fe) || !strings.HasSuffix(fe.Subcode, fault) {
				t.Fatalf("err = %v, want a *remote.FaultError with subcode %s", err, fault)
			}
			if c := remote.CategoryOf(err); c != remote.CategoryWinRM {
				t.Errorf("category %s, want winrm", c)
			}
			st := h.Stats()
			if st.Receive > 3 || st.Requests > 10 {
				t.Errorf("%d Receive and %d requests in all: not bounded", st.Receive, st.Requests)
			}
			if st.Delete != 1 || h.OpenShells() != 0 {
				t.Errorf("shell not deleted: %+v, open %d", st, h.OpenShells())
			}
		})
	}
}
