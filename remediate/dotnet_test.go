package remediate

import (
	"slices"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/scan"
)

// TestDotNetValues: a DOTNET_WEAK_TLS finding calls for SchUseStrongCrypto and
// SystemDefaultTlsVersions 1 in exactly the runtime keys its evidence names, Wow6432Node only on
// 64-bit Windows, each one a value "tlsready fix" may write.
func TestDotNetValues(t *testing.T) {
	tests := []struct {
		name string
		arch string
		keys []string // evidence keys (without HKLM\)
		want []string // key\name of the plan's values
	}{
		{"v4 native and wow on 64-bit", "64-bit", []string{KeyNetV4, KeyNetV4Wow},
			[]string{KeyNetV4 + `\SchUseStrongCrypto`, KeyNetV4 + `\SystemDefaultTlsVersions`, KeyNetV4Wow + `\SchUseStrongCrypto`, KeyNetV4Wow + `\SystemDefaultTlsVersions`}},
		{"wow only", "64-bit", []string{KeyNetV4Wow},
			[]string{KeyNetV4Wow + `\SchUseStrongCrypto`, KeyNetV4Wow + `\SystemDefaultTlsVersions`}},
		{"3.5 on 32-bit, no Wow6432Node", "32-bit", []string{KeyNetV2, KeyNetV2Wow},
			[]string{KeyNetV2 + `\SchUseStrongCrypto`, KeyNetV2 + `\SystemDefaultTlsVersions`}},
		{"no .NET finding", "64-bit", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := scan.Result{Host: "PC-NET", Verdict: checks.Ready, Facts: &facts.Facts{OS: facts.OS{Architecture: tc.arch}}}
			if tc.keys != nil {
				f := checks.Finding{ID: checks.IDDotNetWeakTLS, Severity: checks.SeverityWarning}
				for _, k := range tc.keys {
					f.Evidence = append(f.Evidence, checks.Evidence{Key: `HKLM\` + k, Name: "SchUseStrongCrypto", Value: "(absent)"})
				}
				r.Findings = []checks.Finding{f}
			}
			p := Build([]scan.Result{r}, DefaultDSP)
			var got []string
			for _, v := range p.Values {
				got = append(got, v.Key+`\`+v.Name)
				if v.Data != 1 || v.OrIn {
					t.Errorf("%s: data %d OrIn %t, want set to 1", v.Path(), v.Data, v.OrIn)
				}
				if _, err := v.RegWrite(); err != nil {
					t.Errorf("%s: tlsready fix may not write it: %v", v.Path(), err)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("values %v, want %v", got, tc.want)
			}
			if len(tc.want) > 0 && (len(p.RegistryOnly) != 1 || !slices.Equal(p.RegistryOnly[0].Findings, []string{checks.IDDotNetWeakTLS})) {
				t.Errorf("registry-only hosts %+v, want PC-NET for %s", p.RegistryOnly, checks.IDDotNetWeakTLS)
			}
		})
	}
}
