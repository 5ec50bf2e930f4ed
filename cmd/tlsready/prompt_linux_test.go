//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/syncbuf"
)

// The password prompt on a real terminal: the echo is off before the prompt shows; what is typed
// is read and never echoed; the first
// Ctrl-C (the command's stop context ending) gives the prompt up with the terminal's echo back
// on. Before, main's signal handler swallowed Ctrl-C at the prompt: it waited for Enter and the
// command then ran with its context already stopped.
func TestPasswordPromptOnTerminal(t *testing.T) {
	for _, tc := range []struct {
		name      string
		typed     string // typed once the prompt shows; "" presses Ctrl-C instead
		want      string
		wantError error
	}{
		{name: "typed", typed: "s3cret-Pr0mpt\n", want: "s3cret-Pr0mpt"},
		{name: "typed with CR", typed: "s3cret-Pr0mpt\r", want: "s3cret-Pr0mpt"},
		{name: "ctrl-c", wantError: errPromptInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			master, tty := openTestPTY(t)
			var echoed syncbuf.Buffer
			go func() { // what the terminal shows, echo included
				buf := make([]byte, 4096)
				for {
					n, err := master.Read(buf)
					echoed.Write(buf[:n])
					if err != nil {
						return
					}
				}
			}()
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			var stderr syncbuf.Buffer
			e := env{stdin: tty, stdout: &bytes.Buffer{}, stderr: &stderr, getenv: func(string) string { return "" }, stop: ctx}
			type answer struct {
				pw  string
				err error
			}
			done := make(chan answer, 1)
			go func() {
				pw, err := readPassword(e, "", `LAB\tlsready`)
				done <- answer{pw, err}
			}()
			// Once the prompt shows, the echo is off: what is typed from then on is not shown.
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(stderr.String(), `Password for LAB\tlsready: `) {
				if time.Now().After(deadline) {
					t.Fatalf("no prompt; stderr %q", stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if ttyEchoes(t, tty) {
				t.Errorf("the prompt shows while the terminal still echoes")
			}
			if tc.typed != "" {
				if _, err := master.Write([]byte(tc.typed)); err != nil {
					t.Fatal(err)
				}
			} else {
				stop() // what main does at the first Ctrl-C
			}
			var a answer
			select {
			case a = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("the prompt still waits 10 s after the input (typed %q)", tc.typed)
			}
			if !errors.Is(a.err, tc.wantError) || a.pw != tc.want {
				t.Errorf("readPassword = %q, %v; want %q, %v", a.pw, a.err, tc.want, tc.wantError)
			}
			if !ttyEchoes(t, tty) {
				t.Errorf("the terminal's echo is still off after the prompt")
			}
			if tc.want != "" && strings.Contains(echoed.String(), tc.want) {
				t.Errorf("the password was echoed: %q", echoed.String())
			}
		})
	}
}
