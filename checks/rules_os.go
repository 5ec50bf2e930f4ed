package checks

import (
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// osClass is what a Windows release means for TLS 1.2 in WinHTTP.
type osClass int

const (
	// osUnknown: the release could not be told; OS-dependent rules are skipped.
	osUnknown osClass = iota
	// osUnsupported: KB3140245 cannot be installed, so WinHTTP cannot use TLS 1.2 (Q2).
	osUnsupported
	// osNeedsKB: Windows 7 SP1 / Server 2008 R2 SP1 (6.1.7601) and Server 2012 (6.2 server).
	// WinHTTP uses TLS 1.2 only with KB3140245 and DefaultSecureProtocols including 0x800; the
	// WinHTTP default without the value is SSL 3.0 + TLS 1.0 (Q3, Q13).
	osNeedsKB
	// osModern: Windows 8.1 / Server 2012 R2 (6.3), Windows 10 / 11 / Server 2016 and later
	// (10.0). The WinHTTP default includes TLS 1.2 (Q3); only an explicit value can take it away.
	osModern
)

// KB3140245 file versions: webio.dll and winhttp.dll must both be at least this (Q13).
var (
	kbMinWin7    = version{6, 1, 7601, 23375}
	kbMinWin2012 = version{6, 2, 9200, 21797}
)

// osInfo is the classification of one host's Windows.
type osInfo struct {
	class osClass
	// name is the phrase key naming the release in texts ("os.7sp1"); target is the phrase key
	// of what an unsupported release must move to.
	name, target string
	// kbMin is the KB3140245 file version (osNeedsKB).
	kbMin version
	// dbdAbsentIsOne: SCHANNEL TLS 1.2 DisabledByDefault, when absent, behaves as 1 (Windows 7 SP1
	// and Server 2008 R2; Q8). From Windows 8 / Server 2012 on, TLS 1.2 is in the default
	// negotiation unless DisabledByDefault says otherwise.
	dbdAbsentIsOne bool
}

// classifyOS applies the OS rule (Q2, Q3) to Win32_OperatingSystem:
//
//	5.x                    XP / Server 2003 and older       unsupported
//	6.0                    Vista / Server 2008              unsupported (Q2)
//	6.1 build < 7601       Windows 7 / 2008 R2 without SP1  unsupported (Q2)
//	6.1 build >= 7601      Windows 7 SP1 / 2008 R2 SP1      KB3140245 >= 6.1.7601.23375 + DefaultSecureProtocols
//	6.2 workstation        Windows 8                        unsupported (Q2)
//	6.2 server / DC        Server 2012                      KB3140245 >= 6.2.9200.21797 + DefaultSecureProtocols
//	6.3, 10.0 and later    8.1 / 2012 R2 / 10 / 11 / 2016+  TLS 1.2 in WinHTTP by default
//
// The version must be "major.minor.build" (a fourth part is tolerated); the service pack is not
// needed because the build tells SP1 (7601) from RTM (7600). Workstation or server comes from
// ProductType (1 workstation; 2 domain controller and 3 server), or when that is missing from the
// caption ("Server" is not localised in Windows captions). Only 6.2 needs it to decide.
func classifyOS(o facts.OS) osInfo {
	major, minor, build, ok := parseOSVersion(o.Version)
	if !ok {
		return osInfo{class: osUnknown, name: "os.unknown"}
	}
	server, known := isServer(o)
	pick := func(client, srv string) string {
		if server {
			return srv
		}
		return client
	}
	switch {
	case major < 6:
		return osInfo{class: osUnsupported, name: "os.xp", target: "target.current"}
	case major == 6 && minor == 0:
		return osInfo{class: osUnsupported, name: pick("os.vista", "os.2008"), target: pick("target.current", "target.2008r2")}
	case major == 6 && minor == 1 && build < 7601:
		return osInfo{class: osUnsupported, name: pick("os.7", "os.2008r2"), target: "target.sp1"}
	case major == 6 && minor == 1:
		return osInfo{class: osNeedsKB, name: pick("os.7sp1", "os.2008r2sp1"), kbMin: kbMinWin7, dbdAbsentIsOne: true}
	case major == 6 && minor == 2 && !known:
		return osInfo{class: osUnknown, name: "os.unknown"}
	case major == 6 && minor == 2 && !server:
		return osInfo{class: osUnsupported, name: "os.8", target: "target.81"}
	case major == 6 && minor == 2:
		return osInfo{class: osNeedsKB, name: "os.2012", kbMin: kbMinWin2012}
	}
	return osInfo{class: osModern, name: "os.modern"}
}

// parseOSVersion reads "6.1.7601" (or "6.1.7601.0").
func parseOSVersion(s string) (major, minor, build int, ok bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 3 && len(parts) != 4 {
		return 0, 0, 0, false
	}
	var n [4]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return 0, 0, 0, false
		}
		n[i] = v
	}
	return n[0], n[1], n[2], true
}

// isServer tells server from workstation; known is false when neither ProductType nor the
// caption says.
func isServer(o facts.OS) (server, known bool) {
	switch o.ProductType {
	case facts.ProductWorkstation:
		return false, true
	case facts.ProductDomainController, facts.ProductServer:
		return true, true
	}
	if c := strings.TrimSpace(o.Caption); c != "" {
		return strings.Contains(strings.ToLower(c), "server"), true
	}
	return false, false
}

// osEvidence is the Win32_OperatingSystem facts that OS findings rest on.
func osEvidence(o facts.OS) []Evidence {
	return []Evidence{
		{Name: "Win32_OperatingSystem.Caption", Value: clip(o.Caption)},
		{Name: "Win32_OperatingSystem.Version", Value: clip(o.Version)},
		{Name: "Win32_OperatingSystem.ServicePackMajorVersion", Value: strconv.Itoa(o.ServicePack)},
		{Name: "Win32_OperatingSystem.ProductType", Value: strconv.Itoa(o.ProductType)},
	}
}

// checkOSUnsupported reports an OS that cannot use TLS 1.2 in WinHTTP (Q2).
func (h *host) checkOSUnsupported() {
	h.add(IDOSUnsupported, osEvidence(h.f.OS), args{
		"os":      h.phrase(h.os.name, nil),
		"version": lit(clip(h.f.OS.Version)),
		"target":  h.phrase(h.os.target, nil),
	})
}

// checkOSUnknown reports a Windows release that could not be told. The rules that do not depend
// on the release (explicit values without TLS 1.2, SCHANNEL Enabled=0) still apply.
func (h *host) checkOSUnknown() {
	if h.os.class != osUnknown {
		return
	}
	h.add(IDOSVersionUnknown, osEvidence(h.f.OS), args{
		"version":     lit(clip(h.f.OS.Version)),
		"producttype": lit(strconv.Itoa(h.f.OS.ProductType)),
	})
}

// checkCollector32 reports a collector that ran in 32-bit PowerShell on 64-bit Windows: Windows
// redirected its HKLM\SOFTWARE reads to Wow6432Node and System32 to SysWOW64, so the values and
// DLL versions it reported are not those the rules need, and evidence would name the wrong key.
func (h *host) checkCollector32() {
	h.add(IDCollector32Bit, []Evidence{
		{Name: "ProcessBits", Value: strconv.Itoa(h.f.ProcessBits)},
		{Name: "Win32_OperatingSystem.OSArchitecture", Value: clip(h.f.OS.Architecture)},
		{Name: "PROCESSOR_ARCHITECTURE", Value: clip(h.f.ProcessorArch)},
		{Name: "PROCESSOR_ARCHITEW6432", Value: clip(h.f.ProcessorArchW6432)},
	}, nil)
}
