package remote

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// The WMI reader: what the collector script reads (collector.ps1), read instead through WMI over
// WS-Management, without starting any process on the host. It fills facts.Facts exactly as the
// collector does, so that checks and reports cannot tell the two apart:
//
//   - Win32_OperatingSystem (root/cimv2), enumerated: computer name (CSName), caption, version,
//     service pack, product type, architecture, LastBootUpTime, and the Windows directory that
//     %SystemRoot% expands to.
//   - Win32_UserAccount (root/cimv2), got by its keys Domain and Name: the scanning account's SID.
//   - StdRegProv (root/default): EnumKey of HKEY_USERS for the loaded hives (without the
//     *_Classes hives, as the collector), then one EnumValues per wanted key and one Get...Value
//     per wanted value that exists, by its type. Keys under a key found missing are not asked
//     for, and the common parent of several wanted keys in different branches (Office\16.0,
//     15.0, 14.0, ClickToRun) is listed once with EnumKey so that its missing children are not
//     asked for either.
//   - CIM_DataFile (root/cimv2), got by its key Name: a file's version resource.
//
// What PowerShell itself reports in the collector's output comes from where PowerShell takes it:
// PROCESSOR_ARCHITECTURE from the system environment (HKLM\SYSTEM\CurrentControlSet\Control\
// Session Manager\Environment), the PowerShell version from its engine key
// (HKLM\SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine, or 1\PowerShellEngine for 2.0), and
// the process's bitness is the OS's (WinRM runs the native PowerShell).
//
// StdRegProv's methods: https://learn.microsoft.com/en-us/previous-versions/windows/desktop/regprov/stdregprov
// (EnumKey, EnumValues: sNames[] and Types[] as repeated elements; the Get...Value methods:
// sValue, uValue; ReturnValue 0 success, else a Win32 error: 1 or 2 when the value or key does
// not exist, 5 access denied; WBEM_E_TYPE_MISMATCH 0x80041005 when the value has another type).

// Registry roots of StdRegProv's hDefKey (WinReg.h; listed on each StdRegProv method page).
const (
	hkeyLocalMachine = "2147483650"
	hkeyUsers        = "2147483651"
)

// StdRegProv ReturnValues.
const (
	regOK            = 0
	regValueNotFound = 1
	regNotFound      = 2 // ERROR_FILE_NOT_FOUND: the key (or the value) does not exist
	regAccessDenied  = 5
)

// Registry value types of EnumValues' Types[] (winnt.h REG_*; [MS-RRP] 2.2.3 and
// https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-value-types).
var regTypeNames = map[int]string{
	0: facts.RegNone, 1: facts.RegSZ, 2: facts.RegExpandSZ, 3: facts.RegBinary, 4: facts.RegDWORD,
	7: facts.RegMultiSZ, 11: facts.RegQWORD,
}

// The StdRegProv method that reads each type, and the name of its out parameter.
var regGetMethod = map[int][2]string{
	1: {"GetStringValue", "sValue"}, 2: {"GetExpandedStringValue", "sValue"}, 3: {"GetBinaryValue", "uValue"},
	4: {"GetDWORDValue", "uValue"}, 7: {"GetMultiStringValue", "sValue"}, 11: {"GetQWORDValue", "uValue"},
}

