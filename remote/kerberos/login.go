package kerberos

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
	"golang.org/x/sync/singleflight"
)

// LoginConfig says whose credentials a Login uses and how to reach the KDC.
type LoginConfig struct {
	// User is user@REALM, user@dns.domain (the realm is its upper case), DOMAIN\user (the realm
	// is Realm or krb5.conf's default_realm: a NetBIOS name is not a realm) or a bare user name.
	// It may be empty with a ticket cache, whose principal is then used.
	User string
	// Password logs in with an AS exchange. Empty means: use the ticket cache. It is never
	// logged nor put in an error.
	Password string
	// Realm overrides the realm of User and the default realm.
	Realm string
	// KDCs (host or host:port, port 88 by default) override the KDCs of krb5.conf for the realm.
	KDCs []string
	// Krb5Conf is the krb5.conf to read; "" means $KRB5_CONFIG, else /etc/krb5.conf. A missing
	// default file is no error when Realm (or a realm in User) is given: the KDCs then come
	// from KDCs or from DNS (_kerberos._tcp.REALM SRV records).
	Krb5Conf string
	// CCache is the ticket cache used without a password; "" means $KRB5CCNAME, else
	// /tmp/krb5cc_<uid>. Only file caches ("FILE:path" or a path) can be read.
	CCache string
}

// Login holds the Kerberos credentials of one scan: one AS exchange (or one ticket cache) for
// all its hosts, then a service ticket per host name, each fetched once. It is safe for
// concurrent use. Close it at the end of the scan: a password login renews its TGT in a
// goroutine until then.
type Login struct {
	cfg       LoginConfig
	krb5      *config.Config
	realm     string
	user      string // user name without realm
	fromCache bool
	kdcKnown  bool // the realm's KDCs are in krb5.conf or LoginConfig.KDCs (not from DNS)

	mu       sync.Mutex
	cl       *client.Client
	loggedIn bool
	err      error // the login's failure, final for the Login
	closed   bool

	tickets singleflight.Group
}

// NewLogin checks cfg and reads krb5.conf and, without a password, the ticket cache. It does not
// contact the KDC: the first ServiceTicket does.
func NewLogin(cfg LoginConfig) (*Login, error) {
	conf, err := loadKrb5Conf(cfg.Krb5Conf)
	if err != nil {
		return nil, err
	}
	l := &Login{cfg: cfg, krb5: conf}
	user, realm := splitUser(cfg.User)
	switch {
	case cfg.Realm != "":
		realm = strings.ToUpper(cfg.Realm)
	case realm == "":
		realm = conf.LibDefaults.DefaultRealm
	}
	// Message encryption is implemented for AES session keys: ask the KDC for those only.
	conf.LibDefaults.DefaultTGSEnctypeIDs = aesOnly(conf.LibDefaults.DefaultTGSEnctypeIDs)
	conf.LibDefaults.DefaultTktEnctypeIDs = aesOnly(conf.LibDefaults.DefaultTktEnctypeIDs)

	if cfg.Password == "" {
		path, err := ccachePath(cfg.CCache)
		if err != nil {
			return nil, err
		}
		cc, err := credentials.LoadCCache(path)
		if err != nil {
			return nil, fmt.Errorf("kerberos: no password and no usable ticket cache %s (run kinit, or give a password): %v", path, cleanErr(err))
		}
		cp := cc.DefaultPrincipal
		ccUser := strings.Join(cp.PrincipalName.NameString, "/")
		if user != "" && !strings.EqualFold(user, ccUser) {
			return nil, fmt.Errorf("kerberos: the ticket cache %s is %s's, not %s's", path, ccUser+"@"+cp.Realm, cfg.User)
		}
		if realm != "" && !strings.EqualFold(realm, cp.Realm) && cfg.Realm != "" {
			return nil, fmt.Errorf("kerberos: the ticket cache %s is of realm %s, not %s", path, cp.Realm, realm)
		}
		user, realm = ccUser, cp.Realm
		tgt, ok := cc.GetEntry(types.PrincipalName{NameType: 2, NameString: []string{"krbtgt", realm}})
		if !ok {
			return nil, fmt.Errorf("kerberos: the ticket cache %s holds no TGT of %s (run kinit)", path, realm)
		}
		if time.Now().After(tgt.EndTime) {
			return nil, fmt.Errorf("kerberos: the TGT in the ticket cache %s expired at %s (run kinit)", path, tgt.EndTime.Local().Format(time.DateTime))
		}
		if err := addKDCs(conf, realm, cfg.KDCs); err != nil {
			return nil, err
		}
		cl, err := client.NewFromCCache(cc, conf, client.DisablePAFXFAST(true))
		if err != nil {
			return nil, fmt.Errorf("kerberos: ticket cache %s: %v (run kinit again)", path, cleanErr(err))
		}
		l.cl, l.loggedIn, l.fromCache = cl, true, true
	} else {
		if user == "" {
			return nil, errors.New("kerberos: a password login needs a user name")
		}
		if realm == "" {
			return nil, fmt.Errorf("kerberos: no realm for user %q: give user@REALM or the realm, or set default_realm in krb5.conf", cfg.User)
		}
		if err := addKDCs(conf, realm, cfg.KDCs); err != nil {
			return nil, err
		}
		l.cl = client.NewWithPassword(user, realm, cfg.Password, conf, client.DisablePAFXFAST(true))
	}
	l.user, l.realm = user, realm
	l.kdcKnown = hasKDC(conf, realm)
	if !l.kdcKnown && !conf.LibDefaults.DNSLookupKDC {
		// As Windows does: the KDCs of a domain are in its DNS.
		conf.LibDefaults.DNSLookupKDC = true
	}
	return l, nil
}

