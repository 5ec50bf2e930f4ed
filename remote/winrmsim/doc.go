// Package winrmsim runs simulated Windows hosts: one WinRM endpoint per host profile, speaking
// real WS-Management SOAP over real HTTP(S) on 127.0.0.1, so that the tests, "tlsready demo" and
// "tlsready lab" can run the whole scan without a Windows machine.
//
// It owns the host profile format (one JSON file per host, see Profile), the WS-Management shell
// protocol as Windows answers it (Create, Command, Send, Receive, Signal, Delete, and a Get of
// the WinRM configuration), authentication as a default Windows host does it (Negotiate with
// NTLMv2 verified against the configured password, per-connection security contexts, MS-WSMV
// message encryption, AllowUnencrypted=false; Basic when enabled; Kerberos through an Acceptor),
// the limits real hosts enforce (MaxEnvelopeSizekb, MaxShellsPerUser, OperationTimeout, cmd.exe's
// 8191-character command line, unknown shell and command ids, the Group Policy "Allow Remote
// Shell Access" disabled: Profile.RemoteShellAccess) with the HTTP statuses and SOAP faults
// Windows sends, and a small command interpreter: hostname, a cmd.exe subset (echo, set,
// exit, &&, ||, &, >&2) and a PowerShell subset (Write-Host, Write-Output, Start-Sleep, exit)
// beside the tlsready collector. Options.ScriptValidator, when set (the tests set a real
// PowerShell grammar, internal/psgrammar), refuses a program that does not parse as
// powershell.exe refuses it, so that the simulated hosts are not more lenient than Windows.
//
// The collector is answered by resolving the requested items (facts.ParseItems) against the
// profile the way Windows would — a missing key, a missing value, a value of another type, a file
// without a version — never by recognising a host or a test. Per-host faults (Profile.Fault:
// refuse, timeout, auth, garbage, quota-then-ok, reset, slow) make unreachable, busy and broken
// hosts for the scanner to report or retry; Fleet.ClearFaults mends them all at once, for a
// rescan. Profile.Latency, Options.Latency and Options.ExecTime slow the answers down as a network
// and a busy host would, and Generate makes fleets of any size with an exact, seeded mix of
// faults, for fault and load tests ("tlsready lab --generate").
//
// It knows nothing of verdicts (see checks) and its code does not use the WinRM client (see
// remote): its tests speak HTTP themselves, replay real request/response pairs recorded against
// Windows, and run pywinrm against it; a few drive the scanner's own client, to show how it
// meets the faults. It shares only NTLM (remote/ntlm) and the MS-WSMV framing (remote/wsmv) with
// the client.
package winrmsim
