package winrmsim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remote"
)

// healthyCopy is p without what keeps one of the two readers out (faults, a constrained
// PowerShell, shells refused, WMI refused): the same host, readable both ways.
func healthyCopy(p Profile) Profile {
	p.Fault, p.LanguageMode, p.RemoteShellAccess, p.WMI = "", "", nil, ""
	return p
}

// diffFacts lists the fields in which two facts differ, by name.
func diffFacts(a, b *facts.Facts) []string {
	var out []string
	va, vb := reflect.ValueOf(*a), reflect.ValueOf(*b)
	for i := range va.NumField() {
		name := va.Type().Field(i).Name
		fa, fb := va.Field(i).Interface(), vb.Field(i).Interface()
		if reflect.DeepEqual(fa, fb) {
			continue
		}
		// Slices element by element, so that the message names the item.
		sa, sb := va.Field(i), vb.Field(i)
		if sa.Kind() == reflect.Slice && sa.Len() == sb.Len() {
			for j := range sa.Len() {
				if !reflect.DeepEqual(sa.Index(j).Interface(), sb.Index(j).Interface()) {
					out = append(out, fmt.Sprintf("%s[%d]: shell %+v, wmi %+v", name, j, sa.Index(j).Interface(), sb.Index(j).Interface()))
				}
			}
			continue
		}
		out = append(out, fmt.Sprintf("%s: shell %+v, wmi %+v", name, fa, fb))
	}
	return out
}

