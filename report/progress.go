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
// verdict, hosts per second and the time left. On a terminal (Live) it redraws one line in place,
// fitted to the terminal's width, when hosts finish (at most ten times a second) and on a timer
// (so the time left keeps moving while the last slow hosts run); otherwise it writes a plain log
// line every Interval, which suits a log file or a CI job. Close writes the last figures and ends
// the line. Anything else printed during the scan goes through Write, which first takes the live
// line off the screen, so that no message is glued to it.
type Progress struct {
	w        io.Writer
	total    int
	live     bool
	interval time.Duration
	now      func() time.Time
	width    func() int

	stop chan struct{} // closed by Close: the timer goroutine ends
	done chan struct{} // closed when the timer goroutine has ended

	mu       sync.Mutex
	start    time.Time
	last     time.Time // of the last line written
	finished int
	counts   map[checks.Verdict]int
	retried  int
	drawn    bool // a live line is on the screen
	written  int  // finished as of the last line written
	closed   bool
}

// ProgressOptions tune a Progress.
type ProgressOptions struct {
	// Live redraws one line in place (a terminal); else plain lines every Interval.
	Live bool
	// Interval between plain lines (default 10 s).
	Interval time.Duration
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Width returns the terminal's width in columns, asked at every redraw so that a resized
	// window is followed; nil or a result below 20 means 80.
	Width func() int
	// Tick, when not nil, replaces the redraw timer (every 500 ms live, every Interval plain):
	// each value received redraws the line. Tests drive it by hand.
	Tick <-chan time.Time
}

// liveRedraw is how often a live line is redrawn when no host finishes.
const liveRedraw = 500 * time.Millisecond

// NewProgress reports on a scan of total hosts to w. Close must be called to stop its timer.
func NewProgress(w io.Writer, total int, o ProgressOptions) *Progress {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Width == nil {
		o.Width = func() int { return 80 }
	}
	p := &Progress{w: w, total: total, live: o.Live, interval: o.Interval, now: o.Now, width: o.Width,
		counts: map[checks.Verdict]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	p.start = p.now()
	p.last = p.start
	tick := o.Tick
	var ticker *time.Ticker
	if tick == nil {
		every := o.Interval
		if o.Live {
			every = liveRedraw
		}
		ticker = time.NewTicker(every)
		tick = ticker.C
	}
	go func() {
		defer close(p.done)
		if ticker != nil {
			defer ticker.Stop()
		}
		for {
			select {
			case <-p.stop:
				return
			case <-tick:
				p.mu.Lock()
				if !p.closed {
					p.write(p.now())
				}
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// Result implements scan.Handler.
func (p *Progress) Result(r scan.Result) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
	p.counts[r.Verdict]++
	if r.Attempts > 1 {
		p.retried++
	}
	if p.closed {
		return nil
	}
	now := p.now()
	gap := p.interval
	if p.live {
		gap = 100 * time.Millisecond
	}
	if now.Sub(p.last) >= gap || p.finished == p.total {
		p.write(now)
	}
	return nil
}

// Write prints b (a message of the scan: a warning, "stopping...") with the live line taken off
// the screen first; the line comes back at the next redraw. Without a live line it is w.Write.
func (p *Progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
	return p.w.Write(b)
}

// erase takes the live line off the screen: carriage return, erase to the end of the line.
func (p *Progress) erase() {
	if p.live && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// Close stops the timer, writes the final figures and ends a live line with a newline, so that
// whatever is printed next starts on a line of its own. Later results are counted but not shown.
func (p *Progress) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.stop)
	if p.finished != p.written || (!p.drawn && p.live) {
		p.write(p.now())
	}
	if p.live && p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
	p.mu.Unlock()
	<-p.done
}

// Line is the progress text: "412/5000 (8%) ready 300 action 90 unsupported 2 unknown 20 |
// 37.5 hosts/s | ETA 2m02s", in full.
func (p *Progress) Line() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.line(p.now(), 0)
}

// progress parts in the order a narrow terminal drops them: the retries first, then the rate,
// the verdict names (the counts stay, as "r300 a90 u2 ?20"), the counts, the percentage; the
// time left goes last. The done/total count is never dropped.
const (
	partRetried = 1 << iota
	partRate
	partVerdictWords
	partCounts
	partPercent
	partETA
)

// line is the progress text fitted to width columns (0: no limit): parts are dropped in
// the order above until it fits; if even done/total does not fit, it is cut.
func (p *Progress) line(now time.Time, width int) string {
	dropped := 0
	s := p.render(now, dropped)
	for _, part := range [...]int{partRetried, partRate, partVerdictWords, partCounts, partPercent, partETA} {
		if width <= 0 || len(s) <= width {
			return s
		}
		dropped |= part
		s = p.render(now, dropped)
	}
	if width > 0 && len(s) > width {
		s = s[:width]
	}
	return s
}

// render is the progress text without the parts in dropped. It is ASCII only, so that its
// length in bytes is its width in columns.
func (p *Progress) render(now time.Time, dropped int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d", p.finished, p.total)
	if dropped&partPercent == 0 {
		pct := 100
		if p.total > 0 {
			pct = p.finished * 100 / p.total
		}
		fmt.Fprintf(&b, " (%d%%)", pct)
	}
	if dropped&partCounts == 0 {
		for _, v := range checks.Verdicts() {
			if dropped&partVerdictWords == 0 {
				fmt.Fprintf(&b, " %s %d", v, p.counts[v])
			} else {
				fmt.Fprintf(&b, " %s%d", verdictLetter(v), p.counts[v])
			}
		}
	}
	if p.retried > 0 && dropped&partRetried == 0 {
		fmt.Fprintf(&b, " (%d retried)", p.retried)
	}
	elapsed := now.Sub(p.start)
	if elapsed > 0 && p.finished > 0 {
		rate := float64(p.finished) / elapsed.Seconds()
		if dropped&partRate == 0 {
			fmt.Fprintf(&b, " | %.1f hosts/s", rate)
		}
		if left := p.total - p.finished; left > 0 && dropped&partETA == 0 {
			eta := time.Duration(float64(left) / rate * float64(time.Second)).Round(time.Second)
			fmt.Fprintf(&b, " | ETA %s", eta)
		}
	}
	return b.String()
}

// verdictLetter is the one-character short form of a verdict in a narrow progress line.
func verdictLetter(v checks.Verdict) string {
	switch v {
	case checks.Ready:
		return "r"
	case checks.Action:
		return "a"
	case checks.Unsupported:
		return "u"
	case checks.Unknown:
		return "?"
	}
	return string(v)
}

func (p *Progress) write(now time.Time) {
	p.last = now
	p.written = p.finished
	if p.live {
		// One column less than the terminal: a line that fills the last column makes some
		// terminals wrap, and the next carriage return would then redraw on a new row.
		width := p.width()
		if width < 20 {
			width = 80
		}
		// Carriage return, the line, then erase what a longer previous line left.
		fmt.Fprintf(p.w, "\r%s\x1b[K", p.line(now, width-1))
		p.drawn = true
		return
	}
	fmt.Fprintf(p.w, "progress: %s\n", p.line(now, 0))
}
