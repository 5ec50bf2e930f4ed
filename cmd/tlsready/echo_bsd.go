//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import "golang.org/x/sys/unix"

// echoOff turns off the echo of the terminal fd (termios ECHO, as term.ReadPassword does), so
// that it is off before the prompt shows.
func echoOff(fd int) error {
	tio, err := unix.IoctlGetTermios(fd, unix.TIOCGETA)
	if err != nil {
		return err
	}
	tio.Lflag &^= unix.ECHO
	return unix.IoctlSetTermios(fd, unix.TIOCSETA, tio)
}
