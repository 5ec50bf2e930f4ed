package report

import (
	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// Localize returns r with its findings' texts in lang ("en", "ja"). The results file stores
// English; for another language the findings are made again from the host's stored facts (the
// same rules, so the same ids and evidence), and a finding judged from the AD record from that
// record. English, or a result with nothing to re-evaluate, is returned as it is.
func Localize(r scan.Result, lang string) scan.Result {
	if lang == "" || lang == checks.English {
		return r
	}
	switch {
	case r.Facts != nil && r.Error == nil:
		r.Findings = checks.EvaluateIn(r.Facts, lang)
	case r.AD != nil && len(r.Findings) > 0:
		out := make([]checks.Finding, 0, len(r.Findings))
		for _, f := range r.Findings {
			if f.ID == checks.IDOSUnsupportedRecorded {
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
	if lang == "" || lang == checks.English {
		return results
	}
	out := make([]scan.Result, len(results))
	for i, r := range results {
		out[i] = Localize(r, lang)
	}
	return out
}
