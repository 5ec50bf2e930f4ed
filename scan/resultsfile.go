package scan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/tlsready/tlsready/internal/safejson"
)

// ResultsWriter appends each result to a JSON Lines stream as soon as it arrives: one object per
// line, written with a single Write so that a crash leaves only whole lines behind (at worst a
// truncated last one, which ReadResults tolerates).
type ResultsWriter struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

// NewResultsWriter writes results to w.
func NewResultsWriter(w io.Writer) *ResultsWriter { return &ResultsWriter{w: w} }

// Result implements Handler.
func (rw *ResultsWriter) Result(r Result) error {
	b, err := safejson.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	b = append(b, '\n')
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if _, err := rw.w.Write(b); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	rw.n++
	return nil
}

// Count returns the number of results written.
func (rw *ResultsWriter) Count() int {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return rw.n
}

// Bounds of reading a results file, which anyone may have edited.
const (
	// MaxResultLine is the longest line read as a result; a longer one is skipped as corrupt
	// without being held in memory.
	MaxResultLine = 64 << 20
	// maxBadLinesListed is how many corrupt lines of one file are named in warnings; the
	// others are counted.
	maxBadLinesListed = 10
)

// ReadResults reads a JSON Lines results stream. A corrupt line (not JSON, not a result, longer
// than MaxResultLine) is skipped with a warning naming it, and the count of skipped lines is the
// last warning; a last line without its newline that does not parse (a write cut short by power
// loss) is skipped with a warning of its own. A stream with corrupt lines and no result at all
// is an error (not a results file), and one with nothing in it gets a warning.
func ReadResults(r io.Reader) (results []Result, warnings []string, err error) {
	return readResults(r, "")
}

// readResults is ReadResults; warnings and errors name their line as "name:N:" (or "line N:"
// when name is empty).
func readResults(r io.Reader, name string) (results []Result, warnings []string, err error) {
	at := func(n int) string {
		if name == "" {
			return fmt.Sprintf("line %d:", n)
		}
		return fmt.Sprintf("%s:%d:", name, n)
	}
	br := bufio.NewReaderSize(r, 64*1024)
	bad, firstBad, lineNo := 0, 0, 0
	skip := func(why string) {
		if bad++; bad <= maxBadLinesListed {
			warnings = append(warnings, fmt.Sprintf("%s corrupt line skipped: %s", at(lineNo), why))
		}
		if firstBad == 0 {
			firstBad = lineNo
		}
	}
	var line []byte
	for lineNo = 1; ; lineNo++ {
		line = line[:0]
		tooLong := false
		var rerr error
		for {
			var chunk []byte
			chunk, rerr = br.ReadSlice('\n')
			if !tooLong && len(line)+len(chunk) > MaxResultLine {
				tooLong, line = true, line[:0]
			}
			if !tooLong {
				line = append(line, chunk...)
			}
			if !errors.Is(rerr, bufio.ErrBufferFull) {
				break
			}
		}
		switch {
		case tooLong:
			skip(fmt.Sprintf("longer than %d MB", MaxResultLine>>20))
		case len(bytes.TrimSpace(line)) > 0:
			var res Result
			if jerr := json.Unmarshal(line, &res); jerr != nil {
				if rerr == io.EOF && !bytes.HasSuffix(line, []byte("\n")) {
					warnings = append(warnings, fmt.Sprintf("%s incomplete last line skipped (%d bytes): the scan that wrote it was cut short", at(lineNo), len(line)))
					break
				}
				skip(jerr.Error())
				break
			}
			if res.Host == "" || res.Verdict == "" {
				skip("not a tlsready result (no host or verdict)")
				break
			}
			results = append(results, res)
		}
		if rerr != nil {
			if !errors.Is(rerr, io.EOF) {
				return results, warnings, rerr
			}
			break
		}
	}
	switch {
	case bad > 0 && len(results) == 0:
		return results, warnings, fmt.Errorf("%s not a tlsready results file: no line is a result", at(firstBad))
	case bad > 0:
		s := ""
		if name != "" {
			s = name + ": "
		}
		warnings = append(warnings, fmt.Sprintf("%s%d corrupt line(s) skipped, %d result(s) read: the hosts of the skipped lines are missing from this report", s, bad, len(results)))
	case len(results) == 0 && len(warnings) == 0:
		s := "the results file"
		if name != "" {
			s = name
		}
		warnings = append(warnings, s+" is empty: no results in it")
	}
	return results, warnings, nil
}
