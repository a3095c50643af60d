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
set -euo pipefail

# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"

FUZZTIME=${FUZZTIME:-30s}
FUZZ=${FUZZ:-.}
cd "$ROOT"

targets=$(grep -rEo --include='*_test.go' --exclude-dir=.local --exclude-dir=.git \
  '^func Fuzz[A-Za-z0-9_]*\(' . | sed -E 's#^\./(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#' | sort -u |
  awk -v pick="$FUZZ" '$2 ~ pick')
[ -n "$targets" ] || die "no fuzz target matches FUZZ=$FUZZ"

failed=()
count=0
while read -r dir name; do
  count=$((count + 1))
  log "fuzzing $name in ./$dir for $FUZZTIME"
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "./$dir"; then
    failed+=("./$dir $name")
  fi
done <<<"$targets"

if [ ${#failed[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failed[@]}" >&2
  die "${#failed[@]} of $count fuzz targets found a failing input (saved under testdata/fuzz/)"
fi
log "$count fuzz targets ran $FUZZTIME each without a failure"
