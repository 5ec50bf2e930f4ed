package report

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/sheet"
	"github.com/tlsready/tlsready/scan"
)

// The HTML report is one file that opens offline from a file share or an e-mail attachment:
//
//   - Everything visible when it opens (header, tiles, chart, top actions, the host table) is
//     rendered here with html/template, so every host-controlled string is escaped for the
//     context it lands in, and the page is readable even where scripts are blocked.
//   - The evidence and fix of each host travel in one <script type="application/json"> block,
//     also written by html/template (encoding/json with <, > and & escaped). Texts that repeat
//     across hosts (finding texts, registry keys, whole findings) are stored once and referred to
//     by index, which keeps 5,000 hosts well under 2 MB.
//   - The inline style and script are static files of html_assets; the page's
//     Content-Security-Policy allows exactly them, by their SHA-256 hashes, and nothing else: no
//     network, no other script, no inline event handlers, no images.
//   - The script builds the details with createElement and textContent only.

//go:embed html_assets/page.tmpl html_assets/report.css html_assets/report.js
var htmlAssets embed.FS

// HTMLOptions describe the report's header and language.
type HTMLOptions struct {
	// Lang is the language of the labels and finding texts: "en" (default) or "ja". The findings'
	// texts are made in it from their stored args (see Localize; from the recorded facts for
	// results files written before findings kept their args).
	Lang string
	// Scope says what was scanned, e.g. "OU=Workstations,DC=corp,DC=example" or
	// "targets file hosts.txt".
	Scope string
	// Generated is when the report was made (zero: now).
	Generated time.Time
	// By is the user who made the report.
	By string
	// Version is the tool's version.
	Version string
	// Sources are the results files the report was made from.
	Sources []string
}

// htmlAssetSet is the parsed template and the inline style and script with their CSP.
type htmlAssetSet struct {
	tmpl *template.Template
	css  template.CSS
	js   template.JS
	csp  string
}

var loadHTMLAssets = sync.OnceValues(func() (*htmlAssetSet, error) {
	css, err := htmlAssets.ReadFile("html_assets/report.css")
	if err != nil {
		return nil, err
	}
	js, err := htmlAssets.ReadFile("html_assets/report.js")
	if err != nil {
		return nil, err
	}
	page, err := htmlAssets.ReadFile("html_assets/page.tmpl")
	if err != nil {
		return nil, err
	}
	// L is replaced by a function bound to the page's language before each execution.
	tmpl, err := template.New("page").Funcs(template.FuncMap{"L": func(string, ...any) (string, error) { return "", nil }}).Parse(string(page))
	if err != nil {
		return nil, fmt.Errorf("report template: %w", err)
	}
	return &htmlAssetSet{tmpl: tmpl, css: template.CSS(css), js: template.JS(js), csp: contentSecurityPolicy(css, js)}, nil
})

// contentSecurityPolicy allows the page's one inline style and one inline script, by hash, and
// nothing else.
func contentSecurityPolicy(css, js []byte) string {
	return "default-src 'none'; style-src '" + cspHash(css) + "'; script-src '" + cspHash(js) +
		"'; base-uri 'none'; form-action 'none'"
}

// cspHash is the CSP source expression of an inline element's exact content.
func cspHash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// htmlPage is what the template renders.
type htmlPage struct {
	Lang, Title, CSP string
	CSS              template.CSS
	JS               template.JS
	Meta             htmlMeta
	Fleet            *fleetView
	Compare          *compareView
	// Data is the JSON data block: what the script needs beyond the table.
	Data htmlData
}

type htmlMeta struct {
	Scope, When, By, Version, Sources string
	// Scanned is when the hosts were scanned: the first and last scan's end, "" when unknown.
	Scanned string
	Hosts   int
	// HostCount is Hosts with thousands separators.
	HostCount string
}

