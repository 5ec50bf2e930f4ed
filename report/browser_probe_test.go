package report

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/sheet"
)

// TestHTMLInBrowser_contradictionsAndColumns: a fleet of 300 hosts with the probe's hosts among
// them, in English and Japanese, in Chromium. The contradiction banner is the first thing on the
// page, on screen when it opens, with the hostile host name as text; a link in it brings its
// host's row on screen with its evidence open, even when a filter hid that row, at desktop width
// and in the cards under 640 px. The other clients and probe columns show at 1,400 px; in the
// 420 px cards their cells stay on screen, named by their column.
func TestHTMLInBrowser_contradictionsAndColumns(t *testing.T) {
	fleet := append(bigFleet(300), probeResults()...)
	const (
		// The link of a host in the banner and the row it leads to.
		jsLink = `Array.from(document.querySelectorAll("#contradictions a")).find(function (a) { return a.textContent === %s; })`
		// Where the row of the host is: [top, bottom, hidden, its detail open, the window's height].
		jsRowAt = `(function () { var r = document.getElementById(%s.getAttribute("href").slice(1)); var b = r.getBoundingClientRect();
			var d = r.nextElementSibling; return [b.top, b.bottom, r.hidden ? 1 : 0, d && d.classList.contains("detail") && !d.hidden ? 1 : 0, window.innerHeight]; })()`
	)
	rowOf := func(host string) string {
		return jsRows + `.find(function (r) { return r.cells[0].textContent === ` + jsString(host) + `; })`
	}
	for _, lang := range []string{checks.English, checks.Japanese} {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t)
			b.open(t, render(t, fleet, withLang(testOptions, lang)))
			for _, width := range []int64{1400, 420} {
				b.do(t, chromedp.EmulateViewport(width, 900))
				b.do(t, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))

				// The banner: first in main, on screen above the tiles, naming the two hosts.
				bannerOnTop(t, b, width)
				names := eval[[]string](t, b, `Array.from(document.querySelectorAll("#contradictions a")).map(function (a) { return a.textContent; })`)
				if want := []string{sheet.StripControls(evilHost), "PC-CONTRA"}; strings.Join(names, "|") != strings.Join(want, "|") {
					t.Errorf("%d px: banner names %q, want %q", width, names, want)
				}
				if n := eval[int](t, b, `document.querySelectorAll("script").length`); n != 2 {
					t.Errorf("%d px: %d script elements: a host name became markup", width, n)
				}

				// Hide the ready hosts (both contradicting hosts are ready), then follow a link.
				host := []string{"PC-CONTRA", sheet.StripControls(evilHost)}[map[int64]int{1400: 0, 420: 1}[width]]
				link := fmt.Sprintf(jsLink, jsString(host))
				b.do(t, chromedp.Click(chromedp.CSS("#filter-ready")))
				if hidden := eval[bool](t, b, rowOf(host)+`.hidden`); !hidden {
					t.Fatalf("%d px: %s not hidden by the ready filter", width, host)
				}
				b.do(t, chromedp.Evaluate[chromedp.Void](link+`.click()`))
				at := eval[[]float64](t, b, fmt.Sprintf(jsRowAt, link))
				if at[2] != 0 || at[3] != 1 || at[0] < 0 || at[0] >= at[4] || at[1] <= 0 {
					t.Errorf("%d px: after the link %s's row is at %v (top, bottom, hidden, detail open, window), want on screen, shown, open", width, host, at)
				}
				if hash := eval[string](t, b, `location.hash`); hash != eval[string](t, b, link+`.getAttribute("href")`) {
					t.Errorf("%d px: location.hash %q after the link", width, hash)
				}
				if on := eval[bool](t, b, `document.getElementById("filter-ready").checked`); !on {
					t.Errorf("%d px: the ready filter still hides the row the link leads to", width)
				}
				// Close the detail again for the next width.
				b.do(t, chromedp.Evaluate[chromedp.Void](rowOf(host)+`.querySelector("button.x").click()`))
			}

			// The columns at 1,400 px: their headings and PC-OK's cells, on screen.
			b.do(t, chromedp.EmulateViewport(1400, 900))
			heads := eval[[]string](t, b, `Array.from(document.querySelectorAll("#hosts thead th")).map(function (th) { return th.textContent; })`)
			if len(heads) != 7 || heads[5] != labelsFor(lang)["col.other"] || heads[6] != labelsFor(lang)["col.probe"] {
				t.Errorf("1400 px: columns %q", heads)
			}
			other := map[string]string{checks.English: ".NET: weak TLS (3 values)", checks.Japanese: ".NET: TLS 設定不足 (値 3 個)"}[lang]
			probe := map[string]string{checks.English: "ok", checks.Japanese: "成功"}[lang] + " (TLS 1.2, " + testCipher + ")"
			cells := `(function () { var r = ` + rowOf("PC-OK") + `; r.scrollIntoView(); return [5, 6].map(function (i) { var c = r.cells[i]; var b = c.getBoundingClientRect();
				return [c.textContent, String(b.width > 0 && b.right <= window.innerWidth + 0.5 && b.top >= 0 && b.bottom <= window.innerHeight), getComputedStyle(c, "::before").content]; }); })()`
			got := eval[[][]string](t, b, cells)
			if got[0][0] != other || got[1][0] != probe || got[0][1] != "true" || got[1][1] != "true" {
				t.Errorf("1400 px: PC-OK's other clients and probe cells %q, want %q and %q on screen", got, other, probe)
			}
			// A host with neither: a dash at desktop width.
			dash := eval[string](t, b, `getComputedStyle(`+rowOf("PC-NOPROBE")+`.cells[5], "::after").content`)
			if dash != `"—"` {
				t.Errorf("1400 px: an empty other clients cell shows %s, want a dash", dash)
			}

			// The cards at 420 px: the cells on screen, named by their column.
			b.do(t, chromedp.EmulateViewport(420, 900))
			got = eval[[][]string](t, b, cells)
			wantBefore := map[string][2]string{checks.English: {`"Other clients: "`, `"Probe: "`}, checks.Japanese: {`"その他のクライアント: "`, `"プローブ: "`}}[lang]
			if got[0][0] != other || got[1][0] != probe || got[0][1] != "true" || got[1][1] != "true" || got[0][2] != wantBefore[0] || got[1][2] != wantBefore[1] {
				t.Errorf("420 px: PC-OK's card cells %q, want %q and %q on screen after %s and %s", got, other, probe, wantBefore[0], wantBefore[1])
			}
			// The labels are the page's own column names.
			for i, k := range []string{"col.other", "col.probe"} {
				if want := `"` + labelsFor(lang)[k] + `: "`; wantBefore[i] != want {
					t.Errorf("the card's label %s is not the column's name %s", wantBefore[i], want)
				}
			}
			if shown := eval[int](t, b, `(function () { var c = `+rowOf("PC-NOPROBE")+`.cells[5]; return c.getClientRects().length; })()`); shown != 0 {
				t.Errorf("420 px: a card shows an empty other clients cell")
			}
			if over := eval[float64](t, b, `document.scrollingElement.scrollWidth - window.innerWidth`); over > 0 {
				t.Errorf("420 px: the page scrolls sideways by %.0f px", over)
			}
			b.checkClean(t)
		})
	}
}

