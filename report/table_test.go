package report

import (
	"bytes"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/discover"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/scan"
)

func sampleResults() []scan.Result {
	return []scan.Result{
		{Host: "PC-READY", Verdict: checks.Ready, OS: &facts.OS{Caption: "Microsoft Windows 10 Pro", Version: "10.0.19045"}},
		{Host: "PC-\x1b[2JEVIL", Verdict: checks.Action, OS: &facts.OS{Caption: "Microsoft Windows 7 Enterprise\r\nfake line", ServicePack: 1},
			Findings: []checks.Finding{{ID: "WININET_NO_TLS12", Severity: checks.SeverityAction, Title: "WinINet SecureProtocols excludes TLS 1.2 (user S-1-5-21-3623811015-3361044348-30300820-1187)"}}},
		{Host: "ＰＣ－全角の長いコンピューター名", Verdict: checks.Unknown,
			Error: &scan.ErrorInfo{Category: "unreachable", Message: "host 10.0.0.9:5985: connect: dial tcp 10.0.0.9:5985: connect: connection refused"}},
		{Host: "PC-WARN", Verdict: checks.Ready, Findings: []checks.Finding{{ID: "DSP_SSL3", Severity: checks.SeverityWarning, Title: "SSL 3.0 still allowed"}}},
	}
}

