package winrmsim

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/tlsready/tlsready/facts"
)

// Profile is one simulated Windows host, read from a JSON file of exactly this shape:
//
//	{"name": "PC-01",
//	 "os": {"caption": "Microsoft Windows 7 Enterprise", "version": "6.1.7601", "servicePack": 1,
//	        "productType": "workstation", "arch": "64-bit"},
//	 "files": {"C:\\Windows\\System32\\webio.dll": "6.1.7601.23375 (win7sp1_ldr.160303-0600)"},
//	 "registry": {"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp":
//	              {"DefaultSecureProtocols": {"type": "REG_DWORD", "data": 2560}}},
//	 "fault": ""}
//
// Optional: "latency", "remoteShellAccess" (false: Group Policy "Allow Remote Shell Access"
// disabled), "basedOn".
//
// Registry keys are full paths (HKLM\..., HKU\<SID>\..., or the long forms HKEY_LOCAL_MACHINE\
// and HKEY_USERS\), compared case-insensitively as Windows does; the parent keys of a listed key
// exist too. The value name "(default)" or "" is the key's default value. Files map a full path
// to the FileVersion string of the file's version resource ("" for a file without one).
type Profile struct {
	// Name is the computer name; hostname and the collector report it.
	Name string `json:"name"`
	OS   OSInfo `json:"os"`
	// Files maps file paths (C:\..., or %SystemRoot%\... and the like) to their version strings.
	Files map[string]string `json:"files"`
	// Registry maps key paths to the key's values by name.
	Registry map[string]map[string]RegistryValue `json:"registry"`
	// Fault makes the host misbehave: "" (none), FaultRefuse, FaultTimeout, FaultAuth,
	// FaultGarbage, FaultQuotaThenOK, FaultReset, FaultSlow, FaultEchoPassword,
	// FaultControlChars, or a hostile host's FaultEndlessHeader, FaultEndlessStatus,
	// FaultEndless401, FaultNoNTLM, FaultEndlessHeaderDelete, FaultDeepXML or FaultFlood.
	Fault string `json:"fault"`
	// Latency delays every answer of the host: a duration ("20ms") or a range ("20ms-200ms",
	// a uniform random delay per request). Empty: none.
	Latency string `json:"latency,omitempty"`
	// BootTime is when the host last started (RFC 3339); empty means DefaultBootTime. The
	// collector reports it (LastBootUpTime).
	BootTime string `json:"bootTime,omitempty"`
	// RemoteShellAccess is the Group Policy "Allow Remote Shell Access" (Windows Components >
	// Windows Remote Shell; winrm/config/winrs AllowRemoteShellAccess). Absent or true: shells
	// are allowed, as on a default host. False: the host refuses every shell Create with the
	// fault Windows sends then (HTTP 500, w:InternalError, code 2150859180), and its WinRM
	// configuration says AllowRemoteShellAccess false.
	RemoteShellAccess *bool `json:"remoteShellAccess,omitempty"`
	// DenyWrite lists registry keys whose ACL denies writing: the registry writer's write of a
	// value there fails with Windows' "Requested registry access is not allowed.", while the
	// other writes of the same program go on.
	DenyWrite []string `json:"denyWrite,omitempty"`
	// LoseWriteAnswers makes the host lose the answer of its first n registry-writer runs that
	// write (not the dry runs): the writes are made, then every Receive of that command is cut
	// short and the connection reset, as when the network fails after the program ran.
	LoseWriteAnswers int `json:"loseWriteAnswers,omitempty"`
	// BasedOn names the profile this one was copied from (Generate sets it), so that a test
	// knows what verdict to expect of a generated host.
	BasedOn string `json:"basedOn,omitempty"`
	// AccountHive is the registry of the connecting account's own hive, by key path relative
	// to the hive's root ("Software\\Microsoft\\..."), with values as in Registry. As on
	// Windows, the hive is loaded only for a shell opened with a profile (a Create without
	// WINRS_NOPROFILE=TRUE): then HKU\<AccountSID(user)> and HKU\<SID>_Classes exist while
	// that shell is open, and the collector sees the first among the user hives. See
	// Host.LoadedProfiles and Host.CreatedProfiles.
	AccountHive map[string]map[string]RegistryValue `json:"accountHive,omitempty"`
	// LanguageMode is the language mode PowerShell runs in for a remote command:
	// LanguageConstrained, as under AppLocker or WDAC script enforcement, or "" (the same as
	// LanguageFull). In Constrained Language Mode a program's check of
	// $ExecutionContext.SessionState.LanguageMode sees it, and a program that invokes a method
	// of a type that is not a core type fails with PowerShell's error (exit code 1).
	LanguageMode string `json:"languageMode,omitempty"`
	// WMI makes the host's WMI over WS-Management fail: WMIDenied (the account may not use the
	// namespace root/default, where the registry provider StdRegProv lives) or
	// WMIProviderFailure (StdRegProv fails). "" (default): WMI answers.
	WMI string `json:"wmi,omitempty"`
	// Probe is what the host's probe (scan --probe) finds; nil: what its configuration implies
	// (probe.go). The host answers it only when the collector asks.
	Probe *ProbeProfile `json:"probe,omitempty"`
}

