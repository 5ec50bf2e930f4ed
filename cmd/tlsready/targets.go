package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tlsready/tlsready/scan"
)

// targetDefaults are what a target line leaves out: the port (--port, "" when not given) and the
// scheme (--https).
type targetDefaults struct {
	Port  string
	HTTPS bool
}

// port is the port of a target without one: --port, else the WinRM default of its scheme
// (scheme "" follows --https): 5985 for HTTP and 5986 for HTTPS, each from 1 to 65535 (MS-WSMV
// 2.2.4.5 ClientDefaultPortsType,
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/5039d677-f854-43b2-b9fd-a15671a8f16f).
func (d targetDefaults) port(scheme string) string {
	switch {
	case d.Port != "":
		return d.Port
	case scheme == "https" || scheme == "" && d.HTTPS:
		return "5986"
	}
	return "5985"
}

// Bounds of a targets file: it is read whole before anything connects.
const (
	maxTargetsFileBytes = 64 << 20 // about two million targets
	maxTargetErrors     = 20       // bad lines listed before "... and N more"
)

// parseTarget reads "NAME", "NAME=HOST", "NAME=HOST:PORT", "NAME=URL" or a lab line
// "NAME URL" (URL: http://HOST[:PORT][/wsman] or https://...). A URL's scheme is kept in the
// target (Scheme): an https target is scanned over HTTPS whatever --https says, an http one
// over HTTP. A line that is not one of these forms, with quotes, an empty host, a port outside
// 1-65535 or another scheme, is an error that says why.
func parseTarget(s string, d targetDefaults) (scan.Target, error) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, `"'`) {
		return scan.Target{}, fmt.Errorf("target %q: quotes: write the name and address without them", s)
	}
	var name, addr string
	hasAddr := false
	if i := strings.IndexAny(s, " \t"); i > 0 && !strings.Contains(s[:i], "=") {
		// Only a URL follows a blank ("NAME URL", as tlsready lab prints): "PC 01" is a name
		// with a blank, not PC at address 01.
		name, addr, hasAddr = s[:i], strings.TrimSpace(s[i+1:]), true
		if !strings.Contains(addr, "://") {
			return scan.Target{}, fmt.Errorf("target %q: blank in the name, or an address that is not a URL after a blank: want NAME, NAME=HOST:PORT or NAME URL", s)
		}
	} else if i := strings.Index(s, "="); i >= 0 {
		name, addr, hasAddr = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
	} else {
		name = s
	}
	if err := checkTargetName(name); err != nil {
		return scan.Target{}, fmt.Errorf("target %q: %w", s, err)
	}
	if hasAddr && addr == "" {
		return scan.Target{}, fmt.Errorf("target %q: empty address after the name", s)
	}
	if strings.IndexFunc(addr, unseen) >= 0 {
		return scan.Target{}, fmt.Errorf("target %q: blank or control character in the address (or an invisible one such as a byte order mark)", s)
	}
	t := scan.Target{Name: name}
	if strings.Contains(addr, "://") {
		u, err := url.Parse(addr)
		if err != nil {
			return scan.Target{}, fmt.Errorf("target %q: bad URL", s)
		}
		switch scheme := strings.ToLower(u.Scheme); scheme {
		case "http", "https":
			t.Scheme = scheme
		default:
			return scan.Target{}, fmt.Errorf("target %q: scheme %q: want http:// or https://", s, u.Scheme)
		}
		if u.User != nil {
			return scan.Target{}, fmt.Errorf("target %q: a user name or password in the URL is not accepted (use --user)", s)
		}
		// The client always posts to /wsman, the default HTTP prefix of a WinRM listener
		// (URLPrefix "wsman"; "In most cases it is /wsman, which is the default":
		// https://learn.microsoft.com/en-gb/dotnet/api/microsoft.management.infrastructure.cimcmdlets.newcimsessionoptioncommand.httpprefix).
		if p := strings.TrimSuffix(strings.ToLower(u.Path), "/"); p != "" && p != "/wsman" || u.RawQuery != "" || u.Fragment != "" {
			return scan.Target{}, fmt.Errorf("target %q: want the URL of the WinRM listener, SCHEME://HOST:PORT/wsman", s)
		}
		if u.Hostname() == "" {
			return scan.Target{}, fmt.Errorf("target %q: empty host in the URL", s)
		}
		// A host is a name or an IP address; a colon only in a bracketed IPv6 address
		// ("https://]" leaves Go's parser a host it cannot write back).
		if h := u.Hostname(); strings.ContainsAny(h, "[]") || strings.Contains(h, ":") && net.ParseIP(h) == nil {
			return scan.Target{}, fmt.Errorf("target %q: bad host in the URL", s)
		}
		addr = u.Host
		if u.Port() == "" {
			if strings.HasSuffix(u.Host, ":") {
				return scan.Target{}, fmt.Errorf("target %q: empty port in the URL", s)
			}
			addr = net.JoinHostPort(u.Hostname(), d.port(t.Scheme))
		}
	}
	if addr == "" {
		addr = name
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		addr = net.JoinHostPort(strings.Trim(addr, "[]"), d.port(t.Scheme))
		if host, port, err = net.SplitHostPort(addr); err != nil { // "PC[01": no host:port can be made of it
			return scan.Target{}, fmt.Errorf("target %q: bad address", s)
		}
	}
	if host == "" {
		return scan.Target{}, fmt.Errorf("target %q: empty host", s)
	}
	if strings.ContainsAny(host, "[]/\\@#") {
		return scan.Target{}, fmt.Errorf("target %q: bad host %q", s, host)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 || strconv.Itoa(p) != port {
		return scan.Target{}, fmt.Errorf("target %q: port %q: want a number from 1 to 65535", s, port)
	}
	t.Address = addr
	return t, nil
}

