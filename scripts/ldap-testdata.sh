#!/usr/bin/env bash
# Loads the discover tests' computers into the lab domain controller of scripts/samba-dc.sh.
#
#   scripts/ldap-testdata.sh [DIR]            load once (a no-op when this version is loaded)
#   scripts/ldap-testdata.sh --reload [DIR]   delete OU=TLSReady Test and load it again
#
# DIR is the samba-dc.sh directory (default /tmp/tlsready-samba); the DC may be running (the
# objects go into DIR/private/sam.ldb through ldbadd, as samba-dc.sh's own changes do). Needs
# ldb-tools. About 6-8 s for the 1,200 objects; DIR/env gets TESTDATA_* lines for the tests.
#
# Everything is under OU=TLSReady Test,DC=corp,DC=example (the expected counts are in DIR/env):
#   OU=Paging          1,150 computers PG-0001..PG-1150: 1,100 enabled, 50 disabled (> 1,000: paging)
#   OU=Estate          the OS mix of a real estate, in nested OUs:
#     OU=Tokyo           7 RTM/SP1, 8, 8.1, 10, 11          (+ OU=Floor 3 below it: 10, 11)
#     OU=Servers         2008, 2008 R2, 2012 R2, 2016, 2019, 2022
#     OU=Osaka           stale (last logon 2024-11-27), never logged on, no dNSHostName,
#                        disabled, and names that need DN escaping (, + # " \ = leading space)
# Samba 4.17 to 4.19 refuse a Kerberos (GSSAPI) bind that selects no SASL security layer even
# over TLS ("Sign or Seal are required"), which Active Directory accepts over LDAPS and StartTLS
# and which go-ldap needs: this script sets "ldap server require strong auth =
# allow_sasl_over_tls" in DIR/etc/smb.conf (simple binds still need TLS) and, when it changed the
# file, restarts the DC with scripts/samba-dc.sh (about 2 s).
#
# Last logons are fixed dates: a test clock at 2026-01-01T00:00:00Z makes 3 computers stale at
# 90 days (STALE-01..03) plus the one that never logged on (NEVER-01).
set -euo pipefail

VERSION=1
reload=0
args=()
for a in "$@"; do
  case "$a" in
    --reload) reload=1 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "ldap-testdata.sh: unknown option $a" >&2; exit 2 ;;
    *) args+=("$a") ;;
  esac
done
DIR=${args[0]:-/tmp/tlsready-samba}
DIR=$(cd "$DIR" && pwd)
SAM=$DIR/private/sam.ldb
BASE=DC=corp,DC=example
ROOT="OU=TLSReady Test,$BASE"
start_time=$(date +%s.%N)

say() { echo "ldap-testdata: $*" >&2; }
die() { say "$*"; exit 1; }
elapsed() { awk -v s="$start_time" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}'; }

[ -f "$SAM" ] || die "$SAM not found: run scripts/samba-dc.sh first"
for tool in ldbsearch ldbadd ldbdel base64; do command -v "$tool" >/dev/null || die "$tool not found (ldb-tools)"; done

# ft DATE: the FILETIME (100 ns since 1601) of an ISO date, as lastLogonTimestamp holds it.
ft() { echo $(( ($(date -u -d "$1" +%s) + 11644473600) * 10000000 )); }
RECENT=$(ft 2025-12-20T00:00:00Z)
OLD=$(ft 2024-11-27T00:00:00Z)

b64() { printf '%s' "$1" | base64 -w0; }

ou() { # ou DN
  printf 'dn:: %s\nobjectClass: organizationalUnit\n\n' "$(b64 "$1")"
}

# pc OU CN SAM UAC OS VERSION SP DNS LASTLOGON: one computer; empty fields are left out. CN is
# the RDN value unescaped; the DN is written escaped per RFC 4514.
pc() {
  local ou=$1 cn=$2 sam=$3 uac=$4 os=$5 ver=$6 sp=$7 dns=$8 last=$9 esc
  esc=$(printf '%s' "$cn" | sed -e 's/\\/\\\\/g' -e 's/\([,+"<>;=]\)/\\\1/g' -e 's/^\([ #]\)/\\\1/' -e 's/ $/\\ /')
  printf 'dn:: %s\nobjectClass: computer\ncn:: %s\nsAMAccountName: %s$\nuserAccountControl: %s\n' \
    "$(b64 "CN=$esc,$ou")" "$(b64 "$cn")" "$sam" "$uac"
  [ -n "$os" ] && printf 'operatingSystem:: %s\n' "$(b64 "$os")"
  [ -n "$ver" ] && printf 'operatingSystemVersion: %s\n' "$ver"
  [ -n "$sp" ] && printf 'operatingSystemServicePack: %s\n' "$sp"
  [ -n "$dns" ] && printf 'dNSHostName: %s\n' "$dns"
  [ -n "$last" ] && printf 'lastLogonTimestamp: %s\n' "$last"
  printf '\n'
}

