#!/usr/bin/env bash
# A Wine prefix in which the Windows build of tlsready runs, for the Windows test of cmd/tlsready
# (cmd_wine_test.go): an independent Windows runtime on a Linux machine.
#
#   scripts/wine.sh [setup] [DIR] [--install]   create the prefix in DIR, add the shim, write DIR/env
#
# DIR defaults to /tmp/tlsready-wine. Nothing is installed unless --install is given: then the
# Debian packages wine wine64 gcc-mingw-w64-x86-64 are (.ci/run installs them itself).
#
# Wine 8.0 (Debian 12) lacks ProcessPrng in bcryptprimitives.dll, which Go 1.24+ Windows binaries
# need to start. scripts/wine/bcryptprimitives.c is a TEST-HARNESS SHIM that provides it over
# Wine's BCryptGenRandom; it is built here with mingw-w64 and copied into the prefix's system32,
# and is no part of tlsready.
#
# DIR/env (KEY=value lines): WINEPREFIX, WINE (the wine binary), WINEDEBUG. Running setup again
# reuses the prefix and rebuilds the shim.
set -euo pipefail

cmd=setup
install=0
args=()
for a in "$@"; do
  case "$a" in
    setup) cmd=$a ;;
    --install) install=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "wine.sh: unknown option $a" >&2; exit 2 ;;
    *) args+=("$a") ;;
  esac
done
DIR=${args[0]:-/tmp/tlsready-wine}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
SRC=$(cd "$(dirname "$0")/wine" && pwd)
start_time=$(date +%s)
say() { echo "wine: $*" >&2; }
die() { say "$*"; exit 1; }

if [ "$install" = 1 ]; then
  missing=()
  for p in wine wine64 gcc-mingw-w64-x86-64; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >"$DIR/apt.log" 2>&1 || die "apt-get update failed, see $DIR/apt.log"
    apt-get install -y -qq "${missing[@]}" >>"$DIR/apt.log" 2>&1 || die "apt-get install failed, see $DIR/apt.log"
  fi
fi

WINE=$(command -v wine64 || command -v wine || true)
[ -n "$WINE" ] || die "no wine64 or wine on PATH (install wine wine64, or pass --install)"
command -v x86_64-w64-mingw32-gcc >/dev/null || die "no x86_64-w64-mingw32-gcc (install gcc-mingw-w64-x86-64)"

export WINEPREFIX=$DIR/prefix WINEDEBUG=-all WINEARCH=win64
# Console programs only: no display, no Mono or Gecko installer prompts.
export WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
unset DISPLAY
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  say "creating the prefix $WINEPREFIX"
  timeout 180 "$WINE" wineboot -i >"$DIR/wineboot.log" 2>&1 || die "wineboot -i failed, see $DIR/wineboot.log"
fi
timeout 60 "$(dirname "$WINE")/wineserver" -w 2>/dev/null || true
SYS32=$WINEPREFIX/drive_c/windows/system32
[ -d "$SYS32" ] || die "no $SYS32 after wineboot, see $DIR/wineboot.log"

x86_64-w64-mingw32-gcc -shared -O2 -o "$DIR/bcryptprimitives.dll" "$SRC/bcryptprimitives.c" \
  "$SRC/bcryptprimitives.def" -lbcrypt || die "building the ProcessPrng shim failed"
cp "$DIR/bcryptprimitives.dll" "$SYS32/bcryptprimitives.dll"
# Wine has a builtin bcryptprimitives.dll (without ProcessPrng) that it prefers: load the shim.
timeout 60 "$WINE" reg add 'HKCU\Software\Wine\DllOverrides' /v bcryptprimitives /d native /f >>"$DIR/wineboot.log" 2>&1 \
  || die "setting the DLL override failed, see $DIR/wineboot.log"
timeout 60 "$(dirname "$WINE")/wineserver" -w 2>/dev/null || true

cat >"$DIR/env" <<ENV
WINEPREFIX=$WINEPREFIX
WINE=$WINE
WINEDEBUG=-all
ENV
say "ready in $(( $(date +%s) - start_time )) s: $DIR/env"
