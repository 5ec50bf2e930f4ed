package checks

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/facts"
)

// ev asks for a finding of id with an evidence whose non-empty fields are these.
type ev struct {
	id string
	e  Evidence
}

// txt asks for a finding of id whose texts (title, detail, remediation) contain s, or with not
// set, do not contain it.
type txt struct {
	id  string
	s   string
	not bool
}

// faq asks for a finding of id whose FAQ list contains q.
type faq struct{ id, q string }

type evalCase struct {
	name    string
	facts   *facts.Facts
	verdict Verdict
	ids     []string // every finding id, in output order
	ev      []ev
	txt     []txt
	faq     []faq
}

const (
	win7Enterprise = "Microsoft Windows 7 Enterprise"
	userInetKeyA   = `HKU\` + sidA + `\Software\Microsoft\Windows\CurrentVersion\Internet Settings`
)

var (
	officeEv32 = ev{IDOfficeInfo, Evidence{Path: o16x86, Value: "16.0.17928.20114"}}
	officeEv64 = ev{IDOfficeInfo, Evidence{Path: o16x64, Value: "16.0.17928.20156"}}
)

func evalCases() []evalCase {
	return append(probeEvalCases(), []evalCase{
		// Q2: releases that cannot get TLS 1.2 in WinHTTP.
		{
			name:    "Q2_Windows7_noSP1_unsupported_noPileOn",
			facts:   w7().os(win7Enterprise, "6.1.7600", 0, facts.ProductWorkstation).nokey(ItemDSP64).file(ItemWebio, "6.1.7600.16385").dword(ItemSchEnabled, 0).build(),
			verdict: Unsupported,
			ids:     []string{IDOSUnsupported, IDOfficeInfo},
			ev:      []ev{{IDOSUnsupported, Evidence{Name: "Win32_OperatingSystem.Version", Value: "6.1.7600"}}},
			txt:     []txt{{IDOSUnsupported, "Windows 7 without SP1", false}, {IDOSUnsupported, "Install Service Pack 1", false}},
		},
		{
			name:    "Q2_Server2008R2_noSP1_unsupported",
			facts:   w7().os("Microsoft Windows Server 2008 R2 Standard", "6.1.7600", 0, facts.ProductServer).build(),
			verdict: Unsupported,
			ids:     []string{IDOSUnsupported, IDOfficeInfo},
			ev:      []ev{{IDOSUnsupported, Evidence{Name: "Win32_OperatingSystem.ProductType", Value: "3"}}},
			txt:     []txt{{IDOSUnsupported, "Windows Server 2008 R2 without SP1", false}},
		},
		{
			name:    "Q2_Windows8_unsupported",
			facts:   w7().os("Microsoft Windows 8 Pro", "6.2.9200", 0, facts.ProductWorkstation).file(ItemWebio, "6.2.9200.21797").file(ItemWinHTTP, "6.2.9200.21797").build(),
			verdict: Unsupported,
			ids:     []string{IDOSUnsupported, IDOfficeInfo},
			ev:      []ev{{IDOSUnsupported, Evidence{Name: "Win32_OperatingSystem.Caption", Value: "Microsoft Windows 8 Pro"}}},
			txt:     []txt{{IDOSUnsupported, "Upgrade to Windows 8.1", false}},
		},
		{
			name:    "Q2_Server2008_unsupported",
			facts:   w7().os("Microsoft Windows Server 2008 Standard", "6.0.6002", 2, facts.ProductServer).build(),
			verdict: Unsupported,
			ids:     []string{IDOSUnsupported, IDOfficeInfo},
			ev:      []ev{{IDOSUnsupported, Evidence{Name: "Win32_OperatingSystem.Version", Value: "6.0.6002"}}},
			txt:     []txt{{IDOSUnsupported, "Windows Server 2008 cannot use TLS 1.2", false}, {IDOSUnsupported, "KB4019276", false}},
		},
		{
			name:    "Q2_WindowsXP_unsupported",
			facts:   w7x86().os("Microsoft Windows XP Professional", "5.1.2600", 3, facts.ProductWorkstation).build(),
			verdict: Unsupported,
			ids:     []string{IDOSUnsupported, IDOfficeInfo},
			ev:      []ev{{IDOSUnsupported, Evidence{Name: "Win32_OperatingSystem.Version", Value: "5.1.2600"}}},
			txt:     []txt{{IDOSUnsupported, "Windows XP", false}},
		},
		{
			name:    "Q2_Server2012_supported_ready",
			facts:   s2012().build(),
			verdict: Ready,
			ids:     []string{IDOfficeNotFound},
			ev:      []ev{{IDOfficeNotFound, Evidence{Key: KeyOutlookPath64, Value: evNoKey}}},
		},
		{
			name:    "Q2_Q13_Server2012_DLLbelow6.2.9200.21797_KBmissing",
			facts:   s2012().file(ItemWinHTTP, "6.2.9200.21796").build(),
			verdict: Action,
			ids:     []string{IDKBMissing, IDOfficeNotFound},
			ev:      []ev{{IDKBMissing, Evidence{Path: `C:\Windows\System32\winhttp.dll`, Value: "6.2.9200.21796"}}},
			txt:     []txt{{IDKBMissing, "at least 6.2.9200.21797", false}, {IDKBMissing, "Windows Server 2012", false}},
		},
		{
			name:    "Q2_Server2008R2SP1_needsKB",
			facts:   w7().os("Microsoft Windows Server 2008 R2 Enterprise", "6.1.7601", 1, facts.ProductServer).file(ItemWebio, "6.1.7601.17514").build(),
			verdict: Action,
			ids:     []string{IDKBMissing, IDOfficeInfo},
			ev:      []ev{{IDKBMissing, Evidence{Path: `C:\Windows\System32\webio.dll`, Value: "6.1.7601.17514"}}},
			txt:     []txt{{IDKBMissing, "KB3140245 for Windows Server 2008 R2 SP1", false}},
		},

		// Q3: what DefaultSecureProtocols means, and the OS defaults.
		{
			name:    "Q3_Win7SP1_DSPabsent_defaultLacksTLS12",
			facts:   w7().absent(ItemDSP64).nokey(ItemDSP32).build(),
			verdict: Action,
			ids:     []string{IDDSPDefaultNoTLS12, IDOfficeInfo},
			ev: []ev{
				{IDDSPDefaultNoTLS12, Evidence{Key: KeyWinHTTP64, View: View64, Name: "DefaultSecureProtocols", Value: evAbsent}},
				{IDDSPDefaultNoTLS12, Evidence{Key: KeyWinHTTP32, View: View32, Value: evNoKey}},
			},
			txt: []txt{{IDDSPDefaultNoTLS12, "Windows 7 SP1 default, SSL 3.0 + TLS 1.0", false}},
		},
		{
			name:    "Q3_Win10_DSPabsent_osDefaultIncludesTLS12_ready",
			facts:   w10().build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv64},
			txt:     []txt{{IDOfficeInfo, "Outlook 2016 or later", false}, {IDOfficeInfo, "64-bit", false}},
		},
		{
			name:    "Q3_Win10_explicitValueWithoutTLS12_action",
			facts:   w10().dword(ItemDSP64, 0xa0).build(),
			verdict: Action,
			ids:     []string{IDDSPNoTLS12, IDDSPSSL3, IDOfficeInfo},
			ev:      []ev{{IDDSPNoTLS12, Evidence{Key: KeyWinHTTP64, View: View64, Type: facts.RegDWORD, Value: "0x000000a0 (160)"}}},
			txt:     []txt{{IDDSPNoTLS12, `Key Path: SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp;`, false}, {IDDSPNoTLS12, "KB3140245", true}},
		},
		{
			name:    "Q3_Server2012_DSPabsent_action",
			facts:   s2012().absent(ItemDSP64).absent(ItemDSP32).build(),
			verdict: Action,
			ids:     []string{IDDSPDefaultNoTLS12, IDOfficeNotFound},
			ev:      []ev{{IDDSPDefaultNoTLS12, Evidence{Key: KeyWinHTTP32, View: View32, Value: evAbsent}}},
			txt:     []txt{{IDDSPDefaultNoTLS12, "Windows Server 2012 default", false}},
		},

		// Q4: recommended value, SSL 3.0.
		{
			name:    "Q4_SSL3bit_warnsPOODLE_verdictUnchanged",
			facts:   w7().dword(ItemDSP64, 0xaa0).dword(ItemDSP32, 0xaa0).build(),
			verdict: Ready,
			ids:     []string{IDDSPSSL3, IDOfficeInfo},
			ev: []ev{
				{IDDSPSSL3, Evidence{Key: KeyWinHTTP64, View: View64, Value: "0x00000aa0 (2720)"}},
				{IDDSPSSL3, Evidence{Key: KeyWinHTTP32, View: View32, Value: "0x00000aa0 (2720)"}},
			},
			txt: []txt{{IDDSPSSL3, "POODLE", false}, {IDDSPSSL3, "0x00000a00 (2560)", false}},
		},
		{
			name:    "Q4_remediationRecommends0xa00_or0xa80",
			facts:   w7().dword(ItemDSP32, 0x200).build(),
			verdict: Action,
			ids:     []string{IDDSPNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDDSPNoTLS12, Evidence{Key: KeyWinHTTP32, View: View32, Value: "0x00000200 (512)"}}},
			txt:     []txt{{IDDSPNoTLS12, "0x00000a00 (2560: TLS 1.1 + TLS 1.2)", false}, {IDDSPNoTLS12, "0x00000a80 (2688", false}},
		},

		// Q5: effect of the value; TLS 1.0 compatibility.
		{
			name:    "Q5_0xa80_keepsTLS10_ready",
			facts:   w7().dword(ItemDSP64, 0xa80).dword(ItemDSP32, 0xa80).dword(ItemSchDisabledDef, 1).build(),
			verdict: Ready,
			ids:     []string{IDSchannelDisabledByDefault, IDOfficeInfo},
			ev:      []ev{{IDSchannelDisabledByDefault, Evidence{Key: KeySchannel12, Name: "DisabledByDefault", Value: "0x00000001 (1)"}}},
		},
		{
			name:    "Q5_TLS10only_bothViews_action",
			facts:   w7().dword(ItemDSP64, 0x80).dword(ItemDSP32, 0x80).build(),
			verdict: Action,
			ids:     []string{IDDSPNoTLS12, IDOfficeInfo},
			ev: []ev{
				{IDDSPNoTLS12, Evidence{Key: KeyWinHTTP64, View: View64, Value: "0x00000080 (128)"}},
				{IDDSPNoTLS12, Evidence{Key: KeyWinHTTP32, View: View32, Value: "0x00000080 (128)"}},
			},
			txt: []txt{{IDDSPNoTLS12, "servers that speak only TLS 1.0", false}},
		},

		// Q6: which keys apply.
		{
			name:    "Q6_64bitOS_32bitViewAbsent_action",
			facts:   w7().absent(ItemDSP32).build(),
			verdict: Action,
			ids:     []string{IDDSPDefaultNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDDSPDefaultNoTLS12, Evidence{Key: KeyWinHTTP32, View: View32, Value: evAbsent}}},
			txt: []txt{
				{IDDSPDefaultNoTLS12, `Key Path: SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp;`, false},
				{IDDSPDefaultNoTLS12, `Key Path: SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp;`, true},
				{IDDSPDefaultNoTLS12, "both keys apply", false},
			},
			faq: []faq{{IDDSPDefaultNoTLS12, "Q6"}, {IDDSPDefaultNoTLS12, "Q7"}},
		},
		{
			name:    "Q6_32bitWindows7_needsOnlyNativeKey_ready",
			facts:   w7x86().build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{{IDOfficeInfo, Evidence{Key: `HKLM\SOFTWARE\Microsoft\Office\15.0\Outlook`, Name: "Bitness", Value: "x86"}}},
			txt:     []txt{{IDOfficeInfo, "Outlook 2013, 32-bit", false}, {IDOfficeInfo, "(Q7)", true}},
		},
		{
			name:    "Q6_32bitWindows7_nativeKeyAbsent_onlyThatKey",
			facts:   w7x86().nokey(ItemDSP64).build(),
			verdict: Action,
			ids:     []string{IDDSPDefaultNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDDSPDefaultNoTLS12, Evidence{Key: KeyWinHTTP64, View: View32, Value: evNoKey}}},
			txt:     []txt{{IDDSPDefaultNoTLS12, "Wow6432Node", true}, {IDDSPDefaultNoTLS12, "both keys apply", true}},
		},

		// Q7: 64-bit Windows with 32-bit Office still needs the native key (BITS).
		{
			name:    "Q7_64bitOS_32bitOffice_needsBothKeys",
			facts:   w7().absent(ItemDSP64).build(),
			verdict: Action,
			ids:     []string{IDDSPDefaultNoTLS12, IDOfficeInfo},
			ev: []ev{
				{IDDSPDefaultNoTLS12, Evidence{Key: KeyWinHTTP64, View: View64, Value: evAbsent}},
				{IDOfficeInfo, Evidence{Key: KeyOfficeC2R, Name: "Platform", Value: "x86"}},
				officeEv32,
			},
			txt: []txt{
				{IDDSPDefaultNoTLS12, "BITS", false},
				{IDOfficeInfo, "32-bit", false},
				{IDOfficeInfo, "BITS, a 64-bit service", false},
			},
			faq: []faq{{IDDSPDefaultNoTLS12, "Q7"}, {IDOfficeInfo, "Q7"}},
		},

		// Q8: SCHANNEL.
		{
			name:    "Q8_Enabled0_disablesTLS12_action",
			facts:   w10().dword(ItemSchEnabled, 0).build(),
			verdict: Action,
			ids:     []string{IDSchannelDisabled, IDOfficeInfo},
			ev:      []ev{{IDSchannelDisabled, Evidence{Key: KeySchannel12, Name: "Enabled", Type: facts.RegDWORD, Value: "0x00000000 (0)"}}},
			txt:     []txt{{IDSchannelDisabled, "restart", false}},
		},
		{
			name:    "Q8_Enabled0xFFFFFFFF_isEnabled_ready",
			facts:   w7().dword(ItemSchEnabled, 0xFFFFFFFF).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			name:    "Q8_Win7_DisabledByDefaultAbsent_behavesAs1_warningOnly",
			facts:   w7().absent(ItemSchDisabledDef).build(),
			verdict: Ready,
			ids:     []string{IDSchannelDisabledByDefault, IDOfficeInfo},
			ev:      []ev{{IDSchannelDisabledByDefault, Evidence{Key: KeySchannel12, Name: "DisabledByDefault", Value: evAbsent}}},
			txt: []txt{
				{IDSchannelDisabledByDefault, "behaves as 1", false},
				{IDSchannelDisabledByDefault, "the wrong way round", false},
				{IDSchannelDisabledByDefault, "does not block Outlook", true},
				{IDSchannelDisabledByDefault, "Outlook's POP, IMAP and SMTP accounts use SCHANNEL directly", false},
				{IDSchannelDisabledByDefault, "support.microsoft.com/help/3140245", false},
				{IDSchannelDisabledByDefault, `"tlsready fix --win7-schannel" writes it`, false},
				{IDSchannelDisabledByDefault, "Find what set it", true},
			},
		},
		{
			name:    "Q8_Win10_DisabledByDefaultAbsent_fine",
			facts:   w10().absent(ItemSchDisabledDef).absent(ItemSchEnabled).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv64},
		},
		{
			name:    "Q8_Win10_DisabledByDefault1_warningOnly",
			facts:   w10().dword(ItemSchDisabledDef, 1).build(),
			verdict: Ready,
			ids:     []string{IDSchannelDisabledByDefault, IDOfficeInfo},
			ev:      []ev{{IDSchannelDisabledByDefault, Evidence{Name: "DisabledByDefault", Value: "0x00000001 (1)"}}},
			txt: []txt{
				{IDSchannelDisabledByDefault, "Find what set it", false},
				{IDSchannelDisabledByDefault, "--win7-schannel", true},
				{IDSchannelDisabledByDefault, "Outlook's POP, IMAP and SMTP accounts", false},
			},
		},
		{
			name:    "Q8_EnabledREG_SZ_ignoredAsAbsent_warning",
			facts:   w7().sz(ItemSchEnabled, "0").build(),
			verdict: Ready,
			ids:     []string{IDSchannelNotDWORD, IDOfficeInfo},
			ev:      []ev{{IDSchannelNotDWORD, Evidence{Key: KeySchannel12, Name: "Enabled", Type: facts.RegSZ, Value: "0"}}},
			txt:     []txt{{IDSchannelNotDWORD, "ignores this value", false}},
		},
		{
			name:    "Q8_EnabledDenied_unknown",
			facts:   w7().reg(ItemSchEnabled, facts.StateDenied, "", "Requested registry access is not allowed.").build(),
			verdict: Unknown,
			ids:     []string{IDSchannelUnreadable, IDOfficeInfo},
			ev:      []ev{{IDSchannelUnreadable, Evidence{Name: "Enabled", Value: "(unreadable: denied: Requested registry access is not allowed.)"}}},
		},

		// Q9, Q10, Q11: KB3140245 missing; how to get it.
		{
			name:    "Q9_Q10_KBmissing_wordsWSUSUpdatesAndRecommended",
			facts:   w7().file(ItemWebio, "6.1.7601.17514").file(ItemWinHTTP, "6.1.7601.17514").absent(ItemDSP64).absent(ItemDSP32).build(),
			verdict: Action,
			ids:     []string{IDDSPDefaultNoTLS12, IDKBMissing, IDOfficeInfo},
			ev: []ev{
				{IDKBMissing, Evidence{Path: `C:\Windows\System32\webio.dll`, Value: "6.1.7601.17514"}},
				{IDKBMissing, Evidence{Path: `C:\Windows\System32\winhttp.dll`, Value: "6.1.7601.17514"}},
			},
			txt: []txt{
				{IDKBMissing, `"Updates", not "Critical Updates"`, false},
				{IDKBMissing, "Microsoft Update Catalog", false},
				{IDKBMissing, `"Recommended" update`, false},
				{IDKBMissing, "Give me recommended updates the same way I receive important updates", false},
				{IDKBMissing, "known trap", true},
			},
			faq: []faq{{IDKBMissing, "Q9"}, {IDKBMissing, "Q10"}},
		},
		{
			name:    "Q11_registrySetButDLLsOld_EasyFixTrap",
			facts:   w7().file(ItemWebio, "6.1.7601.17514").file(ItemWinHTTP, "6.1.7601.17514").build(),
			verdict: Action,
			ids:     []string{IDKBMissing, IDOfficeInfo},
			ev:      []ev{{IDKBMissing, Evidence{Path: `C:\Windows\System32\winhttp.dll`, Value: "6.1.7601.17514"}}},
			txt: []txt{
				{IDKBMissing, "already includes TLS 1.2 here but the DLLs are old", false},
				{IDKBMissing, "Easy Fix that only writes the registry", false},
			},
			faq: []faq{{IDKBMissing, "Q11"}},
		},

		{
			name:    "Q11_registryWithoutTLS12_andOldDLLs_noTrapWording",
			facts:   w7().dword(ItemDSP64, 0x80).dword(ItemDSP32, 0x80).file(ItemWebio, "6.1.7601.17514").build(),
			verdict: Action,
			ids:     []string{IDDSPNoTLS12, IDKBMissing, IDOfficeInfo},
			ev:      []ev{{IDDSPNoTLS12, Evidence{View: View64, Value: "0x00000080 (128)"}}, {IDKBMissing, Evidence{Path: `C:\Windows\System32\webio.dll`, Value: "6.1.7601.17514"}}},
			txt:     []txt{{IDKBMissing, "known trap", true}},
		},

		// Q12, Q13: how to verify KB3140245.
		{
			name:    "Q12_laterDLL_6.1.7601.24000_countsAsInstalled",
			facts:   w7().file(ItemWebio, "6.1.7601.24000").file(ItemWinHTTP, "6.1.7601.24545").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			name:    "Q12_remediationSaysFileVersionsCountNotHotfixList",
			facts:   w7().file(ItemWinHTTP, "6.1.7601.23374").build(),
			verdict: Action,
			ids:     []string{IDKBMissing, IDOfficeInfo},
			ev:      []ev{{IDKBMissing, Evidence{Path: `C:\Windows\System32\winhttp.dll`, Value: "6.1.7601.23374"}}},
			txt:     []txt{{IDKBMissing, "the list of installed updates is not", false}, {IDKBMissing, "rollup", false}},
			faq:     []faq{{IDKBMissing, "Q12"}},
		},
		{
			name:    "Q13_numericCompare_6.1.7601.4000_olderThan23375",
			facts:   w7().file(ItemWebio, "6.1.7601.4000").build(),
			verdict: Action,
			ids:     []string{IDKBMissing, IDOfficeInfo},
			ev: []ev{
				{IDKBMissing, Evidence{Path: `C:\Windows\System32\webio.dll`, Value: "6.1.7601.4000"}},
				{IDKBMissing, Evidence{Path: `C:\Windows\System32\winhttp.dll`, Value: "6.1.7601.23375"}},
			},
			txt: []txt{{IDKBMissing, `older than 6.1.7601.23375, the version KB3140245 installs: C:\Windows\System32\webio.dll 6.1.7601.4000.`, false}, {IDKBMissing, `winhttp.dll 6.1.7601.23375`, true}},
		},
		{
			name:    "Q13_versionStringIgnored_numericPartsDecide",
			facts:   w7().fileStr(ItemWinHTTP, "6.1.7601.23375", "6.1.7601.17514 (win7sp1_gdr.101119-1850)").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			name:    "Q13_DLLmissing_unverified",
			facts:   w7().fileState(ItemWebio, facts.StateNoFile, "").build(),
			verdict: Unknown,
			ids:     []string{IDKBUnverified, IDOfficeInfo},
			ev:      []ev{{IDKBUnverified, Evidence{Path: `C:\Windows\System32\webio.dll`, Value: evNoFile}}},
			txt:     []txt{{IDKBUnverified, "at least 6.1.7601.23375", false}},
		},
		{
			name:    "Q13_DLLnoVersion_unverified",
			facts:   w7().fileState(ItemWinHTTP, facts.StateNoVersion, "").build(),
			verdict: Unknown,
			ids:     []string{IDKBUnverified, IDOfficeInfo},
			ev:      []ev{{IDKBUnverified, Evidence{Path: `C:\Windows\System32\winhttp.dll`, Value: evNoVersion}}},
		},
		{
			name:    "Q13_oneOldOneUnreadable_missingWins",
			facts:   w7().file(ItemWebio, "6.1.7601.17514").fileState(ItemWinHTTP, facts.StateDenied, "Access is denied.").build(),
			verdict: Action,
			ids:     []string{IDKBMissing, IDOfficeInfo},
			ev:      []ev{{IDKBMissing, Evidence{Path: `C:\Windows\System32\winhttp.dll`, Value: "(unreadable: denied: Access is denied.)"}}},
		},

		// Q14: distributing the registry value.
		{
			name:    "Q14_remediationIsGPOPreferenceItemPerKey",
			facts:   w7().absent(ItemDSP64).absent(ItemDSP32).build(),
			verdict: Action,
			ids:     []string{IDDSPDefaultNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDDSPDefaultNoTLS12, Evidence{Key: KeyWinHTTP64, View: View64, Value: evAbsent}}},
			txt: []txt{
				{IDDSPDefaultNoTLS12, "Action: Update; Hive: HKEY_LOCAL_MACHINE; Key Path: SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp; Value name: DefaultSecureProtocols; Value type: REG_DWORD; Value data: 0x00000a00 (decimal 2560)", false},
				{IDDSPDefaultNoTLS12, `Key Path: SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp;`, false},
				{IDDSPDefaultNoTLS12, "gpupdate /force", false},
			},
			faq: []faq{{IDDSPDefaultNoTLS12, "Q14"}},
		},

		// Q15: registry and update in either order; ready once both are done.
		{
			name:    "Q15_registryFirst_updateMissing_action",
			facts:   w7().file(ItemWebio, "6.1.7601.17514").file(ItemWinHTTP, "6.1.7601.17514").build(),
			verdict: Action,
			ids:     []string{IDKBMissing, IDOfficeInfo},
			ev:      []ev{{IDKBMissing, Evidence{Path: `C:\Windows\System32\webio.dll`, Value: "6.1.7601.17514"}}},
			txt:     []txt{{IDKBMissing, "which comes first does not matter", false}},
			faq:     []faq{{IDKBMissing, "Q15"}},
		},
		{
			name:    "Q15_registryFirst_thenUpdate_ready",
			facts:   w7().file(ItemWebio, "6.1.7601.23375").file(ItemWinHTTP, "6.1.7601.23375").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			name:    "Q15_updateFirst_registryMissing_action",
			facts:   w7().absent(ItemDSP64).absent(ItemDSP32).build(),
			verdict: Action,
			ids:     []string{IDDSPDefaultNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDDSPDefaultNoTLS12, Evidence{Key: KeyWinHTTP32, View: View32, Value: evAbsent}}},
			txt:     []txt{{IDDSPDefaultNoTLS12, "only together with KB3140245; which comes first does not matter", false}},
			faq:     []faq{{IDDSPDefaultNoTLS12, "Q15"}},
		},
		{
			name:    "Q15_updateFirst_thenRegistry_ready",
			facts:   w7().absent(ItemDSP64).absent(ItemDSP32).dword(ItemDSP64, 0xa00).dword(ItemDSP32, 0xa00).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},

		// Q17: WinINet.
		{
			name:    "Q17_IE11default_ready",
			facts:   w7().build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			name:    "Q17_IE10default_lacksTLS12_action",
			facts:   w7().sz(ItemIESvcVersion, "10.0.9200.16384").sz(ItemIEVersion, "9.10.9200.16384").build(),
			verdict: Action,
			ids:     []string{IDWinINetIEDefaultNoTLS12, IDOfficeInfo},
			ev: []ev{
				{IDWinINetIEDefaultNoTLS12, Evidence{Key: KeyIE, Name: "svcVersion", Type: facts.RegSZ, Value: "10.0.9200.16384"}},
				{IDWinINetIEDefaultNoTLS12, Evidence{Key: KeyInetMachine, Name: "SecureProtocols", Value: evAbsent}},
			},
			txt: []txt{
				{IDWinINetIEDefaultNoTLS12, "Internet Explorer 10 default", false},
				{IDWinINetIEDefaultNoTLS12, "Install Internet Explorer 11", false},
				{IDWinINetIEDefaultNoTLS12, "Turn off encryption support", false},
				{IDWinINetIEDefaultNoTLS12, sidA, false},
			},
		},
		{
			name:    "Q17_IE10_onlyVersionValue_9.10_action",
			facts:   w7().absent(ItemIESvcVersion).sz(ItemIEVersion, "9.10.9200.16384").build(),
			verdict: Action,
			ids:     []string{IDWinINetIEDefaultNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDWinINetIEDefaultNoTLS12, Evidence{Key: KeyIE, Name: "Version", Value: "9.10.9200.16384"}}},
			txt:     []txt{{IDWinINetIEDefaultNoTLS12, "Internet Explorer 10", false}},
		},
		{
			name:    "Q17_IE11_onlyVersionValue_9.11_ready",
			facts:   w7().absent(ItemIESvcVersion).sz(ItemIEVersion, "9.11.9600.18639").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			name:    "Q17_IE8default_action",
			facts:   w7().absent(ItemIESvcVersion).sz(ItemIEVersion, "8.0.7601.17514").build(),
			verdict: Action,
			ids:     []string{IDWinINetIEDefaultNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDWinINetIEDefaultNoTLS12, Evidence{Key: KeyIE, Name: "Version", Value: "8.0.7601.17514"}}},
			txt:     []txt{{IDWinINetIEDefaultNoTLS12, "Internet Explorer 8 default", false}},
		},
		{
			name:    "Q17_Win11_noIEkey_osDefault_ready",
			facts:   w11().build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv64},
		},
		{
			name:    "Q17_Win7_noIEversion_unknown",
			facts:   w7().nokey(ItemIESvcVersion).nokey(ItemIEVersion).build(),
			verdict: Unknown,
			ids:     []string{IDWinINetIEVersionUnknown, IDOfficeInfo},
			ev:      []ev{{IDWinINetIEVersionUnknown, Evidence{Key: KeyIE, Name: "svcVersion", Value: evNoKey}}},
		},
		{
			name:    "Q17_userValueWithoutTLS12_namesSID",
			facts:   w7().userDWORD(ItemInetUser, sidA, 0xa0).build(),
			verdict: Action,
			ids:     []string{IDWinINetNoTLS12, IDWinINetSSL3, IDOfficeInfo},
			ev: []ev{
				{IDWinINetNoTLS12, Evidence{Key: userInetKeyA, Name: "SecureProtocols", Type: facts.RegDWORD, Value: "0x000000a0 (160)"}},
				{IDWinINetSSL3, Evidence{Key: userInetKeyA, Value: "0x000000a0 (160)"}},
			},
			txt: []txt{{IDWinINetNoTLS12, "user " + sidA, false}, {IDWinINetNoTLS12, `tick "Use TLS 1.2"`, false}},
		},
		{
			name:    "Q17_twoUsers_onlyTheBadOneReported",
			facts:   w7().userDWORD(ItemInetUser, sidA, 0xa80).userDWORD(ItemInetUser, sidB, 0x80).build(),
			verdict: Action,
			ids:     []string{IDWinINetNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDWinINetNoTLS12, Evidence{Key: `HKU\` + sidB + `\Software\Microsoft\Windows\CurrentVersion\Internet Settings`, Value: "0x00000080 (128)"}}},
			txt:     []txt{{IDWinINetNoTLS12, sidA, true}},
		},
		{
			name:    "Q17_machinePolicyOverridesBadUserValue_ready",
			facts:   w7().dword(ItemInetPolicy, 0xa80).userDWORD(ItemInetUser, sidA, 0xa0).sz(ItemIESvcVersion, "10.0.9200.16384").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			name:    "Q17_machinePolicyWithoutTLS12_action",
			facts:   w7().dword(ItemInetPolicy, 0x280).userDWORD(ItemInetUser, sidA, 0xa80).build(),
			verdict: Action,
			ids:     []string{IDWinINetNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDWinINetNoTLS12, Evidence{Key: KeyInetPolicy, Name: "SecureProtocols", Value: "0x00000280 (640)"}}},
			txt:     []txt{{IDWinINetNoTLS12, "Computer Configuration > Administrative Templates", false}, {IDWinINetNoTLS12, "every user", false}},
		},
		{
			name:    "Q17_userPolicyOverridesBadUserValue_ready",
			facts:   w7().userDWORD(ItemInetUserPolicy, sidA, 0xa80).userDWORD(ItemInetUser, sidA, 0x80).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			name:    "Q17_userPolicyWithoutTLS12_action",
			facts:   w7().userDWORD(ItemInetUserPolicy, sidA, 0x80).build(),
			verdict: Action,
			ids:     []string{IDWinINetNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDWinINetNoTLS12, Evidence{Key: `HKU\` + sidA + `\Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`, Value: "0x00000080 (128)"}}},
			txt:     []txt{{IDWinINetNoTLS12, "User Configuration", false}},
		},
		{
			name:    "Q17_machineValueWithoutTLS12_userFallsThrough_action",
			facts:   w7().dword(ItemInetMachine, 0x80).build(),
			verdict: Action,
			ids:     []string{IDWinINetNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDWinINetNoTLS12, Evidence{Key: KeyInetMachine, Value: "0x00000080 (128)"}}},
			txt:     []txt{{IDWinINetNoTLS12, "among them " + sidA, false}},
		},
		{
			name:    "Q17_userValueWithTLS12_overridesIE10Default_ready",
			facts:   w7().sz(ItemIESvcVersion, "10.0.9200.16384").userDWORD(ItemInetUser, sidA, 0xa80).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			name:    "Q17_noUserHiveLoaded_info",
			facts:   w7().hives(".DEFAULT", "S-1-5-18").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo, IDWinINetUsersNotSeen},
			ev:      []ev{{IDWinINetUsersNotSeen, Evidence{Value: ".DEFAULT, S-1-5-18"}}},
			txt:     []txt{{IDWinINetUsersNotSeen, "HKEY_CURRENT_USER is the scanning account's own hive", false}},
		},
		{
			// Nobody signed in; the scanning account's own hive (loaded for its shell) lacks
			// TLS 1.2: it is no user of the PC, so it is not judged, only named.
			name: "Q17_scanningAccountHiveOnly_notJudged_info",
			facts: w7().hives(".DEFAULT", "S-1-5-18", sidScan, sidScan+"_Classes").account(sidScan).
				userDWORD(ItemInetUser, sidScan, 0xa0).userDWORD(ItemInetUserPolicy, sidScan, 0xa0).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo, IDWinINetUsersNotSeen},
			ev: []ev{{IDWinINetUsersNotSeen, Evidence{Value: ".DEFAULT, S-1-5-18, " + sidScan + " (scanning account, not judged), " +
				sidScan + "_Classes (scanning account, not judged)"}}},
		},
		{
			// The same SID in lower case (Account as the host wrote it) is still the account.
			name: "Q17_scanningAccountHive_caseInsensitive_notJudged",
			facts: w7().hives(".DEFAULT", sidScan).account(strings.ToLower(sidScan)).
				userDWORD(ItemInetUser, sidScan, 0x80).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo, IDWinINetUsersNotSeen},
			ev:      []ev{{IDWinINetUsersNotSeen, Evidence{Value: ".DEFAULT, " + sidScan + " (scanning account, not judged)"}}},
		},
		{
			// A user is signed in and fine; the scanning account's bad value changes nothing.
			name:    "Q17_scanningAccountHiveBesideUser_onlyUserJudged_ready",
			facts:   w7().account(sidScan).userDWORD(ItemInetUser, sidScan, 0xa0).userDWORD(ItemInetUser, sidA, 0xa80).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			// Results of older versions name no account: the hive is judged as a user's.
			name:    "Q17_noAccountKnown_hiveJudged_action",
			facts:   w7().hives(".DEFAULT", sidScan).userDWORD(ItemInetUser, sidScan, 0xa0).build(),
			verdict: Action,
			ids:     []string{IDWinINetNoTLS12, IDWinINetSSL3, IDOfficeInfo},
			ev:      []ev{{IDWinINetNoTLS12, Evidence{Key: `HKU\` + sidScan + `\Software\Microsoft\Windows\CurrentVersion\Internet Settings`, Value: "0x000000a0 (160)"}}},
		},
		{
			name:    "Q17_noUserHiveLoaded_IE10_actionForAnyUser",
			facts:   w7().hives().sz(ItemIESvcVersion, "10.0.9200.16384").build(),
			verdict: Action,
			ids:     []string{IDWinINetIEDefaultNoTLS12, IDOfficeInfo, IDWinINetUsersNotSeen},
			ev:      []ev{{IDWinINetUsersNotSeen, Evidence{Value: evNone}}, {IDWinINetIEDefaultNoTLS12, Evidence{Name: "svcVersion", Value: "10.0.9200.16384"}}},
			txt:     []txt{{IDWinINetIEDefaultNoTLS12, "any user without a setting of their own", false}},
		},
		{
			name:    "Q17_userValueDenied_unknown",
			facts:   w7().userReg(ItemInetUser, sidA, facts.StateDenied, "", "").build(),
			verdict: Unknown,
			ids:     []string{IDWinINetUnreadable, IDOfficeInfo},
			ev:      []ev{{IDWinINetUnreadable, Evidence{Key: userInetKeyA, Value: "(unreadable: denied)"}}},
		},
		{
			name:    "Q17_EntraIDUser_S-1-12-1_judged",
			facts:   w10().userDWORD(ItemInetUser, sidEntra, 0x80).build(),
			verdict: Action,
			ids:     []string{IDWinINetNoTLS12, IDOfficeInfo},
			ev:      []ev{{IDWinINetNoTLS12, Evidence{Key: `HKU\` + sidEntra + `\Software\Microsoft\Windows\CurrentVersion\Internet Settings`}}},
		},
		{
			name:    "Q17_systemHiveValueIgnored_ready",
			facts:   w10().userDWORD(ItemInetUser, "S-1-5-18", 0x80).userDWORD(ItemInetUser, ".DEFAULT", 0x80).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv64},
		},
		{
			name:    "Q17_machineValueREG_SZ_ignored_IE11default_ready",
			facts:   w7().sz(ItemInetMachine, "2688").build(),
			verdict: Ready,
			ids:     []string{IDWinINetNotDWORD, IDOfficeInfo},
			ev:      []ev{{IDWinINetNotDWORD, Evidence{Key: KeyInetMachine, Type: facts.RegSZ, Value: "2688"}}},
		},

		// Edge cases.
		{
			name:    "Edge_DSP_REG_SZ_ignoredAsAbsent_Win7_action",
			facts:   w7().sz(ItemDSP64, "0xa00").build(),
			verdict: Action,
			ids:     []string{IDDSPDefaultNoTLS12, IDDSPNotDWORD, IDOfficeInfo},
			ev: []ev{
				{IDDSPNotDWORD, Evidence{Key: KeyWinHTTP64, View: View64, Type: facts.RegSZ, Value: "0xa00"}},
				{IDDSPDefaultNoTLS12, Evidence{Key: KeyWinHTTP64, View: View64, Type: facts.RegSZ}},
			},
			txt: []txt{{IDDSPNotDWORD, "WinHTTP reads DefaultSecureProtocols only as a REG_DWORD", false}},
		},
		{
			name:    "Edge_DSP_REG_QWORD_Win10_warningOnly_ready",
			facts:   w10().reg(ItemDSP32, facts.StateOK, facts.RegQWORD, "128").build(),
			verdict: Ready,
			ids:     []string{IDDSPNotDWORD, IDOfficeInfo},
			ev:      []ev{{IDDSPNotDWORD, Evidence{Key: KeyWinHTTP32, View: View32, Type: facts.RegQWORD, Value: "128"}}},
		},
		{
			name:    "Edge_DSP_denied_unknown",
			facts:   w10().reg(ItemDSP32, facts.StateDenied, "", "Requested registry access is not allowed.").build(),
			verdict: Unknown,
			ids:     []string{IDDSPUnreadable, IDOfficeInfo},
			ev:      []ev{{IDDSPUnreadable, Evidence{Key: KeyWinHTTP32, View: View32, Value: "(unreadable: denied: Requested registry access is not allowed.)"}}},
		},
		{
			name:    "Edge_DSP_notCollected_unknown",
			facts:   w7().drop(ItemDSP64).build(),
			verdict: Unknown,
			ids:     []string{IDDSPUnreadable, IDOfficeInfo},
			ev:      []ev{{IDDSPUnreadable, Evidence{Key: KeyWinHTTP64, View: View64, Value: evNotCollect}}},
		},
		{
			name:    "Edge_deniedAndAction_actionWins",
			facts:   w7().reg(ItemDSP32, facts.StateError, "", "boom").dword(ItemSchEnabled, 0).build(),
			verdict: Action,
			ids:     []string{IDSchannelDisabled, IDDSPUnreadable, IDOfficeInfo},
			ev:      []ev{{IDDSPUnreadable, Evidence{View: View32, Value: "(unreadable: error: boom)"}}},
		},
		{
			name:    "Edge_unparseableOSVersion_unknown",
			facts:   w7().os(win7Enterprise, "6.1", 1, facts.ProductWorkstation).build(),
			verdict: Unknown,
			ids:     []string{IDOSVersionUnknown, IDOfficeInfo},
			ev:      []ev{{IDOSVersionUnknown, Evidence{Name: "Win32_OperatingSystem.Version", Value: "6.1"}}},
		},
		{
			name:    "Edge_unparseableOSVersion_explicitBadValueStillAction",
			facts:   w7().os("", "garbage", 0, 0).dword(ItemDSP64, 0x80).absent(ItemSchDisabledDef).build(),
			verdict: Action,
			ids:     []string{IDDSPNoTLS12, IDOSVersionUnknown, IDOfficeInfo},
			ev:      []ev{{IDDSPNoTLS12, Evidence{View: View64, Value: "0x00000080 (128)"}}, {IDOSVersionUnknown, Evidence{Name: "Win32_OperatingSystem.Version", Value: "garbage"}}},
			txt:     []txt{{IDDSPNoTLS12, "KB3140245", true}},
		},
		{
			name:    "Edge_6.2_productTypeAndCaptionMissing_unknown",
			facts:   s2012().os("", "6.2.9200", 0, 0).build(),
			verdict: Unknown,
			ids:     []string{IDOSVersionUnknown, IDOfficeNotFound},
			ev:      []ev{{IDOSVersionUnknown, Evidence{Name: "Win32_OperatingSystem.ProductType", Value: "0"}}},
		},
		{
			name:    "Edge_6.2_productTypeMissing_captionSaysServer_supported",
			facts:   s2012().os("Microsoft Windows Server 2012 Datacenter", "6.2.9200", 0, 0).file(ItemWebio, "6.2.9200.16384").build(),
			verdict: Action,
			ids:     []string{IDKBMissing, IDOfficeNotFound},
			ev:      []ev{{IDKBMissing, Evidence{Path: `C:\Windows\System32\webio.dll`, Value: "6.2.9200.16384"}}},
		},
		{
			name:    "Edge_32bitProcessOn64bitOS_unknown_notJudged",
			facts:   w7().proc(32).absent(ItemDSP64).file(ItemWebio, "6.1.7601.17514").build(),
			verdict: Unknown,
			ids:     []string{IDCollector32Bit},
			ev:      []ev{{IDCollector32Bit, Evidence{Name: "ProcessBits", Value: "32"}}},
			txt: []txt{
				{IDCollector32Bit, "Microsoft.PowerShell32", true},
				{IDCollector32Bit, "Path and ComSpec name C:\\Windows\\System32", false},
				{IDCollector32Bit, "winrs -r:<host> set", false},
			},
		},
		{
			name:    "Edge_32bitProcessOn32bitOS_fine",
			facts:   w7x86().proc(32).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{{IDOfficeInfo, Evidence{Path: o15x86, Value: "15.0.5023.1000"}}},
		},
		{
			name:    "Edge_32bitProcessOnUnsupportedOS_unsupported",
			facts:   w7().os(win7Enterprise, "6.1.7600", 0, facts.ProductWorkstation).proc(32).build(),
			verdict: Unsupported,
			ids:     []string{IDOSUnsupported},
			ev:      []ev{{IDOSUnsupported, Evidence{Name: "Win32_OperatingSystem.Version", Value: "6.1.7600"}}},
		},
		{
			name:    "Edge_Office64_fromBitnessValue_noC2R",
			facts:   w10().nokey(ItemOfficeC2R).sz(ItemOutlookBitness+".16", "x64").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv64, {IDOfficeInfo, Evidence{Key: `HKLM\SOFTWARE\Microsoft\Office\16.0\Outlook`, Name: "Bitness", Value: "x64"}}},
			txt:     []txt{{IDOfficeInfo, "64-bit", false}},
		},
		{
			name:    "Edge_OfficeNotFound_info",
			facts:   w7().fileState(ItemOutlook32, facts.StateNoKey, "").build(),
			verdict: Ready,
			ids:     []string{IDOfficeNotFound},
			ev:      []ev{{IDOfficeNotFound, Evidence{Key: KeyOutlookPath32, Value: evNoKey}}},
		},

		// Restart pending after tlsready fix: the change time against the boot time.
		{
			name:    "Restart_DSPChangedAfterBoot_pending",
			facts:   w7().boot(testBoot).change(KeyWinHTTP32, "DefaultSecureProtocols", testBoot.Add(time.Hour)).build(),
			verdict: Action,
			ids:     []string{IDRestartPending, IDOfficeInfo},
			ev: []ev{{IDRestartPending, Evidence{Key: KeyWinHTTP32, Name: "DefaultSecureProtocols", Value: "changed 2026-11-30T07:00:00Z"}},
				{IDRestartPending, Evidence{Name: "LastBootUpTime", Value: "2026-11-30T06:00:00Z"}}},
			txt: []txt{{IDRestartPending, "2026-11-30 06:00:00 UTC, before that", false}, {IDRestartPending, "Restart the host", false}},
		},
		{
			name:    "Restart_SchannelChangedBootUnknown_pending",
			facts:   w7().change(KeySchannel12, "DisabledByDefault", testBoot).build(),
			verdict: Action,
			ids:     []string{IDRestartPending, IDOfficeInfo},
			ev:      []ev{{IDRestartPending, Evidence{Name: "LastBootUpTime", Value: evBootUnknown}}},
			txt:     []txt{{IDRestartPending, "did not report when it last started", false}},
		},
		{
			name:    "Restart_RebootedSinceChange_ready",
			facts:   w7().boot(testBoot.Add(2*time.Hour)).change(KeyWinHTTP64, "DefaultSecureProtocols", testBoot.Add(time.Hour)).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			name:    "Restart_WinINetPolicyChange_needsNoRestart",
			facts:   w7().boot(testBoot).change(KeyInetPolicy, "SecureProtocols", testBoot.Add(time.Hour)).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},

		// Outlook's own minimum build for Microsoft 365 (SourceOutlookMinimum).
		{
			name:    "Outlook_2013BelowMinimum_action",
			facts:   w7x86().outlook(ItemOutlook64, o15x86, "15.0.4569.1506").build(),
			verdict: Action,
			ids:     []string{IDOutlookTooOld, IDOfficeInfo},
			ev:      []ev{{IDOutlookTooOld, Evidence{Path: o15x86, Value: "15.0.4569.1506"}}},
			txt:     []txt{{IDOutlookTooOld, "15.0.4971.1000", false}, {IDOutlookTooOld, SourceOutlookMinimum, false}},
		},
		{
			name:    "Outlook_2013AtMinimum_ready",
			facts:   w7x86().outlook(ItemOutlook64, o15x86, "15.0.4971.1000").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{{IDOfficeInfo, Evidence{Path: o15x86, Value: "15.0.4971.1000"}}},
		},
		{
			name:    "Outlook_2016MSIBelowMinimum_action",
			facts:   w7().nokey(ItemOfficeC2R).outlook(ItemOutlook32, o16msi, "16.0.4266.1001").sz(ItemOutlookBitness+".16.wow", "x86").build(),
			verdict: Action,
			ids:     []string{IDOutlookTooOld, IDOfficeInfo},
			ev:      []ev{{IDOutlookTooOld, Evidence{Path: o16msi, Value: "16.0.4266.1001"}}},
			txt:     []txt{{IDOutlookTooOld, "16.0.4600.1000", false}, {IDOutlookTooOld, "(MSI)", false}},
		},
		{
			name:    "Outlook_2016MSIAtMinimum_ready",
			facts:   w7().nokey(ItemOfficeC2R).outlook(ItemOutlook32, o16msi, "16.0.4600.1000").sz(ItemOutlookBitness+".16.wow", "x86").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{{IDOfficeInfo, Evidence{Path: o16msi, Value: "16.0.4600.1000"}}},
		},
		{
			// A Click-to-Run build below 1706 (16.0.8201) by VersionToReport, which wins over the
			// file version: Microsoft documents the C2R version there.
			name:    "Outlook_C2RVersionToReportBelow1706_action",
			facts:   w10().outlook(ItemOutlook64, o16x64, "16.0.8201.2102").sz(ItemOfficeC2RVersion, "16.0.8067.2157").build(),
			verdict: Action,
			ids:     []string{IDOutlookTooOld, IDOfficeInfo},
			ev: []ev{
				{IDOutlookTooOld, Evidence{Key: KeyOfficeC2R, Name: "VersionToReport", Value: "16.0.8067.2157"}},
				{IDOutlookTooOld, Evidence{Path: o16x64, Value: "16.0.8201.2102"}},
			},
			txt: []txt{{IDOutlookTooOld, "16.0.8201.0", false}, {IDOutlookTooOld, "1706", false}, {IDOutlookTooOld, "16.0.8067.2157", false}},
		},
		{
			name:    "Outlook_C2RVersionToReportAt1706_ready",
			facts:   w10().outlook(ItemOutlook64, o16x64, "16.0.8067.2157").sz(ItemOfficeC2RVersion, "16.0.8201.2102").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEvC2ROld},
		},
		{
			// Click-to-Run told by Platform alone: the file version is the build; MSI's lower
			// minimum does not apply.
			name:    "Outlook_C2RFileVersionBelow1706_action",
			facts:   w10().outlook(ItemOutlook64, o16x64, "16.0.7766.2099").build(),
			verdict: Action,
			ids:     []string{IDOutlookTooOld, IDOfficeInfo},
			ev:      []ev{{IDOutlookTooOld, Evidence{Path: o16x64, Value: "16.0.7766.2099"}}},
			txt:     []txt{{IDOutlookTooOld, "16.0.8201.0", false}},
		},
		{
			name:    "Outlook_2010_unsupported",
			facts:   w7x86().nokey(ItemOutlookBitness+".15").sz(ItemOutlookBitness+".14", "x86").outlook(ItemOutlook64, o14, "14.0.7268.5000").build(),
			verdict: Unsupported,
			ids:     []string{IDOutlookUnsupported, IDOfficeInfo},
			ev:      []ev{{IDOutlookUnsupported, Evidence{Path: o14, Value: "14.0.7268.5000"}}},
			txt:     []txt{{IDOutlookUnsupported, "2010", false}, {IDOutlookUnsupported, "Replace Office", false}, {IDOutlookUnsupported, SourceOutlookMinimum, false}},
		},
		{
			name:    "Outlook_2007_unsupported",
			facts:   w7x86().outlook(ItemOutlook64, o12, "12.0.6612.1000").build(),
			verdict: Unsupported,
			ids:     []string{IDOutlookUnsupported, IDOfficeInfo},
			ev:      []ev{{IDOutlookUnsupported, Evidence{Path: o12, Value: "12.0.6612.1000"}}},
			txt:     []txt{{IDOutlookUnsupported, "Outlook 2007", false}},
		},

		// Other clients on the .NET Framework (SourceDotNetTLS): warnings that never change the verdict.
		{
			name:    "DotNet_48WithoutStrongCrypto_warningOnly",
			facts:   w10().dword(ItemNetRelease, 528040).build(),
			verdict: Ready,
			ids:     []string{IDDotNetWeakTLS, IDOfficeInfo},
			ev: []ev{
				{IDDotNetWeakTLS, Evidence{Key: KeyNetV4, View: View64, Name: "SchUseStrongCrypto", Value: evNoKey}},
				{IDDotNetWeakTLS, Evidence{Key: KeyNetV4Wow, View: View32, Name: "SystemDefaultTlsVersions", Value: evNoKey}},
			},
			txt: []txt{{IDDotNetWeakTLS, ".NET Framework 4.8", false}, {IDDotNetWeakTLS, SourceDotNetTLS, false}, {IDDotNetWeakTLS, "v2.0.50727 (", true}},
		},
		{
			name:    "DotNet_48AllSet_nothing",
			facts:   net4All(w10().dword(ItemNetRelease, 528040), 1).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv64},
		},
		{
			name:    "DotNet_48NativeOnly_warnsWow6432Node",
			facts:   w10().dword(ItemNetRelease, 528040).dword(NetItem("v4", "64", "strongcrypto"), 1).dword(NetItem("v4", "64", "systemdefault"), 1).build(),
			verdict: Ready,
			ids:     []string{IDDotNetWeakTLS, IDOfficeInfo},
			ev:      []ev{{IDDotNetWeakTLS, Evidence{Key: KeyNetV4Wow, View: View32, Name: "SchUseStrongCrypto", Value: evNoKey}}},
			txt:     []txt{{IDDotNetWeakTLS, KeyNetV4 + " (64-bit view)", true}},
		},
		{
			name:    "DotNet_StrongCryptoZero_warning",
			facts:   net4All(w10().dword(ItemNetRelease, 528040), 1).dword(NetItem("v4", "32", "strongcrypto"), 0).build(),
			verdict: Ready,
			ids:     []string{IDDotNetWeakTLS, IDOfficeInfo},
			ev:      []ev{{IDDotNetWeakTLS, Evidence{Key: KeyNetV4Wow, View: View32, Name: "SchUseStrongCrypto", Value: "0x00000000 (0)"}}},
		},
		{
			// 32-bit Windows: no Wow6432Node; .NET 3.5 (v2.0.50727) is judged when installed.
			name:    "DotNet_35On32bit_nativeOnly",
			facts:   w7x86().dword(ItemNet35Install, 1).build(),
			verdict: Ready,
			ids:     []string{IDDotNetWeakTLS, IDOfficeInfo},
			ev:      []ev{{IDDotNetWeakTLS, Evidence{Key: KeyNetV2, Name: "SystemDefaultTlsVersions", Value: evNoKey}}},
			txt:     []txt{{IDDotNetWeakTLS, ".NET Framework 3.5", false}, {IDDotNetWeakTLS, "Wow6432Node\\Microsoft\\.NETFramework\\v2.0.50727 (", true}},
		},
		{
			name:    "DotNet_40Only_noTLS12",
			facts:   w7().reg(ItemNetRelease, facts.StateNoValue, "", "").build(),
			verdict: Ready,
			ids:     []string{IDDotNet40NoTLS12, IDOfficeInfo},
			ev:      []ev{{IDDotNet40NoTLS12, Evidence{Key: KeyNetV4Full, Name: "Release", Value: evAbsent}}},
		},
		{
			name:    "DotNet_doesNotChangeAction",
			facts:   w7().nokey(ItemDSP64).dword(ItemNetRelease, 461808).build(),
			verdict: Action,
			ids:     []string{IDDSPDefaultNoTLS12, IDDotNetWeakTLS, IDOfficeInfo},
			ev:      []ev{{IDDotNetWeakTLS, Evidence{Key: KeyNetV4, Name: "SchUseStrongCrypto"}}},
			txt:     []txt{{IDDotNetWeakTLS, ".NET Framework 4.7.2", false}},
		},

		// Cipher suites (SourceCipherM365): the host's enabled TLS 1.2 suites against Microsoft 365's.
		{
			name:    "Cipher_Win7PolicyOnly3DES_action",
			facts:   w7().sz(ItemCipherPolicy, "TLS_RSA_WITH_3DES_EDE_CBC_SHA").build(),
			verdict: Action,
			ids:     []string{IDCipherNoneAccepted, IDOfficeInfo},
			ev:      []ev{{IDCipherNoneAccepted, Evidence{Key: KeyCipherPolicy, Name: "Functions", Value: "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}}},
			txt: []txt{{IDCipherNoneAccepted, "are TLS_RSA_WITH_3DES_EDE_CBC_SHA,", false}, {IDCipherNoneAccepted, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false},
				{IDCipherNoneAccepted, SourceCipherM365, false}, {IDCipherNoneAccepted, "Group Policy", false},
				// No suite the pages disagree about is left, so the finding does not say they do.
				{IDCipherNoneAccepted, "disagree", true}},
		},
		{
			name:    "Cipher_Win7PolicyOnlyCBCSHA1_warning",
			facts:   w7().sz(ItemCipherPolicy, "TLS_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_3DES_EDE_CBC_SHA").build(),
			verdict: Ready,
			ids:     []string{IDCipherOnlyRetiring, IDOfficeInfo},
			ev:      []ev{{IDCipherOnlyRetiring, Evidence{Name: "TLS 1.2 cipher suites enabled", Value: "TLS_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA"}}},
			txt: []txt{{IDCipherOnlyRetiring, "only TLS_RSA_WITH_AES_256_CBC_SHA and TLS_RSA_WITH_AES_128_CBC_SHA remain", false},
				{IDCipherOnlyRetiring, "Microsoft's pages disagree: the Microsoft 365 encryption reference lists TLS_RSA_WITH_AES_256_CBC_SHA and TLS_RSA_WITH_AES_128_CBC_SHA as supported with no removal date", false},
				{IDCipherOnlyRetiring, "https://learn.microsoft.com/azure/frontdoor/end-to-end-tls", false}},
		},
		{
			// Windows 7 names ECDHE suites with a curve: the policy's _P384 suite is the table's.
			name:    "Cipher_Win7PolicyCurveSuffix_ready",
			facts:   w7().sz(ItemCipherPolicy, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384,TLS_RSA_WITH_3DES_EDE_CBC_SHA").build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv32},
		},
		{
			// A policy suite Windows 7 does not have is not offered.
			name:    "Cipher_Win7PolicySuiteOSLacks_action",
			facts:   w7().sz(ItemCipherPolicy, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384").build(),
			verdict: Action,
			ids:     []string{IDCipherNoneAccepted, IDOfficeInfo},
			ev:      []ev{{IDCipherNoneAccepted, Evidence{Name: "TLS 1.2 cipher suites enabled", Value: ""}}},
			txt:     []txt{{IDCipherNoneAccepted, "are (none),", false}},
		},
		{
			name:    "Cipher_Win7SchannelSHADisabled_action",
			facts:   w7().sz(ItemCipherPolicy, "TLS_RSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA_P256").dword(ItemSchannelAlgPrefix+"sha1", 0).build(),
			verdict: Action,
			ids:     []string{IDCipherNoneAccepted, IDOfficeInfo},
			ev:      []ev{{IDCipherNoneAccepted, Evidence{Key: KeySchannel + `\Hashes\SHA`, Name: "Enabled", Value: "0x00000000 (0)"}}},
		},
		{
			name:    "Cipher_Win10ECDHDisabled_warning",
			facts:   w10().dword(ItemSchannelAlgPrefix+"ecdh", 0).build(),
			verdict: Ready,
			ids:     []string{IDCipherOnlyRetiring, IDOfficeInfo},
			ev:      []ev{{IDCipherOnlyRetiring, Evidence{Key: KeySchannel + `\KeyExchangeAlgorithms\ECDH`, Name: "Enabled", Value: "0x00000000 (0)"}}},
			// Windows 10 22H2 no longer enables the DHE suites by default (its page lists them as
			// supported, not enabled): what is left is RSA key exchange.
			txt: []txt{{IDCipherOnlyRetiring, "only TLS_RSA_WITH_AES_256_GCM_SHA384, TLS_RSA_WITH_AES_128_GCM_SHA256,", false},
				{IDCipherOnlyRetiring, "tls-cipher-suites-in-windows-10-v22h2", false}, {IDCipherOnlyRetiring, "TLS_DHE_RSA", true},
				{IDCipherOnlyRetiring, "order): TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256;", false},
				{IDCipherOnlyRetiring, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,", true}},
		},
		{
			name:    "Cipher_Win10AESDisabled_action",
			facts:   w10().dword(ItemSchannelAlgPrefix+"aes128", 0).dword(ItemSchannelAlgPrefix+"aes256", 0xffffffff).dword(ItemSchannelAlgPrefix+"aes256", 0).build(),
			verdict: Action,
			ids:     []string{IDCipherNoneAccepted, IDOfficeInfo},
			ev:      []ev{{IDCipherNoneAccepted, Evidence{Key: KeySchannel + `\Ciphers\AES 128/128`, Name: "Enabled"}}},
		},
		{
			// Enabled 0xFFFFFFFF is enabled, as for the protocol keys.
			name:    "Cipher_Win10AESEnabledAllOnes_ready",
			facts:   w10().dword(ItemSchannelAlgPrefix+"aes128", 0xffffffff).build(),
			verdict: Ready,
			ids:     []string{IDOfficeInfo},
			ev:      []ev{officeEv64},
		},
		{
			// The policy wins over the local order.
			name: "Cipher_Win10PolicyOverLocal_warning",
			facts: w10().reg(ItemCipherLocal, facts.StateOK, facts.RegMultiSZ, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\nTLS_RSA_WITH_AES_128_CBC_SHA").
				sz(ItemCipherPolicy, "TLS_RSA_WITH_AES_128_CBC_SHA").build(),
			verdict: Ready,
			ids:     []string{IDCipherOnlyRetiring, IDOfficeInfo},
			ev:      []ev{{IDCipherOnlyRetiring, Evidence{Key: KeyCipherPolicy, Name: "Functions", Value: "TLS_RSA_WITH_AES_128_CBC_SHA"}}},
		},
		{
			// Microsoft 365 lists no ECDHE_ECDSA suite (its certificates are RSA): a host left with
			// only ECDSA suites cannot agree on one with it.
			name:    "Cipher_Win10PolicyOnlyECDSA_action",
			facts:   w10().sz(ItemCipherPolicy, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256").build(),
			verdict: Action,
			ids:     []string{IDCipherNoneAccepted, IDOfficeInfo},
			ev:      []ev{{IDCipherNoneAccepted, Evidence{Name: "TLS 1.2 cipher suites enabled", Value: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}}},
		},
		{
			// ECDHE_RSA with a SHA-1 MAC is on Microsoft 365's list but not Azure Front Door's.
			name:    "Cipher_Win7PolicyECDHESHA1_warning",
			facts:   w7().sz(ItemCipherPolicy, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA_P384,TLS_RSA_WITH_3DES_EDE_CBC_SHA").build(),
			verdict: Ready,
			ids:     []string{IDCipherOnlyRetiring, IDOfficeInfo},
			ev: []ev{{IDCipherOnlyRetiring, Evidence{Name: "TLS 1.2 cipher suites enabled", Value: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA"}},
				{IDCipherOnlyRetiring, Evidence{Name: "TLS 1.2 cipher suites Microsoft 365 accepts", Value: clip("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_GCM_SHA384, TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_256_CBC_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA256, TLS_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA")}}},
			txt: []txt{{IDCipherOnlyRetiring, "only TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA remain", false}},
		},
		{
			// The DHE suites Microsoft 365 points Windows 7 to were retired by Azure Front Door.
			name:    "Cipher_Win7PolicyOnlyDHE_action",
			facts:   w7().sz(ItemCipherPolicy, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,TLS_DHE_RSA_WITH_AES_128_GCM_SHA256").build(),
			verdict: Action,
			ids:     []string{IDCipherNoneAccepted, IDOfficeInfo},
			ev:      []ev{{IDCipherNoneAccepted, Evidence{Name: "TLS 1.2 cipher suites enabled", Value: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"}}},
			txt: []txt{{IDCipherNoneAccepted, "Microsoft's pages disagree: the Microsoft 365 encryption reference says DHE suites (TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 and TLS_DHE_RSA_WITH_AES_128_GCM_SHA256)", false},
				{IDCipherNoneAccepted, "first in the cipher suite order: TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P384.", false},
				{IDCipherNoneAccepted, "2026-04-01", false}, {IDCipherNoneAccepted, "https://learn.microsoft.com/azure/frontdoor/diffie-hellman-ciphers", false}},
		},
		{
			// Windows 10 20H2 still enables DHE and 3DES by default (its own page): with ECDH off,
			// the RSA suites keep it at a warning and DHE is not on Microsoft 365's list.
			name:    "Cipher_Win10v20H2ECDHDisabled_warning",
			facts:   w10().ver("10.0.19042").dword(ItemSchannelAlgPrefix+"ecdh", 0).build(),
			verdict: Ready,
			ids:     []string{IDCipherOnlyRetiring, IDOfficeInfo},
			ev:      []ev{{IDCipherOnlyRetiring, Evidence{Key: KeySchannel + `\KeyExchangeAlgorithms\ECDH`, Name: "Enabled", Value: "0x00000000 (0)"}}},
			txt: []txt{{IDCipherOnlyRetiring, "are TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_256_GCM_SHA384", false},
				{IDCipherOnlyRetiring, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", false}, {IDCipherOnlyRetiring, "tls-cipher-suites-in-windows-10-v20h2", false}},
		},
		{
			// Server 2019 (build 17763) has its own list; with ECDH and RSA key exchange off only
			// DHE is left.
			name:    "Cipher_Server2019OnlyDHE_action",
			facts:   w10().ver("10.0.17763").dword(ItemSchannelAlgPrefix+"ecdh", 0).dword(ItemSchannelAlgPrefix+"pkcs", 0).build(),
			verdict: Action,
			ids:     []string{IDCipherNoneAccepted, IDOfficeInfo},
			ev:      []ev{{IDCipherNoneAccepted, Evidence{Key: KeySchannel + `\KeyExchangeAlgorithms\PKCS`, Name: "Enabled", Value: "0x00000000 (0)"}}},
			txt: []txt{{IDCipherNoneAccepted, "are TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 and TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, and", false},
				{IDCipherNoneAccepted, "tls-cipher-suites-in-windows-10-v1809", false}, {IDCipherNoneAccepted, "Microsoft's pages disagree", false}},
		},
		{
			// Windows 10 22H2 supports DHE without enabling it: a policy that lists it enables it.
			name:    "Cipher_Win10PolicyDHENotByDefault_action",
			facts:   w10().sz(ItemCipherPolicy, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384").build(),
			verdict: Action,
			ids:     []string{IDCipherNoneAccepted, IDOfficeInfo},
			ev:      []ev{{IDCipherNoneAccepted, Evidence{Name: "TLS 1.2 cipher suites enabled", Value: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"}}},
		},
		{
			name:    "Cipher_Win10LocalOrderOnly3DES_action",
			facts:   w10().reg(ItemCipherLocal, facts.StateOK, facts.RegMultiSZ, "TLS_RSA_WITH_3DES_EDE_CBC_SHA\nTLS_RSA_WITH_NULL_SHA").build(),
			verdict: Action,
			ids:     []string{IDCipherNoneAccepted, IDOfficeInfo},
			ev:      []ev{{IDCipherNoneAccepted, Evidence{Key: KeyCipherLocal, Name: "Functions", Type: facts.RegMultiSZ}}},
			txt:     []txt{{IDCipherNoneAccepted, "local cipher suite order", false}},
		},
	}...)
}

// net4All sets the four .NET 4 TLS values to n.
func net4All(b *fb, n uint32) *fb {
	for _, v := range []string{"64", "32"} {
		for _, name := range []string{"strongcrypto", "systemdefault"} {
			b = b.dword(NetItem("v4", v, name), n)
		}
	}
	return b
}

const (
	o16msi = `C:\Program Files (x86)\Microsoft Office\Office16\OUTLOOK.EXE`
	o14    = `C:\Program Files\Microsoft Office\Office14\OUTLOOK.EXE`
	o12    = `C:\Program Files\Microsoft Office\Office12\OUTLOOK.EXE`
)

var officeEvC2ROld = ev{IDOfficeInfo, Evidence{Path: o16x64, Value: "16.0.8067.2157"}}

// testBoot is the boot time of the restart cases.
var testBoot = time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)

func TestEvaluate(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range evalCases() {
		t.Run(tc.name, func(t *testing.T) {
			if seen[tc.name] {
				t.Fatalf("duplicate case name")
			}
			seen[tc.name] = true
			if len(tc.ev) == 0 {
				t.Fatalf("case asserts no evidence")
			}
			v, fs := Check(tc.facts)
			if v != tc.verdict {
				t.Errorf("verdict %s, want %s", v, tc.verdict)
			}
			if got := ids(fs); !slices.Equal(got, tc.ids) {
				t.Errorf("finding ids %v, want %v", got, tc.ids)
			}
			for _, w := range tc.ev {
				if !hasEvidence(fs, w) {
					t.Errorf("%s: no evidence %+v; findings:\n%s", w.id, w.e, dump(fs))
				}
			}
			for _, w := range tc.txt {
				f, ok := findingByID(fs, w.id)
				if !ok {
					t.Errorf("no %s finding", w.id)
					continue
				}
				all := f.Title + "\n" + f.Detail + "\n" + f.Remediation
				if got := strings.Contains(all, w.s); got == w.not {
					t.Errorf("%s: contains %q = %v, want %v; texts:\n%s", w.id, w.s, got, !w.not, all)
				}
			}
			for _, w := range tc.faq {
				f, _ := findingByID(fs, w.id)
				if !slices.Contains(f.FAQ, w.q) {
					t.Errorf("%s: FAQ %v lacks %s", w.id, f.FAQ, w.q)
				}
			}
			checkInvariants(t, tc.facts, fs)
		})
	}
}

// TestEveryFAQAnswerHasACase keeps the table honest: each answer Q2-Q15 (and Q17) has a case.
func TestEveryFAQAnswerHasACase(t *testing.T) {
	for _, q := range []string{"Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Q10", "Q11", "Q12", "Q13", "Q14", "Q15", "Q17"} {
		found := false
		for _, tc := range evalCases() {
			for _, part := range strings.Split(tc.name, "_") {
				if part == q {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no case named after %s", q)
		}
	}
}

func TestEvaluateNilAndEmptyFacts(t *testing.T) {
	for name, f := range map[string]*facts.Facts{"nil": nil, "empty": {}} {
		v, fs := Check(f)
		if v != Unknown {
			t.Errorf("%s: verdict %s, want unknown", name, v)
		}
		if _, ok := findingByID(fs, IDOSVersionUnknown); !ok {
			t.Errorf("%s: no %s in %v", name, IDOSVersionUnknown, ids(fs))
		}
		if _, ok := findingByID(fs, IDDSPUnreadable); !ok {
			t.Errorf("%s: no %s in %v", name, IDDSPUnreadable, ids(fs))
		}
	}
}

func hasEvidence(fs []Finding, w ev) bool {
	for _, f := range fs {
		if f.ID != w.id {
			continue
		}
		for _, e := range f.Evidence {
			if (w.e.Key == "" || e.Key == w.e.Key) && (w.e.View == "" || e.View == w.e.View) &&
				(w.e.Name == "" || e.Name == w.e.Name) && (w.e.Type == "" || e.Type == w.e.Type) &&
				(w.e.Path == "" || e.Path == w.e.Path) && (w.e.Value == "" || e.Value == w.e.Value) {
				return true
			}
		}
	}
	return false
}

func findingByID(fs []Finding, id string) (Finding, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return Finding{}, false
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.ID + "\n")
		for _, e := range f.Evidence {
			b.WriteString("    " + e.Key + " | " + e.View + " | " + e.Name + " | " + e.Type + " | " + e.Path + " | " + e.Value + "\n")
		}
	}
	return b.String()
}

// BenchmarkEvaluate judges every evaluation case once per iteration.
func BenchmarkEvaluate(b *testing.B) {
	cases := evalCases()
	for b.Loop() {
		for _, tc := range cases {
			Evaluate(tc.facts)
		}
	}
	// After the loop: b.Loop resets what was reported before it.
	b.ReportMetric(float64(len(cases)), "hosts/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cases))/1000, "us/host")
}
