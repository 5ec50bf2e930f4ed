package kerberos

import (
	"bytes"
	"crypto/md5" //nolint:gosec // RFC 4121 4.1.1.2 fixes MD5 for the channel binding hash
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana"
	"github.com/jcmturner/gokrb5/v8/iana/asnAppTag"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
)

// HTTP authentication schemes (the first word of Authorization and WWW-Authenticate).
const (
	// SchemeNegotiate carries SPNEGO tokens (RFC 4559); Windows WinRM's default.
	SchemeNegotiate = "Negotiate"
	// SchemeKerberos carries bare Kerberos GSS tokens ([MS-WSMV] 2.2.9.1.1.2).
	SchemeKerberos = "Kerberos"
)

// GSS-API context flags of the authenticator checksum (RFC 4121 4.1.1.1) that a WinRM client
// asks for: message encryption needs confidentiality and integrity.
const (
	gssFlagMutual   = gssapi.ContextFlagMutual
	gssFlagReplay   = gssapi.ContextFlagReplay
	gssFlagSequence = gssapi.ContextFlagSequence
	gssFlagConf     = gssapi.ContextFlagConf
	gssFlagInteg    = gssapi.ContextFlagInteg
	clientGSSFlags  = gssFlagMutual | gssFlagReplay | gssFlagSequence | gssFlagConf | gssFlagInteg
)

// Kerberos GSS token IDs (RFC 4121 4.1).
var (
	tokIDAPReq    = []byte{0x01, 0x00}
	tokIDAPRep    = []byte{0x02, 0x00}
	tokIDKRBError = []byte{0x03, 0x00}
)

var (
	oidKRB5       = gssapi.OIDKRB5.OID()
	oidMSKRB5     = gssapi.OIDMSLegacyKRB5.OID()
	oidSPNEGO     = gssapi.OIDSPNEGO.OID()
	errNotKRB5Tok = errors.New("not a Kerberos GSS token")
)

// gssFrame wraps a Kerberos message in the GSS-API InitialContextToken framing of RFC 2743
// 3.1 with the Kerberos mechanism OID and a token ID (RFC 4121 4.1).
func gssFrame(tokID, msg []byte) []byte {
	oid, _ := asn1.Marshal(oidKRB5)
	b := make([]byte, 0, len(oid)+len(tokID)+len(msg))
	b = append(append(append(b, oid...), tokID...), msg...)
	return asn1tools.AddASNAppTag(b, 0)
}

// gssUnframe returns the token ID and the Kerberos message of a framed token.
func gssUnframe(tok []byte) (tokID, msg []byte, err error) {
	var oid asn1.ObjectIdentifier
	rest, err := asn1.UnmarshalWithParams(tok, &oid, "application,explicit,tag:0")
	if err != nil {
		return nil, nil, errNotKRB5Tok
	}
	if !oid.Equal(oidKRB5) && !oid.Equal(oidMSKRB5) {
		return nil, nil, fmt.Errorf("GSS token of mechanism %s, not Kerberos", oid)
	}
	if len(rest) < 2 {
		return nil, nil, errors.New("Kerberos GSS token too short")
	}
	return rest[:2], rest[2:], nil
}

// isSPNEGOInit reports whether tok is a GSS InitialContextToken of the SPNEGO mechanism.
func isSPNEGOInit(tok []byte) bool {
	var oid asn1.ObjectIdentifier
	_, err := asn1.UnmarshalWithParams(tok, &oid, "application,explicit,tag:0")
	return err == nil && oid.Equal(oidSPNEGO)
}

// spnegoInit frames mechToken as the first SPNEGO token of the initiator, offering Kerberos
// only (as MIT and pyspnego do when they have a ticket). mechTypes is the DER of the offered
// list, which a mechListMIC of the acceptor covers.
func spnegoInit(mechToken []byte) (tok, mechTypes []byte, err error) {
	init := spnego.NegTokenInit{MechTypes: []asn1.ObjectIdentifier{oidKRB5}, MechTokenBytes: mechToken}
	inner, err := init.Marshal()
	if err != nil {
		return nil, nil, err
	}
	oid, _ := asn1.Marshal(oidSPNEGO)
	mechTypes, err = asn1.Marshal(init.MechTypes)
	if err != nil {
		return nil, nil, err
	}
	return asn1tools.AddASNAppTag(append(oid, inner...), 0), mechTypes, nil
}

