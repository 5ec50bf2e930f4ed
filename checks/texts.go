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

// Arg is the value of one placeholder of a finding's texts, kept with the finding in the results
// file (Finding.Args) so that its texts can be made again in any language without the rules or
// the host's facts: a literal text (Text, inserted as it is), a phrase of the catalogue with its
// own arguments (Phrase, Args: the name of a Windows release, a per-scope fix), or a list joined
// with the catalogue's separators (List: "a, b and c"). The zero Arg is the empty text.
type Arg struct {
	Text   string `json:"t,omitempty"`
	Phrase string `json:"p,omitempty"`
	Args   Args   `json:"a,omitempty"`
	List   []Arg  `json:"l,omitempty"`
}

// Args are the placeholder values of one text, by name.
type Args map[string]Arg

// args is the rules' shorthand for Args.
type args = Args

// lit is a literal argument.
func lit(s string) Arg { return Arg{Text: s} }

// maxArgDepth bounds the nesting of arguments when texts are made: the rules nest three deep
// (a fix phrase whose argument lists phrases); a results file is read as untrusted input.
const maxArgDepth = 6

// maxTextLen bounds one made text: host values are clipped by the rules long before this.
const maxTextLen = 64 << 10

// render makes the text of an argument in this catalogue; a phrase it lacks is taken from the
// English catalogue. depth counts the phrases it is nested in.
func (c *catalogue) render(a Arg, depth int) string {
	if depth > maxArgDepth {
		return ""
	}
	switch {
	case a.Phrase != "":
		p, ok := c.phrases[a.Phrase]
		if !ok {
			if p, ok = english.phrases[a.Phrase]; !ok {
				return "{?" + a.Phrase + "}"
			}
		}
		return c.fill(p, a.Args, depth+1)
	case a.List != nil:
		items := make([]string, len(a.List))
		for i, it := range a.List {
			items[i] = c.render(it, depth+1)
		}
		return c.joinStrings(items)
	}
	return a.Text
}

// fill replaces each {name} in s by the text of a[name], in one pass (placeholder.Fill).
func (c *catalogue) fill(s string, a Args, depth int) string {
	out := placeholder.Fill(s, func(name string) (string, bool) {
		v, ok := a[name]
		if !ok {
			return "", false
		}
		return c.render(v, depth), true
	})
	if len(out) > maxTextLen {
		out = strings.ToValidUTF8(out[:maxTextLen], "")
	}
	return out
}

// finding returns the filled text of a finding id. An id without text yields "{?ID}" markers,
// which the tests reject.
func (c *catalogue) finding(id string, a Args) findingText {
	t, ok := c.findings[id]
	if !ok {
		return findingText{Title: "{?" + id + "}", Detail: "{?" + id + "}", Remediation: "{?" + id + "}"}
	}
	return findingText{Title: c.fill(t.Title, a, 0), Detail: c.fill(t.Detail, a, 0), Remediation: c.fill(t.Remediation, a, 0)}
}

// phrase is a phrase argument: key with a copy of a (the caller may add to a afterwards, even
// this phrase, without making a cycle).
func (c *catalogue) phrase(key string, a Args) Arg {
	var cp Args
	if len(a) > 0 {
		cp = make(Args, len(a))
		for k, v := range a {
			cp[k] = v
		}
	}
	return Arg{Phrase: key, Args: cp}
}

// phraseText is the filled text of a phrase, or "{?key}" when the catalogue lacks it.
func (c *catalogue) phraseText(key string, a Args) string {
	p, ok := c.phrases[key]
	if !ok {
		return "{?" + key + "}"
	}
	return c.fill(p, a, 1)
}

// Render returns f with its title, detail and remediation made in lang (English when lang has
// no catalogue) from its id and Args, as the rules made them when it was found. ok is false for
// a finding without Args - read from a results file written before findings kept them - which
// is returned as it is.
func Render(f Finding, lang string) (out Finding, ok bool) {
	if f.Args == nil {
		return f, false
	}
	t := catalogueFor(lang).finding(f.ID, f.Args)
	if _, known := catalogueFor(lang).findings[f.ID]; !known {
		t = english.finding(f.ID, f.Args)
	}
	f.Title, f.Detail, f.Remediation = t.Title, t.Detail, t.Remediation
	return f, true
}

// join is a list argument of literal items, joined in the reader's language.
func (c *catalogue) join(items []string) Arg {
	l := make([]Arg, len(items))
	for i, s := range items {
		l[i] = lit(s)
	}
	return Arg{List: l}
}

// joinArgs is a list argument of items.
func joinArgs(items []Arg) Arg { return Arg{List: append([]Arg{}, items...)} }

// joinStrings joins items with the catalogue's separators: "a", "a and b", "a, b and c".
func (c *catalogue) joinStrings(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], c.phraseText("list.sep", nil)) + c.phraseText("list.and", nil) + items[len(items)-1]
}
