// Package sheet holds the rules that keep a CSV cell harmless: not run as a spreadsheet formula,
// and free of the control characters a terminal acts on (cat of a CSV file must not clear the
// screen or write the clipboard). The report's CSV and the remediation kit's host lists put
// host-controlled text in cells.
package sheet

import "strings"

// NoFormula prefixes s with ' when a spreadsheet would take it for a formula: it starts with
// = + - @, a tab or a carriage return.
func NoFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Cell is s made safe for a CSV cell: StripControls, then NoFormula.
func Cell(s string) string { return NoFormula(StripControls(s)) }

// StripControls removes the characters a terminal or a text viewer acts on: C0 controls other
// than tab and newline (ESC, BEL, CR...), DEL, C1 controls (U+0080-U+009F, among them the CSI
// U+009B), the bidi controls (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the line and
// paragraph separators U+2028, U+2029.
func StripControls(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

func isControl(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	}
	return IsC1OrBidi(r)
}

// IsC1OrBidi reports whether r is a C1 control (U+0080-U+009F), a bidi control (U+200E,
// U+200F, U+202A-U+202E, U+2066-U+2069) or U+2028, U+2029: the runes that encoding/json
// leaves raw (all but the last two) and that a terminal or a text viewer may act on.
func IsC1OrBidi(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f,
		r == 0x200e || r == 0x200f,
		r >= 0x202a && r <= 0x202e,
		r >= 0x2066 && r <= 0x2069,
		r == 0x2028 || r == 0x2029:
		return true
	}
	return false
}