E=4096   # WORKSTATION_TRUST_ACCOUNT
D=4098   # ... | ACCOUNTDISABLE
W10="Windows 10 Enterprise"

gen() {
  ou "$ROOT"
  ou "OU=Paging,$ROOT"
  local i n
  for i in $(seq 1 1150); do
    n=$(printf 'PG-%04d' "$i")
    pc "OU=Paging,$ROOT" "$n" "$n" "$([ "$i" -le 1100 ] && echo $E || echo $D)" "$W10" "10.0 (19045)" "" \
      "${n,,}.corp.example" "$RECENT"
  done
  local est="OU=Estate,$ROOT" tok="OU=Tokyo,OU=Estate,$ROOT" srv="OU=Servers,OU=Estate,$ROOT" osa="OU=Osaka,OU=Estate,$ROOT"
  ou "$est"; ou "$tok"; ou "OU=Floor 3,$tok"; ou "$srv"; ou "$osa"
  # Tokyo: 10 clients.
  pc "$tok" W7-RTM-01 W7-RTM-01 $E "Windows 7 Professional" "6.1 (7600)" "" w7-rtm-01.corp.example "$RECENT"
  pc "$tok" W7-SP1-01 W7-SP1-01 $E "Windows 7 Enterprise" "6.1 (7601)" "Service Pack 1" w7-sp1-01.corp.example "$RECENT"
  pc "$tok" W7-SP1-02 W7-SP1-02 $E "Windows 7 Professional" "6.1 (7601)" "Service Pack 1" w7-sp1-02.corp.example "$RECENT"
  pc "$tok" W8-01 W8-01 $E "Windows 8 Pro" "6.2 (9200)" "" w8-01.corp.example "$RECENT"
  pc "$tok" W81-01 W81-01 $E "Windows 8.1 Pro" "6.3 (9600)" "" w81-01.corp.example "$RECENT"
  for i in 1 2 3; do pc "$tok" "W10-0$i" "W10-0$i" $E "$W10" "10.0 (19045)" "" "w10-0$i.corp.example" "$RECENT"; done
  for i in 1 2; do pc "$tok" "W11-0$i" "W11-0$i" $E "Windows 11 Enterprise" "10.0 (22631)" "" "w11-0$i.corp.example" "$RECENT"; done
  # Tokyo/Floor 3: 3 clients.
  pc "OU=Floor 3,$tok" W10-F3-01 W10-F3-01 $E "Windows 10 Pro" "10.0 (19044)" "" w10-f3-01.corp.example "$RECENT"
  pc "OU=Floor 3,$tok" W10-F3-02 W10-F3-02 $E "Windows 10 Pro" "10.0 (19044)" "" w10-f3-02.corp.example "$RECENT"
  pc "OU=Floor 3,$tok" W11-F3-01 W11-F3-01 $E "Windows 11 Pro" "10.0 (22631)" "" w11-f3-01.corp.example "$RECENT"
  # Servers: 6, written as Windows writes them (2008 with the ®).
  pc "$srv" SRV2008-01 SRV2008-01 $E "Windows Server® 2008 Standard" "6.0 (6002)" "Service Pack 2" srv2008-01.corp.example "$RECENT"
  pc "$srv" SRV2008R2-01 SRV2008R2-01 $E "Windows Server 2008 R2 Standard" "6.1 (7601)" "Service Pack 1" srv2008r2-01.corp.example "$RECENT"
  pc "$srv" SRV2012R2-01 SRV2012R2-01 $E "Windows Server 2012 R2 Standard" "6.3 (9600)" "" srv2012r2-01.corp.example "$RECENT"
  pc "$srv" SRV2016-01 SRV2016-01 $E "Windows Server 2016 Standard" "10.0 (14393)" "" srv2016-01.corp.example "$RECENT"
  pc "$srv" SRV2019-01 SRV2019-01 $E "Windows Server 2019 Datacenter" "10.0 (17763)" "" srv2019-01.corp.example "$RECENT"
  pc "$srv" SRV2022-01 SRV2022-01 $E "Windows Server 2022 Standard" "10.0 (20348)" "" srv2022-01.corp.example "$RECENT"
  # Osaka: 3 stale, 1 never logged on, 2 without dNSHostName, 2 disabled, 7 odd names = 15.
  for i in 1 2 3; do pc "$osa" "STALE-0$i" "STALE-0$i" $E "$W10" "10.0 (19045)" "" "stale-0$i.corp.example" "$OLD"; done
  pc "$osa" NEVER-01 NEVER-01 $E "$W10" "10.0 (19045)" "" never-01.corp.example ""
  pc "$osa" NODNS-01 NODNS-01 $E "$W10" "10.0 (19045)" "" "" "$RECENT"
  pc "$osa" NODNS-02 NODNS-02 $E "Windows 7 Professional" "6.1 (7601)" "Service Pack 1" "" "$RECENT"
  pc "$osa" DIS-01 DIS-01 $D "$W10" "10.0 (19045)" "" dis-01.corp.example "$RECENT"
  pc "$osa" DIS-02 DIS-02 $D "Windows 7 Professional" "6.1 (7600)" "" dis-02.corp.example "$RECENT"
  pc "$osa" "Comma, PC" ODD-COMMA $E "$W10" "10.0 (19045)" "" odd-comma.corp.example "$RECENT"
  pc "$osa" "Plus+PC" ODD-PLUS $E "$W10" "10.0 (19045)" "" odd-plus.corp.example "$RECENT"
  pc "$osa" "#Hash PC" ODD-HASH $E "$W10" "10.0 (19045)" "" odd-hash.corp.example "$RECENT"
  pc "$osa" " Leading Space" ODD-SPACE $E "$W10" "10.0 (19045)" "" odd-space.corp.example "$RECENT"
  pc "$osa" 'Quote"Back\Slash=Eq;Semi<>' ODD-QUOTE $E "$W10" "10.0 (19045)" "" odd-quote.corp.example "$RECENT"
  pc "$osa" "Star*(Paren)" ODD-STAR $E "$W10" "10.0 (19045)" "" odd-star.corp.example "$RECENT"
  pc "$osa" "東京-PC" ODD-UTF8 $E "$W10" "10.0 (19045)" "" odd-utf8.corp.example "$RECENT"
}

