package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
	"golang.org/x/net/html"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/sheet"
	"github.com/tlsready/tlsready/scan"
)

// evilHost is a host name that would move the terminal's cursor, reverse the text and run as
// markup if it reached any output raw.
const evilHost = "PC-\x1b[2J<script>alert(1)</script>\u202e&amp;"

const testCipher = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"

// probeFinding is a probe finding as scan --probe stores it: id, severity, and the arguments
// the report reads.
func probeFinding(id string, outcome checks.ProbeOutcome, protocol, cipher string) checks.Finding {
	sev := checks.SeverityWarning
	if id == checks.IDProbeOK || id == checks.IDProbeNeedsShell {
		sev = checks.SeverityInfo
	}
	a := checks.Args{"target": {Text: "outlook.office365.com:443"}, "outcome": {Text: string(outcome)}}
	if protocol != "" {
		a["protocol"], a["cipher"] = checks.Arg{Text: protocol}, checks.Arg{Text: cipher}
	}
	return checks.Finding{ID: id, Severity: sev, Title: "probe " + string(outcome), Detail: "the probe said " + string(outcome), Args: a}
}

// dotnetWeak is a DOTNET_WEAK_TLS finding with n weak registry values.
func dotnetWeak(n int) checks.Finding {
	f := checks.Finding{ID: checks.IDDotNetWeakTLS, Severity: checks.SeverityWarning, Title: ".NET Framework apps may not use TLS 1.2"}
	for i := range n {
		f.Evidence = append(f.Evidence, checks.Evidence{Key: `HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319`, View: fmt.Sprint(i), Name: "SchUseStrongCrypto", Value: "(absent)"})
	}
	return f
}

// probeResults: two hosts whose configuration says ready but whose probe failed (one with a
// hostile name), one whose probe succeeded with .NET warnings, one needing action whose probe
// failed too (no contradiction), one read over WMI, one without any probe finding.
func probeResults() []scan.Result {
	w10 := &facts.OS{Caption: "Microsoft Windows 10 Enterprise", Version: "10.0.19045"}
	return []scan.Result{
		{Host: "PC-CONTRA", Verdict: checks.Ready, OS: w10, Findings: []checks.Finding{probeFinding(checks.IDProbeFailed, checks.ProbeRefused, "", "")}},
		{Host: evilHost, Verdict: checks.Ready, OS: w10, Findings: []checks.Finding{probeFinding(checks.IDProbeIntercepted, checks.ProbeIntercepted, "TLS 1.2", testCipher)}},
		{Host: "PC-OK", Verdict: checks.Ready, OS: w10, Findings: []checks.Finding{dotnetWeak(3), probeFinding(checks.IDProbeOK, checks.ProbeOK, "TLS 1.2", testCipher)}},
		{Host: "PC-ACTION", Verdict: checks.Action, OS: w10, Findings: []checks.Finding{
			{ID: checks.IDDSPNoTLS12, Severity: checks.SeverityAction, Title: "WinHTTP DefaultSecureProtocols excludes TLS 1.2", FAQ: []string{"Q3"}},
			probeFinding(checks.IDProbeFailed, checks.ProbeNoRoute, "", "")}},
		{Host: "PC-WMI", Verdict: checks.Ready, OS: w10, Findings: []checks.Finding{
			{ID: checks.IDDotNet40NoTLS12, Severity: checks.SeverityWarning, Title: ".NET 4.0 only"},
			probeFinding(checks.IDProbeNeedsShell, checks.ProbeNeedsShell, "", "")}},
		{Host: "PC-NOPROBE", Verdict: checks.Ready, OS: w10},
	}
}

// despace drops blanks and line breaks, so that a cell wrapped over lines compares whole.
func despace(s string) string { return strings.Join(strings.Fields(s), "") }

// termTable is a terminal table read back: its header cells and its rows, each cell's lines
// joined by a space. A row starts on the line whose verdict cell (the third) is not empty.
type termTable struct {
	header []string
	rows   [][]string
}

