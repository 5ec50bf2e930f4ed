package ntlm

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// The known answers of [MS-NLMP] 4.2.1 (common values) and 4.2.4 (NTLMv2 authentication),
// byte for byte as the document gives them; transcribed from jborean93/ntlm-auth
// tests/expected_values.py ("[MS-NLMP] v28 2016-07-14"), where they are laid out as hex. The
// LMv2 response there has a stray space ("25 54 7 6 4a"): the AUTHENTICATE message of 4.2.4.3
// has "25 54 76 4a".
var (
	kaUser, kaDomain, kaPassword = "User", "Domain", "Password"
	kaServerChallenge            = unhex("0123456789abcdef")
	kaClientChallenge            = unhex("aaaaaaaaaaaaaaaa")
	kaTime                       = unhex("0000000000000000")
	kaRandomSessionKey           = unhex("55555555555555555555555555555555")
	kaPlaintext                  = unhex("50006c00610069006e007400650078007400") // "Plaintext" in UTF-16LE

	// 4.2.4.1
	kaNTOWFv2         = unhex("0c868a403bfd7a93a3001ef22ef02e3f")
	kaSessionBaseKey  = unhex("8de40ccadbc14a82f15cb0ad0de95ca3")
	kaTemp            = unhex("0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000 02000c0044006f006d00610069006e00 01000c0053006500720076006500720000000000 00000000")
	kaTargetInfoPairs = unhex("02000c0044006f006d00610069006e00 01000c005300650072007600650072000000 0000")
	// 4.2.4.2
	kaLMv2Response         = unhex("86c35097ac9cec102554764a57cccc19 aaaaaaaaaaaaaaaa")
	kaNTProofStr           = unhex("68cd0ab851e51c96aabc927bebef6a1c")
	kaEncryptedSessionKey  = unhex("c5dad2544fc9799094ce1ce90bc9d03e")
	kaChallengeFlags       = uint32(0xe28a8233)
	kaAuthenticateFlags    = uint32(0xe2888235)
	kaVersionOfTheExamples = Version{5, 1, 2600} // 05 01 28 0a 00 00 00 0f
	// 4.2.4.3
	kaChallengeMessage = unhex(`4e544c4d53535000 02000000 0c000c00 38000000 33828ae2 0123456789abcdef
		0000000000000000 24002400 44000000 060070170000000f 530065007200760065007200
		02000c0044006f006d00610069006e00 01000c0053006500720076006500720000000000`)
	kaAuthenticateMessage = unhex(`4e544c4d53535000 03000000 18001800 6c000000 54005400 84000000
		0c000c00 48000000 08000800 54000000 10001000 5c000000 10001000 d8000000 358288e2
		0501280a0000000f 44006f006d00610069006e00 5500730065007200 43004f004d0050005500540045005200
		86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa
		68cd0ab851e51c96aabc927bebef6a1c 0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000
		02000c0044006f006d00610069006e00 01000c0053006500720076006500720000000000 00000000
		c5dad2544fc9799094ce1ce90bc9d03e`)
	// 4.2.4.4
	kaSealKey   = unhex("59f600973cc4960a25480a7c196e4c58")
	kaSignKey   = unhex("4788dc861b4782f35d43fd98fe1a2d39")
	kaSealed    = unhex("54e50165bf1936dc996020c1811b0f06fb5f")
	kaSignature = unhex("010000007fb38ec5c55d497600000000")
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// fixedRand returns the same bytes in order, as the examples' "random" values.
func fixedRand(parts ...[]byte) *bytes.Reader { return bytes.NewReader(bytes.Join(parts, nil)) }

func epoch1601() time.Time { return fromFiletime(kaTime) }

func TestMSNLMP_4_2_4_NTLMv2Calculations(t *testing.T) {
	key := ntowfv2(kaUser, kaDomain, kaPassword)
	temp := ntlmv2Temp(kaTime, kaClientChallenge, kaTargetInfoPairs)
	nt, lm, sbk := ntlmv2Response(key, kaServerChallenge, kaClientChallenge, temp)
	keys := deriveKeys(kaRandomSessionKey)
	tests := []struct {
		name      string
		got, want []byte
	}{
		{"4.2.4.1.1 NTOWFv2", key, kaNTOWFv2},
		{"4.2.4.1.2 SessionBaseKey", sbk, kaSessionBaseKey},
		{"4.2.4.1.3 temp", temp, kaTemp},
		{"4.2.4.2.1 LMv2 response", lm, kaLMv2Response},
		{"4.2.4.2.2 NTProofStr", nt[:16], kaNTProofStr},
		{"4.2.4.2.2 NTLMv2 response", nt, append(append([]byte(nil), kaNTProofStr...), kaTemp...)},
		{"4.2.4.2.3 EncryptedSessionKey", rc4K(sbk, kaRandomSessionKey), kaEncryptedSessionKey},
		{"4.2.4.4 SealingKey", keys.ClientSealing, kaSealKey},
		{"4.2.4.4 SigningKey", keys.ClientSigning, kaSignKey},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.got, tt.want) {
			t.Errorf("%s = %x, want %x", tt.name, tt.got, tt.want)
		}
	}
}

