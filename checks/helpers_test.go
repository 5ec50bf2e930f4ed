package checks

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/facts"
)

// Users whose hives are loaded in the test hosts.
const (
	sidA     = "S-1-5-21-1004336348-1177238915-682003330-1001"
	sidB     = "S-1-5-21-1004336348-1177238915-682003330-1002"
	sidEntra = "S-1-12-1-3567451893-1119245587-3004683918-2719218271"
	// sidScan is the scanning account's.
	sidScan = "S-1-5-21-1004336348-1177238915-682003330-1500"
)

// fb builds the facts of a test host, as the collector would report them: every machine item is
// present (a registry item as "no key", a file as "no file") until a case sets it, and per-user
// items carry one value for each loaded hive.
type fb struct{ f facts.Facts }

var itemByID = func() map[string]facts.Item {
	m := map[string]facts.Item{}
	for _, it := range append(Items(), ProbeItems("outlook.office365.com:443", 10000)...) {
		m[it.ID] = it
	}
	return m
}()

func newFB(caption, version string, sp, productType int, arch string) *fb {
	b := &fb{f: facts.Facts{
		ComputerName: "PC-TEST",
		OS:           facts.OS{Caption: caption, Version: version, ServicePack: sp, ProductType: productType, Architecture: arch},
		ProcessBits:  64,
		PSVersion:    "2.0",
	}}
	b.f.ProcessorArch = "AMD64"
	if !strings.Contains(arch, "64") {
		b.f.ProcessBits, b.f.ProcessorArch = 32, "x86"
	}
	for _, it := range Items() {
		switch {
		case it.Kind == facts.KindFile:
			b.fileState(it.ID, facts.StateNoFile, "")
		case it.Kind == facts.KindRegistryFile:
			b.fileState(it.ID, facts.StateNoKey, "")
		case !strings.HasPrefix(it.Key, facts.AllUserHives):
			b.reg(it.ID, facts.StateNoKey, "", "")
		}
	}
	return b
}

// set replaces the value of the same item (and hive, for per-user items) or adds it.
func (b *fb) set(v facts.Value) *fb {
	for i, w := range b.f.Values {
		if w.ItemID == v.ItemID && strings.EqualFold(hiveOf(w.Key), hiveOf(v.Key)) {
			b.f.Values[i] = v
			return b
		}
	}
	b.f.Values = append(b.f.Values, v)
	return b
}

func (b *fb) reg(id string, st facts.State, typ, data string) *fb {
	it := itemByID[id]
	if it.ID == "" {
		panic("unknown item " + id)
	}
	return b.set(facts.Value{ItemID: id, Key: it.Key, Name: it.Name, State: st, Type: typ, Data: data})
}

func (b *fb) dword(id string, n uint32) *fb {
	return b.reg(id, facts.StateOK, facts.RegDWORD, strconv.FormatUint(uint64(n), 10))
}
func (b *fb) sz(id, s string) *fb { return b.reg(id, facts.StateOK, facts.RegSZ, s) }
func (b *fb) absent(id string) *fb {
	return b.reg(id, facts.StateNoValue, "", "")
}
func (b *fb) nokey(id string) *fb { return b.reg(id, facts.StateNoKey, "", "") }

