package facts

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
)

// KindProbe asks the host to attempt a TLS 1.2 handshake itself (tlsready scan --probe):
// Item.Path is the target "host:port", Item.Name the time allowed for connect and handshake
// together, in milliseconds (decimal). At most one probe item is sent; its answer is the probe
// record of the output (Facts.Probe).
const KindProbe ItemKind = "probe"

// ProbeState is what the host's probe came to. The collector reports the handshake; whether the
// certificate comes from Microsoft is judged by the checks from Probe.RootThumbprint.
type ProbeState string

// The states of a probe.
const (
	ProbeOK         ProbeState = "ok"          // TLS 1.2 negotiated; the chain is in the record
	ProbeNoRoute    ProbeState = "noroute"     // name not resolved, or no TCP connection
	ProbeProxy      ProbeState = "proxy"       // the WinHTTP proxy refused the CONNECT or wants authentication
	ProbeRefused    ProbeState = "refused"     // TCP connected, the TLS 1.2 handshake failed
	ProbeError      ProbeState = "error"       // the probe itself failed on the host (e.g. no TLS 1.2 in .NET)
	ProbeNeedsShell ProbeState = "needs-shell" // read over WMI: no probe ran
)

func (s ProbeState) valid() bool {
	switch s {
	case ProbeOK, ProbeNoRoute, ProbeProxy, ProbeRefused, ProbeError, ProbeNeedsShell:
		return true
	}
	return false
}

// The ways a probe reaches its target (Probe.Via).
const (
	ViaDirect = "direct" // a TCP connection from the host to the target
	ViaProxy  = "proxy"  // an HTTP CONNECT through the machine's WinHTTP proxy (Probe.Proxy)
)

// Probe is the result of the host's own TLS handshake to the probe target. The collector makes it
// with .NET's SslStream, that is SCHANNEL, as the scanning account in the WinRM session; the
// names of Protocol, Cipher, Hash and KeyExchange are those of .NET's SslProtocols,
// CipherAlgorithmType, HashAlgorithmType and ExchangeAlgorithmType (a number where the enum has no
// name, e.g. 44550 for ECDHE)
// (https://learn.microsoft.com/dotnet/api/system.net.security.sslstream).
type Probe struct {
	ItemID  string     `json:"item"`
	Target  string     `json:"target"` // host:port
	Outcome ProbeState `json:"outcome"`
	// Via is ViaDirect or ViaProxy; Proxy is the WinHTTP proxy the machine has configured
	// ("host:port"), used or not.
	Via   string `json:"via,omitempty"`
	Proxy string `json:"proxy,omitempty"`
	// Protocol is the negotiated protocol ("Tls12"); the cipher parts and their strengths in bits.
	Protocol        string `json:"protocol,omitempty"`
	Cipher          string `json:"cipher,omitempty"`
	CipherBits      int    `json:"cipherBits,omitempty"`
	Hash            string `json:"hash,omitempty"`
	HashBits        int    `json:"hashBits,omitempty"`
	KeyExchange     string `json:"keyExchange,omitempty"`
	KeyExchangeBits int    `json:"keyExchangeBits,omitempty"`
	// The certificate the host received: its subject and issuer, the root its chain ends in as
	// the host built it (subject and SHA-1 thumbprint, upper-case hex), and the chain's status
	// flags ("" when the chain is valid).
	Subject        string `json:"subject,omitempty"`
	Issuer         string `json:"issuer,omitempty"`
	Root           string `json:"root,omitempty"`
	RootThumbprint string `json:"rootThumbprint,omitempty"`
	ChainStatus    string `json:"chainStatus,omitempty"`
	// Error is the message of a failed probe; Code its HRESULT ("0x80090326") or socket error
	// number ("10060"), when there is one.
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
	// ElapsedMS is how long the probe took on the host.
	ElapsedMS int `json:"elapsedMs"`
}

// ProbeItem is the item that asks for a probe of target ("host:port") within timeoutMS.
func ProbeItem(id, target string, timeoutMS int) Item {
	return Item{ID: id, Kind: KindProbe, Path: target, Name: strconv.Itoa(timeoutMS)}
}

// MaxProbeTimeoutMS bounds the time a probe item may ask for.
const MaxProbeTimeoutMS = 120000

// ProbeTimeout returns the bound of a probe item in milliseconds.
func ProbeTimeout(it Item) (int, error) {
	n, err := strconv.Atoi(it.Name)
	if err != nil || n < 1 || n > MaxProbeTimeoutMS || strings.TrimSpace(it.Name) != it.Name {
		return 0, fmt.Errorf("item %s: probe timeout %q: want 1..%d milliseconds", it.ID, truncate(it.Name, 20), MaxProbeTimeoutMS)
	}
	return n, nil
}

