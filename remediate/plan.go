// Package remediate turns scan results into what an administrator deploys: .reg files for 64-bit
// and 32-bit Windows, a Group Policy Preferences Registry.xml, a PowerShell 2.0 script, and the
// lists of hosts that need KB3140245, a new operating system, or only registry values.
//
// It works from the findings of the results, never from a fixed template: a SCHANNEL or WinINet
// value is written only when a host's findings call for it. It does no network I/O.
package remediate

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/scan"
)

// Registry keys the kit writes, under HKEY_LOCAL_MACHINE.
const (
	KeyWinHTTP      = `SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	KeyWinHTTPWow64 = `SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	KeySchannel     = `SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client`
	// KeyWinINetPolicy is where the computer policy "Turn off encryption support" keeps its value:
	// it applies to every user of the machine.
	KeyWinINetPolicy = `SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`
	// The .NET Framework runtimes' keys, native and Wow6432Node: SchUseStrongCrypto and
	// SystemDefaultTlsVersions 1 there, as https://learn.microsoft.com/dotnet/framework/network-programming/tls
	// asks, for the other Microsoft 365 clients on the PC (DOTNET_WEAK_TLS).
	KeyNetV4    = `SOFTWARE\Microsoft\.NETFramework\v4.0.30319`
	KeyNetV4Wow = `SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319`
	KeyNetV2    = `SOFTWARE\Microsoft\.NETFramework\v2.0.50727`
	KeyNetV2Wow = `SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v2.0.50727`
	// KeySchannelAlgs is where the SCHANNEL Ciphers, Hashes and KeyExchangeAlgorithms keys are:
	// the kit sets Enabled = EnabledAlg in those whose Enabled=0 removes every cipher suite
	// Microsoft 365 accepts (CIPHER_NONE_ACCEPTED, CIPHER_ONLY_RETIRING; checks.CipherRemedy).
	KeySchannelAlgs = `SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL`
	// KeyCipherLocal is the local cipher suite order (Functions, REG_MULTI_SZ); the script
	// rewrites it where it offers no suite Microsoft 365 accepts.
	KeyCipherLocal = `SYSTEM\CurrentControlSet\Control\Cryptography\Configuration\Local\SSL\00010002`
)

// EnabledAlg is the Enabled data of an enabled SCHANNEL algorithm key: 0xffffffff, as
// Microsoft's "Restrict cryptographic algorithms and protocols in Schannel.dll" (KB245030,
// https://learn.microsoft.com/troubleshoot/windows-server/windows-security/restrict-cryptographic-algorithms-protocols-schannel)
// writes it ("To allow this cipher algorithm, change the DWORD value data of the Enabled value to
// 0xffffffff"; an absent value means enabled too).
const EnabledAlg uint32 = 0xffffffff

// cipherFindings are the findings whose hosts get the cipher suite items.
var cipherFindings = []string{checks.IDCipherNoneAccepted, checks.IDCipherOnlyRetiring}

// netNames are the .NET Framework values the kit sets to 1 in each runtime key a DOTNET_WEAK_TLS
// finding names.
var netNames = []string{"SchUseStrongCrypto", "SystemDefaultTlsVersions"}

// Protocol sets for DefaultSecureProtocols and SecureProtocols (Q4).
const (
	TLS12      uint32 = 0x800 // TLS 1.2 only
	TLS11And12 uint32 = 0xA00 // TLS 1.1 + 1.2: the FAQ's recommendation
	TLS10To12  uint32 = 0xA80 // TLS 1.0 + 1.1 + 1.2: for servers that speak only TLS 1.0
	DefaultDSP        = TLS11And12
)

// ParseProtocols reads --protocols: tls12, tls11+12 or tls10+11+12.
func ParseProtocols(s string) (uint32, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tls12":
		return TLS12, nil
	case "tls11+12", "":
		return TLS11And12, nil
	case "tls10+11+12":
		return TLS10To12, nil
	}
	return 0, fmt.Errorf("protocols %q: want tls12, tls11+12 or tls10+11+12", s)
}

// Value is one REG_DWORD the kit sets under HKEY_LOCAL_MACHINE.
type Value struct {
	Key, Name string
	Data      uint32
	// OrIn says that Data's bits are added to a REG_DWORD already there, which keeps its other
	// bits (a deliberate TLS 1.0, a TLS 1.3 bit): DefaultSecureProtocols and SecureProtocols.
	// Otherwise the value is set to Data. A .reg file or a GPP item can only set it.
	OrIn bool
	// Only64 marks a value for 64-bit Windows only (the Wow6432Node key).
	Only64 bool
	// KitOnly marks a value "tlsready fix" leaves to the kit (the SCHANNEL algorithm keys of the
	// cipher suite items): it is not one of facts.Writable.
	KitOnly bool
	// Because names the finding ids that call for it.
	Because []string
}

