//go:build unix

// Command bench measures the scanner against its lower bound and against a peer: it starts
// "tlsready lab" as a process serving N simulated hosts with a per-request latency and a collector
// execution time, scans them with "tlsready scan" as another process, then (with -peer) with a
// pywinrm thread pool doing the same work, and prints one table.
//
//	go run ./bench                       # N=2000, C=256, 20 ms latency, 300 ms exec, with the peer
//	go run ./bench -n 200 -c 32 -peer=false
//
// The lower bound of a scan is ceil(N/C) x (R x latency + exec), R being the fewest sequential
// HTTP round trips a host needs with the transport: NTLM with message encryption over HTTP takes
// Negotiate (401 with the challenge), Authenticate (the empty POST that completes the logon),
// Create, Command, Send (the collector on stdin) and Receive: R = 6. The Delete of the shell
// need not delay the result. Basic over HTTP takes Create, Command, Send, Receive: R = 4.
// (The bound is generous by one latency: the collector starts when the Send arrives, so the
// Receive's round trip overlaps its execution, on Windows as in the lab.)
//
// "lab CPU s" is what the simulated hosts used while serving the row's scanner: on this one
// machine they compete with it for the CPU, as real hosts would not.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/syncbuf"
	"github.com/tlsready/tlsready/remote"
)

