package main

import (
	"runtime/debug"
	"testing"
)

func TestMemoryBudget(t *testing.T) {
	tests := []struct {
		concurrency int
		live        uint64
		budget      int64
		limit       int64
	}{
		{16, 10 << 20, 49 << 20, 49 << 20},
		{1024, 50 << 20, 112 << 20, 112 << 20},
		{1024, 56 << 20, 112 << 20, 112 << 20},  // live at half the budget: still the budget
		{1024, 100 << 20, 112 << 20, 200 << 20}, // outgrown: twice the live heap
		{0, 0, 48<<20 + 64<<10, 48<<20 + 64<<10},
	}
	for _, tt := range tests {
		b := memoryBudget(tt.concurrency)
		if b != tt.budget {
			t.Errorf("memoryBudget(%d) = %d MiB, want %d MiB", tt.concurrency, b>>20, tt.budget>>20)
		}
		if l := memoryLimit(b, tt.live); l != tt.limit {
			t.Errorf("memoryLimit(%d MiB, live %d MiB) = %d MiB, want %d MiB", b>>20, tt.live>>20, l>>20, tt.limit>>20)
		}
	}
}

// startMemoryBudget sets GOGC and the soft limit for the scan and restores both; a user's GOGC
// or GOMEMLIMIT leaves the runtime as it is.
func TestStartMemoryBudget(t *testing.T) {
	current := func() (int, int64) {
		gc := debug.SetGCPercent(-1)
		debug.SetGCPercent(gc)
		return gc, debug.SetMemoryLimit(-1)
	}
	gc0, limit0 := current()
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	stop := startMemoryBudget(getenv, 1024)
	if gc, limit := current(); gc != scanGCPercent || limit < memoryBudget(1024) {
		t.Errorf("during the scan: GOGC %d, limit %d MiB", gc, limit>>20)
	}
	stop()
	if gc, limit := current(); gc != gc0 || limit != limit0 {
		t.Errorf("after the scan: GOGC %d, limit %d; want %d, %d", gc, limit, gc0, limit0)
	}

	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		env = map[string]string{k: "200"}
		stop := startMemoryBudget(getenv, 1024)
		if gc, limit := current(); gc != gc0 || limit != limit0 {
			t.Errorf("with %s set: GOGC %d, limit %d changed", k, gc, limit)
		}
		stop()
	}
}