// Language modes of Profile.LanguageMode, as PowerShell names them.
const (
	LanguageFull        = "FullLanguage"
	LanguageConstrained = "ConstrainedLanguage"
)

// OSInfo is the operating system of a profile, as Win32_OperatingSystem reports it.
type OSInfo struct {
	Caption     string `json:"caption"`
	Version     string `json:"version"`     // "6.1.7601"
	ServicePack int    `json:"servicePack"` // ServicePackMajorVersion
	// ProductType is "workstation", "server" or "domaincontroller".
	ProductType string `json:"productType"`
	// Arch is OSArchitecture: "64-bit" or "32-bit".
	Arch string `json:"arch"`
}

// RegistryValue is one registry value of a profile. Data depends on Type: a JSON integer for
// REG_DWORD (0..4294967295) and REG_QWORD (0..18446744073709551615), a string for REG_SZ and
// REG_EXPAND_SZ, an array of strings for REG_MULTI_SZ, a hex string for REG_BINARY, and a hex
// string or nothing for REG_NONE.
type RegistryValue struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Faults a profile can ask for. Each stays with its host: the other hosts keep working.
const (
	// FaultRefuse closes the host's port: connections are refused.
	FaultRefuse = "refuse"
	// FaultTimeout accepts connections and reads requests but never answers until Close.
	FaultTimeout = "timeout"
	// FaultAuth rejects every request with HTTP 401, whatever the credentials: Basic outright,
	// NTLM at its AUTHENTICATE message (the password is tried and refused), Kerberos at its
	// AP-REQ.
	FaultAuth = "auth"
	// FaultGarbage makes the collector print nonsense (exit code 0) that facts.ParseOutput rejects.
	FaultGarbage = "garbage"
	// FaultQuotaThenOK answers the host's first two shell Create requests with the WinRM quota
	// fault of MaxShellsPerUser (HTTP 500, as Windows sends it), then works: a busy host that a
	// retry gets through.
	FaultQuotaThenOK = "quota-then-ok"
	// FaultReset cuts every Command answer short: the status line, the headers and part of the
	// body are sent, then the connection is reset (SO_LINGER 0). Authentication and Create work.
	FaultReset = "reset"
	// FaultSlow delays every answer by a random 0.5 to 2 s; the answers are right.
	FaultSlow = "slow"
	// FaultEchoPassword makes a hostile host echo the password it was given (Options.Password:
	// the one a Basic client sends, and the one an NTLM client's test configured) back in every
	// text it returns: the ShellId of its shells, the OS caption, the collector's stderr, and a
	// registry value read's error text (state "error"), in clear, base64, UTF-16LE base64 and as
	// the base64 of user:password of a Basic header.
	FaultEchoPassword = "echo-password"
	// FaultControlChars makes every string the collector returns (computer name, OS caption,
	// REG_SZ and REG_EXPAND_SZ data, user hive names) end in terminal and bidi controls:
	// ESC[2J, ESC]52;c;...BEL (write the clipboard), BEL, U+009B (C1 CSI), U+202E, U+2028.
	FaultControlChars = "control-chars"
	// FaultEndlessHeader answers every request (the client's first: NTLM's NEGOTIATE, or a
	// Basic request) with a status line and then a header line that never ends, streamed in
	// small chunks until the client goes away (at most endlessFor).
	FaultEndlessHeader = "endless-header"
	// FaultEndlessStatus answers every request with a status line that never ends.
	FaultEndlessStatus = "endless-status"
	// FaultEndless401 answers every request, the NTLM NEGOTIATE first, with HTTP 401 and a body
	// that never ends.
	FaultEndless401 = "endless-401"
	// FaultNoNTLM is a host with Negotiate (NTLM, Kerberos) disabled: it offers only Basic and
	// answers any other scheme with HTTP 401 "WWW-Authenticate: Basic"; Basic works as on any
	// host (over HTTPS, or with AllowUnencrypted).
	FaultNoNTLM = "no-ntlm"
	// FaultEndlessHeaderDelete works normally, and answers the shell Delete (once the shell is
	// gone) with a status line and a header line that never ends.
	FaultEndlessHeaderDelete = "endless-header-delete"
	// FaultDeepXML answers every Receive of a command with HTTP 200 and a body as large as the
	// client's MaxEnvelopeSize allows (within the host's) of elements opened and never closed:
	// XML depth amplification, inside every size cap.
	FaultDeepXML = "deep-xml"
	// FaultFlood answers every Receive of a command at once with stdout as long as the
	// client's MaxEnvelopeSize allows, in valid ReceiveResponses of a command that never ends:
	// output as fast as the client reads it, endless.
	FaultFlood = "flood"
)