write_env() {
  local env=$DIR/env
  [ -f "$env" ] || die "$env not found: run scripts/samba-dc.sh first"
  grep -v '^TESTDATA_' "$env" >"$env.tmp" || true
  cat >>"$env.tmp" <<ENVEOF
TESTDATA_VERSION=$VERSION
TESTDATA_ROOT=$ROOT
TESTDATA_PAGING_OU=OU=Paging,$ROOT
TESTDATA_PAGING_ENABLED=1100
TESTDATA_PAGING_DISABLED=50
TESTDATA_ESTATE_OU=OU=Estate,$ROOT
TESTDATA_NOW=2026-01-01T00:00:00Z
ENVEOF
  mv "$env.tmp" "$env"
}

loaded() {
  ldbsearch -H "$SAM" -b "$ROOT" -s base "(description=tlsready testdata v$VERSION)" dn 2>/dev/null | grep -q '^dn:'
}

if [ "$reload" = 1 ] || ! loaded; then
  if ldbsearch -H "$SAM" -b "$ROOT" -s base dn 2>/dev/null | grep -q '^dn:'; then
    say "deleting $ROOT"
    ldbdel -H "$SAM" -r "$ROOT" >/dev/null || die "deleting $ROOT failed"
  fi
  say "loading into $SAM"
  gen >"$DIR/testdata.ldif"
  ldbadd -H "$SAM" "$DIR/testdata.ldif" >"$DIR/testdata.log" 2>&1 || { tail -n 5 "$DIR/testdata.log" >&2; die "ldbadd failed (see $DIR/testdata.log)"; }
  printf 'dn:: %s\nchangetype: modify\nreplace: description\ndescription: tlsready testdata v%s\n' "$(b64 "$ROOT")" "$VERSION" |
    ldbmodify -H "$SAM" >/dev/null || die "marking $ROOT failed"
  rm -f "$DIR/testdata.ldif"
else
  say "already loaded"
fi
# Kerberos binds over TLS as AD takes them (see the header).
CONF=$DIR/etc/smb.conf
if ! grep -q '^[[:space:]]*ldap server require strong auth = allow_sasl_over_tls' "$CONF"; then
  say "setting ldap server require strong auth = allow_sasl_over_tls in $CONF"
  sed -i '/^[[:space:]]*ldap server require strong auth[[:space:]]*=/d' "$CONF"
  sed -i 's/^\[global\]$/[global]\n\tldap server require strong auth = allow_sasl_over_tls/' "$CONF"
  if [ -f "$DIR/samba.pid" ] && kill -0 "$(cat "$DIR/samba.pid")" 2>/dev/null; then
    here=$(cd "$(dirname "$0")" && pwd)
    bash "$here/samba-dc.sh" stop "$DIR" >/dev/null 2>&1
    bash "$here/samba-dc.sh" start "$DIR" --no-install >/dev/null || die "restarting the DC failed"
  fi
fi
write_env
say "ready in $(elapsed) s"
