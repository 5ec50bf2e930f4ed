package remote

import (
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// Every fault that Windows sent in the recorded exchanges parses into a FaultError with the
// subcode, WSMan code and HTTP status it carries; no other answer parses as a fault.
func TestFaultsFromCaptures(t *testing.T) {
	want := map[string]struct {
		code, subcode string
		wsman         uint32
		machine       string
		timedOut      bool
		message       string
	}{
		"test_winrs_operation_timeout.yml": {"s:Receiver", "w:TimedOut", 2150858793, "192.168.56.11", true,
			"The WS-Management service cannot complete the operation within the time specified in OperationTimeout."},
		"test_winrs_bad_cmd_id.yml": {"s:Sender", "w:InvalidSelectors", 2150858843, "192.168.56.15", false,
			"The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist."},
		"test_winrs_fail_poll_process.yml": {"s:Sender", "w:InvalidParameter", 87, "127.0.0.1", false, "The parameter is incorrect."},
	}
	files, _ := filepath.Glob(filepath.Join(captureDir(t), "*.yml"))
	faults := 0
	for _, path := range files {
		name := filepath.Base(path)
		for i, m := range loadCapture(t, name) {
			env, err := parseEnvelope([]byte(m.Response))
			if err != nil {
				t.Errorf("%s #%d: %v", name, i+1, err)
				continue
			}
			if (env.fault != nil) != (m.Status == http.StatusInternalServerError) {
				t.Errorf("%s #%d: fault %v with HTTP %d", name, i+1, env.fault, m.Status)
				continue
			}
			if env.fault == nil {
				if env.action == "" {
					t.Errorf("%s #%d: no action", name, i+1)
				}
				continue
			}
			faults++
			// Through the transport, as the client sees it.
			tr := &transporter{url: "http://127.0.0.1:5985/wsman"}
			resp := &http.Response{StatusCode: m.Status, Header: http.Header{"Content-Type": {"application/soap+xml;charset=UTF-8"}}}
			_, err = tr.answer(resp, []byte(m.Response))
			var fe *FaultError
			if !errors.As(err, &fe) {
				t.Fatalf("%s #%d: %v is not a *FaultError", name, i+1, err)
			}
			w, ok := want[name]
			if !ok {
				t.Errorf("%s: unexpected fault %v", name, fe)
				continue
			}
			if fe.HTTPStatus != 500 || fe.Code != w.code || fe.Subcode != w.subcode || fe.WSManCode != w.wsman ||
				fe.Machine != w.machine || fe.IsTimedOut() != w.timedOut || !strings.HasPrefix(fe.Message, w.message) {
				t.Errorf("%s #%d: got %+v", name, i+1, *fe)
			}
			if fe.IsQuota() || fe.IsAccessDenied() {
				t.Errorf("%s #%d: %v taken for quota or access denied", name, i+1, fe)
			}
			wantCat := CategoryWinRM
			if w.timedOut {
				wantCat = CategoryTimeout
			}
			if got := CategoryOf(err); got != wantCat {
				t.Errorf("%s: category %s, want %s", name, got, wantCat)
			}
		}
	}
	if faults != 4 {
		t.Errorf("%d faults in the captures, want 4", faults)
	}
}

func TestFaultKinds(t *testing.T) {
	tests := []struct {
		name                    string
		xml                     string
		quota, denied, timedOut bool
		encoding                bool
		category                Category
		errorText               string
	}{
		{
			name: "MaxShellsPerUser",
			xml: faultXML("uuid:1", "s:Receiver", "w:InternalError", CodeMaxShells,
				"The WS-Management service cannot process the request. This user is allowed a maximum number of 5 concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user."),
			quota: true, category: CategoryWinRM,
			errorText: "quota exceeded (MaxShellsPerUser=5, w:InternalError, code 2150859173): The WS-Management service cannot process the request. This user is allowed a maximum number of 5 concurrent shells",
		},
		{
			name: "MaxConcurrentOperationsPerUser",
			xml: faultXML("uuid:1", "s:Receiver", "w:QuotaLimit", CodeMaxOps,
				"This user is allowed a maximum number of 15 concurrent operations, which has been exceeded."),
			quota: true, category: CategoryWinRM,
			errorText: "quota exceeded (MaxConcurrentOperationsPerUser=15, w:QuotaLimit, code 2150859174)",
		},
		{
			name:  "QuotaLimitSubcodeOnly",
			xml:   faultXML("uuid:1", "s:Receiver", "w:QuotaLimit", 0, "Quota exceeded."),
			quota: true, category: CategoryWinRM, errorText: "quota exceeded (w:QuotaLimit): Quota exceeded.",
		},
		{
			name:   "AccessDenied",
			xml:    faultXML("uuid:1", "s:Sender", "w:AccessDenied", 5, "Access is denied."),
			denied: true, category: CategoryAuth, errorText: "access denied (w:AccessDenied, code 5): Access is denied.",
		},
		{
			name:     "TimedOut",
			xml:      faultXML("uuid:1", "s:Receiver", "w:TimedOut", CodeTimedOut, "The operation timed out."),
			timedOut: true, category: CategoryTimeout, errorText: "operation timed out (w:TimedOut, code 2150858793)",
		},
		{
			name:     "EncodingLimit",
			xml:      faultXML("uuid:1", "s:Sender", "w:EncodingLimit", 2150858817, "The envelope size exceeds the maximum."),
			encoding: true, category: CategoryWinRM, errorText: "WS-Management fault (w:EncodingLimit, code 2150858817)",
		},
		{
			// Other prefixes for the same namespaces: the subcode is still w:TimedOut.
			name: "OtherPrefixes",
			xml: `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">` +
				`<env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value><env:Subcode><env:Value>wsman:TimedOut</env:Value></env:Subcode></env:Code>` +
				`<env:Reason><env:Text>  timed
				out  </env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`,
			timedOut: true, category: CategoryTimeout, errorText: "operation timed out (w:TimedOut): timed out",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := parseEnvelope([]byte(tt.xml))
			if err != nil {
				t.Fatal(err)
			}
			fe := env.fault
			if fe == nil {
				t.Fatal("no fault")
			}
			if fe.IsQuota() != tt.quota || fe.IsAccessDenied() != tt.denied || fe.IsTimedOut() != tt.timedOut || fe.IsEncodingLimit() != tt.encoding {
				t.Errorf("quota %t denied %t timedOut %t encoding %t", fe.IsQuota(), fe.IsAccessDenied(), fe.IsTimedOut(), fe.IsEncodingLimit())
			}
			if got := CategoryOf(fe); got != tt.category {
				t.Errorf("category %s, want %s", got, tt.category)
			}
			if !strings.HasPrefix(fe.Error(), tt.errorText) {
				t.Errorf("Error() = %q\nwant prefix %q", fe.Error(), tt.errorText)
			}
		})
	}
}

