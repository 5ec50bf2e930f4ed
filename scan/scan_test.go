package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/discover"
	"github.com/tlsready/tlsready/facts"
)

// win10 is the facts of an untouched Windows 10 host: ready by the rules.
// Every item is reported as a Windows 10 host without any of the keys would report it.
func win10(name string) *facts.Facts {
	f := &facts.Facts{
		ComputerName: name,
		OS:           facts.OS{Caption: "Microsoft Windows 10 Pro", Version: "10.0.19045", ProductType: 1, Architecture: "64-bit"},
		ProcessBits:  64, ProcessorArch: "AMD64", PSVersion: "5.1",
	}
	for _, it := range checks.Items() {
		switch it.Kind {
		case facts.KindFile:
			f.Files = append(f.Files, facts.File{ItemID: it.ID, Path: it.Path, State: facts.StateOK, Version: "10.0.19041.3636", VersionString: "10.0.19041.3636 (WinBuild.160101.0800)"})
		case facts.KindRegistryFile:
			f.Files = append(f.Files, facts.File{ItemID: it.ID, Path: it.Key, State: facts.StateNoKey})
		default:
			if !strings.HasPrefix(it.Key, facts.AllUserHives) {
				f.Values = append(f.Values, facts.Value{ItemID: it.ID, Key: it.Key, Name: it.Name, State: facts.StateNoKey})
			}
		}
	}
	return f
}

func targets(n int) []Target {
	var ts []Target
	for i := 0; i < n; i++ {
		ts = append(ts, Target{Name: fmt.Sprintf("PC-%03d", i), Address: fmt.Sprintf("127.0.0.1:%d", 10000+i)})
	}
	return ts
}

func TestRun_everyTargetExactlyOnce_concurrencyBounded(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		defer inFlight.Add(-1)
		time.Sleep(time.Millisecond)
		switch {
		case strings.HasSuffix(tg.Name, "7"):
			return nil, errors.New("connection refused")
		}
		return win10(tg.Name), nil
	})
	seen := map[string]int{}
	h := HandlerFunc(func(r Result) error { seen[r.Host]++; return nil })
	sum, err := Run(context.Background(), targets(100), c, Options{Concurrency: 5, ScanID: "s1"}, h)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 100 {
		t.Fatalf("saw %d hosts, want 100", len(seen))
	}
	for h, n := range seen {
		if n != 1 {
			t.Errorf("host %s handed %d times", h, n)
		}
	}
	if m := maxInFlight.Load(); m > 5 || m < 2 {
		t.Errorf("max in flight %d, want 2..5", m)
	}
	if sum[checks.Unknown] != 10 || sum[checks.Ready] != 90 {
		t.Errorf("summary %v, want 10 unknown 90 ready", sum)
	}
}

func TestRun_errorBecomesUnknownWithCategory(t *testing.T) {
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) {
		<-ctx.Done() // a host that never answers: the per-host deadline ends it
		return nil, fmt.Errorf("host %s: receive: %w", tg.Name, ctx.Err())
	})
	var got Result
	_, err := Run(context.Background(), targets(1), c, Options{Timeout: 20 * time.Millisecond}, HandlerFunc(func(r Result) error { got = r; return nil }))
	if err != nil {
		t.Fatal(err)
	}
	if got.Verdict != checks.Unknown || got.Error == nil || got.Error.Category != CategoryTimeout {
		t.Fatalf("got %+v, want unknown/timeout", got)
	}
	if !strings.Contains(got.Error.Message, "PC-000") {
		t.Errorf("message %q does not name the host", got.Error.Message)
	}
}

func TestRun_panicInCollectorIsContained(t *testing.T) {
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) {
		if tg.Name == "PC-001" {
			panic("bad input")
		}
		return win10(tg.Name), nil
	})
	var rs []Result
	_, err := Run(context.Background(), targets(3), c, Options{}, HandlerFunc(func(r Result) error { rs = append(rs, r); return nil }))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 {
		t.Fatalf("got %d results, want 3", len(rs))
	}
	for _, r := range rs {
		if r.Host == "PC-001" && (r.Verdict != checks.Unknown || r.Error.Category != CategoryCollector) {
			t.Errorf("panicking host: %+v", r)
		}
		if r.Host != "PC-001" && r.Verdict != checks.Ready {
			t.Errorf("host %s: verdict %s, want ready", r.Host, r.Verdict)
		}
	}
}

