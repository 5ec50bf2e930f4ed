package winrmsim

import (
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tlsready/tlsready/internal/xmllimit"
)

// WMI over WS-Management, as Windows' WMI plugin answers it: WS-Transfer Get, WS-Enumeration
// Enumerate/Pull and the Invoke of a method, on resource URIs of the form
// http://schemas.microsoft.com/wbem/wsman/1/wmi/<namespace>/<class> (MS-WSMV 3.1.4.1.2), from the
// same profile as the shell: Win32_OperatingSystem, Win32_UserAccount and CIM_DataFile in
// root/cimv2, StdRegProv in root/default. A request Windows would refuse is refused: an unknown
// namespace or class (the fault of an invalid resource URI), an unknown method (the action is not
// supported), an input that is not <Method>_INPUT of the class or has unknown parameters (the
// schema validation fault), a Get without the class's keys (invalid selectors).

// Values of Profile.WMI.
const (
	// WMIDenied is a host where the scanning account may not use the WMI namespace root/default
	// (no "Remote Enable" there): every operation on it gets an access denied fault.
	WMIDenied = "denied"
	// WMIProviderFailure is a host whose registry provider fails: every StdRegProv method gets a
	// WMI provider failure fault (WBEM_E_PROVIDER_FAILURE).
	WMIProviderFailure = "provider-failure"
)

const (
	wmiPrefix = "http://schemas.microsoft.com/wbem/wsman/1/wmi/"
	nsXSI     = "http://www.w3.org/2001/XMLSchema-instance"
	nsCIM     = "http://schemas.dmtf.org/wbem/wscim/1/common"

	actionEnumerate = nsEnum + "/Enumerate"
	actionPull      = nsEnum + "/Pull"

	nsWMI = declS + declA + declX + declN + declW + declP
)

// WMI errors (WBEMSTATUS, MS-WMI 2.2.11).
const (
	wbemNotFound         uint32 = 0x80041002
	wbemAccessDenied     uint32 = 0x80041003
	wbemProviderFailure  uint32 = 0x80041004
	wbemTypeMismatch     uint32 = 0x80041005
	wbemInvalidParameter uint32 = 0x80041008
)

// Faults of the WMI operations. Modelled, not recorded against Windows: the codes are
// wsmerror.h's and WBEMSTATUS's; the MSFT_WmiError detail has the shape of the Windows fault
// quoted in psrpcore's WSMan fault tests (test_wsman_fault_wmi_error_detail).
var (
	// A Get of an instance that does not exist: ERROR_WSMAN_RESOURCE_NOT_FOUND 0x80338000 with
	// the WMI error WBEM_E_NOT_FOUND behind it.
	faultWMINotFound = soapFault{
		code: "s:Sender", subcode: "w:DestinationUnreachable", wsmanCode: 2150858752, wmiCode: wbemNotFound,
		detail: faultDetailNS + "InvalidResourceURI",
		reason: "The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. ",
	}
	// Access denied to a WMI namespace (Profile.WMI WMIDenied): ERROR_ACCESS_DENIED, WBEM_E_ACCESS_DENIED.
	faultWMIAccessDenied = soapFault{
		code: "s:Sender", subcode: "w:AccessDenied", wsmanCode: 5, wmiCode: wbemAccessDenied,
		reason: "Access is denied. ",
	}
	// The registry provider fails (Profile.WMI WMIProviderFailure): WBEM_E_PROVIDER_FAILURE.
	faultWMIProviderFailure = soapFault{
		code: "s:Receiver", subcode: "w:InternalError", wsmanCode: wbemProviderFailure, wmiCode: wbemProviderFailure,
		reason: "Provider failure ",
	}
	// A Get without the keys of the class: w:InvalidSelectors (DSP0226 table 10),
	// ERROR_WSMAN_INVALID_SELECTORS 0x80338042.
	faultWMISelectors = soapFault{
		code: "s:Sender", subcode: "w:InvalidSelectors", wsmanCode: 2150858818,
		detail: faultDetailNS + "InsufficientSelectors",
		reason: "The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ",
	}
	// An input parameter the method does not have, or a value of the wrong type:
	// WBEM_E_INVALID_PARAMETER.
	faultWMIInvalidParameter = soapFault{
		code: "s:Sender", subcode: "w:InvalidParameter", wsmanCode: wbemInvalidParameter, wmiCode: wbemInvalidParameter,
		detail: faultDetailNS + "InvalidValue",
		reason: "Invalid parameter ",
	}
	// The quota of FaultQuotaThenOK for WMI operations: ERROR_WSMAN_QUOTA_MAX_OPERATIONS
	// 0x803381A6 (MaxConcurrentOperationsPerUser), s:Sender w:QuotaLimit as for the shells.
	faultWMIQuota = soapFault{
		code: "s:Sender", subcode: "w:QuotaLimit", wsmanCode: 2150859174,
		reason: "The WS-Management service cannot process the request. This user is allowed a maximum number of 1500 concurrent operations, which has been exceeded. Close existing operations for this user, or raise the quota for this user. ",
	}
	// A Pull with an enumeration context the host does not know (DSP0226 table 10,
	// wsen:InvalidEnumerationContext; ERROR_WSMAN_INVALID_CONTEXT 0x8033804B? not recorded).
	faultWMIInvalidContext = soapFault{
		code: "s:Receiver", subcode: "n:InvalidEnumerationContext", wsmanCode: 2150858827,
		reason: "The WS-Management service cannot process the request because the enumeration context supplied in the message is not valid. ",
	}
)

