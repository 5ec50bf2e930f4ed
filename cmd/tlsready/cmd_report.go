package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/tlsready/tlsready/report"
	"github.com/tlsready/tlsready/scan"
)

const reportSynopsis = `Usage: tlsready report RESULTS.jsonl [MORE.jsonl ...] [--format table|json|csv] [--out FILE]
                       [--html FILE] [--lang en|ja]
       tlsready report --compare OLD.jsonl NEW.jsonl [same flags]

Shows results files (the newest result per host across them) as terminal tables (hosts, counts
per finding, counts per verdict), as JSON for scripts, or as CSV for Excel (UTF-8 with BOM, one
row per host, stable columns); --html writes a self-contained HTML report to forward. With
--compare, shows what changed between two scans: fixed, regressed, newly unreachable, new and
gone hosts. Exit code 0, or 3 for a usage error.
`

func runReport(_ context.Context, e env, args []string) (int, error) {
	fs := newFlagSet(e, "report", reportSynopsis)
	var of outputFlags
	var format, out string
	var compare bool
	of.register(fs, e)
	of.registerQuiet(fs)
	fs.StringVar(&format, "format", "table", "table, json or csv")
	fs.StringVar(&out, "out", "", "write the table, JSON or CSV to this file instead of standard output")
	fs.BoolVar(&compare, "compare", false, "compare two results files: OLD NEW")
	registerForce(fs, &of.force)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if err := of.check(); err != nil {
		return exitUsage, err
	}
	switch format {
	case "table", "json", "csv":
	default:
		return exitUsage, usagef("--format %q: want table, json or csv", format)
	}
	switch {
	case compare && len(files) != 2:
		return exitUsage, usagef("--compare takes two results files: OLD NEW")
	case len(files) == 0:
		return exitUsage, usagef("give at least one results file")
	}
	var inputs []namedPath
	for _, f := range files {
		inputs = append(inputs, namedPath{"results file", f})
	}
	if err := checkOutputs(of.force, inputs, "", namedPath{"--out", out}, namedPath{"--html", of.html}); err != nil {
		return exitUsage, err
	}
	defer startMemoryBudgetOf(e.getenv, reportBudget, reportGCPercent, reportLimit)()
	var buf bytes.Buffer
	o := tableOptions(e, of.lang)
	if out != "" {
		o.Color = false
	}
	if compare {
		old, err := readForReport(e, of.lang, files[0])
		if err != nil {
			return exitUsage, err
		}
		cur, err := readForReport(e, of.lang, files[1])
		if err != nil {
			return exitUsage, err
		}
		c := report.Compare(old, cur)
		switch format {
		case "json":
			err = report.WriteCompareJSON(&buf, c, of.lang)
		case "csv":
			err = report.WriteCompareCSV(&buf, c, of.lang)
		default:
			if !of.quiet || out != "" {
				err = report.CompareTable(&buf, c, o)
			}
		}
		if err != nil {
			return exitUsage, err
		}
		if err := writeHTMLCompare(e, of, c, files); err != nil {
			return exitUsage, err
		}
		return exitReady, emit(e, out, of.force, buf.Bytes())
	}
	results, err := readForReport(e, of.lang, files...)
	if err != nil {
		return exitUsage, err
	}
	latest := scan.Latest(results)
	results = nil
	// Written as it is made (to --out through a temporary file): a report on 100,000 hosts is
	// tens of MB that need not also be held in memory.
	render := func(w io.Writer) error {
		switch format {
		case "json":
			return report.WriteJSON(w, latest, of.lang)
		case "csv":
			return report.WriteCSV(w, latest, of.lang)
		}
		dst := e // straight to stdout: fitted to the terminal, in colour there
		if out != "" {
			dst = env{stdout: w, stderr: e.stderr, getenv: e.getenv}
		}
		if of.quiet && out == "" {
			return nil // --quiet: no table on the terminal
		}
		return printTables(dst, latest, of.lang)
	}
	if out == "" {
		if err := render(e.stdout); err != nil {
			return exitUsage, err
		}
	} else {
		if err := writeFileAtomic(e, "--out", out, of.force, func(w io.Writer) error {
			bw := bufio.NewWriterSize(w, 64<<10)
			if err := render(bw); err != nil {
				return err
			}
			return bw.Flush()
		}); err != nil {
			return exitUsage, err
		}
		fmt.Fprintf(e.stderr, "written to %s\n", out)
	}
	if err := writeHTML(e, of, latest, "", files); err != nil {
		return exitUsage, err
	}
	return exitReady, nil
}

// readForReport reads results files as a report keeps them (report.ReportDecoder): without the
// facts, the findings' texts already in lang; warnings go to stderr.
func readForReport(e env, lang string, paths ...string) ([]scan.Result, error) {
	results, warns, err := scan.ReadResultsFilesWith(report.ReportDecoder(lang), paths...)
	for _, w := range warns {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
	return results, err
}

// emit writes b to the file out (replaced only once complete), or to stdout when out is empty.
func emit(e env, out string, force bool, b []byte) error {
	if out == "" {
		_, err := e.stdout.Write(b)
		return err
	}
	if err := writeFileAtomic(e, "--out", out, force, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "written to %s\n", out)
	return nil
}