// spnegoParseInit returns the Kerberos mech token of an initiator's SPNEGO token, the DER of
// its mechTypes, and the OID to answer with (the first mechanism offered, Kerberos or its
// Microsoft alias).
func spnegoParseInit(tok []byte) (mechToken, mechTypes []byte, supported asn1.ObjectIdentifier, err error) {
	var oid asn1.ObjectIdentifier
	rest, err := asn1.UnmarshalWithParams(tok, &oid, "application,explicit,tag:0")
	if err != nil || !oid.Equal(oidSPNEGO) {
		return nil, nil, nil, errors.New("not a SPNEGO token")
	}
	isInit, nt, err := spnego.UnmarshalNegToken(rest)
	if err != nil {
		return nil, nil, nil, err
	}
	if !isInit {
		return nil, nil, nil, errors.New("SPNEGO token is not a NegTokenInit")
	}
	init := nt.(spnego.NegTokenInit)
	if len(init.MechTypes) == 0 {
		return nil, nil, nil, errors.New("SPNEGO NegTokenInit offers no mechanism")
	}
	first := init.MechTypes[0]
	if !first.Equal(oidKRB5) && !first.Equal(oidMSKRB5) {
		// A Kerberos token is optimistic only for the first mechanism; a real Windows host would
		// ask for another round trip (NTLM, NegoEx), which this acceptor does not do.
		return nil, nil, nil, fmt.Errorf("SPNEGO: first mechanism offered is %s, not Kerberos", first)
	}
	if len(init.MechTokenBytes) == 0 {
		return nil, nil, nil, errors.New("SPNEGO NegTokenInit carries no Kerberos token")
	}
	mechTypes, err = asn1.Marshal(init.MechTypes)
	if err != nil {
		return nil, nil, nil, err
	}
	return init.MechTokenBytes, mechTypes, first, nil
}

// spnegoResp builds the acceptor's NegTokenResp.
func spnegoResp(state spnego.NegState, supported asn1.ObjectIdentifier, respToken, mic []byte) ([]byte, error) {
	r := spnego.NegTokenResp{NegState: asn1.Enumerated(state), SupportedMech: supported, ResponseToken: respToken, MechListMIC: mic}
	return r.Marshal()
}

// spnegoParseResp reads the acceptor's NegTokenResp.
func spnegoParseResp(tok []byte) (spnego.NegTokenResp, error) {
	isInit, nt, err := spnego.UnmarshalNegToken(tok)
	if err != nil {
		return spnego.NegTokenResp{}, err
	}
	if isInit {
		return spnego.NegTokenResp{}, errors.New("SPNEGO answer is a NegTokenInit")
	}
	return nt.(spnego.NegTokenResp), nil
}

// authenticatorChecksum is the GSS checksum of RFC 4121 4.1.1: Lgth, Bnd (MD5 of the channel
// bindings, zeros without), Flags. appData is the channel bindings' application data (RFC 5929
// tls-server-end-point), nil for none.
func authenticatorChecksum(flags uint32, appData []byte) []byte {
	c := make([]byte, 24)
	binary.LittleEndian.PutUint32(c[0:4], 16)
	if appData != nil {
		copy(c[4:20], channelBindingHash(appData))
	}
	binary.LittleEndian.PutUint32(c[20:24], flags)
	return c
}

// channelBindingHash is MD5 of a gss_channel_bindings_struct with no addresses and appData
// as application data (RFC 4121 4.1.1.2).
func channelBindingHash(appData []byte) []byte {
	b := make([]byte, 16, 20+len(appData))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(appData)))
	b = append(b, appData...)
	sum := md5.Sum(b) //nolint:gosec // fixed by the RFC
	return sum[:]
}

// parseAuthenticatorChecksum returns the flags and Bnd of a GSS authenticator checksum.
func parseAuthenticatorChecksum(ck types.Checksum) (flags uint32, bnd []byte, err error) {
	if ck.CksumType != 0x8003 {
		return 0, nil, fmt.Errorf("authenticator checksum of type %d, not the GSS-API one (0x8003)", ck.CksumType)
	}
	c := ck.Checksum
	if len(c) < 24 || binary.LittleEndian.Uint32(c[0:4]) != 16 {
		return 0, nil, errors.New("malformed GSS-API authenticator checksum")
	}
	return binary.LittleEndian.Uint32(c[20:24]), c[4:20], nil
}

// encAPRepPart is EncAPRepPart of RFC 4120 5.5.2, for marshalling (gokrb5 only parses it).
type encAPRepPart struct {
	CTime          time.Time           `asn1:"generalized,explicit,tag:0"`
	Cusec          int                 `asn1:"explicit,tag:1"`
	Subkey         types.EncryptionKey `asn1:"optional,explicit,tag:2"`
	SequenceNumber int64               `asn1:"optional,explicit,tag:3"`
}

