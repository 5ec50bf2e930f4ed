package placeholder

import "testing"

func TestFill(t *testing.T) {
	tests := []struct{ s, want string }{
		{"{a} and {b}", "{b} and x"},       // a value is not expanded again
		{"{unknown} {a}", "{unknown} {b}"}, // an unknown name stays as written
		{"{x{a}}", "{x{b}}"},               // a brace before a placeholder
		{"{ {} }{", "{ {} }{"},             // braces that are no placeholder
		{"日本語{b}テキスト", "日本語xテキスト"},         // multi-byte text around
		{"no placeholder", "no placeholder"},
		{"{a}{a}", "{b}{b}"},
	}
	for _, tt := range tests {
		if got := Fill(tt.s, Pairs("a", "{b}", "b", "x")); got != tt.want {
			t.Errorf("Fill(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestPairs(t *testing.T) {
	v := Pairs("n", "3", "n", "4", "odd")
	if got, ok := v("n"); !ok || got != "3" {
		t.Errorf("n = %q, %t; want the first pair's 3", got, ok)
	}
	if _, ok := v("odd"); ok {
		t.Error("a name without a value has one")
	}
	if got := Fill("{n} hosts", Pairs()); got != "{n} hosts" {
		t.Errorf("no pairs: %q", got)
	}
}
