package scan

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tlsready/tlsready/checks"
)

// ReadResultsFiles reads results files in order. Warnings (a corrupt line skipped, an
// incomplete last line, an empty file) name their file and line as FILE:LINE; an error (a file
// that is not a results file) names the file and line and keeps what was read before it.
func ReadResultsFiles(paths ...string) (results []Result, warnings []string, err error) {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return results, warnings, fmt.Errorf("results file: %w", err)
		}
		rs, ws, err := readResults(f, p)
		f.Close()
		results = append(results, rs...)
		warnings = append(warnings, ws...)
		if err != nil {
			return results, warnings, fmt.Errorf("results file: %w", err)
		}
	}
	return results, warnings, nil
}

// HostKey identifies a host across targets and results: Windows names are case-insensitive.
func HostKey(host string) string { return strings.ToLower(host) }

// Latest keeps the newest result of each host (case-insensitive name): the one that ended last,
// and of two that ended at the same time, the later in results. The order is that of each
// host's first appearance, so merging a rescan into a scan keeps the scan's order.
func Latest(results []Result) []Result {
	index := map[string]int{}
	var out []Result
	for _, r := range results {
		k := HostKey(r.Host)
		i, ok := index[k]
		if !ok {
			index[k] = len(out)
			out = append(out, r)
			continue
		}
		if !r.End.Before(out[i].End) {
			out[i] = r
		}
	}
	return out
}

// Selection says which results to scan again.
type Selection struct {
	// Verdicts selects results with one of these verdicts (empty: any verdict).
	Verdicts []checks.Verdict
	// Categories selects results whose error has one of these categories (empty: any, including
	// none). With both, a result must match both.
	Categories []string
}

// Select returns the results that match s.
func Select(results []Result, s Selection) []Result {
	var out []Result
	for _, r := range results {
		if len(s.Verdicts) > 0 && !slices.Contains(s.Verdicts, r.Verdict) {
			continue
		}
		if len(s.Categories) > 0 && (r.Error == nil || !slices.Contains(s.Categories, r.Error.Category)) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// TargetOf is the target a result was scanned as: its name, address, scheme and AD record.
func TargetOf(r Result) Target {
	return Target{Name: r.Host, Address: r.Address, Scheme: r.Scheme, AD: r.AD}
}

// Shard keeps the targets of shard i of n (1 <= i <= n): each target belongs to exactly one
// shard, chosen by a hash of its lower-case name, so n independent runs over the same target
// list (n machines, the n pods of an indexed job) scan every host exactly once between them.
func Shard(targets []Target, i, n int) ([]Target, error) {
	if n < 1 || i < 1 || i > n {
		return nil, fmt.Errorf("shard %d/%d: want i/n with 1 <= i <= n", i, n)
	}
	var out []Target
	for _, t := range targets {
		h := fnv.New32a()
		h.Write([]byte(HostKey(t.Name)))
		if int(h.Sum32()%uint32(n)) == i-1 {
			out = append(out, t)
		}
	}
	return out, nil
}

// OpenForResume opens a results file to go on with an interrupted scan: it returns the results
// already in it and the file, positioned at its end for appending. An incomplete last line (the
// scan was killed while writing it) is cut off, with a warning, so that the next result starts
// on a line of its own.
func OpenForResume(path string) (f *os.File, done []Result, warnings []string, err error) {
	f, err = os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("resume: %w", err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, nil, nil, fmt.Errorf("resume %s: %w", path, err)
	}
	keep := len(data)
	if keep > 0 && data[keep-1] != '\n' {
		keep = bytes.LastIndexByte(data, '\n') + 1 // 0 when there is no complete line
	}
	done, warnings, err = ReadResults(bytes.NewReader(data[:keep]))
	if err != nil {
		f.Close()
		return nil, nil, nil, fmt.Errorf("resume %s: %w", path, err)
	}
	if keep < len(data) {
		warnings = append(warnings, fmt.Sprintf("%s: incomplete last line (%d bytes) removed: that host is scanned again", path, len(data)-keep))
		if err := f.Truncate(int64(keep)); err != nil {
			f.Close()
			return nil, nil, nil, fmt.Errorf("resume %s: %w", path, err)
		}
	}
	if _, err := f.Seek(int64(keep), io.SeekStart); err != nil {
		f.Close()
		return nil, nil, nil, fmt.Errorf("resume %s: %w", path, err)
	}
	return f, done, warnings, nil
}

// Remaining returns the targets that have no result in done (case-insensitive names).
func Remaining(targets []Target, done []Result) []Target {
	seen := map[string]bool{}
	for _, r := range done {
		seen[HostKey(r.Host)] = true
	}
	var out []Target
	for _, t := range targets {
		if !seen[HostKey(t.Name)] {
			out = append(out, t)
		}
	}
	return out
}
