package ntlm

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/fuzzcheck"
)

// fuzzNow is the fixed clock of the fuzz targets' clients and servers.
var fuzzNow = func() time.Time { return time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC) }

func fuzzClient() *Client {
	c := NewClient(ClientConfig{User: `LAB\tlsready`, Password: "pw", TargetName: "HTTP/pc-01.lab.example"})
	c.cfg.rand, c.cfg.now = bytes.NewReader(bytes.Repeat([]byte{7}, 24)), fuzzNow
	return c
}

func fuzzServer() *Server {
	s := NewServer(ServerConfig{NetBIOSComputer: "PC-01", NetBIOSDomain: "LAB", Password: func(u, d string) (string, bool) {
		return "pw", strings.EqualFold(u, "tlsready") && strings.EqualFold(d, "LAB")
	}})
	s.cfg.rand, s.cfg.now = bytes.NewReader(bytes.Repeat([]byte{9}, 8)), fuzzNow
	return s
}

// FuzzParseChallenge: the client reads a host's CHALLENGE within a memory bound; one it reads
// marshals to bytes that read back to the same bytes, and the client's AUTHENTICATE answer to it
// is a message the server side can parse, of a size bounded by the CHALLENGE's.
func FuzzParseChallenge(f *testing.F) {
	f.Add(kaChallengeMessage)
	ch, err := fuzzServer().Challenge(fuzzClient().Negotiate())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ch)
	f.Fuzz(func(t *testing.T, msg []byte) {
		var c *challenge
		var err error
		fuzzcheck.Alloc(t, "parseChallenge", len(msg), 4, 64<<10, func() { c, err = parseChallenge(msg) })
		if err != nil {
			return
		}
		m1 := c.marshal()
		c2, err := parseChallenge(m1)
		if err != nil {
			t.Fatalf("re-marshalled CHALLENGE %x: %v", m1, err)
		}
		if m2 := c2.marshal(); !bytes.Equal(m1, m2) {
			t.Errorf("CHALLENGE re-marshalled differently:\n%x\n%x", m1, m2)
		}
		cl := fuzzClient()
		cl.Negotiate()
		auth, err := cl.Authenticate(msg)
		if err != nil {
			return
		}
		if len(auth) > 2*len(msg)+1024 {
			t.Errorf("AUTHENTICATE of %d bytes for a CHALLENGE of %d", len(auth), len(msg))
		}
		if _, err := parseAuthenticate(auth); err != nil {
			t.Errorf("our AUTHENTICATE does not parse: %v", err)
		}
	})
}

// FuzzServerNegotiate: the simulator's server answers any NEGOTIATE it accepts with a CHALLENGE
// of bounded size that the client side parses, offering only the flags it supports.
func FuzzServerNegotiate(f *testing.F) {
	f.Add(fuzzClient().Negotiate())
	f.Add(kaChallengeMessage)
	f.Fuzz(func(t *testing.T, msg []byte) {
		ch, err := fuzzServer().Challenge(msg)
		if err != nil {
			return
		}
		if len(ch) > 1024 {
			t.Errorf("CHALLENGE of %d bytes", len(ch))
		}
		c, err := parseChallenge(ch)
		if err != nil {
			t.Fatalf("our CHALLENGE does not parse: %v", err)
		}
		allowed := uint32(ServerFlags | FlagUnicode | FlagNTLM | FlagTargetInfo | FlagVersion | FlagTargetTypeServer | FlagTargetTypeDomain)
		if extra := c.flags &^ allowed; extra != 0 {
			t.Errorf("CHALLENGE offers flags %#08x", extra)
		}
	})
}

// FuzzServerAuthenticate: the simulator's server accepts an AUTHENTICATE only when it is the
// genuine message of the account's password for this CHALLENGE (the NTLMv2 response and the MIC
// cover every byte): any other input is refused, without panicking.
func FuzzServerAuthenticate(f *testing.F) {
	cl := fuzzClient()
	ch, err := fuzzServer().Challenge(cl.Negotiate())
	if err != nil {
		f.Fatal(err)
	}
	genuine, err := cl.Authenticate(ch)
	if err != nil {
		f.Fatal(err)
	}
	negotiate := fuzzClient().Negotiate()
	s := fuzzServer()
	if _, err := s.Challenge(negotiate); err != nil {
		f.Fatal(err)
	}
	if _, _, err := s.Authenticate(genuine); err != nil {
		f.Fatalf("the genuine AUTHENTICATE is refused: %v", err) // the invariant below would be vacuous
	}
	f.Add(genuine)
	f.Add(kaAuthenticateMessage)
	f.Fuzz(func(t *testing.T, msg []byte) {
		s := fuzzServer()
		if _, err := s.Challenge(negotiate); err != nil {
			t.Fatal(err)
		}
		var user, domain string
		var err error
		fuzzcheck.Alloc(t, "Server.Authenticate", len(msg), 8, 64<<10, func() { user, domain, err = s.Authenticate(msg) })
		if err != nil {
			return
		}
		if !bytes.Equal(msg, genuine) {
			t.Errorf("accepted %x (user %q, domain %q), which is not the genuine AUTHENTICATE", msg, user, domain)
		}
		if s.Session() == nil {
			t.Error("accepted without a session")
		}
	})
}
