//go:build windows

package main

import "golang.org/x/sys/windows"

// echoOff turns off the echo of the console input handle fd, so that it is off before the prompt
// shows: ENABLE_ECHO_INPUT cleared, as term.ReadPassword does
// (https://learn.microsoft.com/en-us/windows/console/setconsolemode).
func echoOff(fd int) error {
	var mode uint32
	if err := windows.GetConsoleMode(windows.Handle(fd), &mode); err != nil {
		return err
	}
	return windows.SetConsoleMode(windows.Handle(fd), mode&^windows.ENABLE_ECHO_INPUT)
}
