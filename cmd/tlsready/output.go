package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/report"
	"github.com/tlsready/tlsready/scan"
)

// outputFlags choose how results are shown: the language, and an HTML report file.
type outputFlags struct {
	lang  string
	html  string
	quiet bool // no tables on stdout (registerQuiet)
	force bool // --force (registerForce, by the command): replace an existing --html
}

// registerQuiet adds --quiet (scan, rescan, report): no tables; files are still written and
// the exit code is the same.
func (of *outputFlags) registerQuiet(fs *flag.FlagSet) {
	fs.BoolVar(&of.quiet, "quiet", false, "print no tables; the results file, --html and --out are still written and the exit code is the same")
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
	return flagUsagef("--lang %q: want en or ja", of.lang)
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

// tableOptions fit the tables to stdout: its width on a terminal, colour only on a terminal that
// reads escape sequences (not TERM=dumb; on Windows a console with virtual-terminal processing)
// and never with NO_COLOR (https://no-color.org).
func tableOptions(e env, lang string) report.TableOptions {
	o := report.TableOptions{Width: 80, Lang: lang}
	f, ansi := ansiTerminal(e, e.stdout)
	if f == nil {
		if g, ok := e.stdout.(*os.File); ok && term.IsTerminal(int(g.Fd())) {
			f = g
		}
	}
	if f != nil {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 80 {
			o.Width = w
		}
	}
	o.Color = colorAllowed(e.getenv, ansi)
	return o
}

// printTables prints the contradiction banner (hosts whose configuration says ready but whose
// probe failed), the host table, the counts per finding and the summary on stdout.
func printTables(e env, results []scan.Result, lang string) error {
	o := tableOptions(e, lang)
	if err := report.ContradictionBanner(e.stdout, results, o); err != nil {
		return err
	}
	if err := report.HostTable(e.stdout, results, o); err != nil {
		return err
	}
	if err := report.FindingTable(e.stdout, results, o); err != nil {
		return err
	}
	return report.SummaryTable(e.stdout, results, o)
}

// readResultsFiles reads results files (scan.ReadResultsFiles), printing its warnings (corrupt
// lines skipped, an empty file) on stderr, escaped.
func readResultsFiles(e env, paths ...string) ([]scan.Result, error) {
	results, warns, err := scan.ReadResultsFiles(paths...)
	for _, w := range warns {
		fmt.Fprintln(e.stderr, "warning:", report.Clean(w)) // the file's content is untrusted
	}
	return results, err
}

// writeHTML writes the HTML report of results to --html, if given.
func writeHTML(e env, of outputFlags, results []scan.Result, scope string, sources []string) error {
	if of.html == "" {
		return nil
	}
	return writeHTMLFile(e, of, func(w io.Writer) error {
		return report.WriteHTML(w, results, htmlOptions(e, of, scope, sources))
	})
}

// writeHTMLCompare writes the HTML page of a comparison to --html, if given.
func writeHTMLCompare(e env, of outputFlags, c report.Comparison, sources []string) error {
	if of.html == "" {
		return nil
	}
	return writeHTMLFile(e, of, func(w io.Writer) error {
		return report.WriteCompareHTML(w, c, htmlOptions(e, of, "", sources))
	})
}

// writeHTMLFile writes the --html file and says where it is.
func writeHTMLFile(e env, of outputFlags, write func(io.Writer) error) error {
	if err := writeFileAtomic(e, "--html", of.html, of.force, write); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "HTML report written to %s\n", of.html)
	return nil
}

func htmlOptions(e env, of outputFlags, scope string, sources []string) report.HTMLOptions {
	by := e.getenv("USER")
	if by == "" {
		by = e.getenv("USERNAME")
	}
	return report.HTMLOptions{Lang: of.lang, Scope: scope, Generated: time.Now(), By: by, Version: version, Sources: sources}
}
