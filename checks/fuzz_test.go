package checks

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tlsready/tlsready/facts"
)

// FuzzHostStrings feeds host-controlled strings of the rules beyond the FAQ - the cipher suite
// orders (policy REG_SZ, local REG_MULTI_SZ), Click-to-Run's VersionToReport, OUTLOOK.EXE's
// version, .NET's Release - to Evaluate in both languages: no panic, the verdict is one of the
// four, and every text stays valid UTF-8 and bounded.
func FuzzHostStrings(f *testing.F) {
	f.Add("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\nTLS_RSA_WITH_AES_128_CBC_SHA", "16.0.8067.2157", "16.0.8201.2102", uint32(528040))
	f.Add("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA_P384,,", "", "16.0.x", "14.0.7268.5000", uint32(0))
	f.Add(strings.Repeat("TLS_,", 1000), "\x00\xff", "99999999999999999999.0.0.0", "15.0.4971.1000", uint32(0xffffffff))
	f.Fuzz(func(t *testing.T, policy, local, c2r, exe string, release uint32) {
		b := w10().sz(ItemCipherPolicy, policy).reg(ItemCipherLocal, facts.StateOK, facts.RegMultiSZ, local).
			sz(ItemOfficeC2RVersion, c2r).outlook(ItemOutlook64, o16x64, exe).dword(ItemNetRelease, release).
			reg(ItemNet35Install, facts.StateOK, facts.RegDWORD, strconv.FormatUint(uint64(release%3), 10))
		b.dword(ItemSchannelAlgPrefix+"ecdh", release%2)
		// The kit's cipher fix from the same facts: keys only under SCHANNEL, an order only when
		// the order is the problem, never an empty suite name.
		if fix, ok := CipherRemedy(b.build()); ok {
			for _, k := range fix.Enable {
				if !strings.HasPrefix(k, `SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\`) {
					t.Errorf("enable %q", k)
				}
			}
			if (fix.OrderItem == "") != (len(fix.Order) == 0) || slices.Contains(fix.Order, "") {
				t.Errorf("order item %q order %q", fix.OrderItem, fix.Order)
			}
		}
		for _, lang := range Languages() {
			fs := EvaluateIn(b.build(), lang)
			v := VerdictOf(fs)
			if v != Ready && v != Action && v != Unsupported && v != Unknown {
				t.Fatalf("verdict %q", v)
			}
			for _, x := range fs {
				all := x.Title + x.Detail + x.Remediation
				if !utf8.ValidString(all) && utf8.ValidString(policy+local+c2r+exe) {
					t.Errorf("%s: invalid UTF-8 from valid input", x.ID)
				}
				if len(all) > 3*maxTextLen {
					t.Errorf("%s: %d bytes of text", x.ID, len(all))
				}
			}
		}
	})
}
