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

// omiAnswer is an answer framed as OMI (Microsoft's WS-Management server for Linux) frames it,
// Unix/http/httpauth.c Http_EncryptData: no tab before the header names, and CR LF after the
// closing boundary. The sealed part is "<s:Envelope/>" sealed by xor.
const omiAnswer = "--Encrypted Boundary\r\n" +
	"Content-Type: application/HTTP-SPNEGO-session-encrypted\r\n" +
	"OriginalContent: type=application/soap+xml;charset=UTF-8;Length=13\r\n" +
	"--Encrypted Boundary\r\n" +
	"Content-Type: application/octet-stream\r\n" +
	"\x04\x00\x00\x00SIG!" + "\x66\x29\x60\x1f\x34\x2c\x3f\x36\x35\x2a\x3f\x75\x64" +
	"--Encrypted Boundary--\r\n\r\n"

// Every framing a correct sender may use decrypts to the same message: Windows' (tabs), OMI's
// (no tabs, an epilogue), and what MIME allows beside them.
func TestDecryptTolerates(t *testing.T) {
	ct := ContentType(ProtocolSPNEGO)
	_, windows, _ := Encrypt(ProtocolSPNEGO, xor{}, []byte("<s:Envelope/>"))
	tests := []struct {
		name, ct, body string
	}{
		{"Windows", ct, string(windows)},
		{"OMI", ct, omiAnswer},
		{"NoEpilogueNoTab", ct, strings.TrimSuffix(omiAnswer, "\r\n")},
		{"NoFinalCRLF", ct, strings.TrimSuffix(omiAnswer, "\r\n\r\n")},
		{"LongEpilogue", ct, omiAnswer + "anything after the close is ignored --Encrypted Boundary\r\n"},
		{"Preamble", ct, "This is a preamble.\r\n" + omiAnswer},
		{"LowerCaseNames", ct, strings.NewReplacer("Content-Type:", "content-type:", "OriginalContent:", "originalcontent:", "Length=", "length=").Replace(omiAnswer)},
		{"SpacesAndPadding", ct, strings.NewReplacer("Content-Type: ", "  Content-Type :  ", "--Encrypted Boundary\r\n", "--Encrypted Boundary \t\r\n").Replace(omiAnswer)},
		{"Folded", ct, strings.Replace(omiAnswer, "OriginalContent: type=application/soap+xml;", "OriginalContent: type=application/soap+xml;\r\n\t", 1)},
		{"BlankLineBeforeData", ct, strings.Replace(omiAnswer, "octet-stream\r\n", "octet-stream\r\n\r\n", 1)},
		{"ProtocolCase", strings.Replace(ct, "HTTP-SPNEGO", "http-spnego", 1), omiAnswer},
		{"OtherParamOrder", `multipart/encrypted; boundary="Encrypted Boundary"; protocol="application/HTTP-SPNEGO-session-encrypted"`, omiAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, plain, err := Decrypt(tt.ct, []byte(tt.body), xor{})
			if err != nil || string(plain) != "<s:Envelope/>" {
				t.Errorf("Decrypt = %q, %v", plain, err)
			}
		})
	}
}

// Framing errors are refused with what is wrong, within the bounds on what a host may send.
func TestDecryptRejectsMIME(t *testing.T) {
	ct := ContentType(ProtocolSPNEGO)
	tests := []struct {
		name, body, want string
	}{
		{"Empty", "", "no boundary"},
		{"OnlyPreamble", "hello\r\n", "no boundary"},
		{"NoSecondPart", "--Encrypted Boundary\r\nContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n", "second part missing"},
		{"NoContentType", strings.Replace(omiAnswer, "Content-Type: application/HTTP-SPNEGO-session-encrypted\r\n", "", 1), "no Content-Type"},
		{"NoLength", strings.Replace(omiAnswer, ";Length=13", "", 1), "Length missing"},
		{"TwoOriginalContent", strings.Replace(omiAnswer, "OriginalContent:", "OriginalContent: Length=13\r\nOriginalContent:", 1), "repeated"},
		{"NegativeLength", strings.Replace(omiAnswer, "Length=13", "Length=-13", 1), "bad Length"},
		{"HugeLength", strings.Replace(omiAnswer, "Length=13", "Length=99999999999999999999", 1), "bad Length"},
		{"BadHeaderLine", strings.Replace(omiAnswer, "--Encrypted Boundary\r\nContent-Type: application/HTTP", "--Encrypted Boundary\r\n??\r\nContent-Type: application/HTTP", 1), "bad header line"},
		{"NotOctetStream", strings.Replace(omiAnswer, "octet-stream", "pdf", 1), "octet-stream part missing"},
		{"LongFirstPart", strings.Replace(omiAnswer, "OriginalContent:", "X-Pad: "+strings.Repeat("a", 5000)+"\r\nOriginalContent:", 1), "longer than"},
		{"SealHeaderTooLong", strings.Replace(omiAnswer, "\x04\x00\x00\x00SIG!", "\x01\x04\x00\x00SIG!", 1), "exceeds 1024"},
		{"NoClose", strings.TrimSuffix(omiAnswer, "--Encrypted Boundary--\r\n\r\n"), "closing boundary missing"},
		{"TooShort", strings.Replace(omiAnswer, "\x04\x00\x00\x00SIG!\x66\x29\x60\x1f\x34\x2c\x3f\x36\x35\x2a\x3f\x75\x64", "\x04", 1), "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := Decrypt(ct, []byte(tt.body), xor{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// FuzzDecrypt: whatever a host sends, Decrypt returns (no panic, no huge allocation), and what
// it accepts is the message the toy sealer unseals, of the length the framing announced.
func FuzzDecrypt(f *testing.F) {
	_, windows, _ := Encrypt(ProtocolSPNEGO, xor{}, []byte("<s:Envelope/>"))
	f.Add(ContentType(ProtocolSPNEGO), windows)
	f.Add(ContentType(ProtocolSPNEGO), []byte(omiAnswer))
	f.Add(ContentType(ProtocolKerberos), []byte(strings.Replace(omiAnswer, "SPNEGO", "Kerberos", 1)))
	f.Add(`multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="b"`, []byte("--b\r\n--b\r\n--b--"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		_, plain, err := Decrypt(ct, body, xor{})
		if err != nil {
			return
		}
		if len(plain) > len(body) {
			t.Errorf("%d bytes unsealed from a body of %d", len(plain), len(body))
		}
	})
}
