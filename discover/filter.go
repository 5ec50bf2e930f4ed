package discover

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// query is a compiled Config: the LDAP filter sent and the exact glob checks made on what the
// server returns (a glob's ? and [...] have no LDAP equivalent and go to the server as *).
type query struct {
	filter       string
	osRe, nameRe *regexp.Regexp
}

func (q query) match(c Computer) bool {
	return (q.osRe == nil || q.osRe.MatchString(c.OperatingSystem)) &&
		(q.nameRe == nil || q.nameRe.MatchString(c.Name))
}

// Filter returns the LDAP filter Discover sends (for --verbose and tests). Disabled and stale
// computers are left out after the search, so that Stats can count them; they are not in it.
func Filter(cfg Config) (string, error) {
	q, err := compile(cfg)
	return q.filter, err
}

func compile(cfg Config) (query, error) {
	var q query
	switch cfg.Scope {
	case "", "sub", "one":
	default:
		return q, fmt.Errorf("ldap: scope %q: want sub or one", cfg.Scope)
	}
	if cfg.BaseDN != "" {
		if _, err := ldap.ParseDN(cfg.BaseDN); err != nil {
			return q, fmt.Errorf("ldap: base DN %q is not a distinguished name: %v", cfg.BaseDN, err)
		}
	}
	if cfg.StaleDays < 0 {
		return q, fmt.Errorf("ldap: stale days %d: want 0 (off) or more", cfg.StaleDays)
	}
	parts := []string{"(objectCategory=computer)"}
	if cfg.OSFilter != "" {
		f, re, err := globFilter("operatingSystem", cfg.OSFilter, "")
		if err != nil {
			return q, fmt.Errorf("ldap: OS filter %q: %v", cfg.OSFilter, err)
		}
		parts, q.osRe = append(parts, f), re
	}
	if cfg.NameFilter != "" {
		// The Name is sAMAccountName without its $.
		f, re, err := globFilter("sAMAccountName", cfg.NameFilter, "$")
		if err != nil {
			return q, fmt.Errorf("ldap: name filter %q: %v", cfg.NameFilter, err)
		}
		parts, q.nameRe = append(parts, f), re
	}
	if x := strings.TrimSpace(cfg.ExtraFilter); x != "" {
		if !strings.HasPrefix(x, "(") {
			x = "(" + x + ")"
		}
		// One well-formed filter, nothing after it: "(a=b))(|(c=d)" cannot widen the search.
		if _, err := ldap.CompileFilter(x); err != nil {
			return q, fmt.Errorf("ldap: extra filter %q is not a valid LDAP filter (RFC 4515): %v", cfg.ExtraFilter, err)
		}
		parts = append(parts, x)
	}
	q.filter = "(&" + strings.Join(parts, "") + ")"
	return q, nil
}

// globFilter turns a glob (* any run, ? one character, [...] a class, \ quotes the next
// character) into an assertion on attr (suffix appended to the value) whose * are LDAP
// wildcards and everything else escaped per RFC 4515, and into a case-insensitive regexp that
// matches exactly.
func globFilter(attr, glob, suffix string) (string, *regexp.Regexp, error) {
	var ldapParts []string // literal runs, split where a wildcard goes
	var lit, re strings.Builder
	wild := func() {
		ldapParts = append(ldapParts, lit.String())
		lit.Reset()
	}
	rs := []rune(glob)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '*':
			wild()
			re.WriteString(".*")
		case '?':
			wild()
			re.WriteString(".")
		case '[':
			j := i + 1
			if j < len(rs) && (rs[j] == '!' || rs[j] == '^') {
				j++
			}
			if j < len(rs) && rs[j] == ']' {
				j++
			}
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) {
				return "", nil, fmt.Errorf("unclosed [ at %d", i)
			}
			class := string(rs[i+1 : j])
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			class = strings.ReplaceAll(class, `\`, `\\`)
			class = strings.ReplaceAll(class, `[`, `\[`)
			re.WriteString("[" + class + "]")
			wild()
			i = j
		case '\\':
			if i+1 < len(rs) {
				i++
				r = rs[i]
			}
			lit.WriteRune(r)
			re.WriteString(regexp.QuoteMeta(string(r)))
		default:
			lit.WriteRune(r)
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	ldapParts = append(ldapParts, lit.String()+suffix)
	rx, err := regexp.Compile("(?is)^(?:" + re.String() + ")$")
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	for i, p := range ldapParts {
		if i > 0 && !strings.HasSuffix(b.String(), "*") {
			b.WriteByte('*')
		}
		b.WriteString(ldap.EscapeFilter(p))
	}
	v := b.String()
	if strings.Trim(v, "*") == "" {
		return "(" + attr + "=*)", rx, nil
	}
	return "(" + attr + "=" + v + ")", rx, nil
}

// EscapeDNValue escapes an attribute value for use in a DN (RFC 4514: , + " \ < > ; and a
// leading # or space and a trailing space; NUL as \00), and also =, which Active Directory and
// Samba want escaped although RFC 4514 does not. go-ldap's EscapeDN leaves = alone, and Samba
// then refuses the DN (LDAP 34).
func EscapeDNValue(v string) string {
	var b strings.Builder
	for i, r := range v {
		switch {
		case r == 0:
			b.WriteString(`\00`)
			continue
		case strings.ContainsRune(`,+"\<>;=`, r),
			i == 0 && (r == ' ' || r == '#'),
			i == len(v)-1 && r == ' ':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
