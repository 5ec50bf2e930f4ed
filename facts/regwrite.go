package facts

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// The registry writer ("tlsready fix") is a PowerShell program, like the collector, whose data
// is a block of TAB-separated lines: one write per line. It answers with one "prior" line per
// write (the value before, as the collector reports values) and one "applied" line per write it
// made. The simulated hosts read the same block.

// WritesBegin and WritesEnd enclose the writes in the program (a PowerShell here-string);
// WritesApply is the program's line that makes it write, not only read.
const (
	WritesMarker = "# tlsready-registry-writer v1"
	WritesApply  = "$apply = $true"
	WritesDryRun = "$apply = $false"
	WritesBegin  = "$writes = @'"
	WritesEnd    = "'@"
)

// Write operations.
const (
	OpDWORD  = "dword"  // set a REG_DWORD: Data is the unsigned decimal number
	OpString = "sz"     // set a REG_SZ (to put back a value that was a string): Data is the text
	OpDelete = "delete" // delete the value (to put back a value that was absent); Data "key":
	// the key did not exist either, so it goes too once it holds no value and no subkey
)

// RegWrite is one registry value to write under HKEY_LOCAL_MACHINE. Key starts with HKLM\.
type RegWrite struct {
	Op   string `json:"op"`
	Key  string `json:"key"`
	Name string `json:"name"`
	Data string `json:"data,omitempty"`
}

// EncodeWrites renders writes as the lines of the program's block: op, key, name and base64
// data, TAB-separated.
func EncodeWrites(ws []RegWrite) (string, error) {
	var b strings.Builder
	for _, w := range ws {
		if err := w.check(); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", w.Op, w.Key, w.Name, base64.StdEncoding.EncodeToString([]byte(w.Data)))
	}
	return b.String(), nil
}

func (w RegWrite) check() error {
	switch w.Op {
	case OpDWORD, OpString, OpDelete:
	default:
		return fmt.Errorf("registry write %s\\%s: operation %q", w.Key, w.Name, w.Op)
	}
	if !strings.HasPrefix(w.Key, `HKLM\`) || strings.ContainsAny(w.Key+w.Name, "\t\r\n'") || w.Name == "" {
		return fmt.Errorf("registry write %q %q: want an HKLM\\ key and a value name without tabs, line breaks or quotes", w.Key, w.Name)
	}
	return nil
}

// ParseWrites reads the writes out of a registry-writer program.
func ParseWrites(program string) ([]RegWrite, error) {
	_, rest, ok := strings.Cut(program, WritesBegin)
	if !ok || !strings.Contains(program, WritesMarker) {
		return nil, fmt.Errorf("not a registry-writer program")
	}
	block, _, ok := strings.Cut(rest, "\n"+WritesEnd)
	if !ok {
		return nil, fmt.Errorf("registry-writer program: no end of the writes")
	}
	var out []RegWrite
	for n, line := range strings.Split(strings.ReplaceAll(block, "\r", ""), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("registry-writer line %d: %d fields, want 4", n, len(f))
		}
		data, err := base64.StdEncoding.DecodeString(f[3])
		if err != nil {
			return nil, fmt.Errorf("registry-writer line %d: %w", n, err)
		}
		w := RegWrite{Op: f[0], Key: f[1], Name: f[2], Data: string(data)}
		if err := w.check(); err != nil {
			return nil, fmt.Errorf("registry-writer line %d: %w", n, err)
		}
		out = append(out, w)
	}
	return out, nil
}

// WriterResult is what a registry writer reported: the value before each write, and which
// writes it made.
type WriterResult struct {
	Prior   []Value
	Applied []RegWrite
}

// FormatPrior and FormatApplied are the answer lines of the writer (for the simulated hosts):
// "prior KEY NAME STATE TYPE B64DATA" and "applied OP KEY NAME".
func FormatPrior(v Value) string {
	return fmt.Sprintf("prior\t%s\t%s\t%s\t%s\t%s", v.Key, v.Name, v.State, v.Type, base64.StdEncoding.EncodeToString([]byte(v.Data)))
}

// FormatApplied is the answer line of one write made.
func FormatApplied(w RegWrite) string {
	return fmt.Sprintf("applied\t%s\t%s\t%s", w.Op, w.Key, w.Name)
}

// ParseWriterOutput reads the writer's answer. Any other line is an error naming it.
func ParseWriterOutput(out []byte) (WriterResult, error) {
	var r WriterResult
	for n, line := range strings.Split(strings.ReplaceAll(string(out), "\r", ""), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		switch {
		case f[0] == "prior" && len(f) == 6:
			data, err := base64.StdEncoding.DecodeString(f[5])
			if err != nil {
				return r, fmt.Errorf("writer output line %d: %w", n+1, err)
			}
			v := Value{Key: f[1], Name: f[2], State: State(f[3]), Type: f[4], Data: string(data)}
			if !v.State.valid() {
				return r, fmt.Errorf("writer output line %d: state %q", n+1, f[3])
			}
			r.Prior = append(r.Prior, v)
		case f[0] == "applied" && len(f) == 4:
			r.Applied = append(r.Applied, RegWrite{Op: f[1], Key: f[2], Name: f[3]})
		default:
			return r, fmt.Errorf("writer output line %d: unexpected %q", n+1, truncate(line, 80))
		}
	}
	return r, nil
}
