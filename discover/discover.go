package discover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Computer is one computer object of the directory, a scan target with its AD facts.
type Computer struct {
	Name            string    `json:"name"`                  // sAMAccountName without $ (or cn)
	DNSHostName     string    `json:"dnsHostName"`           // dNSHostName, or name + "." + domain when absent
	DNSFromName     bool      `json:"dnsFromName,omitempty"` // DNSHostName was made up from name + domain
	OperatingSystem string    `json:"operatingSystem,omitempty"`
	OSVersion       string    `json:"operatingSystemVersion,omitempty"`
	OSServicePack   string    `json:"operatingSystemServicePack,omitempty"`
	DN              string    `json:"dn"`
	LastLogon       time.Time `json:"lastLogon,omitempty"`   // lastLogonTimestamp
	Unsupported     string    `json:"unsupported,omitempty"` // why the AD OS is certainly unsupported (Q2), else ""
}

// OSName is the operating system as AD records it, for a report: without "Microsoft ", with the
// service pack ("Windows 7 Professional Service Pack 1"); "" when AD records none.
func (c *Computer) OSName() string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c.OperatingSystem), "Microsoft ") + " " + strings.TrimSpace(c.OSServicePack))
}

// Config says where the directory is, how to bind and what to find.
type Config struct {
	// URLs are tried in order until one answers: ldaps://host[:636], or ldap://host[:389] with
	// StartTLS (or AllowPlain). Empty means: locate the DCs of Domain in DNS.
	URLs []string
	// Domain is the DNS domain (corp.example): DC location by SRV records when URLs is empty,
	// and the suffix of made-up host names when a computer has no dNSHostName and its DN has no
	// DC= components.
	Domain string
	// Resolver looks up the SRV records and the DCs' names (nil: the system's resolver). A
	// resolver that asks the domain's DNS server helps where this machine uses another DNS.
	Resolver *net.Resolver
	// StartTLS upgrades ldap:// connections; AllowPlain permits ldap:// without it (the bind
	// then crosses the network in clear).
	StartTLS, AllowPlain, InsecureSkipVerify bool
	// CAFile adds PEM certificates to the system roots; TLSServerName is the name the DC's
	// certificate must carry (default: the URL's host). It is also the host of the Kerberos
	// service principal ldap/<host>.
	CAFile, TLSServerName string

	Bind           string // "simple" (default), "kerberos", "ntlm"
	User, Password string // user@corp.example or CORP\user; Kerberos without a password uses KRB5CCNAME
	// Krb5Conf is the krb5.conf for Kerberos ("" means $KRB5_CONFIG, else /etc/krb5.conf;
	// without one, the DC itself is used as the KDC of Realm). Realm overrides the user's realm.
	Krb5Conf, Realm string

	BaseDN, Scope string // Scope: "sub" (default) | "one"; BaseDN "" is the domain's naming context
	// OSFilter and NameFilter are globs (* ? [...], case-insensitive) on operatingSystem and on
	// the computer's Name; ExtraFilter is a raw LDAP filter ANDed to the search.
	OSFilter, NameFilter, ExtraFilter string
	StaleDays                         int  // > 0: skip computers whose last logon is older (or that never logged on)
	IncludeDisabled                   bool // else disabled accounts (userAccountControl bit 2) are skipped

	PageSize int           // default (and AD's maximum) 1000
	Timeout  time.Duration // per connection attempt and per LDAP request; default 30 s
	Now      func() time.Time
}

// Stats counts what a discovery saw. Skipped* are computers the search returned that were left
// out, each counted once (disabled first, then the glob filters, then stale).
type Stats struct {
	Returned, SkippedDisabled, SkippedStale, SkippedFilter, Pages, Referrals int
	Server                                                                   string // the URL that answered
}

const (
	defaultPageSize = 1000
	defaultTimeout  = 30 * time.Second
	uacDisabled     = 0x2
)

var attributes = []string{
	"sAMAccountName", "cn", "dNSHostName", "operatingSystem", "operatingSystemVersion",
	"operatingSystemServicePack", "lastLogonTimestamp", "userAccountControl",
}

