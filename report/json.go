package report

import (
	"fmt"
	"io"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/safejson"
	"github.com/tlsready/tlsready/scan"
)

// JSONReport is the document of WriteJSON: the fleet at a glance for scripts and dashboards.
// The full record of each host stays in the results file.
type JSONReport struct {
	Lang    string         `json:"lang"`
	Summary map[string]int `json:"summary"` // hosts per verdict, and "total"
	// Contradictions are the hosts whose configuration says ready but whose probe failed
	// (checks.Contradicts), in the order of Hosts; empty when there is none.
	Contradictions []string       `json:"contradictions"`
	Findings       []FindingCount `json:"findings"`
	Hosts          []JSONHost     `json:"hosts"`
}

// JSONHost is one host of a JSONReport.
type JSONHost struct {
	Host      string          `json:"host"`
	Address   string          `json:"address,omitempty"`
	Verdict   checks.Verdict  `json:"verdict"`
	OS        string          `json:"os,omitempty"`
	OSSource  string          `json:"osSource,omitempty"` // "host" or "ad"
	WhatToDo  string          `json:"whatToDo"`
	Findings  []JSONFinding   `json:"findings"`
	Error     *scan.ErrorInfo `json:"error,omitempty"`
	ADDN      string          `json:"adDn,omitempty"`
	ScanID    string          `json:"scanId,omitempty"`
	ScannedAt time.Time       `json:"scannedAt"`
	Attempts  int             `json:"attempts"`
	// OtherClients sums up the findings about other Microsoft 365 clients on the PC (the .NET
	// Framework) in the report's language; they never change Verdict, which is Outlook's.
	OtherClients string `json:"otherClients,omitempty"`
	// Probe is the outcome of the host's probe (scan --probe): checks.ProbeOutcome words,
	// space-separated when it probed several targets; omitted when it had none.
	Probe string `json:"probe,omitempty"`
	// Contradiction is true when the configuration says ready but the probe failed.
	Contradiction bool `json:"contradiction,omitempty"`
}

// JSONFinding is one finding of a JSONHost (info findings are left out).
type JSONFinding struct {
	ID          string          `json:"id"`
	Severity    checks.Severity `json:"severity"`
	Title       string          `json:"title"`
	Remediation string          `json:"remediation,omitempty"`
	FAQ         []string        `json:"faq,omitempty"`
}

// BuildJSON makes the JSONReport of results (the newest per host), texts in lang.
func BuildJSON(results []scan.Result, lang string) JSONReport {
	rows := reportRows(results, lang)
	if lang == "" {
		lang = checks.English
	}
	rep := JSONReport{Lang: lang, Summary: map[string]int{"total": len(rows)}, Contradictions: []string{},
		Findings: CountFindings(rows, lang), Hosts: []JSONHost{}}
	for _, v := range checks.Verdicts() {
		rep.Summary[string(v)] = 0
	}
	if rep.Findings == nil {
		rep.Findings = []FindingCount{}
	}
	for _, r := range rows {
		rep.Summary[string(r.Verdict)]++
		h := JSONHost{Host: r.Host, Address: r.Address, Verdict: r.Verdict, WhatToDo: WhatToDoIn(r, lang),
			Findings: []JSONFinding{}, Error: r.Error, ScanID: r.ScanID, ScannedAt: r.End, Attempts: r.Attempts,
			OtherClients: otherClientsText(r, lang), Probe: probeMachine(r), Contradiction: checks.Contradicts(r.Findings)}
		if h.Contradiction {
			rep.Contradictions = append(rep.Contradictions, r.Host)
		}
		if os := osLabelIn(r, lang); os != "?" {
			h.OS, h.OSSource = os, "host"
			if r.OS == nil {
				h.OSSource = "ad"
			}
		}
		if r.AD != nil {
			h.ADDN = r.AD.DN
		}
		for _, f := range r.Findings {
			if f.Severity != checks.SeverityInfo {
				h.Findings = append(h.Findings, JSONFinding{ID: f.ID, Severity: f.Severity, Title: f.Title, Remediation: f.Remediation, FAQ: f.FAQ})
			}
		}
		rep.Hosts = append(rep.Hosts, h)
	}
	return rep
}