// Principal is the client principal, user@REALM.
func (l *Login) Principal() string { return l.user + "@" + l.realm }

// Realm is the client's realm.
func (l *Login) Realm() string { return l.realm }

// HasConfiguredKDC reports whether the realm's KDCs are configured (krb5.conf or
// LoginConfig.KDCs) rather than to be found in DNS.
func (l *Login) HasConfiguredKDC() bool { return l.kdcKnown }

// String describes the login without secrets.
func (l *Login) String() string {
	src := "password"
	if l.fromCache {
		src = "ticket cache"
	}
	return fmt.Sprintf("kerberos.Login{%s, %s}", l.Principal(), src)
}

// GoString is String.
func (l *Login) GoString() string { return l.String() }

// Close ends the login: it stops the TGT renewal and forgets tickets and keys.
func (l *Login) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		l.cl.Destroy()
	}
}

// ensureLogin runs the AS exchange once for all callers.
func (l *Login) ensureLogin(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return errors.New("kerberos: login closed")
	case l.loggedIn:
		return nil
	case l.err != nil:
		// One login per scan, also when it fails: retrying for every host would lock the
		// account out (a refusal) or make every host wait for the KDC's timeout (no answer).
		return l.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := l.cl.Login(); err != nil {
		l.err = &LoginError{Principal: l.Principal(), Err: kdcError(err)}
		return l.err
	}
	l.loggedIn, l.err = true, nil
	return nil
}

// LoginError is a failed AS exchange (or an unusable ticket cache); it is the same error for
// every host of the scan.
type LoginError struct {
	Principal string
	Err       error
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("kerberos login of %s: %v", e.Principal, e.Err)
}

func (e *LoginError) Unwrap() error { return e.Err }

// ServiceTicket returns a ticket and its session key for spn ("HTTP/pc-17.corp.example"),
// logging in first if needed. Tickets are cached until they expire; concurrent requests for the
// same SPN make one TGS exchange.
func (l *Login) ServiceTicket(ctx context.Context, spn string) (messages.Ticket, types.EncryptionKey, error) {
	if err := l.ensureLogin(ctx); err != nil {
		return messages.Ticket{}, types.EncryptionKey{}, err
	}
	type result struct {
		tkt messages.Ticket
		key types.EncryptionKey
	}
	ch := l.tickets.DoChan(strings.ToLower(spn), func() (any, error) {
		tkt, key, err := l.cl.GetServiceTicket(spn)
		if err != nil {
			return nil, fmt.Errorf("kerberos: service ticket for %s: %w", spn, kdcError(err))
		}
		return result{tkt, key}, nil
	})
	select {
	case <-ctx.Done():
		return messages.Ticket{}, types.EncryptionKey{}, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return messages.Ticket{}, types.EncryptionKey{}, r.Err
		}
		res := r.Val.(result)
		return res.tkt, res.key, nil
	}
}

// clientIdentity is what an authenticator names: the client's realm and name.
func (l *Login) clientIdentity() (string, types.PrincipalName) {
	return l.cl.Credentials.Domain(), l.cl.Credentials.CName()
}

// splitUser reads user@realm, DOMAIN\user or user; the realm is upper-cased, a NetBIOS domain
// is dropped.
func splitUser(u string) (user, realm string) {
	if i := strings.LastIndexByte(u, '@'); i >= 0 {
		return u[:i], strings.ToUpper(u[i+1:])
	}
	if i := strings.IndexByte(u, '\\'); i >= 0 {
		return u[i+1:], ""
	}
	return u, ""
}

func loadKrb5Conf(path string) (*config.Config, error) {
	explicit := path != ""
	if path == "" {
		path = os.Getenv("KRB5_CONFIG")
		explicit = path != ""
		if i := strings.IndexByte(path, ':'); i >= 0 {
			path = path[:i] // MIT allows a list; the first one is the main one
		}
	}
	if path == "" {
		path = "/etc/krb5.conf"
	}
	c, err := config.Load(path)
	var unsupported config.UnsupportedDirective
	switch {
	case err == nil:
		return c, nil
	case errors.As(err, &unsupported):
		// gokrb5 reports directives it does not implement but loads the rest.
		return c, nil
	case !explicit && errors.Is(err, os.ErrNotExist):
		// No krb5.conf: the realm comes from the user name or a flag, the KDCs from a flag or DNS.
		return config.New(), nil
	}
	return nil, fmt.Errorf("kerberos: krb5.conf %s: %v", path, err)
}

