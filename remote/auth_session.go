package remote

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tlsready/tlsready/remote/wsmv"
)

// maxHandshakeRounds bounds the requests of one handshake (NTLM needs 2, Kerberos 1 or 2).
const maxHandshakeRounds = 4

// authSession is the connection-bound authentication of one Run (NTLM, Kerberos): a round
// tripper that only ever uses the run's own connection, the security
// context established on that connection, and, over HTTP, its message encryption.
//
// The connection is dialled by connect before the handshake and only ever used through its
// slot: once it is gone, a request fails with errConnectionGone and never goes out on another
// connection. When the host closed it (or a cancelled request broke it), the next request makes
// a new connection and a new handshake first.
type authSession struct {
	c       *Client
	ep      Endpoint
	url     string
	encrypt bool // over HTTP: MS-WSMV encryption of every message

	mu          sync.Mutex // one request at a time: sealing order is sending order
	hc          *http.Client
	slot        *connSlot
	tlsState    *tls.ConnectionState
	established bool
	mechanism   string // of the established context, for error messages
	protocol    string
	sealer      wsmv.Sealer
	failed      error  // a refusal of the credentials: no new handshake in this run
	release     func() // frees the context of the connection (SSPI), nil when there is nothing to free
}

// releaser is a SecurityContext that holds resources until its connection is dropped (an SSPI
// context handle).
type releaser interface {
	release()
}

// errConnectionGone is returned when the run's connection is gone.
var errConnectionGone = errors.New("the connection of the security context is closed")

func (c *Client) newAuthSession(ep Endpoint, u string) *authSession {
	return &authSession{c: c, ep: ep, url: u, encrypt: !c.cfg.HTTPS}
}

// connSlot holds the connection made by connect until the session drops it.
type connSlot struct {
	mu   sync.Mutex
	conn net.Conn
}

// peek returns the connection without taking it (nil once it is gone).
func (sl *connSlot) peek() net.Conn {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return sl.conn
}

func (sl *connSlot) take() net.Conn {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	conn := sl.conn
	sl.conn = nil
	return conn
}

// connect dials the host (and makes the TLS handshake over HTTPS) for a new context.
func (s *authSession) connect(ctx context.Context) error {
	s.dropConnection()
	addr := s.ep.String()
	conn, err := s.c.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	s.tlsState = nil
	if s.c.cfg.HTTPS {
		conf := s.c.transport.TLSClientConfig.Clone()
		if conf.ServerName == "" {
			conf.ServerName = s.ep.Host
		}
		conf.NextProtos = []string{"http/1.1"}
		tc := tls.Client(conn, conf)
		hctx, cancel := context.WithTimeout(ctx, s.c.transport.TLSHandshakeTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			_ = conn.Close()
			return err
		}
		cs := tc.ConnectionState()
		s.tlsState = &cs
		conn = tc
	}
	// Requests go one after another on this connection alone: no pool, no redial, no
	// goroutines of its own.
	s.slot = &connSlot{conn: conn}
	cw := &countingWriter{w: conn}
	lim := &answerLimiter{r: conn}
	var rt http.RoundTripper = &connRoundTripper{slot: s.slot, tlsState: s.tlsState, cw: cw, lim: lim,
		br: bufio.NewReaderSize(lim, 4<<10), bw: bufio.NewWriterSize(cw, 4<<10)}
	if s.c.wrapRT != nil {
		rt = s.c.wrapRT(rt)
	}
	s.hc = &http.Client{Transport: rt, CheckRedirect: s.c.hc.CheckRedirect}
	return nil
}

// connRoundTripper sends each request on the connection of its slot and reads the answer from
// it. The caller reads each answer whole before the next request, as the security context
// requires anyway. A request's context bounds both: its deadline becomes the connection's, and
// its cancellation ends a blocked read or write.
//
// A host may close a kept-alive connection while it is idle between two requests (Windows'
// HTTP.sys after its idle timeout). That is found before the next
// request is written: the connection is read without waiting (idleClosed), and a closed one, or
// a first write that puts no byte on it, makes the request fail with errConnectionGone, nothing
// sent, so that the session authenticates a new connection. A request once written is never
// sent again: a connection that ends after it, before an answer, may have run the command.
//
// Every answer is bounded (answerLimiter): its status line and headers to maxHeaderBytes and
// maxHeaderLines, its body to maxBodyWireBytes; and closing a body that was not read to its end
// drops the connection instead of reading the rest (connBody).
type connRoundTripper struct {
	slot     *connSlot
	tlsState *tls.ConnectionState
	br       *bufio.Reader
	bw       *bufio.Writer
	cw       *countingWriter // under bw: the bytes that reached the connection
	lim      *answerLimiter  // under br: the bounds of each answer's header section and body
	used     bool            // an answer was read: the host may since have closed the idle connection
}

