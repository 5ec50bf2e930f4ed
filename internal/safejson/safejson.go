// Package safejson writes JSON that a terminal can show: encoding/json escapes the C0 controls
// (and U+2028, U+2029) in strings but leaves DEL, the C1 controls (U+009B is a CSI that starts a
// terminal escape sequence) and the bidi controls (U+202E reverses the text shown) raw. Every
// JSON file or stream tlsready writes goes through Escape.
package safejson

import (
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/tlsready/tlsready/internal/sheet"
)

// Escape returns b, JSON as encoding/json writes it, with DEL, every C1 and bidi control and
// U+2028, U+2029 written as a \uXXXX escape. Those runes can only occur inside JSON strings
// (everything outside strings is ASCII), where the escape means the same rune: the document
// decodes to the same values.
func Escape(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] != 0x7f && b[i] < utf8.RuneSelf {
		i++
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r == 0x7f || sheet.IsC1OrBidi(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// Marshal is json.Marshal, then Escape.
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Escape(b), nil
}

// Encode writes v to w as json.Encoder does (indented by indent when not empty, one newline
// after), escaped by Escape, in one Write.
func Encode(w io.Writer, v any, indent string) error {
	var b []byte
	var err error
	if indent != "" {
		b, err = json.MarshalIndent(v, "", indent)
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		return err
	}
	_, err = w.Write(append(Escape(b), '\n'))
	return err
}