// wmiErrorDetail renders the p:MSFT_WmiError of a WMI fault.
func wmiErrorDetail(code uint32, msg string) string {
	return `<p:MSFT_WmiError b:IsCIM_Error="true" xmlns:xsi="` + nsXSI + `" xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"` +
		` xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError" xmlns:cim="` + nsCIM + `" xsi:type="p:MSFT_WmiError_Type">` +
		`<p:CIMStatusCode xsi:type="cim:cimUnsignedInt">1</p:CIMStatusCode>` +
		`<p:CIMStatusCodeDescription xsi:type="cim:cimString" xsi:nil="true"/>` +
		`<p:Message xsi:type="cim:cimString">` + esc(msg) + `</p:Message>` +
		`<p:MessageID xsi:type="cim:cimString">HRESULT 0x` + fmt.Sprintf("%08x", code) + `</p:MessageID>` +
		`<p:error_Code xsi:type="cim:cimUnsignedInt">` + strconv.FormatUint(uint64(code), 10) + `</p:error_Code>` +
		`<p:error_Type xsi:type="cim:cimString">HRESULT</p:error_Type></p:MSFT_WmiError>`
}

// wmiRequest is what the WMI operations read of a request's body, by namespace.
type wmiRequest struct {
	Body struct {
		Enumerate *struct {
			Optimize    *struct{} `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OptimizeEnumeration"`
			MaxElements string    `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd MaxElements"`
			Filter      *struct{} `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Filter"`
		} `xml:"http://schemas.xmlsoap.org/ws/2004/09/enumeration Enumerate"`
		Pull *struct {
			Context     string `xml:"http://schemas.xmlsoap.org/ws/2004/09/enumeration EnumerationContext"`
			MaxElements string `xml:"http://schemas.xmlsoap.org/ws/2004/09/enumeration MaxElements"`
		} `xml:"http://schemas.xmlsoap.org/ws/2004/09/enumeration Pull"`
		Any []wmiElement `xml:",any"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

// wmiElement is any element with its children: a method's _INPUT and its parameters.
type wmiElement struct {
	XMLName  xml.Name
	Nil      string       `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
	Text     string       `xml:",chardata"`
	Children []wmiElement `xml:",any"`
}

// enumeration is an enumeration context of a host: the instances not yet pulled.
type enumeration struct {
	items   []string
	expires time.Time
}

// enumerations are the open enumeration contexts of a host (by context id, which is random):
// a Pull names its context.
type enumerations struct {
	mu sync.Mutex
	m  map[string]*enumeration
}

func (e *enumerations) put(items []string) string {
	id := "uuid:" + newUUID()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		e.m = map[string]*enumeration{}
	}
	now := time.Now()
	for k, v := range e.m {
		if now.After(v.expires) {
			delete(e.m, k)
		}
	}
	e.m[id] = &enumeration{items: items, expires: now.Add(4 * time.Minute)} // EnumerationTimeoutms 240000
	return id
}

