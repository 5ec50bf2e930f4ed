package winrmsim

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// PowerShell in Constrained Language Mode (Profile.LanguageMode LanguageConstrained), as
// AppLocker or WDAC script enforcement makes it for a remote command: commands, variables,
// property access, comparisons, strings and exit work, but a method can be invoked only on a
// core type ([string], [int], [scriptblock], ...); any other fails with
// MethodInvocationNotSupportedInConstrainedLanguage. The simulated PowerShell runs the program
// of the command line statement by statement, with the subset below: assignments, if with -and,
// -not, -eq and -ne, string output ('a'+$b, "a $b $(...)"), exit, the cmdlets of psScript, and
// running the program on stdin ([ScriptBlock]::Create, Invoke-Expression). A program (on the
// command line or on stdin) that invokes a method of another type fails at that call with
// PowerShell's error record on stderr and exit code 1.

var (
	// clmCall finds a method invoked on a type literal or on a member reached from one:
	// [Console]::Error.WriteLine(, [BitConverter]::ToString(.
	clmCall   = regexp.MustCompile(`\[([A-Za-z_][\w.]*)\]::\w+(?:\.\w+)*\s*\(`)
	clmIf     = regexp.MustCompile(`(?is)^if\s*\((.*)\)\s*\{(.*)\}$`)
	clmExit   = regexp.MustCompile(`(?i)^exit(?:\s+(\d+))?$`)
	clmAssign = regexp.MustCompile(`^\$(\w+)\s*=\s*(.*)$`)
	clmVar    = regexp.MustCompile(`^\$(\w+)$`)
	// clmMode is $ExecutionContext.SessionState.LanguageMode, in any of its spellings.
	clmMode = regexp.MustCompile(`(?i)\$ExecutionContext\.SessionState\.LanguageMode`)
	// clmModeSub is $($ExecutionContext.SessionState.LanguageMode) in a double-quoted string.
	clmModeSub = regexp.MustCompile(`(?i)\$\(\s*\$ExecutionContext\.SessionState\.LanguageMode\s*\)`)
	clmVarRef  = regexp.MustCompile(`\$(\w+)`)
	clmAnd     = regexp.MustCompile(`(?i)\s+-and\s+`)
	clmCompare = regexp.MustCompile(`(?i)\s+-(eq|ne)\s+`)
)

// clmCoreType reports whether Constrained Language Mode allows the methods of a type (a part of
// PowerShell's list of core types): t in lower case, without "System.".
func clmCoreType(t string) bool {
	switch t {
	case "string", "char", "int", "int32", "int64", "long", "bool", "boolean", "byte", "double", "decimal",
		"single", "float", "array", "hashtable", "regex", "scriptblock", "datetime", "timespan", "version", "guid":
		return true
	}
	return false
}

// clm is one run of a program in Constrained Language Mode.
type clm struct {
	p      *proc
	mode   string
	stdin  string // the program on stdin, which the command line's program may run
	clixml bool
	vars   map[string]string
}

// psConstrained runs first (the command line's program, or stdin's for "powershell -") in
// Constrained Language Mode; stdinProgram is what arrived on stdin.
func (p *proc) psConstrained(first, stdinProgram string, clixml bool) int {
	c := &clm{p: p, mode: LanguageConstrained, stdin: stdinProgram, clixml: clixml, vars: map[string]string{}}
	code, _ := c.run(first)
	return code
}

// run runs the statements of a program; it reports the exit code and whether the program
// ended (exit, or an error that stops it).
func (c *clm) run(program string) (int, bool) {
	for _, st := range clmStatements(program) {
		s := strings.TrimSpace(st)
		if s == "" {
			continue
		}
		if m := clmIf.FindStringSubmatch(s); m != nil {
			ok, good := c.cond(m[1])
			if !good {
				return c.p.psFail(c.clixml, "winrmsim: cannot interpret the condition "+m[1]), true
			}
			if ok {
				if code, ended := c.run(m[2]); ended {
					return code, true
				}
			}
			continue
		}
		if call, ok := forbiddenCall(s); ok {
			return c.methodError(program, call), true
		}
		lower := strings.ToLower(s)
		switch m := clmExit.FindStringSubmatch(s); {
		case m != nil:
			code, _ := strconv.Atoi(m[1])
			return code, true
		case s[0] == '\'' || s[0] == '"':
			if v, ok := c.expr(s); ok {
				c.p.text("stdout", v+"\r\n")
			}
		case clmAssign.MatchString(s):
			m := clmAssign.FindStringSubmatch(s)
			switch rhs := m[2]; {
			case strings.Contains(strings.ToLower(rhs), "$input"):
				c.vars[strings.ToLower(m[1])] = c.stdin
			default:
				v, _ := c.expr(rhs)
				c.vars[strings.ToLower(m[1])] = v
			}
		case strings.Contains(lower, "[scriptblock]::create("), strings.HasPrefix(lower, "iex "),
			strings.HasPrefix(lower, "invoke-expression "):
			return c.runStdin()
		default:
			if w := psWords(s); len(w) > 0 {
				switch strings.ToLower(w[0]) {
				case "write-host", "write-output", "echo", "write", "start-sleep", "sleep", "hostname":
					c.p.psScript(s, c.clixml)
				}
			}
		}
	}
	return 0, false
}

