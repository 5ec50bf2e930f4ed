package report

import (
	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/placeholder"
)

// texts returns the catalogue of lang, English when there is none.
func texts(lang string) map[string]string {
	if lang == checks.Japanese {
		return textsJA
	}
	return textsEN
}

// tt returns the text of key in lang, with each {name} replaced by the argument that follows
// it: tt(lang, "todo.warnings", "n", "3").
func tt(lang, key string, kv ...string) string {
	s, ok := texts(lang)[key]
	if !ok {
		return "{?" + key + "}"
	}
	return fill(s, kv)
}

// fill replaces each {name} in s by the value that follows that name in kv, in one pass: the
// tables' and the HTML report's texts take their placeholders as the findings' texts do.
func fill(s string, kv []string) string {
	return placeholder.Fill(s, placeholder.Pairs(kv...))
}
