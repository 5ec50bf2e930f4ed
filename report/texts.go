package report

import (
	"strings"

	"github.com/tlsready/tlsready/checks"
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
// tables' and the HTML report's texts take their placeholders the same way.
func fill(s string, kv []string) string {
	if len(kv) == 0 {
		return s
	}
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
