package facts

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// The registry writer ("tlsready fix") is a PowerShell program, like the collector, whose data
// is a block of TAB-separated lines: one write per line. For each write, in order, it answers one
// "prior" line (the value before, as the collector reports values) and then one "result" line:
// what became of that value. It goes on after a failed write, so a host where write k fails
// still reports writes 1..k-1. The simulated hosts read the same block.

// WritesMarker, WritesBegin and WritesEnd enclose the writes in the program (a PowerShell
// here-string); WritesApply is the program's line that makes it write, not only read.
const (
	WritesMarker = "# tlsready-registry-writer v2"
	WritesApply  = "$apply = $true"
	WritesDryRun = "$apply = $false"
	WritesBegin  = "$writes = @'"
	WritesEnd    = "'@"
)

// Write operations.
const (
	// OpOr adds bits to a REG_DWORD: Data is the unsigned decimal number whose bits are added to
	// the value the writer reads (DefaultSecureProtocols, SecureProtocols: TLS 1.2 joins what is
	// there, a TLS 1.3 or TLS 1.0 bit stays). A value that is absent or not a REG_DWORD becomes a
	// REG_DWORD of Data; a REG_DWORD that has every bit already is left alone.
	OpOr = "or"
	// OpDWORD sets a REG_DWORD: Data is the unsigned decimal number.
	OpDWORD = "dword"
	// OpString sets a REG_SZ (to put back a value that was a string): Data is the text.
	OpString = "sz"
	// OpDelete deletes the value (to put back a value that was absent). Data "key": the key did
	// not exist either, so it goes too once it holds no value and no subkey.
	OpDelete = "delete"
)

// Outcomes of one write, as the writer's "result" lines name them.
const (
	OutcomeWould     = "would"     // dry run: the value would change
	OutcomeUnchanged = "unchanged" // the value already is what the write asks for: not written
	OutcomeApplied   = "applied"   // written
	OutcomeFailed    = "failed"    // not written (refused, changed since it was read, or an error)
)

// writable are the only registry values (key\name under HKLM) "tlsready fix" writes and puts
// back; see Writable.
var writable = [...]string{
	`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp\DefaultSecureProtocols`,
	`HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp\DefaultSecureProtocols`,
	`HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client\Enabled`,
	`HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client\DisabledByDefault`,
	`HKLM\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings\SecureProtocols`,
	// .NET Framework TLS values (SchUseStrongCrypto, SystemDefaultTlsVersions), set to 1 as
	// https://learn.microsoft.com/dotnet/framework/network-programming/tls asks.
	`HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319\SchUseStrongCrypto`,
	`HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319\SystemDefaultTlsVersions`,
	`HKLM\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319\SchUseStrongCrypto`,
	`HKLM\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319\SystemDefaultTlsVersions`,
	`HKLM\SOFTWARE\Microsoft\.NETFramework\v2.0.50727\SchUseStrongCrypto`,
	`HKLM\SOFTWARE\Microsoft\.NETFramework\v2.0.50727\SystemDefaultTlsVersions`,
	`HKLM\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v2.0.50727\SchUseStrongCrypto`,
	`HKLM\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v2.0.50727\SystemDefaultTlsVersions`,
}

// Writable returns the only registry values (key\name under HKLM) "tlsready fix" writes and
// puts back: DefaultSecureProtocols in both WinHttp keys, the SCHANNEL TLS 1.2 Client values,
// the WinINet machine policy and the .NET Framework TLS values of both runtimes in both views.
// EncodeWrites and ParseWrites refuse any other, and the writer program refuses it again on the
// host.
func Writable() []string { return append([]string(nil), writable[:]...) }

