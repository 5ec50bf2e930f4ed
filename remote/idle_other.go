//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package remote

import (
	"errors"
	"net"
	"time"
)

// peekClosed reports whether the peer closed or reset the connection, or sent bytes on it. It
// reads with a deadline of a millisecond: a closed connection answers at once, an open one
// times out. (On the systems of idle_unix.go the socket is looked at without any wait.)
func peekClosed(conn net.Conn) bool {
	_ = conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	var buf [1]byte
	n, err := conn.Read(buf[:])
	_ = conn.SetReadDeadline(time.Time{})
	var ne net.Error
	return n > 0 || !(errors.As(err, &ne) && ne.Timeout())
}
