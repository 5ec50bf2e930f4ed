package sheet

import "testing"

func TestCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"PC-01", "PC-01"},
		{"=cmd|'/c calc'!A1", "'=cmd|'/c calc'!A1"},
		{"Windows\x1b[2J\x1b]52;c;cHduZWQ=\x07 7", "Windows[2J]52;c;cHduZWQ= 7"},
		{"a\u009b6n\u202eb\u2028c\u2066d\u200e", "a6nbcd"},
		{"\x1b=1+1", "'=1+1"}, // a control ahead of a formula does not hide it
		{"two\tcells\nlines\r", "two\tcells\nlines"},
		{"日本語", "日本語"},
	} {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
