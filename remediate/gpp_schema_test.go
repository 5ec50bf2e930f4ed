package remediate

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/internal/kittest"
	"github.com/tlsready/tlsready/internal/labenv"
	"github.com/tlsready/tlsready/scan"
)

// gppSchema is the XML Schema of a Group Policy Preferences Registry.xml, written from [MS-GPPREF]
// 2.2.1.17.1 and checked against the spec's own sample (see the comment at its top).
var gppSchema = filepath.Join("testdata", "gpp", "registry.xsd")

// xmllint validates doc against the schema at xsd with xmllint (libxml2: a validator we did not
// write) and returns its complaint, or nil. Without xmllint (Debian package libxml2-utils) it
// calls labenv.Require: the test skips locally and fails under CI.
func xmllint(t *testing.T, xsd string, doc []byte) error {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		labenv.Require(t, "no xmllint: install libxml2-utils (as .ci/run does) to validate Registry.xml against the [MS-GPPREF] schema")
	}
	path := filepath.Join(t.TempDir(), "Registry.xml")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--nonet", "--schema", xsd, path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("xmllint: %w\n%s", err, out)
	}
	return nil
}

// everyValuePlan is a plan with every value the kit can write: DefaultSecureProtocols in both
// views, SCHANNEL Enabled and DisabledByDefault, WinINet SecureProtocols and the .NET Framework
// values of both runtimes in both views. Tests iterate over its Values, so a value the kit learns
// to write is covered once the plan's findings call for it.
func everyValuePlan(t *testing.T) Plan {
	t.Helper()
	r := kittest.EveryValueResult(KeyNetV4, KeyNetV4Wow, KeyNetV2, KeyNetV2Wow)
	p := Build([]scan.Result{r}, DefaultDSP)
	if len(p.Values) < 13 {
		t.Fatalf("the plan of every value has %d values, want at least 13: %+v", len(p.Values), p.Values)
	}
	return p
}

// edgeDataPlan is p with its values' data replaced by the DWORDs a writer gets wrong: all bits
// set, only the sign bit, zero, the largest positive int32.
func edgeDataPlan(p Plan) Plan {
	edges := []uint32{0xffffffff, 0x80000000, 0, 0x7fffffff}
	q := p
	q.Values = nil
	for i, v := range p.Values {
		v.Data = edges[i%len(edges)]
		q.Values = append(q.Values, v)
	}
	return q
}

