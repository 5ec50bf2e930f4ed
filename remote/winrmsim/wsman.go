package winrmsim

import (
	"bytes"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tlsready/tlsready/internal/xmllimit"
)

// Namespaces of WS-Management as Windows uses them.
const (
	nsSOAP     = "http://www.w3.org/2003/05/soap-envelope"
	nsAddr     = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsTransfer = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	nsWSMan    = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsWSMV     = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
	nsShell    = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	nsFault    = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
	nsConfig   = "http://schemas.microsoft.com/wbem/wsman/1/config"
	nsEventing = "http://schemas.xmlsoap.org/ws/2004/08/eventing"
	nsEnum     = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"

	anonymous     = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
	resourceCmd   = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
	resourceCfg   = "http://schemas.microsoft.com/wbem/wsman/1/config"
	stateDone     = nsShell + "/CommandState/Done"
	stateRunning  = nsShell + "/CommandState/Running"
	signalPrefix  = nsShell + "/signal/"
	faultAction   = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
	faultDetailNS = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/"
)

// Actions (wsa:Action) of the requests the hosts answer, and of their responses.
const (
	actionCreate  = nsTransfer + "/Create"
	actionDelete  = nsTransfer + "/Delete"
	actionGet     = nsTransfer + "/Get"
	actionCommand = nsShell + "/Command"
	actionSend    = nsShell + "/Send"
	actionReceive = nsShell + "/Receive"
	actionSignal  = nsShell + "/Signal"
)

// request is a WS-Management request envelope, read by namespace whatever the prefixes.
type request struct {
	XMLName xml.Name      `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  requestHeader `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body    requestBody   `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

type requestHeader struct {
	Action           string     `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing Action"`
	MessageID        string     `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing MessageID"`
	To               string     `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing To"`
	ResourceURI      string     `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd ResourceURI"`
	MaxEnvelopeSize  string     `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd MaxEnvelopeSize"`
	OperationTimeout string     `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OperationTimeout"`
	OptionSet        *optionSet `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OptionSet"`
	SelectorSet      *struct {
		Selectors []nameValue `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Selector"`
	} `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd SelectorSet"`
}

type optionSet struct {
	Options []nameValue `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Option"`
}

type nameValue struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}

