package remote

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tlsready/tlsready/remote/wsmv"
)

// The current logon session (Windows): with no Config.User and no Config.Password, NTLM,
// Kerberos and negotiate authenticate through the operating system's SSPI as the logged-on user,
// as Invoke-Command does: the Negotiate package (Kerberos with the workstation's ticket, NTLM as
// its fallback), the SPN HTTP/<host>, channel bindings over HTTPS, and MS-WSMV message
// encryption through EncryptMessage and DecryptMessage over HTTP. No password is ever read.
//
// The protocol logic is here, platform-neutral; the calls into secur32.dll are behind
// sspiProvider, implemented in sspi_windows.go, so that tests on every OS drive this logic with
// fakes (sspi_test.go).

// The SSPI packages used for each Config.Auth (InitializeSecurityContext (Negotiate),
// https://learn.microsoft.com/en-us/windows/win32/secauthn/initializesecuritycontext--negotiate).
const (
	sspiNegotiate = "Negotiate"
	sspiKerberos  = "Kerberos"
	sspiNTLM      = "NTLM"
)

// mechanismSSPI is the AuthError.Mechanism of a failure of the current logon.
const mechanismSSPI = "sspi"

// Context requirements and attributes (ISC_REQ_* and ISC_RET_*, sspi.h): the same bit for a
// request and its granted attribute. WinRM's own client asks for confidentiality and
// integrity, so that every message can be sealed (MS-WSMV 2.2.9.1).
const (
	iscMutualAuth      = 0x00000002
	iscReplayDetect    = 0x00000004
	iscSequenceDetect  = 0x00000008
	iscConfidentiality = 0x00000010
	iscConnection      = 0x00000800
	iscIntegrity       = 0x00010000

	sspiRequest = iscMutualAuth | iscReplayDetect | iscSequenceDetect | iscConfidentiality | iscConnection | iscIntegrity
)

// secqopWrapNoEncrypt is the QOP of a message that DecryptMessage found signed but not
// encrypted (SECQOP_WRAP_NO_ENCRYPT): the host did not seal it.
const secqopWrapNoEncrypt = 0x80000001

// Security status codes (SECURITY_STATUS, winerror.h) the mechanism reports in words.
const (
	secENoCredentials   = 0x8009030E
	secELogonDenied     = 0x8009030C
	secETargetUnknown   = 0x80090303
	secEContextExpired  = 0x80090317
	secEWrongPrincipal  = 0x80090322
	secENoAuthority     = 0x80090311
	secEMessageAltered  = 0x8009030F
	secEOutOfSequence   = 0x80090310
	secEInvalidToken    = 0x80090308
	secEQOPNotSupported = 0x8009030A
	secEUnsupportedFunc = 0x80090302
	secEInternalError   = 0x80090304
	secEBadBindings     = 0x80090346
	secEPackageNotFound = 0x80090305
	secEInsufficientMem = 0x80090300
	secETimeSkew        = 0x80090324
	secEBufferTooSmall  = 0x80090321
)

// sspiProvider is the operating system's SSPI, as far as this mechanism uses it.
type sspiProvider interface {
	// Acquire returns outbound credentials of the package ("Negotiate", "Kerberos", "NTLM") for
	// the current logon session: AcquireCredentialsHandle.
	Acquire(pkg string) (sspiCredentials, error)
	// Identity names the logged-on user (DOMAIN\user, GetUserNameEx), "" when unknown.
	Identity() string
}

// sspiCredentials is one credentials handle.
type sspiCredentials interface {
	// NewContext returns a context of these credentials for the service principal spn with
	// the context requirements req (ISC_REQ_*); nothing is called until its first Step.
	NewContext(spn string, req uint32) sspiContext
	// Free releases the handle (FreeCredentialsHandle).
	Free() error
}

