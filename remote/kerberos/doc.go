// Package kerberos is Kerberos for WinRM, both sides, on top of gokrb5's messages and crypto:
//
//   - Login: the credentials of one scan (a password, or a ticket cache from kinit), one AS
//     exchange shared by every host, service tickets fetched once per host name;
//   - Initiator: the client's security context with one host: the AP-REQ (mutual
//     authentication, confidentiality and integrity asked for), under HTTP Negotiate (SPNEGO) or
//     Kerberos, and the check of the host's AP-REP;
//   - Acceptor: the service side, validating AP-REQs with the keys of a keytab and answering the
//     AP-REP, for the simulated hosts of remote/winrmsim;
//   - Sealer: RFC 4121 wrap tokens with confidentiality, split as MS-WSMV encrypted messages
//     carry them (a wsmv.Sealer).
//
// It knows nothing of HTTP requests, WS-Management or the scan: remote drives the initiator,
// winrmsim the acceptor. Keys, tickets and passwords never appear in its errors or String
// methods. Message protection is implemented for the AES enctypes (RFC 3962, RFC 8009): the KDC
// is asked for AES session keys only.
package kerberos
