#!/usr/bin/env bash
# infra/test.sh [test|bench|scale]: run the Go tests (or benchmarks) against a real
# local stack that this command starts, uses and stops itself.
#
#   test  (default; `make test`, .ci/run):
#         go vet ./... and `local build` (the functions) while the tools
#         install, then go test -count=1 -timeout 15m in lanes of packages
#         that run at once, each against its own stack (LANES,
#         go_test_lanes), and beside them sam validate --lint on
#         template.yaml, go mod tidy -diff and staticcheck ./... (pinned in
#         infra/stack.sh). All of it with GOFLAGS=-race where cgo works.
#   bench (`make bench`): go test -p 1 -run '^$' -bench . -benchmem ./..., then
#         infra/package.sh (sam build and the artifact check)
#   scale (`make test-scale`): the fan-out and inbox acceptance tests at the
#         sizes of their criteria (CIRCLES_FULL_SCALE=1), about 10 minutes
#         (most of it DynamoDB Local's TTL sweeper); make test runs them smaller
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
  test | bench | scale) ;;
  *) die "usage: infra/test.sh [test|bench|scale] [go test flags...]" ;;
esac

cd "$ROOT"
mkdir -p "$LOCAL_DIR"
STATE=$(mktemp -d "$LOCAL_DIR/test.XXXXXX")
STATUS=1

