// Package ntlm implements NTLMv2 authentication with extended session security and message
// sealing ([MS-NLMP]), both the client (initiator) and the server (acceptor), as Windows uses
// it under the HTTP scheme "Negotiate" for WinRM: NEGOTIATE, CHALLENGE and AUTHENTICATE
// messages, the NTLMv2 response and its verification, the MIC, key exchange, and the
// connection-oriented signing and sealing keys, sequence numbers and RC4 handles of
// MS-NLMP 3.4 (Session, a wsmv.Sealer).
//
// It does not do NTLMv1, LM, anonymous or datagram authentication, nor 40/56-bit keys: a peer
// that does not negotiate 128-bit keys, key exchange and extended session security is refused.
// It knows nothing of HTTP; see remote and remote/winrmsim.
package ntlm

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// Negotiate flags of MS-NLMP 2.2.2.5.
const (
	FlagUnicode                 uint32 = 0x00000001
	FlagOEM                     uint32 = 0x00000002
	FlagRequestTarget           uint32 = 0x00000004
	FlagSign                    uint32 = 0x00000010
	FlagSeal                    uint32 = 0x00000020
	FlagDatagram                uint32 = 0x00000040
	FlagLMKey                   uint32 = 0x00000080
	FlagNTLM                    uint32 = 0x00000200
	FlagAnonymous               uint32 = 0x00000800
	FlagOEMDomainSupplied       uint32 = 0x00001000
	FlagOEMWorkstationSupplied  uint32 = 0x00002000
	FlagAlwaysSign              uint32 = 0x00008000
	FlagTargetTypeDomain        uint32 = 0x00010000
	FlagTargetTypeServer        uint32 = 0x00020000
	FlagExtendedSessionSecurity uint32 = 0x00080000
	FlagIdentify                uint32 = 0x00100000
	FlagRequestNonNTSessionKey  uint32 = 0x00400000
	FlagTargetInfo              uint32 = 0x00800000
	FlagVersion                 uint32 = 0x02000000
	Flag128                     uint32 = 0x20000000
	FlagKeyExchange             uint32 = 0x40000000
	Flag56                      uint32 = 0x80000000
)

// sessionFlags are the session security this package insists on, from both sides: extended
// session security, 128-bit keys exchanged, signing and sealing.
const sessionFlags = FlagExtendedSessionSecurity | Flag128 | FlagKeyExchange | FlagSign | FlagSeal

// requiredFlags are what the client needs in a CHALLENGE: the session security, Unicode and
// NTLM. (A client's NEGOTIATE may leave Unicode and NTLM out, as python's ntlm-auth does: the
// server then chooses them, as Windows does.)
const requiredFlags = sessionFlags | FlagUnicode | FlagNTLM

// AV pair ids of MS-NLMP 2.2.2.1.
const (
	avEOL             uint16 = 0
	avNbComputerName  uint16 = 1
	avNbDomainName    uint16 = 2
	avDNSComputerName uint16 = 3
	avDNSDomainName   uint16 = 4
	avDNSTreeName     uint16 = 5
	avFlags           uint16 = 6
	avTimestamp       uint16 = 7
	avSingleHost      uint16 = 8
	avTargetName      uint16 = 9
	avChannelBindings uint16 = 10
)

// avFlagMIC in MsvAvFlags says that the AUTHENTICATE message carries a MIC.
const avFlagMIC uint32 = 0x00000002

var signature = []byte("NTLMSSP\x00")

// Message types.
const (
	typeNegotiate    uint32 = 1
	typeChallenge    uint32 = 2
	typeAuthenticate uint32 = 3
)

// IsNTLM reports whether token is a raw NTLMSSP message (as opposed to SPNEGO or Kerberos).
func IsNTLM(token []byte) bool { return bytes.HasPrefix(token, signature) }

// MessageType returns the type of a raw NTLMSSP message (1, 2 or 3), 0 if it is none.
func MessageType(token []byte) uint32 {
	if !IsNTLM(token) || len(token) < 12 {
		return 0
	}
	return binary.LittleEndian.Uint32(token[8:12])
}

// Version is the VERSION structure of MS-NLMP 2.2.2.10: the OS version of the sender.
type Version struct {
	Major, Minor uint8
	Build        uint16
}

func (v Version) bytes() []byte {
	b := make([]byte, 8)
	b[0], b[1] = v.Major, v.Minor
	binary.LittleEndian.PutUint16(b[2:], v.Build)
	b[7] = 0x0f // NTLMSSP_REVISION_W2K3
	return b
}

