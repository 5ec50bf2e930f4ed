package winrmsim

import (
	"fmt"
	"slices"
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

// writeRegistry runs a registry-writer program (see facts.WritesMarker) against the host's
// registry: it answers the prior value of each write and, when the program has the line
// facts.WritesApply, makes the writes, each on its own (a failed write does not stop the others).
// A write outside writableValues, or under Wow6432Node on 32-bit Windows, fails the whole
// program before anything is written.
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
	}
	var out strings.Builder
	for _, w := range writes {
		prior := h.readValue("", w.Key, w.Name)
		out.WriteString(facts.FormatPrior(prior) + "\r\n")
		outcome, typ, data := h.writeOne(w, prior, apply)
		out.WriteString(facts.FormatResult(prior.Key, prior.Name, outcome, typ, data) + "\r\n")
	}
	return out.String(), nil
}

// writeOne makes one write as the writer program does: a compare-and-set on w.Expect, the
// change facts.RegWrite.Outcome describes, and the failure Windows gives for a key whose ACL
// denies writing (Profile.DenyWrite). It returns the result line's outcome, type and data.
func (h *host) writeOne(w facts.RegWrite, prior facts.Value, apply bool) (outcome, typ, data string) {
	tok := facts.StateToken(prior)
	if tok == "unreadable" {
		return facts.OutcomeFailed, "", "cannot read the value: " + prior.Data
	}
	if apply && len(w.Expect) > 0 && !slices.Contains(w.Expect, tok) {
		return facts.OutcomeFailed, "", "refused: the value is not what the journal says it was (now " + tok + ")"
	}
	change, typ, data := w.Outcome(prior)
	switch {
	case !change:
		if apply && w.Op == facts.OpDelete && w.Data == "key" {
			h.deleteEmptyKey(w.Key)
		}
		return facts.OutcomeUnchanged, typ, data
	case !apply:
		return facts.OutcomeWould, typ, data
	}
	norm, err := normalizeKey(w.Key)
	if err != nil {
		return facts.OutcomeFailed, "", err.Error()
	}
	if h.writeDenied(norm) {
		return facts.OutcomeFailed, "", "Requested registry access is not allowed."
	}
	h.regMu.Lock()
	if w.Op == facts.OpDelete {
		if k := h.keys[strings.ToLower(norm)]; k != nil {
			delete(k.values, strings.ToLower(w.Name))
		}
	} else {
		k := h.addKey(norm)
		if k.values == nil {
			k.values = map[string]*regValue{}
		}
		k.values[strings.ToLower(w.Name)] = &regValue{name: w.Name, typ: typ, text: data}
	}
	h.regMu.Unlock()
	if w.Op == facts.OpDelete && w.Data == "key" {
		h.deleteEmptyKey(w.Key)
	}
	return facts.OutcomeApplied, typ, data
}

// writeDenied says whether the profile's DenyWrite names the key norm (normalised).
func (h *host) writeDenied(norm string) bool {
	for _, d := range h.p.DenyWrite {
		if dn, err := normalizeKey(d); err == nil && strings.EqualFold(dn, norm) {
			return true
		}
	}
	return false
}

// deleteEmptyKey deletes the key when it holds no value and no subkey.
func (h *host) deleteEmptyKey(key string) {
	norm, err := normalizeKey(key)
	if err != nil {
		return
	}
	h.regMu.Lock()
	defer h.regMu.Unlock()
	lk := strings.ToLower(norm)
	if k := h.keys[lk]; k != nil && len(k.values) == 0 && !h.hasSubkey(lk) {
		delete(h.keys, lk)
	}
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
