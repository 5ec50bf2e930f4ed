package main

import (
	"context"
	"errors"

	"golang.org/x/term"
)

// errPromptInterrupted is the password prompt given up at the first Ctrl-C.
var errPromptInterrupted = errors.New("interrupted at the password prompt: nothing was done")

// promptPassword reads a line from the terminal fd without echo. term.ReadPassword turns the
// echo off: on Unix the termios ECHO flag; on Windows the console input mode without
// ENABLE_ECHO_INPUT and ENABLE_LINE_INPUT but with ENABLE_PROCESSED_INPUT, so that Ctrl-C stays a
// CTRL_C_EVENT rather than input (https://learn.microsoft.com/en-us/windows/console/setconsolemode).
//
// It gives up when ctx ends, the first Ctrl-C: main's signal handler catches Ctrl-C, so a prompt
// that only waited for Enter would ignore it and the command would then start already stopped.
// The read left behind still holds the echo off, so the terminal's mode is put back first.
func promptPassword(ctx context.Context, fd int) ([]byte, error) {
	if ctx.Err() != nil {
		return nil, errPromptInterrupted
	}
	state, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	type answer struct {
		b   []byte
		err error
	}
	done := make(chan answer, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- answer{b, err}
	}()
	select {
	case a := <-done:
		return a.b, a.err
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		return nil, errPromptInterrupted
	}
}
