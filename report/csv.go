package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/sheet"
	"github.com/tlsready/tlsready/scan"
)

// csvBOM starts every CSV file: Excel reads UTF-8 (Japanese text, accented names) only with it.
const csvBOM = "\ufeff"

// CSVColumns are the columns of WriteCSV, in order. They are a contract: scripts and Excel
// sheets address them by name; new columns are only ever added at the end.
func CSVColumns() []string {
	return []string{"host", "address", "verdict", "os", "os_source", "what_to_do", "finding_ids", "faq",
		"error_category", "error_message", "ad_dn", "ad_os", "ad_last_logon", "scan_id", "scanned_at", "attempts"}
}

// WriteCSV writes one row per host (the newest result of each), hosts needing attention first,
// as UTF-8 with a byte order mark. Text cells (OS, what to do) are in lang; verdicts, ids and
// categories are the machine words. Cells that a spreadsheet would run as a formula (starting
// with = + - @, tab or carriage return) are prefixed with ' so that a host-controlled string
// never becomes one.
func WriteCSV(w io.Writer, results []scan.Result, lang string) error {
	rows := sortForReport(LocalizeAll(scan.Latest(results), lang))
	if _, err := io.WriteString(w, csvBOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns()); err != nil {
		return err
	}
	for _, r := range rows {
		var ids, faq []string
		seenQ := map[string]bool{}
		for _, f := range r.Findings {
			if f.Severity == checks.SeverityInfo {
				continue
			}
			ids = append(ids, f.ID)
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
			if !r.AD.LastLogon.IsZero() {
				logon = r.AD.LastLogon.UTC().Format(time.RFC3339)
			}
		}
		os := osLabelIn(r, lang)
		if os == "?" {
			os = ""
		}
		scanned := ""
		if !r.End.IsZero() {
			scanned = r.End.UTC().Format(time.RFC3339)
		}
		rec := []string{r.Host, r.Address, string(r.Verdict), os, source, WhatToDoIn(r, lang), strings.Join(ids, " "),
			strings.Join(faq, " "), errCat, errMsg, dn, adOS, logon, r.ScanID, scanned, fmt.Sprint(r.Attempts)}
		if err := writeSafe(cw, rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCompareCSV writes one row per host of either scan with what changed.
func WriteCompareCSV(w io.Writer, c Comparison, lang string) error {
	if _, err := io.WriteString(w, csvBOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"host", "change", "old_verdict", "new_verdict", "old_what_to_do", "new_what_to_do"}); err != nil {
		return err
	}
	for _, ch := range c.Changes {
		var ov, nv, ot, nt string
		if ch.Old != nil {
			o := Localize(*ch.Old, lang)
			ov, ot = string(o.Verdict), WhatToDoIn(o, lang)
		}
		if ch.New != nil {
			n := Localize(*ch.New, lang)
			nv, nt = string(n.Verdict), WhatToDoIn(n, lang)
		}
		rec := []string{ch.Host, ch.Kind, ov, nv, ot, nt}
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
	rank := map[checks.Verdict]int{}
	for i, v := range VerdictOrder() {
		rank[v] = i
	}
	slices.SortStableFunc(rows, func(a, b scan.Result) int {
		if d := rank[a.Verdict] - rank[b.Verdict]; d != 0 {
			return d
		}
		return strings.Compare(strings.ToLower(a.Host), strings.ToLower(b.Host))
	})
	return rows
}