func parseTermTable(t *testing.T, out string) termTable {
	t.Helper()
	var tt termTable
	inBody := false
	var cur []string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "├"):
			inBody = true
			continue
		case !strings.HasPrefix(line, "│"):
			continue
		}
		parts := strings.Split(strings.Trim(line, "│"), "│")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if !inBody {
			if tt.header == nil {
				tt.header = make([]string, len(parts))
			}
			for i, p := range parts {
				tt.header[i] = strings.TrimSpace(tt.header[i] + " " + p)
			}
			continue
		}
		if len(parts) > 2 && parts[2] != "" {
			if cur != nil {
				tt.rows = append(tt.rows, cur)
			}
			cur = make([]string, len(parts))
		}
		for i, p := range parts {
			cur[i] = strings.TrimSpace(cur[i] + " " + p)
		}
	}
	if cur != nil {
		tt.rows = append(tt.rows, cur)
	}
	return tt
}

// row is the row of the host whose first cell starts with prefix.
func (tt termTable) row(t *testing.T, prefix string) []string {
	t.Helper()
	for _, r := range tt.rows {
		if strings.HasPrefix(despace(r[0]), despace(prefix)) {
			return r
		}
	}
	t.Fatalf("no row for %q in %q", prefix, tt.rows)
	return nil
}

// TestHostTable_otherClientsAndProbe: the terminal table has an other clients column (a summary
// of the .NET findings, a dash for none) and a probe column (ok with what was negotiated, or the
// failure), in English and Japanese, within the terminal's width; the verdict column stays
// Outlook's verdict. Without probe or .NET findings the table has its four columns as before.
func TestHostTable_otherClientsAndProbe(t *testing.T) {
	tests := []struct {
		lang                                            string
		width                                           int
		other, other40, probeOK, refused, noroute, none string
	}{
		{checks.English, 80, ".NET: weak TLS (3 values)", ".NET 4.0: no TLS 1.2", "ok (TLS 1.2, " + testCipher + ")", "refused", "noroute", "needs-shell"},
		{checks.English, 132, ".NET: weak TLS (3 values)", ".NET 4.0: no TLS 1.2", "ok (TLS 1.2, " + testCipher + ")", "refused", "noroute", "needs-shell"},
		{checks.Japanese, 80, ".NET: TLS 設定不足 (値 3 個)", ".NET 4.0: TLS 1.2 使用不可", "成功 (TLS 1.2, " + testCipher + ")", "ハンドシェイク失敗 (refused)", "接続不可 (noroute)", "未実行: WMI で読み取り (needs-shell)"},
		{checks.Japanese, 160, ".NET: TLS 設定不足 (値 3 個)", ".NET 4.0: TLS 1.2 使用不可", "成功 (TLS 1.2, " + testCipher + ")", "ハンドシェイク失敗 (refused)", "接続不可 (noroute)", "未実行: WMI で読み取り (needs-shell)"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.lang, tc.width), func(t *testing.T) {
			var buf bytes.Buffer
			if err := HostTable(&buf, probeResults(), TableOptions{Width: tc.width, Lang: tc.lang}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
				if w := runewidth.StringWidth(l); w > tc.width {
					t.Errorf("line is %d columns, want at most %d: %q", w, tc.width, l)
				}
			}
			if strings.ContainsAny(out, "\x1b\u202e") {
				t.Errorf("control characters reached the terminal:\n%q", out)
			}
			tab := parseTermTable(t, out)
			// At 80 columns the six columns do not fit: the extra two go under what to do.
			folded := tc.width == 80
			wantHeader := []string{tt(tc.lang, "col.host"), tt(tc.lang, "col.os"), tt(tc.lang, "col.verdict"), tt(tc.lang, "col.todo")}
			if !folded {
				wantHeader = append(wantHeader, tt(tc.lang, "col.other"), tt(tc.lang, "col.probe"))
			}
			if len(tab.header) != len(wantHeader) {
				t.Fatalf("header %q, want %q", tab.header, wantHeader)
			}
			for i := range wantHeader {
				if despace(tab.header[i]) != despace(wantHeader[i]) {
					t.Errorf("column %d is %q, want %q", i, tab.header[i], wantHeader[i])
				}
			}
			ready := VerdictName(checks.Ready, tc.lang)
			for _, c := range []struct {
				host, verdict, other, probe string
			}{
				{"PC-OK", ready, tc.other, tc.probeOK},
				{"PC-CONTRA", ready, "—", tc.refused},
				{"PC-ACTION", VerdictName(checks.Action, tc.lang), "—", tc.noroute},
				{"PC-WMI", ready, tc.other40, tc.none},
				{"PC-NOPROBE", ready, "—", "—"},
			} {
				r := tab.row(t, c.host)
				if r[2] != c.verdict {
					t.Errorf("%s: verdict %q, want Outlook's %q", c.host, r[2], c.verdict)
				}
				if !folded {
					if despace(r[4]) != despace(c.other) {
						t.Errorf("%s: other clients %q, want %q", c.host, r[4], c.other)
					}
					if despace(r[5]) != despace(c.probe) {
						t.Errorf("%s: probe %q, want %q", c.host, r[5], c.probe)
					}
					continue
				}
				for _, x := range []struct{ col, want string }{{"col.other", c.other}, {"col.probe", c.probe}} {
					label := despace(tt(tc.lang, x.col) + ":")
					has := strings.Contains(despace(r[3]), label+despace(x.want))
					if x.want == "—" {
						has = !strings.Contains(despace(r[3]), label)
					}
					if !has {
						t.Errorf("%s: what to do %q, want %s %q folded in", c.host, r[3], tt(tc.lang, x.col), x.want)
					}
				}
			}
		})
	}
	// Neither probe nor .NET findings: the four columns of before.
	for _, lang := range checks.Languages() {
		var buf bytes.Buffer
		if err := HostTable(&buf, sampleResults(), TableOptions{Width: 80, Lang: lang}); err != nil {
			t.Fatal(err)
		}
		if h := parseTermTable(t, buf.String()).header; len(h) != 4 {
			t.Errorf("%s, no probe or .NET findings: header %q, want the 4 columns", lang, h)
		}
	}
	// .NET findings without the probe: the other clients column only.
	rs := probeResults()[2:3]
	rs[0].Findings = rs[0].Findings[:1]
	var buf bytes.Buffer
	if err := HostTable(&buf, rs, TableOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	if h := parseTermTable(t, buf.String()).header; len(h) != 5 || despace(h[4]) != despace(tt("en", "col.other")) {
		t.Errorf(".NET findings without a probe: header %q, want the other clients column and no probe column", h)
	}
}