// WriteJSON writes BuildJSON's document, indented.
func WriteJSON(w io.Writer, results []scan.Result, lang string) error {
	return safejson.Encode(w, BuildJSON(results, lang), "  ")
}

// CompareJSON is a comparison for scripts: counts per kind of change and one line per host.
type CompareJSON struct {
	Counts map[string]int         `json:"counts"`
	Old    map[checks.Verdict]int `json:"old"`
	New    map[checks.Verdict]int `json:"new"`
	// Contradictions are the hosts whose configuration in the new scan says ready but whose
	// probe in it failed, in the order of Changes: a host counted as fixed may be one of them.
	Contradictions []string            `json:"contradictions"`
	Changes        []CompareJSONChange `json:"changes"`
}

// CompareJSONChange is one host of a CompareJSON.
type CompareJSONChange struct {
	Host       string         `json:"host"`
	Kind       string         `json:"kind"`
	OldVerdict checks.Verdict `json:"oldVerdict,omitempty"`
	NewVerdict checks.Verdict `json:"newVerdict,omitempty"`
	WhatToDo   string         `json:"whatToDo,omitempty"` // now, in lang
	// Contradiction is true when the new scan's configuration says ready but its probe failed.
	Contradiction bool `json:"contradiction,omitempty"`
}

// WriteCompareJSON writes a comparison as CompareJSON, indented.
func WriteCompareJSON(w io.Writer, c Comparison, lang string) error {
	out := CompareJSON{Counts: c.Counts, Old: c.Old, New: c.New, Contradictions: []string{}, Changes: []CompareJSONChange{}}
	for _, ch := range c.Changes {
		j := CompareJSONChange{Host: ch.Host, Kind: ch.Kind}
		if ch.Old != nil {
			j.OldVerdict = ch.Old.Verdict
		}
		if ch.New != nil {
			j.NewVerdict = ch.New.Verdict
			j.WhatToDo = WhatToDoIn(Localize(*ch.New, lang), lang)
			if j.Contradiction = checks.Contradicts(ch.New.Findings); j.Contradiction {
				out.Contradictions = append(out.Contradictions, ch.Host)
			}
		}
		out.Changes = append(out.Changes, j)
	}
	return safejson.Encode(w, out, "  ")
}

// CompareTable writes the contradiction banner of the new scan (ContradictionBanner), the
// changed hosts of a comparison (not the unchanged ones) and the counts per kind of change.
func CompareTable(w io.Writer, c Comparison, opts TableOptions) error {
	if err := ContradictionBanner(w, c.newResults(), opts); err != nil {
		return err
	}
	l := opts.Lang
	width := opts.width()
	// What to do now only where the terminal has room for it; "tlsready report NEW" has it all.
	todoW := width - 24 - 22 - 11 - 11 - 16
	withTodo := todoW >= 24
	t := newTable(w, false)
	header := []string{tt(l, "col.host"), tt(l, "col.change"), tt(l, "col.old"), tt(l, "col.new")}
	if withTodo {
		header = append(header, tt(l, "col.todo"))
	}
	t.Header(header)
	for _, ch := range c.Changes {
		if ch.Kind == ChangeUnchanged {
			continue
		}
		var ov, nv, todo string
		if ch.Old != nil {
			ov = verdictCell(ch.Old.Verdict, l, opts.Color)
		}
		if ch.New != nil {
			nv = verdictCell(ch.New.Verdict, l, opts.Color)
			todo = tableTodo(Localize(*ch.New, l), l)
		}
		row := []string{Wrap(Clean(ch.Host), 24), Wrap(tt(l, "change."+ch.Kind), 22), ov, nv}
		if withTodo {
			row = append(row, Wrap(Clean(todo), todoW))
		}
		if err := t.Append(row); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	s := newTable(w, true)
	s.Header(tt(l, "col.change"), tt(l, "col.hosts"))
	for _, k := range ChangeKinds() {
		if err := s.Append(tt(l, "change."+k), fmt.Sprint(c.Counts[k])); err != nil {
			return err
		}
	}
	return s.Render()
}
