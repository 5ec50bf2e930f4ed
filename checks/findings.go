package checks

// Finding ids. They are stable: results files, reports and golden files name findings by them.
// FindingTypes lists them all with their severity.
const (
	// IDOSUnsupported: Windows 7 / Server 2008 R2 without SP1, Windows 8, Server 2008, Vista or
	// older cannot get TLS 1.2 in WinHTTP (Q2).
	IDOSUnsupported = "OS_UNSUPPORTED"
	// IDOSUnsupportedRecorded: the host could not be reached, but the operating system its
	// directory record names (Active Directory's operatingSystem attributes) is certainly one
	// that cannot get TLS 1.2 in WinHTTP (Q2). See RecordedOSUnsupported.
	IDOSUnsupportedRecorded = "OS_UNSUPPORTED_RECORDED"
	// IDOSVersionUnknown: the Windows release could not be told from Win32_OperatingSystem.
	IDOSVersionUnknown = "OS_VERSION_UNKNOWN"
	// IDCollector32Bit: the collector ran in 32-bit PowerShell on 64-bit Windows, so its registry
	// and System32 reads were redirected; they are not judged.
	IDCollector32Bit = "COLLECTOR_32BIT_PROCESS"

	// IDKBMissing: webio.dll or winhttp.dll is older than the KB3140245 version (Q13).
	IDKBMissing = "KB3140245_MISSING"
	// IDKBUnverified: a DLL version could not be read, so KB3140245 cannot be verified.
	IDKBUnverified = "KB3140245_UNVERIFIED"

	// IDDSPNoTLS12: DefaultSecureProtocols is a REG_DWORD without 0x800 in a view that applies.
	IDDSPNoTLS12 = "DSP_NO_TLS12"
	// IDDSPDefaultNoTLS12: DefaultSecureProtocols is absent where the OS default lacks TLS 1.2.
	IDDSPDefaultNoTLS12 = "DSP_DEFAULT_NO_TLS12"
	// IDDSPNotDWORD: DefaultSecureProtocols is not a REG_DWORD; WinHTTP ignores it.
	IDDSPNotDWORD = "DSP_NOT_DWORD"
	// IDDSPSSL3: DefaultSecureProtocols allows SSL 3.0 (POODLE, Q4).
	IDDSPSSL3 = "DSP_SSL3"
	// IDDSPUnreadable: DefaultSecureProtocols could not be read in a view that applies.
	IDDSPUnreadable = "DSP_UNREADABLE"

	// IDSchannelDisabled: SCHANNEL TLS 1.2 Client Enabled is 0 (Q8).
	IDSchannelDisabled = "SCHANNEL_TLS12_DISABLED"
	// IDSchannelDisabledByDefault: TLS 1.2 is not part of SCHANNEL's default negotiation (Q8).
	IDSchannelDisabledByDefault = "SCHANNEL_DISABLED_BY_DEFAULT"
	// IDSchannelNotDWORD: Enabled or DisabledByDefault is not a REG_DWORD; SCHANNEL ignores it.
	IDSchannelNotDWORD = "SCHANNEL_NOT_DWORD"
	// IDSchannelUnreadable: SCHANNEL TLS 1.2 Client Enabled could not be read.
	IDSchannelUnreadable = "SCHANNEL_UNREADABLE"
	// IDSchannelDBDUnreadable: DisabledByDefault could not be read (it only feeds advice).
	IDSchannelDBDUnreadable = "SCHANNEL_DBD_UNREADABLE"

	// IDWinINetNoTLS12: the SecureProtocols value WinINet uses for some user lacks 0x800 (Q17).
	IDWinINetNoTLS12 = "WININET_NO_TLS12"
	// IDWinINetIEDefaultNoTLS12: no SecureProtocols applies and the IE 8-10 default lacks TLS 1.2.
	IDWinINetIEDefaultNoTLS12 = "WININET_IE_DEFAULT_NO_TLS12"
	// IDWinINetSSL3: the SecureProtocols value WinINet uses allows SSL 3.0.
	IDWinINetSSL3 = "WININET_SSL3"
	// IDWinINetNotDWORD: a SecureProtocols value is not a REG_DWORD; WinINet ignores it.
	IDWinINetNotDWORD = "WININET_NOT_DWORD"
	// IDWinINetUnreadable: a SecureProtocols value WinINet would use could not be read.
	IDWinINetUnreadable = "WININET_UNREADABLE"
	// IDWinINetIEVersionUnknown: the IE default is needed but the IE version is not known.
	IDWinINetIEVersionUnknown = "WININET_IE_VERSION_UNKNOWN"
	// IDWinINetUsersNotSeen: no user hive was loaded, so per-user settings were not seen.
	IDWinINetUsersNotSeen = "WININET_USERS_NOT_SEEN"

	// IDRestartPending: tlsready fix changed DefaultSecureProtocols or a SCHANNEL value and the
	// host has not restarted since (or its boot time is unknown): the running programs and
	// services still use the old setting.
	IDRestartPending = "RESTART_PENDING"

	// IDOutlookTooOld: Outlook 2013 or later is older than the minimum build Microsoft 365
	// accepts (SourceOutlookMinimum): update Office.
	IDOutlookTooOld = "OUTLOOK_TOO_OLD"
	// IDOutlookUnsupported: Outlook 2010 or older cannot connect to Microsoft 365 at all
	// (SourceOutlookMinimum): replace Office.
	IDOutlookUnsupported = "OUTLOOK_UNSUPPORTED"

	// IDCipherNoneAccepted: TLS 1.2 is on, but none of the host's enabled TLS 1.2 cipher suites
	// is one Microsoft 365 accepts (SourceCipherM365); the DHE suites that Azure Front Door
	// retired on 2026-04-01 do not count (ciphersuites.json).
	IDCipherNoneAccepted = "CIPHER_NONE_ACCEPTED"
	// IDCipherOnlyRetiring: the only enabled suites Microsoft 365 accepts (SourceCipherM365) are
	// ones Azure Front Door, which some Microsoft 365 products sit behind, does not accept over
	// TLS 1.2 (RSA key exchange, ECDHE with a SHA-1 MAC); Microsoft's pages disagree about them.
	IDCipherOnlyRetiring = "CIPHER_ONLY_RETIRING"

	// IDDotNetWeakTLS: a .NET Framework runtime that is installed lacks SchUseStrongCrypto=1 or
	// SystemDefaultTlsVersions=1 in a registry view that applies (SourceDotNetTLS). Other
	// clients only (GroupOtherClients): it never changes Outlook's verdict.
	IDDotNetWeakTLS = "DOTNET_WEAK_TLS"
	// IDDotNet40NoTLS12: .NET Framework 4.0 without 4.5 or later cannot use TLS 1.2 at all
	// (SourceDotNetTLS). Other clients only.
	IDDotNet40NoTLS12 = "DOTNET40_NO_TLS12"

	// IDOfficeInfo: the Outlook version and Office bitness found, for the report only.
	IDOfficeInfo = "OFFICE_INFO"
	// IDOfficeNotFound: no OUTLOOK.EXE was found, for the report only.
	IDOfficeNotFound = "OFFICE_NOT_FOUND"
)

