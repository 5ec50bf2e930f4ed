package remote

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/internal/xmllimit"
)

// Namespaces of a ReceiveResponse.
const (
	nsShell   = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	stateDone = nsShell + "/CommandState/Done"
)

// decodeReceive reads a ReceiveResponse in one pass: it checks the action, appends the stdout
// and stderr streams (base64) to the buffers, and reports whether the command is done and its
// exit code. It replaces the library's XPath parser, which took most of the client's CPU per
// host (BenchmarkDecodeReceive). The buffers together never grow past limit bytes: a stream
// that would take them beyond fails the answer before it is written (the decoded output of one
// answer is at most 3/4 of the answer, itself bounded by maxResponseBytes).
func decodeReceive(body []byte, stdout, stderr *bytes.Buffer, limit int) (done bool, code int, err error) {
	d := xmllimit.NewDecoder(bytes.NewReader(body))
	var (
		path    []xml.Name
		action  string
		stream  *bytes.Buffer // the stream element being read, nil outside one
		text    []byte
		inState bool
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, 0, &ProtocolError{Reason: "answer is not XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name)
			text = text[:0]
			switch {
			case t.Name.Space == nsShell && t.Name.Local == "Stream":
				switch attr(t, "Name") {
				case "stdout":
					stream = stdout
				case "stderr":
					stream = stderr
				default:
					stream = nil
				}
			case t.Name.Space == nsShell && t.Name.Local == "CommandState":
				inState = true
				done = attr(t, "State") == stateDone
			}
		case xml.CharData:
			text = append(text, t...)
		case xml.EndElement:
			if len(path) == 0 {
				return false, 0, &ProtocolError{Reason: "answer is not XML: unbalanced elements"}
			}
			path = path[:len(path)-1]
			switch {
			case t.Name.Space == nsAddressing && t.Name.Local == "Action" && len(path) == 2 && path[1].Local == "Header":
				action = strings.TrimSpace(string(text))
			case t.Name.Space == nsShell && t.Name.Local == "Stream":
				if stream != nil {
					raw := bytes.TrimSpace(text)
					dec := make([]byte, base64.StdEncoding.DecodedLen(len(raw)))
					n, err := base64.StdEncoding.Decode(dec, raw)
					if err != nil {
						return false, 0, &ProtocolError{Reason: "stream is not base64: " + err.Error()}
					}
					if stdout.Len()+stderr.Len()+n > limit {
						return false, 0, &ProtocolError{Reason: fmt.Sprintf("command printed more than %d bytes", limit)}
					}
					appendBounded(stream, dec[:n], limit)
				}
				stream = nil
			case t.Name.Space == nsShell && t.Name.Local == "ExitCode" && inState:
				v, err := strconv.ParseInt(strings.TrimSpace(string(text)), 10, 64)
				if err != nil {
					return false, 0, &ProtocolError{Reason: fmt.Sprintf("exit code %q", text)}
				}
				code = int(int32(uint32(v))) // Windows reports it as an unsigned 32-bit number
			case t.Name.Space == nsShell && t.Name.Local == "CommandState":
				inState = false
			}
			text = text[:0]
		}
	}
	if action != actionReceiveResponse {
		if action == "" {
			return false, 0, &ProtocolError{Reason: "answer without an action where ReceiveResponse was expected"}
		}
		return false, 0, &ProtocolError{Reason: fmt.Sprintf("answer %q where %q was expected", shortAction(action), shortAction(actionReceiveResponse))}
	}
	return done, code, nil
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// decodeShellID reads the ShellId of a CreateResponse: the ShellId selector of the created
// resource, or else rsp:Shell/rsp:ShellId. decodeCommandID reads rsp:CommandId of a
// CommandResponse. One pass each, in place of the library's XPath parsers.
func decodeShellID(body []byte) (string, error) {
	sel, shell, err := findText(body, func(t xml.StartElement) int {
		switch {
		case t.Name.Space == nsWSMan && t.Name.Local == "Selector" && attr(t, "Name") == "ShellId":
			return 1
		case t.Name.Space == nsShell && t.Name.Local == "ShellId":
			return 2
		}
		return 0
	})
	if sel != "" {
		return sel, err
	}
	return shell, err
}

func decodeCommandID(body []byte) (string, error) {
	id, _, err := findText(body, func(t xml.StartElement) int {
		if t.Name.Space == nsShell && t.Name.Local == "CommandId" {
			return 1
		}
		return 0
	})
	return id, err
}

// findText returns the trimmed text of the first element that pick marks 1 and of the first it
// marks 2.
func findText(body []byte, pick func(xml.StartElement) int) (first, second string, err error) {
	d := xmllimit.NewDecoder(bytes.NewReader(body))
	which := 0
	var text []byte
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return first, second, nil
		}
		if err != nil {
			return "", "", &ProtocolError{Reason: "answer is not XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			which, text = pick(t), text[:0]
		case xml.CharData:
			if which != 0 {
				text = append(text, t...)
			}
		case xml.EndElement:
			switch v := strings.TrimSpace(string(text)); {
			case which == 1 && first == "":
				first = v
			case which == 2 && second == "":
				second = v
			}
			which = 0
		}
	}
}

// appendBounded appends p to b, growing b's storage to at most limit bytes: bytes.Buffer doubles
// its storage, which would let a buffer just under the output bound hold twice that.
func appendBounded(b *bytes.Buffer, p []byte, limit int) {
	if need := b.Len() + len(p); need > b.Cap() {
		grown := make([]byte, b.Len(), min(max(2*b.Cap(), need, 512), max(limit, need)))
		copy(grown, b.Bytes())
		*b = *bytes.NewBuffer(grown)
	}
	b.Write(p)
}
