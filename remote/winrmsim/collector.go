package winrmsim

import (
	"bytes"
	"encoding/base64"
	"hash/fnv"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/tlsready/tlsready/facts"
)

// collect answers the collector run by owner: each item is resolved against the profile as
// Windows would resolve it.
func (h *host) collect(items []facts.Item, owner string) *facts.Facts {
	o := h.p.OS
	f := &facts.Facts{
		ComputerName: h.p.Name,
		OS: facts.OS{
			Caption:      o.Caption,
			Version:      o.Version,
			ServicePack:  o.ServicePack,
			ProductType:  productTypeNumber(o.ProductType),
			Architecture: o.Arch,
		},
		ProcessBits:   32,
		ProcessorArch: "x86",
		PSVersion:     "5.1",
		UserHives:     append([]string(nil), h.hives...),
		Account:       AccountSID(owner),
		BootTime:      h.bootTime(),
	}
	if h.is64 {
		// WinRM runs the 64-bit PowerShell on a 64-bit Windows.
		f.ProcessBits, f.ProcessorArch = 64, "AMD64"
	}
	if h.oldWinRM {
		f.PSVersion = "2.0" // Windows 7 and Server 2008 R2 ship PowerShell 2.0
	}
	// The hive of an account whose profile is loaded (a shell opened with a profile) is one
	// more hive under HKU, listed in the order of Registry.Users.GetSubKeyNames (sorted here).
	accounts := h.profileHives()
	if len(accounts) > 0 {
		f.UserHives = append(f.UserHives, accounts...)
		sort.Slice(f.UserHives, func(i, j int) bool { return strings.ToLower(f.UserHives[i]) < strings.ToLower(f.UserHives[j]) })
	}
	for _, it := range items {
		switch it.Kind {
		case facts.KindRegistry:
			if rest, ok := cutPrefixFold(it.Key, facts.AllUserHives); ok {
				for _, hive := range f.UserHives {
					key := `HKU\` + hive + `\` + rest
					if slices.Contains(accounts, hive) {
						f.Values = append(f.Values, h.readAccountValue(it.ID, key, rest, it.Name))
						continue
					}
					f.Values = append(f.Values, h.readValue(it.ID, key, it.Name))
				}
				continue
			}
			f.Values = append(f.Values, h.readValue(it.ID, it.Key, it.Name))
		case facts.KindFile:
			f.Files = append(f.Files, h.readFile(it.ID, it.Path))
		case facts.KindRegistryFile:
			v := h.readValue(it.ID, it.Key, it.Name)
			if v.State != facts.StateOK {
				f.Files = append(f.Files, facts.File{ItemID: it.ID, State: v.State})
				continue
			}
			p := strings.TrimSpace(v.Data)
			if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
				p = p[1 : len(p)-1]
			}
			f.Files = append(f.Files, h.readFile(it.ID, p))
		case facts.KindProbe:
			f.Probe = h.probe(it)
		}
	}
	switch h.fault() {
	case FaultEchoPassword:
		f.OS.Caption += " " + h.echoPass
		for i := range f.Values {
			if f.Values[i].State == facts.StateNoKey || f.Values[i].State == facts.StateNoValue {
				f.Values[i].State, f.Values[i].Type, f.Values[i].Data = facts.StateError, "", "Access denied: "+h.echoes()
				break
			}
		}
	case FaultControlChars:
		f.ComputerName += controlChars
		f.OS.Caption += controlChars
		for i, hive := range f.UserHives {
			f.UserHives[i] = hive + controlChars
		}
		for i, v := range f.Values {
			if v.State == facts.StateOK && (v.Type == facts.RegSZ || v.Type == facts.RegExpandSZ) {
				f.Values[i].Data += controlChars
			}
		}
	}
	return f
}

// controlChars is what FaultControlChars appends to every string the collector returns: clear
// the screen, write the clipboard (OSC 52), ring the bell, C1 CSI, RIGHT-TO-LEFT OVERRIDE, LINE
// SEPARATOR.
const controlChars = "\x1b[2J\x1b]52;c;cHduZWQ=\x07\x07\u009b6n\u202e\u2028"

// echoes is the password of FaultEchoPassword in every form a host could echo it: in clear, in
// base64, as UTF-16LE in base64 (PowerShell's -EncodedCommand) and as the base64 of
// user:password (a Basic Authorization header).
func (h *host) echoes() string {
	pw := h.echoPass
	u16 := make([]byte, 0, 2*len(pw))
	for _, r := range utf16.Encode([]rune(pw)) {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	return "password " + pw + ", base64 " + base64.StdEncoding.EncodeToString([]byte(pw)) +
		", UTF-16LE base64 " + base64.StdEncoding.EncodeToString(u16) +
		", Basic " + base64.StdEncoding.EncodeToString([]byte(h.echoUser+":"+pw))
}

func productTypeNumber(t string) int {
	switch t {
	case ProductDomainController:
		return facts.ProductDomainController
	case ProductServer:
		return facts.ProductServer
	}
	return facts.ProductWorkstation
}

// readValue reads one registry value: the key's existence first, then the value's.
func (h *host) readValue(id, key, name string) facts.Value {
	v := facts.Value{ItemID: id, Key: key, Name: name, State: facts.StateNoKey}
	norm, err := normalizeKey(strings.TrimRight(key, `\`))
	if err != nil {
		return v
	}
	h.regMu.RLock()
	defer h.regMu.RUnlock()
	return valueIn(v, h.keys[strings.ToLower(norm)])
}

// valueIn is v (StateNoKey) as read from key k: still no key when k is nil, else no value or the
// value; the name "(default)" is the key's default value.
func valueIn(v facts.Value, k *regKey) facts.Value {
	if k == nil {
		return v
	}
	name := v.Name
	if name == "(default)" {
		name = ""
	}
	rv := k.values[strings.ToLower(name)]
	if rv == nil {
		v.State = facts.StateNoValue
		return v
	}
	v.State, v.Type, v.Data = facts.StateOK, rv.typ, rv.text
	return v
}

// fileVersion is the four numeric parts that lead a FileVersion string such as
// "6.1.7601.23375 (win7sp1_ldr.160303-0600)".
var fileVersion = regexp.MustCompile(`^\s*(\d{1,5})\.(\d{1,5})\.(\d{1,5})\.(\d{1,5})(?:$|[^\d.])`)

// readFile reads a file's version: path expanded as the host's environment expands it, compared
// case-insensitively.
func (h *host) readFile(id, raw string) facts.File {
	p := h.expandEnv(raw)
	f := facts.File{ItemID: id, Path: p, State: facts.StateNoFile}
	vs, ok := h.files[normalizePath(p)]
	if !ok || p == "" {
		return f
	}
	f.VersionString = vs
	m := fileVersion.FindStringSubmatch(vs)
	if m == nil {
		f.State = facts.StateNoVersion
		return f
	}
	parts := make([]string, 4)
	for i := range parts {
		n, err := strconv.ParseUint(m[i+1], 10, 16) // FileMajorPart etc. are 16-bit
		if err != nil {
			f.State = facts.StateNoVersion
			return f
		}
		parts[i] = strconv.FormatUint(n, 10)
	}
	f.State, f.Version = facts.StateOK, strings.Join(parts, ".")
	return f
}

// garbage is what a broken collector prints: the start of a real answer, a warning line in the
// middle and no end record. facts.ParseOutput rejects it.
func garbage(f *facts.Facts) []byte {
	lines := bytes.SplitAfter(facts.Encode(f), []byte("\r\n"))
	var b bytes.Buffer
	for i, l := range lines {
		if i == 3 {
			b.WriteString("WARNING: 2 registry records skipped (provider busy); retrying in 30 s\r\n")
		}
		if bytes.HasPrefix(l, []byte("end\t")) {
			break
		}
		b.Write(l)
	}
	b.WriteString("reg\tdsp.64\tSEtMTVxTT0ZUV0FSRQ==\t\u00ff\u00fe\r\n")
	return b.Bytes()
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

// labDomainSID is the domain part of the SIDs the simulated hosts give accounts.
const labDomainSID = "S-1-5-21-1111-2222-3333"

// AccountSID is the SID a simulated host gives a user: the same for "LAB\user", "user@lab" and
// "user" (one domain account), different for different users.
func AccountSID(user string) string {
	u := strings.ToLower(user)
	if i := strings.LastIndexByte(u, '\\'); i >= 0 {
		u = u[i+1:]
	}
	if i := strings.IndexByte(u, '@'); i >= 0 {
		u = u[:i]
	}
	h := fnv.New32a()
	h.Write([]byte(u))
	return labDomainSID + "-" + strconv.FormatUint(uint64(1100+h.Sum32()%100000), 10)
}

// bootTime is when the host last started.
func (h *host) bootTime() time.Time {
	h.bootMu.Lock()
	defer h.bootMu.Unlock()
	return h.boot
}
