package scan

import (
	"bytes"
	"context"
	"testing"

	"github.com/tlsready/tlsready/facts"
)

// BenchmarkReadResults reads a results file of 2,000 hosts (with their facts), as report,
// merge and rescan do; bytes/op is the file's size.
func BenchmarkReadResults(b *testing.B) {
	var buf bytes.Buffer
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) { return win10(tg.Name), nil })
	if _, err := Run(context.Background(), targets(2000), c, Options{ScanID: "bench"}, NewResultsWriter(&buf)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rs, _, err := ReadResults(bytes.NewReader(data))
		if err != nil || len(rs) != 2000 {
			b.Fatalf("%d results, %v", len(rs), err)
		}
	}
}
