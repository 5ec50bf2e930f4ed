// Package psgrammar judges PowerShell texts with a real PowerShell grammar: tree-sitter-powershell,
// run by node in one long-lived process per Validator. It returns every syntax error (an ERROR or
// MISSING node of the syntax tree) with its line, column and source line, renders them as
// PowerShell's parser reports them ("At line:N char:M"), and checks that a text uses only what
// PowerShell 2.0 and .NET 2.0-3.5 have (Check20): Windows 7 SP1 ships PowerShell 2.0.
//
// It is for tests: nothing in the tlsready binary needs node. The grammar is installed with
// scripts/ps-grammar.sh into a directory named by TLSREADY_PS_GRAMMAR (or the default under the
// user cache directory, see Locate).
package psgrammar

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// EnvDir is the environment variable that names the directory scripts/ps-grammar.sh installed
// the grammar into (the one holding node_modules).
const EnvDir = "TLSREADY_PS_GRAMMAR"

// InstallHint is the command that installs the grammar, for messages.
const InstallHint = "bash scripts/ps-grammar.sh install /tmp/tlsready-psgrammar && export " + EnvDir + "=/tmp/tlsready-psgrammar"

// ErrNotInstalled is returned by Locate and FromEnv when node or the grammar is missing.
var ErrNotInstalled = errors.New("PowerShell grammar not installed")

//go:embed parse.js
var serverJS string

// Config configures a Validator. Zero values take the defaults.
type Config struct {
	// Dir holds node_modules with tree-sitter and tree-sitter-powershell (see Locate).
	Dir string
	// Node is the node executable; default "node" from PATH.
	Node string
	// ParseTimeout bounds one parse, the round trip included; default 20 s.
	ParseTimeout time.Duration
	// MaxAnswer bounds the size of one answer of the node process; default 16 MiB.
	MaxAnswer int
	// MaxText bounds the size of a text to parse; default 4 MiB.
	MaxText int
	// MaxCache bounds the number of results kept (by SHA-256 of the text); default 4096.
	MaxCache int
}

// Locate returns the grammar directory: $TLSREADY_PS_GRAMMAR, else <user cache dir>/tlsready/
// ps-grammar. The error wraps ErrNotInstalled when it (or node) is missing.
func Locate() (string, error) {
	dir := os.Getenv(EnvDir)
	from := EnvDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("%w: %s not set and no user cache dir (%v); run %s", ErrNotInstalled, EnvDir, err, InstallHint)
		}
		dir, from = filepath.Join(cache, "tlsready", "ps-grammar"), "the default location"
	}
	for _, m := range []string{"tree-sitter", "tree-sitter-powershell"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", m, "package.json")); err != nil {
			return "", fmt.Errorf("%w: no %s in %s (%s); run %s", ErrNotInstalled, m, dir, from, InstallHint)
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		return "", fmt.Errorf("%w: node not found (%v); install nodejs and npm, then run %s", ErrNotInstalled, err, InstallHint)
	}
	return dir, nil
}

// FromEnv starts a Validator on the grammar Locate finds.
func FromEnv(ctx context.Context) (*Validator, error) {
	dir, err := Locate()
	if err != nil {
		return nil, err
	}
	return New(ctx, Config{Dir: dir})
}

// Validator parses PowerShell texts in one node process, one text at a time; it is safe for
// concurrent use. Results are cached by the SHA-256 of the text, so a text parsed again costs a
// hash. A node process that fails or exceeds ParseTimeout is killed; the next Parse starts another.
type Validator struct {
	cfg Config

	mu      sync.Mutex
	proc    *nodeProc
	nextID  int
	cache   map[[32]byte]*Result
	starts  int
	parses  int
	started time.Duration // time the first start took
}

type nodeProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *os.File
	reader *bufio.Reader
	stderr *os.File // an unlinked temporary file: what node said before it died
}

