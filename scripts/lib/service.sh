# Shared by scripts/samba-dc.sh and scripts/slapd.sh, which source it after setting:
#   SERVICE       name in messages ("samba-dc")
#   DEFAULT_DIR   state folder when none is given ("/tmp/tlsready-samba")
#   NO_INSTALL    environment variable that means --no-install ("TLSREADY_SAMBA_NO_INSTALL")
# It reads the command line (start|stop|status, --no-install, -h, [DIR]) into cmd, install and
# DIR (created, absolute), sets start_time, and defines say, die (with the last lines of $LOG
# when the script set LOG), elapsed, running and stop_service (both on $PIDFILE), and
# install_missing PACKAGE...

cmd=start
install=1
args=()
for a in "$@"; do
  case "$a" in
    start|stop|status) cmd=$a ;;
    --no-install) install=0 ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "$(basename "$0"): unknown option $a" >&2; exit 2 ;;
    *) args+=("$a") ;;
  esac
done
[ "${!NO_INSTALL:-0}" = 1 ] && install=0
DIR=${args[0]:-$DEFAULT_DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
start_time=$(date +%s.%N)

say() { echo "$SERVICE: $*" >&2; }
die() { say "$*"; [ -n "${LOG:-}" ] && [ -f "$LOG" ] && { say "last lines of $LOG:"; tail -n 20 "$LOG" >&2; }; exit 1; }
elapsed() { awk -v s="$start_time" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}'; }
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

# stop_service: TERM, up to 10 s, then KILL.
stop_service() {
  if running; then
    local pid; pid=$(cat "$PIDFILE")
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    say "stopped (pid $pid)"
  else
    say "not running"
  fi
  rm -f "$PIDFILE"
}

# install_missing PACKAGE...: apt-get install those not installed (unless --no-install).
install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$install" = 0 ] && die "missing packages: ${missing[*]} (and --no-install / $NO_INSTALL=1 given)"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$DIR/apt.log" 2>&1 || die "apt-get update failed, see $DIR/apt.log"
  apt-get install -y -qq "${missing[@]}" >>"$DIR/apt.log" 2>&1 || die "apt-get install failed, see $DIR/apt.log"
}