// readBoth reads every host of a fleet with the shell collector and the WMI reader and fails
// on the first difference in facts or verdict. It returns the requests per host of each.
func readBoth(t *testing.T, profiles []Profile, concurrency int) (shellReqs, wmiReqs float64) {
	t.Helper()
	fleet, err := StartFleet(context.Background(), profiles, judged(t, Options{User: testUser, Password: testPassword}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.Close() })
	c := realClient(t, nil)
	items := checks.Items()
	var mu sync.Mutex
	var wmiTotal int
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for _, h := range fleet.Hosts() {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ep, err := remote.ParseEndpoint(h.Addr())
			if err != nil {
				t.Error(err)
				return
			}
			shell, err := c.Collect(context.Background(), ep, items)
			if err != nil {
				t.Errorf("%s: shell: %v", h.Name(), err)
				return
			}
			wmi, n, err := c.CollectWMICounted(context.Background(), ep, items)
			if err != nil {
				t.Errorf("%s: wmi: %v", h.Name(), err)
				return
			}
			if d := diffFacts(shell, wmi); len(d) > 0 {
				t.Errorf("%s: facts differ:\n  %s", h.Name(), strings.Join(d, "\n  "))
			}
			vs, fs := checks.Check(shell)
			vw, fw := checks.Check(wmi)
			if vs != vw || !reflect.DeepEqual(fs, fw) {
				t.Errorf("%s: verdict shell %s, wmi %s (findings differ: %t)", h.Name(), vs, vw, !reflect.DeepEqual(fs, fw))
			}
			mu.Lock()
			wmiTotal += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	var shellTotal int
	for _, h := range fleet.Hosts() {
		st := h.Stats()
		shellTotal += st.Create + st.Command + st.Send + st.Receive + st.Signal + st.Delete
		if st.WMI == 0 {
			t.Errorf("%s: the WMI reader sent no WMI operation", h.Name())
		}
	}
	n := float64(len(profiles))
	return float64(shellTotal) / n, float64(wmiTotal) / n
}

// TestWMIFleetSameFacts: every host of the built-in fleet gives identical facts, field by field,
// and the same verdict and findings, read through the shell collector and through WMI.
func TestWMIFleetSameFacts(t *testing.T) {
	fleet, err := LoadFleet("../../testdata/fleet")
	if err != nil {
		t.Fatal(err)
	}
	for i := range fleet {
		fleet[i] = healthyCopy(fleet[i])
	}
	shell, wmi := readBoth(t, fleet, 4)
	t.Logf("requests per host: shell %.1f, wmi %.1f", shell, wmi)
}

// TestWMIGeneratedLabSameFacts is the same for a generated lab (the copies of the fleet's
// healthy hosts that "tlsready lab --generate" makes, with their generated names).
func TestWMIGeneratedLabSameFacts(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	base, err := LoadFleet("../../testdata/fleet")
	if err != nil {
		t.Fatal(err)
	}
	var healthy []Profile
	for _, p := range base {
		if p.Healthy() {
			healthy = append(healthy, p)
		}
	}
	lab, err := Generate(GenerateSpec{N: 200, Seed: 17, Base: healthy})
	if err != nil {
		t.Fatal(err)
	}
	readBoth(t, lab, 8)
}

// TestWMIFaultyHostsReadable: the hosts that keep the shell collector out (a broken collector,
// Constrained Language Mode, remote shells disabled) are read over WMI with the facts the
// collector gives once the obstacle is gone.
func TestWMIFaultyHostsReadable(t *testing.T) {
	fleet, err := LoadFleet("../../testdata/fleet")
	if err != nil {
		t.Fatal(err)
	}
	var faulty, healthy []Profile
	for _, p := range fleet {
		if p.Fault == FaultGarbage || p.LanguageMode == LanguageConstrained || p.RemoteShellAccess != nil && !*p.RemoteShellAccess {
			faulty = append(faulty, p)
			h := healthyCopy(p)
			h.Name += "-OK"
			healthy = append(healthy, h)
		}
	}
	if len(faulty) != 3 {
		t.Fatalf("%d faulty hosts in the fleet, want the 3 of garbage, CLM and no shells", len(faulty))
	}
	fl, err := StartFleet(context.Background(), append(faulty, healthy...), judged(t, Options{User: testUser, Password: testPassword}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fl.Close() })
	c := realClient(t, nil)
	items := checks.Items()
	for i, p := range faulty {
		bad, good := fl.Host(p.Name), fl.Host(healthy[i].Name)
		ep, _ := remote.ParseEndpoint(bad.Addr())
		if _, err := c.Collect(context.Background(), ep, items); err == nil {
			t.Errorf("%s: the shell collector succeeded, want it refused", p.Name)
		}
		before := bad.Stats()
		wmi, err := c.CollectWMI(context.Background(), ep, items)
		if err != nil {
			t.Fatalf("%s: wmi: %v", p.Name, err)
		}
		if after := bad.Stats(); after.Create != before.Create || after.Command != before.Command {
			t.Errorf("%s: the WMI read opened %d shells and started %d commands", p.Name, after.Create-before.Create, after.Command-before.Command)
		}
		gep, _ := remote.ParseEndpoint(good.Addr())
		shell, err := c.Collect(context.Background(), gep, items)
		if err != nil {
			t.Fatalf("%s: shell: %v", good.Name(), err)
		}
		shell.ComputerName = p.Name
		if d := diffFacts(shell, wmi); len(d) > 0 {
			t.Errorf("%s: facts differ:\n  %s", p.Name, strings.Join(d, "\n  "))
		}
	}
}

// TestWMIRefused: a host that denies root/default, and one whose registry provider fails, are
// errors naming the host and the cause, with the category a scan reports.
func TestWMIRefused(t *testing.T) {
	tests := []struct {
		wmi      string
		category remote.Category
		want     string
	}{
		{WMIDenied, remote.CategoryAuth, "access denied"},
		{WMIProviderFailure, remote.CategoryWinRM, "WMI error 0x80041004"},
	}
	for _, tt := range tests {
		t.Run(tt.wmi, func(t *testing.T) {
			p := mustProfile(t, win7)
			p.WMI = tt.wmi
			h := startHost(t, p, Options{})
			c := realClient(t, nil)
			ep, _ := remote.ParseEndpoint(h.Addr())
			_, err := c.CollectWMI(context.Background(), ep, clientItems)
			var re *remote.Error
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *remote.Error", err)
			}
			if re.Category != tt.category || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), h.Addr()) {
				t.Errorf("err = %v (category %s), want category %s, naming the host and %q", err, re.Category, tt.category, tt.want)
			}
			// The shell collector still works there.
			if _, err := c.Collect(context.Background(), ep, clientItems); err != nil {
				t.Errorf("shell: %v", err)
			}
		})
	}
}

