// Package scan runs the checks on many hosts at once: a bounded pool of workers, a deadline per
// host, one Result per target handed to Handlers as soon as that host is done.
//
// It owns orchestration and the result record. It does not speak WinRM (a Collector does, see
// remote) and does not format output (Handlers do, see report and the results file writer).
package scan

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/discover"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/redact"
)

// Target is one host to scan.
type Target struct {
	// Name is the host as the administrator knows it (computer name, FQDN or --target NAME).
	Name string `json:"name"`
	// Address is where to connect, "host:port"; empty means Name on the default WinRM port.
	Address string `json:"address,omitempty"`
	// Scheme is "https" or "http" when the target named it (a URL such as a "tlsready lab
	// --https" line): the host is reached with that scheme whatever the scan's default. Empty:
	// the scan's default (--https).
	Scheme string `json:"scheme,omitempty"`
	// AD is what Active Directory records of the computer, when the target was discovered there.
	AD *discover.Computer `json:"ad,omitempty"`
}

// Collector reads the facts of one host. remote.Client does it over WinRM.
type Collector interface {
	Collect(ctx context.Context, t Target) (*facts.Facts, error)
}

// CollectorFunc adapts a function to Collector.
type CollectorFunc func(ctx context.Context, t Target) (*facts.Facts, error)

// Collect calls f.
func (f CollectorFunc) Collect(ctx context.Context, t Target) (*facts.Facts, error) { return f(ctx, t) }

// Error categories of an unknown result. They are part of the results file format.
const (
	CategoryUnreachable = "unreachable" // no TCP connection (refused, no route, name not resolved)
	CategoryTimeout     = "timeout"     // connected, but no answer within the host's deadline
	CategoryAuth        = "auth"        // credentials rejected or access denied
	CategoryWinRM       = "winrm"       // a WS-Management fault or HTTP error
	CategoryCollector   = "collector"   // the collector ran but its output could not be used
)

// ErrorInfo says why a host is unknown.
type ErrorInfo struct {
	Category string `json:"category"`
	Message  string `json:"message"`
}

// OSName is the operating system read from the host, for a report: the caption without
// "Microsoft ", with its service pack ("Windows 7 Professional SP1"), or the version when there
// is no caption; "" when the host was not read.
func (r Result) OSName() string {
	if r.OS == nil {
		return ""
	}
	s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.OS.Caption), "Microsoft "))
	if r.OS.ServicePack > 0 {
		s += fmt.Sprintf(" SP%d", r.OS.ServicePack)
	}
	if s == "" {
		s = r.OS.Version
	}
	return s
}

// Result is the outcome for one host: one JSON line of the results file.
type Result struct {
	ScanID   string           `json:"scanId"`
	Host     string           `json:"host"`
	Address  string           `json:"address,omitempty"`
	Scheme   string           `json:"scheme,omitempty"` // Target.Scheme: a rescan reaches the host the same way
	Verdict  checks.Verdict   `json:"verdict"`
	OS       *facts.OS        `json:"os,omitempty"`
	Findings []checks.Finding `json:"findings"`
	Error    *ErrorInfo       `json:"error,omitempty"`
	Start    time.Time        `json:"start"`
	End      time.Time        `json:"end"`
	// Attempts is how many times the host was tried in this scan (more than 1 after transient
	// errors such as a WinRM quota fault).
	Attempts int `json:"attempts"`
	// Facts is everything the collector reported, for reports and later comparison.
	Facts *facts.Facts `json:"facts,omitempty"`
	// Method is how the facts were read: "shell" or "wmi" (facts.Facts.Method); empty when the
	// host was not read, and in results of older versions.
	Method string `json:"method,omitempty"`
	// AD is the target's Active Directory record when it was discovered there: the report shows
	// its OS when the host itself could not be read.
	AD *discover.Computer `json:"ad,omitempty"`
	// Probe is the target (https URL) of the scan's --probe when it was on (Options.Probe):
	// every result of such a run says so, read or not. Empty without --probe, and in results
	// of older versions.
	Probe string `json:"probe,omitempty"`

	rejected bool // the credentials were refused (Options.CredentialsRejected); not recorded
}

