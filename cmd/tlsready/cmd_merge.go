package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tlsready/tlsready/scan"
)

const mergeSynopsis = `Usage: tlsready merge RESULTS.jsonl [MORE.jsonl ...] [--out MERGED.jsonl]

Joins results files - a scan and its rescans, or the shards of one scan - into one current
picture: the newest result of each host (the one that ended last). Prints the host table and the
summary, and writes the merged results with --out. The exit code is that of a scan of the merged
fleet (0 all ready, 1 some need action or are unsupported, 2 some unknown).
`

func runMerge(_ context.Context, e env, args []string) (int, error) {
	fs := newFlagSet(e, "merge", mergeSynopsis)
	var out string
	var quiet bool
	var of outputFlags
	of.register(fs, e)
	fs.StringVar(&out, "out", "", "write the merged results (JSON Lines) to this file")
	fs.BoolVar(&quiet, "quiet", false, "print no tables, only the counts")
	registerForce(fs, &of.force)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if len(files) == 0 {
		return exitUsage, usagef("give at least one results file")
	}
	if err := of.check(); err != nil {
		return exitUsage, err
	}
	var inputs []namedPath
	for _, f := range files {
		inputs = append(inputs, namedPath{"results file", f})
	}
	if err := checkOutputs(of.force, inputs, "", namedPath{"--out", out}, namedPath{"--html", of.html}); err != nil {
		return exitUsage, err
	}
	all, err := readResultsFiles(e, files...)
	if err != nil {
		return exitUsage, err
	}
	merged := scan.Latest(all)
	if out != "" {
		if err := writeResults(e, out, of.force, merged); err != nil {
			return exitUsage, err
		}
	}
	if !quiet {
		if err := printTables(e, merged, of.lang); err != nil {
			return exitUsage, err
		}
	}
	if err := writeHTML(e, of, merged, "", files); err != nil {
		return exitUsage, err
	}
	fmt.Fprintf(e.stderr, "%d result(s) from %d file(s): %d host(s)", len(all), len(files), len(merged))
	if out != "" {
		fmt.Fprintf(e.stderr, ", written to %s", out)
	}
	fmt.Fprintln(e.stderr)
	return verdictExitCode(merged), nil
}

// writeResults writes results to a new file, replacing it only once it is complete.
func writeResults(e env, path string, force bool, results []scan.Result) error {
	return writeFileAtomic(e, "--out", path, force, func(w io.Writer) error {
		rw := scan.NewResultsWriter(w)
		for _, r := range results {
			if err := rw.Result(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// parseInterleaved parses flags that may come before, between or after positional arguments
// ("merge a.jsonl b.jsonl --out m.jsonl") and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlagsOnly(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		if strings.HasPrefix(rest[0], "-") && rest[0] != "-" {
			return nil, usagef("unexpected %q", rest[0])
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
