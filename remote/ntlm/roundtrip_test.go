package ntlm

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func handshake(t *testing.T, ccfg ClientConfig, scfg ServerConfig, tamper func(auth []byte)) (*Client, *Server, error) {
	t.Helper()
	if scfg.Password == nil {
		scfg.Password = func(u, d string) (string, bool) {
			return "pw", strings.EqualFold(u, "tlsready") && strings.EqualFold(d, "LAB")
		}
	}
	c, s := NewClient(ccfg), NewServer(scfg)
	ch, err := s.Challenge(c.Negotiate())
	if err != nil {
		t.Fatal(err)
	}
	auth, err := c.Authenticate(ch)
	if err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(auth)
	}
	_, _, err = s.Authenticate(auth)
	return c, s, err
}

func TestRoundTrip(t *testing.T) {
	cb := []byte("tls-server-end-point:0123456789abcdef0123456789abcdef")
	tests := []struct {
		name    string
		ccfg    ClientConfig
		scfg    ServerConfig
		tamper  func([]byte)
		wantErr string
	}{
		{"OK", ClientConfig{User: `LAB\tlsready`, Password: "pw", TargetName: "HTTP/pc-17"}, ServerConfig{NetBIOSComputer: "PC-17", NetBIOSDomain: "LAB"}, nil, ""},
		{"WrongPassword", ClientConfig{User: `LAB\tlsready`, Password: "pW"}, ServerConfig{NetBIOSComputer: "PC-17"}, nil, ErrLogonFailure.Error()},
		{"ChannelBindingsMatch", ClientConfig{User: `LAB\tlsready`, Password: "pw", ChannelBindings: cb}, ServerConfig{ChannelBindings: cb}, nil, ""},
		{"ChannelBindingsOfAnotherConnection", ClientConfig{User: `LAB\tlsready`, Password: "pw", ChannelBindings: append(bytes.Clone(cb[:len(cb)-1]), 'X')},
			ServerConfig{ChannelBindings: cb}, nil, "channel bindings do not match"},
		{"NoChannelBindingsRelaxed", ClientConfig{User: `LAB\tlsready`, Password: "pw"}, ServerConfig{ChannelBindings: cb}, nil, ""},
		{"MICTampered", ClientConfig{User: `LAB\tlsready`, Password: "pw"}, ServerConfig{}, func(a []byte) { a[80] ^= 1 }, "MIC does not match"},
		{"FlagsTampered", ClientConfig{User: `LAB\tlsready`, Password: "pw"}, ServerConfig{}, func(a []byte) { a[60] ^= 0x10 }, "MIC does not match"},
		{"ClockSkew", ClientConfig{User: `LAB\tlsready`, Password: "pw", now: func() time.Time { return time.Now().Add(-72 * time.Hour) }},
			ServerConfig{now: func() time.Time { return time.Now().Add(72 * time.Hour) }}, nil, ""}, // the client takes the server's timestamp
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s, err := handshake(t, tt.ccfg, tt.scfg, tt.tamper)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Both directions, several messages, then tampering and replay are detected.
			for i := range 3 {
				msg := []byte(strings.Repeat("<s:Envelope/>", i+1))
				h, sealed, _ := c.Session().Wrap(msg)
				if bytes.Contains(sealed, []byte("Envelope")) {
					t.Fatal("sealed message shows the plain text")
				}
				got, err := s.Session().Unwrap(h, sealed)
				if err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("server Unwrap %d: %q, %v", i, got, err)
				}
				h, sealed, _ = s.Session().Wrap(msg)
				if got, err := c.Session().Unwrap(h, sealed); err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("client Unwrap %d: %q, %v", i, got, err)
				}
			}
			h, sealed, _ := c.Session().Wrap([]byte("once"))
			if _, err := s.Session().Unwrap(h, sealed); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Session().Unwrap(h, sealed); !errors.Is(err, ErrSignature) {
				t.Errorf("replayed message: %v, want ErrSignature", err)
			}
		})
	}
}

func TestServerChallengeTargetInfo(t *testing.T) {
	s := NewServer(ServerConfig{NetBIOSComputer: "pc-w10-01", NetBIOSDomain: "lab", Version: ParseVersion("10.0.19045")})
	msg, err := s.Challenge(NewClient(ClientConfig{}).Negotiate())
	if err != nil {
		t.Fatal(err)
	}
	ch, err := parseChallenge(msg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id   uint16
		want string
	}{{avNbDomainName, "LAB"}, {avNbComputerName, "PC-W10-01"}, {avDNSDomainName, "lab"}, {avDNSComputerName, "pc-w10-01.lab"}} {
		v, _ := ch.targetInfo.get(tt.id)
		if got, _ := fromUTF16le(v); got != tt.want {
			t.Errorf("AV pair %d = %q, want %q", tt.id, got, tt.want)
		}
	}
	if ts, ok := ch.targetInfo.get(avTimestamp); !ok || time.Since(fromFiletime(ts)).Abs() > time.Minute {
		t.Errorf("timestamp %x", ts)
	}
	if ch.version != (Version{10, 0, 19045}) || ch.flags&requiredFlags != requiredFlags {
		t.Errorf("version %v flags %#x", ch.version, ch.flags)
	}
}
