package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/sheet"
	"github.com/tlsready/tlsready/scan"
)

func at(host string, v checks.Verdict, minute int) scan.Result {
	return scan.Result{Host: host, Verdict: v, End: time.Date(2026, 11, 1, 9, minute, 0, 0, time.UTC)}
}

func TestCompare(t *testing.T) {
	old := []scan.Result{
		at("PC-FIX", checks.Action, 0), at("PC-REG", checks.Ready, 0), at("PC-OFF", checks.Ready, 0),
		at("PC-BACK", checks.Unknown, 0), at("PC-SAME", checks.Action, 0), at("PC-GONE", checks.Ready, 0),
		at("PC-MOVE", checks.Action, 0), at("pc-case", checks.Action, 0),
		at("PC-TWICE", checks.Unknown, 0), at("PC-TWICE", checks.Ready, 5), // newest counts
	}
	new := []scan.Result{
		at("PC-FIX", checks.Ready, 9), at("PC-REG", checks.Action, 9), at("PC-OFF", checks.Unknown, 9),
		at("PC-BACK", checks.Action, 9), at("PC-SAME", checks.Action, 9), at("PC-NEW", checks.Ready, 9),
		at("PC-MOVE", checks.Unsupported, 9), at("PC-CASE", checks.Ready, 9), at("PC-TWICE", checks.Ready, 9),
	}
	c := Compare(old, new)
	want := []struct{ host, kind string }{
		{"PC-REG", ChangeRegressed}, {"PC-OFF", ChangeNewlyUnreachable}, {"PC-CASE", ChangeFixed}, {"PC-FIX", ChangeFixed},
		{"PC-BACK", ChangeReached}, {"PC-MOVE", ChangeChanged}, {"PC-NEW", ChangeNew}, {"PC-GONE", ChangeGone},
		{"PC-SAME", ChangeUnchanged}, {"PC-TWICE", ChangeUnchanged},
	}
	if len(c.Changes) != len(want) {
		t.Fatalf("%d changes, want %d: %+v", len(c.Changes), len(want), c.Changes)
	}
	for i, w := range want {
		if got := c.Changes[i]; got.Host != w.host || got.Kind != w.kind {
			t.Errorf("change %d = %s %s, want %s %s", i, got.Host, got.Kind, w.host, w.kind)
		}
	}
	if c.Counts[ChangeFixed] != 2 || c.Counts[ChangeUnchanged] != 2 || c.Old[checks.Ready] != 4 || c.New[checks.Ready] != 4 {
		t.Errorf("counts %v old %v new %v", c.Counts, c.Old, c.New)
	}
	if c.Changes[7].New != nil || c.Changes[7].Old == nil || c.Changes[6].Old != nil {
		t.Error("gone/new hosts must have only their side")
	}
}