// TestContradictionBanner: before the tables, the hosts whose configuration says ready but whose
// probe failed: their count and one line each with the outcome, in English and Japanese, host
// names cleaned; a host needing action whose probe failed is no contradiction; no banner at all
// without contradictions; past 20 hosts the rest are counted.
func TestContradictionBanner(t *testing.T) {
	many := probeResults()
	for i := range 23 {
		many = append(many, scan.Result{Host: fmt.Sprintf("PC-MANY-%02d", i), Verdict: checks.Ready,
			Findings: []checks.Finding{probeFinding(checks.IDProbeFailed, checks.ProbeProxy, "", "")}})
	}
	tests := []struct {
		name    string
		results []scan.Result
		lang    string
		want    []string // lines, blanks dropped
		absent  []string
	}{
		{"en", probeResults(), checks.English, []string{
			"CONTRADICTION: 2 host(s) whose configuration says ready failed the probe",
			`- PC-\x1b[2J<script>alert(1)</script>\u202e&amp;: configuration says ready, but the host could not reach Microsoft 365 over TLS 1.2 (probe: intercepted)`,
			"- PC-CONTRA: configuration says ready, but the host could not reach Microsoft 365 over TLS 1.2 (probe: refused)",
		}, []string{"PC-ACTION", "PC-OK", "PC-WMI", "PC-NOPROBE"}},
		{"ja", probeResults(), checks.Japanese, []string{
			"矛盾: 構成上は対応済みなのにプローブに失敗したホストが 2 台あります",
			`- PC-\x1b[2J<script>alert(1)</script>\u202e&amp;: 構成上は対応済みですが、このホストは TLS 1.2 で Microsoft 365 に接続できませんでした (プローブ: TLS 傍受 (intercepted))`,
			"- PC-CONTRA: 構成上は対応済みですが、このホストは TLS 1.2 で Microsoft 365 に接続できませんでした (プローブ: ハンドシェイク失敗 (refused))",
		}, []string{"PC-ACTION", "PC-OK"}},
		{"hostile outcome", []scan.Result{{Host: "PC-X", Verdict: checks.Ready, Findings: []checks.Finding{
			probeFinding(checks.IDProbeFailed, "\x1b]0;owned\a\u202e", "", "")}}}, checks.English, []string{
			"CONTRADICTION: 1 host(s) whose configuration says ready failed the probe",
			`- PC-X: configuration says ready, but the host could not reach Microsoft 365 over TLS 1.2 (probe: \x1b]0;owned\x07\u202e)`,
		}, nil},
		{"none", sampleResults(), checks.English, nil, []string{"CONTRADICTION"}},
		{"25 hosts", many, checks.English, nil, []string{"PC-MANY-18", "PC-MANY-22"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := ContradictionBanner(&buf, tc.results, TableOptions{Width: 80, Lang: tc.lang}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if strings.ContainsAny(out, "\x1b\u202e") {
				t.Errorf("control characters reached the terminal:\n%q", out)
			}
			for _, l := range strings.Split(out, "\n") {
				if w := runewidth.StringWidth(l); w > 80 {
					t.Errorf("line is %d columns: %q", w, l)
				}
			}
			if tc.name == "none" && out != "" {
				t.Errorf("banner without a contradiction:\n%s", out)
			}
			// The items, their wrapped lines joined.
			var items []string
			for _, l := range strings.Split(out, "\n") {
				switch {
				case strings.HasPrefix(l, "    ") && len(items) > 0:
					items[len(items)-1] += " " + strings.TrimSpace(l)
				case strings.TrimSpace(l) != "":
					items = append(items, strings.TrimSpace(l))
				}
			}
			if tc.want != nil {
				if len(items) != len(tc.want) {
					t.Fatalf("banner %q, want %q", items, tc.want)
				}
				for i := range tc.want {
					if despace(items[i]) != despace(tc.want[i]) {
						t.Errorf("banner line %d:\n got %q\nwant %q", i, items[i], tc.want[i])
					}
				}
			}
			if tc.name == "25 hosts" {
				n := 0
				for _, it := range items {
					if strings.HasPrefix(it, "- ") {
						n++
					}
				}
				if n != 20 || !strings.HasPrefix(items[0], "CONTRADICTION: 25 host(s)") ||
					!strings.Contains(despace(out), despace("... and 5 more (all of them: the CSV's contradiction column, the JSON's contradictions)")) {
					t.Errorf("25 contradictions: %d named, banner %q", n, items)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(out, a) {
					t.Errorf("banner names %s:\n%s", a, out)
				}
			}
		})
	}
}

// TestCSV_contradictionAndProbe: the CSV's contradiction (yes/no) and probe (the outcome words)
// columns, added at the end; the verdict stays Outlook's; the host name has no control
// characters.
func TestCSV_contradictionAndProbe(t *testing.T) {
	for _, lang := range checks.Languages() {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, probeResults(), lang); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), csvBOM))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		cols := CSVColumns()
		if !slices.Equal(recs[0], cols) || !slices.Equal(cols[len(cols)-3:], []string{"other_clients", "contradiction", "probe"}) {
			t.Fatalf("header %q", recs[0])
		}
		idx := func(name string) int { return slices.Index(cols, name) }
		want := map[string][3]string{ // verdict, contradiction, probe
			"PC-ACTION":          {"action", "no", "noroute"},
			sheet.Cell(evilHost): {"ready", "yes", "intercepted"},
			"PC-CONTRA":          {"ready", "yes", "refused"},
			"PC-NOPROBE":         {"ready", "no", ""},
			"PC-OK":              {"ready", "no", "ok"},
			"PC-WMI":             {"ready", "no", "needs-shell"},
		}
		if len(recs)-1 != len(want) {
			t.Fatalf("%d rows, want %d", len(recs)-1, len(want))
		}
		for _, r := range recs[1:] {
			w, ok := want[r[0]]
			if !ok {
				t.Errorf("%s: unexpected host %q", lang, r[0])
				continue
			}
			if got := [3]string{r[idx("verdict")], r[idx("contradiction")], r[idx("probe")]}; got != w {
				t.Errorf("%s %s: verdict, contradiction, probe = %q, want %q", lang, r[0], got, w)
			}
		}
	}
}