// TestWMIRequestsPerHost: the reader skips what it can: keys under a missing parent cost no
// request, and a branch point listed with EnumKey saves the reads of its missing branches.
func TestWMIRequestsPerHost(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		max     int
	}{
		// Windows 10, nothing configured: few keys exist. Issue 18's items (.NET Framework
		// keys in both views, the cipher suite orders) added 11 keys that exist on every host
		// and are read with one EnumValues each (18 -> 29, 22 -> 33).
		{"bare", win10, 29},
		{"win7", win7, 33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHost(t, mustProfile(t, tt.profile), Options{})
			c := realClient(t, nil)
			ep, _ := remote.ParseEndpoint(h.Addr())
			_, n, err := c.CollectWMICounted(context.Background(), ep, checks.Items())
			if err != nil {
				t.Fatal(err)
			}
			if st := h.Stats(); st.WMI != n {
				t.Errorf("the host counted %d WMI requests, the client %d", st.WMI, n)
			}
			if n > tt.max {
				t.Errorf("%d requests, want at most %d", n, tt.max)
			}
			t.Logf("%s: %d requests", tt.name, n)
		})
	}
}

// wmiEnvelope is a WMI request as the tests' plain client sends it: action, resource URI,
// selectors and body.
func (c *client) wmiEnvelope(action, resource string, selectors [][2]string, body string) string {
	env := c.envelope(soapReq{action: action, resource: resource, body: body})
	if len(selectors) > 0 {
		var b strings.Builder
		b.WriteString(`<wsman:SelectorSet>`)
		for _, s := range selectors {
			b.WriteString(`<wsman:Selector Name="` + s[0] + `">` + esc(s[1]) + `</wsman:Selector>`)
		}
		b.WriteString(`</wsman:SelectorSet></s:Header>`)
		env = strings.Replace(env, `</s:Header>`, b.String(), 1)
	}
	return env
}

const (
	uriRegistry = wmiPrefix + "root/default/StdRegProv"
	uriDataFile = wmiPrefix + "root/cimv2/CIM_DataFile"
	uriOS       = wmiPrefix + "root/cimv2/Win32_OperatingSystem"
)

func regInput(method, uri string, params ...[2]string) string {
	var b strings.Builder
	b.WriteString(`<p:` + method + `_INPUT xmlns:p="` + uri + `">`)
	for _, p := range params {
		b.WriteString(`<p:` + p[0] + `>` + esc(p[1]) + `</p:` + p[0] + `>`)
	}
	b.WriteString(`</p:` + method + `_INPUT>`)
	return b.String()
}