// faultList names the faults for error messages.
const faultList = "refuse, timeout, auth, garbage, quota-then-ok, reset, slow, echo-password, control-chars, endless-header, endless-status, endless-401, no-ntlm, endless-header-delete, deep-xml or flood"

// knownFault reports whether f is one of the Fault constants.
func knownFault(f string) bool {
	switch f {
	case FaultRefuse, FaultTimeout, FaultAuth, FaultGarbage, FaultQuotaThenOK, FaultReset, FaultSlow,
		FaultEchoPassword, FaultControlChars, FaultEndlessHeader, FaultEndlessStatus, FaultEndless401, FaultNoNTLM,
		FaultEndlessHeaderDelete, FaultDeepXML, FaultFlood:
		return true
	}
	return false
}

// quotaFaults is how many Create requests a FaultQuotaThenOK host refuses.
const quotaFaults = 2

// DefaultBootTime is the boot time of a profile that names none: a fixed time, so that what the
// hosts report is the same in every run.
func DefaultBootTime() time.Time { return time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC) }

// Product types of OSInfo.ProductType.
const (
	ProductWorkstation      = "workstation"
	ProductServer           = "server"
	ProductDomainController = "domaincontroller"
)

var (
	osVersionPattern = regexp.MustCompile(`^\d{1,3}\.\d{1,3}(\.\d{1,6})?$`)
	drivePathPattern = regexp.MustCompile(`^[A-Za-z]:\\`)
)

// LoadProfile reads and validates one profile. Unknown JSON fields are errors; every error names
// the file and the cause.
func LoadProfile(path string) (Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", path, err)
	}
	return decodeProfile(path, b)
}

// LoadFleet reads every *.json profile in dir, sorted by host name. Two profiles with the same
// name (compared case-insensitively, as computer names are) are an error, and so is a directory
// without profiles.
func LoadFleet(dir string) ([]Profile, error) {
	return loadFleet(os.DirFS(dir), func(name string) string { return filepath.Join(dir, name) }, dir)
}