// FindingType describes one kind of finding: its stable id, its severity (a finding of this id
// always has it) and the FAQ questions its texts always cite. A finding may cite more questions
// where they apply to the host (for example Q7 on 64-bit Windows).
type FindingType struct {
	ID       string
	Severity Severity
	FAQ      []string
	// Source is the Microsoft page a finding beyond the FAQ rests on; its texts cite it. A type
	// has FAQ questions, a Source, or both.
	Source string
	// Group is "" for the findings about Outlook, GroupOtherClients for findings about other
	// Microsoft 365 clients on the same PC, or GroupProbe for the probe's, which a report shows
	// apart (a warning or info severity, so they never change the verdict).
	Group string
}

// GroupOtherClients is the FindingType.Group of findings about other Microsoft 365 clients on
// the PC (add-ins, Teams and OneDrive clients, admin tools on the .NET Framework).
const GroupOtherClients = "other-clients"

// SourceCipherM365 is Microsoft's encryption technical reference for Microsoft 365, which lists
// the TLS 1.2 cipher suites the service accepts (checks/ciphersuites.json).
const SourceCipherM365 = "https://learn.microsoft.com/purview/technical-reference-details-about-encryption"

// SourceDotNetTLS is Microsoft's "Transport Layer Security (TLS) best practices with .NET
// Framework" page, which the .NET rules follow.
const SourceDotNetTLS = "https://learn.microsoft.com/dotnet/framework/network-programming/tls"

// GroupOf returns the group of a finding id (FindingType.Group); "" for an unknown id.
func GroupOf(id string) string {
	t, _ := findingTypeOf(id)
	return t.Group
}

// SourceOutlookMinimum is the Microsoft page on which Office versions may connect to Microsoft
// 365 services; the minimum builds of rules_office.go follow it and Office's end-of-support pages
// (https://learn.microsoft.com/deployoffice/endofsupport/resources).
const SourceOutlookMinimum = "https://learn.microsoft.com/microsoft-365-apps/end-of-support/microsoft-365-services-connectivity"

