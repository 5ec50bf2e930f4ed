#!/usr/bin/env bash
# A lab Active Directory domain controller (Samba) on 127.0.0.1, for the Kerberos and LDAP tests.
#
#   scripts/samba-dc.sh [start] [DIR]   install (unless told not to), provision once, start, prepare
#   scripts/samba-dc.sh stop [DIR]      stop the DC started from DIR
#   scripts/samba-dc.sh status [DIR]    exit 0 when the DC of DIR is running and its KDC answers
#
# DIR defaults to /tmp/tlsready-samba. TLSREADY_SAMBA_NO_INSTALL=1 (or --no-install) installs
# nothing: the Debian packages samba samba-ad-dc samba-ad-provision winbind krb5-user ldb-tools,
# openssl and python3-gssapi must be there. Running start again is cheap: a provisioned DIR is reused, a running DC is
# left running, and the accounts, keytab, ticket cache and env file are refreshed.
#
# The domain: realm CORP.EXAMPLE, NetBIOS domain CORP, DC dc1.corp.example. Every service listens
# on 127.0.0.1 only (KDC on 88, LDAP 389, LDAPS 636 with a certificate of our own CA, kpasswd 464,
# SMB 445...). Accounts made for the tests:
#   tlsready-scan      a user that scans (password in DIR/secrets/scan.pass)
#   PC-KRB-01$         a computer account for a simulated host, SPNs HTTP/pc-krb-01.corp.example,
#                      HTTP/pc-krb-01, HOST/...; AES keys only; its keys in DIR/pc-krb-01.keytab
#   Administrator      generated password in DIR/secrets/admin.pass
# Passwords are lab-only, generated on provisioning, kept in DIR/secrets (mode 0700), never printed
# and never passed as a command-line argument.
#
# DIR/env (shell syntax, KEY=value lines) tells the tests where everything is: see write_env below.
# It takes about 15 s from scratch once the packages are installed, about 2 s when DIR is already
# provisioned, and well under a second when the DC already runs.
set -euo pipefail

REALM=CORP.EXAMPLE
DOMAIN=CORP
DNSDOMAIN=corp.example
BASEDN=DC=corp,DC=example
DCNAME=dc1
SCANUSER=tlsready-scan
HOSTNAME_SIM=pc-krb-01
HOSTFQDN_SIM=pc-krb-01.corp.example
# python3-gssapi: MIT's GSS-API for the interoperability tests of remote/kerberos.
PACKAGES=(samba samba-ad-dc samba-ad-provision winbind krb5-user ldb-tools openssl python3-gssapi)

SERVICE=samba-dc
DEFAULT_DIR=/tmp/tlsready-samba
NO_INSTALL=TLSREADY_SAMBA_NO_INSTALL
# shellcheck source=lib/service.sh
. "$(dirname "$0")/lib/service.sh" "$@"
CONF=$DIR/etc/smb.conf
LOG=$DIR/samba-dc.log
PIDFILE=$DIR/samba.pid
SECRETS=$DIR/secrets
export KRB5_CONFIG=$DIR/krb5.conf

# kinit_as USER PASSFILE CCACHE: get a TGT, the password on standard input.
kinit_as() {
  KRB5CCNAME=$3 kinit "$1@$REALM" <"$2" >/dev/null 2>&1
}

