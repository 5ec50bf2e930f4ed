package checks

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/facts"
)

func TestVersionCompareIsNumeric(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"6.1.7601.4000", "6.1.7601.23375", -1}, // "4000" > "23375" as strings (Q13)
		{"6.1.7601.23375", "6.1.7601.23375", 0},
		{"6.1.7601.24000", "6.1.7601.23375", 1}, // a later file counts (Q12)
		{"6.1.7600.99999", "6.1.7601.0", -1},
		{"6.2.9200.21797", "6.2.9200.21796", 1},
		{"10.0.19041.1", "6.3.9600.0", 1},
	} {
		a, okA := parseVersion(tc.a)
		b, okB := parseVersion(tc.b)
		if !okA || !okB {
			t.Fatalf("parse %q, %q failed", tc.a, tc.b)
		}
		if got := a.compare(b); got != tc.want {
			t.Errorf("compare(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	for _, bad := range []string{"", "6.1.7601", "6.1.7601.23375 (win7sp1_ldr.160303-0600)", "6.1.7601.x", "6.1.7601.-1", "1.2.3.4.5"} {
		if _, ok := parseVersion(bad); ok {
			t.Errorf("parseVersion(%q) accepted", bad)
		}
	}
}

func TestClassifyOS(t *testing.T) {
	for _, tc := range []struct {
		os    facts.OS
		class osClass
		name  string
	}{
		{facts.OS{Version: "5.2.3790", ProductType: 3}, osUnsupported, "os.xp"},
		{facts.OS{Version: "6.0.6002", ProductType: 1}, osUnsupported, "os.vista"},
		{facts.OS{Version: "6.0.6002", ProductType: 2}, osUnsupported, "os.2008"},
		{facts.OS{Version: "6.1.7600", ProductType: 1}, osUnsupported, "os.7"},
		{facts.OS{Version: "6.1.7601", ProductType: 1, ServicePack: 1}, osNeedsKB, "os.7sp1"},
		{facts.OS{Version: "6.1.7601", ProductType: 2, ServicePack: 1}, osNeedsKB, "os.2008r2sp1"},
		{facts.OS{Version: "6.2.9200", ProductType: 1}, osUnsupported, "os.8"},
		{facts.OS{Version: "6.2.9200", ProductType: 2}, osNeedsKB, "os.2012"},
		{facts.OS{Version: "6.2.9200", Caption: "Microsoft Windows 8 Enterprise"}, osUnsupported, "os.8"},
		{facts.OS{Version: "6.2.9200"}, osUnknown, "os.unknown"},
		{facts.OS{Version: "6.3.9600", ProductType: 3}, osModern, "os.modern"},
		{facts.OS{Version: "10.0.26100", ProductType: 1}, osModern, "os.modern"},
		{facts.OS{Version: "10.0.20348.0", ProductType: 3}, osModern, "os.modern"},
		{facts.OS{Version: " 6.1.7601 "}, osNeedsKB, "os.7sp1"},
		{facts.OS{Version: "6.1"}, osUnknown, "os.unknown"},
		{facts.OS{Version: ""}, osUnknown, "os.unknown"},
		{facts.OS{Version: "Windows 7"}, osUnknown, "os.unknown"},
	} {
		got := classifyOS(tc.os)
		if got.class != tc.class || got.name != tc.name {
			t.Errorf("classifyOS(%+v) = %d %s, want %d %s", tc.os, got.class, got.name, tc.class, tc.name)
		}
		if _, ok := english.phrases[got.name]; !ok {
			t.Errorf("no phrase %s", got.name)
		}
		if got.class == osUnsupported {
			if _, ok := english.phrases[got.target]; !ok {
				t.Errorf("%+v: no target phrase %q", tc.os, got.target)
			}
		}
	}
}

func TestIEMajor(t *testing.T) {
	sz := func(s string) regRead {
		return readValue(facts.Value{State: facts.StateOK, Type: facts.RegSZ, Data: s}, true, KeyIE, "", "x")
	}
	none := readValue(facts.Value{State: facts.StateNoValue}, true, KeyIE, "", "x")
	for _, tc := range []struct {
		svc, ver regRead
		want     int
		ok       bool
	}{
		{sz("11.0.9600.18639"), sz("9.11.9600.18639"), 11, true},
		{sz("10.0.9200.16384"), sz("9.10.9200.16384"), 10, true},
		{none, sz("9.11.9600.18639"), 11, true},
		{none, sz("9.10.9200.16384"), 10, true},
		{none, sz("9.0.8112.16421"), 9, true},
		{none, sz("8.0.7601.17514"), 8, true},
		{sz("garbage"), sz("8.0.7601.17514"), 8, true},
		{none, none, 0, false},
		{readValue(facts.Value{State: facts.StateOK, Type: facts.RegDWORD, Data: "11"}, true, KeyIE, "", "x"), none, 0, false},
	} {
		got, ok := ieMajor(tc.svc, tc.ver)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ieMajor(%q, %q) = %d %v, want %d %v", tc.svc.ev.Value, tc.ver.ev.Value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIsUserSID(t *testing.T) {
	for s, want := range map[string]bool{
		sidA:               true,
		sidEntra:           true,
		sidA + "_Classes":  false,
		".DEFAULT":         false,
		"S-1-5-18":         false,
		"S-1-5-19":         false,
		"S-1-5-20":         false,
		"s-1-5-21-1-2-3-4": true,
	} {
		if got := isUserSID(s); got != want {
			t.Errorf("isUserSID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestReadValue(t *testing.T) {
	for _, tc := range []struct {
		v     facts.Value
		found bool
		state regState
		n     uint32
		value string
	}{
		{facts.Value{State: facts.StateOK, Type: facts.RegDWORD, Data: "4294967295"}, true, regDWORD, 0xFFFFFFFF, "0xffffffff (4294967295)"},
		{facts.Value{State: facts.StateOK, Type: facts.RegDWORD, Data: "2560"}, true, regDWORD, 0xa00, "0x00000a00 (2560)"},
		{facts.Value{State: facts.StateOK, Type: facts.RegDWORD, Data: "x"}, true, regUnreadable, 0, "(unreadable: x)"},
		{facts.Value{State: facts.StateOK, Type: facts.RegSZ, Data: "0xa00"}, true, regOther, 0, "0xa00"},
		{facts.Value{State: facts.StateOK, Type: facts.RegBinary, Data: "000a0000"}, true, regOther, 0, "000a0000"},
		{facts.Value{State: facts.StateNoKey}, true, regAbsent, 0, evNoKey},
		{facts.Value{State: facts.StateNoValue}, true, regAbsent, 0, evAbsent},
		{facts.Value{State: facts.StateDenied}, true, regUnreadable, 0, "(unreadable: denied)"},
		{facts.Value{State: facts.StateError, Data: "boom"}, true, regUnreadable, 0, "(unreadable: error: boom)"},
		{facts.Value{}, false, regUnreadable, 0, evNotCollect},
	} {
		r := readValue(tc.v, tc.found, "K", "", "N")
		if r.state != tc.state || r.n != tc.n || r.ev.Value != tc.value {
			t.Errorf("readValue(%+v) = %d %#x %q, want %d %#x %q", tc.v, r.state, r.n, r.ev.Value, tc.state, tc.n, tc.value)
		}
	}
}

func TestFindingTypes(t *testing.T) {
	ft := FindingTypes()
	upperSnake := regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)
	seen := map[string]bool{}
	for i, x := range ft {
		if !upperSnake.MatchString(x.ID) {
			t.Errorf("%s: not UPPER_SNAKE", x.ID)
		}
		if seen[x.ID] {
			t.Errorf("%s: listed twice", x.ID)
		}
		seen[x.ID] = true
		if severityRank(x.Severity) > severityRank(SeverityInfo) {
			t.Errorf("%s: bad severity %q", x.ID, x.Severity)
		}
		if i > 0 {
			p := ft[i-1]
			if severityRank(p.Severity) > severityRank(x.Severity) || p.Severity == x.Severity && p.ID > x.ID {
				t.Errorf("FindingTypes not sorted at %s", x.ID)
			}
		}
		txt, ok := english.findings[x.ID]
		if !ok {
			t.Errorf("%s: no English text", x.ID)
			continue
		}
		if txt.Title == "" || txt.Detail == "" || (x.Severity != SeverityInfo && txt.Remediation == "") {
			t.Errorf("%s: incomplete English text", x.ID)
		}
		if len(x.FAQ) == 0 && !strings.HasPrefix(x.Source, "https://learn.microsoft.com/") {
			t.Errorf("%s: cites no FAQ question and no Microsoft page", x.ID)
		}
	}
	for id := range english.findings {
		if !seen[id] {
			t.Errorf("English text for unknown id %s", id)
		}
	}
	// The slice is a copy.
	ft[0].FAQ[0] = "changed"
	if FindingTypes()[0].FAQ[0] == "changed" {
		t.Error("FindingTypes shares its FAQ slices")
	}
}

func TestEveryFindingTypeIsProduced(t *testing.T) {
	produced := map[string]bool{}
	for _, tc := range evalCases() {
		for _, f := range Evaluate(tc.facts) {
			produced[f.ID] = true
		}
	}
	for _, f := range Evaluate(nil) {
		produced[f.ID] = true
	}
	// The remaining ids, each from facts made for it.
	for _, f := range Evaluate(w7().reg(ItemSchDisabledDef, facts.StateError, "", "x").build()) {
		produced[f.ID] = true
	}
	for _, f := range Evaluate(w7().dword(ItemInetPolicy, 0xaa0).build()) {
		produced[f.ID] = true
	}
	produced[RecordedOSUnsupported("Active Directory", "Windows 7 Professional", "6.1 (7600)", "", "no SP1").ID] = true
	for _, x := range FindingTypes() {
		if !produced[x.ID] {
			t.Errorf("%s: no test produces it", x.ID)
		}
	}
}

func TestFillDoesNotExpandArguments(t *testing.T) {
	tests := []struct{ s, want string }{
		{"{a} and {b}", "{b} and x"},       // a value is not expanded again
		{"{unknown} {a}", "{unknown} {b}"}, // an unknown name stays as written
		{"{x{a}}", "{x{b}}"},               // a brace before a placeholder
		{"{ {} }{", "{ {} }{"},             // braces that are no placeholder
		{"日本語{b}テキスト", "日本語xテキスト"},         // multi-byte text around
		{"no placeholder", "no placeholder"},
	}
	for _, tt := range tests {
		if got := english.fill(tt.s, args{"a": lit("{b}"), "b": lit("x")}, 0); got != tt.want {
			t.Errorf("fill(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
	if got := english.phraseText("no.such.phrase", nil); got != "{?no.such.phrase}" {
		t.Errorf("missing phrase = %q", got)
	}
}

func TestSortFindingsBySeverityIDEvidence(t *testing.T) {
	fs := []Finding{
		{ID: "B", Severity: SeverityInfo},
		{ID: "Z", Severity: SeverityAction, Evidence: []Evidence{{Key: "k2"}}},
		{ID: "Z", Severity: SeverityAction, Evidence: []Evidence{{Key: "k1"}}},
		{ID: "A", Severity: SeverityWarning},
		{ID: "Y", Severity: SeverityUnsupported},
		{ID: "C", Severity: SeverityUnknown},
	}
	sortFindings(fs)
	var got []string
	for _, f := range fs {
		k := ""
		if len(f.Evidence) > 0 {
			k = f.Evidence[0].Key
		}
		got = append(got, f.ID+k)
	}
	want := []string{"Y", "Zk1", "Zk2", "C", "A", "B"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestRecordedOSUnsupported(t *testing.T) {
	f := RecordedOSUnsupported("Active Directory", "Windows Server 2008 Standard", "6.0 (6002)", "Service Pack 2", "Windows Server 2008 (6.0, not R2)")
	if f.ID != IDOSUnsupportedRecorded || f.Severity != SeverityUnsupported {
		t.Fatalf("finding = %s/%s", f.ID, f.Severity)
	}
	if v := VerdictOf([]Finding{f}); v != Unsupported {
		t.Errorf("verdict = %s, want unsupported", v)
	}
	for _, want := range []string{"Windows Server 2008 Standard Service Pack 2", "Active Directory", "6.0 (6002)", "not R2"} {
		if !strings.Contains(f.Title+f.Detail, want) {
			t.Errorf("texts lack %q: %s / %s", want, f.Title, f.Detail)
		}
	}
	if strings.Contains(f.Title+f.Detail+f.Remediation, "{") {
		t.Errorf("unfilled placeholder: %s %s %s", f.Title, f.Detail, f.Remediation)
	}
	if len(f.Evidence) != 3 || f.Evidence[1].Value != "6.0 (6002)" {
		t.Errorf("evidence = %+v", f.Evidence)
	}
}

func TestTypeTitles(t *testing.T) {
	for _, ft := range FindingTypes() {
		got := TypeTitle(ft.ID, English)
		if got == ft.ID || got == "" || strings.Contains(got, "{") {
			t.Errorf("%s: no English type title (%q)", ft.ID, got)
		}
	}
	for id := range english.types {
		if _, ok := findingTypeOf(id); !ok {
			t.Errorf("type title for unknown id %s", id)
		}
	}
	if got := TypeTitle("NO_SUCH_ID", Japanese); got != "NO_SUCH_ID" {
		t.Errorf("unknown id: %q", got)
	}
}
