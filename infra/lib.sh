# infra/lib.sh: helpers shared by the infra/*.sh scripts. Source it, don't run it.
# Written for bash 3.2 (macOS's /bin/bash) as well as newer bash: no
# associative arrays, no ${var,,}, no mapfile.

# Repo root = the parent of this file's directory, wherever we are called from.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL_DIR="$ROOT/.local"
# shellcheck disable=SC2034 # used by the scripts that source this file
VENV="$LOCAL_DIR/venv"

log()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# Absolute path of $1 (which need not exist yet), relative to the current dir.
abspath() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *)  printf '%s/%s\n' "$(pwd)" "$1" ;;
  esac
}

# spawn_group LOG CMD...: start CMD in the background as the leader of a new
# process group (a new session where setsid exists), so that one signal to the
# group later stops CMD and everything it forked (go run -> the built binary,
# the JVM, moto's workers). Ctrl-C in a terminal does not reach the group:
# the caller's trap stops it explicitly. LOG "-" keeps the caller's
# stdout/stderr. Sets SPAWNED_PID (= the group id). Call it directly, not in
# $(...), or the caller could not `wait` for the process.
spawn_group() {
  local out=$1
  shift
  if [ "$out" = "-" ]; then
    if command -v setsid >/dev/null 2>&1; then
      setsid "$@" </dev/null &
    else
      # No setsid (macOS): job control gives a background job its own group.
      set -m; "$@" </dev/null & set +m
    fi
  else
    if command -v setsid >/dev/null 2>&1; then
      setsid "$@" </dev/null >>"$out" 2>&1 &
    else
      set -m; "$@" </dev/null >>"$out" 2>&1 & set +m
    fi
  fi
  # shellcheck disable=SC2034 # read by the caller
  SPAWNED_PID=$!
}

# group_alive PGID: true while any process of the group (or the pid) exists.
group_alive() {
  kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null
}

# kill_group PGID [SIGNAL] [TIMEOUT_S]: signal the whole group, wait up to
# TIMEOUT seconds for it to go away, then SIGKILL whatever is left.
kill_group() {
  local pid=$1 sig=${2:-TERM} timeout=${3:-10} ticks=0
  group_alive "$pid" || return 0
  kill -s "$sig" -- "-$pid" 2>/dev/null || kill -s "$sig" "$pid" 2>/dev/null || true
  while group_alive "$pid"; do
    # A dead child of this shell stays a zombie (and "alive" to kill -0)
    # until reaped; wait returns at once for it, and errors harmlessly for a
    # process that is not our child.
    case "$(ps -o stat= -p "$pid" 2>/dev/null)" in
      Z*) wait "$pid" 2>/dev/null || true ;;
    esac
    if [ "$ticks" -ge $((timeout * 10)) ]; then
      warn "process group $pid still running ${timeout}s after SIG$sig; killing it"
      kill -s KILL -- "-$pid" 2>/dev/null || kill -s KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
    ticks=$((ticks + 1))
  done
}

# free_ports N: print N distinct free TCP ports on 127.0.0.1. The kernel picks
# them (bind to port 0); all N sockets are held at once so they differ.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# port_free PORT: true if nothing listens on 127.0.0.1:PORT (nor 0.0.0.0:PORT).
port_free() {
  python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket()
# Same option the servers use, so a TIME_WAIT leftover does not count as busy.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
PY
}

# http_up URL: true once something answers HTTP at URL (any status code: a
# 400 from DynamoDB Local for an unsigned request still means it is up).
# Proxies from the environment are bypassed: this is loopback.
http_up() {
  python3 - "$1" <<'PY' 2>/dev/null
import sys, urllib.request, urllib.error
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    opener.open(urllib.request.Request(sys.argv[1], data=b"{}", method="POST"), timeout=2)
except urllib.error.HTTPError:
    pass
PY
}

# hash_of FILE... (plus the string in $HASH_SALT): a sha256 used as an
# install stamp, so editing the pinned versions triggers a reinstall.
hash_of() {
  python3 - "$@" <<'PY'
import hashlib, os, sys
h = hashlib.sha256(os.environ.get("HASH_SALT", "").encode())
for p in sys.argv[1:]:
    with open(p, "rb") as f:
        h.update(f.read())
print(h.hexdigest())
PY
}
