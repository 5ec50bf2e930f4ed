//go:build unix

// Command report measures "tlsready report" on a large results file: it builds tlsready, runs
// "tlsready demo" (the built-in simulated fleet scanned over real WinRM) for a seed of real
// results, writes a results file of N hosts by repeating the seed under new host names and
// scan times, then runs the real binary over it - the tables, --html, and --html --lang ja - and
// prints each run's wall time and the child's peak resident set (its VmHWM polled every 10 ms
// on Linux, rusage Maxrss elsewhere).
//
//	go run ./bench/report                 # N=100000
//	go run ./bench/report -n 38440 -keep  # keep the results file and the reports
//	go run ./bench/report -old            # results files as scans before findings kept their arguments
//	go run ./bench/report -probe          # each host with a probe finding, every 10th ready host a contradiction
//
// It exits 1 when a run passes -max-rss or -max-wall (300 MB and 20 s by default, the bounds
// the README states for --html).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/safejson"
	"github.com/tlsready/tlsready/scan"
)

func main() {
	n := flag.Int("n", 100000, "hosts in the generated results file")
	keep := flag.Bool("keep", false, "keep the work directory (binary, results file, reports) and say where it is")
	old := flag.Bool("old", false, "write findings without their arguments, as scans before them did (reports re-derive them from the facts)")
	maxRSS := flag.Int("max-rss", 300, "fail when a run's peak RSS passes this many MB")
	maxWall := flag.Duration("max-wall", 20*time.Second, "fail when a run takes longer than this")
	from := flag.String("from", "", "use this results file instead of generating one (-n is then its number of hosts)")
	probe := flag.Bool("probe", false, "give each host checked a probe finding (scan --probe): ok, or for every 10th ready host refused (a contradiction)")
	flag.Parse()
	ok, err := run(*n, *keep, *old, *probe, int64(*maxRSS), *maxWall, *from)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/report:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

func run(n int, keep, old, probe bool, maxRSS int64, maxWall time.Duration, from string) (bool, error) {
	dir, err := os.MkdirTemp("", "tlsready-report-bench-")
	if err != nil {
		return false, err
	}
	if keep {
		fmt.Fprintln(os.Stderr, "bench/report: the binary, results file and reports stay in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "tlsready")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/tlsready").CombinedOutput(); err != nil {
		return false, fmt.Errorf("go build: %v\n%s", err, out)
	}
	results := from
	if from == "" {
		seed := filepath.Join(dir, "seed.jsonl")
		demo := exec.Command(bin, "demo", "--out", seed, "--no-progress")
		if out, err := demo.CombinedOutput(); err != nil && demo.ProcessState.ExitCode() > 3 {
			return false, fmt.Errorf("tlsready demo: %v\n%s", err, out)
		}
		results = filepath.Join(dir, "results.jsonl")
		size, err := generate(seed, results, n, old, probe)
		if err != nil {
			return false, err
		}
		fmt.Printf("results file: %d hosts, %.0f MB (seed: %s)\n", n, float64(size)/1e6, seed)
	}

	runs := []struct {
		name string
		args []string
	}{
		{"report (tables)", []string{"report", results, "--out", filepath.Join(dir, "table.txt")}},
		// The HTML runs write the tables too (to a file), as "report --html" does to the terminal.
		{"report --html", []string{"report", results, "--out", filepath.Join(dir, "table-en.txt"), "--html", filepath.Join(dir, "en.html")}},
		{"report --html --lang ja", []string{"report", results, "--out", filepath.Join(dir, "table-ja.txt"), "--html", filepath.Join(dir, "ja.html"), "--lang", "ja"}},
		{"report --format csv", []string{"report", results, "--format", "csv", "--out", filepath.Join(dir, "r.csv")}},
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "run\thosts\twall s\tCPU s\tpeak RSS MB\toutput MB\t\n")
	pass := true
	for _, r := range runs {
		args := r.args
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return false, fmt.Errorf("%s: %v", r.name, err)
		}
		// The child's VmHWM, polled: on Linux, rusage Maxrss of a child that os/exec started
		// (clone with CLONE_VM, then execve) also holds this process's own high-water mark,
		// which execve records from the memory it leaves.
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		polledKB := int64(0)
		tick := time.NewTicker(10 * time.Millisecond)
	wait:
		for {
			select {
			case err := <-done:
				if err != nil {
					tick.Stop()
					return false, fmt.Errorf("%s: %v\n%s", r.name, err, stderr.String())
				}
				break wait
			case <-tick.C:
				polledKB = max(polledKB, vmHWM(cmd.Process.Pid))
			}
		}
		tick.Stop()
		wall := time.Since(start)
		rssKB := polledKB
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && polledKB == 0 {
			rssKB = int64(ru.Maxrss)
			if runtime.GOOS == "darwin" {
				rssKB >>= 10 // bytes there
			}
		}
		outMB := 0.0
		for _, a := range args {
			if st, err := os.Stat(a); err == nil && a != results && filepath.Dir(a) == dir {
				outMB += float64(st.Size()) / 1e6
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.1f\t%.1f\t\n", r.name, n, wall.Seconds(), cpu.Seconds(), float64(rssKB)/1024, outMB)
		if rssKB > maxRSS<<10 || wall > maxWall {
			pass = false
		}
	}
	tw.Flush()
	if !pass {
		fmt.Printf("FAIL: a run passed %d MB or %s\n", maxRSS, maxWall)
	}
	return pass, nil
}

// generate writes n results to path by repeating the seed's results under the names
// PC-000001... with scan times one second apart, and returns the file's size. With old, the
// findings lose their arguments, as results files written before them had none. With probe, each
// host checked has a probe finding as scan --probe stores it: PROBE_OK with a protocol and
// cipher, or for every 10th ready host PROBE_FAILED (refused), a contradiction the report lists
// at its top.
func generate(seed, path string, n int, old, probe bool) (int64, error) {
	rs, _, err := scan.ReadResultsFiles(seed)
	if err != nil {
		return 0, err
	}
	if len(rs) == 0 {
		return 0, fmt.Errorf("%s: no results", seed)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		r := rs[i%len(rs)]
		r.Host = fmt.Sprintf("PC-%06d", i+1)
		r.Start = t0.Add(time.Duration(i) * time.Second)
		r.End = r.Start.Add(1500 * time.Millisecond)
		if probe && r.Error == nil {
			r.Findings = append(slices.Clone(r.Findings), probeFinding(r.Verdict == checks.Ready && i%10 == 0))
		}
		b, err := safejson.Marshal(r)
		if err != nil {
			return 0, err
		}
		// Each host its own users (local accounts: the machine's SID differs) and one of 40
		// Office builds, so that hosts are not copies of each other.
		b = sidPattern.ReplaceAll(b, []byte(fmt.Sprintf("S-1-5-21-%d-%d-%d-$1", 1000000+i, 2000000+i*7, 3000000+i*13)))
		b = buildPattern.ReplaceAll(b, []byte(fmt.Sprintf("${1}%d", 4000+i%40)))
		if old {
			b, err = stripArgs(b)
			if err != nil {
				return 0, err
			}
		}
		w.Write(b)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// probeFinding is a probe finding as scan --probe stores it (checks/probe.go): failed (refused)
// or ok with what was negotiated.
func probeFinding(failed bool) checks.Finding {
	a := checks.Args{"target": {Text: "outlook.office365.com:443"}}
	if failed {
		a["outcome"] = checks.Arg{Text: string(checks.ProbeRefused)}
		return checks.Finding{ID: checks.IDProbeFailed, Severity: checks.SeverityWarning, Title: "TLS 1.2 to Microsoft 365 failed", Args: a}
	}
	a["outcome"], a["protocol"], a["cipher"] = checks.Arg{Text: string(checks.ProbeOK)}, checks.Arg{Text: "TLS 1.2"}, checks.Arg{Text: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}
	return checks.Finding{ID: checks.IDProbeOK, Severity: checks.SeverityInfo, Title: "TLS 1.2 to Microsoft 365 works", Args: a}
}

var (
	sidPattern   = regexp.MustCompile(`S-1-5-21-\d+-\d+-\d+-(\d+)`)
	buildPattern = regexp.MustCompile(`(1[456]\.0\.\d+\.)\d+`)
)

// stripArgs removes "args" from each finding of one results line.
func stripArgs(line []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, err
	}
	var fs []map[string]json.RawMessage
	if err := json.Unmarshal(m["findings"], &fs); err != nil {
		return nil, err
	}
	for _, f := range fs {
		delete(f, "args")
	}
	b, err := json.Marshal(fs)
	if err != nil {
		return nil, err
	}
	m["findings"] = b
	return json.Marshal(m)
}

// vmHWM is the peak resident set of process pid in KB (Linux), 0 when it cannot be read.
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
