package checks

import (
	"strings"
	"testing"

	"github.com/tlsready/tlsready/facts"
)

// Probes as the collector reports them.
var (
	probeMicrosoft = facts.Probe{ItemID: ItemProbe, Target: "outlook.office365.com:443", Outcome: facts.ProbeOK, Via: facts.ViaDirect,
		Protocol: "Tls12", Cipher: "Aes256", CipherBits: 256, Hash: "Sha384", HashBits: 384, KeyExchange: "44550", KeyExchangeBits: 255,
		Subject: "CN=outlook.com, O=Microsoft Corporation", Issuer: "CN=DigiCert Cloud Services CA-1, O=DigiCert Inc, C=US",
		Root: "CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US", RootThumbprint: "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4", ElapsedMS: 180}
	probeInspected = facts.Probe{ItemID: ItemProbe, Target: "outlook.office365.com:443", Outcome: facts.ProbeOK, Via: facts.ViaProxy, Proxy: "proxy.corp.example:8080",
		Protocol: "Tls12", Cipher: "Aes256", CipherBits: 256, Hash: "Sha384", HashBits: 384, KeyExchange: "44550", KeyExchangeBits: 255,
		Subject: "CN=outlook.office365.com", Issuer: "CN=Contoso TLS Inspection CA", Root: "CN=Contoso Corporate Root CA",
		RootThumbprint: "0123456789ABCDEF0123456789ABCDEF01234567", ElapsedMS: 240}
	probeRefused = facts.Probe{ItemID: ItemProbe, Target: "outlook.office365.com:443", Outcome: facts.ProbeRefused, Via: facts.ViaDirect,
		Error: "Authentication failed because the remote party has closed the transport stream.", Code: "0x80131620", ElapsedMS: 35}
)

func withProbe(b *fb, p facts.Probe) *facts.Facts {
	f := b.build()
	f.Probe = &p
	return f
}

