//go:build windows

package remote

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/windows"
)

// TestWindowsErrnos wraps each Winsock / Win32 error number the way the net package on Windows
// does (*net.OpError around *os.SyscallError, under *url.Error from net/http) and checks its
// classification. With the Unix errno sets none of these match: a refused or unreachable host
// outside a dial was "winrm", a reset was not retried and a TCP timeout was not "timeout".
func TestWindowsErrnos(t *testing.T) {
	post := func(err error) error { return &url.Error{Op: "Post", URL: "http://pc-17:5985/wsman", Err: err} }
	op := func(op, call string, errno syscall.Errno) error {
		return post(&net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(call, errno)})
	}
	tests := []struct {
		errno       syscall.Errno
		call        string
		refused     bool
		unreachable bool
		reset       bool
		timedOut    bool
		category    Category
	}{
		{windows.WSAECONNREFUSED, "connectex", true, false, false, false, CategoryUnreachable},
		{windows.WSAEHOSTUNREACH, "connectex", false, true, false, false, CategoryUnreachable},
		{windows.WSAENETUNREACH, "connectex", false, true, false, false, CategoryUnreachable},
		{windows.WSAECONNRESET, "wsarecv", false, false, true, false, CategoryWinRM},
		{windows.WSAECONNABORTED, "wsarecv", false, false, true, false, CategoryWinRM},
		{windows.ERROR_NETNAME_DELETED, "wsarecv", false, false, true, false, CategoryWinRM},
		{windows.ERROR_BROKEN_PIPE, "wsasend", false, false, true, false, CategoryWinRM},
		{windows.WSAETIMEDOUT, "wsarecv", false, false, false, true, CategoryTimeout},
		{windows.WSAEACCES, "wsasend", false, false, false, false, CategoryWinRM},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s(%d)", tt.errno, uintptr(tt.errno))
		// "read": the connection was up; the errno alone decides (a "dial" op is unreachable
		// whatever its errno).
		err := op("read", tt.call, tt.errno)
		if got := isRefused(err); got != tt.refused {
			t.Errorf("%s: isRefused = %t, want %t", name, got, tt.refused)
		}
		if got := isUnreachable(err); got != tt.unreachable {
			t.Errorf("%s: isUnreachable = %t, want %t", name, got, tt.unreachable)
		}
		if got := isReset(err); got != tt.reset {
			t.Errorf("%s: isReset = %t, want %t", name, got, tt.reset)
		}
		if got := isTimedOutErrno(err); got != tt.timedOut {
			t.Errorf("%s: isTimedOutErrno = %t, want %t", name, got, tt.timedOut)
		}
		if got := classify(err); got != tt.category {
			t.Errorf("%s: classify = %q, want %q", name, got, tt.category)
		}
		if got := Transient(err); got != tt.reset {
			t.Errorf("%s: Transient = %t, want %t", name, got, tt.reset)
		}
		if got := classify(op("dial", tt.call, tt.errno)); got != CategoryUnreachable {
			t.Errorf("%s: classify(dial) = %q, want unreachable", name, got)
		}
	}
}
