package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/discover"
	"github.com/tlsready/tlsready/scan"
)

// csvFixture is two hosts: one with two WinINet findings of the same id (two users) and one
// warning, one unreachable with an AD record.
func csvFixture() []scan.Result {
	end := time.Date(2026, 11, 26, 18, 17, 0, 250e6, time.FixedZone("JST", 9*3600)) // 09:17:00.25 UTC
	return []scan.Result{
		{Host: "PC-01", Verdict: checks.Action, End: end, Attempts: 1, Findings: []checks.Finding{
			{ID: checks.IDWinINetNoTLS12, Severity: checks.SeverityAction, Title: "user A", FAQ: []string{"Q17"}},
			{ID: checks.IDWinINetNoTLS12, Severity: checks.SeverityAction, Title: "user B", FAQ: []string{"Q17"}},
			{ID: checks.IDDSPSSL3, Severity: checks.SeverityWarning, Title: "ssl3", FAQ: []string{"Q4", "Q5"}},
			{ID: checks.IDDotNetWeakTLS, Severity: checks.SeverityWarning, Title: "dotnet"},
			{ID: checks.IDDotNetWeakTLS, Severity: checks.SeverityWarning, Title: "dotnet"},
			{ID: checks.IDOfficeInfo, Severity: checks.SeverityInfo, Title: "office"},
		}},
		{Host: "PC-02", Verdict: checks.Unknown, End: end.Add(time.Minute), Attempts: 2,
			Error: &scan.ErrorInfo{Category: scan.CategoryUnreachable, Message: "host PC-02: line one\nline two"},
			AD:    &discover.Computer{DN: "CN=PC-02,DC=corp", LastLogon: time.Date(2026, 11, 20, 8, 0, 5, 0, time.UTC)}},
	}
}

// TestCSVForExcel: CRLF line ends (in quoted cells too), times in UTC as Excel reads a date
// ("2026-11-26 09:17:00") under headers that name UTC, and each finding id once per host.
func TestCSVForExcel(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, csvFixture(), "en"); err != nil {
		t.Fatal(err)
	}
	out := strings.TrimPrefix(buf.String(), csvBOM)
	if strings.Count(out, "\n") == 0 || strings.Count(out, "\n") != strings.Count(out, "\r\n") {
		t.Errorf("%d line feeds, %d of them after CR; want all: %q", strings.Count(out, "\n"), strings.Count(out, "\r\n"), out)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	tests := []struct {
		row    int
		column string
		want   string
	}{
		{0, "scanned_at (UTC)", "scanned_at (UTC)"},
		{0, "ad_last_logon (UTC)", "ad_last_logon (UTC)"},
		{1, "host", "PC-01"},
		{1, "scanned_at (UTC)", "2026-11-26 09:17:00"},
		{1, "finding_ids", "WININET_NO_TLS12 DSP_SSL3 DOTNET_WEAK_TLS"},
		{1, "other_clients", "dotnet"},
		{2, "other_clients", ""},
		{1, "faq", "Q17 Q4 Q5"},
		{2, "scanned_at (UTC)", "2026-11-26 09:18:00"},
		{2, "ad_last_logon (UTC)", "2026-11-20 08:00:05"},
		{2, "error_message", "host PC-02: line one\nline two"},
		{2, "attempts", "2"},
	}
	for _, tt := range tests {
		i, ok := col[tt.column]
		if !ok {
			t.Errorf("no column %q in %q", tt.column, rows[0])
			continue
		}
		if got := rows[tt.row][i]; got != tt.want {
			t.Errorf("row %d %s = %q, want %q", tt.row, tt.column, got, tt.want)
		}
	}
}

// TestCompareCSVUsesCRLF: the comparison CSV ends its lines as the report CSV does.
func TestCompareCSVUsesCRLF(t *testing.T) {
	rs := csvFixture()
	var buf bytes.Buffer
	if err := WriteCompareCSV(&buf, Compare(rs[:1], rs), "en"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, "\n"); n < 3 || n != strings.Count(out, "\r\n") {
		t.Errorf("line ends of %q: want CRLF only", out)
	}
}
