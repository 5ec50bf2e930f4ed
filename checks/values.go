package checks

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// Protocol bits shared by WinHTTP DefaultSecureProtocols and WinINet SecureProtocols (Q3).
const (
	bitSSL3  = 0x20
	bitTLS10 = 0x80
	bitTLS11 = 0x200
	bitTLS12 = 0x800
)

// Registry views as Evidence.View names them.
const (
	View64 = "64-bit"
	View32 = "32-bit"
)

// Evidence values that stand for something other than data found. They are part of the results
// format (see Evidence.Value), not prose, so they are not translated.
const (
	evNoKey       = "(no key)"
	evAbsent      = "(absent)"
	evNoFile      = "(no file)"
	evNoVersion   = "(no version resource)"
	evNotCollect  = "(not collected)"
	evUnreadable  = "(unreadable: %s)"
	evMaxDataRune = 200
)

// version is a file version's four numeric parts: FileMajorPart.FileMinorPart.FileBuildPart.
// FilePrivatePart. Versions are compared part by part as numbers, never as strings:
// 6.1.7601.4000 is older than 6.1.7601.23375.
type version [4]uint64

// parseVersion reads "a.b.c.d" (facts.File.Version). Anything else, including the FileVersion
// string with its " (win7sp1_ldr...)" suffix, is rejected.
func parseVersion(s string) (version, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 4 {
		return version{}, false
	}
	var v version
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return version{}, false
		}
		v[i] = n
	}
	return v, true
}

func (v version) compare(w version) int {
	for i := range v {
		if c := cmp.Compare(v[i], w[i]); c != 0 {
			return c
		}
	}
	return 0
}

func (v version) String() string {
	return fmt.Sprintf("%d.%d.%d.%d", v[0], v[1], v[2], v[3])
}

// regState is how a rule sees one registry value.
type regState int

const (
	// regAbsent: no key or no value; Windows uses its default.
	regAbsent regState = iota
	// regDWORD: a REG_DWORD; regRead.n holds it.
	regDWORD
	// regOther: present but not a REG_DWORD. Windows reads these values as DWORDs only, so it
	// ignores them; the rules say so and then judge the value as absent.
	regOther
	// regUnreadable: access denied, another error, or not collected at all.
	regUnreadable
)

// regRead is one registry value as a rule sees it, with the evidence to show for it.
type regRead struct {
	state regState
	n     uint32
	ev    Evidence
}

// readValue interprets a collected value. found is false when the collector reported nothing for
// the item, which is judged unreadable. key is used for the evidence when the value carries none.
func readValue(v facts.Value, found bool, key, view, name string) regRead {
	r := regRead{ev: Evidence{Key: key, View: view, Name: name}}
	if !found {
		r.state, r.ev.Value = regUnreadable, evNotCollect
		return r
	}
	if v.Key != "" {
		r.ev.Key = v.Key
	}
	switch v.State {
	case facts.StateNoKey:
		r.state, r.ev.Value = regAbsent, evNoKey
	case facts.StateNoValue:
		r.state, r.ev.Value = regAbsent, evAbsent
	case facts.StateOK:
		r.ev.Type = v.Type
		if v.Type != facts.RegDWORD {
			r.state, r.ev.Value = regOther, clip(v.Data)
			return r
		}
		n, ok := v.DWORD()
		if !ok {
			r.state, r.ev.Value = regUnreadable, fmt.Sprintf(evUnreadable, clip(v.Data))
			return r
		}
		r.state, r.n, r.ev.Value = regDWORD, n, hexDWORD(n)
	default:
		r.state, r.ev.Value = regUnreadable, unreadable(v.State, v.Data)
	}
	return r
}

// unreadable is the evidence value of a failed read.
func unreadable(s facts.State, msg string) string {
	m := string(s)
	if msg = strings.TrimSpace(msg); msg != "" {
		m += ": " + clip(msg)
	}
	return fmt.Sprintf(evUnreadable, m)
}

// hexDWORD shows a DWORD as the registry editor does: 0x00000a00 (2560).
func hexDWORD(n uint32) string {
	return fmt.Sprintf("0x%08x (%d)", n, n)
}

// clip keeps host-supplied text to a sane length for evidence.
func clip(s string) string {
	r := []rune(s)
	if len(r) <= evMaxDataRune {
		return s
	}
	return string(r[:evMaxDataRune]) + "..."
}

// fileEvidence is the evidence of a collected file, and its version when it has a usable one.
func fileEvidence(fl facts.File, found bool, path string) (Evidence, version, bool) {
	ev := Evidence{Path: path}
	if !found {
		ev.Value = evNotCollect
		return ev, version{}, false
	}
	if fl.Path != "" {
		ev.Path = fl.Path
	}
	switch fl.State {
	case facts.StateOK:
		v, ok := parseVersion(fl.Version)
		if !ok {
			ev.Value = fmt.Sprintf(evUnreadable, clip(fl.Version))
			return ev, version{}, false
		}
		ev.Value = v.String()
		return ev, v, true
	case facts.StateNoFile:
		ev.Value = evNoFile
	case facts.StateNoKey: // a registry-file item whose key is missing
		ev.Value = evNoKey
	case facts.StateNoValue:
		ev.Value = evAbsent
	case facts.StateNoVersion:
		ev.Value = evNoVersion
	default:
		ev.Value = unreadable(fl.State, fl.Data)
	}
	return ev, version{}, false
}

// hiveOf returns the hive name of a key under HKU ("S-1-5-21-..." of "HKU\S-1-5-21-...\Software"),
// or "" for any other key.
func hiveOf(key string) string {
	if len(key) < 4 || !strings.EqualFold(key[:4], `HKU\`) {
		return ""
	}
	rest := key[4:]
	if i := strings.IndexByte(rest, '\\'); i >= 0 {
		return rest[:i]
	}
	return rest
}

// isUserSID reports whether a hive under HKU belongs to a person: a domain or local account
// (S-1-5-21-...) or an Entra ID account (S-1-12-1-...). .DEFAULT, the service accounts
// S-1-5-18/19/20 and the "_Classes" hives are not users.
func isUserSID(name string) bool {
	up := strings.ToUpper(name)
	if strings.HasSuffix(up, "_CLASSES") {
		return false
	}
	return strings.HasPrefix(up, "S-1-5-21-") || strings.HasPrefix(up, "S-1-12-1-")
}

// evidenceCompare orders evidence field by field, for a stable sort of findings.
func evidenceCompare(a, b Evidence) int {
	return cmp.Or(
		cmp.Compare(a.Key, b.Key),
		cmp.Compare(a.View, b.View),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Type, b.Type),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Value, b.Value),
	)
}
