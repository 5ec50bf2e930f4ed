// Package report renders scan results for people and their tools: terminal tables, the HTML
// report, CSV and JSON, comparisons of two scans, in English and Japanese. It works from results
// alone and does no network I/O.
package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// TableOptions shape the terminal tables.
type TableOptions struct {
	// Width is the terminal width to fit (default 80).
	Width int
	// Lang is the language of the labels and finding texts: "en" (default) or "ja".
	Lang string
	// Color marks verdicts in colour (ANSI). Only for a terminal, never with NO_COLOR.
	Color bool
}

// width is the width to fit: Width, or 80 when that is unset or too narrow for the tables.
func (o TableOptions) width() int {
	if o.Width < 60 {
		return 80
	}
	return o.Width
}

// verdictCell is a verdict as a table shows it (VerdictName), coloured when asked.
func verdictCell(v checks.Verdict, lang string, color bool) string {
	name := VerdictName(v, lang)
	if !color {
		return name
	}
	code := map[checks.Verdict]string{checks.Ready: "32", checks.Action: "33", checks.Unsupported: "31", checks.Unknown: "35"}[v]
	if code == "" {
		return name
	}
	return "\x1b[" + code + "m" + name + "\x1b[0m"
}

// newTable is a table with the house style: light borders, headers as written.
func newTable(w io.Writer, wrap bool) *tablewriter.Table {
	cfg := tablewriter.Config{Header: tw.CellConfig{Formatting: tw.CellFormatting{AutoFormat: tw.Off}}}
	if !wrap {
		cfg.Row = tw.CellConfig{Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone}}
	}
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleLight)})),
		tablewriter.WithConfig(cfg))
}

// VerdictOrder lists the verdicts in the order reports show them: attention first.
func VerdictOrder() []checks.Verdict {
	return []checks.Verdict{checks.Action, checks.Unsupported, checks.Unknown, checks.Ready}
}