// sspiContext is one client security context.
type sspiContext interface {
	// Step is one InitializeSecurityContext call with the server's token (nil for the first
	// call) and the SEC_CHANNEL_BINDINGS structure (nil for none), CompleteAuthToken included:
	// the token to send (possibly empty), and whether the context is complete (SEC_E_OK) rather
	// than continued (SEC_I_CONTINUE_NEEDED).
	Step(input, bindings []byte) (output []byte, complete bool, err error)
	// Attributes are the context attributes granted (ISC_RET_*).
	Attributes() uint32
	// Package names the package that authenticated ("Kerberos", "NTLM"), "" when unknown.
	Package() string
	// Sizes returns the SECPKG_ATTR_SIZES of the complete context.
	Sizes() (sspiSizes, error)
	// Encrypt seals data in place: EncryptMessage with a SECBUFFER_TOKEN (token, of
	// SecurityTrailer bytes), SECBUFFER_DATA (data) and SECBUFFER_PADDING (padding, of BlockSize
	// bytes). It returns how many bytes of token and padding the package used.
	Encrypt(token, data, padding []byte) (tokenLen, paddingLen int, err error)
	// Decrypt unseals a message: DecryptMessage with a SECBUFFER_TOKEN (the header) and a
	// SECBUFFER_DATA (the sealed data). It returns the plain message and the QOP.
	Decrypt(token, data []byte) (plain []byte, qop uint32, err error)
	// Free releases the context (DeleteSecurityContext).
	Free() error
}

// sspiSizes is SecPkgContext_Sizes.
type sspiSizes struct {
	MaxToken, MaxSignature, BlockSize, SecurityTrailer uint32
}

// SSPIError is the failure of one SSPI call: the function and its SECURITY_STATUS.
type SSPIError struct {
	Op   string // "AcquireCredentialsHandle", "InitializeSecurityContext", "EncryptMessage"...
	Code uint32 // SECURITY_STATUS, e.g. 0x8009030C (SEC_E_LOGON_DENIED)
}

func (e *SSPIError) Error() string {
	if w := sspiWords(e.Code); w != "" {
		return fmt.Sprintf("%s: %s (0x%08X)", e.Op, w, e.Code)
	}
	return fmt.Sprintf("%s failed (0x%08X)", e.Op, e.Code)
}

// sspiWords says what a status means to the operator, and what to check.
func sspiWords(code uint32) string {
	switch code {
	case secENoCredentials:
		return "SEC_E_NO_CREDENTIALS: the logon session has no credentials the package can use (no Kerberos ticket and no NTLM credentials: a local account, or run as a service?); give --user"
	case secELogonDenied:
		return "SEC_E_LOGON_DENIED: the logon was refused"
	case secETargetUnknown:
		return "SEC_E_TARGET_UNKNOWN: the domain does not know the service principal HTTP/<host>: use the computer's DNS name, or check its SPN (setspn -L)"
	case secEWrongPrincipal:
		return "SEC_E_WRONG_PRINCIPAL: the host is not the owner of the service principal HTTP/<host> (a DNS alias, or a duplicate SPN)"
	case secEContextExpired:
		return "SEC_E_CONTEXT_EXPIRED: the security context (the Kerberos ticket) expired"
	case secENoAuthority:
		return "SEC_E_NO_AUTHORITY: no domain controller could be contacted for the logon"
	case secETimeSkew:
		return "SEC_E_TIME_SKEW: this computer's clock differs too much from the domain controller's"
	case secEMessageAltered:
		return "SEC_E_MESSAGE_ALTERED: the message was altered or sealed with other keys"
	case secEOutOfSequence:
		return "SEC_E_OUT_OF_SEQUENCE: a message was replayed or lost"
	case secEInvalidToken:
		return "SEC_E_INVALID_TOKEN: the host sent a token the package does not understand"
	case secEQOPNotSupported:
		return "SEC_E_QOP_NOT_SUPPORTED: the package cannot seal messages"
	case secEUnsupportedFunc:
		return "SEC_E_UNSUPPORTED_FUNCTION"
	case secEInternalError:
		return "SEC_E_INTERNAL_ERROR"
	case secEBadBindings:
		return "SEC_E_BAD_BINDINGS: the channel bindings do not match the host's"
	case secEPackageNotFound:
		return "SEC_E_SECPKG_NOT_FOUND: the security package is not installed"
	case secEInsufficientMem:
		return "SEC_E_INSUFFICIENT_MEMORY"
	case secEBufferTooSmall:
		return "SEC_E_BUFFER_TOO_SMALL: the package needs more room than SECPKG_ATTR_SIZES announced"
	}
	return ""
}

