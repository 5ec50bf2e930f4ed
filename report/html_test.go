package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/discover"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/golden"
	"github.com/tlsready/tlsready/scan"
)

var update = flag.Bool("update", false, "rewrite golden files")

// ---------------------------------------------------------------------------------------------
// A realistic fleet, built in Go: facts as the collector reports them for the hosts of
// testdata/fleet (the demo fleet), judged by checks.Check. The verdict mix is that of
// testdata/fleet/README.md: 13 ready, 11 action, 3 unsupported, 4 unknown.

const domainSID = "S-1-5-21-3623811015-3361044348-30300820-"

var (
	osWin10   = facts.OS{Caption: "Microsoft Windows 10 Enterprise", Version: "10.0.19045", ProductType: facts.ProductWorkstation, Architecture: "64-bit"}
	osWin11   = facts.OS{Caption: "Microsoft Windows 11 Pro", Version: "10.0.22631", ProductType: facts.ProductWorkstation, Architecture: "64-bit"}
	osWin11E  = facts.OS{Caption: "Microsoft Windows 11 Enterprise", Version: "10.0.26100", ProductType: facts.ProductWorkstation, Architecture: "64-bit"}
	osWin7    = facts.OS{Caption: "Microsoft Windows 7 Enterprise ", Version: "6.1.7601", ServicePack: 1, ProductType: facts.ProductWorkstation, Architecture: "64-bit"}
	osWin7x86 = facts.OS{Caption: "Microsoft Windows 7 Professional ", Version: "6.1.7601", ServicePack: 1, ProductType: facts.ProductWorkstation, Architecture: "32-bit"}
	osWin7RTM = facts.OS{Caption: "Microsoft Windows 7 Professional ", Version: "6.1.7600", ProductType: facts.ProductWorkstation, Architecture: "64-bit"}
	osWin8    = facts.OS{Caption: "Microsoft Windows 8 Pro", Version: "6.2.9200", ProductType: facts.ProductWorkstation, Architecture: "64-bit"}
	osWin81   = facts.OS{Caption: "Microsoft Windows 8.1 Enterprise", Version: "6.3.9600", ProductType: facts.ProductWorkstation, Architecture: "64-bit"}
	osDC2019  = facts.OS{Caption: "Microsoft Windows Server 2019 Standard", Version: "10.0.17763", ProductType: facts.ProductDomainController, Architecture: "64-bit"}
	osSrv2016 = facts.OS{Caption: "Microsoft Windows Server 2016 Standard", Version: "10.0.14393", ProductType: facts.ProductServer, Architecture: "64-bit"}
	osSrv08R2 = facts.OS{Caption: "Microsoft Windows Server 2008 R2 Standard ", Version: "6.1.7601", ServicePack: 1, ProductType: facts.ProductServer, Architecture: "64-bit"}
	osSrv12R2 = facts.OS{Caption: "Microsoft Windows Server 2012 R2 Standard", Version: "6.3.9600", ProductType: facts.ProductServer, Architecture: "64-bit"}
	osSrv2012 = facts.OS{Caption: "Microsoft Windows Server 2012 Standard", Version: "6.2.9200", ProductType: facts.ProductServer, Architecture: "64-bit"}
	osSrv2008 = facts.OS{Caption: "Microsoft® Windows Server® 2008 Standard ", Version: "6.0.6002", ServicePack: 2, ProductType: facts.ProductServer, Architecture: "64-bit"}
)

// hostFacts is what the collector reports for a host with none of the keys the rules read: both
// DLLs at version dll, every registry item "no key", no user hive loaded, no Outlook.
func hostFacts(name string, os facts.OS, dll string) *facts.Facts {
	f := &facts.Facts{ComputerName: name, OS: os, ProcessBits: 64, ProcessorArch: "AMD64", PSVersion: "5.1"}
	if os.Architecture == "32-bit" {
		f.ProcessBits, f.ProcessorArch = 32, "x86"
	}
	for _, it := range checks.Items() {
		switch it.Kind {
		case facts.KindFile:
			path := strings.Replace(it.Path, "%SystemRoot%", `C:\Windows`, 1)
			f.Files = append(f.Files, facts.File{ItemID: it.ID, Path: path, State: facts.StateOK, Version: dll, VersionString: dll + " (win7sp1_ldr.160303-0600)"})
		case facts.KindRegistryFile:
			f.Files = append(f.Files, facts.File{ItemID: it.ID, State: facts.StateNoKey})
		default:
			if !strings.HasPrefix(it.Key, facts.AllUserHives) {
				f.Values = append(f.Values, facts.Value{ItemID: it.ID, Key: it.Key, Name: it.Name, State: facts.StateNoKey})
			}
		}
	}
	return f
}

// set gives a registry item a value; typ "" with data "" makes it "key present, value absent".
func set(f *facts.Facts, item, typ, data string) {
	for i := range f.Values {
		if f.Values[i].ItemID == item {
			f.Values[i].State, f.Values[i].Type, f.Values[i].Data = facts.StateOK, typ, data
			if typ == "" {
				f.Values[i].State = facts.StateNoValue
			}
			return
		}
	}
	panic("no item " + item)
}

func dword(f *facts.Facts, item string, v uint32) {
	set(f, item, facts.RegDWORD, strconv.FormatUint(uint64(v), 10))
}

// dll sets one DLL's version.
func dll(f *facts.Facts, item, version string) {
	for i := range f.Files {
		if f.Files[i].ItemID == item {
			f.Files[i].Version, f.Files[i].VersionString = version, version+" (win7sp1_rtm.101119-1850)"
		}
	}
}

// ie sets the Internet Explorer key: 11 or 10.
func ie(f *facts.Facts, major int) {
	if major == 11 {
		set(f, checks.ItemIESvcVersion, facts.RegSZ, "11.0.9600.19596")
		set(f, checks.ItemIEVersion, facts.RegSZ, "9.11.9600.19596")
		return
	}
	set(f, checks.ItemIESvcVersion, facts.RegSZ, "10.0.9200.17609")
	set(f, checks.ItemIEVersion, facts.RegSZ, "9.10.9200.17609")
}

