package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// fleetOf makes n hosts from the demo fleet's results, renamed: a realistic mix of verdicts,
// findings and evidence.
func fleetOf(t testing.TB, n int) []scan.Result {
	demo := demoResults(t)
	out := make([]scan.Result, n)
	for i := range out {
		r := demo[i%len(demo)]
		r.Host = fmt.Sprintf("PC-%05d", i+1)
		out[i] = r
	}
	return out
}

func render(t testing.TB, rs []scan.Result, o HTMLOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rs, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The page is self-contained: the CSP names the exact hashes of its inline style and script,
// allows nothing else, and no element points outside the file.
func TestHTMLSelfContained(t *testing.T) {
	for _, lang := range []string{checks.English, checks.Japanese} {
		page := render(t, demoResults(t), HTMLOptions{Lang: lang})
		doc, err := html.Parse(bytes.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		var csp, style, script string
		var external []string
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				attrs := map[string]string{}
				for _, a := range n.Attr {
					attrs[a.Key] = a.Val
					if (a.Key == "src" || a.Key == "href") && a.Val != "" {
						external = append(external, a.Val)
					}
				}
				switch {
				case n.Data == "meta" && attrs["http-equiv"] == "Content-Security-Policy":
					csp = attrs["content"]
				case n.Data == "style" && n.FirstChild != nil:
					style = n.FirstChild.Data
				case n.Data == "script" && attrs["type"] == "" && n.FirstChild != nil:
					script = n.FirstChild.Data
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		hash := func(s string) string {
			sum := sha256.Sum256([]byte(s))
			return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		}
		for _, want := range []string{"default-src 'none'", "style-src " + hash(style), "script-src " + hash(script), "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", lang, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") {
			t.Errorf("%s: CSP allows too much: %q", lang, csp)
		}
		if len(external) > 0 {
			t.Errorf("%s: elements with src/href: %v", lang, external)
		}
		if !bytes.Contains(page, []byte(`<html lang="`+lang+`">`)) {
			t.Errorf("%s: no lang attribute", lang)
		}
	}
}

// Host-controlled strings reach the page only inside the JSON data block, with < > & escaped:
// nothing can close the script element or open a comment.
func TestHTMLDataBlockEscapesPayloads(t *testing.T) {
	payload := `</script><script>alert(1)</script><!--`
	rs := []scan.Result{{Host: payload, Verdict: checks.Unknown, Error: &scan.ErrorInfo{Category: "winrm", Message: payload}}}
	page := string(render(t, rs, HTMLOptions{Scope: payload}))
	if strings.Count(page, "</script>") != 2 { // the data block's and the page script's
		t.Errorf("%d </script> in the page, want 2", strings.Count(page, "</script>"))
	}
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<!--") {
		t.Error("payload left unescaped")
	}
	if !strings.Contains(page, `\u003c/script\u003e\u003cscript\u003ealert(1)`) {
		t.Error("payload not found JSON-escaped in the data block")
	}
}

// 5,000 hosts stay under 2 MB (numbers in BenchmarkWriteHTML5000).
func TestHTML5000HostsUnder2MB(t *testing.T) {
	page := render(t, fleetOf(t, 5000), HTMLOptions{})
	if len(page) >= 2<<20 {
		t.Errorf("5,000 hosts: %d bytes, want under 2 MB", len(page))
	}
	if got := regexp.MustCompile(`"n":"PC-\d{5}"`).FindAll(page, -1); len(got) != 5000 {
		t.Errorf("%d hosts in the data block, want 5000", len(got))
	}
}

func BenchmarkWriteHTML5000(b *testing.B) {
	rs := fleetOf(b, 5000)
	for _, lang := range []string{checks.English, checks.Japanese} {
		b.Run(lang, func(b *testing.B) {
			var size int
			for b.Loop() {
				var buf bytes.Buffer
				if err := WriteHTML(&buf, rs, HTMLOptions{Lang: lang}); err != nil {
					b.Fatal(err)
				}
				size = buf.Len()
			}
			b.ReportMetric(float64(size)/1e6, "MB")
		})
	}
}