func ccachePath(p string) (string, error) {
	if p == "" {
		p = os.Getenv("KRB5CCNAME")
	}
	if p == "" {
		return "/tmp/krb5cc_" + strconv.Itoa(os.Getuid()), nil
	}
	typ, rest, ok := strings.Cut(p, ":")
	if !ok || strings.HasPrefix(p, "/") {
		return p, nil
	}
	if strings.EqualFold(typ, "FILE") {
		return rest, nil
	}
	return "", fmt.Errorf("kerberos: ticket cache %q: only FILE caches can be read (kinit -c FILE:/tmp/krb5cc_scan, then KRB5CCNAME=FILE:/tmp/krb5cc_scan)", p)
}

func addKDCs(c *config.Config, realm string, kdcs []string) error {
	if len(kdcs) == 0 {
		return nil
	}
	var list []string
	for _, k := range kdcs {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(k); err != nil {
			k = net.JoinHostPort(strings.Trim(k, "[]"), "88")
		}
		list = append(list, k)
	}
	for i := range c.Realms {
		if strings.EqualFold(c.Realms[i].Realm, realm) {
			c.Realms[i].KDC = list
			return nil
		}
	}
	c.Realms = append(c.Realms, config.Realm{Realm: realm, KDC: list})
	return nil
}

func hasKDC(c *config.Config, realm string) bool {
	for _, r := range c.Realms {
		if r.Realm == realm && len(r.KDC) > 0 {
			return true
		}
	}
	return false
}

func aesOnly(ids []int32) []int32 {
	var out []int32
	for _, id := range ids {
		if supportedEtype(id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		out = []int32{etypeID.AES256_CTS_HMAC_SHA1_96, etypeID.AES128_CTS_HMAC_SHA1_96}
	}
	return out
}

var krbCodeRE = regexp.MustCompile(`\b(KDC_ERR_[A-Z_]+|KRB_AP_ERR_[A-Z_]+|KRB_ERR_[A-Z_]+)\b`)

// kdcErrors explains the KDC's answers an administrator meets.
var kdcErrors = map[string]string{
	"KDC_ERR_C_PRINCIPAL_UNKNOWN": "user unknown to the KDC",
	"KDC_ERR_PREAUTH_FAILED":      "password rejected",
	"KRB_AP_ERR_BAD_INTEGRITY":    "password rejected",
	"KDC_ERR_CLIENT_REVOKED":      "account disabled, locked out or expired",
	"KDC_ERR_KEY_EXPIRED":         "password expired: change it first",
	"KDC_ERR_S_PRINCIPAL_UNKNOWN": "no such service principal: the host is not known to the domain under this name (use the computer's DNS name, not an address or alias)",
	"KDC_ERR_ETYPE_NOSUPP":        "no common AES encryption type with the KDC (message encryption needs AES)",
	"KRB_AP_ERR_SKEW":             "clock skew too great between this machine and the KDC",
	"KDC_ERR_WRONG_REALM":         "wrong realm",
	"KDC_ERR_POLICY":              "refused by the KDC's policy",
	"KRB_AP_ERR_MODIFIED":         "the host could not decrypt the ticket: its keys differ from the domain's (password or keytab changed, or the SPN belongs to another account)",
	"KRB_AP_ERR_TKT_EXPIRED":      "ticket expired",
	"KRB_AP_ERR_TKT_NYV":          "ticket not yet valid (clock skew)",
	"KRB_AP_ERR_REPEAT":           "the host saw this authenticator before (replay)",
	"KRB_AP_ERR_BADMATCH":         "ticket and authenticator name different clients",
	"KRB_AP_ERR_NOKEY":            "the host has no key for the ticket's encryption type",
}

// kdcError shortens gokrb5's nested messages to the KDC's error code and its meaning, or to a
// network failure.
func kdcError(err error) error {
	msg := cleanErr(err)
	if m := krbCodeRE.FindString(msg); m != "" {
		if text, ok := kdcErrors[m]; ok {
			return &KDCError{Code: m, Text: text}
		}
		return &KDCError{Code: m, Text: "refused by the KDC"}
	}
	if strings.Contains(msg, "communicat") || strings.Contains(msg, "no KDC") || strings.Contains(msg, "dial") ||
		strings.Contains(msg, "SRV") {
		return fmt.Errorf("KDC unreachable: %s", msg)
	}
	return errors.New(msg)
}

// KDCError is the KDC's refusal of a request.
type KDCError struct {
	Code string // KDC_ERR_PREAUTH_FAILED...
	Text string
}

func (e *KDCError) Error() string { return e.Text + " (" + e.Code + ")" }

// IsKDCRefusal reports whether err is the KDC's refusal (a *KDCError), rather than a KDC that
// could not be reached.
func IsKDCRefusal(err error) bool {
	var ke *KDCError
	return errors.As(err, &ke)
}

// cleanErr flattens a gokrb5 error to one line.
func cleanErr(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	s = strings.ReplaceAll(s, "[Root cause: ", "[")
	return s
}
