package kerberos

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/tlsready/tlsready/internal/fuzzcheck"
)

// FuzzAccept: the client reads a host's answer to its AP-REQ (a SPNEGO NegTokenResp or a bare
// AP-REP, or a KRB-ERROR) within a memory bound, and completes the context only with the keys
// of the genuine AP-REP: an answer that does not come from the holder of the service key never
// yields a context (the AP-REP's encrypted part proves it).
func FuzzAccept(f *testing.F) {
	et := int32(etypeID.AES256_CTS_HMAC_SHA1_96)
	kt := testKeytab(f, "host-password", et)
	tkt, key := testTicket(f, kt, et)
	acc, err := NewAcceptor(kt)
	if err != nil {
		f.Fatal(err)
	}
	type leg struct {
		base *Initiator // after its AP-REQ; each input is read by a copy
		key  types.EncryptionKey
		sub  bool
	}
	legs := map[bool]leg{} // by negotiate
	for _, negotiate := range []bool{false, true} {
		scheme := SchemeKerberos
		if negotiate {
			scheme = SchemeNegotiate
		}
		base := testInitiator(f, tkt, key, scheme)
		tok, _, err := base.Step(nil)
		if err != nil {
			f.Fatal(err)
		}
		_, answer, err := acc.Accept(scheme, tok)
		if err != nil {
			f.Fatal(err)
		}
		genuine := *base
		if _, done, err := genuine.Step(answer); err != nil || !done {
			f.Fatalf("%s: the genuine answer: %v", scheme, err)
		}
		legs[negotiate] = leg{base: base, key: genuine.sealer.key, sub: genuine.sealer.acceptorSubkey}
		f.Add(negotiate, answer)
	}
	f.Add(false, gssFrame(tokIDKRBError, []byte{0x7e, 0x03, 0x30, 0x01, 0x00}))
	f.Fuzz(func(t *testing.T, negotiate bool, in []byte) {
		l := legs[negotiate]
		c := *l.base
		var done bool
		var err error
		fuzzcheck.Alloc(t, "Initiator.Step", len(in), 32, 256<<10, func() { _, done, err = c.Step(in) })
		if err != nil {
			if done || c.sealer != nil {
				t.Errorf("refused (%v) but done %v, sealer %v", err, done, c.sealer != nil)
			}
			return
		}
		if !done || c.sealer == nil {
			t.Fatalf("accepted without completing: done %v, sealer %v", done, c.sealer != nil)
		}
		if !reflect.DeepEqual(c.sealer.key, l.key) || c.sealer.acceptorSubkey != l.sub {
			t.Errorf("accepted %x with a key other than the genuine AP-REP's", in)
		}
	})
}

// FuzzUnwrap: the client unwraps a host's wrap token (MS-WSMV message encryption) within a
// memory bound, and only a genuine one: whatever is accepted is exactly a message the host's
// sealer wrapped, never more than the token's size.
func FuzzUnwrap(f *testing.F) {
	key := types.EncryptionKey{KeyType: etypeID.AES256_CTS_HMAC_SHA1_96, KeyValue: bytes.Repeat([]byte{0x42}, 32)}
	plains := [][]byte{[]byte("<s:Envelope>answer</s:Envelope>"), {}, bytes.Repeat([]byte("x"), 5000)}
	for _, p := range plains {
		host, err := newSealer(key, true, false, 0, 0)
		if err != nil {
			f.Fatal(err)
		}
		h, sealed, err := host.Wrap(p)
		if err != nil {
			f.Fatal(err)
		}
		client, _ := newSealer(key, false, false, 0, 0)
		if got, err := client.Unwrap(h, sealed); err != nil || !bytes.Equal(got, p) {
			f.Fatalf("the genuine token unwraps to %q, %v", got, err) // the invariant below would be vacuous
		}
		f.Add(h, sealed)
	}
	f.Fuzz(func(t *testing.T, header, sealed []byte) {
		client, err := newSealer(key, false, false, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var plain []byte
		n := len(header) + len(sealed)
		fuzzcheck.Alloc(t, "Sealer.Unwrap", n, 16, 64<<10, func() { plain, err = client.Unwrap(header, sealed) })
		if err != nil {
			return
		}
		if len(plain) > n {
			t.Errorf("%d bytes unwrapped from a token of %d", len(plain), n)
		}
		for _, p := range plains {
			if bytes.Equal(plain, p) {
				return
			}
		}
		t.Errorf("unwrapped %q, which the host never wrapped", plain)
	})
}
