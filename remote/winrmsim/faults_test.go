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
	fleet, err := StartFleet(ctx, profiles, judged(t, basicLab(Options{User: testUser, Password: testPassword})))
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
	tests := []struct {
		name  string
		spec  GenerateSpec
		want  map[string]int // hosts per fault, "" = healthy
		first string         // the first host's name
		last  string
	}{
		{"500 hosts, the fault mix of the fleet test", GenerateSpec{N: 500, Seed: 7, Mix: mix, Latency: "0-50ms", Base: base},
			map[string]int{"": 375, FaultRefuse: 50, FaultTimeout: 25, FaultQuotaThenOK: 25, FaultReset: 15, FaultAuth: 10}, "SIM-00001", "SIM-00500"},
		{"50 hosts as lab --generate 50 --fault-mix refuse=10,auth=10", GenerateSpec{N: 50, Seed: 1, Mix: map[string]float64{FaultRefuse: 0.1, FaultAuth: 0.1}, Base: base},
			map[string]int{"": 40, FaultRefuse: 5, FaultAuth: 5}, "SIM-00001", "SIM-00050"},
		{"rounding half away from zero", GenerateSpec{N: 7, Seed: -3, Mix: map[string]float64{FaultSlow: 0.5, FaultGarbage: 0.01}, Base: base[:1]},
			map[string]int{"": 3, FaultSlow: 4}, "SIM-00001", "SIM-00007"},
		{"no faults", GenerateSpec{N: 3, Base: base, Latency: "20ms"}, map[string]int{"": 3}, "SIM-00001", "SIM-00003"},
		{"wider names past 99999", GenerateSpec{N: 100000, Seed: 2, Mix: map[string]float64{FaultRefuse: 0.00001}, Base: base},
			map[string]int{"": 99999, FaultRefuse: 1}, "SIM-000001", "SIM-100000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := Generate(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{}
			names := map[string]bool{}
			based := map[string]int{}
			for _, p := range ps {
				counts[p.Fault]++
				names[p.Name] = true
				based[p.BasedOn]++
				if (p.Fault == "" && p.Latency != tc.spec.Latency) || (p.Fault != "" && p.Latency != "") {
					t.Errorf("%s: fault %q latency %q: only healthy hosts get the latency %q", p.Name, p.Fault, p.Latency, tc.spec.Latency)
				}
			}
			if len(counts) != len(tc.want) {
				t.Errorf("faults %v, want %v", counts, tc.want)
			}
			for f, n := range tc.want {
				if counts[f] != n {
					t.Errorf("fault %q: %d hosts, want %d", f, counts[f], n)
				}
			}
			if len(names) != tc.spec.N || ps[0].Name != tc.first || ps[len(ps)-1].Name != tc.last {
				t.Errorf("names: %d unique, %s..%s; want %d, %s..%s", len(names), ps[0].Name, ps[len(ps)-1].Name, tc.spec.N, tc.first, tc.last)
			}
			for _, b := range tc.spec.Base {
				if based[b.Name] == 0 {
					t.Errorf("no host based on %s: %v", b.Name, based)
				}
			}
			if len(based) != len(tc.spec.Base) {
				t.Errorf("based on %v, want only the base profiles", based)
			}
		})
	}
}

func TestGenerate_seedAndCopies(t *testing.T) {
	base := []Profile{mustProfile(t, win7), mustProfile(t, win10)}
	mix := map[string]float64{FaultRefuse: 0.10, FaultTimeout: 0.05, FaultQuotaThenOK: 0.05, FaultReset: 0.03, FaultAuth: 0.02}
	gen := func(seed int64) []Profile {
		ps, err := Generate(GenerateSpec{N: 500, Seed: seed, Mix: mix, Base: base})
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	ps, again, other := gen(7), gen(7), gen(8)
	same, differs := true, false
	for i := range ps {
		same = same && again[i].Fault == ps[i].Fault && again[i].BasedOn == ps[i].BasedOn
		differs = differs || other[i].Fault != ps[i].Fault
	}
	if !same || !differs {
		t.Errorf("deterministic per seed: same seed equal %t, other seed differs %t", same, differs)
	}

	// Every host has maps of its own: a change to one is not a change to the others or the base.
	var w7 []Profile
	for _, p := range ps {
		if p.BasedOn == "PC-W7-01" {
			w7 = append(w7, p)
		}
	}
	w7[0].Files[`C:\Windows\System32\webio.dll`] = "changed"
	for k := range w7[0].Registry {
		w7[0].Registry[k]["DefaultSecureProtocols"] = RegistryValue{Type: "REG_SZ", Data: []byte(`"x"`)}
	}
	for _, p := range append(w7[1:], base[0]) {
		if p.Files[`C:\Windows\System32\webio.dll`] == "changed" {
			t.Fatalf("%s shares its files with %s", p.Name, w7[0].Name)
		}
		for k := range p.Registry {
			if p.Registry[k]["DefaultSecureProtocols"].Type != "REG_DWORD" {
				t.Fatalf("%s shares its registry with %s", p.Name, w7[0].Name)
			}
		}
	}
}

func TestGenerate_refuses(t *testing.T) {
	base := []Profile{mustProfile(t, win7), mustProfile(t, win10)}
	tests := []struct {
		name string
		spec GenerateSpec
		want string
	}{
		{"no hosts", GenerateSpec{N: 0, Base: base}, "N 0"},
		{"no base", GenerateSpec{N: 10}, "no base profiles"},
		{"more faults than hosts", GenerateSpec{N: 10, Base: base, Mix: map[string]float64{FaultRefuse: 0.7, FaultAuth: 0.7}}, "add up to 14 hosts of 10"},
		{"unknown fault", GenerateSpec{N: 10, Base: base, Mix: map[string]float64{"melt": 0.1}}, `fault "melt"`},
		{"empty fault name", GenerateSpec{N: 10, Base: base, Mix: map[string]float64{"": 0.1}}, `fault ""`},
		{"negative fraction", GenerateSpec{N: 10, Base: base, Mix: map[string]float64{FaultAuth: -0.1}}, "want 0..1"},
		{"bad latency", GenerateSpec{N: 10, Base: base, Latency: "soon"}, "latency"},
		{"bad base profile", GenerateSpec{N: 10, Base: []Profile{{Name: "X"}}}, "base profile X"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Generate(tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
}
