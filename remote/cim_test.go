package remote

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/fuzzcheck"
)

// Answers in the shapes Windows sends (the enumeration and the Get recorded in runner-mei/wsman's
// wsman_test.go, zh-CN Windows) and OMI sends (microsoft/omi
// Unix/tests/protocol/posthttp/test2.response.xml, other prefixes, items on their own lines).
const (
	windowsEnumerate = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xml:lang="zh-CN">
  <s:Header>
    <a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/EnumerateResponse</a:Action>
    <a:MessageID>uuid:3394F5B0-2BAF-48B8-A27B-130554C0AAD3</a:MessageID>
    <a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>
    <a:RelatesTo>uuid:5743765A-973D-4D14-92A7-E7423A4C4455</a:RelatesTo>
  </s:Header>
  <s:Body>
    <n:EnumerateResponse>
      <n:EnumerationContext>uuid:CD02E6BD-C6F3-47F5-9AF5-6DCBE89A448E</n:EnumerationContext>
      <w:Items>
        <p:Win32_Process xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Process" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xsi:type="p:Win32_Process_Type">
          <p:Caption>System Idle Process</p:Caption>
          <p:CommandLine xsi:nil="true"/>
          <p:CreationDate>
            <cim:Datetime>2014-04-03T14:45:50.46875+08:00</cim:Datetime>
          </p:CreationDate>
          <p:IPAddress>192.168.1.103</p:IPAddress>
          <p:IPAddress>fe80::6962:c157:2318:423d</p:IPAddress>
          <p:IPAddress>192.168.1.102</p:IPAddress>
        </p:Win32_Process>
      </w:Items>
      <n:EndOfSequence/>
    </n:EnumerateResponse>
  </s:Body>
</s:Envelope>`
	windowsGet   = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd" xml:lang="zh-CN"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse</a:Action></s:Header><s:Body><p:Win32_OperatingSystem xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_OperatingSystem" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xsi:type="p:Win32_OperatingSystem_Type"><p:BootDevice>\Device\HarddiskVolume2</p:BootDevice><p:BuildNumber>7601</p:BuildNumber><p:Caption>Microsoft Windows 7 Enterprise </p:Caption></p:Win32_OperatingSystem></s:Body></s:Envelope>`
	omiEnumerate = `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsen="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">
<SOAP-ENV:Header>
<wsa:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/EnumerateResponse</wsa:Action>
</SOAP-ENV:Header><SOAP-ENV:Body><wsen:EnumerateResponse><wsen:EnumerationContext>7</wsen:EnumerationContext><wsman:Items><p:OMI_Datetime xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/OMI_Datetime"
>
<p:Key xsi:nil="true"/>
<p:timestamps>2001-25-00</p:timestamps>
<p:timestamps>2001-25-00</p:timestamps>
</p:OMI_Datetime>
</wsman:Items><wsman:EndOfSequence/></wsen:EnumerateResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>`
	invokeOutput = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Header><a:Action>http://schemas.microsoft.com/wbem/wsman/1/wmi/root/default/StdRegProv/EnumValuesResponse</a:Action></s:Header><s:Body><p:EnumValues_OUTPUT xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/default/StdRegProv"><p:sNames>DefaultSecureProtocols</p:sNames><p:sNames> spaced &amp; escaped </p:sNames><p:sNames></p:sNames><p:Types>4</p:Types><p:Types>1</p:Types><p:Types>1</p:Types><p:ReturnValue>0</p:ReturnValue></p:EnumValues_OUTPUT></s:Body></s:Envelope>`
)

