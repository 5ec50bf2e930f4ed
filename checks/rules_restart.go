package checks

import (
	"strings"
	"time"
)

// evBootUnknown is the evidence value of a boot time the host did not report.
const evBootUnknown = "(unknown)"

// checkRestart is the restart rule: a value of a key needsRestart names that tlsready fix changed
// (facts.Facts.Changes) after the host last started (facts.Facts.BootTime), or at all when the
// boot time is unknown, gives RESTART_PENDING (action): the registry is right, but what runs
// still uses the old setting. Once the host has started after the change the finding goes.
func (h *host) checkRestart() {
	boot := h.f.BootTime
	var evs []Evidence
	var last time.Time
	for _, c := range h.f.Changes {
		if !needsRestart(c.Key) || (!boot.IsZero() && !boot.Before(c.Time)) {
			continue
		}
		evs = append(evs, Evidence{Key: c.Key, Name: c.Name, Value: "changed " + c.Time.UTC().Format(time.RFC3339)})
		if c.Time.After(last) {
			last = c.Time
		}
	}
	if len(evs) == 0 {
		return
	}
	bootEv := Evidence{Name: "LastBootUpTime", Value: evBootUnknown}
	a := args{"changed": lit(last.UTC().Format("2006-01-02 15:04:05 UTC"))}
	if boot.IsZero() {
		a["boot"] = h.phrase("restart.boot.unknown", a)
	} else {
		bootEv.Value = boot.UTC().Format(time.RFC3339)
		a["boot"] = h.phrase("restart.boot.before", args{"boot": lit(boot.UTC().Format("2006-01-02 15:04:05 UTC"))})
	}
	var names []string
	for _, e := range evs {
		names = append(names, e.Key+`\`+e.Name)
	}
	a["values"] = h.text.join(names)
	h.add(IDRestartPending, append(evs, bootEv), a)
}

// needsRestart says whether a value of this key takes effect only after a restart: WinHTTP reads
// DefaultSecureProtocols when a process loads it (Outlook and the BITS service keep the old
// setting until they restart; Microsoft says to restart the host), and SCHANNEL reads its
// protocol settings at boot (Q8).
func needsRestart(key string) bool {
	return strings.EqualFold(key, KeyWinHTTP64) || strings.EqualFold(key, KeyWinHTTP32) || strings.EqualFold(key, KeySchannel12)
}
