package remote

import (
	"context"
	"errors"
	"fmt"

	"github.com/tlsready/tlsready/facts"
)

// Methods of reading a host: the two readers over the one session layer.
const (
	// MethodShell runs the PowerShell collector in a WinRS shell (collector.go).
	MethodShell = "shell"
	// MethodWMI reads WMI over WS-Management, starting no process (wmireader.go).
	MethodWMI = "wmi"
	// MethodAuto reads over WMI and falls back to the shell where WMI is refused.
	MethodAuto = "auto"
)

// CheckMethod validates a --method value; "" is MethodAuto.
func CheckMethod(m string) (string, error) {
	switch m {
	case "":
		return MethodAuto, nil
	case MethodShell, MethodWMI, MethodAuto:
		return m, nil
	}
	return "", fmt.Errorf("method %q: want shell, wmi or auto", m)
}

// CollectBy reads the host's facts with the given method and records in Facts.Method the one
// that produced them. With MethodAuto and a probe item (scan --probe), which only the shell
// collector can run, it reads through the shell first and over WMI where the shell is refused
// (collectShellFirst). Otherwise, with MethodAuto it reads over WMI and, where the host refuses WMI (a
// WS-Management fault: access denied to root/default, the WMI plugin or a provider failing, or
// answers that make no sense), runs the shell collector instead; a host that refuses both is an
// *BothRefusedError naming both causes. Errors that say nothing about WMI (the host unreachable,
// the credentials rejected, the deadline passed) are returned at once: trying the shell would
// only cost time, or another failed logon.
func (c *Client) CollectBy(ctx context.Context, ep Endpoint, items []facts.Item, method string) (*facts.Facts, error) {
	method, err := CheckMethod(method)
	if err != nil {
		return nil, err
	}
	switch method {
	case MethodShell:
		return withMethod(c.Collect(ctx, ep, items))(MethodShell)
	case MethodWMI:
		return withMethod(c.CollectWMI(ctx, ep, items))(MethodWMI)
	}
	if hasProbe(items) {
		return c.collectShellFirst(ctx, ep, items)
	}
	f, wmiErr := c.CollectWMI(ctx, ep, items)
	if wmiErr == nil {
		f.Method = MethodWMI
		return f, nil
	}
	if !WMIRefused(wmiErr) || ctx.Err() != nil {
		return nil, wmiErr
	}
	f, shellErr := c.Collect(ctx, ep, items)
	if shellErr != nil {
		return nil, &BothRefusedError{WMI: wmiErr, Shell: shellErr}
	}
	f.Method = MethodShell
	return f, nil
}

// collectShellFirst is MethodAuto for items with a probe: the shell collector, and the WMI reader
// where the host refuses the shell (ShellRefused); the WMI reader then records that the probe
// needs the shell. A host that refuses both is a *BothRefusedError.
func (c *Client) collectShellFirst(ctx context.Context, ep Endpoint, items []facts.Item) (*facts.Facts, error) {
	f, shellErr := c.Collect(ctx, ep, items)
	if shellErr == nil {
		f.Method = MethodShell
		return f, nil
	}
	if !ShellRefused(shellErr) || ctx.Err() != nil {
		return nil, shellErr
	}
	f, wmiErr := c.CollectWMI(ctx, ep, items)
	if wmiErr != nil {
		return nil, &BothRefusedError{WMI: wmiErr, Shell: shellErr}
	}
	f.Method = MethodWMI
	return f, nil
}

// hasProbe reports whether items ask for the probe.
func hasProbe(items []facts.Item) bool {
	for _, it := range items {
		if it.Kind == facts.KindProbe {
			return true
		}
	}
	return false
}

// ShellRefused reports whether an error of the shell collector means that the host refuses to be
// read that way, so that WMI may still work: a SOAP fault of the shell's operations (the shell
// plugin denied, too many shells), an answer that makes no sense, or the collector failing on
// the host (PowerShell in Constrained Language Mode, its output unreadable). As for WMIRefused, a
// refused connection, rejected credentials and timeouts are not.
func ShellRefused(err error) bool {
	var ce *CollectorError
	if errors.As(err, &ce) {
		return true
	}
	return WMIRefused(err)
}

func withMethod(f *facts.Facts, err error) func(string) (*facts.Facts, error) {
	return func(m string) (*facts.Facts, error) {
		if err != nil {
			return nil, err
		}
		f.Method = m
		return f, nil
	}
}

// WMIRefused reports whether an error of the WMI reader means that the host refuses to be read
// that way, so that the shell may still work: a SOAP fault of a WMI operation, an answer that
// makes no sense, or facts the reader could not assemble. A refused connection, rejected
// credentials and timeouts are not: they would be the same for the shell.
func WMIRefused(err error) bool {
	var (
		ae *AuthError
		fe *FaultError
		pe *ProtocolError
		re *Error
	)
	switch {
	case err == nil, errors.As(err, &ae):
		return false
	case errors.As(err, &fe):
		return !fe.IsTimedOut() && !fe.IsQuota()
	case errors.As(err, &pe):
		return true
	case errors.As(err, &re):
		return re.Category == CategoryCollector
	}
	return false
}

// BothRefusedError is the error of MethodAuto on a host that refused WMI and then the shell.
// Its category is the shell's (the last word on the host); both causes are in the message.
type BothRefusedError struct {
	WMI, Shell error
}

func (e *BothRefusedError) Error() string {
	return fmt.Sprintf("read over WMI refused: %v; and through the shell: %v", e.WMI, e.Shell)
}

// Unwrap returns the shell's error first, so that errors.As (and the category) find it first.
func (e *BothRefusedError) Unwrap() []error { return []error{e.Shell, e.WMI} }
