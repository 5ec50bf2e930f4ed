//go:build !windows

package remote

// platformSSPI is nil: only Windows has SSPI. Without a user, Kerberos uses the ticket cache.
func platformSSPI() sspiProvider { return nil }
