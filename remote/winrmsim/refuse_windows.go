package winrmsim

import (
	"fmt"
	"net"

	"golang.org/x/sys/windows"
)

// reservePort binds a TCP socket on 127.0.0.1 without listening on it: connections to its port
// are refused (WSAECONNREFUSED, as to a powered-off service), and no other listener can be given
// the same port while it is held. release frees it.
func reservePort() (addr string, release func() error, err error) {
	s, err := windows.Socket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP)
	if err != nil {
		return "", nil, fmt.Errorf("reserve port: %w", err)
	}
	if err := windows.Bind(s, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		windows.Closesocket(s)
		return "", nil, fmt.Errorf("reserve port: %w", err)
	}
	sa, err := windows.Getsockname(s)
	if err != nil {
		windows.Closesocket(s)
		return "", nil, fmt.Errorf("reserve port: %w", err)
	}
	port := sa.(*windows.SockaddrInet4).Port
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(port)), func() error { return windows.Closesocket(s) }, nil
}
