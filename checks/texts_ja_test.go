package checks

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
)

var (
	placeholderRE = regexp.MustCompile(`\{[a-z0-9]+\}`)
	questionRE    = regexp.MustCompile(`\bQ\d+\b`)
)

// set returns the sorted distinct matches of re in s.
func set(re *regexp.Regexp, s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range re.FindAllString(s, -1) {
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

func hasJapanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

// The Japanese catalogue has every text of the English one, with the same placeholders and the
// same FAQ questions cited.
func TestJapaneseCatalogueMatchesEnglish(t *testing.T) {
	for id, en := range english.findings {
		ja, ok := japanese.findings[id]
		if !ok {
			t.Errorf("%s: no Japanese text", id)
			continue
		}
		for _, pair := range [][3]string{{"Title", en.Title, ja.Title}, {"Detail", en.Detail, ja.Detail}, {"Remediation", en.Remediation, ja.Remediation}} {
			if got, want := set(placeholderRE, pair[2]), set(placeholderRE, pair[1]); !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s: placeholders %v, English has %v", id, pair[0], got, want)
			}
			if got, want := set(questionRE, pair[2]), set(questionRE, pair[1]); !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s: cites %v, English cites %v", id, pair[0], got, want)
			}
			if pair[1] != "" && !hasJapanese(pair[2]) && !placeholderRE.MatchString(pair[2]) {
				t.Errorf("%s %s is not in Japanese: %q", id, pair[0], pair[2])
			}
		}
	}
	for id := range japanese.findings {
		if _, ok := english.findings[id]; !ok {
			t.Errorf("Japanese text for unknown id %s", id)
		}
	}
	for k, en := range english.phrases {
		ja, ok := japanese.phrases[k]
		if !ok {
			t.Errorf("phrase %s: no Japanese", k)
			continue
		}
		if got, want := set(placeholderRE, ja), set(placeholderRE, en); !reflect.DeepEqual(got, want) {
			t.Errorf("phrase %s: placeholders %v, English has %v", k, got, want)
		}
		if got, want := set(questionRE, ja), set(questionRE, en); !reflect.DeepEqual(got, want) {
			t.Errorf("phrase %s: cites %v, English cites %v", k, got, want)
		}
	}
	for k := range japanese.phrases {
		if _, ok := english.phrases[k]; !ok {
			t.Errorf("Japanese phrase %s has no English", k)
		}
	}
	for _, ft := range FindingTypes() {
		if got := TypeTitle(ft.ID, Japanese); !hasJapanese(got) {
			t.Errorf("%s: type title %q is not in Japanese", ft.ID, got)
		}
	}
}

// Every evaluation case gives, in Japanese, the same findings as in English - ids, severities,
// evidence, FAQ - with every placeholder filled and Japanese titles.
func TestEvaluateInJapanese(t *testing.T) {
	for _, tc := range evalCases() {
		t.Run(tc.name, func(t *testing.T) {
			en, ja := Evaluate(tc.facts), EvaluateIn(tc.facts, Japanese)
			if len(en) != len(ja) {
				t.Fatalf("%d findings in English, %d in Japanese", len(en), len(ja))
			}
			for i := range en {
				if en[i].ID != ja[i].ID || en[i].Severity != ja[i].Severity || !reflect.DeepEqual(en[i].Evidence, ja[i].Evidence) || !reflect.DeepEqual(en[i].FAQ, ja[i].FAQ) {
					t.Errorf("finding %d differs: %s/%s vs %s/%s", i, en[i].ID, en[i].Severity, ja[i].ID, ja[i].Severity)
				}
				all := ja[i].Title + ja[i].Detail + ja[i].Remediation
				if strings.Contains(all, "{?") || placeholderRE.MatchString(all) {
					t.Errorf("%s: unfilled text: %s", ja[i].ID, all)
				}
				if !hasJapanese(ja[i].Title) {
					t.Errorf("%s: title %q is not in Japanese", ja[i].ID, ja[i].Title)
				}
			}
		})
	}
	f := RecordedOSUnsupportedIn(Japanese, "Active Directory", "Windows 7 Professional", "6.1 (7600)", "", "no SP1")
	if !hasJapanese(f.Title) || strings.Contains(f.Title+f.Detail+f.Remediation, "{") {
		t.Errorf("recorded OS finding in Japanese: %+v", f)
	}
}
