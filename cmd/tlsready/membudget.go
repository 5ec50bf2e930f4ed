package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// A scan's memory is mostly garbage: each host in flight makes about 180 KB of short-lived
// requests, answers and parsed output, and keeps a few KB. With the Go default (the heap may grow
// to twice what is live at the last collection) a scan of 1,024 hosts at a time peaks at about
// 220 MB. A scan instead runs the collector less often (GOGC 400) below a memory budget that grows
// with the hosts in flight, and sooner when the heap reaches the budget (a soft memory limit).
// The budget only ever tightens the default: when the live heap outgrows half of it (a very large
// fleet's results, a host printing megabytes), the limit follows at twice the live heap, so the
// collector never runs back to back. GOGC and GOMEMLIMIT set by the user are left alone.
const (
	budgetBase    = 48 << 20 // the program, the results writer, the tables of the finished hosts
	budgetPerHost = 64 << 10 // per host in flight
	scanGCPercent = 400
)

// memoryBudget is the soft memory limit of a scan of concurrency hosts at a time.
func memoryBudget(concurrency int) int64 {
	return budgetBase + int64(max(concurrency, 1))*budgetPerHost
}

// memoryLimit is the limit to set for budget when live bytes of heap are in use: the budget, or
// twice the live heap once that is more.
func memoryLimit(budget int64, live uint64) int64 {
	return max(budget, 2*int64(live))
}

// startMemoryBudget applies the budget of a scan of concurrency hosts at a time to the Go
// runtime until stop is called, which restores the previous settings. getenv is the process's
// environment: with GOGC or GOMEMLIMIT set, nothing is changed.
func startMemoryBudget(getenv func(string) string, concurrency int) (stop func()) {
	return startMemoryBudgetOf(getenv, memoryBudget(concurrency), scanGCPercent, memoryLimit)
}

// A report keeps about 0.5 KB per host (see report.ReportDecoder), the terminal table of all
// hosts about as much again while it is drawn, and makes much short-lived garbage reading the
// results file. Go's default lets the heap grow to twice what is live; a report instead keeps
// within a budget, and once what is live outgrows it, within a fixed margin above it.
const (
	reportBudget    = 224 << 20
	reportHeadroom  = 64 << 20
	reportGCPercent = 100
)

// reportLimit is the limit of a report whose live heap is live bytes.
func reportLimit(budget int64, live uint64) int64 {
	return max(budget, int64(live)+reportHeadroom)
}

// startMemoryBudgetOf applies a memory budget in bytes with GOGC gcPercent until stop is called,
// the limit following the live heap as limitOf says; as startMemoryBudget does.
func startMemoryBudgetOf(getenv func(string) string, budget int64, gcPercent int, limitOf func(budget int64, live uint64) int64) (stop func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prevGC := debug.SetGCPercent(gcPercent)
	prevLimit := debug.SetMemoryLimit(budget)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		limit := budget
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				continue
			}
			if l := limitOf(budget, sample[0].Value.Uint64()); l != limit {
				limit = l
				debug.SetMemoryLimit(limit)
			}
		}
	}()
	return func() {
		cancel()
		<-done
		debug.SetMemoryLimit(prevLimit)
		debug.SetGCPercent(prevGC)
	}
}