// HostTable writes one row per host: host, OS, verdict (Outlook's), what to do, the other
// Microsoft 365 clients on the PC, and the probe's outcome when any host has one (scan --probe),
// hosts needing attention first. Every host-controlled string is cleaned of control characters
// before it reaches the terminal.
func HostTable(w io.Writer, results []scan.Result, opts TableOptions) error {
	width := opts.width()
	rows := sortForReport(results)
	for i := range rows {
		rows[i] = Localize(rows[i], opts.Lang)
	}
	// The probe column only when a host has a probe finding (scan --probe), the other clients
	// column only when a host has such a finding: a table without them looks as before, and
	// keeps its width for the columns it has.
	withProbe, withOther := HasProbe(rows), hasOtherClients(rows)

	// Column budget: borders and padding take 3 per column plus 1. A column is as wide as its
	// longest word where the width allows, so that DNS names and SIDs are not broken in the
	// middle: the host column up to 30 (taking from the OS column, down to 12, if need be), the
	// other clients (and probe) columns up to 16 (24) and down to 8 (10), the rest to "what to
	// do" (at least 20), which may take from the OS column for its longest word. Clean escapes the
	// line breaks of host strings, so a "\n" in a what to do cell only ever comes before a folded
	// extra column.
	type row struct{ host, os, verdict, todo, other, probe string }
	cells := make([]row, len(rows))
	l := opts.Lang
	hostNeed, todoNeed, verdictW := 0, 0, runewidth.StringWidth(tt(l, "col.verdict"))
	otherNeed, otherWord := 1, longestWord(tt(l, "col.other"))
	probeNeed, probeWord := runewidth.StringWidth(tt(l, "col.probe")), longestWord(tt(l, "col.probe"))
	for i, r := range rows {
		cells[i] = row{Clean(r.Host), Clean(osLabelIn(r, l)), verdictCell(r.Verdict, l, opts.Color), Clean(tableTodo(r, l)),
			Clean(otherClientsCell(r, l)), ""}
		hostNeed = max(hostNeed, longestWord(cells[i].host))
		todoNeed = max(todoNeed, longestWord(cells[i].todo))
		verdictW = max(verdictW, runewidth.StringWidth(VerdictName(r.Verdict, l)))
		otherNeed = max(otherNeed, runewidth.StringWidth(cells[i].other))
		otherWord = max(otherWord, longestWord(cells[i].other))
		if withProbe {
			cells[i].probe = Clean(probeText(r, l))
			if cells[i].probe == "" {
				cells[i].probe = "—"
			}
			probeNeed = max(probeNeed, runewidth.StringWidth(cells[i].probe))
			probeWord = max(probeWord, longestWord(cells[i].probe))
		}
	}
	avail := func(ncol int) int { return width - 3*ncol - 1 }
	const minHost, minTodo, minOS, maxOther, minProbe, maxProbe = 14, 20, 12, 16, 10, 24
	minOther := min(max(otherWord, 8), maxOther)
	// Where even the narrowest extra columns do not fit beside the four (80 columns with both),
	// their texts go under "what to do" instead, each with its column's name.
	fold := false
	if withOther || withProbe {
		ncol, need := 4, minHost+minOS+verdictW+minTodo
		if withOther {
			ncol, need = ncol+1, need+minOther
		}
		if withProbe {
			ncol, need = ncol+1, need+minProbe
		}
		fold = need > avail(ncol)
	}
	if fold {
		for i := range cells {
			c := &cells[i]
			if withOther && c.other != "—" {
				c.todo += "\n" + tt(l, "col.other") + ": " + c.other
			}
			if withProbe && c.probe != "—" {
				c.todo += "\n" + tt(l, "col.probe") + ": " + c.probe
			}
			todoNeed = max(todoNeed, longestWord(c.todo))
		}
		withOther, withProbe = false, false
	}
	ncol := 4
	otherW, probeW := 0, 0
	if withOther {
		ncol++
		otherW = min(max(otherNeed, minOther), maxOther)
	} else {
		minOther = 0
	}
	if withProbe {
		ncol++
		probeW = min(max(probeNeed, minProbe, probeWord), maxProbe)
	}
	osW := 18
	hostW := min(max(minHost, hostNeed), 30)
	if over := hostW + osW + verdictW + otherW + probeW + minTodo - avail(ncol); over > 0 {
		d := min(over, osW-minOS)
		osW -= d
		over -= d
		d = min(over, otherW-minOther)
		otherW -= d
		over -= d
		if withProbe {
			d = min(over, probeW-minProbe)
			probeW -= d
			over -= d
		}
		hostW = max(minHost, hostW-over)
	}
	todoW := avail(ncol) - hostW - osW - verdictW - otherW - probeW
	if todoW < todoNeed {
		give := min(todoNeed-todoW, osW-minOS)
		osW -= give
		todoW += give
	}
	todoW = max(todoW, minTodo)
	t := newTable(w, false)
	header := []string{tt(l, "col.host"), tt(l, "col.os"), tt(l, "col.verdict"), tt(l, "col.todo")}
	if withOther {
		header = append(header, Wrap(tt(l, "col.other"), otherW))
	}
	if withProbe {
		header = append(header, Wrap(tt(l, "col.probe"), probeW))
	}
	t.Header(header)
	for _, c := range cells {
		var todo []string
		for _, part := range strings.Split(c.todo, "\n") {
			todo = append(todo, Wrap(part, todoW))
		}
		rec := []string{Wrap(c.host, hostW), Wrap(c.os, osW), c.verdict, strings.Join(todo, "\n")}
		if withOther {
			rec = append(rec, Wrap(c.other, otherW))
		}
		if withProbe {
			rec = append(rec, Wrap(c.probe, probeW))
		}
		if err := t.Append(rec); err != nil {
			return err
		}
	}
	return t.Render()
}

// SummaryTable writes the count of hosts per verdict.
func SummaryTable(w io.Writer, results []scan.Result, opts TableOptions) error {
	counts := map[checks.Verdict]int{}
	for _, r := range results {
		counts[r.Verdict]++
	}
	l := opts.Lang
	width := opts.width()
	t := newTable(w, false)
	t.Header(tt(l, "col.verdict"), tt(l, "col.hosts"), tt(l, "col.meaning"))
	for _, v := range VerdictOrder() {
		if err := t.Append(verdictCell(v, l, opts.Color), fmt.Sprint(counts[v]), Wrap(tt(l, "meaning."+string(v)), width-32)); err != nil {
			return err
		}
	}
	if err := t.Append(tt(l, "total"), fmt.Sprint(len(results)), ""); err != nil {
		return err
	}
	return t.Render()
}

