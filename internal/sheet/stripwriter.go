package sheet

import (
	"io"
	"strings"
	"unicode/utf8"
)

// StripWriter writes through to w what it is given with the controls of StripControls removed,
// so that a large page is stripped as it is written rather than held whole; each byte that is not
// part of valid UTF-8 becomes U+FFFD. A rune split across two Writes is kept until the next Write
// or Flush completes it: the output does not depend on how the text was split.
type StripWriter struct {
	w       io.Writer
	pending []byte // the start of a rune not yet complete (at most utf8.UTFMax-1 bytes)
	buf     []byte
}

// NewStripWriter returns a StripWriter writing to w. Call Flush after the last Write.
func NewStripWriter(w io.Writer) *StripWriter { return &StripWriter{w: w} }

// Write strips p (after what an earlier Write left incomplete) and writes the result. It
// reports len(p) when the underlying Write succeeds.
func (s *StripWriter) Write(p []byte) (int, error) {
	data := p
	if len(s.pending) > 0 {
		data = append(s.pending, p...)
		s.pending = nil
	}
	// Keep back an incomplete rune at the end: a later Write may complete it.
	cut := len(data)
	for i := len(data) - 1; i >= 0 && i >= len(data)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				cut = i
			}
			break
		}
	}
	if cut < len(data) {
		s.pending = append([]byte(nil), data[cut:]...)
	}
	if err := s.emit(data[:cut]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what an incomplete rune left pending (as U+FFFD).
func (s *StripWriter) Flush() error {
	if len(s.pending) == 0 {
		return nil
	}
	p := s.pending
	s.pending = nil
	return s.emit(p)
}

// emit writes data stripped; data ends on a rune boundary or is all that is left.
func (s *StripWriter) emit(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	clean := true
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if isControl(r) || (r == utf8.RuneError && n <= 1) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		_, err := s.w.Write(data)
		return err
	}
	s.buf = append(s.buf[:0], stripAll(string(data))...)
	_, err := s.w.Write(s.buf)
	return err
}

// stripAll removes the controls of StripControls and replaces each byte of invalid UTF-8 by
// U+FFFD.
func stripAll(s string) string {
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}
