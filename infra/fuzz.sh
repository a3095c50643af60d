#!/usr/bin/env bash
# infra/fuzz.sh: run every Go native fuzz target of the repository with -fuzz,
# one after the other, FUZZTIME each (default 30s; go test's syntax: 30s,
# 5m, 10000x). FUZZ=<regexp> picks targets by name.
#
# The targets are found, not listed: every `func FuzzXxx(f *testing.F)` in a
# _test.go file. Their committed seed corpora (testdata/fuzz/FuzzXxx/) run in
# every plain `go test`, so `make test` replays them; this script searches for
# new inputs. An input that fails is written by go test into
# testdata/fuzz/FuzzXxx/: commit it with the fix, and it stays a regression
# test. The targets are pure: no local stack is needed.
#
# Then, as one more target named Schemathesis (FUZZ picks it like the
# others), the schema-driven fuzzing of the whole local API from
# openapi.yaml (infra/contract TestSchemathesisFuzzesTheAPI, which runs for
# API_FUZZ_TIME=50 s in make test) for longer, on a stack this script
# starts and stops:
#   API_FUZZ_TIME      seconds (default 300)
#   API_FUZZ_EXAMPLES  test cases per operation and phase (default 50)
#   API_FUZZ_CHECKS    extra checks (default negative_data_rejection: invalid
#                      requests must be refused; '' for none)
#   API_FUZZ_SEED      a seed to replay a run
set -euo pipefail

# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"

FUZZTIME=${FUZZTIME:-30s}
FUZZ=${FUZZ:-.}
cd "$ROOT"

API_TARGET=Schemathesis
targets=$(grep -rEo --include='*_test.go' --exclude-dir=.local --exclude-dir=.git \
  '^func Fuzz[A-Za-z0-9_]*\(' . | sed -E 's#^\./(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#' | sort -u |
  awk -v pick="$FUZZ" '$2 ~ pick')
api=0
if printf '%s\n' "$API_TARGET" | grep -Eq -- "$FUZZ"; then api=1; fi
[ -n "$targets" ] || [ "$api" = 1 ] || die "no fuzz target matches FUZZ=$FUZZ"

failed=()
count=0
while read -r dir name; do
  count=$((count + 1))
  log "fuzzing $name in ./$dir for $FUZZTIME"
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "./$dir"; then
    failed+=("./$dir $name")
  fi
done < <(printf '%s' "${targets:+$targets
}")

if [ "$api" = 1 ]; then
  count=$((count + 1))
  export API_FUZZ_TIME=${API_FUZZ_TIME:-300} API_FUZZ_EXAMPLES=${API_FUZZ_EXAMPLES:-50}
  export API_FUZZ_CHECKS=${API_FUZZ_CHECKS-negative_data_rejection}
  "$ROOT/infra/stack.sh" install
  STATE=$(mktemp -d "$LOCAL_DIR/fuzz.XXXXXX")
  trap '"$ROOT/infra/stack.sh" stop "$STATE"; rm -rf "$STATE"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  "$ROOT/infra/stack.sh" start "$STATE"
  log "fuzzing the local API from openapi.yaml with Schemathesis for ${API_FUZZ_TIME}s (checks +${API_FUZZ_CHECKS:-none})"
  # shellcheck disable=SC1091 # written by stack.sh start
  if ! (. "$STATE/env" && go test -count=1 -v -run '^TestSchemathesisFuzzesTheAPI$' \
    -timeout "$((API_FUZZ_TIME + 900))s" ./infra/contract); then
    failed+=("./infra/contract $API_TARGET")
  fi
fi

if [ ${#failed[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failed[@]}" >&2
  die "${#failed[@]} of $count fuzz targets found a failing input (Go targets save it under testdata/fuzz/)"
fi
log "$count fuzz targets ran without a failure (Go targets $FUZZTIME each)"
