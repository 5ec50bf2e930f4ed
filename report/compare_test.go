package report

import (
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

func at(host string, v checks.Verdict, minute int) scan.Result {
	return scan.Result{Host: host, Verdict: v, End: time.Date(2026, 11, 1, 9, minute, 0, 0, time.UTC)}
}

func TestCompare(t *testing.T) {
	old := []scan.Result{
		at("PC-FIX", checks.Action, 0), at("PC-REG", checks.Ready, 0), at("PC-OFF", checks.Ready, 0),
		at("PC-BACK", checks.Unknown, 0), at("PC-SAME", checks.Action, 0), at("PC-GONE", checks.Ready, 0),
		at("PC-MOVE", checks.Action, 0), at("pc-case", checks.Action, 0),
		at("PC-TWICE", checks.Unknown, 0), at("PC-TWICE", checks.Ready, 5), // newest counts
	}
	new := []scan.Result{
		at("PC-FIX", checks.Ready, 9), at("PC-REG", checks.Action, 9), at("PC-OFF", checks.Unknown, 9),
		at("PC-BACK", checks.Action, 9), at("PC-SAME", checks.Action, 9), at("PC-NEW", checks.Ready, 9),
		at("PC-MOVE", checks.Unsupported, 9), at("PC-CASE", checks.Ready, 9), at("PC-TWICE", checks.Ready, 9),
	}
	c := Compare(old, new)
	want := []struct{ host, kind string }{
		{"PC-REG", ChangeRegressed}, {"PC-OFF", ChangeNewlyUnreachable}, {"PC-CASE", ChangeFixed}, {"PC-FIX", ChangeFixed},
		{"PC-BACK", ChangeReached}, {"PC-MOVE", ChangeChanged}, {"PC-NEW", ChangeNew}, {"PC-GONE", ChangeGone},
		{"PC-SAME", ChangeUnchanged}, {"PC-TWICE", ChangeUnchanged},
	}
	if len(c.Changes) != len(want) {
		t.Fatalf("%d changes, want %d: %+v", len(c.Changes), len(want), c.Changes)
	}
	for i, w := range want {
		if got := c.Changes[i]; got.Host != w.host || got.Kind != w.kind {
			t.Errorf("change %d = %s %s, want %s %s", i, got.Host, got.Kind, w.host, w.kind)
		}
	}
	if c.Counts[ChangeFixed] != 2 || c.Counts[ChangeUnchanged] != 2 || c.Old[checks.Ready] != 4 || c.New[checks.Ready] != 4 {
		t.Errorf("counts %v old %v new %v", c.Counts, c.Old, c.New)
	}
	if c.Changes[7].New != nil || c.Changes[7].Old == nil || c.Changes[6].Old != nil {
		t.Error("gone/new hosts must have only their side")
	}
}