func TestParseWSManAnswer(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, a *wsmanAnswer)
	}{
		{"windows enumerate", windowsEnumerate, func(t *testing.T, a *wsmanAnswer) {
			if a.Action != actionEnumResp || !a.EndOfSequence || a.Context != "uuid:CD02E6BD-C6F3-47F5-9AF5-6DCBE89A448E" || len(a.Instances) != 1 {
				t.Fatalf("%+v", a)
			}
			in := a.Instances[0]
			if in.Class != "Win32_Process" || in.Namespace != WMIResourceURI("root/cimv2", "Win32_Process") {
				t.Errorf("instance %s in %s", in.Class, in.Namespace)
			}
			if v, ok := in.Value("caption"); !ok || v != "System Idle Process" {
				t.Errorf("Caption %q %v", v, ok)
			}
			if _, ok := in.Value("CommandLine"); ok || !in.prop("CommandLine").Nil {
				t.Errorf("CommandLine is xsi:nil: %+v", in.prop("CommandLine"))
			}
			if v, _ := in.Value("CreationDate"); v != "2014-04-03T14:45:50.46875+08:00" {
				t.Errorf("CreationDate %q", v)
			}
			if got := in.Values("IPAddress"); !reflect.DeepEqual(got, []string{"192.168.1.103", "fe80::6962:c157:2318:423d", "192.168.1.102"}) {
				t.Errorf("IPAddress %q", got)
			}
		}},
		{"windows get", windowsGet, func(t *testing.T, a *wsmanAnswer) {
			if a.Action != actionGetResp || len(a.Instances) != 1 || a.EndOfSequence {
				t.Fatalf("%+v", a)
			}
			// Text is kept as sent: Windows 7's caption ends in a space.
			if v, _ := a.Instances[0].Value("Caption"); v != "Microsoft Windows 7 Enterprise " {
				t.Errorf("Caption %q", v)
			}
			if n, err := a.Instances[0].Uint("BuildNumber", 32); err != nil || n != 7601 {
				t.Errorf("BuildNumber %d %v", n, err)
			}
		}},
		{"omi enumerate", omiEnumerate, func(t *testing.T, a *wsmanAnswer) {
			if !a.EndOfSequence || len(a.Instances) != 1 || a.Context != "7" {
				t.Fatalf("%+v", a)
			}
			if got := a.Instances[0].Values("timestamps"); len(got) != 2 || !a.Instances[0].prop("Key").Nil {
				t.Errorf("%+v", a.Instances[0])
			}
		}},
		{"invoke output", invokeOutput, func(t *testing.T, a *wsmanAnswer) {
			if len(a.Instances) != 1 || a.Instances[0].Class != "EnumValues_OUTPUT" {
				t.Fatalf("%+v", a)
			}
			in := a.Instances[0]
			if got := in.Values("sNames"); !reflect.DeepEqual(got, []string{"DefaultSecureProtocols", " spaced & escaped ", ""}) {
				t.Errorf("sNames %q", got)
			}
			if got := in.Values("Types"); !reflect.DeepEqual(got, []string{"4", "1", "1"}) {
				t.Errorf("Types %q", got)
			}
			if rv, err := returnValue(in); err != nil || rv != 0 {
				t.Errorf("ReturnValue %d %v", rv, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseWSManAnswer([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, a)
		})
	}
}

func TestParseWSManAnswerRejects(t *testing.T) {
	deep := strings.Repeat("<d>", 200)
	tests := []struct{ name, body, want string }{
		{"empty", "", "empty"},
		{"not SOAP", `<html><body>proxy</body></html>`, "not a SOAP 1.2 envelope"},
		{"too deep", `<s:Envelope xmlns:s="` + nsSOAP + `"><s:Body>` + deep, "depth"},
		{"context too long", `<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:n="` + nsEnumeration + `"><s:Body><n:PullResponse><n:EnumerationContext>` +
			strings.Repeat("x", maxContextLen+1) + `</n:EnumerationContext></n:PullResponse></s:Body></s:Envelope>`, "EnumerationContext longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseWSManAnswer([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseCIMDatetime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2014-04-03T14:45:50.46875+08:00", time.Date(2014, 4, 3, 6, 45, 50, 468750000, time.UTC), true},
		{"2026-11-30T06:00:00Z", time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC), true},
		{" 2026-11-30T07:00:00.000000+01:00 ", time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC), true},
		{"20261130070000.500000+060", time.Date(2026, 11, 30, 6, 0, 0, 500000000, time.UTC), true},
		{"20261130010000.000000-300", time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC), true},
		{"2026-11-30", time.Time{}, false},
		{"20261330070000.000000+060", time.Time{}, false},
		{"P0DT0H1M40S", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseCIMDatetime(tt.in)
		if (err == nil) != tt.ok || tt.ok && !got.Equal(tt.want) {
			t.Errorf("ParseCIMDatetime(%q) = %v, %v; want %v (ok %t)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestWMIErrorInFault: the WMI error behind a fault is read whether Windows puts the
// p:MSFT_WmiError under s:Detail (as in psrpcore's test_wsman_fault_wmi_error_detail) or inside
// f:Message, and an access denied WMI error counts as access denied.
func TestWMIErrorInFault(t *testing.T) {
	wmiErr := `<p:MSFT_WmiError b:IsCIM_Error="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xsi:type="p:MSFT_WmiError_Type"><p:CIMStatusCode xsi:type="cim:cimUnsignedInt">2</p:CIMStatusCode><p:Message xsi:type="cim:cimString">Access denied </p:Message><p:error_Code xsi:type="cim:cimUnsignedInt">2147749891</p:error_Code><p:error_Type xsi:type="cim:cimString">HRESULT</p:error_Type></p:MSFT_WmiError>`
	head := `<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:w="` + nsWSMan + `" xmlns:f="` + nsWSManFault + `"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:InternalError</s:Value></s:Subcode></s:Code><s:Reason><s:Text>Reason text. </s:Text></s:Reason><s:Detail>`
	tests := []struct{ name, detail, message string }{
		{"under Detail", wmiErr, ""},
		{"inside Message", `<f:WSManFault Code="2147749891" Machine="pc"><f:Message>` + wmiErr + `</f:Message></f:WSManFault>`, ""},
		{"beside a message", `<f:WSManFault Code="2147749891" Machine="pc"><f:Message>The WMI call failed. </f:Message></f:WSManFault>` + wmiErr, "The WMI call failed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := parseEnvelope([]byte(head + tt.detail + `</s:Detail></s:Fault></s:Body></s:Envelope>`))
			if err != nil || env.fault == nil {
				t.Fatalf("%v %+v", err, env)
			}
			fe := env.fault
			if fe.WMICode != WBEMAccessDenied || fe.WMIMessage != "Access denied" || fe.Message != tt.message {
				t.Errorf("WMICode %#x WMIMessage %q Message %q", fe.WMICode, fe.WMIMessage, fe.Message)
			}
			if !fe.IsAccessDenied() || CategoryOf(fe) != CategoryAuth {
				t.Errorf("IsAccessDenied %t, category %s", fe.IsAccessDenied(), CategoryOf(fe))
			}
			if !strings.Contains(fe.Error(), "WMI error 0x80041003") {
				t.Errorf("Error() = %q", fe.Error())
			}
		})
	}
}

// FuzzParseWSManAnswer: whatever a host answers, the WMI answer parser returns within a memory
// bound, never more instances or property values than the answer has elements, and a context
// within its bound.
func FuzzParseWSManAnswer(f *testing.F) {
	for _, s := range []string{windowsEnumerate, windowsGet, omiEnumerate, invokeOutput} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var a *wsmanAnswer
		var err error
		fuzzcheck.Alloc(t, "parseWSManAnswer", len(body), xmlAllocPerByte, xmlAllocFixed, func() { a, err = parseWSManAnswer(body) })
		if err != nil {
			return
		}
		elements := strings.Count(string(body), "<")
		values := 0
		for _, in := range a.Instances {
			for _, p := range in.Props {
				values += len(p.Values)
			}
		}
		if len(a.Instances)+values > elements {
			t.Errorf("%d instances and %d values from %d elements", len(a.Instances), values, elements)
		}
		if len(a.Context) > maxContextLen || a.Action != strings.TrimSpace(a.Action) {
			t.Errorf("context %d bytes, action %q", len(a.Context), a.Action)
		}
	})
}

// FuzzParseCIMDatetime: a datetime either fails or is a UTC time that renders back to itself.
func FuzzParseCIMDatetime(f *testing.F) {
	for _, s := range []string{"2014-04-03T14:45:50.46875+08:00", "20261130070000.500000+060", "2026-11-30T06:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseCIMDatetime(s)
		if err != nil {
			if errors.Unwrap(err) == nil && !strings.Contains(err.Error(), "CIM datetime") {
				t.Errorf("error %q does not say what it read", err)
			}
			return
		}
		if tm.Location() != time.UTC {
			t.Errorf("%q: %v is not UTC", s, tm)
		}
		back, err := ParseCIMDatetime(tm.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(tm) {
			t.Errorf("%q: %v re-read as %v, %v", s, tm, back, err)
		}
	})
}
