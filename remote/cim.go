package remote

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tlsready/tlsready/internal/xmllimit"
)

// The answers of Get, Enumerate, Pull and Invoke carry CIM instances as WS-CIM renders them
// (DMTF DSP0230, the WS-CIM mapping; as in the Windows answers recorded in runner-mei/wsman's
// wsman_test.go, e.g. Win32_Process enumerated and Win32_OperatingSystem got from Windows):
//
//	<p:Win32_OperatingSystem xmlns:p=".../wmi/root/cimv2/Win32_OperatingSystem"
//	    xmlns:xsi="..." xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common"
//	    xsi:type="p:Win32_OperatingSystem_Type">
//	  <p:Caption>Microsoft Windows 7 Enterprise </p:Caption>
//	  <p:CSDVersion xsi:nil="true"/>                        (a null property)
//	  <p:LastBootUpTime><cim:Datetime>2014-04-03T14:45:50.46875+08:00</cim:Datetime></p:LastBootUpTime>
//	  <p:MUILanguages>en-US</p:MUILanguages><p:MUILanguages>ja-JP</p:MUILanguages>   (an array)
//	</p:Win32_OperatingSystem>
//
// A method's answer is an instance of the same shape named <Method>_OUTPUT, with the out
// parameters and ReturnValue as properties. An Enumerate or Pull answer holds the instances in
// w:Items (n:Items for Pull), the context in n:EnumerationContext, and w:EndOfSequence (or
// n:EndOfSequence) when nothing is left.

// Property is one property of an instance: its values in order (one element each; an array
// property has several), or Nil when the host sent xsi:nil="true".
type Property struct {
	Name   string
	Values []string
	Nil    bool
}

// Instance is a CIM instance, or a method's _OUTPUT, as the host sent it.
type Instance struct {
	// Class is the local name of the instance element: the class ("Win32_OperatingSystem") or
	// "<Method>_OUTPUT".
	Class string
	// Namespace is the namespace of the instance element: the resource URI of its class.
	Namespace string
	Props     []Property
}

// prop returns the property called name, compared case-insensitively as CIM names are.
func (in *Instance) prop(name string) *Property {
	for i := range in.Props {
		if strings.EqualFold(in.Props[i].Name, name) {
			return &in.Props[i]
		}
	}
	return nil
}

// Value returns the first value of a property that is present and not nil.
func (in *Instance) Value(name string) (string, bool) {
	p := in.prop(name)
	if p == nil || p.Nil || len(p.Values) == 0 {
		return "", false
	}
	return p.Values[0], true
}

// Values returns every value of a property (an array), nil when absent or nil.
func (in *Instance) Values(name string) []string {
	p := in.prop(name)
	if p == nil || p.Nil {
		return nil
	}
	return p.Values
}

// Uint returns a property as an unsigned integer of the given bit size.
func (in *Instance) Uint(name string, bits int) (uint64, error) {
	v, ok := in.Value(name)
	if !ok {
		return 0, fmt.Errorf("%s: no %s", in.Class, name)
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%s.%s %q is not a uint%d", in.Class, name, snippet([]byte(v), 30), bits)
	}
	return n, nil
}

// wsmanAnswer is what parseWSManAnswer reads from a 200 answer of the WMI operations.
type wsmanAnswer struct {
	Action        string
	Instances     []*Instance
	Context       string // n:EnumerationContext
	EndOfSequence bool
}

// Bounds of one answer beyond xmllimit's: the body itself is at most maxResponseBytes.
const (
	maxInstancesPerAnswer = 10000
	maxPropsPerInstance   = 4096
	maxContextLen         = 1024
)

var errTooMany = errors.New("too many instances or properties in the answer")

