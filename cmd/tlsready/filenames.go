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

// defaultDemoName is demo's results file when --out is not given: named as the demo's, so that
// it is not taken for the results of a real scan.
func defaultDemoName(now time.Time) string {
	return "tlsready-demo-" + now.Format(defaultStamp) + ".jsonl"
}
