package checks

import (
	"strings"
)

// dspView is one registry view in which WinHTTP reads DefaultSecureProtocols.
type dspView struct {
	item, key, view string
}

// dspViews are the views that apply on this host (Q6, Q7). On 64-bit Windows both apply: 32-bit
// programs (32-bit Outlook) read the Wow6432Node key, 64-bit ones the native key, and the native
// key matters even with 32-bit Office because Outlook in cached mode downloads the offline address
// book through BITS, a 64-bit service that uses WinHTTP. On 32-bit Windows only the native key
// exists for WinHTTP; a Wow6432Node value there is harmless and not read (Q6).
func (h *host) dspViews() []dspView {
	if h.is64 {
		return []dspView{{ItemDSP64, KeyWinHTTP64, View64}, {ItemDSP32, KeyWinHTTP32, View32}}
	}
	return []dspView{{ItemDSP64, KeyWinHTTP64, View32}}
}

// dspReads reads DefaultSecureProtocols in every view that applies.
func (h *host) dspReads() []regRead {
	var out []regRead
	for _, v := range h.dspViews() {
		out = append(out, h.value(v.item, v.key, v.view, "DefaultSecureProtocols"))
	}
	return out
}

// checkKB is the KB3140245 rule (Q13). On the releases that need the update, System32\webio.dll
// and System32\winhttp.dll must both be at least the update's version (6.1.7601.23375 on Windows 7
// SP1 / 2008 R2 SP1, 6.2.9200.21797 on Server 2012), compared as four numbers. A later version
// counts as installed (Q12). The list of installed hotfixes is not used: it is not proof (Q12,
// Q13). One old DLL is enough for KB3140245_MISSING; otherwise a DLL whose version cannot be read
// makes KB3140245_UNVERIFIED. When DefaultSecureProtocols already has TLS 1.2 but the DLLs are
// old, the text names the known trap of the KB page's Easy Fix, which writes only the registry
// (Q11). The remediation words the fix for WSUS (classification "Updates", Q9), Windows Update
// ("Recommended", Q10) and says the order of registry and update does not matter (Q15).
func (h *host) checkKB() {
	if h.os.class != osNeedsKB {
		return
	}
	var evs []Evidence
	var old, unread []Arg
	for _, it := range []struct{ item, path string }{{ItemWebio, FileWebio}, {ItemWinHTTP, FileWinHTTP}} {
		fl, found := h.f.File(it.item)
		ev, v, ok := fileEvidence(fl, found, it.path)
		evs = append(evs, ev)
		switch {
		case !ok:
			unread = append(unread, h.seen([]Evidence{ev}))
		case v.compare(h.os.kbMin) < 0:
			old = append(old, h.seen([]Evidence{ev}))
		}
	}
	a := args{"os": h.phrase(h.os.name, nil), "threshold": lit(h.os.kbMin.String())}
	switch {
	case len(old) > 0:
		a["files"] = joinArgs(old)
		a["trap"] = Arg{}
		if h.dspHasTLS12() {
			a["trap"] = h.phrase("kb.trap", nil)
		}
		h.add(IDKBMissing, evs, a)
	case len(unread) > 0:
		a["files"] = joinArgs(unread)
		h.add(IDKBUnverified, evs, a)
	}
}

// dspHasTLS12 reports whether DefaultSecureProtocols is a REG_DWORD with TLS 1.2 in some view that
// applies: the registry half of KB3140245's fix is done.
func (h *host) dspHasTLS12() bool {
	for _, r := range h.dspReads() {
		if r.state == regDWORD && r.n&bitTLS12 != 0 {
			return true
		}
	}
	return false
}

// checkDSP is the DefaultSecureProtocols rule (Q3-Q7, Q14), for each view that applies:
//
//	absent (no key or no value)  the OS default: SSL 3.0 + TLS 1.0 on Windows 7 SP1 / 2012, so
//	                             DSP_DEFAULT_NO_TLS12 (action); all four on 8.1 / 10 and later: fine
//	not a REG_DWORD              WinHTTP ignores it: DSP_NOT_DWORD (warning), then judged as absent
//	REG_DWORD without 0x800      DSP_NO_TLS12 (action), on any release
//	REG_DWORD with 0x20          DSP_SSL3 (warning: POODLE, Q4)
//	denied, error, not collected DSP_UNREADABLE (unknown): every release needs the value read
//
// Each finding gathers the views it concerns; its remediation names exactly their keys as Group
// Policy Preferences registry items (Q14), recommends 0x00000a00 or, where WinHTTP must still reach
// TLS 1.0 servers, 0x00000a80 (Q4, Q5), and on 64-bit Windows says that both keys apply (Q6, Q7).
// On releases that need KB3140245 it adds that the value works only with the update (Q15).
func (h *host) checkDSP() {
	var absent, noTLS12, notDWORD, ssl3, unread []Evidence
	for _, r := range h.dspReads() {
		switch r.state {
		case regUnreadable:
			unread = append(unread, r.ev)
		case regOther:
			notDWORD = append(notDWORD, r.ev)
			fallthrough
		case regAbsent:
			if h.os.class == osNeedsKB {
				absent = append(absent, r.ev)
			}
		case regDWORD:
			if r.n&bitTLS12 == 0 {
				noTLS12 = append(noTLS12, r.ev)
			}
			if r.n&bitSSL3 != 0 {
				ssl3 = append(ssl3, r.ev)
			}
		}
	}
	var faq []string
	if h.is64 {
		faq = append(faq, "Q7")
	}
	if h.os.class == osNeedsKB {
		faq = append(faq, "Q15")
	}
	if len(absent) > 0 {
		h.add(IDDSPDefaultNoTLS12, absent, h.dspArgs(absent), faq...)
	}
	if len(noTLS12) > 0 {
		h.add(IDDSPNoTLS12, noTLS12, h.dspArgs(noTLS12), faq...)
	}
	if len(notDWORD) > 0 {
		h.add(IDDSPNotDWORD, notDWORD, h.dspArgs(notDWORD))
	}
	if len(ssl3) > 0 {
		h.add(IDDSPSSL3, ssl3, h.dspArgs(ssl3))
	}
	if len(unread) > 0 {
		h.add(IDDSPUnreadable, unread, h.dspArgs(unread))
	}
}

// dspArgs are the placeholders of the DefaultSecureProtocols texts for the given views.
func (h *host) dspArgs(evs []Evidence) args {
	var keys []string
	var gpo []Arg
	for _, e := range h.dspKeysOf(evs) {
		keys = append(keys, e)
		gpo = append(gpo, h.phrase("dsp.gpo.item", args{"keypath": lit(strings.TrimPrefix(e, `HKLM\`))}))
	}
	a := args{
		"os":       h.phrase(h.os.name, nil),
		"seen":     h.seen(evs),
		"keys":     h.text.join(keys),
		"bothkeys": {},
		"needkb":   {},
	}
	if h.is64 {
		a["bothkeys"] = h.phrase("dsp.bothkeys", nil)
	}
	if h.os.class == osNeedsKB {
		a["needkb"] = h.phrase("dsp.needkb", nil)
	}
	a["gpo"] = joinArgs(gpo)
	a["fix"] = h.phrase("dsp.fix", a)
	return a
}

// dspKeysOf returns the clean key paths (from the rule, not from the host) of the views that the
// evidence concerns, in view order. A host has at most one evidence per view.
func (h *host) dspKeysOf(evs []Evidence) []string {
	var keys []string
	for _, v := range h.dspViews() {
		for _, e := range evs {
			if e.View == v.view {
				keys = append(keys, v.key)
				break
			}
		}
	}
	return keys
}
