package checks

import (
	"cmp"
	"slices"

	"github.com/tlsready/tlsready/facts"
)

// Check evaluates the facts of one host and returns its verdict with the findings it rests on.
func Check(f *facts.Facts) (Verdict, []Finding) {
	fs := Evaluate(f)
	return VerdictOf(fs), fs
}

// Evaluate applies every rule to the facts of one host. It is pure: no I/O, the same facts give
// the same findings in the same order (by severity, then id, then evidence), and odd facts give
// findings, not panics. A nil f is judged as a host of which nothing is known.
//
// The rules, in rules_*.go:
//   - OS (Q2): an unsupported Windows gets OS_UNSUPPORTED and, since nothing else can make it
//     ready, no other decisive finding; only the Office information is added.
//   - Collection (COLLECTOR_32BIT_PROCESS): facts read by a 32-bit collector on 64-bit Windows
//     were redirected to the 32-bit registry view and SysWOW64, so they are not judged at all.
//   - KB3140245 (Q9-Q13, Q15), DefaultSecureProtocols (Q3-Q7, Q14), SCHANNEL (Q8), WinINet (Q17)
//     and Office (Q7, for the report only; Outlook's minimum build for Microsoft 365).
//   - Cipher suites: the host's enabled TLS 1.2 suites against Microsoft 365's list.
//   - Other clients (.NET Framework, warnings only, GroupOtherClients).
//   - The probe (scan --probe, GroupProbe, info or warnings only): the host's own TLS 1.2
//     handshake to Microsoft 365, in every case where the host ran one.
func Evaluate(f *facts.Facts) []Finding {
	return EvaluateIn(f, English)
}

// EvaluateIn is Evaluate with the texts (titles, details, remediations) in lang: English or
// Japanese. The ids, severities, evidence and FAQ references are the same in every language.
// An unknown lang gives English.
func EvaluateIn(f *facts.Facts, lang string) []Finding {
	if f == nil {
		f = &facts.Facts{}
	}
	h := &host{f: f, is64: f.Is64Bit(), text: catalogueFor(lang)}
	h.os = classifyOS(f.OS)
	redirected := f.ProcessBits == 32 && h.is64
	switch {
	case h.os.class == osUnsupported:
		h.checkOSUnsupported()
		if !redirected {
			h.checkOffice()
		}
	case redirected:
		h.checkOSUnknown()
		h.checkCollector32()
	default:
		h.checkOSUnknown()
		h.checkKB()
		h.checkDSP()
		h.checkSchannel()
		h.checkCipherSuites()
		h.checkWinINet()
		h.checkRestart()
		h.checkOffice()
		h.checkDotNet()
	}
	// The probe's own handshake is reported whatever the configuration says (never decisive).
	h.checkProbe()
	sortFindings(h.out)
	if h.out == nil {
		h.out = []Finding{}
	}
	return h.out
}

// host is the state of one evaluation.
type host struct {
	f    *facts.Facts
	os   osInfo
	is64 bool
	text *catalogue
	out  []Finding
}

// add appends a finding of the given id, with the texts of the catalogue filled from a. faq adds
// questions to those the id always cites.
func (h *host) add(id string, ev []Evidence, a args, faq ...string) {
	t, ok := findingTypeOf(id)
	if !ok {
		// A programming error; the tests check that every id used is in the table.
		t = FindingType{ID: id, Severity: SeverityUnknown}
	}
	if a == nil {
		a = Args{}
	}
	txt := h.text.finding(id, a)
	refs := slices.Clone(t.FAQ)
	for _, q := range faq {
		if !slices.Contains(refs, q) {
			refs = append(refs, q)
		}
	}
	h.out = append(h.out, Finding{
		ID:          id,
		Severity:    t.Severity,
		Title:       txt.Title,
		Detail:      txt.Detail,
		Evidence:    ev,
		Remediation: txt.Remediation,
		FAQ:         refs,
		Args:        a,
	})
}

// phrase is a shorthand for the catalogue's phrase argument.
func (h *host) phrase(key string, a args) Arg { return h.text.phrase(key, a) }

// value reads a machine-wide registry item.
func (h *host) value(item, key, view, name string) regRead {
	v, found := h.f.Value(item)
	return readValue(v, found, key, view, name)
}

// seen describes evidence for a text: "KEY (64-bit view) = 0x00000a00 (2560)".
func (h *host) seen(evs []Evidence) Arg {
	var parts []Arg
	for _, e := range evs {
		a := args{"key": lit(e.Key), "name": lit(e.Name), "value": lit(e.Value), "type": lit(e.Type), "view": lit(e.View), "path": lit(e.Path)}
		switch {
		case e.Path != "":
			parts = append(parts, h.phrase("seen.file", a))
		case e.View != "" && e.Type != "" && e.Type != facts.RegDWORD:
			parts = append(parts, h.phrase("seen.view.typed", a))
		case e.View != "":
			parts = append(parts, h.phrase("seen.view", a))
		case e.Type != "" && e.Type != facts.RegDWORD:
			parts = append(parts, h.phrase("seen.typed", a))
		default:
			parts = append(parts, h.phrase("seen", a))
		}
	}
	return joinArgs(parts)
}

// sortFindings orders findings by severity, then id, then evidence.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)),
			cmp.Compare(a.ID, b.ID),
			slices.CompareFunc(a.Evidence, b.Evidence, evidenceCompare),
		)
	})
}

// RecordedOSUnsupported is the finding for a host that could not be checked but whose
// operating system, as a directory records it (source, e.g. "Active Directory"), is certainly
// one that cannot use TLS 1.2 in WinHTTP (Q2). why says what makes it so; the caller decides
// that (see discover.Unsupported), since a record is not the host's own facts. The finding makes
// the verdict unsupported: no registry value or update can make such a host ready.
func RecordedOSUnsupported(source, caption, version, servicePack, why string) Finding {
	return RecordedOSUnsupportedIn(English, source, caption, version, servicePack, why)
}

// RecordedOSUnsupportedIn is RecordedOSUnsupported with the texts in lang.
func RecordedOSUnsupportedIn(lang, source, caption, version, servicePack, why string) Finding {
	h := &host{text: catalogueFor(lang)}
	os := caption
	if servicePack != "" {
		os += " " + servicePack
	}
	ev := []Evidence{
		{Name: source + " operatingSystem", Value: caption},
		{Name: source + " operatingSystemVersion", Value: version},
		{Name: source + " operatingSystemServicePack", Value: servicePack},
	}
	h.add(IDOSUnsupportedRecorded, ev, args{"os": lit(os), "version": lit(version), "source": lit(source), "why": lit(why)})
	return h.out[0]
}