// user loads a user hive whose SecureProtocols is sp (nil: absent), and policy (nil: no key).
func user(f *facts.Facts, sid string, sp, policy *uint32) {
	f.UserHives = append(f.UserHives, sid)
	v := facts.Value{ItemID: checks.ItemInetUser, Key: `HKU\` + sid + `\Software\Microsoft\Windows\CurrentVersion\Internet Settings`, Name: "SecureProtocols", State: facts.StateNoValue}
	if sp != nil {
		v.State, v.Type, v.Data = facts.StateOK, facts.RegDWORD, strconv.FormatUint(uint64(*sp), 10)
	}
	p := facts.Value{ItemID: checks.ItemInetUserPolicy, Key: `HKU\` + sid + `\Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`, Name: "SecureProtocols", State: facts.StateNoKey}
	if policy != nil {
		p.State, p.Type, p.Data = facts.StateOK, facts.RegDWORD, strconv.FormatUint(uint64(*policy), 10)
	}
	f.Values = append(f.Values, v, p)
}

func u32(v uint32) *uint32 { return &v }

// outlook installs Outlook: 32-bit on 64-bit Windows under Wow6432Node, else natively.
func outlook(f *facts.Facts, bits32 bool, path, version string) {
	item, bitness := checks.ItemOutlook64, checks.ItemOutlookBitness+".16"
	if bits32 && f.OS.Architecture == "64-bit" {
		item, bitness = checks.ItemOutlook32, checks.ItemOutlookBitness+".16.wow"
	}
	for i := range f.Files {
		if f.Files[i].ItemID == item {
			f.Files[i] = facts.File{ItemID: item, Path: path, State: facts.StateOK, Version: version, VersionString: version}
		}
	}
	b := "x64"
	if bits32 {
		b = "x86"
	}
	set(f, bitness, facts.RegSZ, b)
}

const (
	office32 = `C:\Program Files (x86)\Microsoft Office\Office16\OUTLOOK.EXE`
	office64 = `C:\Program Files\Microsoft Office\Office16\OUTLOOK.EXE`
)

// fleetHost is one host of the test fleet: its facts for a variant v (user RIDs differ between
// variants, as they do between real PCs), or the error it fails with.
type fleetHost struct {
	name  string
	facts func(name string, v int) *facts.Facts
	err   func(name string) *scan.ErrorInfo
	ad    *discover.Computer
}

func rid(v, k int) string { return domainSID + strconv.Itoa(1013+7*v+k) }

var testFleet = []fleetHost{
	// ready
	{name: "PC-W10-001", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin10, "10.0.19041.3636")
		set(f, checks.ItemIESvcVersion, facts.RegSZ, "11.789.19041.0")
		set(f, checks.ItemIEVersion, facts.RegSZ, "9.11.19041.0")
		user(f, rid(v, 0), nil, nil)
		outlook(f, false, `C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, "16.0.17928.20114")
		return f
	}},
	{name: "PC-W11-002", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin11, "10.0.22621.3527")
		user(f, "S-1-12-1-1184235678-1294018543-2784019283-"+strconv.Itoa(3000+v), nil, nil)
		outlook(f, false, `C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, "16.0.17928.20114")
		return f
	}},
	{name: "PC-W7-003", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.23375")
		dword(f, checks.ItemDSP64, 0xA00)
		dword(f, checks.ItemDSP32, 0xA00)
		set(f, checks.ItemSchEnabled, "", "")
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 11)
		user(f, rid(v, 0), u32(0xA80), nil)
		outlook(f, true, office32, "16.0.5426.1000")
		return f
	}},
	{name: "PC-W7-004", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7x86, "6.1.7601.23375")
		dword(f, checks.ItemDSP64, 0xA00)
		set(f, checks.ItemSchEnabled, "", "")
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		outlook(f, true, `C:\Program Files\Microsoft Office\Office16\OUTLOOK.EXE`, "16.0.5426.1000")
		return f
	}},
	{name: "PC-W7-005", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.23375")
		dword(f, checks.ItemDSP64, 0xA80)
		dword(f, checks.ItemDSP32, 0xA80)
		dword(f, checks.ItemSchEnabled, 1)
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		outlook(f, true, office32, "16.0.5426.1000")
		return f
	}},
	{name: "DC-2019-01", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osDC2019, "10.0.17763.5696")
		ie(f, 11)
		return f
	}},
	{name: "PC-W81-007", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin81, "6.3.9600.20778")
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		outlook(f, false, office64, "16.0.5426.1000")
		return f
	}},
	{name: "PC-W7-008", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.24000")
		dword(f, checks.ItemDSP64, 0xA00)
		dword(f, checks.ItemDSP32, 0xA00)
		set(f, checks.ItemSchEnabled, "", "")
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		return f
	}},
	{name: "PC-W7-009", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.23375")
		dword(f, checks.ItemDSP64, 0xAA0)
		dword(f, checks.ItemDSP32, 0xAA0)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		return f
	}},
	{name: "SRV-2016-01", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osSrv2016, "10.0.14393.6897")
		dword(f, checks.ItemSchEnabled, 0xFFFFFFFF)
		ie(f, 11)
		return f
	}},
	{name: "SRV-2008R2-01", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osSrv08R2, "6.1.7601.23375")
		dword(f, checks.ItemDSP64, 0xA00)
		dword(f, checks.ItemDSP32, 0xA00)
		dword(f, checks.ItemSchEnabled, 1)
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 11)
		return f
	}},
	{name: "SRV-2012R2-01", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osSrv12R2, "6.3.9600.20778")
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		user(f, rid(v, 1), u32(0xA80), nil)
		user(f, rid(v, 2), u32(0xAA0), nil)
		outlook(f, true, office32, "16.0.5426.1000")
		return f
	}},
	{name: "PC-W11-022", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin11E, "10.0.26100.2454")
		user(f, rid(v, 0), nil, u32(0xA00))
		outlook(f, true, `C:\Program Files (x86)\Microsoft Office\root\Office16\OUTLOOK.EXE`, "16.0.17928.20114")
		return f
	}},
	// action
	{name: "PC-W7-010", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.23375")
		dll(f, checks.ItemWebio, "6.1.7601.17514")
		dword(f, checks.ItemDSP64, 0xA00)
		dword(f, checks.ItemDSP32, 0xA00)
		set(f, checks.ItemSchEnabled, "", "")
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		outlook(f, true, office32, "16.0.5426.1000")
		return f
	}},
	{name: "PC-W7-011", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.17514")
		dll(f, checks.ItemWinHTTP, "6.1.7601.18923")
		dword(f, checks.ItemDSP64, 0xA00)
		dword(f, checks.ItemDSP32, 0xA00)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		outlook(f, true, office32, "16.0.5426.1000")
		return f
	}},
	{name: "PC-W7-012", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.23375")
		set(f, checks.ItemDSP64, "", "")
		set(f, checks.ItemDSP32, "", "")
		set(f, checks.ItemSchEnabled, "", "")
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		return f
	}},
	{name: "PC-W7-013", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.23375")
		dword(f, checks.ItemDSP64, 0xA00)
		set(f, checks.ItemSchEnabled, "", "")
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		outlook(f, true, office32, "16.0.5426.1000")
		return f
	}},
	{name: "PC-W10-014", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin10, "10.0.19041.3636")
		dword(f, checks.ItemDSP64, 0x280)
		dword(f, checks.ItemDSP32, 0x280)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		return f
	}},
	{name: "PC-W10-015", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin10, "10.0.19041.3636")
		dword(f, checks.ItemSchEnabled, 0)
		dword(f, checks.ItemSchDisabledDef, 1)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		return f
	}},
	{name: "PC-W7-016", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.23375")
		set(f, checks.ItemDSP64, facts.RegSZ, "0x00000a00")
		set(f, checks.ItemDSP32, facts.RegSZ, "0x00000a00")
		set(f, checks.ItemSchEnabled, "", "")
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		return f
	}},
	{name: "PC-W7-017", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.23375")
		dword(f, checks.ItemDSP64, 0xA00)
		dword(f, checks.ItemDSP32, 0xA00)
		set(f, checks.ItemSchEnabled, "", "")
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 10)
		user(f, rid(v, 0), nil, nil)
		return f
	}},
	{name: "PC-W10-018", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin10, "10.0.19041.3636")
		ie(f, 11)
		user(f, rid(v, 0), u32(0xA80), nil)
		user(f, rid(v, 1), u32(0xA0), nil)
		return f
	}},
	{name: "PC-W7-019", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7, "6.1.7601.23375")
		dword(f, checks.ItemDSP32, 0xA00)
		set(f, checks.ItemSchEnabled, "", "")
		dword(f, checks.ItemSchDisabledDef, 0)
		ie(f, 11)
		user(f, rid(v, 0), nil, nil)
		outlook(f, true, office32, "16.0.5426.1000")
		return f
	}},
	{name: "SRV-2012-01", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osSrv2012, "6.2.9200.17000")
		ie(f, 10)
		dword(f, checks.ItemInetPolicy, 0xA80)
		return f
	}},
	// unsupported
	{name: "PC-W7RTM-020", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin7RTM, "6.1.7600.16385")
		user(f, rid(v, 0), nil, nil)
		return f
	}},
	{name: "PC-W8-021", facts: func(n string, v int) *facts.Facts {
		f := hostFacts(n, osWin8, "6.2.9200.16384")
		user(f, rid(v, 0), nil, nil)
		return f
	}},
	{name: "SRV-2008-01", facts: func(n string, v int) *facts.Facts {
		return hostFacts(n, osSrv2008, "6.0.6002.18005")
	}},
	// unknown
	{name: "PC-OFF-023", err: func(n string) *scan.ErrorInfo {
		a := strings.ToLower(n) + ".corp.example:5985"
		return &scan.ErrorInfo{Category: scan.CategoryUnreachable, Message: "host " + a + ": connect: dial tcp " + a + ": connect: connection refused"}
	}, ad: &discover.Computer{Name: "PC-OFF-023", OperatingSystem: "Windows 10 Enterprise", OSVersion: "10.0 (19045)", DN: "CN=PC-OFF-023,OU=Workstations,DC=corp,DC=example"}},
	{name: "PC-HANG-024", err: func(n string) *scan.ErrorInfo {
		return &scan.ErrorInfo{Category: scan.CategoryTimeout, Message: "host " + strings.ToLower(n) + ".corp.example:5985: authenticate: timed out after 5.001s: context deadline exceeded"}
	}},
	{name: "PC-AUTH-025", err: func(n string) *scan.ErrorInfo {
		return &scan.ErrorInfo{Category: scan.CategoryAuth, Message: "host " + strings.ToLower(n) + ".corp.example:5985: authenticate: authentication failed (HTTP 401): NTLM: user name or password rejected"}
	}},
	{name: "PC-BAD-026", err: func(n string) *scan.ErrorInfo {
		return &scan.ErrorInfo{Category: scan.CategoryCollector, Message: "host " + strings.ToLower(n) + `.corp.example:5985: collect: collector output line 4: unknown record "WARNING: 2 registry ..."`}
	}},
}

var scanStart = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// result scans h as host name, variant v: its facts judged by checks.Check, or its error.
func (h fleetHost) result(name string, v int) scan.Result {
	r := scan.Result{ScanID: "20261126T090000Z-test", Host: name, Address: strings.ToLower(name) + ".corp.example:5985",
		Start: scanStart.Add(time.Duration(v) * time.Second), Attempts: 1, AD: h.ad}
	r.End = r.Start.Add(800 * time.Millisecond)
	if h.err != nil {
		r.Verdict, r.Findings, r.Error = checks.Unknown, []checks.Finding{}, h.err(name)
		if h.ad != nil && h.ad.Unsupported != "" {
			r.Verdict = checks.Unsupported
			r.Findings = []checks.Finding{checks.RecordedOSUnsupported("Active Directory", h.ad.OperatingSystem, h.ad.OSVersion, h.ad.OSServicePack, h.ad.Unsupported)}
		}
		return r
	}
	f := h.facts(name, v)
	r.Verdict, r.Findings = checks.Check(f)
	r.OS, r.Facts = &f.OS, f
	return r
}

// demoFleet is the 31 hosts of the demo fleet.
func demoFleet() []scan.Result {
	out := make([]scan.Result, len(testFleet))
	for i, h := range testFleet {
		out[i] = h.result(h.name, 0)
	}
	return out
}

// bigFleet is n hosts made from the demo fleet's kinds: renamed PC-00001..., each with its own
// user SIDs and error messages, so that texts and evidence differ between hosts as on real PCs.
func bigFleet(n int) []scan.Result {
	out := make([]scan.Result, n)
	for i := range out {
		h := testFleet[i%len(testFleet)]
		out[i] = h.result(fmt.Sprintf("PC-%05d", i+1), i)
	}
	return out
}

// fleetHostNamed returns the test fleet's host of that name.
func fleetHostNamed(t testing.TB, name string) fleetHost {
	t.Helper()
	for _, h := range testFleet {
		if h.name == name {
			return h
		}
	}
	t.Fatalf("no test host %s", name)
	return fleetHost{}
}

var testOptions = HTMLOptions{Scope: "OU=Workstations,DC=corp,DC=example", By: `CORP\admin`, Version: "1.0.0",
	Generated: time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC), Sources: []string{"week48.jsonl"}}

func withLang(o HTMLOptions, lang string) HTMLOptions {
	o.Lang = lang
	return o
}

func render(t testing.TB, rs []scan.Result, o HTMLOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rs, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func renderCompare(t testing.TB, c Comparison, o HTMLOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCompareHTML(&buf, c, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// comparison is a week of fixes on a few hosts of the demo fleet: one fixed, one regressed, one
// newly unreachable, one reached again, one gone, one new, the rest unchanged.
func comparison(t testing.TB) Comparison {
	t.Helper()
	var old, cur []scan.Result
	for _, name := range []string{"PC-W7-010", "PC-W10-001", "PC-W7-003", "PC-OFF-023", "PC-W8-021", "PC-W7-012", "SRV-2008-01"} {
		old = append(old, fleetHostNamed(t, name).result(name, 0))
	}
	later := func(r scan.Result) scan.Result {
		r.Start, r.End = r.Start.Add(7*24*time.Hour), r.End.Add(7*24*time.Hour)
		return r
	}
	cur = append(cur,
		later(fleetHostNamed(t, "PC-W7-003").result("PC-W7-010", 0)),   // fixed
		later(fleetHostNamed(t, "PC-W10-014").result("PC-W10-001", 0)), // regressed
		later(fleetHostNamed(t, "PC-HANG-024").result("PC-W7-003", 0)), // newly unreachable
		later(fleetHostNamed(t, "PC-W10-001").result("PC-OFF-023", 0)), // reached
		later(fleetHostNamed(t, "PC-W8-021").result("PC-W8-021", 0)),   // unchanged
		later(fleetHostNamed(t, "PC-W7-012").result("PC-W7-012", 0)),   // unchanged
		later(fleetHostNamed(t, "PC-W11-002").result("PC-W11-030", 0)), // new
	) // SRV-2008-01 is gone
	return Compare(old, cur)
}

// xssPayloads are strings a host could report that would run as script if they reached the page
// as markup or as a URL.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`javascript:alert(1)`,
	`</script><script>alert(1)</script><!--`,
	`<svg onload=alert(1)>`,
	`' onmouseover='alert(1)`,
}

// xssFleet has each payload in a host name, an OS caption, a registry key, name and value, the
// finding texts, an error message and an AD record.
func xssFleet() []scan.Result {
	var rs []scan.Result
	for i, p := range xssPayloads {
		f := checks.Finding{ID: checks.IDDSPNoTLS12, Severity: checks.SeverityAction, Title: "title " + p, Detail: "detail " + p, Remediation: "fix " + p,
			FAQ:      []string{"Q3"},
			Evidence: []checks.Evidence{{Key: `HKLM\SOFTWARE\` + p, View: "64-bit", Name: p, Type: facts.RegSZ, Value: p}, {Path: `C:\` + p, Value: p}}}
		rs = append(rs,
			scan.Result{Host: fmt.Sprintf("ACT%d-%s", i, p), Verdict: checks.Action, OS: &facts.OS{Caption: p, Version: "10.0.19045"}, Findings: []checks.Finding{f}},
			scan.Result{Host: fmt.Sprintf("ERR%d-%s", i, p), Verdict: checks.Unknown, Findings: []checks.Finding{},
				Error: &scan.ErrorInfo{Category: scan.CategoryWinRM, Message: p}, AD: &discover.Computer{Name: p, OperatingSystem: p, DN: p}})
	}
	return rs
}

// ---------------------------------------------------------------------------------------------
// Reading the page back.

func parsePage(t testing.TB, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// findAll returns the elements under n for which match is true, in document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func byTag(n *html.Node, tag string) []*html.Node {
	return findAll(n, func(e *html.Node) bool { return e.Data == tag })
}

func byID(t testing.TB, n *html.Node, id string) *html.Node {
	t.Helper()
	got := findAll(n, func(e *html.Node) bool { v, _ := attr(e, "id"); return v == id })
	if len(got) != 1 {
		t.Fatalf("%d elements with id %q, want 1", len(got), id)
	}
	return got[0]
}

// textOf is the text content of n, as the browser's textContent.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// hostRows are the rows of the host table (or the change table), each as its cells' texts.
func hostRows(t testing.TB, doc *html.Node, tableID string) (rows [][]string, classes []string) {
	t.Helper()
	for _, tr := range byTag(byTag(byID(t, doc, tableID), "tbody")[0], "tr") {
		var cells []string
		for _, td := range byTag(tr, "td") {
			cells = append(cells, textOf(td))
		}
		rows = append(rows, cells)
		c, _ := attr(tr, "class")
		classes = append(classes, c)
	}
	return rows, classes
}

// pageData is the JSON data block as the script reads it.
type pageData struct {
	Mode     string            `json:"mode"`
	Lang     string            `json:"lang"`
	Labels   map[string]string `json:"labels"`
	Strings  []string          `json:"s"`
	Evidence [][5]json.RawMessage
	RawEv    json.RawMessage `json:"e"`
	Findings []struct {
		ID       string          `json:"i"`
		Severity string          `json:"s"`
		Title    json.RawMessage `json:"t"`
		Detail   json.RawMessage `json:"d"`
		Fix      json.RawMessage `json:"r"`
		FAQ      string          `json:"q"`
		Evidence []int           `json:"e"`
	} `json:"f"`
	Hosts []jsonHost `json:"hosts"`
}

func readData(t testing.TB, doc *html.Node) pageData {
	t.Helper()
	block := byID(t, doc, "tlsready-data")
	if typ, _ := attr(block, "type"); typ != "application/json" {
		t.Fatalf("data block type %q", typ)
	}
	var d pageData
	if err := json.Unmarshal([]byte(textOf(block)), &d); err != nil {
		t.Fatalf("data block: %v", err)
	}
	if err := json.Unmarshal(d.RawEv, &d.Evidence); err != nil {
		t.Fatalf("data block evidence: %v", err)
	}
	return d
}

// text resolves a text reference of the data block as the script does.
func (d pageData) text(t testing.TB, raw json.RawMessage) string {
	t.Helper()
	var parts []int
	var one int
	if err := json.Unmarshal(raw, &one); err == nil {
		parts = []int{one}
	} else if err := json.Unmarshal(raw, &parts); err != nil {
		t.Fatalf("text reference %s: %v", raw, err)
	}
	var b strings.Builder
	for _, i := range parts {
		if i >= 0 {
			b.WriteString(d.Strings[i])
		}
	}
	return b.String()
}

// allTexts are every finding text and evidence field of the data block, resolved.
func (d pageData) allTexts(t testing.TB) []string {
	var out []string
	for _, f := range d.Findings {
		out = append(out, d.text(t, f.Title), d.text(t, f.Detail), d.text(t, f.Fix))
	}
	for _, e := range d.Evidence {
		for _, raw := range e {
			out = append(out, d.text(t, raw))
		}
	}
	for _, h := range d.Hosts {
		out = append(out, h.Name, h.Message)
	}
	return out
}

// ---------------------------------------------------------------------------------------------

type pageCase struct {
	name, lang string
	page       func(t testing.TB) []byte
}

func pageCases() []pageCase {
	return []pageCase{
		{"fleet en", "en", func(t testing.TB) []byte { return render(t, demoFleet(), testOptions) }},
		{"fleet ja", "ja", func(t testing.TB) []byte { return render(t, demoFleet(), withLang(testOptions, "ja")) }},
		{"fleet empty", "en", func(t testing.TB) []byte { return render(t, nil, HTMLOptions{Generated: testOptions.Generated}) }},
		{"fleet xss", "en", func(t testing.TB) []byte {
			return render(t, xssFleet(), HTMLOptions{Scope: xssPayloads[0], By: xssPayloads[1], Version: xssPayloads[2], Sources: xssPayloads[3:], Generated: testOptions.Generated})
		}},
		{"fleet other language", "en", func(t testing.TB) []byte { return render(t, demoFleet(), withLang(testOptions, "fr")) }},
		{"compare en", "en", func(t testing.TB) []byte { return renderCompare(t, comparison(t), testOptions) }},
		{"compare ja", "ja", func(t testing.TB) []byte { return renderCompare(t, comparison(t), withLang(testOptions, "ja")) }},
		{"compare empty", "en", func(t testing.TB) []byte { return renderCompare(t, Compare(nil, nil), testOptions) }},
	}
}

// Every page is one self-contained document: one inline style and one inline script, allowed by
// a Content-Security-Policy that names their exact SHA-256 hashes and nothing else; no element
// refers to anything outside the file; no inline event handler.
func TestHTMLPage_selfContained(t *testing.T) {
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	for _, tc := range pageCases() {
		t.Run(tc.name, func(t *testing.T) {
			page := tc.page(t)
			doc := parsePage(t, page)
			if l, _ := attr(byTag(doc, "html")[0], "lang"); l != tc.lang {
				t.Errorf("<html lang=%q>, want %q", l, tc.lang)
			}
			if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>\n<html lang=")) {
				t.Errorf("page starts %q", page[:40])
			}
			styles := byTag(doc, "style")
			var scripts []*html.Node
			for _, s := range byTag(doc, "script") {
				if typ, _ := attr(s, "type"); typ == "" {
					scripts = append(scripts, s)
				}
			}
			if len(styles) != 1 || len(scripts) != 1 || len(byTag(doc, "script")) != 2 {
				t.Fatalf("%d styles, %d scripts (%d with the data block), want 1, 1, 2", len(styles), len(scripts), len(byTag(doc, "script")))
			}
			var csp string
			for _, m := range byTag(doc, "meta") {
				if v, _ := attr(m, "http-equiv"); v == "Content-Security-Policy" {
					csp, _ = attr(m, "content")
				}
			}
			want := "default-src 'none'; style-src " + hash(textOf(styles[0])) + "; script-src " + hash(textOf(scripts[0])) + "; base-uri 'none'; form-action 'none'"
			if csp != want {
				t.Errorf("CSP\n%q, want\n%q", csp, want)
			}
			for _, e := range findAll(doc, func(*html.Node) bool { return true }) {
				for _, a := range e.Attr {
					v := strings.ToLower(a.Val)
					switch {
					case a.Key == "src" || a.Key == "href" || a.Key == "srcset" || a.Key == "action" || a.Key == "formaction" || a.Key == "xlink:href":
						t.Errorf("<%s %s=%q>: the page refers to a resource", e.Data, a.Key, a.Val)
						if strings.Contains(v, "http://") || strings.Contains(v, "https://") || strings.Contains(v, "javascript:") {
							t.Errorf("<%s %s=%q>: an external or script URL", e.Data, a.Key, a.Val)
						}
					case strings.HasPrefix(a.Key, "on"):
						t.Errorf("<%s %s=%q>: an inline event handler", e.Data, a.Key, a.Val)
					case a.Key == "style":
						t.Errorf("<%s style=%q>: an inline style the CSP would block", e.Data, a.Val)
					}
				}
			}
			for _, tag := range []string{"img", "iframe", "object", "embed", "link", "a", "form", "base"} {
				if n := len(byTag(doc, tag)); n > 0 {
					t.Errorf("%d <%s> elements", n, tag)
				}
			}
			d := readData(t, doc)
			if d.Lang != tc.lang || (d.Mode != "fleet" && d.Mode != "compare") {
				t.Errorf("data block mode %q lang %q", d.Mode, d.Lang)
			}
			for _, k := range scriptLabels {
				if d.Labels[k] == "" {
					t.Errorf("data block lacks label %q", k)
				}
			}
			// The data block is JSON with <, > and & escaped: nothing in it can end the element.
			raw := page[bytes.Index(page, []byte(`id="tlsready-data">`)):]
			raw = raw[:bytes.Index(raw, []byte("</script>"))]
			if i := bytes.IndexAny(raw[len(`id="tlsready-data">`):], "<>&"); i >= 0 {
				t.Errorf("data block holds a raw %q", raw[len(`id="tlsready-data">`)+i])
			}
		})
	}
}

// The tiles, the chart, the filters and the rows show the counts of the input: the newest result
// of each host.
func TestWriteHTML_countsMatchInput(t *testing.T) {
	dup := demoFleet()
	older := fleetHostNamed(t, "PC-W7-010").result("pc-w7-003", 0) // an older action result of PC-W7-003
	older.End = older.End.Add(-time.Hour)
	newer := fleetHostNamed(t, "PC-W10-014").result("PC-W11-002", 0) // a newer action result of PC-W11-002
	newer.End = newer.End.Add(time.Hour)
	dup = append(dup, older, newer)
	odd := []scan.Result{{Host: "ODD-1", Verdict: "maybe"}, fleetHostNamed(t, "PC-W10-001").result("PC-W10-001", 0)}
	cases := []struct {
		name string
		in   []scan.Result
		want map[checks.Verdict]int
	}{
		{"demo fleet", demoFleet(), map[checks.Verdict]int{checks.Ready: 13, checks.Action: 11, checks.Unsupported: 3, checks.Unknown: 4}},
		{"newest result per host", dup, map[checks.Verdict]int{checks.Ready: 12, checks.Action: 12, checks.Unsupported: 3, checks.Unknown: 4}},
		{"empty", nil, map[checks.Verdict]int{}},
		{"only ready", demoFleet()[:5], map[checks.Verdict]int{checks.Ready: 5}},
		{"a verdict the report does not know", odd, map[checks.Verdict]int{checks.Ready: 1}},
		{"300 hosts", bigFleet(300), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			latest := scan.Latest(tc.in)
			if tc.want == nil {
				tc.want = map[checks.Verdict]int{}
				for _, r := range latest {
					tc.want[r.Verdict]++
				}
			}
			doc := parsePage(t, render(t, tc.in, testOptions))
			rows, classes := hostRows(t, doc, "hosts")
			if len(rows) != len(latest) {
				t.Errorf("%d rows, want %d", len(rows), len(latest))
			}
			perClass := map[string]int{}
			for _, c := range classes {
				perClass[c]++
			}
			for i, v := range checks.Verdicts() {
				n := strconv.Itoa(tc.want[v])
				if got := textOf(findAll(byID(t, doc, "tile-"+string(v)), func(e *html.Node) bool { c, _ := attr(e, "class"); return c == "n" })[0]); got != n {
					t.Errorf("tile %s shows %s, want %s", v, got, n)
				}
				if got := textOf(byID(t, doc, "filter-"+string(v)).Parent); !strings.HasSuffix(got, "("+n+")") {
					t.Errorf("filter %s reads %q, want the count %s", v, got, n)
				}
				if got := textOf(findAll(byID(t, doc, "chart"), func(e *html.Node) bool { c, _ := attr(e, "class"); return c == "value" })[i]); !strings.HasPrefix(got, n+" (") {
					t.Errorf("chart bar %s reads %q, want %s", v, got, n)
				}
				if perClass[string(v)] != tc.want[v] {
					t.Errorf("%d rows of verdict %s, want %d", perClass[string(v)], v, tc.want[v])
				}
			}
			if got := textOf(byID(t, doc, "host-total")); got != strconv.Itoa(len(latest)) {
				t.Errorf("host total %s, want %d", got, len(latest))
			}
			if got, _ := attr(byID(t, doc, "shown-count"), "data-shown"); got != strconv.Itoa(len(latest)) {
				t.Errorf("shown count %s, want %d", got, len(latest))
			}
			if d := readData(t, doc); len(d.Hosts) != len(rows) {
				t.Errorf("%d hosts in the data block for %d rows", len(d.Hosts), len(rows))
			} else {
				for i, h := range d.Hosts {
					if h.Name != rows[i][0] {
						t.Fatalf("row %d is %q, its data %q", i, rows[i][0], h.Name)
					}
				}
			}
		})
	}
}

// Payloads in every host-controlled field reach the page as text: the DOM has no element or
// attribute made from them, the cells read exactly the payload, the data block carries it intact.
func TestWriteHTML_escapesPayloads(t *testing.T) {
	rs := xssFleet()
	page := render(t, rs, HTMLOptions{Scope: xssPayloads[0], By: xssPayloads[1], Version: xssPayloads[2], Sources: xssPayloads[3:], Generated: testOptions.Generated})
	// Outside the data block (JSON, where quotes are escaped as \" and <, > as \u003c, \u003e), no
	// payload with markup characters appears as it is (javascript:alert(1) is harmless text; no
	// attribute holds a URL, see TestHTMLPage_selfContained).
	start := bytes.Index(page, []byte(`<script type="application/json"`))
	end := start + bytes.Index(page[start:], []byte("</script>"))
	markup := append(append([]byte(nil), page[:start]...), page[end:]...)
	for _, p := range xssPayloads {
		if strings.ContainsAny(p, `<>"'`) && bytes.Contains(markup, []byte(p)) {
			t.Errorf("payload %q is in the page unescaped", p)
		}
	}
	doc := parsePage(t, page)
	if n := len(byTag(doc, "svg")); n != 1 {
		t.Errorf("%d <svg> elements, want the chart only", n)
	}
	for _, tag := range []string{"img", "iframe", "a"} {
		if n := len(byTag(doc, tag)); n != 0 {
			t.Errorf("%d <%s> elements made from payloads", n, tag)
		}
	}
	rows, _ := hostRows(t, doc, "hosts")
	byHost := map[string][]string{}
	for _, r := range rows {
		byHost[r[0]] = r
	}
	d := readData(t, doc)
	texts := strings.Join(d.allTexts(t), "\n")
	header := textOf(byTag(doc, "header")[0])
	for i, p := range xssPayloads {
		act, err := byHost[fmt.Sprintf("ACT%d-%s", i, p)], byHost[fmt.Sprintf("ERR%d-%s", i, p)]
		if act == nil || err == nil {
			t.Errorf("payload %q: host name not shown as text", p)
			continue
		}
		if act[1] != p || act[3] != "title "+p {
			t.Errorf("payload %q: OS cell %q, what-to-do cell %q", p, act[1], act[3])
		}
		if err[1] != p+" (AD)" || err[3] != p || err[4] != scan.CategoryWinRM {
			t.Errorf("payload %q: unknown host's cells %q", p, err)
		}
		for _, want := range []string{`HKLM\SOFTWARE\` + p, `C:\` + p, "detail " + p, "fix " + p} {
			if !strings.Contains(texts, want) {
				t.Errorf("payload %q: %q not in the data block", p, want)
			}
		}
		found := false
		for _, h := range d.Hosts {
			found = found || h.Message == p
		}
		if !found {
			t.Errorf("payload %q: error message not in the data block", p)
		}
	}
	for _, p := range xssPayloads[:4] {
		if !strings.Contains(header, p) {
			t.Errorf("header lacks %q as text: %q", p, header)
		}
	}
}

func TestWriteHTML_topActions(t *testing.T) {
	cases := []struct {
		name string
		in   []scan.Result
		want []string // the items, in order; "" prefix-matches nothing
	}{
		{"demo fleet", demoFleet(), []string{
			"Action 5 hosts: " + checks.TypeTitle(checks.IDDSPDefaultNoTLS12, "en") + " (FAQ Q3, Q4, Q5, Q6, Q14)",
			"Unknown 4 hosts could not be checked (auth 1, collector 1, timeout 1, unreachable 1): remove the cause shown in the Error column, then run tlsready rescan",
			"Unsupported 3 hosts: " + checks.TypeTitle(checks.IDOSUnsupported, "en") + " (FAQ Q2)",
			"Action 3 hosts: KB3140245 not installed (FAQ Q9, Q10, Q11, Q12, Q13, Q15)",
			"Action 1 host: " + checks.TypeTitle(checks.IDDSPNoTLS12, "en") + " (FAQ Q3, Q4, Q5, Q6, Q14)",
			"Action 1 host: " + checks.TypeTitle(checks.IDSchannelDisabled, "en") + " (FAQ Q8)",
			"Action 1 host: " + checks.TypeTitle(checks.IDWinINetIEDefaultNoTLS12, "en") + " (FAQ Q17)",
			"Action 1 host: " + checks.TypeTitle(checks.IDWinINetNoTLS12, "en") + " (FAQ Q17)",
		}},
		{"all ready", demoFleet()[:13], []string{"Nothing to do: every host checked is ready."}},
		{"one unreachable", demoFleet()[27:28], []string{"Unknown 1 host could not be checked (unreachable 1): remove the cause shown in the Error column, then run tlsready rescan"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := parsePage(t, render(t, tc.in, testOptions))
			var got []string
			for _, li := range byTag(byID(t, doc, "top-actions"), "li") {
				got = append(got, textOf(li))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("top actions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestWriteHTML_osColumn(t *testing.T) {
	ad := &discover.Computer{Name: "PC-1", OperatingSystem: "Windows 7 Professional", OSServicePack: "Service Pack 1"}
	cases := []struct {
		name string
		r    scan.Result
		want string
	}{
		{"caption and service pack", scan.Result{OS: &facts.OS{Caption: "Microsoft Windows 7 Enterprise ", Version: "6.1.7601", ServicePack: 1}, AD: ad}, "Windows 7 Enterprise SP1"},
		{"no caption", scan.Result{OS: &facts.OS{Version: "10.0.19045"}}, "10.0.19045"},
		{"from AD", scan.Result{AD: ad, Error: &scan.ErrorInfo{Category: "timeout", Message: "x"}}, "Windows 7 Professional Service Pack 1 (AD)"},
		{"unknown", scan.Result{Error: &scan.ErrorInfo{Category: "auth", Message: "x"}}, "?"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.Host, tc.r.Verdict = "PC-1", checks.Unknown
			rows, _ := hostRows(t, parsePage(t, render(t, []scan.Result{tc.r}, testOptions)), "hosts")
			if rows[0][1] != tc.want {
				t.Errorf("OS %q, want %q", rows[0][1], tc.want)
			}
		})
	}
}

// In Japanese the labels are the Japanese catalogue's and the findings are made again from each
// host's facts (and from the AD record for OS_UNSUPPORTED_RECORDED).
func TestWriteHTML_japanese(t *testing.T) {
	adHost := fleetHost{name: "PC-XP-099", ad: &discover.Computer{Name: "PC-XP-099", OperatingSystem: "Windows 7 Professional", OSVersion: "6.1 (7600)",
		Unsupported: discover.Unsupported("Windows 7 Professional", "6.1 (7600)", "")},
		err: func(n string) *scan.ErrorInfo {
			return &scan.ErrorInfo{Category: scan.CategoryUnreachable, Message: "connect: no route to host"}
		}}
	if adHost.ad.Unsupported == "" {
		t.Fatal("discover.Unsupported does not flag Windows 7 RTM")
	}
	rs := append(demoFleet(), adHost.result(adHost.name, 0))
	doc := parsePage(t, render(t, rs, withLang(testOptions, checks.Japanese)))
	if got := textOf(byTag(doc, "h1")[0]); got != labelsJA["title.fleet"] {
		t.Errorf("title %q", got)
	}
	if got := textOf(byID(t, doc, "tile-ready")); !strings.Contains(got, labelsJA["verdict.ready"]) {
		t.Errorf("ready tile %q", got)
	}
	rows, _ := hostRows(t, doc, "hosts")
	texts := map[string][]string{}
	for _, r := range rows {
		texts[r[0]] = r
	}
	for _, r := range rs {
		want := ""
		if r.Facts != nil {
			for _, f := range checks.EvaluateIn(r.Facts, checks.Japanese) {
				if f.Severity == checks.SeverityAction || f.Severity == checks.SeverityUnsupported {
					want = f.Title
					break
				}
			}
		}
		if r.AD != nil && r.AD.Unsupported != "" {
			want = checks.RecordedOSUnsupportedIn(checks.Japanese, "Active Directory", r.AD.OperatingSystem, r.AD.OSVersion, r.AD.OSServicePack, r.AD.Unsupported).Title
		}
		if want != "" && !strings.Contains(texts[r.Host][3], want) {
			t.Errorf("%s: what to do %q lacks the Japanese title %q", r.Host, texts[r.Host][3], want)
		}
		if got := texts[r.Host][2]; got != labelsJA["verdict."+string(r.Verdict)] {
			t.Errorf("%s: verdict %q", r.Host, got)
		}
	}
	if d := readData(t, doc); d.Labels["detail.fix"] != labelsJA["detail.fix"] {
		t.Errorf("script labels not Japanese: %v", d.Labels)
	}
}

func TestWriteCompareHTML(t *testing.T) {
	c := comparison(t)
	doc := parsePage(t, renderCompare(t, c, testOptions))
	for _, k := range ChangeKinds() {
		if got := textOf(findAll(byID(t, doc, "tile-"+k), func(e *html.Node) bool { c, _ := attr(e, "class"); return c == "n" })[0]); got != strconv.Itoa(c.Counts[k]) {
			t.Errorf("tile %s shows %s, want %d", k, got, c.Counts[k])
		}
	}
	rows, classes := hostRows(t, doc, "changes")
	if len(rows) != len(c.Changes) {
		t.Fatalf("%d rows, want %d", len(rows), len(c.Changes))
	}
	want := map[string][]string{
		"PC-W7-010":   {"PC-W7-010", "Fixed", "Action needed", "Ready", "KB3140245 not installed: WinHTTP cannot use TLS 1.2", "Nothing to do"},
		"PC-W10-001":  {"PC-W10-001", "Regressed (was ready)", "Ready", "Action needed", "Nothing to do", "DefaultSecureProtocols excludes TLS 1.2"},
		"SRV-2008-01": {"SRV-2008-01", "Gone", "Unsupported OS", "", "Windows Server 2008 cannot use TLS 1.2 in WinHTTP: replace the OS", ""},
		"PC-W11-030":  {"PC-W11-030", "New host", "", "Ready", "", "Nothing to do"},
	}
	changed := 0
	for i, r := range rows {
		if w, ok := want[r[0]]; ok && strings.Join(r, "|") != strings.Join(w, "|") {
			t.Errorf("row %q, want %q", r, w)
		}
		if classes[i] != c.Changes[i].Kind {
			t.Errorf("row %s class %q, want %q", r[0], classes[i], c.Changes[i].Kind)
		}
		if c.Changes[i].Kind != ChangeUnchanged {
			changed++
		}
	}
	if box := byID(t, doc, "filter-unchanged"); func() bool { _, on := attr(box, "checked"); return on }() {
		t.Error("unchanged hosts are shown by default")
	}
	if got, _ := attr(byID(t, doc, "shown-count"), "data-shown"); got != strconv.Itoa(changed) {
		t.Errorf("shown %s, want %d", got, changed)
	}
	for _, tr := range byTag(byID(t, doc, "verdict-counts"), "tr")[1:] {
		cells := byTag(tr, "td")
		th := byTag(tr, "th")[0]
		class, _ := attr(th, "class")
		v := checks.Verdict(strings.TrimPrefix(class, "v "))
		if textOf(cells[0]) != strconv.Itoa(c.Old[v]) || textOf(cells[1]) != strconv.Itoa(c.New[v]) {
			t.Errorf("verdict %s: before %s now %s, want %d %d", v, textOf(cells[0]), textOf(cells[1]), c.Old[v], c.New[v])
		}
	}
}

// Both label catalogues have the same keys and placeholders; every key the template, the Go code
// and the script use exists; the Japanese labels are Japanese.
func TestHTMLLabels(t *testing.T) {
	placeholders := regexp.MustCompile(`\{[a-z]+\}`)
	for k, en := range labelsEN {
		ja, ok := labelsJA[k]
		if !ok {
			t.Errorf("labelsJA lacks %q", k)
			continue
		}
		a, b := placeholders.FindAllString(en, -1), placeholders.FindAllString(ja, -1)
		if strings.Join(sorted(a), " ") != strings.Join(sorted(b), " ") {
			t.Errorf("%q: placeholders %v in English, %v in Japanese", k, a, b)
		}
		if !hasJapanese(ja) && ja != en {
			t.Errorf("%q: %q is neither Japanese nor the English text", k, ja)
		}
	}
	for k := range labelsJA {
		if _, ok := labelsEN[k]; !ok {
			t.Errorf("labelsEN lacks %q", k)
		}
	}
	used := map[string]bool{}
	for _, src := range []struct{ file, re string }{
		{"html_assets/page.tmpl", `\{\{L "([a-z.\-]+)"`},
		{"html_assets/report.js", `\bL\("([a-z.\-]+)"\s*[,)]`},
		{"html.go", `\bl\.L\("([a-z.\-]+)"\s*[,)]`},
		{"html.go", `\bkey :?= "([a-z.\-]+)"`},
		{"table.go", `\bsay\("([a-z.\-]+)"\s*[,)]`}, // whatToDo, shared with the tables
	} {
		b, err := os.ReadFile(src.file)
		if err != nil {
			t.Fatal(err)
		}
		ms := regexp.MustCompile(src.re).FindAllStringSubmatch(string(b), -1)
		if len(ms) == 0 {
			t.Errorf("%s: no label found with %s", src.file, src.re)
		}
		for _, m := range ms {
			used[m[1]] = true
			if src.file == "html_assets/report.js" && !contains(scriptLabels, m[1]) {
				t.Errorf("report.js uses %q, which is not in scriptLabels", m[1])
			}
		}
	}
	// Keys made at run time.
	for _, v := range checks.Verdicts() {
		used["verdict."+string(v)], used["verdict."+string(v)+".desc"] = true, true
	}
	for _, k := range ChangeKinds() {
		used["change."+k] = true
	}
	for _, s := range []string{"unsupported", "action", "unknown", "warning", "info"} {
		used["sev."+s] = true
		if !contains(scriptLabels, "sev."+s) {
			t.Errorf("scriptLabels lacks sev.%s", s)
		}
	}
	for _, c := range []string{scan.CategoryUnreachable, scan.CategoryTimeout, scan.CategoryAuth, scan.CategoryWinRM, scan.CategoryCollector} {
		used["err."+c] = true
		if !contains(scriptLabels, "err."+c) {
			t.Errorf("scriptLabels lacks err.%s", c)
		}
	}
	for _, k := range scriptLabels {
		used[k] = true
	}
	for k := range used {
		if _, ok := labelsEN[k]; !ok {
			t.Errorf("label %q is used but not in the catalogues", k)
		}
	}
	for k := range labelsEN {
		if !used[k] {
			t.Errorf("label %q is in the catalogues but never used", k)
		}
	}
	if _, err := label("en", "no.such.key"); err == nil {
		t.Error("a missing label is not an error")
	}
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func hasJapanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

// The script puts data into the page as text only.
func TestReportScriptUsesNoHTMLSinks(t *testing.T) {
	b, err := os.ReadFile("html_assets/report.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(", "srcdoc",
		"href", ".src", "javascript:", "setTimeout(", "setInterval(", "fetch(", "XMLHttpRequest", "import(", "setAttribute(\"on", "style."} {
		if bytes.Contains(b, []byte(sink)) {
			t.Errorf("report.js uses %q", sink)
		}
	}
}

// The page for a small fixed fleet and comparison, byte for byte: go test ./report -run Golden -update
func TestWriteHTMLGolden(t *testing.T) {
	small := func() []scan.Result {
		var rs []scan.Result
		for _, n := range []string{"PC-W7-010", "PC-W10-001", "PC-W7-009", "PC-W8-021", "PC-OFF-023", "PC-AUTH-025"} {
			rs = append(rs, fleetHostNamed(t, n).result(n, 0))
		}
		return rs
	}
	cases := []struct {
		file string
		page func() []byte
	}{
		{"fleet.en.golden.html", func() []byte { return render(t, small(), testOptions) }},
		{"compare.en.golden.html", func() []byte { return renderCompare(t, comparison(t), testOptions) }},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			golden.Check(t, filepath.Join("testdata", tc.file), tc.page(), *update, "go test ./report -run Golden -update")
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestWriteHTML_writeError(t *testing.T) {
	if err := WriteHTML(failingWriter{}, demoFleet(), testOptions); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteHTML to a failing writer: %v", err)
	}
	if err := WriteCompareHTML(failingWriter{}, comparison(t), testOptions); err == nil {
		t.Error("WriteCompareHTML to a failing writer: no error")
	}
}

// 5,000 hosts stay under 2 MB (numbers: BenchmarkWriteHTML5000).
func TestWriteHTML_5000HostsUnder2MB(t *testing.T) {
	rs := bigFleet(5000)
	for _, lang := range []string{checks.English, checks.Japanese} {
		page := render(t, rs, withLang(testOptions, lang))
		if len(page) >= 2_000_000 {
			t.Errorf("%s: 5,000 hosts: %d bytes, want under 2 MB", lang, len(page))
		}
		doc := parsePage(t, page)
		if rows, _ := hostRows(t, doc, "hosts"); len(rows) != 5000 {
			t.Errorf("%s: %d rows, want 5000", lang, len(rows))
		}
		if d := readData(t, doc); len(d.Hosts) != 5000 {
			t.Errorf("%s: %d hosts in the data block, want 5000", lang, len(d.Hosts))
		}
		t.Logf("%s: 5,000 hosts: %d bytes", lang, len(page))
	}
}

// BenchmarkWriteHTML5000 renders 5,000 hosts in English (the findings as stored) and in
// Japanese (every host's findings made again from its facts), and reports the page's size.
func BenchmarkWriteHTML5000(b *testing.B) {
	rs := bigFleet(5000)
	for _, lang := range []string{checks.English, checks.Japanese} {
		b.Run(lang, func(b *testing.B) {
			var size int
			for b.Loop() {
				var buf bytes.Buffer
				if err := WriteHTML(&buf, rs, withLang(testOptions, lang)); err != nil {
					b.Fatal(err)
				}
				size = buf.Len()
			}
			b.ReportMetric(float64(size)/1e6, "MB")
		})
	}
}