func probeEvalCases() []evalCase {
	other := probeInspected
	other.Target = "intranet.contoso.example:443"
	noroute := facts.Probe{ItemID: ItemProbe, Target: "outlook.office365.com:443", Outcome: facts.ProbeNoRoute, Via: facts.ViaDirect,
		Error: "A connection attempt failed because the connected party did not properly respond", Code: "10060", ElapsedMS: 10000}
	proxy := facts.Probe{ItemID: ItemProbe, Target: "outlook.office365.com:443", Outcome: facts.ProbeProxy, Via: facts.ViaProxy, Proxy: "proxy.corp.example:8080",
		Error: "HTTP/1.1 407 Proxy Authentication Required", ElapsedMS: 12}
	probeErr := facts.Probe{ItemID: ItemProbe, Target: "outlook.office365.com:443", Outcome: facts.ProbeError,
		Error: "The requested security protocol is not supported.", Code: "0x80131515", ElapsedMS: 3}
	shell := facts.Probe{ItemID: ItemProbe, Target: "outlook.office365.com:443", Outcome: facts.ProbeNeedsShell}
	// The machine has a WinHTTP proxy, which its bypass list skips for the target.
	bypassed := probeMicrosoft
	bypassed.Proxy = "proxy.corp.example:8080"
	failed := func(outcome string) []ev {
		return []ev{{IDProbeFailed, Evidence{Name: "probe outlook.office365.com:443", Value: outcome}}}
	}
	return []evalCase{
		{
			name: "Probe_ok_MicrosoftRoot", facts: withProbe(w10(), probeMicrosoft), verdict: Ready,
			ids: []string{IDOfficeInfo, IDProbeOK},
			ev:  []ev{{IDProbeOK, Evidence{Name: "probe root CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US", Value: "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4"}}},
			txt: []txt{{IDProbeOK, "Tls12", false}, {IDProbeOK, "Aes256 256-bit / Sha384 384-bit / ECDHE (44550) 255-bit", false},
				{IDProbeOK, "one of Microsoft 365's (" + SourceM365Chains, false}, {IDProbeOK, "connected directly", false},
				{IDProbeOK, "it does not prove that WinHTTP's DefaultSecureProtocols", false}, {IDProbeOK, SourceProbeTLS12, false},
				{IDProbeOK, "WinHttpRequestOption_SecureProtocols", false}},
		},
		{
			name: "Probe_ok_proxyBypassed", facts: withProbe(w10(), bypassed), verdict: Ready,
			ids: []string{IDOfficeInfo, IDProbeOK},
			ev:  []ev{{IDProbeOK, Evidence{Name: "probe root CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US", Value: "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4"}}},
			txt: []txt{{IDProbeOK, "connected directly, as WinHTTP does for this target", false},
				{IDProbeOK, "WinHTTP proxy proxy.corp.example:8080 is bypassed", false}, {IDProbeOK, "through the machine's WinHTTP", true}},
		},
		{
			name: "Probe_intercepted_corporateRoot", facts: withProbe(w10(), probeInspected), verdict: Ready,
			ids: []string{IDProbeIntercepted, IDOfficeInfo},
			ev:  []ev{{IDProbeIntercepted, Evidence{Name: "probe root CN=Contoso Corporate Root CA", Value: "0123456789ABCDEF0123456789ABCDEF01234567"}}},
			txt: []txt{{IDProbeIntercepted, "CN=Contoso Corporate Root CA", false}, {IDProbeIntercepted, SourceM365Chains, false},
				{IDProbeIntercepted, "WinHTTP proxy proxy.corp.example:8080", false}},
		},
		{
			name: "Probe_ok_notMicrosoftTarget_rootNotJudged", facts: withProbe(w10(), other), verdict: Ready,
			ids: []string{IDOfficeInfo, IDProbeOK},
			ev:  []ev{{IDProbeOK, Evidence{Name: "probe intranet.contoso.example:443", Value: "ok"}}},
			txt: []txt{{IDProbeOK, "intranet.contoso.example:443 is not a Microsoft 365 name", false}, {IDProbeOK, "CN=Contoso Corporate Root CA", false}},
		},
		{
			name: "Probe_refused_onReadyHost_contradiction", facts: withProbe(w10(), probeRefused), verdict: Ready,
			ids: []string{IDProbeFailed, IDOfficeInfo}, ev: failed("refused"),
			txt: []txt{{IDProbeFailed, "TLS 1.2 handshake failed", false}, {IDProbeFailed, "0x80131620", false}, {IDProbeFailed, "(refused)", false}},
		},
		{
			name: "Probe_noroute_usersHaveProxy", facts: withProbe(w10().userDWORD(ItemProbeUserProxy, sidA, 1), noroute), verdict: Ready,
			ids: []string{IDProbeFailed, IDOfficeInfo}, ev: failed("noroute"),
			txt: []txt{{IDProbeFailed, "probably needs the proxy", false}, {IDProbeFailed, sidA, false}, {IDProbeFailed, "code 10060", false}},
		},
		{
			name: "Probe_noroute_noProxy", facts: withProbe(w10().userDWORD(ItemProbeUserProxy, sidA, 0).userDWORD(ItemProbeUserProxy, "S-1-5-18", 1), noroute), verdict: Ready,
			ids: []string{IDProbeFailed, IDOfficeInfo}, ev: failed("noroute"),
			txt: []txt{{IDProbeFailed, "probably needs the proxy", true}, {IDProbeFailed, "the name did not resolve", false}},
		},
		{
			name: "Probe_proxyRefused", facts: withProbe(w10(), proxy), verdict: Ready,
			ids: []string{IDProbeFailed, IDOfficeInfo}, ev: failed("proxy"),
			txt: []txt{{IDProbeFailed, "407 Proxy Authentication Required", false}, {IDProbeFailed, "WinHTTP proxy proxy.corp.example:8080 refused", false}},
		},
		{
			name: "Probe_error_noDotNetTLS12", facts: withProbe(w7(), probeErr), verdict: Ready,
			ids: []string{IDProbeFailed, IDOfficeInfo}, ev: failed("error"),
			txt: []txt{{IDProbeFailed, "KB3154518", false}},
		},
		{
			name: "Probe_needsShell_WMI", facts: withProbe(w10(), shell), verdict: Ready,
			ids: []string{IDOfficeInfo, IDProbeNeedsShell},
			ev:  []ev{{IDProbeNeedsShell, Evidence{Name: "probe outlook.office365.com:443", Value: "needs-shell"}}},
			txt: []txt{{IDProbeNeedsShell, "--method shell --probe", false}, {IDProbeNeedsShell, "outlook.office365.com:443", false}},
		},
		{
			name: "Probe_ok_onActionHost_staysAction", facts: withProbe(w10().dword(ItemSchEnabled, 0), probeMicrosoft), verdict: Action,
			ids: []string{IDSchannelDisabled, IDOfficeInfo, IDProbeOK},
			ev:  []ev{{IDProbeOK, Evidence{Name: "probe root CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US", Value: "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4"}}},
		},
		{
			name: "Probe_failed_onUnsupportedHost", facts: withProbe(w7().os(win7Enterprise, "6.1.7600", 0, facts.ProductWorkstation), probeRefused), verdict: Unsupported,
			ids: []string{IDOSUnsupported, IDProbeFailed, IDOfficeInfo}, ev: failed("refused"),
		},
	}
}

