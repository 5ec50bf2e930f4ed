//go:build !windows

package main

import "os"

// enableVirtualTerminal does nothing outside Windows: terminals read ANSI sequences.
func enableVirtualTerminal(...*os.File) (restore func()) { return func() {} }

// virtualTerminal is true outside Windows: a terminal reads ANSI sequences.
func virtualTerminal(*os.File) bool { return true }

// consoleMargin is the columns the live progress line leaves free besides the last one: none
// on a Unix terminal.
const consoleMargin = 0
