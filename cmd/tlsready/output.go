package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/report"
	"github.com/tlsready/tlsready/scan"
)

// outputFlags choose how results are shown: the language, and an HTML report file.
type outputFlags struct {
	lang string
	html string
}

func (of *outputFlags) register(fs *flag.FlagSet, e env) {
	fs.StringVar(&of.lang, "lang", defaultLang(e), "language of tables and reports: en or ja (default from LC_ALL, LC_MESSAGES or LANG)")
	fs.StringVar(&of.html, "html", "", "also write a self-contained HTML report to this file")
}

// check validates the flags.
func (of *outputFlags) check() error {
	switch of.lang {
	case checks.English, checks.Japanese:
		return nil
	}
	return usagef("--lang %q: want en or ja", of.lang)
}

// defaultLang is ja when the locale says Japanese (ja_JP.UTF-8, ja), else en.
func defaultLang(e env) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := e.getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "ja") {
				return checks.Japanese
			}
			return checks.English
		}
	}
	return checks.English
}

// tableOptions fit the tables to stdout: its width on a terminal, colour only on a terminal and
// never with NO_COLOR (https://no-color.org).
func tableOptions(e env, lang string) report.TableOptions {
	o := report.TableOptions{Width: 80, Lang: lang}
	if f, ok := e.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 80 {
			o.Width = w
		}
		_, noColor := os.LookupEnv("NO_COLOR")
		o.Color = !noColor && e.getenv("NO_COLOR") == ""
	}
	return o
}

// printTables prints the host table, the counts per finding and the summary on stdout.
func printTables(e env, results []scan.Result, lang string) error {
	o := tableOptions(e, lang)
	if err := report.HostTable(e.stdout, results, o); err != nil {
		return err
	}
	if err := report.FindingTable(e.stdout, results, o); err != nil {
		return err
	}
	return report.SummaryTable(e.stdout, results, o)
}

// writeHTML writes the HTML report of results to --html, if given.
func writeHTML(e env, of outputFlags, results []scan.Result, scope string, sources []string) error {
	if of.html == "" {
		return nil
	}
	return fmt.Errorf("--html: not available yet")
}

// writeHTMLCompare writes the HTML page of a comparison to --html, if given.
func writeHTMLCompare(e env, of outputFlags, c report.Comparison, sources []string) error {
	if of.html == "" {
		return nil
	}
	return fmt.Errorf("--html: not available yet")
}
