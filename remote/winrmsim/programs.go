package winrmsim

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/tlsready/tlsready/facts"
)

// The programs a simulated host can run. A command line is interpreted once, when it starts
// (or, when it reads stdin, once stdin is closed): the result is the output it writes, each
// chunk at an offset from the start (Start-Sleep moves the clock), and the exit code.

// maxCmdLine is cmd.exe's limit on a command line (KB830473); maxCreateProcess is
// CreateProcess's, for WINRS_SKIP_CMD_SHELL.
const (
	maxCmdLine       = 8191
	maxCreateProcess = 32767
)

type chunk struct {
	stream string // "stdout" or "stderr"
	data   []byte
	at     time.Duration
}

type result struct {
	chunks   []chunk
	exitCode int
	end      time.Duration // when the process exits
	fault    *soapFault    // the process could not be started
	// lostAnswer cuts every Receive answer of the command short (Profile.LoseWriteAnswers).
	lostAnswer bool
}

// proc is one run of a command line.
type proc struct {
	ctx      context.Context
	validate func(context.Context, string) (string, error) // Options.ScriptValidator
	h        *host
	owner    string // the user the shell was opened for
	codepage int
	stdin    []byte
	probe    bool // only find out whether the command line reads stdin
	wants    bool // it does
	t        time.Duration
	out      []chunk
	// loseAnswer: the answer of this run is lost (Profile.LoseWriteAnswers).
	loseAnswer bool
}

func (p *proc) write(stream string, b []byte) {
	if len(b) > 0 {
		p.out = append(p.out, chunk{stream: stream, data: b, at: p.t})
	}
}

// text writes s in the shell's code page: UTF-8 for 65001; for the OEM code pages only ASCII is
// modelled, other characters become '?' as they do when a code page cannot represent them.
func (p *proc) text(stream, s string) {
	if p.codepage == 65001 {
		p.write(stream, []byte(s))
		return
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x80 {
			b = append(b, byte(r))
		} else {
			b = append(b, '?')
		}
	}
	p.write(stream, b)
}

// commandLine is Windows' command line of a Command: the Command element and the Arguments
// joined by spaces.
func commandLine(command string, args []string) string {
	line := strings.TrimSpace(command)
	for _, a := range args {
		line += " " + a
	}
	return line
}

// run interprets a command line for the shell's owner: through cmd.exe /c unless skipCmd
// (WINRS_SKIP_CMD_SHELL). validate is Options.ScriptValidator, nil for none.
func (h *host) run(ctx context.Context, validate func(context.Context, string) (string, error), line string, skipCmd bool, codepage int, owner string, stdin []byte, probe bool) (result, bool) {
	p := &proc{ctx: ctx, validate: validate, h: h, owner: owner, codepage: codepage, stdin: stdin, probe: probe}
	var code int
	if skipCmd {
		if utf16Len(line) > maxCreateProcess {
			return result{fault: &faultCommandLineTooLong}, false
		}
		name, rest := firstWord(line)
		switch programName(name) {
		case "hostname":
			code = p.hostname()
		case "cmd":
			code = p.cmd(rest)
		case "powershell":
			code = p.powershell(rest)
		default:
			return result{fault: &faultFileNotFound}, false
		}
	} else {
		code = p.cmd("/c " + line)
	}
	return result{chunks: p.out, exitCode: code, end: p.t, lostAnswer: p.loseAnswer}, p.wants
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

func (p *proc) hostname() int {
	p.text("stdout", p.h.p.Name+"\r\n")
	return 0
}

// cmd runs cmd.exe with its arguments: /c (or /k) and a command line.
func (p *proc) cmd(args string) int {
	rest := strings.TrimLeft(args, " \t")
	switch {
	case len(rest) >= 2 && (strings.EqualFold(rest[:2], "/c") || strings.EqualFold(rest[:2], "/k")):
		rest = strings.TrimLeft(rest[2:], " \t")
	default:
		return 0 // an interactive cmd.exe with nothing to do
	}
	if utf16Len(rest) > maxCmdLine {
		p.text("stderr", "The command line is too long.\r\n")
		return 1
	}
	// cmd /c "line": cmd strips the outer quotes.
	if len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"' {
		rest = rest[1 : len(rest)-1]
	}
	code, _ := p.cmdLine(p.h.expandEnv(rest))
	return code
}

// cmdLine runs commands joined by &, && and ||. It reports whether "exit" ended the shell.
func (p *proc) cmdLine(line string) (int, bool) {
	segs, ops := splitOperators(line)
	code, exited := p.cmdSimple(segs[0])
	for i, op := range ops {
		if exited {
			break
		}
		switch {
		case op == "&", op == "&&" && code == 0, op == "||" && code != 0:
			code, exited = p.cmdSimple(segs[i+1])
		}
	}
	return code, exited
}

