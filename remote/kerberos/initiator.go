package kerberos

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/tlsready/tlsready/remote/wsmv"
)

// SPN returns the service principal name of the WinRM service of host: HTTP/<host>, the host
// name lower-cased. Windows registers HTTP/ (through HOST/) for the computer's DNS name and its
// short name; an IP address has no SPN.
func SPN(host string) string {
	return "HTTP/" + strings.ToLower(strings.TrimSuffix(host, "."))
}

// InitiatorConfig says which service an Initiator authenticates to and how.
type InitiatorConfig struct {
	// SPN is the service principal, HTTP/<fqdn> (see SPN).
	SPN string
	// Scheme is SchemeNegotiate (default: SPNEGO tokens, MS-WSMV protocol
	// application/HTTP-SPNEGO-session-encrypted) or SchemeKerberos (bare Kerberos tokens,
	// application/HTTP-Kerberos-session-encrypted).
	Scheme string
	// ChannelBinding is the application data of the channel bindings (RFC 5929
	// tls-server-end-point over HTTPS), nil for none (HTTP).
	ChannelBinding []byte
}

// Initiator is the client side of one Kerberos security context (one TCP connection to one
// host): the AP-REQ, the check of the host's AP-REP (mutual authentication), and then message
// protection. It is used from one goroutine.
type Initiator struct {
	cfg        InitiatorConfig
	tkt        messages.Ticket
	sessionKey types.EncryptionKey
	auth       types.Authenticator
	mechTypes  []byte // DER of the SPNEGO mechanism list sent
	sent       bool
	done       bool
	sealer     *Sealer
}

// NewInitiator gets (or reuses) the service ticket of cfg.SPN and prepares a context. It talks
// to the KDC, never to the host.
func (l *Login) NewInitiator(ctx context.Context, cfg InitiatorConfig) (*Initiator, error) {
	if cfg.SPN == "" {
		return nil, errors.New("kerberos: no service principal name")
	}
	switch cfg.Scheme {
	case "":
		cfg.Scheme = SchemeNegotiate
	case SchemeNegotiate, SchemeKerberos:
	default:
		return nil, fmt.Errorf("kerberos: HTTP scheme %q: want Negotiate or Kerberos", cfg.Scheme)
	}
	tkt, key, err := l.ServiceTicket(ctx, cfg.SPN)
	if err != nil {
		return nil, err
	}
	if !supportedEtype(key.KeyType) {
		return nil, fmt.Errorf("%w: the KDC gave a %s session key for %s", ErrNoConfidentiality, etypeName(key.KeyType), cfg.SPN)
	}
	realm, cname := l.clientIdentity()
	auth, err := types.NewAuthenticator(realm, cname)
	if err != nil {
		return nil, err
	}
	return newInitiator(cfg, tkt, key, auth)
}

// NewInitiatorWithTicket prepares a context from a service ticket obtained elsewhere (and, in
// tests, from one made with a keytab): realm and cname name the client.
func NewInitiatorWithTicket(cfg InitiatorConfig, tkt messages.Ticket, sessionKey types.EncryptionKey, realm string, cname types.PrincipalName) (*Initiator, error) {
	if !supportedEtype(sessionKey.KeyType) {
		return nil, fmt.Errorf("%w: %s session key", ErrNoConfidentiality, etypeName(sessionKey.KeyType))
	}
	auth, err := types.NewAuthenticator(realm, cname)
	if err != nil {
		return nil, err
	}
	return newInitiator(cfg, tkt, sessionKey, auth)
}

func newInitiator(cfg InitiatorConfig, tkt messages.Ticket, key types.EncryptionKey, auth types.Authenticator) (*Initiator, error) {
	if cfg.Scheme == "" {
		cfg.Scheme = SchemeNegotiate
	}
	et, err := crypto.GetEtype(key.KeyType)
	if err != nil {
		return nil, err
	}
	// A subkey of our own, as Windows and MIT send: the host answers with one of its own.
	if err := auth.GenerateSeqNumberAndSubKey(key.KeyType, et.GetKeyByteSize()); err != nil {
		return nil, err
	}
	return &Initiator{cfg: cfg, tkt: tkt, sessionKey: key, auth: auth}, nil
}

// SetChannelBinding sets the channel bindings' application data (RFC 5929 tls-server-end-point
// over HTTPS) once the connection is made, before the first Step; nil for none.
func (c *Initiator) SetChannelBinding(appData []byte) {
	if !c.sent {
		c.cfg.ChannelBinding = appData
	}
}

// Scheme is the HTTP authentication scheme of the tokens.
func (c *Initiator) Scheme() string { return c.cfg.Scheme }

// Protocol is the MS-WSMV protocol of the encrypted messages of the context.
func (c *Initiator) Protocol() string {
	if c.cfg.Scheme == SchemeKerberos {
		return wsmv.ProtocolKerberos
	}
	return wsmv.ProtocolSPNEGO
}

