// Package fuzzcheck holds the checks that the fuzz targets of several packages share: a bound
// on the memory a parser allocates for one input.
package fuzzcheck

import (
	"runtime"
	"testing"
)

// MinSize is the input size from which Alloc checks the bound: below it, the allocations of the
// runtime and the testing package around the call are of the same order as the parser's.
const MinSize = 1 << 10

// Alloc runs parse and, for an input of n >= MinSize bytes, fails tb when parse allocated more
// than perByte*n + fixed bytes in all (runtime.MemStats.TotalAlloc, which counts what was freed
// again too): a parser that allocates far more than its input for some input is a way for a
// host to exhaust the scanner's memory. Each fuzz worker is a process of its own that runs
// one input at a time, so the delta is the parser's.
func Alloc(tb testing.TB, what string, n int, perByte, fixed uint64, parse func()) {
	tb.Helper()
	if n < MinSize {
		parse()
		return
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	parse()
	runtime.ReadMemStats(&after)
	if got, limit := after.TotalAlloc-before.TotalAlloc, perByte*uint64(n)+fixed; got > limit {
		tb.Errorf("%s allocated %d bytes for an input of %d bytes (bound %d)", what, got, n, limit)
	}
}
