package discover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"

	"github.com/go-ldap/ldap/v3"
	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
)

// bindSSPI is the bind mode of the current Windows logon: SASL GSSAPI through SSPI's Kerberos
// package (go-ldap's gssapi.SSPIClient), with no user and no password anywhere.
const bindSSPI = "sspi"

func checkBind(cfg Config) (string, error) { return checkBindFor(cfg, currentLogonBind) }

// checkBindFor checks the bind configuration; currentLogon says whether the platform can bind
// as the logged-on user (Windows): then no user and no password means that, whatever the mode.
func checkBindFor(cfg Config, currentLogon bool) (string, error) {
	mode := strings.ToLower(cfg.Bind)
	if currentLogon && cfg.User == "" && cfg.Password == "" {
		switch mode {
		case "", "simple", "kerberos", "ntlm":
			return bindSSPI, nil
		}
	}
	switch mode {
	case "", "simple":
		mode = "simple"
		if cfg.User == "" || cfg.Password == "" {
			return "", errors.New("ldap: a simple bind needs a user and a password (Active Directory does not let anonymous binds search)")
		}
	case "ntlm":
		if cfg.User == "" || cfg.Password == "" {
			return "", errors.New("ldap: an NTLM bind needs a user and a password")
		}
	case "kerberos":
		if cfg.Password != "" && cfg.User == "" {
			return "", errors.New("ldap: a Kerberos login with a password needs a user name")
		}
	default:
		return "", fmt.Errorf("ldap: bind %q: want simple, kerberos or ntlm", cfg.Bind)
	}
	return mode, nil
}

func bindName(cfg Config, mode string) string {
	if mode == bindSSPI {
		return "the current Windows logon (SSPI Kerberos)"
	}
	name := cfg.User
	if name == "" {
		name = "the ticket cache's principal"
	}
	if mode != "simple" {
		name += " (" + mode + ")"
	}
	return name
}

func bind(ctx context.Context, conn *ldap.Conn, cfg Config, mode string, ep endpoint) error {
	switch mode {
	case "ntlm":
		domain, user := splitNT(cfg.User)
		err := conn.NTLMBind(domain, user, cfg.Password)
		var le *ldap.Error
		if err != nil && (!errors.As(err, &le) || le.ResultCode >= 200) { // not an LDAP result: the connection broke
			return fmt.Errorf("the DC closed the connection during the NTLM bind (Samba does so with this client's NTLM; use a simple or Kerberos bind): %w", err)
		}
		return err
	case "kerberos":
		return kerberosBind(conn, cfg, ep)
	case bindSSPI:
		return sspiBind(conn, ep)
	default:
		// AD takes user@corp.example and CORP\user as the bind name.
		return conn.Bind(cfg.User, cfg.Password)
	}
}

// splitNT splits CORP\user into CORP and user; user@corp.example stays whole (NTLM takes UPNs).
func splitNT(u string) (domain, user string) {
	if d, n, ok := strings.Cut(u, `\`); ok {
		return d, n
	}
	return "", u
}

// kerberosBind is a SASL GSSAPI bind for the service ldap/<DC host name>. go-ldap negotiates no
// security layer, which is why the connection must be LDAPS or StartTLS (AD refuses a
// layer-less GSSAPI bind in clear, and it would expose the search).
func kerberosBind(conn *ldap.Conn, cfg Config, ep endpoint) error {
	host := ep.serverName
	if net.ParseIP(host) != nil {
		return fmt.Errorf("kerberos needs the DC's DNS name for its service principal ldap/<host>, not the address %s: use a URL with the DC's name or --tls-server-name", host)
	}
	cl, err := krbClient(cfg, host)
	if err != nil {
		return err
	}
	defer cl.Destroy()
	sc := &saslKerberos{cl: cl}
	if cs, ok := conn.TLSConnectionState(); ok {
		sc.binding = tlsServerEndPoint(cs)
	}
	return conn.GSSAPIBind(sc, "ldap/"+host, "")
}

func krbClient(cfg Config, dcHost string) (*client.Client, error) {
	user, realm := cfg.User, ""
	if _, n, ok := strings.Cut(user, `\`); ok {
		user = n // a NetBIOS name is not a realm
	} else if n, r, ok := strings.Cut(user, "@"); ok {
		user, realm = n, strings.ToUpper(r)
	}
	if cfg.Realm != "" {
		realm = strings.ToUpper(cfg.Realm)
	}
	conf, err := krb5Conf(cfg, realm, dcHost)
	if err != nil {
		return nil, err
	}
	if realm == "" {
		realm = conf.LibDefaults.DefaultRealm
	}
	if realm == "" && cfg.Domain != "" {
		realm = strings.ToUpper(cfg.Domain)
	}
	settings := client.DisablePAFXFAST(true)
	if cfg.Password == "" {
		path := os.Getenv("KRB5CCNAME")
		if path == "" {
			path = fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid())
		}
		path = strings.TrimPrefix(path, "FILE:")
		cc, err := credentials.LoadCCache(path)
		if err != nil {
			return nil, fmt.Errorf("kerberos: no password and no usable ticket cache %s (run kinit, or give a password): %v", path, err)
		}
		cl, err := client.NewFromCCache(cc, conf, settings)
		if err != nil {
			return nil, fmt.Errorf("kerberos: ticket cache %s: %v", path, err)
		}
		return cl, nil
	}
	if realm == "" {
		return nil, fmt.Errorf("kerberos: no realm for %q: give user@REALM or the realm", cfg.User)
	}
	cl := client.NewWithPassword(user, realm, cfg.Password, conf, settings)
	if err := cl.Login(); err != nil {
		return nil, fmt.Errorf("kerberos login of %s@%s: %s", user, realm, kdcWords(err))
	}
	return cl, nil
}

// krb5Conf reads cfg.Krb5Conf, $KRB5_CONFIG or /etc/krb5.conf; with none of them, the DC is the
// KDC of the realm (every AD DC is one).
func krb5Conf(cfg Config, realm, dcHost string) (*config.Config, error) {
	path := cfg.Krb5Conf
	if path == "" {
		path = os.Getenv("KRB5_CONFIG")
	}
	explicit := path != ""
	if path == "" {
		path = "/etc/krb5.conf"
	}
	conf, err := config.Load(path)
	if err == nil {
		return conf, nil
	}
	if explicit || !errors.Is(err, os.ErrNotExist) && !strings.Contains(err.Error(), "no such file") {
		return nil, fmt.Errorf("kerberos: %s: %v", path, err)
	}
	if realm == "" {
		return nil, fmt.Errorf("kerberos: no %s and no realm: give --realm or a krb5.conf", path)
	}
	return config.NewFromString(fmt.Sprintf("[libdefaults]\n default_realm = %s\n dns_lookup_kdc = true\n\n[realms]\n %s = {\n  kdc = %s:88\n }\n",
		realm, realm, dcHost))
}

var krbErrCode = regexp.MustCompile(`KRB Error: \((\d+)\) (\w+)`)

// kdcWords puts the KDC's refusal of a login into words.
func kdcWords(err error) string {
	m := krbErrCode.FindStringSubmatch(err.Error())
	if m == nil {
		return err.Error()
	}
	words := map[string]string{
		"6":  "no such user",
		"18": "account disabled, locked out or expired",
		"23": "password expired",
		"24": "wrong password",
		"37": "clock skew too great: sync this machine's clock with the DC",
	}[m[1]]
	if words == "" {
		return "refused by the KDC (" + m[2] + ")"
	}
	return words + " (" + m[2] + ")"
}