// htmlData is the JSON data block. Hosts[i] belongs to the i-th row of the host table as
// rendered.
type htmlData struct {
	Mode   string            `json:"mode"` // "fleet" or "compare"
	Lang   string            `json:"lang"`
	Meta   jsonMeta          `json:"meta"`
	Labels map[string]string `json:"labels"`
	// Strings holds each distinct text part once; texts (textRef) refer to their parts by index.
	Strings []string `json:"s"`
	// Evidence: [where, view, name, type, value] as texts (textRef), where being the registry key
	// or the file path.
	Evidence [][5]textRef  `json:"e"`
	Findings []jsonFinding `json:"f"`
	Hosts    []jsonHost    `json:"hosts"`
}

type jsonMeta struct {
	Scope     string   `json:"scope,omitempty"`
	Generated string   `json:"generated"`
	By        string   `json:"by,omitempty"`
	Version   string   `json:"version,omitempty"`
	Sources   []string `json:"sources,omitempty"`
}

// jsonFinding is one finding: its id and severity, its texts (textRef), its FAQ
// questions and its evidence as indexes into Evidence.
type jsonFinding struct {
	ID       string  `json:"i"`
	Severity string  `json:"s"`
	Title    textRef `json:"t"`
	Detail   textRef `json:"d"`
	Fix      textRef `json:"r"`
	FAQ      string  `json:"q,omitempty"`
	Evidence []int   `json:"e,omitempty"`
}

// jsonHost is the detail of one host: its name, its findings (indexes into Findings), and for
// a host that could not be checked the error category and message.
type jsonHost struct {
	Name     string `json:"n"`
	Findings []int  `json:"f,omitempty"`
	Category string `json:"c,omitempty"`
	Message  string `json:"m,omitempty"`
	// Method is how the host was read ("wmi", "shell"), when it was (scan.Result.Method).
	Method string `json:"w,omitempty"`
}

type fleetView struct {
	// Banner lists the hosts whose configuration says ready but whose probe failed; nil when
	// there is none.
	Banner *htmlBanner
	// Probe is whether the host table has the probe column: when any host has a probe finding.
	Probe    bool
	Tiles    []htmlTile
	Chart    htmlChart
	Top      []htmlTop
	Verdicts []htmlFilter
	Rows     []hostRow
	Shown    string // the initial "N of N hosts shown"
}

type htmlTile struct {
	ID, Class, Label, Desc string
	N                      int
	Count                  string // N with thousands separators
}

type htmlChart struct {
	Width, Height int
	Bars          []htmlBar
}

type htmlBar struct {
	Class, Label, Title, Value string
	Y, TextY, Width, ValueX    int
}

type htmlTop struct {
	Class, Severity, Text, FAQ string
}

type htmlFilter struct {
	Value, Label string
	N            int
	Count        string // N with thousands separators
	Checked      bool
}

type hostRow struct {
	Class, Host, OS, Verdict, Todo, Err, ErrDesc string
	// Other is the other clients cell ("" for none: the style shows a dash), Probe the probe
	// cell; ID is the row's anchor ("h-" and its index) when the banner links to it.
	Other, Probe, ID string
}

// bannerOf is the contradiction banner of cs, nil when there is none; its items have no
// anchor (the fleet report gives them their rows').
func bannerOf(l *pageLabels, cs []contradiction, lang string) *htmlBanner {
	if len(cs) == 0 {
		return nil
	}
	head := l.L("banner.head", "n", group(len(cs)))
	if len(cs) == 1 {
		head = l.L("banner.head.one")
	}
	b := &htmlBanner{Head: head, Hint: l.L("banner.hint")}
	for _, c := range cs {
		b.Items = append(b.Items, htmlBannerItem{Host: c.Host, Row: c.Row,
			Text: l.L("banner.item", "outcome", outcomeName(c.Outcome, lang))})
	}
	return b
}

// htmlBanner is the contradiction banner at the top of the fleet report and of a comparison.
type htmlBanner struct {
	Head, Hint string
	Items      []htmlBannerItem
}

// htmlBannerItem is one host of the banner: its name, the anchor and index of its row, and
// what its probe says.
type htmlBannerItem struct {
	Host, ID, Text string
	Row            int
}

