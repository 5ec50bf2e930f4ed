package remediate

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tlsready/tlsready/internal/wintext"
)

// Every kit, in English and Japanese, is saved the way the Windows programs that open its files
// read them: README.txt as Notepad shows it (CRLF; UTF-8 with a BOM, since it is not ASCII),
// Set-TLS12.ps1 as Windows PowerShell 2.0 to 5.1 reads it (ASCII or UTF-8 with a BOM; CRLF), the
// host lists UTF-8 with a BOM (Excel), the .reg files UTF-16LE with a BOM and CRLF (regedit's own
// export format).
func TestKitFilesAsWindowsReadsThem(t *testing.T) {
	for name, p := range kitPlans(t) {
		for _, lang := range []string{"en", "ja"} {
			t.Run(name+" "+lang, func(t *testing.T) {
				dir := t.TempDir()
				written, err := Write(dir, p, lang, changed)
				if err != nil {
					t.Fatal(err)
				}
				if len(written) != len(KitFiles) {
					t.Fatalf("wrote %v, want every kit file", written)
				}
				read := func(n string) []byte {
					b, err := os.ReadFile(filepath.Join(dir, n))
					if err != nil {
						t.Fatal(err)
					}
					return b
				}
				if err := wintext.Notepad(read(FileReadMe)); err != nil {
					t.Errorf("%s in Notepad: %v", FileReadMe, err)
				}
				if readme := read(FileReadMe); lang == "ja" && (!bytes.HasPrefix(readme, []byte("\xEF\xBB\xBF")) || !bytes.Contains(readme, []byte("再起動"))) {
					t.Errorf("the Japanese %s is not Japanese text after a UTF-8 BOM: %q", FileReadMe, readme[:min(len(readme), 16)])
				}
				if err := wintext.PowerShell(read(FileScript)); err != nil {
					t.Errorf("%s in Windows PowerShell: %v", FileScript, err)
				}
				for _, csv := range []string{FileKB, FileMigrate, FileRegOnly} {
					if !bytes.HasPrefix(read(csv), []byte("\xEF\xBB\xBF")) {
						t.Errorf("%s has no UTF-8 BOM: Excel would read it in the ANSI code page", csv)
					}
				}
				for _, reg := range []string{FileReg64, FileReg32} {
					b := read(reg)
					if !bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || len(b)%2 != 0 {
						t.Errorf("%s is not UTF-16LE with a BOM", reg)
						continue
					}
					// Its text, as UTF-8, follows the same line rules.
					if err := wintext.Notepad([]byte(utf16LEString(b[2:]))); err != nil {
						t.Errorf("%s: %v", reg, err)
					}
				}
			})
		}
	}
}

// utf16LEString decodes UTF-16LE bytes without a BOM (pairs of bytes; no surrogates in the kit).
func utf16LEString(b []byte) string {
	r := make([]rune, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		r = append(r, rune(uint16(b[i])|uint16(b[i+1])<<8))
	}
	return string(r)
}
