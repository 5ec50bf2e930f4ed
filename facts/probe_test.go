package facts

import (
	"reflect"
	"strings"
	"testing"
)

func sampleProbe() *Probe {
	return &Probe{ItemID: "probe", Target: "outlook.office365.com:443", Outcome: ProbeOK, Via: ViaProxy, Proxy: "proxy.corp:8080",
		Protocol: "Tls12", Cipher: "Aes256", CipherBits: 256, Hash: "Sha384", HashBits: 384, KeyExchange: "44550", KeyExchangeBits: 255,
		Subject: "CN=outlook.com, O=Microsoft Corporation\t<b>", Issuer: "CN=DigiCert Cloud Services CA-1", Root: "CN=DigiCert Global Root G2",
		RootThumbprint: "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4", ChainStatus: "RevocationStatusUnknown", Error: "", Code: "0x80090326", ElapsedMS: 312}
}

func sampleProbeFacts() *Facts {
	f := sampleFacts()
	f.Probe = sampleProbe()
	return f
}

func TestProbeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		p    *Probe
	}{
		{"ok through the proxy", sampleProbe()},
		{"refused", &Probe{ItemID: "probe", Target: "[::1]:443", Outcome: ProbeRefused, Via: ViaDirect, Error: "Authentication failed because the remote party has closed the transport stream.\r\nline 2", Code: "-2146232800", ElapsedMS: 10000}},
		{"needs the shell", &Probe{ItemID: "probe", Target: "outlook.office365.com:443", Outcome: ProbeNeedsShell}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sampleFacts()
			f.Probe = tt.p
			got, err := ParseOutput(Encode(f))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Probe, tt.p) {
				t.Errorf("probe\n%+v\nwant\n%+v", got.Probe, tt.p)
			}
		})
	}
}

func TestParseProbeRejects(t *testing.T) {
	good := string(Encode(sampleProbeFacts()))
	var probeLine string
	for _, l := range strings.Split(good, "\r\n") {
		if strings.HasPrefix(l, "probe\t") {
			probeLine = l
		}
	}
	field := func(i int, v string) string {
		f := strings.Split(probeLine, "\t")
		f[i] = v
		return strings.Replace(good, probeLine, strings.Join(f, "\t"), 1)
	}
	tests := []struct{ name, out, want string }{
		{"unknown outcome", field(3, "intercepted"), "outcome"},
		{"bad via", field(4, "tunnel"), "via"},
		{"bits not a number", field(8, "256x"), "not a number"},
		{"bits negative", field(10, "-1"), "not a number"},
		{"elapsed too large", field(20, "99999999"), "not a number"},
		{"thumbprint not hex", field(16, "DF3C24F9BFD6 66761"), "thumbprint"},
		{"code with text", field(19, "0x8009;rm"), "code"},
		{"bad base64 subject", field(13, "!!"), "base64"},
		{"bad item id", field(1, "Probe!"), "item id"},
		{"field missing", strings.Replace(good, probeLine, probeLine[:strings.LastIndexByte(probeLine, '\t')], 1), "want 21 fields"},
		{"two probe records", strings.Replace(good, probeLine, probeLine+"\r\n"+probeLine, 1), "second probe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOutput([]byte(tt.out))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestValidateProbeItem(t *testing.T) {
	ok := ProbeItem("probe", "outlook.office365.com:443", 10000)
	tests := []struct {
		name  string
		items []Item
		want  string // "" for valid
	}{
		{"valid", []Item{ok}, ""},
		{"ip target", []Item{ProbeItem("probe", "203.0.113.7:8443", 500)}, ""},
		{"ipv6 target", []Item{ProbeItem("probe", "[2001:db8::1]:443", 500)}, ""},
		{"two probes", []Item{ok, ProbeItem("probe2", "a.example:443", 1)}, "second probe"},
		{"no port", []Item{ProbeItem("probe", "outlook.office365.com", 1)}, "missing port"},
		{"port zero", []Item{ProbeItem("probe", "a.example:0", 1)}, "port"},
		{"port too large", []Item{ProbeItem("probe", "a.example:65536", 1)}, "port"},
		{"quote in host", []Item{ProbeItem("probe", "a'b.example:443", 1)}, "not a host name"},
		{"space in host", []Item{ProbeItem("probe", "a b:443", 1)}, "not a host name"},
		{"timeout zero", []Item{ProbeItem("probe", "a.example:443", 0)}, "timeout"},
		{"timeout too long", []Item{ProbeItem("probe", "a.example:443", MaxProbeTimeoutMS+1)}, "timeout"},
		{"timeout not a number", []Item{{ID: "probe", Kind: KindProbe, Path: "a.example:443", Name: "10s"}}, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.items)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				block, err := FormatItems(tt.items)
				if err != nil {
					t.Fatal(err)
				}
				back, err := ParseItems("x\n" + block + "\n")
				if err != nil || !reflect.DeepEqual(back, tt.items) {
					t.Fatalf("items back %+v, %v", back, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
