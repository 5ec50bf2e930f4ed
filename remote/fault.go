package remote

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/internal/xmllimit"
)

// XML namespaces of WS-Management envelopes.
const (
	nsSOAP       = "http://www.w3.org/2003/05/soap-envelope"
	nsAddressing = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsWSMan      = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsWSManFault = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
)

// Fault subcodes (DSP0226) that the error helpers recognise.
const (
	SubcodeTimedOut      = "w:TimedOut"
	SubcodeQuotaLimit    = "w:QuotaLimit"
	SubcodeAccessDenied  = "w:AccessDenied"
	SubcodeEncodingLimit = "w:EncodingLimit"
)

// WSManFault codes (wsmerror.h) that the error helpers recognise.
const (
	CodeTimedOut     uint32 = 2150858793 // ERROR_WSMAN_OPERATION_TIMEDOUT, 0x80338029
	CodeAccessDenied uint32 = 5          // ERROR_ACCESS_DENIED
	CodeMaxShells    uint32 = 2150859173 // ERROR_WSMAN_QUOTA_MAX_SHELLS: MaxShellsPerUser
	CodeMaxOps       uint32 = 2150859174 // ERROR_WSMAN_QUOTA_MAX_OPERATIONS: MaxConcurrentOperationsPerUser
	// CodeRemoteShellsNotAllowed is ERROR_WSMAN_REMOTESHELLS_NOT_ALLOWED (0x803381AC): the
	// host refuses every shell Create because "Allow Remote Shell Access" is disabled.
	CodeRemoteShellsNotAllowed uint32 = 2150859180
)

// quotaSettings names the WinRM setting behind each quota code; a code listed with "" is a
// quota without a single setting to name.
var quotaSettings = map[uint32]string{
	2150858815:    "",                               // ERROR_WSMAN_QUOTA_LIMIT
	CodeMaxShells: "MaxShellsPerUser",               // 0x803381A5
	CodeMaxOps:    "MaxConcurrentOperationsPerUser", // 0x803381A6
	2150859175:    "",                               // ERROR_WSMAN_QUOTA_USER
	2150859176:    "",                               // ERROR_WSMAN_QUOTA_SYSTEM
	2150859179:    "MaxConcurrentUsers",             // ERROR_WSMAN_QUOTA_MAX_SHELLUSERS
	2150859236:    "MaxShellsPerUser",               // ERROR_WSMAN_QUOTA_MAX_SHELLS_PPQ (plugin quota)
	2150859237:    "MaxConcurrentUsers",             // ERROR_WSMAN_QUOTA_MAX_USERS_PPQ
	2150859238:    "",                               // ERROR_WSMAN_QUOTA_MAX_PLUGINSHELLS_PPQ
	2150859239:    "",                               // ERROR_WSMAN_QUOTA_MAX_PLUGINOPERATIONS_PPQ
	2150859240:    "MaxConcurrentOperationsPerUser", // ERROR_WSMAN_QUOTA_MAX_OPERATIONS_USER_PPQ
	2150859241:    "MaxConcurrentCommandsPerShell",  // ERROR_WSMAN_QUOTA_MAX_COMMANDS_PER_SHELL_PPQ
}

// FaultError is a SOAP fault sent by the host: Windows answers most failures with one, under
// HTTP 500.
type FaultError struct {
	HTTPStatus int
	Code       string // "s:Sender" or "s:Receiver"
	Subcode    string // "w:TimedOut", "w:InvalidSelectors", "w:QuotaLimit", "w:AccessDenied", ...
	WSManCode  uint32 // the Code attribute of f:WSManFault, 0 if absent
	Reason     string // s:Reason/s:Text, whitespace trimmed
	Message    string // f:WSManFault/f:Message, whitespace trimmed
	Machine    string // the Machine attribute of f:WSManFault
	Detail     string // w:FaultDetail, e.g. ".../faultDetail/InvalidValue"
	// WMICode and WMIMessage are error_Code and Message of a p:MSFT_WmiError in the fault's
	// detail (under s:Detail or inside f:Message): the WMI error behind a fault of a WMI
	// operation, e.g. 0x80041003 WBEM_E_ACCESS_DENIED. 0 and "" when there is none.
	WMICode    uint32
	WMIMessage string
}

// IsTimedOut reports the fault of a request that the host held for OperationTimeout without
// anything to answer: for a Receive, the command has printed nothing yet.
func (e *FaultError) IsTimedOut() bool {
	return e.Subcode == SubcodeTimedOut || e.WSManCode == CodeTimedOut
}

// IsQuota reports a WinRM quota exceeded: too many shells, operations or users.
func (e *FaultError) IsQuota() bool {
	_, ok := quotaSettings[e.WSManCode]
	return ok || e.Subcode == SubcodeQuotaLimit
}

// IsAccessDenied reports that the account may not use WinRM on the host.
func (e *FaultError) IsAccessDenied() bool {
	return e.Subcode == SubcodeAccessDenied || e.WSManCode == CodeAccessDenied || e.WSManCode == 0x80070005 ||
		e.WMICode == WBEMAccessDenied
}

