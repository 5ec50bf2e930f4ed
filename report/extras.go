package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// Two kinds of findings stand beside Outlook's verdict without changing it (issue 18):
//
//   - Other Microsoft 365 clients on the PC (checks.GroupOtherClients: the .NET Framework
//     rules): the "other clients" column of the terminal table, the HTML report (the hosts table
//     and the cards under 640 px), the CSV's other_clients and the JSON's otherClients.
//   - The probe (scan --probe, checks.GroupProbe): its own column when any host of the report
//     has a probe finding, hidden otherwise so that a report without --probe looks as before;
//     a host whose configuration says ready but whose probe failed or was intercepted
//     (checks.Contradicts) is listed in a banner at the top of every report.

// maxBannerHosts is how many contradicting hosts the terminal banner names; the rest are
// counted (the CSV's contradiction column and the JSON's contradictions list all of them).
const maxBannerHosts = 20

// isProbe reports whether a finding id is one of the probe's (checks.GroupProbe).
func isProbe(id string) bool {
	switch id {
	case checks.IDProbeOK, checks.IDProbeFailed, checks.IDProbeIntercepted, checks.IDProbeNeedsShell:
		return true
	}
	return checks.GroupOf(id) == checks.GroupProbe
}

// isOtherClients reports whether a finding id is about other Microsoft 365 clients on the PC.
func isOtherClients(id string) bool { return checks.GroupOf(id) == checks.GroupOtherClients }

// argText is the text of a finding's literal argument name, "" when it has none.
func argText(f checks.Finding, name string) string {
	if f.Args == nil {
		return ""
	}
	return f.Args[name].Text
}

// probeArgs are the arguments of a probe finding a report shows (the probe column, the banner):
// ReportDecoder keeps them, and only them, of the findings' arguments.
var probeArgs = []string{"target", "outcome", "protocol", "cipher"}

// probeOutcome is the outcome of a probe finding (checks.ProbeOutcome, as the "outcome" argument
// says, or as its id implies when the argument is missing).
func probeOutcome(f checks.Finding) checks.ProbeOutcome {
	if o := argText(f, "outcome"); o != "" {
		return checks.ProbeOutcome(o)
	}
	switch f.ID {
	case checks.IDProbeOK:
		return checks.ProbeOK
	case checks.IDProbeIntercepted:
		return checks.ProbeIntercepted
	case checks.IDProbeNeedsShell:
		return checks.ProbeNeedsShell
	}
	return checks.ProbeError
}

// outcomeName is a probe outcome in lang: in English its machine word (as the CSV and JSON
// write it), in Japanese a short phrase with the word. An outcome this version does not know is
// shown as it is.
func outcomeName(o checks.ProbeOutcome, lang string) string {
	switch o {
	case checks.ProbeOK, checks.ProbeNoRoute, checks.ProbeProxy, checks.ProbeRefused, checks.ProbeIntercepted,
		checks.ProbeError, checks.ProbeNeedsShell:
		return tt(lang, "probe."+string(o))
	}
	return string(o)
}

// HasProbe reports whether any of results has a probe finding: the reports then show the probe
// column.
func HasProbe(results []scan.Result) bool { return anyFinding(results, isProbe) }

// hasOtherClients reports whether any of results has a finding about other clients
// (checks.GroupOtherClients): the terminal table then shows their column.
func hasOtherClients(results []scan.Result) bool { return anyFinding(results, isOtherClients) }

// anyFinding reports whether any of results has a finding whose id is.
func anyFinding(results []scan.Result, is func(id string) bool) bool {
	for _, r := range results {
		for _, f := range r.Findings {
			if is(f.ID) {
				return true
			}
		}
	}
	return false
}

