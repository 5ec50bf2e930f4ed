package psgrammar

import (
	"context"
	"fmt"
	"strings"
)

// Result is what the grammar made of a text.
type Result struct {
	// Errors are the syntax errors, in the order of the tree: none when the text parses.
	Errors []SyntaxError
	// Tokens are the leaves of the syntax tree (and the ERROR nodes), in source order; command
	// argument separators are left out.
	Tokens []Token
	// Commands are the command invocations (Get-Item -Path x), in source order.
	Commands []Command
	// Workarounds are the places where a known grammar bug was worked around (see parse.js).
	Workarounds []Workaround
	// Truncated is true when node left errors or tokens out (over 100 errors, 200,000 tokens).
	Truncated bool
}

// SyntaxError is an ERROR node (text the grammar could not place) or a MISSING node (a token the
// grammar had to assume, such as a closing brace).
type SyntaxError struct {
	Line, Column int // 1-based; Column counts UTF-16 units from the line start
	// Missing is true for a MISSING node: Text is then the missing token, e.g. "}".
	Missing bool
	// Text is the start of the text in error (up to 120 characters), or the missing token.
	Text string
	// Source is the source line it starts on.
	Source string
	// OpenLine, OpenColumn and OpenSource are, for a missing token, where the construct that
	// lacks it starts (the block of a missing "}"): PowerShell reports a missing closer there.
	OpenLine, OpenColumn int
	OpenSource           string
}

// String renders the error on one line: position, what is wrong, and the source line (for a
// missing closer, the line of the construct it should close).
func (e SyntaxError) String() string {
	if e.Missing && e.OpenLine > 0 {
		return fmt.Sprintf("line %d col %d: missing %q to close line %d col %d: %s", e.Line, e.Column, e.Text, e.OpenLine, e.OpenColumn, snippet(e.OpenSource))
	}
	if e.Missing {
		return fmt.Sprintf("line %d col %d: missing %q: %s", e.Line, e.Column, e.Text, snippet(e.Source))
	}
	return fmt.Sprintf("line %d col %d: syntax error at %q: %s", e.Line, e.Column, snippet(e.Text), snippet(e.Source))
}

// Message is the error as PowerShell's parser words it, approximately: the grammar knows where
// the text goes wrong, not PowerShell's own reason. It returns the message and the error id
// (ParseError.ErrorId).
func (e SyntaxError) Message() (string, string) {
	if e.Missing {
		switch e.Text {
		case "}":
			return "Missing closing '}' in statement block or type definition.", "MissingEndCurlyBrace"
		case ")":
			return "Missing closing ')' in expression.", "MissingEndParenthesisInExpression"
		case "]":
			return "Missing ] at end of attribute or type literal.", "EndSquareBracketExpectedAtEndOfAttribute"
		case "\"", "'":
			return "The string is missing the terminator: " + e.Text + ".", "TerminatorExpectedAtEndOfString"
		}
		return fmt.Sprintf("Missing '%s'.", e.Text), "MissingToken"
	}
	tok := strings.TrimSpace(e.Text)
	if i := strings.IndexAny(tok, "\r\n"); i >= 0 {
		tok = tok[:i]
	}
	if f := strings.Fields(tok); len(f) > 0 {
		tok = f[0]
	}
	return fmt.Sprintf("Unexpected token '%s' in expression or statement.", tok), "UnexpectedToken"
}

func snippet(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 240 {
		return s[:240] + "..."
	}
	return s
}

// Token is a leaf of the syntax tree: a keyword, operator or punctuation ("op", with its text),
// or a named node such as variable, command_name, command_parameter, type_identifier,
// simple_name (a member name), comment, or ERROR.
type Token struct {
	Type   string `json:"t"`
	Text   string `json:"s"`      // up to 120 characters
	Parent string `json:"p"`      // the type of its parent node
	Row    int    `json:"row"`    // 0-based
	Column int    `json:"column"` // 0-based
	// InString is true inside a string literal, outside any $( ) sub-expression in it.
	InString bool `json:"str"`
}

// Command is one command invocation.
type Command struct {
	Name     string `json:"name"`
	Row      int    `json:"row"`
	Column   int    `json:"column"`
	InString bool   `json:"str"`
	// Args are the first 16 command elements: parameters (command_parameter) and arguments.
	Args []Arg `json:"args"`
}

// Arg is one command element: its node type and its text (up to 120 characters).
type Arg struct {
	Type string `json:"t"`
	Text string `json:"s"`
}

// Workaround is a place where the text was rewritten to get around a known grammar bug before
// it was parsed.
type Workaround struct {
	Row    int    `json:"row"`
	Column int    `json:"column"`
	What   string `json:"what"`
}

// ParseError renders the first syntax error as PowerShell prints a ParseException: the position,
// the source line with a marker under the place, the message, and the category lines. It returns
// "" when the text parses.
func (r *Result) ParseError() string {
	if len(r.Errors) == 0 {
		return ""
	}
	e := r.Errors[0]
	msg, id := e.Message()
	line, col, src := e.Line, e.Column, e.Source
	if e.Missing && e.OpenLine > 0 {
		line, col, src = e.OpenLine, e.OpenColumn, e.OpenSource
	}
	if col < 1 {
		col = 1
	}
	return fmt.Sprintf("At line:%d char:%d\r\n+ %s\r\n+ %s~\r\n%s\r\n"+
		"    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException\r\n"+
		"    + FullyQualifiedErrorId : %s\r\n \r\n",
		line, col, src, strings.Repeat(" ", col-1), msg, id)
}

// ScriptError parses src and returns PowerShell's error text for it (Result.ParseError): "" when
// it parses. It fits winrmsim.Options.ScriptValidator.
func (v *Validator) ScriptError(ctx context.Context, src string) (string, error) {
	r, err := v.Parse(ctx, src)
	if err != nil {
		return "", err
	}
	return r.ParseError(), nil
}
