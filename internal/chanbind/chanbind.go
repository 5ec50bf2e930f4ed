// Package chanbind computes the RFC 5929 "tls-server-end-point" channel binding that NTLM
// (MsvAvChannelBindings) and Kerberos (the authenticator checksum) bind to over TLS, as Windows'
// Extended Protection for Authentication expects. Clients (remote, discover) and the simulated
// hosts (remote/winrmsim) share this one definition.
package chanbind

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
)

// ServerEndPoint returns the application data of the binding for the server's certificate:
// "tls-server-end-point:" followed by the certificate's hash with the hash of its signature
// algorithm (MD5 and SHA-1 are replaced by SHA-256, RFC 5929 4.1).
func ServerEndPoint(cert *x509.Certificate) []byte {
	var sum []byte
	switch cert.SignatureAlgorithm {
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS:
		h := sha512.Sum384(cert.Raw)
		sum = h[:]
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS:
		h := sha512.Sum512(cert.Raw)
		sum = h[:]
	default:
		h := sha256.Sum256(cert.Raw)
		sum = h[:]
	}
	return append([]byte("tls-server-end-point:"), sum...)
}
