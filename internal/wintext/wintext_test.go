package wintext

import (
	"strings"
	"testing"
)

func TestNotepadAndPowerShell(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string // "" for accepted, else a part of the error
	}{
		{"ASCII, CRLF", "Write-Output 'a'\r\n\r\n# b\r\n", ""},
		{"UTF-8 with BOM, Japanese", "\ufeffKB3140245 の適用\r\n", ""},
		{"empty", "", ""},
		{"Japanese without BOM", "KB3140245 の適用\r\n", "no UTF-8 byte order mark"},
		{"Latin-1 without BOM", "caf\u00e9\r\n", "no UTF-8 byte order mark"},
		{"bare LF", "a\r\nb\nc\r\n", "line 2: an LF without CR"},
		{"bare CR", "a\rb\r\n", "line 1: a CR without LF"},
		{"no CRLF at the end", "a\r\nb", "last line"},
		{"CR at the very end", "a\r", "a CR without LF"},
		{"not UTF-8 after the BOM", "\ufeff\xff\xfe\r\n", "not UTF-8"},
		{"cp1252 byte without BOM", "a\x94b\r\n", "not UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for name, check := range map[string]func([]byte) error{"Notepad": Notepad, "PowerShell": PowerShell} {
				err := check([]byte(tc.text))
				switch {
				case tc.want == "" && err != nil:
					t.Errorf("%s: %v, want it accepted", name, err)
				case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
					t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
				}
			}
		})
	}
}
