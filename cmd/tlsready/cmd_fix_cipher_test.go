package main

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remediate"
	"github.com/tlsready/tlsready/scan"
)

// TestFixLeavesCipherSuitesToTheKit: fix plans no write for the SCHANNEL algorithm keys of the
// cipher suite items (they are not in facts.Writable), keeps the other values of the same host,
// and says on stderr that cipher suites are left to the kit.
func TestFixLeavesCipherSuitesToTheKit(t *testing.T) {
	host := func(name string, ids ...string) scan.Result {
		f := &facts.Facts{OS: facts.OS{Version: "10.0.19045", Architecture: "64-bit"}, Values: []facts.Value{
			{ItemID: checks.ItemCipherPolicy, Name: "Functions", State: facts.StateNoKey},
			{ItemID: checks.ItemCipherLocal, Name: "Functions", State: facts.StateNoKey},
			{ItemID: checks.ItemSchannelAlgPrefix + "ecdh", Name: "Enabled", State: facts.StateOK, Type: facts.RegDWORD, Data: "0"},
		}}
		r := scan.Result{Host: name, Verdict: checks.Action, Facts: f}
		for _, id := range ids {
			r.Findings = append(r.Findings, checks.Finding{ID: id, Severity: checks.SeverityAction})
		}
		return r
	}
	path := filepath.Join(t.TempDir(), "r.jsonl")
	writeResultsFile(t, path, host("PC-CIPHER", checks.IDCipherNoneAccepted), host("PC-BOTH", checks.IDCipherNoneAccepted, checks.IDDSPNoTLS12))
	var stderr bytes.Buffer
	plan, err := fixPlan(env{stderr: &stderr, getenv: func(string) string { return "" }}, []string{path}, remediate.Options{Protocols: remediate.DefaultDSP})
	if err != nil {
		t.Fatal(err)
	}
	var hosts []string
	for _, h := range plan {
		hosts = append(hosts, h.target.Name)
		for _, w := range h.writes {
			if strings.Contains(w.Key, `SCHANNEL\KeyExchangeAlgorithms`) || !facts.IsWritable(w.Key, w.Name) {
				t.Errorf("%s: fix plans %s\\%s", h.target.Name, w.Key, w.Name)
			}
		}
		if len(h.writes) != 2 {
			t.Errorf("%s: %d writes, want DefaultSecureProtocols in both views", h.target.Name, len(h.writes))
		}
	}
	if !slices.Equal(hosts, []string{"PC-BOTH"}) {
		t.Errorf("hosts %q, want only PC-BOTH (PC-CIPHER needs only kit items)", hosts)
	}
	if !strings.Contains(stderr.String(), "2 host(s) need cipher suite changes") || !strings.Contains(stderr.String(), "fix leaves them to the kit") {
		t.Errorf("stderr %q", stderr.String())
	}
}
