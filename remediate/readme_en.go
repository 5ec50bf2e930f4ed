package remediate

// readmeEN is the English README.txt of the kit. Q numbers refer to the FAQ.
var readmeEN = map[string]string{
	"only64":   "   (64-bit Windows only)",
	"orin":     "   (the script adds these bits to a REG_DWORD already there)",
	"novalues": "  (none: no host needs a registry value)",
	"kitonly":  "   (cipher suites: \"tlsready fix\" leaves this to the kit)",
	"cipher": `

Cipher suites (CIPHER_NONE_ACCEPTED, CIPHER_ONLY_RETIRING)
  The SCHANNEL Ciphers, Hashes and KeyExchangeAlgorithms values above are set to 0xffffffff, the
  value Microsoft's KB245030 ("Restrict cryptographic algorithms and protocols in Schannel.dll")
  gives an enabled algorithm, and only where Enabled = 0 removes every suite Microsoft 365
  accepts; keys that remove only RC4, 3DES, MD5, SHA-1 MACs or RSA key exchange stay off.
  Microsoft's pages disagree here: the TLS registry settings page says to control cipher suites
  through the cipher suite order, not these keys; the kit only undoes a 0 already set.
  "tlsready fix" leaves cipher suites to the kit.
{orders}`,
	"policy": `  Group Policy sets the order of these hosts: the kit does not write
  HKLM\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002 Functions. In the GPO
  that applies to them, set Computer Configuration > Administrative Templates > Network > SSL
  Configuration Settings > "SSL Cipher Suite Order" to Enabled with this list (one line,
  comma-separated; {source}), run gpupdate /force and restart the hosts:
    {release}: {hosts}
      {list}`,
	"local": `  The local order (HKLM\{key} Functions) of these hosts
  offers no suite Microsoft 365 accepts: {script} puts these in front and keeps the rest
  ({source}); restart the hosts afterwards:
    {release}: {hosts}
      {list}`,
	"win7on": `  SCHANNEL TLS 1.2 Client DisabledByDefault = 0 (with Enabled = 1 where absent) is included for
  the Windows 7 / Server 2008 R2 SP1 hosts where it is absent (--win7-schannel): KB3140245 says
  Office applications need the SCHANNEL settings, and Outlook's POP, IMAP and SMTP accounts use
  SCHANNEL directly.`,
	"win7off": `  Windows 7 / Server 2008 R2 SP1 hosts with SCHANNEL_DISABLED_BY_DEFAULT: "tlsready remediate
  --win7-schannel" (or "tlsready fix --win7-schannel") adds SCHANNEL TLS 1.2 Client
  DisabledByDefault = 0 for them (KB3140245: Office applications need it; Outlook's POP, IMAP and
  SMTP accounts use SCHANNEL directly).`,
	"body": `TLS 1.2 for Outlook and Office 365 - remediation kit made by tlsready
=======================================================================
{faq}

What the scan found
  {kb} host(s) need KB3140245 ({kbfile})
  {migrate} host(s) run an operating system that cannot use TLS 1.2 and must be migrated ({migratefile})
  {regonly} host(s) need registry values only ({regonlyfile})
  {unknown} host(s) could not be checked: rescan them (tlsready rescan) before deciding

Registry values (DefaultSecureProtocols = {protocols})
{values}

{win7}{cipher}

Only the hosts in {kbfile} and {regonlyfile} need these values
(their findings column says which; "tlsready fix" writes each host only what it needs). A .reg file and a Group Policy Preferences item can
only set a value: they replace what is there, so a deliberate 0x00000a80 (TLS 1.0 kept, Q4, Q5) or
the TLS 1.3 bit 0x2000 of Windows 11 / Server 2022 is lost. Limit the GPO to the hosts of those two
lists (a security group in the GPO's security filtering, or item-level targeting), never the whole
domain. {script} and "tlsready fix" add TLS 1.2 to the value that is there instead.

Files
  {reg64}   the values for 64-bit Windows (both WinHttp keys, Q6, Q7). Run it from an elevated
               64-bit prompt: reg import {reg64} /reg:64 (reg.exe started by a 32-bit
               program, such as a 32-bit deployment agent, is redirected to Wow6432Node without
               /reg:64)
  {reg32}   the values for 32-bit Windows (no Wow6432Node key)
  {xml}     Group Policy Preferences items (action Update, REG_DWORD, Q14). In the Group Policy
               Management Editor, open Computer Configuration > Preferences > Windows Settings >
               Registry, copy the items from {xml} (open it in a text editor, copy the
               <Collection> element) and paste them there. Do not copy {xml} into the GPO's
               folder in SYSVOL: it overwrites the GPO's own file, and a GPO that has no registry
               preferences yet ignores it.
  {script}  sets the same values on one host, adding TLS 1.2 to DefaultSecureProtocols and
               SecureProtocols values that are there; idempotent; try it with -WhatIf first. Run
               it as an administrator with
                 powershell -ExecutionPolicy Bypass -File {script}
               (Windows 7's execution policy is Restricted by default)
  hosts-*.csv  the target lists (name, distinguished name, OS): for a WSUS computer group, a
               ConfigMgr collection or the GPO's security group

Order of the work
  1. KB3140245 and the registry values are both needed; which comes first does not matter
     (Q15). Deploy them in parallel.
  2. KB3140245 is classified in WSUS as "Updates", not "Critical Updates": approve the Updates
     classification for the computers in {kbfile}, or import KB3140245 from the
     Microsoft Update Catalog and approve it (Q9). Windows Update offers it as a "Recommended"
     update, installed automatically only when recommended updates are treated like important
     ones (Q10).
  3. The Download button on the KB3140245 support page is an "Easy Fix" that only writes the
     registry values; it does not install the update (Q11). Check the update by the versions of
     System32\webio.dll and winhttp.dll, which tlsready reads.
  4. After linking the GPO, run gpupdate /force on a host to apply it at once, or wait for the
     next policy refresh (Q14).
  5. Restart each host after the change. DefaultSecureProtocols is read when a program loads
     WinHTTP: Outlook and the BITS service (the offline address book) keep the old setting until
     they restart; SCHANNEL values take effect after Windows restarts (Q8).
  6. Rescan: tlsready rescan --from RESULTS.jsonl --verdict action,unknown, then tlsready merge.
  7. The hosts in {migratefile} cannot get TLS 1.2 in WinHTTP (Q2): replace or upgrade
     their operating system; no registry value helps them.
`,
}