// userReg sets a per-user item for one hive, loading the hive if needed.
func (b *fb) userReg(id, sid string, st facts.State, typ, data string) *fb {
	it := itemByID[id]
	if !slices.Contains(b.f.UserHives, sid) {
		b.hives(append(slices.Clone(b.f.UserHives), sid)...)
	}
	key := `HKU\` + sid + `\` + strings.TrimPrefix(it.Key, facts.AllUserHives)
	return b.set(facts.Value{ItemID: id, Key: key, Name: it.Name, State: st, Type: typ, Data: data})
}

func (b *fb) userDWORD(id, sid string, n uint32) *fb {
	return b.userReg(id, sid, facts.StateOK, facts.RegDWORD, strconv.FormatUint(uint64(n), 10))
}

// hives sets the loaded hives; the per-user items get a "no key" value for each new hive and
// lose those of hives no longer loaded.
func (b *fb) hives(hs ...string) *fb {
	b.f.UserHives = hs
	b.f.Values = slices.DeleteFunc(b.f.Values, func(v facts.Value) bool {
		h := hiveOf(v.Key)
		return h != "" && !slices.Contains(hs, h)
	})
	for _, h := range hs {
		for _, id := range []string{ItemInetUser, ItemInetUserPolicy} {
			if !slices.ContainsFunc(b.f.Values, func(v facts.Value) bool { return v.ItemID == id && hiveOf(v.Key) == h }) {
				it := itemByID[id]
				b.f.Values = append(b.f.Values, facts.Value{ItemID: id, Key: `HKU\` + h + `\` + strings.TrimPrefix(it.Key, facts.AllUserHives), Name: it.Name, State: facts.StateNoKey})
			}
		}
	}
	return b
}

func (b *fb) setFile(fl facts.File) *fb {
	for i, w := range b.f.Files {
		if w.ItemID == fl.ItemID {
			b.f.Files[i] = fl
			return b
		}
	}
	b.f.Files = append(b.f.Files, fl)
	return b
}

func sysPath(id string) string {
	return strings.Replace(itemByID[id].Path, "%SystemRoot%", `C:\Windows`, 1)
}

// file sets a System32 DLL's version, with a FileVersion string suffix as Windows has.
func (b *fb) file(id, ver string) *fb {
	return b.fileStr(id, ver, ver+" (win7sp1_ldr.160303-0600)")
}

func (b *fb) fileStr(id, ver, verString string) *fb {
	return b.setFile(facts.File{ItemID: id, Path: sysPath(id), State: facts.StateOK, Version: ver, VersionString: verString})
}

func (b *fb) fileState(id string, st facts.State, data string) *fb {
	return b.setFile(facts.File{ItemID: id, Path: sysPath(id), State: st, Data: data})
}

func (b *fb) outlook(id, path, ver string) *fb {
	return b.setFile(facts.File{ItemID: id, Path: path, State: facts.StateOK, Version: ver, VersionString: ver})
}

// drop removes an item from the facts, as if the collector had not read it.
func (b *fb) drop(id string) *fb {
	b.f.Values = slices.DeleteFunc(b.f.Values, func(v facts.Value) bool { return v.ItemID == id })
	b.f.Files = slices.DeleteFunc(b.f.Files, func(v facts.File) bool { return v.ItemID == id })
	return b
}

func (b *fb) os(caption, version string, sp, productType int) *fb {
	b.f.OS.Caption, b.f.OS.Version, b.f.OS.ServicePack, b.f.OS.ProductType = caption, version, sp, productType
	return b
}

// ver sets only the host's OS version ("10.0.19042").
func (b *fb) ver(version string) *fb { b.f.OS.Version = version; return b }

func (b *fb) proc(bits int) *fb { b.f.ProcessBits = bits; return b }

// boot sets the host's boot time.
func (b *fb) boot(t time.Time) *fb { b.f.BootTime = t; return b }

// change records a value tlsready fix changed at t.
func (b *fb) change(key, name string, t time.Time) *fb {
	b.f.Changes = append(slices.Clone(b.f.Changes), facts.Change{Key: key, Name: name, Time: t})
	return b
}

// account sets the SID the collector ran as.
func (b *fb) account(sid string) *fb { b.f.Account = sid; return b }

// build returns a copy of the facts, so that a builder can be reused.
func (b *fb) build() *facts.Facts {
	f := b.f
	f.Values = slices.Clone(b.f.Values)
	f.Files = slices.Clone(b.f.Files)
	f.UserHives = slices.Clone(b.f.UserHives)
	return &f
}

const (
	o16x86 = `C:\Program Files (x86)\Microsoft Office\root\Office16\OUTLOOK.EXE`
	o16x64 = `C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`
	o15x86 = `C:\Program Files\Microsoft Office\Office15\OUTLOOK.EXE`
)

// w7 is a 64-bit Windows 7 SP1 host that is ready: KB3140245 installed, DefaultSecureProtocols
// 0xa00 in both views, SCHANNEL DisabledByDefault 0, IE 11, one user signed in, 32-bit Office.
func w7() *fb {
	return newFB("Microsoft Windows 7 Enterprise", "6.1.7601", 1, facts.ProductWorkstation, "64-bit").
		file(ItemWebio, "6.1.7601.23375").file(ItemWinHTTP, "6.1.7601.23375").
		dword(ItemDSP64, 0xa00).dword(ItemDSP32, 0xa00).
		absent(ItemSchEnabled).dword(ItemSchDisabledDef, 0).
		absent(ItemInetMachine).
		sz(ItemIESvcVersion, "11.0.9600.18639").sz(ItemIEVersion, "9.11.9600.18639").
		hives(".DEFAULT", "S-1-5-18", "S-1-5-19", "S-1-5-20", sidA).
		outlook(ItemOutlook32, o16x86, "16.0.17928.20114").
		sz(ItemOfficeC2R, "x86")
}

// w7x86 is a ready 32-bit Windows 7 SP1 host: only the native WinHttp key exists.
func w7x86() *fb {
	return w7().os("Microsoft Windows 7 Professional", "6.1.7601", 1, facts.ProductWorkstation).
		arch("32-bit").nokey(ItemDSP32).
		drop(ItemOutlook32).fileState(ItemOutlook32, facts.StateNoKey, "").
		outlook(ItemOutlook64, o15x86, "15.0.5023.1000").
		nokey(ItemOfficeC2R).sz(ItemOutlookBitness+".15", "x86")
}

func (b *fb) arch(a string) *fb {
	b.f.OS.Architecture = a
	if !strings.Contains(a, "64") {
		b.f.ProcessBits, b.f.ProcessorArch = 32, "x86"
	}
	return b
}

// w10 is a ready 64-bit Windows 10 host with nothing configured and 64-bit Office.
func w10() *fb {
	return newFB("Microsoft Windows 10 Enterprise", "10.0.19045", 0, facts.ProductWorkstation, "64-bit").
		file(ItemWebio, "10.0.19041.3636").file(ItemWinHTTP, "10.0.19041.3636").
		absent(ItemInetMachine).
		sz(ItemIESvcVersion, "11.0.19041.1").sz(ItemIEVersion, "9.11.19041.0").
		hives(".DEFAULT", "S-1-5-18", sidA).
		outlook(ItemOutlook64, o16x64, "16.0.17928.20156").
		sz(ItemOfficeC2R, "x64")
}

// w11 is a ready Windows 11 host: no Internet Explorer key at all.
func w11() *fb {
	return w10().os("Microsoft Windows 11 Enterprise", "10.0.22631", 0, facts.ProductWorkstation).
		nokey(ItemIESvcVersion).nokey(ItemIEVersion)
}

// s2012 is a ready Windows Server 2012 host (KB3140245 installed, DefaultSecureProtocols set,
// IE 11) with no Office.
func s2012() *fb {
	return newFB("Microsoft Windows Server 2012 Standard", "6.2.9200", 0, facts.ProductServer, "64-bit").
		file(ItemWebio, "6.2.9200.21797").file(ItemWinHTTP, "6.2.9200.21797").
		dword(ItemDSP64, 0xa00).dword(ItemDSP32, 0xa00).
		absent(ItemInetMachine).
		sz(ItemIESvcVersion, "11.0.9600.18639").sz(ItemIEVersion, "9.11.9600.18639").
		hives(".DEFAULT", "S-1-5-18", sidA)
}

// unfilled finds a template placeholder left unfilled.
var unfilled = regexp.MustCompile(`\{\??[A-Za-z_.0-9]+\}`)

var faqRef = regexp.MustCompile(`\bQ[0-9]+\b`)

// checkInvariants checks what must hold of every evaluation.
func checkInvariants(t *testing.T, f *facts.Facts, fs []Finding) {
	t.Helper()
	again := Evaluate(f)
	if len(again) != len(fs) {
		t.Errorf("Evaluate is not deterministic: %d then %d findings", len(fs), len(again))
	}
	for i := 1; i < len(fs); i++ {
		a, b := fs[i-1], fs[i]
		ra, rb := severityRank(a.Severity), severityRank(b.Severity)
		if ra > rb || ra == rb && (a.ID > b.ID || a.ID == b.ID && slices.CompareFunc(a.Evidence, b.Evidence, evidenceCompare) > 0) {
			t.Errorf("findings not sorted by severity, id, evidence: %v", ids(fs))
		}
	}
	for i, x := range fs {
		if i < len(again) && (again[i].ID != x.ID || again[i].Detail != x.Detail || !slices.Equal(again[i].Evidence, x.Evidence)) {
			t.Errorf("Evaluate is not deterministic at %d: %s then %s", i, x.ID, again[i].ID)
		}
		ft, ok := findingTypeOf(x.ID)
		if !ok {
			t.Errorf("%s: not in FindingTypes", x.ID)
		} else if ft.Severity != x.Severity {
			t.Errorf("%s: severity %s, table says %s", x.ID, x.Severity, ft.Severity)
		}
		if x.Title == "" || x.Detail == "" {
			t.Errorf("%s: empty title or detail", x.ID)
		}
		if x.Severity != SeverityInfo && x.Remediation == "" {
			t.Errorf("%s: %s finding without remediation", x.ID, x.Severity)
		}
		if len(x.Evidence) == 0 {
			t.Errorf("%s: no evidence", x.ID)
		}
		all := x.Title + "\n" + x.Detail + "\n" + x.Remediation
		if p := unfilled.FindString(all); p != "" {
			t.Errorf("%s: unfilled placeholder %s in %q", x.ID, p, all)
		}
		cited := map[string]bool{}
		for _, q := range faqRef.FindAllString(all, -1) {
			cited[q] = true
		}
		if len(x.FAQ) == 0 && ft.Source == "" {
			t.Errorf("%s: neither an FAQ reference nor a Microsoft page", x.ID)
		}
		if ft.Source != "" && !strings.Contains(x.Detail+x.Remediation, ft.Source) {
			t.Errorf("%s: texts do not cite %s", x.ID, ft.Source)
		}
		for _, q := range x.FAQ {
			if !cited[q] {
				t.Errorf("%s: FAQ lists %s but the texts do not cite it", x.ID, q)
			}
			delete(cited, q)
		}
		for q := range cited {
			t.Errorf("%s: texts cite %s but FAQ does not list it", x.ID, q)
		}
	}
	v, fs2 := Check(f)
	if v != VerdictOf(fs2) || len(fs2) != len(fs) {
		t.Errorf("Check disagrees with Evaluate: %s, %v", v, ids(fs2))
	}
}

func ids(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}
