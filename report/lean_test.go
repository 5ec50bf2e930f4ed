package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/safejson"
	"github.com/tlsready/tlsready/scan"
)

// resultLines is the test fleet as results file lines; with old, the findings lose their args,
// as files written before findings kept them.
func resultLines(t testing.TB, rs []scan.Result, old bool) [][]byte {
	t.Helper()
	var out [][]byte
	for _, r := range rs {
		b, err := safejson.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if old {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			var fs []map[string]json.RawMessage
			if err := json.Unmarshal(m["findings"], &fs); err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				delete(f, "args")
			}
			m["findings"], _ = json.Marshal(fs)
			b, _ = json.Marshal(m)
		}
		out = append(out, b)
	}
	return out
}

// sameFindings compares what a report shows of findings.
func sameFindings(t *testing.T, what string, got, want []checks.Finding) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d findings, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Severity != w.Severity || g.Title != w.Title || g.Detail != w.Detail || g.Remediation != w.Remediation ||
			!slices.Equal(g.FAQ, w.FAQ) || !slices.Equal(g.Evidence, w.Evidence) {
			t.Errorf("%s finding %d:\n got %+v\nwant %+v", what, i, g, w)
		}
	}
}

// TestReportDecoderShowsWhatTheRulesSay: a report read with ReportDecoder shows, in English and
// Japanese, for results files with and without the findings' args, exactly the findings that
// reading everything and re-running the rules gives - and keeps no facts.
func TestReportDecoderShowsWhatTheRulesSay(t *testing.T) {
	fleet := bigFleet(200)
	for _, old := range []bool{false, true} {
		lines := resultLines(t, fleet, old)
		for _, lang := range checks.Languages() {
			dec := ReportDecoder(lang)
			for i, line := range lines {
				var got scan.Result
				if err := dec(line, &got); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				if got.Facts != nil {
					t.Errorf("%s: facts kept", got.Host)
				}
				for _, f := range got.Findings {
					if f.Args != nil {
						t.Errorf("%s: %s keeps its args", got.Host, f.ID)
					}
				}
				want := fleet[i]
				wantF := checks.EvaluateIn(want.Facts, lang)
				if want.Facts == nil || want.Error != nil {
					wantF = Localize(want, lang).Findings
					for j := range wantF {
						wantF[j].Args = nil
					}
				}
				if got.Host != want.Host || got.Verdict != want.Verdict || !got.End.Equal(want.End) || (got.Error == nil) != (want.Error == nil) {
					t.Errorf("%s: read as %s %s %v", want.Host, got.Host, got.Verdict, got.End)
				}
				sameFindings(t, want.Host+"/"+lang, got.Findings, wantF)
				// What the edge does to it again changes nothing.
				sameFindings(t, want.Host+"/"+lang+" localized", Localize(got, lang).Findings, got.Findings)
			}
		}
	}
}

// TestLocalizeNeedsNoFacts: findings that kept their args are shown in Japanese from them alone;
// the facts and the rules are not needed (before, a result without facts stayed in English).
func TestLocalizeNeedsNoFacts(t *testing.T) {
	for _, h := range testFleet {
		r := h.result(h.name, 0)
		if r.Facts == nil || len(r.Findings) == 0 {
			continue
		}
		want := checks.EvaluateIn(r.Facts, checks.Japanese)
		r.Facts = nil
		got := Localize(r, checks.Japanese).Findings
		for i := range got {
			got[i].Args, want[i].Args = nil, nil
		}
		sameFindings(t, h.name, got, want)
	}
}

