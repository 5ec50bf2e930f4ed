package ntlm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// avPair is one AV_PAIR of MS-NLMP 2.2.2.1.
type avPair struct {
	id    uint16
	value []byte
}

// avPairs is a target info list in order, without the MsvAvEOL that ends it on the wire.
type avPairs []avPair

func (l avPairs) get(id uint16) ([]byte, bool) {
	for _, p := range l {
		if p.id == id {
			return p.value, true
		}
	}
	return nil, false
}

// set replaces the value of id, or appends it.
func (l avPairs) set(id uint16, v []byte) avPairs {
	for i, p := range l {
		if p.id == id {
			l[i].value = v
			return l
		}
	}
	return append(l, avPair{id, v})
}

func (l avPairs) marshal() []byte {
	var b bytes.Buffer
	for _, p := range l {
		_ = binary.Write(&b, binary.LittleEndian, [2]uint16{p.id, uint16(len(p.value))})
		b.Write(p.value)
	}
	b.Write([]byte{0, 0, 0, 0}) // MsvAvEOL
	return b.Bytes()
}

func parseAVPairs(b []byte) (avPairs, error) {
	var l avPairs
	for {
		if len(b) < 4 {
			return nil, errors.New("target info: not ended by MsvAvEOL")
		}
		id, n := binary.LittleEndian.Uint16(b), int(binary.LittleEndian.Uint16(b[2:]))
		b = b[4:]
		if id == avEOL {
			return l, nil
		}
		if n > len(b) {
			return nil, fmt.Errorf("target info: AV pair %d longer than the list", id)
		}
		l = append(l, avPair{id, append([]byte(nil), b[:n]...)})
		b = b[n:]
	}
}

// field reads the (length, max length, offset) of a payload field at off in msg.
func field(msg []byte, off int) ([]byte, error) {
	if off+8 > len(msg) {
		return nil, errors.New("message too short")
	}
	n := int(binary.LittleEndian.Uint16(msg[off:]))
	at := int(binary.LittleEndian.Uint32(msg[off+4:]))
	if n == 0 {
		return nil, nil
	}
	if at < 0 || at+n > len(msg) || at+n < at {
		return nil, fmt.Errorf("field at %d points outside the message", off)
	}
	return msg[at : at+n], nil
}

// builder lays out a message: a fixed header of fields and a payload after it.
type builder struct {
	head    []byte
	payload bytes.Buffer
	base    int // where the payload starts
}

func newBuilder(msgType uint32, headLen int) *builder {
	b := &builder{head: make([]byte, headLen), base: headLen}
	copy(b.head, signature)
	binary.LittleEndian.PutUint32(b.head[8:], msgType)
	return b
}

// field writes v to the payload and its descriptor at off in the header.
func (b *builder) field(off int, v []byte) {
	binary.LittleEndian.PutUint16(b.head[off:], uint16(len(v)))
	binary.LittleEndian.PutUint16(b.head[off+2:], uint16(len(v)))
	binary.LittleEndian.PutUint32(b.head[off+4:], uint32(b.base+b.payload.Len()))
	b.payload.Write(v)
}

func (b *builder) bytes() []byte { return append(b.head, b.payload.Bytes()...) }

func checkHeader(msg []byte, want uint32) error {
	if !IsNTLM(msg) || len(msg) < 12 {
		return errors.New("not an NTLMSSP message")
	}
	if got := binary.LittleEndian.Uint32(msg[8:]); got != want {
		return fmt.Errorf("NTLM message of type %d where type %d was expected", got, want)
	}
	return nil
}

// negotiateMessage builds a NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1) without domain or workstation.
func negotiateMessage(flags uint32, v Version) []byte {
	b := newBuilder(typeNegotiate, 40)
	binary.LittleEndian.PutUint32(b.head[12:], flags)
	b.field(16, nil)
	b.field(24, nil)
	copy(b.head[32:], v.bytes())
	return b.bytes()
}

func parseNegotiate(msg []byte) (flags uint32, err error) {
	if err := checkHeader(msg, typeNegotiate); err != nil {
		return 0, err
	}
	if len(msg) < 16 {
		return 0, errors.New("NEGOTIATE message too short")
	}
	return binary.LittleEndian.Uint32(msg[12:]), nil
}

