package discover

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// Error is a failed step against one server: "ldap ldaps://dc1:636: bind as CORP\x: invalid
// credentials (LDAP 49, AD 52e: wrong password)". errors.As finds the *ldap.Error beneath.
type Error struct {
	Server string // the URL
	Step   string // connect, bind as USER, search "BASE DN", ...
	Err    error
}

func (e *Error) Error() string { return "ldap " + e.Server + ": " + e.Step + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// InvalidCredentials reports whether err is the server refusing the bind's credentials (LDAP 49):
// the caller should not retry with the same ones (lockout).
func InvalidCredentials(err error) bool {
	var le *ldap.Error
	return errors.As(err, &le) && le.ResultCode == ldap.LDAPResultInvalidCredentials
}

// wordedError puts an *ldap.Error into words, keeping it for errors.As.
type wordedError struct {
	text string
	err  error
}

func (e *wordedError) Error() string { return e.text }
func (e *wordedError) Unwrap() error { return e.err }

// adSubCodes are the "data XXX" codes of AD's AcceptSecurityContext error (LDAP 49).
var adSubCodes = map[string]string{
	"525": "no such user",
	"52e": "wrong password",
	"530": "not permitted to log on at this time",
	"531": "not permitted to log on at this workstation",
	"532": "password expired",
	"533": "account disabled",
	"534": "logon type not granted",
	"568": "too many security IDs in the token",
	"701": "account expired",
	"773": "user must change the password",
	"775": "account locked out",
}

var adData = regexp.MustCompile(`(?i)\bdata ([0-9a-f]{3,8})\b`)

// describe words an LDAP error; other errors pass unchanged.
func describe(err error) error {
	var le *ldap.Error
	if !errors.As(err, &le) {
		return err
	}
	code := le.ResultCode
	name := strings.ToLower(ldap.LDAPResultCodeMap[code])
	diag := ""
	if le.Err != nil {
		diag = le.Err.Error()
	}
	var text string
	switch code {
	case ldap.LDAPResultInvalidCredentials:
		text = "invalid credentials (LDAP 49)"
		if m := adData.FindStringSubmatch(diag); m != nil {
			sub := strings.ToLower(m[1])
			words := adSubCodes[sub]
			if words == "" {
				words = "see Microsoft's list of AcceptSecurityContext data codes"
			}
			text = fmt.Sprintf("invalid credentials (LDAP 49, AD %s: %s)", sub, words)
		}
	case ldap.LDAPResultNoSuchObject:
		text = "no such object (LDAP 32)"
		if le.MatchedDN != "" {
			text += fmt.Sprintf("; the nearest existing entry is %q", le.MatchedDN)
		}
	case ldap.LDAPResultReferral:
		text = "referral (LDAP 10): the base DN is not in this DC's directory partition; point the LDAP URL at a DC of its domain (no referral is followed)"
	case ldap.LDAPResultSizeLimitExceeded:
		text = "size limit exceeded (LDAP 4): the server did not page the results"
	case ldap.LDAPResultStrongAuthRequired, ldap.LDAPResultConfidentialityRequired:
		text = fmt.Sprintf("%s (LDAP %d): the server wants LDAPS or StartTLS (or signing) for this bind", name, code)
	case ldap.LDAPResultInsufficientAccessRights:
		text = "insufficient access rights (LDAP 50): the account may not read these objects"
	case ldap.LDAPResultUnwillingToPerform:
		text = "unwilling to perform (LDAP 53)"
	case ldap.ErrorNetwork:
		text = "network error"
	case ldap.ErrorEmptyPassword:
		text = "empty password: refused (it would be an unauthenticated bind)"
	default:
		if name == "" {
			name = "error"
		}
		text = fmt.Sprintf("%s (LDAP %d)", name, code)
	}
	if diag != "" && code != ldap.LDAPResultInvalidCredentials {
		text += ": " + diag
	} else if diag != "" && !adData.MatchString(diag) {
		text += ": " + diag
	}
	return &wordedError{text: text, err: err}
}
