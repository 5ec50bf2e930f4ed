// Package kittest holds what the tests of the remediation kit share: the host whose findings
// call for every value the kit can write, so that the remediate tests (Registry.xml against the
// schema) and the command's Wine tests (the .reg files imported by Wine's regedit) cover a value
// the kit learns to write once this host's findings call for it, in one place.
package kittest

import (
	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/scan"
)

// EveryValueResult is one 64-bit host whose findings call for every value the kit can write:
// DefaultSecureProtocols in both views, SCHANNEL Enabled and DisabledByDefault, WinINet
// SecureProtocols, the .NET Framework values of both runtimes in both views (netKeys: the four
// .NET Framework keys under HKLM, remediate.KeyNetV4, KeyNetV4Wow, KeyNetV2, KeyNetV2Wow), and
// the SCHANNEL cipher keys a hardening script turned off on this Windows 10 (both AES ciphers:
// no suite Microsoft 365 accepts is left), whose names hold a "/" ("AES 128/128").
func EveryValueResult(netKeys ...string) scan.Result {
	dotnet := checks.Finding{ID: checks.IDDotNetWeakTLS, Severity: checks.SeverityWarning}
	for _, k := range netKeys {
		dotnet.Evidence = append(dotnet.Evidence, checks.Evidence{Key: `HKLM\` + k, Name: "SchUseStrongCrypto", Value: "(absent)"})
	}
	f := &facts.Facts{OS: facts.OS{Version: "10.0.19045", Architecture: "64-bit"}}
	for _, item := range []string{checks.ItemCipherPolicy, checks.ItemCipherLocal} {
		f.Values = append(f.Values, facts.Value{ItemID: item, Name: "Functions", State: facts.StateNoKey})
	}
	for _, alg := range []string{"aes128", "aes256"} {
		f.Values = append(f.Values, facts.Value{ItemID: checks.ItemSchannelAlgPrefix + alg, Name: "Enabled", State: facts.StateOK, Type: facts.RegDWORD, Data: "0"})
	}
	return scan.Result{Host: "PC-ALL", Verdict: checks.Action, Facts: f, Findings: []checks.Finding{
		{ID: checks.IDCipherNoneAccepted, Severity: checks.SeverityAction},
		{ID: checks.IDDSPNoTLS12, Severity: checks.SeverityAction},
		{ID: checks.IDSchannelDisabled, Severity: checks.SeverityAction},
		{ID: checks.IDWinINetNoTLS12, Severity: checks.SeverityAction},
		dotnet,
	}}
}
