package winrmsim

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// ProbeProfile is what a simulated host's probe (scan --probe) finds: the handshake its
// collector would report (Profile.Probe). A host without one answers what its own configuration
// implies (defaultProbe).
type ProbeProfile struct {
	// Outcome is ProbeOK, ProbeNoRoute, ProbeProxy, ProbeRefused, ProbeIntercepted or ProbeError.
	Outcome string `json:"outcome"`
	// Via is "direct" (default) or "proxy"; Proxy the WinHTTP proxy (host:port), which with Via
	// "direct" the machine has but bypasses for the target (its bypass list names it).
	Via   string `json:"via,omitempty"`
	Proxy string `json:"proxy,omitempty"`
	// The negotiated parts as .NET names them; defaults are those of a TLS 1.2 ECDHE AES-256-GCM
	// handshake with Microsoft 365 (Tls12, Aes256 256, Sha384 384, 44550 255).
	Protocol        string `json:"protocol,omitempty"`
	Cipher          string `json:"cipher,omitempty"`
	CipherBits      int    `json:"cipherBits,omitempty"`
	Hash            string `json:"hash,omitempty"`
	HashBits        int    `json:"hashBits,omitempty"`
	KeyExchange     string `json:"keyExchange,omitempty"`
	KeyExchangeBits int    `json:"keyExchangeBits,omitempty"`
	// The certificate: defaults are Microsoft 365's for ok, an inspecting proxy's for
	// intercepted.
	Subject        string `json:"subject,omitempty"`
	Issuer         string `json:"issuer,omitempty"`
	Root           string `json:"root,omitempty"`
	RootThumbprint string `json:"rootThumbprint,omitempty"`
	ChainStatus    string `json:"chainStatus,omitempty"`
	// Error and Code are a failed probe's message and code; defaults are Windows' for the
	// outcome.
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
	// ElapsedMS is the time the probe reports (default 150, or the whole bound for noroute).
	ElapsedMS int `json:"elapsedMs,omitempty"`
}

// Probe outcomes of a profile. ProbeIntercepted is a completed handshake whose certificate
// chains to the inspecting device's root: the collector reports it as ok, and the checks judge.
const (
	ProbeOK          = "ok"
	ProbeNoRoute     = "noroute"
	ProbeProxy       = "proxy"
	ProbeRefused     = "refused"
	ProbeIntercepted = "intercepted"
	ProbeError       = "error"
)

var profileThumbprint = regexp.MustCompile(`^([0-9A-F]{40})?$`)

// validate checks a profile's probe.
func (pp *ProbeProfile) validate() error {
	if pp == nil {
		return nil
	}
	switch pp.Outcome {
	case ProbeOK, ProbeNoRoute, ProbeProxy, ProbeRefused, ProbeIntercepted, ProbeError:
	default:
		return fmt.Errorf("probe.outcome %q: want ok, noroute, proxy, refused, intercepted or error", pp.Outcome)
	}
	if pp.Via != "" && pp.Via != facts.ViaDirect && pp.Via != facts.ViaProxy {
		return fmt.Errorf("probe.via %q: want direct or proxy", pp.Via)
	}
	if !profileThumbprint.MatchString(pp.RootThumbprint) {
		return fmt.Errorf("probe.rootThumbprint %q: want 40 upper-case hex digits", pp.RootThumbprint)
	}
	if pp.ElapsedMS < 0 || pp.CipherBits < 0 || pp.HashBits < 0 || pp.KeyExchangeBits < 0 {
		return fmt.Errorf("probe: negative numbers")
	}
	return nil
}

// Microsoft 365's certificate as a Windows 10 host receives it for outlook.office365.com, and
// a TLS-inspecting proxy's.
const (
	m365Subject        = "CN=outlook.com, O=Microsoft Corporation, L=Redmond, S=Washington, C=US"
	m365Issuer         = "CN=DigiCert Cloud Services CA-1, O=DigiCert Inc, C=US"
	m365Root           = "CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US"
	m365RootThumbprint = "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4"
	inspectRoot        = "CN=CORP Root CA, DC=corp, DC=example"
	inspectThumbprint  = "5A1F0C6E7D2B93C48E0F1A2B3C4D5E6F70819283"
)