// IsWritable reports whether key\name (key starting with HKLM\) is one of Writable, compared
// case-insensitively as Windows compares registry paths.
func IsWritable(key, name string) bool {
	for _, w := range writable {
		if strings.EqualFold(w, key+`\`+name) {
			return true
		}
	}
	return false
}

// RegWrite is one registry value to write under HKEY_LOCAL_MACHINE. Key starts with HKLM\.
type RegWrite struct {
	Op   string `json:"op"`
	Key  string `json:"key"`
	Name string `json:"name"`
	Data string `json:"data,omitempty"`
	// Expect, when not empty, makes the write a compare-and-set: it is made only when the value
	// as the writer reads it has one of these states (see StateToken); otherwise it fails and
	// the value is left alone.
	Expect []string `json:"expect,omitempty"`
}

// StateToken names a value's state for RegWrite.Expect: "absent" (no key or no value),
// "TYPE:DATA" of a value found, "unreadable" otherwise. The writer compares the token of what it
// reads with these.
func StateToken(v Value) string {
	switch v.State {
	case StateNoKey, StateNoValue:
		return "absent"
	case StateOK:
		return v.Type + ":" + v.Data
	}
	return "unreadable"
}

// EncodeWrites renders writes as the lines of the program's block: op, key, name, base64 data
// and the expected states (base64, comma-separated; "-" for none), TAB-separated.
func EncodeWrites(ws []RegWrite) (string, error) {
	var b strings.Builder
	for _, w := range ws {
		if err := w.Check(); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", w.Op, w.Key, w.Name, b64(w.Data), encodeExpect(w.Expect))
	}
	return b.String(), nil
}

func encodeExpect(ex []string) string {
	if len(ex) == 0 {
		return "-"
	}
	var parts []string
	for _, e := range ex {
		parts = append(parts, b64(e))
	}
	return strings.Join(parts, ",")
}

// Check says why a write is not one the writer may make: an unknown operation, a key outside
// HKLM, a name or key with tabs, line breaks or quotes, a value not in Writable, or a REG_DWORD
// that is not a 32-bit number.
func (w RegWrite) Check() error {
	switch w.Op {
	case OpOr, OpDWORD, OpString, OpDelete:
	default:
		return fmt.Errorf("registry write %s\\%s: operation %q", w.Key, w.Name, w.Op)
	}
	if !strings.HasPrefix(w.Key, `HKLM\`) || strings.ContainsAny(w.Key+w.Name, "\t\r\n'") || w.Name == "" {
		return fmt.Errorf("registry write %q %q: want an HKLM\\ key and a value name without tabs, line breaks or quotes", w.Key, w.Name)
	}
	if !IsWritable(w.Key, w.Name) {
		return fmt.Errorf("registry write %s\\%s: not a value tlsready fix may write (only DefaultSecureProtocols, the SCHANNEL TLS 1.2 Client values and the WinINet SecureProtocols policy)", w.Key, w.Name)
	}
	if w.Op == OpOr || w.Op == OpDWORD {
		if _, err := strconv.ParseUint(w.Data, 10, 32); err != nil {
			return fmt.Errorf("registry write %s\\%s: REG_DWORD %q is not a 32-bit number", w.Key, w.Name, w.Data)
		}
	}
	return nil
}

// Outcome is what the write makes of a value whose current state is cur: whether it changes it,
// and the type and data it leaves (type "" when the value is deleted). It does not look at
// Expect. Both the writer program and the simulated hosts follow it.
func (w RegWrite) Outcome(cur Value) (change bool, typ, data string) {
	present := cur.State == StateOK
	switch w.Op {
	case OpOr:
		want, _ := strconv.ParseUint(w.Data, 10, 32)
		if n, ok := cur.DWORD(); ok {
			or := uint64(n) | want
			return or != uint64(n), RegDWORD, strconv.FormatUint(or, 10)
		}
		return true, RegDWORD, strconv.FormatUint(want, 10)
	case OpDWORD:
		want, _ := strconv.ParseUint(w.Data, 10, 32)
		if n, ok := cur.DWORD(); ok && uint64(n) == want {
			return false, RegDWORD, cur.Data
		}
		return true, RegDWORD, strconv.FormatUint(want, 10)
	case OpString:
		if present && cur.Type == RegSZ && cur.Data == w.Data {
			return false, RegSZ, cur.Data
		}
		return true, RegSZ, w.Data
	}
	return present, "", ""
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
		if len(f) != 5 {
			return nil, fmt.Errorf("registry-writer line %d: %d fields, want 5", n, len(f))
		}
		data, err := base64.StdEncoding.DecodeString(f[3])
		if err != nil {
			return nil, fmt.Errorf("registry-writer line %d: %w", n, err)
		}
		w := RegWrite{Op: f[0], Key: f[1], Name: f[2], Data: string(data)}
		if f[4] != "-" {
			for _, e := range strings.Split(f[4], ",") {
				d, err := base64.StdEncoding.DecodeString(e)
				if err != nil {
					return nil, fmt.Errorf("registry-writer line %d: expected state: %w", n, err)
				}
				w.Expect = append(w.Expect, string(d))
			}
		}
		if err := w.Check(); err != nil {
			return nil, fmt.Errorf("registry-writer line %d: %w", n, err)
		}
		out = append(out, w)
	}
	return out, nil
}

// WriteResult is what the writer reported for one write: the value before, and what became of it.
type WriteResult struct {
	Prior Value
	// Outcome is one of the Outcome constants; "" when the writer reported no result line.
	Outcome string
	// Type and Data are the value afterwards (would, unchanged, applied; Type "" when deleted).
	Type, Data string
	// Message says why a write failed.
	Message string
}

// FormatPrior is the writer's line of a value before its write (for the simulated hosts):
// "prior KEY NAME STATE TYPE B64DATA".
func FormatPrior(v Value) string {
	return fmt.Sprintf("prior\t%s\t%s\t%s\t%s\t%s", v.Key, v.Name, v.State, v.Type, b64(v.Data))
}

// FormatResult is the writer's line of what became of a value: "result KEY NAME OUTCOME TYPE
// B64DATA", where TYPE and DATA are the value afterwards, or for a failure TYPE is empty and
// DATA the message.
func FormatResult(key, name, outcome, typ, data string) string {
	return fmt.Sprintf("result\t%s\t%s\t%s\t%s\t%s", key, name, outcome, typ, b64(data))
}

// ParseWriterOutput reads the writer's answer: a prior line for each write, each followed by its
// result line. A UTF-8 byte order mark is ignored (as in ParseOutput). Any other line, or a
// result line that does not follow the prior line of the same value, is an error naming it;
// what was read before it is returned.
func ParseWriterOutput(out []byte) ([]WriteResult, error) {
	var rs []WriteResult
	text := strings.TrimPrefix(strings.ReplaceAll(string(out), "\r", ""), "\ufeff")
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 || (f[0] != "prior" && f[0] != "result") {
			return rs, fmt.Errorf("writer output line %d: unexpected %q", n+1, truncate(line, 80))
		}
		data, err := base64.StdEncoding.DecodeString(f[5])
		if err != nil {
			return rs, fmt.Errorf("writer output line %d: %w", n+1, err)
		}
		if f[0] == "prior" {
			v := Value{Key: f[1], Name: f[2], State: State(f[3]), Type: f[4], Data: string(data)}
			if !v.State.valid() {
				return rs, fmt.Errorf("writer output line %d: state %q", n+1, f[3])
			}
			rs = append(rs, WriteResult{Prior: v})
			continue
		}
		if len(rs) == 0 || rs[len(rs)-1].Outcome != "" || !strings.EqualFold(rs[len(rs)-1].Prior.Key, f[1]) || !strings.EqualFold(rs[len(rs)-1].Prior.Name, f[2]) {
			return rs, fmt.Errorf("writer output line %d: result of %s\\%s without its prior line", n+1, truncate(f[1], 80), truncate(f[2], 40))
		}
		r := &rs[len(rs)-1]
		switch f[3] {
		case OutcomeWould, OutcomeUnchanged, OutcomeApplied:
			r.Type, r.Data = f[4], string(data)
		case OutcomeFailed:
			r.Message = string(data)
		default:
			return rs, fmt.Errorf("writer output line %d: outcome %q", n+1, f[3])
		}
		r.Outcome = f[3]
	}
	return rs, nil
}
