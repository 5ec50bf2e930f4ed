//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/safejson"
	"github.com/tlsready/tlsready/scan"
)

// reportBoundMB bounds the peak RSS of "report --html --lang ja" on reportFleetN hosts: the
// program and about 0.5 KB per host held, under the report's memory budget (measured: 70 MB).
// Before reports read results files without their facts, this run passed 120 MB in 1.4 s.
const (
	reportFleetN   = 20000
	reportBoundMB  = 120
	reportTimeWall = 3 * time.Minute
)

// A report on 20,000 hosts (bench/report measures 100,000) holds no facts and no copy of its
// output: the real binary, in a process of its own, keeps its peak resident memory within
// reportBoundMB while it writes the tables and the Japanese HTML page. The results file is the
// demo fleet's, each host judged again as a scan does today (findings with their args).
func TestReportLargeFleetStaysWithinMemoryBound(t *testing.T) {
	t.Parallel() // the report is a process of its own (its peak RSS is measured, not this one's)
	if testing.Short() {
		t.Skip("builds the binary and reports on 20,000 hosts")
	}
	seed, _, err := scan.ReadResultsFiles(demoResults)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	results := filepath.Join(dir, "results.jsonl")
	f, err := os.Create(results)
	if err != nil {
		t.Fatal(err)
	}
	// Each seed host judged once (20,000 judgements under -race took most of a minute).
	for i, r := range seed {
		if r.Facts != nil && r.Error == nil {
			seed[i].Verdict, seed[i].Findings = checks.Check(r.Facts)
		}
	}
	w := bufio.NewWriter(f)
	for i := range reportFleetN {
		r := seed[i%len(seed)]
		r.Host = fmt.Sprintf("PC-%05d", i+1)
		r.End = r.End.Add(time.Duration(i) * time.Second)
		b, err := safejson.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(append(b, '\n'))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	html := filepath.Join(dir, "report.html")
	cmd := exec.Command(buildBinary(t), "report", results, "--lang", "ja", "--html", html, "--out", filepath.Join(dir, "table.txt"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	peakKB, elapsed, werr := runWatchingRSS(t, cmd, reportBoundMB, reportTimeWall, &stderr)
	if werr != nil {
		t.Fatalf("report: %v: %s", werr, lastLines(stderr.String(), 10))
	}
	t.Logf("report --html --lang ja on %d hosts in %s: peak RSS %d MB (bound %d MB)", reportFleetN, elapsed.Round(time.Millisecond), peakKB>>10, reportBoundMB)
	if peakKB > reportBoundMB<<10 {
		t.Errorf("peak RSS %d MB, want at most %d MB", peakKB>>10, reportBoundMB)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "20,000") || !strings.Contains(string(page), "PC-20000") {
		t.Error("the page lacks the host count or the last host")
	}
}
