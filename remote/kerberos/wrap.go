package kerberos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/etype"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/tlsready/tlsready/remote/wsmv"
)

// RFC 4121 4.2.6.2 wrap tokens, as MS-WSMV carries them (MS-KILE 3.4.5.4.1):
//
//	token header (16 bytes): 05 04 | flags | FF | EC (2, big-endian) | RRC (2) | SND_SEQ (8)
//	then E(confounder | plaintext | EC filler bytes | copy of the header with RRC=0) | HMAC,
//	rotated right by RRC+EC bytes.
//
// With RRC = 16 + HMAC length (28 for the SHA-1 enctypes) and EC = 0, the rotation brings the
// encrypted header copy and the checksum right after the token header, followed by the encrypted
// confounder: the MS-WSMV "signature" is token header + RRC bytes + confounder (60 bytes for AES
// SHA-1) and the sealed data that follows has exactly the plaintext's length. This is what
// Windows and MIT's gss_wrap_iov (header, data, padding buffers; used by pywinrm/pyspnego) send.
// Windows rotates by RRC+EC, the RFC by RRC alone; the two differ only when EC is not 0, which
// Unwrap accepts in both forms.

// Flags of a wrap token (RFC 4121 4.2.2).
const (
	flagSentByAcceptor = 0x01
	flagSealed         = 0x02
	flagAcceptorSubkey = 0x04
)

const wrapHeaderLen = 16

// ErrNoConfidentiality is returned for a context whose session key cannot seal messages.
var ErrNoConfidentiality = errors.New("kerberos: no message confidentiality on this context")

// Sealer protects the messages of one established context: RFC 4121 wrap tokens with
// confidentiality, sequence numbers in each direction. It implements wsmv.Sealer. It is safe for
// concurrent use, though MS-WSMV uses it from one connection at a time.
type Sealer struct {
	key            types.EncryptionKey
	et             etype.EType
	acceptor       bool // this side accepted the context
	acceptorSubkey bool // key is the acceptor's subkey (flag 0x04 in both directions)
	strictSeq      bool // the peer's sequence numbers must follow each other without a gap

	mu      sync.Mutex
	sendSeq uint64
	recvSeq uint64 // the next sequence number expected from the peer
}

var _ wsmv.Sealer = (*Sealer)(nil)

// supportedEtype says whether message protection supports the session key's type: the AES
// enctypes of RFC 3962 (those of Active Directory) and aes128-cts-hmac-sha256-128 of RFC 8009.
// RC4-HMAC (RFC 4757) and DES3 tokens have another format; gokrb5's aes256-cts-hmac-sha384-192
// has inconsistent key sizes.
func supportedEtype(id int32) bool {
	switch id {
	case etypeID.AES128_CTS_HMAC_SHA1_96, etypeID.AES256_CTS_HMAC_SHA1_96, etypeID.AES128_CTS_HMAC_SHA256_128:
		return true
	}
	return false
}

// etypeName names an encryption type for messages.
func etypeName(id int32) string {
	switch id {
	case etypeID.AES128_CTS_HMAC_SHA1_96:
		return "aes128-cts-hmac-sha1-96"
	case etypeID.AES256_CTS_HMAC_SHA1_96:
		return "aes256-cts-hmac-sha1-96"
	case etypeID.AES128_CTS_HMAC_SHA256_128:
		return "aes128-cts-hmac-sha256-128"
	case etypeID.AES256_CTS_HMAC_SHA384_192:
		return "aes256-cts-hmac-sha384-192"
	case etypeID.RC4_HMAC:
		return "rc4-hmac"
	case etypeID.DES3_CBC_SHA1_KD:
		return "des3-cbc-sha1"
	}
	return fmt.Sprintf("enctype %d", id)
}

func newSealer(key types.EncryptionKey, acceptor, acceptorSubkey bool, sendSeq, recvSeq uint64) (*Sealer, error) {
	if !supportedEtype(key.KeyType) {
		return nil, fmt.Errorf("%w: the session key is %s; WinRM message encryption is implemented for the AES enctypes only",
			ErrNoConfidentiality, etypeName(key.KeyType))
	}
	et, err := crypto.GetEtype(key.KeyType)
	if err != nil {
		return nil, err
	}
	if len(key.KeyValue) != et.GetKeyByteSize() {
		return nil, fmt.Errorf("kerberos: %s key of %d bytes", etypeName(key.KeyType), len(key.KeyValue))
	}
	return &Sealer{key: key, et: et, acceptor: acceptor, acceptorSubkey: acceptorSubkey,
		sendSeq: sendSeq, recvSeq: recvSeq}, nil
}

func (s *Sealer) hmacLen() int { return s.et.GetHMACBitLength() / 8 }

// RRC is the right rotation count of the tokens this Sealer sends: the encrypted header copy and
// the checksum.
func (s *Sealer) rrc() int { return wrapHeaderLen + s.hmacLen() }

// Overhead is the length of the MS-WSMV signature (header) of every message this Sealer wraps.
func (s *Sealer) Overhead() int { return wrapHeaderLen + s.rrc() + s.et.GetConfounderByteSize() }

func (s *Sealer) sealUsage(sending bool) uint32 {
	if sending == s.acceptor {
		return keyusage.GSSAPI_ACCEPTOR_SEAL
	}
	return keyusage.GSSAPI_INITIATOR_SEAL
}

func (s *Sealer) flags(sending bool) byte {
	f := byte(flagSealed)
	if sending == s.acceptor {
		f |= flagSentByAcceptor
	}
	if s.acceptorSubkey {
		f |= flagAcceptorSubkey
	}
	return f
}