type apRep struct {
	PVNO    int                 `asn1:"explicit,tag:0"`
	MsgType int                 `asn1:"explicit,tag:1"`
	EncPart types.EncryptedData `asn1:"explicit,tag:2"`
}

// marshalAPRep builds the KRB_AP_REP of mutual authentication, encrypted in the ticket's
// session key.
func marshalAPRep(sessionKey types.EncryptionKey, auth types.Authenticator, subkey types.EncryptionKey, seq int64) ([]byte, error) {
	part, err := asn1.Marshal(encAPRepPart{CTime: auth.CTime, Cusec: auth.Cusec, Subkey: subkey, SequenceNumber: seq})
	if err != nil {
		return nil, err
	}
	part = asn1tools.AddASNAppTag(part, asnAppTag.EncAPRepPart)
	ed, err := crypto.GetEncryptedData(part, sessionKey, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		return nil, err
	}
	b, err := asn1.Marshal(apRep{PVNO: iana.PVNO, MsgType: msgtype.KRB_AP_REP, EncPart: ed})
	if err != nil {
		return nil, err
	}
	return asn1tools.AddASNAppTag(b, asnAppTag.APREP), nil
}

// verifyAPRep decrypts an AP_REP and checks that it answers the authenticator sent.
func verifyAPRep(b []byte, sessionKey types.EncryptionKey, auth types.Authenticator) (messages.EncAPRepPart, error) {
	var rep messages.APRep
	if err := rep.Unmarshal(b); err != nil {
		return messages.EncAPRepPart{}, fmt.Errorf("AP-REP: %w", err)
	}
	// gokrb5's decryption slices without checking the length (a short cipher text panics,
	// found by FuzzAccept): anything shorter than a confounder and a checksum is refused first.
	et, err := crypto.GetEtype(sessionKey.KeyType)
	if err != nil {
		return messages.EncAPRepPart{}, fmt.Errorf("AP-REP: %w", err)
	}
	if len(rep.EncPart.Cipher) < et.GetConfounderByteSize()+et.GetHMACBitLength()/8 {
		return messages.EncAPRepPart{}, errors.New("AP-REP: encrypted part too short")
	}
	plain, err := crypto.DecryptEncPart(rep.EncPart, sessionKey, keyusage.AP_REP_ENCPART)
	if err != nil {
		return messages.EncAPRepPart{}, errors.New("AP-REP does not decrypt with the session key: the host is not the service of the ticket")
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(plain); err != nil {
		return messages.EncAPRepPart{}, fmt.Errorf("AP-REP: %w", err)
	}
	if !part.CTime.Equal(auth.CTime.Truncate(time.Second)) || part.Cusec != auth.Cusec {
		return messages.EncAPRepPart{}, errors.New("AP-REP does not answer our authenticator (time differs)")
	}
	return part, nil
}

// mechListMIC computes or checks the SPNEGO mechListMIC (RFC 4178 5), a GSS MIC token over
// the DER of the mechanism list.
func mechListMIC(key types.EncryptionKey, fromAcceptor, acceptorSubkey bool, seq uint64, mechTypes []byte) ([]byte, error) {
	var f byte
	usage := uint32(keyusage.GSSAPI_INITIATOR_SIGN)
	if fromAcceptor {
		f |= flagSentByAcceptor
		usage = keyusage.GSSAPI_ACCEPTOR_SIGN
	}
	if acceptorSubkey {
		f |= flagAcceptorSubkey
	}
	mt := gssapi.MICToken{Flags: f, SndSeqNum: seq, Payload: mechTypes}
	if err := mt.SetChecksum(key, usage); err != nil {
		return nil, err
	}
	return mt.Marshal()
}

func verifyMechListMIC(key types.EncryptionKey, fromAcceptor bool, tok, mechTypes []byte) error {
	var mt gssapi.MICToken
	if err := mt.Unmarshal(tok, fromAcceptor); err != nil {
		return fmt.Errorf("SPNEGO mechListMIC: %w", err)
	}
	mt.Payload = mechTypes
	usage := uint32(keyusage.GSSAPI_INITIATOR_SIGN)
	if fromAcceptor {
		usage = keyusage.GSSAPI_ACCEPTOR_SIGN
	}
	ok, err := mt.Verify(key, usage)
	if err != nil || !ok {
		return errors.New("SPNEGO mechListMIC does not verify: the mechanism list was tampered with")
	}
	return nil
}

// equalFold compares principal name components case-insensitively (AD names are).
func equalFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.EqualFold([]byte(a[i]), []byte(b[i])) {
			return false
		}
	}
	return true
}