// TestJSON_contradictionsAndColumns: the JSON report lists the contradicting hosts at the top
// level (in the hosts' order) and has, per host, the other clients summary, the probe outcome
// and the contradiction flag; a hostile host name is escaped; a report without probe findings
// has an empty list and no probe fields.
func TestJSON_contradictionsAndColumns(t *testing.T) {
	for _, lang := range checks.Languages() {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, probeResults(), lang); err != nil {
			t.Fatal(err)
		}
		raw := buf.Bytes()
		for _, bad := range []string{"<script>", "\x1b", "\u202e", "&amp;"} {
			if bytes.Contains(raw, []byte(bad)) {
				t.Errorf("%s: JSON holds %q raw", lang, bad)
			}
		}
		var rep JSONReport
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatal(err)
		}
		if want := []string{evilHost, "PC-CONTRA"}; !slices.Equal(rep.Contradictions, want) {
			t.Errorf("%s: contradictions %q, want %q", lang, rep.Contradictions, want)
		}
		other := map[string]string{checks.English: ".NET: weak TLS (3 values)", checks.Japanese: ".NET: TLS 設定不足 (値 3 個)"}[lang]
		for _, h := range rep.Hosts {
			var want JSONHost
			switch h.Host {
			case "PC-OK":
				want = JSONHost{Verdict: checks.Ready, OtherClients: other, Probe: "ok"}
			case "PC-CONTRA":
				want = JSONHost{Verdict: checks.Ready, Probe: "refused", Contradiction: true}
			case evilHost:
				want = JSONHost{Verdict: checks.Ready, Probe: "intercepted", Contradiction: true}
			case "PC-ACTION":
				want = JSONHost{Verdict: checks.Action, Probe: "noroute"}
			case "PC-WMI":
				want = JSONHost{Verdict: checks.Ready, OtherClients: tt(lang, "other.dotnet40"), Probe: "needs-shell"}
			case "PC-NOPROBE":
				want = JSONHost{Verdict: checks.Ready}
			}
			if h.Verdict != want.Verdict || h.OtherClients != want.OtherClients || h.Probe != want.Probe || h.Contradiction != want.Contradiction {
				t.Errorf("%s %q: verdict %s, otherClients %q, probe %q, contradiction %v; want %s %q %q %v", lang, h.Host,
					h.Verdict, h.OtherClients, h.Probe, h.Contradiction, want.Verdict, want.OtherClients, want.Probe, want.Contradiction)
			}
		}
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleResults(), checks.English); err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if string(m["contradictions"]) != "[]" {
		t.Errorf("no contradiction: %s, want []", m["contradictions"])
	}
	if bytes.Contains(buf.Bytes(), []byte(`"probe"`)) || bytes.Contains(buf.Bytes(), []byte(`"contradiction"`)) {
		t.Errorf("a report without a probe has probe fields:\n%s", buf.Bytes())
	}
}