func (c *connRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	conn := c.slot.peek()
	if conn == nil {
		return nil, errConnectionGone
	}
	if c.used && idleClosed(conn, c.br) {
		return nil, errConnectionGone
	}
	ctx := req.Context()
	dl, _ := ctx.Deadline()
	_ = conn.SetDeadline(dl) // zero: none
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) (*http.Response, error) {
		stop()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, err
	}
	c.cw.n = 0
	werr := req.Write(c.bw)
	if werr == nil {
		werr = c.bw.Flush()
	}
	if werr != nil {
		if c.used && c.cw.n == 0 && ctx.Err() == nil {
			// The host closed the idle connection: not one byte of this request went out.
			stop()
			return nil, errConnectionGone
		}
		return fail(werr)
	}
	c.lim.start()
	resp, err := http.ReadResponse(c.br, req)
	if lerr := c.lim.headerErr(); lerr != nil {
		// Over a limit: that is the cause, whatever ReadResponse made of the header section
		// cut there. A resp is not closed (that reads its body); the connection is dropped.
		err = lerr
	}
	if err != nil {
		// Over a limit, or broken: what follows on the connection is not worth reading.
		c.dropConn()
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			// Written, then closed: the host may have read the request and run it, so it is
			// not sent again.
			err = fmt.Errorf("the host closed the connection without answering the request (not sent again): %w", err)
		}
		return fail(err)
	}
	c.used = true
	resp.TLS = c.tlsState
	resp.Body = &connBody{ReadCloser: resp.Body, stop: stop, drop: c.dropConn, eof: resp.Body == http.NoBody}
	return resp, nil
}

// dropConn closes the connection: the session's next request finds it gone.
func (c *connRoundTripper) dropConn() {
	if conn := c.slot.take(); conn != nil {
		_ = conn.Close()
	}
}

// idleClosed reports whether the host closed (or reset) an idle connection, or sent something
// on it unasked, which makes it unusable too. It does not wait: see peekClosed.
func idleClosed(conn net.Conn, br *bufio.Reader) bool {
	if br.Buffered() > 0 {
		return true
	}
	if tc, ok := conn.(*tls.Conn); ok {
		// A close_notify alert, or anything else the host sent on an idle TLS connection, is
		// pending bytes on the TCP connection under it.
		conn = tc.NetConn()
	}
	return peekClosed(conn)
}

// countingWriter counts the bytes written to the connection. It has no ReadFrom, on purpose:
// the bufio.Writer in front of it would hand the rest of a large request body to the
// connection's ReadFrom, which copies it through a new buffer of up to 32 KB each time; the
// Writer's own buffer serves instead.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// dropConnection forgets the context and closes the connection.
func (s *authSession) dropConnection() {
	s.established, s.sealer, s.protocol = false, nil, ""
	if s.release != nil {
		s.release()
		s.release = nil
	}
	if s.slot != nil {
		if conn := s.slot.take(); conn != nil {
			_ = conn.Close()
		}
	}
	s.hc, s.slot = nil, nil
}

// close ends the session at the end of the run.
func (s *authSession) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropConnection()
}

// handshakeError is a failure while establishing the context: the step of the run is
// "authenticate".
type handshakeError struct{ err error }

func (e *handshakeError) Error() string { return e.err.Error() }
func (e *handshakeError) Unwrap() error { return e.err }

// post sends one SOAP envelope on the run's authenticated connection, establishing the context
// first when there is none, and returns the answer's envelope.
func (s *authSession) post(t *transporter, soap message) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed != nil {
		return nil, s.failed
	}
	for attempt := 0; ; attempt++ {
		if !s.established {
			if err := s.handshake(t); err != nil {
				return nil, err
			}
		}
		body, err := s.send(t, soap)
		if errors.Is(err, errConnectionGone) && attempt == 0 {
			// The host closed the idle connection: nothing was sent (connRoundTripper).
			// Authenticate a new one.
			s.dropConnection()
			continue
		}
		return body, err
	}
}

