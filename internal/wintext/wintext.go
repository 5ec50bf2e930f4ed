// Package wintext checks that a text file is saved the way the Windows programs that open it read
// it: Notepad (README.txt of the kit) and Windows PowerShell 2.0 to 5.1 (Set-TLS12.ps1). Tests
// only; no production code imports it.
package wintext

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// bom is the UTF-8 byte order mark.
var bom = []byte{0xEF, 0xBB, 0xBF}

// Notepad returns why Notepad of every Windows release would not show b as written, or nil:
//   - Lines end in CRLF only. Notepad before Windows 10 1809 shows a bare LF or CR as no line
//     break at all ("Introducing extended line endings support in Notepad",
//     https://devblogs.microsoft.com/commandline/extended-eol-in-notepad/).
//   - Text that is not ASCII is UTF-8 with a byte order mark: the BOM is what every Notepad
//     recognises as UTF-8 (the "UTF-8" it saves as); without one, Notepad before Windows 10 1903
//     guesses, and may show the text in the ANSI code page (cp932 on a Japanese Windows).
func Notepad(b []byte) error {
	if err := lineEnds(b); err != nil {
		return err
	}
	return utf8BOMUnlessASCII(b)
}

// PowerShell returns why Windows PowerShell (2.0 on Windows 7 SP1 as shipped, up to 5.1) would
// not read the script b as written, or nil: ASCII, or UTF-8 with a byte order mark, because
// Windows PowerShell reads a script without a BOM in the ANSI code page ("Understanding file
// encoding in VS Code and PowerShell",
// https://learn.microsoft.com/powershell/scripting/dev-cross-plat/vscode/understanding-file-encoding;
// about_Character_Encoding); and CRLF line ends, so that it reads in Notepad too.
func PowerShell(b []byte) error {
	if err := lineEnds(b); err != nil {
		return err
	}
	return utf8BOMUnlessASCII(b)
}

// lineEnds fails on a bare LF or CR and on a last line without its CRLF.
func lineEnds(b []byte) error {
	line := 1
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\r':
			if i+1 >= len(b) || b[i+1] != '\n' {
				return fmt.Errorf("line %d: a CR without LF", line)
			}
			i++
			line++
		case '\n':
			return fmt.Errorf("line %d: an LF without CR", line)
		}
	}
	if len(b) > 0 && !bytes.HasSuffix(b, []byte("\r\n")) {
		return errors.New("the last line has no CRLF")
	}
	return nil
}

// utf8BOMUnlessASCII fails on text that is not ASCII and is not UTF-8 after a byte order mark.
func utf8BOMUnlessASCII(b []byte) error {
	body, hasBOM := bytes.CutPrefix(b, bom)
	if !utf8.Valid(body) {
		return errors.New("not UTF-8")
	}
	if hasBOM {
		return nil
	}
	for i, c := range body {
		if c >= 0x80 {
			r, _ := utf8.DecodeRune(body[i:])
			return fmt.Errorf("byte %d: %q is not ASCII and the file has no UTF-8 byte order mark", i, r)
		}
	}
	return nil
}
