package wsmv

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// xor is a toy Sealer with a 4-byte header.
type xor struct{}

func (xor) Wrap(p ...[]byte) ([]byte, []byte, error) {
	out := bytes.Join(p, nil)
	for i := range out {
		out[i] ^= 0x5a
	}
	return []byte("SIG!"), out, nil
}

func (x xor) Unwrap(h, s []byte) ([]byte, error) {
	if string(h) != "SIG!" {
		return nil, errors.New("bad signature")
	}
	_, p, _ := x.Wrap(s)
	return p, nil
}

// The framing is byte for byte the one pywinrm writes (winrm/encryption.py, _encrypt_message
// and prepare_encrypted_request) and reads back.
func TestEncryptFraming(t *testing.T) {
	soap := []byte("<s:Envelope/>")
	ct, body, err := Encrypt(ProtocolSPNEGO, xor{}, soap)
	if err != nil {
		t.Fatal(err)
	}
	if ct != `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"` {
		t.Errorf("Content-Type %q", ct)
	}
	_, sealed, _ := xor{}.Wrap(soap)
	want := "--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n" +
		"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=13\r\n--Encrypted Boundary\r\n" +
		"\tContent-Type: application/octet-stream\r\n\x04\x00\x00\x00SIG!" + string(sealed) + "--Encrypted Boundary--\r\n"
	if string(body) != want {
		t.Errorf("body\n%q\nwant\n%q", body, want)
	}
	proto, plain, err := Decrypt(ct, body, xor{})
	if err != nil || proto != ProtocolSPNEGO || !bytes.Equal(plain, soap) {
		t.Errorf("Decrypt = %q, %q, %v", proto, plain, err)
	}
}

func TestDecryptRejects(t *testing.T) {
	ct, body, _ := Encrypt(ProtocolSPNEGO, xor{}, []byte("<s:Envelope/>"))
	tests := []struct {
		name, ct string
		body     []byte
		want     string
	}{
		{"Clear", "application/soap+xml;charset=UTF-8", []byte("<s:Envelope/>"), "not encrypted"},
		{"OtherProtocol", strings.Replace(ct, "SPNEGO", "CredSSP", 1), body, "unsupported protocol"},
		{"LengthLies", ct, bytes.Replace(body, []byte("Length=13"), []byte("Length=12"), 1), "OriginalContent says 12"},
		{"NoClosingBoundary", ct, bytes.TrimSuffix(body, []byte("--Encrypted Boundary--\r\n")), "closing boundary missing"},
		{"BadSignature", ct, bytes.Replace(body, []byte("SIG!"), []byte("SIG?"), 1), "bad signature"},
		{"HeaderLengthTooLong", ct, bytes.Replace(body, []byte("\x04\x00\x00\x00SIG!"), []byte("\xff\x00\x00\x00SIG!"), 1), "exceeds the message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := Decrypt(tt.ct, tt.body, xor{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// EncryptParts frames a message given in parts exactly as Encrypt frames it whole, and its
// body parts joined are Encrypt's body.
func TestEncryptParts(t *testing.T) {
	soap := []byte("<s:Envelope><s:Body>abcdefghij</s:Body></s:Envelope>")
	ct, whole, err := Encrypt(ProtocolSPNEGO, xor{}, soap)
	if err != nil {
		t.Fatal(err)
	}
	for _, split := range [][][]byte{{soap}, {soap[:5], soap[5:30], soap[30:]}, {nil, soap, nil}} {
		ct2, parts, err := EncryptParts(ProtocolSPNEGO, xor{}, split...)
		if err != nil || ct2 != ct || !bytes.Equal(bytes.Join(parts, nil), whole) {
			t.Errorf("EncryptParts(%d parts) = %q, %q, %v; want %q", len(split), ct2, bytes.Join(parts, nil), err, whole)
		}
	}
}
