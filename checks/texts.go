package checks

import (
	"strings"

	"github.com/tlsready/tlsready/internal/placeholder"
)

// Every human-readable text of this package lives in a catalogue, one per language (texts_en.go
// for English), so that rules never carry prose and a translation is one more file.
//
// Texts are templates: a placeholder such as {key} is replaced by the argument of that name that
// the rule supplies. Arguments are inserted as they are and never expanded again, so registry
// data that happens to contain braces is harmless. A placeholder without an argument stays in the
// text, where the tests find it.

// Languages of the texts.
const (
	English  = "en"
	Japanese = "ja"
)

// Languages lists the languages the texts exist in.
func Languages() []string { return []string{English, Japanese} }

// catalogueFor returns the catalogue of lang, English when there is none.
func catalogueFor(lang string) *catalogue {
	switch lang {
	case Japanese:
		return &japanese
	}
	return &english
}

// findingText is the text of one kind of finding.
type findingText struct {
	// Title is one line for a table.
	Title string
	// Detail says what was seen and why it matters.
	Detail string
	// Remediation is the fix, citing the FAQ; empty for info findings that need none.
	Remediation string
}

// catalogue holds the texts of one language.
type catalogue struct {
	// findings is keyed by finding id.
	findings map[string]findingText
	// phrases are the pieces that rules assemble into arguments: names of Windows releases,
	// list separators, per-scope fixes.
	phrases map[string]string
	// types are short titles of each kind of finding, with no host detail: "KB3140245 not
	// installed", for counts across hosts.
	types map[string]string
}

// TypeTitle is the short title of a kind of finding in lang, with no host detail, for counts
// across hosts ("412 hosts: KB3140245 not installed"). English when lang has none; the id itself
// when no catalogue has it.
func TypeTitle(id, lang string) string {
	if t, ok := catalogueFor(lang).types[id]; ok {
		return t
	}
	if t, ok := english.types[id]; ok {
		return t
	}
	return id
}

// args are the placeholder values of one text.
type args map[string]string

// fill replaces each {name} in s by a[name], in one pass (placeholder.Fill).
func fill(s string, a args) string {
	return placeholder.Fill(s, func(name string) (string, bool) {
		v, ok := a[name]
		return v, ok
	})
}

// finding returns the filled text of a finding id. An id without text yields "{?ID}" markers,
// which the tests reject.
func (c *catalogue) finding(id string, a args) findingText {
	t, ok := c.findings[id]
	if !ok {
		return findingText{Title: "{?" + id + "}", Detail: "{?" + id + "}", Remediation: "{?" + id + "}"}
	}
	return findingText{Title: fill(t.Title, a), Detail: fill(t.Detail, a), Remediation: fill(t.Remediation, a)}
}

// phrase returns the filled phrase of a key, or "{?key}" when the catalogue lacks it.
func (c *catalogue) phrase(key string, a args) string {
	p, ok := c.phrases[key]
	if !ok {
		return "{?" + key + "}"
	}
	return fill(p, a)
}

// join joins items with the catalogue's separators: "a", "a and b", "a, b and c".
func (c *catalogue) join(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], c.phrase("list.sep", nil)) + c.phrase("list.and", nil) + items[len(items)-1]
}
