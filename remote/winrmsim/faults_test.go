package winrmsim

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

func createRequest(c *client) string {
	return c.envelope(soapReq{action: actionCreate,
		body: `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`})
}

func TestFaultQuotaThenOK(t *testing.T) {
	h := startHost(t, withFault(t, win10, "PC-BUSY", FaultQuotaThenOK), Options{})
	c := newClient(t, h)
	for i := 1; i <= 2; i++ {
		resp := c.post(createRequest(c))
		if resp.status != 500 || resp.root == nil || !strings.Contains(faultMessage(resp.root), "maximum number of") {
			t.Fatalf("Create %d: HTTP %d %s, want the MaxShellsPerUser quota fault", i, resp.status, truncate(string(resp.body), 300))
		}
		if got, want := faultCode(resp.root), faultCode(mustParse(t, maxShellsFault(30))); got != want || got == "" {
			t.Errorf("Create %d: fault code %q, want %q (MaxShellsPerUser)", i, got, want)
		}
	}
	id := c.createShell() // the third works
	stdout, _, code := c.receiveAll(id, c.command(id, nil, "hostname"))
	if code != 0 || strings.TrimSpace(string(stdout)) != "PC-BUSY" {
		t.Errorf("after the quota faults: hostname = %q, exit %d", stdout, code)
	}
}

// mustParse renders a fault as the host sends it and parses it back.
func mustParse(t *testing.T, f soapFault) *node {
	t.Helper()
	n, err := parseTree(f.render("uuid:x", "pc"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFaultResetCutsTheCommandAnswer(t *testing.T) {
	h := startHost(t, withFault(t, win10, "PC-RESET", FaultReset), Options{})
	c := newClient(t, h)
	id := c.createShell() // authentication and Create work
	_, err := c.postErr(context.Background(), c.envelope(soapReq{action: actionCommand, shellID: id, body: commandBody("hostname")}))
	if err == nil {
		t.Fatal("Command answered in full, want the connection reset mid-response")
	}
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want a connection reset or unexpected EOF", err)
	}
}

func TestFaultSlowAndLatency(t *testing.T) {
	tests := []struct {
		name    string
		profile Profile
		opts    Options
		min     time.Duration
	}{
		{"slow fault", withFault(t, win10, "PC-SLOW", FaultSlow), Options{}, 500 * time.Millisecond},
		{"profile latency range", func() Profile { p := mustProfile(t, win10); p.Latency = "150ms-200ms"; return p }(), Options{}, 150 * time.Millisecond},
		{"fleet latency", mustProfile(t, win10), Options{Latency: 120 * time.Millisecond}, 120 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := startHost(t, tc.profile, tc.opts)
			c := newClient(t, h)
			start := time.Now()
			id := c.createShell()
			if d := time.Since(start); d < tc.min {
				t.Errorf("Create answered after %s, want at least %s", d, tc.min)
			}
			if id == "" {
				t.Error("no shell")
			}
		})
	}
	for _, bad := range []string{"fast", "200ms-100ms", "-5ms", "1s-x"} {
		if _, err := ParseLatency(bad); err == nil {
			t.Errorf("ParseLatency(%q) accepted", bad)
		}
	}
}

func TestExecTimeDelaysTheOutput(t *testing.T) {
	h := startHost(t, mustProfile(t, win10), Options{ExecTime: 300 * time.Millisecond})
	c := newClient(t, h)
	id := c.createShell()
	start := time.Now()
	stdout, _, _ := c.receiveAll(id, c.command(id, nil, "hostname"))
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("output after %s, want at least the 300 ms exec time", d)
	}
	if strings.TrimSpace(string(stdout)) != "PC-W10-01" {
		t.Errorf("stdout %q", stdout)
	}
}

func TestClearFaults(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var profiles []Profile
	for _, f := range []string{FaultRefuse, FaultAuth, FaultTimeout, FaultQuotaThenOK, FaultReset} {
		profiles = append(profiles, withFault(t, win10, "PC-"+strings.ToUpper(f), f))
	}
	fleet, err := StartFleet(ctx, profiles, basicLab(Options{User: testUser, Password: testPassword}))
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	refuse := fleet.Host("PC-REFUSE")
	if conn, err := net.DialTimeout("tcp", refuse.Addr(), time.Second); err == nil {
		conn.Close()
		t.Fatal("the refusing host accepted a connection before ClearFaults")
	}
	if err := fleet.ClearFaults(); err != nil {
		t.Fatal(err)
	}
	for _, h := range fleet.Hosts() {
		c := newClient(t, h)
		id := c.createShell()
		stdout, _, code := c.receiveAll(id, c.command(id, nil, "hostname"))
		if code != 0 || strings.TrimSpace(string(stdout)) != h.Name() {
			t.Errorf("%s after ClearFaults: %q exit %d", h.Name(), stdout, code)
		}
	}
}

func TestGenerate(t *testing.T) {
	base := []Profile{mustProfile(t, win7), mustProfile(t, win10)}
	mix := map[string]float64{FaultRefuse: 0.10, FaultTimeout: 0.05, FaultQuotaThenOK: 0.05, FaultReset: 0.03, FaultAuth: 0.02}
	spec := GenerateSpec{N: 500, Seed: 7, Mix: mix, Latency: "0-50ms", Base: base}
	ps, err := Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	names := map[string]bool{}
	for _, p := range ps {
		counts[p.Fault]++
		names[p.Name] = true
		if p.BasedOn != "PC-W7-01" && p.BasedOn != "PC-W10-01" {
			t.Errorf("%s based on %q", p.Name, p.BasedOn)
		}
		if (p.Fault == "") != (p.Latency == "0-50ms") {
			t.Errorf("%s: fault %q latency %q: only healthy hosts get the latency", p.Name, p.Fault, p.Latency)
		}
	}
	want := map[string]int{"": 375, FaultRefuse: 50, FaultTimeout: 25, FaultQuotaThenOK: 25, FaultReset: 15, FaultAuth: 10}
	for f, n := range want {
		if counts[f] != n {
			t.Errorf("fault %q: %d hosts, want %d", f, counts[f], n)
		}
	}
	if len(names) != 500 || !names["SIM-00001"] || !names["SIM-00500"] {
		t.Errorf("names: %d unique", len(names))
	}
	again, _ := Generate(spec)
	other, _ := Generate(GenerateSpec{N: 500, Seed: 8, Mix: mix, Base: base})
	same, differs := true, false
	for i := range ps {
		same = same && again[i].Fault == ps[i].Fault && again[i].BasedOn == ps[i].BasedOn
		differs = differs || other[i].Fault != ps[i].Fault
	}
	if !same || !differs {
		t.Errorf("deterministic per seed: same seed equal %t, other seed differs %t", same, differs)
	}
	for _, bad := range []GenerateSpec{
		{N: 0, Base: base}, {N: 10}, {N: 10, Base: base, Mix: map[string]float64{FaultRefuse: 0.7, FaultAuth: 0.7}},
		{N: 10, Base: base, Mix: map[string]float64{"melt": 0.1}}, {N: 10, Base: base, Latency: "soon"},
	} {
		if _, err := Generate(bad); err == nil {
			t.Errorf("Generate(%+v) accepted", bad)
		}
	}
}
