package discover

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	osVersion = regexp.MustCompile(`^\s*(\d+)\.(\d+)(?:\s*\((\d+)\))?`)
	windows8  = regexp.MustCompile(`windows 8(?:[^.\d]|$)`)
)

// Unsupported says why an operating system, as AD records it (operatingSystem,
// operatingSystemVersion such as "6.1 (7601)", operatingSystemServicePack), certainly cannot
// get TLS 1.2 in WinHTTP (Q2), or returns "" when it may. The version decides when AD has it;
// the name and service pack only when it does not.
func Unsupported(os, version, servicePack string) string {
	name := strings.ToLower(strings.NewReplacer("®", "", "™", "", "(R)", "", "(TM)", "").Replace(os))
	if !strings.Contains(name, "windows") && version == "" {
		return ""
	}
	server := strings.Contains(name, "server")
	if m := osVersion.FindStringSubmatch(version); m != nil {
		major, _ := strconv.Atoi(m[1])
		minor, _ := strconv.Atoi(m[2])
		build, _ := strconv.Atoi(m[3]) // 0 when absent
		switch {
		case major < 6:
			return "Windows " + m[1] + "." + m[2] + " (XP, Server 2003 or older): no TLS 1.2 in WinHTTP (Q2)"
		case major == 6 && minor == 0 && server:
			return "Windows Server 2008 (6.0, not R2): no TLS 1.2 in WinHTTP (Q2)"
		case major == 6 && minor == 0:
			return "Windows Vista (6.0): no TLS 1.2 in WinHTTP (Q2)"
		case major == 6 && minor == 1 && (build > 0 && build < 7601 || build == 0 && servicePack == ""):
			what := "Windows 7"
			if server {
				what = "Windows Server 2008 R2"
			}
			return what + " without Service Pack 1 (6.1.7600): KB3140245 needs SP1 (Q2)"
		case major == 6 && minor == 2 && !server:
			return "Windows 8 (6.2): no TLS 1.2 in WinHTTP; update to 8.1 (Q2)"
		}
		return ""
	}
	switch {
	case strings.Contains(name, "windows xp"), strings.Contains(name, "windows 2000"),
		strings.Contains(name, "server 2003"), strings.Contains(name, "windows nt"):
		return os + ": no TLS 1.2 in WinHTTP (Q2)"
	case strings.Contains(name, "vista"):
		return "Windows Vista: no TLS 1.2 in WinHTTP (Q2)"
	case strings.Contains(name, "server 2008") && !strings.Contains(name, "r2"):
		return "Windows Server 2008 (not R2): no TLS 1.2 in WinHTTP (Q2)"
	case strings.Contains(name, "server 2008 r2") && servicePack == "":
		return "Windows Server 2008 R2 without Service Pack 1: KB3140245 needs SP1 (Q2)"
	case strings.Contains(name, "windows 7") && servicePack == "":
		return "Windows 7 without Service Pack 1: KB3140245 needs SP1 (Q2)"
	case windows8.MatchString(name) && !server:
		return "Windows 8: no TLS 1.2 in WinHTTP; update to 8.1 (Q2)"
	}
	return ""
}