// TestProbeArgs: the Args the report's contradiction banner reads are there, in every language.
func TestProbeArgs(t *testing.T) {
	tests := []struct {
		name    string
		p       facts.Probe
		id      string
		outcome ProbeOutcome
		args    map[string]string
	}{
		{"ok", probeMicrosoft, IDProbeOK, ProbeOK, map[string]string{"target": "outlook.office365.com:443", "protocol": "Tls12", "root": probeMicrosoft.Root, "thumbprint": probeMicrosoft.RootThumbprint}},
		{"intercepted", probeInspected, IDProbeIntercepted, ProbeIntercepted, map[string]string{"root": "CN=Contoso Corporate Root CA", "issuer": "CN=Contoso TLS Inspection CA"}},
		{"refused", probeRefused, IDProbeFailed, ProbeRefused, map[string]string{"code": "0x80131620", "elapsed": "35"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, lang := range Languages() {
				var got *Finding
				for _, f := range EvaluateIn(withProbe(w10(), tt.p), lang) {
					if GroupOf(f.ID) == GroupProbe {
						got = &f
					}
				}
				if got == nil || got.ID != tt.id {
					t.Fatalf("%s: probe finding %+v, want %s", lang, got, tt.id)
				}
				if o := got.Args["outcome"].Text; o != string(tt.outcome) {
					t.Errorf("%s: outcome %q, want %q", lang, o, tt.outcome)
				}
				for k, v := range tt.args {
					if got.Args[k].Text != v {
						t.Errorf("%s: arg %s = %q, want %q", lang, k, got.Args[k].Text, v)
					}
				}
				src, _ := findingTypeOf(tt.id)
				if !strings.Contains(got.Detail+got.Remediation, src.Source) {
					t.Errorf("%s: texts do not cite %s", lang, src.Source)
				}
			}
		})
	}
}

