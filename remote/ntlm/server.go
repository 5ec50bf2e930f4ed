package ntlm

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ServerConfig describes the host that accepts NTLM and its one account.
type ServerConfig struct {
	// NetBIOSComputer is the computer name, e.g. "PC-W10-01" (upper case on the wire).
	NetBIOSComputer string
	// NetBIOSDomain is the domain, e.g. "LAB"; empty for a workgroup host (the computer name
	// is sent instead, as Windows does).
	NetBIOSDomain string
	// DNSComputer and DNSDomain are the DNS names; empty ones are derived from the NetBIOS names.
	DNSComputer, DNSDomain string
	// Version is the host's OS version sent in the CHALLENGE.
	Version Version
	// Password returns the password of the account that user and domain (as the client sent
	// them) name, and false when they name no account of the host.
	Password func(user, domain string) (password string, ok bool)
	// ChannelBindings is the application data of the connection's channel bindings (over TLS:
	// "tls-server-end-point:" + certificate hash), nil over HTTP. A client that sends
	// bindings must send these; a client that sends none is accepted (Windows' default
	// CbtHardeningLevel "Relaxed").
	ChannelBindings []byte
	// MaxClockSkew bounds the difference between the client's timestamp and the host's clock
	// (default 36 hours, Windows' MaxLifetime).
	MaxClockSkew time.Duration

	rand io.Reader        // for tests: the server challenge
	now  func() time.Time // for tests: the timestamp
}

// ErrLogonFailure says that the user name or password is wrong (STATUS_LOGON_FAILURE).
var ErrLogonFailure = errors.New("NTLM: unknown user name or bad password")

// Server is the acceptor side of one NTLM authentication: Challenge with the client's
// NEGOTIATE, Authenticate with its AUTHENTICATE, then Session.
type Server struct {
	cfg          ServerConfig
	negotiate    []byte
	challengeMsg []byte
	challenge    *challenge
	session      *Session
	user, domain string
}

