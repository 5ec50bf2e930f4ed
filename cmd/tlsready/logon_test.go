package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/remote"
)

// Without --user, where the platform has a current logon (Windows, faked here), no password is
// read from anywhere and stderr names the identity (never a secret); with --user the password is
// read exactly as before; without a current logon (Linux, macOS), --user stays required.
func TestCurrentLogonCredentials(t *testing.T) {
	const secret = "env-Secret-pw1"
	tests := []struct {
		name         string
		user, pwFile string
		auth         string
		logon        bool
		envPassword  string
		wantPassword string
		wantErr      string
		wantStderr   []string
	}{
		{"WindowsNoUser", "", "", remote.AuthNegotiate, true, "", "", "",
			[]string{`authenticating as the current Windows logon CORP\alice (SSPI`, "no password is read"}},
		{"WindowsNoUserIgnoresEnvPassword", "", "", remote.AuthNegotiate, true, secret, "", "",
			[]string{`CORP\alice`, "TLSREADY_PASSWORD is not used without --user"}},
		{"WindowsNoUserKerberos", "", "", remote.AuthKerberos, true, "", "", "", []string{`CORP\alice`}},
		{"WindowsPasswordFileWithoutUser", "", "pw.txt", remote.AuthNegotiate, true, "", "", "--password-file goes with --user", nil},
		{"WindowsBasicNeedsUser", "", "", remote.AuthBasic, true, "", "", "--auth basic needs --user", nil},
		{"WindowsExplicitUserKeepsPassword", `CORP\admin`, "", remote.AuthNegotiate, true, secret, secret, "", nil},
		{"UnixNoUser", "", "", remote.AuthNegotiate, false, secret, "", "--user is required", nil},
		{"UnixExplicitUser", `CORP\admin`, "", remote.AuthNTLM, false, secret, secret, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			e := env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr,
				getenv: func(k string) string {
					if k == "TLSREADY_PASSWORD" {
						return tt.envPassword
					}
					return ""
				},
				logon: func() (string, bool) { return `CORP\alice`, tt.logon }}
			pw, err := winrmPassword(e, remoteFlags{user: tt.user, passwordFile: tt.pwFile, auth: tt.auth})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pw != tt.wantPassword {
				t.Errorf("password %q, want %q", pw, tt.wantPassword)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q lacks %q", stderr.String(), w)
				}
			}
			if strings.Contains(stderr.String(), secret) {
				t.Errorf("stderr shows the password: %q", stderr.String())
			}
		})
	}
}

// On this test's platform (not Windows) there is no current logon: the real remote.CurrentLogon
// says so, so that a scan without --user keeps asking for one.
func TestCurrentLogonPlatform(t *testing.T) {
	if _, ok := (env{}).currentLogon(); ok {
		t.Skip("this platform has a current logon (Windows)")
	}
	e := env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	if _, err := accountPassword(e, "", "", false); err == nil || !strings.Contains(err.Error(), "--user is required") {
		t.Errorf("err = %v, want --user required", err)
	}
}
