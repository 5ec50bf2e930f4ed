package ntlm

import (
	"crypto/rc4"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// Session is the security context of one authenticated NTLM connection (MS-NLMP 3.4,
// connection-oriented, extended session security, key exchange, 128-bit keys): it seals and
// signs outgoing messages and unseals and verifies incoming ones, each direction with its own
// keys, RC4 handle and sequence number. It implements wsmv.Sealer. It is safe for concurrent
// use, but messages must be unwrapped in the order they were wrapped.
type Session struct {
	mu              sync.Mutex
	signOut, signIn []byte
	sealOut, sealIn *rc4.Cipher
	seqOut, seqIn   uint32
	broken          error
}

// newSession sets up the directions of the client (outgoing = client-to-server) or the server.
func newSession(exportedSessionKey []byte, client bool) *Session {
	k := deriveKeys(exportedSessionKey)
	s := &Session{}
	if client {
		s.signOut, s.signIn = k.ClientSigning, k.ServerSigning
		s.sealOut, s.sealIn = mustRC4(k.ClientSealing), mustRC4(k.ServerSealing)
	} else {
		s.signOut, s.signIn = k.ServerSigning, k.ClientSigning
		s.sealOut, s.sealIn = mustRC4(k.ServerSealing), mustRC4(k.ClientSealing)
	}
	return s
}

func mustRC4(key []byte) *rc4.Cipher {
	c, err := rc4.NewCipher(key)
	if err != nil {
		panic(err)
	}
	return c
}

// SignatureSize is the size of the NTLMSSP_MESSAGE_SIGNATURE that Wrap returns as header.
const SignatureSize = 16

// Wrap seals the message made of the parts of plain, one after another (GSS_WrapEx with
// confidentiality, MS-NLMP 3.4.3), and returns the 16-byte signature and the sealed message.
// The parts are read, never copied together: a large part can be shared by many sessions.
func (s *Session) Wrap(plain ...[]byte) (header, sealed []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return nil, nil, s.broken
	}
	n := 0
	for _, p := range plain {
		n += len(p)
	}
	sealed = make([]byte, n)
	off := 0
	for _, p := range plain {
		s.sealOut.XORKeyStream(sealed[off:off+len(p)], p)
		off += len(p)
	}
	header = mac(s.signOut, s.sealOut, s.seqOut, plain...)
	s.seqOut++
	return header, sealed, nil
}

// ErrSignature says that an incoming message was altered, replayed or sealed with other keys.
var ErrSignature = errors.New("NTLM message signature does not match")

// Unwrap unseals a message and checks its signature and sequence number (GSS_UnwrapEx). After
// a failure the session is unusable: the RC4 state of the direction is lost.
func (s *Session) Unwrap(header, sealed []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return nil, s.broken
	}
	if len(header) != SignatureSize {
		s.broken = fmt.Errorf("NTLM signature of %d bytes, want %d", len(header), SignatureSize)
		return nil, s.broken
	}
	plain := make([]byte, len(sealed))
	s.sealIn.XORKeyStream(plain, sealed)
	want := mac(s.signIn, s.sealIn, s.seqIn, plain)
	if subtle.ConstantTimeCompare(want, header) != 1 {
		s.broken = ErrSignature
		return nil, s.broken
	}
	s.seqIn++
	return plain, nil
}

// mac is the NTLMSSP_MESSAGE_SIGNATURE with extended session security and key exchange
// (MS-NLMP 3.4.4.2): version 1, RC4(HMAC_MD5(SigningKey, SeqNum + Message)[0:8]), SeqNum.
func mac(signKey []byte, seal *rc4.Cipher, seq uint32, msg ...[]byte) []byte {
	var seqb [4]byte
	binary.LittleEndian.PutUint32(seqb[:], seq)
	checksum := hmacMD5(signKey, append([][]byte{seqb[:]}, msg...)...)[:8]
	seal.XORKeyStream(checksum, checksum)
	out := make([]byte, 16)
	out[0] = 1
	copy(out[4:12], checksum)
	copy(out[12:], seqb[:])
	return out
}