// NewServer returns an acceptor context for cfg.
func NewServer(cfg ServerConfig) *Server {
	if cfg.rand == nil {
		cfg.rand = rand.Reader
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.MaxClockSkew == 0 {
		cfg.MaxClockSkew = 36 * time.Hour
	}
	return &Server{cfg: cfg}
}

// ServerFlags are the flags the server supports; the CHALLENGE carries those the client asked
// for, plus target info, target type and version.
const ServerFlags = FlagUnicode | FlagRequestTarget | FlagSign | FlagSeal | FlagNTLM | FlagAlwaysSign |
	FlagExtendedSessionSecurity | FlagTargetInfo | FlagVersion | Flag128 | FlagKeyExchange | Flag56

// Challenge answers a NEGOTIATE_MESSAGE with a CHALLENGE_MESSAGE: a random server challenge
// and the target info (NetBIOS and DNS names, timestamp) of the host.
func (s *Server) Challenge(negotiate []byte) ([]byte, error) {
	if s.challenge != nil {
		return nil, errors.New("NTLM: second NEGOTIATE in one context")
	}
	flags, err := parseNegotiate(negotiate)
	if err != nil {
		return nil, fmt.Errorf("NTLM: %w", err)
	}
	if missing := sessionFlags &^ flags; missing != 0 {
		return nil, fmt.Errorf("NTLM: the client does not ask for 128-bit session security with sealing (flags %#08x lack %#08x)", flags, missing)
	}
	c := &challenge{flags: flags&ServerFlags | FlagUnicode | FlagNTLM | FlagTargetInfo | FlagVersion, version: s.cfg.Version, serverChallenge: make([]byte, 8)}
	if _, err := io.ReadFull(s.cfg.rand, c.serverChallenge); err != nil {
		return nil, fmt.Errorf("NTLM: random: %w", err)
	}
	computer := strings.ToUpper(s.cfg.NetBIOSComputer)
	domain := strings.ToUpper(s.cfg.NetBIOSDomain)
	dnsComputer, dnsDomain := s.cfg.DNSComputer, s.cfg.DNSDomain
	if domain == "" { // a workgroup host names itself everywhere
		domain = computer
		c.flags |= FlagTargetTypeServer
	} else {
		c.flags |= FlagTargetTypeDomain
	}
	if dnsDomain == "" {
		dnsDomain = strings.ToLower(domain)
	}
	if dnsComputer == "" {
		dnsComputer = strings.ToLower(computer)
		if s.cfg.NetBIOSDomain != "" {
			dnsComputer += "." + dnsDomain
		}
	}
	c.targetName = utf16le(domain)
	c.targetInfo = avPairs{
		{avNbDomainName, utf16le(domain)},
		{avNbComputerName, utf16le(computer)},
		{avDNSDomainName, utf16le(dnsDomain)},
		{avDNSComputerName, utf16le(dnsComputer)},
	}
	if s.cfg.NetBIOSDomain != "" {
		c.targetInfo = append(c.targetInfo, avPair{avDNSTreeName, utf16le(dnsDomain)})
	}
	c.targetInfo = append(c.targetInfo, avPair{avTimestamp, filetime(s.cfg.now())})
	s.negotiate = append([]byte(nil), negotiate...)
	s.challenge = c
	s.challengeMsg = c.marshal()
	return s.challengeMsg, nil
}

// Authenticate verifies an AUTHENTICATE_MESSAGE: the NTLMv2 response against the account's
// password, the timestamp, the MIC and the channel bindings. On success it returns the user
// and domain as the client sent them and sets up the Session. A wrong user or password is
// ErrLogonFailure.
func (s *Server) Authenticate(msg []byte) (user, domain string, err error) {
	if s.challenge == nil {
		return "", "", errors.New("NTLM: AUTHENTICATE before NEGOTIATE")
	}
	if s.session != nil {
		return "", "", errors.New("NTLM: context already complete")
	}
	a, err := parseAuthenticate(msg)
	if err != nil {
		return "", "", fmt.Errorf("NTLM: %w", err)
	}
	// python's ntlm-auth leaves out Sign in its AUTHENTICATE; sealing implies it.
	if missing := (sessionFlags &^ FlagSign) &^ a.flags; missing != 0 {
		return "", "", fmt.Errorf("NTLM: AUTHENTICATE flags %#08x lack %#08x", a.flags, missing)
	}
	if len(a.ntResponse) < 16+28+4 {
		return "", "", errors.New("NTLM: not an NTLMv2 response (NTLMv1 and anonymous are refused)")
	}
	if user, err = fromUTF16le(a.user); err != nil {
		return "", "", fmt.Errorf("NTLM: user name: %w", err)
	}
	if domain, err = fromUTF16le(a.domain); err != nil {
		return "", "", fmt.Errorf("NTLM: domain: %w", err)
	}
	password, ok := s.cfg.Password(user, domain)
	if !ok {
		return "", "", ErrLogonFailure
	}
	key := ntowfv2(user, domain, password)
	proof, temp := a.ntResponse[:16], a.ntResponse[16:]
	if !hmac.Equal(hmacMD5(key, s.challenge.serverChallenge, temp), proof) {
		return "", "", ErrLogonFailure
	}
	if temp[0] != 1 || temp[1] != 1 {
		return "", "", errors.New("NTLM: unknown NTLMv2 response version")
	}
	if t := fromFiletime(temp[8:16]); t.Sub(s.cfg.now()).Abs() > s.cfg.MaxClockSkew {
		return "", "", fmt.Errorf("NTLM: client timestamp %s too far from the host's clock", t.UTC().Format(time.RFC3339))
	}
	ti, err := parseAVPairs(temp[28:])
	if err != nil {
		return "", "", fmt.Errorf("NTLM: NTLMv2 response: %w", err)
	}
	sessionBaseKey := hmacMD5(key, proof)
	if len(a.encryptedRandomSessionKey) != 16 {
		return "", "", errors.New("NTLM: no encrypted session key (key exchange is required)")
	}
	exported := rc4K(sessionBaseKey, a.encryptedRandomSessionKey)

	if f, ok := ti.get(avFlags); ok && len(f) == 4 && binary.LittleEndian.Uint32(f)&avFlagMIC != 0 {
		if !a.hasMIC {
			return "", "", errors.New("NTLM: MsvAvFlags announces a MIC that the message lacks")
		}
		zeroed := bytes.Clone(msg)
		clear(zeroed[a.micOffset : a.micOffset+16])
		if !hmac.Equal(hmacMD5(exported, s.negotiate, s.challengeMsg, zeroed), a.mic) {
			return "", "", errors.New("NTLM: MIC does not match (message altered)")
		}
	} else if _, ts := s.challenge.targetInfo.get(avTimestamp); ts {
		// MS-NLMP 3.2.5.1.2: with a timestamp in the CHALLENGE, a client that sends no MIC
		// is refused (Windows since Vista sends one).
		return "", "", errors.New("NTLM: no MIC in the AUTHENTICATE message")
	}
	if s.cfg.ChannelBindings != nil {
		if got, ok := ti.get(avChannelBindings); ok && !bytes.Equal(got, make([]byte, 16)) &&
			!hmac.Equal(got, channelBindingsHash(s.cfg.ChannelBindings)) {
			return "", "", errors.New("NTLM: channel bindings do not match this TLS connection")
		}
	}
	s.user, s.domain = user, domain
	s.session = newSession(exported, false)
	return user, domain, nil
}

// Session returns the established session, nil before Authenticate succeeded.
func (s *Server) Session() *Session { return s.session }
