package report

import (
	"fmt"

	"github.com/tlsready/tlsready/checks"
)

// The HTML report's own words (labelsEN in texts_en.go, labelsJA in texts_ja.go: one file of
// texts per language, beside the tables' textsEN/textsJA) are looked up here: the page's
// headings, column names, verdict and severity names, the script's labels. Finding titles,
// details and fixes come from package checks (checks.EvaluateIn).
//
// A text may hold placeholders such as {n}; label fills them. The tests check that both
// catalogues have the same keys and placeholders, and that every key the template and the script
// use exists.

// labelsFor returns the label catalogue of lang, English when there is none.
func labelsFor(lang string) map[string]string {
	if lang == checks.Japanese {
		return labelsJA
	}
	return labelsEN
}

// label returns the text of key in lang with each {name} replaced by the value that follows
// that name in kv: label("en", "top.item", "n", "3", "title", "..."). A key the catalogue lacks
// is an error: the template then fails instead of showing a marker.
func label(lang, key string, kv ...string) (string, error) {
	s, ok := labelsFor(lang)[key]
	if !ok {
		return "", fmt.Errorf("report: no HTML label %q for language %q", key, lang)
	}
	if len(kv)%2 != 0 {
		return "", fmt.Errorf("report: label %q: odd number of placeholder arguments", key)
	}
	return fill(s, kv), nil
}
