package psgrammar_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/psgrammar/psgtest"
	"github.com/tlsready/tlsready/remediate"
	"github.com/tlsready/tlsready/remote"
	"github.com/tlsready/tlsready/scan"
)

// psText is one PowerShell text the tool produces.
type psText struct {
	name string
	src  string
}

// producedTexts enumerates every PowerShell text tlsready sends or writes, through the producers'
// own functions: the collector as the scan sends it, the bootstrap command line, the registry
// writer of "tlsready fix" (dry run, apply and rollback forms), and Set-TLS12.ps1 of every kit
// variant.
func producedTexts(t *testing.T) []psText {
	t.Helper()
	var out []psText
	add := func(name, src string) { out = append(out, psText{name, src}) }

	// The collector, with the item list of the scan (cmd/tlsready's scan passes checks.Items()).
	collector, err := remote.CollectorScript(checks.Items())
	if err != nil {
		t.Fatal(err)
	}
	add("collector", collector)
	// With --probe the scan adds the probe items (checks.ProbeItems).
	probing, err := remote.CollectorScript(append(checks.Items(), checks.ProbeItems("outlook.office365.com:443", 10000)...))
	if err != nil {
		t.Fatal(err)
	}
	add("collector with the probe", probing)

	// The bootstrap, and the program decoded out of the command line's -EncodedCommand.
	add("bootstrap", remote.Bootstrap)
	add("bootstrap from CollectorCommand", decodeCommandLine(t, remote.CollectorCommand()))

	// The registry writer of "tlsready fix": the values of a plan as cmd/tlsready's fixPlan
	// makes them, and the rollback writes its rollbackPlan makes from a journal.
	plan := remediate.Build(kitFleet(true, true, true), remediate.DefaultDSP)
	var fix, cas []facts.RegWrite
	for _, v := range plan.Values {
		w, err := v.RegWrite()
		if err != nil {
			t.Fatal(err)
		}
		fix = append(fix, w)
		// The apply pass: each write expects the value the read pass journaled.
		w.Expect = []string{"absent", facts.StateToken(facts.Value{State: facts.StateOK, Type: facts.RegDWORD, Data: "2688"})}
		cas = append(cas, w)
	}
	if len(fix) != 5 {
		t.Fatalf("the full plan has %d values, want the five the kit can set", len(fix))
	}
	// Rollback: every prior state a journal can restore (REG_DWORD, REG_SZ, no value, no key),
	// each expecting what fix wrote.
	rollback := []facts.RegWrite{
		{Op: facts.OpDWORD, Key: fix[0].Key, Name: fix[0].Name, Data: "4294967295", Expect: []string{"REG_DWORD:2560"}},
		{Op: facts.OpString, Key: fix[1].Key, Name: fix[1].Name, Data: "it's a \"string\" `$x @'\r\n'@ ü", Expect: []string{"REG_DWORD:2560", "REG_SZ:it's"}},
		{Op: facts.OpDelete, Key: fix[2].Key, Name: fix[2].Name, Expect: []string{"REG_DWORD:1"}},
		{Op: facts.OpDelete, Key: fix[3].Key, Name: fix[3].Name, Data: "key", Expect: []string{"REG_DWORD:0"}},
	}
	// "tlsready fix" never runs the writer without a write: there is no such program to judge.
	if s, err := remote.WriterScript(nil, true); err == nil {
		t.Errorf("WriterScript made a program of no writes:\n%s", s)
	}
	for _, w := range []struct {
		name   string
		writes []facts.RegWrite
	}{{"1 value", fix[:1]}, {"5 values", fix}, {"5 values compare-and-set", cas}, {"rollback dword, sz, delete, delete with key", rollback}} {
		for _, apply := range []bool{false, true} {
			s, err := remote.WriterScript(w.writes, apply)
			if err != nil {
				t.Fatal(err)
			}
			add(fmt.Sprintf("writer %s apply=%t", w.name, apply), s)
		}
	}

	// Set-TLS12.ps1 for every kit variant.
	for _, proto := range []struct {
		name string
		bits uint32
	}{{"tls12", remediate.TLS12}, {"tls11+12", remediate.TLS11And12}, {"tls10+11+12", remediate.TLS10To12}} {
		for _, is64 := range []bool{false, true} {
			for _, schannel := range []bool{false, true} {
				for _, wininet := range []bool{false, true} {
					p := remediate.Build(kitFleet(is64, schannel, wininet), proto.bits)
					add(fmt.Sprintf("Set-TLS12.ps1 %s 64-bit=%t schannel=%t wininet=%t (%d values)", proto.name, is64, schannel, wininet, len(p.Values)), string(p.Script()))
				}
			}
		}
	}
	add("Set-TLS12.ps1 of an empty fleet", string(remediate.Build(nil, remediate.DefaultDSP).Script()))

	// --win7-schannel: DisabledByDefault 0 and Enabled 1 for a Windows 7 SP1 host where both are
	// absent.
	w7 := scan.Result{Host: "PC-W7", Verdict: checks.Action, Facts: &facts.Facts{
		OS: facts.OS{Version: "6.1.7601", ServicePack: 1, ProductType: 1, Architecture: "64-bit"},
		Values: []facts.Value{
			{ItemID: checks.ItemSchEnabled, State: facts.StateNoKey},
			{ItemID: checks.ItemSchDisabledDef, State: facts.StateNoKey},
		}},
		Findings: []checks.Finding{{ID: checks.IDSchannelDisabledByDefault, Severity: checks.SeverityWarning}}}
	w7plan := remediate.BuildWith([]scan.Result{w7}, remediate.Options{Protocols: remediate.DefaultDSP, Win7Schannel: true})
	if len(w7plan.Values) != 2 {
		t.Fatalf("--win7-schannel plan has %d values, want Enabled and DisabledByDefault", len(w7plan.Values))
	}
	add("Set-TLS12.ps1 --win7-schannel", string(w7plan.Script()))

	// Cipher suite items (CIPHER_NONE_ACCEPTED, CIPHER_ONLY_RETIRING): SCHANNEL algorithm keys
	// whose names hold a "/" ("AES 128/128"), and the local order's Set-CipherLocalOrder with the
	// per-release lists.
	cipherHost := func(name, version, policy, local string, off ...string) scan.Result {
		f := &facts.Facts{OS: facts.OS{Version: version, Architecture: "64-bit"}}
		for _, o := range []struct{ item, data, typ string }{{checks.ItemCipherPolicy, policy, facts.RegSZ}, {checks.ItemCipherLocal, local, facts.RegMultiSZ}} {
			v := facts.Value{ItemID: o.item, Name: "Functions", State: facts.StateNoKey}
			if o.data != "" {
				v.State, v.Type, v.Data = facts.StateOK, o.typ, o.data
			}
			f.Values = append(f.Values, v)
		}
		for _, a := range off {
			f.Values = append(f.Values, facts.Value{ItemID: checks.ItemSchannelAlgPrefix + a, Name: "Enabled", State: facts.StateOK, Type: facts.RegDWORD, Data: "0"})
		}
		return scan.Result{Host: name, Verdict: checks.Action, Facts: f, Findings: []checks.Finding{{ID: checks.IDCipherNoneAccepted, Severity: checks.SeverityAction}}}
	}
	cipherPlan := remediate.Build([]scan.Result{
		cipherHost("PC-AES", "10.0.19045", "", "", "aes128", "aes256"),
		cipherHost("PC-LOCAL", "10.0.19045", "", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "ecdh"),
		cipherHost("PC-GPO", "6.1.7601", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", ""),
	}, remediate.DefaultDSP)
	if len(cipherPlan.Values) != 3 || !cipherPlan.CipherLocal() {
		t.Fatalf("cipher plan: %d values, local order %t; want 3 SCHANNEL keys and the local order", len(cipherPlan.Values), cipherPlan.CipherLocal())
	}
	add("Set-TLS12.ps1 with cipher suite items", string(cipherPlan.Script()))

	// The .NET Framework values (DOTNET_WEAK_TLS) of both runtimes in both views, in the kit's
	// script and in the registry writer of "tlsready fix".
	var netEv []checks.Evidence
	for _, k := range []string{remediate.KeyNetV4, remediate.KeyNetV4Wow, remediate.KeyNetV2, remediate.KeyNetV2Wow} {
		netEv = append(netEv, checks.Evidence{Key: `HKLM\` + k, Name: "SchUseStrongCrypto", Value: "(absent)"})
	}
	netHost := scan.Result{Host: "PC-NET", Verdict: checks.Ready, Facts: &facts.Facts{OS: facts.OS{Architecture: "64-bit"}},
		Findings: []checks.Finding{{ID: checks.IDDotNetWeakTLS, Severity: checks.SeverityWarning, Evidence: netEv}}}
	netPlan := remediate.Build(append(kitFleet(true, true, true), netHost), remediate.DefaultDSP)
	if len(netPlan.Values) != 13 {
		t.Fatalf(".NET plan has %d values, want the five and eight .NET values", len(netPlan.Values))
	}
	add("Set-TLS12.ps1 with .NET Framework values", string(netPlan.Script()))
	var netWrites []facts.RegWrite
	for _, v := range netPlan.Values {
		w, err := v.RegWrite()
		if err != nil {
			t.Fatal(err)
		}
		netWrites = append(netWrites, w)
	}
	for _, apply := range []bool{false, true} {
		s, err := remote.WriterScript(netWrites, apply)
		if err != nil {
			t.Fatal(err)
		}
		add(fmt.Sprintf("writer with .NET Framework values apply=%t", apply), s)
	}
	return out
}

// kitFleet is a fleet of hosts that need DefaultSecureProtocols (one misses KB3140245), of one
// bitness, with SCHANNEL and WinINet findings when asked.
func kitFleet(is64, schannel, wininet bool) []scan.Result {
	arch := "32-bit"
	if is64 {
		arch = "64-bit"
	}
	host := func(name string, ids ...string) scan.Result {
		r := scan.Result{Host: name, Verdict: checks.Action, Facts: &facts.Facts{OS: facts.OS{Architecture: arch}}}
		for _, id := range ids {
			r.Findings = append(r.Findings, checks.Finding{ID: id, Severity: checks.SeverityAction})
		}
		return r
	}
	rs := []scan.Result{host("PC-DSP", checks.IDDSPNoTLS12), host("PC-KB", checks.IDKBMissing)}
	if schannel {
		rs = append(rs, host("PC-SCH", checks.IDSchannelDisabled))
	}
	if wininet {
		rs = append(rs, host("PC-INET", checks.IDWinINetNoTLS12))
	}
	return rs
}

// decodeCommandLine returns the program of a "powershell.exe ... -EncodedCommand B64" line.
func decodeCommandLine(t *testing.T, line string) string {
	t.Helper()
	f := strings.Fields(line)
	if len(f) < 2 || !strings.EqualFold(f[len(f)-2], "-EncodedCommand") {
		t.Fatalf("command line %q does not end with -EncodedCommand B64", line)
	}
	b, err := base64.StdEncoding.DecodeString(f[len(f)-1])
	if err != nil || len(b)%2 != 0 {
		t.Fatalf("-EncodedCommand: %v (%d bytes)", err, len(b))
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

// The grammar gate: every PowerShell text tlsready produces parses with no syntax error at all,
// and uses nothing PowerShell 2.0 / .NET 3.5 lacks.
func TestGate(t *testing.T) {
	v := psgtest.Require(t, grammar)
	texts := producedTexts(t)
	if len(texts) < 30 {
		t.Fatalf("only %d texts", len(texts))
	}
	_, parsesBefore := v.Stats()
	start := time.Now()
	for _, tx := range texts {
		t.Run(tx.name, func(t *testing.T) {
			if strings.TrimSpace(tx.src) == "" {
				t.Fatal("empty text")
			}
			r, err := v.Parse(t.Context(), tx.src)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range r.Errors {
				t.Errorf("syntax error: %s", e)
			}
			for _, f := range r.Check20() {
				t.Errorf("not PowerShell 2.0: %s", f)
			}
			if r.Truncated {
				t.Error("the grammar's answer was truncated")
			}
			for _, w := range r.Workarounds {
				t.Logf("grammar workaround at line %d: %s", w.Row+1, w.What)
			}
		})
	}
	_, parses := v.Stats()
	t.Logf("%d texts (%d distinct parses) in %s; node started and parsed its first text in %s",
		len(texts), parses-parsesBefore, time.Since(start).Round(time.Millisecond), v.Startup().Round(time.Millisecond))
}
