package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// FuzzClean: whatever a host or the directory sends, Clean's output holds no C0 or C1 control,
// DEL or bidirectional control, is valid UTF-8, at most 4 times as long as the input, and is
// its own cleaning (nothing is left to escape).
func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"PC-01", "\x1b[31mred\x1b[0m", "a\rb\nc\td", "\u202eevil\u202c", "\u2066x\u2069\u200e\u200f\u061c",
		"\xc2\x9b31m", "\x7f\xff\xfe", "Windows 7 日本語", "\U000e0001tag", "\\x1b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		if !utf8.ValidString(out) {
			t.Errorf("Clean(%q) = %q: not valid UTF-8", s, out)
		}
		for _, r := range out {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Cc, r) {
				t.Errorf("Clean(%q) = %q keeps control %U", s, out, r)
			}
		}
		if len(out) > 4*len(s) {
			t.Errorf("Clean(%q) is %d bytes", s, len(out))
		}
		if again := Clean(out); again != out {
			t.Errorf("Clean(%q) = %q, cleaned again %q", s, out, again)
		}
		if !strings.ContainsAny(s, "\t") && strings.IndexFunc(s, func(r rune) bool {
			return r == utf8.RuneError || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
		}) < 0 && out != s {
			t.Errorf("Clean(%q) = %q changed a clean string", s, out)
		}
	})
}

// FuzzHostTable: whatever error message, host name, finding title or probe word a host sends,
// the contradiction banner and the host table (advice, short messages, the other clients and
// probe columns included) hold no control character.
func FuzzHostTable(f *testing.F) {
	f.Add("PC-01", "winrm", "host h: run collector: WS-Management fault: \x1b[2Jquota", "S-1-5-21-1-2-3-4 title", 80)
	f.Add("pc.corp.example", "collector", "parse: \u202eevil output "+strings.Repeat("x", 200), "日本語のタイトル", 132)
	f.Add("\x1b]0;x\x07", "auth", "x509: certificate", "", 60)
	f.Fuzz(func(t *testing.T, host, category, msg, title string, width int) {
		width = 80 + (width%100+100)%100
		rs := []scan.Result{
			{Host: host, Verdict: checks.Unknown, Error: &scan.ErrorInfo{Category: category, Message: msg}},
			{Host: host + "2", Verdict: checks.Action, Findings: []checks.Finding{{ID: "X", Severity: checks.SeverityAction, Title: title}}},
			// The probe's words are the host's too: an outcome, a protocol, a cipher; and a
			// contradiction for the banner.
			{Host: host + "3", Verdict: checks.Ready, Findings: []checks.Finding{
				{ID: checks.IDProbeFailed, Severity: checks.SeverityWarning, Args: checks.Args{"outcome": {Text: title}, "target": {Text: msg}}},
				{ID: checks.IDProbeOK, Severity: checks.SeverityInfo, Args: checks.Args{"protocol": {Text: title}, "cipher": {Text: msg}}},
				{ID: checks.IDDotNetWeakTLS, Severity: checks.SeverityWarning, Title: title}}},
		}
		var buf bytes.Buffer
		opts := TableOptions{Width: width, Lang: checks.Japanese}
		if err := ContradictionBanner(&buf, rs, opts); err != nil {
			return
		}
		if err := HostTable(&buf, rs, opts); err != nil {
			return
		}
		out := buf.String()
		for _, r := range out {
			if r != '\n' && (r < 0x20 || (r >= 0x7f && r <= 0x9f) || unicode.Is(unicode.Bidi_Control, r)) {
				t.Fatalf("control %U in the table:\n%q", r, out)
			}
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8")
		}
	})
}