// Handler receives results. Scan calls it from one goroutine, in completion order.
type Handler interface {
	Result(r Result) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(r Result) error

// Result calls f.
func (f HandlerFunc) Result(r Result) error { return f(r) }

// Categorizer maps a collector error to one of the Category constants.
type Categorizer func(err error) string

// Options tune a scan.
type Options struct {
	// ScanID marks every result of this run.
	ScanID string
	// Probe is the --probe target, recorded in every result (Result.Probe); "" without --probe.
	Probe string
	// Concurrency is the number of hosts scanned at once (default 16).
	Concurrency int
	// Timeout is the overall deadline of one host, connection to last byte (default 60 s).
	Timeout time.Duration
	// Categorize names the category of a collector error (default: timeout for deadline errors,
	// else winrm).
	Categorize Categorizer
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// CredentialsRejected says whether a collector error means the credentials were refused
	// (default: its category is auth). Only such errors count towards MaxAuthFailures.
	CredentialsRejected func(err error) bool
	// MaxAuthFailures stops the scan after this many hosts in a row (in completion order) were
	// refused for their credentials: a wrong password tried on every host of a domain locks the
	// account out. 0 never stops.
	MaxAuthFailures int

	// Retries is how many more times a host is tried after a transient error (Transient says
	// which), within its Timeout. 0: never.
	Retries int
	// Transient says whether an error is worth another attempt (default: none is).
	Transient func(err error) bool
	// SlowDown says whether an error means the host is busy (a WinRM quota fault): its next
	// attempt waits four times longer.
	SlowDown func(err error) bool
	// Backoff is the pause before the first retry (default 500 ms); it doubles for each further
	// retry, up to MaxBackoff (default 10 s), and a random part (full jitter) keeps hosts that
	// failed together from retrying together.
	Backoff, MaxBackoff time.Duration
	// Rate limits how many hosts are started per second (0: no limit), so that a scan does not
	// open thousands of connections at once through a firewall or VPN.
	Rate float64
	// Drain, when done, stops starting new hosts but lets the running ones finish (ctx cancels
	// them): the first Ctrl-C. Run then returns ErrInterrupted. Nil: only ctx counts.
	Drain context.Context
	// Redact, when set, is applied to every string of a host's result (facts, findings, error
	// message) before any handler sees it: a hostile host can echo the password it received
	// (redact.Redactor.String removes it), and results go to files, reports and the terminal.
	Redact func(string) string
}

// ErrInterrupted is returned when Drain ended the scan before every target was started.
var ErrInterrupted = errors.New("scan interrupted")

// ErrAuthFailures is returned (wrapped) when MaxAuthFailures hosts in a row rejected the
// credentials and the scan was stopped.
var ErrAuthFailures = errors.New("credentials rejected by consecutive hosts: scan stopped to protect the account from lockout")

// Summary counts the verdicts of a scan.
type Summary map[checks.Verdict]int

// Run scans every target once, at most Concurrency at a time (and at most Rate started per
// second), and hands each result to every handler as soon as it is ready. A host whose error is
// Transient is tried again, up to Retries more times with exponential backoff and jitter, within
// its Timeout; Result.Attempts counts the tries.
//
// Stopping: when Drain is done, no new host starts, the running ones finish and are recorded,
// and ErrInterrupted is returned if targets were left. When ctx is cancelled, running hosts are
// cut short and not recorded (a later run scans them again), and ctx's error is returned. A
// handler error stops the scan the same way and is returned. After MaxAuthFailures auth errors in
// a row the scan stops the same way and returns ErrAuthFailures.
func Run(ctx context.Context, targets []Target, c Collector, opts Options, handlers ...Handler) (Summary, error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Categorize == nil {
		opts.Categorize = defaultCategory
	}
	if opts.CredentialsRejected == nil {
		opts.CredentialsRejected = func(err error) bool { return opts.Categorize(err) == CategoryAuth }
	}

	if opts.Backoff <= 0 {
		opts.Backoff = 500 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 10 * time.Second
	}
	drain := opts.Drain
	if drain == nil {
		drain = context.Background()
	}

	results := make(chan Result)
	summary := Summary{}
	var handlerErr, authErr error
	authInRow := 0
	done := make(chan struct{})
	// abort ends the scan for a reason of its own (a handler failed, credentials rejected):
	// running hosts are cancelled too. run is what running hosts see; start gates new ones.
	run, abort := context.WithCancel(ctx)
	defer abort()
	start, stopStarting := context.WithCancel(run)
	defer stopStarting()
	stopDrain := context.AfterFunc(drain, stopStarting)
	defer stopDrain()
	go func() {
		defer close(done)
		for r := range results {
			summary[r.Verdict]++
			if r.rejected {
				authInRow++
				if opts.MaxAuthFailures > 0 && authInRow >= opts.MaxAuthFailures && authErr == nil {
					authErr = fmt.Errorf("%w (%d in a row, the last %s: %s)", ErrAuthFailures, authInRow, r.Host, r.Error.Message)
					abort()
				}
			} else {
				authInRow = 0
			}
			if handlerErr != nil {
				continue
			}
			for _, h := range handlers {
				if err := h.Result(r); err != nil {
					handlerErr = fmt.Errorf("host %s: %w", r.Host, err)
					abort()
					break
				}
			}
		}
	}()

	g := new(errgroup.Group)
	g.SetLimit(opts.Concurrency)
	var next time.Time // rate limit: when the next host may start
	var started atomic.Int64
	stopped := func() bool { return start.Err() != nil || drain.Err() != nil }
	for _, t := range targets {
		if opts.Rate > 0 {
			now := time.Now()
			if wait := next.Sub(now); wait > 0 {
				if sleep(start, wait) != nil {
					break
				}
				now = next
			}
			next = now.Add(time.Duration(float64(time.Second) / opts.Rate))
		}
		if stopped() {
			break
		}
		g.Go(func() error {
			if stopped() {
				return nil
			}
			started.Add(1)
			r := scanOne(run, t, c, opts)
			if r.Error != nil && run.Err() != nil {
				// Cancelled (second Ctrl-C, handler error, auth failures) while this host ran: it
				// was not checked, so it is not recorded; a later run scans it again.
				return nil
			}
			results <- r
			return nil
		})
	}
	_ = g.Wait()
	close(results)
	<-done
	switch {
	case handlerErr != nil:
		return summary, handlerErr
	case authErr != nil:
		return summary, authErr
	case ctx.Err() != nil:
		return summary, ctx.Err()
	case drain.Err() != nil && started.Load() < int64(len(targets)):
		return summary, ErrInterrupted
	}
	return summary, nil
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff is the pause before retry number n (1, 2, ...): Backoff doubled n-1 times, capped at
// MaxBackoff, times 4 for a busy host, with full jitter (a uniform random part of it).
func backoff(opts Options, n int, busy bool) time.Duration {
	d := opts.Backoff << (n - 1)
	if d > opts.MaxBackoff || d <= 0 {
		d = opts.MaxBackoff
	}
	if busy {
		d *= 4
	}
	return d/2 + rand.N(d/2+1)
}

func scanOne(ctx context.Context, t Target, c Collector, opts Options) (r Result) {
	r = Result{ScanID: opts.ScanID, Host: t.Name, Address: t.Address, Scheme: t.Scheme, AD: t.AD, Start: opts.Now(), Probe: opts.Probe}
	defer func() {
		// A rule or collector that panics on strange input makes this host unknown, never the scan.
		if p := recover(); p != nil {
			r.Verdict, r.Findings = checks.Unknown, []checks.Finding{}
			r.Error = &ErrorInfo{Category: CategoryCollector, Message: fmt.Sprintf("host %s: internal error: %v", t.Name, p)}
		}
		r.End = opts.Now()
		if opts.Redact != nil {
			redact.Strings(&r, opts.Redact)
		}
	}()
	hctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	var f *facts.Facts
	var err error
	for {
		r.Attempts++
		f, err = c.Collect(hctx, t)
		if err == nil || opts.Transient == nil || r.Attempts > opts.Retries || !opts.Transient(err) {
			break
		}
		busy := opts.SlowDown != nil && opts.SlowDown(err)
		wait := backoff(opts, r.Attempts, busy)
		if dl, ok := hctx.Deadline(); ok && time.Until(dl) < wait {
			break // no time left for another attempt: report this error
		}
		if sleep(hctx, wait) != nil {
			break
		}
	}
	if err != nil {
		r.Verdict, r.Findings = checks.Unknown, []checks.Finding{}
		msg := err.Error()
		if r.Attempts > 1 {
			msg = fmt.Sprintf("%s (after %d attempts)", msg, r.Attempts)
		}
		r.Error = &ErrorInfo{Category: opts.Categorize(err), Message: cleanMessage(msg)}
		r.rejected = opts.CredentialsRejected(err)
		if t.AD != nil && t.AD.Unsupported != "" {
			// Not reached, but AD says the OS is certainly one that must be replaced: that is the
			// verdict whatever the host's registry holds. The error stays recorded.
			r.Verdict = checks.Unsupported
			r.Findings = []checks.Finding{checks.RecordedOSUnsupported("Active Directory",
				t.AD.OperatingSystem, t.AD.OSVersion, t.AD.OSServicePack, t.AD.Unsupported)}
		}
		return r
	}
	r.Verdict, r.Findings = checks.Check(f)
	if r.Findings == nil {
		r.Findings = []checks.Finding{}
	}
	r.OS = &f.OS
	r.Facts = f
	r.Method = f.Method
	return r
}

func defaultCategory(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return CategoryTimeout
	}
	return CategoryWinRM
}

// cleanMessage keeps an error message on one line.
func cleanMessage(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 2000
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}
