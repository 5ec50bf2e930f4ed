package scan

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/fuzzcheck"
)

// FuzzReadResults: ReadResults reads any results file (one edited by hand, or cut short by a
// crash) within a memory bound and with a bounded number of warnings; what it accepts, written
// again by ResultsWriter, reads back equal; and the same file with an incomplete last line (a
// write cut short, as documented) reads back the same results and one warning.
func FuzzReadResults(f *testing.F) {
	var buf bytes.Buffer
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) { return win10(tg.Name), nil })
	if _, err := Run(context.Background(), targets(2), c, Options{ScanID: "abc"}, NewResultsWriter(&buf)); err != nil {
		f.Fatal(err)
	}
	full := buf.Bytes()
	f.Add(full)
	f.Add(full[:len(full)-20])
	f.Add(append([]byte("{not json}\n"), full...))
	f.Add([]byte(`{"host":"h","verdict":"unknown","error":{"category":"timeout","message":"x"},"ad":{"name":"h","dn":"CN=h"}}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var rs []Result
		var warns []string
		var err error
		fuzzcheck.Alloc(t, "ReadResults", len(data), 256, 256<<10, func() { rs, warns, err = ReadResults(bytes.NewReader(data)) })
		if len(warns) > maxBadLinesListed+2 {
			t.Errorf("%d warnings: %q", len(warns), warns)
		}
		if err != nil {
			return
		}
		var out bytes.Buffer
		w := NewResultsWriter(&out)
		for _, r := range rs {
			if err := w.Result(r); err != nil {
				t.Fatal(err)
			}
		}
		written := out.Bytes()
		back, warns, err := ReadResults(bytes.NewReader(written))
		if len(rs) == 0 && len(warns) == 1 { // written empty: "empty" warning
			warns = nil
		}
		if err != nil || len(warns) != 0 || len(back) != len(rs) || (len(rs) > 0 && !reflect.DeepEqual(back, rs)) {
			t.Fatalf("re-read %d results, warnings %q, err %v; want the %d written", len(back), warns, err, len(rs))
		}
		if len(rs) == 0 {
			return
		}
		first := written[:bytes.IndexByte(written, '\n')]
		cut := append(bytes.Clone(written), first[:len(first)/2]...)
		back, warns, err = ReadResults(bytes.NewReader(cut))
		if err != nil || len(warns) != 1 || !reflect.DeepEqual(back, rs) {
			t.Errorf("with an incomplete last line: %d results, warnings %q, err %v; want the %d and one warning", len(back), warns, err, len(rs))
		}
	})
}