// unseen is a character a name or address cannot hold and a reader may not see: a blank, a
// control character, or a format character (Unicode Cf: a byte order mark, zero-width and bidi
// controls), which a file's first byte order mark would also swallow when written back.
func unseen(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// checkTargetName refuses a name that would not read back the same once written as
// NAME=HOST:PORT (FuzzReadTargets), or that no Windows computer can have: blanks, control and
// format characters, path separators, '=', '#' (a comment) and quotes.
func checkTargetName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name: want NAME or NAME=HOST:PORT")
	case strings.IndexFunc(name, unseen) >= 0:
		return errors.New("blank or control character in the name (or an invisible one such as a byte order mark): want NAME or NAME=HOST:PORT")
	case strings.ContainsAny(name, `/\=#"'`):
		return errors.New(`name with one of / \ = # or quotes: want NAME or NAME=HOST:PORT`)
	case strings.ContainsRune(name, utf8.RuneError):
		return errors.New("name is not valid text")
	}
	return nil
}

// decodeTargetsText turns the bytes of a targets file into text: UTF-8 with or without a byte
// order mark, or UTF-16 with one: Windows PowerShell 5.1's Out-File and ">" write UTF-16LE
// ("Unicode") and every Unicode encoding of Windows PowerShell writes a byte order mark
// (about_Character_Encoding,
// https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_character_encoding).
// A NUL byte without a UTF-16 byte order mark, or bytes that are not UTF-8, are an error naming
// the line.
func decodeTargetsText(b []byte, source string) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		le := b[0] == 0xFF
		b = b[2:]
		if len(b)%2 != 0 {
			return "", fmt.Errorf("%s: UTF-16 text with an odd number of bytes: the file is cut short or not text", source)
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			if le {
				u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			} else {
				u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			}
		}
		// An unpaired surrogate becomes U+FFFD, which no name may contain.
		return string(utf16.Decode(u)), nil
	}
	for n, line := range bytes.Split(b, []byte("\n")) {
		switch {
		case bytes.IndexByte(line, 0) >= 0:
			return "", fmt.Errorf("%s:%d: NUL byte: not a text file, or UTF-16 without a byte order mark (save it as UTF-8 or Unicode)", source, n+1)
		case !utf8.Valid(line):
			return "", fmt.Errorf("%s:%d: not UTF-8 text (save it as UTF-8 or Unicode)", source, n+1)
		}
	}
	return string(b), nil
}

// stripComment removes a comment from a targets line: '#' at the start of the line or after a
// blank starts one ("PC-01=10.0.0.5:5985  # lab"). A '#' inside a word is left for parseTarget
// to refuse: no computer name or address contains one.
func stripComment(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return line[:i]
		}
	}
	return line
}

// readTargets reads a targets file: one target per line as for --target (or a line printed by
// "tlsready lab"), in UTF-8 or UTF-16 with a byte order mark; blank lines ignored, '#' starts a
// comment. Every line is checked: the error lists each bad line as FILE:LINE: why (up to
// maxTargetErrors of them), and then no target is returned.
func readTargets(r io.Reader, source string, d targetDefaults) ([]scan.Target, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxTargetsFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if len(b) > maxTargetsFileBytes {
		return nil, fmt.Errorf("%s: larger than %d MB: split it, or give an OU with --ou", source, maxTargetsFileBytes>>20)
	}
	text, err := decodeTargetsText(b, source)
	if err != nil {
		return nil, err
	}
	var out []scan.Target
	var bad []string
	nBad := 0
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(stripComment(strings.TrimSuffix(line, "\r")))
		if line == "" {
			continue
		}
		t, err := parseTarget(line, d)
		if err != nil {
			if nBad++; nBad <= maxTargetErrors {
				bad = append(bad, fmt.Sprintf("%s:%d: %v", source, n+1, err))
			}
			continue
		}
		out = append(out, t)
	}
	if nBad > maxTargetErrors {
		bad = append(bad, fmt.Sprintf("... and %d more bad line(s)", nBad-maxTargetErrors))
	}
	if nBad > 0 {
		return nil, fmt.Errorf("%s", strings.Join(bad, "\n"))
	}
	return out, nil
}
