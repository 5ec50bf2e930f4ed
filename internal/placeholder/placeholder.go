// Package placeholder fills the {name} placeholders of the texts of the finding and report
// catalogues.
package placeholder

import "strings"

// Fill replaces each {name} in s for which value has a value, in one pass: a value is not
// searched for placeholders again, and a {name} without a value, or a brace that starts none,
// stays as written.
func Fill(s string, value func(name string) (string, bool)) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 32)
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		if j := strings.IndexByte(s, '}'); j > 0 {
			if v, ok := value(s[1:j]); ok {
				b.WriteString(v)
				s = s[j+1:]
				continue
			}
		}
		b.WriteByte('{')
		s = s[1:]
	}
}

// Pairs is a value function of name-value pairs: Pairs("n", "3", "title", "...") gives "3" for
// n. The first pair of a name counts; a name without a value is left out.
func Pairs(kv ...string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == name {
				return kv[i+1], true
			}
		}
		return "", false
	}
}
