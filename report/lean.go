package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/scan"
)

// A report keeps every host in memory (the tables and pages are sorted, attention first), so it
// keeps of each host only what it shows: ReportDecoder leaves out the facts tree (about 60% of a
// results line) and the findings' arguments, makes the findings' texts in the reader's language
// as it reads (checks.Render: from each finding's id and arguments, without the rules), and
// shares what repeats across hosts - a whole list of findings, one finding, one string - instead
// of holding a copy per host. With it a report on 100,000 hosts stays under 300 MB (bench/report).

// ReportDecoder returns a line decoder (scan.ReadResultsWith) for a report in lang: each result
// without its facts, its findings' texts in lang and without their arguments, values that repeat
// across hosts shared. A results file written before findings kept their arguments has its
// findings made again from the line's facts, as Localize does. A decoder holds the shared values
// of the lines it decoded: use one per report.
func ReportDecoder(lang string) scan.LineDecoder {
	d := &reportDecoder{lang: lang, lists: map[[32]byte][]checks.Finding{}, findings: map[[32]byte]checks.Finding{},
		strs: map[string]string{}, faqs: map[string][]string{}, oses: map[facts.OS]*facts.OS{}}
	return d.decode
}

// reportDecoder is the state of a ReportDecoder: values already seen, by content.
type reportDecoder struct {
	lang     string
	lists    map[[32]byte][]checks.Finding // by the SHA-256 of a line's findings array
	findings map[[32]byte]checks.Finding   // by the SHA-256 of one finding
	strs     map[string]string
	faqs     map[string][]string
	oses     map[facts.OS]*facts.OS
}

// reportLine is a results line with its findings and facts left raw.
type reportLine struct {
	scan.Result
	Findings json.RawMessage `json:"findings"`
	Facts    json.RawMessage `json:"facts"`
}

func (d *reportDecoder) decode(line []byte, res *scan.Result) error {
	// The facts are never decoded (unless the findings must be made again from them), and the
	// findings only the first time that exact list is seen: both are cut out before decoding.
	rest, rawFacts := cutMember(line, "facts")
	rest, rawFindings := cutMember(rest, "findings")
	var l reportLine
	if err := json.Unmarshal(rest, &l); err != nil {
		return err
	}
	if rawFacts == nil {
		rawFacts = l.Facts
	}
	if rawFindings != nil {
		l.Findings = rawFindings
	}
	*res = l.Result
	res.Facts = nil
	res.ScanID = d.str(res.ScanID)
	if res.OS != nil {
		if o, ok := d.oses[*res.OS]; ok {
			res.OS = o
		} else {
			d.oses[*res.OS] = res.OS
		}
	}
	raw := bytes.TrimSpace(l.Findings)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		res.Findings = nil
		return nil
	}
	key := sha256.Sum256(raw)
	if fs, ok := d.lists[key]; ok {
		res.Findings = fs
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return err
	}
	fs := make([]checks.Finding, 0, len(items))
	old := false
	for _, it := range items {
		fk := sha256.Sum256(it)
		f, ok := d.findings[fk]
		if !ok {
			if err := json.Unmarshal(it, &f); err != nil {
				return err
			}
			if f.Args == nil && d.lang != "" && d.lang != checks.English {
				old = true
				break
			}
			f = d.keep(f)
			d.findings[fk] = f
		}
		fs = append(fs, f)
	}
	if old {
		// Written before findings kept their arguments: the rules make them again, in lang,
		// from the facts (or the AD record), for this line only.
		var all []checks.Finding
		if err := json.Unmarshal(raw, &all); err != nil {
			return err
		}
		r := *res
		r.Findings = all
		if len(rawFacts) > 0 && r.Error == nil {
			var f facts.Facts
			if err := json.Unmarshal(rawFacts, &f); err == nil {
				r.Facts = &f
			}
		}
		r = Localize(r, d.lang)
		fs = make([]checks.Finding, len(r.Findings))
		for i, f := range r.Findings {
			fs[i] = d.keep(f)
		}
		res.Findings = fs
		return nil
	}
	d.lists[key] = fs
	res.Findings = fs
	return nil
}

