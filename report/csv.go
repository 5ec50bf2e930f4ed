package report

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/sheet"
	"github.com/tlsready/tlsready/scan"
)

// csvBOM starts every CSV file: Excel reads UTF-8 (Japanese text, accented names) only with it.
const csvBOM = "\ufeff"

// CSVColumns are the columns of WriteCSV, in order. They are a contract: scripts and Excel
// sheets address them by name; new columns are only ever added at the end. The two times are in
// UTC, as their names say, in the form Excel reads as a date and time (csvTime). contradiction
// is "yes" for a host whose configuration says ready but whose probe failed (checks.Contradicts),
// else "no"; probe is the outcome of the host's probe (checks.ProbeOutcome: ok, noroute, proxy,
// refused, intercepted, error, needs-shell), empty when it had none.
func CSVColumns() []string {
	return []string{"host", "address", "verdict", "os", "os_source", "what_to_do", "finding_ids", "faq",
		"error_category", "error_message", "ad_dn", "ad_os", "ad_last_logon (UTC)", "scan_id", "scanned_at (UTC)", "attempts",
		"other_clients", "contradiction", "probe"}
}

// csvTimeLayout is a time as Excel reads it into a date-time cell in every locale: ISO 8601 date,
// a space, 24-hour time, no zone (the header names it). RFC 3339's "T" and "Z" make Excel keep
// the text as text. Excel's date formats take "2008-01-30" as a date in any locale (Microsoft,
// "DATEVALUE function", https://support.microsoft.com/excel/datevalue-function).
const csvTimeLayout = "2006-01-02 15:04:05"

// csvTime is t in UTC as csvTimeLayout, or "" for the zero time.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(csvTimeLayout)
}

// newCSVWriter is a CSV writer with CRLF line ends: RFC 4180's (section 2, "each record is
// located on a separate line, delimited by a line break (CRLF)"), which Excel and Windows tools
// expect.
func newCSVWriter(w io.Writer) *csv.Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return cw
}

// WriteCSV writes one row per host (the newest result of each), hosts needing attention first,
// as UTF-8 with a byte order mark. Text cells (OS, what to do) are in lang; verdicts, ids and
// categories are the machine words. Cells that a spreadsheet would run as a formula (starting
// with = + - @, tab or carriage return) are prefixed with ' so that a host-controlled string
// never becomes one.
func WriteCSV(w io.Writer, results []scan.Result, lang string) error {
	rows := reportRows(results, lang)
	if _, err := io.WriteString(w, csvBOM); err != nil {
		return err
	}
	cw := newCSVWriter(w)
	if err := cw.Write(CSVColumns()); err != nil {
		return err
	}
	for _, r := range rows {
		var ids, faq, other []string
		seenQ := map[string]bool{}
		for _, f := range r.Findings {
			if f.Severity == checks.SeverityInfo {
				continue
			}
			// Other Microsoft 365 clients on the PC (.NET Framework): their own column, in lang.
			if checks.GroupOf(f.ID) == checks.GroupOtherClients && !slices.Contains(other, f.Title) {
				other = append(other, f.Title)
			}
			// One finding per user or per registry view can share an id: each id once.
			if !slices.Contains(ids, f.ID) {
				ids = append(ids, f.ID)
			}
			for _, q := range f.FAQ {
				if !seenQ[q] {
					seenQ[q] = true
					faq = append(faq, q)
				}
			}
		}
		source := "host"
		if r.OS == nil {
			source = ""
			if r.AD != nil && r.AD.OperatingSystem != "" {
				source = "ad"
			}
		}
		var errCat, errMsg, dn, adOS, logon string
		if r.Error != nil {
			errCat, errMsg = r.Error.Category, r.Error.Message
		}
		if r.AD != nil {
			dn = r.AD.DN
			adOS = strings.TrimSpace(r.AD.OperatingSystem + " " + r.AD.OSServicePack)
			logon = csvTime(r.AD.LastLogon)
		}
		os := osLabelIn(r, lang)
		if os == "?" {
			os = ""
		}
		scanned := csvTime(r.End)
		rec := []string{r.Host, r.Address, string(r.Verdict), os, source, WhatToDoIn(r, lang), strings.Join(ids, " "),
			strings.Join(faq, " "), errCat, errMsg, dn, adOS, logon, r.ScanID, scanned, fmt.Sprint(r.Attempts),
			strings.Join(other, "; "), yesNo(checks.Contradicts(r.Findings)), probeMachine(r)}
		if err := writeSafe(cw, rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// yesNo is a boolean CSV cell.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// WriteCompareCSV writes one row per host of either scan with what changed.
func WriteCompareCSV(w io.Writer, c Comparison, lang string) error {
	if _, err := io.WriteString(w, csvBOM); err != nil {
		return err
	}
	cw := newCSVWriter(w)
	if err := cw.Write([]string{"host", "change", "old_verdict", "new_verdict", "old_what_to_do", "new_what_to_do", "contradiction"}); err != nil {
		return err
	}
	for _, ch := range c.Changes {
		var ov, nv, ot, nt string
		contra := false
		if ch.Old != nil {
			o := Localize(*ch.Old, lang)
			ov, ot = string(o.Verdict), WhatToDoIn(o, lang)
		}
		if ch.New != nil {
			n := Localize(*ch.New, lang)
			nv, nt = string(n.Verdict), WhatToDoIn(n, lang)
			contra = checks.Contradicts(ch.New.Findings)
		}
		rec := []string{ch.Host, ch.Kind, ov, nv, ot, nt, yesNo(contra)}
		if err := writeSafe(cw, rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeSafe writes one record with every cell made safe (csvSafe).
func writeSafe(cw *csv.Writer, rec []string) error {
	for i := range rec {
		rec[i] = csvSafe(rec[i])
	}
	return cw.Write(rec)
}

// csvSafe removes control characters other than tab and newline (C0, C1, bidi: sheet.Cell),
// and neutralises a cell that a spreadsheet would take for a formula.
func csvSafe(s string) string { return sheet.Cell(s) }

// sortForReport orders results as the reports show them: attention first, then by host name.
func sortForReport(results []scan.Result) []scan.Result {
	rows := append([]scan.Result(nil), results...)
	sortRows(rows)
	return rows
}

// sortRows sorts rows in place as the reports show them: attention first, then by host name
// (case-insensitive).
func sortRows(rows []scan.Result) {
	rank := func(v checks.Verdict) int {
		if i := slices.Index(VerdictOrder(), v); i >= 0 {
			return i
		}
		return len(VerdictOrder())
	}
	slices.SortStableFunc(rows, func(a, b scan.Result) int {
		if d := rank(a.Verdict) - rank(b.Verdict); d != 0 {
			return d
		}
		return compareFold(a.Host, b.Host)
	})
}

// compareFold compares a and b as strings.Compare(strings.ToLower(a), strings.ToLower(b))
// does for ordering, rune by rune, without making either lower-case copy.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if la, lb := unicode.ToLower(ra), unicode.ToLower(rb); la != lb {
			return cmp.Compare(la, lb)
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

// reportRows are the rows of a report on results: the newest result of each host (scan.Latest),
// sorted as reports show them, texts in lang. results are left as they are.
func reportRows(results []scan.Result, lang string) []scan.Result {
	rows := scan.Latest(results) // a new slice
	sortRows(rows)
	for i := range rows {
		rows[i] = Localize(rows[i], lang)
	}
	return rows
}
