// Package redact removes a password from text a host sent back: a hostile host can echo the
// password it received (Basic sends it, base64-encoded) in any string it returns, and those
// strings go to the results file, the reports and the terminal.
package redact

import (
	"encoding/base64"
	"reflect"
	"sort"
	"strings"
	"unicode/utf16"
)

// MinLength is the shortest password that is redacted: replacing a 1 to 3 character password
// everywhere would shred ordinary text ("a", "ok1") and reveal the password by its gaps.
const MinLength = 4

// Mark replaces every form of the password.
const Mark = "[redacted]"

// Redactor replaces a password's forms in text. The zero value changes nothing.
type Redactor struct {
	forms []string // longest first
}

// New returns the redactor of password (as sent by user): the password in clear, its base64,
// the base64 of its UTF-16LE form (PowerShell's -EncodedCommand), and the base64 of
// user:password (a Basic Authorization header), each with and without base64 padding. A
// password shorter than MinLength is not redacted in clear (its encoded forms still are).
func New(user, password string) Redactor {
	if password == "" {
		return Redactor{}
	}
	var forms []string
	if len(password) >= MinLength {
		forms = append(forms, password)
	}
	u16 := make([]byte, 0, 2*len(password))
	for _, r := range utf16.Encode([]rune(password)) {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	for _, b := range [][]byte{[]byte(password), u16, []byte(user + ":" + password)} {
		std := base64.StdEncoding.EncodeToString(b)
		forms = append(forms, std)
		if raw := strings.TrimRight(std, "="); raw != std && len(raw) >= MinLength {
			forms = append(forms, raw)
		}
	}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return Redactor{forms: forms}
}

// String returns s with every form of the password replaced by Mark.
func (r Redactor) String(s string) string {
	for _, f := range r.forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, Mark)
		}
	}
	return s
}

// Empty reports whether r changes nothing.
func (r Redactor) Empty() bool { return len(r.forms) == 0 }

// Strings applies f to every string reachable from v (a pointer) through exported struct fields,
// pointers, slices, arrays, map keys and values, and sets those that f changes. Values that f
// leaves as they are are not written, so shared data without a secret is never modified.
func Strings(v any, f func(string) string) {
	walk(reflect.ValueOf(v), f)
}

// walk reports whether it changed anything.
func walk(v reflect.Value, f func(string) string) bool {
	changed := false
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			changed = walk(v.Elem(), f)
		}
	case reflect.Interface:
		// An interface's value cannot be set in place: walk a copy, store it back.
		if v.IsNil() || !v.CanSet() {
			return false
		}
		c := reflect.New(v.Elem().Type()).Elem()
		c.Set(v.Elem())
		if changed = walk(c, f); changed {
			v.Set(c)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && walk(v.Field(i), f) {
				changed = true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if walk(v.Index(i), f) {
				changed = true
			}
		}
	case reflect.Map:
		if v.IsNil() {
			return false
		}
		type entry struct{ old, k, v reflect.Value }
		var set []entry
		for iter := v.MapRange(); iter.Next(); {
			k := reflect.New(iter.Key().Type()).Elem()
			k.Set(iter.Key())
			val := reflect.New(iter.Value().Type()).Elem()
			val.Set(iter.Value())
			kc, vc := walk(k, f), walk(val, f)
			if kc || vc {
				set = append(set, entry{iter.Key(), k, val})
			}
		}
		for _, e := range set {
			v.SetMapIndex(e.old, reflect.Value{})
		}
		for _, e := range set {
			v.SetMapIndex(e.k, e.v)
		}
		changed = len(set) > 0
	case reflect.String:
		if s := v.String(); v.CanSet() {
			if t := f(s); t != s {
				v.SetString(t)
				changed = true
			}
		}
	}
	return changed
}
