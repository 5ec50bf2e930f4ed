package ntlm

import (
	"bytes"
	"testing"
)

// logon runs a full NTLMv2 logon between a client and a server and returns both sessions.
func logon(tb testing.TB) (client, server *Session) {
	tb.Helper()
	c := NewClient(ClientConfig{User: `LAB\bench`, Password: "bench-pw"})
	s := NewServer(ServerConfig{Password: func(u, d string) (string, bool) { return "bench-pw", true }})
	challenge, err := s.Challenge(c.Negotiate())
	if err != nil {
		tb.Fatal(err)
	}
	auth, err := c.Authenticate(challenge)
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := s.Authenticate(auth); err != nil {
		tb.Fatal(err)
	}
	return c.Session(), s.Session()
}

// BenchmarkSealUnseal wraps a 9 KB message (the collector's size) on one side and unwraps it on
// the other: the per-message cost of NTLM message encryption.
func BenchmarkSealUnseal(b *testing.B) {
	client, server := logon(b)
	msg := bytes.Repeat([]byte("<s:Envelope>tlsready</s:Envelope>"), 9000/33)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		sig, sealed, err := client.Wrap(msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := server.Unwrap(sig, sealed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandshake is one NTLMv2 logon, done once per host.
func BenchmarkHandshake(b *testing.B) {
	for b.Loop() {
		logon(b)
	}
}