# A lab CA and a certificate for the DC (LDAPS), both with positive serial numbers: Samba's own
# self-signed certificate has a negative one, which Go's x509 refuses.
make_tls() {
  local t=$DIR/tls
  [ -f "$t/dc.pem" ] && [ -f "$t/ca.pem" ] && return
  mkdir -p "$t"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=tlsready lab CA" \
    -set_serial "0x$(openssl rand -hex 8 | sed 's/^./1/')" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$t/ca.key" -out "$t/ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$DCNAME.$DNSDOMAIN" \
    -keyout "$t/dc.key" -out "$t/dc.csr" >/dev/null 2>&1
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=DNS:$DCNAME.$DNSDOMAIN,DNS:$DNSDOMAIN,DNS:localhost,IP:127.0.0.1" >"$t/dc.ext"
  openssl x509 -req -in "$t/dc.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -sha256 -days 3650 \
    -set_serial "0x$(openssl rand -hex 8 | sed 's/^./1/')" -extfile "$t/dc.ext" -out "$t/dc.pem" >/dev/null 2>&1
  chmod 600 "$t"/*.key
  rm -f "$t/dc.csr"
}

gen_password() { echo "Lab-$(openssl rand -hex 12)-9z"; }

provision() {
  [ -f "$CONF" ] && return
  say "provisioning $REALM in $DIR"
  mkdir -p "$SECRETS" && chmod 700 "$SECRETS"
  # No --adminpass: provision generates one and writes it only to its output, which goes to a
  # file in SECRETS (the password never is an argument of a process).
  samba-tool domain provision --realm="$REALM" --domain="$DOMAIN" --server-role=dc \
    --dns-backend=NONE --host-name="$DCNAME" --targetdir="$DIR" --use-rfc2307 \
    --option="interfaces=127.0.0.1" --option="bind interfaces only=yes" \
    --option="tls enabled=yes" --option="tls keyfile=$DIR/tls/dc.key" \
    --option="tls certfile=$DIR/tls/dc.pem" --option="tls cafile=$DIR/tls/ca.pem" \
    --option="pid directory=$DIR/run" --option="log file=$DIR/log/%m.log" \
    >"$SECRETS/provision.log" 2>&1 || { rm -f "$CONF"; tail -n 20 "$SECRETS/provision.log" | grep -v -i password >&2; die "provision failed"; }
  sed -n 's/^.*Admin password: *//p' "$SECRETS/provision.log" | head -n 1 >"$SECRETS/admin.pass"
  [ -s "$SECRETS/admin.pass" ] || die "provision printed no admin password"
  chmod 600 "$SECRETS"/*
}

write_krb5_conf() {
  cat >"$KRB5_CONFIG" <<EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_realm = false
	dns_lookup_kdc = false
	rdns = false
	dns_canonicalize_hostname = false
	ticket_lifetime = 10h
	forwardable = true
	# TCP only: AD tickets with a PAC outgrow UDP, and the tests count KDC requests over TCP.
	udp_preference_limit = 1

[realms]
	$REALM = {
		kdc = 127.0.0.1:88
		admin_server = 127.0.0.1
		default_domain = $DNSDOMAIN
	}

[domain_realm]
	.$DNSDOMAIN = $REALM
	$DNSDOMAIN = $REALM
EOF
}

start_dc() {
  if running; then return; fi
  mkdir -p "$DIR/run"
  say "starting samba"
  # -i: one process group in the foreground of its own, no fork; nohup keeps it past this shell.
  nohup samba -i -s "$CONF" >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
}

wait_kdc() {
  local cc=MEMORY:probe
  for _ in $(seq 1 300); do
    running || die "samba exited"
    if kinit_as Administrator "$SECRETS/admin.pass" "$cc"; then return; fi
    sleep 0.1
  done
  die "the KDC did not answer within 30 s"
}

ldb() { "$@" -s "$CONF" -H "$DIR/private/sam.ldb" >/dev/null 2>&1; }

# set_password SAMACCOUNTNAME PASSFILE: through the local database, the password in an LDIF on
# standard input.
set_password() {
  local dn
  dn=$(ldbsearch -H "$DIR/private/sam.ldb" "(sAMAccountName=$1)" dn | sed -n 's/^dn: //p' | head -n 1)
  [ -n "$dn" ] || die "no account $1"
  local pw; pw=$(cat "$2")
  printf 'dn: %s\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: %s\n' "$dn" \
    "$(printf '"%s"' "$pw" | iconv -f UTF-8 -t UTF-16LE | base64 -w0)" |
    ldbmodify -H "$DIR/private/sam.ldb" >/dev/null 2>&1 || die "setting the password of $1 failed"
}

modify() { # modify LDIF (standard input)
  ldbmodify -H "$DIR/private/sam.ldb" >/dev/null 2>&1 || die "ldbmodify failed"
}

prepare_accounts() {
  # The scanning user.
  if ! ldbsearch -H "$DIR/private/sam.ldb" "(sAMAccountName=$SCANUSER)" dn 2>/dev/null | grep -q '^dn:'; then
    ldb samba-tool user create "$SCANUSER" --random-password --description="tlsready scanning account (lab)" ||
      die "creating user $SCANUSER failed"
  fi
  if [ ! -s "$SECRETS/scan.pass" ]; then gen_password >"$SECRETS/scan.pass"; chmod 600 "$SECRETS/scan.pass"; fi
  set_password "$SCANUSER" "$SECRETS/scan.pass"
  local scandn
  scandn=$(ldbsearch -H "$DIR/private/sam.ldb" "(sAMAccountName=$SCANUSER)" dn | sed -n 's/^dn: //p')
  # Never expires (a lab kept for days), AES keys preferred.
  printf 'dn: %s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 66048\n' "$scandn" | modify

  # The computer account of the simulated host, as a domain-joined Windows PC has it.
  if ! ldbsearch -H "$DIR/private/sam.ldb" "(sAMAccountName=$HOSTNAME_SIM\$)" dn 2>/dev/null | grep -q '^dn:'; then
    ldb samba-tool computer create "$HOSTNAME_SIM" \
      --service-principal-name="HTTP/$HOSTFQDN_SIM" --service-principal-name="HTTP/$HOSTNAME_SIM" \
      --service-principal-name="WSMAN/$HOSTFQDN_SIM" --service-principal-name="WSMAN/$HOSTNAME_SIM" ||
      die "creating computer $HOSTNAME_SIM failed"
    local cdn
    cdn=$(ldbsearch -H "$DIR/private/sam.ldb" "(sAMAccountName=$HOSTNAME_SIM\$)" dn | sed -n 's/^dn: //p')
    # Windows 7 and later write 28 (RC4, AES128, AES256); AES only here, so that the session
    # keys the KDC issues for this host are AES ones.
    printf 'dn: %s\nchangetype: modify\nreplace: msDS-SupportedEncryptionTypes\nmsDS-SupportedEncryptionTypes: 24\nreplace: dNSHostName\ndNSHostName: %s\n' \
      "$cdn" "$HOSTFQDN_SIM" | modify
    # A password of our own gives the computer AES keys derived from it (kvno 2).
    gen_password >"$SECRETS/$HOSTNAME_SIM.pass"; chmod 600 "$SECRETS/$HOSTNAME_SIM.pass"
    set_password "$HOSTNAME_SIM\$" "$SECRETS/$HOSTNAME_SIM.pass"
  fi
  rm -f "$DIR/$HOSTNAME_SIM.keytab"
  samba-tool domain exportkeytab "$DIR/$HOSTNAME_SIM.keytab" -s "$CONF" \
    --principal="HTTP/$HOSTFQDN_SIM" >/dev/null 2>&1 || die "exporting the keytab failed"
  chmod 600 "$DIR/$HOSTNAME_SIM.keytab"

  # A ticket cache of the scanning user, for the KRB5CCNAME path (MIT kinit wrote it).
  rm -f "$DIR/scan.ccache"
  kinit_as "$SCANUSER" "$SECRETS/scan.pass" "FILE:$DIR/scan.ccache" || die "kinit $SCANUSER failed"
}

write_env() {
  cat >"$DIR/env.tmp" <<EOF
# Written by scripts/samba-dc.sh; for tests. Secrets are in files, never here.
TLSREADY_SAMBA_DIR=$DIR
REALM=$REALM
DOMAIN=$DOMAIN
DNS_DOMAIN=$DNSDOMAIN
BASE_DN=$BASEDN
KDC=127.0.0.1:88
KRB5_CONFIG=$KRB5_CONFIG
SCAN_USER=$SCANUSER
SCAN_USER_PRINCIPAL=$SCANUSER@$REALM
SCAN_USER_NT=$DOMAIN\\$SCANUSER
SCAN_PASSWORD_FILE=$SECRETS/scan.pass
SCAN_CCACHE=$DIR/scan.ccache
ADMIN_USER=$DOMAIN\\Administrator
ADMIN_PASSWORD_FILE=$SECRETS/admin.pass
SIM_HOST=$HOSTFQDN_SIM
SIM_HOST_SHORT=$HOSTNAME_SIM
SIM_SPN=HTTP/$HOSTFQDN_SIM
SIM_KEYTAB=$DIR/$HOSTNAME_SIM.keytab
LDAP_URL=ldap://127.0.0.1:389
LDAPS_URL=ldaps://127.0.0.1:636
LDAP_TLS_SERVER_NAME=$DCNAME.$DNSDOMAIN
CA_CERT=$DIR/tls/ca.pem
DC_HOST=$DCNAME.$DNSDOMAIN
EOF
  mv "$DIR/env.tmp" "$DIR/env"
}

case "$cmd" in
  stop) stop_service; exit 0 ;;
  status)
    running || { say "not running"; exit 1; }
    kinit_as Administrator "$SECRETS/admin.pass" MEMORY:probe || { say "running, but the KDC does not answer"; exit 1; }
    say "running (pid $(cat "$PIDFILE")), KDC answers"; exit 0 ;;
esac

install_missing "${PACKAGES[@]}"
for tool in samba samba-tool kinit ldbsearch ldbmodify openssl iconv; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
make_tls
provision
write_krb5_conf
start_dc
wait_kdc
prepare_accounts
write_env
say "ready in $(elapsed) s: $DIR/env"
echo "$DIR/env"