// TestHTMLInBrowser_compareBanner: the HTML comparison of two scans, in Chromium at 1,400 and
// 420 px, begins with the new scan's contradiction banner, on screen above the tiles, naming
// the hosts as text (one of them counted as fixed); the page's filters still work beside it.
func TestHTMLInBrowser_compareBanner(t *testing.T) {
	old, now := fixedButContradicting()
	var buf bytes.Buffer
	if err := WriteCompareHTML(&buf, Compare(old, now), testOptions); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	b.open(t, buf.Bytes())
	for _, width := range []int64{1400, 420} {
		b.do(t, chromedp.EmulateViewport(width, 900))
		b.do(t, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		bannerOnTop(t, b, width)
		names := eval[[]string](t, b, `Array.from(document.querySelectorAll("#contradictions b")).map(function (e) { return e.textContent; }).sort()`)
		want := []string{sheet.StripControls(evilHost), "PC-CONTRA"}
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("%d px: banner names %q, want %q", width, names, want)
		}
		if n := eval[int](t, b, `document.querySelectorAll("script").length`); n != 2 {
			t.Errorf("%d px: %d script elements: a host name became markup", width, n)
		}
	}
	// The fixed host is shown; the unchanged ones come with their filter.
	if got := eval[[]string](t, b, `Array.from(document.querySelectorAll("#changes > tbody > tr")).filter(function (r) { return !r.hidden; }).map(function (r) { return r.cells[0].textContent; })`); !slices.Equal(got, []string{"PC-CONTRA"}) {
		t.Errorf("rows shown %q, want the fixed PC-CONTRA", got)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#filter-unchanged")))
	if n := eval[int](t, b, jsShown); n != len(now) {
		t.Errorf("%d rows with the unchanged hosts, want %d", n, len(now))
	}
	b.checkClean(t)
}

// bannerOnTop checks, in a page width px wide and 900 high scrolled to its top, that the
// contradiction banner is main's first section, on screen and above the tiles, within the width.
func bannerOnTop(t *testing.T, b *browser, width int64) {
	t.Helper()
	geo := eval[[]float64](t, b, `(function () { var r = document.getElementById("contradictions").getBoundingClientRect();
		var t = document.getElementById("tiles").getBoundingClientRect(); return [r.top, r.bottom, t.top, r.height, r.right]; })()`)
	if geo[3] <= 0 || geo[0] < 0 || geo[1] > 900 || geo[1] > geo[2] || geo[4] > float64(width)+0.5 {
		t.Errorf("%d px: banner at %v (top, bottom, tiles' top, height, right), want on screen above the tiles", width, geo)
	}
	if first := eval[string](t, b, `document.querySelector("main > section").id`); first != "contradictions" {
		t.Errorf("%d px: first section %q, want the banner", width, first)
	}
}
