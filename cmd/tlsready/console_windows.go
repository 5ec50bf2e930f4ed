//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// consoleMargin is the columns the live progress line leaves free at the right of a Windows
// console besides the last one: Wine's console on an 80-column terminal starts a new row when
// a redrawn line reaches column 77 (measured: TestWindowsBuildConsoleUnderWine), and the margin
// costs a real console nothing that matters.
const consoleMargin = 3

// enableVirtualTerminal turns on virtual-terminal processing for the consoles among files, so
// that Windows 10+ consoles (conhost, Windows Terminal) interpret the ANSI sequences of the
// colours and the live progress line, and returns a func that puts the consoles' modes back.
// Where it cannot be turned on (an older console, a redirected handle), the file is left alone
// and virtualTerminal reports false: the output is then plain.
// https://learn.microsoft.com/windows/console/console-virtual-terminal-sequences
// ("Output Sequences": the flag ENABLE_VIRTUAL_TERMINAL_PROCESSING set with SetConsoleMode).
func enableVirtualTerminal(files ...*os.File) (restore func()) {
	var undo []func()
	for _, f := range files {
		h := windows.Handle(f.Fd())
		var mode uint32
		if windows.GetConsoleMode(h, &mode) != nil || mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
			continue
		}
		if windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil {
			old := mode
			undo = append(undo, func() { _ = windows.SetConsoleMode(h, old) })
		}
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}

// virtualTerminal says whether the console f interprets ANSI sequences (its mode has
// ENABLE_VIRTUAL_TERMINAL_PROCESSING).
func virtualTerminal(f *os.File) bool {
	var mode uint32
	if windows.GetConsoleMode(windows.Handle(f.Fd()), &mode) != nil {
		return false
	}
	return mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0
}
