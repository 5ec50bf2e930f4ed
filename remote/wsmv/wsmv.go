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

// Bounds on what Decrypt accepts from a host, beyond the size of the whole body (the caller's).
const (
	// maxMetadata bounds the first part (its headers), about 120 bytes from Windows.
	maxMetadata = 4 << 10
	// maxSealHeader bounds the header in front of the sealed data: an NTLM signature has 16
	// bytes, a Kerberos wrap token header (with its rotated checksum) under 100.
	maxSealHeader = 1 << 10
	// maxOriginalLength bounds the OriginalContent Length.
	maxOriginalLength = 1 << 30
)

// Decrypt checks the framing of an encrypted message, unseals it and returns the protocol and the
// SOAP message. The plain length must match the OriginalContent header.
//
// It reads the framing as MS-WSMV 2.2.9.1 "Encrypted Message Types"
// (https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/58421aa4-861a-4410-831a-c999f094cdb7,
// the encrypted data in 2.2.9.1.1.2.2,
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/3fc54d8b-b087-486e-9f50-8253e9e30b43)
// within the rules of a MIME multipart body (RFC 2046 section 5.1.1, "Common Syntax",
// https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1), so that every correct sender is
// understood, not only Windows:
//   - a preamble before the first delimiter and the epilogue after the closing one are ignored
//     (OMI, Microsoft's WS-Management server for Linux, ends with "--Encrypted Boundary--\r\n\r\n");
//   - a delimiter line may carry trailing white space (transport padding);
//   - header names are case-insensitive, a header line may start with white space (MS-WSMV
//     asks senders for a tab, which Windows and pywinrm write and OMI does not), and a line that starts with white space and does not begin
//     with "name:" continues the previous header (folding);
//   - the octet-stream part is one header line followed at once by the length field, as MS-WSMV
//     has it; a blank line between the two (strict MIME) is skipped, since no length field can
//     start with CR LF (it would exceed maxSealHeader).
func Decrypt(contentType string, body []byte, s Sealer) (protocol string, soap []byte, err error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/encrypted" {
		return "", nil, ErrNotEncrypted
	}
	protocol = params["protocol"]
	if !strings.EqualFold(protocol, ProtocolSPNEGO) && !strings.EqualFold(protocol, ProtocolKerberos) {
		return "", nil, fmt.Errorf("encrypted message: unsupported protocol %q", protocol)
	}
	boundary := params["boundary"]
	if boundary == "" {
		boundary = Boundary
	}
	dash := []byte("--" + boundary)
	// The first delimiter: at the start, or at the start of a line after a preamble.
	rest, ok := afterDelimiter(body, dash)
	if !ok {
		i := bytes.Index(body, append([]byte("\r\n"), dash...))
		if i < 0 {
			return "", nil, errors.New("encrypted message: no boundary")
		}
		if rest, ok = afterDelimiter(body[i+2:], dash); !ok {
			return "", nil, errors.New("encrypted message: malformed boundary line")
		}
	}
	// The first part: headers only, up to the CR LF of the next delimiter.
	i := bytes.Index(rest, append([]byte("\r\n"), dash...))
	if i < 0 {
		return "", nil, errors.New("encrypted message: second part missing")
	}
	if i > maxMetadata {
		return "", nil, fmt.Errorf("encrypted message: first part longer than %d bytes", maxMetadata)
	}
	fields, err := headerFields(string(rest[:i]))
	if err != nil {
		return "", nil, err
	}
	if rest, ok = afterDelimiter(rest[i+2:], dash); !ok {
		return "", nil, errors.New("encrypted message: malformed boundary line")
	}
	length := -1
	sawType := false
	for _, f := range fields {
		switch strings.ToLower(f.name) {
		case "content-type":
			if !strings.EqualFold(mediaType(f.value), protocol) {
				return "", nil, fmt.Errorf("encrypted message: part protocol %q differs from %q", f.value, protocol)
			}
			sawType = true
		case "originalcontent":
			if length >= 0 {
				return "", nil, errors.New("encrypted message: OriginalContent repeated")
			}
			if length, err = originalLength(f.value); err != nil {
				return "", nil, err
			}
		}
	}
	if !sawType {
		return "", nil, errors.New("encrypted message: first part has no Content-Type")
	}
	if length < 0 {
		return "", nil, errors.New("encrypted message: OriginalContent Length missing")
	}
	// The second part: one header line, then the length field.
	eol := bytes.Index(rest[:min(len(rest), maxMetadata)], []byte("\r\n"))
	if eol < 0 {
		return "", nil, errors.New("encrypted message: octet-stream part missing")
	}
	k, v, ok := strings.Cut(strings.TrimLeft(string(rest[:eol]), " \t"), ":")
	if !ok || !strings.EqualFold(strings.TrimSpace(k), "Content-Type") || !strings.EqualFold(mediaType(v), "application/octet-stream") {
		return "", nil, errors.New("encrypted message: octet-stream part missing")
	}
	rest = rest[eol+2:]
	if bytes.HasPrefix(rest, []byte("\r\n")) {
		rest = rest[2:] // a blank line ending the part's headers
	}
	// The closing delimiter: the last one, whatever epilogue follows it.
	end := bytes.LastIndex(rest, append(dash, '-', '-'))
	if end < 0 {
		return "", nil, errors.New("encrypted message: closing boundary missing")
	}
	rest = rest[:end]
	if len(rest) < 4 {
		return "", nil, errors.New("encrypted message: too short")
	}
	hl := binary.LittleEndian.Uint32(rest[:4])
	if hl > maxSealHeader {
		return "", nil, fmt.Errorf("encrypted message: header length %d exceeds %d", hl, maxSealHeader)
	}
	if int(hl) > len(rest)-4 {
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

// afterDelimiter returns what follows a delimiter line ("--boundary", optional white space, CR
// LF) at the start of b, and whether there is one.
func afterDelimiter(b, dash []byte) ([]byte, bool) {
	if !bytes.HasPrefix(b, dash) {
		return nil, false
	}
	b = b[len(dash):]
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	if !bytes.HasPrefix(b, []byte("\r\n")) {
		return nil, false // "--boundary--" (a close) or a longer boundary
	}
	return b[2:], true
}

// field is one header of a part.
type field struct{ name, value string }

// headerFields parses the header lines of the first part (CR LF separated): a line may start
// with white space; a line that starts with white space and does not begin with "name:"
// continues the previous header.
func headerFields(block string) ([]field, error) {
	var fields []field
	for _, line := range strings.Split(block, "\r\n") {
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed == "" {
			continue
		}
		if name, value, ok := strings.Cut(trimmed, ":"); ok && isFieldName(name) {
			fields = append(fields, field{strings.TrimSpace(name), strings.TrimSpace(value)})
			continue
		}
		if trimmed != line && len(fields) > 0 {
			fields[len(fields)-1].value += " " + strings.TrimSpace(trimmed)
			continue
		}
		return nil, fmt.Errorf("encrypted message: bad header line %q", truncate(line, 40))
	}
	return fields, nil
}

// isFieldName reports a header name as senders write them: letters, digits and hyphens.
func isFieldName(s string) bool {
	s = strings.TrimRight(s, " \t")
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// mediaType is the media type of a Content-Type value, without parameters.
func mediaType(v string) string {
	mt, _, _ := strings.Cut(v, ";")
	return strings.TrimSpace(mt)
}

// originalLength reads the Length parameter of an OriginalContent value
// ("type=application/soap+xml;charset=UTF-8;Length=1273").
func originalLength(v string) (int, error) {
	length := -1
	for _, p := range strings.Split(v, ";") {
		k, lv, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "Length") {
			continue
		}
		lv = strings.TrimSpace(lv)
		n, err := strconv.Atoi(lv)
		if err != nil || n < 0 || n > maxOriginalLength || lv[0] == '+' {
			return 0, fmt.Errorf("encrypted message: bad Length %q", truncate(lv, 20))
		}
		length = n
	}
	if length < 0 {
		return 0, errors.New("encrypted message: OriginalContent Length missing")
	}
	return length, nil
}

// truncate shortens s to n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
