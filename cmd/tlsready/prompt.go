package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/term"
)

// errPromptInterrupted is the password prompt given up at the first Ctrl-C.
var errPromptInterrupted = errors.New("interrupted at the password prompt: nothing was done")

// promptPassword shows prompt on w and reads a line from the terminal fd without echo. The echo
// is off before the prompt shows (echoOff), so nothing typed once it shows is echoed; then
// term.ReadPassword reads: on Unix with the termios ECHO flag off; on Windows with the console
// input mode without ENABLE_ECHO_INPUT and ENABLE_LINE_INPUT but with ENABLE_PROCESSED_INPUT, so
// that Ctrl-C stays a CTRL_C_EVENT rather than input
// (https://learn.microsoft.com/en-us/windows/console/setconsolemode). The terminal's mode is put
// back as it was whatever happens.
//
// It gives up when ctx ends, the first Ctrl-C: main's signal handler catches Ctrl-C, so a prompt
// that only waited for Enter would ignore it and the command would then start already stopped.
func promptPassword(ctx context.Context, fd int, w io.Writer, prompt string) ([]byte, error) {
	if ctx.Err() != nil {
		return nil, errPromptInterrupted
	}
	state, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	defer func() { _ = term.Restore(fd, state) }() // best effort: the terminal as it was
	if err := echoOff(fd); err != nil {
		return nil, err
	}
	fmt.Fprint(w, prompt)
	defer fmt.Fprintln(w)
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
		return nil, errPromptInterrupted
	}
}