type compareView struct {
	// Banner is the new scan's contradiction banner (nil without contradictions); its items
	// name the hosts without a link.
	Banner   *htmlBanner
	Tiles    []htmlTile
	Verdicts []compareCount
	Kinds    []htmlFilter
	Rows     []changeRow
	Changed  int
	Shown    string
}

type compareCount struct {
	Class, Label string
	Before, Now  int
}

type changeRow struct {
	Kind, KindLabel, Host        string
	OldClass, Old, NewClass, New string
	OldTodo, NewTodo             string
}

// scriptLabels are the labels the page's script uses; they travel in the data block.
var scriptLabels = []string{
	"shown", "detail.expand", "detail.error", "detail.category", "detail.message", "detail.none",
	"detail.method", "method.wmi", "method.shell",
	"detail.evidence", "detail.fix", "detail.faq", "ev.where", "ev.view", "ev.name", "ev.type", "ev.value",
	"sev.unsupported", "sev.action", "sev.unknown", "sev.warning", "sev.info",
	"err.unreachable", "err.timeout", "err.auth", "err.winrm", "err.collector",
}

// htmlLang is "ja" for Japanese, else "en".
func htmlLang(l string) string {
	if l == checks.Japanese {
		return l
	}
	return checks.English
}

// verdictClass is a verdict as a CSS class: one of the four, or "other" for anything else a
// results file might hold.
func verdictClass(v checks.Verdict) string {
	if slices.Contains(checks.Verdicts(), v) {
		return string(v)
	}
	return "other"
}

func severityClass(s checks.Severity) string {
	switch s {
	case checks.SeverityUnsupported, checks.SeverityAction, checks.SeverityUnknown, checks.SeverityWarning, checks.SeverityInfo:
		return string(s)
	}
	return "other"
}

// pageLabels binds a language to label for the template and the Go side.
type pageLabels struct {
	lang string
	err  error
}

// L returns the label of key, filled; the first missing key is remembered and fails the render.
func (p *pageLabels) L(key string, kv ...string) string {
	s, err := label(p.lang, key, kv...)
	if err != nil && p.err == nil {
		p.err = err
	}
	return s
}

// verdictLabel is a verdict's name in the page's language, or the word itself when it is none
// of the four.
func (p *pageLabels) verdictLabel(v checks.Verdict) string {
	if slices.Contains(checks.Verdicts(), v) {
		return p.L("verdict." + string(v))
	}
	return string(v)
}

