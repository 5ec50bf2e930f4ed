package scan

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/redact"
)

// A host's error message and facts pass through Options.Redact before any handler sees them.
func TestRunRedactsHostStrings(t *testing.T) {
	const pw = "Hunter-2-Secret"
	for _, tc := range []struct {
		name string
		c    CollectorFunc
	}{
		{"error", func(ctx context.Context, t Target) (*facts.Facts, error) {
			return nil, errors.New("host " + t.Name + ": WinRM fault: shell " + pw + " not found")
		}},
		{"facts", func(ctx context.Context, t Target) (*facts.Facts, error) {
			return &facts.Facts{ComputerName: "PC" + pw, OS: facts.OS{Caption: "Windows " + pw},
				Values: []facts.Value{{ItemID: "x", State: facts.StateError, Data: "denied " + pw}}}, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []Result
			_, err := Run(context.Background(), []Target{{Name: "PC-01", Address: "127.0.0.1:1"}}, tc.c,
				Options{Redact: redact.New("admin", pw).String}, HandlerFunc(func(r Result) error { got = append(got, r); return nil }))
			if err != nil || len(got) != 1 {
				t.Fatalf("%v %d", err, len(got))
			}
			b, _ := json.Marshal(got[0])
			if strings.Contains(string(b), pw) || !strings.Contains(string(b), redact.Mark) {
				t.Errorf("result %s", b)
			}
		})
	}
}
