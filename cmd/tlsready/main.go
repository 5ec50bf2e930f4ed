// Command tlsready tells which Windows hosts of a fleet are ready for Office 365's TLS 1.2-only
// connections, which need a fix (KB3140245, DefaultSecureProtocols, SCHANNEL, WinINet), which run
// an operating system that must be replaced, and which could not be checked. It reads each host
// over WinRM and installs nothing on it.
//
// One file per subcommand: cmd_scan.go, cmd_rescan.go, cmd_merge.go, cmd_report.go,
// cmd_remediate.go, cmd_fix.go, cmd_discover.go, cmd_lab.go, cmd_demo.go.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
)

// version is the tool's version, set at build time with -ldflags "-X main.version=1.2.3".
var version = "dev"

// Exit codes, documented in the README and in usage.
const (
	exitReady   = 0 // every host ready (or the command succeeded)
	exitAction  = 1 // some hosts need action or run an unsupported OS
	exitUnknown = 2 // some hosts could not be checked
	exitUsage   = 3 // usage or setup error
)

const usage = `tlsready - is every Windows PC ready for Office 365's TLS 1.2-only connections?

Reads each host over WinRM (nothing is installed on it), judges KB3140245,
DefaultSecureProtocols (both registry views), SCHANNEL and WinINet settings, and
tells per host: ready, action, unsupported or unknown, with the fix.

Usage:
  tlsready demo [--fleet DIR] [--out FILE]
        scan built-in simulated hosts: see it work, no setup
  tlsready scan --target PC-01 [--target ...] --user CORP\admin [flags]
  tlsready scan --targets-file hosts.txt --user admin@corp.example [flags]
  tlsready scan --ou "OU=Workstations,DC=corp,DC=example"
                --ldap-url ldaps://dc1.corp.example --user CORP\admin [flags]
        discover the OU's computers in AD, then scan them
  tlsready discover --ou DN --ldap-url URL --user USER [--out hosts.txt|--json]
  tlsready rescan --from results.jsonl --user USER [--verdict action,unknown]
        scan again the hosts that failed (default: unknown)
  tlsready merge results.jsonl rescan.jsonl [--out merged.jsonl]
        one current picture: the newest result per host
  tlsready report results.jsonl [--html report.html] [--format table|json|csv]
                  [--lang en|ja] [--quiet]
  tlsready report --compare old.jsonl new.jsonl
        what changed between two scans
  tlsready remediate results.jsonl --out kit
        .reg files, GPP Registry.xml, script, host lists
  tlsready fix --from results.jsonl --user USER [--apply]
        set the registry values found missing
  tlsready fix --rollback JOURNAL --user USER
        put back what fix changed
  tlsready lab --fleet DIR
        serve simulated hosts on 127.0.0.1 until Ctrl-C
  tlsready version
        version, source revision and Go release

Run "tlsready <command> --help" for the flags of a command.

Exit codes of scan, rescan and merge: 0 all hosts ready, 1 some need action or
run an unsupported OS, 2 some could not be checked (takes precedence over 1),
3 usage or setup error.

Files written (results, reports, kits) are mode 0600; TLSREADY_FILE_MODE=0644
widens them.
`

func main() { os.Exit(mainCode()) }

// mainCode runs the command line and returns the exit code; deferred work (the CPU profile)
// finishes before main exits.
func mainCode() int {
	// The first Ctrl-C (or SIGTERM) ends ctx: commands stop starting work and finish what runs
	// (a scan lets its running hosts finish for --grace). The second ends hard: running hosts are
	// cancelled, their shells closed.
	//
	// On Windows the Go runtime's console control handler turns CTRL_C_EVENT and
	// CTRL_BREAK_EVENT into os.Interrupt, and CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT and
	// CTRL_SHUTDOWN_EVENT into syscall.SIGTERM (os/signal documentation, "Windows"; the events:
	// https://learn.microsoft.com/en-us/windows/console/handlerroutine), so the same two stages
	// apply to Ctrl-C and Ctrl-Break in a console window.
	ctx, drain := context.WithCancel(context.Background())
	hard, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go relayInterrupts(sigs, drain, cancel)
	// A core file of tlsready would hold the password in clear.
	if err := disableCoreDumps(); err != nil {
		fmt.Fprintf(os.Stderr, "warning: could not disable core dumps: %v\n", err)
	}
	// Windows 10+ consoles show colours and the live progress line once virtual-terminal
	// processing is on; their modes are put back on the way out.
	defer enableVirtualTerminal(os.Stdout, os.Stderr)()
	e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, hard: hard}
	// TLSREADY_CPUPROFILE=FILE writes a pprof CPU profile of the run (for the benchmark harness).
	if path := os.Getenv("TLSREADY_CPUPROFILE"); path != "" {
		if f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			}
		}
	}
	code := runEnv(ctx, e, os.Args[1:])
	signal.Stop(sigs)
	return code
}

