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

// allocBound is what one run against a hostile host may allocate, in this whole process (the
// simulated host included): a healthy NTLM run of "hostname" takes a few hundred KB. Without
// the bounds, the endless answers below grow the client by 8 MB per second each.
const allocBound = 2 << 20

// allocated returns the bytes allocated by the process while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A hostile host cannot grow the scanner: every answer's status line, headers and
// authentication body are bounded on every path (NTLM's own connection, Basic through
// net/http), the host fails with a clear category, and the run allocates little. The
// simulated hosts stream their endless answers at up to 8 MB/s until the client goes away.
func TestHostileHosts_boundedAnswers(t *testing.T) {
	tests := []struct {
		name     string
		fault    string
		auth     string
		category remote.Category // "" : the run succeeds
		step     string
		inMsg    string
		rejected bool
		deletes  int
	}{
		{name: "EndlessHeaderNTLM", fault: FaultEndlessHeader, auth: remote.AuthNTLM, category: remote.CategoryWinRM,
			step: "authenticate", inMsg: "the host sent more than 64 KB of HTTP headers"},
		{name: "EndlessHeaderBasic", fault: FaultEndlessHeader, auth: remote.AuthBasic, category: remote.CategoryWinRM,
			step: "create shell", inMsg: "the host sent more than 64 KB of HTTP headers"},
		{name: "EndlessStatusNTLM", fault: FaultEndlessStatus, auth: remote.AuthNTLM, category: remote.CategoryWinRM,
			step: "authenticate", inMsg: "the host sent more than 64 KB of HTTP headers"},
		{name: "EndlessStatusBasic", fault: FaultEndlessStatus, auth: remote.AuthBasic, category: remote.CategoryWinRM,
			step: "create shell", inMsg: "the host sent more than 64 KB of HTTP headers"},
		{name: "Endless401", fault: FaultEndless401, auth: remote.AuthNTLM, category: remote.CategoryWinRM,
			step: "authenticate", inMsg: "answered an authentication request (HTTP 401) with a body of more than 64 KB"},
		{name: "NoNTLM", fault: FaultNoNTLM, auth: remote.AuthNTLM, category: remote.CategoryAuth,
			step: "authenticate", inMsg: "the host does not accept NTLM (it offers Basic)"},
		{name: "NoNTLMNegotiate", fault: FaultNoNTLM, auth: remote.AuthNegotiate, category: remote.CategoryAuth,
			step: "authenticate", inMsg: "the host does not accept NTLM (it offers Basic)"},
		{name: "WrongPassword", auth: remote.AuthNTLM, category: remote.CategoryAuth,
			step: "authenticate", inMsg: "NTLM: user name or password rejected", rejected: true},
		{name: "AuthFault", fault: FaultAuth, auth: remote.AuthNTLM, category: remote.CategoryAuth,
			step: "authenticate", inMsg: "NTLM: user name or password rejected", rejected: true},
		{name: "EndlessHeaderOnDelete", fault: FaultEndlessHeaderDelete, auth: remote.AuthNTLM, deletes: 1},
		{name: "Healthy", auth: remote.AuthNTLM, deletes: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{User: testUser, Password: testPassword, AllowUnencrypted: tt.auth == remote.AuthBasic}
			if tt.auth == remote.AuthBasic {
				opts.Auth = []string{SchemeNegotiate, SchemeBasic}
			}
			h := startHost(t, withFault(t, win10, "PC-HOSTILE", tt.fault), opts)
			password := testPassword
			if tt.name == "WrongPassword" {
				password = "not-" + testPassword
			}
			const timeout = 5 * time.Second
			// DeferCleanup: the shell's Delete runs in the background, after the result, as in
			// a scan; Close waits for it.
			c, err := remote.NewClient(remote.Config{User: testUser, Password: password, Auth: tt.auth, Timeout: timeout, DeferCleanup: true})
			if err != nil {
				t.Fatal(err)
			}
			ep, err := remote.ParseEndpoint(h.Addr())
			if err != nil {
				t.Fatal(err)
			}
			var res remote.RunResult
			var runErr error
			start := time.Now()
			n := allocated(func() {
				res, runErr = c.Run(context.Background(), ep, "hostname", nil)
				c.Close()
			})
			elapsed := time.Since(start)
			t.Logf("%s: %v after %s, %d KB allocated", tt.name, runErr, elapsed.Round(time.Millisecond), n>>10)
			if n > allocBound {
				t.Errorf("the run allocated %d KB, want at most %d KB", n>>10, allocBound>>10)
			}
			if elapsed > timeout+2*time.Second {
				t.Errorf("the run took %s, beyond its timeout %s", elapsed, timeout)
			}
			if got := remote.CategoryOf(runErr); got != tt.category {
				t.Fatalf("err = %v, category %q, want %q", runErr, got, tt.category)
			}
			if tt.category == "" {
				if strings.TrimSpace(string(res.Stdout)) != h.Name() {
					t.Errorf("stdout %q, want %s", res.Stdout, h.Name())
				}
				// Every answer read whole keeps the connection: one logon, one connection.
				if st := h.Stats(); st.Logons != 1 || st.Connections != 1 {
					t.Errorf("%d logons on %d connections, want 1 and 1", st.Logons, st.Connections)
				}
			} else {
				var re *remote.Error
				if !errors.As(runErr, &re) || re.Step != tt.step || re.Host != h.Addr() {
					t.Errorf("err = %#v, want a *remote.Error of host %s at step %q", runErr, h.Addr(), tt.step)
				}
				if !strings.Contains(runErr.Error(), tt.inMsg) {
					t.Errorf("err = %v\nwant it to say %q", runErr, tt.inMsg)
				}
				if got := remote.CredentialsRejected(runErr); got != tt.rejected || errors.Is(runErr, remote.ErrCredentialsRejected) != tt.rejected {
					t.Errorf("CredentialsRejected = %t, want %t: only a refused password counts towards --max-auth-failures", got, tt.rejected)
				}
			}
			st := h.Stats()
			if st.Delete != tt.deletes || h.OpenShells() != 0 {
				t.Errorf("%d Delete requests, %d shells open; want %d and none", st.Delete, h.OpenShells(), tt.deletes)
			}
			if endless := strings.HasPrefix(tt.fault, "endless-"); endless != (st.Endless > 0) {
				t.Errorf("%d endless answers started, want some: %t", st.Endless, endless)
			}
		})
	}
}