// TestCompare_contradictions: a comparison shows the new scan's contradictions (configuration
// ready, probe failed) in each of its four forms: the terminal's banner before the changes, the
// HTML page's first section, the JSON's contradictions list and per-host flag, the CSV's
// contradiction column. A host that needed action before and is ready now counts as fixed and
// is still named when its probe failed; a probe that failed in the old scan only, or on a host
// that needs action, is no contradiction. Hostile names stay text; en and ja.
func TestCompare_contradictions(t *testing.T) {
	old, now := fixedButContradicting()
	for i := range old {
		if old[i].Host == "PC-OK" { // the old scan's failed probe is history
			old[i].Findings = []checks.Finding{probeFinding(checks.IDProbeFailed, checks.ProbeRefused, "", "")}
		}
	}
	c := Compare(old, now)
	var order []string // the contradicting hosts in the comparison's order
	for _, ch := range c.Changes {
		if ch.Host == "PC-CONTRA" || ch.Host == evilHost {
			order = append(order, ch.Host)
		}
	}
	if len(order) != 2 {
		t.Fatalf("changes %+v", c.Changes)
	}
	if k := c.Changes[slices.IndexFunc(c.Changes, func(ch Change) bool { return ch.Host == "PC-CONTRA" })].Kind; k != ChangeFixed {
		t.Fatalf("PC-CONTRA: change %s, want fixed", k)
	}
	for _, lang := range []string{checks.English, checks.Japanese} {
		t.Run(lang, func(t *testing.T) {
			// Terminal: the banner, then the table of changes.
			var tb bytes.Buffer
			if err := CompareTable(&tb, c, TableOptions{Lang: lang, Width: 120}); err != nil {
				t.Fatal(err)
			}
			out := tb.String()
			head := strings.SplitN(out, "\n", 2)[0]
			wantHead := map[string]string{checks.English: "CONTRADICTION: 2 host(s)", checks.Japanese: "矛盾: "}[lang]
			if !strings.HasPrefix(head, wantHead) {
				t.Errorf("first line %q, want the banner (%q)", head, wantHead)
			}
			if b, tbl := strings.Index(out, "PC-CONTRA"), strings.Index(out, "┌"); b < 0 || tbl < 0 || b > tbl {
				t.Errorf("PC-CONTRA is not named before the table:\n%s", out)
			}
			if strings.ContainsAny(out, "\x1b\u202e") || strings.Contains(out, "<script>") && !strings.Contains(out, Clean(evilHost)) {
				t.Errorf("hostile name reached the terminal raw:\n%q", out)
			}

			// JSON: the list, in the comparison's order, and the flag per host.
			var jb bytes.Buffer
			if err := WriteCompareJSON(&jb, c, lang); err != nil {
				t.Fatal(err)
			}
			var j CompareJSON
			if err := json.Unmarshal(jb.Bytes(), &j); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(j.Contradictions, order) {
				t.Errorf("contradictions %q, want %q", j.Contradictions, order)
			}
			for _, ch := range j.Changes {
				if want := slices.Contains(order, ch.Host); ch.Contradiction != want {
					t.Errorf("JSON %q: contradiction %v, want %v", ch.Host, ch.Contradiction, want)
				}
			}
			if bytes.Contains(jb.Bytes(), []byte("<script>")) || bytes.Contains(jb.Bytes(), []byte("\x1b")) {
				t.Error("hostile name unescaped in the JSON")
			}

			// CSV: the last column.
			var cb bytes.Buffer
			if err := WriteCompareCSV(&cb, c, lang); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(cb.String(), csvBOM))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if last := recs[0][len(recs[0])-1]; last != "contradiction" {
				t.Errorf("CSV header %q: want contradiction last", recs[0])
			}
			yes := 0
			for _, r := range recs[1:] {
				contra := r[len(r)-1]
				want := "no"
				if r[0] == "PC-CONTRA" || r[0] == sheet.Cell(evilHost) {
					want = "yes"
				}
				if contra != want {
					t.Errorf("CSV %q: contradiction %q, want %q", r[0], contra, want)
				}
				if contra == "yes" {
					yes++
				}
			}
			if yes != 2 {
				t.Errorf("CSV: %d rows with a contradiction, want 2", yes)
			}

			// HTML: the banner is the first section, its hosts text.
			var hb bytes.Buffer
			if err := WriteCompareHTML(&hb, c, withLang(testOptions, lang)); err != nil {
				t.Fatal(err)
			}
			doc := parsePage(t, hb.Bytes())
			if n := len(byTag(doc, "script")); n != 2 {
				t.Errorf("%d script elements, want 2", n)
			}
			banner := byID(t, doc, "contradictions")
			if first := byTag(byTag(doc, "main")[0], "section")[0]; first != banner {
				t.Error("the banner is not the comparison's first section")
			}
			var names []string
			for _, b := range byTag(banner, "b") {
				names = append(names, textOf(b))
			}
			want := []string{}
			for _, h := range order {
				want = append(want, sheet.StripControls(h))
			}
			slices.Sort(names)
			slices.Sort(want)
			if !slices.Equal(names, want) {
				t.Errorf("banner names %q, want %q", names, want)
			}
		})
	}

	// No contradiction in the new scan: no banner anywhere, an empty list, "no" everywhere.
	var plain []scan.Result
	for _, r := range old {
		r.Findings = nil
		plain = append(plain, r)
	}
	quiet := Compare(now, plain)
	var tb, jb, hb bytes.Buffer
	if err := CompareTable(&tb, quiet, TableOptions{Lang: checks.English, Width: 120}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tb.String(), "CONTRADICTION") {
		t.Errorf("banner without a contradiction:\n%s", tb.String())
	}
	if err := WriteCompareJSON(&jb, quiet, checks.English); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(jb.Bytes(), []byte(`"contradictions": []`)) || bytes.Contains(jb.Bytes(), []byte(`"contradiction": true`)) {
		t.Errorf("JSON without a contradiction:\n%s", jb.Bytes())
	}
	if err := WriteCompareHTML(&hb, quiet, testOptions); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(hb.Bytes(), []byte(`id="contradictions"`)) {
		t.Error("HTML banner without a contradiction")
	}
}

// fixedButContradicting are two scans: probeResults now, and before it the same hosts without
// findings, PC-CONTRA needing action (so it counts as fixed, yet its probe fails now).
func fixedButContradicting() (old, now []scan.Result) {
	now = probeResults()
	for _, r := range now {
		o := scan.Result{Host: r.Host, Verdict: r.Verdict, OS: r.OS}
		if r.Host == "PC-CONTRA" {
			o.Verdict = checks.Action
		}
		old = append(old, o)
	}
	return old, now
}
