// Package xmllimit decodes XML from untrusted peers with bounds that encoding/xml lacks:
// element depth, attributes per element and tokens per document. encoding/xml keeps a record of
// every open element (and xml.Unmarshal recurses once per level), so a few megabytes of
// unclosed elements cost hundreds of megabytes and seconds; real WS-Management envelopes are
// under 10 levels deep.
package xmllimit

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
)

// Default bounds: far above any WS-Management envelope (about 10 levels, a few attributes per
// element, a few thousand tokens for the largest Receive answer), far below what hurts.
const (
	MaxDepth  = 64
	MaxAttrs  = 64
	MaxTokens = 1 << 20
)

// Error is a document that exceeds a bound.
type Error struct {
	What  string // "element depth", "attributes", "tokens"
	Limit int
}

func (e *Error) Error() string {
	return fmt.Sprintf("XML %s over %d", e.What, e.Limit)
}

// NewDecoder returns a decoder of r that fails with an *Error once the document nests elements
// deeper than MaxDepth, gives an element more than MaxAttrs attributes, or has more than
// MaxTokens tokens. Namespaces, well-formedness (Strict) and Unmarshal-style decoding
// (DecodeElement, Decode) work as with xml.NewDecoder: the bounds sit between the tokenizer and
// the namespace-resolving decoder, so the decoder stops at the first token past a bound.
func NewDecoder(r io.Reader) *xml.Decoder {
	return xml.NewTokenDecoder(&reader{raw: xml.NewDecoder(r)})
}

// Unmarshal is xml.Unmarshal within the bounds of NewDecoder.
func Unmarshal(data []byte, v any) error {
	return NewDecoder(bytes.NewReader(data)).Decode(v)
}

// reader passes the raw tokens of a document on, counting them.
type reader struct {
	raw    *xml.Decoder
	depth  int
	tokens int
	err    error
}

// Token returns the next raw token (names as written, with their prefixes); the decoder that
// reads from it resolves the namespaces and checks that elements match.
func (r *reader) Token() (xml.Token, error) {
	if r.err != nil {
		return nil, r.err
	}
	tok, err := r.raw.RawToken()
	if err != nil {
		return tok, err
	}
	r.tokens++
	if r.tokens > MaxTokens {
		r.err = &Error{What: "tokens", Limit: MaxTokens}
		return nil, r.err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		r.depth++
		if r.depth > MaxDepth {
			r.err = &Error{What: "element depth", Limit: MaxDepth}
			return nil, r.err
		}
		if len(t.Attr) > MaxAttrs {
			r.err = &Error{What: "attributes", Limit: MaxAttrs}
			return nil, r.err
		}
	case xml.EndElement:
		r.depth--
	}
	return tok, nil
}
