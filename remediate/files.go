package remediate

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/tlsready/tlsready/internal/sheet"
)

// File names of the kit.
const (
	FileReg64       = "TLS12-x64.reg"
	FileReg32       = "TLS12-x86.reg"
	FileRegistryXML = "Registry.xml"
	FileScript      = "Set-TLS12.ps1"
	FileKB          = "hosts-need-KB3140245.csv"
	FileMigrate     = "hosts-must-migrate.csv"
	FileRegOnly     = "hosts-registry-only.csv"
	FileReadMe      = "README.txt"
)

// RegFile is a .reg file for 64-bit (bits 64) or 32-bit Windows: the values the plan needs that
// apply to that bitness, in the format regedit.exe writes (UTF-16LE with a byte order mark and
// CRLF line ends, which regedit and reg import read on every Windows release).
func (p Plan) RegFile(bits int) []byte {
	var b strings.Builder
	b.WriteString("Windows Registry Editor Version 5.00\r\n")
	key := ""
	for _, v := range p.Values {
		if v.Only64 && bits != 64 {
			continue
		}
		if v.Key != key {
			key = v.Key
			fmt.Fprintf(&b, "\r\n[HKEY_LOCAL_MACHINE\\%s]\r\n", key)
		}
		fmt.Fprintf(&b, "\"%s\"=dword:%08x\r\n", v.Name, v.Data)
	}
	b.WriteString("\r\n")
	return utf16LE(b.String())
}

func utf16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 2, 2+2*len(u))
	out[0], out[1] = 0xFF, 0xFE
	for _, c := range u {
		out = append(out, byte(c), byte(c>>8))
	}
	return out
}

// Group Policy Preferences class ids, as the Group Policy Management Console writes them.
const (
	clsidRegistrySettings = "{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}"
	clsidCollection       = "{53B533F5-224C-47e3-B01B-CA3B3F3FF4BF}"
	clsidRegistry         = "{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}"
	// imageUpdateDWORD is the icon GPMC gives a REG_DWORD item with the Update action.
	imageUpdateDWORD = "12"
)

// GPP XML, in the element and attribute order Windows writes.
type gppSettings struct {
	XMLName    xml.Name      `xml:"RegistrySettings"`
	Clsid      string        `xml:"clsid,attr"`
	Collection gppCollection `xml:"Collection"`
}

type gppCollection struct {
	Clsid string    `xml:"clsid,attr"`
	Name  string    `xml:"name,attr"`
	Items []gppItem `xml:"Registry"`
}

type gppItem struct {
	Clsid      string        `xml:"clsid,attr"`
	Name       string        `xml:"name,attr"`
	Status     string        `xml:"status,attr"`
	Image      string        `xml:"image,attr"`
	Changed    string        `xml:"changed,attr"`
	UID        string        `xml:"uid,attr"`
	Desc       string        `xml:"desc,attr,omitempty"`
	Properties gppProperties `xml:"Properties"`
}

type gppProperties struct {
	Action         string `xml:"action,attr"`
	DisplayDecimal string `xml:"displayDecimal,attr"`
	Default        string `xml:"default,attr"`
	Hive           string `xml:"hive,attr"`
	Key            string `xml:"key,attr"`
	Name           string `xml:"name,attr"`
	Type           string `xml:"type,attr"`
	Value          string `xml:"value,attr"`
}

