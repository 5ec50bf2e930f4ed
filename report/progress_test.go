package report

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/syncbuf"
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

// progressAt is a live Progress of total hosts on a terminal of width columns, finished hosts
// done (one in ten retried, verdicts mixed) over elapsed, driven by the returned tick channel.
func progressAt(out *syncbuf.Buffer, total, finished, width int, elapsed time.Duration) (*Progress, *lockedClock, chan time.Time) {
	c := &lockedClock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	tick := make(chan time.Time)
	p := NewProgress(out, total, ProgressOptions{Live: true, Now: c.now, Width: func() int { return width }, Tick: tick})
	c.advance(elapsed)
	vs := []checks.Verdict{checks.Ready, checks.Ready, checks.Action, checks.Unknown, checks.Unsupported}
	for i := range finished {
		r := scan.Result{Verdict: vs[i%len(vs)], Attempts: 1}
		if i%10 == 0 {
			r.Attempts = 2
		}
		_ = p.Result(r)
	}
	return p, c, tick
}

// lockedClock is a clock the test moves while the progress timer reads it.
type lockedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *lockedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *lockedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lastDrawn is the text of the last live redraw in s.
func lastDrawn(s string) string {
	i := strings.LastIndex(s, "\r")
	return strings.TrimSuffix(strings.TrimSuffix(s[i+1:], "\n"), "\x1b[K")
}

// A live line never takes the terminal's full width, whatever its figures: parts are dropped
// in a fixed order, the time left last.
func TestProgressLiveFitsWidth(t *testing.T) {
	tests := []struct {
		name            string
		total, finished int
		width           int
		want            []string // parts that must be shown
		gone            []string // parts that must have been dropped
	}{
		{"wide terminal: everything", 2000, 1234, 200, []string{"1234/2000 (61%)", "ready 494", "(124 retried)", "hosts/s", "ETA "}, nil},
		{"80 columns, 2000 hosts: ETA kept", 2000, 1234, 80, []string{"1234/2000 (61%)", "ETA "}, []string{"retried"}},
		{"60 columns: short counts", 38440, 12345, 60, []string{"12345/38440", "r", "ETA "}, []string{"hosts/s", "ready"}},
		{"30 columns: done/total and ETA", 38440, 12345, 30, []string{"12345/38440", "ETA "}, []string{"hosts/s", "ready", "r4938"}},
		{"unknown width: 80", 2000, 1234, 0, []string{"ETA "}, []string{"retried"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out syncbuf.Buffer
			p, _, tick := progressAt(&out, tc.total, tc.finished, tc.width, 100*time.Second)
			tick <- time.Time{}
			p.Close() // waits for the timer's redraw; Close itself only ends the line
			line := lastDrawn(out.String())
			w := tc.width
			if w == 0 {
				w = 80
			}
			if len(line) >= w {
				t.Errorf("line %q is %d columns at width %d: want fewer", line, len(line), w)
			}
			for _, s := range tc.want {
				if !strings.Contains(line, s) {
					t.Errorf("line %q lacks %q", line, s)
				}
			}
			for _, s := range tc.gone {
				if strings.Contains(line, s) {
					t.Errorf("line %q still has %q", line, s)
				}
			}
		})
	}
}

// The live line is redrawn on the timer even when no host finishes (the ETA moves while the
// last slow hosts run), and a message printed through Write takes the line off the screen
// first and is not glued to it.
func TestProgressLiveTimerAndMessages(t *testing.T) {
	var out syncbuf.Buffer
	p, c, tick := progressAt(&out, 10, 5, 80, 5*time.Second)
	// A message while the timer waits: the live line is erased first.
	mark := len(out.String())
	fmt.Fprintf(p, "stopping: no new hosts are started\n")
	if got := out.String()[mark:]; got != "\r\x1b[Kstopping: no new hosts are started\n" {
		t.Errorf("message written as %q: want the line erased first", got)
	}
	// No host finishes, yet the timer redraws the line, with the time moved on.
	before := strings.Count(out.String(), "\r")
	c.advance(10 * time.Second)
	tick <- time.Time{}
	tick <- time.Time{} // the first redraw is done once the timer takes the second
	if got := strings.Count(out.String(), "\r"); got < before+1 {
		t.Fatalf("no redraw on the timer: %q", out.String())
	}
	p.Close()
	s := out.String()
	if line := lastDrawn(s); !strings.Contains(line, "5/10") || !strings.Contains(line, "ETA") {
		t.Errorf("redrawn line %q", line)
	}
	if !strings.HasSuffix(s, "\n") || strings.Contains(s[strings.LastIndex(s[:len(s)-1], "\n")+1:], "stopping") {
		t.Errorf("output %q does not end with the redrawn line and a newline", s)
	}
	// After Close nothing more is drawn: the table that follows starts on a clean line.
	mark = len(out.String())
	_ = p.Result(scan.Result{Verdict: checks.Ready})
	if len(out.String()) != mark {
		t.Errorf("drawn after Close: %q", out.String()[mark:])
	}
}
