package report

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
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
