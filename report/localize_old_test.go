package report

import (
	"os"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// A results file written before findings kept their arguments is shown in another language by
// making its findings again from its facts: only the findings the scan stored, never one a rule
// added since (PC-W7-004's stored facts have Outlook 2010, which the Outlook rules of issue 18
// judge; its stored verdict is ready, with no finding of it).
func TestLocalizeOldFileKeepsStoredFindings(t *testing.T) {
	f, err := os.Open("../testdata/results/demo.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	results, _, err := scan.ReadResults(f)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range results {
		if r.Facts == nil || r.Error != nil {
			continue
		}
		for _, f := range r.Findings {
			if f.Args != nil {
				t.Fatalf("%s: the file has finding args; this test needs the old format", r.Host)
			}
		}
		seen++
		stored := ids(r.Findings)
		ja := Localize(r, checks.Japanese)
		if got := ids(ja.Findings); got != stored {
			t.Errorf("%s (verdict %s): ja findings %s, stored %s", r.Host, r.Verdict, got, stored)
		}
		for i, f := range ja.Findings {
			if i < len(r.Findings) && f.ID == r.Findings[i].ID && f.Title == r.Findings[i].Title {
				t.Errorf("%s: finding %s not made again in Japanese: %q", r.Host, f.ID, f.Title)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("only %d hosts with facts in the old demo file", seen)
	}
}

func ids(fs []checks.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.ID + " ")
	}
	return b.String()
}