func TestRun_handlerErrorStopsScan(t *testing.T) {
	var started atomic.Int32
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) {
		started.Add(1)
		return win10(tg.Name), nil
	})
	_, err := Run(context.Background(), targets(200), c, Options{Concurrency: 2},
		HandlerFunc(func(r Result) error { return errors.New("disk full") }))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the handler's error", err)
	}
	if n := started.Load(); n > 10 {
		t.Errorf("%d hosts started after the handler failed, want the scan to stop", n)
	}
}

func TestResultsFile_roundTripAndTruncatedLastLine(t *testing.T) {
	var buf bytes.Buffer
	w := NewResultsWriter(&buf)
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) { return win10(tg.Name), nil })
	if _, err := Run(context.Background(), targets(3), c, Options{ScanID: "abc"}, w); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	rs, warns, err := ReadResults(bytes.NewReader(full))
	if err != nil || len(warns) != 0 || len(rs) != 3 {
		t.Fatalf("read back %d results, warnings %v, err %v", len(rs), warns, err)
	}
	if rs[0].ScanID != "abc" || rs[0].OS == nil || rs[0].OS.Version != "10.0.19045" || rs[0].End.Before(rs[0].Start) {
		t.Errorf("result fields lost: %+v", rs[0])
	}
	cut := full[:len(full)-20] // power loss in the middle of the last line
	rs, warns, err = ReadResults(bytes.NewReader(cut))
	if err != nil || len(rs) != 2 || len(warns) != 1 {
		t.Fatalf("truncated: %d results, warnings %v, err %v; want 2 results and 1 warning", len(rs), warns, err)
	}
	bad := append([]byte("{not json}\n"), full...)
	if rs, warns, err := ReadResults(bytes.NewReader(bad)); err != nil || len(rs) != 3 || len(warns) != 2 || !strings.HasPrefix(warns[0], "line 1:") {
		t.Errorf("bad first line: %d results, warnings %q, err %v; want the 3 and a warning naming line 1", len(rs), warns, err)
	}
}

func TestRun_stopsAfterConsecutiveAuthFailures(t *testing.T) {
	var started atomic.Int32
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) {
		started.Add(1)
		if tg.Name == "PC-000" {
			return win10(tg.Name), nil
		}
		return nil, fmt.Errorf("host %s: create shell: authentication failed (HTTP 401)", tg.Name)
	})
	categorize := func(err error) string {
		if strings.Contains(err.Error(), "401") {
			return CategoryAuth
		}
		return CategoryWinRM
	}
	var rs []Result
	_, err := Run(context.Background(), targets(50), c, Options{Concurrency: 1, MaxAuthFailures: 3, Categorize: categorize},
		HandlerFunc(func(r Result) error { rs = append(rs, r); return nil }))
	if !errors.Is(err, ErrAuthFailures) {
		t.Fatalf("err = %v, want ErrAuthFailures", err)
	}
	// One host may already have finished while the third failure was handled: it is recorded.
	if len(rs) < 4 || len(rs) > 5 || rs[0].Verdict != checks.Ready {
		t.Errorf("got %d results, want 1 ready + 3 (at most 4) auth failures", len(rs))
	}
	if n := started.Load(); n > 5 {
		t.Errorf("%d hosts tried: the scan went on after 3 auth failures in a row", n)
	}
	// Without a limit, every host is tried once (never retried).
	started.Store(0)
	rs = nil
	if _, err := Run(context.Background(), targets(20), c, Options{Concurrency: 4, Categorize: categorize}, HandlerFunc(func(r Result) error { rs = append(rs, r); return nil })); err != nil {
		t.Fatal(err)
	}
	if started.Load() != 20 || len(rs) != 20 {
		t.Errorf("started %d, results %d; want 20 each", started.Load(), len(rs))
	}
}

