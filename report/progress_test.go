package report

import (
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// clock is a fake time source the test moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestProgressPlainLines(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	var out strings.Builder
	p := NewProgress(&out, 4, ProgressOptions{Interval: 10 * time.Second, Now: c.now})
	verdicts := []checks.Verdict{checks.Ready, checks.Action, checks.Unknown, checks.Ready}
	for i, v := range verdicts {
		c.advance(6 * time.Second)
		r := scan.Result{Host: "h", Verdict: v, Attempts: 1}
		if i == 2 {
			r.Attempts = 3
		}
		if err := p.Result(r); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	// 6 s: nothing; 12 s: a line; 18 s: nothing; 24 s: the last host, a line. Close adds none.
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), out.String())
	}
	if want := "progress: 2/4 (50%) ready 1 action 1 unsupported 0 unknown 0 | 0.2 hosts/s | ETA 12s"; lines[0] != want {
		t.Errorf("line 1 = %q\nwant     %q", lines[0], want)
	}
	if !strings.HasPrefix(lines[1], "progress: 4/4 (100%) ready 2 action 1 unsupported 0 unknown 1 (1 retried)") || strings.Contains(lines[1], "ETA") {
		t.Errorf("line 2 = %q", lines[1])
	}
	if strings.ContainsAny(out.String(), "\r\x1b") {
		t.Error("terminal control characters in plain output")
	}
}

func TestProgressLiveRedrawsOneLine(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	var out strings.Builder
	p := NewProgress(&out, 3, ProgressOptions{Live: true, Now: c.now})
	for range 2 {
		c.advance(time.Second)
		_ = p.Result(scan.Result{Verdict: checks.Ready})
	}
	p.Close() // interrupted at 2 of 3: the figures are on screen already; a newline ends them
	s := out.String()
	if strings.Count(s, "\r") != 2 || !strings.HasSuffix(s, "\x1b[K\n") || strings.Count(s, "\n") != 1 {
		t.Errorf("live output %q: want 2 redraws of one line and one final newline", s)
	}
	if !strings.Contains(s, "2/3 (66%) ready 2") {
		t.Errorf("live output %q lacks the counts", s)
	}
}
