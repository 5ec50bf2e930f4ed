package checks

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRenderFromStoredArgs: a finding as the results file stores it (JSON: id, args, evidence)
// makes, in each language, exactly the texts the rules make in that language, so a report in
// Japanese needs neither the rules nor the facts.
func TestRenderFromStoredArgs(t *testing.T) {
	produced := map[string]bool{}
	cases := japaneseEvalFacts()
	recorded := []Finding{RecordedOSUnsupported("Active Directory", "Windows Vista™ Business", "6.0 (6002)", "Service Pack 2", "Vista")}
	for name, f := range cases {
		for _, lang := range Languages() {
			want := EvaluateIn(f, lang)
			stored := storeAndLoad(t, Evaluate(f))
			if len(stored) != len(want) {
				t.Fatalf("%s: %d findings stored, %d made in %s", name, len(stored), len(want), lang)
			}
			for i := range stored {
				got, ok := Render(stored[i], lang)
				if !ok {
					t.Fatalf("%s/%s: %s has no args after a round trip", name, lang, stored[i].ID)
				}
				produced[got.ID] = true
				w := want[i]
				if got.Title != w.Title || got.Detail != w.Detail || got.Remediation != w.Remediation {
					t.Errorf("%s/%s %s:\nrendered %q\n         %q\n         %q\nrules    %q\n         %q\n         %q",
						name, lang, w.ID, got.Title, got.Detail, got.Remediation, w.Title, w.Detail, w.Remediation)
				}
			}
		}
	}
	for _, lang := range Languages() {
		got, _ := Render(storeAndLoad(t, recorded)[0], lang)
		w := RecordedOSUnsupportedIn(lang, "Active Directory", "Windows Vista™ Business", "6.0 (6002)", "Service Pack 2", "Vista")
		if got.Title != w.Title || got.Detail != w.Detail || got.Remediation != w.Remediation {
			t.Errorf("%s: recorded OS finding rendered %+v, want %+v", lang, got, w)
		}
		produced[got.ID] = true
	}
	for _, ft := range FindingTypes() {
		if !produced[ft.ID] {
			t.Errorf("%s: no case renders it", ft.ID)
		}
	}
}

// storeAndLoad is a JSON round trip of findings without their texts, as a report keeps them.
func storeAndLoad(t *testing.T, fs []Finding) []Finding {
	t.Helper()
	b, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	var out []Finding
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for i := range out {
		out[i].Title, out[i].Detail, out[i].Remediation = "", "", ""
	}
	return out
}

// TestRenderWithoutArgs: a finding from an older results file (no args) is left as it is.
func TestRenderWithoutArgs(t *testing.T) {
	var fs []Finding
	if err := json.Unmarshal([]byte(`[{"id":"DSP_NO_TLS12","severity":"action","title":"old title","detail":"d"}]`), &fs); err != nil {
		t.Fatal(err)
	}
	got, ok := Render(fs[0], Japanese)
	if ok || got.Title != "old title" {
		t.Errorf("Render = %+v, %v; want the finding unchanged, false", got, ok)
	}
}

// TestRenderBoundsHostileArgs: args from a results file are untrusted: nesting and size are
// bounded, a phrase that does not exist is marked, and braces in values are not expanded.
func TestRenderBoundsHostileArgs(t *testing.T) {
	deep := Arg{Text: "x"}
	for range 10000 {
		deep = Arg{Phrase: "dsp.fix", Args: Args{"gpo": deep, "keys": deep, "bothkeys": deep, "needkb": deep}}
	}
	big := Arg{Text: strings.Repeat("A", 1<<20)}
	tests := []struct {
		name    string
		args    Args
		maxLen  int
		contain string
	}{
		{"deep", Args{"os": deep, "seen": deep, "fix": deep}, maxTextLen, ""},
		{"big", Args{"os": big, "seen": big, "fix": big}, maxTextLen, ""},
		{"unknown phrase", Args{"fix": {Phrase: "no.such"}}, maxTextLen, "{?no.such}"},
		{"braces", Args{"seen": {Text: "{os}"}, "os": {Text: "Windows"}}, maxTextLen, "{os}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := Render(Finding{ID: IDDSPNoTLS12, Args: tt.args}, English)
			if !ok {
				t.Fatal("not rendered")
			}
			all := f.Title + f.Detail + f.Remediation
			if len(f.Detail) > tt.maxLen || len(f.Remediation) > tt.maxLen {
				t.Errorf("texts of %d and %d bytes, want at most %d", len(f.Detail), len(f.Remediation), tt.maxLen)
			}
			if !strings.Contains(all, tt.contain) {
				t.Errorf("texts %q lack %q", all, tt.contain)
			}
		})
	}
}
