package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/tlsready/tlsready/scan"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// newFlagSet returns a flag set with the given synopsis: --help prints the help on e.stdout
// (printHelp); a flag error is one line (parseFlags) that points to --help.
func newFlagSet(e env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(flagOutput{help: func() { printHelp(e.stdout, fs, synopsis) }})
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args, turning flag errors into usage errors and --help into exit 0.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return flagUsagef("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	return nil
}

// parseFlagsOnly is parseFlags that leaves positional arguments in fs.Args().
func parseFlagsOnly(fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-")
		if strings.HasPrefix(a, "-") && name == "password" && fs.Lookup("password") == nil {
			return usagef("--password is not accepted: a password on the command line is visible to " +
				"other users (process list, shell history). Set TLSREADY_PASSWORD, use --password-file, " +
				"or let tlsready prompt for it")
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			if o, ok := fs.Output().(flagOutput); ok {
				o.help()
			}
			return err
		}
		return flagError(err)
	}
	return nil
}

// dedupeTargets keeps the first target of each name (case-insensitive, as Windows names are) and
// returns the names dropped. A kept target without an AD record takes that of a dropped
// duplicate, so a host given with --target and also found in the OU keeps its AD facts.
func dedupeTargets(ts []scan.Target) ([]scan.Target, []string) {
	index := map[string]int{}
	var out []scan.Target
	var dropped []string
	for _, t := range ts {
		k := scan.HostKey(t.Name)
		if i, ok := index[k]; ok {
			if out[i].AD == nil {
				out[i].AD = t.AD
			}
			dropped = append(dropped, t.Name)
			continue
		}
		index[k] = len(out)
		out = append(out, t)
	}
	return out, dropped
}

// readPassword takes the password from --password-file, else TLSREADY_PASSWORD, else a no-echo
// prompt on the terminal. It never comes from a flag value.
func readPassword(e env, passwordFile, user string) (string, error) {
	return readPasswordFrom(e, passwordFile, "TLSREADY_PASSWORD", user)
}

// readPasswordFrom is readPassword with another environment variable.
func readPasswordFrom(e env, passwordFile, envVar, user string) (string, error) {
	if passwordFile != "" {
		warnLooseSecretFile(e, passwordFile)
		b, err := os.ReadFile(passwordFile)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		pw := strings.TrimRight(strings.SplitN(string(b), "\n", 2)[0], "\r")
		if pw == "" {
			return "", fmt.Errorf("password file %s: first line is empty", passwordFile)
		}
		return pw, nil
	}
	if pw := e.getenv(envVar); pw != "" {
		return pw, nil
	}
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usagef("no password for %s: set %s, use a password file, or run in a terminal to be prompted", user, envVar)
	}
	b, err := promptPassword(e.stopContext(), int(f.Fd()), e.stderr, fmt.Sprintf("Password for %s: ", user))
	if errors.Is(err, errPromptInterrupted) {
		return "", err
	}
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(b), nil
}
