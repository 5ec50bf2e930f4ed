package checks

import (
	"strconv"
)

// .NET Framework 4.x releases by the Release value under NDP\v4\Full, from Microsoft's "How to
// determine which .NET Framework versions are installed"
// (https://learn.microsoft.com/dotnet/framework/install/how-to-determine-which-versions-are-installed):
// the smallest Release of each version.
var netReleases = []struct {
	min  uint32
	name string
}{
	{533320, "4.8.1"}, {528040, "4.8"}, {461808, "4.7.2"}, {461308, "4.7.1"}, {460798, "4.7"},
	{394802, "4.6.2"}, {394254, "4.6.1"}, {393295, "4.6"}, {379893, "4.5.2"}, {378675, "4.5.1"},
	{378389, "4.5"},
}

// checkDotNet is the rule for other Microsoft 365 clients on the PC that run on the .NET
// Framework (Outlook add-ins, the Teams and OneDrive clients of that era, admin tools), following
// Microsoft's ".NET Framework TLS best practices" (SourceDotNetTLS). The framework decides TLS on
// its own, not through WinHTTP: an app built for .NET Framework 4.5.2 or earlier offers only SSL
// 3.0 and TLS 1.0, and one built for 4.6.x does not follow the operating system's protocols,
// unless SchUseStrongCrypto and SystemDefaultTlsVersions are 1 under the runtime's key
// (v4.0.30319 for 4.x, v2.0.50727 for 2.0-3.5), in the native view and, on 64-bit Windows, in
// Wow6432Node for 32-bit apps. The page asks for both values set to 1.
//
//	4.5 or later installed (Release)   each v4.0.30319 value not REG_DWORD 1: DOTNET_WEAK_TLS
//	3.5 installed (NDP\v3.5 Install=1) each v2.0.50727 value not REG_DWORD 1: DOTNET_WEAK_TLS
//	v4\Full without a Release          .NET 4.0 only, no TLS 1.2 at all: DOTNET40_NO_TLS12
//
// Both are warnings of GroupOtherClients: they never change Outlook's verdict, which rests on
// WinHTTP, WinINet and SCHANNEL.
func (h *host) checkDotNet() {
	var weak []Evidence
	rel := h.value(ItemNetRelease, KeyNetV4Full, "", "Release")
	release := ""
	v4 := false
	switch rel.state {
	case regDWORD:
		for _, r := range netReleases {
			if rel.n >= r.min {
				release, v4 = r.name, true
				break
			}
		}
		if !v4 {
			h.add(IDDotNet40NoTLS12, []Evidence{rel.ev}, args{"seen": h.seen([]Evidence{rel.ev}), "source": lit(SourceDotNetTLS)})
		}
	case regAbsent:
		if rel.ev.Value == evAbsent { // the v4\Full key without Release: 4.0
			h.add(IDDotNet40NoTLS12, []Evidence{rel.ev}, args{"seen": h.seen([]Evidence{rel.ev}), "source": lit(SourceDotNetTLS)})
		}
	}
	inst := h.value(ItemNet35Install, KeyNetV35, "", "Install")
	v35 := inst.state == regDWORD && inst.n == 1
	if !v4 && !v35 {
		return
	}
	var frameworks []Arg
	if v4 {
		frameworks = append(frameworks, lit(".NET Framework "+release))
	}
	if v35 {
		frameworks = append(frameworks, lit(".NET Framework 3.5"))
	}
	for _, n := range netValues() {
		if n.v4 && !v4 || !n.v4 && !v35 || n.view == View32 && !h.is64 {
			continue
		}
		view := n.view
		if !h.is64 {
			view = ""
		}
		r := h.value(n.item, n.key, view, n.name)
		if r.state == regDWORD && r.n == 1 {
			continue
		}
		weak = append(weak, r.ev)
	}
	if len(weak) == 0 {
		return
	}
	h.add(IDDotNetWeakTLS, weak, args{
		"frameworks": joinArgs(frameworks),
		"seen":       h.seen(weak),
		"count":      lit(strconv.Itoa(len(weak))),
		"source":     lit(SourceDotNetTLS),
	})
}