// New starts the node process and parses a first text, so that a missing or broken grammar is an
// error here.
func New(ctx context.Context, cfg Config) (*Validator, error) {
	if cfg.Dir == "" {
		return nil, fmt.Errorf("psgrammar: Config.Dir is empty")
	}
	if cfg.Node == "" {
		cfg.Node = "node"
	}
	if cfg.ParseTimeout <= 0 {
		cfg.ParseTimeout = 20 * time.Second
	}
	if cfg.MaxAnswer <= 0 {
		cfg.MaxAnswer = 16 << 20
	}
	if cfg.MaxText <= 0 {
		cfg.MaxText = 4 << 20
	}
	if cfg.MaxCache <= 0 {
		cfg.MaxCache = 4096
	}
	v := &Validator{cfg: cfg, cache: map[[32]byte]*Result{}}
	t0 := time.Now()
	r, err := v.Parse(ctx, "$ErrorActionPreference = 'Stop'")
	if err != nil {
		v.Close()
		return nil, fmt.Errorf("psgrammar: first parse: %w", err)
	}
	if len(r.Errors) != 0 {
		v.Close()
		return nil, fmt.Errorf("psgrammar: the grammar rejects a one-line assignment: %v", r.Errors)
	}
	v.started = time.Since(t0)
	return v, nil
}

// Startup is how long New took to start node and parse its first text.
func (v *Validator) Startup() time.Duration { return v.started }

// Stats returns how many node processes were started and how many texts were parsed by node
// (cache hits excluded).
func (v *Validator) Stats() (starts, parses int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.starts, v.parses
}

// Close stops the node process.
func (v *Validator) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.proc == nil {
		return nil
	}
	err := v.proc.stop(false)
	v.proc = nil
	return err
}

func (v *Validator) start() (*nodeProc, error) {
	errf, err := os.CreateTemp("", "psgrammar-stderr-*")
	if err != nil {
		return nil, fmt.Errorf("psgrammar: stderr file: %w", err)
	}
	_ = os.Remove(errf.Name())
	cmd := exec.Command(v.cfg.Node, "-e", serverJS)
	cmd.Dir = v.cfg.Dir
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(v.cfg.Dir, "node_modules"),
		fmt.Sprintf("PSGRAMMAR_TIMEOUT_MICROS=%d", v.cfg.ParseTimeout.Microseconds()))
	cmd.Stderr = errf
	stdin, err := cmd.StdinPipe()
	if err != nil {
		errf.Close()
		return nil, fmt.Errorf("psgrammar: %w", err)
	}
	// An *os.File pipe of our own, not cmd.StdoutPipe: reads take deadlines, so a parse is
	// bounded without a goroutine per process.
	pr, pw, err := os.Pipe()
	if err != nil {
		stdin.Close()
		errf.Close()
		return nil, fmt.Errorf("psgrammar: %w", err)
	}
	cmd.Stdout = pw
	if err := cmd.Start(); err != nil {
		stdin.Close()
		pr.Close()
		pw.Close()
		errf.Close()
		return nil, fmt.Errorf("psgrammar: start %s: %w", v.cfg.Node, err)
	}
	pw.Close()
	v.starts++
	return &nodeProc{cmd: cmd, stdin: stdin, stdout: pr, reader: bufio.NewReaderSize(pr, 64<<10), stderr: errf}, nil
}

// stop ends the process: by closing its stdin (it exits at end of input), or by killing it.
func (p *nodeProc) stop(kill bool) error {
	_ = p.stdin.Close()
	if kill {
		_ = p.cmd.Process.Kill()
	}
	err := p.cmd.Wait()
	p.stdout.Close()
	p.stderr.Close()
	if kill {
		return nil
	}
	return err
}

// stderrTail is the end of what node wrote on stderr, for an error message.
func (p *nodeProc) stderrTail() string {
	b := make([]byte, 2048)
	fi, err := p.stderr.Stat()
	if err != nil {
		return ""
	}
	off := fi.Size() - int64(len(b))
	if off < 0 {
		off = 0
	}
	n, _ := p.stderr.ReadAt(b, off)
	return strings.TrimSpace(string(b[:n]))
}

