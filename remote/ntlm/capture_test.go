package ntlm

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// A captured NTLMv2 exchange with a known password, from FreeRDP's WinPR test suite
// (FreeRDP/FreeRDP winpr/libwinpr/sspi/test/TestNTLM.c: TEST_NTLM_NEGOTIATE, _CHALLENGE,
// _AUTHENTICATE, user "Username", domain "Domain", password "P4ss123!", NTLMv2 hash
// 4c7f706f7dde05a9d1a0f4e7ffe3bfb8). The client is Windows 8.1 (version 6.3.9600) and the
// target the service "HTTP/rw.local", as in an HTTP exchange. It has a timestamp, hence a MIC,
// MsvAvFlags, single host data, zero channel bindings and a target name; it negotiates no key
// exchange and no sealing, so it checks the authentication half of this package.
var (
	capNegotiate = unhex(`4e544c4d5353500001000000078208a200000000000000000000000000000000060380250000000f`)
	capChallenge = unhex(`4e544c4d53535000020000000000000038000000078288a2a4f1baa67cdc1a1200000000000000006600660038000000
		060380250000000f02000e004e0045005700590045004100520001000e004e0045005700590045004100520004001c00
		6c00610062002e007700610079006b002e006c006f00630061006c0003000e006e006500770079006500610072000700
		08003357bdb1078bcf0100000000`)
	capAuthenticate = unhex(`4e544c4d53535000030000001800180082000000080108019a0000000c000c005800000010001000640000000e000e00
		7400000000000000a2010000058288a2060380250000000f12e55af580ee3f29e1de904d7377062544006f006d006100
		69006e0055007300650072006e0061006d0065004e004500570059004500410052000000000000000000000000000000
		00000000000000000000621468c89812e739d8761be9f754b5e301010000000000003357bdb1078bcf0120c02b3dc061
		a7730000000002000e004e0045005700590045004100520001000e004e0045005700590045004100520004001c006c00
		610062002e007700610079006b002e006c006f00630061006c0003000e006e0065007700790065006100720007000800
		3357bdb1078bcf01060004000200000008003000300000000000000001000000002000001e10f52c542f2e771c13bfc3
		3fe17b287e0b935a39d2ce12d7bd8c4e2bb50bf50a0010000000000000000000000000000000000009001a0048005400
		540050002f00720077002e006c006f00630061006c00000000000000000000000000`)
)

func TestCapturedExchange_FreeRDP(t *testing.T) {
	ch, err := parseChallenge(capChallenge)
	if err != nil {
		t.Fatal(err)
	}
	a, err := parseAuthenticate(capAuthenticate)
	if err != nil {
		t.Fatal(err)
	}
	user, _ := fromUTF16le(a.user)
	domain, _ := fromUTF16le(a.domain)
	if user != "Username" || domain != "Domain" || !a.hasMIC {
		t.Fatalf("user %q domain %q MIC %t", user, domain, a.hasMIC)
	}
	key := ntowfv2(user, domain, "P4ss123!")
	if want := unhex("4c7f706f7dde05a9d1a0f4e7ffe3bfb8"); !bytes.Equal(key, want) {
		t.Fatalf("NTOWFv2 = %x, want %x", key, want)
	}
	proof, temp := a.ntResponse[:16], a.ntResponse[16:]
	if got := hmacMD5(key, ch.serverChallenge, temp); !bytes.Equal(got, proof) {
		t.Errorf("NTProofStr = %x, the capture has %x", got, proof)
	}
	if wrong := hmacMD5(ntowfv2(user, domain, "P4ss123?"), ch.serverChallenge, temp); bytes.Equal(wrong, proof) {
		t.Error("a wrong password gives the same NTProofStr")
	}
	// No key exchange: the exported session key is the session base key.
	exported := hmacMD5(key, proof)
	zeroed := bytes.Clone(capAuthenticate)
	clear(zeroed[72:88])
	if mic := hmacMD5(exported, capNegotiate, capChallenge, zeroed); !bytes.Equal(mic, a.mic) {
		t.Errorf("MIC = %x, the capture has %x", mic, a.mic)
	}
	ti, err := parseAVPairs(temp[28:])
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := ti.get(avFlags); binary.LittleEndian.Uint32(f) != avFlagMIC {
		t.Errorf("MsvAvFlags %x", f)
	}
	if spn, _ := ti.get(avTargetName); string(spn) != string(utf16le("HTTP/rw.local")) {
		t.Errorf("target name %q", spn)
	}
	if cb, _ := ti.get(avChannelBindings); !bytes.Equal(cb, channelBindingsHash(nil)) {
		t.Errorf("channel bindings %x", cb)
	}
	if ts, _ := ch.targetInfo.get(avTimestamp); !bytes.Equal(ts, temp[8:16]) {
		t.Errorf("the client's timestamp %x is not the server's %x", temp[8:16], ts)
	}
}
