package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/remote"
	"github.com/tlsready/tlsready/scan"
)

// TestPrintHints: each kind of authentication failure gets its own advice, from the messages the
// remote package writes: a wrong password is not told to become an administrator, an account
// denied access is not told to check its password.
func TestPrintHints(t *testing.T) {
	authErr := func(err error) scan.Result {
		return scan.Result{Host: "PC", Error: &scan.ErrorInfo{Category: scan.CategoryAuth, Message: "host PC: authenticate: " + err.Error()}}
	}
	rejected := authErr(&remote.AuthError{Status: http.StatusUnauthorized, Mechanism: remote.AuthNTLM, Offered: []string{"Negotiate"}})
	denied := authErr(&remote.AuthError{Status: http.StatusForbidden, Mechanism: remote.AuthNTLM})
	sspiDenied := authErr(&remote.SSPIError{Code: 0x8009030C})
	noScheme := authErr(&remote.AuthError{Status: http.StatusUnauthorized, Mechanism: remote.AuthNTLM, Offered: []string{"Basic"}})
	tests := []struct {
		name      string
		results   []scan.Result
		userGiven bool
		want      []string
		not       []string
	}{
		{"password", []scan.Result{rejected, rejected}, true, []string{"2 host(s) rejected the credentials", "the password", "local administrator"}, []string{"accepted the logon", "another reason"}},
		{"password, demo", []scan.Result{rejected}, false, nil, []string{"rejected the credentials"}},
		{"SSPI logon denied", []scan.Result{sspiDenied}, true, []string{"1 host(s) rejected the credentials"}, nil},
		{"403", []scan.Result{denied}, true, []string{"1 host(s) accepted the logon but denied the account access", "Administrators"}, []string{"rejected the credentials"}},
		{"no common scheme", []scan.Result{noScheme}, true, []string{"1 host(s) could not complete authentication"}, []string{"password", "Administrators"}},
		// Most hosts failing alike: one note, with the advice of their kind.
		{"most denied", []scan.Result{denied, denied, denied, rejected}, true, []string{"note: 3 of 4 host(s)", "access denied"}, []string{"credentials rejected"}},
		{"most rejected", []scan.Result{rejected, rejected, rejected, denied}, true, []string{"note: 3 of 4 host(s)", "credentials rejected"}, []string{"access denied"}},
		{"mixed", []scan.Result{rejected, denied, noScheme, {Host: "PC-OK"}}, true, []string{"1 host(s) rejected", "1 host(s) accepted the logon", "1 host(s) could not complete"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			printHints(env{stderr: &stderr, getenv: func(string) string { return "" }}, tt.results, "en", tt.userGiven)
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("hints lack %q:\n%s", w, stderr.String())
				}
			}
			for _, n := range tt.not {
				if strings.Contains(stderr.String(), n) {
					t.Errorf("hints have %q:\n%s", n, stderr.String())
				}
			}
		})
	}
}
