package report

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tlsready/tlsready/scan"
)

// withMethods is the demo fleet with the method each judged host was read by: PC-W7-010 over
// WMI, PC-W10-001 through the shell.
func withMethods() []scan.Result {
	rs := demoFleet()
	for i := range rs {
		switch rs[i].Host {
		case "PC-W7-010":
			rs[i].Method = "wmi"
		case "PC-W10-001":
			rs[i].Method = "shell"
		}
	}
	return rs
}

// TestWriteHTML_method: the data block carries how each host was read, and the page the labels
// that name it, in both languages.
func TestWriteHTML_method(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		doc := parsePage(t, render(t, withMethods(), withLang(testOptions, lang)))
		d := readData(t, doc)
		got := map[string]string{}
		for _, h := range d.Hosts {
			got[h.Name] = h.Method
		}
		if got["PC-W7-010"] != "wmi" || got["PC-W10-001"] != "shell" || got["PC-OFF-023"] != "" {
			t.Errorf("%s: methods %v", lang, got)
		}
		for _, k := range []string{"detail.method", "method.wmi", "method.shell"} {
			if d.Labels[k] == "" || d.Labels[k] == k {
				t.Errorf("%s: label %s missing: %q", lang, k, d.Labels[k])
			}
		}
	}
}

// TestHTMLInBrowser_method: an expanded host says how it was read.
func TestHTMLInBrowser_method(t *testing.T) {
	b := newBrowser(t)
	b.open(t, render(t, withMethods(), testOptions))
	for host, want := range map[string]string{
		"PC-W7-010":  "Read by: WMI over WinRM (no process started on the host)",
		"PC-W10-001": "Read by: the PowerShell collector in a remote shell",
	} {
		b.do(t, chromedp.Click(chromedp.CSS(rowButton(b, t, host))))
		if detail := detailText(t, b, host); !strings.Contains(detail, want) {
			t.Errorf("%s expanded lacks %q:\n%s", host, want, detail)
		}
	}
	b.do(t, chromedp.Click(chromedp.CSS(rowButton(b, t, "PC-OFF-023"))))
	if detail := detailText(t, b, "PC-OFF-023"); strings.Contains(detail, "Read by") {
		t.Errorf("an unread host says how it was read:\n%s", detail)
	}
}