// handshake establishes a new security context on a new connection. It sends no SOAP body:
// every request of the handshake is an empty POST.
func (s *authSession) handshake(t *transporter) error {
	sc, mech, err := s.c.newSecurityContext(t.ctx, s.ep)
	if err != nil {
		var ae *AuthError
		if errors.As(err, &ae) {
			ae.Reason = t.redact(ae.Reason)
		}
		return s.refuse(err)
	}
	if err := s.connect(t.ctx); err != nil {
		if r, ok := sc.(releaser); ok {
			r.release()
		}
		return err
	}
	if r, ok := sc.(releaser); ok {
		s.release = r.release
	}
	s.mechanism = mech
	authErr := func(status int, resp *http.Response, reason string) *AuthError {
		e := &AuthError{Status: status, HTTPS: s.c.cfg.HTTPS, Mechanism: mech, Reason: reason}
		if resp != nil {
			e.Offered = authSchemes(resp.Header.Values("WWW-Authenticate"))
		}
		return e
	}
	stepErr := func(resp *http.Response, what string, err error) error {
		e := authErr(0, resp, what+": "+t.redact(err.Error()))
		// The security package's refusal of the account (SSPI's SEC_E_LOGON_DENIED) counts
		// as a refusal of the credentials.
		e.Rejected = sspiRefusal(err)
		return s.refuse(e)
	}
	out, done, err := sc.Step(nil, s.tlsState)
	if err != nil {
		return stepErr(nil, "handshake", err)
	}
	for round := 0; ; round++ {
		if round == maxHandshakeRounds {
			return s.refuse(authErr(0, nil, fmt.Sprintf("handshake not complete after %d requests", round)))
		}
		if out == nil {
			return s.refuse(authErr(0, nil, "handshake: no token to send"))
		}
		req, err := http.NewRequestWithContext(t.ctx, http.MethodPost, s.url, http.NoBody)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", sc.Scheme()+" "+base64.StdEncoding.EncodeToString(out))
		resp, err := s.hc.Do(req)
		if err != nil {
			s.dropConnection()
			return &handshakeError{unwrapURLError(err)}
		}
		// A 401 carries no body worth reading: a longer one is cut (closing the body then
		// drops the connection), never read to its end.
		body, err := readAnswerMax(resp, maxAuthBodyBytes)
		resp.Body.Close()
		if err != nil {
			s.dropConnection()
			return &handshakeError{fmt.Errorf("reading the answer (HTTP %d): %w", resp.StatusCode, err)}
		}
		if len(body) > maxAuthBodyBytes {
			s.dropConnection()
			return &handshakeError{&ProtocolError{Reason: fmt.Sprintf("the host answered an authentication request (HTTP %d) with a body of more than %d KB",
				resp.StatusCode, maxAuthBodyBytes>>10)}}
		}
		in, hasToken := serverToken(resp.Header.Values("WWW-Authenticate"), sc.Scheme())
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			if !hasToken || done {
				// A bare 401: the host refused the credentials, if they were sent (the NTLM
				// AUTHENTICATE), else the scheme or the mechanism (no NTLM, only Basic...).
				e := authErr(http.StatusUnauthorized, resp, "")
				e.Rejected = proofSent(sc)
				return s.refuse(e)
			}
			if out, done, err = sc.Step(in, resp.TLS); err != nil {
				return stepErr(resp, "handshake", err)
			}
		case http.StatusOK:
			if hasToken {
				if _, done, err = sc.Step(in, resp.TLS); err != nil {
					return stepErr(resp, "mutual authentication", err)
				}
			}
			if !done {
				return s.refuse(authErr(0, resp, "the host accepted a handshake that is not complete"))
			}
			if s.encrypt {
				protocol, sealer, err := sc.Sealer()
				if err != nil {
					return s.refuse(authErr(0, resp, "message encryption: "+t.redact(err.Error())))
				}
				if sealer == nil {
					return s.refuse(authErr(0, resp, "message encryption: no sealing context"))
				}
				s.protocol, s.sealer = protocol, sealer
			}
			s.established = true
			return nil
		default:
			_, err := t.answer(resp, body)
			if err == nil {
				err = &ProtocolError{Reason: "unexpected answer to an authentication request"}
			}
			s.dropConnection()
			return &handshakeError{err}
		}
	}
}

