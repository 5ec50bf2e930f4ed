package main

import "time"

// defaultStamp is the date and time in default file names: digits and a hyphen only, so the
// name is valid on Windows (no ':'), sorts by time and needs no quoting in any shell.
const defaultStamp = "20060102-150405"

// defaultResultsName is scan's results file when --out is not given.
func defaultResultsName(now time.Time) string {
	return "tlsready-results-" + now.Format(defaultStamp) + ".jsonl"
}

// defaultJournalName is fix --apply's journal when --journal is not given.
func defaultJournalName(now time.Time) string {
	return "tlsready-fix-" + now.Format(defaultStamp) + ".journal.jsonl"
}