func TestRun_unreachableHostKeepsADRecord(t *testing.T) {
	w7rtm := &discover.Computer{Name: "PC-OLD", DNSHostName: "pc-old.corp.example", OperatingSystem: "Windows 7 Professional",
		OSVersion: "6.1 (7600)", Unsupported: discover.Unsupported("Windows 7 Professional", "6.1 (7600)", "")}
	w10 := &discover.Computer{Name: "PC-NEW", DNSHostName: "pc-new.corp.example", OperatingSystem: "Windows 10 Pro", OSVersion: "10.0 (19045)"}
	ts := []Target{
		{Name: "pc-old.corp.example", Address: "127.0.0.1:1", AD: w7rtm},
		{Name: "pc-new.corp.example", Address: "127.0.0.1:2", AD: w10},
		{Name: "pc-ok.corp.example", Address: "127.0.0.1:3", AD: w10},
	}
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) {
		if tg.Name == "pc-ok.corp.example" {
			return win10("PC-OK"), nil
		}
		return nil, fmt.Errorf("host %s: connection refused", tg.Name)
	})
	got := map[string]Result{}
	if _, err := Run(context.Background(), ts, c, Options{Categorize: func(error) string { return CategoryUnreachable }},
		HandlerFunc(func(r Result) error { got[r.Host] = r; return nil })); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		host    string
		verdict checks.Verdict
		finding string
		err     bool
	}{
		{"pc-old.corp.example", checks.Unsupported, checks.IDOSUnsupportedRecorded, true},
		{"pc-new.corp.example", checks.Unknown, "", true},
		{"pc-ok.corp.example", checks.Ready, "", false},
	}
	for _, tc := range cases {
		r := got[tc.host]
		if r.Verdict != tc.verdict || (r.Error != nil) != tc.err {
			t.Errorf("%s: verdict %s error %v, want %s error=%v", tc.host, r.Verdict, r.Error, tc.verdict, tc.err)
		}
		if r.AD == nil || r.AD.OperatingSystem == "" {
			t.Errorf("%s: AD record lost: %+v", tc.host, r.AD)
		}
		if tc.finding != "" && (len(r.Findings) != 1 || r.Findings[0].ID != tc.finding) {
			t.Errorf("%s: findings %+v, want %s", tc.host, r.Findings, tc.finding)
		}
	}
	// The AD record survives the results file.
	var buf bytes.Buffer
	w := NewResultsWriter(&buf)
	if err := w.Result(got["pc-old.corp.example"]); err != nil {
		t.Fatal(err)
	}
	back, _, err := ReadResults(&buf)
	if err != nil || len(back) != 1 || back[0].AD == nil || back[0].AD.OSVersion != "6.1 (7600)" || back[0].AD.Unsupported == "" {
		t.Fatalf("read back %+v, %v", back, err)
	}
}

var errBusy = errors.New("quota exceeded")
var errReset = errors.New("connection reset")
var errDenied = errors.New("access denied")

func TestRun_retriesOnlyTransientErrors(t *testing.T) {
	tests := []struct {
		name         string
		failures     []error // the errors of the first attempts; then success
		retries      int
		timeout      time.Duration
		wantVerdict  checks.Verdict
		wantAttempts int
	}{
		{"quota twice then ok", []error{errBusy, errBusy}, 3, 10 * time.Second, checks.Ready, 3},
		{"reset once then ok", []error{errReset}, 3, 10 * time.Second, checks.Ready, 2},
		{"more failures than retries", []error{errReset, errReset, errReset}, 2, 10 * time.Second, checks.Unknown, 3},
		{"auth never retried", []error{errDenied}, 3, 10 * time.Second, checks.Unknown, 1},
		{"no retries configured", []error{errBusy}, 0, 10 * time.Second, checks.Unknown, 1},
		{"deadline leaves no time for a retry", []error{errBusy}, 3, 300 * time.Millisecond, checks.Unknown, 1}, // busy: 2-4 s pause
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) {
				n := int(calls.Add(1))
				if n <= len(tc.failures) {
					return nil, fmt.Errorf("host %s: %w", tg.Name, tc.failures[n-1])
				}
				return win10(tg.Name), nil
			})
			var got Result
			_, err := Run(context.Background(), targets(1), c, Options{
				Timeout: tc.timeout, Retries: tc.retries, Backoff: backoffFor(tc.timeout), MaxBackoff: 5 * backoffFor(tc.timeout),
				Transient: func(err error) bool { return errors.Is(err, errBusy) || errors.Is(err, errReset) },
				SlowDown:  func(err error) bool { return errors.Is(err, errBusy) },
			}, HandlerFunc(func(r Result) error { got = r; return nil }))
			if err != nil {
				t.Fatal(err)
			}
			if got.Verdict != tc.wantVerdict || got.Attempts != tc.wantAttempts || int(calls.Load()) != tc.wantAttempts {
				t.Errorf("verdict %s after %d attempts (%d calls), want %s after %d", got.Verdict, got.Attempts, calls.Load(), tc.wantVerdict, tc.wantAttempts)
			}
			if tc.wantAttempts > 1 && got.Error != nil && !strings.Contains(got.Error.Message, fmt.Sprintf("after %d attempts", tc.wantAttempts)) {
				t.Errorf("message %q does not say how many attempts", got.Error.Message)
			}
		})
	}
}

