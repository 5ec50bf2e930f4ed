//go:build unix

package main

import (
	"os"
	"os/signal"
	"syscall"
)

// statsSignalHint tells how to ask a running lab for its request counts.
const statsSignalHint = " (SIGUSR1 prints the request count)"

// notifyStatsSignal sends SIGUSR1 to c: the benchmark asks the lab for its counts with it.
func notifyStatsSignal(c chan<- os.Signal) { signal.Notify(c, syscall.SIGUSR1) }
