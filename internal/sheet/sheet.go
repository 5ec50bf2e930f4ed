// Package sheet holds the rule that keeps a CSV cell from being run as a spreadsheet formula:
// the report's CSV and the remediation kit's host lists put host-controlled text in cells.
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