// RegistryXML is a Group Policy Preferences Registry.xml: one collection with one Update item
// per value and key (Computer Configuration > Preferences > Windows Settings > Registry, Q14). Its
// items are pasted into the Group Policy Management Editor; copying the file into a GPO's folder
// in SYSVOL would overwrite the GPO's own file (and a GPO without registry preferences ignores it).
// The item uids are derived from the key and value name, so the same plan gives the same file.
func (p Plan) RegistryXML(changed time.Time) []byte {
	doc := gppSettings{Clsid: clsidRegistrySettings, Collection: gppCollection{Clsid: clsidCollection, Name: "TLS 1.2 for Office 365 (tlsready)"}}
	for _, v := range p.Values {
		desc := "tlsready: " + strings.Join(v.Because, ", ")
		if v.Only64 {
			desc += " (64-bit Windows: 32-bit programs read this key)"
		}
		doc.Collection.Items = append(doc.Collection.Items, gppItem{
			Clsid: clsidRegistry, Name: v.Name, Status: v.Name, Image: imageUpdateDWORD,
			Changed: changed.UTC().Format("2006-01-02 15:04:05"), UID: uid(v.Key + `\` + v.Name), Desc: desc,
			Properties: gppProperties{Action: "U", DisplayDecimal: "0", Default: "0", Hive: "HKEY_LOCAL_MACHINE",
				Key: v.Key, Name: v.Name, Type: "REG_DWORD", Value: fmt.Sprintf("%08x", v.Data)},
		})
	}
	out, err := xml.MarshalIndent(doc, "", "\t")
	if err != nil {
		panic(err) // the document is made of strings only
	}
	return append([]byte(`<?xml version="1.0" encoding="utf-8"?>`+"\r\n"), append(bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n")), '\r', '\n')...)
}

// uid is a GUID in braces derived from s (a name-based UUID, version 5 layout on SHA-256).
func uid(s string) string {
	sum := sha256.Sum256([]byte("tlsready GPP registry item " + s))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("{%08X-%04X-%04X-%04X-%012X}", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// HostsCSV is a target list: one row per host with its name, distinguished name, OS, verdict and
// the findings that put it there (UTF-8 with BOM for Excel; the first column imports into a WSUS
// computer group or a ConfigMgr collection).
func HostsCSV(hosts []Host) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"name", "dn", "os", "verdict", "findings"})
	for _, h := range hosts {
		_ = w.Write([]string{sheet.Cell(h.Name), sheet.Cell(h.DN), sheet.Cell(h.OS), sheet.Cell(h.Verdict), sheet.Cell(strings.Join(h.Findings, " "))})
	}
	w.Flush()
	return buf.Bytes()
}

// Write writes the kit into dir (created if needed): the .reg files, Registry.xml and the script
// when some value is needed (the script also when a local cipher suite order is), the three host lists, and README.txt in lang. The files are 0600
// (they list every PC and its weaknesses), the folder 0700: WriteMode chooses.
func Write(dir string, p Plan, lang string, now time.Time) ([]string, error) {
	return WriteMode(dir, p, lang, now, 0o600)
}

// WriteMode is Write with the files' mode; the folder, when created, is 0700 unless mode lets
// others read (then 0755). Files of an earlier kit are given mode too.
func WriteMode(dir string, p Plan, lang string, now time.Time, mode os.FileMode) ([]string, error) {
	dirMode := os.FileMode(0o700)
	if mode&0o044 != 0 {
		dirMode = 0o755
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, fmt.Errorf("kit folder: %w", err)
	}
	files := map[string][]byte{
		FileKB:      HostsCSV(p.KB),
		FileMigrate: HostsCSV(p.Migrate),
		FileRegOnly: HostsCSV(p.RegistryOnly),
		FileReadMe:  p.ReadMe(lang),
	}
	if len(p.Values) > 0 {
		files[FileReg64] = p.RegFile(64)
		files[FileReg32] = p.RegFile(32)
		files[FileRegistryXML] = p.RegistryXML(now)
		files[FileScript] = p.Script()
	}
	if p.CipherLocal() {
		// The local cipher suite order is written by the script only.
		files[FileScript] = p.Script()
	}
	var written []string
	for _, name := range KitFiles {
		b, ok := files[name]
		if !ok {
			continue
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, mode); err != nil {
			return written, fmt.Errorf("kit: %w", err)
		}
		if err := os.Chmod(path, mode); err != nil { // an existing file keeps its mode otherwise
			return written, fmt.Errorf("kit: %w", err)
		}
		written = append(written, name)
	}
	return written, nil
}

// KitFiles are the names of every file a kit can hold: a file of one of these names in a kit
// folder is recognisably an earlier kit's.
var KitFiles = []string{FileReadMe, FileReg64, FileReg32, FileRegistryXML, FileScript, FileKB, FileMigrate, FileRegOnly}

// RemoveStale removes from dir the files of an earlier kit that this one (written) does not
// have, such as the .reg files once no value is needed: left beside a README that says nothing
// needs deploying, they would be deployed by mistake. Only regular files with a kit file's exact
// name are removed; any other file (and a link or folder of a kit file's name) is left alone.
// It returns the names removed.
func RemoveStale(dir string, written []string) ([]string, error) {
	keep := map[string]bool{}
	for _, n := range written {
		keep[n] = true
	}
	var removed []string
	for _, n := range KitFiles {
		if keep[n] {
			continue
		}
		path := filepath.Join(dir, n)
		fi, err := os.Lstat(path)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if err := os.Remove(path); err != nil {
			return removed, fmt.Errorf("kit: an earlier kit's %s: %w", n, err)
		}
		removed = append(removed, n)
	}
	return removed, nil
}