// TestWMIServedAndRefused: the simulated hosts answer the WMI operations as Windows does, and
// refuse what Windows refuses with its fault.
func TestWMIServedAndRefused(t *testing.T) {
	h := startHost(t, mustProfile(t, win7), Options{})
	c := newClient(t, h)
	dspKey := `SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	tests := []struct {
		name, action, resource string
		selectors              [][2]string
		body                   string
		subcode                string // "" for a 200 answer
		want                   []string
	}{
		{"EnumKey", uriRegistry + "/EnumKey", uriRegistry, nil,
			regInput("EnumKey", uriRegistry, [2]string{"hDefKey", "2147483650"}, [2]string{"sSubKeyName", ""}), "",
			[]string{"EnumKey_OUTPUT", "<p:sNames>SOFTWARE</p:sNames><p:sNames>SYSTEM</p:sNames>", "<p:ReturnValue>0</p:ReturnValue>"}},
		{"EnumValues", uriRegistry + "/EnumValues", uriRegistry, nil,
			regInput("EnumValues", uriRegistry, [2]string{"hDefKey", "2147483650"}, [2]string{"sSubKeyName", dspKey}), "",
			[]string{"<p:sNames>DefaultSecureProtocols</p:sNames><p:Types>4</p:Types><p:ReturnValue>0</p:ReturnValue>"}},
		{"GetDWORDValue", uriRegistry + "/GetDWORDValue", uriRegistry, nil,
			regInput("GetDWORDValue", uriRegistry, [2]string{"hDefKey", "2147483650"}, [2]string{"sSubKeyName", dspKey}, [2]string{"sValueName", "DefaultSecureProtocols"}), "",
			[]string{"<p:uValue>2560</p:uValue><p:ReturnValue>0</p:ReturnValue>"}},
		{"type mismatch", uriRegistry + "/GetStringValue", uriRegistry, nil,
			regInput("GetStringValue", uriRegistry, [2]string{"hDefKey", "2147483650"}, [2]string{"sSubKeyName", dspKey}, [2]string{"sValueName", "DefaultSecureProtocols"}), "",
			[]string{"<p:ReturnValue>2147749893</p:ReturnValue>"}},
		{"no value", uriRegistry + "/GetDWORDValue", uriRegistry, nil,
			regInput("GetDWORDValue", uriRegistry, [2]string{"hDefKey", "2147483650"}, [2]string{"sSubKeyName", dspKey}, [2]string{"sValueName", "Nope"}), "",
			[]string{"<p:ReturnValue>1</p:ReturnValue>"}},
		{"no key", uriRegistry + "/EnumValues", uriRegistry, nil,
			regInput("EnumValues", uriRegistry, [2]string{"hDefKey", "2147483650"}, [2]string{"sSubKeyName", `SOFTWARE\Nope`}), "",
			[]string{"<p:ReturnValue>2</p:ReturnValue>"}},
		{"file", actionGet, uriDataFile, [][2]string{{"Name", `c:\windows\system32\WEBIO.dll`}}, "", "",
			[]string{"<p:Version>6.1.7601.23375 (win7sp1_ldr.160303-0600)</p:Version>"}},
		{"os", actionGet, uriOS, nil, "", "",
			[]string{"<p:CSName>PC-W7-01</p:CSName>", "<cim:Datetime>2026-11-30T07:00:00.000000+01:00</cim:Datetime>", `<p:CSDVersion>Service Pack 1</p:CSDVersion>`}},
		{"unknown namespace", uriRegistry[:len(wmiPrefix)] + "root/foo/StdRegProv/EnumKey", wmiPrefix + "root/foo/StdRegProv", nil,
			regInput("EnumKey", wmiPrefix+"root/foo/StdRegProv"), "w:DestinationUnreachable", nil},
		{"unknown class", actionGet, wmiPrefix + "root/cimv2/Win32_Nope", nil, "", "w:DestinationUnreachable", nil},
		{"unknown method", uriRegistry + "/DeleteKey", uriRegistry, nil, regInput("DeleteKey", uriRegistry), "a:ActionNotSupported", nil},
		{"wrong input element", uriRegistry + "/EnumKey", uriRegistry, nil, regInput("EnumValues", uriRegistry), "w:SchemaValidationError", nil},
		{"input in another namespace", uriRegistry + "/EnumKey", uriRegistry, nil,
			regInput("EnumKey", wmiPrefix+"root/cimv2/StdRegProv"), "w:SchemaValidationError", nil},
		{"unknown parameter", uriRegistry + "/EnumKey", uriRegistry, nil,
			regInput("EnumKey", uriRegistry, [2]string{"hDefKey", "2147483650"}, [2]string{"sKey", "SOFTWARE"}), "w:InvalidParameter", nil},
		{"hDefKey not a number", uriRegistry + "/EnumKey", uriRegistry, nil,
			regInput("EnumKey", uriRegistry, [2]string{"hDefKey", "HKLM"}), "w:InvalidParameter", nil},
		{"Get without keys", actionGet, uriDataFile, nil, "", "w:InvalidSelectors", nil},
		{"no such file", actionGet, uriDataFile, [][2]string{{"Name", `C:\nope.dll`}}, "", "w:DestinationUnreachable",
			[]string{"<p:error_Code", ">2147749890</p:error_Code>"}},
		{"Pull of an unknown context", actionPull, uriOS, nil,
			`<n:Pull xmlns:n="` + nsEnum + `"><n:EnumerationContext>uuid:0</n:EnumerationContext></n:Pull>`, "n:InvalidEnumerationContext", nil},
		{"Enumerate with a filter", actionEnumerate, uriOS, nil,
			`<n:Enumerate xmlns:n="` + nsEnum + `"><wsman:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">select * from Win32_OperatingSystem</wsman:Filter></n:Enumerate>`,
			"w:InvalidParameter", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.post(c.wmiEnvelope(tt.action, tt.resource, tt.selectors, tt.body))
			if tt.subcode == "" {
				if resp.status != 200 {
					t.Fatalf("HTTP %d: %s", resp.status, truncate(string(resp.body), 400))
				}
			} else if resp.status != 500 || faultSubcode(resp.root) != tt.subcode {
				t.Fatalf("HTTP %d, subcode %q, want 500 %s: %s", resp.status, faultSubcode(resp.root), tt.subcode, truncate(string(resp.body), 400))
			}
			for _, w := range tt.want {
				if !strings.Contains(string(resp.body), w) {
					t.Errorf("answer lacks %s: %s", w, truncate(string(resp.body), 800))
				}
			}
		})
	}
}

