// Package report renders scan results for people: terminal tables now, HTML and CSV later. It
// works from results alone and does no network I/O.
package report

import (
	"fmt"
	"io"
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

// TableOptions shape the terminal table.
type TableOptions struct {
	// Width is the terminal width to fit (default 80).
	Width int
}

// VerdictOrder lists the verdicts in the order reports show them: attention first.
func VerdictOrder() []checks.Verdict {
	return []checks.Verdict{checks.Action, checks.Unsupported, checks.Unknown, checks.Ready}
}

// HostTable writes one row per host: host, OS, verdict and what to do, hosts needing attention
// first. Every host-controlled string is cleaned of control characters before it reaches the
// terminal.
func HostTable(w io.Writer, results []scan.Result, opts TableOptions) error {
	width := opts.Width
	if width < 60 {
		width = 80
	}
	rows := make([]scan.Result, len(results))
	copy(rows, results)
	rank := map[checks.Verdict]int{}
	for i, v := range VerdictOrder() {
		rank[v] = i
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rank[rows[i].Verdict] != rank[rows[j].Verdict] {
			return rank[rows[i].Verdict] < rank[rows[j].Verdict]
		}
		return strings.ToLower(rows[i].Host) < strings.ToLower(rows[j].Host)
	})

	// Column budget: borders and padding take 3 per column plus 1; the rest goes to "what to do".
	hostW, osW, verdictW := 14, 18, 11
	todoW := width - (hostW + osW + verdictW) - 13
	if todoW < 20 {
		todoW = 20
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleLight)})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{Formatting: tw.CellFormatting{AutoFormat: tw.Off}},
			Row:    tw.CellConfig{Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone}},
		}),
	)
	t.Header("HOST", "OS", "VERDICT", "WHAT TO DO")
	for _, r := range rows {
		if err := t.Append(Wrap(Clean(r.Host), hostW), Wrap(Clean(osLabel(r)), osW), string(r.Verdict), Wrap(Clean(WhatToDo(r)), todoW)); err != nil {
			return err
		}
	}
	return t.Render()
}

// SummaryTable writes the count of hosts per verdict.
func SummaryTable(w io.Writer, results []scan.Result) error {
	counts := map[checks.Verdict]int{}
	for _, r := range results {
		counts[r.Verdict]++
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleLight)})),
		tablewriter.WithConfig(tablewriter.Config{Header: tw.CellConfig{Formatting: tw.CellFormatting{AutoFormat: tw.Off}}}),
	)
	t.Header("VERDICT", "HOSTS", "MEANING")
	meaning := map[checks.Verdict]string{
		checks.Ready:       "TLS 1.2 will be used; nothing to do",
		checks.Action:      "fix on the host (update or registry)",
		checks.Unsupported: "OS cannot use TLS 1.2: replace it",
		checks.Unknown:     "not checked: see the error",
	}
	for _, v := range VerdictOrder() {
		if err := t.Append(string(v), fmt.Sprint(counts[v]), meaning[v]); err != nil {
			return err
		}
	}
	if err := t.Append("total", fmt.Sprint(len(results)), ""); err != nil {
		return err
	}
	return t.Render()
}

// WhatToDo is the short instruction for one host: the titles of the findings that decide its
// verdict, or why it could not be checked.
func WhatToDo(r scan.Result) string {
	if r.Error != nil {
		// The table already names the host: drop the message's own "host ADDRESS: " prefix.
		msg := r.Error.Message
		if rest, ok := strings.CutPrefix(msg, "host "); ok {
			if i := strings.Index(rest, ": "); i >= 0 && !strings.Contains(rest[:i], " ") {
				msg = rest[i+2:]
			}
		}
		msg = r.Error.Category + ": " + msg
		// Not reached, yet judged from its AD record (OS_UNSUPPORTED_RECORDED): say both.
		for _, f := range r.Findings {
			if f.Severity == checks.SeverityUnsupported {
				return f.Title + " (not checked: " + msg + ")"
			}
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
		return "nothing required (1 warning: " + warnings[0] + ")"
	case len(warnings) > 1:
		return fmt.Sprintf("nothing required (%d warnings)", len(warnings))
	}
	return "nothing"
}

func osLabel(r scan.Result) string {
	if r.OS == nil {
		// Not read from the host: what Active Directory records, marked as such.
		if r.AD != nil && r.AD.OperatingSystem != "" {
			return strings.TrimSpace(strings.TrimPrefix(r.AD.OperatingSystem, "Microsoft ")+" "+r.AD.OSServicePack) + " (AD)"
		}
		return "?"
	}
	s := strings.TrimSpace(strings.TrimPrefix(r.OS.Caption, "Microsoft "))
	if r.OS.ServicePack > 0 {
		s += fmt.Sprintf(" SP%d", r.OS.ServicePack)
	}
	if s == "" {
		s = r.OS.Version
	}
	return s
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
