package winrmsim

import (
	"fmt"
	"strings"
	"time"
)

// Reboot makes the host report now as its boot time (LastBootUpTime), as if it had just
// restarted; its registry is kept.
func (h *Host) Reboot(now time.Time) {
	h.h.bootMu.Lock()
	defer h.h.bootMu.Unlock()
	h.h.boot = now.UTC().Truncate(time.Second)
}

// Reboot restarts the host of that name (see Host.Reboot) at now.
func (f *Fleet) Reboot(name string, now time.Time) error {
	h := f.Host(name)
	if h == nil {
		return fmt.Errorf("reboot %s: no such host in the fleet", name)
	}
	h.Reboot(now)
	return nil
}

// SetValue changes a registry value of the running host, as an administrator at its console
// would (the host's state changes after a scan). key is a full path (HKLM\...).
func (h *Host) SetValue(key, name string, v RegistryValue) error {
	norm, err := normalizeKey(key)
	if err != nil {
		return fmt.Errorf("set %s\\%s: %w", key, name, err)
	}
	text, err := valueText(v)
	if err != nil {
		return fmt.Errorf("set %s\\%s: %w", key, name, err)
	}
	h.h.regMu.Lock()
	defer h.h.regMu.Unlock()
	k := h.h.addKey(norm)
	if k.values == nil {
		k.values = map[string]*regValue{}
	}
	k.values[strings.ToLower(name)] = &regValue{name: name, typ: v.Type, text: text}
	return nil
}