// Parse parses src and returns its syntax errors and tokens. The error is about the parsing
// itself (node missing or failing, a timeout, the text too large), never about src's syntax.
func (v *Validator) Parse(ctx context.Context, src string) (*Result, error) {
	if len(src) > v.cfg.MaxText {
		return nil, fmt.Errorf("psgrammar: text of %d bytes, over the limit of %d", len(src), v.cfg.MaxText)
	}
	sum := sha256.Sum256([]byte(src))
	v.mu.Lock()
	defer v.mu.Unlock()
	if r, ok := v.cache[sum]; ok {
		return r, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("psgrammar: %w", err)
	}
	if v.proc == nil {
		p, err := v.start()
		if err != nil {
			return nil, err
		}
		v.proc = p
	}
	r, err := v.roundTrip(ctx, src)
	if err != nil {
		tail := v.proc.stderrTail()
		_ = v.proc.stop(true)
		v.proc = nil
		if tail != "" {
			err = fmt.Errorf("%w (node stderr: %s)", err, tail)
		}
		return nil, err
	}
	v.parses++
	if len(v.cache) < v.cfg.MaxCache {
		v.cache[sum] = r
	}
	return r, nil
}

type request struct {
	ID  int    `json:"id"`
	Src string `json:"src"`
}

type answer struct {
	ID          *int         `json:"id"`
	Fail        string       `json:"fail"`
	Errors      []rawError   `json:"errors"`
	Tokens      []Token      `json:"tokens"`
	Commands    []Command    `json:"commands"`
	Workarounds []Workaround `json:"workarounds"`
	Truncated   bool         `json:"truncated"`
}

type rawError struct {
	Kind   string `json:"kind"`
	Type   string `json:"type"`
	Row    int    `json:"row"`
	Column int    `json:"column"`
	Text   string `json:"text"`
	// OpenRow and OpenColumn: for a MISSING node, where its parent starts.
	OpenRow    *int `json:"openRow"`
	OpenColumn *int `json:"openColumn"`
}

func (v *Validator) roundTrip(ctx context.Context, src string) (*Result, error) {
	p := v.proc
	v.nextID++
	id := v.nextID
	line, err := json.Marshal(request{ID: id, Src: src})
	if err != nil {
		return nil, fmt.Errorf("psgrammar: %w", err)
	}
	deadline := time.Now().Add(v.cfg.ParseTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := p.stdout.SetReadDeadline(deadline); err != nil {
		return nil, fmt.Errorf("psgrammar: read deadline: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = p.stdout.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		return nil, fmt.Errorf("psgrammar: send text to node: %w", err)
	}
	b, err := readLine(p.reader, v.cfg.MaxAnswer)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("psgrammar: %w", ctx.Err())
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, fmt.Errorf("psgrammar: no answer from node within %s", v.cfg.ParseTimeout)
		}
		return nil, fmt.Errorf("psgrammar: read node's answer: %w", err)
	}
	var a answer
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("psgrammar: node's answer: %w", err)
	}
	if a.ID == nil || *a.ID != id {
		return nil, fmt.Errorf("psgrammar: node answered request %v, want %d", a.ID, id)
	}
	if a.Fail != "" {
		return nil, fmt.Errorf("psgrammar: node: %s", a.Fail)
	}
	r := &Result{Tokens: a.Tokens, Commands: a.Commands, Workarounds: a.Workarounds, Truncated: a.Truncated}
	lines := strings.Split(src, "\n")
	for _, e := range a.Errors {
		se := SyntaxError{Line: e.Row + 1, Column: e.Column + 1, Missing: e.Kind == "MISSING", Text: e.Text}
		if se.Missing {
			se.Text = e.Type
		}
		if e.Row >= 0 && e.Row < len(lines) {
			se.Source = strings.TrimRight(lines[e.Row], "\r")
		}
		if e.OpenRow != nil && e.OpenColumn != nil && *e.OpenRow >= 0 && *e.OpenRow < len(lines) {
			se.OpenLine, se.OpenColumn = *e.OpenRow+1, *e.OpenColumn+1
			se.OpenSource = strings.TrimRight(lines[*e.OpenRow], "\r")
		}
		r.Errors = append(r.Errors, se)
	}
	return r, nil
}

// readLine reads one line of at most max bytes.
func readLine(r *bufio.Reader, max int) ([]byte, error) {
	var buf bytes.Buffer
	for {
		chunk, err := r.ReadSlice('\n')
		if buf.Len()+len(chunk) > max {
			return nil, fmt.Errorf("answer over %d bytes", max)
		}
		buf.Write(chunk)
		switch {
		case err == nil:
			return buf.Bytes(), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return nil, err
		}
	}
}
