package facts

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unique"
)

// The collector's output is UTF-8 text, one record per line, fields separated by TAB. Every
// host-controlled string is base64 (standard, of its UTF-8 bytes), so that no caption, key name or
// registry text can break a line, whatever the host's code page:
//
//	tlsready-facts  1
//	host    b64(COMPUTERNAME)
//	os      b64(Caption)  Version  ServicePackMajorVersion  ProductType  b64(OSArchitecture)
//	proc    ProcessBits  b64(PROCESSOR_ARCHITECTURE)  b64(PROCESSOR_ARCHITEW6432)
//	ps      PSVersion
//	sid     b64(SID the collector runs as)                        (the scanning account)
//	boot    LastBootUpTime as yyyy-MM-ddTHH:mm:ssZ (UTC), or empty when WMI did not say
//	hive    b64(name under HKU)                                  (one per loaded user hive)
//	reg     ItemID  b64(key read)  b64(value name)  State  Type  b64(data)
//	file    ItemID  b64(path)  State  a.b.c.d  b64(FileVersion)  b64(message)
//	probe   ItemID  b64(host:port)  Outcome  Via  b64(WinHTTP proxy)  b64(protocol)
//	        b64(cipher)  cipherBits  b64(hash)  hashBits  b64(key exchange)  keyExchangeBits
//	        b64(subject)  b64(issuer)  b64(root subject)  ROOTTHUMBPRINT  b64(chain status)
//	        b64(message)  code  elapsedMs                   (at most one; one line: see probe.go)
//	end     N                                                    (N = records before "end")
//
// ParseOutput accepts exactly this and nothing else.

// Header is the first line of the collector's output, and the format version.
const Header = "tlsready-facts\t1"

// The item list travels inside the collector script, between these two lines, one item a line:
//
//	kind  ItemID  b64(key)  b64(value name)  b64(path)
//
// A probe item (KindProbe) carries its target host:port as the path and its time bound in
// milliseconds as the value name.
const (
	ItemsBegin = "$tlsreadyItems = @'"
	ItemsEnd   = "'@"
)

var itemIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func unb64(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("bad base64 %q", truncate(s, 40))
	}
	return string(b), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Validate checks an item list: unique well-formed ids and the fields each kind needs.
