package scan

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
)

func res(host string, v checks.Verdict, end int, category string) Result {
	r := Result{Host: host, Verdict: v, End: time.Date(2026, 11, 26, 10, end, 0, 0, time.UTC)}
	if category != "" {
		r.Error = &ErrorInfo{Category: category, Message: "x"}
	}
	return r
}

func TestLatest(t *testing.T) {
	in := []Result{
		res("PC-1", checks.Unknown, 1, "unreachable"),
		res("PC-2", checks.Action, 1, ""),
		res("pc-1", checks.Ready, 5, ""),          // a rescan, other case
		res("PC-2", checks.Unknown, 0, "timeout"), // older than the action result: ignored
		res("PC-3", checks.Ready, 2, ""),
		res("PC-3", checks.Action, 2, ""), // same end: the later line wins
	}
	got := Latest(in)
	want := []string{"pc-1 ready", "PC-2 action", "PC-3 action"}
	var have []string
	for _, r := range got {
		have = append(have, r.Host+" "+string(r.Verdict))
	}
	if strings.Join(have, ",") != strings.Join(want, ",") {
		t.Errorf("Latest = %v, want %v", have, want)
	}
}

func TestSelect(t *testing.T) {
	in := []Result{
		res("A", checks.Unknown, 1, "unreachable"), res("B", checks.Unknown, 1, "auth"),
		res("C", checks.Action, 1, ""), res("D", checks.Ready, 1, ""), res("E", checks.Unsupported, 1, "timeout"),
	}
	tests := []struct {
		name string
		sel  Selection
		want string
	}{
		{"unknown", Selection{Verdicts: []checks.Verdict{checks.Unknown}}, "A,B"},
		{"action and unknown", Selection{Verdicts: []checks.Verdict{checks.Action, checks.Unknown}}, "A,B,C"},
		{"categories", Selection{Categories: []string{"unreachable", "timeout"}}, "A,E"},
		{"both", Selection{Verdicts: []checks.Verdict{checks.Unknown}, Categories: []string{"timeout", "auth"}}, "B"},
		{"everything", Selection{}, "A,B,C,D,E"},
	}
	for _, tc := range tests {
		var names []string
		for _, r := range Select(in, tc.sel) {
			names = append(names, r.Host)
		}
		if got := strings.Join(names, ","); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestShardCoversEveryTargetOnce(t *testing.T) {
	ts := targets(1000)
	for _, n := range []int{1, 2, 3, 7} {
		seen := map[string]int{}
		for i := 1; i <= n; i++ {
			part, err := Shard(ts, i, n)
			if err != nil {
				t.Fatal(err)
			}
			if n > 1 && (len(part) < 1000/n/2 || len(part) > 2*1000/n) {
				t.Errorf("shard %d/%d has %d targets: badly balanced", i, n, len(part))
			}
			again, _ := Shard(ts, i, n)
			if fmt.Sprint(again) != fmt.Sprint(part) {
				t.Errorf("shard %d/%d is not deterministic", i, n)
			}
			for _, tg := range part {
				seen[tg.Name]++
			}
		}
		for _, tg := range ts {
			if seen[tg.Name] != 1 {
				t.Errorf("n=%d: %s in %d shards", n, tg.Name, seen[tg.Name])
			}
		}
	}
	// The name's case does not move a host to another shard.
	a, _ := Shard([]Target{{Name: "PC-0042"}}, 1, 2)
	b, _ := Shard([]Target{{Name: "pc-0042"}}, 1, 2)
	if len(a) != len(b) {
		t.Error("shard depends on the name's case")
	}
	for _, bad := range [][2]int{{0, 3}, {4, 3}, {1, 0}} {
		if _, err := Shard(ts, bad[0], bad[1]); err == nil {
			t.Errorf("Shard(%d/%d) accepted", bad[0], bad[1])
		}
	}
}

func TestOpenForResumeCutsIncompleteLine(t *testing.T) {
	var buf bytes.Buffer
	w := NewResultsWriter(&buf)
	for _, h := range []string{"PC-1", "PC-2"} {
		if err := w.Result(res(h, checks.Ready, 1, "")); err != nil {
			t.Fatal(err)
		}
	}
	complete := buf.Len()
	buf.WriteString(`{"scanId":"x","host":"PC-3","verd`) // killed mid-write
	path := filepath.Join(t.TempDir(), "r.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, done, warns, err := OpenForResume(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 2 || len(warns) != 1 || !strings.Contains(warns[0], "incomplete last line") {
		t.Fatalf("done %d, warnings %v", len(done), warns)
	}
	// Appending continues on a fresh line: the file reads back whole.
	if err := NewResultsWriter(f).Result(res("PC-3", checks.Action, 2, "")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rs, warns, err := ReadResultsFiles(path)
	if err != nil || len(warns) != 0 || len(rs) != 3 || rs[2].Host != "PC-3" {
		t.Fatalf("after resume: %d results, %v, %v", len(rs), warns, err)
	}
	if st, _ := os.Stat(path); st.Size() <= int64(complete) {
		t.Errorf("file did not grow")
	}
	left := Remaining(targets(5), []Result{{Host: "pc-000"}, {Host: "PC-003"}})
	if len(left) != 3 || left[0].Name != "PC-001" {
		t.Errorf("Remaining = %v", left)
	}
}

func TestReadResultsFilesNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a.jsonl")
	bad := filepath.Join(dir, "b.jsonl")
	var buf bytes.Buffer
	_ = NewResultsWriter(&buf).Result(res("PC-1", checks.Ready, 1, ""))
	os.WriteFile(good, buf.Bytes(), 0o644)
	os.WriteFile(bad, []byte("hello\n"), 0o644)
	rs, _, err := ReadResultsFiles(good, bad)
	if err == nil || !strings.Contains(err.Error(), "b.jsonl") || !strings.Contains(err.Error(), "b.jsonl:1:") {
		t.Errorf("err = %v, want it to name b.jsonl:1", err)
	}
	if len(rs) != 1 {
		t.Errorf("the results of a.jsonl were lost: %d", len(rs))
	}
}

// A corrupt line in the middle of a results file (a hand edit, a disk error) is skipped with a
// warning naming FILE:LINE and a count at the end; the other results are read. An empty file
// warns. A file with no result at all is not a results file.
func TestReadResultsFiles_corruptLines(t *testing.T) {
	line := func(host string) string {
		var buf bytes.Buffer
		_ = NewResultsWriter(&buf).Result(res(host, checks.Ready, 1, ""))
		return buf.String()
	}
	var many strings.Builder
	many.WriteString(line("PC-1"))
	for i := 0; i < maxBadLinesListed+3; i++ {
		many.WriteString("garbage\n")
	}
	tests := []struct {
		name     string
		content  string
		hosts    int
		warnings []string // prefixes, in order
		err      string
	}{
		{"corrupt middle line", line("PC-1") + "{\"host\": \"PC-2\", \"verd\n" + line("PC-3"), 2,
			[]string{"r.jsonl:2: corrupt line skipped: ", "r.jsonl: 1 corrupt line(s) skipped, 2 result(s) read"}, ""},
		{"not a result in the middle", line("PC-1") + "{\"a\": 1}\n" + line("PC-3"), 2,
			[]string{"r.jsonl:2: corrupt line skipped: not a tlsready result", "r.jsonl: 1 corrupt"}, ""},
		{"corrupt middle and torn last line", line("PC-1") + "\x00\x01\n" + line("PC-3") + `{"host":"PC-`, 2,
			[]string{"r.jsonl:2: corrupt line skipped", "r.jsonl:4: incomplete last line", "r.jsonl: 1 corrupt"}, ""},
		{"many corrupt lines: listed up to a bound, all counted", many.String(), 1,
			append(repeat("r.jsonl:", maxBadLinesListed), "r.jsonl: 13 corrupt line(s) skipped"), ""},
		{"line too long", line("PC-1") + "{\"host\":\"" + strings.Repeat("A", MaxResultLine) + "\"}\n" + line("PC-3"), 2,
			[]string{"r.jsonl:2: corrupt line skipped: longer than 64 MB", "r.jsonl: 1 corrupt"}, ""},
		{"empty file", "", 0, []string{"r.jsonl is empty"}, ""},
		{"blank lines only", "\n\r\n  \n", 0, []string{"r.jsonl is empty"}, ""},
		{"no result at all", "name,verdict\nPC-1,ready\n", 0, []string{"r.jsonl:1:", "r.jsonl:2:"}, "r.jsonl:1: not a tlsready results file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "r.jsonl")
			if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			rs, warns, err := ReadResultsFiles(p)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
			if len(rs) != tc.hosts {
				t.Errorf("%d results, want %d", len(rs), tc.hosts)
			}
			if len(warns) != len(tc.warnings) {
				t.Fatalf("warnings %q, want %d starting %q", warns, len(tc.warnings), tc.warnings)
			}
			for i, w := range tc.warnings {
				if !strings.HasPrefix(warns[i], filepath.Dir(p)+string(filepath.Separator)+w) && !strings.HasPrefix(warns[i], w) {
					t.Errorf("warning %d = %q, want it to start %q", i, warns[i], w)
				}
			}
		})
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
