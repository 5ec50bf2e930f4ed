package report

import (
	"strings"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// Localize returns r with its findings' texts in lang ("en", "ja"). A finding that kept its
// arguments (Finding.Args) has its texts made from its id and arguments (checks.Render): no rules,
// no facts. A results file written before findings kept them stores English: for another
// language those findings are made again from the host's stored facts (the same rules, so the
// same ids and evidence), and a finding judged from the AD record from that record. r's own
// findings are never changed: the result has a new list when anything was made.
func Localize(r scan.Result, lang string) scan.Result {
	en := lang == "" || lang == checks.English
	withArgs := len(r.Findings) > 0
	for _, f := range r.Findings {
		if f.Args == nil {
			withArgs = false
			break
		}
	}
	switch {
	case withArgs:
		out := make([]checks.Finding, len(r.Findings))
		for i, f := range r.Findings {
			out[i], _ = renderFinding(f, lang)
		}
		r.Findings = out
	case en:
	case r.Facts != nil && r.Error == nil:
		r.Findings = reEvaluated(r.Findings, checks.EvaluateIn(r.Facts, lang))
	case r.AD != nil && len(r.Findings) > 0:
		out := make([]checks.Finding, 0, len(r.Findings))
		for _, f := range r.Findings {
			if f.ID == checks.IDOSUnsupportedRecorded && f.Args == nil {
				f = checks.RecordedOSUnsupportedIn(lang, "Active Directory", r.AD.OperatingSystem, r.AD.OSVersion, r.AD.OSServicePack, r.AD.Unsupported)
			}
			out = append(out, f)
		}
		r.Findings = out
	}
	return r
}

// LocalizeAll applies Localize to every result.
func LocalizeAll(results []scan.Result, lang string) []scan.Result {
	out := make([]scan.Result, len(results))
	for i, r := range results {
		out[i] = Localize(r, lang)
	}
	return out
}

// reEvaluated is stored (findings written before they kept their arguments) in another
// language: each finding as today's rules make it again from the stored facts, matched by id.
// The report stays what the scan found: a finding the rules make today but the scan did not
// store (a rule added since) is left out, as the stored verdict does not count it, and a stored
// finding the rules no longer make keeps its stored text.
func reEvaluated(stored, again []checks.Finding) []checks.Finding {
	byID := map[string][]checks.Finding{}
	for _, f := range again {
		byID[f.ID] = append(byID[f.ID], f)
	}
	out := make([]checks.Finding, 0, len(stored))
	for _, f := range stored {
		if fs := byID[f.ID]; len(fs) > 0 {
			f, byID[f.ID] = fs[0], fs[1:]
		}
		out = append(out, f)
	}
	return out
}

// renderFinding is checks.Render, except that a finding whose id the catalogue does not know
// (a results file written by a newer tlsready) keeps its stored texts instead of "{?ID}".
func renderFinding(f checks.Finding, lang string) (checks.Finding, bool) {
	r, ok := checks.Render(f, lang)
	if !ok || strings.HasPrefix(r.Title, "{?") {
		return f, false
	}
	return r, true
}