// sspiAuthFailure reports whether a status is a failure of the authentication itself (the
// credentials, the ticket, the principal, the context's lifetime) rather than of the host's
// answer: such a failure is an *AuthError, category auth.
func sspiAuthFailure(code uint32) bool {
	switch code {
	case secENoCredentials, secELogonDenied, secETargetUnknown, secEWrongPrincipal, secEContextExpired,
		secENoAuthority, secETimeSkew, secEBadBindings, secEPackageNotFound:
		return true
	}
	return false
}

// sspiRejected reports whether a status refuses the account itself (what counts towards a lockout).
func sspiRejected(code uint32) bool {
	return code == secELogonDenied
}

// sspiRefusal reports whether err is an SSPI call's refusal of the account itself.
func sspiRefusal(err error) bool {
	var se *SSPIError
	return errors.As(err, &se) && sspiRejected(se.Code)
}

// sspiShared is the one credentials handle of a Client, acquired on first use and freed by
// Client.Close once no context of it is left.
type sspiShared struct {
	p   sspiProvider
	pkg string

	mu     sync.Mutex
	creds  sspiCredentials
	err    error
	users  int // contexts not yet freed
	closed bool
}

// newSSPIShared returns the current-logon state of a Client of auth, or nil when cfg has a user
// or a password, or the platform has no SSPI.
func newSSPIShared(cfg Config, auth string) *sspiShared {
	if cfg.User != "" || cfg.Password != "" || auth == AuthBasic {
		return nil
	}
	p := cfg.sspi
	if p == nil {
		p = platformSSPI()
	}
	if p == nil {
		return nil
	}
	pkg := sspiNegotiate
	switch auth {
	case AuthKerberos:
		pkg = sspiKerberos
	case AuthNTLM:
		pkg = sspiNTLM
	}
	return &sspiShared{p: p, pkg: pkg}
}

// acquire returns the credentials, acquired once, and counts one more context of them.
func (s *sspiShared) acquire() (sspiCredentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return nil, errors.New("client closed")
	case s.creds == nil && s.err == nil:
		s.creds, s.err = s.p.Acquire(s.pkg)
	}
	if s.err != nil {
		return nil, s.err
	}
	s.users++
	return s.creds, nil
}

// done counts one context of the credentials freed, and frees them after Close.
func (s *sspiShared) done() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users--
	s.freeLocked()
}

// close frees the credentials at Client.Close, or when their last context is freed.
func (s *sspiShared) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.freeLocked()
}

func (s *sspiShared) freeLocked() {
	if s.closed && s.users == 0 && s.creds != nil {
		_ = s.creds.Free()
		s.creds = nil
	}
}

// newContext makes the SecurityContext of one connection to host (its SPN HTTP/<host>) as the
// current logon.
func (s *sspiShared) newContext(host string) (SecurityContext, error) {
	creds, err := s.acquire()
	if err != nil {
		return nil, sspiAuthError(err, "credentials of the current logon")
	}
	spn := "HTTP/" + host
	return &sspiSecurityContext{shared: s, pkg: s.pkg, ctx: creds.NewContext(spn, sspiRequest)}, nil
}

// sspiAuthError makes an *AuthError of a failed SSPI call, keeping the call's error.
func sspiAuthError(err error, what string) *AuthError {
	ae := &AuthError{Mechanism: mechanismSSPI, Reason: what + ": " + err.Error(), Err: err}
	var se *SSPIError
	if errors.As(err, &se) {
		ae.Rejected = sspiRejected(se.Code)
	}
	return ae
}

// sspiSecurityContext is a SecurityContext over an sspiContext.
type sspiSecurityContext struct {
	shared *sspiShared
	pkg    string // the package asked for
	ctx    sspiContext
	steps  int
	done   bool
	freed  bool
}

