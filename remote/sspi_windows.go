//go:build windows

package remote

import (
	"errors"
	"os/user"
	"sync"
	"syscall"
	"unsafe"

	"github.com/alexbrainman/sspi"
	"golang.org/x/sys/windows"
)

// platformSSPI is Windows' SSPI (secur32.dll) as the current logon session.
func platformSSPI() sspiProvider { return windowsSSPI{} }

// windowsSSPI calls secur32.dll through github.com/alexbrainman/sspi. With a user it acquires
// explicit credentials (SEC_WINNT_AUTH_IDENTITY) instead of the logon session's: a TEST HOOK
// only (sspi_windows_test.go, run under Wine), never set by the program.
type windowsSSPI struct {
	domain, user, password string
}

// Identity is GetUserNameEx(NameSamCompatible): DOMAIN\user
// (https://learn.microsoft.com/en-us/windows/win32/api/secext/nf-secext-getusernameexw).
func (w windowsSSPI) Identity() string {
	if w.user != "" {
		return w.domain + `\` + w.user
	}
	n := uint32(256)
	for range 3 {
		buf := make([]uint16, n)
		err := windows.GetUserNameEx(windows.NameSamCompatible, &buf[0], &n)
		if err == nil {
			return windows.UTF16ToString(buf[:n])
		}
		if !errors.Is(err, windows.ERROR_MORE_DATA) {
			break
		}
	}
	// No name service: the name of the process's token.
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// Acquire is AcquireCredentialsHandle(SECPKG_CRED_OUTBOUND) of the package
// (https://learn.microsoft.com/en-us/windows/win32/secauthn/acquirecredentialshandle--negotiate).
func (w windowsSSPI) Acquire(pkg string) (sspiCredentials, error) {
	var authData *byte
	var id *sspi.SEC_WINNT_AUTH_IDENTITY
	if w.user != "" {
		var err error
		if id, err = authIdentity(w.domain, w.user, w.password); err != nil {
			return nil, err
		}
		authData = (*byte)(unsafe.Pointer(id))
	}
	info, err := sspi.QueryPackageInfo(pkg)
	if err != nil {
		return nil, statusError("QuerySecurityPackageInfo", err)
	}
	cred, err := sspi.AcquireCredentials("", pkg, sspi.SECPKG_CRED_OUTBOUND, authData)
	if err != nil {
		return nil, statusError("AcquireCredentialsHandle", err)
	}
	return &windowsCredentials{cred: cred, pkg: pkg, maxToken: info.MaxToken}, nil
}

// authIdentity is a SEC_WINNT_AUTH_IDENTITY_W of explicit credentials (test hook only).
func authIdentity(domain, user, password string) (*sspi.SEC_WINNT_AUTH_IDENTITY, error) {
	d, err := syscall.UTF16FromString(domain)
	if err != nil {
		return nil, err
	}
	u, err := syscall.UTF16FromString(user)
	if err != nil {
		return nil, err
	}
	p, err := syscall.UTF16FromString(password)
	if err != nil {
		return nil, err
	}
	return &sspi.SEC_WINNT_AUTH_IDENTITY{
		User: &u[0], UserLength: uint32(len(u) - 1),
		Domain: &d[0], DomainLength: uint32(len(d) - 1),
		Password: &p[0], PasswordLength: uint32(len(p) - 1),
		Flags: sspi.SEC_WINNT_AUTH_IDENTITY_UNICODE,
	}, nil
}

// statusError makes an *SSPIError of an error returned by the sspi package.
func statusError(op string, err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return &SSPIError{Op: op, Code: uint32(errno)}
	}
	return err
}

type windowsCredentials struct {
	cred     *sspi.Credentials
	pkg      string
	maxToken uint32
	once     sync.Once
}

func (c *windowsCredentials) NewContext(spn string, req uint32) sspiContext {
	name, _ := syscall.UTF16PtrFromString(spn)
	return &windowsContext{ctx: sspi.NewClientContext(c.cred, req), spn: name, pkg: c.pkg, maxToken: c.maxToken}
}

// Free is FreeCredentialsHandle.
func (c *windowsCredentials) Free() error {
	var err error
	c.once.Do(func() { err = c.cred.Release() })
	return err
}

type windowsContext struct {
	ctx      *sspi.Context
	spn      *uint16
	pkg      string
	maxToken uint32
	started  bool
}

// Step is InitializeSecurityContext
// (https://learn.microsoft.com/en-us/windows/win32/secauthn/initializesecuritycontext--negotiate),
// with the server's token and the channel bindings in the input buffers, then CompleteAuthToken
// when the package asks for it.
func (c *windowsContext) Step(input, bindings []byte) ([]byte, bool, error) {
	var in [2]sspi.SecBuffer
	n := 0
	if len(input) > 0 {
		in[n].Set(sspi.SECBUFFER_TOKEN, input)
		n++
	}
	if len(bindings) > 0 {
		in[n].Set(sspi.SECBUFFER_CHANNEL_BINDINGS, bindings)
		n++
	}
	var inDesc *sspi.SecBufferDesc
	if n > 0 {
		inDesc = &sspi.SecBufferDesc{Version: sspi.SECBUFFER_VERSION, BuffersCount: uint32(n), Buffers: &in[0]}
	}
	out := make([]byte, c.maxToken)
	var ob [1]sspi.SecBuffer
	ob[0].Set(sspi.SECBUFFER_TOKEN, out)
	outDesc := sspi.NewSecBufferDesc(ob[:])
	c.started = true
	ret := c.ctx.Update(c.spn, outDesc, inDesc)
	complete := false
	switch ret {
	case sspi.SEC_E_OK:
		complete = true
	case sspi.SEC_I_CONTINUE_NEEDED:
	case sspi.SEC_I_COMPLETE_NEEDED, sspi.SEC_I_COMPLETE_AND_CONTINUE:
		if r := sspi.CompleteAuthToken(c.ctx.Handle, outDesc); r != sspi.SEC_E_OK {
			return nil, false, &SSPIError{Op: "CompleteAuthToken", Code: uint32(r)}
		}
		complete = ret == sspi.SEC_I_COMPLETE_NEEDED
	default:
		return nil, false, &SSPIError{Op: "InitializeSecurityContext", Code: uint32(ret)}
	}
	size := int(ob[0].BufferSize)
	if size > len(out) {
		size = len(out)
	}
	return out[:size], complete, nil
}

// secpkgAttrFlags is SECPKG_ATTR_FLAGS.
const secpkgAttrFlags = 14

// Attributes are those InitializeSecurityContext returned (pfContextAttr), and those
// QueryContextAttributes(SECPKG_ATTR_FLAGS) reports
// (https://learn.microsoft.com/en-us/windows/win32/api/sspi/ns-sspi-secpkgcontext_flags):
// Wine's NTLM package (dlls/msv1_0) never fills pfContextAttr, and reports the negotiated
// sealing only through SECPKG_ATTR_FLAGS.
func (c *windowsContext) Attributes() uint32 {
	attrs := c.ctx.EstablishedFlags
	if c.started && c.ctx.Handle != nil {
		var flags uint32 // SecPkgContext_Flags
		if sspi.QueryContextAttributes(c.ctx.Handle, secpkgAttrFlags, (*byte)(unsafe.Pointer(&flags))) == sspi.SEC_E_OK {
			attrs |= flags
		}
	}
	return attrs
}

// secPkgContextNegotiationInfo is SecPkgContext_NegotiationInfoW.
type secPkgContextNegotiationInfo struct {
	PackageInfo      *sspi.SecPkgInfo
	NegotiationState uint32
}

// secpkgAttrNegotiationInfo is SECPKG_ATTR_NEGOTIATION_INFO.
const secpkgAttrNegotiationInfo = 12

// Package is the package Negotiate chose, from QueryContextAttributes(SECPKG_ATTR_NEGOTIATION_INFO)
// (https://learn.microsoft.com/en-us/windows/win32/api/sspi/ns-sspi-secpkgcontext_negotiationinfow);
// for the Kerberos and NTLM packages themselves, their name.
func (c *windowsContext) Package() string {
	if c.pkg != sspiNegotiate {
		return c.pkg
	}
	if !c.started || c.ctx.Handle == nil {
		return ""
	}
	var ni secPkgContextNegotiationInfo
	if sspi.QueryContextAttributes(c.ctx.Handle, secpkgAttrNegotiationInfo, (*byte)(unsafe.Pointer(&ni))) != sspi.SEC_E_OK || ni.PackageInfo == nil {
		return ""
	}
	defer sspi.FreeContextBuffer((*byte)(unsafe.Pointer(ni.PackageInfo)))
	if ni.PackageInfo.Name == nil {
		return ""
	}
	return windows.UTF16PtrToString(ni.PackageInfo.Name)
}

func (c *windowsContext) Sizes() (sspiSizes, error) {
	if !c.started || c.ctx.Handle == nil {
		return sspiSizes{}, errors.New("SSPI: no context")
	}
	maxToken, maxSig, block, trailer, err := c.ctx.Sizes()
	if err != nil {
		return sspiSizes{}, statusError("QueryContextAttributes(SECPKG_ATTR_SIZES)", err)
	}
	return sspiSizes{MaxToken: maxToken, MaxSignature: maxSig, BlockSize: block, SecurityTrailer: trailer}, nil
}

// Encrypt is EncryptMessage with TOKEN, DATA and PADDING buffers.
func (c *windowsContext) Encrypt(token, data, padding []byte) (int, int, error) {
	var b [3]sspi.SecBuffer
	b[0].Set(sspi.SECBUFFER_TOKEN, token)
	b[1].Set(sspi.SECBUFFER_DATA, data)
	b[2].Set(sspi.SECBUFFER_PADDING, padding)
	if ret := sspi.EncryptMessage(c.ctx.Handle, 0, sspi.NewSecBufferDesc(b[:]), 0); ret != sspi.SEC_E_OK {
		return 0, 0, &SSPIError{Op: "EncryptMessage", Code: uint32(ret)}
	}
	if int(b[1].BufferSize) != len(data) {
		return 0, 0, errors.New("EncryptMessage changed the length of the data")
	}
	return int(b[0].BufferSize), int(b[2].BufferSize), nil
}

// Decrypt is DecryptMessage with TOKEN and DATA buffers; the data is unsealed in place (its
// buffer may be moved within the message by the package).
func (c *windowsContext) Decrypt(token, data []byte) ([]byte, uint32, error) {
	var b [2]sspi.SecBuffer
	b[0].Set(sspi.SECBUFFER_TOKEN, token)
	b[1].Set(sspi.SECBUFFER_DATA, data)
	var qop uint32
	if ret := sspi.DecryptMessage(c.ctx.Handle, sspi.NewSecBufferDesc(b[:]), 0, &qop); ret != sspi.SEC_E_OK {
		return nil, 0, &SSPIError{Op: "DecryptMessage", Code: uint32(ret)}
	}
	return append([]byte(nil), b[1].Bytes()...), qop, nil
}

// Free is DeleteSecurityContext.
func (c *windowsContext) Free() error {
	if !c.started || c.ctx.Handle == nil {
		return nil
	}
	c.started = false
	return c.ctx.Release()
}
