package report

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

//go:embed html_assets/report.tmpl html_assets/report.css html_assets/report.js
var htmlAssets embed.FS

// HTMLOptions describe the report's header.
type HTMLOptions struct {
	// Lang is "en" (default) or "ja": labels and finding texts.
	Lang string
	// Scope says what was scanned: an OU, a targets file.
	Scope string
	// Generated is when the report was made; By who made it; Version the tool's version.
	Generated time.Time
	By        string
	Version   string
	// Sources are the results files the report was made from.
	Sources []string
}

// htmlPage is what the template needs: the static parts and their CSP hashes. Everything that
// comes from hosts travels in the JSON data block, which the page's script renders with
// textContent only.
type htmlPage struct {
	Lang, Title, NoScript string
	CSS                   template.CSS
	JS                    template.JS
	CSP                   string
}

// htmlData is the JSON data block: labels, header, counts, top actions and the hosts. Strings
// that repeat across hosts (finding texts, registry keys) are stored once in Strings and
// referred to by index, which keeps 5,000 hosts under 2 MB.
type htmlData struct {
	Mode    string            `json:"mode"` // "fleet" or "compare"
	Labels  map[string]string `json:"labels"`
	Meta    htmlMeta          `json:"meta"`
	Counts  map[string]int    `json:"counts"`
	Top     []htmlTop         `json:"top"`
	Strings []string          `json:"strings"`
	Hosts   []htmlHost        `json:"hosts,omitempty"`
	Changes []htmlChange      `json:"changes,omitempty"`
	Kinds   []string          `json:"kinds,omitempty"`
}

type htmlMeta struct {
	Scope     string   `json:"scope,omitempty"`
	Generated string   `json:"generated"`
	By        string   `json:"by,omitempty"`
	Version   string   `json:"version,omitempty"`
	Sources   []string `json:"sources,omitempty"`
}

type htmlTop struct {
	ID       string   `json:"id"`
	Severity string   `json:"severity"`
	Title    string   `json:"title"`
	Hosts    int      `json:"hosts"`
	FAQ      []string `json:"faq"`
}

// htmlHost is one host: name, OS, OS from AD, verdict, what to do (string index), error
// category and message, findings.
type htmlHost struct {
	Name     string        `json:"n"`
	OS       string        `json:"o,omitempty"`
	OSFromAD bool          `json:"a,omitempty"`
	Verdict  string        `json:"v"`
	Todo     int           `json:"t"`
	ErrCat   string        `json:"c,omitempty"`
	ErrMsg   string        `json:"m,omitempty"`
	Findings []htmlFinding `json:"f,omitempty"`
}

// htmlFinding: id, severity, and string indexes of title, detail and remediation; the FAQ
// questions; the evidence as [key, view, name, type, path, value] with string indexes for the
// first five (-1 for none) and the value inline.
type htmlFinding struct {
	ID       string   `json:"i"`
	Severity string   `json:"s"`
	Title    int      `json:"t"`
	Detail   int      `json:"d"`
	Fix      int      `json:"r"`
	FAQ      []string `json:"q,omitempty"`
	Evidence [][]any  `json:"e,omitempty"`
}

type htmlChange struct {
	Name string `json:"n"`
	Kind string `json:"k"`
	Old  string `json:"o,omitempty"`
	New  string `json:"w,omitempty"`
	Todo int    `json:"t"`
}

// stringTable interns strings: each distinct string is stored once.
type stringTable struct {
	index map[string]int
	list  []string
}

func (s *stringTable) id(v string) int {
	if v == "" {
		return -1
	}
	if i, ok := s.index[v]; ok {
		return i
	}
	if s.index == nil {
		s.index = map[string]int{}
	}
	s.index[v] = len(s.list)
	s.list = append(s.list, v)
	return len(s.list) - 1
}