// Scheme is "Kerberos" for the Kerberos package, else "Negotiate" (SPNEGO, or raw NTLMSSP for
// the NTLM package), as Windows' WinRM client sends them.
func (c *sspiSecurityContext) Scheme() string {
	if c.pkg == sspiKerberos {
		return "Kerberos"
	}
	return "Negotiate"
}

// Step drives InitializeSecurityContext. Over HTTPS every call carries the channel bindings of
// the host's certificate (Extended Protection for Authentication) in a SECBUFFER_CHANNEL_BINDINGS
// buffer.
func (c *sspiSecurityContext) Step(in []byte, cs *tls.ConnectionState) ([]byte, bool, error) {
	if c.done {
		return nil, true, errors.New("SSPI: token from the host after the context was complete")
	}
	c.steps++
	out, complete, err := c.ctx.Step(in, secChannelBindings(TLSServerEndPoint(cs)))
	if err != nil {
		return nil, false, err
	}
	c.done = complete
	if len(out) == 0 {
		out = nil
	}
	return out, complete, nil
}

// sentProof: after the first token answered (NTLM's AUTHENTICATE), or any Kerberos AP-REQ, a
// refusal is a refusal of the account.
func (c *sspiSecurityContext) sentProof() bool {
	return c.steps >= 2 || c.steps >= 1 && strings.EqualFold(c.ctx.Package(), sspiKerberos)
}

// Sealer returns EncryptMessage and DecryptMessage of the complete context, framed as MS-WSMV
// 2.2.9.1 has it: the SECBUFFER_TOKEN is the header after the length field, the sealed data
// (and the padding, for packages that use one) follow.
func (c *sspiSecurityContext) Sealer() (string, wsmv.Sealer, error) {
	if !c.done {
		return "", nil, errors.New("SSPI: context not complete")
	}
	if c.ctx.Attributes()&iscConfidentiality == 0 {
		return "", nil, fmt.Errorf("the %s context has no confidentiality (ISC_RET_CONFIDENTIALITY not granted): messages cannot be sealed", c.packageName())
	}
	sz, err := c.ctx.Sizes()
	if err != nil {
		return "", nil, err
	}
	if sz.SecurityTrailer == 0 || sz.SecurityTrailer > 1024 || sz.BlockSize > 1024 {
		return "", nil, fmt.Errorf("the %s context cannot seal messages (security trailer %d bytes, block size %d)", c.packageName(), sz.SecurityTrailer, sz.BlockSize)
	}
	protocol := wsmv.ProtocolSPNEGO
	if c.Scheme() == "Kerberos" {
		protocol = wsmv.ProtocolKerberos
	}
	return protocol, &sspiSealer{ctx: c.ctx, sizes: sz, pkg: c.packageName()}, nil
}

func (c *sspiSecurityContext) packageName() string {
	if p := c.ctx.Package(); p != "" {
		return p
	}
	return c.pkg
}

// release frees the context once its connection is dropped.
func (c *sspiSecurityContext) release() {
	if c.freed {
		return
	}
	c.freed = true
	_ = c.ctx.Free()
	c.shared.done()
}

// sspiSealer seals and unseals the messages of one complete SSPI context.
type sspiSealer struct {
	ctx   sspiContext
	sizes sspiSizes
	pkg   string
}

