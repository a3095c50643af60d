#!/usr/bin/env bash
# infra/test.sh [test|bench]: run the Go tests (or benchmarks) against a real
# local stack that this command starts, uses and stops itself.
#
#   test  (default; `make test`, .ci/run):
#         sam validate --lint on template.yaml, go vet ./..., then
#         go test -race -count=1 -timeout 15m, in two lanes of packages that
#         run at once, each against its own stack (go_test_lanes)
#   bench (`make bench`): go test -run '^$' -bench . -benchmem ./...
#
# Each run gets its own stack on free ports in a fresh .local/test.* state dir,
# so several runs can go on at once in one tree. The state dir (server logs)
# is removed on success and kept on failure.
# Extra arguments after the mode go to `go test` (e.g. infra/test.sh test -run TestX).
set -euo pipefail

# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"

MODE=${1:-test}
[ $# -gt 0 ] && shift
case "$MODE" in
  test | bench) ;;
  *) die "usage: infra/test.sh [test|bench] [go test flags...]" ;;
esac

cd "$ROOT"
log "installing the local stack if needed (.local/)"
"$ROOT/infra/stack.sh" install

STATE=$(mktemp -d "$LOCAL_DIR/test.XXXXXX")
STATUS=1
cleanup() {
  # Finish even if our output is gone (a piped tee killed by the same Ctrl-C).
  trap '' PIPE
  set +e
  "$ROOT/infra/stack.sh" stop "$STATE/a"
  "$ROOT/infra/stack.sh" stop "$STATE/b"
  if [ "$STATUS" -eq 0 ]; then
    rm -rf "$STATE"
  else
    log "server logs kept in $STATE"
  fi
}
trap cleanup EXIT
# Turn Ctrl-C / TERM into a normal exit so the EXIT trap stops the stack.
trap 'exit 130' INT
trap 'exit 143' TERM

# Two stacks: DynamoDB Local serializes its work on one database, so the
# packages run in two lanes, each against its own stack (see go_test_lanes).
log "starting two throwaway stacks (DynamoDB Local + moto) in $STATE"
"$ROOT/infra/stack.sh" start "$STATE/a"
"$ROOT/infra/stack.sh" start "$STATE/b"
# shellcheck disable=SC1091 # written by stack.sh start
. "$STATE/a/env"
log "AWS endpoints: DynamoDB $AWS_ENDPOINT_URL_DYNAMODB, SNS/SQS $AWS_ENDPOINT_URL_SNS (lane b: $(sed -n 's/^export AWS_ENDPOINT_URL_DYNAMODB=//p' "$STATE/b/env"))"

# The race detector needs cgo and a C compiler; a machine without one still
# runs the tests, just without -race.
race_flag() {
  if [ "$(go env CGO_ENABLED)" = 1 ] && command -v "$(go env CC)" >/dev/null 2>&1; then
    echo -race
  else
    warn "no C compiler for cgo: running the tests without -race"
  fi
}

# go_test_lanes FLAGS...: go test every package, in two lanes that run at
# once, each against its own stack: lane a takes the packages in LANE_A (the
# heaviest users of DynamoDB), lane b the rest. Each lane's output is
# printed when it ends.
LANE_A=${LANE_A:-"shared/group shared/role"}
go_test_lanes() {
  local pkgs_a=() pkgs_b=() pkg rel rc_a=0 rc_b=0
  while read -r pkg; do
    rel=${pkg#github.com/circles-im/circles/}
    if [[ " $LANE_A " == *" $rel "* ]]; then pkgs_a+=("$pkg"); else pkgs_b+=("$pkg"); fi
  done < <(go list ./...)
  (
    # shellcheck disable=SC1091 # written by stack.sh start
    . "$STATE/a/env"
    [ ${#pkgs_a[@]} -eq 0 ] || go test "$@" "${pkgs_a[@]}"
  ) >"$STATE/lane-a.log" 2>&1 &
  local pid_a=$!
  (
    # shellcheck disable=SC1091 # written by stack.sh start
    . "$STATE/b/env"
    go test "$@" "${pkgs_b[@]}"
  ) >"$STATE/lane-b.log" 2>&1 || rc_b=$?
  wait "$pid_a" || rc_a=$?
  log "lane b (${#pkgs_b[@]} packages):"
  cat "$STATE/lane-b.log"
  log "lane a (${LANE_A}):"
  cat "$STATE/lane-a.log"
  [ "$rc_a" -eq 0 ] && [ "$rc_b" -eq 0 ]
}

FAILED=""
step() { # step NAME CMD...: run one step, remember failures, keep going.
  local name=$1
  shift
  log "$name: $*"
  if "$@"; then
    log "$name: ok"
  else
    FAILED="$FAILED $name"
    printf 'error: %s failed\n' "$name" >&2
  fi
}

if [ "$MODE" = test ]; then
  if [ -f template.yaml ]; then
    export SAM_CLI_TELEMETRY=0
    step "sam validate" "$VENV/bin/sam" validate --lint --template template.yaml
  else
    log "sam validate: skipped, template.yaml does not exist yet"
  fi
  step "go vet" go vet ./...
  # shellcheck disable=SC2046 # race_flag prints zero or one word
  step "go test" go_test_lanes $(race_flag) -count=1 -timeout 15m "$@"
else
  step "go bench" go test -run '^$' -bench . -benchmem -timeout 30m "$@" ./...
fi

if [ -n "$FAILED" ]; then
  printf 'error: failed:%s\n' "$FAILED" >&2
  exit 1
fi
STATUS=0
log "all passed"
