package winrmsim

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzWMIRequest: whatever envelope a client sends to a WMI resource, the simulated host answers
// it without panicking, with HTTP 200 or a SOAP fault (500), and its answer is XML.
func FuzzWMIRequest(f *testing.F) {
	env := func(action, resource, body string) string {
		return `<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:a="` + nsAddr + `" xmlns:w="` + nsWSMan + `" xmlns:n="` + nsEnum + `"><s:Header>` +
			`<a:Action>` + action + `</a:Action><a:MessageID>uuid:1</a:MessageID><w:ResourceURI>` + resource + `</w:ResourceURI>` +
			`<w:SelectorSet><w:Selector Name="Name">C:\Windows\System32\webio.dll</w:Selector></w:SelectorSet>` +
			`</s:Header><s:Body>` + body + `</s:Body></s:Envelope>`
	}
	f.Add([]byte(env(uriRegistry+"/EnumValues", uriRegistry, regInput("EnumValues", uriRegistry, [2]string{"hDefKey", "2147483650"}, [2]string{"sSubKeyName", `SOFTWARE\Microsoft`}))))
	f.Add([]byte(env(uriRegistry+"/GetMultiStringValue", uriRegistry, regInput("GetMultiStringValue", uriRegistry, [2]string{"sSubKeyName", `SOFTWARE`}, [2]string{"sValueName", "x"}))))
	f.Add([]byte(env(actionEnumerate, uriOS, `<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>1</w:MaxElements></n:Enumerate>`)))
	f.Add([]byte(env(actionPull, uriOS, `<n:Pull><n:EnumerationContext>uuid:x</n:EnumerationContext></n:Pull>`)))
	f.Add([]byte(env(actionGet, uriDataFile, "")))
	hc, err := compile(mustProfile(f, win7))
	if err != nil {
		f.Fatal(err)
	}
	host := &Host{h: hc, maxEnvelope: 153600}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseRequest(body)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		x := &exchange{host: host, w: rec, r: httptest.NewRequest(http.MethodPost, "/wsman", nil), req: req, raw: body, user: testUser, machine: "pc"}
		if !x.dispatchWMI() {
			return
		}
		if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError {
			t.Fatalf("HTTP %d", rec.Code)
		}
		d := xml.NewDecoder(strings.NewReader(rec.Body.String()))
		for {
			if _, err := d.Token(); err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("answer is not XML: %v\n%s", err, truncate(rec.Body.String(), 300))
				}
				break
			}
		}
	})
}