// FindingCount is how many hosts have one kind of finding.
type FindingCount struct {
	ID       string          `json:"id"`
	Severity checks.Severity `json:"severity"`
	Title    string          `json:"title"` // the kind's short title (checks.TypeTitle)
	FAQ      []string        `json:"faq"`
	Hosts    int             `json:"hosts"`
}

// CountFindings counts, per finding id that decides or warns (not info), the hosts that have it:
// the most urgent severity first, then the most hosts. Titles are in lang.
func CountFindings(results []scan.Result, lang string) []FindingCount {
	index := map[string]int{}
	var out []FindingCount
	for _, r := range results {
		seen := map[string]bool{}
		for _, f := range r.Findings {
			if f.Severity == checks.SeverityInfo || seen[f.ID] {
				continue
			}
			seen[f.ID] = true
			i, ok := index[f.ID]
			if !ok {
				i = len(out)
				index[f.ID] = i
				ft := f.FAQ
				for _, t := range checks.FindingTypes() {
					if t.ID == f.ID {
						ft = t.FAQ
					}
				}
				out = append(out, FindingCount{ID: f.ID, Severity: f.Severity, Title: checks.TypeTitle(f.ID, lang), FAQ: SortFAQ(ft)})
			}
			out[i].Hosts++
		}
	}
	rank := map[checks.Severity]int{checks.SeverityUnsupported: 0, checks.SeverityAction: 1, checks.SeverityUnknown: 2, checks.SeverityWarning: 3}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].Severity] != rank[out[j].Severity] {
			return rank[out[i].Severity] < rank[out[j].Severity]
		}
		if out[i].Hosts != out[j].Hosts {
			return out[i].Hosts > out[j].Hosts
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// FindingTable writes the number of hosts per kind of finding, most urgent first.
func FindingTable(w io.Writer, results []scan.Result, opts TableOptions) error {
	counts := CountFindings(results, opts.Lang)
	if len(counts) == 0 {
		return nil
	}
	width := opts.width()
	titleW := width - 40
	l := opts.Lang
	t := newTable(w, false)
	t.Header(tt(l, "col.finding"), tt(l, "col.severity"), tt(l, "col.hosts"), tt(l, "col.faq"))
	for _, c := range counts {
		if err := t.Append(Wrap(Clean(c.Title), titleW), string(c.Severity), fmt.Sprint(c.Hosts), Wrap(strings.Join(c.FAQ, " "), 9)); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	// The FAQ column's Q numbers, named once.
	_, err := fmt.Fprintln(w, Wrap(checks.FAQReference(l), width))
	return err
}

// WhatToDoIn is the short instruction for one host with the words in lang: the titles of the
// findings that decide its verdict (r's as they are, see Localize), or why it could not be
// checked.
func WhatToDoIn(r scan.Result, lang string) string {
	return whatToDo(r, true, func(key string, kv ...string) string { return tt(lang, key, kv...) })
}

// tableTodo is the WHAT TO DO cell of the terminal host table: as WhatToDoIn, except that a
// host not checked gets the advice for its error's category (ErrorAdvice) instead of the raw
// error, which the results file, JSON, CSV and the HTML report's evidence keep.
func tableTodo(r scan.Result, lang string) string {
	if r.Error == nil {
		return WhatToDoIn(r, lang)
	}
	advice := ErrorAdvice(r.Error, lang)
	for _, f := range r.Findings {
		if f.Severity == checks.SeverityUnsupported {
			return tt(lang, "todo.notchecked", "title", f.Title, "error", advice)
		}
	}
	return advice
}

// ErrorAdvice is what to do about a host that could not be checked, in lang: the fix for its
// error's category (unreachable: WinRM not listening or a firewall; timeout: --timeout; auth:
// the account or the certificate), or for winrm and collector errors the message in short.
func ErrorAdvice(e *scan.ErrorInfo, lang string) string {
	msg := errorMessage(e.Message)
	switch e.Category {
	case scan.CategoryUnreachable, scan.CategoryTimeout:
		return tt(lang, "advice."+e.Category)
	case scan.CategoryAuth:
		switch AuthFailureKind(e) {
		case AuthCertificate:
			return tt(lang, "advice.cert")
		case AuthDenied:
			return tt(lang, "advice.auth.denied")
		case AuthOther:
			return tt(lang, "advice.auth.other", "error", shortMessage(msg))
		}
		return tt(lang, "advice.auth")
	case scan.CategoryWinRM, scan.CategoryCollector:
		return tt(lang, "advice."+e.Category, "error", shortMessage(msg))
	}
	return e.Category + ": " + shortMessage(msg)
}

// The kinds of an auth error (AuthFailureKind), each with its own advice.
const (
	// AuthCertificate: the host's certificate is not trusted (or is for another name).
	AuthCertificate = "certificate"
	// AuthRejected: the logon was refused (an NTLM, Basic or Kerberos refusal, SSPI's
	// SEC_E_LOGON_DENIED, a bare HTTP 401). Windows' WinRM also answers 401 to the right password
	// of an account outside Administrators and Remote Management Users
	// (https://github.com/diyan/pywinrm/issues/114), so its advice names both causes.
	AuthRejected = "rejected"
	// AuthDenied: the logon worked but the account may not use WinRM or WMI there (HTTP 403,
	// a w:AccessDenied fault).
	AuthDenied = "denied"
	// AuthOther: authentication could not complete for another reason (no common scheme, no
	// Kerberos ticket, an unknown SPN): the host's message says which.
	AuthOther = "other"
)

// AuthFailureKind is the kind of an auth error, from the message the remote package wrote
// (remote.AuthError, remote.SSPIError, the Kerberos client's KDC errors, WS-Management faults);
// "" for an error of another category.
func AuthFailureKind(e *scan.ErrorInfo) string {
	if e == nil || e.Category != scan.CategoryAuth {
		return ""
	}
	m := e.Message
	switch {
	case strings.Contains(m, "x509:") || strings.Contains(m, "certificate"):
		return AuthCertificate
	case strings.Contains(m, "HTTP 403") || strings.Contains(m, "access denied") || strings.Contains(m, "Access is denied"):
		return AuthDenied
	case strings.Contains(m, "password rejected") || strings.Contains(m, "LOGON_DENIED"),
		strings.Contains(m, "HTTP 401") && !strings.Contains(m, "does not accept"):
		return AuthRejected
	}
	return AuthOther
}

// shortMessage is the gist of an error message for a table cell: its last two ": "-separated
// parts (the outermost contexts, such as "run collector: receive output:", add little to the
// cause), cut to 72 characters.
func shortMessage(msg string) string {
	parts := strings.Split(msg, ": ")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	s := strings.Join(parts, ": ")
	if r := []rune(s); len(r) > 72 {
		s = string(r[:71]) + "…"
	}
	return s
}

// CommonFailure says, when most of the hosts (more than half, and at least 3) could not be
// checked for the same category of error, how many and what to do about it, in lang; "" when
// there is no such majority. A scan prints it once at the end.
func CommonFailure(results []scan.Result, lang string) string {
	// Auth errors count by kind: a wrong password and an account denied access need different
	// advice.
	counts := map[string]int{}
	byCategory := map[string]*scan.ErrorInfo{}
	for _, r := range results {
		if r.Error != nil {
			c := r.Error.Category
			if k := AuthFailureKind(r.Error); k != "" {
				c += "/" + k
			}
			counts[c]++
			if byCategory[c] == nil {
				byCategory[c] = r.Error
			}
		}
	}
	for c, n := range counts {
		if n >= 3 && n*2 > len(results) {
			return tt(lang, "advice.most", "n", fmt.Sprint(n), "total", fmt.Sprint(len(results)), "category", byCategory[c].Category,
				"advice", ErrorAdvice(byCategory[c], lang))
		}
	}
	return ""
}

// whatToDo is the instruction for one host with the words of say; withCategory puts the error
// category before an error message (the tables have no column of their own for it).
func whatToDo(r scan.Result, withCategory bool, say func(key string, kv ...string) string) string {
	if r.Error != nil {
		// The table already names the host: drop the message's own "host ADDRESS: " prefix.
		msg := errorMessage(r.Error.Message)
		full := r.Error.Category + ": " + msg
		// Not reached, yet judged from its AD record (OS_UNSUPPORTED_RECORDED): say both.
		for _, f := range r.Findings {
			if f.Severity == checks.SeverityUnsupported {
				return say("todo.notchecked", "title", f.Title, "error", full)
			}
		}
		if withCategory {
			return full
		}
		return msg
	}
	var decisive, warnings []string
	for _, f := range r.Findings {
		switch f.Severity {
		case checks.SeverityUnsupported, checks.SeverityAction, checks.SeverityUnknown:
			decisive = append(decisive, f.Title)
		case checks.SeverityWarning:
			warnings = append(warnings, f.Title)
		}
	}
	switch {
	case len(decisive) > 0:
		return strings.Join(decisive, "; ")
	case len(warnings) == 1:
		return say("todo.warning", "title", warnings[0])
	case len(warnings) > 1:
		return say("todo.warnings", "n", fmt.Sprint(len(warnings)))
	}
	return say("todo.nothing")
}

// osLabelIn is the host's operating system for a table: its own caption and service pack, else
// what Active Directory records, marked (AD), else "?".
func osLabelIn(r scan.Result, lang string) string {
	if r.OS == nil {
		// Not read from the host: what Active Directory records, marked as such.
		if r.AD != nil && r.AD.OperatingSystem != "" {
			return tt(lang, "os.ad", "os", r.AD.OSName())
		}
		return "?"
	}
	return r.OSName()
}

// longestWord is the width in terminal columns of the longest run of s that should not be
// broken: a blank-separated word of narrow characters (a SID, a DNS name). Text in wide
// characters (Japanese) may break between any two of them and does not count.
func longestWord(s string) int {
	n, run := 0, 0
	for _, r := range s {
		if r == ' ' || runewidth.RuneWidth(r) != 1 {
			run = 0
			continue
		}
		run++
		n = max(n, run)
	}
	return n
}

// Wrap breaks s into lines of at most width terminal columns, between words where it can and
// inside a word that is longer than a line (a SID, a registry path). East Asian wide characters
// count two columns.
func Wrap(s string, width int) string {
	var lines []string
	var line strings.Builder
	lineW := 0
	flush := func() {
		lines = append(lines, strings.TrimRight(line.String(), " "))
		line.Reset()
		lineW = 0
	}
	for _, word := range strings.Fields(s) {
		ww := runewidth.StringWidth(word)
		if lineW > 0 && lineW+1+ww > width {
			flush()
		}
		if lineW > 0 {
			line.WriteByte(' ')
			lineW++
		}
		for _, r := range word {
			rw := runewidth.RuneWidth(r)
			if lineW+rw > width {
				flush()
			}
			line.WriteRune(r)
			lineW += rw
		}
	}
	if lineW > 0 || len(lines) == 0 {
		flush()
	}
	return strings.Join(lines, "\n")
}

// Clean makes an untrusted string safe for a terminal: control characters (escape sequences,
// carriage returns, bidirectional overrides) become visible \x.. or \u.... escapes.
func Clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DiscoveredTable writes the computers found in Active Directory, one row each: DNS name, the OS
// AD records, last logon, notes; the computers whose OS must be replaced first, then by name.
// Every AD string is cleaned of control characters.
func DiscoveredTable(w io.Writer, targets []scan.Target) error {
	t := newTable(w, false)
	t.Header("DNS NAME", "OS (AD)", "LAST LOGON", "NOTE")
	sorted := slices.Clone(targets)
	slices.SortFunc(sorted, func(a, b scan.Target) int {
		// Computers to replace first, then by name.
		if x, y := a.AD.Unsupported != "", b.AD.Unsupported != ""; x != y {
			if x {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	for _, tg := range sorted {
		c := tg.AD
		os := c.OSName()
		logon := "-"
		if !c.LastLogon.IsZero() {
			logon = c.LastLogon.Format("2006-01-02")
		}
		var notes []string
		if c.Unsupported != "" {
			notes = append(notes, "unsupported OS")
		}
		if c.DNSFromName {
			notes = append(notes, "no dNSHostName")
		}
		if err := t.Append(Wrap(Clean(tg.Name), 24), Wrap(Clean(os), 22), logon,
			Wrap(Clean(strings.Join(notes, "; ")), 14)); err != nil {
			return err
		}
	}
	return t.Render()
}