// relayInterrupts turns the signals of sigs into the two stages of an interrupt: the first
// calls drain (stop starting work), the second cancel (cancel what runs). Later signals are not
// read: the process ends on its own once cancelled.
func relayInterrupts(sigs <-chan os.Signal, drain, cancel context.CancelFunc) {
	<-sigs
	drain()
	<-sigs
	cancel()
}

// env is what a subcommand needs from the process, so tests can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// hard ends when running work must be cancelled (the second Ctrl-C). Nil: never; the
	// scan's grace period bounds the wait.
	hard context.Context
	// logon, for tests, replaces remote.CurrentLogon (see env.currentLogon).
	logon func() (string, bool)
	// stop ends at the first Ctrl-C: runEnv sets it to the command's ctx, for what waits on the
	// operator rather than on a host (the password prompt). Nil: never.
	stop context.Context
}

// stopContext is e.stop, or a context that is never cancelled.
func (e env) stopContext() context.Context {
	if e.stop != nil {
		return e.stop
	}
	return context.Background()
}

// hardContext is e.hard, or a context that is never cancelled.
func (e env) hardContext() context.Context {
	if e.hard != nil {
		return e.hard
	}
	return context.Background()
}

// run runs a command with the process's environment variables; ctx ending is the first Ctrl-C.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(ctx, env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}, args)
}

func runEnv(ctx context.Context, e env, args []string) int {
	e.stop = ctx
	stdout, stderr := e.stdout, e.stderr
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var code int
	var err error
	switch args[0] {
	case "scan":
		code, err = runScan(ctx, e, args[1:])
	case "demo":
		code, err = runDemo(ctx, e, args[1:])
	case "lab":
		code, err = runLab(ctx, e, args[1:])
	case "discover":
		code, err = runDiscover(ctx, e, args[1:])
	case "rescan":
		code, err = runRescan(ctx, e, args[1:])
	case "merge":
		code, err = runMerge(ctx, e, args[1:])
	case "report":
		code, err = runReport(ctx, e, args[1:])
	case "remediate":
		code, err = runRemediate(ctx, e, args[1:])
	case "fix":
		code, err = runFix(ctx, e, args[1:])
	case "version", "--version":
		info, ok := debug.ReadBuildInfo()
		printVersion(stdout, info, ok)
		return exitReady
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitReady
	default:
		fmt.Fprintf(stderr, "tlsready: unknown command %q\nsee tlsready --help\n", args[0])
		return exitUsage
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitReady // --help: usage was printed as asked
		}
		fmt.Fprintf(stderr, "tlsready %s: %v\n", args[0], err)
		// A mistake in a flag: one line, and where to read more (not the whole help).
		var ue usageError
		if errors.As(err, &ue) && ue.seeHelp {
			fmt.Fprintf(stderr, "see tlsready %s --help\n", args[0])
		}
		if code == exitReady {
			code = exitUsage
		}
	}
	return code
}

// usageError marks a command-line mistake (exit code 3).
type usageError struct {
	err     error
	seeHelp bool // a flag mistake: "see tlsready CMD --help" follows the message
}

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return usageError{err: fmt.Errorf(format, args...)}
}

// flagUsagef is usagef for a mistake in a flag or argument: the message is followed by
// "see tlsready CMD --help".
func flagUsagef(format string, args ...any) error {
	return usageError{err: fmt.Errorf(format, args...), seeHelp: true}
}
