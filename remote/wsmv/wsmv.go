// Package wsmv frames WS-Management messages encrypted with an HTTP authentication context, as
// MS-WSMV 2.2.9.1 describes and Windows and pywinrm send them over plain HTTP:
//
//	Content-Type: multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"
//
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
//	\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plain length>\r\n
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/octet-stream\r\n
//	<uint32 little-endian header length><header (NTLM signature or Kerberos wrap token header)><sealed SOAP>
//	--Encrypted Boundary--\r\n
//
// It owns the framing only; a Sealer (an NTLM or Kerberos security context) does the
// cryptography.
package wsmv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
)

// Sealer is one established security context: it seals outgoing and unseals incoming messages,
// keeping its own sequence numbers.
type Sealer interface {
	// Wrap seals one message, given in parts that together are the message, returning the
	// header (signature or token header) and the sealed data.
	Wrap(plain ...[]byte) (header, sealed []byte, err error)
	// Unwrap checks the header against the sealed data and returns the plain message.
	Unwrap(header, sealed []byte) ([]byte, error)
}

// Protocols carried in the multipart/encrypted Content-Type.
const (
	ProtocolSPNEGO   = "application/HTTP-SPNEGO-session-encrypted"   // NTLM, or Kerberos through Negotiate
	ProtocolKerberos = "application/HTTP-Kerberos-session-encrypted" // Kerberos scheme
	Boundary         = "Encrypted Boundary"
)

// ContentType is the HTTP Content-Type of an encrypted message for protocol.
func ContentType(protocol string) string {
	return `multipart/encrypted;protocol="` + protocol + `";boundary="` + Boundary + `"`
}

// IsEncrypted reports whether an HTTP Content-Type announces an encrypted message.
func IsEncrypted(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "multipart/encrypted"
}

// Encrypt seals a SOAP message and frames it; it returns the HTTP Content-Type and body.
func Encrypt(protocol string, s Sealer, soap []byte) (contentType string, body []byte, err error) {
	ct, parts, err := EncryptParts(protocol, s, soap)
	if err != nil {
		return "", nil, err
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	body = make([]byte, 0, n)
	for _, p := range parts {
		body = append(body, p...)
	}
	return ct, body, nil
}

// EncryptParts seals a SOAP message given in parts and frames it; it returns the HTTP
// Content-Type and the body in three parts to be sent one after another (framing and header,
// sealed message, closing boundary), so that the sealed message is never copied.
func EncryptParts(protocol string, s Sealer, soap ...[]byte) (contentType string, body [][]byte, err error) {
	header, sealed, err := s.Wrap(soap...)
	if err != nil {
		return "", nil, fmt.Errorf("seal message: %w", err)
	}
	n := 0
	for _, p := range soap {
		n += len(p)
	}
	head := make([]byte, 0, 256+len(header))
	head = append(head, "--"+Boundary+"\r\n"...)
	head = append(head, "\tContent-Type: "+protocol+"\r\n"...)
	head = append(head, "\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="...)
	head = strconv.AppendInt(head, int64(n), 10)
	head = append(head, "\r\n--"+Boundary+"\r\n"...)
	head = append(head, "\tContent-Type: application/octet-stream\r\n"...)
	head = binary.LittleEndian.AppendUint32(head, uint32(len(header)))
	head = append(head, header...)
	return ContentType(protocol), [][]byte{head, sealed, []byte(closing)}, nil
}

// closing ends an encrypted message.
const closing = "--" + Boundary + "--\r\n"

// ErrNotEncrypted is returned by Decrypt for a message that is not multipart/encrypted.
var ErrNotEncrypted = errors.New("message is not encrypted")

// Decrypt checks the framing of an encrypted message, unseals it and returns the protocol and the
// SOAP message. The plain length must match the OriginalContent header.
func Decrypt(contentType string, body []byte, s Sealer) (protocol string, soap []byte, err error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/encrypted" {
		return "", nil, ErrNotEncrypted
	}
	protocol = params["protocol"]
	if protocol != ProtocolSPNEGO && protocol != ProtocolKerberos {
		return "", nil, fmt.Errorf("encrypted message: unsupported protocol %q", protocol)
	}
	boundary := params["boundary"]
	if boundary == "" {
		boundary = Boundary
	}
	sep := []byte("--" + boundary + "\r\n")
	end := []byte("--" + boundary + "--\r\n")
	if !bytes.HasPrefix(body, sep) {
		return "", nil, errors.New("encrypted message: does not start with the boundary")
	}
	rest := body[len(sep):]
	i := bytes.Index(rest, sep)
	if i < 0 {
		return "", nil, errors.New("encrypted message: second part missing")
	}
	headers, rest := string(rest[:i]), rest[i+len(sep):]
	length := -1
	for _, line := range strings.Split(headers, "\r\n") {
		line = strings.TrimSpace(line)
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "content-type":
			if strings.TrimSpace(v) != protocol {
				return "", nil, fmt.Errorf("encrypted message: part protocol %q differs from %q", strings.TrimSpace(v), protocol)
			}
		case "originalcontent":
			for _, f := range strings.Split(v, ";") {
				if lv, ok := strings.CutPrefix(strings.TrimSpace(f), "Length="); ok {
					if length, err = strconv.Atoi(lv); err != nil || length < 0 {
						return "", nil, fmt.Errorf("encrypted message: bad Length %q", lv)
					}
				}
			}
		}
	}
	if length < 0 {
		return "", nil, errors.New("encrypted message: OriginalContent Length missing")
	}
	const octet = "\tContent-Type: application/octet-stream\r\n"
	if !bytes.HasPrefix(rest, []byte(octet)) {
		return "", nil, errors.New("encrypted message: octet-stream part missing")
	}
	rest = rest[len(octet):]
	if !bytes.HasSuffix(rest, end) {
		return "", nil, errors.New("encrypted message: closing boundary missing")
	}
	rest = rest[:len(rest)-len(end)]
	if len(rest) < 4 {
		return "", nil, errors.New("encrypted message: too short")
	}
	hl := int(binary.LittleEndian.Uint32(rest[:4]))
	if hl > len(rest)-4 {
		return "", nil, fmt.Errorf("encrypted message: header length %d exceeds the message", hl)
	}
	header, sealed := rest[4:4+hl], rest[4+hl:]
	plain, err := s.Unwrap(header, sealed)
	if err != nil {
		return "", nil, fmt.Errorf("unseal message: %w", err)
	}
	if len(plain) != length {
		return "", nil, fmt.Errorf("encrypted message: %d bytes unsealed, OriginalContent says %d", len(plain), length)
	}
	return protocol, plain, nil
}
