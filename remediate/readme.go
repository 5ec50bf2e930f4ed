package remediate

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/placeholder"
)

// ReadMe is README.txt of the kit in lang ("en" or "ja"): what each file is, the counts of the
// target lists, and the order of the work (Q9, Q10, Q11, Q14, Q15).
func (p Plan) ReadMe(lang string) []byte {
	t := readmeEN
	if lang == checks.Japanese {
		t = readmeJA
	}
	var values []string
	for _, v := range p.Values {
		line := fmt.Sprintf("  %s = REG_DWORD 0x%08x", v.Path(), v.Data)
		if v.Only64 {
			line += t["only64"]
		}
		if v.OrIn {
			line += t["orin"]
		}
		if v.KitOnly {
			line += t["kitonly"]
		}
		values = append(values, line)
	}
	if len(values) == 0 {
		values = []string{t["novalues"]}
	}
	win7 := t["win7off"]
	if p.Win7Schannel {
		win7 = t["win7on"]
	}
	cipher := ""
	if len(p.CipherOrders) > 0 || slices.ContainsFunc(p.Values, func(v Value) bool { return v.KitOnly }) {
		var orders []string
		for _, o := range p.CipherOrders {
			kind := "local"
			if o.Policy {
				kind = "policy"
			}
			orders = append(orders, placeholder.Fill(t[kind], placeholder.Pairs(
				"source", o.Source, "release", o.Release, "hosts", plainText(strings.Join(o.Hosts, ", ")),
				"list", plainText(strings.Join(o.Order, ",")), "key", KeyCipherLocal, "script", FileScript)))
		}
		cipher = placeholder.Fill(t["cipher"], placeholder.Pairs("orders", strings.Join(orders, "\n")))
	}
	text := placeholder.Fill(t["body"], placeholder.Pairs(
		"cipher", cipher,
		"win7", win7,
		"faq", checks.FAQReference(lang),
		"protocols", fmt.Sprintf("0x%08x", p.Protocols),
		"values", strings.Join(values, "\n"),
		"kb", fmt.Sprint(len(p.KB)),
		"migrate", fmt.Sprint(len(p.Migrate)),
		"regonly", fmt.Sprint(len(p.RegistryOnly)),
		"unknown", fmt.Sprint(p.Unknown),
		"reg64", FileReg64, "reg32", FileReg32, "xml", FileRegistryXML, "script", FileScript,
		"kbfile", FileKB, "migratefile", FileMigrate, "regonlyfile", FileRegOnly,
	))
	return append([]byte("\ufeff"), []byte(strings.ReplaceAll(text, "\n", "\r\n"))...)
}

// plainText is s for one line of README.txt: host names and a host's own cipher suite order come
// from the hosts, so control and format characters (line breaks, bidirectional overrides) become
// "?" and cannot forge lines or reorder the text.
func plainText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return '?'
		}
		return r
	}, s)
}