func (e *enumerations) take(id string, n int) ([]string, bool, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	en := e.m[id]
	if en == nil {
		return nil, false, false
	}
	n = min(n, len(en.items))
	out := en.items[:n]
	en.items = en.items[n:]
	done := len(en.items) == 0
	if done {
		delete(e.m, id)
	}
	return out, done, true
}

// dispatchWMI answers a request on a WMI resource URI and reports whether it did.
func (x *exchange) dispatchWMI() bool {
	hd := &x.req.Header
	uri := hd.ResourceURI
	if len(uri) < len(wmiPrefix) || !strings.EqualFold(uri[:len(wmiPrefix)], wmiPrefix) {
		return false
	}
	x.host.count(func(s *Stats) { s.WMI++ })
	rest := uri[len(wmiPrefix):]
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 || i == len(rest)-1 {
		x.fault(faultInvalidResourceURI)
		return true
	}
	ns, class := strings.ToLower(rest[:i]), rest[i+1:]
	if ns != "root/cimv2" && ns != "root/default" {
		x.host.logf("WMI: namespace %q not served", ns)
		x.fault(faultInvalidResourceURI)
		return true
	}
	if ns == "root/default" && x.host.h.p.WMI == WMIDenied {
		x.host.logf("WMI: access denied to root/default")
		x.fault(faultWMIAccessDenied)
		return true
	}
	switch x.host.h.fault() {
	case FaultDeepXML:
		// A hostile host's answer to anything: elements opened and never closed, as deep as
		// the client's MaxEnvelopeSize allows.
		x.reply(deepAnswer(x.responseLimit(), hd.MessageID))
		return true
	case FaultQuotaThenOK:
		// A busy host: its first two WMI operations exceed MaxConcurrentOperationsPerUser.
		if x.host.wmiQuota.Add(1) <= quotaFaults {
			x.fault(faultWMIQuota)
			return true
		}
	}
	var req wmiRequest
	if err := xmllimit.Unmarshal(x.raw, &req); err != nil {
		x.fault(faultSchema)
		return true
	}
	switch {
	case hd.Action == actionGet:
		x.wmiGet(ns, class)
	case hd.Action == actionEnumerate:
		x.wmiEnumerate(ns, class, &req)
	case hd.Action == actionPull:
		x.wmiPull(&req)
	case len(hd.Action) > len(uri)+1 && strings.EqualFold(hd.Action[:len(uri)+1], uri+"/"):
		x.wmiInvoke(ns, class, hd.Action[len(uri)+1:], uri, &req)
	default:
		x.fault(faultActionNotSupported)
	}
	return true
}

// instance renders a CIM instance of class with properties in the order given; a nil value is
// sent as xsi:nil, a []string as repeated elements, a time.Time as cim:Datetime.
type wmiProp struct {
	name  string
	value any
}

func renderInstance(uri, class string, props []wmiProp) string {
	var b strings.Builder
	b.WriteString(`<p:` + class + ` xmlns:p="` + esc(uri) + `" xmlns:xsi="` + nsXSI + `" xmlns:cim="` + nsCIM +
		`" xsi:type="p:` + class + `_Type">`)
	renderProps(&b, props)
	b.WriteString(`</p:` + class + `>`)
	return b.String()
}

func renderProps(b *strings.Builder, props []wmiProp) {
	for _, p := range props {
		switch v := p.value.(type) {
		case nil:
			b.WriteString(`<p:` + p.name + ` xsi:nil="true"/>`)
		case []string:
			for _, s := range v {
				b.WriteString(`<p:` + p.name + `>` + esc(s) + `</p:` + p.name + `>`)
			}
		case time.Time:
			// Windows gives the host's local time with its offset.
			t := v.In(time.FixedZone("", 3600)).Format("2006-01-02T15:04:05.000000-07:00")
			b.WriteString(`<p:` + p.name + `><cim:Datetime>` + t + `</cim:Datetime></p:` + p.name + `>`)
		default:
			b.WriteString(`<p:` + p.name + `>` + esc(fmt.Sprint(v)) + `</p:` + p.name + `>`)
		}
	}
}

