package winrmsim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remote"
)

// clientItems is what the real client asks the hosts for in these tests.
var clientItems = []facts.Item{{ID: "dsp", Kind: facts.KindRegistry, Key: dspKey, Name: "DefaultSecureProtocols"}}

// realClient is the scanner's WinRM client (remote), with NTLM as "tlsready scan --auth ntlm"
// uses it; caPEM, when given, makes it speak HTTPS and trust that CA.
func realClient(t *testing.T, caPEM []byte) *remote.Client {
	t.Helper()
	cfg := remote.Config{User: testUser, Password: testPassword, Auth: remote.AuthNTLM, Timeout: 20 * time.Second}
	if caPEM != nil {
		cfg.HTTPS, cfg.CAFile = true, filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(cfg.CAFile, caPEM, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := remote.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func collect(t *testing.T, c *remote.Client, h *Host) (*facts.Facts, error) {
	t.Helper()
	ep, err := remote.ParseEndpoint(h.Addr())
	if err != nil {
		t.Fatal(err)
	}
	return c.Collect(context.Background(), ep, clientItems)
}

// wantCollected fails unless a Collect succeeded and reported the host.
func wantCollected(t *testing.T, h *Host, f *facts.Facts, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: Collect: %v", h.Name(), err)
	}
	if f.ComputerName != h.Name() {
		t.Errorf("%s: Collect reported computer %q", h.Name(), f.ComputerName)
	}
}

// wantQuota fails unless err is the MaxShellsPerUser quota fault, as Windows sends it.
func wantQuota(t *testing.T, err error) {
	t.Helper()
	var fe *remote.FaultError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *remote.FaultError", err)
	}
	if fe.HTTPStatus != 500 || fe.Code != "s:Sender" || fe.Subcode != "w:QuotaLimit" || fe.WSManCode != 2150859173 ||
		!strings.Contains(fe.Message, "maximum number of 30 concurrent shells") {
		t.Errorf("fault %+v, want HTTP 500 s:Sender w:QuotaLimit 2150859173 with the quota of 30 shells", fe)
	}
	if !remote.IsQuota(err) || !remote.Transient(err) {
		t.Errorf("IsQuota %t, Transient %t: want both (a scan retries a busy host)", remote.IsQuota(err), remote.Transient(err))
	}
}

// wantReset fails unless err is a connection cut in the middle of an answer: no HTTP status
// error, no SOAP fault, but a reset or an early end of the body, which the scanner retries.
func wantReset(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("Collect succeeded, want the connection reset mid-response")
	}
	var he *remote.HTTPError
	var fe *remote.FaultError
	var ae *remote.AuthError
	if errors.As(err, &he) || errors.As(err, &fe) || errors.As(err, &ae) {
		t.Errorf("err = %v: a clean HTTP answer, want a cut connection", err)
	}
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want a connection reset or an unexpected EOF", err)
	}
	if !remote.Transient(err) || remote.CategoryOf(err) != remote.CategoryWinRM {
		t.Errorf("err = %v: Transient %t, category %s; want transient, winrm", err, remote.Transient(err), remote.CategoryOf(err))
	}
	t.Logf("the client reports: %v", err)
}

// The faults as the scanner's client meets them.
func TestFaultsWithTheClient(t *testing.T) {
	lt, err := NewLabTLS()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		fault string
		https bool
		wire  bool // Options.Wire taps the answers
		// steps are successive Collects; each checks its outcome.
		steps []func(t *testing.T, h *Host, f *facts.Facts, err error)
		after func(t *testing.T, h *Host)
	}{
		{
			name: "quota-then-ok: two quota faults, then the facts", fault: FaultQuotaThenOK,
			steps: []func(*testing.T, *Host, *facts.Facts, error){
				func(t *testing.T, _ *Host, _ *facts.Facts, err error) { wantQuota(t, err) },
				func(t *testing.T, _ *Host, _ *facts.Facts, err error) { wantQuota(t, err) },
				wantCollected,
				wantCollected,
			},
			after: func(t *testing.T, h *Host) {
				if s := h.Stats(); s.Create != 4 || s.Command != 2 {
					t.Errorf("Create %d, Command %d: want 4 and 2 (no command on a refused Create)", s.Create, s.Command)
				}
			},
		},
		{
			name: "reset over HTTP (NTLM, encrypted)", fault: FaultReset,
			steps: []func(*testing.T, *Host, *facts.Facts, error){
				func(t *testing.T, _ *Host, _ *facts.Facts, err error) { wantReset(t, err) },
				func(t *testing.T, _ *Host, _ *facts.Facts, err error) { wantReset(t, err) },
			},
			after: func(t *testing.T, h *Host) {
				if s := h.Stats(); s.Logons < 2 || s.Create != 2 || s.Resets != 2 {
					t.Errorf("stats %+v: want each Collect to log on, create a shell and be cut at its Command", s)
				}
			},
		},
		{
			name: "reset over HTTPS", fault: FaultReset, https: true,
			steps: []func(*testing.T, *Host, *facts.Facts, error){
				func(t *testing.T, _ *Host, _ *facts.Facts, err error) { wantReset(t, err) },
			},
			after: func(t *testing.T, h *Host) {
				if s := h.Stats(); s.Resets != 1 {
					t.Errorf("Resets %d, want 1", s.Resets)
				}
			},
		},
		{
			name: "reset with Options.Wire tapping the answers", fault: FaultReset, wire: true,
			steps: []func(*testing.T, *Host, *facts.Facts, error){
				func(t *testing.T, _ *Host, _ *facts.Facts, err error) { wantReset(t, err) },
			},
		},
		{
			name: "slow: late but right", fault: FaultSlow,
			steps: []func(*testing.T, *Host, *facts.Facts, error){wantCollected},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Auth: []string{SchemeNegotiate}}
			var ca []byte
			if tc.https {
				opts.TLS, ca = lt.Server, lt.CAPEM
			}
			if tc.wire {
				opts.Wire = func(string, http.Header, []byte) {}
			}
			h := startHost(t, withFault(t, win10, "PC-"+strings.ToUpper(tc.fault), tc.fault), opts)
			c := realClient(t, ca)
			for i, check := range tc.steps {
				start := time.Now()
				f, err := collect(t, c, h)
				if tc.fault == FaultSlow && time.Since(start) < 500*time.Millisecond {
					t.Errorf("Collect %d took %s, want at least the slow fault's 0.5 s", i+1, time.Since(start))
				}
				check(t, h, f, err)
			}
			if tc.after != nil {
				tc.after(t, h)
			}
		})
	}
}