// Wrap is EncryptMessage (General),
// https://learn.microsoft.com/en-us/windows/win32/secauthn/encryptmessage--general: the data is
// sealed in place; the token buffer becomes the MS-WSMV header after the 4-byte length (MS-WSMV
// 2.2.9.1.1.2.2,
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/3fc54d8b-b087-486e-9f50-8253e9e30b43),
// any padding follows the sealed data. For NTLM the token is the 16-byte NTLMSSP_MESSAGE_SIGNATURE.
// For Kerberos it is the RFC 4121 wrap token as MS-KILE 3.4.5.4.1 splits it for SSPI: the 16-byte
// token header, then the part rotated to the front by RRC (the encrypted header copy, the HMAC and
// the confounder: cbSecurityTrailer, 60 bytes for AES), while the encrypted message stays in
// the data buffer - the layout remote/kerberos's Sealer makes and unmakes.
func (s *sspiSealer) Wrap(plain ...[]byte) ([]byte, []byte, error) {
	n := 0
	for _, p := range plain {
		n += len(p)
	}
	buf := make([]byte, n+int(s.sizes.BlockSize))
	off := 0
	for _, p := range plain {
		off += copy(buf[off:], p)
	}
	token := make([]byte, s.sizes.SecurityTrailer)
	tl, pl, err := s.ctx.Encrypt(token, buf[:n], buf[n:])
	if err != nil {
		return nil, nil, s.fail(err)
	}
	if tl < 0 || tl > len(token) || pl < 0 || pl > len(buf)-n {
		return nil, nil, fmt.Errorf("EncryptMessage returned %d token and %d padding bytes for buffers of %d and %d", tl, pl, len(token), len(buf)-n)
	}
	return token[:tl], buf[:n+pl], nil
}

// Unwrap is DecryptMessage (General),
// https://learn.microsoft.com/en-us/windows/win32/secauthn/decryptmessage--general. A message
// that was only signed (SECQOP_WRAP_NO_ENCRYPT) is refused: the host must seal every answer.
func (s *sspiSealer) Unwrap(header, sealed []byte) ([]byte, error) {
	plain, qop, err := s.ctx.Decrypt(append([]byte(nil), header...), append([]byte(nil), sealed...))
	if err != nil {
		return nil, s.fail(err)
	}
	if qop&secqopWrapNoEncrypt == secqopWrapNoEncrypt {
		return nil, errors.New("the host's answer was signed but not encrypted (SECQOP_WRAP_NO_ENCRYPT)")
	}
	return plain, nil
}

// fail makes an *AuthError of a failure of the context itself (it expired), so that the host
// is reported under auth; any other failure (a message altered) stays the host's answer's.
func (s *sspiSealer) fail(err error) error {
	var se *SSPIError
	if errors.As(err, &se) && sspiAuthFailure(se.Code) {
		return &AuthError{Mechanism: mechanismSSPI, Reason: s.pkg + " context: " + err.Error(), Err: err}
	}
	return err
}

// secChannelBindings is the SEC_CHANNEL_BINDINGS structure
// (https://learn.microsoft.com/en-us/windows/win32/api/sspi/ns-sspi-sec_channel_bindings) of
// the application data of TLS channel bindings (RFC 5929 "tls-server-end-point:" + hash): eight
// little-endian DWORDs, all zero but cbApplicationDataLength and dwApplicationDataOffset (the size
// of the structure, 32), then the data. It returns nil for no data.
func secChannelBindings(appData []byte) []byte {
	if len(appData) == 0 {
		return nil
	}
	const header = 32
	b := make([]byte, header+len(appData))
	binary.LittleEndian.PutUint32(b[24:], uint32(len(appData)))
	binary.LittleEndian.PutUint32(b[28:], header)
	copy(b[header:], appData)
	return b
}

// parseSECChannelBindings returns the application data of a SEC_CHANNEL_BINDINGS structure
// (for tests and fakes; the inverse of secChannelBindings).
func parseSECChannelBindings(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b) < 32 {
		return nil, fmt.Errorf("SEC_CHANNEL_BINDINGS of %d bytes", len(b))
	}
	n, off := binary.LittleEndian.Uint32(b[24:]), binary.LittleEndian.Uint32(b[28:])
	if uint64(off)+uint64(n) > uint64(len(b)) || off < 32 {
		return nil, fmt.Errorf("SEC_CHANNEL_BINDINGS: application data %d+%d outside %d bytes", off, n, len(b))
	}
	return b[off : off+n], nil
}

// CurrentLogon names the account that a Client with no user and no password authenticates as:
// on Windows the logged-on user (DOMAIN\user), through SSPI. ok is false where the platform has
// no SSPI: there a user is needed (or, for Kerberos, a ticket cache).
func CurrentLogon() (name string, ok bool) {
	p := platformSSPI()
	if p == nil {
		return "", false
	}
	return p.Identity(), true
}