// probeHostPattern is a DNS name or an IPv4 address (IPv6 in brackets is checked by net).
var probeHostPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$`)

// CheckProbeTarget validates a probe target "host:port": a DNS name or IP address and a port
// 1..65535. The target travels to the host, so nothing else is allowed in it.
func CheckProbeTarget(target string) error {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return fmt.Errorf("probe target %q: %w", truncate(target, 60), err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 || strconv.Itoa(p) != port {
		return fmt.Errorf("probe target %q: port %q: want 1..65535", truncate(target, 60), truncate(port, 10))
	}
	if net.ParseIP(host) == nil && (len(host) > 253 || !probeHostPattern.MatchString(host)) {
		return fmt.Errorf("probe target %q: %q is not a host name or IP address", truncate(target, 60), truncate(host, 60))
	}
	return nil
}

// probeFields is the number of fields of a probe record, "probe" included.
const probeFields = 21

var (
	thumbprintPattern = regexp.MustCompile(`^[0-9A-Fa-f]{0,64}$`)
	probeCodePattern  = regexp.MustCompile(`^(0x[0-9A-Fa-f]{1,8}|-?\d{1,10}|)$`)
	viaPattern        = regexp.MustCompile(`^(direct|proxy|)$`)
)

// encodeProbe is the probe record's fields.
func encodeProbe(p *Probe) []string {
	return []string{"probe", p.ItemID, b64(p.Target), string(p.Outcome), p.Via, b64(p.Proxy),
		b64(p.Protocol), b64(p.Cipher), strconv.Itoa(p.CipherBits), b64(p.Hash), strconv.Itoa(p.HashBits),
		b64(p.KeyExchange), strconv.Itoa(p.KeyExchangeBits), b64(p.Subject), b64(p.Issuer), b64(p.Root),
		p.RootThumbprint, b64(p.ChainStatus), b64(p.Error), p.Code, strconv.Itoa(p.ElapsedMS)}
}

// parseProbe reads a probe record (its probeFields fields, "probe" first).
func parseProbe(fields []string) (*Probe, error) {
	dec := make([]string, len(fields))
	for _, i := range []int{2, 5, 6, 7, 9, 11, 13, 14, 15, 17, 18} {
		s, err := unb64(fields[i])
		if err != nil {
			return nil, err
		}
		dec[i] = s
	}
	num := func(i, max int) (int, error) {
		n, err := strconv.Atoi(fields[i])
		if err != nil || n < 0 || n > max || strconv.Itoa(n) != fields[i] {
			return 0, fmt.Errorf("field %d: %q is not a number 0..%d", i+1, truncate(fields[i], 12), max)
		}
		return n, nil
	}
	var nums [4]int
	for j, i := range []int{8, 10, 12, 20} {
		max := 65535
		if i == 20 {
			max = 10000000
		}
		n, err := num(i, max)
		if err != nil {
			return nil, err
		}
		nums[j] = n
	}
	st := ProbeState(fields[3])
	switch {
	case !itemIDPattern.MatchString(fields[1]):
		return nil, fmt.Errorf("bad item id %q", truncate(fields[1], 20))
	case !st.valid():
		return nil, fmt.Errorf("outcome %q", truncate(fields[3], 20))
	case !viaPattern.MatchString(fields[4]):
		return nil, fmt.Errorf("via %q", truncate(fields[4], 20))
	case !thumbprintPattern.MatchString(fields[16]):
		return nil, fmt.Errorf("root thumbprint %q is not hex", truncate(fields[16], 70))
	case !probeCodePattern.MatchString(fields[19]):
		return nil, fmt.Errorf("code %q", truncate(fields[19], 20))
	}
	return &Probe{ItemID: intern(fields[1]), Target: intern(dec[2]), Outcome: ProbeState(intern(string(st))),
		Via: intern(fields[4]), Proxy: dec[5], Protocol: intern(dec[6]), Cipher: intern(dec[7]), CipherBits: nums[0],
		Hash: intern(dec[9]), HashBits: nums[1], KeyExchange: intern(dec[11]), KeyExchangeBits: nums[2],
		Subject: dec[13], Issuer: intern(dec[14]), Root: intern(dec[15]), RootThumbprint: intern(fields[16]),
		ChainStatus: dec[17], Error: dec[18], Code: fields[19], ElapsedMS: nums[3]}, nil
}