func TestMSNLMP_4_2_4_4_GSSWrapEx(t *testing.T) {
	client := newSession(kaRandomSessionKey, true)
	sig, sealed, err := client.Wrap(kaPlaintext)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sealed, kaSealed) || !bytes.Equal(sig, kaSignature) {
		t.Fatalf("Wrap = %x, %x; want %x, %x", sealed, sig, kaSealed, kaSignature)
	}
	server := newSession(kaRandomSessionKey, false)
	plain, err := server.Unwrap(kaSignature, kaSealed)
	if err != nil || !bytes.Equal(plain, kaPlaintext) {
		t.Fatalf("server Unwrap = %x, %v; want %x", plain, err, kaPlaintext)
	}
	// A second message continues the RC4 streams and the sequence numbers (connection-oriented).
	sig2, sealed2, _ := client.Wrap(kaPlaintext)
	if bytes.Equal(sealed2, kaSealed) || sig2[12] != 1 {
		t.Errorf("second message sealed %x, seq %x: RC4 state or sequence number not kept", sealed2, sig2[12:])
	}
	if _, err := server.Unwrap(sig2, sealed2); err != nil {
		t.Errorf("second message: %v", err)
	}
}

func TestMSNLMP_4_2_4_3_Messages(t *testing.T) {
	ch, err := parseChallenge(kaChallengeMessage)
	if err != nil {
		t.Fatal(err)
	}
	if ch.flags != kaChallengeFlags || !bytes.Equal(ch.serverChallenge, kaServerChallenge) ||
		!bytes.Equal(ch.targetInfo.marshal(), kaTargetInfoPairs) {
		t.Errorf("parsed CHALLENGE: flags %#x, challenge %x, target info %x", ch.flags, ch.serverChallenge, ch.targetInfo.marshal())
	}
	if got := ch.marshal(); !bytes.Equal(got, kaChallengeMessage) {
		t.Errorf("CHALLENGE marshalled again:\n got %x\nwant %x", got, kaChallengeMessage)
	}
	if got := authenticateFlags(kaChallengeFlags); got != kaAuthenticateFlags {
		t.Errorf("AUTHENTICATE flags %#x, want %#x", got, kaAuthenticateFlags)
	}

	// The client, with the examples' client challenge, session key and time, answers the
	// example CHALLENGE (which has no timestamp: no MIC, LMv2) with the example AUTHENTICATE.
	c := NewClient(ClientConfig{User: kaDomain + `\` + kaUser, Password: kaPassword, Workstation: "COMPUTER",
		Version: kaVersionOfTheExamples, rand: fixedRand(kaClientChallenge, kaRandomSessionKey), now: epoch1601})
	c.Negotiate()
	got, err := c.Authenticate(kaChallengeMessage)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, kaAuthenticateMessage) {
		t.Errorf("AUTHENTICATE:\n got %x\nwant %x", got, kaAuthenticateMessage)
	}
	sig, sealed, _ := c.Session().Wrap(kaPlaintext)
	if !bytes.Equal(sealed, kaSealed) || !bytes.Equal(sig, kaSignature) {
		t.Errorf("client session Wrap = %x, %x; want the 4.2.4.4 values", sealed, sig)
	}
}

// The server side of the example: it verifies the example AUTHENTICATE against the password,
// recovers the session key and unseals the example's sealed message.
func TestMSNLMP_4_2_4_ServerVerifies(t *testing.T) {
	tests := []struct {
		name     string
		password string
		wantErr  error
	}{
		{"RightPassword", kaPassword, nil},
		{"WrongPassword", "password", ErrLogonFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(ServerConfig{now: epoch1601, Password: func(u, d string) (string, bool) {
				return tt.password, strings.EqualFold(u, kaUser) && strings.EqualFold(d, kaDomain)
			}})
			s.challenge, _ = parseChallenge(kaChallengeMessage)
			s.challengeMsg = kaChallengeMessage
			user, domain, err := s.Authenticate(kaAuthenticateMessage)
			if err != tt.wantErr {
				t.Fatalf("Authenticate: %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if user != kaUser || domain != kaDomain {
				t.Errorf("user %q domain %q", user, domain)
			}
			plain, err := s.Session().Unwrap(kaSignature, kaSealed)
			if err != nil || !bytes.Equal(plain, kaPlaintext) {
				t.Errorf("Unwrap = %x, %v", plain, err)
			}
		})
	}
}

func TestMD4_RFC1320(t *testing.T) {
	for in, want := range map[string]string{
		"":    "31d6cfe0d16ae931b73c59d7e0c089c0",
		"a":   "bde52cb31de33e46245e05fbdbd6fb24",
		"abc": "a448017aaf21d8525fc10ae87aa6729d",
		"12345678901234567890123456789012345678901234567890123456789012345678901234567890": "e33b4ddc9c38f2199c3e7b164fcc0536",
	} {
		if got := md4([]byte(in)); hex.EncodeToString(got[:]) != want {
			t.Errorf("md4(%q) = %x, want %s", in, got, want)
		}
	}
}

// A message sealed in parts is the message sealed whole: same sealed bytes, same signature,
// and the RC4 streams and sequence numbers continue alike afterwards.
func TestWrapParts(t *testing.T) {
	msg := []byte("<s:Envelope>the collector's base64 text, shared by every host</s:Envelope>")
	tests := []struct {
		name  string
		parts [][]byte
	}{
		{"Whole", [][]byte{msg}},
		{"Three", [][]byte{msg[:12], msg[12:60], msg[60:]}},
		{"EmptyParts", [][]byte{nil, msg[:1], {}, msg[1:], nil}},
		{"ByteByByte", func() (p [][]byte) {
			for i := range msg {
				p = append(p, msg[i:i+1])
			}
			return p
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			whole, parts := newSession(kaRandomSessionKey, true), newSession(kaRandomSessionKey, true)
			for i := 0; i < 2; i++ {
				h1, s1, _ := whole.Wrap(msg)
				h2, s2, err := parts.Wrap(tt.parts...)
				if err != nil || !bytes.Equal(h1, h2) || !bytes.Equal(s1, s2) {
					t.Fatalf("message %d: parts give %x %x (%v), whole %x %x", i, h2, s2, err, h1, s1)
				}
			}
			server := newSession(kaRandomSessionKey, false)
			h, s, _ := newSession(kaRandomSessionKey, true).Wrap(tt.parts...)
			if plain, err := server.Unwrap(h, s); err != nil || !bytes.Equal(plain, msg) {
				t.Errorf("server Unwrap = %q, %v", plain, err)
			}
		})
	}
}