// findingTypes is the one table of finding ids, in the order findings are sorted: by severity,
// then by id.
var findingTypes = []FindingType{
	{IDOSUnsupported, SeverityUnsupported, []string{"Q2"}, "", ""},
	{IDOSUnsupportedRecorded, SeverityUnsupported, []string{"Q2"}, "", ""},
	{IDOutlookUnsupported, SeverityUnsupported, nil, SourceOutlookMinimum, ""},

	{IDCipherNoneAccepted, SeverityAction, nil, SourceCipherM365, ""},
	{IDDSPDefaultNoTLS12, SeverityAction, []string{"Q3", "Q4", "Q5", "Q6", "Q14"}, "", ""},
	{IDDSPNoTLS12, SeverityAction, []string{"Q3", "Q4", "Q5", "Q6", "Q14"}, "", ""},
	{IDKBMissing, SeverityAction, []string{"Q13", "Q9", "Q10", "Q11", "Q12", "Q15"}, "", ""},
	{IDOutlookTooOld, SeverityAction, nil, SourceOutlookMinimum, ""},
	{IDRestartPending, SeverityAction, []string{"Q8"}, "", ""},
	{IDSchannelDisabled, SeverityAction, []string{"Q8"}, "", ""},
	{IDWinINetIEDefaultNoTLS12, SeverityAction, []string{"Q17"}, "", ""},
	{IDWinINetNoTLS12, SeverityAction, []string{"Q17"}, "", ""},

	{IDCollector32Bit, SeverityUnknown, []string{"Q6"}, "", ""},
	{IDDSPUnreadable, SeverityUnknown, []string{"Q3", "Q6"}, "", ""},
	{IDKBUnverified, SeverityUnknown, []string{"Q13", "Q12", "Q9", "Q10"}, "", ""},
	{IDOSVersionUnknown, SeverityUnknown, []string{"Q2", "Q3", "Q13"}, "", ""},
	{IDSchannelUnreadable, SeverityUnknown, []string{"Q8"}, "", ""},
	{IDWinINetIEVersionUnknown, SeverityUnknown, []string{"Q17"}, "", ""},
	{IDWinINetUnreadable, SeverityUnknown, []string{"Q17"}, "", ""},

	{IDCipherOnlyRetiring, SeverityWarning, nil, SourceCipherM365, ""},
	{IDDotNet40NoTLS12, SeverityWarning, nil, SourceDotNetTLS, GroupOtherClients},
	{IDDotNetWeakTLS, SeverityWarning, nil, SourceDotNetTLS, GroupOtherClients},
	{IDDSPNotDWORD, SeverityWarning, []string{"Q3", "Q14"}, "", ""},
	{IDDSPSSL3, SeverityWarning, []string{"Q4", "Q5"}, "", ""},
	{IDProbeFailed, SeverityWarning, nil, SourceProbeTLS12, GroupProbe},
	{IDProbeIntercepted, SeverityWarning, nil, SourceM365Chains, GroupProbe},
	{IDSchannelDisabledByDefault, SeverityWarning, []string{"Q8"}, "", ""},
	{IDSchannelNotDWORD, SeverityWarning, []string{"Q8"}, "", ""},
	{IDWinINetNotDWORD, SeverityWarning, []string{"Q17"}, "", ""},
	{IDWinINetSSL3, SeverityWarning, []string{"Q17", "Q4"}, "", ""},

	{IDOfficeInfo, SeverityInfo, []string{"Q16"}, "", ""},
	{IDOfficeNotFound, SeverityInfo, []string{"Q16"}, "", ""},
	{IDProbeNeedsShell, SeverityInfo, nil, SourceProbeTLS12, GroupProbe},
	{IDProbeOK, SeverityInfo, nil, SourceProbeTLS12, GroupProbe},
	{IDSchannelDBDUnreadable, SeverityInfo, []string{"Q8"}, "", ""},
	{IDWinINetUsersNotSeen, SeverityInfo, []string{"Q17"}, "", ""},
}

// FindingTypes lists every finding id with its severity, sorted as findings are (by severity,
// then id), so that a report can enumerate them. It returns a new slice on each call.
func FindingTypes() []FindingType {
	out := make([]FindingType, len(findingTypes))
	for i, t := range findingTypes {
		if t.FAQ != nil {
			t.FAQ = append([]string(nil), t.FAQ...)
		}
		out[i] = t
	}
	return out
}

// findingTypeOf returns the table entry of an id; ok is false for an id not in the table.
func findingTypeOf(id string) (FindingType, bool) {
	for _, t := range findingTypes {
		if t.ID == id {
			return t, true
		}
	}
	return FindingType{}, false
}

// severityRank orders severities from the strongest, for sorting.
func severityRank(s Severity) int {
	switch s {
	case SeverityUnsupported:
		return 0
	case SeverityAction:
		return 1
	case SeverityUnknown:
		return 2
	case SeverityWarning:
		return 3
	case SeverityInfo:
		return 4
	}
	return 5
}
