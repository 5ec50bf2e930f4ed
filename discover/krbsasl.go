package discover

import (
	"crypto/md5" //nolint:gosec // fixed by RFC 4121
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tlsready/tlsready/internal/chanbind"

	ldapgssapi "github.com/go-ldap/ldap/v3/gssapi"
	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
)

// saslKerberos is the GSSAPI client of a SASL bind (RFC 4752) that, unlike go-ldap's own, binds
// the Kerberos authenticator to the TLS channel (RFC 5929 tls-server-end-point in the checksum's
// Bnd, RFC 4121 4.1.1.2): Samba with "ldap server require strong auth = yes" (its default) and
// AD with LdapEnforceChannelBinding=2 refuse a GSSAPI bind over TLS without it. It asks for no
// security layer, so it is only used over LDAPS or StartTLS.
type saslKerberos struct {
	cl      *client.Client
	binding []byte // tls-server-end-point application data; nil for none
	key     types.EncryptionKey
	subkey  types.EncryptionKey
}

const (
	gssFlagMutual = 2
	gssFlagInteg  = 32
	gssFlagConf   = 16
)

func (s *saslKerberos) InitSecContext(target string, token []byte) ([]byte, bool, error) {
	return s.InitSecContextWithOptions(target, token, nil)
}

func (s *saslKerberos) InitSecContextWithOptions(target string, input []byte, apOptions []int) ([]byte, bool, error) {
	if input == nil {
		tkt, key, err := s.cl.GetServiceTicket(target)
		if err != nil {
			return nil, false, fmt.Errorf("kerberos: service ticket for %s: %w", target, err)
		}
		s.key = key
		tok, err := spnego.NewKRB5TokenAPREQ(s.cl, tkt, key, nil, nil)
		if err != nil {
			return nil, false, err
		}
		auth, err := types.NewAuthenticator(s.cl.Credentials.Domain(), s.cl.Credentials.CName())
		if err != nil {
			return nil, false, err
		}
		auth.Cksum = types.Checksum{CksumType: 0x8003, Checksum: gssChecksum(gssFlagMutual|gssFlagInteg|gssFlagConf, s.binding)}
		req, err := messages.NewAPReq(tkt, key, auth)
		if err != nil {
			return nil, false, err
		}
		types.SetFlag(&req.APOptions, flags.APOptionMutualRequired)
		for _, o := range apOptions {
			types.SetFlag(&req.APOptions, o)
		}
		tok.APReq = req
		out, err := tok.Marshal()
		return out, true, err
	}
	var tok spnego.KRB5Token
	if err := tok.Unmarshal(input); err != nil {
		return nil, false, err
	}
	if tok.IsKRBError() {
		return nil, false, tok.KRBError
	}
	if !tok.IsAPRep() {
		return nil, false, errors.New("kerberos: the DC answered without an AP-REP")
	}
	plain, err := crypto.DecryptEncPart(tok.APRep.EncPart, s.key, keyusage.AP_REP_ENCPART)
	if err != nil {
		return nil, false, fmt.Errorf("kerberos: the DC's AP-REP: %w", err)
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(plain); err != nil {
		return nil, false, err
	}
	s.subkey = part.Subkey
	return []byte{}, false, nil
}

// NegotiateSaslAuth answers the DC's security-layer offer (RFC 4752 3.1): no layer.
func (s *saslKerberos) NegotiateSaslAuth(input []byte, authzid string) ([]byte, error) {
	var tok gssapi.WrapToken
	if err := ldapgssapi.UnmarshalWrapToken(&tok, input, true); err != nil {
		return nil, err
	}
	key, flag := s.key, byte(0)
	if tok.Flags&0b100 != 0 { // sealed with the acceptor's subkey: answer with it
		key, flag = s.subkey, 0b100
	}
	if ok, err := tok.Verify(key, keyusage.GSSAPI_ACCEPTOR_SEAL); !ok || err != nil {
		return nil, fmt.Errorf("kerberos: the DC's SASL token does not verify: %v", err)
	}
	if len(tok.Payload) != 4 {
		return nil, errors.New("kerberos: the DC's SASL token is not a security-layer offer")
	}
	et, err := crypto.GetEtype(key.KeyType)
	if err != nil {
		return nil, err
	}
	out := &gssapi.WrapToken{
		Flags:     flag,
		EC:        uint16(et.GetHMACBitLength() / 8),
		SndSeqNum: 1,
		Payload:   append([]byte{0, 0, 0, 0}, authzid...),
	}
	if err := out.SetCheckSum(key, keyusage.GSSAPI_INITIATOR_SEAL); err != nil {
		return nil, err
	}
	return out.Marshal()
}

func (s *saslKerberos) DeleteSecContext() error {
	s.key, s.subkey = types.EncryptionKey{}, types.EncryptionKey{}
	return nil
}

// gssChecksum is the authenticator checksum of RFC 4121 4.1.1: Lgth 16, Bnd (MD5 of a
// gss_channel_bindings_struct with no addresses and the binding as application data; zeros
// without one), Flags.
func gssChecksum(fl uint32, binding []byte) []byte {
	c := make([]byte, 24)
	binary.LittleEndian.PutUint32(c[0:4], 16)
	if binding != nil {
		b := make([]byte, 16, 20+len(binding))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(binding)))
		sum := md5.Sum(append(b, binding...)) //nolint:gosec
		copy(c[4:20], sum[:])
	}
	binary.LittleEndian.PutUint32(c[20:24], fl)
	return c
}

// tlsServerEndPoint is RFC 5929's tls-server-end-point binding of the server's certificate.
func tlsServerEndPoint(cs tls.ConnectionState) []byte {
	if len(cs.PeerCertificates) == 0 {
		return nil
	}
	return chanbind.ServerEndPoint(cs.PeerCertificates[0])
}