// LoadFleetFS is LoadFleet for the *.json files at the root of fsys (an embedded fleet, for
// example); label names fsys in errors.
func LoadFleetFS(fsys fs.FS, label string) ([]Profile, error) {
	return loadFleet(fsys, func(name string) string { return path.Join(label, name) }, label)
}

func loadFleet(fsys fs.FS, display func(string) string, label string) ([]Profile, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("fleet %s: %w", label, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("fleet %s: no *.json host profiles", label)
	}
	var profiles []Profile
	from := map[string]string{}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", display(n), err)
		}
		p, err := decodeProfile(display(n), b)
		if err != nil {
			return nil, err
		}
		key := strings.ToUpper(p.Name)
		if first, dup := from[key]; dup {
			return nil, fmt.Errorf("profile %s: host name %q already used by %s", display(n), p.Name, first)
		}
		from[key] = display(n)
		profiles = append(profiles, p)
	}
	sort.Slice(profiles, func(i, j int) bool { return profiles[i].Name < profiles[j].Name })
	return profiles, nil
}

func decodeProfile(name string, b []byte) (Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Profile{}, fmt.Errorf("profile %s: text after the JSON object", name)
	}
	if err := p.Validate(); err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", name, err)
	}
	return p, nil
}

// ParseLatency reads a latency: "" (none), a duration ("20ms") or a range ("20ms-200ms").
// It returns the lowest and the highest delay.
func ParseLatency(s string) ([2]time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return [2]time.Duration{}, nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := time.ParseDuration(strings.TrimSpace(lo))
	if err != nil && lo == "0" {
		a, err = 0, nil
	}
	if err != nil {
		return [2]time.Duration{}, fmt.Errorf("%q: want a duration such as 20ms or a range such as 20ms-200ms", s)
	}
	b := a
	if isRange {
		if b, err = time.ParseDuration(strings.TrimSpace(hi)); err != nil {
			return [2]time.Duration{}, fmt.Errorf("%q: want a duration such as 20ms or a range such as 20ms-200ms", s)
		}
	}
	if a < 0 || b < a {
		return [2]time.Duration{}, fmt.Errorf("%q: want 0 <= low <= high", s)
	}
	return [2]time.Duration{a, b}, nil
}

// fault is the profile's fault, or "" once it was cleared.
func (h *host) fault() string {
	if h.cleared.Load() {
		return ""
	}
	return h.p.Fault
}

// Validate checks a profile: the name, the OS fields, the fault, every registry key, value type
// and data, and every file path. Start validates the profiles it is given.
func (p Profile) Validate() error {
	_, err := compile(p)
	return err
}

// Healthy reports whether the host works as a default Windows host does: no fault, PowerShell
// in full language mode, remote shells allowed. Only healthy profiles are good bases for
// Generate's healthy hosts.
func (p Profile) Healthy() bool {
	return p.Fault == "" && p.WMI == "" && (p.LanguageMode == "" || p.LanguageMode == LanguageFull) &&
		(p.RemoteShellAccess == nil || *p.RemoteShellAccess)
}

// host is a profile prepared for answering: normalised, indexed, its data in text form.
type host struct {
	p          Profile
	noShells   bool             // RemoteShellAccess false: every Create is refused
	cleared    atomic.Bool      // ClearFault was called: the host behaves as if p.Fault were ""
	latency    [2]time.Duration // min, max of the per-request delay
	is64       bool
	oldWinRM   bool   // Windows 7 / Server 2008 R2 and older (6.1 and below): WinRM 2.0 defaults
	echoUser   string // Options.User and Password, set by Start: what FaultEchoPassword echoes
	echoPass   string
	lostWrites atomic.Int32       // registry-writer answers lost so far (Profile.LoseWriteAnswers)
	bootMu     sync.Mutex         // guards boot
	boot       time.Time          // when the host last started
	regMu      sync.RWMutex       // guards keys and their values: the registry writer changes them
	keys       map[string]*regKey // lower-case normalised path -> key; parents of listed keys included
	hives      []string           // names under HKU, without the "_Classes" hives
	files      map[string]string  // lower-case path -> version string
	env        []envVar           // the environment cmd.exe and the collector see
	envLookup  map[string]string  // upper-case name -> value
	// account is the connecting account's hive (Profile.AccountHive): lower-case path relative
	// to the hive's root -> key; parents included, "" is the root.
	account map[string]*regKey
	profMu  sync.Mutex     // guards loaded and created
	loaded  map[string]int // account SID -> open shells that loaded its profile
	created map[string]bool
}