func TestHostTable(t *testing.T) {
	tests := []struct {
		name  string
		width int
	}{{"80 columns", 80}, {"narrow terminal falls back to 80", 40}, {"wide terminal", 132}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := HostTable(&buf, sampleResults(), TableOptions{Width: tc.width}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			limit := max(tc.width, 80)
			for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
				if w := runewidth.StringWidth(l); w > limit {
					t.Errorf("line is %d columns, want at most %d: %q", w, limit, l)
				}
			}
			if strings.ContainsAny(out, "\x1b\r") {
				t.Errorf("control characters reached the terminal:\n%q", out)
			}
			for _, want := range []string{`\x1b[2JEVIL`, "SSL 3.0 still allowed", "winrm quickconfig"} {
				if !strings.Contains(strings.ReplaceAll(out, "│", ""), strings.Fields(want)[0]) || strings.Contains(out, "dial tcp") {
					t.Errorf("table lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "host 10.0.0.9:5985:") {
				t.Errorf("host prefix of the error message repeated in the table:\n%s", out)
			}
			if i, j := strings.Index(out, "action"), strings.Index(out, "ready"); i < 0 || j < 0 || i > j {
				t.Errorf("hosts needing action must come before ready ones:\n%s", out)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"KB3140245 not installed: WinHTTP cannot use TLS 1.2", 24, "KB3140245 not installed:\nWinHTTP cannot use TLS\n1.2"},
		{"S-1-5-21-3623811015-3361044348", 12, "S-1-5-21-362\n3811015-3361\n044348"},
		{"全角文字列", 4, "全角\n文字\n列"},
		{"", 10, ""},
	}
	for _, tc := range tests {
		if got := Wrap(tc.in, tc.width); got != tc.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestSummaryTableCounts(t *testing.T) {
	var buf bytes.Buffer
	if err := SummaryTable(&buf, sampleResults(), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, row := range [][]string{{"ready", "2"}, {"action", "1"}, {"unknown", "1"}, {"unsupported", "0"}, {"total", "4"}} {
		found := false
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(strings.ReplaceAll(l, "│", " "))
			if len(f) >= 2 && f[0] == row[0] && f[1] == row[1] {
				found = true
			}
		}
		if !found {
			t.Errorf("summary lacks %s = %s:\n%s", row[0], row[1], out)
		}
	}
}

func TestOSAndWhatToDoFromADRecord(t *testing.T) {
	ad := &discover.Computer{OperatingSystem: "Windows 7 Professional", OSVersion: "6.1 (7600)", Unsupported: "no SP1"}
	tests := []struct {
		name   string
		r      scan.Result
		os     string
		todoIn []string
	}{
		{"unreachable, AD says unsupported",
			scan.Result{Verdict: checks.Unsupported, AD: ad, Error: &scan.ErrorInfo{Category: "unreachable", Message: "host 10.0.0.1:5985: refused"},
				Findings: []checks.Finding{checks.RecordedOSUnsupported("Active Directory", ad.OperatingSystem, ad.OSVersion, "", ad.Unsupported)}},
			"Windows 7 Professional (AD)", []string{"replace the OS", "not checked: unreachable: refused"}},
		{"unreachable, AD OS fine",
			scan.Result{Verdict: checks.Unknown, AD: &discover.Computer{OperatingSystem: "Windows 10 Pro", OSServicePack: ""}, Error: &scan.ErrorInfo{Category: "timeout", Message: "no answer"}},
			"Windows 10 Pro (AD)", []string{"timeout: no answer"}},
		{"host OS wins over AD",
			scan.Result{Verdict: checks.Ready, AD: ad, OS: &facts.OS{Caption: "Microsoft Windows 10 Pro"}},
			"Windows 10 Pro", []string{"nothing"}},
		{"no OS at all", scan.Result{Verdict: checks.Unknown, Error: &scan.ErrorInfo{Category: "auth", Message: "denied"}}, "?", []string{"auth: denied"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := osLabelIn(tc.r, checks.English); got != tc.os {
				t.Errorf("osLabel = %q, want %q", got, tc.os)
			}
			todo := WhatToDoIn(tc.r, checks.English)
			for _, w := range tc.todoIn {
				if !strings.Contains(todo, w) {
					t.Errorf("WhatToDo = %q, want it to contain %q", todo, w)
				}
			}
		})
	}
}

func TestTextCataloguesMatch(t *testing.T) {
	for k := range textsEN {
		if _, ok := textsJA[k]; !ok {
			t.Errorf("Japanese text missing for %q", k)
		}
	}
	for k := range textsJA {
		if _, ok := textsEN[k]; !ok {
			t.Errorf("Japanese text %q has no English key", k)
		}
	}
	placeholders := regexp.MustCompile(`\{[a-z]+\}`)
	for k, en := range textsEN {
		a, b := placeholders.FindAllString(en, -1), placeholders.FindAllString(textsJA[k], -1)
		sort.Strings(a)
		sort.Strings(b)
		if strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("%q: placeholders %v in English, %v in Japanese", k, a, b)
		}
	}
}

// Colour marks the verdict cells only when asked (the CLI asks on a terminal without NO_COLOR),
// and never widens the table.
func TestHostTableColour(t *testing.T) {
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := HostTable(&buf, sampleResults(), TableOptions{Width: 80, Color: color}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if has := strings.Contains(out, "\x1b[33maction\x1b[0m"); has != color {
			t.Errorf("color=%t: coloured verdict present %t", color, has)
		}
		plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(out, "")
		for _, l := range strings.Split(strings.TrimRight(plain, "\n"), "\n") {
			if w := runewidth.StringWidth(l); w > 80 {
				t.Errorf("color=%t: line of %d columns", color, w)
			}
		}
	}
}

// The host table's WHAT TO DO cell of a host not checked gives the fix for its error's
// category, not the raw Go error, which the JSON and CSV keep.
func TestHostTableErrorAdvice(t *testing.T) {
	tests := []struct {
		name     string
		err      scan.ErrorInfo
		want     []string // in the table (spaces and borders taken out)
		notTable string   // raw text that must not be in the table
	}{
		{"unreachable", scan.ErrorInfo{Category: "unreachable", Message: "host 10.0.0.9:5985: connect: dial tcp 10.0.0.9:5985: connect: connection refused"},
			[]string{"winrmquickconfig", "GPO", "5985/5986"}, "dial tcp"},
		{"timeout", scan.ErrorInfo{Category: "timeout", Message: "host 127.0.0.1:36078: authenticate: read tcp 127.0.0.1:36078->127.0.0.1:5985: i/o timeout"},
			[]string{"--timeout", "checkthehost"}, "i/o timeout"},
		{"auth", scan.ErrorInfo{Category: "auth", Message: "host 127.0.0.1:5985: authenticate: HTTP 401 Unauthorized"},
			[]string{"localadministrator"}, "HTTP 401"},
		{"untrusted certificate", scan.ErrorInfo{Category: "auth", Message: "host 127.0.0.1:5986: tls: failed to verify certificate: x509: certificate signed by unknown authority"},
			[]string{"--ca-file"}, "x509"},
		{"winrm: the message in short", scan.ErrorInfo{Category: "winrm", Message: "host 127.0.0.1:5985: run collector: create shell: WS-Management fault: w:QuotaLimit: The WS-Management service cannot process the request because the maximum number of shells for this user has been exceeded"},
			[]string{"WinRMerror:", "QuotaLimit"}, "run collector"},
		{"collector", scan.ErrorInfo{Category: "collector", Message: "host h: parse collector output: unexpected end of JSON input"},
			[]string{"collectorfailed:", "unexpectedendofJSONinput"}, "host h"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := scan.Result{Host: "PC-01", Verdict: checks.Unknown, Error: &tc.err}
			var buf bytes.Buffer
			if err := HostTable(&buf, []scan.Result{r}, TableOptions{Width: 80}); err != nil {
				t.Fatal(err)
			}
			flat := strings.NewReplacer("│", "", " ", "", "\n", "").Replace(buf.String())
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("table lacks %q:\n%s", w, buf.String())
				}
			}
			if strings.Contains(flat, strings.ReplaceAll(tc.notTable, " ", "")) {
				t.Errorf("table shows the raw error %q:\n%s", tc.notTable, buf.String())
			}
			// The JSON and CSV cell keeps the raw error.
			if todo := WhatToDoIn(r, checks.English); !strings.Contains(todo, errorMessage(tc.err.Message)) {
				t.Errorf("WhatToDoIn = %q: want the raw error kept", todo)
			}
			ja := tableTodo(r, checks.Japanese)
			if ja == "" || ja == tableTodo(r, checks.English) {
				t.Errorf("Japanese advice %q", ja)
			}
		})
	}
}