// Discover connects, binds, and streams each matching computer to fn, page by page: at most one
// page of entries is held at a time. An error of fn stops the search and is returned as is.
func Discover(ctx context.Context, cfg Config, fn func(Computer) error) (Stats, error) {
	var st Stats
	q, err := compile(cfg)
	if err != nil {
		return st, err
	}
	if cfg.PageSize <= 0 || cfg.PageSize > defaultPageSize {
		cfg.PageSize = defaultPageSize
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	bindMode, err := checkBind(cfg)
	if err != nil {
		return st, err
	}
	targets, err := endpoints(ctx, cfg)
	if err != nil {
		return st, err
	}
	conn, ep, err := connect(ctx, cfg, targets)
	if err != nil {
		return st, err
	}
	defer conn.Close()
	st.Server = ep.url
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	fail := func(step string, err error) (Stats, error) {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return st, &Error{Server: ep.url, Step: step, Err: describe(err)}
	}

	if err := bind(ctx, conn, cfg, bindMode, ep); err != nil {
		return fail("bind as "+bindName(cfg, bindMode), err)
	}
	base := cfg.BaseDN
	if base == "" {
		if base, err = namingContext(conn); err != nil {
			return fail("read the root DSE", err)
		}
	}
	scope := ldap.ScopeWholeSubtree
	if cfg.Scope == "one" {
		scope = ldap.ScopeSingleLevel
	}
	var cutoff time.Time
	if cfg.StaleDays > 0 {
		cutoff = cfg.Now().Add(-time.Duration(cfg.StaleDays) * 24 * time.Hour)
	}

	paging := ldap.NewControlPaging(uint32(cfg.PageSize))
	req := ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 0, 0, false, q.filter, attributes,
		[]ldap.Control{paging})
	step := fmt.Sprintf("search %q", base)
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		res, err := conn.Search(req)
		if err != nil {
			return fail(step, err)
		}
		st.Pages++
		st.Referrals += len(res.Referrals)
		for _, e := range res.Entries {
			c, uac := computer(e, cfg.Domain)
			switch {
			case uac&uacDisabled != 0 && !cfg.IncludeDisabled:
				st.SkippedDisabled++
				continue
			case !q.match(c):
				st.SkippedFilter++
				continue
			case !cutoff.IsZero() && c.LastLogon.Before(cutoff):
				st.SkippedStale++
				continue
			}
			if err := fn(c); err != nil {
				abandon(conn, req, paging)
				return st, err
			}
			st.Returned++
		}
		res.Entries = nil
		var cookie []byte
		if pc, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging); ok {
			cookie = pc.Cookie
		}
		if len(cookie) == 0 {
			return st, nil
		}
		paging.SetCookie(cookie)
	}
}

// abandon tells the server that the paged search ends early (RFC 2696: a page size of 0).
func abandon(conn *ldap.Conn, req *ldap.SearchRequest, paging *ldap.ControlPaging) {
	paging.PagingSize = 0
	_, _ = conn.Search(req)
}

// namingContext reads defaultNamingContext from the root DSE.
func namingContext(conn *ldap.Conn) (string, error) {
	res, err := conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"defaultNamingContext"}, nil))
	if err != nil {
		return "", err
	}
	if len(res.Entries) == 1 {
		if nc := res.Entries[0].GetAttributeValue("defaultNamingContext"); nc != "" {
			return nc, nil
		}
	}
	return "", errors.New("the server names no defaultNamingContext: give the base DN (--ou)")
}

// computer turns an entry into a Computer; it also returns userAccountControl.
// Its strings are valid UTF-8 (invalid bytes become U+FFFD, as in the results file), and a
// lastLogonTimestamp past year 9999 (which JSON cannot hold) is ignored (FuzzComputer).
func computer(e *ldap.Entry, domain string) (Computer, int64) {
	get := func(name string) string { return strings.ToValidUTF8(e.GetAttributeValue(name), "\uFFFD") }
	c := Computer{
		Name:            strings.TrimSuffix(get("sAMAccountName"), "$"),
		DNSHostName:     get("dNSHostName"),
		OperatingSystem: get("operatingSystem"),
		OSVersion:       get("operatingSystemVersion"),
		OSServicePack:   get("operatingSystemServicePack"),
		DN:              strings.ToValidUTF8(e.DN, "\uFFFD"),
	}
	if c.Name == "" {
		c.Name = get("cn")
	}
	if c.DNSHostName == "" && c.Name != "" {
		if d := dnsDomainOf(e.DN); d != "" {
			domain = d
		}
		c.DNSHostName = strings.ToLower(c.Name)
		if domain != "" {
			c.DNSHostName += "." + strings.ToLower(domain)
		}
		c.DNSFromName = true
	}
	if ts, err := strconv.ParseInt(e.GetAttributeValue("lastLogonTimestamp"), 10, 64); err == nil && ts > 0 {
		if t := fileTime(ts); t.Year() <= 9999 {
			c.LastLogon = t
		}
	}
	c.Unsupported = Unsupported(c.OperatingSystem, c.OSVersion, c.OSServicePack)
	uac, _ := strconv.ParseInt(e.GetAttributeValue("userAccountControl"), 10, 64)
	return c, uac
}

// fileTime converts a Windows FILETIME (100 ns intervals since 1601-01-01 UTC) to a time.
func fileTime(ft int64) time.Time {
	const epochDiff = 11644473600 // seconds from 1601 to 1970
	return time.Unix(ft/1e7-epochDiff, (ft%1e7)*100).UTC()
}

// dnsDomainOf is the DNS domain of a DN's DC= components: corp.example for ...,DC=corp,DC=example.
func dnsDomainOf(dn string) string {
	parsed, err := ldap.ParseDN(dn)
	if err != nil {
		return ""
	}
	var labels []string
	for _, rdn := range parsed.RDNs {
		for _, a := range rdn.Attributes {
			if strings.EqualFold(a.Type, "DC") {
				labels = append(labels, a.Value)
			}
		}
	}
	return strings.Join(labels, ".")
}
