#!/usr/bin/env bash
# A lab OpenLDAP server (slapd) on 127.0.0.1 that, unlike Samba, enforces a size limit of 1,000
# entries per search, as Active Directory's MaxPageSize does: the discover tests prove there that
# an unpaged search fails (Size Limit Exceeded) and a paged one returns everything.
#
#   scripts/slapd.sh [start] [DIR]   install (unless told not to), build the directory once, start
#   scripts/slapd.sh stop [DIR]      stop the slapd started from DIR
#   scripts/slapd.sh status [DIR]    exit 0 when the slapd of DIR is running and answers
#
# DIR defaults to /tmp/tlsready-slapd. TLSREADY_SLAPD_NO_INSTALL=1 (or --no-install) installs
# nothing: the Debian packages slapd and ldap-utils must be there. The directory is built once
# with slapadd (about 2 s for its 22,500 entries); a running slapd is left running.
#
# The directory (suffix DC=corp,DC=example) uses a small schema with Active Directory's attribute
# names (DIR/ad-mini.schema: sAMAccountName, dNSHostName, operatingSystem..., userAccountControl
# with AD's bitwise-AND matching rule, lastLogonTimestamp as an integer, objectCategory as the
# string "computer"):
#   OU=Paging   2,500 computers: 2,400 enabled, 100 disabled (userAccountControl 4098)
#   OU=Big      20,000 enabled computers, for the memory measurement
#   CN=reader   the account the tests bind as: not the rootdn, so the limits apply to it
#               (password in DIR/secrets/reader.pass, generated, never printed)
# Limits: sizelimit size.soft=1000 size.hard=1000 size.prtotal=unlimited. Listens on
# ldap://127.0.0.1:3890 only, in clear (lab data; the tests pass AllowPlain). DIR/env (KEY=value)
# tells the tests where everything is; point TLSREADY_SLAPD_ENV at it.
set -euo pipefail

PORT=${TLSREADY_SLAPD_PORT:-3890}
BASEDN=DC=corp,DC=example
PAGING_ENABLED=2400
PAGING_DISABLED=100
BIG=20000
DATA_VERSION=1

SERVICE=slapd
DEFAULT_DIR=/tmp/tlsready-slapd
NO_INSTALL=TLSREADY_SLAPD_NO_INSTALL
# shellcheck source=lib/service.sh
. "$(dirname "$0")/lib/service.sh" "$@"
CONF=$DIR/slapd.conf
PIDFILE=$DIR/slapd.pid
LOG=$DIR/slapd.log
SECRETS=$DIR/secrets
URL=ldap://127.0.0.1:$PORT

answers() {
  ldapwhoami -x -H "$URL" -D "CN=reader,$BASEDN" -y "$SECRETS/reader.pass" >/dev/null 2>&1
}

write_schema() {
  cat >"$DIR/ad-mini.schema" <<'SCHEMA'
# Active Directory's names and OIDs, with matching rules so that filters work as on AD.
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.619 NAME 'dNSHostName'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.363 NAME 'operatingSystem'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.365 NAME 'operatingSystemVersion'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.364 NAME 'operatingSystemServicePack'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
	EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.1696 NAME 'lastLogonTimestamp'
	EQUALITY integerMatch ORDERING integerOrderingMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.13 NAME 'displayName'
	EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
# On AD objectCategory is a DN that the server matches against "computer"; here it is that string.
attributetype ( 1.2.840.113556.1.4.782 NAME 'objectCategory'
	EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.3.30 NAME 'computer' SUP top STRUCTURAL
	MUST ( cn $ sAMAccountName $ objectCategory $ userAccountControl )
	MAY ( dNSHostName $ operatingSystem $ operatingSystemVersion $ operatingSystemServicePack $
	      lastLogonTimestamp $ displayName $ description ) )
SCHEMA
}

write_conf() {
  local modpath=/usr/lib/ldap
  cat >"$CONF" <<CONFEOF
# Written by scripts/slapd.sh.
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include $DIR/ad-mini.schema
pidfile $PIDFILE
argsfile $DIR/slapd.args
modulepath $modpath
moduleload back_mdb
loglevel none
sizelimit size.soft=1000 size.hard=1000 size.prtotal=unlimited
timelimit 60

database mdb
maxsize 1073741824
suffix "$BASEDN"
rootdn "CN=admin,$BASEDN"
directory $DIR/db
index objectClass,objectCategory eq
index sAMAccountName eq,sub
limits dn.exact="CN=reader,$BASEDN" size.soft=1000 size.hard=1000 size.prtotal=unlimited
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
CONFEOF
}

