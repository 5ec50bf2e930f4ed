//go:build windows

package remote

import (
	"errors"
	"syscall"

	"golang.org/x/sys/windows"
)

// The Winsock and Win32 error numbers for the network failures errors.go classifies. The net
// package on Windows reports them unchanged (a refused connection is WSAECONNREFUSED, 10061, not
// syscall.ECONNREFUSED, which on Windows is an invented number no system call returns), so the
// Unix errnos of errors_unix.go would never match. The invented Unix-style values are kept too:
// they cost nothing and match errors built by Go code rather than by the system.

// isRefused reports a connection refused by the host (nothing listens on the port).
func isRefused(err error) bool {
	return errors.Is(err, windows.WSAECONNREFUSED) || errors.Is(err, syscall.ECONNREFUSED)
}

// isUnreachable reports no route to the host or its network.
func isUnreachable(err error) bool {
	return errors.Is(err, windows.WSAEHOSTUNREACH) || errors.Is(err, windows.WSAENETUNREACH) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH)
}

// isReset reports an established connection reset or cut by the peer. ERROR_NETNAME_DELETED
// (64) is what overlapped I/O on a socket reports when the peer resets it; ERROR_BROKEN_PIPE
// (109) a write to a connection closed under it.
func isReset(err error) bool {
	return errors.Is(err, windows.WSAECONNRESET) || errors.Is(err, windows.WSAECONNABORTED) ||
		errors.Is(err, windows.ERROR_NETNAME_DELETED) || errors.Is(err, windows.ERROR_BROKEN_PIPE) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// isTimedOutErrno reports a connection the operating system gave up on (no answer to
// retransmissions or keep-alives). syscall.Errno's Timeout method does not know WSAETIMEDOUT.
func isTimedOutErrno(err error) bool {
	return errors.Is(err, windows.WSAETIMEDOUT) || errors.Is(err, syscall.ETIMEDOUT)
}
