package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remote/kerberos"
)

// Category is why a host could not be checked. The words are part of the results file format.
type Category string

// The categories of a failed run, exactly these words in machine output.
const (
	// CategoryUnreachable: no TCP connection (refused, no route, name not resolved, connect timeout).
	CategoryUnreachable Category = "unreachable"
	// CategoryTimeout: connected, but no result within the host's deadline (or the scan was cancelled).
	CategoryTimeout Category = "timeout"
	// CategoryAuth: credentials rejected, access denied, or the host's certificate not trusted.
	CategoryAuth Category = "auth"
	// CategoryWinRM: a WS-Management fault, an HTTP error, a TLS failure other than trust, or an
	// answer that makes no sense.
	CategoryWinRM Category = "winrm"
	// CategoryCollector: the collector ran but failed, or its output could not be read.
	CategoryCollector Category = "collector"
)

// Error is the error of a Run or Collect: the host, the step that failed ("connect",
// "authenticate", "create shell", "command", "send", "receive", "collect"), and its category. Failures to stop
// the command or delete the shell after a run are not reported.
type Error struct {
	Host     string
	Step     string
	Category Category
	Err      error
}

func (e *Error) Error() string { return fmt.Sprintf("host %s: %s: %v", e.Host, e.Step, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// CategoryOf returns the category of an error of Run or Collect, or classifies any other error
// the same way (an error that says nothing more specific is CategoryWinRM). It returns "" for nil.
func CategoryOf(err error) Category {
	if err == nil {
		return ""
	}
	return classify(err)
}

func classify(err error) Category {
	var (
		re  *Error
		ae  *AuthError
		fe  *FaultError
		he  *HTTPError
		pe  *ProtocolError
		ce  *CollectorError
		fpe *facts.ParseError
		oe  *net.OpError
		de  *net.DNSError
		ne  net.Error
	)
	switch {
	case errors.As(err, &re):
		return re.Category
	case errors.As(err, &ae):
		return CategoryAuth
	case errors.As(err, &fe):
		switch {
		case fe.IsAccessDenied():
			return CategoryAuth
		case fe.IsTimedOut():
			return CategoryTimeout
		}
		return CategoryWinRM
	case errors.As(err, &he), errors.As(err, &pe):
		return CategoryWinRM
	case errors.As(err, &ce), errors.As(err, &fpe):
		return CategoryCollector
	case isCertificateError(err):
		return CategoryAuth
	case errors.As(err, &oe) && oe.Op == "dial", errors.As(err, &de),
		isRefused(err), isUnreachable(err):
		return CategoryUnreachable
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout(), isTimedOutErrno(err):
		return CategoryTimeout
	}
	return CategoryWinRM
}

func isCertificateError(err error) bool {
	var (
		ve *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
	)
	return errors.As(err, &ve) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci)
}

// AuthError is an HTTP 401 or 403 (the host refused the credentials or the account), or a
// failure of the security context: a handshake that cannot complete, an answer in clear where
// encryption was negotiated. It never contains the password.
type AuthError struct {
	Status  int      // the HTTP status; 0 when no HTTP answer is the cause
	Offered []string // the schemes of the WWW-Authenticate headers, e.g. ["Negotiate", "Kerberos"]
	HTTPS   bool
	// Mechanism is the authentication tried: AuthBasic (also when empty), AuthNTLM, AuthKerberos.
	Mechanism string
	// Reason says what failed when it is not a plain refusal of the credentials.
	Reason string
	// Err is the underlying cause, when there is one (e.g. the KDC's refusal).
	Err error
	// Rejected says that the credentials themselves were refused: the password was tried and
	// failed (a 401 to the NTLM AUTHENTICATE, a Basic 401 from a host that takes Basic, the
	// KDC's pre-authentication failure) or the account was denied access (HTTP 403). That is
	// what counts towards an account lockout. A refusal before any password was tried (no
	// common scheme, a 401 to the NTLM NEGOTIATE, a host that forgot the context) is not.
	// errors.Is(err, ErrCredentialsRejected) reports it.
	Rejected bool
}

// ErrCredentialsRejected matches, with errors.Is, an *AuthError whose Rejected is set: the
// host or the KDC refused the account or its password.
var ErrCredentialsRejected = errors.New("credentials rejected")

// Unwrap returns the underlying cause.
func (e *AuthError) Unwrap() error { return e.Err }

// Is reports ErrCredentialsRejected for a refusal of the credentials themselves.
func (e *AuthError) Is(target error) bool { return target == ErrCredentialsRejected && e.Rejected }

func (e *AuthError) Error() string {
	if e.Status == http.StatusForbidden {
		return "access denied (HTTP 403)"
	}
	label := mechanismLabel(e.Mechanism)
	if e.Reason != "" {
		if e.Status != 0 {
			return fmt.Sprintf("%s authentication failed (HTTP %d): %s", label, e.Status, e.Reason)
		}
		return label + ": " + e.Reason
	}
	msg := fmt.Sprintf("authentication failed (HTTP %d)", e.Status)
	offers := func(scheme string) bool {
		for _, s := range e.Offered {
			if strings.EqualFold(s, scheme) {
				return true
			}
		}
		return false
	}
	if e.Mechanism != "" && e.Mechanism != AuthBasic {
		if len(e.Offered) > 0 && !offers("Negotiate") && !offers("Kerberos") {
			return msg + ": the host does not accept " + label + " (it offers " + strings.Join(e.Offered, ", ") + ")"
		}
		return msg + ": " + label + ": user name or password rejected"
	}
	switch {
	case len(e.Offered) > 0 && !offers("Basic"):
		return msg + ": the host does not accept Basic authentication (it offers " + strings.Join(e.Offered, ", ") + ")"
	case !e.HTTPS:
		return msg + ": user name or password rejected, or the host refuses Basic over unencrypted HTTP"
	}
	return msg + ": user name or password rejected"
}

func mechanismLabel(m string) string {
	switch m {
	case AuthNTLM:
		return "NTLM"
	case AuthKerberos:
		return "Kerberos"
	case "", AuthBasic:
		return "Basic"
	case mechanismSSPI:
		return "Windows logon (SSPI)"
	}
	return m
}

// HTTPError is an answer that is neither a SOAP envelope nor an authentication failure: a proxy
// or web server error page, an unexpected status.
type HTTPError struct {
	Status      int
	ContentType string
	Snippet     string // the start of the body, on one line
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
	if e.ContentType != "" {
		msg += " (" + e.ContentType + ")"
	}
	if e.Snippet != "" {
		msg += ": " + e.Snippet
	}
	return msg
}

// ProtocolError is an answer that is not what the step expects: a 200 answer of the wrong kind,
// or, after a successful logon, an encrypted answer that cannot be read.
type ProtocolError struct {
	Reason string
}

func (e *ProtocolError) Error() string { return "unexpected answer: " + e.Reason }

// CollectorError says that the collector ran but its result cannot be used.
type CollectorError struct {
	ExitCode int
	// Stderr is the start of what the collector wrote to stderr, on one line, with PowerShell's
	// CLIXML serialisation removed.
	Stderr string
	// Err is the reason its output was rejected (a *facts.ParseError), nil when the exit code
	// alone is the reason.
	Err error
	// LanguageMode is PowerShell's language mode when the collector did not run because it is
	// not FullLanguage (ExitLanguageMode): "ConstrainedLanguage" under AppLocker or WDAC script
	// enforcement. Empty otherwise.
	LanguageMode string
}

// constrainedLanguageAdvice is the message of a host whose PowerShell runs in Constrained
// Language Mode: what it means and what the admin can do.
const constrainedLanguageAdvice = "PowerShell runs in Constrained Language Mode for the scanning account on this host, " +
	"so the collector cannot run (.NET method calls, which it needs to read the registry, are blocked): " +
	"the host enforces AppLocker or WDAC (Device Guard) script rules. Let the scanning account run PowerShell " +
	"in full language mode there (for AppLocker, a script rule that allows its group; WDAC applies to every account), " +
	"or check this host another way"

func (e *CollectorError) Error() string {
	switch {
	case e.LanguageMode == "ConstrainedLanguage":
		return constrainedLanguageAdvice
	case e.LanguageMode != "":
		return "PowerShell runs in language mode " + e.LanguageMode + " for the scanning account on this host, " +
			"so the collector cannot run; it needs FullLanguage"
	}
	var msg string
	if e.Err != nil {
		msg = e.Err.Error()
	} else {
		msg = fmt.Sprintf("collector exited with code %d", e.ExitCode)
	}
	if e.Stderr != "" {
		msg += "; stderr: " + e.Stderr
	}
	return msg
}

func (e *CollectorError) Unwrap() error { return e.Err }

// CredentialsRejected reports whether err means that the host or the KDC refused the account or
// its password: what counts towards an account lockout, and what stops a scan after
// --max-auth-failures hosts in a row. That is an *AuthError marked Rejected
// (ErrCredentialsRejected), an HTTP 403, an access-denied fault, or a KDC refusal such as
// KDC_ERR_PREAUTH_FAILED. A 401 before the password was tried (the host does not accept the
// mechanism, refuses the NTLM NEGOTIATE), a certificate, protocol or network failure is not a
// rejection: the password was not tried.
func CredentialsRejected(err error) bool {
	var ke *kerberos.KDCError
	if errors.As(err, &ke) {
		return kdcRejected(ke)
	}
	if errors.Is(err, ErrCredentialsRejected) {
		return true
	}
	var ae *AuthError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusForbidden
	}
	var fe *FaultError
	if errors.As(err, &fe) {
		return fe.IsAccessDenied()
	}
	return false
}

