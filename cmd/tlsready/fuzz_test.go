package main

import (
	"bytes"
	"net"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tlsready/tlsready/internal/fuzzcheck"
	"github.com/tlsready/tlsready/scan"
)

// FuzzReadTargets: every target read from a targets file has a name without blanks, path
// separators, '=', '#' or quotes, an address of the form host:port with a port from 1 to 65535
// and a scheme of "", http or https; there are no more targets than lines; an error names the
// file; and the targets written back as NAME=HOST:PORT (or NAME=SCHEME://HOST:PORT/wsman) lines
// read back equal.
func FuzzReadTargets(f *testing.F) {
	f.Add([]byte("\ufeff# workstations\nPC-01\n\n  PC-02=10.0.0.2:5986  \nPC-03 http://127.0.0.1:4000/wsman\n"))
	f.Add([]byte("PC-01=[::1]:5986\r\npc-01.corp.example\nPC-01 https://pc-01.corp.example/wsman\n"))
	f.Add([]byte("=10.0.0.1\nCORP\\PC-01\nPC-01 ht!tp://\n"))
	f.Add([]byte("PC-01=10.0.0.5:5985  # lab\nPC#2\nPC-03=\"10.0.0.3\"\nPC-04=h:0\nPC-05 ftp://h/wsman\n"))
	f.Add(utf16Bytes("PC-01=10.0.0.5:5985 # lab\r\nPC-02 https://127.0.0.1:5986/wsman\r\n", true))
	f.Add(utf16Bytes("PC-01\nPC-02=[::1]:1\n", false))
	f.Add([]byte("PC-01\x00\n\xff\xfe\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ts []scan.Target
		var err error
		fuzzcheck.Alloc(t, "readTargets", len(data), 32, 128<<10, func() {
			ts, err = readTargets(bytes.NewReader(data), "targets.txt", targetDefaults{})
		})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "targets.txt") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		if len(ts) > bytes.Count(data, []byte("\n"))+1 {
			t.Errorf("%d targets from %d lines", len(ts), bytes.Count(data, []byte("\n"))+1)
		}
		var out strings.Builder
		for _, tg := range ts {
			if tg.Name == "" || strings.ContainsAny(tg.Name, " \t/\\=#\"'") {
				t.Errorf("target name %q", tg.Name)
			}
			_, port, err := net.SplitHostPort(tg.Address)
			if p, perr := strconv.Atoi(port); err != nil || perr != nil || p < 1 || p > 65535 {
				t.Errorf("target %q: address %q: %v", tg.Name, tg.Address, err)
			}
			switch tg.Scheme {
			case "":
				out.WriteString(tg.Name + "=" + tg.Address + "  # again\n")
			case "http", "https":
				out.WriteString(tg.Name + " " + tg.Scheme + "://" + tg.Address + "/wsman\n")
			default:
				t.Errorf("target %q: scheme %q", tg.Name, tg.Scheme)
			}
		}
		back, err := readTargets(strings.NewReader(out.String()), "again", targetDefaults{})
		if err != nil || len(back) != len(ts) || (len(ts) > 0 && !reflect.DeepEqual(back, ts)) {
			t.Errorf("written back as %q: read %+v, %v; want %+v", out.String(), back, err, ts)
		}
	})
}

// FuzzReadTargetsUTF16: a UTF-8 targets file saved as UTF-16 (LE or BE, with a byte order mark,
// as Windows PowerShell writes it) reads as the same targets, or fails as the UTF-8 one does.
func FuzzReadTargetsUTF16(f *testing.F) {
	f.Add("PC-01=10.0.0.5:5985  # lab\r\nPC-02 https://127.0.0.1:5986/wsman\r\n", true)
	f.Add("\ufeffPC-01\nPC-\u00e9t\u00e9\n", false)
	f.Add("PC-01=\n", true)
	f.Fuzz(func(t *testing.T, text string, le bool) {
		if !utf8.ValidString(text) || strings.ContainsRune(text, 0) || strings.HasPrefix(text, "\ufeff") {
			return // no UTF-8 twin to compare with
		}
		want, wantErr := readTargets(strings.NewReader(text), "targets.txt", targetDefaults{})
		got, err := readTargets(bytes.NewReader(utf16Bytes(text, le)), "targets.txt", targetDefaults{})
		if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("UTF-16 (le=%v) read %+v, %v; UTF-8 read %+v, %v", le, got, err, want, wantErr)
		}
	})
}

// utf16Bytes is s in UTF-16 with a byte order mark, little- or big-endian.
func utf16Bytes(s string, le bool) []byte {
	var b []byte
	if le {
		b = append(b, 0xFF, 0xFE)
	} else {
		b = append(b, 0xFE, 0xFF)
	}
	for _, c := range utf16.Encode([]rune(s)) {
		if le {
			b = append(b, byte(c), byte(c>>8))
		} else {
			b = append(b, byte(c>>8), byte(c))
		}
	}
	return b
}
