package checks

import "github.com/tlsready/tlsready/facts"

// Registry keys and files the rules read. Both registry views are read by explicit paths: through
// WinRM, 64-bit PowerShell sees the 64-bit view, and Wow6432Node is the 32-bit view.
const (
	KeyWinHTTP64   = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	KeyWinHTTP32   = `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	KeySchannel12  = `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client`
	KeyInetPolicy  = `HKLM\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`
	KeyInetMachine = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings`
	// Per-user keys, read under every loaded user hive (HKU\<SID>\...).
	KeyInetUser       = facts.AllUserHives + `Software\Microsoft\Windows\CurrentVersion\Internet Settings`
	KeyInetUserPolicy = facts.AllUserHives + `Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`
	KeyIE             = `HKLM\SOFTWARE\Microsoft\Internet Explorer`
	KeyOutlookPath64  = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE`
	KeyOutlookPath32  = `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE`
	KeyOfficeC2R      = `HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration`
	FileWebio         = `%SystemRoot%\System32\webio.dll`
	FileWinHTTP       = `%SystemRoot%\System32\winhttp.dll`
)

// Item ids, stable: they name values in collected facts.
const (
	ItemWebio          = "webio"
	ItemWinHTTP        = "winhttp"
	ItemDSP64          = "dsp.64"
	ItemDSP32          = "dsp.32"
	ItemSchEnabled     = "schannel.tls12.enabled"
	ItemSchDisabledDef = "schannel.tls12.disabledbydefault"
	ItemInetPolicy     = "wininet.policy"
	ItemInetMachine    = "wininet.machine"
	ItemInetUser       = "wininet.user"
	ItemInetUserPolicy = "wininet.userpolicy"
	ItemIESvcVersion   = "ie.svcversion"
	ItemIEVersion      = "ie.version"
	ItemOutlook64      = "outlook.exe.64"
	ItemOutlook32      = "outlook.exe.32"
	ItemOfficeC2R      = "office.c2r.platform"
	// ItemOfficeC2RVersion is Click-to-Run's VersionToReport, the installed build as Microsoft
	// documents reading it for Microsoft 365 Apps
	// (https://learn.microsoft.com/officeupdates/update-history-microsoft365-apps-by-date).
	ItemOfficeC2RVersion = "office.c2r.versiontoreport"
	// ItemOutlookBitness is a prefix: ".16", ".15", ".14" per Office version, "+.wow" for the 32-bit view.
	ItemOutlookBitness = "outlook.bitness"
)

// Items is the list of facts the collector must read for the rules. It returns a new slice on
// each call.
func Items() []facts.Item {
	reg := func(id, key, name string) facts.Item {
		return facts.Item{ID: id, Kind: facts.KindRegistry, Key: key, Name: name}
	}
	items := []facts.Item{
		{ID: ItemWebio, Kind: facts.KindFile, Path: FileWebio},
		{ID: ItemWinHTTP, Kind: facts.KindFile, Path: FileWinHTTP},
		reg(ItemDSP64, KeyWinHTTP64, "DefaultSecureProtocols"),
		reg(ItemDSP32, KeyWinHTTP32, "DefaultSecureProtocols"),
		reg(ItemSchEnabled, KeySchannel12, "Enabled"),
		reg(ItemSchDisabledDef, KeySchannel12, "DisabledByDefault"),
		reg(ItemInetPolicy, KeyInetPolicy, "SecureProtocols"),
		reg(ItemInetMachine, KeyInetMachine, "SecureProtocols"),
		reg(ItemInetUser, KeyInetUser, "SecureProtocols"),
		reg(ItemInetUserPolicy, KeyInetUserPolicy, "SecureProtocols"),
		reg(ItemIESvcVersion, KeyIE, "svcVersion"),
		reg(ItemIEVersion, KeyIE, "Version"),
		{ID: ItemOutlook64, Kind: facts.KindRegistryFile, Key: KeyOutlookPath64},
		{ID: ItemOutlook32, Kind: facts.KindRegistryFile, Key: KeyOutlookPath32},
		reg(ItemOfficeC2R, KeyOfficeC2R, "Platform"),
		reg(ItemOfficeC2RVersion, KeyOfficeC2R, "VersionToReport"),
	}
	for _, v := range []string{"16", "15", "14"} {
		items = append(items,
			reg(ItemOutlookBitness+"."+v, `HKLM\SOFTWARE\Microsoft\Office\`+v+`.0\Outlook`, "Bitness"),
			reg(ItemOutlookBitness+"."+v+".wow", `HKLM\SOFTWARE\Wow6432Node\Microsoft\Office\`+v+`.0\Outlook`, "Bitness"))
	}
	return items
}