func TestCommonFailure(t *testing.T) {
	unreach := func(n int) []scan.Result {
		var rs []scan.Result
		for range n {
			rs = append(rs, scan.Result{Verdict: checks.Unknown, Error: &scan.ErrorInfo{Category: "unreachable", Message: "refused"}})
		}
		return rs
	}
	ready := func(n int) []scan.Result { return make([]scan.Result, n) }
	tests := []struct {
		name    string
		results []scan.Result
		want    string // "" for none
	}{
		{"most unreachable", append(unreach(6), ready(4)...), "6 of 10 host(s) could not be checked for the same reason: unreachable: WinRM not listening"},
		{"half is not most", append(unreach(5), ready(5)...), ""},
		{"too few to say", unreach(2), ""},
		{"all fine", ready(10), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CommonFailure(tc.results, checks.English)
			if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
				t.Errorf("CommonFailure = %q, want %q...", got, tc.want)
			}
		})
	}
}

// Where the terminal leaves room, a column is widened to its longest word: a DNS name and a
// SID are shown whole, not broken in the middle; the table still fits the width.
func TestHostTableKeepsTokensWhole(t *testing.T) {
	const dns, sid = "pc-finance-0042.corp.example", "S-1-5-21-3623811015-3361044348-30300820-1187"
	rs := []scan.Result{
		{Host: dns, Verdict: checks.Action, OS: &facts.OS{Caption: "Microsoft Windows 10 Enterprise"},
			Findings: []checks.Finding{{ID: "WININET_NO_TLS12", Severity: checks.SeverityAction, Title: "WinINet SecureProtocols excludes TLS 1.2 (user " + sid + ")"}}},
		{Host: "PC-02", Verdict: checks.Ready, OS: &facts.OS{Caption: "Microsoft Windows 11 Pro"}},
	}
	tests := []struct {
		width int
		whole []string
	}{
		{110, []string{dns, sid}},
		{132, []string{dns, sid}},
		{80, []string{dns}},
	}
	for _, tc := range tests {
		for _, lang := range []string{checks.English, checks.Japanese} {
			if tc.width == 80 && lang == checks.Japanese {
				continue // the Japanese verdict names leave no room for the whole name at 80
			}
			var buf bytes.Buffer
			if err := HostTable(&buf, rs, TableOptions{Width: tc.width, Lang: lang}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
				if w := runewidth.StringWidth(l); w > tc.width {
					t.Errorf("width %d %s: line of %d columns: %q", tc.width, lang, w, l)
				}
			}
			for _, s := range tc.whole {
				if !strings.Contains(out, s) {
					t.Errorf("width %d %s: %q broken:\n%s", tc.width, lang, s, out)
				}
			}
		}
	}
}

