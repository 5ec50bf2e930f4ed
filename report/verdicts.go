package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/tlsready/tlsready/checks"
)

// The one Japanese name of each verdict, in the FAQ's words. The terminal tables, and the HTML
// report's tiles, chart, filters and severity badges (labelsJA) all take them from here, so that
// a verdict is never called two things (such as サポート対象外 beside OS の移行が必要).
const (
	verdictReadyJA       = "対応済み"
	verdictActionJA      = "対処が必要"
	verdictUnsupportedJA = "OS の移行が必要"
	verdictUnknownJA     = "未確認"
)

// VerdictName is a verdict as the terminal tables show it in lang: in English the word the
// results file, --verdict and the exit codes use (ready, action, unsupported, unknown); in
// Japanese its one Japanese name.
func VerdictName(v checks.Verdict, lang string) string {
	if lang != checks.Japanese {
		return string(v)
	}
	switch v {
	case checks.Ready:
		return verdictReadyJA
	case checks.Action:
		return verdictActionJA
	case checks.Unsupported:
		return verdictUnsupportedJA
	case checks.Unknown:
		return verdictUnknownJA
	}
	return string(v)
}

// SortFAQ returns the FAQ references (Q3, Q10, Q9) in the FAQ's order, by number (Q3 Q9
// Q10), without repeats; a reference without a number sorts after the numbered ones.
func SortFAQ(refs []string) []string {
	out := slices.Clone(refs)
	num := func(s string) int {
		n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(s), "Q"))
		if err != nil {
			return 1 << 30
		}
		return n
	}
	slices.SortStableFunc(out, func(a, b string) int {
		if c := cmp.Compare(num(a), num(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(out)
}
