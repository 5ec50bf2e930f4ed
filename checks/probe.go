package checks

// The probe (scan --probe) has each host attempt a TLS 1.2 handshake to Microsoft 365 itself. Its
// findings form GroupProbe: they are warnings or info, so they never change the verdict, which
// rests on the host's configuration. A host whose configuration says ready but whose probe
// failed is a contradiction, which a report shows first (Contradicts).

// GroupProbe is the FindingType.Group of the probe's findings.
const GroupProbe = "probe"

// The probe's finding ids.
const (
	// IDProbeOK: the host negotiated TLS with the probe target; Args hold "target", "protocol"
	// and "cipher" as the host reported them.
	IDProbeOK = "PROBE_OK"
	// IDProbeFailed: the host could not complete a TLS 1.2 handshake with the target; Args
	// "outcome" is one of the ProbeOutcome values other than ok and intercepted.
	IDProbeFailed = "PROBE_FAILED"
	// IDProbeIntercepted: the handshake completed, but the certificate the host received does not
	// chain to a root Microsoft 365 uses: something between the PC and Microsoft terminates TLS.
	IDProbeIntercepted = "PROBE_INTERCEPTED"
	// IDProbeNeedsShell: --probe was asked for but the host was read over WMI (--method wmi or
	// auto's fallback), which cannot run the probe: it needs the shell.
	IDProbeNeedsShell = "PROBE_NEEDS_SHELL"
)

// ProbeOutcome is the "outcome" Arg of a probe finding.
type ProbeOutcome string

// The probe outcomes.
const (
	ProbeOK          ProbeOutcome = "ok"          // TLS 1.2 negotiated, certificate from Microsoft
	ProbeNoRoute     ProbeOutcome = "noroute"     // name not resolved, or no TCP connection
	ProbeProxy       ProbeOutcome = "proxy"       // a proxy refused or needs authentication
	ProbeRefused     ProbeOutcome = "refused"     // TCP connected, the TLS handshake failed
	ProbeIntercepted ProbeOutcome = "intercepted" // certificate not from Microsoft
	ProbeError       ProbeOutcome = "error"       // the probe itself failed on the host
	ProbeNeedsShell  ProbeOutcome = "needs-shell" // read over WMI: no probe ran
)

// Contradicts reports whether a host's findings contradict each other: the configuration rules
// say ready, but the probe failed or was intercepted.
func Contradicts(findings []Finding) bool {
	if VerdictOf(findings) != Ready {
		return false
	}
	for _, f := range findings {
		if f.ID == IDProbeFailed || f.ID == IDProbeIntercepted {
			return true
		}
	}
	return false
}
