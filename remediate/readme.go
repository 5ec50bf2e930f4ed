package remediate

import (
	"fmt"
	"strings"

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
		values = append(values, line)
	}
	if len(values) == 0 {
		values = []string{t["novalues"]}
	}
	win7 := t["win7off"]
	if p.Win7Schannel {
		win7 = t["win7on"]
	}
	text := placeholder.Fill(t["body"], placeholder.Pairs(
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
