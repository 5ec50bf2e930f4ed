package report

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// Progress is a scan.Handler that tells how far a scan has got: done/total, the count per
// verdict, hosts per second and the time left. On a terminal (Live) it redraws one line in place
// at most ten times a second; otherwise it writes a plain log line every Interval, which suits a
// log file or a CI job. Close writes the last figures.
type Progress struct {
	w        io.Writer
	total    int
	live     bool
	interval time.Duration
	now      func() time.Time

	mu       sync.Mutex
	start    time.Time
	last     time.Time // of the last line written
	done     int
	counts   map[checks.Verdict]int
	retried  int
	drawn    bool // a live line is on the screen
	written  int  // done as of the last line written
	finished bool
}

// ProgressOptions tune a Progress.
type ProgressOptions struct {
	// Live redraws one line in place (a terminal); else plain lines every Interval.
	Live bool
	// Interval between plain lines (default 10 s).
	Interval time.Duration
	// Now returns the current time (default time.Now).
	Now func() time.Time
}

// NewProgress reports on a scan of total hosts to w.
func NewProgress(w io.Writer, total int, o ProgressOptions) *Progress {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	p := &Progress{w: w, total: total, live: o.Live, interval: o.Interval, now: o.Now, counts: map[checks.Verdict]int{}}
	p.start = p.now()
	p.last = p.start
	return p
}

// Result implements scan.Handler.
func (p *Progress) Result(r scan.Result) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.counts[r.Verdict]++
	if r.Attempts > 1 {
		p.retried++
	}
	now := p.now()
	gap := p.interval
	if p.live {
		gap = 100 * time.Millisecond
	}
	if now.Sub(p.last) >= gap || p.done == p.total {
		p.write(now)
	}
	return nil
}

// Close writes the final figures and ends a live line.
func (p *Progress) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	if p.done != p.written || (!p.drawn && p.live) {
		p.write(p.now())
	}
	if p.live && p.drawn {
		fmt.Fprintln(p.w)
	}
}

// Line is the progress text: "412/5000 (8%) ready 300 action 90 unsupported 2 unknown 20 |
// 37.5 hosts/s | ETA 2m02s".
func (p *Progress) Line() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.line(p.now())
}

func (p *Progress) line(now time.Time) string {
	var b strings.Builder
	pct := 100
	if p.total > 0 {
		pct = p.done * 100 / p.total
	}
	fmt.Fprintf(&b, "%d/%d (%d%%)", p.done, p.total, pct)
	for _, v := range checks.Verdicts() {
		fmt.Fprintf(&b, " %s %d", v, p.counts[v])
	}
	if p.retried > 0 {
		fmt.Fprintf(&b, " (%d retried)", p.retried)
	}
	elapsed := now.Sub(p.start)
	if elapsed > 0 && p.done > 0 {
		rate := float64(p.done) / elapsed.Seconds()
		fmt.Fprintf(&b, " | %.1f hosts/s", rate)
		if left := p.total - p.done; left > 0 {
			eta := time.Duration(float64(left) / rate * float64(time.Second)).Round(time.Second)
			fmt.Fprintf(&b, " | ETA %s", eta)
		}
	}
	return b.String()
}

func (p *Progress) write(now time.Time) {
	p.last = now
	p.written = p.done
	if p.live {
		// Carriage return, the line, then erase what a longer previous line left.
		fmt.Fprintf(p.w, "\r%s\x1b[K", p.line(now))
		p.drawn = true
		return
	}
	fmt.Fprintf(p.w, "progress: %s\n", p.line(now))
}
