package remote

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
)

// The acceptance test of the issue: after scanning 200 hosts, some answering, some failing in
// each way a fleet fails, no goroutine and no connection is left behind, and no host saw more
// requests than one run needs.
func TestNoLeakAfter200Hosts(t *testing.T) {
	good := newFakeHost(t)
	good.Stdout = facts.Encode(sampleFacts())

	longPoll := newFakeHost(t) // answers w:TimedOut first, as a busy host does
	longPoll.Stdout = good.Stdout
	longPoll.Answer = func(r *fakeReq) fakeAnswer {
		if r.Action == "Receive" && r.ShellN == 1 {
			return timedOutFault(r.MessageID)
		}
		return fakeAnswer{}
	}

	faulty := newFakeHost(t) // a fault on every Receive
	faulty.Answer = func(r *fakeReq) fakeAnswer {
		if r.Action == "Receive" {
			return fakeAnswer{Status: 500, Body: faultXML(r.MessageID, "s:Sender", "w:InvalidParameter", 87, "The parameter is incorrect.")}
		}
		return fakeAnswer{}
	}

	silent := newFakeHost(t) // never answers a Receive
	silent.Answer = func(r *fakeReq) fakeAnswer {
		if r.Action == "Receive" {
			return silent.hang(r)
		}
		return fakeAnswer{}
	}

	denied := newFakeHost(t)
	denied.Answer = func(*fakeReq) fakeAnswer { return fakeAnswer{Status: 401} }

	refused, err := ParseEndpoint(refusingAddr(t))
	if err != nil {
		t.Fatal(err)
	}

	hosts := []struct {
		name    string
		ep      Endpoint
		host    *fakeHost
		want    Category // "" for success
		maxReqs int      // per run
	}{
		{"good", good.Endpoint(), good, "", 5},
		{"longPoll", longPoll.Endpoint(), longPoll, "", 6},
		{"faulty", faulty.Endpoint(), faulty, CategoryWinRM, 6},
		{"silent", silent.Endpoint(), silent, CategoryTimeout, 6},
		{"denied", denied.Endpoint(), denied, CategoryAuth, 1},
		{"refused", refused, nil, CategoryUnreachable, 0},
	}

	baseline := runtime.NumGoroutine()
	c := newTestClient(t, Config{Timeout: 10 * time.Second})
	c.cleanupTimeout = 300 * time.Millisecond
	const runs, concurrency = 200, 16
	got := make([]Category, runs)
	var wg sync.WaitGroup
	sem := make(chan struct{}, concurrency)
	start := time.Now()
	for i := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			h := hosts[i%len(hosts)]
			ctx := context.Background()
			if h.want == CategoryTimeout {
				// The scan's deadline for this host, shorter than the client's.
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
				defer cancel()
			}
			f, err := c.Collect(ctx, h.ep, checks.Items())
			checkSecret(t, err)
			got[i] = CategoryOf(err)
			if err == nil && f.ComputerName != "PC-W7-003" {
				t.Errorf("%s: facts %+v", h.name, f)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	c.Close()

	for i, cat := range got {
		if h := hosts[i%len(hosts)]; cat != h.want {
			t.Errorf("run %d on %s: category %q, want %q", i, h.name, cat, h.want)
		}
	}
	for _, h := range hosts {
		if h.host == nil {
			continue
		}
		perHost := (runs + len(hosts) - 1) / len(hosts)
		if n := h.host.Total(); n > perHost*h.maxReqs {
			t.Errorf("%s: %d requests for %d runs", h.name, n, perHost)
		}
		h.host.WaitIdle(t)
	}
	waitFor(t, 5*time.Second, func() bool { return runtime.NumGoroutine() <= baseline }, func() string {
		buf := make([]byte, 1<<16)
		return fmt.Sprintf("%d goroutines, %d before the scan:\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
	})
	t.Logf("%d runs in %s", runs, elapsed)
}
