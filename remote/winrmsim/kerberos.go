package winrmsim

import (
	"bytes"
	"crypto/md5" //nolint:gosec // the channel binding hash of RFC 4121 is MD5
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/tlsready/tlsready/remote/kerberos"
	"github.com/tlsready/tlsready/remote/wsmv"
)

// KerberosAcceptor is the Kerberos of a domain-joined simulated host: it validates service
// tickets with the keys of the host's computer account, from a keytab (samba-tool domain
// exportkeytab, ktpass), answers the AP-REP of mutual authentication, and seals messages with
// RFC 4121 wrap tokens. Give it in Options.Acceptors; it serves Negotiate (SPNEGO, or a bare
// Kerberos token as MIT-based clients send) and the Kerberos scheme.
//
// As on Windows, where the account must be a local administrator, the client principal must be
// the host's Options.User (user@REALM matches REALM's first label as NetBIOS domain:
// tlsready-scan@CORP.EXAMPLE is CORP\tlsready-scan).
type KerberosAcceptor struct {
	acc *kerberos.Acceptor
}

// NewKerberosAcceptor reads a keytab file.
func NewKerberosAcceptor(keytabPath string) (*KerberosAcceptor, error) {
	acc, err := kerberos.LoadAcceptor(keytabPath)
	if err != nil {
		return nil, err
	}
	return &KerberosAcceptor{acc: acc}, nil
}

// Principals lists the service principals of the keytab.
func (k *KerberosAcceptor) Principals() []string { return k.acc.Principals() }

// Name is part of Acceptor.
func (*KerberosAcceptor) Name() string { return "kerberos" }

// Claims is part of Acceptor: a Kerberos AP-REQ, bare or as the optimistic token of a SPNEGO
// NegTokenInit whose first mechanism is Kerberos.
func (*KerberosAcceptor) Claims(scheme string, token []byte) bool {
	switch {
	case strings.EqualFold(scheme, SchemeKerberos):
		return isKRB5Token(token)
	case strings.EqualFold(scheme, SchemeNegotiate):
		return isKRB5Token(token) || spnegoOffersKerberosFirst(token)
	}
	return false
}

// NewContext is part of Acceptor.
func (k *KerberosAcceptor) NewContext(h AcceptorHost) ServerContext {
	return &kerberosServerContext{k: k, host: h}
}

var (
	oidKRB5   = gssapi.OIDKRB5.OID()
	oidMSKRB5 = gssapi.OIDMSLegacyKRB5.OID()
	oidSPNEGO = gssapi.OIDSPNEGO.OID()
)

// gssOID returns the mechanism OID of a GSS InitialContextToken and what follows it.
func gssOID(tok []byte) (asn1.ObjectIdentifier, []byte, bool) {
	var oid asn1.ObjectIdentifier
	rest, err := asn1.UnmarshalWithParams(tok, &oid, "application,explicit,tag:0")
	return oid, rest, err == nil
}

func isKRB5Token(tok []byte) bool {
	oid, rest, ok := gssOID(tok)
	return ok && (oid.Equal(oidKRB5) || oid.Equal(oidMSKRB5)) && len(rest) >= 2 && rest[0] == 0x01 && rest[1] == 0x00
}

func spnegoOffersKerberosFirst(tok []byte) bool {
	oid, rest, ok := gssOID(tok)
	if !ok || !oid.Equal(oidSPNEGO) {
		return false
	}
	isInit, nt, err := spnego.UnmarshalNegToken(rest)
	if err != nil || !isInit {
		return false
	}
	mechs := nt.(spnego.NegTokenInit).MechTypes
	return len(mechs) > 0 && (mechs[0].Equal(oidKRB5) || mechs[0].Equal(oidMSKRB5))
}

// kerberosServerContext is the Kerberos context of one connection.
type kerberosServerContext struct {
	k        *KerberosAcceptor
	host     AcceptorHost
	sc       *kerberos.ServerContext
	user     string
	protocol string
	sealer   wsmv.Sealer
}

func (c *kerberosServerContext) Accept(in []byte, _ *tls.ConnectionState) ([]byte, bool, error) {
	if c.sc != nil {
		return nil, false, errors.New("kerberos: token after the context was accepted")
	}
	scheme := c.host.Scheme
	if scheme == "" {
		scheme = SchemeNegotiate
	}
	sc, out, err := c.k.acc.Accept(scheme, in)
	if err != nil {
		// Windows answers a refused ticket with a bare 401; the KRB-ERROR is not sent.
		return nil, false, err
	}
	if !kerberosSameAccount(c.host.User, c.host.Name, sc.Client) {
		return nil, false, fmt.Errorf("kerberos: %s is not the host's account %s", sc.Client, c.host.User)
	}
	if err := checkBindings(sc.ChannelBindingHash, c.host.ChannelBindings); err != nil {
		return nil, false, err
	}
	c.sc, c.user = sc, sc.Client
	c.protocol = sc.Protocol()
	if s, err := sc.Sealer(); err == nil {
		c.sealer = s
	} else if !c.host.HTTPS {
		// Without confidentiality a Windows host cannot accept any message over HTTP.
		return nil, false, err
	}
	return out, true, nil
}

func (c *kerberosServerContext) User() string { return c.user }

func (c *kerberosServerContext) Sealer() (string, wsmv.Sealer) { return c.protocol, c.sealer }

// kerberosSameAccount compares the client principal (user@REALM) with the host's account.
func kerberosSameAccount(account, computer, principal string) bool {
	user, realm, _ := strings.Cut(principal, "@")
	accUser, accDomain := splitAccount(account)
	return sameAccount(accUser, accDomain, computer, user, realm)
}

// checkBindings enforces Extended Protection over HTTPS: an AP-REQ bound to a channel must be
// bound to this host's certificate. Unbound AP-REQs are accepted, as with WinRM's default
// CbtHardeningLevel "Relaxed".
func checkBindings(bnd, appData []byte) error {
	if len(bnd) == 0 || bytes.Equal(bnd, make([]byte, 16)) {
		return nil
	}
	if appData == nil {
		return errors.New("kerberos: AP-REQ bound to a TLS channel, over HTTP")
	}
	if !bytes.Equal(bindingHash(appData), bnd) {
		return errors.New("kerberos: AP-REQ bound to another TLS channel (a relay?)")
	}
	return nil
}

// bindingHash is the Bnd of RFC 4121 4.1.1.2: MD5 of a gss_channel_bindings_struct without
// addresses, with appData as application data.
func bindingHash(appData []byte) []byte {
	b := make([]byte, 16, 20+len(appData))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(appData)))
	b = append(b, appData...)
	sum := md5.Sum(b) //nolint:gosec // fixed by RFC 4121
	return sum[:]
}
