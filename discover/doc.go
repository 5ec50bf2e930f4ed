// Package discover turns an Active Directory OU into scan targets over LDAP: it locates a domain
// controller (a URL, or DNS SRV records of the domain), connects over LDAPS or StartTLS
// (certificates verified), binds (simple, Kerberos or NTLM), runs one paged search of computer
// objects page by page, filters them (enabled, operating system, name, last logon, a raw filter)
// and hands each one to the caller as a Computer carrying its AD facts. An operating system that
// AD already shows to be certainly unsupported (Q2) is flagged before any connection to the host.
//
// It knows nothing of WinRM, checks or output formats: the command wires it to the scan.
package discover
