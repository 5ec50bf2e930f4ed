package discover

import (
	"strings"
	"testing"
)

// On Windows no user and no password binds as the current logon (SSPI), whatever --ldap-bind
// says; given credentials keep their bind exactly; elsewhere the old rules stand (a simple bind
// needs a user, Kerberos without one uses the ticket cache).
func TestCheckBindCurrentLogon(t *testing.T) {
	tests := []struct {
		name         string
		cfg          Config
		currentLogon bool
		want         string
		wantErr      string
	}{
		{"WindowsNoCredentials", Config{}, true, bindSSPI, ""},
		{"WindowsNoCredentialsKerberos", Config{Bind: "kerberos"}, true, bindSSPI, ""},
		{"WindowsNoCredentialsNTLM", Config{Bind: "ntlm"}, true, bindSSPI, ""},
		{"WindowsUserKeepsSimple", Config{User: `CORP\admin`, Password: "pw"}, true, "simple", ""},
		{"WindowsUserKeepsKerberos", Config{Bind: "kerberos", User: "admin@corp.example", Password: "pw"}, true, "kerberos", ""},
		{"WindowsPasswordOnly", Config{Password: "pw"}, true, "", "needs a user and a password"},
		{"WindowsBadMode", Config{Bind: "digest"}, true, "", `bind "digest"`},
		{"UnixNoCredentials", Config{}, false, "", "needs a user and a password"},
		{"UnixKerberosTicketCache", Config{Bind: "kerberos"}, false, "kerberos", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkBindFor(tt.cfg, tt.currentLogon)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("mode %q, %v; want %q", got, err, tt.want)
			}
			if got == bindSSPI && !strings.Contains(bindName(tt.cfg, got), "current Windows logon") {
				t.Errorf("bind name %q", bindName(tt.cfg, got))
			}
		})
	}
	if currentLogonBind {
		t.Log("this platform binds as the current logon")
	}
}
