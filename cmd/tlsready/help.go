package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/tlsready/tlsready/report"
)

// helpWidth is the width --help text is wrapped to: a default terminal.
const helpWidth = 80

// flagOutput is a flag set's output: the flag package's own messages are dropped (parseFlags
// turns its errors into one line and a pointer to --help), and help prints the command's help
// on stdout when --help is asked for.
type flagOutput struct {
	help func()
}

func (flagOutput) Write(b []byte) (int, error) { return len(b), nil }

// printHelp writes a command's help: its synopsis, then each flag as the README writes it
// (--name VALUE) with its text wrapped to 80 columns.
func printHelp(w io.Writer, fs *flag.FlagSet, synopsis string) {
	fmt.Fprintf(w, "%s\nFlags:\n", wrapHelp(synopsis, helpWidth))
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		name = valueName(f, name)
		head := "  --" + f.Name
		if name != "" {
			head += " " + name
		}
		if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "[]" && !strings.Contains(usage, "(default") {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		fmt.Fprintln(w, head)
		for _, line := range strings.Split(report.Wrap(usage, helpWidth-8), "\n") {
			fmt.Fprintf(w, "        %s\n", line)
		}
	})
}

// wrapHelp fits help text to width columns: a paragraph of prose (lines that start in the first
// column, blank lines between paragraphs) is re-flowed; a "Usage:" line or an indented line
// longer than width is broken between words, its rest indented under the command's arguments.
func wrapHelp(text string, width int) string {
	var out []string
	var prose []string
	flush := func() {
		if len(prose) > 0 {
			out = append(out, report.Wrap(strings.Join(prose, " "), width))
			prose = nil
		}
	}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case trimmed == "":
			flush()
			out = append(out, "")
		case trimmed == line && !strings.HasPrefix(line, "Usage:"):
			prose = append(prose, line)
		default:
			flush()
			out = append(out, breakLine(line, width)...)
		}
	}
	flush()
	return strings.Join(out, "\n") + "\n"
}

// breakLine breaks a synopsis line longer than width between words; the continuation lines
// are indented to the start of the third word ("Usage: tlsready scan |--target ...") or, for an
// indented line, to its own indentation.
func breakLine(line string, width int) []string {
	if runewidth.StringWidth(line) <= width {
		return []string{line}
	}
	indent := len(line) - len(strings.TrimLeft(line, " "))
	if strings.HasPrefix(line, "Usage:") {
		if f := strings.Fields(line); len(f) > 3 {
			indent = strings.Index(line, f[3])
		}
	}
	pad := strings.Repeat(" ", indent)
	var lines []string
	cur := line
	for runewidth.StringWidth(cur) > width {
		cut := strings.LastIndex(cur[:width+1], " ")
		if cut <= indent {
			break
		}
		lines = append(lines, strings.TrimRight(cur[:cut], " "))
		cur = pad + strings.TrimLeft(cur[cut:], " ")
	}
	return append(lines, cur)
}

// valueName is how the help names a flag's value, as the README does: FILE, N, D (a
// duration), or the name given in backquotes in its usage; "" for a boolean flag.
func valueName(f *flag.Flag, unquoted string) string {
	if strings.Contains(f.Usage, "`") || unquoted == "" {
		return unquoted
	}
	switch f.Value.(type) {
	case durationFlag:
		return "D"
	case atLeastFlag:
		return "N"
	}
	switch unquoted {
	case "duration":
		return "D"
	case "int", "uint", "float", "int64":
		return "N"
	}
	n := f.Name
	if v, ok := map[string]string{"target": "NAME[=HOST:PORT]", "ou": "DN", "user": "USER", "ldap-user": "USER",
		"ldap-url": "URL", "lang": "en|ja", "port": "PORT", "shard": "i/n", "fleet": "DIR", "format": "table|json|csv",
		"domain": "DOMAIN", "kdc": "HOST[:PORT]", "realm": "REALM", "verdict": "LIST", "error-category": "LIST"}[n]; ok {
		return v
	}
	if strings.HasPrefix(f.Usage, "directory") || strings.Contains(f.Usage, "kit directory") || strings.HasPrefix(f.Usage, "folder") {
		return "DIR"
	}
	if n == "out" || n == "from" || n == "resume" || n == "html" || n == "journal" || strings.HasSuffix(n, "-file") || strings.HasSuffix(n, "-out") || strings.HasSuffix(n, "-conf") {
		return "FILE"
	}
	return "VALUE"
}

// flagError rewrites an error of flag.Parse as one line that names the flag as --flag.
func flagError(err error) error {
	msg := err.Error()
	// The flag package's messages, in the README's --flag form.
	patterns := []struct {
		re   *regexp.Regexp
		repl string
	}{
		{regexp.MustCompile(`^flag provided but not defined: -+(.*)$`), "unknown flag --$1"},
		{regexp.MustCompile(`^flag needs an argument: -+(.*)$`), "--$1 needs a value"},
		{regexp.MustCompile(`^invalid boolean value (".*") for -+([^:]*): .*$`), "--$2 takes no value (or =true/=false), not $1"},
		{regexp.MustCompile(`^invalid value (".*") for flag -+([^:]*): (.*)$`), "--$2 $1: $3"},
	}
	for _, p := range patterns {
		if p.re.MatchString(msg) {
			msg = p.re.ReplaceAllString(msg, p.repl)
			break
		}
	}
	// strconv's "parse error" says nothing of what is wanted.
	msg = strings.Replace(msg, ": parse error", ": want a number", 1)
	msg = strings.Replace(msg, ": value out of range", ": number too large", 1)
	return usageError{err: errors.New(msg), seeHelp: true}
}

// durationFlag is a duration flag that also takes a bare number as seconds ("--timeout 5" is
// 5 s) and refuses zero or negative values unless zeroOK.
type durationFlag struct {
	d      *time.Duration
	zeroOK bool
}

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		n, nerr := strconv.ParseFloat(s, 64)
		if nerr != nil {
			return fmt.Errorf("want a duration such as 30s, 2m or 1m30s (a bare number is seconds)")
		}
		d = time.Duration(n * float64(time.Second))
	}
	switch {
	case d < 0:
		return fmt.Errorf("cannot be negative")
	case d == 0 && !f.zeroOK:
		return fmt.Errorf("must be more than 0 (e.g. 30s)")
	}
	*f.d = d
	return nil
}

// durationVar defines a duration flag (durationFlag) with default value def.
func durationVar(fs *flag.FlagSet, p *time.Duration, name string, def time.Duration, zeroOK bool, usage string) {
	*p = def
	fs.Var(durationFlag{d: p, zeroOK: zeroOK}, name, usage)
}

// atLeastFlag is an int flag that refuses values below min.
type atLeastFlag struct {
	n   *int
	min int
}

func (f atLeastFlag) String() string {
	if f.n == nil {
		return ""
	}
	return strconv.Itoa(*f.n)
}

func (f atLeastFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("want a whole number")
	}
	if n < f.min {
		return fmt.Errorf("must be at least %d", f.min)
	}
	*f.n = n
	return nil
}

// intAtLeastVar defines an int flag with default def that refuses values below min.
func intAtLeastVar(fs *flag.FlagSet, p *int, name string, def, min int, usage string) {
	*p = def
	fs.Var(atLeastFlag{n: p, min: min}, name, usage)
}