// WriteHTML writes the report of results (the newest result of each host) as one
// self-contained HTML file: no external resource, a Content-Security-Policy that allows only its
// own inline style and script, every host-controlled string handed to the page as JSON and put
// into the document as text.
func WriteHTML(w io.Writer, results []scan.Result, o HTMLOptions) error {
	lang := htmlLang(o.Lang)
	rows := sortForReport(LocalizeAll(scan.Latest(results), lang))
	d := newHTMLData("fleet", lang, o)
	var st stringTable
	for _, v := range checks.Verdicts() {
		d.Counts[string(v)] = 0
	}
	for _, r := range rows {
		d.Counts[string(r.Verdict)]++
		h := htmlHost{Name: r.Host, Verdict: string(r.Verdict), Todo: st.id(WhatToDoIn(r, lang))}
		if r.OS != nil {
			h.OS = osLabelIn(r, lang)
		} else if r.AD != nil && r.AD.OperatingSystem != "" {
			h.OS, h.OSFromAD = strings.TrimSpace(strings.TrimPrefix(r.AD.OperatingSystem, "Microsoft ")+" "+r.AD.OSServicePack), true
		}
		if r.Error != nil {
			h.ErrCat, h.ErrMsg = r.Error.Category, r.Error.Message
		}
		for _, f := range r.Findings {
			hf := htmlFinding{ID: f.ID, Severity: string(f.Severity), Title: st.id(f.Title), Detail: st.id(f.Detail), Fix: st.id(f.Remediation), FAQ: f.FAQ}
			for _, e := range f.Evidence {
				hf.Evidence = append(hf.Evidence, []any{st.id(e.Key), st.id(e.View), st.id(e.Name), st.id(e.Type), st.id(e.Path), e.Value})
			}
			h.Findings = append(h.Findings, hf)
		}
		d.Hosts = append(d.Hosts, h)
	}
	for _, c := range CountFindings(rows, lang) {
		if c.Severity == checks.SeverityWarning {
			continue
		}
		d.Top = append(d.Top, htmlTop{ID: c.ID, Severity: string(c.Severity), Title: c.Title, Hosts: c.Hosts, FAQ: c.FAQ})
	}
	d.Strings = st.list
	return renderHTML(w, lang, tt(lang, "html.title"), d)
}

// WriteCompareHTML writes a comparison of two scans as one self-contained HTML file: the counts
// per kind of change and a table of the hosts that changed (unchanged ones on demand).
func WriteCompareHTML(w io.Writer, c Comparison, o HTMLOptions) error {
	lang := htmlLang(o.Lang)
	d := newHTMLData("compare", lang, o)
	d.Kinds = ChangeKinds()
	var st stringTable
	for _, k := range d.Kinds {
		d.Counts[k] = c.Counts[k]
	}
	for _, ch := range c.Changes {
		hc := htmlChange{Name: ch.Host, Kind: ch.Kind, Todo: -1}
		if ch.Old != nil {
			hc.Old = string(ch.Old.Verdict)
		}
		if ch.New != nil {
			hc.New = string(ch.New.Verdict)
			hc.Todo = st.id(WhatToDoIn(Localize(*ch.New, lang), lang))
		}
		d.Changes = append(d.Changes, hc)
	}
	d.Strings = st.list
	return renderHTML(w, lang, tt(lang, "html.compare.title"), d)
}

func htmlLang(l string) string {
	if l == checks.Japanese {
		return l
	}
	return checks.English
}

func newHTMLData(mode, lang string, o HTMLOptions) htmlData {
	labels := map[string]string{}
	for k, v := range texts(lang) {
		labels[k] = v
	}
	gen := o.Generated
	if gen.IsZero() {
		gen = time.Now()
	}
	return htmlData{Mode: mode, Labels: labels, Counts: map[string]int{}, Top: []htmlTop{}, Strings: []string{},
		Meta: htmlMeta{Scope: o.Scope, Generated: gen.Format("2006-01-02 15:04 MST"), By: o.By, Version: o.Version, Sources: o.Sources}}
}

// renderHTML fills the page template. The data block is encoding/json output, which escapes
// <, > and & as \u003c, \u003e and \u0026: nothing in it can end the script element or open a
// comment, whatever the hosts reported.
func renderHTML(w io.Writer, lang, title string, d htmlData) error {
	css, err := htmlAssets.ReadFile("html_assets/report.css")
	if err != nil {
		return err
	}
	js, err := htmlAssets.ReadFile("html_assets/report.js")
	if err != nil {
		return err
	}
	tmplText, err := htmlAssets.ReadFile("html_assets/report.tmpl")
	if err != nil {
		return err
	}
	tmpl, err := template.New("report").Parse(string(tmplText))
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	page := htmlPage{Lang: lang, Title: title, NoScript: tt(lang, "html.noscript"), CSS: template.CSS(css), JS: template.JS(js),
		CSP: "default-src 'none'; style-src '" + cspHash(css) + "'; script-src '" + cspHash(js) + "'; img-src data:; base-uri 'none'; form-action 'none'"}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, page); err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("report data: %w", err)
	}
	head, tail, ok := strings.Cut(buf.String(), "@@TLSREADY-DATA@@")
	if !ok {
		return fmt.Errorf("report template: no @@TLSREADY-DATA@@ marker")
	}
	for _, part := range []string{head, `<script type="application/json" id="tlsready-data">`, string(data), "</script>", tail} {
		if _, err := io.WriteString(w, part); err != nil {
			return err
		}
	}
	return nil
}

// cspHash is the CSP source expression of an inline element's exact content.
func cspHash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}
