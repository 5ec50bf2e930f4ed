package checks

import (
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// The probe (scan --probe) and what it can show.
//
// Which Windows path Outlook uses: its Exchange connections (MAPI over HTTP, RPC over HTTP) go
// through WinHTTP, and Office's shared code, modern authentication and SharePoint through WinINet
// (the FAQ, Q7 and Q17; DESIGN.md). The faithful probe would be a WinHTTP request that leaves
// WINHTTP_OPTION_SECURE_PROTOCOLS at its default, so that DefaultSecureProtocols applies
// (KB3140245, https://support.microsoft.com/help/3140245: "This update will not change the
// behavior of applications that are manually setting the secure protocols instead of passing the
// default flag"). The only WinHTTP that PowerShell 2.0 can drive without compiling code is the
// WinHttp.WinHttpRequest.5.1 COM object, and it has a secure-protocols option of its own,
// WinHttpRequestOption_SecureProtocols (9), with its own documented default value
// (https://learn.microsoft.com/windows/win32/winhttp/winhttprequestoption): a request through it
// shows what that object's setting allows, not what Outlook's WinHTTP default does. So the
// collector makes a SCHANNEL handshake instead, with .NET's SslStream asking for TLS 1.2 only
// (SslProtocols 3072; on .NET 2.0-3.5, PowerShell 2.0's CLR, that needs the .NET TLS 1.2 update,
// KB3154518 on Windows 7 SP1, https://support.microsoft.com/help/3154518), and the findings say
// what that proves (SCHANNEL on the PC and the network path complete TLS 1.2 with the target) and
// what not (that WinHTTP's and WinINet's defaults include TLS 1.2: the configuration rules judge
// those). Every probe finding is info or a warning, so it never changes the verdict; Contradicts
// sets a ready host whose probe failed apart.

// SourceProbeTLS12 is Microsoft's page on preparing for TLS 1.2 in Microsoft 365, which the probe
// findings about the handshake rest on.
const SourceProbeTLS12 = "https://learn.microsoft.com/microsoft-365/compliance/prepare-tls-1.2-in-office-365"

// SourceM365Chains is Microsoft's "Microsoft 365 encryption chains" page, which lists the root
// certificate authorities Microsoft 365's TLS certificates chain to (microsoftRoots).
const SourceM365Chains = "https://learn.microsoft.com/purview/encryption-office-365-certificate-chains"

// SourceM365URLs is Microsoft's "Microsoft 365 URLs and IP address ranges" page, from which
// m365Suffixes are taken.
const SourceM365URLs = "https://learn.microsoft.com/microsoft-365/enterprise/urls-and-ip-address-ranges"

// DefaultProbeURL is the probe's target unless --probe-url names another: the endpoint of
// Exchange Online that Outlook connects to.
const DefaultProbeURL = "https://outlook.office365.com/"

// Probe items: the probe itself, and the per-user proxy settings that tell, when a direct
// connection fails, that the PC's users go through a proxy the probe did not use. They are read
// only when the probe is asked for (ProbeItems).
const (
	ItemProbe          = "probe"
	ItemProbeUserProxy = "probe.user.proxyenable"
	ItemProbeUserPAC   = "probe.user.autoconfigurl"
)

// ProbeItems are the items a scan adds to Items for --probe: the probe of target ("host:port")
// within timeoutMS, and the users' WinINet proxy settings (ProxyEnable, AutoConfigURL under
// KeyInetUser), which the WMI method reads as well.
func ProbeItems(target string, timeoutMS int) []facts.Item {
	return []facts.Item{
		facts.ProbeItem(ItemProbe, target, timeoutMS),
		{ID: ItemProbeUserProxy, Kind: facts.KindRegistry, Key: KeyInetUser, Name: "ProxyEnable"},
		{ID: ItemProbeUserPAC, Kind: facts.KindRegistry, Key: KeyInetUser, Name: "AutoConfigURL"},
	}
}

// microsoftRoots are the roots Microsoft 365's TLS certificates chain to, by SHA-1 thumbprint
// (upper case), as three Microsoft pages list them; each root is read from the page named after
// it, and the thumbprints were compared with the pages' tables:
//   - chains: "Microsoft 365 encryption chains" (SourceM365Chains; the MicrosoftDocs
//     microsoft-365-docs source, "Last updated: 10/16/2020"), its 14 root certificates;
//   - changes: "Office TLS certificate changes" (SourceM365TLSChanges, ms.date 3/7/2022), the
//     roots new Microsoft 365 certificates chain to since 2022;
//   - azure: "Azure Certificate Authority details" (SourceAzureCAs, ms.date 11/27/2023), the six
//     roots of Azure's services, which host Microsoft 365's front ends.
//
// A public root on this list that Microsoft no longer uses is harmless here: a TLS-inspecting
// proxy re-signs with the organisation's own CA, which is on none of them. The thumbprint
// decides, not the name: an inspecting proxy's CA can call itself anything.
var microsoftRoots = map[string]string{
	"D4DE20D05E66FC53FE1A50882C78DB2852CAE474": "Baltimore CyberTrust Root",                                    // chains, changes, azure
	"8BAF4C9B1DF02A92F7DA128EB91BACF498604B6F": "CNNIC ROOT",                                                   // chains
	"A8985D3A65E5E5C4B2D7D66D40C6DD2FB19C5436": "DigiCert Global Root CA",                                      // chains, azure
	"DF3C24F9BFD666761B268073FE06D1CC8D4F82A4": "DigiCert Global Root G2",                                      // chains, changes, azure
	"7E04DE896A3E666D00E687D33FFAD93BE83D349E": "DigiCert Global Root G3",                                      // azure
	"5FB7EE0633E259DBAD0C4C9AE6D38F1A61C7DC25": "DigiCert High Assurance EV Root CA",                           // chains
	"58E8ABB0361533FB80F79B1B6D29D3FF8D5F00F0": "D-TRUST Root Class 3 CA 2 2009",                               // chains
	"96C91B0B95B4109842FAD0D82279FE60FAB91683": "D-TRUST Root Class 3 CA 2 EV 2009",                            // chains
	"DAC9024F54D8F6DF94935FB1732638CA6AD77C13": "DST Root CA X3",                                               // chains
	"8CF427FD790C3AD166068DE81E57EFBB932272D4": "Entrust Root Certification Authority - G2",                    // chains
	"503006091D97D4F5AE39F7CBE7927D7D652D3431": "Entrust.net Certification Authority (2048)",                   // chains
	"B1BC968BD4F49D622AA89A81F2150152A41D829C": "GlobalSign Root CA - R1",                                      // chains
	"D69B561148F01C77C54578C10926DF5B856976AD": "GlobalSign Root CA - R3",                                      // chains
	"F18B538D1BE903B6A6F056435B171589CAF36BF2": "thawte Primary Root CA - G3",                                  // chains
	"4EB6D578499B1CCF5F581EAD56BE3D9B6744A5E5": "VeriSign Class 3 Public Primary Certification Authority - G5", // chains
	"73A5E64A3BFF8316FF0EDCCC618A906E4EAE4D74": "Microsoft RSA Root Certificate Authority 2017",                // changes, azure
	"999A64C37FF47D9FAB95F14769891460EEC4C3C5": "Microsoft ECC Root Certificate Authority 2017",                // changes, azure
}

// SourceM365TLSChanges is Microsoft's "Office TLS certificate changes" page: the roots Microsoft
// 365's certificates chain to since 2022 (microsoftRoots).
const SourceM365TLSChanges = "https://learn.microsoft.com/purview/encryption-office-365-tls-certificates-changes"

// SourceAzureCAs is Microsoft's "Azure Certificate Authority details" page (microsoftRoots).
const SourceAzureCAs = "https://learn.microsoft.com/azure/security/fundamentals/azure-ca-details"

// m365Suffixes are the DNS domains of Microsoft 365's Exchange Online, identity and Office
// endpoints (SourceM365URLs): a probe target in one of them is judged for interception.
var m365Suffixes = []string{"office365.com", "office.com", "outlook.com", "microsoftonline.com", "office.net", "sharepoint.com", "lync.com", "microsoft.com"}

// IsMicrosoft365Host reports whether host is a Microsoft 365 name (SourceM365URLs), whose
// certificate must chain to a root of SourceM365Chains.
func IsMicrosoft365Host(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	for _, s := range m365Suffixes {
		if h == s || strings.HasSuffix(h, "."+s) {
			return true
		}
	}
	return false
}

// IsMicrosoft365Root reports whether a SHA-1 thumbprint is one of the roots of SourceM365Chains.
func IsMicrosoft365Root(thumbprint string) bool {
	_, ok := microsoftRoots[strings.ToUpper(thumbprint)]
	return ok
}

// clipN bounds a host string in a text to n bytes.
func clipN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}