func main() {
	n := flag.Int("n", 2000, "simulated hosts")
	c := flag.Int("c", 256, "concurrency of the scanner and of the peer's thread pool")
	latency := flag.Duration("latency", 20*time.Millisecond, "per-request latency of the simulated hosts")
	execTime := flag.Duration("exec", 300*time.Millisecond, "collector execution time on the hosts")
	auth := flag.String("auth", "ntlm", "transport: ntlm (message encryption over HTTP) or basic (over HTTP)")
	peer := flag.Bool("peer", true, "also run the pywinrm peer (/usr/bin/python3 with python3-winrm)")
	methods := flag.String("methods", "shell,wmi", "tlsready's --method of each scan row, comma-separated: shell (the collector, which pays -exec), wmi (no process on the host), auto")
	var o options
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the tlsready scan process to this file (go tool pprof)")
	flag.StringVar(&o.labProfile, "lab-cpuprofile", "", "write a CPU profile of the lab (the simulated hosts) to this file")
	flag.BoolVar(&o.gctrace, "gctrace", false, "show the scan process's garbage collections (GODEBUG=gctrace=1) on stderr")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (binary, targets, results file) and say where it is")
	flag.Parse()
	o.methods = strings.Split(*methods, ",")
	if err := run(*n, *c, *latency, *execTime, *auth, *peer, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// row is one line of the table.
type row struct {
	who             string
	n, c            int
	wall, cpu       time.Duration
	rssMB           float64
	requestsPerHost float64
	ok              int
	lowerBound      time.Duration
	labCPU          time.Duration // the simulated hosts' CPU while serving this run
}

// options are the flags that look into a run rather than change it.
type options struct {
	cpuprofile, labProfile string
	gctrace, keep          bool
	methods                []string // one tlsready row per --method
}

func run(n, c int, latency, execTime time.Duration, auth string, withPeer bool, o options) error {
	dir, err := os.MkdirTemp("", "tlsready-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "bench: the binary, targets and results file stay in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "tlsready")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/tlsready").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	const user, password = `LAB\bench`, "bench-lab-Passw0rd"
	labArgs := []string{"lab", "--generate", strconv.Itoa(n), "--latency", latency.String(), "--exec-time", execTime.String(), "--user", user}
	rounds := 6
	if auth == "basic" {
		labArgs = append(labArgs, "--auth", "basic")
		rounds = 4
	}
	lab := exec.Command(bin, labArgs...)
	lab.Env = append(os.Environ(), "TLSREADY_PASSWORD="+password)
	if o.labProfile != "" {
		abs, err := filepath.Abs(o.labProfile)
		if err != nil {
			return err
		}
		lab.Env = append(lab.Env, "TLSREADY_CPUPROFILE="+abs)
	}
	stdout, err := lab.StdoutPipe()
	if err != nil {
		return err
	}
	var labErr syncbuf.Buffer // read while the lab writes
	lab.Stderr = &labErr
	if err := lab.Start(); err != nil {
		return err
	}
	stopLab := func() string {
		_ = lab.Process.Signal(syscall.SIGINT)
		_ = lab.Wait()
		return labErr.String()
	}
	defer stopLab()
	var lines []string
	sc := bufio.NewScanner(stdout)
	for len(lines) < n && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != n {
		return fmt.Errorf("lab printed %d hosts, want %d: %s", len(lines), n, labErr.String())
	}
	targets := filepath.Join(dir, "hosts.txt")
	if err := os.WriteFile(targets, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	lower := time.Duration(math.Ceil(float64(n)/float64(c))) * (time.Duration(rounds)*latency + execTime)

	// labCount asks the lab for its request count so far (SIGUSR1: it answers on stderr).
	labCount := func() int {
		before := strings.Count(labErr.String(), "lab: ")
		_ = lab.Process.Signal(syscall.SIGUSR1)
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if strings.Count(labErr.String(), "lab: ") > before {
				break
			}
		}
		return labRequests(labErr.String())
	}
	// tlsready, once per method: the shell pays the collector's execution time (-exec, which
	// models PowerShell's start on the host), WMI starts no process and pays none of it.
	var rows []row
	var afterScan, labAfterScan = labCount(), procCPU(lab.Process.Pid)
	for _, method := range o.methods {
		requestsBefore, labBefore := afterScan, labAfterScan
		results := filepath.Join(dir, "results-"+method+".jsonl")
		scanArgs := []string{"scan", "--targets-file", targets, "--user", user, "--auth", auth, "--concurrency", strconv.Itoa(c),
			"--no-progress", "--timeout", "120s", "--out", results, "--method", method}
		if auth == "basic" {
			scanArgs = append(scanArgs, "--allow-basic-over-http")
		}
		scan := exec.Command(bin, scanArgs...)
		scan.Env = append(os.Environ(), "TLSREADY_PASSWORD="+password)
		if o.cpuprofile != "" {
			abs, err := filepath.Abs(o.cpuprofile)
			if err != nil {
				return err
			}
			scan.Env = append(scan.Env, "TLSREADY_CPUPROFILE="+abs)
		}
		scan.Stdout = nil
		if o.gctrace {
			scan.Env = append(scan.Env, "GODEBUG=gctrace=1")
		}
		r, err := measure(scan, o.gctrace)
		if err != nil {
			return fmt.Errorf("tlsready scan: %w", err)
		}
		r.who, r.n, r.c, r.lowerBound = "tlsready ("+auth+", "+method+")", n, c, lower
		r.ok = countLines(results)
		afterScan, labAfterScan = labCount(), procCPU(lab.Process.Pid)
		r.labCPU = labAfterScan - labBefore
		r.requestsPerHost = float64(afterScan-requestsBefore) / float64(n)
		if method != "shell" {
			// Over WMI a host is the handshake and its requests one after another, with no
			// execution to wait for: the bound from the requests it took.
			r.lowerBound = time.Duration(math.Ceil(float64(n)/float64(c))) * time.Duration(r.requestsPerHost*float64(latency))
		}
		rows = append(rows, r)
	}

	if withPeer && auth == "ntlm" {
		cmdFile := filepath.Join(dir, "command.txt")
		scriptFile := filepath.Join(dir, "collector.ps1")
		script, err := remote.CollectorScript(checks.Items())
		if err != nil {
			return err
		}
		if err := os.WriteFile(cmdFile, []byte(remote.CollectorCommand()), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(scriptFile, []byte(script), 0o644); err != nil {
			return err
		}
		peerCmd := exec.Command("/usr/bin/python3", "bench/peer.py", targets, strconv.Itoa(c), user, cmdFile, scriptFile)
		peerCmd.Stdin = strings.NewReader(password + "\n")
		var peerOut strings.Builder
		peerCmd.Stdout = &peerOut
		conf := filepath.Join(dir, "openssl.cnf") // MD4 for NTLM: OpenSSL 3's legacy provider
		if err := os.WriteFile(conf, []byte(opensslLegacy), 0o600); err != nil {
			return err
		}
		peerCmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf)
		p, err := measure(peerCmd, false)
		if err != nil {
			return fmt.Errorf("pywinrm peer: %w", err)
		}
		p.who, p.n, p.c, p.lowerBound = "pywinrm peer", n, c, lower
		fmt.Sscanf(peerOut.String(), "ok %d", &p.ok)
		p.requestsPerHost = float64(labCount()-afterScan) / float64(n)
		p.labCPU = procCPU(lab.Process.Pid) - labAfterScan
		rows = append(rows, p)
	}
	print(rows)
	return nil
}

// measure runs cmd and returns its wall time, CPU time (user + system) and peak RSS.
func measure(cmd *exec.Cmd, showStderr bool) (row, error) {
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if showStderr {
		cmd.Stderr = io.MultiWriter(&stderr, os.Stderr)
	}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		return row{}, err
	}
	if err != nil && cmd.ProcessState.ExitCode() >= 3 {
		return row{}, fmt.Errorf("%v: %s", err, lastLines(stderr.String(), 5))
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return row{wall: wall, cpu: cpu, rssMB: float64(ru.Maxrss) / 1024}, nil
}

// procCPU is the CPU time (user + system) that process pid has used so far, from
// /proc/PID/stat (in clock ticks of 10 ms, Linux's USER_HZ); 0 where there is no /proc.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces: count after it.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

var labCountRE = regexp.MustCompile(`lab: (\d+) requests`)

// labRequests is the last request count the lab reported on stderr.
func labRequests(s string) int {
	m := labCountRE.FindAllStringSubmatch(s, -1)
	if len(m) == 0 {
		return 0
	}
	v, _ := strconv.Atoi(m[len(m)-1][1])
	return v
}

func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), "\n")
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}

