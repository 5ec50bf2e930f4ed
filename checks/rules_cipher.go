package checks

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tlsready/tlsready/facts"
)

// cipherData is ciphersuites.json: the TLS 1.2 cipher suites Microsoft 365 accepts and those
// each Windows release enables by default, each list with the Microsoft page it follows.
//
//go:embed ciphersuites.json
var cipherData []byte

// cipherTables is the parsed cipherData.
type cipherTables struct {
	Microsoft365 struct {
		Source    string `json:"source"`
		FrontDoor struct {
			Source     string `json:"source"`
			Retirement string `json:"retirement"`
			RetiredOn  string `json:"retiredOn"`
		} `json:"frontDoor"`
		Suites []struct {
			Name   string `json:"name"`
			Status string `json:"status"` // cipherAccepted, cipherM365Only, cipherRetired
		} `json:"suites"`
	} `json:"microsoft365"`
	Windows []windowsSuites `json:"windows"`
}

// Statuses of Microsoft 365's suites in ciphersuites.json.
const (
	// cipherAccepted: on the Microsoft 365 page and on Azure Front Door's TLS 1.2 list.
	cipherAccepted = "accepted"
	// cipherM365Only: on the Microsoft 365 page with no removal mark, not on Azure Front Door's
	// TLS 1.2 list, which the same page says some Microsoft 365 products need.
	cipherM365Only = "m365-only"
	// cipherRetired: offered for old Windows by Azure Front Door only, which stopped negotiating
	// it on RetiredOn; the Microsoft 365 page still points old Windows to it.
	cipherRetired = "retired"
)

// windowsSuites are the TLS 1.2 suites one Windows release enables by default, as the
// "TLS Cipher Suites in Windows ..." page of the release lists them (curve suffixes kept), and
// those it supports without enabling them.
type windowsSuites struct {
	ID      string `json:"id"`
	Version string `json:"version"` // major.minor: "6.1", "10.0"
	// MinBuild is the first build the list applies to; it applies up to the next list's.
	MinBuild     int      `json:"minBuild"`
	Source       string   `json:"source"`
	Suites       []string `json:"suites"`
	NotByDefault []string `json:"notByDefault"`
}

// canonical is the release's default list without curve suffixes, each suite once, in order.
func (w windowsSuites) canonical() []string { return canonicalList(w.Suites) }

// supports reports whether the release has suite s (canonical), enabled by default or not.
func (w windowsSuites) supports(s string) bool {
	return slices.Contains(w.canonical(), s) || slices.Contains(canonicalList(w.NotByDefault), s)
}