// WriteHTML writes the report of results as one self-contained HTML file: the newest result of
// each host (scan.Latest), hosts needing attention first. Labels and finding texts are in
// o.Lang. Nothing in the page loads anything from the network.
func WriteHTML(w io.Writer, results []scan.Result, o HTMLOptions) error {
	lang := htmlLang(o.Lang)
	l := &pageLabels{lang: lang}
	rows := reportRows(results, lang)

	fv := &fleetView{}
	counts := map[checks.Verdict]int{}
	for _, r := range rows {
		counts[r.Verdict]++
	}
	for _, v := range checks.Verdicts() {
		fv.Tiles = append(fv.Tiles, htmlTile{ID: string(v), Class: string(v), Label: l.L("verdict." + string(v)), Desc: l.L("verdict." + string(v) + ".desc"), N: counts[v], Count: group(counts[v])})
		fv.Verdicts = append(fv.Verdicts, htmlFilter{Value: string(v), Label: l.L("verdict." + string(v)), N: counts[v], Count: group(counts[v]), Checked: true})
	}
	fv.Chart = verdictChart(l, counts, len(rows))
	fv.Top = topActions(l, rows)
	fv.Shown = l.L("shown", "shown", group(len(rows)), "total", group(len(rows)))
	fv.Probe = HasProbe(rows)
	anchors := map[int]string{}
	if fv.Banner = bannerOf(l, contradictions(rows), lang); fv.Banner != nil {
		for i := range fv.Banner.Items {
			it := &fv.Banner.Items[i]
			it.ID = "h-" + strconv.Itoa(it.Row)
			anchors[it.Row] = it.ID
		}
	}

	data := newHTMLData("fleet", lang, o)
	in := newInterner()
	// The OS and what-to-do cells repeat across hosts: one copy of each.
	shared := map[string]string{}
	share := func(s string) string {
		if v, ok := shared[s]; ok {
			return v
		}
		shared[s] = s
		return s
	}
	for i, r := range rows {
		row := hostRow{Class: verdictClass(r.Verdict), Host: r.Host, OS: share(htmlOS(l, r)), Verdict: l.verdictLabel(r.Verdict), Todo: share(htmlTodo(l, r)),
			Other: share(otherClientsText(r, lang)), ID: anchors[i]}
		if fv.Probe {
			row.Probe = share(probeText(r, lang))
		}
		h := jsonHost{Name: r.Host, Method: r.Method}
		if r.Error != nil {
			row.Err = r.Error.Category
			if desc, err := label(lang, "err."+r.Error.Category); err == nil {
				row.ErrDesc = desc
			}
			h.Category, h.Message = r.Error.Category, r.Error.Message
		}
		for i := range r.Findings {
			h.Findings = append(h.Findings, in.findingAt(&r.Findings[i]))
		}
		fv.Rows = append(fv.Rows, row)
		data.Hosts = append(data.Hosts, h)
	}
	data.Strings, data.Evidence, data.Findings = in.strings.items, in.evidence.items, in.findings.items
	if data.Strings == nil {
		data.Strings = []string{}
	}
	if data.Evidence == nil {
		data.Evidence = [][5]textRef{}
	}
	if data.Findings == nil {
		data.Findings = []jsonFinding{}
	}
	if data.Hosts == nil {
		data.Hosts = []jsonHost{}
	}
	meta := htmlMetaOf(o, len(rows))
	meta.Scanned = scannedRange(rows, generatedAt(o).Location())
	page := htmlPage{Lang: lang, Title: l.L("title.fleet"), Meta: meta, Fleet: fv, Data: data}
	if l.err != nil {
		return l.err
	}
	return renderPage(w, l, page)
}

// WriteCompareHTML writes a comparison of two scans (Compare) as one self-contained HTML file:
// the number of hosts per kind of change as tiles, the hosts per verdict before and now, and a
// table of the hosts with their kind of change, verdicts and what to do before and now; the
// unchanged hosts are filtered out until asked for.
func WriteCompareHTML(w io.Writer, c Comparison, o HTMLOptions) error {
	lang := htmlLang(o.Lang)
	l := &pageLabels{lang: lang}
	cv := &compareView{}
	for _, k := range ChangeKinds() {
		cv.Tiles = append(cv.Tiles, htmlTile{ID: k, Class: "k-" + k, Label: l.L("change." + k), N: c.Counts[k], Count: group(c.Counts[k])})
		if c.Counts[k] > 0 {
			cv.Kinds = append(cv.Kinds, htmlFilter{Value: k, Label: l.L("change." + k), N: c.Counts[k], Count: group(c.Counts[k]), Checked: k != ChangeUnchanged})
		}
	}
	for _, v := range checks.Verdicts() {
		cv.Verdicts = append(cv.Verdicts, compareCount{Class: string(v), Label: l.L("verdict." + string(v)), Before: c.Old[v], Now: c.New[v]})
	}
	for _, ch := range c.Changes {
		row := changeRow{Kind: ch.Kind, Host: ch.Host}
		if s, err := label(lang, "change."+ch.Kind); err == nil {
			row.KindLabel = s
		} else {
			row.KindLabel = ch.Kind
		}
		if ch.Old != nil {
			old := Localize(*ch.Old, lang)
			row.OldClass, row.Old, row.OldTodo = verdictClass(old.Verdict), l.verdictLabel(old.Verdict), htmlTodo(l, old)
		}
		if ch.New != nil {
			cur := Localize(*ch.New, lang)
			row.NewClass, row.New, row.NewTodo = verdictClass(cur.Verdict), l.verdictLabel(cur.Verdict), htmlTodo(l, cur)
		}
		if ch.Kind != ChangeUnchanged {
			cv.Changed++
		}
		cv.Rows = append(cv.Rows, row)
	}
	cv.Shown = l.L("shown", "shown", group(cv.Changed), "total", group(len(cv.Rows)))
	cv.Banner = bannerOf(l, contradictions(c.newResults()), lang)
	data := newHTMLData("compare", lang, o)
	data.Strings, data.Evidence, data.Findings, data.Hosts = []string{}, [][5]textRef{}, []jsonFinding{}, []jsonHost{}
	page := htmlPage{Lang: lang, Title: l.L("title.compare"), Meta: htmlMetaOf(o, len(cv.Rows)), Compare: cv, Data: data}
	if l.err != nil {
		return l.err
	}
	return renderPage(w, l, page)
}

