package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/golden"
	"github.com/tlsready/tlsready/report"
	"github.com/tlsready/tlsready/scan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// demoResults is the demo fleet's results file, recorded once with fixed times and addresses.
const demoResults = "../../testdata/results/demo.jsonl"

// golden compares got with testdata/golden/name, or rewrites it with -update.
// afterFix is the demo fleet a week later: PC-W7-010 got KB3140245, PC-W10-001 lost TLS 1.2,
// PC-OFF-023 was reached, PC-W7-003 is off, SRV-2016-01 was retired, PC-NEW-100 joined.
func afterFix(t *testing.T, dir string) string {
	t.Helper()
	rs, _, err := scan.ReadResultsFiles(demoResults)
	if err != nil {
		t.Fatal(err)
	}
	later := func(r scan.Result) scan.Result {
		r.ScanID = "20261203T090000Z-demo0002"
		r.Start, r.End = r.Start.Add(7*24*time.Hour), r.End.Add(7*24*time.Hour)
		return r
	}
	byHost := map[string]scan.Result{}
	for _, r := range rs {
		byHost[r.Host] = r
	}
	var out []scan.Result
	for _, r := range rs {
		r = later(r)
		switch r.Host {
		case "PC-W7-010":
			r = later(byHost["PC-W7-003"])
			r.Host, r.Address = "PC-W7-010", byHost["PC-W7-010"].Address
		case "PC-W10-001":
			r = later(byHost["PC-W10-014"])
			r.Host, r.Address = "PC-W10-001", byHost["PC-W10-001"].Address
		case "PC-OFF-023":
			r = later(byHost["PC-W10-015"])
			r.Host, r.Address = "PC-OFF-023", byHost["PC-OFF-023"].Address
		case "PC-W7-003":
			r = later(byHost["PC-OFF-023"])
			r.Host, r.Address = "PC-W7-003", byHost["PC-W7-003"].Address
		case "SRV-2016-01":
			continue
		}
		out = append(out, r)
	}
	n := later(byHost["PC-W11-002"])
	n.Host, n.Address = "PC-NEW-100", "pc-new-100.corp.example:5985"
	out = append(out, n)
	path := filepath.Join(dir, "after.jsonl")
	writeResultsFile(t, path, out...)
	return path
}

func TestReportGolden(t *testing.T) {
	dir := t.TempDir()
	after := afterFix(t, dir)
	tests := []struct {
		name string
		args []string
	}{
		{"report.table.en.txt", []string{"report", demoResults, "--lang", "en"}},
		{"report.json.en.json", []string{"report", demoResults, "--format", "json", "--lang", "en"}},
		{"report.csv.en.csv", []string{"report", demoResults, "--format", "csv", "--lang", "en"}},
		{"report.table.ja.txt", []string{"report", demoResults, "--lang", "ja"}},
		{"report.csv.ja.csv", []string{"report", demoResults, "--format", "csv", "--lang", "ja"}},
		{"report.json.ja.json", []string{"report", demoResults, "--format", "json", "--lang", "ja"}},
		{"compare.table.en.txt", []string{"report", "--compare", demoResults, after, "--lang", "en"}},
		{"compare.csv.en.csv", []string{"report", "--compare", demoResults, after, "--format", "csv", "--lang", "en"}},
		{"compare.json.en.json", []string{"report", "--compare", demoResults, after, "--format", "json", "--lang", "en"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != exitReady {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden.Check(t, filepath.Join("testdata", "golden", tc.name), []byte(stdout), *update,
				"go test ./cmd/tlsready -run "+t.Name()+" -update")
		})
	}
}

// The formats are checked by what they mean too, not only against the golden files.
func TestReportFormats(t *testing.T) {
	want := map[checks.Verdict]int{checks.Ready: 13, checks.Action: 11, checks.Unsupported: 3, checks.Unknown: 4}

	_, out, _ := runCLI(t, "report", demoResults, "--format", "json")
	var doc report.JSONReport
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for v, n := range want {
		if doc.Summary[string(v)] != n {
			t.Errorf("json summary %s = %d, want %d", v, doc.Summary[string(v)], n)
		}
	}
	if len(doc.Hosts) != 31 || doc.Hosts[0].Verdict != checks.Action || doc.Hosts[30].Verdict != checks.Ready {
		t.Errorf("json hosts: %d, first %s, last %s", len(doc.Hosts), doc.Hosts[0].Verdict, doc.Hosts[30].Verdict)
	}

	_, out, _ = runCLI(t, "report", demoResults, "--format", "csv")
	if !strings.HasPrefix(out, "\ufeffhost,address,verdict,") {
		t.Errorf("CSV does not start with the BOM and the header: %q", out[:40])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 32 || strings.Join(rows[0], ",") != strings.Join(report.CSVColumns(), ",") {
		t.Errorf("CSV: %d rows, header %v", len(rows), rows[0])
	}
	got := map[checks.Verdict]int{}
	for _, r := range rows[1:] {
		if len(r) != len(report.CSVColumns()) {
			t.Errorf("row %v: %d cells", r[0], len(r))
		}
		got[checks.Verdict(r[2])]++
	}
	for v, n := range want {
		if got[v] != n {
			t.Errorf("csv %s = %d, want %d", v, got[v], n)
		}
	}

	// Tables fit 80 columns, in English and Japanese (wide characters count two).
	for _, lang := range []string{"en", "ja"} {
		_, out, _ = runCLI(t, "report", demoResults, "--lang", lang)
		for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if w := runewidth.StringWidth(l); w > 80 {
				t.Errorf("%s: line is %d columns: %q", lang, w, l)
			}
		}
		if strings.Contains(out, "\x1b[") {
			t.Errorf("%s: colour codes in output that is not a terminal", lang)
		}
	}

	dir := t.TempDir()
	outFile := filepath.Join(dir, "fleet.csv")
	if code, _, stderr := runCLI(t, "report", demoResults, "--format", "csv", "--out", outFile); code != exitReady {
		t.Fatalf("--out: exit %d %s", code, stderr)
	}
	if b, _ := os.ReadFile(outFile); !bytes.HasPrefix(b, []byte("\ufeffhost,")) {
		t.Error("--out file is not the CSV")
	}
	for _, bad := range [][]string{
		{"report"}, {"report", demoResults, "--format", "xml"}, {"report", demoResults, "--lang", "fr"},
		{"report", "--compare", demoResults}, {"report", filepath.Join(dir, "missing.jsonl")},
	} {
		if code, _, _ := runCLI(t, bad...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", bad, code, exitUsage)
		}
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "evil.jsonl")
	r := result("=HYPERLINK(\"http://x\")", checks.Unknown, 1, "winrm")
	r.Error.Message = "+cmd|' /C calc'!A0"
	writeResultsFile(t, path, r)
	_, out, _ := runCLI(t, "report", path, "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%v %v", rows, err)
	}
	for _, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
			t.Errorf("cell %q would run as a formula", cell)
		}
	}
}

