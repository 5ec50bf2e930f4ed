package winrmsim

import (
	"strings"
	"testing"

	"github.com/tlsready/tlsready/facts"
)

// probeHost is a Windows 10 host with the given probe field ("" for none) and extra registry
// keys (JSON members of "registry").
func probeHost(t *testing.T, version, probe, registry string) *host {
	t.Helper()
	js := `{"name": "PC-PROBE", "os": {"caption": "Microsoft Windows 10 Enterprise", "version": "` + version + `", "servicePack": 0,
	 "productType": "workstation", "arch": "64-bit"}, "files": {}, "registry": {` + registry + `}, "fault": ""`
	if probe != "" {
		js += `, "probe": ` + probe
	}
	h, err := compile(mustProfile(t, js+"}"))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestProbeAnswers(t *testing.T) {
	item := facts.ProbeItem("probe", "outlook.office365.com:443", 7000)
	tls12Off := `"HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client": {"Enabled": {"type": "REG_DWORD", "data": 0}}`
	tests := []struct {
		name, version, probe, registry string
		want                           facts.Probe
	}{
		{"no field: ok from the configuration", "10.0.19045", "", "", facts.Probe{Outcome: facts.ProbeOK, Via: "direct", Protocol: "Tls12",
			Cipher: "Aes256", CipherBits: 256, Hash: "Sha384", HashBits: 384, KeyExchange: "44550", KeyExchangeBits: 255,
			Subject: m365Subject, Issuer: m365Issuer, Root: m365Root, RootThumbprint: m365RootThumbprint, ElapsedMS: 150}},
		{"no field, TLS 1.2 client off: refused", "10.0.19045", "", tls12Off, facts.Probe{Outcome: facts.ProbeRefused, Via: "direct",
			Error: "The message received was unexpected or badly formatted", Code: "0x80090326", ElapsedMS: 150}},
		{"no field, Server 2008: refused", "6.0.6002", "", "", facts.Probe{Outcome: facts.ProbeRefused, Via: "direct",
			Error: "The message received was unexpected or badly formatted", Code: "0x80090326", ElapsedMS: 150}},
		{"intercepted: ok with the inspecting root", "10.0.19045", `{"outcome": "intercepted", "via": "proxy", "proxy": "p.corp:3128"}`, "",
			facts.Probe{Outcome: facts.ProbeOK, Via: "proxy", Proxy: "p.corp:3128", Protocol: "Tls12", Cipher: "Aes256", CipherBits: 256,
				Hash: "Sha384", HashBits: 384, KeyExchange: "44550", KeyExchangeBits: 255, Subject: "CN=outlook.office365.com",
				Issuer: "CN=CORP TLS Inspection CA, DC=corp, DC=example", Root: inspectRoot, RootThumbprint: inspectThumbprint, ElapsedMS: 150}},
		{"noroute takes the whole bound", "10.0.19045", `{"outcome": "noroute"}`, "", facts.Probe{Outcome: facts.ProbeNoRoute, Via: "direct",
			Error: "A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond",
			Code:  "10060", ElapsedMS: 7000}},
		{"proxy", "10.0.19045", `{"outcome": "proxy"}`, "", facts.Probe{Outcome: facts.ProbeProxy, Via: "proxy", Proxy: "proxy.corp.example:8080",
			Error: "the proxy answered: HTTP/1.1 407 Proxy Authentication Required", ElapsedMS: 150}},
		{"error with the profile's details", "10.0.19045", `{"outcome": "error", "error": "boom", "code": "0x1", "elapsedMs": 2}`, tls12Off,
			facts.Probe{Outcome: facts.ProbeError, Via: "direct", Error: "boom", Code: "0x1", ElapsedMS: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := probeHost(t, tt.version, tt.probe, tt.registry)
			f := h.collect([]facts.Item{item}, testUser)
			tt.want.ItemID, tt.want.Target = "probe", "outlook.office365.com:443"
			if f.Probe == nil || *f.Probe != tt.want {
				t.Fatalf("probe\n%+v\nwant\n%+v", f.Probe, tt.want)
			}
			// What the host prints is what the real collector prints: it parses.
			back, err := facts.ParseOutput(facts.Encode(f))
			if err != nil || *back.Probe != tt.want {
				t.Fatalf("through the wire: %+v, %v", back.Probe, err)
			}
			// Without the probe item, no probe line.
			if g := h.collect(nil, testUser); g.Probe != nil {
				t.Errorf("probe answered without the item: %+v", g.Probe)
			}
		})
	}
}

func TestProbeProfileRejected(t *testing.T) {
	tests := []struct{ probe, want string }{
		{`{"outcome": "maybe"}`, "probe.outcome"},
		{`{"outcome": "ok", "via": "tunnel"}`, "probe.via"},
		{`{"outcome": "ok", "rootThumbprint": "df3c"}`, "probe.rootThumbprint"},
		{`{"outcome": "ok", "elapsedMs": -1}`, "negative"},
		{`{"outcome": "ok", "colour": "red"}`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.probe, func(t *testing.T) {
			js := `{"name": "PC-PROBE", "os": {"caption": "Microsoft Windows 10 Enterprise", "version": "10.0.19045", "servicePack": 0,
			 "productType": "workstation", "arch": "64-bit"}, "files": {}, "registry": {}, "fault": "", "probe": ` + tt.probe + `}`
			_, err := decodeProfile("p.json", []byte(js))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