func TestParseEnvelopeRejects(t *testing.T) {
	for _, body := range []string{"", "not xml", "<html><body>Bad Request</body></html>",
		`<Envelope xmlns="urn:other"/>`, `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>`} {
		if _, err := parseEnvelope([]byte(body)); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}

// The fault of a host whose "Allow Remote Shell Access" is disabled (see IsRemoteShellDisabled
// for the sources) is a winrm failure whose message names the policy; it is neither an access
// denial nor a quota nor transient. A fault with the same text and no code is recognised too,
// other InternalError faults are not.
func TestRemoteShellDisabledFault(t *testing.T) {
	const text = "The WS-Management service cannot process the request. The service is configured to not accept any remote shell requests."
	tests := []struct {
		name string
		body string
		want bool
	}{
		{"Windows", faultXML("uuid:1", "s:Receiver", "w:InternalError", 2150859180, text), true},
		{"TextOnly", strings.Replace(faultXML("uuid:1", "s:Receiver", "w:InternalError", 0, text), ` Code="0"`, "", 1), true},
		{"OtherInternalError", faultXML("uuid:1", "s:Receiver", "w:InternalError", 2, "The system cannot find the file specified."), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &transporter{url: "http://127.0.0.1:5985/wsman"}
			resp := &http.Response{StatusCode: 500, Header: http.Header{"Content-Type": {"application/soap+xml;charset=UTF-8"}}}
			_, err := tr.answer(resp, []byte(tt.body))
			var fe *FaultError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FaultError", err)
			}
			if fe.IsRemoteShellDisabled() != tt.want {
				t.Fatalf("IsRemoteShellDisabled = %t for %v", !tt.want, err)
			}
			if CategoryOf(err) != CategoryWinRM || fe.IsAccessDenied() || fe.IsQuota() || Transient(err) || CredentialsRejected(err) {
				t.Errorf("%v: category %s, access denied %t, quota %t, transient %t", err, CategoryOf(err), fe.IsAccessDenied(), fe.IsQuota(), Transient(err))
			}
			named := strings.HasPrefix(err.Error(), `"Allow Remote Shell Access" is disabled on the host (Group Policy: Windows Components > Windows Remote Shell`)
			if named != tt.want || fe.Message == "" || !strings.Contains(err.Error(), fe.Message) {
				t.Errorf("message: %v", err)
			}
		})
	}
}
