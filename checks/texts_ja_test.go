package checks

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/tlsready/tlsready/facts"
)

var templateKey = regexp.MustCompile(`\{([A-Za-z_.0-9]+)\}`)

var techToken = regexp.MustCompile(`KB[0-9]+|0x[0-9A-Fa-f]+|HKEY_[A-Z_]+(?:\\[A-Za-z0-9_.]+)*|HKLM\\[A-Za-z0-9_\\]+|` +
	`System32\\[a-z]+\.dll|[A-Za-z]+\.(?:dll|EXE)|gpupdate /force|reg query|DefaultSecureProtocols|SecureProtocols|` +
	`DisabledByDefault|Enabled=0|REG_DWORD|Wow6432Node|SysWOW64|Win32_OperatingSystem|Get-PSSessionConfiguration|` +
	`Get-Item|Microsoft\.PowerShell(?:32)?|FileMajorPart\.FileMinorPart\.FileBuildPart\.FilePrivatePart|App Paths|` +
	`POODLE|Easy Fix|BITS|WSUS|Windows Update|Microsoft 365 Apps|Internet Explorer(?: [0-9]+)?|` +
	`Windows(?: Server)? [0-9.]+(?: R2)?(?: SP1)?`)

type text struct{ name, en, ja string }

func catalogueTexts() []text {
	var out []text
	for _, id := range slices.Sorted(maps.Keys(english.findings)) {
		en, ja := english.findings[id], japanese.findings[id]
		out = append(out,
			text{id + ".Title", en.Title, ja.Title},
			text{id + ".Detail", en.Detail, ja.Detail},
			text{id + ".Remediation", en.Remediation, ja.Remediation})
	}
	for _, k := range slices.Sorted(maps.Keys(english.phrases)) {
		out = append(out, text{"phrase " + k, english.phrases[k], japanese.phrases[k]})
	}
	for _, id := range slices.Sorted(maps.Keys(english.types)) {
		out = append(out, text{"type " + id, english.types[id], japanese.types[id]})
	}
	return out
}

func keySet(s string) []string {
	var out []string
	for _, m := range templateKey.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

func faqSet(s string) []string {
	out := slices.Compact(slices.Sorted(slices.Values(faqRef.FindAllString(s, -1))))
	if out == nil {
		out = []string{}
	}
	return out
}

func hasJapanese(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
	}) >= 0
}

func TestJapaneseCatalogueHasTheEnglishKeys(t *testing.T) {
	for _, tc := range []struct {
		what   string
		en, ja []string
	}{
		{"finding ids", slices.Sorted(maps.Keys(english.findings)), slices.Sorted(maps.Keys(japanese.findings))},
		{"phrase keys", slices.Sorted(maps.Keys(english.phrases)), slices.Sorted(maps.Keys(japanese.phrases))},
		{"type titles", slices.Sorted(maps.Keys(english.types)), slices.Sorted(maps.Keys(japanese.types))},
	} {
		if !slices.Equal(tc.en, tc.ja) {
			t.Errorf("%s differ:\n en %v\n ja %v", tc.what, tc.en, tc.ja)
		}
	}
	for _, x := range catalogueTexts() {
		if (x.en == "") != (x.ja == "") {
			t.Errorf("%s: English %q, Japanese %q", x.name, x.en, x.ja)
		}
	}
}

func TestJapanesePlaceholdersMatchEnglish(t *testing.T) {
	for _, x := range catalogueTexts() {
		if en, ja := keySet(x.en), keySet(x.ja); !slices.Equal(en, ja) {
			t.Errorf("%s: placeholders %v in English, %v in Japanese", x.name, en, ja)
		}
		rest := templateKey.ReplaceAllString(x.ja, "")
		if strings.ContainsAny(rest, "{}｛｝") {
			t.Errorf("%s: stray brace in %q", x.name, x.ja)
		}
	}
}

func TestJapaneseCitesTheSameFAQQuestions(t *testing.T) {
	for _, x := range catalogueTexts() {
		if en, ja := faqSet(x.en), faqSet(x.ja); !slices.Equal(en, ja) {
			t.Errorf("%s: cites %v in English, %v in Japanese", x.name, en, ja)
		}
	}
}

func TestJapaneseKeepsTechnicalTerms(t *testing.T) {
	for _, x := range catalogueTexts() {
		for _, tok := range techToken.FindAllString(x.en, -1) {
			if !strings.Contains(x.ja, tok) {
				t.Errorf("%s: Japanese lacks %q", x.name, tok)
			}
		}
	}
}

func TestJapaneseTextsAreJapanese(t *testing.T) {
	word := regexp.MustCompile(`[A-Za-z]{2,}`)
	for _, x := range catalogueTexts() {
		translated := false
		for _, w := range word.FindAllString(templateKey.ReplaceAllString(x.en, ""), -1) {
			if !strings.Contains(x.ja, w) {
				translated = true
			}
		}
		if !translated {
			continue
		}
		if !hasJapanese(x.ja) {
			t.Errorf("%s: no Japanese in %q", x.name, x.ja)
		}
		if x.ja == x.en {
			t.Errorf("%s: same as English: %q", x.name, x.ja)
		}
	}
	for id, f := range japanese.findings {
		if strings.Contains(f.Title, "\n") || strings.Contains(f.Title, "。") {
			t.Errorf("%s: title is not one short line: %q", id, f.Title)
		}
	}
}