// splitOperators splits a cmd.exe line at &, && and || outside double quotes (^ escapes).
func splitOperators(line string) ([]string, []string) {
	var segs, ops []string
	start, quoted := 0, false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"':
			quoted = !quoted
		case c == '^' && !quoted:
			i++
		case c == '&' && i > 0 && (line[i-1] == '>' || line[i-1] == '<'):
			// a redirection to a handle: >&2
		case (c == '&' || c == '|') && !quoted:
			op := string(c)
			if i+1 < len(line) && line[i+1] == c {
				op += string(c)
			}
			if op == "|" {
				continue // pipes are not modelled: part of the command
			}
			segs = append(segs, line[start:i])
			ops = append(ops, op)
			i += len(op) - 1
			start = i + 1
		}
	}
	return append(segs, line[start:]), ops
}

var redirection = regexp.MustCompile(`(?i)([12]?)>\s*(&[12]|nul\b)`)

// cmdSimple runs one command of a cmd.exe line, with its redirections.
func (p *proc) cmdSimple(seg string) (int, bool) {
	toStream := map[string]string{"stdout": "stdout", "stderr": "stderr"}
	seg = redirection.ReplaceAllStringFunc(seg, func(m string) string {
		sm := redirection.FindStringSubmatch(m)
		from := "stdout"
		if sm[1] == "2" {
			from = "stderr"
		}
		switch strings.ToLower(sm[2]) {
		case "&1":
			toStream[from] = "stdout"
		case "&2":
			toStream[from] = "stderr"
		default:
			toStream[from] = ""
		}
		return ""
	})
	// Run the command with its output routed.
	saved := len(p.out)
	defer func() {
		kept := p.out[:saved]
		for _, c := range p.out[saved:] {
			if to := toStream[c.stream]; to != "" {
				c.stream = to
				kept = append(kept, c)
			}
		}
		p.out = kept
	}()
	seg = strings.TrimLeft(seg, " \t@")
	if seg == "" {
		return 0, false
	}
	name, rest := firstWord(seg)
	lname := strings.ToLower(name)
	switch {
	case lname == "echo" || strings.HasPrefix(lname, "echo.") || strings.HasPrefix(lname, "echo:"):
		text := seg[4:]
		if strings.TrimSpace(text) == "" && !strings.HasPrefix(text, ".") && !strings.HasPrefix(text, ":") {
			p.text("stdout", "ECHO is on.\r\n")
			return 0, false
		}
		p.text("stdout", text[1:]+"\r\n")
		return 0, false
	case lname == "exit":
		f := strings.Fields(rest)
		if len(f) > 0 && strings.EqualFold(f[0], "/b") {
			f = f[1:]
		}
		code := 0
		if len(f) > 0 {
			code, _ = strconv.Atoi(f[0])
		}
		return code, true
	case lname == "set" && strings.TrimSpace(rest) == "":
		for _, e := range p.h.env {
			p.text("stdout", e.name+"="+e.value+"\r\n")
		}
		return 0, false
	case lname == "set" && strings.Contains(rest, "="):
		return 0, false // assignments are accepted; the environment is the profile's
	case lname == "set":
		prefix, found := strings.TrimSpace(rest), false
		for _, e := range p.h.env {
			if len(e.name) >= len(prefix) && strings.EqualFold(e.name[:len(prefix)], prefix) {
				p.text("stdout", e.name+"="+e.value+"\r\n")
				found = true
			}
		}
		if !found {
			p.text("stdout", "Environment variable "+prefix+" not defined\r\n")
			return 1, false
		}
		return 0, false
	}
	switch programName(name) {
	case "hostname":
		return p.hostname(), false
	case "cmd":
		return p.cmd(rest), false
	case "powershell":
		return p.powershell(rest), false
	}
	p.text("stderr", "'"+strings.Trim(name, `"`)+"' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n")
	return 1, false
}

