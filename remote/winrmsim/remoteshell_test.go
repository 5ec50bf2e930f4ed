package winrmsim

import (
	"errors"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/remote"
)

// noShellProfile is win10 with the Group Policy "Allow Remote Shell Access" disabled, as a
// profile file says it.
const noShellProfile = `{"name": "PC-NOSHELL",
 "os": {"caption": "Microsoft Windows 10 Pro", "version": "10.0.19045", "servicePack": 0, "productType": "workstation", "arch": "64-bit"},
 "files": {}, "registry": {}, "fault": "", "remoteShellAccess": false}`

// remoteShellsMessage is the text of ERROR_WSMAN_REMOTESHELLS_NOT_ALLOWED (see
// faultRemoteShellsNotAllowed for its sources).
const remoteShellsMessage = "The WS-Management service cannot process the request. The service is configured to not accept any remote shell requests."

// A host whose "Allow Remote Shell Access" is disabled refuses the shell Create with the fault
// Windows sends: HTTP 500, s:Receiver, w:InternalError, code 2150859180 and its text. Its
// configuration says so; the profile field absent or true leaves shells allowed.
func TestRemoteShellAccessDisabled(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		allowed bool
	}{
		{"absent", win10, true},
		{"true", strings.Replace(noShellProfile, `"remoteShellAccess": false`, `"remoteShellAccess": true`, 1), true},
		{"false", noShellProfile, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHost(t, mustProfile(t, tt.profile), Options{})
			c := newClient(t, h)
			cfg := c.ok(c.do(soapReq{action: actionGet, resource: resourceCfg}), nsTransfer+"/GetResponse")
			if got := cfg.text(nsSOAP+" Body", nsConfig+" Config", nsConfig+" Winrs", nsConfig+" AllowRemoteShellAccess"); got != map[bool]string{true: "true", false: "false"}[tt.allowed] {
				t.Errorf("configuration AllowRemoteShellAccess %q", got)
			}
			resp := c.post(createRequest(c))
			if tt.allowed {
				if resp.status != 200 {
					t.Fatalf("Create: HTTP %d %s", resp.status, truncate(string(resp.body), 300))
				}
				return
			}
			if resp.status != 500 || resp.root == nil {
				t.Fatalf("Create: HTTP %d %s, want the fault", resp.status, truncate(string(resp.body), 300))
			}
			action := resp.root.text(nsSOAP+" Header", nsAddr+" Action")
			code := resp.root.text(nsSOAP+" Body", nsSOAP+" Fault", nsSOAP+" Code", nsSOAP+" Value")
			reason := resp.root.text(nsSOAP+" Body", nsSOAP+" Fault", nsSOAP+" Reason", nsSOAP+" Text")
			if action != faultAction || code != "s:Receiver" || faultSubcode(resp.root) != "w:InternalError" || faultCode(resp.root) != "2150859180" ||
				strings.TrimSpace(faultMessage(resp.root)) != remoteShellsMessage || strings.TrimSpace(reason) != remoteShellsMessage {
				t.Errorf("fault %s %s %s %s %q %q", action, code, faultSubcode(resp.root), faultCode(resp.root), faultMessage(resp.root), reason)
			}
			if st := h.Stats(); st.Faults != 1 || h.OpenShells() != 0 {
				t.Errorf("stats %+v, %d shells open", st, h.OpenShells())
			}
		})
	}
}

// The scanner's client reports that host as a WinRM problem that names the policy, at the
// create shell step, not as an authentication failure and not as worth a retry.
func TestRemoteShellAccessDisabledWithTheClient(t *testing.T) {
	h := startHost(t, mustProfile(t, noShellProfile), Options{})
	_, err := collect(t, realClient(t, nil), h)
	var re *remote.Error
	var fe *remote.FaultError
	if !errors.As(err, &re) || !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *remote.Error with the fault", err)
	}
	if re.Category != remote.CategoryWinRM || re.Step != "create shell" || !fe.IsRemoteShellDisabled() ||
		remote.Transient(err) || remote.CredentialsRejected(err) {
		t.Errorf("err = %v: category %s, step %q, IsRemoteShellDisabled %t, Transient %t", err, re.Category, re.Step, fe.IsRemoteShellDisabled(), remote.Transient(err))
	}
	for _, want := range []string{`"Allow Remote Shell Access" is disabled on the host`, "Windows Components > Windows Remote Shell", "code 2150859180", remoteShellsMessage} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant it to say %q", err, want)
		}
	}
	if st := h.Stats(); st.Create != 1 || st.Command != 0 {
		t.Errorf("stats %+v: one Create, no Command", st)
	}
}
