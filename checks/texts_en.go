package checks

// english is every English text of the package: the title, detail and remediation of each
// finding, keyed by finding id, and the phrases rules assemble into placeholders. Q numbers refer
// to the FAQ (DESIGN.md); the tests check that each finding's FAQ list and the questions its
// texts cite are the same.
var english = catalogue{
	findings: map[string]findingText{
		IDOSUnsupported: {
			Title: `{os} cannot use TLS 1.2 in WinHTTP: replace the OS`,
			Detail: `This host runs {os} (version {version}). KB3140245, which adds TLS 1.2 to WinHTTP, cannot be ` +
				`installed on it, so Outlook cannot connect once Office 365 accepts only TLS 1.2, whatever the ` +
				`registry says (Q2). KB4019276 adds TLS 1.2 to SCHANNEL only, not to WinHTTP.`,
			Remediation: `{target} (Q2).`,
		},
		IDOSUnsupportedRecorded: {
			Title: `{os} (recorded in {source}) cannot use TLS 1.2 in WinHTTP: replace the OS`,
			Detail: `The host could not be checked, but {source} records its operating system as {os} ` +
				`(version {version}): {why}. KB3140245, which adds TLS 1.2 to WinHTTP, cannot be installed on ` +
				`such a release, so Outlook cannot connect once Office 365 accepts only TLS 1.2, whatever the ` +
				`registry says (Q2). Windows updates this record itself when it starts, so it is rarely stale.`,
			Remediation: `Replace or upgrade the operating system (Q2); scan the host again once it is reachable to ` +
				`confirm.`,
		},
		IDOSVersionUnknown: {
			Title: `Windows release not recognised`,
			Detail: `Win32_OperatingSystem reported version "{version}" and product type {producttype}, from which ` +
				`the Windows release could not be told. The rules that depend on it (unsupported releases, ` +
				`KB3140245, the WinHTTP default) were not applied; explicit settings were still judged.`,
			Remediation: `Check the host by hand: Windows 7 without SP1, Windows 8 and Windows Server 2008 cannot use ` +
				`TLS 1.2 in WinHTTP (Q2); Windows 7 SP1, Server 2008 R2 SP1 and Server 2012 need KB3140245 (Q13) ` +
				`and DefaultSecureProtocols with TLS 1.2 (Q3); Windows 8.1, Server 2012 R2 and later use TLS 1.2 ` +
				`in WinHTTP by default (Q3).`,
		},
		IDCollector32Bit: {
			Title: `Collector ran in 32-bit PowerShell: host not judged`,
			Detail: `The collector ran in a 32-bit PowerShell on 64-bit Windows, so Windows redirected its ` +
				`HKLM\SOFTWARE reads to the 32-bit registry view (Wow6432Node) and System32 to SysWOW64. The ` +
				`values and DLL versions it reported are not those of the 64-bit view and the native DLLs, and ` +
				`on 64-bit Windows both views matter (Q6), so they were not judged. tlsready runs powershell.exe in ` +
				`the WinRM command shell (cmd.exe), which starts the 64-bit PowerShell unless the host's environment ` +
				`sends it to C:\Windows\SysWOW64.`,
			Remediation: `On the host, check that the system variables Path and ComSpec name C:\Windows\System32 (not ` +
				`C:\Windows\SysWOW64) and that no other powershell.exe comes first in Path, then scan again. ` +
				`"winrs -r:<host> set" shows the environment of a WinRM command shell: in a 32-bit one ` +
				`PROCESSOR_ARCHITECTURE is x86 and PROCESSOR_ARCHITEW6432 is AMD64.`,
		},

		IDKBMissing: {
			Title: `KB3140245 not installed: WinHTTP cannot use TLS 1.2`,
			Detail: `System32 DLLs older than {threshold}, the version KB3140245 installs: {files}. Without the update, WinHTTP ` +
				`on {os} cannot use TLS 1.2, whatever DefaultSecureProtocols says. The file versions are the proof ` +
				`that counts; the list of installed updates is not (Q12, Q13).{trap}`,
			Remediation: `Install KB3140245 for {os} from Windows Update or the Microsoft Update Catalog. WSUS ` +
				`classifies it as "Updates", not "Critical Updates": approve the Updates classification, or import ` +
				`KB3140245 from the Microsoft Update Catalog and approve it (Q9). Windows Update offers it as a ` +
				`"Recommended" update: it installs only if "Give me recommended updates the same way I receive ` +
				`important updates" is on (Q10). The Download button on the KB3140245 support page is an Easy Fix ` +
				`that only writes the registry; it does not install the update (Q11). When the FAQ was written no ` +
				`rollup carried newer versions of both files, so monthly updates were no substitute; what counts ` +
				`is the file versions, whichever update brought them (Q12). Afterwards both System32\webio.dll and ` +
				`System32\winhttp.dll must be at least {threshold} (Q13). The update and DefaultSecureProtocols ` +
				`are both needed; which comes first does not matter (Q15).`,
		},
		IDKBUnverified: {
			Title: `KB3140245 could not be verified`,
			Detail: `The version of a System32 DLL could not be read: {files}. Whether KB3140245 is installed on {os} is ` +
				`unknown. Only the file versions prove it; the list of installed updates does not (Q12, Q13).`,
			Remediation: `On the host, run (Get-Item C:\Windows\System32\webio.dll).VersionInfo and the same for ` +
				`winhttp.dll, and read FileMajorPart.FileMinorPart.FileBuildPart.FilePrivatePart: both must be at ` +
				`least {threshold} (Q13). If either is older, install KB3140245 through WSUS (classification ` +
				`"Updates", Q9) or Windows Update (a "Recommended" update, Q10).`,
		},

		IDDSPDefaultNoTLS12: {
			Title: `DefaultSecureProtocols not set: the {os} WinHTTP default lacks TLS 1.2`,
			Detail: `WinHTTP finds no usable DefaultSecureProtocols: {seen}. So it uses the {os} default, ` +
				`SSL 3.0 + TLS 1.0 (Q3). Outlook's WinHTTP connections to Exchange Online, and BITS downloads of ` +
				`the offline address book, will not use TLS 1.2.`,
			Remediation: `{fix}`,
		},
		IDDSPNoTLS12: {
			Title: `DefaultSecureProtocols excludes TLS 1.2`,
			Detail: `DefaultSecureProtocols is set without TLS 1.2 (0x800): {seen}. WinHTTP offers only the ` +
				`versions in this value (SSL 3.0 0x20, TLS 1.0 0x80, TLS 1.1 0x200, TLS 1.2 0x800), so Outlook's ` +
				`WinHTTP connections will not use TLS 1.2 on any Windows release (Q3).`,
			Remediation: `{fix}`,
		},
		IDDSPNotDWORD: {
			Title: `DefaultSecureProtocols is not a REG_DWORD: WinHTTP ignores it`,
			Detail: `{seen}: WinHTTP reads DefaultSecureProtocols only as a REG_DWORD, so it ignores this value ` +
				`and uses the OS default; it was judged as absent (Q3).`,
			Remediation: `Delete the value in {keys} and create it again as a REG_DWORD, such as 0x00000a00 ` +
				`(2560); in a Group Policy Preferences registry item choose Value type REG_DWORD (Q14).`,
		},
		IDDSPSSL3: {
			Title: `DefaultSecureProtocols allows SSL 3.0`,
			Detail: `{seen}: the SSL 3.0 bit (0x20) is set. SSL 3.0 is vulnerable to POODLE (Q4); this does ` +
				`not stop WinHTTP from using TLS 1.2.`,
			Remediation: `Clear the SSL 3.0 bit in {keys}: set 0x00000a00 (2560), or 0x00000a80 (2688) if WinHTTP ` +
				`must still reach servers that speak only TLS 1.0 (Q4, Q5).`,
		},
		IDDSPUnreadable: {
			Title:  `DefaultSecureProtocols could not be read`,
			Detail: `Reading DefaultSecureProtocols failed: {seen}. Whether WinHTTP offers TLS 1.2 is unknown (Q3).`,
			Remediation: `Scan with an account that is a local administrator on the host, or check the value ` +
				`there with reg query; each key that applies ({keys}) must include TLS 1.2 (Q6).`,
		},

		IDSchannelDisabled: {
			Title: `SCHANNEL: TLS 1.2 client disabled (Enabled=0)`,
			Detail: `{seen}: Enabled=0 turns TLS 1.2 off for every client on this host, WinHTTP and WinINet ` +
				`included, whatever DefaultSecureProtocols or Internet Options say (Q8).`,
			Remediation: `Delete the Enabled value under {key}, or set it to 1 (REG_DWORD), and restart the host: ` +
				`SCHANNEL reads these settings at start-up (Q8). Find what set it (a GPO, a hardening script or ` +
				`tool), or it will come back.`,
		},
		IDSchannelDisabledByDefault: {
			Title: `SCHANNEL: TLS 1.2 not in the default negotiation (DisabledByDefault)`,
			Detail: `{state} Programs that leave the TLS versions to SCHANNEL will not use TLS 1.2. Outlook's ` +
				`connections to Exchange are not blocked by this: WinHTTP with DefaultSecureProtocols and WinINet ask ` +
				`for TLS 1.2 explicitly. But Outlook's POP, IMAP and SMTP accounts use SCHANNEL directly, as other ` +
				`SCHANNEL clients on the host do, and they will not use TLS 1.2; KB3140245 ` +
				`(support.microsoft.com/help/3140245) says that Office applications need these SCHANNEL settings (Q8).`,
			Remediation: `Set DisabledByDefault to 0 (REG_DWORD) under {key} and restart the host: SCHANNEL reads it ` +
				`at start-up (Q8, KB3140245).{tool} 0 means TLS 1.2 takes part in the default negotiation and 1 ` +
				`means it does not; the FAQ's bullet list states these the wrong way round, its following paragraph ` +
				`is right.`,
		},
		IDSchannelNotDWORD: {
			Title: `SCHANNEL: {name} is not a REG_DWORD`,
			Detail: `{seen}: SCHANNEL reads {name} only as a REG_DWORD, so it ignores this value; it was judged ` +
				`as absent (Q8).`,
			Remediation: `Delete {name} under {key}, or create it again as a REG_DWORD (Enabled 1, ` +
				`DisabledByDefault 0), and restart the host (Q8).`,
		},
		IDSchannelUnreadable: {
			Title: `SCHANNEL: TLS 1.2 client Enabled could not be read`,
			Detail: `{seen}. Enabled=0 would turn TLS 1.2 off for every client, so the verdict cannot be given ` +
				`without it (Q8).`,
			Remediation: `Scan with an account that is a local administrator on the host, or check the value ` +
				`there: reg query "{key}" /v Enabled (Q8).`,
		},
		IDSchannelDBDUnreadable: {
			Title: `SCHANNEL: DisabledByDefault could not be read`,
			Detail: `{seen}. DisabledByDefault only decides whether TLS 1.2 is in the default negotiation of ` +
				`programs that do not choose TLS versions; it does not change the verdict (Q8).`,
		},

		IDWinINetNoTLS12: {
			Title: `WinINet SecureProtocols excludes TLS 1.2 ({scope})`,
			Detail: `{seen} is the SecureProtocols value WinINet uses for {applies}, and it lacks TLS 1.2 ` +
				`(0x800). Outlook uses WinINet for Office sign-in and modern authentication, SharePoint and RSS ` +
				`feeds; those connections will not use TLS 1.2 (Q17).`,
			Remediation: `{fix} (Q17).`,
		},
		IDWinINetIEDefaultNoTLS12: {
			Title: `WinINet uses the Internet Explorer {ie} default, without TLS 1.2`,
			Detail: `No SecureProtocols value applies to {applies}, and Internet Explorer {ie} is installed ` +
				`({seen}), so WinINet uses its default: SSL 3.0 + TLS 1.0 (0xA0), without TLS 1.2. Outlook's ` +
				`WinINet connections (Office sign-in, modern authentication, SharePoint) will not use TLS 1.2. ` +
				`The Internet Explorer 11 default, 0xA80 (TLS 1.0 + 1.1 + 1.2), includes it (Q17).`,
			Remediation: `Install Internet Explorer 11, whose default includes TLS 1.2. Or: {fix} (Q17).`,
		},
		IDWinINetSSL3: {
			Title: `WinINet allows SSL 3.0 ({scope})`,
			Detail: `{seen} is the SecureProtocols value WinINet uses for {applies}, and it has SSL 3.0 (0x20) ` +
				`on. SSL 3.0 is vulnerable to POODLE (Q4); this does not stop WinINet from using TLS 1.2 (Q17).`,
			Remediation: `Turn SSL 3.0 off. {fix} (Q17).`,
		},
		IDWinINetNotDWORD: {
			Title: `WinINet SecureProtocols is not a REG_DWORD ({scope})`,
			Detail: `{seen}: WinINet reads SecureProtocols only as a REG_DWORD, so it ignores this value for ` +
				`{applies}; it was judged as absent (Q17).`,
			Remediation: `Delete the value, or create it again as a REG_DWORD. {fix} (Q17).`,
		},
		IDWinINetUnreadable: {
			Title: `WinINet SecureProtocols could not be read ({scope})`,
			Detail: `{seen}: this value would decide which TLS versions WinINet uses for {applies}, so whether ` +
				`they include TLS 1.2 is unknown (Q17).`,
			Remediation: `Scan with an account that is a local administrator on the host, or check the value ` +
				`there; it must include TLS 1.2 (0x800) (Q17).`,
		},
		IDWinINetIEVersionUnknown: {
			Title: `WinINet default unknown: Internet Explorer version not found`,
			Detail: `No SecureProtocols value applies to {applies}, so WinINet uses the Internet Explorer ` +
				`default, but the Internet Explorer version could not be told ({seen}). On {os}, the defaults of ` +
				`Internet Explorer 8 to 10 lack TLS 1.2 and that of Internet Explorer 11 includes it (Q17).`,
			Remediation: `Check the Internet Explorer version on the host (Help > About Internet Explorer). If it ` +
				`is older than 11, install Internet Explorer 11. Or: {fix} (Q17).`,
		},
		IDWinINetUsersNotSeen: {
			Title: `Per-user WinINet settings not seen: no user signed in`,
			Detail: `No user hive was loaded under HKEY_USERS when the host was scanned, so per-user Internet ` +
				`Options and user policies could not be read; over WinRM, HKEY_CURRENT_USER is the scanning ` +
				`account's own hive, so it is not read, and that hive is not judged when it appears under ` +
				`HKEY_USERS. The machine settings were judged as they apply to a user ` +
				`without settings of their own; a user who turned "Use TLS 1.2" off would not be seen (Q17).`,
			Remediation: `To see per-user settings, scan again while the user is signed in (Q17).`,
		},

		IDRestartPending: {
			Title: `Registry changed by tlsready fix: restart pending`,
			Detail: `tlsready fix changed {values} at {changed}. {boot} DefaultSecureProtocols is read when a ` +
				`program loads WinHTTP and SCHANNEL reads its protocol settings when Windows starts, so Outlook, ` +
				`the BITS service (the offline address book) and every other running program keep the old ` +
				`setting until the host restarts (Q8).`,
			Remediation: `Restart the host (or at least Outlook and the services that use WinHTTP, such as BITS; ` +
				`SCHANNEL changes need a restart of Windows), then scan it again: the finding goes once the ` +
				`host has started after the change.`,
		},
		IDOutlookTooOld: {
			Title: `Outlook {version} is older than Microsoft 365 accepts`,
			Detail: `Outlook is build {version} ({line}). Microsoft 365 accepts this line of Outlook from ` +
				`build {min} on ({source}), so this Outlook does not connect to Exchange Online whatever the ` +
				`TLS settings: TLS 1.2 alone does not make it reach Microsoft 365.`,
			Remediation: `Update Office to build {min} or later (Windows Update / WSUS for MSI Office, the ` +
				`update channel for Click-to-Run), then scan again ({source}).`,
		},
		IDOutlookUnsupported: {
			Title: `Outlook {product} cannot connect to Microsoft 365`,
			Detail: `Outlook is build {version} (Outlook {product}). Outlook 2010 and earlier are not ` +
				`supported for connecting to Microsoft 365 and no update makes them so ({source}); the TLS ` +
				`settings of this host do not change that.`,
			Remediation: `Replace Office with Microsoft 365 Apps or a supported Office version ({source}).`,
		},
		IDCipherNoneAccepted: {
			Title: `No TLS 1.2 cipher suite in common with Microsoft 365`,
			Detail: `TLS 1.2 is on, but the TLS 1.2 cipher suites this host offers ({origin}, minus what ` +
				`SCHANNEL disables) are {enabled}, and Microsoft 365 accepts none of them: it accepts {m365} ` +
				`({source}). The handshake fails however TLS 1.2 is configured.{differ}`,
			Remediation: `Put the suites Microsoft 365 accepts that this host's Windows has first in the ` +
				`cipher suite order: {list}. Where a GPO sets the order, that is its "SSL Cipher Suite Order" ` +
				`(Computer Configuration > Administrative Templates > Network > SSL Configuration Settings), ` +
				`else the local order; enable the SCHANNEL Ciphers, Hashes and KeyExchangeAlgorithms keys ` +
				`those suites need, then restart the host. The kit (tlsready remediate) writes the SCHANNEL ` +
				`keys and the local order and names the GPO's list ({source}).`,
		},
		IDCipherOnlyRetiring: {
			Title: `Only TLS 1.2 cipher suites that not every Microsoft 365 service accepts`,
			Detail: `The TLS 1.2 cipher suites this host offers ({origin}, minus what SCHANNEL disables) ` +
				`are {enabled}; of Microsoft 365's list ({source}) only {weak} remain, suites without ` +
				`forward secrecy or with a SHA-1 MAC that Azure Front Door does not accept over TLS 1.2. ` +
				`Outlook reaches Exchange Online, but Microsoft 365 products behind Azure Front Door (Teams ` +
				`among them) fail the handshake.{differ}`,
			Remediation: `Put the suites Microsoft 365 accepts that this host's Windows has first in the ` +
				`cipher suite order (the GPO's "SSL Cipher Suite Order" where one sets it, else the local ` +
				`order): {list}; enable the SCHANNEL KeyExchangeAlgorithms ECDH key if it is off. The kit ` +
				`(tlsready remediate) writes the SCHANNEL keys and the local order and names the GPO's list ` +
				`({source}).`,
		},
		IDDotNetWeakTLS: {
			Title: `Other clients: {frameworks} not set to use TLS 1.2 for every app`,
			Detail: `Not 1: {seen}. Outlook's verdict does not depend on this, but add-ins, the Teams and ` +
				`OneDrive clients of that era and admin tools run on the .NET Framework, which chooses TLS ` +
				`itself: an app built for .NET Framework 4.5.2 or earlier offers only SSL 3.0 and TLS 1.0, and ` +
				`one built for 4.6.x does not follow Windows' protocols, unless SchUseStrongCrypto and ` +
				`SystemDefaultTlsVersions are 1 for its runtime and bitness ({source}).`,
			Remediation: `Set SchUseStrongCrypto and SystemDefaultTlsVersions to 1 (REG_DWORD) under ` +
				`HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319 and v2.0.50727, and their Wow6432Node ` +
				`twins on 64-bit Windows (the kit's .reg files, Group Policy Preferences and script do so; ` +
				`.NET 3.5 also needs its TLS 1.2 update), then restart the apps ({source}).`,
		},
		IDDotNet40NoTLS12: {
			Title: `Other clients: .NET Framework 4.0 cannot use TLS 1.2`,
			Detail: `{seen}: only .NET Framework 4.0 is installed, without 4.5 or later, and it cannot use ` +
				`TLS 1.2 at all. Outlook's verdict does not depend on this, but add-ins and admin tools on ` +
				`.NET 4 cannot reach Microsoft 365 ({source}).`,
			Remediation: `Install .NET Framework 4.8 (or 4.8.1), then set SchUseStrongCrypto and ` +
				`SystemDefaultTlsVersions to 1 ({source}).`,
		},
		IDOfficeInfo: {
			Title: `Outlook {product}, {bits}`,
			Detail: `Found {found}; Office bitness: {bits}. For information only: this does not change the ` +
				`verdict. The scan judges configuration; only a network capture shows the TLS version Outlook ` +
				`actually negotiates (Q16).{q7}`,
		},
		IDOfficeNotFound: {
			Title: `Outlook not found`,
			Detail: `No OUTLOOK.EXE was found through App Paths. For information only: the verdict covers the ` +
				`host's WinHTTP, SCHANNEL and WinINet settings, which Outlook would use. Only a network capture ` +
				`shows the TLS version Outlook actually negotiates (Q16).{q7}`,
		},
		IDProbeOK: {
			Title: `Probe: {protocol} handshake with {target} succeeded`,
			Detail: `The PC negotiated {protocol} with {target}: {cipher}{suites}; certificate {subject}, issued by ` +
				`{issuer}, chain root {root} ({thumbprint}){chain}. {judged} {via} {what} ({source})`,
		},
		IDProbeFailed: {
			Title:  `Probe: no TLS 1.2 handshake with {target} ({outcome})`,
			Detail: `{detail} Message: "{message}" (code {code}, after {elapsed} ms). {via} {what} ({source})`,
			Remediation: `Outlook on this PC probably cannot reach Microsoft 365 over TLS 1.2 either, ` +
				`whatever its configuration says: check the path from the PC (DNS, firewall, proxy, a ` +
				`middlebox that allows only older TLS) and SCHANNEL's TLS 1.2 client setting, then scan ` +
				`again with --probe ({source}).`,
		},
		IDProbeIntercepted: {
			Title: `Probe: TLS to {target} is intercepted (root {root})`,
			Detail: `The PC negotiated {protocol} with {target}, but the certificate it received ({subject}, ` +
				`issued by {issuer}) chains to {root} ({thumbprint}){chain}, which is not one of the roots ` +
				`Microsoft 365 uses ({source}): something between the PC and Microsoft 365, such as a ` +
				`TLS-inspecting proxy or firewall, terminates TLS, and Outlook's connection then depends on ` +
				`that device's TLS. {via} {what}`,
			Remediation: `Exempt Microsoft 365's endpoints from TLS inspection, as Microsoft advises ` +
				`(https://learn.microsoft.com/microsoft-365/enterprise/microsoft-365-network-connectivity-principles), ` +
				`or make sure the device offers TLS 1.2 both to the PC and to Microsoft 365 ({source}).`,
		},
		IDProbeNeedsShell: {
			Title: `Probe not run on this host: it needs the shell`,
			Detail: `The host was read over WMI ({reason}), which starts no process on it, so it could not ` +
				`attempt the TLS 1.2 handshake with {target}: the probe runs in the PowerShell collector. ` +
				`Scan it with --method shell --probe to probe it ({source}).`,
		},
	},

	phrases: map[string]string{
		"list.sep": `, `,
		"list.and": ` and `,

		// Evidence as a text shows it.
		"seen":            `{key}\{name} = {value}`,
		"seen.typed":      `{key}\{name} = {type} "{value}"`,
		"seen.view":       `{key}\{name} ({view} view) = {value}`,
		"seen.view.typed": `{key}\{name} ({view} view) = {type} "{value}"`,
		"seen.file":       `{path} {value}`,

		// Windows releases.
		"os.unknown":   `this Windows release`,
		"os.xp":        `Windows XP / Windows Server 2003 or older`,
		"os.vista":     `Windows Vista`,
		"os.2008":      `Windows Server 2008`,
		"os.7":         `Windows 7 without SP1`,
		"os.2008r2":    `Windows Server 2008 R2 without SP1`,
		"os.7sp1":      `Windows 7 SP1`,
		"os.2008r2sp1": `Windows Server 2008 R2 SP1`,
		"os.8":         `Windows 8`,
		"os.2012":      `Windows Server 2012`,
		"os.modern":    `Windows 8.1 / Server 2012 R2 or later`,

		// What an unsupported release must move to.
		"target.current": `Replace the operating system with a current Windows release`,
		"target.2008r2":  `Move the server to Windows Server 2008 R2 SP1 or later; better, to a current Windows Server release`,
		"target.sp1":     `Install Service Pack 1, then KB3140245 and DefaultSecureProtocols; better, move to a current Windows release`,
		"target.81":      `Upgrade to Windows 8.1 or later; better, to a current Windows release`,

		// KB3140245.
		"kb.trap": ` DefaultSecureProtocols already includes TLS 1.2 here but the DLLs are old: this is the known ` +
			`trap of the Download button on the KB3140245 page, an Easy Fix that writes only the registry and ` +
			`does not install the update (Q11).`,

		// DefaultSecureProtocols.
		"dsp.fix": `Set DefaultSecureProtocols to 0x00000a00 (2560: TLS 1.1 + TLS 1.2), type REG_DWORD, in {keys} ` +
			`(Q4, Q6); use 0x00000a80 (2688: TLS 1.0 + TLS 1.1 + TLS 1.2) instead if programs on this host must ` +
			`still reach servers that speak only TLS 1.0 through WinHTTP (Q5). With Group Policy, add one ` +
			`Preferences registry item per key under Computer Configuration > Preferences > Windows Settings > ` +
			`Registry: {gpo}; then run gpupdate /force on the host, or wait for the next policy refresh; a ` +
			`configuration-management tool can set the same values (Q14).{bothkeys}{needkb}`,
		"dsp.gpo.item": `[Action: Update; Hive: HKEY_LOCAL_MACHINE; Key Path: {keypath}; Value name: ` +
			`DefaultSecureProtocols; Value type: REG_DWORD; Value data: 0x00000a00 (decimal 2560)]`,
		"dsp.bothkeys": ` On 64-bit Windows both keys apply, even with 32-bit Office: 32-bit programs read the ` +
			`Wow6432Node key, and Outlook in cached mode downloads the offline address book through BITS, a ` +
			`64-bit service that uses WinHTTP (Q6, Q7).`,
		"dsp.needkb": ` The value takes effect only together with KB3140245; which comes first does not matter (Q15).`,

		// SCHANNEL DisabledByDefault.
		// Restart pending.
		"restart.boot.before":  `The host last started at {boot}, before that.`,
		"restart.boot.unknown": `The host did not report when it last started, so whether it has restarted since is unknown.`,

		"sch.dbd.absent":  `DisabledByDefault is not set under {key}; on {os} that behaves as 1.`,
		"sch.dbd.ignored": `{seen} is not a REG_DWORD, so SCHANNEL ignores it; on {os} that behaves as 1.`,
		"sch.dbd.set":     `{seen}: any value but 0 keeps TLS 1.2 out of the default negotiation.`,
		// What sets DisabledByDefault: tlsready's opt-in for Windows 7 / Server 2008 R2, or whatever
		// set it elsewhere.
		"sch.dbd.tool.absent": ` "tlsready remediate --win7-schannel" puts this value in the remediation kit and ` +
			`"tlsready fix --win7-schannel" writes it; without the flag neither touches SCHANNEL.`,
		"sch.dbd.tool.set": ` Find what set it (a GPO, a hardening script or tool), or it will come back.`,

		// WinINet: whose setting, who it applies to, how to fix it.
		"inet.scope.policy":     `machine policy`,
		"inet.scope.userpolicy": `user policy of {sid}`,
		"inet.scope.user":       `user {sid}`,
		"inet.scope.machine":    `machine setting`,

		"inet.applies.policy":     `every user (the machine policy overrides all user settings)`,
		"inet.applies.userpolicy": `user {sid} (a user policy overrides the user's own setting)`,
		"inet.applies.user":       `user {sid}`,
		"inet.applies.nousers":    `any user without a setting of their own`,
		"inet.applies.fallback":   `users without a setting of their own, among them {sids}`,

		"inet.fix.policy": `Change the computer policy that sets it: Computer Configuration > Administrative ` +
			`Templates > Windows Components > Internet Explorer > Internet Control Panel > Advanced Page > Turn ` +
			`off encryption support, Enabled, with a combination that includes TLS 1.2, such as "Use TLS 1.0, ` +
			`TLS 1.1, and TLS 1.2" (0xA80); then run gpupdate /force`,
		"inet.fix.userpolicy": `Change the user policy that sets it for {sid}: User Configuration > ` +
			`Administrative Templates > Windows Components > Internet Explorer > Internet Control Panel > ` +
			`Advanced Page > Turn off encryption support, Enabled, with a combination that includes TLS 1.2, ` +
			`such as "Use TLS 1.0, TLS 1.1, and TLS 1.2" (0xA80)`,
		"inet.fix.user": `For user {sid}, tick "Use TLS 1.2" in Internet Options > Advanced, or set ` +
			`SecureProtocols to 0x00000a80 (2688) under HKEY_CURRENT_USER\Software\Microsoft\Windows\` +
			`CurrentVersion\Internet Settings; to enforce it for everyone, enable the policy Turn off encryption ` +
			`support (Internet Explorer > Internet Control Panel > Advanced Page) with "Use TLS 1.0, TLS 1.1, ` +
			`and TLS 1.2"`,
		"inet.fix.machine": `Set SecureProtocols under HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\` +
			`CurrentVersion\Internet Settings to 0x00000a80 (2688: TLS 1.0 + 1.1 + 1.2), or enforce it with the ` +
			`computer policy Turn off encryption support (Internet Explorer > Internet Control Panel > Advanced ` +
			`Page) with "Use TLS 1.0, TLS 1.1, and TLS 1.2"`,

		// Office.
		"office.q7": ` On 64-bit Windows both WinHttp keys apply whatever Office's bitness: 32-bit Outlook reads ` +
			`the Wow6432Node key, and BITS, a 64-bit service, downloads the offline address book through the ` +
			`native key (Q7).`,
		"outlook.16":          `2016 or later (Microsoft 365 Apps, 2019, 2021, 2024)`,
		"outlook.15":          `2013`,
		"outlook.14":          `2010`,
		"outlook.12":          `2007`,
		"outlook.other":       `{version}`,
		"cipher.from.policy":  `the cipher suite order set by Group Policy`,
		"cipher.from.local":   `the local cipher suite order`,
		"cipher.from.default": `Windows' default list ({source})`,
		"cipher.differ.frontdoor": ` Microsoft's pages disagree: the Microsoft 365 encryption reference lists ` +
			`{weak} as supported with no removal date, while Azure Front Door ({frontdoor}), which the same ` +
			`reference says some Microsoft 365 products need, accepts none of them over TLS 1.2.`,
		"cipher.differ.dhe": ` Microsoft's pages disagree: the Microsoft 365 encryption reference says DHE ` +
			`suites ({dhe}) are provided through Azure Front Door for Windows 7, 8 and 8.1, but Azure Front ` +
			`Door stopped negotiating them on {date} ({retirement}).`,
		"outlook.line.c2r":  `Microsoft 365 Apps, Click-to-Run, which Microsoft 365 accepts from version 1706`,
		"outlook.line.msi":  `Office 2016 or later, Windows Installer (MSI)`,
		"outlook.line.2013": `Office 2013`,
		"bits.32":           `32-bit`,
		"bits.64":           `64-bit`,
		"bits.unknown":      `bitness unknown`,

		// The probe (rules_probe.go).
		"probe.reason.wmi": `--method wmi, or --method auto on a host that refused the shell`,
		"probe.what": `The probe is a SCHANNEL handshake made with .NET's SslStream asking for TLS 1.2 only, not a ` +
			`WinHTTP request: the WinHttp.WinHttpRequest COM object sets its own secure protocols ` +
			`(WinHttpRequestOption_SecureProtocols, https://learn.microsoft.com/windows/win32/winhttp/winhttprequestoption) ` +
			`and DefaultSecureProtocols does not change programs that set them (KB3140245), so it would not show ` +
			`what Outlook's WinHTTP does. The probe proves that SCHANNEL on this PC completes TLS 1.2 with the target ` +
			`and that the network path lets it through; it does not prove that WinHTTP's DefaultSecureProtocols or ` +
			`WinINet's SecureProtocols include TLS 1.2, which the configuration findings judge.`,
		"probe.via.direct": `It ran as the scanning account in the WinRM session and connected directly (no ` +
			`WinHTTP proxy is configured); the WinINet proxy or PAC file of the PC's users was not used.`,
		"probe.via.bypass": `It ran as the scanning account in the WinRM session and connected directly, as WinHTTP ` +
			`does for this target: the machine's WinHTTP proxy {proxy} is bypassed for it (its bypass list names the ` +
			`target, or its proxy list has no entry for https); the WinINet proxy or PAC file of the PC's users was not used.`,
		"probe.via.proxy": `It ran as the scanning account in the WinRM session through the machine's WinHTTP ` +
			`proxy {proxy}; the WinINet proxy or PAC file of the PC's users was not used.`,
		"probe.root.microsoft": `The root is one of Microsoft 365's ({chains}).`,
		"probe.root.notjudged": `{target} is not a Microsoft 365 name, so its root is reported, not judged.`,
		"probe.suites":         ` (the suite, which .NET does not name: {list})`,
		"probe.chain":          ` (chain status: {status})`,
		"probe.failed.noroute": `The PC could not reach {target}: the name did not resolve, or no TCP ` +
			`connection was made.`,
		"probe.failed.noroute.proxy": `The PC could not reach {target} directly, and users of the PC ` +
			`({users}) have a WinINet proxy or PAC file: it probably needs the proxy, which Outlook uses and ` +
			`the probe did not.`,
		"probe.failed.proxy": `The machine's WinHTTP proxy {proxy} refused the connection to {target} or ` +
			`asked for authentication.`,
		"probe.failed.refused": `The TCP connection to {target} was made, but the TLS 1.2 handshake failed: ` +
			`the other side (or a firewall or proxy on the path that allows only older TLS) refused it, or ` +
			`SCHANNEL on the PC offers no TLS 1.2 cipher suite it accepts.`,
		"probe.failed.error": `The probe could not run on the PC; under PowerShell 2.0 (.NET 2.0-3.5) TLS 1.2 ` +
			`needs the .NET TLS 1.2 update (KB3154518 on Windows 7 SP1, https://support.microsoft.com/help/3154518).`,
	},
	types: map[string]string{
		IDRestartPending:            `Registry changed by tlsready fix: restart pending`,
		IDOSUnsupported:             `Operating system cannot use TLS 1.2: replace it`,
		IDOSUnsupportedRecorded:     `OS recorded in AD cannot use TLS 1.2 (host not reached)`,
		IDOSVersionUnknown:          `Windows release not recognised`,
		IDCollector32Bit:            `Collector ran in 32-bit PowerShell: not judged`,
		IDKBMissing:                 `KB3140245 not installed`,
		IDKBUnverified:              `KB3140245 could not be verified`,
		IDDSPNoTLS12:                `DefaultSecureProtocols excludes TLS 1.2`,
		IDDSPDefaultNoTLS12:         `DefaultSecureProtocols missing; the default lacks TLS 1.2`,
		IDDSPNotDWORD:               `DefaultSecureProtocols is not a REG_DWORD`,
		IDDSPSSL3:                   `DefaultSecureProtocols allows SSL 3.0`,
		IDDSPUnreadable:             `DefaultSecureProtocols could not be read`,
		IDSchannelDisabled:          `SCHANNEL: TLS 1.2 client disabled`,
		IDSchannelDisabledByDefault: `SCHANNEL: TLS 1.2 not in the default negotiation`,
		IDSchannelNotDWORD:          `SCHANNEL value is not a REG_DWORD`,
		IDSchannelUnreadable:        `SCHANNEL TLS 1.2 setting could not be read`,
		IDSchannelDBDUnreadable:     `SCHANNEL DisabledByDefault could not be read`,
		IDWinINetNoTLS12:            `WinINet SecureProtocols excludes TLS 1.2`,
		IDWinINetIEDefaultNoTLS12:   `WinINet: Internet Explorer default without TLS 1.2`,
		IDWinINetSSL3:               `WinINet allows SSL 3.0`,
		IDWinINetNotDWORD:           `WinINet SecureProtocols is not a REG_DWORD`,
		IDWinINetUnreadable:         `WinINet SecureProtocols could not be read`,
		IDWinINetIEVersionUnknown:   `Internet Explorer version unknown`,
		IDWinINetUsersNotSeen:       `No user profile loaded: per-user settings not seen`,
		IDOfficeInfo:                `Outlook found`,
		IDCipherNoneAccepted:        `No TLS 1.2 cipher suite in common with Microsoft 365`,
		IDCipherOnlyRetiring:        `Only TLS 1.2 cipher suites not every Microsoft 365 service accepts`,
		IDDotNetWeakTLS:             `Other clients: .NET Framework not set to use TLS 1.2 for every app`,
		IDDotNet40NoTLS12:           `Other clients: .NET Framework 4.0 cannot use TLS 1.2`,
		IDOutlookTooOld:             `Outlook older than Microsoft 365 accepts`,
		IDOutlookUnsupported:        `Outlook 2010 or older: cannot connect to Microsoft 365`,
		IDOfficeNotFound:            `Outlook not found`,
		IDProbeOK:                   `Probe: TLS 1.2 handshake succeeded`,
		IDProbeFailed:               `Probe: no TLS 1.2 handshake with Microsoft 365`,
		IDProbeIntercepted:          `Probe: TLS intercepted (certificate not from Microsoft)`,
		IDProbeNeedsShell:           `Probe not run: read over WMI, needs the shell`,
	},
}