// keep is f as a report keeps it: texts in the decoder's language, no arguments, strings and
// FAQ lists shared.
func (d *reportDecoder) keep(f checks.Finding) checks.Finding {
	if r, ok := renderFinding(f, d.lang); ok {
		f = r
	}
	// Of the arguments only the probe's outcome, target, protocol and cipher stay: the probe
	// column and the contradiction banner show them.
	var kept checks.Args
	if isProbe(f.ID) {
		for _, k := range probeArgs {
			if a, ok := f.Args[k]; ok && a.Text != "" {
				if kept == nil {
					kept = checks.Args{}
				}
				kept[k] = checks.Arg{Text: d.str(a.Text)}
			}
		}
	}
	f.Args = kept
	f.ID, f.Severity = d.str(f.ID), checks.Severity(d.str(string(f.Severity)))
	f.Title, f.Detail, f.Remediation = d.str(f.Title), d.str(f.Detail), d.str(f.Remediation)
	for i := range f.Evidence {
		e := &f.Evidence[i]
		e.Key, e.View, e.Name, e.Type, e.Path, e.Value = d.str(e.Key), d.str(e.View), d.str(e.Name), d.str(e.Type), d.str(e.Path), d.str(e.Value)
	}
	if len(f.FAQ) > 0 {
		k := string(bytes.Join(func() [][]byte {
			b := make([][]byte, len(f.FAQ))
			for i, q := range f.FAQ {
				b[i] = []byte(q)
			}
			return b
		}(), []byte{0}))
		if q, ok := d.faqs[k]; ok {
			f.FAQ = q
		} else {
			d.faqs[k] = f.FAQ
		}
	}
	return f
}

// str returns the shared copy of s.
func (d *reportDecoder) str(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := d.strs[s]; ok {
		return v
	}
	d.strs[s] = s
	return s
}

// cutMember returns the JSON object line without its top-level member key, and that member's
// value; the line as it is and nil when the member is not there or the line is not an object the
// cut understands (json.Unmarshal then decodes, or rejects, the whole line). Only the structure
// is followed here - strings with their escapes, nesting - so the value is not validated: a
// report does not use it unless it decodes it.
func cutMember(line []byte, key string) (rest, value []byte) {
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return line, nil
	}
	i++
	for {
		i = skipSpace(line, i)
		if i >= len(line) || line[i] != '"' {
			return line, nil
		}
		start := i
		kEnd := skipString(line, i)
		if kEnd < 0 {
			return line, nil
		}
		name := line[i+1 : kEnd-1]
		i = skipSpace(line, kEnd)
		if i >= len(line) || line[i] != ':' {
			return line, nil
		}
		vStart := skipSpace(line, i+1)
		vEnd := skipValue(line, vStart)
		if vEnd < 0 {
			return line, nil
		}
		i = skipSpace(line, vEnd)
		if i >= len(line) {
			return line, nil
		}
		sep := line[i]
		if string(name) == key {
			out := make([]byte, 0, len(line)-(i-start))
			out = append(out, line[:start]...)
			switch sep {
			case ',':
				out = append(out, line[i+1:]...)
			case '}':
				// The last member: drop the comma before it, if any.
				trimmed := bytes.TrimRight(out, " \t\r\n")
				if len(trimmed) > 0 && trimmed[len(trimmed)-1] == ',' {
					out = trimmed[:len(trimmed)-1]
				}
				out = append(out, line[i:]...)
			default:
				return line, nil
			}
			return out, line[vStart:vEnd]
		}
		switch sep {
		case ',':
			i++
		default:
			return line, nil
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] (a quote), or -1.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// skipValue returns the index after the JSON value starting at b[i], or -1. Objects and arrays
// are followed by depth, strings by their quotes; anything else runs to the next delimiter.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j)
				if j < 0 {
					return -1
				}
				j--
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}
