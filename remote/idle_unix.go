//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package remote

import (
	"errors"
	"net"
	"syscall"
)

// peekClosed reports whether the peer closed or reset the connection, or sent bytes on it,
// looking at the socket without reading from it and without waiting (recv with MSG_PEEK and
// MSG_DONTWAIT). A connection that is not a socket is taken as open.
func peekClosed(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	closed := false
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		_, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// EAGAIN: nothing pending, open and idle. Otherwise the end of the stream (no error, 0
		// bytes), bytes nobody asked for, or an error such as a reset.
		closed = !errors.Is(rerr, syscall.EAGAIN) && !errors.Is(rerr, syscall.EWOULDBLOCK) && !errors.Is(rerr, syscall.EINTR)
		return true
	})
	return closed || err != nil
}
