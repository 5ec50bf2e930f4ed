package checks

import (
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// checkOffice reports, for the report only, the installed Outlook version (from OUTLOOK.EXE found
// through App Paths in either registry view) and Office's bitness. It never changes the verdict:
// on 64-bit Windows both WinHttp keys apply whatever Office's bitness (Q7), and the WinINet and
// SCHANNEL settings are machine or user settings.
//
// Bitness comes from the Click-to-Run Platform value, else from Outlook's Bitness value for
// Office 2016+ / 2013 / 2010 (native view first, then Wow6432Node), else from 32-bit Windows
// (Office there is 32-bit) or OUTLOOK.EXE under "Program Files (x86)".
func (h *host) checkOffice() {
	var evs []Evidence
	var found []Arg
	var first version
	for _, it := range []struct{ item, key string }{{ItemOutlook64, KeyOutlookPath64}, {ItemOutlook32, KeyOutlookPath32}} {
		fl, ok := h.f.File(it.item)
		if !ok || fl.State != facts.StateOK {
			continue
		}
		ev, v, good := fileEvidence(fl, true, fl.Path)
		if !good || containsPath(evs, ev.Path) {
			continue
		}
		if len(evs) == 0 {
			first = v
		}
		evs = append(evs, ev)
		found = append(found, h.seen([]Evidence{ev}))
	}

	var faq []string
	var q7 Arg
	if h.is64 {
		faq = append(faq, "Q7")
		q7 = h.phrase("office.q7", nil)
	}
	if len(evs) == 0 {
		var none []Evidence
		for _, it := range []struct{ item, key string }{{ItemOutlook64, KeyOutlookPath64}, {ItemOutlook32, KeyOutlookPath32}} {
			if it.item == ItemOutlook32 && !h.is64 {
				continue
			}
			fl, ok := h.f.File(it.item)
			ev, _, _ := fileEvidence(fl, ok, "")
			ev.Key, ev.Path = it.key, ""
			none = append(none, ev)
		}
		h.add(IDOfficeNotFound, none, args{"q7": q7}, faq...)
		return
	}

	h.checkOutlookMinimum(first, evs[0])

	bits, bitEv := h.officeBitness(evs[0].Path)
	evs = append(evs, bitEv...)
	product := "outlook." + strconv.FormatUint(first[0], 10)
	if _, ok := h.text.phrases[product]; !ok {
		product = "outlook.other"
	}
	h.add(IDOfficeInfo, evs, args{
		"product": h.phrase(product, args{"version": lit(first.String())}),
		"version": lit(first.String()),
		"found":   joinArgs(found),
		"bits":    h.phrase(bits, nil),
		"q7":      q7,
	}, faq...)
}

// officeBitness returns the phrase key of Office's bitness ("bits.32", "bits.64", "bits.unknown")
// and the evidence it rests on.
func (h *host) officeBitness(outlookPath string) (string, []Evidence) {
	ids := []struct{ item, key string }{{ItemOfficeC2R, KeyOfficeC2R}}
	for _, v := range []string{"16", "15", "14"} {
		ids = append(ids,
			struct{ item, key string }{ItemOutlookBitness + "." + v, `HKLM\SOFTWARE\Microsoft\Office\` + v + `.0\Outlook`},
			struct{ item, key string }{ItemOutlookBitness + "." + v + ".wow", `HKLM\SOFTWARE\Wow6432Node\Microsoft\Office\` + v + `.0\Outlook`})
	}
	for _, it := range ids {
		name := "Bitness"
		if it.item == ItemOfficeC2R {
			name = "Platform"
		}
		r := h.value(it.item, it.key, "", name)
		if r.state != regOther || r.ev.Type != facts.RegSZ {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(r.ev.Value)) {
		case "x86":
			return "bits.32", []Evidence{r.ev}
		case "x64":
			return "bits.64", []Evidence{r.ev}
		}
	}
	if !h.is64 {
		return "bits.32", nil
	}
	if strings.Contains(strings.ToLower(outlookPath), `\program files (x86)\`) {
		return "bits.32", nil
	}
	return "bits.unknown", nil
}

func containsPath(evs []Evidence, path string) bool {
	for _, e := range evs {
		if strings.EqualFold(e.Path, path) {
			return true
		}
	}
	return false
}

// Minimum Outlook builds that may connect to Microsoft 365 services, from Microsoft's "Microsoft
// 365 services connectivity" page (SourceOutlookMinimum) and the Office end-of-support pages:
// Microsoft 365 Apps (Click-to-Run) from version 1706, which is build 16.0.8201 (update history,
// https://learn.microsoft.com/officeupdates/update-history-microsoft365-apps-by-date); Office
// 2016 MSI from 16.0.4600.1000; Office 2013 from 15.0.4971.1000; Outlook 2010 (14) and earlier
// not at all.
var (
	minOutlookC2R  = version{16, 0, 8201, 0}
	minOutlook2016 = version{16, 0, 4600, 1000}
	minOutlook2013 = version{15, 0, 4971, 1000}
)

// checkOutlookMinimum judges whether the Outlook found can connect to Microsoft 365 at all:
// Outlook 2010 or older never (OUTLOOK_UNSUPPORTED: replace Office), a build below its line's
// minimum not until Office is updated (OUTLOOK_TOO_OLD). For Click-to-Run Office the build is
// VersionToReport under ClickToRun\Configuration, as Microsoft documents for C2R, when it is
// readable, else OUTLOOK.EXE's file version; file is the evidence of OUTLOOK.EXE.
func (h *host) checkOutlookMinimum(fileVersion version, file Evidence) {
	evs := []Evidence{file}
	v := fileVersion
	c2r := false
	if r := h.value(ItemOfficeC2RVersion, KeyOfficeC2R, "", "VersionToReport"); r.state == regOther && r.ev.Type == facts.RegSZ {
		if cv, ok := parseVersion(strings.TrimSpace(r.ev.Value)); ok && cv[0] == fileVersion[0] {
			v, c2r = cv, true
			evs = append(evs, r.ev)
		}
	}
	if !c2r {
		// Platform alone also marks Click-to-Run; the file version is then the build.
		if r := h.value(ItemOfficeC2R, KeyOfficeC2R, "", "Platform"); r.state == regOther && fileVersion[0] == 16 {
			c2r = true
		}
	}
	src := lit(SourceOutlookMinimum)
	if fileVersion[0] <= 14 {
		h.add(IDOutlookUnsupported, evs, args{"version": lit(v.String()), "product": h.phrase(outlookProduct(h, v), args{"version": lit(v.String())}), "source": src})
		return
	}
	var min version
	var line string
	switch {
	case fileVersion[0] == 15:
		min, line = minOutlook2013, "outlook.line.2013"
	case fileVersion[0] == 16 && c2r:
		min, line = minOutlookC2R, "outlook.line.c2r"
	case fileVersion[0] == 16:
		min, line = minOutlook2016, "outlook.line.msi"
	default:
		return // a later major version than any minimum Microsoft lists
	}
	if v.compare(min) >= 0 {
		return
	}
	h.add(IDOutlookTooOld, evs, args{
		"version": lit(v.String()),
		"line":    h.phrase(line, nil),
		"min":     lit(min.String()),
		"source":  src,
	})
}

// outlookProduct is the phrase key naming the Outlook release of v.
func outlookProduct(h *host, v version) string {
	p := "outlook." + strconv.FormatUint(v[0], 10)
	if _, ok := h.text.phrases[p]; !ok {
		return "outlook.other"
	}
	return p
}
