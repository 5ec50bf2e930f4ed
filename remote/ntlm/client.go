package ntlm

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ClientConfig is the account and the target of one client context.
type ClientConfig struct {
	// User is "DOMAIN\user", "user@domain" (sent whole, with an empty domain, as Windows does
	// with a UPN) or "user".
	User     string
	Password string
	// Workstation is the client's computer name; empty sends none.
	Workstation string
	// TargetName is the service principal name sent in MsvAvTargetName, e.g. "HTTP/pc-17".
	TargetName string
	// ChannelBindings is the application data of the channel bindings (over TLS:
	// "tls-server-end-point:" + certificate hash, RFC 5929), nil for none.
	ChannelBindings []byte
	// Version is the client's OS version sent in the messages (default 10.0.20348).
	Version Version

	rand io.Reader        // for tests: client challenge, then the exported session key
	now  func() time.Time // for tests
}

// ClientFlags are the flags of the NEGOTIATE_MESSAGE: Unicode, NTLM, request target, sign,
// seal, always sign, extended session security, version, 128-bit, key exchange, 56-bit.
const ClientFlags = FlagUnicode | FlagOEM | FlagRequestTarget | FlagSign | FlagSeal | FlagNTLM | FlagAlwaysSign |
	FlagExtendedSessionSecurity | FlagVersion | Flag128 | FlagKeyExchange | Flag56

// Client is the initiator side of one NTLM authentication: Negotiate, then Authenticate with
// the server's CHALLENGE, then Session.
type Client struct {
	cfg       ClientConfig
	negotiate []byte
	session   *Session
}

// NewClient returns a client context for cfg.
func NewClient(cfg ClientConfig) *Client {
	if cfg.Version == (Version{}) {
		cfg.Version = Version{10, 0, 20348}
	}
	if cfg.rand == nil {
		cfg.rand = rand.Reader
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	return &Client{cfg: cfg}
}

// SplitUser splits "DOMAIN\user" into its parts; "user@domain" and "user" have no domain.
func SplitUser(s string) (user, domain string) {
	if d, u, ok := strings.Cut(s, `\`); ok {
		return u, d
	}
	return s, ""
}

// Negotiate returns the NEGOTIATE_MESSAGE.
func (c *Client) Negotiate() []byte {
	c.negotiate = negotiateMessage(ClientFlags, c.cfg.Version)
	return c.negotiate
}

// Authenticate answers the server's CHALLENGE_MESSAGE with the AUTHENTICATE_MESSAGE (NTLMv2,
// MIC when the server sent a timestamp) and sets up the Session.
func (c *Client) Authenticate(challengeMsg []byte) ([]byte, error) {
	if c.negotiate == nil {
		return nil, errors.New("NTLM: Authenticate before Negotiate")
	}
	if c.session != nil {
		return nil, errors.New("NTLM: context already complete")
	}
	ch, err := parseChallenge(challengeMsg)
	if err != nil {
		return nil, fmt.Errorf("NTLM: %w", err)
	}
	if missing := requiredFlags &^ ch.flags; missing != 0 {
		return nil, fmt.Errorf("NTLM: the server does not offer NTLMv2 with 128-bit session security (flags %#08x lack %#08x)", ch.flags, missing)
	}
	if ch.flags&FlagTargetInfo == 0 || len(ch.targetInfo) == 0 {
		return nil, errors.New("NTLM: the server sent no target info (NTLMv2 needs it)")
	}
	var random [24]byte
	if _, err := io.ReadFull(c.cfg.rand, random[:]); err != nil {
		return nil, fmt.Errorf("NTLM: random: %w", err)
	}
	clientChallenge, exportedSessionKey := random[:8], random[8:24]

	user, domain := SplitUser(c.cfg.User)
	ti := append(avPairs(nil), ch.targetInfo...)
	ts, withTimestamp := ti.get(avTimestamp)
	if !withTimestamp || len(ts) != 8 {
		ts, withTimestamp = filetime(c.cfg.now()), false
	}
	if withTimestamp {
		// MS-NLMP 3.1.5.1.2: a MIC, announced in MsvAvFlags, and the channel bindings and
		// target name the server may check.
		var flags [4]byte
		if f, ok := ti.get(avFlags); ok && len(f) == 4 {
			copy(flags[:], f)
		}
		binary.LittleEndian.PutUint32(flags[:], binary.LittleEndian.Uint32(flags[:])|avFlagMIC)
		ti = ti.set(avFlags, flags[:])
		ti = ti.set(avChannelBindings, channelBindingsHash(c.cfg.ChannelBindings))
		if c.cfg.TargetName != "" {
			ti = ti.set(avTargetName, utf16le(c.cfg.TargetName))
		}
	}
	key := ntowfv2(user, domain, c.cfg.Password)
	temp := ntlmv2Temp(ts, clientChallenge, ti.marshal())
	nt, lm, sessionBaseKey := ntlmv2Response(key, ch.serverChallenge, clientChallenge, temp)
	if withTimestamp {
		lm = make([]byte, 24) // MS-NLMP 3.1.5.1.2: Z(24) instead of LMv2
	}
	a := &authenticate{
		lmResponse:                lm,
		ntResponse:                nt,
		domain:                    utf16le(domain),
		user:                      utf16le(user),
		workstation:               utf16le(c.cfg.Workstation),
		encryptedRandomSessionKey: rc4K(sessionBaseKey, exportedSessionKey),
		flags:                     authenticateFlags(ch.flags),
		version:                   c.cfg.Version,
		hasMIC:                    withTimestamp,
		mic:                       make([]byte, 16),
	}
	msg := a.marshal()
	if a.hasMIC {
		copy(msg[72:88], hmacMD5(exportedSessionKey, c.negotiate, challengeMsg, msg))
	}
	c.session = newSession(exportedSessionKey, true)
	return msg, nil
}

// Session returns the established session, nil before Authenticate succeeded.
func (c *Client) Session() *Session { return c.session }

// channelBindingsHash is the MsvAvChannelBindings value: MD5 of the gss_channel_bindings_struct
// with no addresses and the application data; 16 zero bytes when there is none.
func channelBindingsHash(appData []byte) []byte {
	if appData == nil {
		return make([]byte, 16)
	}
	b := make([]byte, 20, 20+len(appData))
	binary.LittleEndian.PutUint32(b[16:], uint32(len(appData)))
	return md5Sum(append(b, appData...))
}

// authenticateFlags are the flags of the AUTHENTICATE_MESSAGE: those of the CHALLENGE that the
// client asked for (and target info), Unicode rather than OEM, and the request for the target
// name (MS-NLMP 4.2.4.3 shows 0xe2888235 for the CHALLENGE's 0xe28a8233).
func authenticateFlags(challenge uint32) uint32 {
	f := challenge&(ClientFlags|FlagTargetInfo) | FlagRequestTarget
	if f&FlagUnicode != 0 {
		f &^= FlagOEM
	}
	return f
}
