//go:build windows

package discover

import (
	"fmt"
	"net"

	"github.com/go-ldap/ldap/v3"
	"github.com/go-ldap/ldap/v3/gssapi"
)

// currentLogonBind is true: with no user and no password, Windows binds as the logged-on user.
const currentLogonBind = true

// sspiBind is a SASL GSSAPI bind (RFC 4752) for ldap/<DC host name> with the logged-on user's
// Kerberos ticket, through SSPI's Kerberos package
// (https://learn.microsoft.com/en-us/windows/win32/secauthn/initializesecuritycontext--kerberos).
// Over LDAPS or StartTLS it carries the channel bindings of the DC's certificate (RFC 5929
// tls-server-end-point, for AD's LDAP channel binding); as with kerberosBind no SASL security
// layer is negotiated, which is why the connection must be TLS.
func sspiBind(conn *ldap.Conn, ep endpoint) error {
	host := ep.serverName
	if net.ParseIP(host) != nil {
		return fmt.Errorf("the current logon binds with Kerberos, which needs the DC's DNS name for its service principal ldap/<host>, not the address %s: use a URL with the DC's name or --ldap-tls-server-name", host)
	}
	var (
		cl  *gssapi.SSPIClient
		err error
	)
	if cs, ok := conn.TLSConnectionState(); ok && len(cs.PeerCertificates) > 0 {
		cl, err = gssapi.NewSSPIClientWithChannelBinding(cs.PeerCertificates[0])
	} else {
		cl, err = gssapi.NewSSPIClient()
	}
	if err != nil {
		return fmt.Errorf("credentials of the current logon (SSPI Kerberos): %w", err)
	}
	defer cl.Close()
	return conn.GSSAPIBind(cl, "ldap/"+host, "")
}
