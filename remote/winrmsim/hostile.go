package winrmsim

import (
	"bytes"
	"fmt"
	"net/http"
	"time"
)

// The endless answers of a hostile host (FaultEndlessHeader, FaultEndlessStatus,
// FaultEndless401, FaultEndlessHeaderDelete) are streamed in chunks of endlessChunk bytes with
// a pause of endlessPause after each, at most 8 MB/s per connection: enough to grow a client
// that does not bound its reads by hundreds of MB per test, at little CPU, until the client
// goes away, the host closes, or endlessFor has passed.
const (
	endlessChunk = 16 << 10
	endlessPause = 2 * time.Millisecond
	endlessFor   = 30 * time.Second
)

// The start of each endless answer; the filler byte follows without end.
const (
	endlessHeaderStart = "HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-HTTPAPI/2.0\r\nWWW-Authenticate: Negotiate "
	endlessStatusStart = "HTTP/1.1 200 OK"
	// A chunked body: a client that closes it unread reads it to its end first (net/http does,
	// for a connection it would keep).
	endless401Start = "HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-HTTPAPI/2.0\r\nWWW-Authenticate: Negotiate\r\n" +
		"Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
	endlessDeleteStart = "HTTP/1.1 200 OK\r\nServer: Microsoft-HTTPAPI/2.0\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nX-Padding: "
)

// endlessAnswer answers a request of a host with one of the endless faults before it is
// authenticated, and reports whether it did.
func (h *Host) endlessAnswer(w http.ResponseWriter, fault string) bool {
	switch fault {
	case FaultEndlessHeader:
		h.endless(w, fault, endlessHeaderStart, 'A')
	case FaultEndlessStatus:
		h.endless(w, fault, endlessStatusStart, 'K')
	case FaultEndless401:
		h.endless(w, fault, endless401Start, 0)
	default:
		return false
	}
	return true
}

// endless takes over the connection of w and writes start, then fill without end, in chunks,
// until a write fails (the client went away), the host closes, or endlessFor has passed; then
// it closes the connection. A fill of 0 writes a chunked body of 'a' without end instead.
func (h *Host) endless(w http.ResponseWriter, fault, start string, fill byte) {
	h.mu.Lock()
	select {
	case <-h.closing:
		h.mu.Unlock()
		panic(http.ErrAbortHandler)
	default:
	}
	h.streams.Add(1) // Close waits for it: it closes h.closing under h.mu, then waits
	h.stats.Endless++
	h.mu.Unlock()
	defer h.streams.Done()
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		h.logf("fault %s: %v; aborting the answer instead", fault, err)
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	h.logf("fault %s: an answer without end", fault)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-h.closing:
			_ = conn.Close() // ends a write blocked on a client that reads no more
		case <-done:
		}
	}()
	_ = conn.SetWriteDeadline(time.Now().Add(endlessFor))
	if _, err := buf.WriteString(start); err != nil || buf.Flush() != nil {
		return
	}
	chunk := bytes.Repeat([]byte{fill}, endlessChunk)
	if fill == 0 {
		chunk = fmt.Appendf(nil, "%x\r\n%s\r\n", endlessChunk, bytes.Repeat([]byte{'a'}, endlessChunk))
	}
	pause := time.NewTimer(endlessPause)
	defer pause.Stop()
	for {
		if _, err := conn.Write(chunk); err != nil {
			return
		}
		pause.Reset(endlessPause)
		select {
		case <-pause.C:
		case <-h.closing:
			return
		}
	}
}
