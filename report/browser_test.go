package report

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/labenv"
	"github.com/tlsready/tlsready/remote"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

var screenshots = flag.Bool("screenshots", false, "write docs/report-en.png and docs/report-ja.png from the demo results")

// browser is a headless Chromium tab that records what the page asks of the network and every
// script error and CSP violation.
type browser struct {
	ctx context.Context
	mu  sync.Mutex
	// requests are the URLs the page asked for; errors the exceptions it threw.
	requests, errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		labenv.Require(t, "chromium is not installed (apt-get install chromium, as .ci/run does): the HTML report is tested in a real browser")
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1280, 900))
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil { // start the browser and open the tab
		t.Fatal(err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, e.Request.URL)
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, e.ExceptionDetails.Text)
		}
	}); err != nil {
		t.Fatal(err)
	}
	// No network at all: every request fails, and is recorded above.
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, struct{}{}); err != nil {
		t.Fatal(err)
	}
	// Record CSP violations from before the page's own script runs.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", function (e) { window.__csp.push(e.violatedDirective + " " + e.blockedURI); });`}); err != nil {
		t.Fatal(err)
	}
	return b
}

// open loads an HTML file from disk and waits for the page's script to have drawn the tiles.
func (b *browser) open(t *testing.T, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(chromedp.CSS("#tiles"))); err != nil {
		t.Fatalf("load %s: %v (script errors: %v)", path, err, b.errors)
	}
}

func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

