package kerberos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/tlsready/tlsready/remote/wsmv"
)

const (
	testRealm = "CORP.EXAMPLE"
	testSPN   = "HTTP/pc-krb-01.corp.example"
)

// testKeytab is the keytab of the host's account: one key per etype, kvno 2.
func testKeytab(t testing.TB, password string, etypes ...int32) *keytab.Keytab {
	t.Helper()
	kt := keytab.New()
	for _, et := range etypes {
		if err := kt.AddEntry(testSPN, testRealm, password, time.Now(), 2, et); err != nil {
			t.Fatal(err)
		}
	}
	return kt
}

// testTicket is what the KDC would issue to tlsready-scan for testSPN: a ticket encrypted in
// the service key of kt and its session key of etype.
func testTicket(t testing.TB, kt *keytab.Keytab, etype int32) (messages.Ticket, types.EncryptionKey) {
	t.Helper()
	cname := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, "tlsready-scan")
	sname := types.NewPrincipalName(nametype.KRB_NT_SRV_INST, testSPN)
	now := time.Now().UTC()
	tkt, key, err := messages.NewTicket(cname, testRealm, sname, testRealm, types.NewKrbFlags(), kt, etype, 2,
		now, now, now.Add(10*time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return tkt, key
}

func testInitiator(t testing.TB, tkt messages.Ticket, key types.EncryptionKey, scheme string) *Initiator {
	t.Helper()
	auth, err := types.NewAuthenticator(testRealm, types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, "tlsready-scan"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := newInitiator(InitiatorConfig{SPN: testSPN, Scheme: scheme}, tkt, key, auth)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// handshake runs the two legs and returns both sealers.
func handshake(t testing.TB, etype int32, scheme string) (*Initiator, *ServerContext, *Sealer, *Sealer) {
	t.Helper()
	kt := testKeytab(t, "host-password", etype)
	tkt, key := testTicket(t, kt, etype)
	c := testInitiator(t, tkt, key, scheme)
	tok, done, err := c.Step(nil)
	if err != nil || done {
		t.Fatalf("first step: done %v, %v", done, err)
	}
	acc, err := NewAcceptor(kt)
	if err != nil {
		t.Fatal(err)
	}
	sc, answer, err := acc.Accept(scheme, tok)
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	if _, done, err = c.Step(answer); err != nil || !done {
		t.Fatalf("second step: done %v, %v", done, err)
	}
	cs, err := c.Sealer()
	if err != nil {
		t.Fatal(err)
	}
	ss, err := sc.Sealer()
	if err != nil {
		t.Fatal(err)
	}
	return c, sc, cs, ss
}

var aesEtypes = []struct {
	name     string
	id       int32
	overhead int // MS-WSMV signature length: token header, header copy, checksum, confounder
}{
	{"aes128-cts-hmac-sha1-96", etypeID.AES128_CTS_HMAC_SHA1_96, 60},
	{"aes256-cts-hmac-sha1-96", etypeID.AES256_CTS_HMAC_SHA1_96, 60},
	{"aes128-cts-hmac-sha256-128", etypeID.AES128_CTS_HMAC_SHA256_128, 64},
}

func TestHandshakeAndSealing_everyAESEnctype_bothSchemes(t *testing.T) {
	for _, et := range aesEtypes {
		for _, scheme := range []string{SchemeNegotiate, SchemeKerberos} {
			t.Run(et.name+"/"+scheme, func(t *testing.T) {
				c, sc, cs, ss := handshake(t, et.id, scheme)
				if sc.Client != "tlsready-scan@"+testRealm {
					t.Errorf("client %q", sc.Client)
				}
				if !strings.EqualFold(sc.Service, testSPN+"@"+testRealm) {
					t.Errorf("service %q", sc.Service)
				}
				if sc.Flags != clientGSSFlags {
					t.Errorf("flags %#x, want %#x", sc.Flags, clientGSSFlags)
				}
				if c.Protocol() != sc.Protocol() {
					t.Errorf("protocols %s and %s", c.Protocol(), sc.Protocol())
				}
				for i, msg := range []string{"<s:Envelope>first</s:Envelope>", "", strings.Repeat("x", 100000), "a"} {
					// client -> host
					h, sealed, err := cs.Wrap([]byte(msg))
					if err != nil {
						t.Fatal(err)
					}
					if len(h) != et.overhead || len(sealed) != len(msg) {
						t.Fatalf("message %d: header %d bytes, sealed %d; want %d and %d", i, len(h), len(sealed), et.overhead, len(msg))
					}
					if len(msg) > 20 && bytes.Contains(sealed, []byte(msg[:20])) {
						t.Fatal("plaintext visible in the sealed data")
					}
					got, err := ss.Unwrap(h, sealed)
					if err != nil || string(got) != msg {
						t.Fatalf("message %d to the host: %q, %v", i, got, err)
					}
					// host -> client, through the MS-WSMV framing
					ct, body, err := wsmv.Encrypt(sc.Protocol(), ss, []byte(msg+" answer"))
					if err != nil {
						t.Fatal(err)
					}
					_, back, err := wsmv.Decrypt(ct, body, cs)
					if err != nil || string(back) != msg+" answer" {
						t.Fatalf("answer %d: %q, %v", i, back, err)
					}
				}
			})
		}
	}
}

func TestWrapToken_layout(t *testing.T) {
	_, _, cs, ss := handshake(t, etypeID.AES256_CTS_HMAC_SHA1_96, SchemeNegotiate)
	h, _, err := cs.Wrap([]byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	// 05 04, flags: sealed + acceptor subkey (the host answered with its subkey), filler, EC 0,
	// RRC 28, then the sequence number that the authenticator announced.
	if h[0] != 0x05 || h[1] != 0x04 || h[2] != flagSealed|flagAcceptorSubkey || h[3] != 0xFF {
		t.Errorf("token header % x", h[:4])
	}
	if ec, rrc := binary.BigEndian.Uint16(h[4:6]), binary.BigEndian.Uint16(h[6:8]); ec != 0 || rrc != 28 {
		t.Errorf("EC %d RRC %d, want 0 and 28", ec, rrc)
	}
	if seq := binary.BigEndian.Uint64(h[8:16]); seq != ss.recvSeq {
		t.Errorf("first sequence number %d, the acceptor expects %d", seq, ss.recvSeq)
	}
	ah, _, err := ss.Wrap([]byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if ah[2] != flagSealed|flagAcceptorSubkey|flagSentByAcceptor {
		t.Errorf("acceptor's flags %#x", ah[2])
	}
}

func TestUnwrap_refusesTamperingReplayAndReflection(t *testing.T) {
	_, _, cs, ss := handshake(t, etypeID.AES256_CTS_HMAC_SHA1_96, SchemeNegotiate)
	h, sealed, err := cs.Wrap([]byte("<Envelope>secret</Envelope>"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(h) + len(sealed) {
		if i >= 4 && i < 8 {
			continue // EC and RRC: a changed rotation also fails, tested below
		}
		h2, s2 := bytes.Clone(h), bytes.Clone(sealed)
		if i < len(h2) {
			h2[i] ^= 0x01
		} else {
			s2[i-len(h2)] ^= 0x01
		}
		if _, err := ss.Unwrap(h2, s2); err == nil {
			t.Fatalf("byte %d flipped: accepted", i)
		}
	}
	h2 := bytes.Clone(h)
	h2[7]++ // RRC
	if _, err := ss.Unwrap(h2, sealed); err == nil {
		t.Fatal("RRC changed: accepted")
	}
	if _, err := cs.Unwrap(h, sealed); err == nil || !strings.Contains(err.Error(), "reflected") {
		t.Fatalf("own token unwrapped by the sender: %v", err)
	}
	if _, err := ss.Unwrap(h, sealed); err != nil {
		t.Fatalf("the genuine token after failed attempts: %v", err)
	}
	if _, err := ss.Unwrap(h, sealed); err == nil || !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("replay: %v", err)
	}
	// The host's side is strict: a message that never arrived is noticed.
	if _, _, err := cs.Wrap([]byte("lost")); err != nil {
		t.Fatal(err)
	}
	h3, s3, _ := cs.Wrap([]byte("next"))
	if _, err := ss.Unwrap(h3, s3); err == nil || !strings.Contains(err.Error(), "expected") {
		t.Fatalf("gap: %v", err)
	}
}

// wrapWithEC builds a token as MS-KILE 3.4.5.4.1 describes Windows' (EC filler bytes, rotation
// by RRC+EC) or, with rfcRotation, as RFC 4121 does (rotation by RRC).
func wrapWithEC(t *testing.T, s *Sealer, plain []byte, ec int, rfcRotation bool) []byte {
	t.Helper()
	seq := s.sendSeq
	s.sendSeq++
	flags := s.flags(true)
	inner := append(append(bytes.Clone(plain), bytes.Repeat([]byte{0xFF}, ec)...), wrapHeader(flags, uint16(ec), 0, seq)...)
	_, ct, err := s.et.EncryptMessage(s.key.KeyValue, inner, s.sealUsage(true))
	if err != nil {
		t.Fatal(err)
	}
	rot := s.rrc() + ec
	if rfcRotation {
		rot = s.rrc()
	}
	return append(wrapHeader(flags, uint16(ec), uint16(s.rrc()), seq), rotateRight(ct, rot)...)
}

func TestUnwrap_extraCountBothRotations(t *testing.T) {
	// MS-KILE 3.4.5.4.1: a Windows sender SHOULD pad with EC = 16 and rotates by RRC+EC; MIT and
	// Heimdal rotate by RRC alone. Both must unwrap, the filler removed.
	for _, rfc := range []bool{false, true} {
		_, _, cs, ss := handshake(t, etypeID.AES256_CTS_HMAC_SHA1_96, SchemeNegotiate)
		tok := wrapWithEC(t, ss, []byte("<s:Envelope>answer</s:Envelope>"), 16, rfc)
		got, err := cs.Unwrap(tok[:60], tok[60:])
		if err != nil || string(got) != "<s:Envelope>answer</s:Envelope>" {
			t.Fatalf("rfc rotation %v: %q, %v", rfc, got, err)
		}
	}
}

func TestAcceptor_refusesTicketOfAnotherKey(t *testing.T) {
	kt := testKeytab(t, "host-password", etypeID.AES256_CTS_HMAC_SHA1_96)
	tkt, key := testTicket(t, kt, etypeID.AES256_CTS_HMAC_SHA1_96)
	c := testInitiator(t, tkt, key, SchemeNegotiate)
	tok, _, err := c.Step(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The host's password changed since: its keytab does not decrypt the ticket.
	acc, _ := NewAcceptor(testKeytab(t, "new-password", etypeID.AES256_CTS_HMAC_SHA1_96))
	_, _, err = acc.Accept(SchemeNegotiate, tok)
	var rej *RejectError
	if !errors.As(err, &rej) || rej.Token == nil {
		t.Fatalf("accept: %v", err)
	}
	_, done, err := c.Step(rej.Token)
	if err == nil || done || !strings.Contains(err.Error(), "KRB_AP_ERR_MODIFIED") {
		t.Fatalf("client on the KRB-ERROR: done %v, %v", done, err)
	}
}

func TestAcceptor_refusesReplayedAPREQ(t *testing.T) {
	kt := testKeytab(t, "host-password", etypeID.AES256_CTS_HMAC_SHA1_96)
	tkt, key := testTicket(t, kt, etypeID.AES256_CTS_HMAC_SHA1_96)
	tok, _, _ := testInitiator(t, tkt, key, SchemeKerberos).Step(nil)
	acc, _ := NewAcceptor(kt)
	if _, _, err := acc.Accept(SchemeKerberos, tok); err != nil {
		t.Fatal(err)
	}
	if _, _, err := acc.Accept(SchemeKerberos, tok); err == nil || !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("replayed AP-REQ: %v", err)
	}
}

func TestInitiator_refusesAnswerWithoutOrWithForeignAPREP(t *testing.T) {
	kt := testKeytab(t, "host-password", etypeID.AES256_CTS_HMAC_SHA1_96)
	tkt, key := testTicket(t, kt, etypeID.AES256_CTS_HMAC_SHA1_96)
	c := testInitiator(t, tkt, key, SchemeNegotiate)
	tok, _, _ := c.Step(nil)
	if _, done, err := c.Step(nil); err == nil || done {
		t.Fatalf("no AP-REP: done %v, %v", done, err)
	}
	// An impostor that does not have the service key answers with an AP-REP of its own.
	other := testInitiator(t, tkt, key, SchemeNegotiate)
	otherTok, _, _ := other.Step(nil)
	acc, _ := NewAcceptor(kt)
	_, answer, err := acc.Accept(SchemeNegotiate, otherTok)
	if err != nil {
		t.Fatal(err)
	}
	if _, done, err := c.Step(answer); err == nil || done || !strings.Contains(err.Error(), "does not answer our authenticator") {
		t.Fatalf("AP-REP for another authenticator: done %v, %v", done, err)
	}
	_ = tok
	if _, err := c.Sealer(); err == nil {
		t.Fatal("sealer of an incomplete context")
	}
}

func TestInitiator_refusesRC4SessionKey(t *testing.T) {
	kt := testKeytab(t, "host-password", etypeID.RC4_HMAC)
	tkt, key := testTicket(t, kt, etypeID.RC4_HMAC)
	_, err := newSealer(key, false, false, 1, 1)
	if !errors.Is(err, ErrNoConfidentiality) || !strings.Contains(err.Error(), "rc4-hmac") {
		t.Fatalf("rc4 sealer: %v", err)
	}
	_ = tkt
}

func TestAuthenticatorChecksum(t *testing.T) {
	c := authenticatorChecksum(clientGSSFlags, nil)
	if got := binary.LittleEndian.Uint32(c[20:24]); got != 0x3e {
		t.Errorf("flags %#x, want 0x3e (mutual, replay, sequence, confidentiality, integrity)", got)
	}
	if !bytes.Equal(c[4:20], make([]byte, 16)) {
		t.Error("Bnd not zero without channel bindings")
	}
	// With bindings: MD5 over four zero address fields, the length and the application data.
	app := []byte("tls-server-end-point:0123456789abcdef0123456789abcdef")
	want := channelBindingHash(app)
	if got := authenticatorChecksum(clientGSSFlags, app)[4:20]; !bytes.Equal(got, want) {
		t.Errorf("Bnd %x, want %x", got, want)
	}
}

func TestSPN(t *testing.T) {
	for in, want := range map[string]string{
		"PC-0142.corp.example.": "HTTP/pc-0142.corp.example",
		"PC-0142":               "HTTP/pc-0142",
	} {
		if got := SPN(in); got != want {
			t.Errorf("SPN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSPNEGO_mechListMICVerified(t *testing.T) {
	// An acceptor that sends a mechListMIC (RFC 4178 5) must send a valid one.
	kt := testKeytab(t, "host-password", etypeID.AES256_CTS_HMAC_SHA1_96)
	tkt, key := testTicket(t, kt, etypeID.AES256_CTS_HMAC_SHA1_96)
	for _, valid := range []bool{true, false} {
		c := testInitiator(t, tkt, key, SchemeNegotiate)
		tok, _, _ := c.Step(nil)
		acc, _ := NewAcceptor(kt)
		sc, answer, err := acc.Accept(SchemeNegotiate, tok)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := spnegoParseResp(answer)
		if err != nil {
			t.Fatal(err)
		}
		list := c.mechTypes
		if !valid {
			list, _ = asn1.Marshal([]asn1.ObjectIdentifier{oidMSKRB5})
		}
		mic, err := mechListMIC(sc.sealer.key, true, true, 0, list)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ = spnegoResp(0, resp.SupportedMech, resp.ResponseToken, mic)
		_, done, err := c.Step(answer)
		if valid != (err == nil) || valid != done {
			t.Fatalf("valid MIC %v: done %v, %v", valid, done, err)
		}
	}
}

func TestAcceptor_refusesNonKerberosTokens(t *testing.T) {
	acc, _ := NewAcceptor(testKeytab(t, "p", etypeID.AES256_CTS_HMAC_SHA1_96))
	ntlm := append([]byte("NTLMSSP\x00"), 1, 0, 0, 0)
	for name, tok := range map[string][]byte{"ntlm": ntlm, "empty": nil, "garbage": []byte{0x60, 0x03, 0x01, 0x02, 0x03}} {
		if _, _, err := acc.Accept(SchemeNegotiate, tok); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestErrorsAndStrings_carryNoSecret(t *testing.T) {
	const secret = "Pa55-w0rd-XYZ-never-shown"
	l, err := NewLogin(LoginConfig{User: "tlsready-scan@corp.example", Password: secret, KDCs: []string{"127.0.0.1:1"},
		Krb5Conf: writeFile(t, "[libdefaults]\n udp_preference_limit = 1\n")})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, s := range []string{l.String(), fmt.Sprintf("%v %+v %#v", l, l, l)} {
		if strings.Contains(s, secret) {
			t.Fatalf("password in %q", s)
		}
	}
	_, _, err = l.ServiceTicket(t.Context(), testSPN)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("login against no KDC: %v", err)
	}
	if !strings.Contains(err.Error(), "tlsready-scan@CORP.EXAMPLE") || !strings.Contains(err.Error(), "KDC unreachable") {
		t.Errorf("error does not name the principal and the cause: %v", err)
	}
}