func Validate(items []Item) error {
	seen := map[string]bool{}
	probes := 0
	for _, it := range items {
		if !itemIDPattern.MatchString(it.ID) {
			return fmt.Errorf("item id %q: want [a-z0-9._-], at most 64 characters", it.ID)
		}
		if seen[it.ID] {
			return fmt.Errorf("item id %q declared twice", it.ID)
		}
		seen[it.ID] = true
		switch it.Kind {
		case KindRegistry, KindRegistryFile:
			up := strings.ToUpper(it.Key)
			if !strings.HasPrefix(up, `HKLM\`) && !strings.HasPrefix(up, `HKU\`) {
				return fmt.Errorf("item %s: key %q must start with HKLM\\ or HKU\\", it.ID, it.Key)
			}
		case KindFile:
			if it.Path == "" {
				return fmt.Errorf("item %s: file item without a path", it.ID)
			}
		case KindProbe:
			if probes++; probes > 1 {
				return fmt.Errorf("item %s: a second probe item", it.ID)
			}
			if err := CheckProbeTarget(it.Path); err != nil {
				return fmt.Errorf("item %s: %w", it.ID, err)
			}
			if _, err := ProbeTimeout(it); err != nil {
				return err
			}
		default:
			return fmt.Errorf("item %s: unknown kind %q", it.ID, it.Kind)
		}
	}
	return nil
}

// FormatItems renders the item list block that is embedded in the collector script.
func FormatItems(items []Item) (string, error) {
	if err := Validate(items); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(ItemsBegin + "\n")
	for _, it := range items {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", it.Kind, it.ID, b64(it.Key), b64(it.Name), b64(it.Path))
	}
	b.WriteString(ItemsEnd)
	return b.String(), nil
}

// ParseItems finds the item list block in a collector script and decodes it.
func ParseItems(script string) ([]Item, error) {
	lines := strings.Split(strings.ReplaceAll(script, "\r\n", "\n"), "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == ItemsBegin {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return nil, errors.New("no item list in script")
	}
	var items []Item
	for _, l := range lines[start:] {
		if l == ItemsEnd {
			return items, Validate(items)
		}
		f := strings.Split(l, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("item line %q: want 5 fields, got %d", truncate(l, 60), len(f))
		}
		key, err1 := unb64(f[2])
		name, err2 := unb64(f[3])
		path, err3 := unb64(f[4])
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("item %s: %w", f[1], err)
		}
		items = append(items, Item{ID: f[1], Kind: ItemKind(f[0]), Key: key, Name: name, Path: path})
	}
	return nil, errors.New("item list not terminated")
}

// Encode renders facts in the collector's output format. The simulated hosts use it; on a real
// host the collector script prints the same lines.
func Encode(f *Facts) []byte {
	var b bytes.Buffer
	n := 0
	line := func(fields ...string) {
		b.WriteString(strings.Join(fields, "\t"))
		b.WriteString("\r\n") // as PowerShell on Windows writes it
		n++
	}
	b.WriteString(Header + "\r\n")
	line("host", b64(f.ComputerName))
	line("os", b64(f.OS.Caption), f.OS.Version, strconv.Itoa(f.OS.ServicePack), strconv.Itoa(f.OS.ProductType), b64(f.OS.Architecture))
	line("proc", strconv.Itoa(f.ProcessBits), b64(f.ProcessorArch), b64(f.ProcessorArchW6432))
	line("ps", f.PSVersion)
	line("sid", b64(f.Account))
	boot := ""
	if !f.BootTime.IsZero() {
		boot = f.BootTime.UTC().Format(BootTimeLayout)
	}
	line("boot", boot)
	for _, h := range f.UserHives {
		line("hive", b64(h))
	}
	for _, v := range f.Values {
		line("reg", v.ItemID, b64(v.Key), b64(v.Name), string(v.State), v.Type, b64(v.Data))
	}
	for _, fl := range f.Files {
		line("file", fl.ItemID, b64(fl.Path), string(fl.State), fl.Version, b64(fl.VersionString), b64(fl.Data))
	}
	if f.Probe != nil {
		line(encodeProbe(f.Probe)...)
	}
	b.WriteString("end\t" + strconv.Itoa(n) + "\r\n")
	return b.Bytes()
}

// ParseError says why collector output could not be read; Line is 1-based (0: the whole output).
type ParseError struct {
	Line   int
	Reason string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return "collector output: " + e.Reason
	}
	return fmt.Sprintf("collector output line %d: %s", e.Line, e.Reason)
}

var (
	versionPattern     = regexp.MustCompile(`^\d{1,5}\.\d{1,5}(\.\d{1,6})?$`)
	fileVersionPattern = regexp.MustCompile(`^\d{1,5}\.\d{1,5}\.\d{1,5}\.\d{1,5}$`)
	psVersionPattern   = regexp.MustCompile(`^\d{1,3}(\.\d{1,6}){0,3}$`)
	regTypePattern     = regexp.MustCompile(`^(REG_[A-Z_]{2,32}|)$`)
	// sidPattern is a SID in its string form (S-1-5-21-...), or empty when the collector could
	// not tell.
	sidPattern = regexp.MustCompile(`^(S-1-\d{1,14}(-\d{1,10}){0,15}|)$`)
)

// BootTimeLayout is the form of the boot record's time: UTC, to the second.
const BootTimeLayout = "2006-01-02T15:04:05Z"

// maxLine is the longest line ParseOutput takes.
const maxLine = 4 << 20

// ParseOutput reads the collector's output strictly: a missing header or "end" line (a truncated
// run), an unknown record, a wrong field count, bad base64 or a malformed number is an error that
// names the line. A UTF-8 byte order mark and empty lines are tolerated; nothing else is.
func ParseOutput(out []byte) (*Facts, error) {
	out = bytes.TrimPrefix(out, []byte("\xef\xbb\xbf"))
	f := &Facts{}
	lineNo, records := 0, 0
	headerSeen, ended, hostSeen, osSeen, sidSeen, bootSeen := false, false, false, false, false, false
	fail := func(format string, args ...any) (*Facts, error) {
		return nil, &ParseError{Line: lineNo, Reason: fmt.Sprintf(format, args...)}
	}
	want := map[string]int{"host": 2, "os": 6, "proc": 4, "ps": 2, "sid": 2, "boot": 2, "hive": 2, "reg": 7, "file": 7, "probe": probeFields, "end": 2}
	for line := range bytes.Lines(out) {
		lineNo++
		if len(line) > maxLine {
			return fail("line longer than %d bytes", maxLine)
		}
		l := strings.TrimRight(string(line), "\r\n")
		if l == "" {
			continue
		}
		if ended {
			return fail("text after the end record: %q", truncate(l, 60))
		}
		if !headerSeen {
			if l != Header {
				return fail("want header %q, got %q", Header, truncate(l, 60))
			}
			headerSeen = true
			continue
		}
		fields := strings.Split(l, "\t")
		n, ok := want[fields[0]]
		if !ok {
			return fail("unknown record %q", truncate(fields[0], 20))
		}
		if len(fields) != n {
			return fail("%s record: want %d fields, got %d", fields[0], n, len(fields))
		}
		dec := make([]string, len(fields))
		decode := func(idx ...int) error {
			for _, i := range idx {
				s, err := unb64(fields[i])
				if err != nil {
					return err
				}
				dec[i] = s
			}
			return nil
		}
		switch fields[0] {
		case "host":
			if err := decode(1); err != nil {
				return fail("host: %v", err)
			}
			f.ComputerName, hostSeen = dec[1], true
		case "os":
			if err := decode(1, 5); err != nil {
				return fail("os: %v", err)
			}
			if !versionPattern.MatchString(fields[2]) {
				return fail("os: version %q is not a Windows version", truncate(fields[2], 30))
			}
			sp, err1 := strconv.Atoi(fields[3])
			pt, err2 := strconv.Atoi(fields[4])
			if err1 != nil || err2 != nil || sp < 0 || sp > 9 || pt < 1 || pt > 3 {
				return fail("os: bad service pack %q or product type %q", truncate(fields[3], 10), truncate(fields[4], 10))
			}
			f.OS = OS{Caption: intern(dec[1]), Version: intern(fields[2]), ServicePack: sp, ProductType: pt, Architecture: intern(dec[5])}
			osSeen = true
		case "proc":
			if err := decode(2, 3); err != nil {
				return fail("proc: %v", err)
			}
			bits, err := strconv.Atoi(fields[1])
			if err != nil || (bits != 32 && bits != 64) {
				return fail("proc: process bits %q", truncate(fields[1], 10))
			}
			f.ProcessBits, f.ProcessorArch, f.ProcessorArchW6432 = bits, dec[2], dec[3]
		case "ps":
			if !psVersionPattern.MatchString(fields[1]) {
				return fail("ps: version %q", truncate(fields[1], 20))
			}
			f.PSVersion = intern(fields[1])
		case "sid":
			if err := decode(1); err != nil {
				return fail("sid: %v", err)
			}
			if sidSeen || !sidPattern.MatchString(dec[1]) {
				return fail("sid: %q is not a SID, or a second sid record", truncate(dec[1], 40))
			}
			f.Account, sidSeen = intern(dec[1]), true
		case "boot":
			if bootSeen {
				return fail("boot: a second boot record")
			}
			bootSeen = true
			if fields[1] != "" {
				t, err := time.Parse(BootTimeLayout, fields[1])
				if err != nil {
					return fail("boot: %q is not yyyy-MM-ddTHH:mm:ssZ", truncate(fields[1], 30))
				}
				f.BootTime = t
			}
		case "hive":
			if err := decode(1); err != nil {
				return fail("hive: %v", err)
			}
			f.UserHives = append(f.UserHives, intern(dec[1]))
		case "reg":
			if err := decode(2, 3, 6); err != nil {
				return fail("reg %s: %v", truncate(fields[1], 20), err)
			}
			st := State(fields[4])
			if !itemIDPattern.MatchString(fields[1]) || !st.valid() || !regTypePattern.MatchString(fields[5]) {
				return fail("reg: bad item id, state or type")
			}
			if (st == StateOK) != (fields[5] != "") {
				return fail("reg %s: a type is given exactly when the value was found", fields[1])
			}
			// Ids, keys, names, states and types repeat across hosts: one copy of each (and none
			// that keeps the whole output line alive). Data is the host's own.
			f.Values = append(f.Values, Value{ItemID: intern(fields[1]), Key: intern(dec[2]), Name: intern(dec[3]),
				State: State(intern(string(st))), Type: intern(fields[5]), Data: dec[6]})
		case "file":
			if err := decode(2, 5, 6); err != nil {
				return fail("file %s: %v", truncate(fields[1], 20), err)
			}
			st := State(fields[3])
			if !itemIDPattern.MatchString(fields[1]) || !st.valid() {
				return fail("file: bad item id or state")
			}
			if (st == StateOK) != fileVersionPattern.MatchString(fields[4]) {
				return fail("file %s: state %s with version %q", fields[1], st, truncate(fields[4], 30))
			}
			f.Files = append(f.Files, File{ItemID: intern(fields[1]), Path: intern(dec[2]), State: State(intern(string(st))),
				Version: intern(fields[4]), VersionString: intern(dec[5]), Data: dec[6]})
		case "probe":
			if f.Probe != nil {
				return fail("probe: a second probe record")
			}
			p, err := parseProbe(fields)
			if err != nil {
				return fail("probe: %v", err)
			}
			f.Probe = p
		case "end":
			n, err := strconv.Atoi(fields[1])
			if err != nil || n != records {
				return fail("end: says %q records, %d seen (output cut or mixed)", truncate(fields[1], 10), records)
			}
			ended = true
			continue
		}
		records++
	}
	switch {
	case !headerSeen:
		return nil, &ParseError{Reason: "empty (no header line)"}
	case !ended:
		return nil, &ParseError{Reason: "no end record: output was cut short"}
	case !hostSeen || !osSeen:
		return nil, &ParseError{Reason: "host or os record missing"}
	case !sidSeen || !bootSeen:
		return nil, &ParseError{Reason: "sid or boot record missing"}
	}
	return f, nil
}

// intern returns the canonical copy of s (package unique): the facts of thousands of hosts share
// their repeated strings, and a substring never keeps its whole line alive.
func intern(s string) string { return unique.Make(s).Value() }