func generatedAt(o HTMLOptions) time.Time {
	if o.Generated.IsZero() {
		return time.Now()
	}
	return o.Generated
}

func htmlMetaOf(o HTMLOptions, hosts int) htmlMeta {
	return htmlMeta{Scope: o.Scope, When: generatedAt(o).Format("2006-01-02 15:04 MST"), By: o.By, Version: o.Version,
		Sources: strings.Join(o.Sources, ", "), Hosts: hosts, HostCount: group(hosts)}
}

// scannedRange is when rows were scanned, in loc as the generation time is shown: the end of
// the first and of the last scan, "2026-11-26 09:17 – 2026-11-27 18:02 JST", one time when they
// are the same minute, "" when no row has a time.
func scannedRange(rows []scan.Result, loc *time.Location) string {
	var first, last time.Time
	for _, r := range rows {
		if r.End.IsZero() {
			continue
		}
		if first.IsZero() || r.End.Before(first) {
			first = r.End
		}
		if r.End.After(last) {
			last = r.End
		}
	}
	if first.IsZero() {
		return ""
	}
	first, last = first.In(loc), last.In(loc)
	if a, b := first.Format("2006-01-02 15:04"), last.Format("2006-01-02 15:04"); a != b {
		return a + " – " + last.Format("2006-01-02 15:04 MST")
	}
	return first.Format("2006-01-02 15:04 MST")
}