// osInstance is the host's Win32_OperatingSystem.
func (x *exchange) osInstance() string {
	h := x.host.h
	o := h.p.OS
	var csd any
	if o.ServicePack > 0 {
		csd = "Service Pack " + strconv.Itoa(o.ServicePack)
	}
	build := o.Version
	if i := strings.LastIndexByte(build, '.'); i >= 0 {
		build = build[i+1:]
	}
	root := h.envLookup["SYSTEMROOT"]
	caption := o.Caption
	if h.fault() == FaultEchoPassword {
		caption += " " + h.echoPass // a hostile host echoes the password it was given
	}
	return renderInstance(wmiPrefix+"root/cimv2/Win32_OperatingSystem", "Win32_OperatingSystem", []wmiProp{
		{"BuildNumber", build}, {"Caption", caption}, {"CSDVersion", csd}, {"CSName", h.p.Name},
		{"LastBootUpTime", h.bootTime()}, {"MUILanguages", []string{"en-US"}}, {"OSArchitecture", o.Arch},
		{"ProductType", productTypeNumber(o.ProductType)}, {"ServicePackMajorVersion", o.ServicePack},
		{"SystemDirectory", root + `\system32`}, {"SystemDrive", h.envLookup["SYSTEMDRIVE"]},
		{"Version", o.Version}, {"WindowsDirectory", root},
	})
}

