package remote

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/masterzen/winrm"
)

// decodeReceive reads every ReceiveResponse that Windows sent in the recorded exchanges as the
// winrm library's parser does: the same streams, the same end, the same exit code.
func TestDecodeReceiveMatchesLibraryOnCaptures(t *testing.T) {
	dir := captureDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yml") {
			continue
		}
		for i, m := range loadCapture(t, e.Name()) {
			if m.Status != 200 || !strings.Contains(m.Response, "ReceiveResponse</a:Action>") {
				continue
			}
			seen++
			var o1, e1, o2, e2 bytes.Buffer
			done1, code1, err1 := decodeReceive([]byte(m.Response), &o1, &e1, maxOutputBytes)
			done2, code2, err2 := winrm.ParseSlurpOutputErrResponse(m.Response, &o2, &e2)
			if err1 != nil || err2 != nil || done1 != done2 || code1 != code2 || o1.String() != o2.String() || e1.String() != e2.String() {
				t.Errorf("%s #%d: ours %v %d %q %q %v; library %v %d %q %q %v", e.Name(), i, done1, code1, o1.String(), e1.String(), err1,
					done2, code2, o2.String(), e2.String(), err2)
			}
		}
	}
	if seen < 5 {
		t.Errorf("only %d ReceiveResponses in the captures", seen)
	}
}

func TestDecodeReceiveRejects(t *testing.T) {
	good := string(receiveResponse(t))
	for name, body := range map[string]string{
		"not XML":       "<s:Envelope><unclosed>",
		"other action":  strings.Replace(good, "/ReceiveResponse</a:Action>", "/CommandResponse</a:Action>", 1),
		"no action":     strings.Replace(good, "<a:Action>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse</a:Action>", "", 1),
		"bad base64":    strings.Replace(good, `CommandId="C1">`, `CommandId="C1">!!!`, 1),
		"bad exit code": strings.Replace(good, "<rsp:ExitCode>0</rsp:ExitCode>", "<rsp:ExitCode>zero</rsp:ExitCode>", 1),
	} {
		var o, e bytes.Buffer
		_, _, err := decodeReceive([]byte(body), &o, &e, maxOutputBytes)
		var pe *ProtocolError
		if err == nil || !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want a ProtocolError", name, err)
		}
	}
}

// The shell and command ids are read as the winrm library reads them, from every recorded
// CreateResponse and CommandResponse.
func TestDecodeIDsMatchLibraryOnCaptures(t *testing.T) {
	dir := captureDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	shells, commands := 0, 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yml") {
			continue
		}
		for i, m := range loadCapture(t, e.Name()) {
			switch {
			case m.Status != 200:
			case strings.Contains(m.Response, "transfer/CreateResponse</a:Action>"):
				shells++
				ours, err1 := decodeShellID([]byte(m.Response))
				lib, err2 := winrm.ParseOpenShellResponse(m.Response)
				if err1 != nil || err2 != nil || ours != lib || ours == "" {
					t.Errorf("%s #%d: ShellId %q %v, library %q %v", e.Name(), i, ours, err1, lib, err2)
				}
			case strings.Contains(m.Response, "shell/CommandResponse</a:Action>"):
				commands++
				ours, err1 := decodeCommandID([]byte(m.Response))
				lib, err2 := winrm.ParseExecuteCommandResponse(m.Response)
				if err1 != nil || err2 != nil || ours != lib || ours == "" {
					t.Errorf("%s #%d: CommandId %q %v, library %q %v", e.Name(), i, ours, err1, lib, err2)
				}
			}
		}
	}
	if shells < 3 || commands < 3 {
		t.Errorf("only %d CreateResponses and %d CommandResponses in the captures", shells, commands)
	}
}