// runStdin runs the program that arrived on stdin: it fails at its first method call on a type
// that is not a core type (the collector's first .NET call), else it runs as in FullLanguage.
func (c *clm) runStdin() (int, bool) {
	if call, ok := forbiddenCall(c.stdin); ok {
		return c.methodError(c.stdin, call), true
	}
	if strings.Contains(c.stdin, facts.ItemsBegin) || strings.Contains(c.stdin, facts.WritesMarker) {
		// A collector or registry writer that shows no call of its own stands for remote's
		// scripts, which read and write the registry through .NET.
		return c.methodError(registryCall, registryCall), true
	}
	return c.p.psScript(c.stdin, c.clixml), true
}

// registryCall is a .NET call of the kind remote's collector makes first.
const registryCall = "[Microsoft.Win32.Registry]::Users.GetSubKeyNames()"

// forbiddenCall returns the first method call in s on a type that is not a core type.
func forbiddenCall(s string) (string, bool) {
	for _, m := range clmCall.FindAllStringSubmatch(s, -1) {
		if !clmCoreType(strings.TrimPrefix(strings.ToLower(m[1]), "system.")) {
			return m[0], true
		}
	}
	return "", false
}

// methodError writes PowerShell's error record for a method call that Constrained Language
// Mode refuses, at its place in program, and returns the exit code 1.
func (c *clm) methodError(program, call string) int {
	at := strings.Index(program, call)
	if at < 0 {
		program, at = call, 0
	}
	line := 1 + strings.Count(program[:at], "\n")
	start := strings.LastIndexByte(program[:at], '\n') + 1
	end := strings.IndexByte(program[at:], '\n')
	if end < 0 {
		end = len(program) - at
	}
	text := strings.TrimRight(program[start:at+end], "\r")
	col := at - start + 1
	c.p.psError(c.clixml, "Cannot invoke method. Method invocation is supported only on core types in this language mode.\r\n"+
		"At line:"+strconv.Itoa(line)+" char:"+strconv.Itoa(col)+"\r\n"+
		"+ "+text+"\r\n"+
		"+ "+strings.Repeat(" ", col-1)+strings.Repeat("~", len(strings.TrimRight(call, "( ")))+"\r\n"+
		"    + CategoryInfo          : InvalidOperation: (:) [], RuntimeException\r\n"+
		"    + FullyQualifiedErrorId : MethodInvocationNotSupportedInConstrainedLanguage\r\n \r\n")
	return 1
}

// cond evaluates a condition of terms joined by -and: -not X, A -eq B, A -ne B (compared
// case-insensitively, as PowerShell does), or X (true when not empty). It reports false in its
// second result when it cannot interpret the condition.
func (c *clm) cond(s string) (bool, bool) {
	for _, term := range clmAnd.Split(strings.TrimSpace(s), -1) {
		term = strings.TrimSpace(term)
		var v, ok bool
		if rest, neg := cutPrefixFold(term, "-not "); neg {
			x, good := c.expr(rest)
			v, ok = x == "", good
		} else if op := clmCompare.FindStringSubmatchIndex(term); op != nil {
			a, ga := c.expr(term[:op[0]])
			b, gb := c.expr(term[op[1]:])
			eq := strings.EqualFold(a, b)
			v, ok = eq, ga && gb
			if strings.EqualFold(term[op[2]:op[3]], "ne") {
				v = !eq
			}
		} else {
			x, good := c.expr(term)
			v, ok = x != "", good
		}
		if !ok {
			return false, false
		}
		if !v {
			return false, true
		}
	}
	return true, true
}

// expr evaluates a string expression: terms joined by +, each '...', "..." (with $name and
// $(...) of the language mode expanded), $name, or the language mode property.
func (c *clm) expr(s string) (string, bool) {
	var out strings.Builder
	for _, t := range splitPlus(strings.TrimSpace(s)) {
		t = strings.TrimSpace(t)
		switch {
		case len(t) >= 2 && t[0] == '\'' && t[len(t)-1] == '\'':
			out.WriteString(strings.ReplaceAll(t[1:len(t)-1], "''", "'"))
		case len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"':
			in := clmModeSub.ReplaceAllLiteralString(t[1:len(t)-1], c.mode)
			in = clmVarRef.ReplaceAllStringFunc(in, func(v string) string { return c.vars[strings.ToLower(v[1:])] })
			out.WriteString(in)
		case clmMode.MatchString(t) && clmMode.FindString(t) == t:
			out.WriteString(c.mode)
		case clmVar.MatchString(t):
			out.WriteString(c.vars[strings.ToLower(t[1:])])
		default:
			return "", false
		}
	}
	return out.String(), true
}

// splitPlus splits at + outside quotes.
func splitPlus(s string) []string {
	var out []string
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '+':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// clmStatements splits a program at semicolons and line ends outside quotes, braces and
// parentheses; # starts a comment.
func clmStatements(program string) []string {
	var out []string
	var quote byte
	depth, start := 0, 0
	for i := 0; i < len(program); i++ {
		ch := program[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '#' && depth == 0:
			out = append(out, program[start:i])
			for i < len(program) && program[i] != '\n' {
				i++
			}
			start = i + 1
		case ch == '{' || ch == '(':
			depth++
		case ch == '}' || ch == ')':
			depth--
		case (ch == ';' || ch == '\n') && depth == 0:
			out = append(out, program[start:i])
			start = i + 1
		}
	}
	if start < len(program) {
		out = append(out, program[start:])
	}
	return out
}