# FILETIME of 2025-12-20T00:00:00Z (a recent logon for a test clock at 2026-01-01).
RECENT=$(( (1766188800 + 11644473600) * 10000000 ))

gen_ldif() {
  local pw; pw=$(slappasswd -T "$SECRETS/reader.pass")
  cat <<LDIF
dn: $BASEDN
objectClass: top
objectClass: domain
dc: corp

dn: CN=reader,$BASEDN
objectClass: person
cn: reader
sn: reader
userPassword: $pw

dn: OU=Paging,$BASEDN
objectClass: organizationalUnit
ou: Paging
description: tlsready test data v$DATA_VERSION

dn: OU=Big,$BASEDN
objectClass: organizationalUnit
ou: Big

LDIF
  awk -v base="$BASEDN" -v en="$PAGING_ENABLED" -v dis="$PAGING_DISABLED" -v big="$BIG" -v ts="$RECENT" '
    function pc(ou, prefix, i, uac,   n) {
      n = sprintf("%s-%05d", prefix, i)
      printf "dn: CN=%s,OU=%s,%s\nobjectClass: computer\ncn: %s\nsAMAccountName: %s$\nobjectCategory: computer\n", n, ou, base, n, n
      printf "userAccountControl: %d\ndNSHostName: %s.corp.example\noperatingSystem: Windows 10 Enterprise\n", uac, tolower(n)
      printf "operatingSystemVersion: 10.0 (19045)\nlastLogonTimestamp: %s\n\n", ts
    }
    BEGIN {
      for (i = 1; i <= en + dis; i++) pc("Paging", "PG", i, i <= en ? 4096 : 4098)
      for (i = 1; i <= big; i++) pc("Big", "BIG", i, 4096)
    }'
}

build() {
  [ -f "$DIR/db/data.mdb" ] && [ -f "$DIR/built-v$DATA_VERSION" ] && return
  say "building the directory in $DIR"
  rm -rf "$DIR/db" "$DIR"/built-v*
  mkdir -p "$DIR/db" "$SECRETS" && chmod 700 "$SECRETS"
  if [ ! -s "$SECRETS/reader.pass" ]; then
    printf 'Lab-%s-9z' "$(openssl rand -hex 12 2>/dev/null || od -An -tx1 -N12 /dev/urandom | tr -d ' \n')" >"$SECRETS/reader.pass"
    chmod 600 "$SECRETS/reader.pass"
  fi
  gen_ldif >"$DIR/data.ldif"
  slapadd -q -f "$CONF" -l "$DIR/data.ldif" >"$DIR/slapadd.log" 2>&1 || { tail -n 20 "$DIR/slapadd.log" >&2; die "slapadd failed"; }
  rm -f "$DIR/data.ldif"
  touch "$DIR/built-v$DATA_VERSION"
}

start_slapd() {
  running && return
  say "starting slapd on $URL"
  slapd -f "$CONF" -h "$URL/" >"$LOG" 2>&1 || die "slapd did not start"
  for _ in $(seq 1 100); do
    if [ -s "$PIDFILE" ] && answers; then return; fi
    sleep 0.1
  done
  die "slapd did not answer within 10 s"
}

write_env() {
  cat >"$DIR/env.tmp" <<ENVEOF
# Written by scripts/slapd.sh; for tests. Secrets are in files, never here.
SLAPD_URL=$URL
SLAPD_BASE_DN=$BASEDN
SLAPD_BIND_DN=CN=reader,$BASEDN
SLAPD_PASSWORD_FILE=$SECRETS/reader.pass
SLAPD_PAGING_OU=OU=Paging,$BASEDN
SLAPD_PAGING_ENABLED=$PAGING_ENABLED
SLAPD_PAGING_DISABLED=$PAGING_DISABLED
SLAPD_BIG_OU=OU=Big,$BASEDN
SLAPD_BIG_COUNT=$BIG
SLAPD_SIZE_LIMIT=1000
ENVEOF
  mv "$DIR/env.tmp" "$DIR/env"
}

case "$cmd" in
  stop) stop_service; exit 0 ;;
  status)
    running || { say "not running"; exit 1; }
    answers || { say "running, but does not answer"; exit 1; }
    say "running (pid $(cat "$PIDFILE")), answers"; exit 0 ;;
esac

install_missing slapd ldap-utils
for tool in slapd slapadd slappasswd ldapwhoami awk; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || die "$tool not found"
done
export PATH=$PATH:/usr/sbin
write_schema
write_conf
build
start_slapd
write_env
say "ready in $(elapsed) s: $DIR/env"
echo "$DIR/env"