// canonicalList is l without curve suffixes, each suite once, in order.
func canonicalList(l []string) []string {
	var out []string
	for _, s := range l {
		if c := canonicalSuite(s); c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// release is the list for OS version "major.minor.build": the one of that major.minor with
// the greatest MinBuild not above build.
func (t cipherTables) release(version string) (windowsSuites, bool) {
	major, minor, build, ok := parseOSVersion(version)
	if !ok {
		return windowsSuites{}, false
	}
	ver := strconv.Itoa(major) + "." + strconv.Itoa(minor)
	best := -1
	for i, w := range t.Windows {
		if w.Version == ver && w.MinBuild <= build && (best < 0 || w.MinBuild > t.Windows[best].MinBuild) {
			best = i
		}
	}
	if best < 0 {
		return windowsSuites{}, false
	}
	return t.Windows[best], true
}

// loadCipherTables parses the embedded tables once (every host's evaluation and its probe read
// them; nothing writes to them); they are checked by the tests, so an error is a programming
// error and yields empty tables (no cipher findings).
var loadCipherTables = sync.OnceValue(func() cipherTables {
	var t cipherTables
	if err := json.Unmarshal(cipherData, &t); err != nil {
		return cipherTables{}
	}
	return t
})

// schannelAlg is one SCHANNEL algorithm key whose Enabled=0 removes suites: Ciphers (bulk
// cipher), Hashes (the MAC of CBC suites) or KeyExchangeAlgorithms, as Microsoft's "Transport
// Layer Security (TLS) registry settings" page describes
// (https://learn.microsoft.com/windows-server/security/tls/tls-registry-settings).
type schannelAlg struct {
	group, name string
	id          string // stable item suffix
	part        string // the suite name part it removes: "_WITH_AES_128_", "ECDHE_", ...
}

func (a schannelAlg) item() string { return ItemSchannelAlgPrefix + a.id }
func (a schannelAlg) key() string  { return KeySchannel + `\` + a.group + `\` + a.name }

var schannelAlgs = []schannelAlg{
	{"Ciphers", "AES 128/128", "aes128", "_WITH_AES_128_"},
	{"Ciphers", "AES 256/256", "aes256", "_WITH_AES_256_"},
	{"Ciphers", "Triple DES 168", "3des", "_WITH_3DES_"},
	{"Ciphers", "RC4 128/128", "rc4", "_WITH_RC4_128_"},
	{"Hashes", "SHA", "sha1", "_CBC_SHA"},
	{"Hashes", "SHA256", "sha256", "_CBC_SHA256"},
	{"Hashes", "SHA384", "sha384", "_CBC_SHA384"},
	{"Hashes", "MD5", "md5", "_MD5"},
	{"KeyExchangeAlgorithms", "ECDH", "ecdh", "TLS_ECDHE_"},
	{"KeyExchangeAlgorithms", "Diffie-Hellman", "dh", "TLS_DHE_"},
	{"KeyExchangeAlgorithms", "PKCS", "pkcs", "TLS_RSA_"},
}

// removes reports whether disabling a removes suite s.
func (a schannelAlg) removes(s string) bool {
	if a.id == "sha1" { // _CBC_SHA, not _CBC_SHA256 / _CBC_SHA384
		return strings.HasSuffix(s, "_CBC_SHA") || strings.HasSuffix(s, "_RC4_128_SHA")
	}
	return strings.Contains(s, a.part)
}

// canonicalSuite is a suite name as the tables write it: Windows 7 and 8.1 name ECDHE suites
// with a curve suffix (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA_P256).
func canonicalSuite(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	for _, c := range []string{"_P256", "_P384", "_P521"} {
		s = strings.TrimSuffix(s, c)
	}
	return s
}

// cipherState is what a host's registry makes of its TLS 1.2 cipher suites.
type cipherState struct {
	win       windowsSuites
	origin    string   // phrase: cipher.from.policy, .local or .default
	orderItem string   // ItemCipherPolicy, ItemCipherLocal, or "" for the release's default list
	order     []string // the order value's entries as written (orderItem set)
	listed    []string // the suites the order offers that the release has (canonical)
	disabled  []schannelAlg
	enabled   []string // listed minus what the disabled SCHANNEL algorithms remove
	evs       []Evidence
}

// cipherState reads the host's cipher suite order and SCHANNEL algorithm keys: the order set by
// Group Policy (KeyCipherPolicy Functions, comma-separated) when there is one, else the local
// order (KeyCipherLocal Functions, REG_MULTI_SZ), else its release's default list, each limited
// to the suites the release has, minus those whose algorithm SCHANNEL disables (Enabled=0 under
// Ciphers, Hashes, KeyExchangeAlgorithms). ok is false for a release without a list or an
// unreadable order value.
func (h *host) cipherState(t cipherTables) (cipherState, bool) {
	win, ok := t.release(h.f.OS.Version)
	if !ok {
		return cipherState{}, false
	}
	st := cipherState{win: win, origin: "cipher.from.default", listed: win.canonical()}
	for _, o := range []struct{ item, key, phrase string }{{ItemCipherPolicy, KeyCipherPolicy, "cipher.from.policy"}, {ItemCipherLocal, KeyCipherLocal, "cipher.from.local"}} {
		r := h.value(o.item, o.key, "", "Functions")
		if r.state == regUnreadable {
			return cipherState{}, false
		}
		if r.state != regOther || (r.ev.Type != "REG_SZ" && r.ev.Type != "REG_MULTI_SZ") {
			continue
		}
		v, _ := h.f.Value(o.item)
		var listed []string
		for _, s := range strings.FieldsFunc(v.Data, func(c rune) bool { return c == ',' || c == '\n' }) {
			if s = strings.TrimSpace(s); s != "" {
				st.order = append(st.order, s)
			}
			if c := canonicalSuite(s); c != "" && win.supports(c) && !slices.Contains(listed, c) {
				listed = append(listed, c)
			}
		}
		st.listed, st.origin, st.orderItem = listed, o.phrase, o.item
		st.evs = append(st.evs, r.ev)
		break
	}
	st.enabled = slices.Clone(st.listed)
	for _, a := range schannelAlgs {
		r := h.value(a.item(), a.key(), "", "Enabled")
		if r.state != regDWORD || r.n != 0 {
			continue
		}
		st.evs = append(st.evs, r.ev)
		st.disabled = append(st.disabled, a)
		st.enabled = slices.DeleteFunc(st.enabled, a.removes)
	}
	return st, true
}

// m365Status is the status of suite s on Microsoft 365's list, "" when it is not there.
func (t cipherTables) m365Status(s string) string {
	for _, m := range t.Microsoft365.Suites {
		if m.Name == s {
			return m.Status
		}
	}
	return ""
}

// checkCipherSuites computes the host's enabled TLS 1.2 cipher suites (cipherState) and judges
// them against Microsoft 365's list (SourceCipherM365) and Azure Front Door's, which the same
// page says some Microsoft 365 products need (ciphersuites.json says which suite has which
// status and why):
//
//	a suite on both lists (ECDHE_RSA AES-GCM, AES-CBC SHA384/SHA256)   ready, no finding
//	else one on Microsoft 365's list only (TLS_RSA_*, ECDHE_RSA _SHA)  CIPHER_ONLY_RETIRING (warning)
//	else (nothing, or only the DHE suites Front Door has retired)      CIPHER_NONE_ACCEPTED (action)
//
// Where Microsoft's pages disagree about a suite the host still has, the finding says so. A
// release without a list, or an unreadable order value, gives no finding.
func (h *host) checkCipherSuites() {
	t := loadCipherTables()
	st, ok := h.cipherState(t)
	if !ok {
		return
	}
	var good, limited, retired, m365 []string
	for _, m := range t.Microsoft365.Suites {
		if m.Status != cipherRetired {
			m365 = append(m365, m.Name)
		}
		if !slices.Contains(st.enabled, m.Name) {
			continue
		}
		switch m.Status {
		case cipherAccepted:
			good = append(good, m.Name)
		case cipherM365Only:
			limited = append(limited, m.Name)
		case cipherRetired:
			retired = append(retired, m.Name)
		}
	}
	if len(good) > 0 {
		return
	}
	evs := append(st.evs,
		Evidence{Name: "TLS 1.2 cipher suites enabled", Value: clip(strings.Join(st.enabled, ", "))},
		Evidence{Name: "TLS 1.2 cipher suites Microsoft 365 accepts", Value: clip(strings.Join(m365, ", "))})
	fd := t.Microsoft365.FrontDoor
	a := args{
		"enabled": h.text.join(orNone(st.enabled)),
		"m365":    h.text.join(m365),
		"origin":  h.phrase(st.origin, args{"source": lit(st.win.Source)}),
		"source":  lit(SourceCipherM365),
		"differ":  lit(""),
		"list":    lit(strings.Join(t.acceptedSpelled(st.win), ",")),
	}
	if len(limited) > 0 {
		a["weak"] = h.text.join(limited)
		a["differ"] = h.phrase("cipher.differ.frontdoor", args{"weak": h.text.join(limited), "frontdoor": lit(fd.Source)})
		h.add(IDCipherOnlyRetiring, evs, a)
		return
	}
	if len(retired) > 0 {
		a["differ"] = h.phrase("cipher.differ.dhe", args{"dhe": h.text.join(retired), "date": lit(fd.RetiredOn), "retirement": lit(fd.Retirement)})
	}
	h.add(IDCipherNoneAccepted, evs, a)
}

// CipherFix is what a CIPHER_NONE_ACCEPTED or CIPHER_ONLY_RETIRING finding calls for on a host
// (remediate's kit items): which SCHANNEL algorithm keys to enable again and which cipher suite
// order would offer the suites Microsoft 365 accepts.
type CipherFix struct {
	// Release names the host's release list ("win7") and Source its Microsoft page.
	Release, Source string
	// Enable are the SCHANNEL algorithm keys (under HKLM, without the "HKLM\" prefix) whose
	// Enabled=0 removes a suite on both Microsoft 365's and Azure Front Door's lists from those
	// the host's order offers. Enabling them (Enabled = 0xffffffff, the value Microsoft's
	// "Restrict cryptographic algorithms and protocols in Schannel.dll" page (KB245030,
	// https://learn.microsoft.com/troubleshoot/windows-server/windows-security/restrict-cryptographic-algorithms-protocols-schannel)
	// gives for an enabled algorithm; absent means enabled too) gives such a suite back. An
	// algorithm that removes only suites Microsoft 365 does not need (RC4, 3DES, MD5, SHA-1 MACs,
	// RSA key exchange) is never listed.
	Enable []string
	// OrderItem is where the order that lacks every such suite lives: ItemCipherPolicy (owned by
	// Group Policy: the kit only names the setting and the list), ItemCipherLocal (the local
	// order), or "" when the order is not the problem (the release's default list, or an order
	// that offers one).
	OrderItem string
	// Order is the order to set when OrderItem is set: the suites on both lists that the release
	// has, in its page's order and spelling (with the curve suffixes Windows 7, 8 and 8.1 need),
	// followed by the host's own order unchanged.
	Order []string
}

// CipherRemedy computes the CipherFix for a host from its facts; ok is false when the host has
// no cipher finding to fix (a suite Microsoft 365 accepts is enabled, or its release has no list).
func CipherRemedy(f *facts.Facts) (CipherFix, bool) {
	if f == nil {
		return CipherFix{}, false
	}
	t := loadCipherTables()
	h := &host{f: f}
	st, ok := h.cipherState(t)
	if !ok {
		return CipherFix{}, false
	}
	accepted := func(s string) bool { return t.m365Status(s) == cipherAccepted }
	if slices.ContainsFunc(st.enabled, accepted) {
		return CipherFix{}, false
	}
	fix := CipherFix{Release: st.win.ID, Source: st.win.Source}
	offered := st.listed
	if !slices.ContainsFunc(st.listed, accepted) && st.orderItem != "" {
		fix.OrderItem = st.orderItem
		fix.Order = t.acceptedSpelled(st.win)
		for _, s := range st.order {
			if !slices.Contains(fix.Order, s) {
				fix.Order = append(fix.Order, s)
			}
		}
		offered = canonicalList(fix.Order)
	}
	for _, a := range st.disabled {
		if slices.ContainsFunc(offered, func(s string) bool { return accepted(s) && a.removes(s) }) {
			fix.Enable = append(fix.Enable, strings.TrimPrefix(a.key(), `HKLM\`))
		}
	}
	return fix, true
}

// ReleaseSuites are the cipher suites on both Microsoft 365's and Azure Front Door's lists that
// one Windows release (Major.Minor) has, in its page's order and spelling.
type ReleaseSuites struct {
	Major, Minor int
	Suites       []string
}

// CipherAcceptedSuites are, per Windows release from 6.1 on (every build of a release has the
// same ones; the tests check it), the suites on both Microsoft 365's and Azure Front Door's lists
// it has, as its "TLS Cipher Suites in Windows ..." page spells them (with the curve suffixes of
// Windows 7, 8 and 8.1): what a cipher suite order must offer (remediate's script, README.txt).
func CipherAcceptedSuites() []ReleaseSuites {
	t := loadCipherTables()
	var out []ReleaseSuites
	for _, w := range t.Windows {
		major, minor, _, ok := parseOSVersion(w.Version + ".0")
		if !ok || slices.ContainsFunc(out, func(r ReleaseSuites) bool { return r.Major == major && r.Minor == minor }) {
			continue
		}
		out = append(out, ReleaseSuites{Major: major, Minor: minor, Suites: t.acceptedSpelled(w)})
	}
	return out
}

// acceptedSpelled are the suites on both lists that release w has, in its page's order and
// spelling: from the suites it enables by default, else from those it supports.
func (t cipherTables) acceptedSpelled(w windowsSuites) []string {
	accepted := func(s string) bool { return t.m365Status(canonicalSuite(s)) == cipherAccepted }
	spelled := w.Suites
	if !slices.ContainsFunc(spelled, accepted) {
		spelled = w.NotByDefault
	}
	var out []string
	for _, s := range spelled {
		if accepted(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// orNone is the list, or "(none)".
func orNone(l []string) []string {
	if len(l) == 0 {
		return []string{"(none)"}
	}
	return l
}