// TestWriteHTML_bannerAndColumns: the page begins with the contradiction banner (count, each
// host linking to its row, which has that id), the host table has the other clients column and,
// with probe findings only, the probe column; the verdict column stays Outlook's; hostile names
// stay text; in English and Japanese. Without contradictions there is no banner, without probe
// findings no probe column.
func TestWriteHTML_bannerAndColumns(t *testing.T) {
	tests := []struct {
		lang, head, item, other, probeOK, colOther, colProbe string
	}{
		{checks.English, "2 hosts: configuration says ready, but the probe failed",
			"configuration says ready, but the host could not reach Microsoft 365 over TLS 1.2 (probe: refused)",
			".NET: weak TLS (3 values)", "ok (TLS 1.2, " + testCipher + ")", "Other clients", "Probe"},
		{checks.Japanese, "2 台: 構成上は対応済みですが、プローブに失敗しました",
			"構成上は対応済みですが、このホストは TLS 1.2 で Microsoft 365 に接続できませんでした (プローブ: ハンドシェイク失敗 (refused))",
			".NET: TLS 設定不足 (値 3 個)", "成功 (TLS 1.2, " + testCipher + ")", "その他のクライアント", "プローブ"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			page := render(t, probeResults(), withLang(testOptions, tc.lang))
			doc := parsePage(t, page)
			// Only the page's own two scripts: no host string became an element.
			if n := len(byTag(doc, "script")); n != 2 {
				t.Errorf("%d script elements, want 2", n)
			}
			banner := byID(t, doc, "contradictions")
			main := byTag(doc, "main")[0]
			var firstSection *html.Node
			for _, s := range byTag(main, "section") {
				firstSection = s
				break
			}
			if firstSection != banner {
				t.Error("the banner is not the report's first section")
			}
			if got := textOf(byTag(banner, "h2")[0]); got != tc.head {
				t.Errorf("banner head %q, want %q", got, tc.head)
			}
			rows, classes := hostRows(t, doc, "hosts")
			trs := byTag(byTag(byID(t, doc, "hosts"), "tbody")[0], "tr")
			links := byTag(banner, "a")
			wantHosts := []string{sheet.StripControls(evilHost), "PC-CONTRA"}
			if len(links) != len(wantHosts) {
				t.Fatalf("%d links in the banner, want %d", len(links), len(wantHosts))
			}
			for i, a := range links {
				if got := textOf(a); got != wantHosts[i] {
					t.Errorf("link %d names %q, want %q", i, got, wantHosts[i])
				}
				href, _ := attr(a, "href")
				target := -1
				for j, tr := range trs {
					if id, ok := attr(tr, "id"); ok && "#"+id == href {
						target = j
					}
				}
				if target < 0 || rows[target][0] != wantHosts[i] || classes[target] != "ready" {
					t.Errorf("link %d (%s) does not lead to the row of %q", i, href, wantHosts[i])
				}
			}
			if li := textOf(byTag(banner, "li")[1]); li != "PC-CONTRA: "+tc.item {
				t.Errorf("banner item %q, want %q", li, "PC-CONTRA: "+tc.item)
			}
			var heads []string
			for _, th := range byTag(byID(t, doc, "hosts"), "th") {
				heads = append(heads, textOf(th))
			}
			if len(heads) != 7 || heads[5] != tc.colOther || heads[6] != tc.colProbe {
				t.Errorf("columns %q, want other clients and probe last", heads)
			}
			for i, r := range rows {
				if r[0] == "PC-OK" {
					if r[2] != labelsFor(tc.lang)["verdict.ready"] || r[5] != tc.other || r[6] != tc.probeOK {
						t.Errorf("PC-OK row %q (classes %s)", r, classes[i])
					}
				}
				if r[0] == "PC-NOPROBE" && (r[5] != "" || r[6] != "") {
					t.Errorf("PC-NOPROBE row %q, want empty other clients and probe cells", r)
				}
			}
		})
	}
	// The demo fleet: no probe, so no banner and no probe column.
	doc := parsePage(t, render(t, demoFleet(), testOptions))
	if findAll(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "contradictions" }) != nil {
		t.Error("a banner without probe findings")
	}
	if n := len(byTag(byID(t, doc, "hosts"), "th")); n != 6 {
		t.Errorf("%d columns without probe findings, want 6 (the other clients column, no probe)", n)
	}
}

