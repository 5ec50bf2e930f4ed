package remote

import (
	"crypto/x509"
	"fmt"
	"testing"

	"github.com/tlsready/tlsready/remote/kerberos"
)

func TestCredentialsRejected(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"HTTP 401 to the password", &Error{Host: "pc", Step: "create shell", Category: CategoryAuth, Err: &AuthError{Status: 401, Rejected: true}}, true},
		{"HTTP 401 to the NTLM NEGOTIATE, Basic offered", &Error{Host: "pc", Step: "authenticate", Category: CategoryAuth,
			Err: &handshakeError{&AuthError{Status: 401, Mechanism: AuthNTLM, Offered: []string{"Basic"}}}}, false},
		{"HTTP 401, no password tried", &AuthError{Status: 401, Mechanism: AuthNTLM}, false},
		{"KDC refused the password, as the client reports it", &AuthError{Mechanism: AuthKerberos, Rejected: true,
			Err: &kerberos.LoginError{Principal: "u@R", Err: &kerberos.KDCError{Code: "KDC_ERR_PREAUTH_FAILED"}}}, true},
		{"wrapped with %w", fmt.Errorf("scan: %w", &AuthError{Status: 401, Rejected: true}), true},
		{"HTTP 403", &AuthError{Status: 403}, true},
		{"KDC refused the password", &AuthError{Mechanism: AuthKerberos, Err: &kerberos.LoginError{Principal: "u@R", Err: &kerberos.KDCError{Code: "KDC_ERR_PREAUTH_FAILED"}}}, true},
		{"KDC does not know the service", &AuthError{Mechanism: AuthKerberos, Err: &kerberos.KDCError{Code: "KDC_ERR_S_PRINCIPAL_UNKNOWN"}}, false},
		{"access denied fault", &FaultError{Subcode: "w:AccessDenied", WSManCode: 5}, true},
		{"answer in clear (no password tried wrong)", &AuthError{Mechanism: AuthNTLM, Reason: "answer not encrypted"}, false},
		{"untrusted certificate", fmt.Errorf("create shell: %w", x509.UnknownAuthorityError{}), false},
		{"quota fault", &FaultError{Subcode: "w:QuotaLimit", WSManCode: 2150859173}, false},
	}
	for _, tc := range tests {
		if got := CredentialsRejected(tc.err); got != tc.want {
			t.Errorf("%s: CredentialsRejected = %v, want %v", tc.name, got, tc.want)
		}
	}
}
