// Package discover will turn an Active Directory OU into scan targets over LDAP (paged search,
// filters, DC location). It is empty until the discovery issue; see DESIGN.md.
package discover
