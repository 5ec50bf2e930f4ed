package winrmsim

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tlsready/tlsready/internal/fuzzcheck"
)

// FuzzProfile: any profile file is decoded and validated within a memory bound; a profile that
// validates compiles into a host, and marshalled to JSON again it decodes, validates and
// equals itself.
func FuzzProfile(f *testing.F) {
	files, err := filepath.Glob("../../testdata/fleet/*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no fleet profiles: %v", err)
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"name":"PC-X","os":{"caption":"Microsoft Windows 10 Pro","version":"10.0.19045"}} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Profile
		var err error
		fuzzcheck.Alloc(t, "decodeProfile", len(b), 128, 256<<10, func() { p, err = decodeProfile("fuzz.json", b) })
		if err != nil {
			return
		}
		if h, err := compile(p); err != nil || h == nil {
			t.Fatalf("validated profile does not compile: %v", err)
		}
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		p2, err := decodeProfile("again.json", again)
		if err != nil {
			t.Fatalf("re-marshalled profile %s: %v", again, err)
		}
		// Registry data is kept as raw JSON (json.RawMessage), which Marshal compacts and
		// HTML-escapes ("&" becomes "\u0026"): the bytes may differ once, so the profiles are
		// compared in their marshalled form, which must be stable from then on.
		again2, err := json.Marshal(p2)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if !bytes.Equal(again2, again) {
			t.Errorf("re-decoded profile marshals as\n%s\nwant\n%s", again2, again)
		}
		p3, err := decodeProfile("again2.json", again2)
		if err != nil || !reflect.DeepEqual(p3, p2) {
			t.Errorf("marshalled form not stable: %+v, %v", p3, err)
		}
	})
}
