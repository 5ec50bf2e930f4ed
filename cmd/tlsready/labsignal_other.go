//go:build !unix

package main

import "os"

// statsSignalHint is empty where there is no SIGUSR1: the lab prints its counts when it stops.
const statsSignalHint = ""

// notifyStatsSignal does nothing where there is no SIGUSR1.
func notifyStatsSignal(chan<- os.Signal) {}