func wrapHeader(flags byte, ec, rrc uint16, seq uint64) []byte {
	h := make([]byte, wrapHeaderLen)
	h[0], h[1], h[2], h[3] = 0x05, 0x04, flags, 0xFF
	binary.BigEndian.PutUint16(h[4:6], ec)
	binary.BigEndian.PutUint16(h[6:8], rrc)
	binary.BigEndian.PutUint64(h[8:16], seq)
	return h
}

// Wrap seals plain in a wrap token and splits it as MS-WSMV sends it: header is the token
// header, the rotated encrypted header copy and checksum, and the encrypted confounder;
// sealed is the encrypted message, as long as the parts of plain together.
func (s *Sealer) Wrap(plain ...[]byte) (header, sealed []byte, err error) {
	s.mu.Lock()
	seq := s.sendSeq
	s.sendSeq++
	s.mu.Unlock()

	flags := s.flags(true)
	n := 0
	for _, p := range plain {
		n += len(p)
	}
	inner := make([]byte, 0, n+wrapHeaderLen)
	for _, p := range plain {
		inner = append(inner, p...)
	}
	inner = append(inner, wrapHeader(flags, 0, 0, seq)...)
	_, ct, err := s.et.EncryptMessage(s.key.KeyValue, inner, s.sealUsage(true))
	if err != nil {
		return nil, nil, fmt.Errorf("kerberos wrap: %w", err)
	}
	rrc := s.rrc()
	token := append(wrapHeader(flags, 0, uint16(rrc), seq), rotateRight(ct, rrc)...)
	split := s.Overhead()
	return token[:split], token[split:], nil
}

// Unwrap checks and decrypts a wrap token from the peer, given as MS-WSMV carries it (the
// split point between header and sealed does not matter).
func (s *Sealer) Unwrap(header, sealed []byte) ([]byte, error) {
	tok := make([]byte, 0, len(header)+len(sealed))
	tok = append(append(tok, header...), sealed...)
	if len(tok) < wrapHeaderLen {
		return nil, errors.New("kerberos unwrap: token too short")
	}
	h := tok[:wrapHeaderLen]
	if h[0] != 0x05 || h[1] != 0x04 || h[3] != 0xFF {
		return nil, fmt.Errorf("kerberos unwrap: not a wrap token (id %x, filler %x)", h[0:2], h[3])
	}
	flags := h[2]
	want := s.flags(false)
	switch {
	case flags&flagSealed == 0:
		return nil, errors.New("kerberos unwrap: token not encrypted")
	case flags&flagSentByAcceptor != want&flagSentByAcceptor:
		return nil, errors.New("kerberos unwrap: token sent in the wrong direction (reflected)")
	case flags&flagAcceptorSubkey != want&flagAcceptorSubkey:
		return nil, fmt.Errorf("kerberos unwrap: token flags %#x: acceptor subkey flag differs from the context's", flags)
	case flags&^byte(0x07) != 0:
		return nil, fmt.Errorf("kerberos unwrap: unknown token flags %#x", flags)
	}
	ec := int(binary.BigEndian.Uint16(h[4:6]))
	rrc := int(binary.BigEndian.Uint16(h[6:8]))
	seq := binary.BigEndian.Uint64(h[8:16])
	body := tok[wrapHeaderLen:]
	minLen := s.et.GetConfounderByteSize() + ec + wrapHeaderLen + s.hmacLen()
	if len(body) < minLen {
		return nil, fmt.Errorf("kerberos unwrap: token of %d bytes, shorter than its own overhead", len(tok))
	}
	usage := s.sealUsage(false)
	// Windows rotates by RRC+EC (MS-KILE 3.4.5.4.1), RFC 4121 by RRC.
	plain, err := s.decrypt(rotateLeft(body, rrc+ec), usage)
	if err != nil && ec != 0 {
		plain, err = s.decrypt(rotateLeft(body, rrc), usage)
	}
	if err != nil {
		return nil, fmt.Errorf("kerberos unwrap: %w", err)
	}
	if len(plain) < ec+wrapHeaderLen {
		return nil, errors.New("kerberos unwrap: decrypted token too short")
	}
	inner := plain[len(plain)-wrapHeaderLen:]
	if !bytes.Equal(inner, wrapHeader(flags, uint16(ec), 0, seq)) && !bytes.Equal(inner, wrapHeader(flags, uint16(ec), uint16(rrc), seq)) {
		return nil, errors.New("kerberos unwrap: the encrypted header copy does not match the token header")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case seq < s.recvSeq:
		return nil, fmt.Errorf("kerberos unwrap: sequence number %d replayed or out of order (expected %d)", seq, s.recvSeq)
	case seq > s.recvSeq && s.strictSeq:
		return nil, fmt.Errorf("kerberos unwrap: sequence number %d where %d was expected", seq, s.recvSeq)
	}
	s.recvSeq = seq + 1
	return plain[:len(plain)-ec-wrapHeaderLen], nil
}

func (s *Sealer) decrypt(ct []byte, usage uint32) ([]byte, error) {
	if len(ct) < s.hmacLen()+s.et.GetConfounderByteSize() {
		return nil, errors.New("ciphertext too short")
	}
	return s.et.DecryptMessage(s.key.KeyValue, ct, usage)
}

// rotateRight returns b rotated right by n bytes: its last n bytes first.
func rotateRight(b []byte, n int) []byte {
	if len(b) == 0 {
		return b
	}
	n %= len(b)
	out := make([]byte, 0, len(b))
	return append(append(out, b[len(b)-n:]...), b[:len(b)-n]...)
}

// rotateLeft undoes rotateRight.
func rotateLeft(b []byte, n int) []byte {
	if len(b) == 0 {
		return b
	}
	n %= len(b)
	out := make([]byte, 0, len(b))
	return append(append(out, b[n:]...), b[:n]...)
}
