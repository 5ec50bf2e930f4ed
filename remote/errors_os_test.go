package remote

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// realRefused dials a port that was just listened on and closed: the operating system's own
// "connection refused" error, whatever its number is on this platform.
func realRefused(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err == nil {
		c.Close()
		t.Skipf("dial to closed port %s succeeded", addr)
	}
	return err
}

// realReset reads from a connection the peer closed with SO_LINGER 0 (an RST): the operating
// system's own "connection reset" error.
func realReset(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	dialed := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		<-dialed // an RST before the dial returns would fail the dial itself
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}()
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	close(dialed)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-done
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var buf [16]byte
	// The first read may see the RST; a write after it certainly does on every platform.
	for i := 0; i < 10; i++ {
		if _, err = c.Read(buf[:]); err != nil {
			break
		}
	}
	if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("no reset error from a lingered close: %v", err)
	}
	return err
}

// innermost strips the *net.OpError the net package puts around a system call's error, so
// that the errno alone is classified (not the dial operation around it).
func innermost(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Err
	}
	return err
}

// TestPlatformNetworkErrors classifies the network errors this platform really produces (on
// Linux ECONNREFUSED and ECONNRESET; on Windows WSAECONNREFUSED and WSAECONNRESET): a
// classification written for one platform's errno numbers fails here on the other.
func TestPlatformNetworkErrors(t *testing.T) {
	refused := realRefused(t)
	reset := realReset(t)
	t.Logf("refused: %#v; reset: %#v", innermost(refused), innermost(reset))
	tests := []struct {
		name      string
		err       error
		category  Category
		transient bool
	}{
		{"RefusedDial", refused, CategoryUnreachable, false},
		{"RefusedErrno", innermost(refused), CategoryUnreachable, false},
		{"ResetRead", reset, CategoryWinRM, true},
		{"ResetErrno", innermost(reset), CategoryWinRM, true},
	}
	for _, tt := range tests {
		if got := classify(tt.err); got != tt.category {
			t.Errorf("%s: classify(%v) = %q, want %q", tt.name, tt.err, got, tt.category)
		}
		if got := Transient(tt.err); got != tt.transient {
			t.Errorf("%s: Transient(%v) = %t, want %t", tt.name, tt.err, got, tt.transient)
		}
		if !isRefused(tt.err) && tt.category == CategoryUnreachable {
			t.Errorf("%s: isRefused(%v) = false", tt.name, tt.err)
		}
		if !isReset(tt.err) && tt.transient {
			t.Errorf("%s: isReset(%v) = false", tt.name, tt.err)
		}
	}
}
