package winrmsim

import (
	"fmt"
	"net"
	"syscall"
)

// reservePort binds a TCP socket on 127.0.0.1 without listening on it: connections to its port
// are refused (as to a powered-off service), and no other host of the fleet can be given the
// same port while it is held. release frees it.
func reservePort() (addr string, release func() error, err error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return "", nil, fmt.Errorf("reserve port: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return "", nil, fmt.Errorf("reserve port: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return "", nil, fmt.Errorf("reserve port: %w", err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(port)), func() error { return syscall.Close(fd) }, nil
}
