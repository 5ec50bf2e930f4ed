/*
 * TEST-HARNESS SHIM, not part of tlsready: a bcryptprimitives.dll for Wine 8.0 (Debian 12), which
 * lacks ProcessPrng. Go 1.24+ Windows binaries import ProcessPrng from bcryptprimitives.dll for
 * crypto/rand and the runtime; without it they do not start under that Wine. Real Windows (10 and
 * later) has the function. This forwards to BCryptGenRandom from Wine's own bcrypt.dll with the
 * system-preferred RNG. scripts/wine.sh builds it with x86_64-w64-mingw32-gcc and copies it into
 * the Wine prefix's system32; it is never shipped.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE buf, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, buf, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
			return FALSE; /* Go's runtime aborts on FALSE; Windows' own ProcessPrng never fails */
		buf += n;
		len -= n;
	}
	return TRUE;
}
