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
// SecureProtocols, and the .NET Framework values of both runtimes in both views (netKeys: the
// four .NET Framework keys under HKLM, remediate.KeyNetV4, KeyNetV4Wow, KeyNetV2, KeyNetV2Wow).
func EveryValueResult(netKeys ...string) scan.Result {
	dotnet := checks.Finding{ID: checks.IDDotNetWeakTLS, Severity: checks.SeverityWarning}
	for _, k := range netKeys {
		dotnet.Evidence = append(dotnet.Evidence, checks.Evidence{Key: `HKLM\` + k, Name: "SchUseStrongCrypto", Value: "(absent)"})
	}
	return scan.Result{Host: "PC-ALL", Verdict: checks.Action, Facts: &facts.Facts{OS: facts.OS{Architecture: "64-bit"}}, Findings: []checks.Finding{
		{ID: checks.IDDSPNoTLS12, Severity: checks.SeverityAction},
		{ID: checks.IDSchannelDisabled, Severity: checks.SeverityAction},
		{ID: checks.IDWinINetNoTLS12, Severity: checks.SeverityAction},
		dotnet,
	}}
}
