// Package remote runs the tlsready collector on one Windows host over WinRM and turns what it
// prints into facts.
//
// It owns the WS-Management session (one shell, one command, the shell always deleted), the HTTP
// transport under it (status codes checked, SOAP faults turned into typed errors, every body
// closed, every request bound to the host's deadline), the embedded PowerShell collector and its
// bootstrap command line, and the error categories of the results file (see Category).
//
// It builds on github.com/masterzen/winrm for the SOAP envelopes and their parsers, but not for
// its HTTP transport or its command loop: remote supplies its own winrm.Transporter and drives the
// protocol itself. Authentication is Basic over HTTP or HTTPS; NTLM, Kerberos and message
// encryption are not implemented yet.
//
// It knows nothing of verdicts (see checks) nor of scanning many hosts (see scan).
package remote
