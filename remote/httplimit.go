package remote

import (
	"fmt"
	"io"
	"net/http"
)

// Bounds of one HTTP answer from a host. A WinRM answer has a status line and half a dozen
// short headers; a proxy's a few more.
const (
	// maxHeaderBytes bounds the status line and the headers of an answer together: so also
	// each line of them. The Basic transport gets it as MaxResponseHeaderBytes.
	maxHeaderBytes = 64 << 10
	// maxHeaderLines bounds the lines of the header section, the status line included.
	maxHeaderLines = 128
	// maxBodyWireBytes bounds the bytes read for one body as they come on the wire (chunk
	// framing included); readAnswer keeps at most maxResponseBytes of it.
	maxBodyWireBytes = 2*maxResponseBytes + maxHeaderBytes
	// maxAuthBodyBytes bounds the body of an answer to an authentication request (a 401 page):
	// a longer one is not read to its end, and the connection is dropped.
	maxAuthBodyBytes = 64 << 10
)

// headerLimitError says that a host sent more header than maxHeaderBytes or maxHeaderLines.
func headerLimitError(lines bool) error {
	if lines {
		return &ProtocolError{Reason: fmt.Sprintf("the host sent more than %d HTTP header lines", maxHeaderLines)}
	}
	return &ProtocolError{Reason: fmt.Sprintf("the host sent more than %d KB of HTTP headers", maxHeaderBytes>>10)}
}

// answerLimiter sits under the bufio.Reader of a connection that http.ReadResponse reads, which
// bounds neither the status line nor the headers: it ends the answer with an error once the
// header section passes maxHeaderBytes or maxHeaderLines, and once the body passes
// maxBodyWireBytes. It tells the end of the header section (an empty line) by watching the
// bytes go by: what follows in the same read is body. start arms it for the next answer.
type answerLimiter struct {
	r         io.Reader
	inHeader  bool
	left      int64 // bytes the current part (header section, body) may still have
	lines     int   // lines of the header section so far
	lineEmpty bool  // the current header line has nothing but CR so far
	err       error // the limit passed; sticky until start
}

// start arms the limits for the answer to a request just written.
func (l *answerLimiter) start() {
	l.inHeader, l.left, l.lines, l.lineEmpty, l.err = true, maxHeaderBytes, 0, false, nil
}

// headerErr is the error of a header section over its limits, nil if it stayed within them.
// It is the cause of http.ReadResponse's failure then, whatever it reports (a line cut at the
// limit may look malformed to it), and it refuses a header section that ReadResponse parsed
// whole from what was read with the limit error.
func (l *answerLimiter) headerErr() error {
	if l.inHeader || l.lines > maxHeaderLines {
		return l.err
	}
	return nil
}

func (l *answerLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.left <= 0 {
		if l.inHeader {
			l.err = headerLimitError(false)
		} else {
			l.err = &ProtocolError{Reason: fmt.Sprintf("the host sent an answer of more than %d bytes", maxBodyWireBytes)}
		}
		return 0, l.err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if !l.inHeader {
		return n, err
	}
	for i, b := range p[:n] {
		switch b {
		case '\n':
			if l.lineEmpty {
				// The end of the header section: the rest is the body's.
				l.inHeader = false
				l.left = maxBodyWireBytes - int64(n-i-1)
				if l.lines > maxHeaderLines {
					l.err = headerLimitError(true)
				}
				return n, err
			}
			l.lines++
			l.lineEmpty = true
		case '\r':
		default:
			l.lineEmpty = false
		}
	}
	if l.lines > maxHeaderLines {
		l.err = headerLimitError(true)
		return n, l.err
	}
	return n, err
}

// connBody is the body of an answer read from the session's connection. Closing it never reads
// the rest of a body that was not read to its end (http.ReadResponse's body would, and a
// hostile host sends one without end): the connection is dropped instead.
type connBody struct {
	io.ReadCloser
	stop func() bool // ends the request's context watch
	drop func()      // closes the connection
	eof  bool
}

func (b *connBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *connBody) Close() error {
	if !b.eof {
		// A body read to its last byte without seeing io.EOF (io.ReadFull of Content-Length
		// bytes, or a chunked body before its last chunk) reports io.EOF at once, or after the
		// last chunk's few bytes; a body that goes on does not.
		var probe [1]byte
		if n, err := b.ReadCloser.Read(probe[:]); n == 0 && err == io.EOF {
			b.eof = true
		}
	}
	b.stop()
	if !b.eof {
		b.drop()
		return nil
	}
	return b.ReadCloser.Close()
}

// readAnswerMax reads a response body into memory, at most limit+1 bytes: a caller that gets
// more than limit bytes refuses the answer. The buffer is sized from Content-Length when the
// host sent one within the limit (one allocation instead of a growing series).
func readAnswerMax(resp *http.Response, limit int64) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n <= limit {
		// net/http ends the body at Content-Length: a short body is an unexpected EOF.
		buf := make([]byte, n)
		m, err := io.ReadFull(resp.Body, buf)
		return buf[:m], err
	}
	return io.ReadAll(io.LimitReader(resp.Body, limit+1))
}