func TestDefaultLang(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "en"},
		{map[string]string{"LANG": "ja_JP.UTF-8"}, "ja"},
		{map[string]string{"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}, "en"},
		{map[string]string{"LC_MESSAGES": "ja"}, "ja"},
	} {
		e := env{getenv: func(k string) string { return tc.env[k] }}
		if got := defaultLang(e); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.env, got, tc.want)
		}
	}
}

// --html on report (and compare) and on demo writes the self-contained page.
func TestHTMLFlag(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "fleet.html")
	if code, _, stderr := runCLI(t, "report", demoResults, "--html", page, "--lang", "ja"); code != exitReady {
		t.Fatalf("report --html: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(page)
	if err != nil || !bytes.Contains(b, []byte(`<html lang="ja">`)) || !bytes.Contains(b, []byte("Content-Security-Policy")) || !bytes.Contains(b, []byte(`"n":"PC-W7-010"`)) {
		t.Errorf("report --html wrote %d bytes (%v), want the Japanese page with the demo hosts", len(b), err)
	}
	cmp := filepath.Join(dir, "compare.html")
	if code, _, stderr := runCLI(t, "report", "--compare", demoResults, afterFix(t, dir), "--html", cmp); code != exitReady {
		t.Fatalf("report --compare --html: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(cmp); !bytes.Contains(b, []byte(`"mode":"compare"`)) {
		t.Error("compare page lacks its data")
	}
	demo := filepath.Join(dir, "demo.html")
	if code, _, stderr := runCLI(t, "demo", "--out", filepath.Join(dir, "demo.jsonl"), "--html", demo, "--timeout", "3s"); code != exitReady {
		t.Fatalf("demo --html: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(demo); !bytes.Contains(b, []byte(`"scope":"demo: simulated hosts"`)) {
		t.Error("demo page lacks its scope")
	}
	if _, err := os.Stat(demo + ".tmp"); !os.IsNotExist(err) {
		t.Error("temporary file left behind")
	}
}

// TestReportContradictionBanner: "tlsready report" prints the hosts whose configuration says
// ready but whose probe failed before its tables, the hostile host name escaped; without such a
// host the output starts with the table as before.
func TestReportContradictionBanner(t *testing.T) {
	rs, _, err := scan.ReadResultsFiles(demoResults)
	if err != nil {
		t.Fatal(err)
	}
	evil := "PC-\x1b[2JEVIL"
	probe := checks.Finding{ID: checks.IDProbeFailed, Severity: checks.SeverityWarning, Title: "probe failed",
		Args: checks.Args{"outcome": {Text: string(checks.ProbeRefused)}, "target": {Text: "outlook.office365.com:443"}}}
	n := 0
	for i := range rs {
		if rs[i].Verdict == checks.Ready && n < 2 {
			rs[i].Findings = append(rs[i].Findings, probe)
			if n == 0 {
				rs[i].Host = evil
			}
			n++
		}
	}
	path := filepath.Join(t.TempDir(), "probe.jsonl")
	var buf bytes.Buffer
	for _, r := range rs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(append(b, '\n'))
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file, lang, first string
	}{
		{path, "en", "CONTRADICTION: 2 host(s) whose configuration says ready failed the probe"},
		{path, "ja", "矛盾: 構成上は対応済みなのにプローブに失敗したホストが 2 台あります"},
		{demoResults, "en", "┌"},
	}
	for _, tc := range tests {
		_, out, _ := runCLI(t, "report", tc.file, "--lang", tc.lang)
		if !strings.HasPrefix(out, tc.first) {
			t.Errorf("%s %s: output starts %q, want %q", filepath.Base(tc.file), tc.lang, strings.SplitN(out, "\n", 2)[0], tc.first)
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("%s %s: an escape sequence reached the terminal", filepath.Base(tc.file), tc.lang)
		}
		if tc.file == path && !strings.Contains(out, `PC-\x1b[2JEVIL`) {
			t.Errorf("%s: the banner lacks the escaped host:\n%s", tc.lang, out)
		}
	}
}