// checkProbe turns the host's probe (Facts.Probe) into one finding: PROBE_NEEDS_SHELL (read over
// WMI), PROBE_OK, PROBE_INTERCEPTED (the handshake completed, the target is a Microsoft 365 name,
// and the root is not Microsoft 365's), or PROBE_FAILED with the outcome. A target that is not a
// Microsoft 365 name has its root reported, not judged.
func (h *host) checkProbe() {
	p := h.f.Probe
	if p == nil {
		return
	}
	target := clipN(p.Target, 300)
	a := args{"target": lit(target), "source": lit(SourceProbeTLS12)}
	ev := []Evidence{{Name: "probe " + target, Value: clipN(string(p.Outcome), 40)}}
	if p.Outcome == facts.ProbeNeedsShell {
		a["outcome"] = lit(string(ProbeNeedsShell))
		a["reason"] = h.phrase("probe.reason.wmi", nil)
		h.add(IDProbeNeedsShell, ev, a)
		return
	}
	a["via"] = h.probeVia(p)
	a["what"] = h.phrase("probe.what", nil)
	a["protocol"] = lit(clipN(p.Protocol, 40))
	a["cipher"] = lit(probeCipher(p))
	a["suites"] = Arg{}
	if suites := h.probeSuites(p); len(suites) > 0 {
		a["suites"] = h.phrase("probe.suites", args{"list": h.text.join(suites)})
	}
	a["subject"] = lit(clipN(p.Subject, 300))
	a["issuer"] = lit(clipN(p.Issuer, 300))
	a["root"] = lit(clipN(p.Root, 300))
	a["thumbprint"] = lit(clipN(p.RootThumbprint, 64))
	a["elapsed"] = lit(strconv.Itoa(p.ElapsedMS))
	chain := Arg{}
	if p.ChainStatus != "" {
		chain = h.phrase("probe.chain", args{"status": lit(clipN(p.ChainStatus, 300))})
	}
	a["chain"] = chain
	if p.Outcome == facts.ProbeOK {
		ev = append(ev, Evidence{Name: "probe root " + clipN(p.Root, 300), Value: clipN(p.RootThumbprint, 64)})
		host, _, err := net.SplitHostPort(p.Target)
		m365 := err == nil && IsMicrosoft365Host(host)
		switch {
		case m365 && !IsMicrosoft365Root(p.RootThumbprint):
			a["outcome"] = lit(string(ProbeIntercepted))
			a["source"] = lit(SourceM365Chains)
			h.add(IDProbeIntercepted, ev, a)
		case m365:
			a["outcome"] = lit(string(ProbeOK))
			a["judged"] = h.phrase("probe.root.microsoft", args{"chains": lit(SourceM365Chains)})
			h.add(IDProbeOK, ev, a)
		default:
			a["outcome"] = lit(string(ProbeOK))
			a["judged"] = h.phrase("probe.root.notjudged", args{"target": lit(target)})
			h.add(IDProbeOK, ev, a)
		}
		return
	}
	outcome := ProbeError
	switch p.Outcome {
	case facts.ProbeNoRoute:
		outcome = ProbeNoRoute
	case facts.ProbeProxy:
		outcome = ProbeProxy
	case facts.ProbeRefused:
		outcome = ProbeRefused
	}
	a["outcome"] = lit(string(outcome))
	a["message"] = lit(clipN(p.Error, 500))
	a["code"] = lit(clipN(p.Code, 20))
	a["proxy"] = lit(clipN(p.Proxy, 300))
	key := "probe.failed." + string(outcome)
	if outcome == ProbeNoRoute && p.Via != facts.ViaProxy {
		if users := h.usersWithProxy(); len(users) > 0 {
			key = "probe.failed.noroute.proxy"
			a["users"] = h.text.join(users)
		}
	}
	a["detail"] = h.phrase(key, a)
	h.add(IDProbeFailed, ev, a)
}