func TestProbeContradicts(t *testing.T) {
	tests := []struct {
		name string
		f    *facts.Facts
		want bool
	}{
		{"ready, probe ok", withProbe(w10(), probeMicrosoft), false},
		{"ready, probe refused", withProbe(w10(), probeRefused), true},
		{"ready, intercepted", withProbe(w10(), probeInspected), true},
		{"action, probe refused", withProbe(w10().dword(ItemSchEnabled, 0), probeRefused), false},
		{"ready, no probe", w10().build(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Contradicts(Evaluate(tt.f)); got != tt.want {
				t.Errorf("Contradicts = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsMicrosoft365(t *testing.T) {
	hosts := map[string]bool{
		"outlook.office365.com": true, "OUTLOOK.OFFICE365.COM.": true, "login.microsoftonline.com": true, "outlook.office.com": true,
		"office365.com.evil.example": false, "notoffice365.com": false, "intranet.contoso.example": false, "203.0.113.7": false,
	}
	for h, want := range hosts {
		if got := IsMicrosoft365Host(h); got != want {
			t.Errorf("IsMicrosoft365Host(%q) = %v, want %v", h, got, want)
		}
	}
	if !IsMicrosoft365Root("df3c24f9bfd666761b268073fe06d1cc8d4f82a4") || IsMicrosoft365Root("0123456789ABCDEF0123456789ABCDEF01234567") || IsMicrosoft365Root("") {
		t.Error("IsMicrosoft365Root judged a thumbprint wrongly")
	}
}

// TestMicrosoftRootsFromThePages pins the roots read from Microsoft's three pages (see
// microsoftRoots): a root dropped by mistake would make every probe through it "intercepted".
func TestMicrosoftRootsFromThePages(t *testing.T) {
	for _, tc := range []struct{ name, thumb string }{
		{"Baltimore CyberTrust Root (chains)", "D4DE20D05E66FC53FE1A50882C78DB2852CAE474"},
		{"DigiCert Global Root G2 (chains, changes, azure)", "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4"},
		{"GlobalSign Root CA - R3 (chains)", "D69B561148F01C77C54578C10926DF5B856976AD"},
		{"Microsoft RSA Root Certificate Authority 2017 (changes, azure)", "73A5E64A3BFF8316FF0EDCCC618A906E4EAE4D74"},
		{"Microsoft ECC Root Certificate Authority 2017 (changes, azure)", "999A64C37FF47D9FAB95F14769891460EEC4C3C5"},
		{"DigiCert Global Root G3 (azure)", "7E04DE896A3E666D00E687D33FFAD93BE83D349E"},
	} {
		if !IsMicrosoft365Root(tc.thumb) {
			t.Errorf("%s: not taken as a Microsoft 365 root", tc.name)
		}
	}
	if len(microsoftRoots) != 17 {
		t.Errorf("%d roots, want the 17 of the three pages", len(microsoftRoots))
	}
	for th, name := range microsoftRoots {
		if len(th) != 40 || strings.ToUpper(th) != th || strings.Trim(th, "0123456789ABCDEF") != "" {
			t.Errorf("%s: thumbprint %q is not 40 upper-case hex digits", name, th)
		}
	}
}

// TestSuiteFits: the suites a probe's .NET parts fit, as a Windows 10 host with its default list
// would report them.
func TestSuiteFits(t *testing.T) {
	tests := []struct {
		cipher, hash, kx string
		suite            string
		want             bool
	}{
		{"Aes256", "Sha384", "44550", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true},
		{"Aes256", "Sha384", "44550", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", true},
		{"Aes256", "Sha384", "44550", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false},
		{"Aes256", "Sha384", "44550", "TLS_RSA_WITH_AES_256_GCM_SHA384", false},
		{"Aes256", "None", "44550", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true},
		{"Aes256", "None", "44550", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", false},
		{"Aes128", "Sha1", "RsaKeyX", "TLS_RSA_WITH_AES_128_CBC_SHA", true},
		{"Aes128", "Sha1", "RsaKeyX", "TLS_RSA_WITH_AES_128_GCM_SHA256", false},
		{"Aes128", "Sha1", "41984", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false},
		{"TripleDes", "Sha1", "41984", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", true},
		{"Aes256", "Sha384", "DiffieHellman", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", true},
		{"Aes256", "Sha384", "DiffieHellman", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false},
		// A part .NET has no name for does not narrow.
		{"Aes256", "12345", "99999", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", true},
	}
	for _, tt := range tests {
		p := &facts.Probe{Cipher: tt.cipher, Hash: tt.hash, KeyExchange: tt.kx}
		if got := suiteFits(tt.suite, p); got != tt.want {
			t.Errorf("%s/%s/%s fits %s: %v, want %v", tt.cipher, tt.hash, tt.kx, tt.suite, got, tt.want)
		}
	}
}
