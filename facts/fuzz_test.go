package facts

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/internal/fuzzcheck"
)

// FuzzParseOutput: whatever a host's collector prints, ParseOutput reads it within a memory
// bound; facts it accepts, encoded again with Encode, read back equal; a parse error names a
// line of the output.
func FuzzParseOutput(f *testing.F) {
	good := Encode(sampleFacts())
	f.Add(good)
	f.Add(append([]byte("\xef\xbb\xbf"), good...))
	f.Add([]byte(strings.ReplaceAll(string(good), "\r\n", "\n")))
	f.Add(bytes.TrimSuffix(good, []byte("\r\n")))
	f.Add(Encode(&Facts{}))
	f.Add(Encode(sampleProbeFacts()))
	f.Add([]byte("Get-WmiObject : Access denied\r\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		var fa *Facts
		var err error
		fuzzcheck.Alloc(t, "ParseOutput", len(out), 16, 64<<10, func() { fa, err = ParseOutput(out) })
		if err != nil {
			var lines int
			for range bytes.Lines(out) {
				lines++
			}
			if pe, ok := err.(*ParseError); ok && (pe.Line < 0 || pe.Line > lines) {
				t.Errorf("error names line %d of %d: %v", pe.Line, lines, err)
			}
			return
		}
		again, err := ParseOutput(Encode(fa))
		if err != nil {
			t.Fatalf("re-encoded facts: %v", err)
		}
		if !reflect.DeepEqual(again, fa) {
			t.Errorf("re-parsed\n%+v\nwant\n%+v", again, fa)
		}
	})
}

// formatWriterOutput renders results as the writer prints them: the inverse of
// ParseWriterOutput.
func formatWriterOutput(rs []WriteResult) []byte {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(FormatPrior(r.Prior) + "\r\n")
		switch r.Outcome {
		case "":
		case OutcomeFailed:
			b.WriteString(FormatResult(r.Prior.Key, r.Prior.Name, r.Outcome, "", r.Message) + "\r\n")
		default:
			b.WriteString(FormatResult(r.Prior.Key, r.Prior.Name, r.Outcome, r.Type, r.Data) + "\r\n")
		}
	}
	return []byte(b.String())
}

// FuzzParseWriterOutput: whatever the fix writer's host prints, what ParseWriterOutput returns
// (all of it, or what it read before an error) is no larger than the output allows, and printed
// again reads back equal.
func FuzzParseWriterOutput(f *testing.F) {
	prior := Value{Key: `HKLM\SOFTWARE\X`, Name: "DefaultSecureProtocols", State: StateOK, Type: RegSZ, Data: "0x00000a00"}
	second := Value{Key: `HKLM\SOFTWARE\Y`, Name: "Enabled", State: StateNoValue}
	f.Add([]byte("\ufeff" + FormatPrior(prior) + "\r\n" + FormatResult(prior.Key, prior.Name, OutcomeApplied, RegDWORD, "2560") + "\r\n" +
		FormatPrior(second) + "\r\n" + FormatResult(second.Key, second.Name, OutcomeFailed, "", "Requested registry access is not allowed.") + "\r\n"))
	f.Add([]byte(FormatPrior(second) + "\n"))
	f.Add([]byte("prior\tK\tN\tweird\t\t\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		var rs []WriteResult
		fuzzcheck.Alloc(t, "ParseWriterOutput", len(out), 16, 64<<10, func() { rs, _ = ParseWriterOutput(out) })
		if len(rs) > bytes.Count(out, []byte("\n"))+1 {
			t.Errorf("%d results from %d lines", len(rs), bytes.Count(out, []byte("\n"))+1)
		}
		again, err := ParseWriterOutput(formatWriterOutput(rs))
		if err != nil {
			t.Fatalf("re-formatted results: %v", err)
		}
		if len(again) != len(rs) || (len(rs) > 0 && !reflect.DeepEqual(again, rs)) {
			t.Errorf("re-parsed\n%+v\nwant\n%+v", again, rs)
		}
	})
}
