//go:build !windows

package discover

import (
	"errors"

	"github.com/go-ldap/ldap/v3"
)

// currentLogonBind is false: only Windows binds as the logged-on user. Elsewhere no user means
// the Kerberos ticket cache (--ldap-bind kerberos) or an error, as before.
const currentLogonBind = false

func sspiBind(*ldap.Conn, endpoint) error {
	return errors.New("binding as the current logon needs Windows (SSPI)")
}
