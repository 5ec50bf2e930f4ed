package main

import (
	"bytes"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/internal/fuzzcheck"
	"github.com/tlsready/tlsready/scan"
)

// FuzzReadTargets: every target read from a targets file has a name without blanks or path
// separators and an address of the form host:port; there are no more targets than lines; and
// the targets written back as NAME=HOST:PORT lines read back equal.
func FuzzReadTargets(f *testing.F) {
	f.Add([]byte("\ufeff# workstations\nPC-01\n\n  PC-02=10.0.0.2:5986  \nPC-03 http://127.0.0.1:4000/wsman\n"))
	f.Add([]byte("PC-01=[::1]:5986\r\npc-01.corp.example\nPC-01 https://pc-01.corp.example/wsman\n"))
	f.Add([]byte("=10.0.0.1\nCORP\\PC-01\nPC-01 ht!tp://\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ts []scan.Target
		var err error
		fuzzcheck.Alloc(t, "readTargets", len(data), 32, 128<<10, func() { ts, err = readTargets(bytes.NewReader(data), "targets.txt", "5985") })
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
			if tg.Name == "" || strings.ContainsAny(tg.Name, " \t/\\=") {
				t.Errorf("target name %q", tg.Name)
			}
			if _, _, err := net.SplitHostPort(tg.Address); err != nil {
				t.Errorf("target %q: address %q: %v", tg.Name, tg.Address, err)
			}
			out.WriteString(tg.Name + "=" + tg.Address + "\n")
		}
		back, err := readTargets(strings.NewReader(out.String()), "again", "5985")
		if err != nil || len(back) != len(ts) || (len(ts) > 0 && !reflect.DeepEqual(back, ts)) {
			t.Errorf("written back as %q: read %+v, %v; want %+v", out.String(), back, err, ts)
		}
	})
}
