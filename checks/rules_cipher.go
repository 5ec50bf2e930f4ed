package checks

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// cipherData is ciphersuites.json: the TLS 1.2 cipher suites Microsoft 365 accepts and those
// each Windows release enables by default, each list with the Microsoft page it follows.
//
//go:embed ciphersuites.json
var cipherData []byte

// cipherTables is the parsed cipherData.
type cipherTables struct {
	Microsoft365 struct {
		Source string `json:"source"`
		Suites []struct {
			Name   string `json:"name"`
			Status string `json:"status"` // accepted, retiring, limited
		} `json:"suites"`
	} `json:"microsoft365"`
	Windows []windowsSuites `json:"windows"`
}

// windowsSuites are the TLS 1.2 suites one group of Windows releases ("6.1") enables by default.
type windowsSuites struct {
	ID       string   `json:"id"`
	Versions []string `json:"versions"`
	Source   string   `json:"source"`
	Suites   []string `json:"suites"`
}

// loadCipherTables parses the embedded tables; they are checked by the tests, so an error is a
// programming error and yields empty tables (no cipher findings).
func loadCipherTables() cipherTables {
	var t cipherTables
	if err := json.Unmarshal(cipherData, &t); err != nil {
		return cipherTables{}
	}
	return t
}

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

// checkCipherSuites computes the host's enabled TLS 1.2 cipher suites: the cipher suite order
// set by Group Policy (KeyCipherPolicy Functions, comma-separated) when there is one, else the
// local order (KeyCipherLocal Functions, REG_MULTI_SZ), else its release's default list (the
// "Cipher Suites in TLS/SSL (Schannel SSP)" page of that release), each limited to the suites the
// release has, minus those whose algorithm SCHANNEL disables (Enabled=0 under Ciphers, Hashes,
// KeyExchangeAlgorithms). Against Microsoft 365's list (SourceCipherM365):
//
//	no enabled suite on the list                      CIPHER_NONE_ACCEPTED (action)
//	only suites marked for removal or only accepted   CIPHER_ONLY_RETIRING (warning)
//	on some endpoints (DHE, where the pages differ)
//
// A release without a table, or an unreadable order value, gives no finding.
func (h *host) checkCipherSuites() {
	t := loadCipherTables()
	major, minor, _, ok := parseOSVersion(h.f.OS.Version)
	if !ok {
		return
	}
	ver := strconv.Itoa(major) + "." + strconv.Itoa(minor)
	idx := slices.IndexFunc(t.Windows, func(w windowsSuites) bool { return slices.Contains(w.Versions, ver) })
	if idx < 0 {
		return
	}
	win := t.Windows[idx]
	var evs []Evidence
	enabled := slices.Clone(win.Suites)
	origin := "cipher.from.default"
	for _, o := range []struct{ item, key, phrase string }{{ItemCipherPolicy, KeyCipherPolicy, "cipher.from.policy"}, {ItemCipherLocal, KeyCipherLocal, "cipher.from.local"}} {
		r := h.value(o.item, o.key, "", "Functions")
		if r.state == regUnreadable {
			return
		}
		if r.state != regOther || (r.ev.Type != "REG_SZ" && r.ev.Type != "REG_MULTI_SZ") {
			continue
		}
		v, _ := h.f.Value(o.item)
		var listed []string
		for _, s := range strings.FieldsFunc(v.Data, func(c rune) bool { return c == ',' || c == '\n' }) {
			if c := canonicalSuite(s); c != "" && slices.Contains(win.Suites, c) && !slices.Contains(listed, c) {
				listed = append(listed, c)
			}
		}
		enabled, origin = listed, o.phrase
		evs = append(evs, r.ev)
		break
	}
	for _, a := range schannelAlgs {
		r := h.value(a.item(), a.key(), "", "Enabled")
		if r.state != regDWORD || r.n != 0 {
			continue
		}
		evs = append(evs, r.ev)
		enabled = slices.DeleteFunc(enabled, a.removes)
	}
	var good, weak []string
	var all []string
	for _, m := range t.Microsoft365.Suites {
		all = append(all, m.Name)
		if !slices.Contains(enabled, m.Name) {
			continue
		}
		if m.Status == "accepted" {
			good = append(good, m.Name)
		} else {
			weak = append(weak, m.Name)
		}
	}
	if len(good) > 0 {
		return
	}
	evs = append(evs, Evidence{Name: "TLS 1.2 cipher suites enabled", Value: clip(strings.Join(enabled, ", "))})
	a := args{
		"enabled": h.text.join(orNone(enabled)),
		"weak":    h.text.join(weak),
		"m365":    h.text.join(all),
		"origin":  h.phrase(origin, args{"source": lit(win.Source)}),
		"source":  lit(SourceCipherM365),
		"differ":  h.phrase("cipher.differ", nil),
	}
	if len(weak) == 0 {
		h.add(IDCipherNoneAccepted, evs, a)
		return
	}
	h.add(IDCipherOnlyRetiring, evs, a)
}

// orNone is the list, or "(none)".
func orNone(l []string) []string {
	if len(l) == 0 {
		return []string{"(none)"}
	}
	return l
}
