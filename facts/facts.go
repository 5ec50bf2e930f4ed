// Package facts defines what the collector reports about one Windows host: the items that the
// checks ask for (registry values, file versions), what was found for each, and the line format
// that carries them from the collector script to Go.
//
// It owns the data model and its two encodings (the item list sent to the host, the fact lines
// sent back). It knows nothing of WinRM (see remote) and nothing of verdicts (see checks).
package facts

import (
	"strconv"
	"strings"
	"time"
)

// ItemKind says what the collector reads for an Item.
type ItemKind string

// The kinds of item the collector can read.
const (
	// KindRegistry reads one registry value: Item.Key and Item.Name.
	KindRegistry ItemKind = "reg"
	// KindFile reads the version resource of the file at Item.Path.
	KindFile ItemKind = "file"
	// KindRegistryFile reads the registry value Item.Key/Item.Name, takes it as a file path and
	// reads that file's version resource (for example Outlook's App Paths entry).
	KindRegistryFile ItemKind = "regfile"
)

// AllUserHives is the key prefix that asks for a value under every loaded user hive:
// "HKU\*\Software\..." expands to "HKU\S-1-5-21-...\Software\..." for each loaded hive
// (the per-class hives "<SID>_Classes" are skipped).
const AllUserHives = `HKU\*\`

// Item is one thing the checks want to know about a host.
type Item struct {
	// ID is stable and short ([a-z0-9._-]); it names the item in the collector's output.
	ID   string
	Kind ItemKind
	// Key is a full registry key path starting with HKLM\ or HKU\ (KindRegistry, KindRegistryFile).
	// Both registry views are read by explicit paths: HKLM\SOFTWARE\Wow6432Node\... is the 32-bit view.
	Key string
	// Name is the registry value name; empty means the key's default value.
	Name string
	// Path is a file path (KindFile); %SystemRoot% and other environment variables are expanded
	// on the host.
	Path string
}

// State says what the collector found for an item.
type State string

// The states of a collected item.
const (
	StateOK        State = "ok"        // found; Type and Data are set
	StateNoKey     State = "nokey"     // the registry key does not exist
	StateNoValue   State = "novalue"   // the key exists, the value does not
	StateNoFile    State = "nofile"    // the file does not exist
	StateNoVersion State = "noversion" // the file exists but has no version resource
	StateDenied    State = "denied"    // access denied
	StateError     State = "error"     // any other failure; Data holds the message
)

func (s State) valid() bool {
	switch s {
	case StateOK, StateNoKey, StateNoValue, StateNoFile, StateNoVersion, StateDenied, StateError:
		return true
	}
	return false
}

// Registry value types as the collector names them (RegistryValueKind mapped to the REG_ names).
const (
	RegSZ       = "REG_SZ"
	RegExpandSZ = "REG_EXPAND_SZ"
	RegMultiSZ  = "REG_MULTI_SZ"
	RegDWORD    = "REG_DWORD"
	RegQWORD    = "REG_QWORD"
	RegBinary   = "REG_BINARY"
	RegNone     = "REG_NONE"
)

// OS holds the facts of Win32_OperatingSystem that the rules need.
type OS struct {
	Caption      string `json:"caption"`
	Version      string `json:"version"`     // "6.1.7601"
	ServicePack  int    `json:"servicePack"` // ServicePackMajorVersion
	ProductType  int    `json:"productType"` // 1 workstation, 2 domain controller, 3 server
	Architecture string `json:"arch"`        // OSArchitecture as reported ("64-bit", localised on some hosts)
}

// Product types of Win32_OperatingSystem.ProductType.
const (
	ProductWorkstation      = 1
	ProductDomainController = 2
	ProductServer           = 3
)

// Value is one registry value as collected. An item under HKU\* yields one Value per loaded hive.
type Value struct {
	ItemID string `json:"item"`
	Key    string `json:"key"` // the key actually read (HKU\* expanded)
	Name   string `json:"name"`
	State  State  `json:"state"`
	Type   string `json:"type,omitempty"` // REG_DWORD, REG_SZ, ... when State is ok
	// Data is the value as text: REG_DWORD and REG_QWORD in unsigned decimal, strings as they are,
	// REG_MULTI_SZ joined by "\n", REG_BINARY and unknown types in lower-case hex; for StateError
	// and StateDenied the message.
	Data string `json:"data,omitempty"`
}

// DWORD returns the value's number when it is a REG_DWORD that was found.
func (v Value) DWORD() (uint32, bool) {
	if v.State != StateOK || v.Type != RegDWORD {
		return 0, false
	}
	n, err := strconv.ParseUint(v.Data, 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

// File is one file version as collected.
type File struct {
	ItemID string `json:"item"`
	Path   string `json:"path"`
	State  State  `json:"state"`
	// Version is FileMajorPart.FileMinorPart.FileBuildPart.FilePrivatePart.
	Version string `json:"version,omitempty"`
	// VersionString is the FileVersion text, e.g. "6.1.7601.23375 (win7sp1_ldr.160303-0600)".
	VersionString string `json:"versionString,omitempty"`
	// Data holds the message for StateError and StateDenied.
	Data string `json:"data,omitempty"`
}

// Facts is everything the collector reported about one host.
type Facts struct {
	ComputerName string `json:"computerName"`
	OS           OS     `json:"os"`
	// ProcessBits is the pointer size of the PowerShell process that ran the collector (32 or 64).
	ProcessBits int `json:"processBits"`
	// ProcessorArch and ProcessorArchW6432 are PROCESSOR_ARCHITECTURE and PROCESSOR_ARCHITEW6432.
	ProcessorArch      string `json:"processorArch"`
	ProcessorArchW6432 string `json:"processorArchW6432,omitempty"`
	PSVersion          string `json:"psVersion"`
	// Account is the SID the collector ran as: the scanning account. Its hive under HKU, when
	// Windows loaded one, is not a person using the PC. Empty in results of older versions.
	Account string `json:"account,omitempty"`
	// BootTime is when Windows last started (Win32_OperatingSystem.LastBootUpTime, UTC); zero
	// when the host did not say, and in results of older versions.
	BootTime time.Time `json:"bootTime,omitzero"`
	// Changes are the registry values "tlsready fix" changed on the host, from its journal or
	// carried forward from the host's previous result. They are not collected: the scan adds
	// them, and they are recorded with the facts so that the checks (which see only facts) can
	// tell, against BootTime, whether a restart is still pending.
	Changes []Change `json:"changes,omitempty"`
	// UserHives are the loaded hives under HKU that HKU\* expanded to.
	UserHives []string `json:"userHives"`
	Values    []Value  `json:"values"`
	Files     []File   `json:"files"`
	// Probe is the host's own TLS handshake to the probe target (scan --probe); nil when no
	// probe was asked for, and in results of older versions.
	Probe *Probe `json:"probe,omitempty"`
	// Method is how the facts were read: "shell" (the collector in a WinRS shell) or "wmi"
	// (WMI over WS-Management, no process started). The scan records it in its result
	// (scan.Result.Method), not with the facts.
	Method string `json:"-"`
}

// Change is one registry value that "tlsready fix" changed on a host, and when (UTC, by the clock
// of the machine that ran fix).
type Change struct {
	Key  string    `json:"key"`
	Name string    `json:"name"`
	Time time.Time `json:"time"`
}

// ValuesOf returns the values collected for one item (several for an HKU\* item).
func (f *Facts) ValuesOf(id string) []Value {
	var out []Value
	for _, v := range f.Values {
		if v.ItemID == id {
			out = append(out, v)
		}
	}
	return out
}

// Value returns the single value collected for a machine-wide item.
func (f *Facts) Value(id string) (Value, bool) {
	for _, v := range f.Values {
		if v.ItemID == id {
			return v, true
		}
	}
	return Value{}, false
}

// File returns the file version collected for an item.
func (f *Facts) File(id string) (File, bool) {
	for _, v := range f.Files {
		if v.ItemID == id {
			return v, true
		}
	}
	return File{}, false
}

// Is64Bit reports whether the operating system is 64-bit, from OSArchitecture (which Windows
// localises, e.g. "64 ビット") or, failing that, from the processor architecture variables.
func (f *Facts) Is64Bit() bool {
	if strings.Contains(f.OS.Architecture, "64") {
		return true
	}
	if strings.Contains(f.OS.Architecture, "32") {
		return false
	}
	for _, a := range []string{f.ProcessorArchW6432, f.ProcessorArch} {
		switch strings.ToUpper(a) {
		case "AMD64", "ARM64", "IA64":
			return true
		}
	}
	return false
}
