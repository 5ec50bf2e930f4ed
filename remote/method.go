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
// (ShellRefused). Otherwise, with MethodAuto it reads over WMI and, where the host refuses WMI (a
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
	if method != MethodAuto {
		return c.collectWith(ctx, ep, items, method)
	}
	first, then := MethodWMI, MethodShell
	if hasProbe(items) {
		first, then = MethodShell, MethodWMI
	}
	f, firstErr := c.collectWith(ctx, ep, items, first)
	if firstErr == nil {
		return f, nil
	}
	if !refusedBy(first, firstErr) || ctx.Err() != nil {
		return nil, firstErr
	}
	f, thenErr := c.collectWith(ctx, ep, items, then)
	if thenErr != nil {
		if first == MethodWMI {
			return nil, &BothRefusedError{WMI: firstErr, Shell: thenErr}
		}
		return nil, &BothRefusedError{WMI: thenErr, Shell: firstErr}
	}
	return f, nil
}

// collectWith reads the host with one method (MethodShell or MethodWMI) and records it in
// Facts.Method.
func (c *Client) collectWith(ctx context.Context, ep Endpoint, items []facts.Item, method string) (*facts.Facts, error) {
	read := c.CollectWMI
	if method == MethodShell {
		read = c.Collect
	}
	f, err := read(ctx, ep, items)
	if err != nil {
		return nil, err
	}
	f.Method = method
	return f, nil
}

// refusedBy reports whether err of the given method means that the host refuses to be read that
// way (WMIRefused, ShellRefused), so that the other method may still work.
func refusedBy(method string, err error) bool {
	if method == MethodShell {
		return ShellRefused(err)
	}
	return WMIRefused(err)
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