func print(rows []row) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "run\tN\tC\tok\twall s\thosts/s\tCPU s\tCPU ms/host\tpeak RSS MB\treq/host\tlower bound s\tefficiency\tlab CPU s\t")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%.2f\t%.1f\t%.2f\t%.2f\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t\n", r.who, r.n, r.c, r.ok, r.wall.Seconds(),
			float64(r.n)/r.wall.Seconds(), r.cpu.Seconds(), float64(r.cpu.Microseconds())/1000/float64(r.n), r.rssMB, r.requestsPerHost,
			r.lowerBound.Seconds(), r.lowerBound.Seconds()/r.wall.Seconds(), r.labCPU.Seconds())
	}
	w.Flush()
	last := rows[len(rows)-1]
	for _, r := range rows[:len(rows)-1] {
		if last.who == "pywinrm peer" {
			fmt.Printf("%s / pywinrm: wall time %.2fx, CPU per host %.2fx\n", r.who, r.wall.Seconds()/last.wall.Seconds(),
				r.cpu.Seconds()/last.cpu.Seconds())
		}
	}
	if len(rows) >= 2 && strings.HasSuffix(rows[0].who, ", shell)") && strings.HasSuffix(rows[1].who, ", wmi)") {
		fmt.Printf("wmi / shell: wall time %.2fx, CPU per host %.2fx, requests per host %.2fx, lab CPU %.2fx\n",
			rows[1].wall.Seconds()/rows[0].wall.Seconds(), rows[1].cpu.Seconds()/rows[0].cpu.Seconds(),
			rows[1].requestsPerHost/rows[0].requestsPerHost, rows[1].labCPU.Seconds()/max(rows[0].labCPU.Seconds(), 0.01))
	}
}

const opensslLegacy = "openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n[default_sect]\nactivate = 1\n[legacy_sect]\nactivate = 1\n"