// TestWMIEnumerateWithoutOptimize: an Enumerate without OptimizeEnumeration gets a context only;
// the instance comes with Pull, which ends the sequence.
func TestWMIEnumerateWithoutOptimize(t *testing.T) {
	h := startHost(t, mustProfile(t, win7), Options{})
	c := newClient(t, h)
	resp := c.post(c.wmiEnvelope(actionEnumerate, uriOS, nil, `<n:Enumerate xmlns:n="`+nsEnum+`"/>`))
	root := c.ok(resp, nsEnum+"/EnumerateResponse")
	ctx := root.text(nsSOAP+" Body", nsEnum+" EnumerateResponse", nsEnum+" EnumerationContext")
	if ctx == "" || strings.Contains(string(resp.body), "Win32_OperatingSystem_Type") {
		t.Fatalf("want a context and no items: %s", resp.body)
	}
	pull := `<n:Pull xmlns:n="` + nsEnum + `"><n:EnumerationContext>` + ctx + `</n:EnumerationContext><n:MaxElements>5</n:MaxElements></n:Pull>`
	resp = c.post(c.wmiEnvelope(actionPull, uriOS, nil, pull))
	c.ok(resp, nsEnum+"/PullResponse")
	if !strings.Contains(string(resp.body), "<p:CSName>PC-W7-01</p:CSName>") || !strings.Contains(string(resp.body), "<n:EndOfSequence/>") {
		t.Errorf("Pull: %s", resp.body)
	}
	// The context is gone once the sequence ended.
	resp = c.post(c.wmiEnvelope(actionPull, uriOS, nil, pull))
	if faultSubcode(resp.root) != "n:InvalidEnumerationContext" {
		t.Errorf("second Pull: HTTP %d %s", resp.status, truncate(string(resp.body), 300))
	}
}

// TestWMIAccountHiveAsShell: while a shell with a profile holds the scanning account's hive
// loaded, the WMI reader lists it among the hives, reads its values and names the account, as
// the collector does, so that the rules leave it out alike.
func TestWMIAccountHiveAsShell(t *testing.T) {
	h := startHost(t, mustProfile(t, nobodySignedIn), Options{})
	shellID := newClient(t, h).createShell() // with a profile: the account's hive is loaded
	t.Cleanup(func() { newClient(t, h).deleteShell(shellID) })
	sid := AccountSID(testUser)
	c := realClient(t, nil)
	ep, _ := remote.ParseEndpoint(h.Addr())
	shell, err := c.Collect(context.Background(), ep, checks.Items())
	if err != nil {
		t.Fatal(err)
	}
	wmi, err := c.CollectWMI(context.Background(), ep, checks.Items())
	if err != nil {
		t.Fatal(err)
	}
	if !containsFold(wmi.UserHives, sid) || wmi.Account != sid {
		t.Fatalf("wmi: hives %v, account %q; want %s in both", wmi.UserHives, wmi.Account, sid)
	}
	if d := diffFacts(shell, wmi); len(d) > 0 {
		t.Errorf("facts differ:\n  %s", strings.Join(d, "\n  "))
	}
	vs, fs := checks.Check(shell)
	vw, fw := checks.Check(wmi)
	if vs != vw || !reflect.DeepEqual(fs, fw) {
		t.Errorf("verdict shell %s, wmi %s", vs, vw)
	}
}

