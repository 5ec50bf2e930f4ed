// Package remote reads the facts of one Windows host over WinRM, in two rooms over one session
// layer:
//
//   - How we talk to a host (client.go, transport.go, auth*.go, envelope.go, fault.go,
//     errors.go; wsman_ops.go and cim.go for WMI): authentication, sealing, envelopes, faults,
//     deadlines and error categories, and the WS-Management operations on top - the shell's
//     Create/Command/Send/Receive (Run), and WS-Transfer Get, WS-Enumeration Enumerate/Pull and
//     Invoke (Session).
//   - What we read from it: the PowerShell collector run in a shell (collector.go,
//     collector.ps1) or the WMI reader (wmireader.go: StdRegProv, Win32_OperatingSystem,
//     CIM_DataFile, no process started), each producing the same facts.Facts; CollectBy
//     (method.go) chooses between them (--method shell, wmi, auto).
//
// It owns the WS-Management session (one shell, one command, the shell always deleted), the HTTP
// transport under it (status codes checked, SOAP faults turned into typed errors, every body
// closed, every request bound to the host's deadline), the embedded PowerShell collector and its
// bootstrap command line, and the error categories of the results file (see Category).
//
// It builds on github.com/masterzen/winrm for the SOAP envelopes (each kind built by the library
// once per Client and compiled into a template, envelope.go), but not for its HTTP transport,
// its parsers or its command loop: remote posts the envelopes itself and drives the protocol. Authentication (Config.Auth) is pluggable (auth.go: Mechanism,
// SecurityContext): NTLMv2 (remote/ntlm) and Kerberos (remote/kerberos) run their handshake once
// per Run on a connection of the run's own, and over HTTP encrypt every message with MS-WSMV
// framing (remote/wsmv), as Windows requires by default; a SOAP body is never sent in clear over
// HTTP with them. Basic remains for hosts configured for it (HTTPS, or AllowUnencrypted).
//
// It knows nothing of verdicts (see checks) nor of scanning many hosts (see scan).
package remote
