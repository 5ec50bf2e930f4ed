package winrmsim

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/internal/labenv"
)

// captureDir finds the recorded Windows exchanges: shared/ beside the repository (as CI lays it
// out), else the copy in the repository's testdata.
func captureDir(t *testing.T) string {
	for _, d := range []string{"../../../shared/fixtures/windows-wsman-captures", "../../testdata/wsman-captures"} {
		if _, err := os.Stat(filepath.Join(d, "test_winrs_standard.yml")); err == nil {
			return d
		}
	}
	labenv.Require(t, "no windows-wsman-captures directory (../../../shared/fixtures or ../../testdata)")
	return ""
}

// shape renders the element structure of a response for comparison: namespaces and local
// names, attribute names with the values that carry meaning (not ids), the text of elements
// whose text is not an id or a time, and consecutive data Stream elements of one stream as one
// (how Windows cuts output into Stream elements depends on timing).
func shape(n *node) string {
	var b strings.Builder
	b.WriteString("<" + n.name)
	var attrs []string
	for _, a := range n.attrs {
		v := a.Value
		switch a.Name.Local {
		case "CommandId", "Machine":
			v = "*"
		}
		attrs = append(attrs, a.Name.Local+"="+v)
	}
	sort.Strings(attrs)
	for _, a := range attrs {
		b.WriteString(" " + a)
	}
	b.WriteString(">")
	local := n.name[strings.LastIndexByte(n.name, ' ')+1:]
	switch local {
	case "Value", "Text", "FaultDetail", "Message", "ProviderFault", "ExitCode", "InputStreams", "OutputStreams",
		"ResourceUri", "ResourceURI", "IdleTimeOut", "ShellRunTime", "ShellInactivity", "MaxEnvelopeSizekb":
		b.WriteString(strings.TrimSpace(n.chardata))
	}
	var prev *node
	for _, c := range n.children {
		isData := c.name == nsShell+" Stream" && c.attr("End") == ""
		if isData && prev != nil && prev.name == c.name && prev.attr("End") == "" && prev.attr("Name") == c.attr("Name") {
			continue
		}
		prev = c
		b.WriteString(shape(c))
	}
	b.WriteString("</>")
	return b.String()
}

// streams adds the decoded Stream data of a ReceiveResponse to acc, by stream name.
func streams(t *testing.T, root *node, acc map[string]string) {
	rr := root.find(nsSOAP+" Body", nsShell+" ReceiveResponse")
	if rr == nil {
		return
	}
	for _, c := range rr.children {
		if c.name == nsShell+" Stream" {
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.chardata))
			if err != nil {
				t.Fatal(err)
			}
			acc[c.attr("Name")] += string(b)
		}
	}
}