// ParseVersion reads "10.0.19045" (the first three numbers).
func ParseVersion(s string) Version {
	var v Version
	var n [3]int
	for i, f := range strings.SplitN(s, ".", 4) {
		if i == 3 {
			break
		}
		fmt.Sscanf(f, "%d", &n[i])
	}
	v.Major, v.Minor, v.Build = uint8(n[0]), uint8(n[1]), uint16(n[2])
	return v
}

// ---- cryptography (MS-NLMP 3.3.2, 3.4) ----

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		binary.LittleEndian.PutUint16(b[2*i:], r)
	}
	return b
}

func fromUTF16le(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", errors.New("odd length of a UTF-16 string")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

// ntowfv2 is NTOWFv2 of MS-NLMP 3.3.2: HMAC_MD5(MD4(UNICODE(password)), UNICODE(Uppercase(user) + domain)).
func ntowfv2(user, domain, password string) []byte {
	h := md4(utf16le(password))
	return hmacMD5(h[:], utf16le(strings.ToUpper(user)+domain))
}

// ntlmv2Temp is the "temp" of MS-NLMP 3.3.2 (the NTLMv2_CLIENT_CHALLENGE structure).
func ntlmv2Temp(timestamp, clientChallenge, avPairs []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{1, 1, 0, 0, 0, 0, 0, 0})
	b.Write(timestamp)
	b.Write(clientChallenge)
	b.Write([]byte{0, 0, 0, 0})
	b.Write(avPairs)
	b.Write([]byte{0, 0, 0, 0})
	return b.Bytes()
}

// ntlmv2Response computes the NtChallengeResponse (NTProofStr + temp), the LmChallengeResponse
// (LMv2) and the SessionBaseKey of MS-NLMP 3.3.2.
func ntlmv2Response(responseKeyNT, serverChallenge, clientChallenge, temp []byte) (nt, lm, sessionBaseKey []byte) {
	proof := hmacMD5(responseKeyNT, serverChallenge, temp)
	nt = append(append([]byte(nil), proof...), temp...)
	lm = append(hmacMD5(responseKeyNT, serverChallenge, clientChallenge), clientChallenge...)
	return nt, lm, hmacMD5(responseKeyNT, proof)
}

func rc4K(key, data []byte) []byte {
	c, err := rc4.NewCipher(key)
	if err != nil {
		panic(err) // key lengths are fixed here
	}
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}

// Magic constants of MS-NLMP 3.4.5.2 and 3.4.5.3.
const (
	clientSigningMagic = "session key to client-to-server signing key magic constant\x00"
	serverSigningMagic = "session key to server-to-client signing key magic constant\x00"
	clientSealingMagic = "session key to client-to-server sealing key magic constant\x00"
	serverSealingMagic = "session key to server-to-client sealing key magic constant\x00"
)

func md5Sum(parts ...[]byte) []byte {
	h := md5.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// Keys are the signing and sealing keys of one established context (MS-NLMP 3.4.5.2, 3.4.5.3,
// 128-bit, extended session security).
type Keys struct {
	ClientSigning, ServerSigning, ClientSealing, ServerSealing []byte
}

// deriveKeys derives the four keys from the ExportedSessionKey.
func deriveKeys(exportedSessionKey []byte) Keys {
	return Keys{
		ClientSigning: md5Sum(exportedSessionKey, []byte(clientSigningMagic)),
		ServerSigning: md5Sum(exportedSessionKey, []byte(serverSigningMagic)),
		ClientSealing: md5Sum(exportedSessionKey, []byte(clientSealingMagic)),
		ServerSealing: md5Sum(exportedSessionKey, []byte(serverSealingMagic)),
	}
}

// ---- time ----

// filetime is a Windows FILETIME: 100 ns intervals since 1601-01-01, little-endian.
func filetime(t time.Time) []byte {
	const epochDiff = 116444736000000000 // 1601 to 1970 in 100 ns
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, uint64(t.Unix()*1e7+int64(t.Nanosecond()/100)+epochDiff))
	return b
}

func fromFiletime(b []byte) time.Time {
	const epochDiff = 116444736000000000
	v := int64(binary.LittleEndian.Uint64(b)) - epochDiff
	return time.Unix(v/1e7, v%1e7*100)
}