// parseWSManAnswer reads an answer envelope by namespace, whatever its prefixes: the action, the
// instances (the body's element itself for Get and Invoke, the items of an Enumerate or Pull
// answer), the enumeration context and the end of sequence. Every read is bounded.
func parseWSManAnswer(body []byte) (*wsmanAnswer, error) {
	d := xmllimit.NewDecoder(bytes.NewReader(body))
	ans := &wsmanAnswer{}
	var path []xml.Name
	var text strings.Builder
	root := false
	// The instance being read: its depth (index in path), the property being read and whether
	// that property has child elements (cim:Datetime: its text is then theirs only).
	instDepth := -1
	var inst *Instance
	var prop *Property
	propChildren := false
	var propText strings.Builder
	enumBody := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("answer is not XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name)
			text.Reset()
			depth := len(path)
			if depth == 1 {
				if t.Name != (xml.Name{Space: nsSOAP, Local: "Envelope"}) {
					return nil, fmt.Errorf("answer is not a SOAP 1.2 envelope (root %s)", t.Name.Local)
				}
				root = true
				continue
			}
			inBody := depth >= 3 && path[1] == (xml.Name{Space: nsSOAP, Local: "Body"})
			if !inBody {
				continue
			}
			switch {
			case depth == 3 && t.Name.Space == nsEnumeration && (t.Name.Local == "EnumerateResponse" || t.Name.Local == "PullResponse"):
				enumBody = true
			case depth == 4 && enumBody && t.Name.Local == "EndOfSequence" && (t.Name.Space == nsEnumeration || t.Name.Space == nsWSMan):
				ans.EndOfSequence = true
			case inst == nil && (depth == 3 && !enumBody || depth == 5 && enumBody && path[3].Local == "Items" &&
				(path[3].Space == nsWSMan || path[3].Space == nsEnumeration)):
				if len(ans.Instances) >= maxInstancesPerAnswer {
					return nil, errTooMany
				}
				inst = &Instance{Class: t.Name.Local, Namespace: t.Name.Space}
				instDepth = depth
			case inst != nil && depth == instDepth+1:
				if len(inst.Props) >= maxPropsPerInstance {
					return nil, errTooMany
				}
				// Repeated elements are the values of one array property.
				if n := len(inst.Props); n > 0 && inst.Props[n-1].Name == t.Name.Local {
					prop = &inst.Props[n-1]
				} else {
					inst.Props = append(inst.Props, Property{Name: t.Name.Local})
					prop = &inst.Props[len(inst.Props)-1]
				}
				for _, a := range t.Attr {
					if a.Name.Space == nsXSI && a.Name.Local == "nil" && strings.TrimSpace(a.Value) == "true" {
						prop.Nil = true
					}
				}
				propChildren = false
				propText.Reset()
			case inst != nil && depth > instDepth+1:
				if !propChildren {
					propText.Reset() // text before the child (indentation) is not the value
				}
				propChildren = true
			}
		case xml.CharData:
			text.Write(t)
			if prop != nil {
				propText.Write(t)
			}
		case xml.EndElement:
			depth := len(path)
			switch {
			case depth == 3 && path[1].Local == "Header" && path[2] == (xml.Name{Space: nsAddressing, Local: "Action"}):
				ans.Action = strings.TrimSpace(text.String())
			case depth == 4 && enumBody && path[3] == (xml.Name{Space: nsEnumeration, Local: "EnumerationContext"}):
				c := strings.TrimSpace(text.String())
				if len(c) > maxContextLen {
					return nil, fmt.Errorf("EnumerationContext longer than %d bytes", maxContextLen)
				}
				ans.Context = c
			case inst != nil && depth == instDepth+1 && prop != nil:
				if !prop.Nil {
					v := propText.String()
					if propChildren {
						v = strings.TrimSpace(v)
					}
					prop.Values = append(prop.Values, v)
				}
				prop = nil
			case inst != nil && depth == instDepth:
				ans.Instances = append(ans.Instances, inst)
				inst, instDepth = nil, -1
			}
			path = path[:len(path)-1]
			text.Reset()
		}
	}
	if !root {
		return nil, errors.New("answer is empty")
	}
	return ans, nil
}

// cimDMTF is the DMTF form of a CIM datetime: yyyymmddHHMMSS.mmmmmm and the offset from UTC in
// minutes (CIM_DATETIME, https://learn.microsoft.com/en-us/windows/win32/wmisdk/cim-datetime).
var cimDMTF = regexp.MustCompile(`^(\d{14})\.(\d{6})([+-])(\d{3})$`)

// ParseCIMDatetime reads a CIM datetime as WS-Management carries it: the xs:dateTime text of
// <cim:Datetime> (DSP0230; "2014-04-03T14:45:50.46875+08:00", also without a fraction or with
// "Z"), or the DMTF string form ("20261130070000.500000+060").
func ParseCIMDatetime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if m := cimDMTF.FindStringSubmatch(s); m != nil {
		t, err := time.Parse("20060102150405", m[1])
		if err != nil {
			return time.Time{}, fmt.Errorf("CIM datetime %q: %v", snippet([]byte(s), 40), err)
		}
		us, _ := strconv.Atoi(m[2])
		off, _ := strconv.Atoi(m[4])
		if m[3] == "-" {
			off = -off
		}
		return inWindowsRange(t.Add(time.Duration(us)*time.Microsecond-time.Duration(off)*time.Minute).UTC(), s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("CIM datetime %q is neither xs:dateTime nor yyyymmddHHMMSS.mmmmmmsUUU", snippet([]byte(s), 40))
	}
	return inWindowsRange(t.UTC(), s)
}

// inWindowsRange accepts the times Windows can hold (a FILETIME from 1601, a SYSTEMTIME to 9999).
func inWindowsRange(t time.Time, s string) (time.Time, error) {
	if t.Year() < 1601 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("CIM datetime %q: year %d outside 1601..9999", snippet([]byte(s), 40), t.Year())
	}
	return t, nil
}