// TestCaptures replays requests recorded against Windows (ids rewritten to the ones the
// simulator hands out) and compares the simulator's answers with Windows' answers: HTTP status,
// action, RelatesTo, body structure, fault subcode and code, and the output of the command.
func TestCaptures(t *testing.T) {
	dir := captureDir(t)
	pollFault, err := readCapture(filepath.Join(dir, "test_winrs_fail_poll_process.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file string
		profile    string
		opts       Options
		rewrite    func(string) string
		expect     func(captureMessage) captureMessage
		output     bool // compare the commands' output with Windows'
	}{
		{name: "Standard", file: "test_winrs_standard.yml", profile: win10, output: true},
		{name: "Send", file: "test_winrs_send.yml", profile: win10, output: true},
		{name: "StderrExitCode", file: "test_winrs_stderr_rc.yml", profile: win10, output: true},
		{name: "Unicode", file: "test_winrs_unicode.yml", profile: win10, output: true},
		{name: "NoProfileSet", file: "test_winrs_noprofile.yml", profile: win10}, // our environment is not that host's
		{name: "BadCommandID", file: "test_winrs_bad_cmd_id.yml", profile: win10, output: true},
		{name: "FailPollProcess", file: "test_winrs_fail_poll_process.yml", profile: win10},
		{name: "EnvelopeSize150", file: "test_wsman_update_envelope_size_150.yml", profile: win7},
		{
			// Windows held each Receive for OperationTimeout (10 s) while "Start-Sleep 30" ran;
			// the replay scales the times down to 1 s and 2.5 s.
			name: "OperationTimeout", file: "test_winrs_operation_timeout.yml", profile: win10, output: true,
			rewrite: func(s string) string {
				return strings.NewReplacer("Start-Sleep 30", "Start-Sleep 2.5", "PT10S", "PT1S").Replace(s)
			},
		},
		{
			// Options.ReceiveFault: every Receive gets the fault Windows sent while polling.
			name: "ReceiveFaultOption", file: "test_winrs_standard.yml", profile: win10, opts: Options{ReceiveFault: "InvalidParameter"},
			expect: func(m captureMessage) captureMessage {
				if strings.Contains(m.request, "/windows/shell/Receive<") {
					return pollFault[1]
				}
				return m
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := readCapture(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) == 0 {
				t.Fatal("no messages")
			}
			h := startHost(t, mustProfile(t, tt.profile), tt.opts)
			c := newClient(t, h)
			ids := map[string]string{} // Windows' ShellId/CommandId -> the simulator's
			gotOut, wantOut := map[string]string{}, map[string]string{}
			for i, m := range msgs {
				if tt.expect != nil {
					m = tt.expect(m)
				}
				req := m.request
				for from, to := range ids {
					req = strings.ReplaceAll(req, from, to)
				}
				if tt.rewrite != nil {
					req = tt.rewrite(req)
				}
				reqRoot, err := parseTree([]byte(req))
				if err != nil {
					t.Fatalf("message %d: request: %v", i, err)
				}
				want, err := parseTree([]byte(m.response))
				if err != nil {
					t.Fatalf("message %d: recorded response: %v", i, err)
				}
				resp := c.post(req)
				if resp.root == nil {
					t.Fatalf("message %d: HTTP %d, no XML: %q", i, resp.status, resp.body)
				}
				action := reqRoot.text(nsSOAP+" Header", nsAddr+" Action")
				step := action[strings.LastIndexByte(action, '/')+1:]
				if resp.status != m.status {
					t.Errorf("message %d (%s): HTTP %d, Windows %d", i, step, resp.status, m.status)
				}
				if ct := resp.header.Get("Content-Type"); ct != "application/soap+xml;charset=UTF-8" {
					t.Errorf("message %d (%s): Content-Type %q", i, step, ct)
				}
				hdr := func(n *node, local string) string { return n.text(nsSOAP+" Header", nsAddr+" "+local) }
				if hdr(resp.root, "Action") != hdr(want, "Action") {
					t.Errorf("message %d (%s): action %s, Windows %s", i, step, hdr(resp.root, "Action"), hdr(want, "Action"))
				}
				if got, msgID := hdr(resp.root, "RelatesTo"), hdr(reqRoot, "MessageID"); got != msgID {
					t.Errorf("message %d (%s): RelatesTo %q, want the request's MessageID %q", i, step, got, msgID)
				}
				if id := hdr(resp.root, "MessageID"); !strings.HasPrefix(id, "uuid:") || id == hdr(want, "MessageID") {
					t.Errorf("message %d (%s): MessageID %q, want a fresh uuid", i, step, id)
				}
				gotBody, wantBody := resp.root.find(nsSOAP+" Body"), want.find(nsSOAP+" Body")
				if g, w := shape(gotBody), shape(wantBody); g != w {
					t.Errorf("message %d (%s): body\n got %s\nwant %s", i, step, g, w)
				}
				if g, w := faultSubcode(resp.root), faultSubcode(want); g != w || faultCode(resp.root) != faultCode(want) {
					t.Errorf("message %d (%s): fault %s %s, Windows %s %s", i, step, g, faultCode(resp.root), w, faultCode(want))
				}
				for _, path := range [][]string{
					{nsSOAP + " Body", nsShell + " Shell", nsShell + " ShellId"},
					{nsSOAP + " Body", nsShell + " CommandResponse", nsShell + " CommandId"},
				} {
					if from, to := want.text(path...), resp.root.text(path...); from != "" && to != "" {
						ids[from] = to
					}
				}
				streams(t, resp.root, gotOut)
				streams(t, want, wantOut)
			}
			if tt.output && (gotOut["stdout"] != wantOut["stdout"] || gotOut["stderr"] != wantOut["stderr"]) {
				t.Errorf("output: stdout %q stderr %q, Windows stdout %q stderr %q", gotOut["stdout"], gotOut["stderr"], wantOut["stdout"], wantOut["stderr"])
			}
			if n := h.OpenShells(); n != 0 {
				t.Errorf("%d shells left open after the recorded Delete", n)
			}
		})
	}
}
