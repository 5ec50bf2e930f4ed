package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/tlsready/tlsready/discover"
	"github.com/tlsready/tlsready/internal/safejson"
	"github.com/tlsready/tlsready/internal/sheet"
	"github.com/tlsready/tlsready/report"
	"github.com/tlsready/tlsready/scan"
)

const discoverSynopsis = `Usage: tlsready discover --ou DN (--ldap-url URL ... | --domain DOMAIN) --user USER [flags]

Lists the computers of an Active Directory OU (paged LDAP search; enabled computers only unless
--include-disabled) with their DNS names and the operating system AD records, and flags the ones
whose OS is certainly unsupported before anything connects to them (why: in --json). Prints a
table, or --json (one object per computer), or writes --out FILE for
"tlsready scan --targets-file FILE". Nothing connects to the computers themselves.
`

func runDiscover(ctx context.Context, e env, args []string) (int, error) {
	fs := newFlagSet(e, "discover", discoverSynopsis)
	var lf ldapFlags
	var user, passwordFile, realm, krb5Conf, out, port string
	var asJSON bool
	lf.register(fs)
	fs.StringVar(&user, "user", "", `account to bind with: DOMAIN\user or user@domain`)
	fs.StringVar(&passwordFile, "password-file", "", "read the password from the first line of this file (else TLSREADY_PASSWORD, else a prompt)")
	fs.StringVar(&realm, "realm", "", "Kerberos realm for --ldap-bind kerberos")
	fs.StringVar(&krb5Conf, "krb5-conf", "", "krb5.conf for --ldap-bind kerberos")
	fs.StringVar(&out, "out", "", "write the targets to this file, one per line, for scan --targets-file")
	fs.StringVar(&port, "port", "5985", "WinRM port of the --resolve addresses given without one")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per computer instead of a table")
	var force bool
	registerForce(fs, &force)
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if err := checkOutput("--out", out, force, []namedPath{{"--password-file", passwordFile}, {"--ldap-password-file", lf.passwordFile}, {"--krb5-conf", krb5Conf}}, ""); err != nil {
		return exitUsage, err
	}
	if _, err := lf.config("", "", realm, krb5Conf); err != nil {
		return exitUsage, err
	}
	if lf.user != "" {
		user, passwordFile = lf.user, lf.passwordFile
	}
	pw, err := accountPassword(e, user, passwordFile, lf.bind == "kerberos")
	if err != nil {
		return exitUsage, err
	}
	cfg, err := lf.config(user, pw, realm, krb5Conf)
	if err != nil {
		return exitUsage, err
	}
	resolve, err := lf.resolver(targetDefaults{Port: port})
	if err != nil {
		return exitUsage, err
	}
	targets, _, derr := discoverTargets(ctx, e, cfg, resolve, port)
	if derr != nil && len(targets) > 0 {
		// Keep what was found before the failure, marked as incomplete.
		fmt.Fprintf(e.stderr, "WARNING: discovery stopped early; the %d computer(s) found so far are listed, the OU may hold more\n", len(targets))
	}
	if derr != nil && len(targets) == 0 {
		return exitUsage, derr
	}
	if code, err := printDiscovered(e, cfg, targets, out, force, port, asJSON); err != nil {
		return code, err
	}
	if derr != nil {
		return exitUsage, derr
	}
	return exitReady, nil
}

// printDiscovered writes the targets file (--out) and the table or JSON lines.
func printDiscovered(e env, cfg discover.Config, targets []scan.Target, out string, force bool, port string, asJSON bool) (int, error) {
	if out != "" {
		var b strings.Builder
		b.WriteString("# tlsready discover --ou " + report.Clean(cfg.BaseDN) + "\n")
		for _, t := range targets {
			// A plain DNS name lets scan apply its own port (5985, or 5986 with --https).
			switch {
			case t.Scheme != "": // kept: an https:// --resolve address is scanned over HTTPS
				fmt.Fprintf(&b, "%s %s://%s/wsman\n", sheet.StripControls(t.Name), t.Scheme, sheet.StripControls(t.Address))
			case t.Address == net.JoinHostPort(t.Name, port):
				b.WriteString(sheet.StripControls(t.Name) + "\n")
			default:
				fmt.Fprintf(&b, "%s=%s\n", sheet.StripControls(t.Name), sheet.StripControls(t.Address))
			}
		}
		if err := writeFileAtomic(e, "--out", out, force, func(w io.Writer) error {
			_, err := io.WriteString(w, b.String())
			return err
		}); err != nil {
			return exitUsage, err
		}
		fmt.Fprintf(e.stderr, "%d target(s) written to %s\n", len(targets), out)
	}
	if asJSON {
		for _, t := range targets {
			if err := safejson.Encode(e.stdout, t.AD, ""); err != nil {
				return exitUsage, err
			}
		}
		return exitReady, nil
	}
	return exitReady, report.DiscoveredTable(e.stdout, targets)
}