# The packages run in lanes at once, each lane against its own stack. One
# DynamoDB Local serializes its work and slows down as tables come and go
# (the same package ran 2x slower on an instance that had served one run
# before), so the heavy packages get a fresh instance each. LANES lists the
# lanes' packages, ';' between lanes; the last lane takes every package not
# listed.
LANES=${LANES:-"shared/group;shared/store;shared/notification;infra/contract;shared/channel"}
IFS=';' read -r -a LANE_PKGS <<<"$LANES"
LANE_COUNT=$((${#LANE_PKGS[@]} + 1))
[ "$MODE" = test ] || LANE_COUNT=1 # the other modes use one stack

# Background work of test mode, stopped on an early exit with all it
# started: the compile and the staticcheck install (each the leader of its
# own process group, spawn_group) and the test lanes (a subshell of this
# one: kill_tree).
PREP="" TOOLS="" TESTS=""
# kill_tree PID: SIGTERM to PID and, first, to all its descendants.
kill_tree() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do
    kill_tree "$child"
  done
  kill "$1" 2>/dev/null || true
}

cleanup() {
  # Finish even if our output is gone (a piped tee killed by the same Ctrl-C).
  trap '' PIPE
  set +e
  local i pid
  [ -z "$TESTS" ] || kill_tree "$TESTS"
  for pid in $PREP $TOOLS; do
    kill_group "$pid" TERM 10
  done
  for ((i = 0; i < LANE_COUNT; i++)); do
    "$ROOT/infra/stack.sh" stop "$STATE/lane$i"
  done
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

# The race detector needs cgo and a C compiler; a machine without one still
# runs the tests, just without -race.
race_flag() {
  if [ "$(go env CGO_ENABLED)" = 1 ] && command -v "$(go env CC)" >/dev/null 2>&1; then
    echo -race
  else
    warn "no C compiler for cgo: running the tests without -race"
  fi
}

if [ "$MODE" = test ]; then
  # Every go command of the run builds with the race detector (GOFLAGS):
  # go vet, go test and the function binaries the tests deploy then share
  # one compile of every package, where a plain go vet and plain functions
  # compiled everything a second time (about 130 s of CPU on a cold cache,
  # which CI always has). So the functions run in the tests under the
  # detector too, and a race in one fails its request (halt_on_error).
  RACE=$(race_flag)
  if [ -n "$RACE" ]; then
    export GOFLAGS="${GOFLAGS:+$GOFLAGS }$RACE"
    export GORACE="${GORACE:+$GORACE }halt_on_error=1"
  fi
  # The compile runs while the tools install (mostly downloads): go vet
  # compiles every package the tests import, then local build links the
  # functions into .local/buildcache, where the tests' deployments look.
  spawn_group - bash -c '
    go vet ./... >"$1/vet.log" 2>&1
    echo $? >"$1/vet.rc"
    go run ./infra/local build >"$1/build.log" 2>&1
    echo $? >"$1/build.rc"' prep "$STATE"
  PREP=$SPAWNED_PID
fi

log "installing the local stack if needed (.local/)"
if [ "$MODE" = test ]; then
  # staticcheck installs beside the servers and the stacks start without
  # it: only the staticcheck step waits for it.
  spawn_group "$STATE/staticcheck-install.log" "$ROOT/infra/stack.sh" install staticcheck
  TOOLS=$SPAWNED_PID
fi
"$ROOT/infra/stack.sh" install servers

if [ "$MODE" = test ]; then
  # Six JVMs share the machine with the tests: the serial collector and
  # the first JIT tier only. On shared/store alone DynamoDB Local then used
  # 18-21 s of CPU instead of 31-37 s, in about the same wall time.
  export DDB_JAVA_OPTS="${DDB_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
fi
log "starting $LANE_COUNT throwaway stacks (DynamoDB Local + moto) in $STATE"
# At once: each waits seconds for its JVM and Python to answer. (A port
# picked by two at once makes one of them retry on others.)
STARTS=()
for ((i = 0; i < LANE_COUNT; i++)); do
  "$ROOT/infra/stack.sh" start "$STATE/lane$i" &
  STARTS+=($!)
done
for pid in "${STARTS[@]}"; do
  wait "$pid" || die "a local stack did not start (logs in $STATE)"
done
# shellcheck disable=SC1091 # written by stack.sh start
. "$STATE/lane0/env"
log "AWS endpoints (lane 0): DynamoDB $AWS_ENDPOINT_URL_DYNAMODB, SNS/SQS $AWS_ENDPOINT_URL_SNS"

# go_test_lanes FLAGS...: go test every package, in LANE_COUNT lanes that
# run at once, each against its own stack (see LANES). Each lane's output is
# printed when it ends.
go_test_lanes() {
  local pkg rel i listed rc=0 pids=()
  local -a lane=() names=()
  while read -r pkg; do
    rel=${pkg#github.com/circles-im/circles/}
    listed=$((LANE_COUNT - 1))
    for ((i = 0; i < LANE_COUNT - 1; i++)); do
      if [[ " ${LANE_PKGS[$i]} " == *" $rel "* ]]; then listed=$i; fi
    done
    lane[listed]="${lane[listed]:-} $pkg"
    names[listed]="${names[listed]:-} $rel"
  done < <(go list ./...)
  for ((i = 0; i < LANE_COUNT; i++)); do
    (
      # shellcheck disable=SC1090,SC1091 # written by stack.sh start
      . "$STATE/lane$i/env"
      # shellcheck disable=SC2086 # the lane's packages, one word each
      [ -z "${lane[i]:-}" ] || go test "$@" ${lane[i]}
    ) >"$STATE/lane$i.log" 2>&1 &
    pids+=($!)
  done
  for ((i = 0; i < LANE_COUNT; i++)); do
    wait "${pids[i]}" || rc=1
    if ((i < LANE_COUNT - 1)); then log "lane $i:${names[i]:-}"; else log "lane $i: the other packages"; fi
    cat "$STATE/lane$i.log"
  done
  return "$rc"
}

FAILED=""
step() { # step NAME CMD...: run one step, remember failures, keep going.
  local name=$1
  shift
  log "$name: $*"
  local start=$SECONDS
  if "$@"; then
    log "$name: ok ($((SECONDS - start)) s; $SECONDS s in all)"
  else
    FAILED="$FAILED $name"
    printf 'error: %s failed (%d s)\n' "$name" "$((SECONDS - start))" >&2
  fi
}

if [ "$MODE" = test ]; then
  # The lanes start once the background compile is done, so that they link
  # instead of compiling the same packages again beside it.
  PREP_START=$SECONDS
  wait "$PREP" || true
  PREP=""
  log "compile (go vet, local build): done ($((SECONDS - PREP_START)) s waited; $SECONDS s in all)"
  staticcheck() { # its install first (started beside the servers')
    local rc=0
    wait "$TOOLS" || rc=$?
    TOOLS=""
    if [ "$rc" != 0 ]; then
      cat "$STATE/staticcheck-install.log"
      return "$rc"
    fi
    "$LOCAL_DIR/bin/staticcheck" ./...
  }
  report() { # report FILE: the background step's output, and its status
    cat "$STATE/$1.log"
    [ "$(cat "$STATE/$1.rc" 2>/dev/null)" = 0 ]
  }
  # The tests start first and the static checks run beside them: the lanes
  # spend much of their time waiting on DynamoDB Local and the pipeline, and
  # the checks would otherwise add their minute to the wall time.
  TEST_START=$SECONDS
  go_test_lanes -count=1 -timeout 15m "$@" >"$STATE/go-test.log" 2>&1 &
  TESTS=$!
  step "go vet" report vet
  step "local build" report build
  if [ -f template.yaml ]; then
    export SAM_CLI_TELEMETRY=0
    step "sam validate" "$VENV/bin/sam" validate --lint --template template.yaml
  else
    log "sam validate: skipped, template.yaml does not exist yet"
  fi
  step "go mod tidy" go mod tidy -diff
  step "staticcheck" staticcheck
  log "go test: go_test_lanes -count=1 -timeout 15m $* (GOFLAGS=${GOFLAGS:-})"
  TESTS_RC=0
  wait "$TESTS" || TESTS_RC=$?
  TESTS=""
  if [ "$TESTS_RC" = 0 ]; then
    cat "$STATE/go-test.log"
    log "go test: ok ($((SECONDS - TEST_START)) s; $SECONDS s in all)"
  else
    cat "$STATE/go-test.log"
    FAILED="$FAILED go test"
    printf 'error: go test failed (%d s)\n' "$((SECONDS - TEST_START))" >&2
  fi
elif [ "$MODE" = scale ]; then
  # shellcheck disable=SC2046 # race_flag is one word or none
  step "go test (full scale)" env CIRCLES_FULL_SCALE=1 go test $(race_flag) -count=1 -timeout 45m -v \
    -run 'TestAnApplicationReachesEachOf10000|TestSixThousandUser|TestAConsumerGivenAThreeSecond|TestInboxEntriesPastTheirRetention|TestTheInboxTablesTTLDeletes' \
    "$@" ./shared/notification/ ./shared/store/
else
  # -p 1: one package's benchmarks at a time, so that the cold starts are
  # not measured beside the cost table's 100,000-member loads.
  step "go bench" go test -p 1 -run '^$' -bench . -benchmem -timeout 30m "$@" ./...
  # sam build of every function and the check of its artifact (make
  # package): about a minute warm, too long to add to make test's budget.
  step "make package" "$ROOT/infra/package.sh"
fi

if [ -n "$FAILED" ]; then
  printf 'error: failed:%s\n' "$FAILED" >&2
  exit 1
fi
STATUS=0
log "all passed"
