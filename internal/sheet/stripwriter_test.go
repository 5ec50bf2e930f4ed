package sheet

import (
	"bytes"
	"testing"
)

// TestStripWriterMatchesStripControls: whatever the cut points, the stream is stripped exactly as
// the whole text would be (StripControls, invalid bytes as U+FFFD), runes split across writes
// included.
func TestStripWriterMatchesStripControls(t *testing.T) {
	texts := []string{
		"plain ascii",
		"host \x1b[2Jname\r\n日本語\u202eevil\u009bcsi\u2028sep",
		"\xff\xfe invalid \xe6\x97 cut rune",
		"日本語のテキスト\u200fと\u2066",
		"ends in a cut rune \xe6\x97",
		"",
	}
	for _, text := range texts {
		want := stripAll(text)
		for step := 1; step <= 5; step++ {
			var out bytes.Buffer
			w := NewStripWriter(&out)
			for i := 0; i < len(text); i += step {
				j := min(i+step, len(text))
				if n, err := w.Write([]byte(text[i:j])); err != nil || n != j-i {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if out.String() != want || (StripControls(text) != text && out.String() != StripControls(text)) {
				t.Errorf("%q in writes of %d: %q, want %q", text, step, out.String(), want)
			}
		}
	}
}

func FuzzStripWriter(f *testing.F) {
	f.Add([]byte("a\x1b\u202e日本\xe6\x97"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		s := int(step%7) + 1
		var out bytes.Buffer
		w := NewStripWriter(&out)
		for i := 0; i < len(data); i += s {
			w.Write(data[i:min(i+s, len(data))])
		}
		w.Flush()
		if want := stripAll(string(data)); out.String() != want {
			t.Errorf("%q: %q, want %q", data, out.String(), want)
		}
	})
}