type requestBody struct {
	Shell *struct {
		InputStreams  string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell InputStreams"`
		OutputStreams string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell OutputStreams"`
	} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Shell"`
	CommandLine *struct {
		CommandID string   `xml:"CommandId,attr"`
		Command   string   `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Command"`
		Arguments []string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Arguments"`
	} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell CommandLine"`
	Send *struct {
		Streams []struct {
			Name      string `xml:"Name,attr"`
			CommandID string `xml:"CommandId,attr"`
			End       string `xml:"End,attr"`
			Data      string `xml:",chardata"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Stream"`
	} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Send"`
	Receive *struct {
		DesiredStream *struct {
			CommandID string `xml:"CommandId,attr"`
			Streams   string `xml:",chardata"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell DesiredStream"`
	} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Receive"`
	Signal *struct {
		CommandID string `xml:"CommandId,attr"`
		Code      string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Code"`
	} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Signal"`
}

func (h *requestHeader) option(name string) (string, bool) {
	if h.OptionSet == nil {
		return "", false
	}
	for _, o := range h.OptionSet.Options {
		if strings.EqualFold(o.Name, name) {
			return strings.TrimSpace(o.Value), true
		}
	}
	return "", false
}

func (h *requestHeader) selector(name string) string {
	if h.SelectorSet == nil {
		return ""
	}
	for _, s := range h.SelectorSet.Selectors {
		if strings.EqualFold(s.Name, name) {
			return strings.TrimSpace(s.Value)
		}
	}
	return ""
}

func parseRequest(body []byte) (*request, error) {
	var r request
	if err := unmarshalRequest(body, &r); err != nil {
		return nil, err
	}
	r.Header.Action = strings.TrimSpace(r.Header.Action)
	r.Header.MessageID = strings.TrimSpace(r.Header.MessageID)
	r.Header.ResourceURI = strings.TrimSpace(r.Header.ResourceURI)
	if r.Header.Action == "" {
		return nil, errors.New("no wsa:Action header")
	}
	return &r, nil
}

// newUUID returns a random (version 4) UUID in upper case, as Windows writes them.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Namespace declarations of the response envelopes, as Windows writes them for each kind.
const (
	declS   = ` xmlns:s="` + nsSOAP + `"`
	declA   = ` xmlns:a="` + nsAddr + `"`
	declX   = ` xmlns:x="` + nsTransfer + `"`
	declE   = ` xmlns:e="` + nsEventing + `"`
	declN   = ` xmlns:n="` + nsEnum + `"`
	declW   = ` xmlns:w="` + nsWSMan + `"`
	declRsp = ` xmlns:rsp="` + nsShell + `"`
	declP   = ` xmlns:p="` + nsWSMV + `"`

	nsShellCmd   = declS + declA + declX + declW + declRsp + declP // Create, Command, Send, Signal
	nsReceive    = declS + declA + declW + declRsp + declP
	nsDelete     = declS + declA + declW + declP
	nsGet        = declS + declA + declX + declW + declP
	nsFaultDecls = declS + declA + declX + declE + declN + declW + declP
)

// envelope renders a response: relatesTo is the request's MessageID.
func envelope(decls, action, relatesTo, body string) []byte {
	var b strings.Builder
	b.WriteString(`<s:Envelope xml:lang="en-US"` + decls + `><s:Header><a:Action>`)
	b.WriteString(esc(action))
	b.WriteString(`</a:Action><a:MessageID>uuid:` + newUUID() + `</a:MessageID><a:To>` + anonymous + `</a:To>`)
	if relatesTo != "" {
		b.WriteString(`<a:RelatesTo>` + esc(relatesTo) + `</a:RelatesTo>`)
	}
	b.WriteString(`</s:Header><s:Body>` + body + `</s:Body></s:Envelope>`)
	return []byte(b.String())
}

// soapFault is a WS-Management fault as Windows sends it (always with HTTP 500).
type soapFault struct {
	code      string // "s:Sender" or "s:Receiver"
	subcode   string // "w:TimedOut", ...
	reason    string
	detail    string // faultDetail URI, or ""
	wsmanCode uint32 // f:WSManFault Code
	message   string // f:Message; reason when empty
	provider  bool   // message comes from the shell plugin (f:ProviderFault)
	// wmiCode, when not 0, adds the WMI error behind a WMI operation's fault: a p:MSFT_WmiError
	// with this error_Code and message (wmi.go, wmiErrorDetail).
	wmiCode uint32
}

func (f soapFault) render(relatesTo, machine string) []byte {
	msg := f.message
	if msg == "" {
		msg = f.reason
	}
	var b strings.Builder
	b.WriteString(`<s:Fault><s:Code><s:Value>` + f.code + `</s:Value><s:Subcode><s:Value>` + f.subcode +
		`</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">` + esc(f.reason) +
		`</s:Text></s:Reason><s:Detail>`)
	if f.detail != "" {
		b.WriteString(`<w:FaultDetail>` + esc(f.detail) + `</w:FaultDetail>`)
	}
	fmt.Fprintf(&b, `<f:WSManFault xmlns:f="%s" Code="%d" Machine="%s"><f:Message>`, nsFault, f.wsmanCode, esc(machine))
	if f.provider {
		b.WriteString(`<f:ProviderFault provider="Shell cmd plugin" path="%systemroot%\system32\winrscmd.dll">` +
			esc(msg) + `</f:ProviderFault>`)
	} else {
		b.WriteString(esc(msg))
	}
	b.WriteString(`</f:Message></f:WSManFault>`)
	if f.wmiCode != 0 {
		b.WriteString(wmiErrorDetail(f.wmiCode, msg))
	}
	b.WriteString(`</s:Detail></s:Fault>`)
	return envelope(nsFaultDecls, faultAction, relatesTo, b.String())
}

// The faults the hosts send. Texts and codes are Windows' own where a recording exists; the
// source of each is given beside it. Windows ends its messages with a space (or two).
var (
	// test_winrs_operation_timeout.yml (recorded against Windows): ERROR_WSMAN_OPERATION_TIMEDOUT.
	faultTimedOut = soapFault{
		code: "s:Receiver", subcode: "w:TimedOut", wsmanCode: 2150858793,
		reason: "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  ",
	}
	// test_winrs_bad_cmd_id.yml (recorded): ERROR_WSMAN_UNEXPECTED_SELECTORS, 0x8033805B.
	faultUnknownCommand = soapFault{
		code: "s:Sender", subcode: "w:InvalidSelectors", wsmanCode: 2150858843,
		detail: faultDetailNS + "UnexpectedSelectors",
		reason: "The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ",
		message: "The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. " +
			"Either the command has completed execution or the client specified an invalid command identifier. ",
	}
	// test_winrs_fail_poll_process.yml (recorded): a Receive without CommandId; Win32 error 87
	// from the shell plugin.
	faultInvalidParameter = soapFault{
		code: "s:Sender", subcode: "w:InvalidParameter", wsmanCode: 87, provider: true,
		detail: faultDetailNS + "InvalidValue",
		reason: "The parameter is incorrect. ",
	}
	// ERROR_WSMAN_QUOTA_MAX_SHELLS 2150859173 (0x803381A5, Windows SDK wsmerror.h). The fault
	// as Windows sends it (s:Sender, w:QuotaLimit, both texts) is quoted in the docstrings of
	// Cerebrum's modules/ad2/winrm.py; the f:Message wording also in hashicorp/vagrant#7489 and
	// dmitry-zaets/vagrantfile-windows-iis-mssql#9.
	faultMaxShells = soapFault{
		code: "s:Sender", subcode: "w:QuotaLimit", wsmanCode: 2150859173,
		reason: "The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user. ",
		// message is filled in with the quota.
	}
	// A malformed envelope. Text and code of a fault recorded against Server 2008 (quoted in
	// pywinrm's tests): ERROR_WSMAN_SCHEMA_VALIDATION_ERROR.
	faultSchema = soapFault{
		code: "s:Sender", subcode: "w:SchemaValidationError", wsmanCode: 2150858817,
		reason: "The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ",
	}
	// An action the service does not know: the WS-Addressing fault (DMTF DSP0226 table 10,
	// wsa:ActionNotSupported) with ERROR_WSMAN_ACTION_NOT_SUPPORTED 2150858771 (wsmerror.h).
	// Not recorded against Windows: the wording is the specification's.
	faultActionNotSupported = soapFault{
		code: "s:Sender", subcode: "a:ActionNotSupported", wsmanCode: 2150858771,
		reason: "The action is not supported by the service. ",
	}
	// A resource URI other than the cmd shell (or the configuration for Get): DSP0226's
	// wsa:DestinationUnreachable with faultDetail/InvalidResourceURI and
	// ERROR_WSMAN_RESOURCE_NOT_FOUND 2150858752. Not recorded against Windows.
	faultInvalidResourceURI = soapFault{
		code: "s:Sender", subcode: "w:DestinationUnreachable", wsmanCode: 2150858752,
		detail: faultDetailNS + "InvalidResourceURI",
		reason: "The WS-Management service cannot process the request. The resource URI is not valid or is not supported. ",
	}
	// A wsman:MaxEnvelopeSize below 8192 octets: MS-WSMAN 3.1.4.1.9 and DSP0226 6.2 require
	// wsman:EncodingLimit; ERROR_WSMAN_ENCODING_LIMIT 2150858805 (wsmerror.h). Not recorded.
	faultMinEnvelope = soapFault{
		code: "s:Sender", subcode: "w:EncodingLimit", wsmanCode: 2150858805,
		detail: faultDetailNS + "MinimumEnvelopeLimit",
		reason: "The WS-Management service cannot process the request because the MaxEnvelopeSize is smaller than the minimum of 8192 octets. ",
	}
	// The shell Create of a host whose Group Policy "Allow Remote Shell Access" is disabled
	// (Profile.RemoteShellAccess false). MS-WSMV 2.2.4.42 WinrsType, AllowRemoteShellAccess: "If
	// set to False, new Remote Shell connections MUST be rejected by the server, which MUST reply
	// with a wsman:InternalError fault" (s:Receiver, DSP0226 table 10)
	// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/7ffb4acd-cf01-4fbe-9e48-7746f5001957;
	// the code is ERROR_WSMAN_REMOTESHELLS_NOT_ALLOWED 2150859180 (0x803381AC, wsmerror.h; in
	// PowerShell's WSManNativeApi as ERROR_WSMAN_REMOTESESSION_DISALLOWED -2144108116); the text
	// is the one quoted for that policy in jpboyce/cb_cis_windows_2016#5 and Netwrix's knowledge
	// base ("Resolving failed Actions ... not accept any remote shell requests"). Not recorded
	// against Windows: that s:Reason carries the same text as f:Message is assumed, as in
	// Windows' other service faults (faultTimedOut).
	faultRemoteShellsNotAllowed = soapFault{
		code: "s:Receiver", subcode: "w:InternalError", wsmanCode: 2150859180,
		reason: "The WS-Management service cannot process the request. The service is configured to not accept any remote shell requests. ",
	}
	// WINRS_SKIP_CMD_SHELL with a program that does not exist: CreateProcess fails with
	// ERROR_FILE_NOT_FOUND (2), reported by the shell plugin. Modelled, not recorded.
	faultFileNotFound = soapFault{
		code: "s:Receiver", subcode: "w:InternalError", wsmanCode: 2, provider: true,
		reason: "The system cannot find the file specified. ",
	}
	// WINRS_SKIP_CMD_SHELL with a command line over CreateProcess's 32767 characters:
	// ERROR_FILENAME_EXCED_RANGE (206). Modelled, not recorded.
	faultCommandLineTooLong = soapFault{
		code: "s:Receiver", subcode: "w:InternalError", wsmanCode: 206, provider: true,
		reason: "The filename or extension is too long. ",
	}
)

func unknownShellFault(id string) soapFault {
	f := faultUnknownCommand
	// The wording Windows uses for an unknown ShellId (quoted in Microsoft's Exchange Online
	// PowerShell documentation and in cloudsoft/winrm4j's WinRmClient), same code.
	f.message = "The request for the Windows Remote Shell with ShellId " + id + " failed because the shell was not found on the server. " +
		"Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. " +
		"Provide the correct ShellId or create a new shell and retry the operation. "
	return f
}

func maxShellsFault(n int) soapFault {
	f := faultMaxShells
	f.message = fmt.Sprintf("The WS-Management service cannot process the request. This user is allowed a maximum number of %d concurrent shells, "+
		"which has been exceeded. Close existing shells or raise the quota for this user. ", n)
	return f
}

// namedFaults are the faults Options.ReceiveFault can name.
var namedFaults = map[string]soapFault{
	"InvalidParameter": faultInvalidParameter,
	"TimedOut":         faultTimedOut,
	"InvalidSelectors": faultUnknownCommand,
	"QuotaLimit":       maxShellsFault(5),
	"InternalError":    faultFileNotFound,
}

var durationPattern = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?$`)

// parseDuration reads an xs:duration such as PT20S, PT60.000S or P0DT0H1M0S (days and smaller).
func parseDuration(s string) (time.Duration, error) {
	m := durationPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, fmt.Errorf("xs:duration %q not understood", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] != "" {
			n, err := strconv.ParseInt(m[i+1], 10, 32)
			if err != nil {
				return 0, fmt.Errorf("xs:duration %q: %w", s, err)
			}
			d += time.Duration(n) * unit
		}
	}
	if m[4] != "" {
		sec, err := strconv.ParseFloat(m[4], 64)
		if err != nil || sec > 1e7 {
			return 0, fmt.Errorf("xs:duration %q: bad seconds", s)
		}
		d += time.Duration(sec * float64(time.Second))
	}
	return d, nil
}

// longText is the length from which unmarshalRequest takes a text out of the envelope.
const longText = 1024

// unmarshalRequest is xml.Unmarshal(body, r), cheaper for a Send: encoding/xml reads text a byte
// at a time, and a Send's stream is 10 KB and more of base64. Each long base64 text (between
// '>' and '<') is replaced by "#i#", which no base64 text contains, before parsing, and put
// back into the stream whose text it became. If a marker ends up anywhere else, the envelope is
// parsed again whole: the result is always the one of xml.Unmarshal.
func unmarshalRequest(body []byte, r *request) error {
	var texts [][]byte
	var short []byte
	copied := 0 // body[:copied] is in short
	for pos := 0; ; {
		i := bytes.IndexByte(body[pos:], '>')
		if i < 0 {
			break
		}
		start := pos + i + 1
		end := start
		for end < len(body) && isBase64Char(body[end]) {
			end++
		}
		if end-start >= longText && end < len(body) && body[end] == '<' {
			if short == nil {
				short = make([]byte, 0, len(body))
			}
			short = append(short, body[copied:start]...)
			short = fmt.Appendf(short, "#%d#", len(texts))
			texts = append(texts, body[start:end])
			copied = end
		}
		pos = end
	}
	if texts == nil {
		return xmllimit.Unmarshal(body, r)
	}
	short = append(short, body[copied:]...)
	if err := xmllimit.Unmarshal(short, r); err != nil {
		*r = request{}
		return xmllimit.Unmarshal(body, r) // the error (and partial result) of the envelope as sent
	}
	restored := 0
	if r.Body.Send != nil {
		for k := range r.Body.Send.Streams {
			d := &r.Body.Send.Streams[k].Data
			var i int
			if n, err := fmt.Sscanf(*d, "#%d#", &i); err == nil && n == 1 && *d == fmt.Sprintf("#%d#", i) && i < len(texts) {
				*d = string(texts[i])
				restored++
			}
		}
	}
	if restored != len(texts) {
		*r = request{}
		return xmllimit.Unmarshal(body, r)
	}
	return nil
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}