// TestCollectAuto: on a fleet where some hosts refuse shells and others WMI, auto judges every
// host by the method it allows, and a host that allows neither is an error naming both, with
// the shell's category.
func TestCollectAuto(t *testing.T) {
	off := false
	base, err := LoadProfile("../../testdata/fleet/pc-w7-003.json") // ready
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string, edit func(*Profile)) Profile {
		p := base
		p.Name = name
		edit(&p)
		return p
	}
	profiles := []Profile{
		mk("BOTH", func(*Profile) {}),
		mk("NOSHELL", func(p *Profile) { p.RemoteShellAccess = &off }),
		mk("CLM", func(p *Profile) { p.LanguageMode = LanguageConstrained }),
		mk("NOWMI", func(p *Profile) { p.WMI = WMIDenied }),
		mk("BADWMI", func(p *Profile) { p.WMI = WMIProviderFailure }),
		mk("NEITHER", func(p *Profile) { p.WMI, p.RemoteShellAccess = WMIDenied, &off }),
		mk("NOAUTH", func(p *Profile) { p.Fault = FaultAuth }),
	}
	fleet, err := StartFleet(context.Background(), profiles, judged(t, Options{User: testUser, Password: testPassword}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.Close() })
	c := realClient(t, nil)
	tests := []struct {
		host, method, want string
		category           remote.Category
		errWants           []string
		creates            int  // shells opened on the host
		probe              bool // scan --probe: the items ask for the probe, which needs the shell
	}{
		{"BOTH", remote.MethodAuto, remote.MethodWMI, "", nil, 0, false},
		{"BOTH", remote.MethodShell, remote.MethodShell, "", nil, 1, false},
		{"BOTH", remote.MethodWMI, remote.MethodWMI, "", nil, 0, false},
		{"NOSHELL", remote.MethodAuto, remote.MethodWMI, "", nil, 0, false},
		{"CLM", remote.MethodAuto, remote.MethodWMI, "", nil, 0, false},
		{"NOWMI", remote.MethodAuto, remote.MethodShell, "", nil, 1, false},
		{"BADWMI", remote.MethodAuto, remote.MethodShell, "", nil, 1, false},
		{"NOWMI", remote.MethodWMI, "", remote.CategoryAuth, []string{"access denied"}, 0, false},
		{"NOSHELL", remote.MethodShell, "", remote.CategoryWinRM, []string{"Allow Remote Shell Access"}, 1, false},
		{"NEITHER", remote.MethodAuto, "", remote.CategoryWinRM, []string{"WMI", "access denied", "Allow Remote Shell Access"}, 1, false},
		// Rejected credentials are not retried through the shell: one more failed logon.
		{"NOAUTH", remote.MethodAuto, "", remote.CategoryAuth, nil, 0, false},
		// With the probe, auto reads through the shell first and over WMI where the shell is
		// refused; the WMI reader then says that the probe needs the shell.
		{"BOTH", remote.MethodAuto, remote.MethodShell, "", nil, 1, true},
		{"NOSHELL", remote.MethodAuto, remote.MethodWMI, "", nil, 1, true},
		{"CLM", remote.MethodAuto, remote.MethodWMI, "", nil, 1, true},
		{"NOWMI", remote.MethodAuto, remote.MethodShell, "", nil, 1, true},
		{"NEITHER", remote.MethodAuto, "", remote.CategoryWinRM, []string{"WMI", "access denied", "Allow Remote Shell Access"}, 1, true},
		{"NOAUTH", remote.MethodAuto, "", remote.CategoryAuth, nil, 0, true},
	}
	for _, tt := range tests {
		name := tt.host + "/" + tt.method
		items := checks.Items()
		if tt.probe {
			name += "+probe"
			items = append(items, checks.ProbeItems("outlook.office365.com:443", 10000)...)
		}
		t.Run(name, func(t *testing.T) {
			h := fleet.Host(tt.host)
			before := h.Stats()
			ep, _ := remote.ParseEndpoint(h.Addr())
			f, err := c.CollectBy(context.Background(), ep, items, tt.method)
			if created := h.Stats().Create - before.Create; created != tt.creates {
				t.Errorf("%d shells created, want %d", created, tt.creates)
			}
			if tt.want != "" {
				if err != nil {
					t.Fatalf("err = %v, want facts by %s", err, tt.want)
				}
				if f.Method != tt.want || f.ComputerName != tt.host {
					t.Errorf("method %q, computer %q; want %s, %s", f.Method, f.ComputerName, tt.want, tt.host)
				}
				v, fs := checks.Check(f)
				if v != checks.Ready {
					t.Errorf("verdict %s, want ready", v)
				}
				if tt.probe {
					want := checks.IDProbeOK
					if tt.want == remote.MethodWMI {
						want = checks.IDProbeNeedsShell
					}
					if !slices.ContainsFunc(fs, func(f checks.Finding) bool { return f.ID == want }) {
						t.Errorf("no %s finding among %v", want, fs)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("read by %s, want an error", f.Method)
			}
			t.Logf("%v", err)
			if got := remote.CategoryOf(err); got != tt.category {
				t.Errorf("category %s, want %s: %v", got, tt.category, err)
			}
			for _, w := range tt.errWants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestWMIHostileHosts: the hostile and busy hosts behave on the WMI path as on the shell's: a
// deep answer is refused at the XML depth bound (and auto falls back to the shell, which gets
// the same), a busy host's quota faults are transient, an echoed password reaches the facts
// only as the host sent it (the scan redacts it, see scan.Options.Redact).
func TestWMIHostileHosts(t *testing.T) {
	c := realClient(t, nil)
	read := func(t *testing.T, fault, method string) (*Host, *facts.Facts, error) {
		p := mustProfile(t, win7)
		p.Fault = fault
		h := startHost(t, p, Options{})
		ep, _ := remote.ParseEndpoint(h.Addr())
		f, err := c.CollectBy(context.Background(), ep, clientItems, method)
		return h, f, err
	}
	t.Run("deep-xml", func(t *testing.T) {
		for _, m := range []string{remote.MethodWMI, remote.MethodAuto} {
			_, _, err := read(t, FaultDeepXML, m)
			if remote.CategoryOf(err) != remote.CategoryWinRM || !strings.Contains(fmt.Sprint(err), "depth") {
				t.Errorf("%s: err = %v, want category winrm at the depth bound", m, err)
			}
		}
	})
	t.Run("quota-then-ok", func(t *testing.T) {
		h, _, err := read(t, FaultQuotaThenOK, remote.MethodWMI)
		if !remote.IsQuota(err) || !remote.Transient(err) || remote.WMIRefused(err) {
			t.Fatalf("first read: %v (quota %t, transient %t, refused %t)", err, remote.IsQuota(err), remote.Transient(err), remote.WMIRefused(err))
		}
		ep, _ := remote.ParseEndpoint(h.Addr())
		if _, err := c.CollectWMI(context.Background(), ep, clientItems); !remote.IsQuota(err) {
			t.Fatalf("second read: %v, want the quota fault again", err)
		}
		if _, err := c.CollectWMI(context.Background(), ep, clientItems); err != nil {
			t.Fatalf("third read: %v", err)
		}
	})
	t.Run("echo-password", func(t *testing.T) {
		_, f, err := read(t, FaultEchoPassword, remote.MethodWMI)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(f.OS.Caption, testPassword) {
			t.Errorf("caption %q: the host did not echo", f.OS.Caption)
		}
	})
}

// TestWMIRequestEnvelopes: the client's WMI requests have the shape a Windows client sends
// (OptimizeEnumeration and MaxElements in the Enumerate, mustUnderstand on ResourceURI and
// Action, <Method>_INPUT in the class's namespace with one element per parameter), and a host
// string that goes back into a request (a path from the registry) is escaped.
func TestWMIRequestEnvelopes(t *testing.T) {
	p := mustProfile(t, win7)
	hostile := `C:\Program Files\a<b>&"c'.exe`
	p.Registry[`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE`] = map[string]RegistryValue{
		"": {Type: "REG_SZ", Data: []byte(fmt.Sprintf("%q", hostile))},
	}
	var mu sync.Mutex
	var bodies []string
	h := startHost(t, p, Options{Wire: func(dir string, _ http.Header, body []byte) {
		if dir == "request" {
			mu.Lock()
			bodies = append(bodies, string(body))
			mu.Unlock()
		}
	}})
	c, err := remote.NewClient(remote.Config{User: testUser, Password: testPassword, Auth: remote.AuthBasic})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ep, _ := remote.ParseEndpoint(h.Addr())
	f, err := c.CollectWMI(context.Background(), ep, checks.Items())
	if err != nil {
		t.Fatal(err)
	}
	if fl, _ := f.File(checks.ItemOutlook64); fl.State != facts.StateNoFile || fl.Path != hostile {
		t.Errorf("outlook: %+v, want no file at %q", fl, hostile)
	}
	all := strings.Join(bodies, "\n")
	for _, want := range []string{
		`<w:ResourceURI s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_OperatingSystem</w:ResourceURI>`,
		`<a:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</a:Action>`,
		`<s:Body><n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements></n:Enumerate></s:Body>`,
		`<a:Action s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/wmi/root/default/StdRegProv/EnumKey</a:Action>`,
		`<s:Body><p:EnumKey_INPUT xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/default/StdRegProv"><p:hDefKey>2147483651</p:hDefKey><p:sSubKeyName></p:sSubKeyName></p:EnumKey_INPUT></s:Body>`,
		`<w:SelectorSet><w:Selector Name="Domain">LAB</w:Selector><w:Selector Name="Name">tlsready</w:Selector></w:SelectorSet>`,
		`<w:Selector Name="Name">C:\Program Files\a&lt;b&gt;&amp;&quot;c&apos;.exe</w:Selector>`,
		`<w:OperationTimeout>PT`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no request has %s", want)
		}
	}
	if strings.Contains(all, `a<b>`) {
		t.Error("a host string went into a request unescaped")
	}
}
