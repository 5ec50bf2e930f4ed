package kittest

import (
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
)

// TestEveryValueResultCallsForTheCipherKeys: the cipher rule and its remedy take the host's
// facts as a host with both AES ciphers off, so the kit writes both keys.
func TestEveryValueResultCallsForTheCipherKeys(t *testing.T) {
	r := EveryValueResult()
	fix, ok := checks.CipherRemedy(r.Facts)
	if !ok {
		t.Fatal("no cipher remedy for the host")
	}
	got := strings.Join(fix.Enable, "|")
	for _, want := range []string{"AES 128/128", "AES 256/256"} {
		if !strings.Contains(got, want) {
			t.Errorf("remedy enables %q, want %s among them", got, want)
		}
	}
}