// firstWord splits off the program of a command line (quoted or not).
func firstWord(s string) (string, string) {
	s = strings.TrimLeft(s, " \t")
	if strings.HasPrefix(s, `"`) {
		if i := strings.IndexByte(s[1:], '"'); i >= 0 {
			return s[:i+2], s[i+2:]
		}
		return s, ""
	}
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// programName is the lower-case base name of a program without its extension:
// "C:\Windows\System32\WindowsPowerShell\v1.0\PowerShell.exe" is "powershell".
func programName(word string) string {
	w := strings.ToLower(strings.Trim(word, `"`))
	if i := strings.LastIndexAny(w, `\/`); i >= 0 {
		w = w[i+1:]
	}
	for _, ext := range []string{".exe", ".com"} {
		w = strings.TrimSuffix(w, ext)
	}
	return w
}

// splitArgs splits a command line as CommandLineToArgvW does.
func splitArgs(s string) []string {
	var args []string
	var cur strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					i-- // the quote is handled next round
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			inArg = true
		case c == '"':
			if quoted && i+1 < len(s) && s[i+1] == '"' {
				cur.WriteByte('"')
				i++
			} else {
				quoted = !quoted
			}
			inArg = true
		case (c == ' ' || c == '\t') && !quoted:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

// psParam matches an abbreviation of a powershell.exe parameter: at least min characters of it.
func psParam(arg, name string, min int) bool {
	a := strings.ToLower(strings.TrimLeft(arg, "-/"))
	return len(a) >= min && strings.HasPrefix(name, a)
}

// powershell runs powershell.exe with its arguments.
func (p *proc) powershell(args string) int {
	argv := splitArgs(args)
	var script string
	fromStdin, encoded := true, false
loop:
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "-":
			fromStdin = true
			break loop
		case !strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "/"):
			script, fromStdin = strings.Join(argv[i:], " "), false
			break loop
		case strings.EqualFold(a, "-e") || strings.EqualFold(a, "-ec") || psParam(a, "encodedcommand", 3):
			if i+1 >= len(argv) {
				return p.psFail(false, "Missing argument for parameter -EncodedCommand.")
			}
			s, err := decodeEncodedCommand(argv[i+1])
			if err != nil {
				return p.psFail(false, "Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded.")
			}
			script, fromStdin, encoded = s, false, true
			break loop
		case psParam(a, "command", 1):
			rest := argv[i+1:]
			if len(rest) == 1 && rest[0] == "-" {
				fromStdin = true
			} else {
				script, fromStdin = strings.Join(rest, " "), false
			}
			break loop
		case psParam(a, "file", 1):
			name := ""
			if i+1 < len(argv) {
				name = argv[i+1]
			}
			return p.psFail(false, "The argument '"+name+"' to the -File parameter does not exist. Provide the path to an existing '.ps1' file as an argument to the -File parameter.")
		case psParam(a, "executionpolicy", 2) || strings.EqualFold(a, "-ep") || psParam(a, "inputformat", 3) ||
			psParam(a, "outputformat", 1) || psParam(a, "windowstyle", 1) || psParam(a, "version", 1) ||
			psParam(a, "psconsolefile", 3) || psParam(a, "configurationname", 4) || psParam(a, "workingdirectory", 2):
			i++ // a parameter with a value
		}
		// Switches (-NoProfile, -NonInteractive, -NoLogo, -Sta, -Mta, -NoExit) need nothing.
	}
	// The command line is judged when the command starts (the probe); the run once stdin is
	// closed only judges the program that came on stdin.
	if encoded && p.probe {
		if code, ok := p.parses(script, encoded); !ok {
			return code
		}
	}
	program := script
	if !strings.Contains(script, facts.ItemsBegin) && (fromStdin || readsStdin(script)) {
		// The program is what arrives on stdin ("powershell -", or a bootstrap that runs $input).
		if p.probe {
			p.wants = true
			return 0
		}
		program = string(bytes.TrimPrefix(p.stdin, []byte("\xef\xbb\xbf")))
		if code, ok := p.parses(program, encoded); !ok {
			return code
		}
	}
	if p.h.p.LanguageMode == LanguageConstrained {
		first := script // the command line's program runs first; it may run stdin's
		if fromStdin {
			first = program
		}
		return p.psConstrained(first, program, encoded)
	}
	return p.psScript(program, encoded)
}

// parses runs Options.ScriptValidator on a program. When the program does not parse it answers
// as powershell.exe does, the parser's error on stderr and exit code 1, and returns ok false.
func (p *proc) parses(program string, clixml bool) (code int, ok bool) {
	if p.validate == nil {
		return 0, true
	}
	perr, err := p.validate(p.ctx, program)
	if err != nil {
		return p.psFail(clixml, "winrmsim: the script validator failed: "+err.Error()), false
	}
	if perr == "" {
		return 0, true
	}
	p.psError(clixml, perr)
	return 1, false
}

// readsStdin reports whether a PowerShell program reads its standard input.
func readsStdin(script string) bool {
	s := strings.ToLower(script)
	return strings.Contains(s, "$input") || strings.Contains(s, "[console]::in")
}

func decodeEncodedCommand(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", err
	}
	if len(b)%2 != 0 {
		return "", fmt.Errorf("odd length")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u)), nil
}

