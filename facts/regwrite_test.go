package facts

import (
	"reflect"
	"strings"
	"testing"
)

const (
	testDSP   = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	testSch   = `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client`
	testInetP = `HKLM\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`
)

func TestRegWritesRoundTrip(t *testing.T) {
	ws := []RegWrite{
		{Op: OpOr, Key: testDSP, Name: "DefaultSecureProtocols", Data: "2560"},
		{Op: OpString, Key: testInetP, Name: "SecureProtocols", Data: "0x00000a00 with\ttab and ünïcode", Expect: []string{"REG_DWORD:2688", "absent"}},
		{Op: OpDelete, Key: testSch, Name: "Enabled", Data: "key"},
		{Op: OpDWORD, Key: `HKLM\` + strings.ToLower(testSch[5:]), Name: "disabledbydefault", Data: "0"},
	}
	block, err := EncodeWrites(ws)
	if err != nil {
		t.Fatal(err)
	}
	program := WritesMarker + "\r\n$apply = $true\r\n" + WritesBegin + "\r\n" + strings.ReplaceAll(block, "\n", "\r\n") + WritesEnd + "\r\n"
	got, err := ParseWrites(program)
	if err != nil || !reflect.DeepEqual(got, ws) {
		t.Fatalf("ParseWrites = %+v, %v; want %+v", got, err, ws)
	}
	if _, err := ParseWrites("no marker"); err == nil {
		t.Error("ParseWrites accepted a program without the marker")
	}
}

// Only the five values of Writable can be written, by any operation.
func TestRegWriteCheck(t *testing.T) {
	tests := []struct {
		name string
		w    RegWrite
		ok   bool
	}{
		{"DSP native", RegWrite{Op: OpOr, Key: testDSP, Name: "DefaultSecureProtocols", Data: "2560"}, true},
		{"DSP Wow6432Node", RegWrite{Op: OpDWORD, Key: `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`, Name: "DefaultSecureProtocols", Data: "2560"}, true},
		{"SCHANNEL Enabled", RegWrite{Op: OpDelete, Key: testSch, Name: "Enabled"}, true},
		{"SCHANNEL DisabledByDefault", RegWrite{Op: OpDWORD, Key: testSch, Name: "DisabledByDefault", Data: "0"}, true},
		{"WinINet policy", RegWrite{Op: OpString, Key: testInetP, Name: "SecureProtocols", Data: "x"}, true},
		{"WinRM Start", RegWrite{Op: OpDWORD, Key: `HKLM\SYSTEM\CurrentControlSet\Services\WinRM`, Name: "Start", Data: "4"}, false},
		{"another name in an allowed key", RegWrite{Op: OpDWORD, Key: testDSP, Name: "Other", Data: "1"}, false},
		{"a subkey of an allowed key", RegWrite{Op: OpDWORD, Key: testDSP + `\Sub`, Name: "DefaultSecureProtocols", Data: "1"}, false},
		{"WinINet per-machine setting (not the policy)", RegWrite{Op: OpDWORD, Key: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings`, Name: "SecureProtocols", Data: "1"}, false},
		{"unknown op", RegWrite{Op: "format", Key: testDSP, Name: "DefaultSecureProtocols"}, false},
		{"HKCU", RegWrite{Op: OpDWORD, Key: `HKCU\X`, Name: "V", Data: "1"}, false},
		{"quote", RegWrite{Op: OpDWORD, Key: `HKLM\X'; rm -r`, Name: "V", Data: "1"}, false},
		{"tab in name", RegWrite{Op: OpDWORD, Key: testDSP, Name: "a\tb", Data: "1"}, false},
		{"empty name", RegWrite{Op: OpDWORD, Key: testDSP, Name: "", Data: "1"}, false},
		{"DWORD over 32 bits", RegWrite{Op: OpOr, Key: testDSP, Name: "DefaultSecureProtocols", Data: "4294967296"}, false},
		{"DWORD not a number", RegWrite{Op: OpDWORD, Key: testDSP, Name: "DefaultSecureProtocols", Data: "0xa00"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.w.Check()
			if (err == nil) != tc.ok {
				t.Errorf("Check = %v, want ok %v", err, tc.ok)
			}
			if _, err := EncodeWrites([]RegWrite{tc.w}); (err == nil) != tc.ok {
				t.Errorf("EncodeWrites = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

// OpOr adds bits to a REG_DWORD and keeps the others (TLS 1.0 of 0xA80, TLS 1.3 of 0x2A00, the
// 0x80000000 range); it replaces anything else.
func TestRegWriteOutcome(t *testing.T) {
	dw := func(n string) Value { return Value{State: StateOK, Type: RegDWORD, Data: n} }
	tests := []struct {
		name   string
		w      RegWrite
		cur    Value
		change bool
		typ    string
		data   string
	}{
		{"absent gets the set", RegWrite{Op: OpOr, Data: "2560"}, Value{State: StateNoValue}, true, RegDWORD, "2560"},
		{"no key gets the set", RegWrite{Op: OpOr, Data: "2560"}, Value{State: StateNoKey}, true, RegDWORD, "2560"},
		{"Windows 11 0x2A00 already has TLS 1.2", RegWrite{Op: OpOr, Data: "2560"}, dw("10752"), false, RegDWORD, "10752"},
		{"0xA80 keeps TLS 1.0", RegWrite{Op: OpOr, Data: "2048"}, dw("2688"), false, RegDWORD, "2688"},
		{"0xA0 (SSL 3 + TLS 1.0) gains TLS 1.1 and 1.2", RegWrite{Op: OpOr, Data: "2560"}, dw("160"), true, RegDWORD, "2720"},
		{"TLS 1.3 only keeps 1.3", RegWrite{Op: OpOr, Data: "2560"}, dw("8192"), true, RegDWORD, "10752"},
		{"0x80000000 range stays unsigned", RegWrite{Op: OpOr, Data: "2048"}, dw("2147483648"), true, RegDWORD, "2147485696"},
		{"0xFFFFFFFF has every bit", RegWrite{Op: OpOr, Data: "2560"}, dw("4294967295"), false, RegDWORD, "4294967295"},
		{"a REG_SZ is replaced", RegWrite{Op: OpOr, Data: "2560"}, Value{State: StateOK, Type: RegSZ, Data: "0xa00"}, true, RegDWORD, "2560"},
		{"dword equal", RegWrite{Op: OpDWORD, Data: "0"}, dw("0"), false, RegDWORD, "0"},
		{"dword differs", RegWrite{Op: OpDWORD, Data: "1"}, dw("0"), true, RegDWORD, "1"},
		{"sz equal", RegWrite{Op: OpString, Data: "a"}, Value{State: StateOK, Type: RegSZ, Data: "a"}, false, RegSZ, "a"},
		{"sz over a DWORD", RegWrite{Op: OpString, Data: "a"}, dw("1"), true, RegSZ, "a"},
		{"delete present", RegWrite{Op: OpDelete}, dw("1"), true, "", ""},
		{"delete absent", RegWrite{Op: OpDelete}, Value{State: StateNoValue}, false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			change, typ, data := tc.w.Outcome(tc.cur)
			if change != tc.change || typ != tc.typ || data != tc.data {
				t.Errorf("Outcome = %v %s %s, want %v %s %s", change, typ, data, tc.change, tc.typ, tc.data)
			}
		})
	}
}

func TestParseWriterOutput(t *testing.T) {
	prior := Value{Key: testDSP, Name: "DefaultSecureProtocols", State: StateOK, Type: RegSZ, Data: "0x00000a00"}
	second := Value{Key: testSch, Name: "Enabled", State: StateNoValue}
	out := "\ufeff" + FormatPrior(prior) + "\r\n" + FormatResult(prior.Key, prior.Name, OutcomeApplied, RegDWORD, "2560") + "\r\n" +
		FormatPrior(second) + "\r\n" + FormatResult(second.Key, second.Name, OutcomeFailed, "", "Requested registry access is not allowed.") + "\r\n"
	r, err := ParseWriterOutput([]byte(out))
	want := []WriteResult{
		{Prior: prior, Outcome: OutcomeApplied, Type: RegDWORD, Data: "2560"},
		{Prior: second, Outcome: OutcomeFailed, Message: "Requested registry access is not allowed."},
	}
	if err != nil || !reflect.DeepEqual(r, want) {
		t.Fatalf("got %+v %v, want %+v", r, err, want)
	}
	for _, bad := range []string{
		"hello\n",
		"prior\tK\tN\tweird\t\t\n",
		"prior\tK\tN\tok\tREG_SZ\t!!\n",
		FormatResult("K", "N", OutcomeApplied, RegDWORD, "1") + "\n",
		FormatPrior(Value{Key: "K", Name: "N", State: StateNoKey}) + "\n" + FormatResult("K", "Other", OutcomeApplied, RegDWORD, "1") + "\n",
		FormatPrior(Value{Key: "K", Name: "N", State: StateNoKey}) + "\n" + FormatResult("K", "N", "maybe", RegDWORD, "1") + "\n",
	} {
		if _, err := ParseWriterOutput([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