// probeVia says how the probe went: directly, directly past a WinHTTP proxy that WinHTTP would
// not use for the target (its bypass list names it, or its list has no entry for https), or
// through the WinHTTP proxy; always as the scanning account.
func (h *host) probeVia(p *facts.Probe) Arg {
	switch {
	case p.Via == facts.ViaProxy:
		return h.phrase("probe.via.proxy", args{"proxy": lit(clipN(p.Proxy, 300))})
	case p.Proxy != "":
		return h.phrase("probe.via.bypass", args{"proxy": lit(clipN(p.Proxy, 300))})
	}
	return h.phrase("probe.via.direct", nil)
}

// usersWithProxy lists the loaded user hives whose WinINet settings use a proxy (ProxyEnable 1) or
// a PAC file (AutoConfigURL): people whose Outlook goes through a proxy the probe did not use.
func (h *host) usersWithProxy() []string {
	var out []string
	for _, v := range h.f.Values {
		if v.ItemID != ItemProbeUserProxy && v.ItemID != ItemProbeUserPAC || v.State != facts.StateOK {
			continue
		}
		on := v.ItemID == ItemProbeUserPAC && strings.TrimSpace(v.Data) != ""
		if n, ok := v.DWORD(); ok && v.ItemID == ItemProbeUserProxy && n != 0 {
			on = true
		}
		if !on {
			continue
		}
		name := clipN(v.Key, 300)
		if parts := strings.SplitN(v.Key, `\`, 3); len(parts) >= 2 {
			name = clipN(parts[1], 100)
		}
		if !isPersonHive(name) {
			continue
		}
		found := false
		for _, o := range out {
			found = found || o == name
		}
		if !found {
			out = append(out, name)
		}
	}
	return out
}

// isPersonHive reports whether a hive name under HKU is a person's: a domain or local account
// (S-1-5-21-...) or an Entra ID account (S-1-12-1-...), not a service or the default profile.
func isPersonHive(name string) bool {
	return strings.HasPrefix(name, "S-1-5-21-") || strings.HasPrefix(name, "S-1-12-1-")
}

// probeCipher describes the negotiated cipher as .NET named its parts, cipher / hash / key
// exchange: "Aes256 256-bit / Sha384 384-bit / ECDHE (44550) 255-bit". .NET Framework has no names for some
// algorithm ids; the common ones are named here (CALG_* values of wincrypt.h,
// https://learn.microsoft.com/windows/win32/seccrypto/alg-id).
func probeCipher(p *facts.Probe) string {
	if p.Cipher == "" && p.Hash == "" && p.KeyExchange == "" {
		return ""
	}
	part := func(name string, bits int) string {
		switch name {
		case "44550":
			name = "ECDHE (44550)"
		case "43522":
			name = "DHE (43522)"
		case "41984":
			name = "RsaKeyX (41984)"
		}
		name = clipN(name, 40)
		if bits > 0 {
			return name + " " + strconv.Itoa(bits) + "-bit"
		}
		return name
	}
	return part(p.Cipher, p.CipherBits) + " / " + part(p.Hash, p.HashBits) + " / " + part(p.KeyExchange, p.KeyExchangeBits)
}

// probeSuites are the TLS 1.2 cipher suites the probe's parts fit: .NET Framework's SslStream
// names the cipher, hash and key exchange SCHANNEL negotiated, not the suite
// (https://learn.microsoft.com/dotnet/api/system.net.security.sslstream.cipheralgorithm and
// its HashAlgorithm and KeyExchangeAlgorithm neighbours). The candidates are the host's enabled
// suites (cipherState) when its registry says which, else Microsoft 365's list, whose names
// fit every part the host reported; for a handshake with Microsoft 365 itself (its name, one of
// its roots), only those on Microsoft 365's list. An AES-GCM suite reports the hash of its PRF or none, so
// it fits either; a part .NET gave no known name for does not narrow the list.
func (h *host) probeSuites(p *facts.Probe) []string {
	if p.Cipher == "" && p.Hash == "" && p.KeyExchange == "" {
		return nil
	}
	t := loadCipherTables()
	var pool []string
	if st, ok := h.cipherState(t); ok {
		pool = st.enabled
	} else {
		for _, m := range t.Microsoft365.Suites {
			pool = append(pool, m.Name)
		}
	}
	// A handshake Microsoft 365 itself completed used a suite on its list (its certificates are
	// RSA: no ECDSA suite is there); through an inspecting proxy, any suite may have been used.
	host, _, _ := net.SplitHostPort(p.Target)
	m365 := IsMicrosoft365Host(host) && IsMicrosoft365Root(p.RootThumbprint)
	var out []string
	for _, s := range pool {
		if m365 && t.m365Status(s) == "" {
			continue
		}
		if suiteFits(s, p) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// suiteFits reports whether the canonical suite name s (TLS_KX_WITH_CIPHER_HASH) fits the
// parts .NET reported (ALG_ID values or .NET's enum names; see probeCipher).
func suiteFits(s string, p *facts.Probe) bool {
	kx, rest, ok := strings.Cut(strings.TrimPrefix(s, "TLS_"), "_WITH_")
	if !ok {
		return false
	}
	switch strings.ToLower(p.KeyExchange) {
	case "44550", "ecdh", "ecdhephem": // CALG_ECDH_EPHEM
		if !strings.HasPrefix(kx, "ECDHE_") {
			return false
		}
	case "43522", "diffiehellman": // CALG_DH_EPHEM
		if !strings.HasPrefix(kx, "DHE_") {
			return false
		}
	case "41984", "rsakeyx": // CALG_RSA_KEYX
		if kx != "RSA" {
			return false
		}
	}
	switch strings.ToLower(p.Cipher) {
	case "aes128", "26126":
		if !strings.HasPrefix(rest, "AES_128_") {
			return false
		}
	case "aes256", "26128":
		if !strings.HasPrefix(rest, "AES_256_") {
			return false
		}
	case "tripledes", "26115":
		if !strings.HasPrefix(rest, "3DES_") {
			return false
		}
	case "rc4", "26625":
		if !strings.HasPrefix(rest, "RC4_") {
			return false
		}
	}
	gcm := strings.Contains(rest, "_GCM_")
	switch strings.ToLower(p.Hash) {
	case "sha1", "32772":
		return strings.HasSuffix(rest, "_SHA") && !gcm
	case "sha256", "32780":
		return strings.HasSuffix(rest, "_SHA256")
	case "sha384", "32781":
		return strings.HasSuffix(rest, "_SHA384")
	case "none", "0":
		return gcm
	}
	return true
}
