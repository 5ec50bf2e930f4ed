// Command tlsready tells which Windows hosts of a fleet are ready for Office 365's TLS 1.2-only
// connections, which need a fix (KB3140245, DefaultSecureProtocols, SCHANNEL, WinINet), which run
// an operating system that must be replaced, and which could not be checked. It reads each host
// over WinRM and installs nothing on it.
//
// One file per subcommand: cmd_scan.go, cmd_discover.go, cmd_lab.go, cmd_demo.go.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, documented in the README and in usage.
const (
	exitReady   = 0 // every host ready (or the command succeeded)
	exitAction  = 1 // some hosts need action or run an unsupported OS
	exitUnknown = 2 // some hosts could not be checked
	exitUsage   = 3 // usage or setup error
)

const usage = `tlsready - is every Windows PC ready for Office 365's TLS 1.2-only connections?

Reads each host over WinRM (nothing is installed on it), judges KB3140245, DefaultSecureProtocols
(both registry views), SCHANNEL and WinINet settings, and tells per host: ready, action,
unsupported or unknown, with the fix.

Usage:
  tlsready demo [--fleet DIR] [--out FILE]     scan built-in simulated hosts: see it work, no setup
  tlsready scan --target PC-01 [--target ...] --user CORP\admin [flags]
  tlsready scan --targets-file hosts.txt --user admin@corp.example [flags]
  tlsready scan --ou "OU=Workstations,DC=corp,DC=example" --ldap-url ldaps://dc1.corp.example
                --user CORP\admin [flags]      discover the OU's computers in AD, then scan them
  tlsready discover --ou DN --ldap-url URL --user USER [--out hosts.txt | --json]
  tlsready lab --fleet DIR                     serve simulated hosts on 127.0.0.1 until Ctrl-C

Run "tlsready <command> --help" for the flags of a command.

Exit codes of scan: 0 all hosts ready, 1 some need action or run an unsupported OS,
2 some could not be checked (takes precedence over 1), 3 usage or setup error.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a subcommand needs from the process, so tests can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
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
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitReady
	default:
		fmt.Fprintf(stderr, "tlsready: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitReady // --help: usage was printed as asked
		}
		var ue usageError
		if errors.As(err, &ue) && ue.helpShown {
			return exitUsage
		}
		fmt.Fprintf(stderr, "tlsready %s: %v\n", args[0], err)
		if code == exitReady {
			code = exitUsage
		}
	}
	return code
}

// usageError marks a command-line mistake (exit code 3).
type usageError struct {
	err       error
	helpShown bool // the flag package already printed the message and usage
}

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return usageError{err: fmt.Errorf(format, args...)}
}