// group writes n with a comma between groups of three digits ("12,345"), as English and
// Japanese both write counts.
func group(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func newHTMLData(mode, lang string, o HTMLOptions) htmlData {
	labels := make(map[string]string, len(scriptLabels))
	for _, k := range scriptLabels {
		labels[k] = labelsFor(lang)[k]
	}
	return htmlData{Mode: mode, Lang: lang, Labels: labels, Meta: jsonMeta{Scope: o.Scope,
		Generated: generatedAt(o).Format(time.RFC3339), By: o.By, Version: o.Version, Sources: o.Sources}}
}

// renderPage executes the template with L bound to the page's language.
func renderPage(w io.Writer, l *pageLabels, pg htmlPage) error {
	a, err := loadHTMLAssets()
	if err != nil {
		return err
	}
	pg.CSS, pg.JS, pg.CSP = a.css, a.js, a.csp
	t, err := a.tmpl.Clone()
	if err != nil {
		return err
	}
	t.Funcs(template.FuncMap{"L": func(key string, kv ...any) (string, error) {
		args := make([]string, len(kv))
		for i, v := range kv {
			args[i] = fmt.Sprint(v)
		}
		return label(l.lang, key, args...)
	}})
	// html/template escapes each string for its context but leaves control characters raw: a
	// host name or caption can carry ESC[2J or U+202E. The page's own text has none, so the page
	// is stripped of them as it is written, as the CSV is (sheet.StripWriter): a page of
	// 100,000 hosts is not held in memory twice.
	bw := bufio.NewWriterSize(w, 64<<10)
	sw := sheet.NewStripWriter(bw)
	if err := t.Execute(sw, pg); err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// htmlOS is the host's operating system: its own caption and service pack, else what Active
// Directory records, marked (AD), else "?".
func htmlOS(l *pageLabels, r scan.Result) string {
	if s := r.OSName(); s != "" {
		return s
	}
	if r.AD != nil && r.AD.OperatingSystem != "" {
		return l.L("os.ad", "os", r.AD.OSName())
	}
	return l.L("os.unknown")
}

// htmlTodo is the "what to do" cell: the titles of the findings that decide the verdict, or
// why the host could not be checked.
func htmlTodo(l *pageLabels, r scan.Result) string { return whatToDo(r, false, l.L) }

// errorMessage drops the "host ADDRESS: " prefix of a scan error: the row names the host.
func errorMessage(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "host "); ok {
		if i := strings.Index(rest, ": "); i >= 0 && !strings.Contains(rest[:i], " ") {
			return rest[i+2:]
		}
	}
	return msg
}

// verdictChart is a horizontal bar chart of the hosts per verdict.
func verdictChart(l *pageLabels, counts map[checks.Verdict]int, total int) htmlChart {
	const labelW, barW, rowH, valueW = 150, 230, 30, 90
	c := htmlChart{Width: labelW + barW + valueW, Height: len(checks.Verdicts())*rowH + 4}
	for i, v := range checks.Verdicts() {
		n := counts[v]
		pct := 0
		w := 0
		if total > 0 {
			pct = (n*100 + total/2) / total
			w = n * barW / total
			if n > 0 && w < 2 {
				w = 2
			}
		}
		y := i*rowH + 4
		c.Bars = append(c.Bars, htmlBar{Class: string(v), Label: l.L("verdict." + string(v)), Y: y, TextY: y + 16, Width: w, ValueX: labelW + w + 6,
			Value: fmt.Sprintf("%s (%d%%)", group(n), pct),
			Title: l.L("chart.bar", "verdict", l.L("verdict."+string(v)), "n", group(n), "pct", strconv.Itoa(pct))})
	}
	return c
}

// topActions counts, per finding id that decides a verdict (unsupported, action, unknown), the
// hosts that have it, most hosts first, and adds one line for the hosts that could not be
// checked, by error category.
func topActions(l *pageLabels, rows []scan.Result) []htmlTop {
	errCats := map[string]int{}
	errHosts := 0
	for _, r := range rows {
		if r.Verdict == checks.Unknown && r.Error != nil {
			errHosts++
			errCats[r.Error.Category]++
		}
	}
	// The tables' counts per finding kind, without the warnings, most hosts first.
	var counts []FindingCount
	for _, c := range CountFindings(rows, l.lang) {
		if c.Severity != checks.SeverityWarning {
			counts = append(counts, c)
		}
	}
	rank := map[checks.Severity]int{checks.SeverityUnsupported: 0, checks.SeverityAction: 1, checks.SeverityUnknown: 2}
	sort.SliceStable(counts, func(i, j int) bool {
		a, b := counts[i], counts[j]
		if a.Hosts != b.Hosts {
			return a.Hosts > b.Hosts
		}
		if rank[a.Severity] != rank[b.Severity] {
			return rank[a.Severity] < rank[b.Severity]
		}
		return a.ID < b.ID
	})
	type item struct {
		top   htmlTop
		hosts int
	}
	var items []item
	for _, c := range counts {
		key := "top.item"
		if c.Hosts == 1 {
			key = "top.item.one"
		}
		t := htmlTop{Class: severityClass(c.Severity), Severity: l.L("sev." + severityClass(c.Severity)),
			Text: l.L(key, "n", group(c.Hosts), "title", c.Title)}
		if len(c.FAQ) > 0 {
			t.FAQ = l.L("top.faq", "questions", strings.Join(c.FAQ, ", "))
		}
		items = append(items, item{t, c.Hosts})
	}
	if errHosts > 0 {
		cats := make([]string, 0, len(errCats))
		for k := range errCats {
			cats = append(cats, k)
		}
		sort.Slice(cats, func(i, j int) bool {
			if errCats[cats[i]] != errCats[cats[j]] {
				return errCats[cats[i]] > errCats[cats[j]]
			}
			return cats[i] < cats[j]
		})
		parts := make([]string, len(cats))
		for i, k := range cats {
			parts[i] = fmt.Sprintf("%s %d", k, errCats[k])
		}
		key := "top.errors"
		if errHosts == 1 {
			key = "top.errors.one"
		}
		t := htmlTop{Class: "unknown", Severity: l.L("sev.unknown"),
			Text: l.L(key, "n", group(errHosts), "categories", strings.Join(parts, ", "))}
		// Among the findings by number of hosts; after them when the numbers are equal.
		at := len(items)
		for i, it := range items {
			if it.hosts < errHosts {
				at = i
				break
			}
		}
		items = slices.Insert(items, at, item{t, errHosts})
	}
	out := make([]htmlTop, len(items))
	for i, it := range items {
		out[i] = it.top
	}
	return out
}

// textRef is a text as parts of Strings: one index (-1 for the empty text), or, for a text
// made of several parts, their indexes in order. Texts are cut around Windows SIDs, which is
// where texts of different hosts differ (a user's hive in a key, a finding's detail), so the
// long parts around them are stored once.
type textRef []int

// MarshalJSON writes a one-part text as its index and a longer one as an array.
func (t textRef) MarshalJSON() ([]byte, error) {
	switch len(t) {
	case 0:
		return []byte("-1"), nil
	case 1:
		return strconv.AppendInt(nil, int64(t[0]), 10), nil
	}
	return json.Marshal([]int(t))
}

// sidPattern matches a Windows security identifier such as S-1-5-21-3623811015-...-1104.
var sidPattern = regexp.MustCompile(`S-1-\d+(?:-\d+)+`)

// interner stores each distinct string part, evidence row and finding once.
type interner struct {
	strings  uniqueList[string]
	evidence uniqueList[[5]textRef]
	findings uniqueList[jsonFinding]
	// at is the index of each finding already added, by address: hosts read with ReportDecoder
	// share their findings, so most are found here without being formatted again.
	at map[*checks.Finding]int
}

// uniqueList holds values in the order they were first added, each once by its key.
type uniqueList[T any] struct {
	items []T
	index map[string]int
}

// add returns the index of the value of key, adding v when the key is new.
func (u *uniqueList[T]) add(key string, v T) int {
	if i, ok := u.index[key]; ok {
		return i
	}
	if u.index == nil {
		u.index = map[string]int{}
	}
	u.index[key] = len(u.items)
	u.items = append(u.items, v)
	return len(u.items) - 1
}

func newInterner() *interner { return &interner{} }

func (in *interner) part(s string) int { return in.strings.add(s, s) }

// text stores s in parts, cut around SIDs.
func (in *interner) text(s string) textRef {
	if s == "" {
		return nil
	}
	cuts := sidPattern.FindAllStringIndex(s, -1)
	if len(cuts) == 0 {
		return textRef{in.part(s)}
	}
	var ref textRef
	at := 0
	for _, c := range cuts {
		if c[0] > at {
			ref = append(ref, in.part(s[at:c[0]]))
		}
		ref = append(ref, in.part(s[c[0]:c[1]]))
		at = c[1]
	}
	if at < len(s) {
		ref = append(ref, in.part(s[at:]))
	}
	return ref
}

func (in *interner) ev(e checks.Evidence) int {
	where := e.Key
	if where == "" {
		where = e.Path
	}
	k := [5]textRef{in.text(where), in.text(e.View), in.text(e.Name), in.text(e.Type), in.text(e.Value)}
	return in.evidence.add(fmt.Sprint(k), k)
}

// findingAt is finding(*f), remembered by f's address.
func (in *interner) findingAt(f *checks.Finding) int {
	if i, ok := in.at[f]; ok {
		return i
	}
	if in.at == nil {
		in.at = map[*checks.Finding]int{}
	}
	i := in.finding(*f)
	in.at[f] = i
	return i
}

func (in *interner) finding(f checks.Finding) int {
	jf := jsonFinding{ID: f.ID, Severity: string(f.Severity), Title: in.text(f.Title), Detail: in.text(f.Detail), Fix: in.text(f.Remediation),
		FAQ: strings.Join(f.FAQ, " ")}
	for _, e := range f.Evidence {
		jf.Evidence = append(jf.Evidence, in.ev(e))
	}
	return in.findings.add(fmt.Sprint(jf), jf)
}