func (x *exchange) wmiGet(ns, class string) {
	hd := &x.req.Header
	switch {
	case ns == "root/cimv2" && strings.EqualFold(class, "Win32_OperatingSystem"):
		x.reply(envelope(nsWMI, nsTransfer+"/GetResponse", hd.MessageID, x.osInstance()))
	case ns == "root/cimv2" && strings.EqualFold(class, "Win32_UserAccount"):
		domain, name := hd.selector("Domain"), hd.selector("Name")
		if domain == "" || name == "" {
			x.fault(faultWMISelectors)
			return
		}
		user := strings.ToLower(x.user)
		if i := strings.LastIndexByte(user, '\\'); i >= 0 {
			user = user[i+1:]
		}
		user, _, _ = strings.Cut(user, "@")
		if !strings.EqualFold(name, user) {
			x.fault(faultWMINotFound)
			return
		}
		body := renderInstance(wmiPrefix+"root/cimv2/Win32_UserAccount", "Win32_UserAccount", []wmiProp{
			{"Caption", domain + `\` + name}, {"Domain", domain}, {"LocalAccount", "false"}, {"Name", name},
			{"SID", AccountSID(x.user)}, {"SIDType", 1},
		})
		x.reply(envelope(nsWMI, nsTransfer+"/GetResponse", hd.MessageID, body))
	case ns == "root/cimv2" && strings.EqualFold(class, "CIM_DataFile"):
		name := hd.selector("Name")
		if name == "" {
			x.fault(faultWMISelectors)
			return
		}
		vs, ok := x.host.h.files[normalizePath(name)]
		if !ok {
			x.fault(faultWMINotFound)
			return
		}
		var version any
		if vs != "" {
			version = vs
		}
		body := renderInstance(wmiPrefix+"root/cimv2/CIM_DataFile", "CIM_DataFile", []wmiProp{
			{"Caption", name}, {"Name", name}, {"Version", version},
		})
		x.reply(envelope(nsWMI, nsTransfer+"/GetResponse", hd.MessageID, body))
	default:
		x.fault(faultInvalidResourceURI)
	}
}

func (x *exchange) wmiEnumerate(ns, class string, req *wmiRequest) {
	e := req.Body.Enumerate
	if e == nil {
		x.fault(faultSchema)
		return
	}
	if e.Filter != nil {
		// Only whole classes are served: a filter would need a WQL engine.
		x.fault(faultWMIInvalidParameter)
		return
	}
	var items []string
	switch {
	case ns == "root/cimv2" && strings.EqualFold(class, "Win32_OperatingSystem"):
		items = []string{x.osInstance()}
	default:
		x.fault(faultInvalidResourceURI)
		return
	}
	maxElements := 1
	if s := strings.TrimSpace(e.MaxElements); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			x.fault(faultSchema)
			return
		}
		maxElements = n
	}
	var b strings.Builder
	b.WriteString(`<n:EnumerateResponse>`)
	if e.Optimize == nil {
		// Without OptimizeEnumeration the items come with Pull.
		b.WriteString(`<n:EnumerationContext>` + x.host.enums.put(items) + `</n:EnumerationContext></n:EnumerateResponse>`)
		x.reply(envelope(nsWMI, nsEnum+"/EnumerateResponse", x.req.Header.MessageID, b.String()))
		return
	}
	first := items[:min(maxElements, len(items))]
	rest := items[len(first):]
	ctx := "uuid:" + newUUID()
	if len(rest) > 0 {
		ctx = x.host.enums.put(rest)
	}
	b.WriteString(`<n:EnumerationContext>` + ctx + `</n:EnumerationContext><w:Items>` + strings.Join(first, "") + `</w:Items>`)
	if len(rest) == 0 {
		b.WriteString(`<w:EndOfSequence/>`)
	}
	b.WriteString(`</n:EnumerateResponse>`)
	x.reply(envelope(nsWMI, nsEnum+"/EnumerateResponse", x.req.Header.MessageID, b.String()))
}

func (x *exchange) wmiPull(req *wmiRequest) {
	p := req.Body.Pull
	if p == nil {
		x.fault(faultSchema)
		return
	}
	n := 1
	if s := strings.TrimSpace(p.MaxElements); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			x.fault(faultSchema)
			return
		}
		n = v
	}
	id := strings.TrimSpace(p.Context)
	items, done, ok := x.host.enums.take(id, n)
	if !ok {
		x.fault(faultWMIInvalidContext)
		return
	}
	var b strings.Builder
	b.WriteString(`<n:PullResponse>`)
	if !done {
		b.WriteString(`<n:EnumerationContext>` + esc(id) + `</n:EnumerationContext>`)
	}
	b.WriteString(`<n:Items>` + strings.Join(items, "") + `</n:Items>`)
	if done {
		b.WriteString(`<n:EndOfSequence/>`)
	}
	b.WriteString(`</n:PullResponse>`)
	x.reply(envelope(nsWMI, nsEnum+"/PullResponse", x.req.Header.MessageID, b.String()))
}

// stdRegProvMethods are the StdRegProv methods served, with their input parameters.
var stdRegProvMethods = map[string][]string{
	"EnumKey":                {"hDefKey", "sSubKeyName"},
	"EnumValues":             {"hDefKey", "sSubKeyName"},
	"GetStringValue":         {"hDefKey", "sSubKeyName", "sValueName"},
	"GetExpandedStringValue": {"hDefKey", "sSubKeyName", "sValueName"},
	"GetMultiStringValue":    {"hDefKey", "sSubKeyName", "sValueName"},
	"GetDWORDValue":          {"hDefKey", "sSubKeyName", "sValueName"},
	"GetQWORDValue":          {"hDefKey", "sSubKeyName", "sValueName"},
	"GetBinaryValue":         {"hDefKey", "sSubKeyName", "sValueName"},
}

// regTypeNumbers are the REG_* numbers of EnumValues' Types.
var regTypeNumbers = map[string]int{
	"REG_NONE": 0, "REG_SZ": 1, "REG_EXPAND_SZ": 2, "REG_BINARY": 3, "REG_DWORD": 4, "REG_MULTI_SZ": 7, "REG_QWORD": 11,
}

func (x *exchange) wmiInvoke(ns, class, method, uri string, req *wmiRequest) {
	if ns != "root/default" || !strings.EqualFold(class, "StdRegProv") {
		x.fault(faultActionNotSupported)
		return
	}
	params, known := stdRegProvMethods[method]
	if !known {
		x.fault(faultActionNotSupported)
		return
	}
	if len(req.Body.Any) != 1 {
		x.fault(faultSchema)
		return
	}
	in := req.Body.Any[0]
	if in.XMLName.Local != method+"_INPUT" || !strings.EqualFold(in.XMLName.Space, uri) {
		x.host.logf("WMI %s: body %s in %q", method, in.XMLName.Local, in.XMLName.Space)
		x.fault(faultSchema)
		return
	}
	args := map[string]string{}
	for _, c := range in.Children {
		if !strings.EqualFold(c.XMLName.Space, uri) || !containsFold(params, c.XMLName.Local) || len(c.Children) > 0 {
			x.fault(faultWMIInvalidParameter)
			return
		}
		if c.Nil == "true" {
			continue
		}
		args[strings.ToLower(c.XMLName.Local)] = c.Text
	}
	if x.host.h.p.WMI == WMIProviderFailure {
		x.fault(faultWMIProviderFailure)
		return
	}
	root := "HKLM" // hDefKey defaults to HKEY_LOCAL_MACHINE
	if s, ok := args["hdefkey"]; ok {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
		if err != nil {
			x.fault(faultWMIInvalidParameter)
			return
		}
		switch n {
		case 2147483650:
			root = "HKLM"
		case 2147483651:
			root = "HKU"
		default:
			root = "" // other trees: not in a profile
		}
	}
	out := x.host.h.regMethod(method, root, strings.Trim(args["ssubkeyname"], `\`), args["svaluename"])
	body := `<p:` + method + `_OUTPUT xmlns:p="` + esc(uri) + `">` + out + `</p:` + method + `_OUTPUT>`
	x.reply(envelope(nsWMI, uri+"/"+method+"Response", x.req.Header.MessageID, body))
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// regMethod runs a StdRegProv method on the host's registry and renders its out parameters
// and ReturnValue.
func (h *host) regMethod(method, root, sub, name string) string {
	ret := func(props []wmiProp, rv uint32) string {
		var b strings.Builder
		renderProps(&b, append(props, wmiProp{"ReturnValue", rv}))
		return b.String()
	}
	if root == "" {
		return ret(nil, 2)
	}
	path := root
	if sub != "" {
		path += `\` + sub
	}
	h.regMu.RLock()
	defer h.regMu.RUnlock()
	k, exists := h.lookupKey(path)
	if !exists {
		return ret(nil, 2)
	}
	switch method {
	case "EnumKey":
		names := h.subkeys(path)
		if len(names) == 0 {
			return ret(nil, 0)
		}
		return ret([]wmiProp{{"sNames", names}}, 0)
	case "EnumValues":
		var names, types []string
		if k != nil {
			for _, ln := range sortedKeys(k.values) {
				v := k.values[ln]
				if v.name == "" {
					continue // EnumValues leaves out the default value (see the reader)
				}
				names = append(names, v.name)
				types = append(types, strconv.Itoa(regTypeNumbers[v.typ]))
			}
		}
		if len(names) == 0 {
			return ret(nil, 0)
		}
		return ret([]wmiProp{{"sNames", names}, {"Types", types}}, 0)
	}
	var v *regValue
	if k != nil {
		v = k.values[strings.ToLower(name)]
	}
	if v == nil {
		return ret(nil, 1)
	}
	want := map[string]string{
		"GetStringValue": "REG_SZ", "GetExpandedStringValue": "REG_EXPAND_SZ", "GetMultiStringValue": "REG_MULTI_SZ",
		"GetDWORDValue": "REG_DWORD", "GetQWORDValue": "REG_QWORD", "GetBinaryValue": "REG_BINARY",
	}[method]
	if v.typ != want && !(method == "GetBinaryValue" && v.typ == "REG_NONE") {
		return ret(nil, wbemTypeMismatch)
	}
	switch v.typ {
	case "REG_SZ":
		return ret([]wmiProp{{"sValue", v.text}}, 0)
	case "REG_EXPAND_SZ":
		return ret([]wmiProp{{"sValue", h.expandEnv(v.text)}}, 0)
	case "REG_MULTI_SZ":
		return ret([]wmiProp{{"sValue", strings.Split(v.text, "\n")}}, 0)
	case "REG_DWORD", "REG_QWORD":
		return ret([]wmiProp{{"uValue", v.text}}, 0)
	}
	b, _ := hex.DecodeString(v.text)
	bytes := make([]string, len(b))
	for i, c := range b {
		bytes[i] = strconv.Itoa(int(c))
	}
	return ret([]wmiProp{{"uValue", bytes}}, 0)
}

// lookupKey finds a key (HKLM\..., HKU\...): the key and whether it exists. The hive of an
// account whose profile is loaded is looked up in Profile.AccountHive. Hold regMu.
func (h *host) lookupKey(path string) (*regKey, bool) {
	if k := h.keys[strings.ToLower(path)]; k != nil {
		return k, true
	}
	parts := strings.SplitN(path, `\`, 3)
	if len(parts) >= 2 && strings.EqualFold(parts[0], "HKU") && containsFold(h.profileHives(), parts[1]) {
		rel := ""
		if len(parts) == 3 {
			rel = parts[2]
		}
		k := h.account[strings.ToLower(rel)]
		return k, k != nil
	}
	return nil, false
}

// subkeys lists the names of a key's subkeys, sorted as the registry returns them
// (case-insensitively). Hold regMu.
func (h *host) subkeys(path string) []string {
	prefix := strings.ToLower(path) + `\`
	seen := map[string]string{}
	for lk, k := range h.keys {
		if rest, ok := strings.CutPrefix(lk, prefix); ok && !strings.Contains(rest, `\`) {
			seen[rest] = k.path[len(prefix):]
		}
	}
	if strings.EqualFold(path, "HKU") {
		for _, sid := range h.profileHives() {
			seen[strings.ToLower(sid)] = sid
		}
	}
	out := make([]string, 0, len(seen))
	for _, lk := range sortedKeys(seen) {
		out = append(out, seen[lk])
	}
	return out
}

// addSystemValues adds the registry values every Windows host has that the WMI reader reads in
// place of what PowerShell reports (PROCESSOR_ARCHITECTURE, the PowerShell version) and of the
// process environment (ProgramFiles...), consistent with what the simulated collector prints;
// a value the profile lists stays the profile's.
func (h *host) addSystemValues() {
	set := func(key, name, typ, text string) {
		k := h.addKey(key)
		if k.values == nil {
			k.values = map[string]*regValue{}
		}
		if _, ok := k.values[strings.ToLower(name)]; !ok {
			k.values[strings.ToLower(name)] = &regValue{name: name, typ: typ, text: text}
		}
	}
	env := `HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment`
	set(env, "PROCESSOR_ARCHITECTURE", "REG_SZ", h.envLookup["PROCESSOR_ARCHITECTURE"])
	set(env, "OS", "REG_SZ", "Windows_NT")
	set(env, "windir", "REG_EXPAND_SZ", `%SystemRoot%`)
	set(env, "NUMBER_OF_PROCESSORS", "REG_SZ", h.envLookup["NUMBER_OF_PROCESSORS"])
	set(env, "ComSpec", "REG_EXPAND_SZ", `%SystemRoot%\system32\cmd.exe`)
	set(env, "TEMP", "REG_EXPAND_SZ", `%SystemRoot%\TEMP`)
	set(env, "TMP", "REG_EXPAND_SZ", `%SystemRoot%\TEMP`)
	cv := `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion`
	set(cv, "ProgramFilesDir", "REG_SZ", h.envLookup["PROGRAMFILES"])
	set(cv, "CommonFilesDir", "REG_SZ", h.envLookup["COMMONPROGRAMFILES"])
	if h.is64 {
		set(cv, "ProgramFilesDir (x86)", "REG_SZ", h.envLookup["PROGRAMFILES(X86)"])
		set(cv, "CommonFilesDir (x86)", "REG_SZ", h.envLookup["COMMONPROGRAMFILES(X86)"])
		set(cv, "ProgramW6432Dir", "REG_SZ", h.envLookup["PROGRAMW6432"])
		set(cv, "CommonW6432Dir", "REG_SZ", h.envLookup["COMMONPROGRAMW6432"])
	}
	// Windows 7 and Server 2008 R2 ship PowerShell 2.0 (engine key 1); newer Windows 5.1
	// (engine key 3) and keep the 2.0 engine's key: the versions the collector prints.
	set(`HKLM\SOFTWARE\Microsoft\PowerShell\1\PowerShellEngine`, "PowerShellVersion", "REG_SZ", "2.0")
	if !h.oldWinRM {
		set(`HKLM\SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine`, "PowerShellVersion", "REG_SZ", "5.1")
	}
}