// psScript runs a PowerShell program: the tlsready collector when it holds an item list, else
// the subset of PowerShell below.
func (p *proc) psScript(program string, clixml bool) int {
	if strings.Contains(program, facts.WritesMarker) {
		out, err := p.h.writeRegistry(program)
		if err != nil {
			return p.psFail(clixml, "tlsready registry writer: "+err.Error())
		}
		if !p.probe && strings.Contains(program, "\n"+facts.WritesApply+"\n") && int(p.h.lostWrites.Add(1)) <= p.h.p.LoseWriteAnswers {
			p.loseAnswer = true
		}
		p.write("stdout", []byte(out))
		return 0
	}
	if strings.Contains(program, facts.ItemsBegin) {
		items, err := facts.ParseItems(program)
		if err != nil {
			return p.psFail(clixml, "tlsready collector: "+err.Error())
		}
		f := p.h.collect(items, p.owner)
		if p.h.fault() == FaultEchoPassword {
			p.text("stderr", "WARNING: "+p.h.echoes()+"\r\n")
		}
		if p.h.fault() == FaultGarbage {
			p.write("stdout", garbage(f))
		} else {
			p.write("stdout", facts.Encode(f))
		}
		return 0
	}
	failed := false
	for n, stmt := range psStatements(program) {
		words := psWords(stmt)
		if len(words) == 0 {
			continue
		}
		switch strings.ToLower(words[0]) {
		case "write-host":
			// Write-Host writes the text and the line end separately; PowerShell's host writes
			// "\n" (test_winrs_send.yml, test_winrs_unicode.yml).
			p.text("stdout", strings.Join(words[1:], " "))
			p.text("stdout", "\n")
		case "write-output", "echo", "write":
			p.text("stdout", strings.Join(words[1:], " ")+"\r\n")
		case "start-sleep", "sleep":
			p.t += sleepDuration(words[1:])
		case "hostname":
			p.hostname()
		case "exit":
			code := 0
			if len(words) > 1 {
				code, _ = strconv.Atoi(words[1])
			}
			return code
		default:
			failed = true
			name := words[0]
			p.psError(clixml, fmt.Sprintf("%s : The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program. "+
				"Check the spelling of the name, or if a path was included, verify that the path is correct and try again.\r\n"+
				"At line:%d char:1\r\n+ %s\r\n+ %s\r\n"+
				"    + CategoryInfo          : ObjectNotFound: (%s:String) [], CommandNotFoundException\r\n"+
				"    + FullyQualifiedErrorId : CommandNotFoundException\r\n \r\n",
				name, name, n+1, strings.TrimSpace(stmt), strings.Repeat("~", len([]rune(name))), name))
		}
	}
	if failed {
		return 1
	}
	return 0
}

func (p *proc) psFail(clixml bool, msg string) int {
	p.psError(clixml, msg+"\r\n")
	return 1
}

// psError writes an error record as PowerShell does: plain text, or CLIXML when it was started
// with -EncodedCommand and its output is redirected.
func (p *proc) psError(clixml bool, text string) {
	if !clixml {
		p.text("stderr", text)
		return
	}
	var b strings.Builder
	b.WriteString("#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">")
	for _, l := range strings.SplitAfter(text, "\r\n") {
		if l == "" {
			continue
		}
		line, crlf := strings.CutSuffix(l, "\r\n")
		line = esc(line)
		if crlf {
			line += "_x000D__x000A_"
		}
		b.WriteString(`<S S="Error">` + line + `</S>`)
	}
	b.WriteString("</Objs>")
	p.text("stderr", b.String())
}

// psStatements splits a program at line ends and semicolons outside quotes; # starts a comment.
func psStatements(program string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	comment := false
	for _, r := range program {
		switch {
		case comment:
			if r == '\n' {
				comment = false
				out = append(out, cur.String())
				cur.Reset()
			}
		case quote != 0:
			cur.WriteRune(r)
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
			cur.WriteRune(r)
		case r == '#':
			comment = true
		case r == ';' || r == '\n':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, cur.String())
}

// psWords splits a statement into its words, quotes removed.
func psWords(stmt string) []string {
	var words []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, r := range strings.TrimSpace(stmt) {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t' || r == '\r':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// sleepDuration reads Start-Sleep's arguments: N, -Seconds N or -Milliseconds N.
func sleepDuration(args []string) time.Duration {
	unit := time.Second
	for _, a := range args {
		switch {
		case psParam(a, "milliseconds", 1):
			unit = time.Millisecond
		case psParam(a, "seconds", 1):
			unit = time.Second
		default:
			if f, err := strconv.ParseFloat(a, 64); err == nil && f >= 0 && f < 1e6 {
				return time.Duration(f * float64(unit))
			}
		}
	}
	return 0
}