// kdcRejected reports whether the KDC refused the account or its password.
func kdcRejected(ke *kerberos.KDCError) bool {
	switch ke.Code {
	case "KDC_ERR_PREAUTH_FAILED", "KDC_ERR_C_PRINCIPAL_UNKNOWN", "KDC_ERR_CLIENT_REVOKED", "KDC_ERR_KEY_EXPIRED":
		return true
	}
	return false
}

// Transient reports an error worth trying again after a pause, because the same request may
// well succeed then: a WinRM quota fault (MaxShellsPerUser, MaxConcurrentOperationsPerUser: the
// host is busy with other shells), HTTP 503 Service Unavailable, or a connection reset or cut
// short after it was established. Authentication errors, refused connections, timeouts and
// collector errors are not transient: retrying them only costs time (or locks an account out).
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var (
		ae *AuthError
		fe *FaultError
		he *HTTPError
		oe *net.OpError
	)
	switch {
	case errors.As(err, &ae):
		return false
	case errors.As(err, &fe):
		return fe.IsQuota()
	case errors.As(err, &he):
		return he.Status == http.StatusServiceUnavailable
	case errors.As(err, &oe) && oe.Op == "dial":
		return false // refused or unreachable: the pre-check's answer, not a passing glitch
	}
	return isReset(err) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// IsQuota reports a WinRM quota fault anywhere in err's chain: the host is busy and should be
// given more time before the next attempt.
func IsQuota(err error) bool {
	var fe *FaultError
	return errors.As(err, &fe) && fe.IsQuota()
}