// Step returns the AP-REQ token on the first call (input nil), and on the second checks the
// host's answer (its AP-REP) and completes the context. done is true once the host is
// authenticated; the context is not complete before: mutual authentication is required.
func (c *Initiator) Step(input []byte) (output []byte, done bool, err error) {
	switch {
	case c.done:
		return nil, true, errors.New("kerberos: context already complete")
	case !c.sent:
		if input != nil {
			return nil, false, errors.New("kerberos: the host sent a token before the AP-REQ")
		}
		tok, err := c.apReq()
		if err != nil {
			return nil, false, err
		}
		c.sent = true
		return tok, false, nil
	}
	if len(input) == 0 {
		return nil, false, errors.New("kerberos: the host sent no token (mutual authentication needs its AP-REP)")
	}
	if err := c.accept(input); err != nil {
		return nil, false, err
	}
	c.done = true
	return nil, true, nil
}

func (c *Initiator) apReq() ([]byte, error) {
	c.auth.Cksum = types.Checksum{CksumType: 0x8003, Checksum: authenticatorChecksum(clientGSSFlags, c.cfg.ChannelBinding)}
	req, err := messages.NewAPReq(c.tkt, c.sessionKey, c.auth)
	if err != nil {
		return nil, fmt.Errorf("kerberos: AP-REQ: %v", cleanErr(err))
	}
	types.SetFlag(&req.APOptions, flags.APOptionMutualRequired)
	b, err := req.Marshal()
	if err != nil {
		return nil, fmt.Errorf("kerberos: AP-REQ: %v", cleanErr(err))
	}
	tok := gssFrame(tokIDAPReq, b)
	if c.cfg.Scheme == SchemeKerberos {
		return tok, nil
	}
	out, mechTypes, err := spnegoInit(tok)
	if err != nil {
		return nil, err
	}
	c.mechTypes = mechTypes
	return out, nil
}

// accept checks the host's answer: a NegTokenResp with an AP-REP (Negotiate), or a bare AP-REP
// (Kerberos, or a host answering Negotiate with a bare Kerberos token as MIT-based ones may).
func (c *Initiator) accept(input []byte) error {
	krbTok := input
	var resp *spnego.NegTokenResp
	if _, _, err := gssUnframe(input); errors.Is(err, errNotKRB5Tok) {
		r, err := spnegoParseResp(input)
		if err != nil {
			return fmt.Errorf("kerberos: the host's answer is neither SPNEGO nor Kerberos: %v", err)
		}
		resp = &r
		switch spnego.NegState(r.NegState) {
		case spnego.NegStateAcceptCompleted:
		case spnego.NegStateReject:
			if id, msg, err := gssUnframe(r.ResponseToken); err == nil && string(id) == string(tokIDKRBError) {
				return apError(msg)
			}
			return errors.New("kerberos: the host rejected the Kerberos ticket (SPNEGO reject)")
		default:
			return fmt.Errorf("kerberos: SPNEGO state %d: the host wants another round, which Kerberos does not need", r.NegState)
		}
		if len(r.SupportedMech) > 0 && !r.SupportedMech.Equal(oidKRB5) && !r.SupportedMech.Equal(oidMSKRB5) {
			return fmt.Errorf("kerberos: the host chose mechanism %s", r.SupportedMech)
		}
		krbTok = r.ResponseToken
		if len(krbTok) == 0 {
			return errors.New("kerberos: the host's SPNEGO answer has no AP-REP (mutual authentication needs it)")
		}
	}
	tokID, msg, err := gssUnframe(krbTok)
	if err != nil {
		return fmt.Errorf("kerberos: the host's answer: %v", err)
	}
	switch {
	case string(tokID) == string(tokIDKRBError):
		return apError(msg)
	case string(tokID) != string(tokIDAPRep):
		return fmt.Errorf("kerberos: the host answered with token %x, not an AP-REP", tokID)
	}
	part, err := verifyAPRep(msg, c.sessionKey, c.auth)
	if err != nil {
		return fmt.Errorf("kerberos: %v", err)
	}
	// The key of message protection: the acceptor's subkey, else ours, else the session key
	// (RFC 4121 2).
	key, acceptorSubkey := c.auth.SubKey, false
	if len(part.Subkey.KeyValue) > 0 {
		key, acceptorSubkey = part.Subkey, true
	}
	if resp != nil && len(resp.MechListMIC) > 0 {
		if err := verifyMechListMIC(key, true, resp.MechListMIC, c.mechTypes); err != nil {
			return fmt.Errorf("kerberos: %v", err)
		}
	}
	s, err := newSealer(key, false, acceptorSubkey, uint64(uint32(c.auth.SeqNumber)), uint64(uint32(part.SequenceNumber)))
	if err != nil {
		return err
	}
	c.sealer = s
	return nil
}

// apError explains a KRB-ERROR that the host answered instead of an AP-REP.
func apError(msg []byte) error {
	var ke messages.KRBError
	if err := ke.Unmarshal(msg); err != nil {
		return fmt.Errorf("kerberos: the host answered an unreadable KRB-ERROR: %v", cleanErr(err))
	}
	return fmt.Errorf("kerberos: the host refused the ticket: %w", kdcError(errors.New(ke.Error())))
}

// Done reports whether the context is complete (the host authenticated).
func (c *Initiator) Done() bool { return c.done }

// Sealer returns the message protection of the complete context.
func (c *Initiator) Sealer() (*Sealer, error) {
	if !c.done {
		return nil, errors.New("kerberos: context not complete")
	}
	return c.sealer, nil
}
