package kerberos

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/tlsready/tlsready/remote/wsmv"
)

// Acceptor is the service side of Kerberos for a simulated Windows host: it validates AP-REQs
// with the keys of a keytab, as the host's LSA does with its computer account's keys. It is safe
// for concurrent use.
type Acceptor struct {
	kt       *keytab.Keytab
	maxSkew  time.Duration
	now      func() time.Time
	replayMu sync.Mutex
	replay   map[string]time.Time // authenticators seen, until they expire
}

// NewAcceptor returns an acceptor that accepts tickets of any service principal whose keys kt
// holds (as gss_accept_sec_context with GSS_C_NO_NAME does).
func NewAcceptor(kt *keytab.Keytab) (*Acceptor, error) {
	if kt == nil || len(kt.Entries) == 0 {
		return nil, errors.New("kerberos: empty keytab")
	}
	return &Acceptor{kt: kt, maxSkew: 5 * time.Minute, now: time.Now, replay: map[string]time.Time{}}, nil
}

// LoadAcceptor reads a keytab file (samba-tool domain exportkeytab, ktpass, ktutil).
func LoadAcceptor(path string) (*Acceptor, error) {
	kt, err := keytab.Load(path)
	if err != nil {
		return nil, fmt.Errorf("kerberos: keytab %s: %v", path, err)
	}
	return NewAcceptor(kt)
}

