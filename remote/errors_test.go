package remote

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsready/tlsready/facts"
)

func TestCategoryOf(t *testing.T) {
	post := func(err error) error { return &url.Error{Op: "Post", URL: "http://pc-17:5985/wsman", Err: err} }
	tests := []struct {
		name string
		err  error
		want Category
	}{
		{"Nil", nil, ""},
		{"Refused", post(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), CategoryUnreachable},
		{"NoRoute", post(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}), CategoryUnreachable},
		{"DialTimeout", post(&net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}), CategoryUnreachable},
		{"NameNotResolved", post(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "pc-17", IsNotFound: true}}), CategoryUnreachable},
		{"DeadlineExceeded", post(context.DeadlineExceeded), CategoryTimeout},
		{"ReadTimeout", post(&net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}), CategoryTimeout},
		{"Cancelled", &deadlineError{after: time.Second, ctxErr: context.Canceled, cause: post(context.Canceled)}, CategoryTimeout},
		{"ConnectionReset", post(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), CategoryWinRM},
		{"Unauthorized", &AuthError{Status: 401}, CategoryAuth},
		{"Forbidden", &AuthError{Status: 403}, CategoryAuth},
		{"AccessDeniedFault", &FaultError{Subcode: SubcodeAccessDenied}, CategoryAuth},
		{"UntrustedCertificate", post(x509.UnknownAuthorityError{}), CategoryAuth},
		{"WrongCertificateName", post(x509.HostnameError{Host: "pc-17"}), CategoryAuth},
		{"QuotaFault", &FaultError{Subcode: "w:InternalError", WSManCode: CodeMaxShells}, CategoryWinRM},
		{"TimedOutFault", &FaultError{Subcode: SubcodeTimedOut}, CategoryTimeout},
		{"HTTPError", &HTTPError{Status: 503}, CategoryWinRM},
		{"ProtocolError", &ProtocolError{Reason: "x"}, CategoryWinRM},
		{"CollectorExit", &CollectorError{ExitCode: 1}, CategoryCollector},
		{"CollectorOutput", &facts.ParseError{Line: 3, Reason: "x"}, CategoryCollector},
		{"Typed", &Error{Host: "pc-17", Step: stepReceive, Category: CategoryTimeout, Err: errors.New("x")}, CategoryTimeout},
		{"TypedWrapped", fmt.Errorf("scan: %w", &Error{Category: CategoryAuth, Err: errors.New("x")}), CategoryAuth},
		{"Other", errors.New("something else"), CategoryWinRM},
	}
	for _, tt := range tests {
		if got := CategoryOf(tt.err); got != tt.want {
			t.Errorf("%s: CategoryOf(%v) = %q, want %q", tt.name, tt.err, got, tt.want)
		}
	}
}

// Errors name the host and the step, as the house style asks.
func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&Error{Host: "pc-17", Step: stepCreateShell, Category: CategoryWinRM, Err: &FaultError{Subcode: "w:InternalError", WSManCode: CodeMaxShells,
			Message: "This user is allowed a maximum number of 5 concurrent shells, which has been exceeded."}},
			"host pc-17: create shell: quota exceeded (MaxShellsPerUser=5, w:InternalError, code 2150859173): This user is allowed a maximum number of 5 concurrent shells, which has been exceeded."},
		{&Error{Host: "pc-17", Step: stepReceive, Err: &deadlineError{after: 60 * time.Second, ctxErr: context.DeadlineExceeded, cause: context.DeadlineExceeded}},
			"host pc-17: receive: timed out after 1m0s"},
		{&HTTPError{Status: 503, ContentType: "text/html", Snippet: "<html>"}, "HTTP 503 Service Unavailable (text/html): <html>"},
		{&AuthError{Status: 401, HTTPS: true, Offered: []string{"Negotiate", "Basic"}}, "authentication failed (HTTP 401): user name or password rejected"},
		{&CollectorError{ExitCode: 2, Stderr: "tlsready: no program on stdin"}, "collector exited with code 2; stderr: tlsready: no program on stdin"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

func TestConfigHidesPassword(t *testing.T) {
	cfg := Config{User: testUser, Password: testPassword, HTTPS: true}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg), fmt.Sprintf("%v", &cfg)} {
		if strings.Contains(s, testPassword) {
			t.Errorf("config printed with the password: %s", s)
		}
	}
	// A host that echoes the credentials back does not get them into an error message.
	tr := &transporter{user: testUser, password: testPassword}
	if got := tr.redact("you sent " + testPassword + " and TEFCXHNjYW5uZXI6cGE1NS1Xb3JkIXNlY3JldA=="); strings.Contains(got, testPassword) || strings.Contains(got, "TEFCXHNj") {
		t.Errorf("redact: %q", got)
	}
}

func TestTransient(t *testing.T) {
	post := func(err error) error { return &url.Error{Op: "Post", URL: "http://pc-17:5985/wsman", Err: err} }
	tests := []struct {
		name  string
		err   error
		want  bool
		quota bool
	}{
		{"Nil", nil, false, false},
		{"QuotaMaxShells", &FaultError{Subcode: "w:InternalError", WSManCode: CodeMaxShells}, true, true},
		{"QuotaSubcode", fmt.Errorf("host x: create: %w", &FaultError{Subcode: SubcodeQuotaLimit}), true, true},
		{"ServiceUnavailable", &HTTPError{Status: 503}, true, false},
		{"InternalServerError", &HTTPError{Status: 500}, false, false},
		{"ResetMidResponse", post(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), true, false},
		{"CutShort", post(fmt.Errorf("net/http: HTTP/1.x transport connection broken: %w", io.ErrUnexpectedEOF)), true, false},
		{"ClosedBeforeAnswer", post(io.EOF), true, false},
		{"Refused", post(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), false, false},
		{"DialReset", post(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNRESET)}), false, false},
		{"Unauthorized", &AuthError{Status: 401}, false, false},
		{"AccessDenied", &FaultError{Subcode: SubcodeAccessDenied}, false, false},
		{"Deadline", post(context.DeadlineExceeded), false, false},
		{"Collector", &CollectorError{ExitCode: 1}, false, false},
		{"TypedReset", &Error{Host: "pc-17", Step: stepReceive, Category: CategoryWinRM, Err: post(syscall.ECONNRESET)}, true, false},
	}
	for _, tt := range tests {
		if got := Transient(tt.err); got != tt.want {
			t.Errorf("%s: Transient(%v) = %t, want %t", tt.name, tt.err, got, tt.want)
		}
		if got := IsQuota(tt.err); got != tt.quota {
			t.Errorf("%s: IsQuota = %t, want %t", tt.name, got, tt.quota)
		}
	}
}