// kitPlans are the plans whose Registry.xml and .reg files the tests check: the demo fleet's for
// each protocol set and with --win7-schannel, every value, and every value with edge data.
func kitPlans(t *testing.T) map[string]Plan {
	t.Helper()
	rs, _, err := scan.ReadResultsFiles("../testdata/results/demo.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	all := everyValuePlan(t)
	return map[string]Plan{
		"demo tls12":                        BuildWith(rs, Options{Protocols: TLS12}),
		"demo tls11+12":                     BuildWith(rs, Options{Protocols: TLS11And12}),
		"demo tls10+11+12 --win7-schannel":  BuildWith(rs, Options{Protocols: TLS10To12, Win7Schannel: true}),
		"every value":                       all,
		"every value, 0xffffffff-like data": edgeDataPlan(all),
	}
}

// gppDoc is Registry.xml as the checks read it: RegistrySettings > Collection > Registry >
// Properties, each with the attributes the kit writes (TestRegistryXMLStructure, gppProblems).
type gppDoc struct {
	XMLName    xml.Name `xml:"RegistrySettings"`
	Clsid      string   `xml:"clsid,attr"`
	Collection []struct {
		Clsid string `xml:"clsid,attr"`
		Name  string `xml:"name,attr"`
		Items []struct {
			Clsid   string `xml:"clsid,attr"`
			Name    string `xml:"name,attr"`
			Status  string `xml:"status,attr"`
			Image   string `xml:"image,attr"`
			Changed string `xml:"changed,attr"`
			UID     string `xml:"uid,attr"`
			Props   []struct {
				Action         string `xml:"action,attr"`
				Hive           string `xml:"hive,attr"`
				Key            string `xml:"key,attr"`
				Name           string `xml:"name,attr"`
				Type           string `xml:"type,attr"`
				Value          string `xml:"value,attr"`
				DisplayDecimal string `xml:"displayDecimal,attr"`
				Default        string `xml:"default,attr"`
			} `xml:"Properties"`
		} `xml:"Registry"`
	} `xml:"Collection"`
}

// The class ids: RegistrySettings and Registry as in [MS-GPPREF] 4.2.22 (Applications XML
// Sample, https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-gppref/7e9fb7d9-78ce-49d7-b570-c1283f181cd8);
// Collection as the Group Policy Management Console writes it (not in the spec text reachable
// here).
const (
	specClsidRegistrySettings = "{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}"
	specClsidRegistry         = "{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}"
	gpmcClsidCollection       = "{53B533F5-224C-47e3-B01B-CA3B3F3FF4BF}"
)

// dwordValue is a REG_DWORD item's value: 8 hex digits, as value="00000001" of the 4.2.22 sample.
var dwordValue = regexp.MustCompile(`^[0-9A-Fa-f]{8}$`)

// gppProblems lists where doc's items differ from what [MS-GPPREF] 2.2.1.17.1 allows
// (https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-gppref/e5c0cb82-7768-4b9d-ba87-2a8a4684afee)
// and from the plan's values, item i for value i: action one of C, D, R, U (the kit: U, Update,
// which creates a missing value and changes only what the item sets), hive HKEY_LOCAL_MACHINE,
// key without the hive and without a leading or trailing backslash, type REG_DWORD, value the
// value's data in 8 hex digits.
func gppProblems(b []byte, values []Value) []string {
	var doc gppDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		return []string{err.Error()}
	}
	var out []string
	bad := func(f string, a ...any) { out = append(out, fmt.Sprintf(f, a...)) }
	if len(doc.Collection) != 1 {
		bad("%d Collection elements, want 1", len(doc.Collection))
		return out
	}
	coll := doc.Collection[0]
	if doc.Clsid != specClsidRegistrySettings || coll.Clsid != gpmcClsidCollection {
		bad("class ids: RegistrySettings %s, Collection %s", doc.Clsid, coll.Clsid)
	}
	if len(coll.Items) != len(values) {
		bad("%d items for %d values", len(coll.Items), len(values))
		return out
	}
	for i, it := range coll.Items {
		if len(it.Props) != 1 {
			bad("item %d: %d Properties, want 1", i, len(it.Props))
			continue
		}
		v, p := values[i], it.Props[0]
		if it.Clsid != specClsidRegistry {
			bad("item %d: clsid %s", i, it.Clsid)
		}
		switch p.Action {
		case "U":
		case "C", "D", "R":
			bad("item %d: action %q, want U (Update)", i, p.Action)
		default:
			bad("item %d: action %q is none of C, D, R, U", i, p.Action)
		}
		if p.Hive != "HKEY_LOCAL_MACHINE" {
			bad("item %d: hive %q", i, p.Hive)
		}
		if up := strings.ToUpper(p.Key); strings.HasPrefix(up, "HKEY_") || strings.HasPrefix(up, `HKLM\`) || strings.HasPrefix(p.Key, `\`) || strings.HasSuffix(p.Key, `\`) {
			bad("item %d: key %q includes the hive or a leading or trailing backslash", i, p.Key)
		}
		if p.Key != v.Key || p.Name != v.Name {
			bad("item %d: %s\\%s, want %s\\%s", i, p.Key, p.Name, v.Key, v.Name)
		}
		if p.Type != "REG_DWORD" {
			bad("item %d: type %q", i, p.Type)
		}
		if !dwordValue.MatchString(p.Value) {
			bad("item %d: value %q is not 8 hex digits", i, p.Value)
		} else if d, _ := strconv.ParseUint(p.Value, 16, 32); uint32(d) != v.Data {
			bad("item %d: value %s, want 0x%08x", i, p.Value, v.Data)
		}
	}
	return out
}

// Registry.xml of every kit validates against the [MS-GPPREF] schema with libxml2's xmllint, and
// its class ids and attribute values are those of the spec's tables, item for item with the
// plan's values. The schema is first checked against the spec's own sample, and shown to reject
// documents that break one rule each.
func TestRegistryXMLAgainstSpec(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join("testdata", "gpp", "ms-gppref-4.2.22-registrysettings.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xmllint(t, gppSchema, sample); err != nil {
		t.Fatalf("the schema rejects the spec's own sample (4.2.22): the transcription is wrong: %v", err)
	}
	for name, p := range kitPlans(t) {
		t.Run(name, func(t *testing.T) {
			b := p.RegistryXML(changed)
			if err := xmllint(t, gppSchema, b); err != nil {
				t.Errorf("Registry.xml does not validate: %v", err)
			}
			for _, problem := range gppProblems(b, p.Values) {
				t.Error(problem)
			}
		})
	}

	// The checks can fail: each document breaks one rule.
	good := string(kitPlans(t)["every value"].RegistryXML(changed))
	broken := []struct {
		name, old, new string
		schema         bool // the schema rejects it; otherwise only gppProblems does
	}{
		{"action not C, D, R or U", `action="U"`, `action="X"`, true},
		{"hive abbreviated", `hive="HKEY_LOCAL_MACHINE"`, `hive="HKLM"`, true},
		{"hive missing", ` hive="HKEY_LOCAL_MACHINE"`, ``, true},
		{"key with a leading backslash", `key="SOFTWARE`, `key="\SOFTWARE`, true},
		{"type not a registry type", `type="REG_DWORD"`, `type="DWORD"`, true},
		{"Registry clsid wrong", specClsidRegistry, "{9CD4B2F4-923D-47F5-A062-E897DD1DAD50}", true},
		{"root clsid wrong", specClsidRegistrySettings, "{A3CCFC41-DFDB-43A5-8D26-0FE8B954DA51}", true},
		{"uid not a GUID", `uid="{`, `uid="{X`, true},
		{"changed not a time", `changed="2026-11-26 09:00:00"`, `changed="2026-11-26T09:00:00Z"`, true},
		{"unknown attribute", `displayDecimal="0"`, `displayDecimal="0" bogus="1"`, true},
		{"value not 8 hex digits", `value="00000a00"`, `value="a00"`, false},
		{"action Replace", `action="U"`, `action="R"`, false},
		{"key with the hive", `key="SOFTWARE`, `key="HKEY_LOCAL_MACHINE\SOFTWARE`, false},
	}
	values := kitPlans(t)["every value"].Values
	for _, tc := range broken {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			doc := strings.Replace(good, tc.old, tc.new, 1)
			if doc == good {
				t.Fatalf("%q is not in the document", tc.old)
			}
			err := xmllint(t, gppSchema, []byte(doc))
			if tc.schema && err == nil {
				t.Errorf("the schema accepts it")
			}
			if !tc.schema && len(gppProblems([]byte(doc), values)) == 0 {
				t.Errorf("the attribute checks accept it (schema: %v)", err)
			}
		})
	}
}
