package checks

// checkSchannel is the SCHANNEL rule (Q8) for HKLM\...\SCHANNEL\Protocols\TLS 1.2\Client:
//
//	Enabled REG_DWORD 0             TLS 1.2 is off for every client, WinHTTP and WinINet included:
//	                                SCHANNEL_TLS12_DISABLED (action). Any non-zero value, 0xFFFFFFFF
//	                                too, means enabled; absent means enabled.
//	Enabled unreadable              SCHANNEL_UNREADABLE (unknown): it could block TLS 1.2.
//	DisabledByDefault absent        on Windows 7 SP1 / 2008 R2 it behaves as 1: TLS 1.2 is not in the
//	                                default negotiation of programs that do not choose protocols.
//	                                SCHANNEL_DISABLED_BY_DEFAULT (warning): it does not block Outlook's
//	                                Exchange connections, because WinHTTP with DefaultSecureProtocols
//	                                and WinINet ask for TLS 1.2 explicitly, but it does block Outlook's
//	                                POP/IMAP/SMTP accounts and other SCHANNEL clients (KB3140245 says
//	                                Office needs the setting); the remediation names the opt-in
//	                                --win7-schannel of remediate and fix. From Server 2012 on, absent
//	                                is fine.
//	DisabledByDefault non-zero      SCHANNEL_DISABLED_BY_DEFAULT (warning), on any release.
//	DisabledByDefault unreadable    SCHANNEL_DBD_UNREADABLE (info): it only feeds advice.
//	either value not a REG_DWORD    SCHANNEL_NOT_DWORD (warning): ignored, then judged as absent.
//
// 1 means "not used in the default negotiation" and 0 "used"; the FAQ's bullet list states this
// the wrong way round, its following paragraph is right.
func (h *host) checkSchannel() {
	en := h.value(ItemSchEnabled, KeySchannel12, "", "Enabled")
	switch en.state {
	case regUnreadable:
		h.add(IDSchannelUnreadable, []Evidence{en.ev}, h.schannelArgs(en.ev))
	case regOther:
		h.add(IDSchannelNotDWORD, []Evidence{en.ev}, h.schannelArgs(en.ev))
	case regDWORD:
		if en.n == 0 {
			h.add(IDSchannelDisabled, []Evidence{en.ev}, h.schannelArgs(en.ev))
		}
	}

	dbd := h.value(ItemSchDisabledDef, KeySchannel12, "", "DisabledByDefault")
	switch dbd.state {
	case regUnreadable:
		h.add(IDSchannelDBDUnreadable, []Evidence{dbd.ev}, h.schannelArgs(dbd.ev))
	case regOther:
		h.add(IDSchannelNotDWORD, []Evidence{dbd.ev}, h.schannelArgs(dbd.ev))
		if h.os.dbdAbsentIsOne {
			a := h.schannelArgs(dbd.ev)
			a["state"], a["tool"] = h.phrase("sch.dbd.ignored", a), h.phrase("sch.dbd.tool.absent", nil)
			h.add(IDSchannelDisabledByDefault, []Evidence{dbd.ev}, a)
		}
	case regAbsent:
		if h.os.dbdAbsentIsOne {
			a := h.schannelArgs(dbd.ev)
			a["state"], a["tool"] = h.phrase("sch.dbd.absent", a), h.phrase("sch.dbd.tool.absent", nil)
			h.add(IDSchannelDisabledByDefault, []Evidence{dbd.ev}, a)
		}
	case regDWORD:
		if dbd.n != 0 {
			a := h.schannelArgs(dbd.ev)
			a["state"], a["tool"] = h.phrase("sch.dbd.set", a), h.phrase("sch.dbd.tool.set", nil)
			h.add(IDSchannelDisabledByDefault, []Evidence{dbd.ev}, a)
		}
	}
}

// schannelArgs are the placeholders of the SCHANNEL texts.
func (h *host) schannelArgs(ev Evidence) args {
	return args{
		"key":   lit(KeySchannel12),
		"name":  lit(ev.Name),
		"type":  lit(ev.Type),
		"value": lit(ev.Value),
		"seen":  h.seen([]Evidence{ev}),
		"os":    h.phrase(h.os.name, nil),
	}
}
