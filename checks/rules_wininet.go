package checks

import (
	"slices"
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// Scopes of a WinINet SecureProtocols value, from the strongest. They name phrases
// ("inet.scope.<scope>", "inet.fix.<scope>") in the catalogue.
const (
	scopePolicy     = "policy"     // HKLM\SOFTWARE\Policies\...\Internet Settings
	scopeUserPolicy = "userpolicy" // HKU\<SID>\Software\Policies\...\Internet Settings
	scopeUser       = "user"       // HKU\<SID>\Software\Microsoft\...\Internet Settings
	scopeMachine    = "machine"    // HKLM\SOFTWARE\Microsoft\...\Internet Settings
)

// evNone is the evidence value of an empty list.
const evNone = "(none)"

// checkWinINet is the WinINet rule (Q17, Q20). Outlook uses WinINet for Office sign-in and
// modern authentication, SharePoint and RSS, so the SecureProtocols value WinINet uses must
// include TLS 1.2 (0x800). The value WinINet uses is, from the strongest:
//
//  1. the machine policy (Computer Configuration "Turn off encryption support"): it overrides
//     every user setting, so when it is set nothing else is judged;
//  2. for each user, the user policy, then the user's own value (Internet Options > Advanced);
//  3. the machine value;
//  4. the Internet Explorer default: 0xA80 (TLS 1.0 + 1.1 + 1.2) for IE 11, 0xA0 (SSL 3.0 +
//     TLS 1.0) for IE 8-10. The IE version is svcVersion, else Version, under
//     HKLM\SOFTWARE\Microsoft\Internet Explorer (Version reads "9.10..." for IE 10 and "9.11..."
//     for IE 11). Without any IE version (Windows 11 has no IE) the OS default applies, which
//     includes TLS 1.2 from Windows 8.1 on; on Windows 7 SP1 / Server 2012 it cannot be told,
//     which is WININET_IE_VERSION_UNKNOWN (unknown).
//
// Users are the hives loaded under HKU that belong to a person (S-1-5-21-..., S-1-12-1-...). Over
// WinRM, HKCU is the scanning account's own hive, so it is never read; and the hive of the
// scanning account (facts.Facts.Account), when Windows loaded it under HKU (a shell opened with a
// profile, or another session of that account), is not a person using the PC: it is never judged,
// and is named as the scanning account in the list of hives seen. Each loaded user is judged
// by the value that applies to them, and the machine value or IE default is judged when some
// loaded user falls through to it, or, when no user hive is loaded, as what a user without
// settings of their own gets (with WININET_USERS_NOT_SEEN, info). A user whose own setting or
// user policy includes TLS 1.2 is fine even if the machine default is not: a user GPO that fixes
// every user must not leave the host in "action".
//
// A value without 0x800 is WININET_NO_TLS12 (action), the IE 8-10 default is
// WININET_IE_DEFAULT_NO_TLS12 (action); SSL 3.0 (0x20) is WININET_SSL3 (warning); a value that is
// not a REG_DWORD is ignored by WinINet (WININET_NOT_DWORD, warning, then judged as absent); a
// value that cannot be read where it would decide is WININET_UNREADABLE (unknown).
func (h *host) checkWinINet() {
	pol := h.value(ItemInetPolicy, KeyInetPolicy, "", "SecureProtocols")
	if h.inetSource(pol, scopePolicy, "", h.phrase("inet.applies.policy", nil)) {
		return
	}

	users := h.userSIDs()
	var fallback []string
	for _, sid := range users {
		if !h.inetUser(sid) {
			fallback = append(fallback, sid)
		}
	}
	if len(users) == 0 {
		h.add(IDWinINetUsersNotSeen, []Evidence{{Key: `HKU`, Name: "loaded user hives", Value: h.hivesSeen()}}, nil)
	}
	if len(users) == 0 || len(fallback) > 0 {
		h.inetFallback(fallback)
	}
}

// inetUser judges the user policy and user value of one loaded user. It reports false when
// neither applies, so that the machine value or IE default decides for this user.
func (h *host) inetUser(sid string) bool {
	for _, src := range []struct{ item, key, scope, applies string }{
		{ItemInetUserPolicy, KeyInetUserPolicy, scopeUserPolicy, "inet.applies.userpolicy"},
		{ItemInetUser, KeyInetUser, scopeUser, "inet.applies.user"},
	} {
		r := h.userValue(src.item, src.key, sid)
		if h.inetSource(r, src.scope, sid, h.phrase(src.applies, args{"sid": lit(sid)})) {
			return true
		}
	}
	return false
}

// inetSource reports what one WinINet source (policy, user or machine value) holds and whether it
// decides: a REG_DWORD is judged, an unreadable value makes the answer unknown, and a value of
// another type is ignored by WinINet (reported) so that the next source decides.
func (h *host) inetSource(r regRead, scope, sid string, applies Arg) bool {
	switch r.state {
	case regUnreadable:
		h.add(IDWinINetUnreadable, []Evidence{r.ev}, h.inetArgs(r.ev, scope, sid, applies))
		return true
	case regOther:
		h.add(IDWinINetNotDWORD, []Evidence{r.ev}, h.inetArgs(r.ev, scope, sid, applies))
	case regDWORD:
		h.inetJudge(r, scope, sid, applies)
		return true
	}
	return false
}

// inetFallback judges what users without a setting of their own get: the machine value, else the
// Internet Explorer (or OS) default. sids are the loaded users concerned; none means every user.
func (h *host) inetFallback(sids []string) {
	applies := h.phrase("inet.applies.nousers", nil)
	if len(sids) > 0 {
		applies = h.phrase("inet.applies.fallback", args{"sids": h.text.join(sids)})
	}
	m := h.value(ItemInetMachine, KeyInetMachine, "", "SecureProtocols")
	if h.inetSource(m, scopeMachine, "", applies) {
		return
	}

	svc := h.value(ItemIESvcVersion, KeyIE, "", "svcVersion")
	ver := h.value(ItemIEVersion, KeyIE, "", "Version")
	evs := []Evidence{m.ev, svc.ev, ver.ev}
	a := h.inetArgs(m.ev, scopeMachine, "", applies)
	a["seen"] = h.seen([]Evidence{svc.ev, ver.ev})
	ie, ok := ieMajor(svc, ver)
	switch {
	case ok && ie >= 11:
		// IE 11 default 0xA80 includes TLS 1.2.
	case ok:
		a["ie"] = lit(strconv.Itoa(ie))
		h.add(IDWinINetIEDefaultNoTLS12, evs, a)
	case h.os.class == osModern:
		// No IE version: the WinINet default of Windows 8.1 and later includes TLS 1.2.
	default:
		h.add(IDWinINetIEVersionUnknown, evs, a)
	}
}

// inetJudge judges a SecureProtocols REG_DWORD that WinINet uses.
func (h *host) inetJudge(r regRead, scope, sid string, applies Arg) {
	a := h.inetArgs(r.ev, scope, sid, applies)
	if r.n&bitTLS12 == 0 {
		h.add(IDWinINetNoTLS12, []Evidence{r.ev}, a)
	}
	if r.n&bitSSL3 != 0 {
		h.add(IDWinINetSSL3, []Evidence{r.ev}, a)
	}
}

// inetArgs are the placeholders of the WinINet texts.
func (h *host) inetArgs(ev Evidence, scope, sid string, applies Arg) args {
	return args{
		"scope":   h.phrase("inet.scope."+scope, args{"sid": lit(sid)}),
		"applies": applies,
		"seen":    h.seen([]Evidence{ev}),
		"type":    lit(ev.Type),
		"fix":     h.phrase("inet.fix."+scope, args{"sid": lit(sid)}),
		"os":      h.phrase(h.os.name, nil),
	}
}

// userValue reads a per-user item (collected under every loaded hive) for one user. The
// collector reports one value per loaded hive; a hive it reported nothing for is judged as having
// no such key.
func (h *host) userValue(item, key, sid string) regRead {
	key = `HKU\` + sid + `\` + strings.TrimPrefix(key, facts.AllUserHives)
	for _, v := range h.f.ValuesOf(item) {
		if strings.EqualFold(hiveOf(v.Key), sid) {
			return readValue(v, true, key, "", "SecureProtocols")
		}
	}
	return readValue(facts.Value{State: facts.StateNoKey}, true, key, "", "SecureProtocols")
}

// userSIDs are the loaded user hives, sorted: those listed by the collector and those its
// per-user values name.
func (h *host) userSIDs() []string {
	var sids []string
	add := func(s string) {
		if h.isAccount(s) {
			return
		}
		if isUserSID(s) && !slices.ContainsFunc(sids, func(t string) bool { return strings.EqualFold(s, t) }) {
			sids = append(sids, s)
		}
	}
	for _, s := range h.f.UserHives {
		add(s)
	}
	for _, item := range []string{ItemInetUserPolicy, ItemInetUser} {
		for _, v := range h.f.ValuesOf(item) {
			add(hiveOf(v.Key))
		}
	}
	slices.Sort(sids)
	return sids
}

// isAccount reports whether a hive under HKU is the scanning account's (or its _Classes hive).
func (h *host) isAccount(hive string) bool {
	a := h.f.Account
	return a != "" && (strings.EqualFold(hive, a) || strings.EqualFold(hive, a+"_Classes"))
}

// accountMark follows the scanning account's hive in the list of hives seen.
const accountMark = " (scanning account, not judged)"

// hivesSeen lists the hives that were loaded (none of them a user's), for evidence; the scanning
// account's is marked as such.
func (h *host) hivesSeen() string {
	if len(h.f.UserHives) == 0 {
		return evNone
	}
	hs := slices.Clone(h.f.UserHives)
	slices.Sort(hs)
	for i, s := range hs {
		if h.isAccount(s) {
			hs[i] = s + accountMark
		}
	}
	return clip(strings.Join(hs, ", "))
}

// ieMajor returns the Internet Explorer major version: the first part of svcVersion (IE 10 and
// later), else of Version, where "9.10.x" means IE 10 and "9.11.x" IE 11.
func ieMajor(svc, ver regRead) (int, bool) {
	if n, ok := ieVersionPart(svc, false); ok {
		return n, true
	}
	return ieVersionPart(ver, true)
}

func ieVersionPart(r regRead, isVersion bool) (int, bool) {
	if r.state != regOther || (r.ev.Type != facts.RegSZ && r.ev.Type != facts.RegExpandSZ) {
		return 0, false
	}
	parts := strings.Split(strings.TrimSpace(r.ev.Value), ".")
	major, err := strconv.Atoi(parts[0])
	if err != nil || major <= 0 {
		return 0, false
	}
	if isVersion && major == 9 && len(parts) > 1 {
		if minor, err := strconv.Atoi(parts[1]); err == nil && minor >= 10 {
			return minor, true
		}
	}
	return major, true
}
