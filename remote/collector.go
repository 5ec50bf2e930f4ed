package remote

import (
	"context"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/tlsready/tlsready/facts"
)

// collectorTemplate is the collector script; the item list replaces the placeholder line.
//
//go:embed collector.ps1
var collectorTemplate string

const itemsPlaceholder = "#TLSREADY-ITEMS#"

// Bootstrap is the PowerShell program of the collector's command line. It reads the collector
// (the program sent on stdin) through $input and runs it; the simulated hosts recognise it by
// $input. It stays small: cmd.exe limits a command line to 8191 characters, and
// -EncodedCommand takes UTF-16LE in base64, which makes it almost three times longer.
//
// It first checks PowerShell's language mode, with only what Constrained Language Mode allows
// (property access, string comparison and output, exit): under AppLocker or WDAC script
// enforcement a remote PowerShell runs constrained, and the collector's .NET calls would fail.
// Then it prints LanguageModeMarker and the mode on stdout and exits with ExitLanguageMode. A
// PowerShell without the property (none before 2.0) gives an empty mode and goes on.
const Bootstrap = `$m="$($ExecutionContext.SessionState.LanguageMode)";` +
	`if($m -and $m -ne 'FullLanguage'){'` + LanguageModeMarker + `'+$m;exit 4};` +
	`$ProgressPreference='SilentlyContinue';$s=@($input) -join [char]10;` +
	`if(-not $s){[Console]::Error.WriteLine('tlsready: no program on stdin');exit 2};` +
	`&([ScriptBlock]::Create($s))|Out-Null`

// ExitLanguageMode is the exit code of the Bootstrap when PowerShell does not run in
// FullLanguage mode; stdout then holds LanguageModeMarker and the mode.
const ExitLanguageMode = 4

// LanguageModeMarker starts the line the Bootstrap prints when PowerShell does not run in
// FullLanguage mode; the mode follows it ("ConstrainedLanguage").
const LanguageModeMarker = "tlsready: PowerShell language mode "

// MaxCommandLine is cmd.exe's limit on a command line, which a WinRM command runs through.
const MaxCommandLine = 8191

// CollectorCommand returns the command line that runs the collector: powershell.exe with the
// Bootstrap as -EncodedCommand. The collector itself (CollectorScript) goes on stdin.
func CollectorCommand() string {
	u := utf16.Encode([]rune(Bootstrap))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " +
		base64.StdEncoding.EncodeToString(b)
}

// CollectorScript returns the collector with the item list inserted (see facts.FormatItems),
// with Windows line ends. It is ASCII whatever the items hold.
func CollectorScript(items []facts.Item) (string, error) {
	block, err := facts.FormatItems(items)
	if err != nil {
		return "", err
	}
	if strings.Count(collectorTemplate, itemsPlaceholder) != 1 {
		return "", fmt.Errorf("collector script: want exactly one %s line", itemsPlaceholder)
	}
	s := strings.Replace(collectorTemplate, itemsPlaceholder, block, 1)
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	return s, nil
}

// Collect runs the collector on the host at ep for the given items and parses what it prints.
// Errors are *Error: those of Run, or of step "collect" with CategoryCollector when the
// collector failed (non-zero exit code, nothing printed, output that facts.ParseOutput
// rejects). It never panics on what a host sends.
func (c *Client) Collect(ctx context.Context, ep Endpoint, items []facts.Item) (*facts.Facts, error) {
	ep = c.normalize(ep)
	script, err := c.collectorScript(items)
	if err != nil {
		return nil, c.collectError(ep, err)
	}
	res, err := c.Run(ctx, ep, CollectorCommand(), script)
	if err != nil {
		return nil, err
	}
	f, err := collectorResult(res)
	if err != nil {
		return nil, c.collectError(ep, err)
	}
	return f, nil
}

// collectError is an error of a program run on the host (the collector, the registry writer):
// step "collect", CategoryCollector.
func (c *Client) collectError(ep Endpoint, err error) *Error {
	return &Error{Host: c.hostLabel(ep), Step: stepCollect, Category: CategoryCollector, Err: err}
}

func collectorResult(res RunResult) (*facts.Facts, error) {
	if ce := languageModeError(res); ce != nil {
		return nil, ce
	}
	if res.ExitCode != 0 {
		return nil, &CollectorError{ExitCode: res.ExitCode, Stderr: stderrSummary(res.Stderr)}
	}
	f, err := facts.ParseOutput(res.Stdout)
	if err != nil {
		ce := &CollectorError{Err: err}
		if len(strings.TrimSpace(string(res.Stdout))) == 0 {
			ce.Stderr = stderrSummary(res.Stderr)
		}
		return nil, ce
	}
	// What PowerShell writes on stderr beside a complete output (progress records, warnings)
	// does not make the facts less true.
	return f, nil
}

// languageModeLine is the Bootstrap's answer in a restricted language mode; the mode is a
// PSLanguageMode name.
var languageModeLine = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(LanguageModeMarker) + `([A-Za-z]{1,40})\r?$`)

// languageModeError returns the CollectorError of a run that the Bootstrap ended because
// PowerShell does not run in FullLanguage mode (exit code and line both), nil otherwise. The
// registry writer, which runs through the same Bootstrap, can use it too.
func languageModeError(res RunResult) *CollectorError {
	if res.ExitCode != ExitLanguageMode {
		return nil
	}
	m := languageModeLine.FindSubmatch(res.Stdout)
	if m == nil {
		return nil
	}
	return &CollectorError{ExitCode: res.ExitCode, LanguageMode: string(m[1])}
}

var (
	clixmlString = regexp.MustCompile(`(?s)<S S="Error">(.*?)</S>`)
	clixmlEscape = regexp.MustCompile(`_x([0-9A-Fa-f]{4})_`)
)

// stderrSummary renders the start of a command's stderr on one line. PowerShell writes errors
// as CLIXML ("#< CLIXML" and <Objs>) when run with -EncodedCommand: keep their text only.
func stderrSummary(b []byte) string {
	s := strings.ToValidUTF8(string(b), "?")
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "#< CLIXML") {
		var parts []string
		for _, m := range clixmlString.FindAllStringSubmatch(t, -1) {
			parts = append(parts, html.UnescapeString(m[1]))
		}
		s = strings.Join(parts, " ")
		s = clixmlEscape.ReplaceAllStringFunc(s, func(e string) string {
			var r rune
			_, _ = fmt.Sscanf(e[2:6], "%04x", &r)
			return string(r)
		})
	}
	return snippet([]byte(s), 300)
}

// scriptCache keeps the collector script of the last item list: a scan passes the same list for
// every host, and the script is the same 8 KB each time.
type scriptCache struct {
	mu     sync.Mutex
	first  *facts.Item
	n      int
	script []byte
}

// collectorScript is CollectorScript(items) as bytes, built once per item list.
func (c *Client) collectorScript(items []facts.Item) ([]byte, error) {
	c.scripts.mu.Lock()
	defer c.scripts.mu.Unlock()
	if len(items) > 0 && c.scripts.first == &items[0] && c.scripts.n == len(items) {
		return c.scripts.script, nil
	}
	s, err := CollectorScript(items)
	if err != nil {
		return nil, err
	}
	c.scripts.script, c.scripts.n = []byte(s), len(items)
	c.scripts.first = nil
	if len(items) > 0 {
		c.scripts.first = &items[0]
	}
	return c.scripts.script, nil
}