// refuse ends the session for the run with an authentication failure: it is not retried.
func (s *authSession) refuse(err error) error {
	s.dropConnection()
	s.failed = &handshakeError{err}
	return s.failed
}

// send posts one envelope, encrypted over HTTP, on the established connection.
func (s *authSession) send(t *transporter, soap message) ([]byte, error) {
	ct, body := "application/soap+xml;charset=UTF-8", soap
	if s.encrypt {
		var err error
		if ct, body, err = wsmv.EncryptParts(s.protocol, s.sealer, soap...); err != nil {
			s.dropConnection()
			return nil, &AuthError{Mechanism: s.mechanism, Reason: t.redact(err.Error())}
		}
	}
	req, err := body.request(t.ctx, s.url)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", ct)
	req.Close = t.closeConn
	resp, err := s.hc.Do(req)
	if err != nil {
		// The sealing state may be ahead of the host's: never reuse this context.
		s.dropConnection()
		return nil, unwrapURLError(err)
	}
	defer resp.Body.Close()
	answer, err := readAnswer(resp)
	if err != nil {
		s.dropConnection()
		return nil, fmt.Errorf("reading the answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if len(answer) > maxResponseBytes {
		s.dropConnection()
		return nil, &HTTPError{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
			Snippet: fmt.Sprintf("answer larger than %d bytes", maxResponseBytes)}
	}
	if resp.StatusCode == http.StatusUnauthorized {
		// The host forgot or refused the context (wrong password, or a message in clear over
		// HTTP when it wants encryption): an authentication failure, not retried.
		e := &AuthError{Status: resp.StatusCode, Offered: authSchemes(resp.Header.Values("WWW-Authenticate")),
			HTTPS: s.c.cfg.HTTPS, Mechanism: s.mechanism}
		s.dropConnection()
		s.failed = e
		return nil, e
	}
	if s.encrypt {
		rct := resp.Header.Get("Content-Type")
		switch {
		case wsmv.IsEncrypted(rct):
			// The handshake succeeded: the credentials were accepted. An answer that cannot be
			// read is the host's or the transport's failure, not a password to check.
			if len(answer) == 0 {
				s.dropConnection()
				return nil, &ProtocolError{Reason: fmt.Sprintf("HTTP %d with an empty encrypted body, after a successful %s logon",
					resp.StatusCode, mechanismLabel(s.mechanism))}
			}
			_, plain, err := wsmv.Decrypt(rct, answer, s.sealer)
			var ae *AuthError
			if errors.As(err, &ae) {
				// The context itself failed (an SSPI context that expired): an authentication
				// failure, not the host's answer.
				s.dropConnection()
				ae.Reason = t.redact(ae.Reason)
				return nil, ae
			}
			if err != nil {
				s.dropConnection()
				return nil, &ProtocolError{Reason: fmt.Sprintf("HTTP %d: the encrypted answer was not decrypted, after a successful %s logon: %v",
					resp.StatusCode, mechanismLabel(s.mechanism), err)}
			}
			resp.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
			answer = plain
		case resp.StatusCode == http.StatusOK || len(answer) > 0 && isSOAP(rct, answer):
			// A host that answers in clear could be anyone on the path: the security context
			// is not trusted any more, and the next message is not sent.
			s.dropConnection()
			return nil, &AuthError{Status: resp.StatusCode, Mechanism: s.mechanism,
				Reason: "the host answered in clear although message encryption was negotiated"}
		}
		// Else an HTTP error with no envelope (413, 400, a proxy's page): reported as such.
	}
	if resp.Close {
		s.dropConnection()
	}
	return t.answer(resp, answer)
}

// serverToken returns the token of the WWW-Authenticate header of scheme, and whether there is
// one.
func serverToken(values []string, scheme string) ([]byte, bool) {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			f := strings.Fields(part)
			if len(f) == 2 && strings.EqualFold(f[0], scheme) {
				b, err := base64.StdEncoding.DecodeString(f[1])
				if err == nil && len(b) > 0 {
					return b, true
				}
			}
		}
	}
	return nil, false
}

// unwrapURLError drops the *url.Error around a transport error: it would only add the method
// and URL to every message.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