func japaneseEvalFacts() map[string]*facts.Facts {
	m := map[string]*facts.Facts{
		"nil":                          nil,
		"empty":                        {},
		"schannel_dbd_unreadable":      w7().reg(ItemSchDisabledDef, facts.StateError, "", "x").build(),
		"wininet_policy_ssl3":          w7().dword(ItemInetPolicy, 0xaa0).build(),
		"wininet_policy_no_tls12":      w7().dword(ItemInetPolicy, 0xa0).build(),
		"wininet_user_no_tls12":        w7().userDWORD(ItemInetUser, sidB, 0x80).build(),
		"wininet_userpolicy_not_dword": w7().userReg(ItemInetUserPolicy, sidA, facts.StateOK, facts.RegSZ, "2688").build(),
	}
	for _, tc := range evalCases() {
		m[tc.name] = tc.facts
	}
	return m
}

func checkJapaneseFinding(t *testing.T, f Finding) {
	t.Helper()
	all := f.Title + "\n" + f.Detail + "\n" + f.Remediation
	if strings.Contains(all, "{?") {
		t.Errorf("%s: missing Japanese text: %q", f.ID, all)
	}
	if p := unfilled.FindString(all); p != "" {
		t.Errorf("%s: unfilled placeholder %s in %q", f.ID, p, all)
	}
	if f.Title == "" || f.Detail == "" || (f.Severity != SeverityInfo && f.Remediation == "") {
		t.Errorf("%s: incomplete texts: %q", f.ID, all)
	}
	if !hasJapanese(f.Title) {
		t.Errorf("%s: title has no Japanese character: %q", f.ID, f.Title)
	}
	if !hasJapanese(f.Detail) || (f.Remediation != "" && !hasJapanese(f.Remediation)) {
		t.Errorf("%s: detail or remediation not in Japanese: %q", f.ID, all)
	}
	want := slices.Compact(slices.Sorted(slices.Values(f.FAQ)))
	if got := faqSet(all); !slices.Equal(got, want) {
		t.Errorf("%s: texts cite %v, FAQ lists %v", f.ID, got, want)
	}
}

func TestEvaluateInJapanese(t *testing.T) {
	produced := map[string]bool{}
	for name, f := range japaneseEvalFacts() {
		t.Run(name, func(t *testing.T) {
			en, ja := Evaluate(f), EvaluateIn(f, Japanese)
			if len(en) != len(ja) {
				t.Fatalf("%d findings in English %v, %d in Japanese %v", len(en), ids(en), len(ja), ids(ja))
			}
			for i := range en {
				e, j := en[i], ja[i]
				produced[j.ID] = true
				if e.ID != j.ID || e.Severity != j.Severity {
					t.Errorf("finding %d: %s/%s in English, %s/%s in Japanese", i, e.ID, e.Severity, j.ID, j.Severity)
					continue
				}
				if !slices.Equal(e.Evidence, j.Evidence) {
					t.Errorf("%s: evidence differs", e.ID)
				}
				if !slices.Equal(e.FAQ, j.FAQ) {
					t.Errorf("%s: FAQ %v in English, %v in Japanese", e.ID, e.FAQ, j.FAQ)
				}
				checkJapaneseFinding(t, j)
			}
		})
	}
	for _, ft := range FindingTypes() {
		if ft.ID != IDOSUnsupportedRecorded && !produced[ft.ID] {
			t.Errorf("%s: no Japanese evaluation produces it", ft.ID)
		}
	}
}

func TestRecordedOSUnsupportedInJapanese(t *testing.T) {
	for _, tc := range []struct{ caption, version, sp, why string }{
		{"Windows Server 2008 Standard", "6.0 (6002)", "Service Pack 2", "Windows Server 2008 (6.0, not R2)"},
		{"Windows 7 Professional", "6.1 (7600)", "", "no SP1"},
	} {
		en := RecordedOSUnsupported("Active Directory", tc.caption, tc.version, tc.sp, tc.why)
		ja := RecordedOSUnsupportedIn(Japanese, "Active Directory", tc.caption, tc.version, tc.sp, tc.why)
		if ja.ID != en.ID || ja.Severity != en.Severity || !slices.Equal(ja.Evidence, en.Evidence) || !slices.Equal(ja.FAQ, en.FAQ) {
			t.Errorf("%s: differs from English", tc.caption)
		}
		os := strings.TrimSpace(tc.caption + " " + tc.sp)
		for _, want := range []string{os, "Active Directory", tc.version, tc.why} {
			if !strings.Contains(ja.Title+ja.Detail, want) {
				t.Errorf("Japanese texts lack %q", want)
			}
		}
		checkJapaneseFinding(t, ja)
	}
}

func TestJapaneseTypeTitles(t *testing.T) {
	for _, ft := range FindingTypes() {
		got := TypeTitle(ft.ID, Japanese)
		if got == TypeTitle(ft.ID, English) || !hasJapanese(got) || strings.Contains(got, "{") {
			t.Errorf("%s: no Japanese type title (%q)", ft.ID, got)
		}
	}
}

func TestJapaneseJoinPhrases(t *testing.T) {
	t.Logf("join(A,B,C) = %q", japanese.join([]string{"A", "B", "C"}))
}