// TestReportDecoder_keepsProbeArgs: read through ReportDecoder (the report's lean reading), the
// probe findings keep the arguments the probe column and the banner show, and only those; the
// other findings keep none; the tables, the banner, the CSV and the JSON come out as from the
// full results.
func TestReportDecoder_keepsProbeArgs(t *testing.T) {
	rs := probeResults()
	rs[0].Findings[0].Args["extra"] = checks.Arg{Text: "left out"}
	lines := resultLines(t, rs, false)
	for _, lang := range checks.Languages() {
		dec := ReportDecoder(lang)
		var got []scan.Result
		for _, l := range lines {
			var r scan.Result
			if err := dec(l, &r); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		for _, r := range got {
			for _, f := range r.Findings {
				switch {
				case isProbe(f.ID):
					for k := range f.Args {
						if !slices.Contains(probeArgs, k) {
							t.Errorf("%s: %s keeps %q", r.Host, f.ID, k)
						}
					}
					if f.Args["outcome"].Text == "" {
						t.Errorf("%s: %s lost its outcome", r.Host, f.ID)
					}
				case f.Args != nil:
					t.Errorf("%s: %s keeps its args", r.Host, f.ID)
				}
			}
		}
		outputs := func(rs []scan.Result) string {
			var b bytes.Buffer
			o := TableOptions{Width: 100, Lang: lang}
			for _, err := range []error{ContradictionBanner(&b, rs, o), HostTable(&b, rs, o), WriteCSV(&b, rs, lang), WriteJSON(&b, rs, lang)} {
				if err != nil {
					t.Fatal(err)
				}
			}
			return b.String()
		}
		// The whole results, each finding made in lang from its own args where it has them (the
		// test's findings mix findings with and without args, which Localize takes as a whole).
		whole := probeResults()
		for i := range whole {
			for j, f := range whole[i].Findings {
				whole[i].Findings[j], _ = renderFinding(f, lang)
			}
		}
		if a, b := outputs(got), outputs(whole); a != b {
			t.Errorf("%s: read with ReportDecoder:\n%s\nread whole:\n%s", lang, a, b)
		}
	}
}

// TestLocalize_unknownIDKeepsItsText: a finding whose id this version's catalogue does not know
// (the probe's ids until their texts are registered, or any id of a newer tlsready) keeps the
// texts its results file stored instead of becoming "{?ID}", in every language; a known id is
// still made from its args.
func TestLocalize_unknownIDKeepsItsText(t *testing.T) {
	known := checks.RecordedOSUnsupportedIn(checks.English, "Active Directory", "Windows 7 Professional", "6.1 (7600)", "", "Windows 7 without SP1")
	tests := []struct {
		name string
		f    checks.Finding
		keep bool
	}{
		{"id of a newer version", checks.Finding{ID: "NEWER_RULE", Severity: checks.SeverityWarning, Title: "a newer rule", Args: checks.Args{"x": {Text: "1"}}}, true},
		{"known id", known, false},
	}
	for _, tc := range tests {
		for _, lang := range checks.Languages() {
			got := Localize(scan.Result{Host: "PC", Findings: []checks.Finding{tc.f}}, lang).Findings[0]
			if strings.Contains(got.Title+got.Detail+got.Remediation, "{?") {
				t.Errorf("%s, %s: texts %q / %q / %q", tc.name, lang, got.Title, got.Detail, got.Remediation)
			}
			if tc.keep && (got.Title != tc.f.Title || got.Detail != tc.f.Detail) {
				t.Errorf("%s, %s: title %q, want the stored %q", tc.name, lang, got.Title, tc.f.Title)
			}
			if !tc.keep && lang == checks.Japanese && !hasJapanese(got.Title) {
				t.Errorf("%s, %s: title %q not made in Japanese", tc.name, lang, got.Title)
			}
		}
	}
}

// TestForTables: a scan that keeps only what its tables need prints the same table and banner as
// from the whole results (the probe's outcome and the other clients' count survive), and drops
// the rest.
func TestForTables(t *testing.T) {
	whole := probeResults()
	slim := make([]scan.Result, len(whole))
	for i, r := range whole {
		r.Findings = slices.Clone(r.Findings)
		for j, f := range r.Findings {
			r.Findings[j] = ForTables(f)
			if r.Findings[j].Detail != "" || r.Findings[j].Remediation != "" {
				t.Errorf("%s %s: detail or fix kept", r.Host, f.ID)
			}
		}
		slim[i] = r
	}
	for _, lang := range []string{"en", "ja"} {
		opts := TableOptions{Lang: lang, Width: 160}
		var a, b bytes.Buffer
		if err := ContradictionBanner(&a, whole, opts); err != nil {
			t.Fatal(err)
		}
		if err := ContradictionBanner(&b, slim, opts); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() || !strings.Contains(a.String(), "refused") {
			t.Errorf("%s: banner from the slim findings\n%s\nwant\n%s", lang, b.String(), a.String())
		}
		for i := range whole {
			if w, g := otherClientsText(whole[i], lang), otherClientsText(slim[i], lang); w != g {
				t.Errorf("%s %s: other clients %q, want %q", lang, whole[i].Host, g, w)
			}
			if w, g := probeMachine(whole[i]), probeMachine(slim[i]); w != g {
				t.Errorf("%s %s: probe %q, want %q", lang, whole[i].Host, g, w)
			}
		}
	}
}