// probeText is the probe cell of one host in lang: "ok (TLS 1.2, TLS_ECDHE_…)" or the failure
// outcome, one per probe finding (with the target when there are several), "" when the host has
// no probe finding. Host strings in it are raw: each output escapes them.
func probeText(r scan.Result, lang string) string {
	var fs []checks.Finding
	for _, f := range r.Findings {
		if isProbe(f.ID) {
			fs = append(fs, f)
		}
	}
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		o := probeOutcome(f)
		s := outcomeName(o, lang)
		if o == checks.ProbeOK {
			var neg []string
			for _, k := range []string{"protocol", "cipher"} {
				if v := argText(f, k); v != "" {
					neg = append(neg, v)
				}
			}
			if len(neg) > 0 {
				s = tt(lang, "probe.negotiated", "outcome", s, "what", strings.Join(neg, ", "))
			}
		}
		if t := argText(f, "target"); t != "" && len(fs) > 1 {
			s = t + ": " + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// probeMachine is the probe outcome of one host as the CSV's probe column and the JSON's
// probeOutcome write it: the outcome words (checks.ProbeOutcome) of its probe findings joined by
// a space, "" when it has none.
func probeMachine(r scan.Result) string {
	var out []string
	for _, f := range r.Findings {
		if isProbe(f.ID) {
			out = append(out, string(probeOutcome(f)))
		}
	}
	return strings.Join(out, " ")
}

// otherClientsText is the "other clients" summary of one host in lang: one short phrase per kind
// of GroupOtherClients finding (".NET: weak TLS (3 values)"), "" when it has none. It never
// speaks of Outlook's verdict.
func otherClientsText(r scan.Result, lang string) string {
	var parts []string
	seen := map[string]int{}
	counts := map[string]int{}
	var order []string
	for _, f := range r.Findings {
		if !isOtherClients(f.ID) {
			continue
		}
		if _, ok := seen[f.ID]; !ok {
			seen[f.ID] = len(order)
			order = append(order, f.ID)
		}
		// Each weak registry value is one piece of evidence.
		counts[f.ID] += max(1, len(f.Evidence))
	}
	for _, id := range order {
		switch id {
		case checks.IDDotNetWeakTLS:
			key := "other.dotnet.weak"
			if counts[id] == 1 {
				key = "other.dotnet.weak.one"
			}
			parts = append(parts, tt(lang, key, "n", fmt.Sprint(counts[id])))
		case checks.IDDotNet40NoTLS12:
			parts = append(parts, tt(lang, "other.dotnet40"))
		default:
			parts = append(parts, checks.TypeTitle(id, lang))
		}
	}
	return strings.Join(parts, "; ")
}

// otherClientsCell is otherClientsText, or "—" when the host has no such finding.
func otherClientsCell(r scan.Result, lang string) string {
	if s := otherClientsText(r, lang); s != "" {
		return s
	}
	return "—"
}

// contradiction is one host of the banner: its name, the outcome of its failed probe, and its
// index among the report's rows.
type contradiction struct {
	Host    string
	Outcome checks.ProbeOutcome
	Row     int
}

// contradictions are the hosts among rows whose configuration says ready but whose probe failed
// (checks.Contradicts), in the rows' order.
func contradictions(rows []scan.Result) []contradiction {
	var out []contradiction
	for i, r := range rows {
		if !checks.Contradicts(r.Findings) {
			continue
		}
		c := contradiction{Host: r.Host, Row: i, Outcome: checks.ProbeError}
		for _, f := range r.Findings {
			if f.ID == checks.IDProbeFailed || f.ID == checks.IDProbeIntercepted {
				c.Outcome = probeOutcome(f)
				break
			}
		}
		out = append(out, c)
	}
	return out
}

// ContradictionBanner writes, before the tables, the hosts whose configuration says ready but
// whose probe failed: their count, then one line each (the first maxBannerHosts), host names
// cleaned for the terminal. It writes nothing when there is none.
func ContradictionBanner(w io.Writer, results []scan.Result, opts TableOptions) error {
	cs := contradictions(sortForReport(scan.Latest(results)))
	if len(cs) == 0 {
		return nil
	}
	l, width := opts.Lang, opts.width()
	head := tt(l, "banner.head", "n", fmt.Sprint(len(cs)))
	if opts.Color {
		head = "\x1b[1;31m" + head + "\x1b[0m"
	}
	var b strings.Builder
	b.WriteString(head + "\n")
	for i, c := range cs {
		if i == maxBannerHosts {
			b.WriteString(Wrap(tt(l, "banner.more", "n", fmt.Sprint(len(cs)-maxBannerHosts)), width) + "\n")
			break
		}
		// The outcome is the host's word too: an unknown one is shown as it came, cleaned.
		line := tt(l, "banner.item", "host", Clean(c.Host), "outcome", Clean(outcomeName(c.Outcome, l)))
		b.WriteString(indent(Wrap(line, width-4), "  - ", "    ") + "\n")
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// indent puts first before the first line of s and rest before each other line.
func indent(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = rest + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// ForTables returns f reduced to what the terminal tables show of it, for a scan that keeps its
// hosts' findings in memory until the end: id, severity, title and FAQ questions; the probe's
// arguments (the probe column and the contradiction banner show its outcome); and the evidence
// of the other clients' findings (their column counts the values).
func ForTables(f checks.Finding) checks.Finding {
	s := checks.Finding{ID: f.ID, Severity: f.Severity, Title: f.Title, FAQ: f.FAQ}
	if isProbe(f.ID) {
		for _, k := range probeArgs {
			if a, ok := f.Args[k]; ok && a.Text != "" {
				if s.Args == nil {
					s.Args = checks.Args{}
				}
				s.Args[k] = checks.Arg{Text: a.Text}
			}
		}
	}
	if isOtherClients(f.ID) {
		s.Evidence = f.Evidence
	}
	return s
}
