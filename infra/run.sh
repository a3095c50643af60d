#!/usr/bin/env bash
# infra/run.sh (`make run`): the whole system on this machine.
#
# First claims http://127.0.0.1:${PORT:-3000} with infra/portgate.py, which
# answers 503 with Retry-After there from the first second, while the local
# runner (infra/local) compiles, the tools install and DynamoDB Local on
# 127.0.0.1:${DDB_PORT:-8000} and moto (SNS/SQS) on 127.0.0.1:${MOTO_PORT:-4566}
# start with their state in .local/run. The runner takes the gate's socket
# over (still 503), creates the table, topic and queues, builds the
# functions, serves the API and prints one line "local: ready: ... in N s".
# The API reference is on /docs (its renderer is installed into .local/docs,
# if npm can).
# Ctrl-C (or TERM) stops everything this script started.
#
# If a stack is already running in .local/run (e.g. left by `make invoke`),
# it is reused and left running afterwards.
# PERSIST=1 keeps the DynamoDB data in .local/data across runs.
set -euo pipefail

# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"

STATE="${RUN_DIR:-$LOCAL_DIR/run}" # RUN_DIR: another state directory (two runs side by side)
STACK="$ROOT/infra/stack.sh"
cd "$ROOT"
# The ready line counts from here.
CIRCLES_RUN_START_MS=$(date +%s%3N 2>/dev/null | grep -x '[0-9]*' || python3 -c 'import time; print(int(time.time()*1000))')
export CIRCLES_RUN_START_MS

OWN_STACK=0
SERVE_PID=""
CLEANED=0
# shellcheck disable=SC2329 # called from the traps below
cleanup() {
  [ "$CLEANED" = 0 ] || return 0
  CLEANED=1
  # Finish the cleanup even if our output is gone (e.g. `make run | tee`
  # whose tee died of the same Ctrl-C): no SIGPIPE, no exit on error.
  trap '' PIPE
  set +e
  if [ -n "$SERVE_PID" ]; then
    # INT first, like Ctrl-C, so the server can shut down cleanly.
    kill_group "$SERVE_PID" INT 10
  fi
  if [ "$OWN_STACK" = 1 ]; then
    log "stopping the local stack"
    "$STACK" stop "$STATE" || true
  fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

if "$STACK" status "$STATE" 2>/dev/null; then
  log "reusing the stack already running in $STATE (it stays up afterwards; stop it with: infra/stack.sh stop .local/run)"
else
  "$STACK" stop "$STATE" # clear what a crashed run left, its env file first
  OWN_STACK=1
fi

export TABLE_NAME=${TABLE_NAME:-circles}
export PORT=${PORT:-3000}
log "starting the local API on http://127.0.0.1:$PORT (table $TABLE_NAME); Ctrl-C stops everything"
log "get a token with: make token USER=alice"

# The gate, and the server it hands its socket to, run in their own process
# group, in the background, so that this script's traps fire at once on a
# signal and stop them with everything they forked (the build, function
# processes). They start before anything else: the port answers 503 until
# the stack's env file appears and the functions are built.
RUNNER="$LOCAL_DIR/bin/circles-local"
mkdir -p "$LOCAL_DIR/bin"
# shellcheck disable=SC2016 # expanded by the inner shell
spawn_group - python3 "$ROOT/infra/portgate.py" "$PORT" \
  sh -c 'go build -o "$1" ./infra/local && exec "$1" serve -env-file "$2"' runner "$RUNNER" "$STATE/env"
SERVE_PID=$SPAWNED_PID
# Fail fast when the port is taken: the gate exits at once then.
for _ in $(seq 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  if ! kill -0 "$SERVE_PID" 2>/dev/null; then
    wait "$SERVE_PID" || exit $?
  fi
  sleep 0.1
done

"$STACK" install
"$ROOT/infra/docs.sh" install ||
  warn "could not install the API reference's renderer; /docs says how (make docs-install)"

if [ "$OWN_STACK" = 1 ]; then
  "$STACK" start "$STATE" "${DDB_PORT:-8000}" "${MOTO_PORT:-4566}"
fi
# shellcheck disable=SC1091 # written by stack.sh start
. "$STATE/env"
log "DynamoDB Local: $AWS_ENDPOINT_URL_DYNAMODB   SNS/SQS (moto): $AWS_ENDPOINT_URL_SNS"
set +e
wait "$SERVE_PID"
rc=$?
set -e
exit "$rc" # the EXIT trap still stops leftovers of the server's group
