//go:build !linux

package remote

import (
	"net"
	"testing"
)

// refusingAddr is an address on 127.0.0.1 whose connections are refused: a port taken and
// closed again. Unlike on Linux it is not held, so another listener may be given it later.
func refusingAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
