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

// readLine appends the next line of br, with its newline, to buf, as bufio.Reader.ReadBytes
// returns it.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if err != bufio.ErrBufferFull {
			return buf, err
		}
	}
}

// ReadResults reads a JSON Lines results stream. A last line without its newline that does not
// parse (a write cut short by power loss) is skipped and reported in warnings; any other bad line
// is an error naming the line.
func ReadResults(r io.Reader) (results []Result, warnings []string, err error) {
	return ReadResultsWith(r, nil)
}

// LineDecoder decodes one line of a results file into res. A report uses one that leaves out
// what it does not show (the facts tree); nil is json.Unmarshal. line is valid only during the
// call (the reader reuses its buffer): res must not keep a reference into it.
type LineDecoder func(line []byte, res *Result) error

// ReadResultsWith is ReadResults with each line decoded by decode (nil: json.Unmarshal).
func ReadResultsWith(r io.Reader, decode LineDecoder) (results []Result, warnings []string, err error) {
	if decode == nil {
		decode = func(line []byte, res *Result) error { return json.Unmarshal(line, res) }
	}
	br := bufio.NewReaderSize(r, 64*1024)
	var buf []byte // one line, reused: a results file is read without a new slice per line
	for lineNo := 1; ; lineNo++ {
		line, rerr := readLine(br, buf[:0])
		buf = line
		if len(bytes.TrimSpace(line)) > 0 {
			var res Result
			if jerr := decode(line, &res); jerr != nil {
				if rerr == io.EOF && !bytes.HasSuffix(line, []byte("\n")) {
					warnings = append(warnings, fmt.Sprintf("line %d: incomplete last line skipped (%d bytes): the scan that wrote it was cut short", lineNo, len(line)))
					return results, warnings, nil
				}
				return results, warnings, fmt.Errorf("line %d: %w", lineNo, jerr)
			}
			if res.Host == "" || res.Verdict == "" {
				return results, warnings, fmt.Errorf("line %d: not a tlsready result (no host or verdict)", lineNo)
			}
			results = append(results, res)
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) {
				return results, warnings, nil
			}
			return results, warnings, rerr
		}
	}
}