// FAQ references are listed by number (Q3 Q9 Q10), in the finding table and its counts.
func TestFAQSortedNumerically(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"Q13", "Q9", "Q10", "Q11"}, []string{"Q9", "Q10", "Q11", "Q13"}},
		{[]string{"Q10", "Q3", "Q10"}, []string{"Q3", "Q10"}},
		{nil, nil},
	}
	for _, tc := range tests {
		if got := SortFAQ(tc.in); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("SortFAQ(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	rs := []scan.Result{{Verdict: checks.Action, Findings: []checks.Finding{{ID: checks.IDKBMissing, Severity: checks.SeverityAction, Title: "KB3140245 not installed"}}}}
	var buf bytes.Buffer
	if err := FindingTable(&buf, rs, TableOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(strings.ReplaceAll(buf.String(), "│", " ")), " ")
	if !regexp.MustCompile(`Q9 .*Q10 .*Q13`).MatchString(flat) {
		t.Errorf("finding table FAQ column not in order:\n%s", buf.String())
	}
}

// One Japanese name per verdict everywhere: the terminal tables, the HTML report's verdict
// labels (tiles, chart, filters) and its severity badges.
func TestOneJapaneseNamePerVerdict(t *testing.T) {
	for _, v := range checks.Verdicts() {
		name := VerdictName(v, checks.Japanese)
		if name == string(v) {
			t.Errorf("%s has no Japanese name", v)
		}
		if got := labelsJA["verdict."+string(v)]; got != name {
			t.Errorf("HTML verdict.%s = %q, table %q", v, got, name)
		}
		if got, ok := labelsJA["sev."+string(v)]; ok && got != name {
			t.Errorf("HTML sev.%s = %q, table %q", v, got, name)
		}
		var buf bytes.Buffer
		if err := SummaryTable(&buf, []scan.Result{{Verdict: v}}, TableOptions{Lang: checks.Japanese}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), name) || strings.Contains(buf.String(), " "+string(v)+" ") {
			t.Errorf("Japanese summary table shows %s as:\n%s", v, buf.String())
		}
	}
	for k, s := range labelsJA {
		if s == "サポート対象外" || s == "不明" {
			t.Errorf("labelsJA[%q] = %q: a second name for a verdict", k, s)
		}
	}
}

// TestAuthFailureKind: the auth errors' kinds from messages as this and earlier versions wrote
// them.
func TestAuthFailureKind(t *testing.T) {
	tests := []struct {
		category, msg, want string
	}{
		{"auth", "host h:5985: authenticate: HTTP 401 Unauthorized", AuthRejected},
		{"auth", "host h:5985: authenticate: authentication failed (HTTP 401): NTLM: user name or password rejected", AuthRejected},
		{"auth", "host h:5985: authenticate: Kerberos: KDC_ERR_PREAUTH_FAILED: password rejected", AuthRejected},
		{"auth", "host h:5985: authenticate: SEC_E_LOGON_DENIED: the logon was refused", AuthRejected},
		{"auth", "host h:5985: authenticate: access denied (HTTP 403)", AuthDenied},
		{"auth", "host h:5985: wmi invoke root/default:StdRegProv.EnumKey: access denied (w:AccessDenied, code 5): Access is denied.", AuthDenied},
		{"auth", "host h:5985: authenticate: authentication failed (HTTP 401): the host does not accept NTLM (it offers Basic)", AuthOther},
		{"auth", "host h:5985: authenticate: SEC_E_NO_CREDENTIALS: no credentials", AuthOther},
		{"auth", "host h:5986: tls: failed to verify certificate: x509: certificate signed by unknown authority", AuthCertificate},
		{"timeout", "host h:5985: i/o timeout", ""},
	}
	for _, tt := range tests {
		if got := AuthFailureKind(&scan.ErrorInfo{Category: tt.category, Message: tt.msg}); got != tt.want {
			t.Errorf("%s %q: %q, want %q", tt.category, tt.msg, got, tt.want)
		}
	}
	if AuthFailureKind(nil) != "" {
		t.Error("no error has a kind")
	}
}
