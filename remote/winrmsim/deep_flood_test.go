package winrmsim

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/remote"
)

// The hosts of FaultDeepXML and FaultFlood fail with the scanner's client: category winrm, at
// the receive step, with the cause named, and within a small memory bound.
func TestDeepXMLAndFloodWithTheClient(t *testing.T) {
	for _, tc := range []struct {
		fault    string
		want     string
		maxAlloc uint64 // bound on the bytes allocated by the Collect, client and host together
		receives int    // at most this many Receives
	}{
		// A 500 KB answer of unclosed elements (the client's MaxEnvelopeSize 512000, Windows'
		// default MaxEnvelopeSizekb) is 170,000 elements: 80 MB and more for encoding/xml.
		{FaultDeepXML, "element depth over 64", 16 << 20, 1},
		// Each answer carries 380 KB of output: the client stops at 1 MB.
		{FaultFlood, "command printed more than 1048576 bytes", 64 << 20, 3},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			h := startHost(t, withFault(t, win10, "PC-"+strings.ToUpper(tc.fault), tc.fault), Options{})
			c, err := remote.NewClient(remote.Config{User: testUser, Password: testPassword, Auth: remote.AuthNTLM,
				Timeout: 20 * time.Second, EnvelopeSize: 512000})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ep, err := remote.ParseEndpoint(h.Addr())
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err = c.Collect(context.Background(), ep, clientItems)
			runtime.ReadMemStats(&after)
			var re *remote.Error
			if !errors.As(err, &re) || re.Category != remote.CategoryWinRM || re.Step != "receive" || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want category winrm at receive naming %q", err, tc.want)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > tc.maxAlloc {
				t.Errorf("the Collect allocated %d MB, want at most %d MB", n>>20, tc.maxAlloc>>20)
			} else {
				t.Logf("%s: %v; allocated %.1f MB", tc.fault, err, float64(n)/(1<<20))
			}
			if s := h.Stats(); s.Receive < 1 || s.Receive > tc.receives {
				t.Errorf("%d Receives, want 1 to %d", s.Receive, tc.receives)
			}
		})
	}
}

// A request nested deeper than 64 elements gets the fault Windows gives a request it cannot
// take as a WS-Management envelope: HTTP 500, s:Sender, w:SchemaValidationError (WSManFault
// 2150858817). Not recorded against Windows: Windows reads requests with XmlLite, whose
// MaxElementDepth guard refuses deep documents; the fault for an envelope it cannot parse is
// this one. At 64 the same request creates the shell.
func TestSimulatorRefusesDeepRequest(t *testing.T) {
	h := startHost(t, mustProfile(t, win10), Options{})
	c := newClient(t, h)
	shell := `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`
	deep := func(depth int) string { // the envelope is 1 deep, its body 2
		n := depth - 2
		return shell + `<x:e xmlns:x="urn:x">` + strings.Repeat("<x:e>", n-1) + strings.Repeat("</x:e>", n)
	}
	for _, tc := range []struct {
		depth   int
		status  int
		subcode string
	}{
		{64, 200, ""},
		{65, 500, "w:SchemaValidationError"},
		{30000, 500, "w:SchemaValidationError"}, // 330 KB, within MaxEnvelopeSizekb
	} {
		resp := c.do(soapReq{action: actionCreate, body: deep(tc.depth)})
		if resp.status != tc.status || resp.root == nil || faultSubcode(resp.root) != tc.subcode {
			t.Errorf("depth %d: HTTP %d %s, want %d %q: %s", tc.depth, resp.status, faultSubcode(resp.root), tc.status, tc.subcode,
				truncate(string(resp.body), 300))
		}
	}
}