// ClearFaults turns refusing and rejecting hosts into working ones, while requests are in
// flight.
func TestClearFaultsWithTheClient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var profiles []Profile
	for _, f := range []string{FaultRefuse, FaultAuth, FaultQuotaThenOK, FaultReset, FaultGarbage} {
		profiles = append(profiles, withFault(t, win10, "PC-"+strings.ToUpper(f), f))
	}
	fleet, err := StartFleet(ctx, profiles, judged(t, Options{User: testUser, Password: testPassword}))
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	c := realClient(t, nil)
	before := map[string]remote.Category{
		"PC-REFUSE": remote.CategoryUnreachable, "PC-AUTH": remote.CategoryAuth,
		"PC-RESET": remote.CategoryWinRM, "PC-GARBAGE": remote.CategoryCollector,
	}
	for name, want := range before {
		if _, err := collect(t, c, fleet.Host(name)); remote.CategoryOf(err) != want {
			t.Errorf("%s before ClearFaults: err = %v, want category %s", name, err, want)
		}
	}

	// Requests in flight while the faults are cleared: whatever they get, nothing races.
	var wg sync.WaitGroup
	for _, h := range fleet.Hosts() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				ep, _ := remote.ParseEndpoint(h.Addr())
				_, _ = c.Collect(ctx, ep, clientItems)
			}
		}()
	}
	if err := fleet.ClearFaults(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	for _, h := range fleet.Hosts() {
		f, err := collect(t, c, h)
		wantCollected(t, h, f, err)
	}
	if err := fleet.Host("PC-REFUSE").ClearFault(); err != nil {
		t.Errorf("ClearFault again: %v", err)
	}
}

// Delays end when the client goes away or the host closes: Close does not wait for them.
func TestDelaysEndEarly(t *testing.T) {
	const long = time.Minute
	tests := []struct {
		name    string
		latency string
		opts    Options
		// receive makes the request that waits a Receive of a started command.
		receive bool
	}{
		{"profile latency", "1m", Options{}, false},
		{"profile latency range", "1m-2m", Options{}, false},
		{"Options.Latency", "", Options{Latency: long}, false},
		{"Options.ExecTime", "", Options{ExecTime: long}, true},
	}
	for _, tc := range tests {
		for _, end := range []string{"client gone", "host closed"} {
			t.Run(tc.name+"/"+end, func(t *testing.T) {
				t.Parallel()
				p := mustProfile(t, win10)
				p.Latency = tc.latency
				h := startHost(t, p, tc.opts)
				c := newClient(t, h)
				body := createRequest(c)
				waitFor := func(s Stats) bool { return s.Requests >= 1 }
				if tc.receive {
					id := c.createShell()
					cmd := c.command(id, nil, "hostname")
					body = c.envelope(soapReq{action: actionReceive, shellID: id, body: receiveBody(cmd)})
					waitFor = func(s Stats) bool { return s.Receive >= 1 }
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				done := make(chan error, 1)
				go func() {
					_, err := c.postErr(ctx, body)
					done <- err
				}()
				for !waitFor(h.Stats()) {
					time.Sleep(5 * time.Millisecond)
				}
				start := time.Now()
				if end == "client gone" {
					cancel()
					c.hc.CloseIdleConnections()
					for h.OpenConnections() > 0 && time.Since(start) < long/2 {
						time.Sleep(5 * time.Millisecond)
					}
					if n := h.OpenConnections(); n > 0 {
						t.Errorf("%d connections still open %s after the client went away", n, time.Since(start))
					}
				} else if err := h.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
				if d := time.Since(start); d >= long/2 {
					t.Errorf("the delay ran on for %s after the %s", d, end)
				}
				if err := <-done; err == nil {
					t.Error("the request was answered, want it cut")
				}
			})
		}
	}
}
