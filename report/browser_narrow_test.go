package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tlsready/tlsready/checks"
)

// TestHTMLInBrowser_narrowAndWide: the report read on a phone (420 px) and on a wide screen
// (1,400 px), in English and Japanese: the page never scrolls sideways, not even with a host's
// evidence expanded; the tiles stay on screen (wrapping at 420 px); the host rows become cards
// that keep every cell on screen and still filter; counts have thousands separators; and the
// header says when the hosts were scanned.
func TestHTMLInBrowser_narrowAndWide(t *testing.T) {
	const n = 2600 // enough for a tile above 1,000
	fleet := bigFleet(n)
	counts := map[checks.Verdict]int{}
	for _, r := range fleet {
		counts[r.Verdict]++
	}
	// The host with the longest evidence: registry keys, both views.
	expand := ""
	for i, h := range testFleet {
		if h.name == "PC-W7-016" {
			expand = fmt.Sprintf("PC-%05d", i+1)
		}
	}
	const (
		jsOverflow = `document.scrollingElement.scrollWidth - window.innerWidth`
		// Elements (tiles, visible cells, the open detail) whose right edge is past the window.
		jsOffscreen = `Array.from(document.querySelectorAll("#tiles .tile, #hosts > tbody > tr:not([hidden]) > td, #hosts thead th, .controls, svg.chart"))
			.slice(0, 400).filter(function (e) { var r = e.getBoundingClientRect(); return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5); })
			.map(function (e) { return e.tagName + "." + e.className + " " + e.textContent.slice(0, 30) + " right " + e.getBoundingClientRect().right; })`
		jsTileRows = `new Set(Array.from(document.querySelectorAll("#tiles .tile")).map(function (e) { return Math.round(e.getBoundingClientRect().top); })).size`
	)
	for _, lang := range []string{checks.English, checks.Japanese} {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t)
			b.open(t, render(t, fleet, withLang(testOptions, lang)))
			b.do(t, chromedp.Click(chromedp.CSS(rowButton(b, t, expand))))
			if d := detailText(t, b, expand); !strings.Contains(d, `SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`) {
				t.Fatalf("%s expanded without its registry evidence: %q", expand, d)
			}
			for _, width := range []int64{420, 1400} {
				b.do(t, chromedp.EmulateViewport(width, 900))
				if got := eval[int64](t, b, `window.innerWidth`); got != width {
					t.Fatalf("window %d px wide, want %d", got, width)
				}
				if over := eval[float64](t, b, jsOverflow); over > 0 {
					wide := eval[[]string](t, b, `Array.from(document.querySelectorAll("body *")).filter(function (e) { return e.getBoundingClientRect().right > window.innerWidth + 0.5 || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible" && e.clientWidth > 0); }).slice(0, 8).map(function (e) { return e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right) + " sw " + e.scrollWidth + " cw " + e.clientWidth + " " + e.textContent.slice(0, 40); })`)
					t.Errorf("%d px: the page scrolls sideways by %.0f px: %q", width, over, wide)
				}
				if off := eval[[]string](t, b, jsOffscreen); len(off) > 0 {
					t.Errorf("%d px: off screen: %q", width, off)
				}
				rows := eval[int](t, b, jsTileRows)
				if width == 420 && rows < 2 {
					t.Errorf("%d px: tiles in %d row, want them wrapped", width, rows)
				}
				if width == 1400 && rows != 1 {
					t.Errorf("%d px: tiles in %d rows, want one", width, rows)
				}
				// The host cell and the verdict share the card's first line; what to do is below.
				if width == 420 {
					geo := eval[[]float64](t, b, `(function () { var c = document.querySelector("#hosts > tbody > tr:not(.detail)").cells;
						return [c[0].getBoundingClientRect().top, c[2].getBoundingClientRect().top, c[3].getBoundingClientRect().top, c[0].getBoundingClientRect().bottom]; })()`)
					if geo[0] != geo[1] || geo[2] < geo[3] {
						t.Errorf("420 px card: host top %.0f, verdict top %.0f, what to do top %.0f (host bottom %.0f)", geo[0], geo[1], geo[2], geo[3])
					}
				}
			}
			// Filtering still hides rows in the card layout.
			b.do(t, chromedp.EmulateViewport(420, 900), chromedp.Click(chromedp.CSS("#filter-ready")))
			shown := eval[int](t, b, jsRows+`.filter(function (r) { return r.getClientRects().length > 0; }).length`)
			if want := n - counts[checks.Ready]; shown != want {
				t.Errorf("420 px, ready filtered out: %d rows on screen, want %d", shown, want)
			}
			b.do(t, chromedp.Click(chromedp.CSS("#filter-ready")))

			for sel, want := range map[string]string{
				"#tile-ready .n":  fmt.Sprintf("%d,%03d", counts[checks.Ready]/1000, counts[checks.Ready]%1000),
				"#tile-action .n": fmt.Sprint(counts[checks.Action]),
				"#host-total":     "2,600",
				"#scanned":        "2026-11-26 09:00 – 2026-11-26 09:43 UTC", // the first and last host's scan end
			} {
				if got := eval[string](t, b, `document.querySelector(`+jsString(sel)+`).textContent`); got != want {
					t.Errorf("%s = %q, want %q", sel, got, want)
				}
			}
			wantShown := map[string]string{checks.English: "2,600 of 2,600 hosts shown", checks.Japanese: "2,600 台中 2,600 台を表示"}[lang]
			if got := eval[string](t, b, jsShownTxt); got != wantShown {
				t.Errorf("shown count %q, want %q", got, wantShown)
			}
			b.checkClean(t)
		})
	}
}

// TestHTMLInBrowser_compareNarrow: the comparison page at 420 px, English and Japanese, with the
// unchanged hosts shown too, does not scroll sideways and keeps its cells on screen.
func TestHTMLInBrowser_compareNarrow(t *testing.T) {
	c := comparison(t)
	for _, lang := range []string{checks.English, checks.Japanese} {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t)
			b.open(t, renderCompare(t, c, withLang(testOptions, lang)))
			b.do(t, chromedp.EmulateViewport(420, 900), chromedp.Click(chromedp.CSS("#filter-unchanged")))
			if over := eval[float64](t, b, `document.scrollingElement.scrollWidth - window.innerWidth`); over > 0 {
				t.Errorf("the comparison scrolls sideways by %.0f px", over)
			}
			off := eval[[]string](t, b, `Array.from(document.querySelectorAll("#tiles .tile, #changes td, #verdict-counts, .controls"))
				.filter(function (e) { var r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 0.5; })
				.map(function (e) { return e.tagName + " " + e.textContent.slice(0, 30); })`)
			if len(off) > 0 {
				t.Errorf("off screen: %q", off)
			}
			b.checkClean(t)
		})
	}
}
