//go:build !linux && !windows

package winrmsim

import "net"

// reservePort takes a free port on 127.0.0.1 and closes it again, so that connections to it are
// refused. Unlike on Linux the port is not held: another listener may be given it later.
func reservePort() (addr string, release func() error, err error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr = ln.Addr().String()
	return addr, func() error { return nil }, ln.Close()
}
