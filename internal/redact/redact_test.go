package redact

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestRedactorForms(t *testing.T) {
	const user, pw = `CORP\admin`, "Pa55-word"
	u16 := base64.StdEncoding.EncodeToString([]byte("P\x00a\x005\x005\x00-\x00w\x00o\x00r\x00d\x00"))
	r := New(user, pw)
	for _, tc := range []struct{ name, in, want string }{
		{"clear", "shell " + pw + " failed", "shell [redacted] failed"},
		{"base64", "x" + base64.StdEncoding.EncodeToString([]byte(pw)) + "y", "x[redacted]y"},
		{"base64 without padding", "id-" + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(pw)), "="), "id-[redacted]"},
		{"utf16le base64", "-EncodedCommand " + u16, "-EncodedCommand [redacted]"},
		{"basic header", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw)), "Authorization: Basic [redacted]"},
		{"twice", pw + pw, "[redacted][redacted]"},
		{"nothing", "Microsoft Windows 10 Pro", "Microsoft Windows 10 Pro"},
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// A password shorter than MinLength would shred ordinary text: not redacted in clear.
	if got := New(user, "ok1").String("ok1 done"); got != "ok1 done" {
		t.Errorf("short password redacted in clear: %q", got)
	}
	if !New(user, "").Empty() {
		t.Error("an empty password should redact nothing")
	}
}

type inner struct {
	Texts []string
	M     map[string]string
	P     *string
	Any   any
	priv  string
}

func TestStringsWalk(t *testing.T) {
	s := "a SECRET b"
	v := struct {
		A  string
		In inner
		Ps []*inner
	}{A: "SECRET", In: inner{Texts: []string{"x", "SECRET"}, M: map[string]string{"SECRET": "v SECRET", "k": "plain"}, P: &s, Any: "SECRET", priv: "SECRET"},
		Ps: []*inner{{Texts: []string{"SECRET"}}, nil}}
	Strings(&v, func(x string) string { return strings.ReplaceAll(x, "SECRET", "*") })
	if v.A != "*" || v.In.Texts[1] != "*" || v.In.M["*"] != "v *" || v.In.M["k"] != "plain" || len(v.In.M) != 2 ||
		*v.In.P != "a * b" || v.In.Any != "*" || v.Ps[0].Texts[0] != "*" {
		t.Errorf("not every string was redacted: %+v %+v", v, *v.Ps[0])
	}
	if v.In.priv != "SECRET" {
		t.Error("unexported field changed")
	}
}