// backoffFor is a short pause for the retry tests, and a pause longer than the deadline when
// the deadline is short.
func backoffFor(timeout time.Duration) time.Duration {
	if timeout < time.Second {
		return time.Second
	}
	return time.Millisecond
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	opts := Options{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	for _, tc := range []struct {
		n        int
		busy     bool
		min, max time.Duration
	}{
		{1, false, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, false, 100 * time.Millisecond, 200 * time.Millisecond},
		{5, false, 500 * time.Millisecond, time.Second},  // capped
		{40, false, 500 * time.Millisecond, time.Second}, // no overflow
		{1, true, 200 * time.Millisecond, 400 * time.Millisecond},
	} {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := backoff(opts, tc.n, tc.busy)
			if d < tc.min || d > tc.max {
				t.Errorf("backoff(%d, busy=%t) = %s, want %s..%s", tc.n, tc.busy, d, tc.min, tc.max)
			}
			seen[d] = true
		}
		if len(seen) < 5 {
			t.Errorf("backoff(%d) has no jitter: %v", tc.n, seen)
		}
	}
}

// Drain (first Ctrl-C): nothing new starts, the running hosts finish and are recorded.
func TestRun_drainLetsRunningHostsFinish(t *testing.T) {
	drain, stopStarting := context.WithCancel(context.Background())
	release := make(chan struct{})
	var started atomic.Int32
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) {
		if started.Add(1) == 4 {
			stopStarting() // Ctrl-C while 4 hosts run
			close(release)
		}
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return win10(tg.Name), nil
	})
	var got []Result
	_, err := Run(context.Background(), targets(100), c, Options{Concurrency: 4, Drain: drain},
		HandlerFunc(func(r Result) error { got = append(got, r); return nil }))
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	if len(got) != 4 || int(started.Load()) != 4 {
		t.Errorf("%d recorded of %d started, want the 4 running hosts finished and recorded", len(got), started.Load())
	}
	for _, r := range got {
		if r.Verdict != checks.Ready {
			t.Errorf("%s: %s %+v", r.Host, r.Verdict, r.Error)
		}
	}
}

func TestRun_rateLimitsStarts(t *testing.T) {
	var mu = make(chan struct{}, 1)
	var starts []time.Time
	c := CollectorFunc(func(ctx context.Context, tg Target) (*facts.Facts, error) {
		mu <- struct{}{}
		starts = append(starts, time.Now())
		<-mu
		return win10(tg.Name), nil
	})
	if _, err := Run(context.Background(), targets(6), c, Options{Concurrency: 6, Rate: 50}); err != nil {
		t.Fatal(err)
	}
	if len(starts) != 6 {
		t.Fatalf("%d starts", len(starts))
	}
	first, last := starts[0], starts[0]
	for _, s := range starts {
		if s.Before(first) {
			first = s
		}
		if s.After(last) {
			last = s
		}
	}
	// 6 starts at 50/s need at least 5 intervals of 20 ms between the first and the last.
	if span := last.Sub(first); span < 95*time.Millisecond {
		t.Errorf("6 hosts started within %s at --rate 50, want at least 100 ms", span)
	}
}