// challenge is a CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2).
type challenge struct {
	flags           uint32
	targetName      []byte // UTF-16LE
	serverChallenge []byte
	targetInfo      avPairs
	version         Version
}

func (c *challenge) marshal() []byte {
	b := newBuilder(typeChallenge, 56)
	b.field(12, c.targetName)
	binary.LittleEndian.PutUint32(b.head[20:], c.flags)
	copy(b.head[24:32], c.serverChallenge)
	b.field(40, c.targetInfo.marshal())
	copy(b.head[48:], c.version.bytes())
	return b.bytes()
}

func parseChallenge(msg []byte) (*challenge, error) {
	if err := checkHeader(msg, typeChallenge); err != nil {
		return nil, err
	}
	if len(msg) < 48 {
		return nil, errors.New("CHALLENGE message too short")
	}
	c := &challenge{flags: binary.LittleEndian.Uint32(msg[20:]), serverChallenge: append([]byte(nil), msg[24:32]...)}
	var err error
	if c.targetName, err = field(msg, 12); err != nil {
		return nil, fmt.Errorf("CHALLENGE target name: %w", err)
	}
	if c.flags&FlagVersion != 0 && len(msg) >= 56 {
		c.version = Version{msg[48], msg[49], binary.LittleEndian.Uint16(msg[50:])}
	}
	if c.flags&FlagTargetInfo != 0 {
		ti, err := field(msg, 40)
		if err != nil {
			return nil, fmt.Errorf("CHALLENGE target info: %w", err)
		}
		if c.targetInfo, err = parseAVPairs(ti); err != nil {
			return nil, fmt.Errorf("CHALLENGE: %w", err)
		}
	}
	return c, nil
}

// authenticate is an AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3).
type authenticate struct {
	lmResponse, ntResponse    []byte
	domain, user, workstation []byte // UTF-16LE
	encryptedRandomSessionKey []byte
	flags                     uint32
	version                   Version
	hasMIC                    bool
	mic                       []byte // 16 bytes when hasMIC
	raw                       []byte // the message as received
	micOffset                 int
}

// marshal lays the payload out as MS-NLMP 4.2.4.3 does: domain, user, workstation, LM, NT, key.
func (a *authenticate) marshal() []byte {
	headLen := 72
	if a.hasMIC {
		headLen = 88
	}
	b := newBuilder(typeAuthenticate, headLen)
	b.field(28, a.domain)
	b.field(36, a.user)
	b.field(44, a.workstation)
	b.field(12, a.lmResponse)
	b.field(20, a.ntResponse)
	b.field(52, a.encryptedRandomSessionKey)
	binary.LittleEndian.PutUint32(b.head[60:], a.flags)
	copy(b.head[64:], a.version.bytes())
	if a.hasMIC {
		copy(b.head[72:88], a.mic)
	}
	return b.bytes()
}

func parseAuthenticate(msg []byte) (*authenticate, error) {
	if err := checkHeader(msg, typeAuthenticate); err != nil {
		return nil, err
	}
	if len(msg) < 64 {
		return nil, errors.New("AUTHENTICATE message too short")
	}
	a := &authenticate{flags: binary.LittleEndian.Uint32(msg[60:]), raw: msg}
	fields := []struct {
		off int
		dst *[]byte
	}{{12, &a.lmResponse}, {20, &a.ntResponse}, {28, &a.domain}, {36, &a.user}, {44, &a.workstation}, {52, &a.encryptedRandomSessionKey}}
	minOffset := len(msg)
	for _, f := range fields {
		v, err := field(msg, f.off)
		if err != nil {
			return nil, fmt.Errorf("AUTHENTICATE: %w", err)
		}
		*f.dst = v
		if len(v) > 0 {
			minOffset = min(minOffset, int(binary.LittleEndian.Uint32(msg[f.off+4:])))
		}
	}
	// The MIC follows the version when the payload leaves room for it (MS-NLMP 2.2.1.3).
	if minOffset >= 88 && len(msg) >= 88 {
		a.hasMIC, a.mic, a.micOffset = true, msg[72:88], 72
	}
	return a, nil
}
