// Package dnstest is a small authoritative DNS server on loopback for tests: it answers SRV and A
// queries from fixed records over UDP, so that code which locates domain controllers the way
// Windows does (_ldap._tcp.dc._msdcs.<domain>) can be tested with a real resolver.
package dnstest

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"
)

// SRV is one SRV record's data.
type SRV struct {
	Target                 string
	Port, Priority, Weight uint16
}

// Records are the server's data, keyed by fully qualified name ("_ldap._tcp.corp.example.";
// the trailing dot may be left out). Names are matched case-insensitively.
type Records struct {
	SRV map[string][]SRV
	A   map[string][]net.IP
}

// Server answers queries from Records on a UDP port of 127.0.0.1.
type Server struct {
	// Addr is "127.0.0.1:port".
	Addr string

	pc      net.PacketConn
	records Records
	mu      sync.Mutex
	queries []string
	wg      sync.WaitGroup
}

// Start listens on 127.0.0.1:0 and serves until Close.
func Start(r Records) (*Server, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: pc.LocalAddr().String(), pc: pc, records: normalise(r)}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	err := s.pc.Close()
	s.wg.Wait()
	return err
}

// Queries returns the questions asked so far, as "TYPE name".
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

func normalise(r Records) Records {
	out := Records{SRV: map[string][]SRV{}, A: map[string][]net.IP{}}
	for k, v := range r.SRV {
		out.SRV[fqdn(k)] = v
	}
	for k, v := range r.A {
		out.A[fqdn(k)] = v
	}
	return out
}

func fqdn(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) + "." }

func (s *Server) serve() {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if resp, ok := s.answer(buf[:n]); ok {
			_, _ = s.pc.WriteTo(resp, from)
		}
	}
}

func (s *Server) answer(q []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(q)
	if err != nil {
		return nil, false
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 {
		return nil, false
	}
	question := qs[0]
	name := strings.ToLower(question.Name.String())
	s.mu.Lock()
	s.queries = append(s.queries, strings.TrimPrefix(question.Type.String(), "Type")+" "+name)
	s.mu.Unlock()

	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	srvs, haveSRV := s.records.SRV[name]
	ips, haveA := s.records.A[name]
	if !haveSRV && !haveA {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if b.StartQuestions() != nil || b.Question(question) != nil || b.StartAnswers() != nil {
		return nil, false
	}
	hdr := dnsmessage.ResourceHeader{Name: question.Name, Class: dnsmessage.ClassINET, TTL: 60}
	switch question.Type {
	case dnsmessage.TypeSRV:
		for _, r := range srvs {
			target, err := dnsmessage.NewName(fqdn(r.Target))
			if err != nil {
				return nil, false
			}
			if b.SRVResource(hdr, dnsmessage.SRVResource{Priority: r.Priority, Weight: r.Weight, Port: r.Port, Target: target}) != nil {
				return nil, false
			}
		}
	case dnsmessage.TypeA:
		for _, ip := range ips {
			var a [4]byte
			copy(a[:], ip.To4())
			if b.AResource(hdr, dnsmessage.AResource{A: a}) != nil {
				return nil, false
			}
		}
	}
	out, err := b.Finish()
	return out, err == nil
}

// Resolver returns a Go resolver that asks only this server.
func (s *Server) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.Addr)
	}}
}