// Keys whose values stand in for what PowerShell reports about itself.
const (
	keyEnvironment = `HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment`
	keyPowerShell3 = `HKLM\SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine`
	keyPowerShell1 = `HKLM\SOFTWARE\Microsoft\PowerShell\1\PowerShellEngine`
	keyCurrentVer  = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion`
)

// envFromCurrentVersion are the variables Windows sets for a process from values of
// HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion.
var envFromCurrentVersion = map[string]string{
	"PROGRAMFILES": "ProgramFilesDir", "PROGRAMFILES(X86)": "ProgramFilesDir (x86)", "PROGRAMW6432": "ProgramW6432Dir",
	"COMMONPROGRAMFILES": "CommonFilesDir", "COMMONPROGRAMFILES(X86)": "CommonFilesDir (x86)", "COMMONPROGRAMW6432": "CommonW6432Dir",
}

// CollectWMI reads the facts of the host at ep for the given items through WMI over
// WS-Management: no process is started on the host. Errors are *Error: those of the session
// (connect, authenticate, a WS-Management fault such as access denied to root/default), or of
// step "collect" (CategoryCollector) when an answer makes no sense.
func (c *Client) CollectWMI(ctx context.Context, ep Endpoint, items []facts.Item) (*facts.Facts, error) {
	f, _, err := c.collectWMI(ctx, ep, items)
	return f, err
}

// CollectWMICounted is CollectWMI that also returns how many WS-Management requests it sent.
func (c *Client) CollectWMICounted(ctx context.Context, ep Endpoint, items []facts.Item) (*facts.Facts, int, error) {
	return c.collectWMI(ctx, ep, items)
}

func (c *Client) collectWMI(ctx context.Context, ep Endpoint, items []facts.Item) (*facts.Facts, int, error) {
	if err := facts.Validate(items); err != nil {
		return nil, 0, c.collectError(c.normalize(ep), err)
	}
	s, err := c.OpenSession(ctx, ep)
	if err != nil {
		return nil, 0, err
	}
	defer s.Close()
	r := &wmiReader{s: s, user: c.cfg.User, keys: map[string]*regKeyState{}, env: map[string]string{}}
	f, err := r.read(items)
	if err != nil {
		var re *Error
		if !errors.As(err, &re) {
			err = &Error{Host: s.Host(), Step: stepCollect, Category: CategoryCollector, Err: err}
		}
		return nil, s.Requests(), err
	}
	return f, s.Requests(), nil
}

// wmiReader is the state of one host's read.
type wmiReader struct {
	s    *Session
	user string
	f    *facts.Facts
	keys map[string]*regKeyState // lower-case key path -> what is known of it
	env  map[string]string       // upper-case variable -> value, as far as read
}

// regKeyState is what is known of a registry key.
type regKeyState struct {
	missing bool // the key does not exist
	listed  bool // EnumValues answered: types holds its values
	state   facts.State
	msg     string
	types   map[string]int // lower-case value name -> REG_* type number
	// children, when the key was listed with EnumKey: lower-case names of its subkeys.
	children map[string]bool
	values   map[string]facts.Value // lower-case value name -> value read
}

var (
	resRegistry  = WMIResourceURI("root/default", "StdRegProv")
	resOS        = WMIResourceURI("root/cimv2", "Win32_OperatingSystem")
	resAccount   = WMIResourceURI("root/cimv2", "Win32_UserAccount")
	resDataFile  = WMIResourceURI("root/cimv2", "CIM_DataFile")
	errNoOS      = errors.New("Win32_OperatingSystem: no instance")
	wmiVersionRe = regexp.MustCompile(`^\d{1,5}\.\d{1,5}(\.\d{1,6})?$`)
)

func (r *wmiReader) read(items []facts.Item) (*facts.Facts, error) {
	r.f = &facts.Facts{UserHives: []string{}, Values: []facts.Value{}, Files: []facts.File{}}
	if err := r.readOS(); err != nil {
		return nil, err
	}
	r.f.Account = r.readAccount()
	if err := r.readHives(); err != nil {
		return nil, err
	}
	// The keys the items need, HKU\* expanded, and those of what PowerShell reports.
	var wanted []string
	for _, it := range items {
		if it.Kind == facts.KindFile || it.Kind == facts.KindProbe {
			continue
		}
		wanted = append(wanted, r.expandHives(it.Key)...)
	}
	wanted = append(wanted, keyEnvironment, keyPowerShell3)
	if err := r.listKeys(wanted); err != nil {
		return nil, err
	}
	if err := r.readProcess(); err != nil {
		return nil, err
	}
	for _, it := range items {
		if err := r.readItem(it); err != nil {
			return nil, err
		}
	}
	return r.f, nil
}

// readOS enumerates Win32_OperatingSystem.
func (r *wmiReader) readOS() error {
	list, err := r.s.Enumerate(resOS, 32000)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errNoOS
	}
	os := list[0]
	name, _ := os.Value("CSName")
	caption, _ := os.Value("Caption")
	version, _ := os.Value("Version")
	arch, _ := os.Value("OSArchitecture")
	if !wmiVersionRe.MatchString(version) {
		return fmt.Errorf("Win32_OperatingSystem.Version %q is not a Windows version", snippet([]byte(version), 30))
	}
	sp, err := os.Uint("ServicePackMajorVersion", 16)
	if err != nil || sp > 9 {
		return fmt.Errorf("Win32_OperatingSystem.ServicePackMajorVersion: %v", orRange(err, sp))
	}
	pt, err := os.Uint("ProductType", 32)
	if err != nil || pt < 1 || pt > 3 {
		return fmt.Errorf("Win32_OperatingSystem.ProductType: %v", orRange(err, pt))
	}
	r.f.ComputerName = name
	r.f.OS = facts.OS{Caption: caption, Version: version, ServicePack: int(sp), ProductType: int(pt), Architecture: arch}
	// LastBootUpTime in UTC, to the second, as the collector prints it; none when unreadable.
	if boot, ok := os.Value("LastBootUpTime"); ok {
		if t, err := ParseCIMDatetime(boot); err == nil {
			r.f.BootTime = t.Truncate(1e9)
		}
	}
	if dir, ok := os.Value("WindowsDirectory"); ok && dir != "" {
		r.env["SYSTEMROOT"], r.env["WINDIR"] = dir, dir
	}
	if drive, ok := os.Value("SystemDrive"); ok && drive != "" {
		r.env["SYSTEMDRIVE"] = drive
	}
	return nil
}

func orRange(err error, n uint64) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%d out of range", n)
}

// readAccount returns the SID of the scanning account (Win32_UserAccount by Domain and Name), or
// "" when the host does not say, as the collector prints an empty sid then.
func (r *wmiReader) readAccount() string {
	domain, name := "", r.user
	switch {
	case strings.Contains(name, `\`):
		i := strings.LastIndexByte(name, '\\')
		domain, name = name[:i], name[i+1:]
	case strings.Contains(name, "@"):
		// user@realm: the NetBIOS name of the domain is most often the realm's first label.
		i := strings.IndexByte(name, '@')
		domain, name = strings.ToUpper(strings.SplitN(name[i+1:], ".", 2)[0]), name[:i]
	default:
		domain = r.f.ComputerName // a local account
	}
	if name == "" || domain == "" {
		return ""
	}
	acct, err := r.s.Get(resAccount, Selector{"Domain", domain}, Selector{"Name", name})
	if err != nil {
		return ""
	}
	sid, _ := acct.Value("SID")
	if !validSID(sid) {
		return ""
	}
	return sid
}

var sidRe = regexp.MustCompile(`^S-1-\d{1,14}(-\d{1,10}){0,15}$`)

func validSID(s string) bool { return sidRe.MatchString(s) }

// readHives lists HKEY_USERS: the loaded hives, without the *_Classes ones.
func (r *wmiReader) readHives() error {
	out, err := r.s.Invoke(resRegistry, "EnumKey", regParams(hkeyUsers, ""))
	if err != nil {
		return err
	}
	rv, err := returnValue(out)
	if err != nil {
		return err
	}
	if rv != regOK {
		return fmt.Errorf("StdRegProv EnumKey of HKEY_USERS: ReturnValue %d", rv)
	}
	hku := r.key(`HKU`)
	hku.children = map[string]bool{}
	for _, h := range out.Values("sNames") {
		hku.children[strings.ToLower(h)] = true
		if !strings.HasSuffix(strings.ToLower(h), "_classes") {
			r.f.UserHives = append(r.f.UserHives, h)
		}
	}
	return nil
}

// expandHives expands an HKU\* key over the loaded hives, as the collector does.
func (r *wmiReader) expandHives(key string) []string {
	if len(key) < len(facts.AllUserHives) || !strings.EqualFold(key[:len(facts.AllUserHives)], facts.AllUserHives) {
		return []string{key}
	}
	var out []string
	for _, h := range r.f.UserHives {
		out = append(out, `HKU\`+h+key[len(facts.AllUserHives)-1:])
	}
	return out
}

// key returns the state of a key path, made on first use.
func (r *wmiReader) key(path string) *regKeyState {
	lk := strings.ToLower(path)
	k := r.keys[lk]
	if k == nil {
		k = &regKeyState{}
		r.keys[lk] = k
	}
	return k
}

// parentMissing reports whether a key is known not to exist from what is known of its
// ancestors: one of them is missing, or was listed without it.
func (r *wmiReader) parentMissing(path string) bool {
	parts := strings.Split(path, `\`)
	for i := 1; i < len(parts); i++ {
		anc := r.keys[strings.ToLower(strings.Join(parts[:i], `\`))]
		if anc == nil {
			continue
		}
		if anc.missing || anc.children != nil && !anc.children[strings.ToLower(parts[i])] {
			return true
		}
	}
	return false
}

// listKeys reads the values of every wanted key with one EnumValues each, shallower keys first,
// after listing with EnumKey the branch points that pay for themselves (probeNodes). A key
// whose ancestor is missing is missing without a request.
func (r *wmiReader) listKeys(wanted []string) error {
	uniq := map[string]string{}
	for _, k := range wanted {
		uniq[strings.ToLower(k)] = k
	}
	var keys []string
	for _, k := range uniq {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		di, dj := strings.Count(keys[i], `\`), strings.Count(keys[j], `\`)
		if di != dj {
			return di < dj
		}
		return strings.ToLower(keys[i]) < strings.ToLower(keys[j])
	})
	for _, p := range probeNodes(keys) {
		if err := r.enumKey(p); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if err := r.enumValues(k); err != nil {
			return err
		}
	}
	return nil
}

// probeNodes returns the keys worth one EnumKey: a key that is not wanted itself, under which
// wanted keys lie in three or more different child branches, and below which no deeper key is
// such a branch point. Listing it tells which of those branches exist (Office: 16.0, 15.0,
// 14.0, ClickToRun), so that the missing ones cost nothing.
func probeNodes(keys []string) []string {
	wanted := map[string]bool{}
	branches := map[string]map[string]bool{} // lower node -> lower child names towards wanted keys
	display := map[string]string{}
	for _, k := range keys {
		wanted[strings.ToLower(k)] = true
	}
	for _, k := range keys {
		parts := strings.Split(k, `\`)
		for i := 2; i < len(parts); i++ { // nodes below the root (HKLM\SOFTWARE and deeper)
			node := strings.ToLower(strings.Join(parts[:i], `\`))
			if branches[node] == nil {
				branches[node] = map[string]bool{}
				display[node] = strings.Join(parts[:i], `\`)
			}
			branches[node][strings.ToLower(parts[i])] = true
		}
	}
	qualifies := func(n string) bool { return !wanted[n] && len(branches[n]) >= 3 }
	var out []string
	for n := range branches {
		if !qualifies(n) {
			continue
		}
		deeper := false
		for m := range branches {
			if m != n && strings.HasPrefix(m, n+`\`) && qualifies(m) {
				deeper = true
				break
			}
		}
		if !deeper {
			out = append(out, display[n])
		}
	}
	sort.Strings(out)
	return out
}

// regPath splits a key path into StdRegProv's hDefKey and sSubKeyName.
func regPath(path string) (string, string, bool) {
	root, sub, _ := strings.Cut(path, `\`)
	switch strings.ToUpper(root) {
	case "HKLM":
		return hkeyLocalMachine, sub, true
	case "HKU":
		return hkeyUsers, sub, true
	}
	return "", "", false
}

func regParams(hive, sub string, name ...string) []Param {
	p := []Param{{Name: "hDefKey", Values: []string{hive}}, {Name: "sSubKeyName", Values: []string{sub}}}
	if len(name) > 0 {
		p = append(p, Param{Name: "sValueName", Values: []string{name[0]}})
	}
	return p
}

// returnValue reads the ReturnValue of a method's answer.
func returnValue(out *Instance) (uint32, error) {
	n, err := out.Uint("ReturnValue", 32)
	return uint32(n), err
}

// enumKey lists the subkeys of a branch point.
func (r *wmiReader) enumKey(path string) error {
	k := r.key(path)
	if r.parentMissing(path) {
		k.missing = true
		return nil
	}
	hive, sub, ok := regPath(path)
	if !ok {
		return nil
	}
	out, err := r.s.Invoke(resRegistry, "EnumKey", regParams(hive, sub))
	if err != nil {
		return err
	}
	rv, err := returnValue(out)
	if err != nil {
		return err
	}
	switch rv {
	case regOK:
		k.children = map[string]bool{}
		for _, c := range out.Values("sNames") {
			k.children[strings.ToLower(c)] = true
		}
	case regNotFound:
		k.missing = true
	}
	// Any other answer (access denied to list it) says nothing of its children: they are read.
	return nil
}

// enumValues reads which values a key has, once.
func (r *wmiReader) enumValues(path string) error {
	k := r.key(path)
	if k.listed || k.state != "" {
		return nil
	}
	hive, sub, ok := regPath(path)
	switch {
	case !ok:
		k.state, k.msg = facts.StateError, "unsupported root in "+path
		return nil
	case k.missing || r.parentMissing(path):
		k.missing, k.state = true, facts.StateNoKey
		return nil
	}
	out, err := r.s.Invoke(resRegistry, "EnumValues", regParams(hive, sub))
	if err != nil {
		return err
	}
	rv, err := returnValue(out)
	if err != nil {
		return err
	}
	switch rv {
	case regOK:
	case regNotFound:
		k.missing, k.state = true, facts.StateNoKey
		return nil
	case regAccessDenied:
		k.state, k.msg = facts.StateDenied, "StdRegProv EnumValues: access denied (ReturnValue 5)"
		return nil
	default:
		k.state, k.msg = facts.StateError, "StdRegProv EnumValues: ReturnValue "+strconv.FormatUint(uint64(rv), 10)
		return nil
	}
	names, types := out.Values("sNames"), out.Values("Types")
	if len(names) != len(types) {
		return fmt.Errorf("StdRegProv EnumValues of %s: %d names and %d types", path, len(names), len(types))
	}
	k.listed, k.state, k.types = true, facts.StateOK, map[string]int{}
	for i, n := range names {
		t, err := strconv.Atoi(strings.TrimSpace(types[i]))
		if err != nil {
			return fmt.Errorf("StdRegProv EnumValues of %s: type %q", path, snippet([]byte(types[i]), 20))
		}
		k.types[strings.ToLower(n)] = t
	}
	return nil
}

// value reads one value as the collector's RegValue does: state, REG_ type and data text.
func (r *wmiReader) value(id, path, name string) (facts.Value, error) {
	v := facts.Value{ItemID: id, Key: path, Name: name}
	if err := r.enumValues(path); err != nil {
		return v, err
	}
	k := r.key(path)
	if k.state != facts.StateOK {
		v.State, v.Data = k.state, k.msg
		if k.state == facts.StateNoKey {
			v.Data = ""
		}
		return v, nil
	}
	ln := strings.ToLower(name)
	if got, ok := k.values[ln]; ok {
		got.ItemID, got.Key, got.Name = id, path, name
		return got, nil
	}
	typ, listed := k.types[ln]
	if !listed && name != "" {
		v.State = facts.StateNoValue
		return v, nil
	}
	var err error
	if !listed {
		// EnumValues may leave out the default value ("sNames ... Returns null if only the
		// default value is available", EnumValues method of the StdRegProv class): ask for it as
		// a string, then as an expandable string.
		v, err = r.getValue(v, path, 1)
		if err == nil && v.State == facts.StateError && v.Data == typeMismatch {
			v, err = r.getValue(facts.Value{ItemID: id, Key: path, Name: name}, path, 2)
			if err == nil && v.State == facts.StateError && v.Data == typeMismatch {
				v = facts.Value{ItemID: id, Key: path, Name: name, State: facts.StateError,
					Data: "the default value is neither REG_SZ nor REG_EXPAND_SZ"}
			}
		}
	} else {
		v, err = r.getValue(v, path, typ)
	}
	if err != nil {
		return v, err
	}
	if k.values == nil {
		k.values = map[string]facts.Value{}
	}
	k.values[ln] = v
	return v, nil
}

const typeMismatch = "StdRegProv: type mismatch (0x80041005)"

// getValue calls the Get...Value method of a type and renders the value as the collector does.
func (r *wmiReader) getValue(v facts.Value, path string, typ int) (facts.Value, error) {
	m, ok := regGetMethod[typ]
	if !ok {
		m = regGetMethod[3] // REG_NONE and unknown types: their bytes
	}
	hive, sub, _ := regPath(path)
	out, err := r.s.Invoke(resRegistry, m[0], regParams(hive, sub, v.Name))
	if err != nil {
		return v, err
	}
	rv, err := returnValue(out)
	if err != nil {
		return v, err
	}
	switch rv {
	case regOK:
	case regValueNotFound:
		v.State = facts.StateNoValue
		return v, nil
	case regNotFound:
		v.State = facts.StateNoKey
		return v, nil
	case regAccessDenied:
		v.State, v.Data = facts.StateDenied, "StdRegProv "+m[0]+": access denied (ReturnValue 5)"
		return v, nil
	case WBEMTypeMismatch:
		v.State, v.Data = facts.StateError, typeMismatch
		return v, nil
	default:
		v.State, v.Data = facts.StateError, "StdRegProv "+m[0]+": ReturnValue "+strconv.FormatUint(uint64(rv), 10)
		return v, nil
	}
	name, known := regTypeNames[typ]
	if !known {
		name = "REG_UNKNOWN" // .NET's RegistryValueKind.Unknown, as the collector names it
	}
	vals := out.Values(m[1])
	switch typ {
	case 4, 11:
		bits := 32
		if typ == 11 {
			bits = 64
		}
		n, err := out.Uint(m[1], bits)
		if err != nil {
			return v, err
		}
		v.Data = strconv.FormatUint(n, 10)
	case 1, 2:
		s, _ := out.Value(m[1])
		v.Data = s
	case 7:
		v.Data = strings.Join(vals, "\n")
	default:
		b := make([]byte, 0, len(vals))
		for _, x := range vals {
			n, err := strconv.ParseUint(strings.TrimSpace(x), 10, 8)
			if err != nil {
				return v, fmt.Errorf("StdRegProv %s: byte %q", m[0], snippet([]byte(x), 10))
			}
			b = append(b, byte(n))
		}
		v.Data = hex.EncodeToString(b)
	}
	v.State, v.Type = facts.StateOK, name
	return v, nil
}

// readProcess fills what the collector's PowerShell reports about itself.
func (r *wmiReader) readProcess() error {
	r.f.ProcessBits = 32
	if r.f.Is64Bit() {
		r.f.ProcessBits = 64
	}
	arch, err := r.value("", keyEnvironment, "PROCESSOR_ARCHITECTURE")
	if err != nil {
		return err
	}
	if arch.State == facts.StateOK {
		r.f.ProcessorArch = arch.Data
	}
	for _, k := range []string{keyPowerShell3, keyPowerShell1} {
		v, err := r.value("", k, "PowerShellVersion")
		if err != nil {
			return err
		}
		if v.State == facts.StateOK {
			r.f.PSVersion = v.Data
			break
		}
	}
	return nil
}

// readItem reads one item into r.f, in the order and shape of the collector's output.
func (r *wmiReader) readItem(it facts.Item) error {
	switch it.Kind {
	case facts.KindProbe:
		// The probe is a TLS handshake made by a program on the host: WMI starts none, so the
		// facts say it needs the shell (checks: PROBE_NEEDS_SHELL).
		r.f.Probe = &facts.Probe{ItemID: it.ID, Target: it.Path, Outcome: facts.ProbeNeedsShell}
		return nil
	case facts.KindFile:
		fl, err := r.file(it.ID, r.expandEnv(it.Path))
		if err != nil {
			return err
		}
		r.f.Files = append(r.f.Files, fl)
		return nil
	}
	for _, key := range r.expandHives(it.Key) {
		v, err := r.value(it.ID, key, it.Name)
		if err != nil {
			return err
		}
		if it.Kind == facts.KindRegistry {
			r.f.Values = append(r.f.Values, v)
			continue
		}
		// regfile: the value is the path of a file whose version is wanted.
		switch {
		case v.State != facts.StateOK:
			r.f.Files = append(r.f.Files, facts.File{ItemID: it.ID, State: v.State, Data: v.Data})
		case v.Type != facts.RegSZ && v.Type != facts.RegExpandSZ:
			r.f.Files = append(r.f.Files, facts.File{ItemID: it.ID, State: facts.StateError, Data: key + " is " + v.Type + ", not a path"})
		default:
			fl, err := r.file(it.ID, r.expandEnv(strings.Trim(strings.TrimSpace(v.Data), `"`)))
			if err != nil {
				return err
			}
			r.f.Files = append(r.f.Files, fl)
		}
	}
	return nil
}

