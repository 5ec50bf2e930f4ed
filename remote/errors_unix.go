//go:build !windows

package remote

import (
	"errors"
	"syscall"
)

// The operating system's error numbers for the network failures errors.go classifies. Unix
// reports them as the errno of the failed system call; errors_windows.go has the Winsock
// equivalents.

// isRefused reports a connection refused by the host (nothing listens on the port).
func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// isUnreachable reports no route to the host or its network.
func isUnreachable(err error) bool {
	return errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH)
}

// isReset reports an established connection reset or cut by the peer.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED)
}

// isTimedOutErrno reports a connection the operating system gave up on (no answer to
// retransmissions or keep-alives).
func isTimedOutErrno(err error) bool {
	return errors.Is(err, syscall.ETIMEDOUT)
}
