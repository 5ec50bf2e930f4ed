package winrmsim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// writableValues are the only registry values a simulated host lets the registry writer change:
// those "tlsready fix" sets and restores. Any other write is refused, and nothing is written.
var writableValues = []string{
	`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp\DefaultSecureProtocols`,
	`HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp\DefaultSecureProtocols`,
	`HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client\Enabled`,
	`HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client\DisabledByDefault`,
	`HKLM\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings\SecureProtocols`,
}

// writeRegistry runs a registry-writer program (see facts.WritesMarker) against the host's
// registry: it answers the prior value of each write and, when the program has the line
// facts.WritesApply, makes the writes. A write outside writableValues, or under Wow6432Node on
// 32-bit Windows, fails the whole program before anything is written.
func (h *host) writeRegistry(program string) (string, error) {
	writes, err := facts.ParseWrites(program)
	if err != nil {
		return "", err
	}
	apply := strings.Contains(program, "\n"+facts.WritesApply+"\n")
	for _, w := range writes {
		allowed := false
		for _, a := range writableValues {
			allowed = allowed || strings.EqualFold(a, w.Key+`\`+w.Name)
		}
		if !allowed {
			return "", fmt.Errorf("refused: %s\\%s is not a value tlsready fix may write", w.Key, w.Name)
		}
		if !h.is64 && strings.Contains(strings.ToLower(w.Key), `\wow6432node\`) {
			return "", fmt.Errorf("refused: %s does not exist on 32-bit Windows", w.Key)
		}
		if w.Op == facts.OpDWORD {
			if _, err := strconv.ParseUint(w.Data, 10, 32); err != nil {
				return "", fmt.Errorf("REG_DWORD %q: %v", w.Data, err)
			}
		}
	}
	var out strings.Builder
	for _, w := range writes {
		out.WriteString(facts.FormatPrior(h.readValue("", w.Key, w.Name)) + "\r\n")
		if !apply {
			continue
		}
		norm, err := normalizeKey(w.Key)
		if err != nil {
			return "", err
		}
		h.regMu.Lock()
		switch w.Op {
		case facts.OpDelete:
			lk := strings.ToLower(norm)
			if k := h.keys[lk]; k != nil {
				delete(k.values, strings.ToLower(w.Name))
				if w.Data == "key" && len(k.values) == 0 && !h.hasSubkey(lk) {
					delete(h.keys, lk)
				}
			}
		default:
			k := h.addKey(norm)
			if k.values == nil {
				k.values = map[string]*regValue{}
			}
			typ := facts.RegDWORD
			if w.Op == facts.OpString {
				typ = facts.RegSZ
			}
			k.values[strings.ToLower(w.Name)] = &regValue{name: w.Name, typ: typ, text: w.Data}
		}
		h.regMu.Unlock()
		out.WriteString(facts.FormatApplied(w) + "\r\n")
	}
	return out.String(), nil
}

// hasSubkey says whether the key lk (lower case) has a subkey. h.regMu is held.
func (h *host) hasSubkey(lk string) bool {
	for other := range h.keys {
		if strings.HasPrefix(other, lk+`\`) {
			return true
		}
	}
	return false
}
