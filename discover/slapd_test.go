//go:build linux

package discover

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// The server enforces a 1,000-entry size limit on the (non-root) account: a search that does
// not page gets Size Limit Exceeded; Discover gets everything.
func TestSlapdSizeLimitUnpagedFailsPagedReturnsAll(t *testing.T) {
	lab := newSlapdLab(t)
	ou := lab.env["SLAPD_PAGING_OU"]
	conn, err := ldap.DialURL(lab.env["SLAPD_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Bind(lab.env["SLAPD_BIND_DN"], lab.password); err != nil {
		t.Fatal(err)
	}
	res, err := conn.Search(ldap.NewSearchRequest(ou, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(objectCategory=computer)", []string{"cn"}, nil))
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		t.Fatalf("unpaged search: err = %v, want Size Limit Exceeded (is the size limit configured?)", err)
	}
	t.Logf("unpaged: %d entries, then %v", len(res.Entries), err)

	enabled, disabled := lab.int(t, "SLAPD_PAGING_ENABLED"), lab.int(t, "SLAPD_PAGING_DISABLED")
	got, st, err := collect(t, lab.config(ou))
	if err != nil {
		t.Fatal(err)
	}
	pages := (enabled + disabled + 999) / 1000
	if len(got) != enabled || st.SkippedDisabled != disabled || st.Pages != pages {
		t.Fatalf("paged: %d computers, %+v; want %d, %d disabled skipped, %d pages", len(got), st, enabled, disabled, pages)
	}
	// The bitwise-AND filter works there as on AD: the server can leave disabled ones out too.
	cfg := lab.config(ou)
	cfg.ExtraFilter = "(!(userAccountControl:1.2.840.113556.1.4.803:=2))"
	if _, st, err := collect(t, cfg); err != nil || st.Returned != enabled || st.SkippedDisabled != 0 {
		t.Fatalf("with the disabled bit in the filter: %+v, %v", st, err)
	}
}

func TestSlapdWrongPassword(t *testing.T) {
	lab := newSlapdLab(t)
	cfg := lab.config(lab.env["SLAPD_PAGING_OU"])
	cfg.Password = "wrong"
	_, _, err := collect(t, cfg)
	if err == nil || !strings.HasSuffix(err.Error(), ": bind as "+cfg.User+": invalid credentials (LDAP 49)") || !InvalidCredentials(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestSlapdContextCancelStopsTheSearch(t *testing.T) {
	lab := newSlapdLab(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	_, err := Discover(ctx, lab.config(lab.env["SLAPD_BIG_OU"]), func(Computer) error {
		if n++; n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 20000 {
		t.Fatalf("after %d computers: err = %v", n, err)
	}
}

const memChildEnv = "TLSREADY_DISCOVER_MEM_CHILD"

// TestDiscoverPeakMemory20000 discovers the 20,000 computers of slapd's OU=Big in a child
// process and reports its peak memory: the maximum resident set size (not meaningful under
// -race, whose shadow memory multiplies it) and the peak of the Go runtime's own memory
// (heap, stacks, metadata) sampled every millisecond. Run it alone to see the numbers:
//
//	TLSREADY_SLAPD_ENV=/tmp/tlsready-slapd/env go test -run PeakMemory -v ./discover
func TestDiscoverPeakMemory20000(t *testing.T) {
	if os.Getenv(memChildEnv) == "1" {
		memChild(t)
		return
	}
	lab := newSlapdLab(t)
	want := lab.int(t, "SLAPD_BIG_COUNT")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDiscoverPeakMemory20000$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), memChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var count int
	var goPeak uint64
	for _, line := range strings.Split(string(out), "\n") {
		if i := strings.Index(line, "MEMRESULT "); i >= 0 {
			fmt.Sscanf(line[i:], "MEMRESULT count=%d gopeak=%d", &count, &goPeak)
		}
	}
	rss := int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) * 1024 // Linux: KiB
	const limit = 100 << 20
	t.Logf("discovered %d computers: peak RSS %.1f MB%s, peak Go runtime memory %.1f MB (limit 100 MB)",
		count, float64(rss)/(1<<20), map[bool]string{true: " (race detector on: not comparable)"}[raceEnabled], float64(goPeak)/(1<<20))
	if count != want {
		t.Fatalf("child discovered %d computers, want %d\n%s", count, want, out)
	}
	if goPeak == 0 || goPeak > limit || (!raceEnabled && rss > limit) {
		t.Fatalf("peak memory over 100 MB")
	}
}

func memChild(t *testing.T) {
	lab := newSlapdLab(t)
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			used := samples[0].Value.Uint64() - samples[1].Value.Uint64()
			mu.Lock()
			peak = max(peak, used)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	n := 0
	_, err := Discover(context.Background(), lab.config(lab.env["SLAPD_BIG_OU"]), func(c Computer) error {
		n++
		return nil
	})
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(n)
	fmt.Println("MEMRESULT count=" + strconv.Itoa(n) + " gopeak=" + strconv.FormatUint(peak, 10))
}