// fileVersionRe is the four numbers that lead a FileVersion text.
var fileVersionRe = regexp.MustCompile(`^\s*(\d{1,5})\.(\d{1,5})\.(\d{1,5})\.(\d{1,5})(?:$|[^\d.])`)

// file reads a file's version resource through CIM_DataFile (its key Name is the full path).
// CIM_DataFile.Version is the FileVersion text of the version resource; the numeric version is
// its four leading numbers.
func (r *wmiReader) file(id, path string) (facts.File, error) {
	fl := facts.File{ItemID: id, Path: path, State: facts.StateNoFile}
	if path == "" {
		return fl, nil
	}
	inst, err := r.s.Get(resDataFile, Selector{"Name", path})
	if err != nil {
		var fe *FaultError
		switch {
		case !errors.As(err, &fe):
			return fl, err
		case fe.WMICode == WBEMNotFound || fe.WSManCode == codeResourceNotFound:
			return fl, nil
		case fe.IsAccessDenied():
			fl.State, fl.Data = facts.StateDenied, fe.Error()
			return fl, nil
		}
		fl.State, fl.Data = facts.StateError, fe.Error()
		return fl, nil
	}
	text, _ := inst.Value("Version")
	fl.VersionString = text
	m := fileVersionRe.FindStringSubmatch(text)
	if m == nil {
		fl.State = facts.StateNoVersion
		return fl, nil
	}
	parts := make([]string, 4)
	for i := range parts {
		n, err := strconv.ParseUint(m[i+1], 10, 16)
		if err != nil {
			fl.State = facts.StateNoVersion
			return fl, nil
		}
		parts[i] = strconv.FormatUint(n, 10)
	}
	fl.State, fl.Version = facts.StateOK, strings.Join(parts, ".")
	return fl, nil
}

