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
	// .NET Framework (SourceDotNetTLS): the installed 4.x release and 3.5, and the TLS values of
	// the 4.x (v4.0.30319) and 2.0-3.5 (v2.0.50727) runtimes in both registry views.
	KeyNetV4Full = `HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full`
	KeyNetV35    = `HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v3.5`
	KeyNetV4     = `HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319`
	KeyNetV4Wow  = `HKLM\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319`
	KeyNetV2     = `HKLM\SOFTWARE\Microsoft\.NETFramework\v2.0.50727`
	KeyNetV2Wow  = `HKLM\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v2.0.50727`
	// Cipher suites (rules_cipher.go): the order set by Group Policy ("SSL Cipher Suite Order"),
	// the local order, and the SCHANNEL algorithm keys under KeySchannel.
	KeyCipherPolicy = `HKLM\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002`
	KeyCipherLocal  = `HKLM\SYSTEM\CurrentControlSet\Control\Cryptography\Configuration\Local\SSL\00010002`
	KeySchannel     = `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL`
	FileWebio       = `%SystemRoot%\System32\webio.dll`
	FileWinHTTP     = `%SystemRoot%\System32\winhttp.dll`
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
	ItemCipherPolicy     = "cipher.policy"
	ItemCipherLocal      = "cipher.local"
	// ItemSchannelAlgPrefix is a prefix: "schannel.alg.<n>" for each SCHANNEL algorithm key's
	// Enabled value (schannelAlgs).
	ItemSchannelAlgPrefix = "schannel.alg."
	ItemNetRelease        = "dotnet.v4.release"
	ItemNet35Install      = "dotnet.v35.install"
	// ItemNetPrefix is a prefix: "dotnet.<v4|v2>.<64|32>.<strongcrypto|systemdefault>" for
	// SchUseStrongCrypto and SystemDefaultTlsVersions of each runtime in each view (NetItem).
	ItemNetPrefix = "dotnet."
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
	items = append(items,
		reg(ItemNetRelease, KeyNetV4Full, "Release"),
		reg(ItemNet35Install, KeyNetV35, "Install"))
	for _, n := range netValues() {
		items = append(items, reg(n.item, n.key, n.name))
	}
	items = append(items,
		reg(ItemCipherPolicy, KeyCipherPolicy, "Functions"),
		reg(ItemCipherLocal, KeyCipherLocal, "Functions"))
	for _, a := range schannelAlgs {
		items = append(items, reg(a.item(), a.key(), "Enabled"))
	}
	for _, v := range []string{"16", "15", "14"} {
		items = append(items,
			reg(ItemOutlookBitness+"."+v, `HKLM\SOFTWARE\Microsoft\Office\`+v+`.0\Outlook`, "Bitness"),
			reg(ItemOutlookBitness+"."+v+".wow", `HKLM\SOFTWARE\Wow6432Node\Microsoft\Office\`+v+`.0\Outlook`, "Bitness"))
	}
	return items
}

// netValue is one .NET Framework TLS value of one runtime in one registry view.
type netValue struct {
	item, key, view, name string
	v4                    bool // the 4.x runtime (v4.0.30319), else 2.0-3.5 (v2.0.50727)
}

// netValues lists SchUseStrongCrypto and SystemDefaultTlsVersions of the 4.x and 2.0-3.5 runtimes,
// native view then Wow6432Node.
func netValues() []netValue {
	var out []netValue
	for _, rt := range []struct {
		id, key, wow string
		v4           bool
	}{{"v4", KeyNetV4, KeyNetV4Wow, true}, {"v2", KeyNetV2, KeyNetV2Wow, false}} {
		for _, vw := range []struct{ id, key, view string }{{"64", rt.key, View64}, {"32", rt.wow, View32}} {
			for _, nm := range []struct{ id, name string }{{"strongcrypto", "SchUseStrongCrypto"}, {"systemdefault", "SystemDefaultTlsVersions"}} {
				out = append(out, netValue{item: NetItem(rt.id, vw.id, nm.id), key: vw.key, view: vw.view, name: nm.name, v4: rt.v4})
			}
		}
	}
	return out
}

// NetItem is the item id of a .NET Framework TLS value: runtime "v4" or "v2", view "64" (native)
// or "32" (Wow6432Node), value "strongcrypto" or "systemdefault".
func NetItem(runtime, view, value string) string {
	return ItemNetPrefix + runtime + "." + view + "." + value
}
