package winrmsim

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// wireWriter records an answer for Options.Wire while writing it.
type wireWriter struct {
	http.ResponseWriter
	h      *Host
	status int
	body   bytes.Buffer
}

// tapWire reads the request's body (up to the host's limits), shows it to Options.Wire and
// puts it back, and returns a writer that shows the answer when flushed. A body over the
// limits is answered 413 here (ok false), as ServeHTTP would.
func (h *Host) tapWire(w http.ResponseWriter, r *http.Request) (ww *wireWriter, ok bool) {
	limit := int64(h.maxEnvelope) + encryptionOverhead
	body, err := readAll(io.LimitReader(r.Body, limit+1), r.ContentLength, limit+1)
	if err != nil {
		return nil, false
	}
	h.opts.Wire("request", r.Header.Clone(), body)
	ww = &wireWriter{ResponseWriter: w, h: h}
	if int64(len(body)) > limit {
		h.tooLarge(ww)
		ww.flush()
		return nil, false
	}
	r.Body = putBack(r.Body, body, limit)
	return ww, true
}

func (w *wireWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *wireWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (FaultReset hijacks it).
func (w *wireWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *wireWriter) flush() {
	hd := w.Header().Clone()
	if w.status != 0 {
		hd[":status"] = []string{strconv.Itoa(w.status)}
	}
	w.h.opts.Wire("response", hd, w.body.Bytes())
}
