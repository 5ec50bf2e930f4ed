package main

import (
	"fmt"

	"github.com/tlsready/tlsready/remote"
	"github.com/tlsready/tlsready/report"
)

// currentLogon names the logged-on user when this platform authenticates as the current logon
// without a password (Windows, through SSPI): remote.CurrentLogon, or the test's e.logon.
func (e env) currentLogon() (string, bool) {
	if e.logon != nil {
		return e.logon()
	}
	return remote.CurrentLogon()
}

// useCurrentLogon says which identity a command without --user authenticates as (never a
// secret: the account name only), and refuses a password file, which belongs to --user.
func useCurrentLogon(e env, name, passwordFile string) error {
	if passwordFile != "" {
		return usagef("--password-file goes with --user: without --user your own Windows logon is used, with no password")
	}
	who := name
	if who == "" {
		who = "(name unknown)"
	}
	fmt.Fprintf(e.stderr, "authenticating as the current Windows logon %s (SSPI: Kerberos with your ticket, NTLM fallback); no password is read\n", report.Clean(who))
	if e.getenv("TLSREADY_PASSWORD") != "" {
		fmt.Fprintln(e.stderr, "note: TLSREADY_PASSWORD is not used without --user")
	}
	return nil
}