// probe answers a probe item as the collector would on this host.
func (h *host) probe(it facts.Item) *facts.Probe {
	bound, _ := facts.ProbeTimeout(it)
	pp := h.p.Probe
	if pp == nil {
		pp = h.defaultProbe()
	}
	p := &facts.Probe{ItemID: it.ID, Target: it.Path, Via: pp.Via, Proxy: pp.Proxy, ElapsedMS: pp.ElapsedMS}
	if p.Via == "" {
		p.Via = facts.ViaDirect
	}
	if p.ElapsedMS == 0 {
		p.ElapsedMS = 150
	}
	or := func(s, def string) string {
		if s != "" {
			return s
		}
		return def
	}
	switch pp.Outcome {
	case ProbeOK, ProbeIntercepted:
		p.Outcome = facts.ProbeOK
		p.Protocol, p.Cipher, p.Hash, p.KeyExchange = or(pp.Protocol, "Tls12"), or(pp.Cipher, "Aes256"), or(pp.Hash, "Sha384"), or(pp.KeyExchange, "44550")
		p.CipherBits, p.HashBits, p.KeyExchangeBits = pp.CipherBits, pp.HashBits, pp.KeyExchangeBits
		if p.CipherBits == 0 {
			p.CipherBits, p.HashBits, p.KeyExchangeBits = 256, 384, 255
		}
		host, _, _ := strings.Cut(it.Path, ":")
		if pp.Outcome == ProbeOK {
			p.Subject, p.Issuer = or(pp.Subject, m365Subject), or(pp.Issuer, m365Issuer)
			p.Root, p.RootThumbprint = or(pp.Root, m365Root), or(pp.RootThumbprint, m365RootThumbprint)
		} else {
			p.Subject, p.Issuer = or(pp.Subject, "CN="+host), or(pp.Issuer, "CN=CORP TLS Inspection CA, DC=corp, DC=example")
			p.Root, p.RootThumbprint = or(pp.Root, inspectRoot), or(pp.RootThumbprint, inspectThumbprint)
		}
		p.ChainStatus = pp.ChainStatus
	case ProbeNoRoute:
		p.Outcome = facts.ProbeNoRoute
		p.Error = or(pp.Error, "A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond")
		p.Code = or(pp.Code, "10060")
		if pp.ElapsedMS == 0 {
			p.ElapsedMS = bound
		}
	case ProbeProxy:
		p.Outcome, p.Via = facts.ProbeProxy, facts.ViaProxy
		p.Proxy = or(pp.Proxy, "proxy.corp.example:8080")
		p.Error = or(pp.Error, "the proxy answered: HTTP/1.1 407 Proxy Authentication Required")
		p.Code = pp.Code
	case ProbeRefused:
		p.Outcome = facts.ProbeRefused
		// SEC_E_ILLEGAL_MESSAGE, what SCHANNEL reports when the other side answers a TLS 1.2
		// ClientHello with an alert or closes the connection.
		p.Error = or(pp.Error, "The message received was unexpected or badly formatted")
		p.Code = or(pp.Code, "0x80090326")
	default:
		p.Outcome = facts.ProbeError
		p.Error = or(pp.Error, "The requested security protocol is not supported.")
		p.Code = pp.Code
	}
	return p
}

// defaultProbe is the probe of a host whose profile does not say: refused when the host's
// SCHANNEL has no TLS 1.2 client (TLS 1.2 Client Enabled 0, or Server 2008 / Vista and older,
// whose SCHANNEL has no TLS 1.2), else ok with TLS 1.2 and ECDHE AES-256-GCM. The model is kept
// simple: it does not intersect the host's cipher suite settings with Microsoft 365's.
func (h *host) defaultProbe() *ProbeProfile {
	v := h.readValue("", `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client`, "Enabled")
	if n, ok := v.DWORD(); ok && n == 0 {
		return &ProbeProfile{Outcome: ProbeRefused}
	}
	if strings.HasPrefix(h.p.OS.Version, "6.0.") || strings.HasPrefix(h.p.OS.Version, "5.") {
		return &ProbeProfile{Outcome: ProbeRefused}
	}
	return &ProbeProfile{Outcome: ProbeOK}
}
