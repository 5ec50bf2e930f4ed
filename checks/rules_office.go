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
