package psgrammar_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/internal/psgrammar"
	"github.com/tlsready/tlsready/internal/psgrammar/psgtest"
)

// grammar is this test binary's one node process.
var grammar = psgtest.Opener()

func parse(t *testing.T, src string) *psgrammar.Result {
	t.Helper()
	r, err := psgtest.Require(t, grammar).Parse(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// oldKitLine is the 64-bit line of Set-TLS12.ps1 before the fix: the comment swallows the
// closing brace, so PowerShell refuses the whole file.
const oldKitLine = "if ($is64) { Set-TlsDword -Key 'SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp' -Name 'DefaultSecureProtocols' -Data 0xa00 # DSP_NO_TLS12, KB3140245_MISSING }\r\n"

func TestSyntaxErrors(t *testing.T) {
	psgtest.Require(t, grammar)
	tests := []struct {
		name string
		src  string
		want string // a substring of the first SyntaxError.String(); "": it parses
	}{
		{"assignment", "$a = 1\r\n", ""},
		{"function and pipeline", "function F([string]$s) { $s | Out-Null }\r\nF 'x' | ForEach-Object { $_ }\r\n", ""},
		{"comment swallows the closing brace", oldKitLine + "Write-Verbose 'done'\r\n", `line 2 col 21: missing "}" to close line 1 col 12: if ($is64) {`},
		{"comment on its own line", "if ($is64) {\r\n    # DSP_NO_TLS12\r\n    Set-TlsDword -Data 0xa00\r\n}\r\n", ""},
		{"upper-case L suffix (a grammar bug: PowerShell takes it)", "$x = ($a -band 0xffffffffL)\r\n", `line 1 col 26: syntax error at "L"`},
		{"unclosed parenthesis", "$x = (1 + 2\r\n", `line 1 col 1: syntax error at "$x = (1 + 2"`},
		{"stray closing brace", "$x = 1 }\r\n", `syntax error at "}"`},
		{"PowerShell 7 null coalescing", "$x = $a ?? $b\r\n", `syntax error at "$a ??"`},
		{"-cin, unknown to the grammar (PowerShell 3.0)", "$x = $a -cin $b\r\n", `syntax error at "cin"`},
		{"empty here-string (a grammar bug, worked around)", "$w = @'\r\n'@\r\n$y = 1\r\n", ""},
		{"error after an empty here-string still found", "$w = @'\r\n'@\r\nif ($y) {\r\n", `line 3 col 10: missing "}" to close line 3 col 9`},
		{"here-string with text", "$w = @'\r\na\r\n'@\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parse(t, tt.src)
			if (len(r.Errors) == 0) != (tt.want == "") {
				t.Fatalf("errors %v, want %q", r.Errors, tt.want)
			}
			if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].String(), tt.want) {
				t.Errorf("first error %s, want %q (all: %v)", r.Errors[0], tt.want, r.Errors)
			}
			if hs := strings.Contains(tt.src, "@'\r\n'@"); hs != (len(r.Workarounds) == 1) {
				t.Errorf("workarounds %v for an empty here-string: %t", r.Workarounds, hs)
			}
		})
	}
}

// The message is PowerShell's form: position, source line, a marker under the place, message,
// category.
func TestParseErrorText(t *testing.T) {
	psgtest.Require(t, grammar)
	r := parse(t, "$a = 1\r\n"+oldKitLine)
	got := r.ParseError()
	for _, want := range []string{"At line:2 char:12\r\n+ if ($is64) {", "Missing closing '}' in statement block or type definition.",
		"FullyQualifiedErrorId : MissingEndCurlyBrace", "ParserError"} {
		if !strings.Contains(got, want) {
			t.Errorf("parse error text lacks %q:\n%s", want, got)
		}
	}
	r = parse(t, "$a = 1 }\r\n")
	got = r.ParseError()
	if !strings.HasPrefix(got, "At line:1 char:8\r\n+ $a = 1 }\r\n+        ~\r\nUnexpected token '}' in expression or statement.") {
		t.Errorf("unexpected-token text:\n%q", got)
	}
	if s := parse(t, "$a = 1\r\n").ParseError(); s != "" {
		t.Errorf("a valid text has a parse error text %q", s)
	}
}

// Texts parsed again come from the cache; one node process serves them all.
func TestOneProcessAndCache(t *testing.T) {
	v, err := psgrammar.FromEnv(t.Context())
	if errors.Is(err, psgrammar.ErrNotInstalled) {
		psgtest.Require(t, grammar)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ctx := t.Context()
	texts := []string{"$a = 1", "$b = 2", "if ($a) {"}
	for range 3 {
		for _, s := range texts {
			if _, err := v.Parse(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	starts, parses := v.Stats()
	if starts != 1 || parses != 1+len(texts) {
		t.Errorf("%d node processes and %d parses, want 1 and %d (the first parse of New, then each text once)", starts, parses, 1+len(texts))
	}
	// After Close, the next Parse starts a new process.
	if err := v.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if r, err := v.Parse(ctx, "if ($b) {"); err != nil || len(r.Errors) != 1 {
		t.Fatalf("after Close: %v %v", r, err)
	}
	if starts, _ := v.Stats(); starts != 2 {
		t.Errorf("%d starts after Close and a Parse, want 2", starts)
	}
	// A cancelled context and a text over the limit are errors, not results.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := v.Parse(cctx, "$c = 3"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if _, err := v.Parse(ctx, strings.Repeat("#", 5<<20)); err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Errorf("5 MiB text: %v", err)
	}
}

// A directory without the grammar, or no node, is an error from New, with node's reason.
func TestNewFails(t *testing.T) {
	dir := t.TempDir()
	if _, err := psgrammar.New(t.Context(), psgrammar.Config{Dir: dir, Node: filepath.Join(dir, "no-node")}); err == nil {
		t.Error("New with a missing node executable succeeded")
	}
	if _, err := os.Stat("/usr/bin/node"); err == nil {
		_, err := psgrammar.New(t.Context(), psgrammar.Config{Dir: dir})
		if err == nil || !strings.Contains(err.Error(), "tree-sitter") {
			t.Errorf("New on an empty directory: %v, want node's missing-module error", err)
		}
	}
	t.Setenv(psgrammar.EnvDir, dir)
	if _, err := psgrammar.Locate(); !errors.Is(err, psgrammar.ErrNotInstalled) {
		t.Errorf("Locate on an empty directory: %v", err)
	}
}