// Path is the value's full name, HKEY_LOCAL_MACHINE\Key\Name.
func (v Value) Path() string { return `HKEY_LOCAL_MACHINE\` + v.Key + `\` + v.Name }

// RegWrite is the registry writer's write that sets v on a host ("tlsready fix"): facts.OpOr
// for a protocol set added to what is there, else facts.OpDWORD. It fails unless v is one of
// facts.Writable.
func (v Value) RegWrite() (facts.RegWrite, error) {
	w := facts.RegWrite{Op: facts.OpDWORD, Key: `HKLM\` + v.Key, Name: v.Name, Data: strconv.FormatUint(uint64(v.Data), 10)}
	if v.OrIn {
		w.Op = facts.OpOr
	}
	return w, w.Check()
}

// Host is one host of a target list.
type Host struct {
	Name, DN, OS, Verdict string
	// Findings are the ids that put the host on the list.
	Findings []string
	// Is64 is true for 64-bit Windows (both WinHttp keys apply), false for 32-bit or unknown.
	Is64 bool
	// Values are the registry values this host needs (for "tlsready fix").
	Values []Value
	// Target is where the host was scanned: name, address and AD record (for "tlsready fix").
	Target scan.Target
	// Cipher is the cipher suite fix of a host with CIPHER_NONE_ACCEPTED or CIPHER_ONLY_RETIRING
	// (checks.CipherRemedy), nil otherwise.
	Cipher *checks.CipherFix
}

// CipherOrder is one cipher suite order the kit proposes, and the hosts it is for: Group Policy's
// "SSL Cipher Suite Order" (Computer Configuration > Administrative Templates > Network > SSL
// Configuration Settings), which the kit never writes, or the local order, which the script
// rewrites.
type CipherOrder struct {
	// Policy is true for the Group Policy setting, false for the local order.
	Policy bool
	// Release names the hosts' release list ("win7") and Source its Microsoft page.
	Release, Source string
	// Order is the list: the suites Microsoft 365 accepts that the release has, then the
	// hosts' own order.
	Order []string
	// Hosts are the host names.
	Hosts []string
}

// Options say what Build plans.
type Options struct {
	// Protocols is the DefaultSecureProtocols protocol set (ParseProtocols).
	Protocols uint32
	// Win7Schannel adds SCHANNEL TLS 1.2 Client DisabledByDefault 0 (and Enabled 1 where it is
	// absent) on the Windows 7 SP1 / Server 2008 R2 SP1 hosts where DisabledByDefault is absent
	// (SCHANNEL_DISABLED_BY_DEFAULT): Office applications need it (KB3140245), and Outlook's POP,
	// IMAP and SMTP accounts use SCHANNEL directly. Opt-in: --win7-schannel.
	Win7Schannel bool
}

// Plan is the kit for a fleet.
type Plan struct {
	// Protocols is the DefaultSecureProtocols (and WinINet SecureProtocols) data.
	Protocols uint32
	// Win7Schannel is Options.Win7Schannel.
	Win7Schannel bool
	// Values are every value some host needs, in a fixed order.
	Values []Value
	// KB are the hosts that need KB3140245, Migrate those whose OS must be replaced, and
	// RegistryOnly those that need only registry values. Unknown hosts are on none.
	KB, Migrate, RegistryOnly []Host
	// Unknown counts the hosts that could not be checked.
	Unknown int
	// CipherOrders are the cipher suite orders hosts need, in the order hosts first need them.
	CipherOrders []CipherOrder
}

// CipherLocal reports whether some host needs its local cipher suite order rewritten (the
// script's Set-CipherLocalOrder).
func (p Plan) CipherLocal() bool {
	return slices.ContainsFunc(p.CipherOrders, func(o CipherOrder) bool { return !o.Policy })
}

// findings that call for each value group.
var (
	dspFindings      = []string{checks.IDDSPDefaultNoTLS12, checks.IDDSPNoTLS12, checks.IDDSPNotDWORD}
	schannelFindings = []string{checks.IDSchannelDisabled, checks.IDSchannelNotDWORD}
	wininetFindings  = []string{checks.IDWinINetNoTLS12, checks.IDWinINetIEDefaultNoTLS12, checks.IDWinINetNotDWORD}
	migrateFindings  = []string{checks.IDOSUnsupported, checks.IDOSUnsupportedRecorded}
)

// Build makes the plan from results (the newest result of each host) for the protocol set.
func Build(results []scan.Result, protocols uint32) Plan {
	return BuildWith(results, Options{Protocols: protocols})
}

// BuildWith makes the plan from results (the newest result of each host) with options.
func BuildWith(results []scan.Result, o Options) Plan {
	protocols := o.Protocols
	p := Plan{Protocols: protocols, Win7Schannel: o.Win7Schannel}
	seen := map[string]*Value{}
	add := func(v Value) {
		k := v.Key + `\` + v.Name
		if have, ok := seen[k]; ok {
			for _, b := range v.Because {
				if !slices.Contains(have.Because, b) {
					have.Because = append(have.Because, b)
				}
			}
			return
		}
		cp := v
		cp.Because = slices.Clone(v.Because)
		seen[k] = &cp
	}
	for _, r := range scan.Latest(results) {
		if r.Verdict == checks.Unknown {
			p.Unknown++
			continue
		}
		ids := map[string]bool{}
		for _, f := range r.Findings {
			ids[f.ID] = true
		}
		h := Host{Name: r.Host, Verdict: string(r.Verdict), OS: osName(r), Target: scan.TargetOf(r)}
		if r.AD != nil {
			h.DN = r.AD.DN
		}
		if r.Facts != nil {
			h.Is64 = r.Facts.Is64Bit()
		}
		if hit := matching(ids, migrateFindings); len(hit) > 0 {
			h.Findings = hit
			p.Migrate = append(p.Migrate, h)
			continue
		}
		h.Values = hostValues(r, ids, h.Is64, o)
		var cipherHit []string
		if hit := matching(ids, cipherFindings); len(hit) > 0 {
			if fix, ok := checks.CipherRemedy(r.Facts); ok {
				h.Cipher = &fix
				cipherHit = hit
				for _, k := range fix.Enable {
					h.Values = append(h.Values, Value{Key: k, Name: "Enabled", Data: EnabledAlg, KitOnly: true, Because: hit})
				}
				if fix.OrderItem != "" {
					p.addCipherOrder(h.Name, fix)
				}
			}
		}
		for _, v := range h.Values {
			add(v)
		}
		findings := valueFindings(h.Values)
		for _, c := range cipherHit {
			if !slices.Contains(findings, c) {
				findings = append(findings, c)
			}
		}
		switch {
		case ids[checks.IDKBMissing]:
			h.Findings = append([]string{checks.IDKBMissing}, findings...)
			p.KB = append(p.KB, h)
		case len(findings) > 0:
			h.Findings = findings
			p.RegistryOnly = append(p.RegistryOnly, h)
		}
	}
	// A fixed order: WinHttp (native, then Wow6432Node), SCHANNEL, WinINet, .NET Framework.
	order := []string{KeyWinHTTP + `\DefaultSecureProtocols`, KeyWinHTTPWow64 + `\DefaultSecureProtocols`,
		KeySchannel + `\Enabled`, KeySchannel + `\DisabledByDefault`, KeyWinINetPolicy + `\SecureProtocols`}
	for _, k := range []string{KeyNetV4, KeyNetV4Wow, KeyNetV2, KeyNetV2Wow} {
		for _, n := range netNames {
			order = append(order, k+`\`+n)
		}
	}
	for _, k := range order {
		if v, ok := seen[k]; ok {
			p.Values = append(p.Values, *v)
			delete(seen, k)
		}
	}
	// Then the SCHANNEL algorithm keys, by key.
	rest := slices.Sorted(maps.Keys(seen))
	for _, k := range rest {
		p.Values = append(p.Values, *seen[k])
	}
	return p
}

// addCipherOrder files host under the cipher suite order its fix proposes.
func (p *Plan) addCipherOrder(host string, fix checks.CipherFix) {
	policy := fix.OrderItem == checks.ItemCipherPolicy
	for i, o := range p.CipherOrders {
		if o.Policy == policy && o.Release == fix.Release && slices.Equal(o.Order, fix.Order) {
			p.CipherOrders[i].Hosts = append(p.CipherOrders[i].Hosts, host)
			return
		}
	}
	p.CipherOrders = append(p.CipherOrders, CipherOrder{Policy: policy, Release: fix.Release, Source: fix.Source, Order: fix.Order, Hosts: []string{host}})
}

// hostValues are the values a host's findings call for, and only in the registry views the
// findings name: DefaultSecureProtocols in the WinHttp key of each view whose evidence a
// DefaultSecureProtocols finding carries (a host with 0xA80 in the native key and nothing in
// Wow6432Node gets only the Wow6432Node value). A finding without evidence (hand-made results)
// calls for every view of the host.
func hostValues(r scan.Result, ids map[string]bool, is64 bool, o Options) []Value {
	var out []Value
	if hit := matching(ids, dspFindings); len(hit) > 0 {
		native, wow := false, false
		for _, f := range r.Findings {
			if !slices.Contains(dspFindings, f.ID) {
				continue
			}
			for _, e := range f.Evidence {
				if strings.Contains(strings.ToLower(e.Key), `\wow6432node\`) {
					wow = true
				} else {
					native = true
				}
			}
		}
		if !native && !wow {
			native, wow = true, is64
		}
		if native {
			out = append(out, Value{Key: KeyWinHTTP, Name: "DefaultSecureProtocols", Data: o.Protocols, OrIn: true, Because: hit})
		}
		if wow {
			out = append(out, Value{Key: KeyWinHTTPWow64, Name: "DefaultSecureProtocols", Data: o.Protocols, OrIn: true, Only64: true, Because: hit})
		}
	}
	enabled, dbd := schannelNeeds(r)
	var schHit []string
	if enabled || dbd {
		schHit = matching(ids, schannelFindings)
	}
	if o.Win7Schannel && ids[checks.IDSchannelDisabledByDefault] && absentValue(r, checks.ItemSchDisabledDef) {
		schHit = append(schHit, checks.IDSchannelDisabledByDefault)
		dbd = true
		enabled = enabled || absentValue(r, checks.ItemSchEnabled)
	}
	if enabled {
		out = append(out, Value{Key: KeySchannel, Name: "Enabled", Data: 1, Because: schHit})
	}
	if dbd {
		out = append(out, Value{Key: KeySchannel, Name: "DisabledByDefault", Data: 0, Because: schHit})
	}
	if hit := matching(ids, wininetFindings); len(hit) > 0 {
		out = append(out, Value{Key: KeyWinINetPolicy, Name: "SecureProtocols", Data: wininetProtocols(o.Protocols), OrIn: true, Because: hit})
	}
	return append(out, netValues(r, is64)...)
}

// netValues are the .NET Framework values a DOTNET_WEAK_TLS finding calls for: both values set
// to 1 in each runtime key its evidence names (Wow6432Node keys on 64-bit Windows only).
func netValues(r scan.Result, is64 bool) []Value {
	var out []Value
	for _, k := range []string{KeyNetV4, KeyNetV4Wow, KeyNetV2, KeyNetV2Wow} {
		wow := strings.Contains(strings.ToLower(k), `\wow6432node\`)
		if wow && !is64 {
			continue
		}
		named := false
		for _, f := range r.Findings {
			if f.ID != checks.IDDotNetWeakTLS {
				continue
			}
			for _, e := range f.Evidence {
				named = named || strings.EqualFold(e.Key, `HKLM\`+k)
			}
		}
		if !named {
			continue
		}
		for _, n := range netNames {
			out = append(out, Value{Key: k, Name: n, Data: 1, Only64: wow, Because: []string{checks.IDDotNetWeakTLS}})
		}
	}
	return out
}

// schannelNeeds says which SCHANNEL TLS 1.2 Client values the findings call for:
// SCHANNEL_TLS12_DISABLED both (Enabled 1, DisabledByDefault 0), SCHANNEL_NOT_DWORD the value it
// names.
func schannelNeeds(r scan.Result) (enabled, dbd bool) {
	for _, f := range r.Findings {
		switch f.ID {
		case checks.IDSchannelDisabled:
			enabled, dbd = true, true
		case checks.IDSchannelNotDWORD:
			for _, e := range f.Evidence {
				enabled = enabled || strings.EqualFold(e.Name, "Enabled")
				dbd = dbd || strings.EqualFold(e.Name, "DisabledByDefault")
			}
		}
	}
	return enabled, dbd
}

// absentValue says whether the host's facts show the item's value absent (no key or no value).
func absentValue(r scan.Result, item string) bool {
	if r.Facts == nil {
		return false
	}
	v, ok := r.Facts.Value(item)
	return ok && (v.State == facts.StateNoKey || v.State == facts.StateNoValue)
}

// wininetProtocols keeps TLS 1.0 for WinINet unless only TLS 1.2 was asked for: Internet
// Explorer 11's own default is 0xA80 (Q17), and intranet sites on TLS 1.0 still use WinINet.
func wininetProtocols(dsp uint32) uint32 {
	if dsp == TLS12 {
		return TLS12
	}
	return TLS10To12
}

func matching(ids map[string]bool, want []string) []string {
	var out []string
	for _, w := range want {
		if ids[w] {
			out = append(out, w)
		}
	}
	return out
}

func valueFindings(vs []Value) []string {
	var out []string
	for _, v := range vs {
		for _, b := range v.Because {
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	return out
}

func osName(r scan.Result) string {
	if r.OS != nil {
		return r.OSName()
	}
	if r.AD != nil {
		return strings.TrimSpace(r.AD.OperatingSystem + " " + r.AD.OSServicePack)
	}
	return ""
}
