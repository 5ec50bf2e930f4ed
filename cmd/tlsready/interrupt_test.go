package main

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// The two stages of an interrupt, whatever delivers them (SIGINT or SIGTERM on Unix; Ctrl-C,
// Ctrl-Break or a console close on Windows, all os.Interrupt or syscall.SIGTERM): the first
// signal only drains, the second cancels.
func TestRelayInterrupts(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	drainCtx, drain := context.WithCancel(context.Background())
	hardCtx, cancel := context.WithCancel(context.Background())
	defer drain()
	defer cancel()
	go relayInterrupts(sigs, drain, cancel)
	for i, want := range []struct {
		sig       os.Signal
		cancelled bool
	}{{os.Interrupt, false}, {syscall.SIGTERM, true}} {
		sigs <- want.sig
		select {
		case <-drainCtx.Done():
		case <-time.After(10 * time.Second):
			t.Fatalf("signal %d: not drained", i+1)
		}
		if want.cancelled {
			select {
			case <-hardCtx.Done():
			case <-time.After(10 * time.Second):
				t.Fatalf("signal %d: not cancelled", i+1)
			}
		} else if hardCtx.Err() != nil {
			t.Fatalf("signal %d cancelled running work: only the second may", i+1)
		}
	}
}
