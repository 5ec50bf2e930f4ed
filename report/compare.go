package report

import (
	"slices"
	"strings"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// Kinds of change between two scans, part of the JSON and CSV output of a comparison.
const (
	ChangeRegressed        = "regressed"         // ready before, now action or unsupported
	ChangeNewlyUnreachable = "newly-unreachable" // checked before, now unknown
	ChangeFixed            = "fixed"             // action or unsupported before, now ready
	ChangeReached          = "reached"           // unknown before, now checked
	ChangeChanged          = "changed"           // another change of verdict (action <-> unsupported)
	ChangeNew              = "new"               // only in the new scan
	ChangeGone             = "gone"              // only in the old scan
	ChangeUnchanged        = "unchanged"         // same verdict
)

// ChangeKinds lists the kinds of change, the most urgent first: the order of a comparison.
func ChangeKinds() []string {
	return []string{ChangeRegressed, ChangeNewlyUnreachable, ChangeFixed, ChangeReached, ChangeChanged, ChangeNew, ChangeGone, ChangeUnchanged}
}

// Change is what happened to one host between two scans. Old or New is nil for a host found in
// one scan only.
type Change struct {
	Host string       `json:"host"`
	Kind string       `json:"kind"`
	Old  *scan.Result `json:"old,omitempty"`
	New  *scan.Result `json:"new,omitempty"`
}

// Comparison is the difference between two scans of a fleet.
type Comparison struct {
	// Changes has one entry per host of either scan, ordered by ChangeKinds, then host name.
	Changes []Change `json:"changes"`
	// Counts is the number of hosts per kind of change.
	Counts map[string]int `json:"counts"`
	// Old and New count the hosts per verdict on each side.
	Old map[checks.Verdict]int `json:"old"`
	New map[checks.Verdict]int `json:"new"`
}

// Compare tells, host by host (names compared case-insensitively, the newest result of each host
// on each side), what changed from the old results to the new ones.
func Compare(old, new []scan.Result) Comparison {
	old, new = scan.Latest(old), scan.Latest(new)
	c := Comparison{Counts: map[string]int{}, Old: map[checks.Verdict]int{}, New: map[checks.Verdict]int{}}
	before := map[string]*scan.Result{}
	for i := range old {
		before[scan.HostKey(old[i].Host)] = &old[i]
		c.Old[old[i].Verdict]++
	}
	seen := map[string]bool{}
	for i := range new {
		n := &new[i]
		c.New[n.Verdict]++
		k := scan.HostKey(n.Host)
		seen[k] = true
		o := before[k]
		c.Changes = append(c.Changes, Change{Host: n.Host, Kind: changeKind(o, n), Old: o, New: n})
	}
	for i := range old {
		if !seen[scan.HostKey(old[i].Host)] {
			c.Changes = append(c.Changes, Change{Host: old[i].Host, Kind: ChangeGone, Old: &old[i]})
		}
	}
	order := map[string]int{}
	for i, k := range ChangeKinds() {
		order[k] = i
	}
	slices.SortStableFunc(c.Changes, func(a, b Change) int {
		if d := order[a.Kind] - order[b.Kind]; d != 0 {
			return d
		}
		return strings.Compare(strings.ToLower(a.Host), strings.ToLower(b.Host))
	})
	for _, ch := range c.Changes {
		c.Counts[ch.Kind]++
	}
	return c
}

func changeKind(o, n *scan.Result) string {
	bad := func(v checks.Verdict) bool { return v == checks.Action || v == checks.Unsupported }
	switch {
	case o == nil:
		return ChangeNew
	case o.Verdict == n.Verdict:
		return ChangeUnchanged
	case n.Verdict == checks.Unknown:
		return ChangeNewlyUnreachable
	case o.Verdict == checks.Unknown:
		return ChangeReached
	case o.Verdict == checks.Ready && bad(n.Verdict):
		return ChangeRegressed
	case bad(o.Verdict) && n.Verdict == checks.Ready:
		return ChangeFixed
	}
	return ChangeChanged
}

// newResults are the hosts of the new scan, in the comparison's order.
func (c Comparison) newResults() []scan.Result {
	var out []scan.Result
	for _, ch := range c.Changes {
		if ch.New != nil {
			out = append(out, *ch.New)
		}
	}
	return out
}