// WMI errors (WBEMSTATUS, MS-WMI 2.2.11,
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wmi/): the error_Code of the
// p:MSFT_WmiError in a fault of a WMI operation.
const (
	WBEMFailed          uint32 = 0x80041001 // WBEM_E_FAILED
	WBEMNotFound        uint32 = 0x80041002 // WBEM_E_NOT_FOUND
	WBEMAccessDenied    uint32 = 0x80041003 // WBEM_E_ACCESS_DENIED
	WBEMProviderFailure uint32 = 0x80041004 // WBEM_E_PROVIDER_FAILURE
	WBEMTypeMismatch    uint32 = 0x80041005 // WBEM_E_TYPE_MISMATCH
	WBEMInvalidClass    uint32 = 0x80041010 // WBEM_E_INVALID_CLASS
)

// IsRemoteShellDisabled reports the fault of a host that accepts no remote shell: the Group
// Policy "Allow Remote Shell Access" (Windows Components > Windows Remote Shell) is disabled,
// or WinRM's winrm/config/winrs AllowRemoteShellAccess is false.
//
// Windows answers the shell Create with HTTP 500, s:Receiver, w:InternalError (MS-WSMV 2.2.4.42
// WinrsType: "If set to False, new Remote Shell connections MUST be rejected by the server, which
// MUST reply with a wsman:InternalError fault",
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/7ffb4acd-cf01-4fbe-9e48-7746f5001957),
// f:WSManFault Code 2150859180 (ERROR_WSMAN_REMOTESHELLS_NOT_ALLOWED in the Windows SDK's
// wsmerror.h, e.g. https://docs.rs/windows-sys/0.34.0/windows_sys/Win32/System/RemoteManagement/constant.ERROR_WSMAN_REMOTESHELLS_NOT_ALLOWED.html;
// PowerShell maps the same code, as -2144108116, to "RemoteSessionDisallowed") and the message
// "The WS-Management service cannot process the request. The service is configured to not
// accept any remote shell requests." (quoted with that policy as its cause in
// https://github.com/jpboyce/cb_cis_windows_2016/issues/5 and
// https://github.com/centreon/centreon-plugins/issues/4412). The message is recognised as well
// as the code, for a host that words the code differently.
func (e *FaultError) IsRemoteShellDisabled() bool {
	return e.WSManCode == CodeRemoteShellsNotAllowed ||
		e.WSManCode == 0 && strings.Contains(e.Message+" "+e.Reason, "configured to not accept any remote shell requests")
}

// remoteShellAdvice says what IsRemoteShellDisabled means and what to do.
const remoteShellAdvice = `"Allow Remote Shell Access" is disabled on the host (Group Policy: Windows Components > ` +
	`Windows Remote Shell; registry HKLM\SOFTWARE\Policies\Microsoft\Windows\WinRM\Service\WinRS, AllowRemoteShellAccess=0) - ` +
	`set the policy to Enabled or Not Configured for this computer, run gpupdate /force on it and scan again ` +
	`(without the policy: winrm set winrm/config/winrs @{AllowRemoteShellAccess="true"})`

// IsEncodingLimit reports a request larger than the host's MaxEnvelopeSize (or another encoding limit).
func (e *FaultError) IsEncodingLimit() bool { return e.Subcode == SubcodeEncodingLimit }

// QuotaSetting names the WinRM setting whose limit was exceeded and, when the message says it,
// the limit: "MaxShellsPerUser=5". Empty when unknown.
func (e *FaultError) QuotaSetting() string {
	name := quotaSettings[e.WSManCode]
	if name == "" {
		return ""
	}
	if m := quotaNumber.FindStringSubmatch(e.Message); m != nil {
		return name + "=" + m[1]
	}
	return name
}

var quotaNumber = regexp.MustCompile(`maximum number of (\d+)`)

func (e *FaultError) Error() string {
	var what string
	switch {
	case e.IsRemoteShellDisabled():
		what = remoteShellAdvice + "; the host's fault"
	case e.IsQuota():
		what = "quota exceeded"
	case e.IsAccessDenied():
		what = "access denied"
	case e.IsTimedOut():
		what = "operation timed out"
	default:
		what = "WS-Management fault"
	}
	var details []string
	if s := e.QuotaSetting(); s != "" {
		details = append(details, s)
	}
	if e.Subcode != "" {
		details = append(details, e.Subcode)
	} else if e.Code != "" {
		details = append(details, e.Code)
	}
	if e.WSManCode != 0 {
		details = append(details, "code "+strconv.FormatUint(uint64(e.WSManCode), 10))
	}
	if e.WMICode != 0 {
		details = append(details, fmt.Sprintf("WMI error 0x%08X", e.WMICode))
	}
	msg := what
	if len(details) > 0 {
		msg += " (" + strings.Join(details, ", ") + ")"
	}
	text := e.Message
	if text == "" {
		text = e.WMIMessage
	}
	if text == "" {
		text = e.Reason
	}
	if text != "" {
		msg += ": " + text
	}
	return msg
}

