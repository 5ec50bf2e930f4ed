package checks

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestCipherTables: ciphersuites.json parses strictly, every list names its Microsoft page, every
// suite is written as the rule compares it (canonical, once), Microsoft 365's statuses are ones
// the rule knows, and every Windows release group from 6.1 on has a list.
func TestCipherTables(t *testing.T) {
	dec := json.NewDecoder(strings.NewReader(string(cipherData)))
	dec.DisallowUnknownFields()
	var raw struct {
		Comment string `json:"comment"`
		cipherTables
		Microsoft365 struct {
			Source string `json:"source"`
			Note   string `json:"note"`
			Suites []struct {
				Name   string `json:"name"`
				Status string `json:"status"`
			} `json:"suites"`
		} `json:"microsoft365"`
		Windows []struct {
			windowsSuites
			Note string `json:"note"`
		} `json:"windows"`
	}
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("ciphersuites.json: %v", err)
	}
	tb := loadCipherTables()
	if len(tb.Microsoft365.Suites) == 0 || len(tb.Windows) == 0 {
		t.Fatal("empty tables")
	}
	canonical := func(where string, l []string) {
		seen := map[string]bool{}
		for _, s := range l {
			if canonicalSuite(s) != s || !strings.HasPrefix(s, "TLS_") || seen[s] {
				t.Errorf("%s: suite %q not canonical or repeated", where, s)
			}
			seen[s] = true
		}
	}
	if !strings.HasPrefix(tb.Microsoft365.Source, "https://learn.microsoft.com/") || tb.Microsoft365.Source != SourceCipherM365 {
		t.Errorf("Microsoft 365 source %q", tb.Microsoft365.Source)
	}
	var m []string
	for _, s := range tb.Microsoft365.Suites {
		m = append(m, s.Name)
		if !slices.Contains([]string{"accepted", "retiring", "limited"}, s.Status) {
			t.Errorf("%s: status %q", s.Name, s.Status)
		}
	}
	canonical("microsoft365", m)
	var versions []string
	for _, w := range tb.Windows {
		if !strings.HasPrefix(w.Source, "https://learn.microsoft.com/windows/win32/secauthn/") {
			t.Errorf("%s: source %q", w.ID, w.Source)
		}
		canonical(w.ID, w.Suites)
		versions = append(versions, w.Versions...)
	}
	for _, v := range []string{"6.1", "6.2", "6.3", "10.0"} {
		if !slices.Contains(versions, v) {
			t.Errorf("no default list for Windows %s", v)
		}
	}
}