// Principals lists the principals of the keytab, for logs (no keys).
func (a *Acceptor) Principals() []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range a.kt.Entries {
		p := strings.Join(e.Principal.Components, "/") + "@" + e.Principal.Realm
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// ServerContext is an accepted context: who the client is and the protection of its messages.
type ServerContext struct {
	// Client is the client principal, user@REALM.
	Client string
	// Service is the service principal of the ticket, HTTP/host@REALM.
	Service string
	// Flags are the GSS flags the client asked for (RFC 4121 4.1.1.1).
	Flags uint32
	// ChannelBindingHash is the Bnd of the authenticator checksum (zeros: no bindings).
	ChannelBindingHash []byte
	// Scheme is the HTTP scheme the client used (SchemeNegotiate or SchemeKerberos); the answer
	// is in the same one.
	Scheme string
	sealer *Sealer
}

// Protocol is the MS-WSMV protocol of encrypted messages on this context.
func (sc *ServerContext) Protocol() string {
	if sc.Scheme == SchemeKerberos {
		return wsmv.ProtocolKerberos
	}
	return wsmv.ProtocolSPNEGO
}

// Sealer protects the messages of the context, acceptor side; ErrNoConfidentiality when the
// client did not ask for confidentiality (a Windows host then refuses encrypted messages).
func (sc *ServerContext) Sealer() (*Sealer, error) {
	if sc.Flags&gssFlagConf == 0 || sc.Flags&gssFlagInteg == 0 {
		return nil, ErrNoConfidentiality
	}
	return sc.sealer, nil
}

// RejectError is an AP-REQ the acceptor refuses. Token, when not nil, is the answer to send in
// WWW-Authenticate (a KRB-ERROR, wrapped for the client's scheme), as Windows does.
type RejectError struct {
	Reason string
	Token  []byte
}

func (e *RejectError) Error() string { return "kerberos: " + e.Reason }

// Accept validates the client's first token of scheme ("Negotiate": SPNEGO NegTokenInit, or a
// bare Kerberos token; "Kerberos": a bare Kerberos token) and returns the context and the token
// to answer with in WWW-Authenticate (the AP-REP, in a NegTokenResp for SPNEGO).
func (a *Acceptor) Accept(scheme string, token []byte) (*ServerContext, []byte, error) {
	var (
		spnegoUsed bool
		mechTypes  []byte
		supported  asn1.ObjectIdentifier
		krbTok     = token
	)
	if isSPNEGOInit(token) {
		if !strings.EqualFold(scheme, SchemeNegotiate) {
			return nil, nil, &RejectError{Reason: "SPNEGO token under the Kerberos scheme"}
		}
		mt, types, sup, err := spnegoParseInit(token)
		if err != nil {
			return nil, nil, &RejectError{Reason: err.Error()}
		}
		spnegoUsed, krbTok, mechTypes, supported = true, mt, types, sup
	}
	tokID, msg, err := gssUnframe(krbTok)
	if err != nil {
		return nil, nil, &RejectError{Reason: err.Error()}
	}
	if string(tokID) != string(tokIDAPReq) {
		return nil, nil, &RejectError{Reason: fmt.Sprintf("token %x is not an AP-REQ", tokID)}
	}
	var req messages.APReq
	if err := req.Unmarshal(msg); err != nil {
		return nil, nil, &RejectError{Reason: "malformed AP-REQ: " + cleanErr(err)}
	}
	auth, code, err := a.verify(&req)
	if err != nil {
		rej := &RejectError{Reason: err.Error()}
		if code != 0 {
			rej.Token = a.errorToken(req, code, spnegoUsed, supported)
		}
		return nil, nil, rej
	}
	gssFlags, bnd, err := parseAuthenticatorChecksum(auth.Cksum)
	if err != nil {
		return nil, nil, &RejectError{Reason: err.Error()}
	}
	if !types.IsFlagSet(&req.APOptions, flags.APOptionMutualRequired) || gssFlags&gssFlagMutual == 0 {
		// WinRM clients always ask for mutual authentication; this simulator does not serve
		// the one-leg variant.
		return nil, nil, &RejectError{Reason: "mutual authentication not requested"}
	}

	sessionKey := req.Ticket.DecryptedEncPart.Key
	et, err := crypto.GetEtype(sessionKey.KeyType)
	if err != nil {
		return nil, nil, &RejectError{Reason: err.Error()}
	}
	// Our subkey, as Windows sends: it protects the messages in both directions.
	subkeyType := sessionKey.KeyType
	if len(auth.SubKey.KeyValue) > 0 {
		subkeyType = auth.SubKey.KeyType
		if et, err = crypto.GetEtype(subkeyType); err != nil {
			return nil, nil, &RejectError{Reason: err.Error()}
		}
	}
	sub := make([]byte, et.GetKeyByteSize())
	if _, err := rand.Read(sub); err != nil {
		return nil, nil, err
	}
	subkey := types.EncryptionKey{KeyType: subkeyType, KeyValue: sub}
	seq := randomSeq()
	rep, err := marshalAPRep(sessionKey, auth, subkey, seq)
	if err != nil {
		return nil, nil, err
	}
	sc := &ServerContext{
		Client:             strings.Join(auth.CName.NameString, "/") + "@" + auth.CRealm,
		Service:            req.Ticket.SName.PrincipalNameString() + "@" + req.Ticket.Realm,
		Flags:              gssFlags,
		ChannelBindingHash: append([]byte(nil), bnd...),
		Scheme:             SchemeKerberos,
	}
	if strings.EqualFold(scheme, SchemeNegotiate) {
		sc.Scheme = SchemeNegotiate
	}
	if supportedEtype(subkey.KeyType) {
		sc.sealer, err = newSealer(subkey, true, true, uint64(seq), uint64(uint32(auth.SeqNumber)))
		if err != nil {
			return nil, nil, err
		}
		sc.sealer.strictSeq = true
	} else {
		sc.Flags &^= gssFlagConf // no sealing with this key type here
	}
	out := gssFrame(tokIDAPRep, rep)
	if spnegoUsed {
		// No mechListMIC: the client's first choice was taken (RFC 4178 5, as Windows does for
		// Kerberos).
		_ = mechTypes
		out, err = spnegoResp(spnego.NegStateAcceptCompleted, supported, out, nil)
		if err != nil {
			return nil, nil, err
		}
	}
	return sc, out, nil
}

// verify decrypts the ticket with the keytab and the authenticator with the session key, and
// checks times and replay. code is the KRB-ERROR code to answer with, 0 for none.
func (a *Acceptor) verify(req *messages.APReq) (types.Authenticator, int32, error) {
	t := &req.Ticket
	if err := a.decryptTicket(t); err != nil {
		return types.Authenticator{}, errorcode.KRB_AP_ERR_MODIFIED, err
	}
	now := a.now().UTC()
	ep := t.DecryptedEncPart
	if ep.StartTime.Sub(now) > a.maxSkew || types.IsFlagSet(&ep.Flags, flags.Invalid) {
		return types.Authenticator{}, errorcode.KRB_AP_ERR_TKT_NYV, errors.New("ticket not yet valid")
	}
	if now.Sub(ep.EndTime) > a.maxSkew {
		return types.Authenticator{}, errorcode.KRB_AP_ERR_TKT_EXPIRED, errors.New("ticket expired")
	}
	if err := req.DecryptAuthenticator(ep.Key); err != nil {
		return types.Authenticator{}, errorcode.KRB_AP_ERR_BAD_INTEGRITY, errors.New("authenticator does not decrypt with the ticket's session key")
	}
	auth := req.Authenticator
	if !auth.CName.Equal(ep.CName) || !strings.EqualFold(auth.CRealm, ep.CRealm) {
		return types.Authenticator{}, errorcode.KRB_AP_ERR_BADMATCH, errors.New("authenticator and ticket name different clients")
	}
	ct := auth.CTime.Add(time.Duration(auth.Cusec) * time.Microsecond)
	if d := now.Sub(ct); d > a.maxSkew || -d > a.maxSkew {
		return types.Authenticator{}, errorcode.KRB_AP_ERR_SKEW, fmt.Errorf("clock skew of %s with the client", d.Round(time.Second))
	}
	if a.isReplay(auth, now) {
		return types.Authenticator{}, errorcode.KRB_AP_ERR_REPEAT, errors.New("authenticator replayed")
	}
	return auth, 0, nil
}

// decryptTicket finds the service key in the keytab: an entry of the ticket's principal (names
// compared case-insensitively, as AD does), etype and kvno; failing that, any entry of that
// etype and kvno (the keytab of one computer account holds its SPNs under several names).
func (a *Acceptor) decryptTicket(t *messages.Ticket) error {
	etype := t.EncPart.EType
	kvno := uint32(t.EncPart.KVNO)
	var first, rest []types.EncryptionKey
	for _, e := range a.kt.Entries {
		if e.Key.KeyType != etype || (kvno != 0 && e.KVNO != kvno) {
			continue
		}
		if equalFold(e.Principal.Components, t.SName.NameString) && strings.EqualFold(e.Principal.Realm, t.Realm) {
			first = append(first, e.Key)
		} else {
			rest = append(rest, e.Key)
		}
	}
	keys := append(first, rest...)
	if len(keys) == 0 {
		return fmt.Errorf("no key in the keytab for %s (%s, kvno %d)", t.SName.PrincipalNameString(), etypeName(etype), kvno)
	}
	for _, k := range keys {
		if err := t.Decrypt(k); err == nil {
			return nil
		}
	}
	return fmt.Errorf("the ticket for %s does not decrypt with the keytab's keys (kvno %d): the account's password changed since the keytab was made", t.SName.PrincipalNameString(), kvno)
}

func (a *Acceptor) isReplay(auth types.Authenticator, now time.Time) bool {
	key := fmt.Sprintf("%s@%s %d %d", strings.Join(auth.CName.NameString, "/"), auth.CRealm, auth.CTime.Unix(), auth.Cusec)
	a.replayMu.Lock()
	defer a.replayMu.Unlock()
	for k, exp := range a.replay {
		if now.After(exp) {
			delete(a.replay, k)
		}
	}
	if _, seen := a.replay[key]; seen {
		return true
	}
	a.replay[key] = now.Add(2 * a.maxSkew)
	return false
}

// errorToken is the KRB-ERROR answer to a refused AP-REQ.
func (a *Acceptor) errorToken(req messages.APReq, code int32, spnegoUsed bool, supported asn1.ObjectIdentifier) []byte {
	ke := messages.NewKRBError(req.Ticket.SName, req.Ticket.Realm, code, errorcode.Lookup(code))
	b, err := ke.Marshal()
	if err != nil {
		return nil
	}
	tok := gssFrame(tokIDKRBError, b)
	if spnegoUsed {
		if tok, err = spnegoResp(spnego.NegStateReject, supported, tok, nil); err != nil {
			return nil
		}
	}
	return tok
}

// randomSeq is an initial sequence number (30 bits, as MIT and gokrb5 choose, never 0 so that
// it is always encoded).
func randomSeq() int64 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint32(b[:])&0x3fffffff) | 1
}