// TestReportDecoderSharesWithoutAliasing: hosts with the same findings share one list, and
// making every report from them (HTML, CSV, JSON, tables, in both languages) changes no list.
func TestReportDecoderSharesWithoutAliasing(t *testing.T) {
	fleet := bigFleet(64)
	lines := resultLines(t, fleet, false)
	dec := ReportDecoder(checks.English)
	rs := make([]scan.Result, len(lines))
	for i, l := range lines {
		if err := dec(l, &rs[i]); err != nil {
			t.Fatal(err)
		}
	}
	a, b := rs[9], rs[9+len(testFleet)] // the same kind of host, renamed
	if len(a.Findings) == 0 || &a.Findings[0] != &b.Findings[0] {
		t.Fatalf("%s and %s: findings not shared", a.Host, b.Host)
	}
	before, _ := json.Marshal(rs)
	for _, lang := range checks.Languages() {
		var buf bytes.Buffer
		if err := WriteHTML(&buf, rs, HTMLOptions{Lang: lang}); err != nil {
			t.Fatal(err)
		}
		if err := WriteCSV(&buf, rs, lang); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&buf, rs, lang); err != nil {
			t.Fatal(err)
		}
		if err := HostTable(&buf, rs, TableOptions{Lang: lang}); err != nil {
			t.Fatal(err)
		}
		if err := FindingTable(&buf, rs, TableOptions{Lang: lang}); err != nil {
			t.Fatal(err)
		}
	}
	if after, _ := json.Marshal(rs); !bytes.Equal(before, after) {
		t.Error("making the reports changed the shared results")
	}
}

func TestCutMember(t *testing.T) {
	tests := []struct {
		name, line, rest, value string
	}{
		{"middle", `{"a":1,"facts":{"x":[1,{"y":"}"}]},"b":2}`, `{"a":1,"b":2}`, `{"x":[1,{"y":"}"}]}`},
		{"last", `{"a":1,"facts":{"x":1}}`, `{"a":1}`, `{"x":1}`},
		{"first", `{"facts":{"x":1},"a":1}`, `{"a":1}`, `{"x":1}`},
		{"only", `{"facts":null}`, `{}`, `null`},
		{"spaces", "{ \"a\" : \"facts\" , \"facts\" : { \"k\" : \"v\\\"}\" } }\n", "{ \"a\" : \"facts\" }\n", `{ "k" : "v\"}" }`},
		{"nested key only", `{"a":{"facts":1},"b":"\"facts\":2"}`, `{"a":{"facts":1},"b":"\"facts\":2"}`, ``},
		{"absent", `{"a":1}`, `{"a":1}`, ``},
		{"not an object", `[1,2]`, `[1,2]`, ``},
		{"cut short", `{"a":1,"facts":{"x":`, `{"a":1,"facts":{"x":`, ``},
		{"bad string", `{"a":"x`, `{"a":"x`, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest, value := cutMember([]byte(tt.line), "facts")
			if string(rest) != tt.rest || string(value) != tt.value {
				t.Errorf("cutMember(%q) = %q, %q; want %q, %q", tt.line, rest, value, tt.rest, tt.value)
			}
			if tt.value != "" && json.Valid([]byte(tt.line)) && !json.Valid(rest) {
				t.Errorf("rest %q is not valid JSON", rest)
			}
		})
	}
}

// FuzzReportDecoder: any line - results files are untrusted - is decoded or refused without a
// panic; a line that decodes in full decodes to the same host and verdict.
func FuzzReportDecoder(f *testing.F) {
	for _, l := range resultLines(f, bigFleet(40), false)[:31] {
		f.Add(l)
	}
	f.Add([]byte(`{"host":"h","verdict":"ready","findings":[{"id":"DSP_NO_TLS12","args":{"seen":{"p":"dsp.fix","a":{"gpo":{"l":[{"t":"{x}"}]}}}}}],"facts":{"os":{}}}`))
	f.Add([]byte(`{"host":"h","verdict":"action","findings":[{"id":"X"}],"facts":{"os":{"caption":"Windows 7"}}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, lang := range checks.Languages() {
			var lean scan.Result
			err := ReportDecoder(lang)(line, &lean)
			var full scan.Result
			if ferr := json.Unmarshal(line, &full); ferr == nil && err == nil {
				if lean.Host != full.Host || lean.Verdict != full.Verdict {
					t.Errorf("lean %q %q, full %q %q", lean.Host, lean.Verdict, full.Host, full.Verdict)
				}
			}
			if err == nil {
				var buf bytes.Buffer
				if werr := WriteCSV(&buf, []scan.Result{lean}, lang); werr != nil {
					t.Errorf("CSV of a decoded line: %v", werr)
				}
				if strings.Contains(buf.String(), "\x1b") {
					t.Errorf("raw ESC in the CSV")
				}
			}
		}
	})
}