// codeResourceNotFound is ERROR_WSMAN_RESOURCE_NOT_FOUND (0x80338000, wsmerror.h): "The service
// cannot find the resource identified by the resource URI and selectors", Windows' fault for a
// Get of an instance that does not exist.
const codeResourceNotFound uint32 = 2150858752

// expandEnv expands %NAME% as the host's environment would: names case-insensitively, unknown
// names left as they are. SystemRoot, windir and SystemDrive come from Win32_OperatingSystem;
// ProgramFiles and its kin from HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion, as Windows
// sets them for a process; the rest from the system environment in the registry.
func (r *wmiReader) expandEnv(s string) string {
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
		if v, ok := r.lookupEnv(name); ok && name != "" {
			b.WriteString(s[:i])
			b.WriteString(v)
			s = s[i+j+2:]
			continue
		}
		b.WriteString(s[:i+1+j])
		s = s[i+1+j:]
	}
}

func (r *wmiReader) lookupEnv(name string) (string, bool) {
	up := strings.ToUpper(name)
	if v, ok := r.env[up]; ok {
		return v, v != ""
	}
	r.env[up] = ""
	key, value := keyEnvironment, name
	if reg, ok := envFromCurrentVersion[up]; ok {
		key, value = keyCurrentVer, reg
	}
	v, err := r.value("", key, value)
	if err != nil || v.State != facts.StateOK || (v.Type != facts.RegSZ && v.Type != facts.RegExpandSZ) {
		return "", false
	}
	r.env[up] = v.Data
	return v.Data, v.Data != ""
}