func (b *browser) screenshot(t *testing.T, path string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkClean asserts the page asked for nothing but its own file, threw nothing, and broke no
// rule of its Content-Security-Policy.
func (b *browser) checkClean(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range b.requests {
		if !strings.HasPrefix(u, "file://") {
			t.Errorf("the page asked for %s", u)
		}
	}
	if len(b.errors) > 0 {
		t.Errorf("script errors: %v", b.errors)
	}
	if v := eval[[]string](t, b, `window.__csp`); len(v) > 0 {
		t.Errorf("CSP violations: %v", v)
	}
}

func demoResults(t testing.TB) []scan.Result {
	t.Helper()
	rs, warns, err := scan.ReadResultsFiles("../testdata/results/demo.jsonl")
	if err != nil || len(warns) > 0 {
		t.Fatalf("demo results: %v %v", err, warns)
	}
	return rs
}

func writeReport(t *testing.T, results []scan.Result, o HTMLOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, results, o); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHTMLInBrowser_demoFleet(t *testing.T) {
	b := newBrowser(t)
	path := writeReport(t, demoResults(t), HTMLOptions{Scope: "demo", By: "admin", Version: "test", Generated: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)})
	b.open(t, path)
	defer b.screenshot(t, filepath.Join(t.TempDir(), "demo.png"))

	// Counts per verdict: the demo fleet's documented 13 / 11 / 3 / 4.
	for v, n := range map[string]string{"ready": "13", "action": "11", "unsupported": "3", "unknown": "4"} {
		if got := eval[string](t, b, `document.querySelector("#tile-`+v+` .n").textContent`); got != n {
			t.Errorf("tile %s shows %s, want %s", v, got, n)
		}
	}
	if got := eval[int](t, b, `document.querySelectorAll("#hosts tr.host-row").length`); got != 31 {
		t.Errorf("%d host rows, want 31", got)
	}
	if got := eval[string](t, b, `document.querySelector("#top-actions").textContent`); !strings.Contains(got, "3 hosts: KB3140245 not installed") || !strings.Contains(got, "Q13") {
		t.Errorf("top actions %q lack KB3140245 with its FAQ question", got)
	}

	// Sorting by host: a real click on the header, ascending then descending.
	hosts := `Array.from(document.querySelectorAll("#hosts tr.host-row")).map(function (r) { return r.dataset.host; })`
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`th button[data-col="host"]`))); err != nil {
		t.Fatal(err)
	}
	asc := eval[[]string](t, b, hosts)
	if !sort.SliceIsSorted(asc, func(i, j int) bool { return strings.ToLower(asc[i]) < strings.ToLower(asc[j]) }) || len(asc) != 31 {
		t.Errorf("after one click on HOST, rows are not in ascending order: %v", asc)
	}
	if got := eval[string](t, b, `document.querySelector('th[aria-sort="ascending"] button').dataset.col`); got != "host" {
		t.Errorf("aria-sort ascending on %q", got)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`th button[data-col="host"]`))); err != nil {
		t.Fatal(err)
	}
	desc := eval[[]string](t, b, hosts)
	if !slices.Equal(desc, reversed(asc)) {
		t.Errorf("after a second click rows are not in descending order: %v", desc)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`th button[data-col="verdict"]`))); err != nil {
		t.Fatal(err)
	}
	verdicts := eval[[]string](t, b, `Array.from(document.querySelectorAll("#hosts tr.host-row")).map(function (r) { return r.dataset.verdict; })`)
	if verdicts[0] != "action" || verdicts[30] != "ready" {
		t.Errorf("sorted by verdict: %v", verdicts)
	}

	// Filtering: by verdict, then by text; the shown count follows.
	shown := func() int { return eval[int](t, b, `Number(document.getElementById("shown-count").dataset.shown)`) }
	visible := `Array.from(document.querySelectorAll("#hosts tr.host-row")).filter(function (r) { return !r.hidden; }).map(function (r) { return r.dataset.verdict + " " + r.dataset.host; })`
	for _, v := range []string{"ready", "action", "unsupported"} {
		if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS("#filter-"+v))); err != nil {
			t.Fatal(err)
		}
	}
	if n, vis := shown(), eval[[]string](t, b, visible); n != 4 || len(vis) != 4 || !strings.HasPrefix(vis[0], "unknown ") {
		t.Errorf("only unknown shown: count %d, rows %v", n, vis)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS("#filter-action")),
		chromedp.SendKeys(chromedp.CSS("#search"), "kb3140245")); err != nil {
		t.Fatal(err)
	}
	if n, vis := shown(), eval[[]string](t, b, visible); n != 3 || len(vis) != 3 {
		t.Errorf("action+unknown with text kb3140245: count %d, rows %v (want the 3 hosts missing KB3140245)", n, vis)
	}
	if got := eval[string](t, b, `document.getElementById("shown-count").textContent`); got != "3 of 31 hosts shown" {
		t.Errorf("shown count text %q", got)
	}

	// Expanding a row shows its evidence and its fix.
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`tr[data-host="PC-W7-010"] button.expand`))); err != nil {
		t.Fatal(err)
	}
	detail := eval[string](t, b, `document.querySelector('tr.detail[data-host="PC-W7-010"]').innerText`)
	for _, want := range []string{"KB3140245", "webio.dll", "6.1.7601.", "Q13"} {
		if !strings.Contains(detail, want) {
			t.Errorf("expanded PC-W7-010 lacks %q:\n%s", want, detail)
		}
	}
	if !eval[bool](t, b, `!document.querySelector('tr.detail[data-host="PC-W7-010"]').hidden`) {
		t.Error("detail row hidden after expanding")
	}
	b.checkClean(t)
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// Host names, OS captions, registry text and error messages that are script: none runs, all
// show as text.
func TestHTMLInBrowser_xssPayloadsStayText(t *testing.T) {
	b := newBrowser(t)
	payloads := []string{
		`<script>window.__xss=1</script>`,
		`"><img src=x onerror="window.__xss=1">`,
		`javascript:window.__xss=1`,
		`</script><script>window.__xss=1</script>`,
		`<!--<script>window.__xss=1</script>-->`,
		`<svg onload="window.__xss=1">`,
	}
	var rs []scan.Result
	for i, p := range payloads {
		f := checks.Finding{ID: checks.IDDSPNoTLS12, Severity: checks.SeverityAction, Title: "title " + p, Detail: "detail " + p, Remediation: "fix " + p,
			Evidence: []checks.Evidence{{Key: `HKLM\` + p, View: "64-bit", Name: p, Type: "REG_SZ", Value: p}}}
		rs = append(rs,
			scan.Result{Host: "ACT-" + string(rune('A'+i)) + p, Verdict: checks.Action, Findings: []checks.Finding{f}},
			scan.Result{Host: "ERR-" + string(rune('A'+i)) + p, Verdict: checks.Unknown, Error: &scan.ErrorInfo{Category: "winrm", Message: p}})
	}
	path := writeReport(t, rs, HTMLOptions{Scope: payloads[0], By: payloads[1], Version: payloads[2], Sources: []string{payloads[3]}})
	b.open(t, path)
	if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("button.expand").forEach(function (b) { b.click(); })`)); err != nil {
		t.Fatal(err)
	}
	b.screenshot(t, filepath.Join(t.TempDir(), "xss.png"))
	if eval[bool](t, b, `typeof window.__xss !== "undefined"`) {
		t.Fatal("a payload ran as script")
	}
	text := eval[string](t, b, `document.body.innerText`)
	for _, p := range payloads {
		if !strings.Contains(text, p) {
			t.Errorf("payload %q is not shown as text", p)
		}
	}
	if n := eval[int](t, b, `document.querySelectorAll("img, iframe, object, embed, a[href], main script, header script").length`); n != 0 {
		t.Errorf("%d elements made from payloads", n)
	}
	b.checkClean(t)
}

func TestHTMLInBrowser_japaneseAndCompare(t *testing.T) {
	b := newBrowser(t)
	demo := demoResults(t)
	b.open(t, writeReport(t, demo, HTMLOptions{Lang: checks.Japanese}))
	if got := eval[string](t, b, `document.documentElement.lang`); got != "ja" {
		t.Errorf("lang %q", got)
	}
	if got := eval[string](t, b, `document.querySelector("#tile-ready").textContent`); !strings.Contains(got, "対応済み") {
		t.Errorf("ready tile %q is not in Japanese", got)
	}
	b.checkClean(t)

	// Compare: one host fixed, one gone; unchanged hosts hidden until asked for.
	after := slices.Clone(demo)
	for i := range after {
		after[i].End = after[i].End.Add(time.Hour)
		if after[i].Host == "PC-W7-010" {
			after[i].Verdict, after[i].Findings, after[i].Facts = checks.Ready, nil, nil
		}
	}
	after = after[1:] // the first host is gone
	var buf bytes.Buffer
	if err := WriteCompareHTML(&buf, Compare(demo, after), HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "compare.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open(t, path)
	if got := eval[string](t, b, `document.querySelector("#tile-fixed .n").textContent + "/" + document.querySelector("#tile-gone .n").textContent`); got != "1/1" {
		t.Errorf("fixed/gone tiles %s, want 1/1", got)
	}
	if n := eval[int](t, b, `Number(document.getElementById("shown-count").dataset.shown)`); n != 2 {
		t.Errorf("%d rows shown, want the 2 changed hosts", n)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS("#show-unchanged"))); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, b, `Number(document.getElementById("shown-count").dataset.shown)`); n != 31 {
		t.Errorf("%d rows shown with unchanged, want 31", n)
	}
	b.checkClean(t)
}

// TestScreenshots writes the README's screenshots: go test ./report -run TestScreenshots -args -screenshots
func TestScreenshots(t *testing.T) {
	if !*screenshots {
		t.Skip("run with -args -screenshots to write docs/report-*.png")
	}
	for _, lang := range []string{checks.English, checks.Japanese} {
		b := newBrowser(t)
		b.open(t, writeReport(t, demoResults(t), HTMLOptions{Lang: lang, Scope: "OU=Workstations,DC=corp,DC=example", By: "CORP\\admin",
			Version: "1.0", Generated: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), Sources: []string{"week48.jsonl"}}))
		if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`#hosts tr.host-row button.expand`))); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot()) // the first screen, as PNG
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "docs", "report-"+lang+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The XSS fleet, scanned for real: simulated hosts whose names, OS captions and registry text
// are payloads are scanned over WinRM, and their report runs no script in the browser.
func TestHTMLInBrowser_xssFleetScanned(t *testing.T) {
	b := newBrowser(t)
	payloads := []string{`<script>window.__xss=1</script>`, `"><img src=x onerror="window.__xss=1">`, `javascript:window.__xss=1`, `<svg onload="window.__xss=1">`}
	// Names cannot hold spaces, slashes or backslashes (Windows computer names cannot either).
	names := []string{`javascript:window.__xss=1`, `<b>BOLD`, `"><img`, `<svg`}
	var profiles []winrmsim.Profile
	for i, p := range payloads {
		js := fmt.Sprintf(`{"name": %q, "os": {"caption": %q, "version": "10.0.19045", "servicePack": 0, "productType": "workstation", "arch": "64-bit"},
		 "files": {}, "registry": {"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp": {"DefaultSecureProtocols": {"type": "REG_SZ", "data": %q}},
		  "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings": {"SecureProtocols": {"type": "REG_SZ", "data": %q}}}}`,
			names[i], "Microsoft Windows 10 "+p, p, p)
		var prof winrmsim.Profile
		if err := json.Unmarshal([]byte(js), &prof); err != nil {
			t.Fatal(err)
		}
		profiles = append(profiles, prof)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const user, password = `LAB\tlsready`, "xss-lab-Passw0rd"
	fleet, err := winrmsim.StartFleet(ctx, profiles, winrmsim.Options{User: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	client, err := remote.NewClient(remote.Config{User: user, Password: password, Auth: remote.AuthNTLM, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var targets []scan.Target
	for _, h := range fleet.Hosts() {
		targets = append(targets, scan.Target{Name: h.Name(), Address: h.Addr()})
	}
	items := checks.Items()
	collector := scan.CollectorFunc(func(ctx context.Context, tg scan.Target) (*facts.Facts, error) {
		host, port, _ := strings.Cut(tg.Address, ":")
		p, _ := strconv.Atoi(port)
		return client.Collect(ctx, remote.Endpoint{Host: host, Port: p}, items)
	})
	var mu sync.Mutex
	var results []scan.Result
	if _, err := scan.Run(ctx, targets, collector, scan.Options{}, scan.HandlerFunc(func(r scan.Result) error {
		mu.Lock()
		defer mu.Unlock()
		results = append(results, r)
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		ids := map[string]bool{}
		for _, f := range r.Findings {
			ids[f.ID] = true
		}
		if r.Error != nil || !ids[checks.IDDSPNotDWORD] {
			t.Fatalf("%s: %s %+v %v, want the REG_SZ DefaultSecureProtocols (with the payload) reported", r.Host, r.Verdict, r.Error, ids)
		}
	}
	b.open(t, writeReport(t, results, HTMLOptions{}))
	if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("button.expand").forEach(function (b) { b.click(); })`)); err != nil {
		t.Fatal(err)
	}
	b.screenshot(t, filepath.Join(t.TempDir(), "xss-fleet.png"))
	if eval[bool](t, b, `typeof window.__xss !== "undefined"`) {
		t.Fatal("a payload from a scanned host ran as script")
	}
	text := eval[string](t, b, `document.body.innerText`)
	for _, s := range append(payloads, names...) {
		if !strings.Contains(text, s) {
			t.Errorf("%q is not shown as text", s)
		}
	}
	if n := eval[int](t, b, `document.querySelectorAll("img, [onerror], [onload], a[href], svg:not(.chart)").length +
		Array.from(document.querySelectorAll("b")).filter(function (e) { return e.textContent.indexOf("BOLD") === 0; }).length`); n != 0 {
		t.Errorf("%d elements made from payloads", n)
	}
	b.checkClean(t)
}
