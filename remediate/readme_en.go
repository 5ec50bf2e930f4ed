package remediate

// readmeEN is the English README.txt of the kit. Q numbers refer to the FAQ.
var readmeEN = map[string]string{
	"only64":   "   (64-bit Windows only)",
	"novalues": "  (none: no host needs a registry value)",
	"body": `TLS 1.2 for Outlook and Office 365 - remediation kit made by tlsready
=======================================================================

What the scan found
  {kb} host(s) need KB3140245 ({kbfile})
  {migrate} host(s) run an operating system that cannot use TLS 1.2 and must be migrated ({migratefile})
  {regonly} host(s) need registry values only ({regonlyfile})
  {unknown} host(s) could not be checked: rescan them (tlsready rescan) before deciding

Registry values (DefaultSecureProtocols = {protocols})
{values}

Files
  {reg64}   the values for 64-bit Windows (both WinHttp keys, Q6, Q7): reg import {reg64}
  {reg32}   the values for 32-bit Windows (no Wow6432Node key)
  {xml}     Group Policy Preferences items (Computer Configuration > Preferences >
               Windows Settings > Registry, action Update, REG_DWORD, Q14): copy the items
               into the GPMC editor, or the file into the GPO's Machine\Preferences\Registry
  {script}  sets the same values on one host; idempotent; try it with -WhatIf first
  hosts-*.csv  the target lists (name, distinguished name, OS): for a WSUS computer group or
               a ConfigMgr collection

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
     next policy refresh (Q14). SCHANNEL values take effect after a restart.
  5. Rescan: tlsready rescan --from RESULTS.jsonl --verdict action,unknown, then tlsready merge.
  6. The hosts in {migratefile} cannot get TLS 1.2 in WinHTTP (Q2): replace or upgrade
     their operating system; no registry value helps them.
`,
}
