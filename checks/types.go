// Package checks turns the facts collected from one Windows host into findings and one verdict,
// following the rules of the TLS 1.2 for Outlook FAQ (see DESIGN.md; Q numbers refer to it).
//
// It owns the rules and the list of items the collector must read (Items). It does no I/O and
// knows nothing of WinRM, Active Directory or output formats.
package checks

// Verdict is the outcome for one host. Its string form is part of the results file format.
type Verdict string

// The four verdicts, exactly these words in machine output.
const (
	// Ready: Outlook's WinHTTP and WinINet connections can use TLS 1.2 as configured.
	Ready Verdict = "ready"
	// Action: something on the host must be fixed (update, registry) before TLS 1.2 is used.
	Action Verdict = "action"
	// Unsupported: the operating system cannot get TLS 1.2 in WinHTTP; it must be replaced (Q2).
	Unsupported Verdict = "unsupported"
	// Unknown: the host was not reached, or a fact the verdict needs could not be read.
	Unknown Verdict = "unknown"
)

// Verdicts lists the four verdicts, from the best.
func Verdicts() []Verdict { return []Verdict{Ready, Action, Unsupported, Unknown} }

// Severity ranks a finding. The first three decide the verdict; warning and info never change it.
type Severity string

// Severities, from the strongest.
const (
	SeverityUnsupported Severity = "unsupported" // the OS must be replaced
	SeverityAction      Severity = "action"      // TLS 1.2 would not be used: fix on the host
	SeverityUnknown     Severity = "unknown"     // a fact needed for the verdict could not be read
	SeverityWarning     Severity = "warning"     // advice that does not block TLS 1.2
	SeverityInfo        Severity = "info"        // for the report only
)

// Evidence is one fact a finding rests on: a registry value (Key, View, Name, Type, Value), a
// file version (Path, Value), or an OS fact (Name, Value).
type Evidence struct {
	Key   string `json:"key,omitempty"`
	View  string `json:"view,omitempty"` // "64-bit" or "32-bit" registry view, when it matters
	Name  string `json:"name,omitempty"`
	Type  string `json:"type,omitempty"`
	Path  string `json:"path,omitempty"`
	Value string `json:"value"` // as found, or "(absent)", "(no key)", "(unreadable: ...)"
}

// Finding is one result of one rule on one host.
type Finding struct {
	ID       string     `json:"id"` // stable, e.g. "KB3140245_MISSING"
	Severity Severity   `json:"severity"`
	Title    string     `json:"title"`  // one line for a table
	Detail   string     `json:"detail"` // what was seen and why it matters
	Evidence []Evidence `json:"evidence,omitempty"`
	// Remediation is the fix for this host, citing the FAQ question(s).
	Remediation string   `json:"remediation,omitempty"`
	FAQ         []string `json:"faq,omitempty"` // e.g. ["Q13", "Q9"]
	// Args are the values of the placeholders of the finding's texts, so that a report makes
	// the texts in its reader's language from the id and these (Render) without the rules or
	// the facts. Null in results files written before they were kept: a report then makes the
	// findings again from the stored facts.
	Args Args `json:"args"`
}

// VerdictOf derives the verdict from findings: unsupported over action over unknown over ready.
func VerdictOf(findings []Finding) Verdict {
	v := Ready
	rank := map[Verdict]int{Ready: 0, Unknown: 1, Action: 2, Unsupported: 3}
	for _, f := range findings {
		var fv Verdict
		switch f.Severity {
		case SeverityUnsupported:
			fv = Unsupported
		case SeverityAction:
			fv = Action
		case SeverityUnknown:
			fv = Unknown
		default:
			continue
		}
		if rank[fv] > rank[v] {
			v = fv
		}
	}
	return v
}
