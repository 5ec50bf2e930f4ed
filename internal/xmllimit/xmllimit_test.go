package xmllimit

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

func TestBounds(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("<a>", n) + strings.Repeat("</a>", n) }
	attrs := func(n int) string {
		var b strings.Builder
		b.WriteString("<a")
		for i := range n {
			b.WriteString(" x" + strings.Repeat("y", i) + `="1"`)
		}
		return b.String() + "/>"
	}
	for _, tc := range []struct {
		name, doc string
		want      string // the bound exceeded, "" for none
	}{
		{"depth 64", deep(64), ""},
		{"depth 65", deep(65), "element depth"},
		{"unclosed 100000", strings.Repeat("<a>", 100000), "element depth"},
		{"self-closed do not nest", "<r>" + strings.Repeat("<a/>", 1000) + "</r>", ""},
		{"64 attributes", attrs(64), ""},
		{"65 attributes", attrs(65), "attributes"},
		{"tokens", "<r>" + strings.Repeat("<a/>", MaxTokens/2+1) + "</r>", "tokens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(strings.NewReader(tc.doc))
			var err error
			for err == nil {
				_, err = d.Token()
			}
			var le *Error
			switch {
			case tc.want == "" && err.Error() != "EOF":
				t.Errorf("err = %v, want the document read", err)
			case tc.want != "" && (!errors.As(err, &le) || le.What != tc.want):
				t.Errorf("err = %v, want the %s bound", err, tc.want)
			}
		})
	}
}

// Unmarshal resolves namespaces and checks that elements match as xml.Unmarshal does.
func TestUnmarshalAsEncodingXML(t *testing.T) {
	type shell struct {
		ID string `xml:"Id,attr"`
	}
	type doc struct {
		XMLName xml.Name `xml:"urn:s Envelope"`
		Header  struct {
			Action string `xml:"urn:a Action"`
		} `xml:"urn:s Header"`
		Body struct {
			Shell shell `xml:"urn:r Shell"`
		} `xml:"urn:s Body"`
	}
	good := `<s:Envelope xmlns:s="urn:s" xmlns:a="urn:a"><s:Header><a:Action> x </a:Action></s:Header>` +
		`<s:Body><Shell xmlns="urn:r" Id="7"/></s:Body></s:Envelope>`
	for name, in := range map[string]string{
		"good":          good,
		"wrong prefix":  strings.Replace(good, `xmlns:a="urn:a"`, `xmlns:a="urn:other"`, 1),
		"mismatched":    strings.Replace(good, "</s:Header>", "</s:Head>", 1),
		"unclosed":      strings.TrimSuffix(good, "</s:Envelope>"),
		"other root ns": strings.Replace(good, `xmlns:s="urn:s"`, `xmlns:s="urn:t"`, 1),
	} {
		var ours, theirs doc
		err1 := Unmarshal([]byte(in), &ours)
		err2 := xml.Unmarshal([]byte(in), &theirs)
		if (err1 == nil) != (err2 == nil) || ours != theirs {
			t.Errorf("%s: ours %+v %v, encoding/xml %+v %v", name, ours, err1, theirs, err2)
		}
		if name == "good" && (err1 != nil || ours.Header.Action != " x " || ours.Body.Shell.ID != "7") {
			t.Errorf("good: %+v %v, want the action and the id", ours, err1)
		}
	}
}