// envelope is what parseEnvelope reads from an answer.
type envelope struct {
	action string
	fault  *FaultError // nil unless the body holds an s:Fault
}

// parseEnvelope reads the action and, if there is one, the fault of a SOAP envelope, by
// namespace (whatever prefixes the host chose).
func parseEnvelope(body []byte) (envelope, error) {
	var env envelope
	d := xmllimit.NewDecoder(bytes.NewReader(body))
	var path []xml.Name            // open elements
	var scopes []map[string]string // prefix -> namespace, per open element
	var text strings.Builder       // character data of the element being read
	var msg strings.Builder        // all character data under f:Message
	inMessage := 0                 // depth of f:Message, 0 when outside
	inWMIError := 0                // depth of p:MSFT_WmiError, 0 when outside
	root := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return envelope{}, fmt.Errorf("answer is not XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			scope := map[string]string{}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					scope[a.Name.Local] = a.Value
				}
			}
			scopes = append(scopes, scope)
			path = append(path, t.Name)
			text.Reset()
			if len(path) == 1 {
				if t.Name != (xml.Name{Space: nsSOAP, Local: "Envelope"}) {
					return envelope{}, fmt.Errorf("answer is not a SOAP 1.2 envelope (root %s)", t.Name.Local)
				}
				root = true
			}
			if inMessage > 0 {
				inMessage++
			}
			if inWMIError > 0 {
				inWMIError++
			} else if env.fault != nil && t.Name.Local == "MSFT_WmiError" {
				inWMIError = 1
			}
			switch {
			case is(path, nsSOAP, "Envelope", "Body", "Fault"):
				env.fault = &FaultError{}
			case env.fault != nil && t.Name == (xml.Name{Space: nsWSManFault, Local: "WSManFault"}):
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "Code":
						if n, err := strconv.ParseUint(strings.TrimSpace(a.Value), 10, 32); err == nil {
							env.fault.WSManCode = uint32(n)
						}
					case "Machine":
						env.fault.Machine = a.Value
					}
				}
			case env.fault != nil && t.Name == (xml.Name{Space: nsWSManFault, Local: "Message"}) && inMessage == 0:
				inMessage = 1
			}
		case xml.CharData:
			text.Write(t)
			if inMessage > 0 && inWMIError == 0 {
				msg.Write(t)
			}
		case xml.EndElement:
			s := strings.TrimSpace(text.String())
			switch {
			case len(path) == 3 && is(path[:2], nsSOAP, "Envelope", "Header") && path[2] == (xml.Name{Space: nsAddressing, Local: "Action"}):
				env.action = s
			case env.fault == nil:
			case is(path, nsSOAP, "Envelope", "Body", "Fault", "Code", "Value"):
				env.fault.Code = qname(s, scopes)
			case is(path, nsSOAP, "Envelope", "Body", "Fault", "Code", "Subcode", "Value"):
				env.fault.Subcode = qname(s, scopes)
			case is(path, nsSOAP, "Envelope", "Body", "Fault", "Reason", "Text") && env.fault.Reason == "":
				env.fault.Reason = oneLine(s)
			case path[len(path)-1] == (xml.Name{Space: nsWSMan, Local: "FaultDetail"}):
				env.fault.Detail = s
			case inWMIError == 2 && path[len(path)-1].Local == "error_Code":
				if n, err := strconv.ParseUint(s, 10, 32); err == nil {
					env.fault.WMICode = uint32(n)
				}
			case inWMIError == 2 && path[len(path)-1].Local == "Message":
				env.fault.WMIMessage = oneLine(s)
			}
			if inWMIError > 0 {
				inWMIError--
			}
			if inMessage > 0 {
				inMessage--
				if inMessage == 0 {
					env.fault.Message = oneLine(msg.String())
				}
			}
			path = path[:len(path)-1]
			scopes = scopes[:len(scopes)-1]
			text.Reset()
		}
	}
	if !root {
		return envelope{}, fmt.Errorf("answer is empty")
	}
	return env, nil
}

// is reports whether path is exactly the given elements, all in namespace ns.
func is(path []xml.Name, ns string, locals ...string) bool {
	if len(path) != len(locals) {
		return false
	}
	for i, l := range locals {
		if path[i].Space != ns || path[i].Local != l {
			return false
		}
	}
	return true
}

// qname renders a QName value with the usual prefix of its namespace ("w:TimedOut" whatever
// prefix the host bound to WS-Management); one of an unknown namespace stays as written.
func qname(v string, scopes []map[string]string) string {
	prefix, local, ok := strings.Cut(v, ":")
	if !ok {
		return v
	}
	for i := len(scopes) - 1; i >= 0; i-- {
		if ns, found := scopes[i][prefix]; found {
			switch ns {
			case nsSOAP:
				return "s:" + local
			case nsWSMan:
				return "w:" + local
			}
			return v
		}
	}
	return v
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