type regKey struct {
	path   string               // HKLM\... as first written
	values map[string]*regValue // lower-case name ("" = default) -> value
}

type regValue struct {
	name string // as written; "" for the default value
	typ  string
	text string // facts.Value.Data form
}

type envVar struct{ name, value string }

func compile(p Profile) (*host, error) {
	if p.Name == "" {
		return nil, errors.New("name is empty")
	}
	if strings.IndexFunc(p.Name, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) || r == '\\' }) >= 0 {
		return nil, fmt.Errorf("name %q: no spaces, control characters or backslashes", p.Name)
	}
	if err := p.Probe.validate(); err != nil {
		return nil, err
	}
	h := &host{p: p, keys: map[string]*regKey{}, files: map[string]string{}}
	h.noShells = p.RemoteShellAccess != nil && !*p.RemoteShellAccess
	o := p.OS
	if strings.TrimSpace(o.Caption) == "" {
		return nil, errors.New("os.caption is empty")
	}
	if !osVersionPattern.MatchString(o.Version) {
		return nil, fmt.Errorf("os.version %q: want a Windows version such as 6.1.7601", o.Version)
	}
	if o.ServicePack < 0 || o.ServicePack > 9 {
		return nil, fmt.Errorf("os.servicePack %d: want 0..9", o.ServicePack)
	}
	switch o.ProductType {
	case ProductWorkstation, ProductServer, ProductDomainController:
	default:
		return nil, fmt.Errorf("os.productType %q: want workstation, server or domaincontroller", o.ProductType)
	}
	switch o.Arch {
	case "64-bit":
		h.is64 = true
	case "32-bit":
	default:
		return nil, fmt.Errorf("os.arch %q: want 64-bit or 32-bit", o.Arch)
	}
	if p.Fault != "" && !knownFault(p.Fault) {
		return nil, fmt.Errorf("fault %q: want \"\", %s", p.Fault, faultList)
	}
	switch p.LanguageMode {
	case "", LanguageFull, LanguageConstrained:
	default:
		return nil, fmt.Errorf("languageMode %q: want \"\", %s or %s", p.LanguageMode, LanguageFull, LanguageConstrained)
	}
	switch p.WMI {
	case "", WMIDenied, WMIProviderFailure:
	default:
		return nil, fmt.Errorf("wmi %q: want \"\", %s or %s", p.WMI, WMIDenied, WMIProviderFailure)
	}
	lat, err := ParseLatency(p.Latency)
	if err != nil {
		return nil, fmt.Errorf("latency: %w", err)
	}
	h.latency = lat
	h.boot = DefaultBootTime()
	if p.BootTime != "" {
		if h.boot, err = time.Parse(time.RFC3339, p.BootTime); err != nil {
			return nil, fmt.Errorf("bootTime %q: want RFC 3339 (2026-01-02T15:04:05Z)", p.BootTime)
		}
	}
	major, minor := osMajorMinor(o.Version)
	h.oldWinRM = major < 6 || (major == 6 && minor <= 1)
	h.env = environment(p, h.is64)
	h.envLookup = map[string]string{}
	for _, e := range h.env {
		h.envLookup[strings.ToUpper(e.name)] = e.value
	}

	// Keys that exist on every Windows host.
	for _, k := range []string{`HKLM`, `HKLM\SOFTWARE`, `HKLM\SYSTEM`, `HKU`} {
		h.addKey(k)
	}
	if h.is64 {
		h.addKey(`HKLM\SOFTWARE\Wow6432Node`)
	}
	listed := map[string]string{}
	for _, raw := range sortedKeys(p.Registry) {
		norm, err := normalizeKey(raw)
		if err != nil {
			return nil, fmt.Errorf("registry key %q: %w", raw, err)
		}
		if first, dup := listed[strings.ToLower(norm)]; dup {
			return nil, fmt.Errorf("registry key %q: listed twice (also as %q)", raw, first)
		}
		listed[strings.ToLower(norm)] = raw
		k := h.addKey(norm)
		if k.values == nil {
			k.values = map[string]*regValue{}
		}
		for _, name := range sortedKeys(p.Registry[raw]) {
			v := p.Registry[raw][name]
			vname := name
			if vname == "(default)" {
				vname = ""
			}
			text, err := valueText(v)
			if err != nil {
				return nil, fmt.Errorf("registry key %q: value %q: %w", raw, name, err)
			}
			lk := strings.ToLower(vname)
			if _, dup := k.values[lk]; dup {
				return nil, fmt.Errorf("registry key %q: value %q listed twice", raw, name)
			}
			k.values[lk] = &regValue{name: vname, typ: v.Type, text: text}
		}
		if parts := strings.Split(norm, `\`); parts[0] == "HKU" && len(parts) > 1 {
			h.addHive(parts[1])
		}
	}
	if err := h.compileAccountHive(p.AccountHive); err != nil {
		return nil, err
	}
	h.addSystemValues()
	for _, raw := range sortedKeys(p.Files) {
		full := h.expandEnv(raw)
		if !drivePathPattern.MatchString(full) {
			return nil, fmt.Errorf("file %q (expanded: %q): want a full path such as C:\\Windows\\System32\\webio.dll", raw, full)
		}
		lk := normalizePath(full)
		if _, dup := h.files[lk]; dup {
			return nil, fmt.Errorf("file %q: listed twice", raw)
		}
		h.files[lk] = p.Files[raw]
	}
	return h, nil
}

// compileAccountHive checks and indexes Profile.AccountHive.
func (h *host) compileAccountHive(hive map[string]map[string]RegistryValue) error {
	h.account = map[string]*regKey{"": {path: ""}}
	h.loaded, h.created = map[string]int{}, map[string]bool{}
	for _, raw := range sortedKeys(hive) {
		parts := strings.Split(raw, `\`)
		switch strings.ToUpper(parts[0]) {
		case "HKLM", "HKU", "HKCU", "HKEY_LOCAL_MACHINE", "HKEY_USERS", "HKEY_CURRENT_USER":
			return fmt.Errorf("accountHive key %q: want a path relative to the hive (Software\\...)", raw)
		}
		var k *regKey
		for i, part := range parts {
			if part == "" {
				return fmt.Errorf("accountHive key %q: empty key name (doubled, leading or trailing backslash)", raw)
			}
			sub := strings.Join(parts[:i+1], `\`)
			if k = h.account[strings.ToLower(sub)]; k == nil {
				k = &regKey{path: sub}
				h.account[strings.ToLower(sub)] = k
			}
		}
		if k.values != nil {
			return fmt.Errorf("accountHive key %q: listed twice", raw)
		}
		k.values = map[string]*regValue{}
		for _, name := range sortedKeys(hive[raw]) {
			vname := name
			if vname == "(default)" {
				vname = ""
			}
			text, err := valueText(hive[raw][name])
			if err != nil {
				return fmt.Errorf("accountHive key %q: value %q: %w", raw, name, err)
			}
			if _, dup := k.values[strings.ToLower(vname)]; dup {
				return fmt.Errorf("accountHive key %q: value %q listed twice", raw, name)
			}
			k.values[strings.ToLower(vname)] = &regValue{name: vname, typ: hive[raw][name].Type, text: text}
		}
	}
	return nil
}

// loadProfile is Windows loading (and, the first time, creating) the profile of the account
// with this SID for a shell: its hive stays loaded until the last such shell is closed (the
// User Profile Service counts the references and unloads the hive at zero).
func (h *host) loadProfile(sid string) {
	h.profMu.Lock()
	defer h.profMu.Unlock()
	h.loaded[sid]++
	h.created[sid] = true
}

// unloadProfile releases the profile a closed shell loaded.
func (h *host) unloadProfile(sid string) {
	h.profMu.Lock()
	defer h.profMu.Unlock()
	if h.loaded[sid]--; h.loaded[sid] <= 0 {
		delete(h.loaded, sid)
	}
}

// profileHives returns the account SIDs whose profiles are loaded now, sorted, leaving out
// those whose hive the profile's Registry lists anyway.
func (h *host) profileHives() []string {
	h.profMu.Lock()
	defer h.profMu.Unlock()
	var out []string
	for sid := range h.loaded {
		if !slices.ContainsFunc(h.hives, func(x string) bool { return strings.EqualFold(x, sid) }) {
			out = append(out, sid)
		}
	}
	sort.Strings(out)
	return out
}

// readAccountValue reads a value of the account's hive (key relative to its root).
func (h *host) readAccountValue(id, fullKey, rel, name string) facts.Value {
	v := facts.Value{ItemID: id, Key: fullKey, Name: name, State: facts.StateNoKey}
	return valueIn(v, h.account[strings.ToLower(strings.Trim(rel, `\`))])
}

// addKey registers a key and its parents, and returns the key.
func (h *host) addKey(norm string) *regKey {
	parts := strings.Split(norm, `\`)
	var k *regKey
	for i := range parts {
		p := strings.Join(parts[:i+1], `\`)
		lk := strings.ToLower(p)
		if k = h.keys[lk]; k == nil {
			k = &regKey{path: p}
			h.keys[lk] = k
		}
	}
	return k
}

func (h *host) addHive(name string) {
	if strings.HasSuffix(strings.ToLower(name), "_classes") {
		return
	}
	for _, x := range h.hives {
		if strings.EqualFold(x, name) {
			return
		}
	}
	h.hives = append(h.hives, name)
	sort.Slice(h.hives, func(i, j int) bool { return strings.ToLower(h.hives[i]) < strings.ToLower(h.hives[j]) })
}

// normalizeKey turns a key path into HKLM\... or HKU\... form, keeping the case of the subkeys.
func normalizeKey(raw string) (string, error) {
	parts := strings.Split(raw, `\`)
	switch strings.ToUpper(parts[0]) {
	case "HKLM", "HKEY_LOCAL_MACHINE":
		parts[0] = "HKLM"
	case "HKU", "HKEY_USERS":
		parts[0] = "HKU"
	default:
		return "", errors.New(`want a full path starting with HKLM\ or HKU\ (or HKEY_LOCAL_MACHINE\, HKEY_USERS\)`)
	}
	for _, s := range parts[1:] {
		if s == "" {
			return "", errors.New("empty key name (doubled or trailing backslash)")
		}
	}
	return strings.Join(parts, `\`), nil
}

// valueText checks a value's data against its type and renders it as facts.Value.Data.
func valueText(v RegistryValue) (string, error) {
	data := bytes.TrimSpace(v.Data)
	if v.Type == "REG_NONE" && (len(data) == 0 || string(data) == "null") {
		return "", nil
	}
	if len(data) == 0 || string(data) == "null" {
		return "", fmt.Errorf("%s without data", v.Type)
	}
	switch v.Type {
	case "REG_DWORD", "REG_QWORD":
		bits := 32
		if v.Type == "REG_QWORD" {
			bits = 64
		}
		n, err := strconv.ParseUint(string(data), 10, bits)
		if err != nil {
			max := uint64(1)<<bits - 1
			return "", fmt.Errorf("%s data %s: want an integer 0..%d", v.Type, truncate(string(data), 30), max)
		}
		return strconv.FormatUint(n, 10), nil
	case "REG_SZ", "REG_EXPAND_SZ":
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return "", fmt.Errorf("%s data %s: want a string", v.Type, truncate(string(data), 30))
		}
		return s, nil
	case "REG_MULTI_SZ":
		var ss []string
		if err := json.Unmarshal(data, &ss); err != nil {
			return "", fmt.Errorf("%s data %s: want an array of strings", v.Type, truncate(string(data), 30))
		}
		for _, s := range ss {
			if s == "" || strings.ContainsRune(s, 0) {
				return "", fmt.Errorf("%s data: strings must be non-empty and free of NUL", v.Type)
			}
		}
		return strings.Join(ss, "\n"), nil
	case "REG_BINARY", "REG_NONE":
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return "", fmt.Errorf("%s data %s: want a hex string", v.Type, truncate(string(data), 30))
		}
		b, err := hex.DecodeString(s)
		if err != nil {
			return "", fmt.Errorf("%s data %q: want a hex string (an even number of 0-9a-f)", v.Type, truncate(s, 30))
		}
		return hex.EncodeToString(b), nil
	}
	return "", fmt.Errorf("type %q: want REG_DWORD, REG_QWORD, REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ, REG_BINARY or REG_NONE", v.Type)
}

func osMajorMinor(version string) (int, int) {
	parts := strings.Split(version, ".")
	major, _ := strconv.Atoi(parts[0])
	minor := 0
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	return major, minor
}

// environment is what cmd.exe's "set" prints on such a host (the machine part of it).
func environment(p Profile, is64 bool) []envVar {
	arch := "x86"
	if is64 {
		arch = "AMD64"
	}
	env := []envVar{
		{"ALLUSERSPROFILE", `C:\ProgramData`},
		{"CommonProgramFiles", `C:\Program Files\Common Files`},
		{"COMPUTERNAME", p.Name},
		{"ComSpec", `C:\Windows\system32\cmd.exe`},
		{"NUMBER_OF_PROCESSORS", "2"},
		{"OS", "Windows_NT"},
		{"Path", `C:\Windows\system32;C:\Windows;C:\Windows\System32\Wbem;C:\Windows\System32\WindowsPowerShell\v1.0\`},
		{"PATHEXT", ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC"},
		{"PROCESSOR_ARCHITECTURE", arch},
		{"ProgramData", `C:\ProgramData`},
		{"ProgramFiles", `C:\Program Files`},
		{"PROMPT", "$P$G"},
		{"PSModulePath", `C:\Windows\system32\WindowsPowerShell\v1.0\Modules\`},
		{"PUBLIC", `C:\Users\Public`},
		{"SystemDrive", "C:"},
		{"SystemRoot", `C:\Windows`},
		{"TEMP", `C:\Windows\TEMP`},
		{"TMP", `C:\Windows\TEMP`},
		{"windir", `C:\Windows`},
	}
	if is64 {
		env = append(env,
			envVar{"CommonProgramFiles(x86)", `C:\Program Files (x86)\Common Files`},
			envVar{"CommonProgramW6432", `C:\Program Files\Common Files`},
			envVar{"ProgramFiles(x86)", `C:\Program Files (x86)`},
			envVar{"ProgramW6432", `C:\Program Files`})
	}
	sort.Slice(env, func(i, j int) bool { return strings.ToUpper(env[i].name) < strings.ToUpper(env[j].name) })
	return env
}

// expandEnv expands %NAME% as Windows does: names case-insensitively, unknown names left as
// they are.
func (h *host) expandEnv(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		name := s[i+1 : i+1+j]
		if v, ok := h.envLookup[strings.ToUpper(name)]; ok && name != "" {
			b.WriteString(s[:i])
			b.WriteString(v)
			s = s[i+j+2:]
			continue
		}
		// Not a variable: keep the first '%' and look again from the second.
		b.WriteString(s[:i+1+j])
		s = s[i+1+j:]
	}
}

// normalizePath is the comparison form of a Windows path: case-insensitive, either slash.
func normalizePath(p string) string {
	return strings.ToLower(strings.ReplaceAll(p, "/", `\`))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
