package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// ansiTerminal returns the file of w when w is a terminal that reads ANSI escape sequences
// (colour, carriage-return redraws, erase to end of line): a terminal whose TERM is not "dumb"
// and, on Windows, a console with virtual-terminal processing on (enableVirtualTerminal).
func ansiTerminal(e env, w io.Writer) (*os.File, bool) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, false
	}
	if e.getenv("TERM") == "dumb" {
		return nil, false
	}
	return f, virtualTerminal(f)
}

// colorAllowed says whether the tables may be coloured on a terminal that takes escape
// sequences: not when NO_COLOR is set to anything but the empty string (https://no-color.org),
// nor when TERM is "dumb".
func colorAllowed(getenv func(string) string, ansi bool) bool {
	return ansi && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// terminalWidth returns a func giving the width of the terminal f for the live progress line,
// asked anew at each call (the window may be resized): the width less consoleMargin; 0 when it
// cannot be told.
func terminalWidth(f *os.File) func() int {
	return func() int {
		w, _, err := term.GetSize(int(f.Fd()))
		if err != nil || w <= consoleMargin {
			return 0
		}
		return w - consoleMargin
	}
}
