//go:build windows

package remote

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
)

// The Windows half of TestSSPIUnderWine (sspi_wine_test.go), run by it as a Windows test binary
// under Wine: an explicit-credential SSPI handshake (AcquireCredentialsHandle with a
// SEC_WINNT_AUTH_IDENTITY, the TEST HOOK of windowsSSPI) through the same SecurityContext code
// as the current logon, with MS-WSMV sealing by EncryptMessage and DecryptMessage, against the
// Linux simulated host at TLSREADY_SSPI_TEST_ADDR. Without that variable it is skipped: a
// Windows logon session with a Kerberos ticket cannot be faked here.
//
//	TLSREADY_SSPI_TEST_ADDR      host:port of the WinRM host (HTTP)
//	TLSREADY_SSPI_TEST_USER      DOMAIN\user
//	TLSREADY_SSPI_TEST_PASSWORD  its password
//	TLSREADY_SSPI_TEST_PACKAGE   Negotiate (default), NTLM or Kerberos
//	TLSREADY_SSPI_TEST_SPN_HOST  the host name of the SPN HTTP/<name>, when not the address's
//	TLSREADY_SSPI_TEST_RUN       the command to run (default hostname)
//
//	TLSREADY_SSPI_TEST_COLLECT   set: run the collector (Collect) instead, print the facts
//
// With TLSREADY_SSPI_TEST_USER empty it is the current logon itself (no test hook): Wine has no
// logon session with credentials (see TestSSPIUnderWine).
//
// It prints one line, "SSPI-RESULT package=<asked> identity=<name> negotiated=<package> attrs=<ISC_RET>
// trailer=<n> block=<n> sealed=<n> unsealed=<n> stdout=<quoted>" or "SSPI-ERROR category=<c>
// rejected=<bool> identity=<name> ... <error>", for the Linux side to judge.
func TestSSPIExplicitCredentials(t *testing.T) {
	addr := os.Getenv("TLSREADY_SSPI_TEST_ADDR")
	if addr == "" {
		t.Skip("TLSREADY_SSPI_TEST_ADDR not set: run by TestSSPIUnderWine")
	}
	domain, user, _ := strings.Cut(os.Getenv("TLSREADY_SSPI_TEST_USER"), `\`)
	auth := AuthNegotiate
	switch pkg := os.Getenv("TLSREADY_SSPI_TEST_PACKAGE"); {
	case strings.EqualFold(pkg, sspiNTLM):
		auth = AuthNTLM
	case strings.EqualFold(pkg, sspiKerberos):
		auth = AuthKerberos
	}
	command := os.Getenv("TLSREADY_SSPI_TEST_RUN")
	if command == "" {
		command = "hostname"
	}
	ep, err := ParseEndpoint(addr)
	if err != nil {
		t.Fatal(err)
	}
	w := windowsSSPI{domain: domain, user: user, password: os.Getenv("TLSREADY_SSPI_TEST_PASSWORD")}
	rec := &recordingSSPI{windowsSSPI: w}
	cfg := Config{Auth: auth, Timeout: 30 * time.Second, sspi: rec}
	if h := os.Getenv("TLSREADY_SSPI_TEST_SPN_HOST"); h != "" {
		cfg.Kerberos.ServiceHost = func(Endpoint) string { return h }
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out []byte
	if os.Getenv("TLSREADY_SSPI_TEST_COLLECT") != "" {
		var f *facts.Facts
		if f, err = c.Collect(context.Background(), ep, checks.Items()); err == nil {
			out = facts.Encode(f)
		}
	} else {
		var res RunResult
		res, err = c.Run(context.Background(), ep, command, nil)
		out = res.Stdout
	}
	if err != nil {
		fmt.Printf("SSPI-ERROR category=%s rejected=%t identity=%q %s %v\n", CategoryOf(err), CredentialsRejected(err), w.Identity(), rec, err)
		return
	}
	fmt.Printf("SSPI-RESULT package=%s identity=%q %s stdout=%q\n", c.sspi.pkg, w.Identity(), rec, out)
}

// recordingSSPI is windowsSSPI that notes what the last context reported: its package,
// attributes and sizes, and the sealing calls made.
type recordingSSPI struct {
	windowsSSPI
	last *recordingContext
}

func (r *recordingSSPI) Acquire(pkg string) (sspiCredentials, error) {
	c, err := r.windowsSSPI.Acquire(pkg)
	if err != nil {
		return nil, err
	}
	return &recordingCreds{sspiCredentials: c, r: r}, nil
}

func (r *recordingSSPI) String() string {
	if r.last == nil {
		return "no-context"
	}
	c := r.last
	return fmt.Sprintf("negotiated=%s attrs=0x%x trailer=%d block=%d sealed=%d unsealed=%d", c.pkg, c.attrs, c.sizes.SecurityTrailer, c.sizes.BlockSize, c.sealed, c.unsealed)
}

type recordingCreds struct {
	sspiCredentials
	r *recordingSSPI
}

func (c *recordingCreds) NewContext(spn string, req uint32) sspiContext {
	rc := &recordingContext{sspiContext: c.sspiCredentials.NewContext(spn, req)}
	c.r.last = rc
	return rc
}

type recordingContext struct {
	sspiContext
	sealed, unsealed int
	// noted at the first message, while the context lives
	pkg   string
	attrs uint32
	sizes sspiSizes
}

func (c *recordingContext) Encrypt(token, data, padding []byte) (int, int, error) {
	if c.sealed == 0 {
		c.pkg, c.attrs = c.Package(), c.Attributes()
		c.sizes, _ = c.Sizes()
	}
	c.sealed++
	return c.sspiContext.Encrypt(token, data, padding)
}

func (c *recordingContext) Decrypt(token, data []byte) ([]byte, uint32, error) {
	c.unsealed++
	return c.sspiContext.Decrypt(token, data)
}
