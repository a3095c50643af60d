#!/usr/bin/env bash
# infra/invoke.sh FN EVENT (`make invoke FN=create-group EVENT=events/create-group.json`):
# run one function's real handler on an event against the local stack, as
# `sam local invoke` does where Docker is available.
#
# Uses the stack in .local/run (DynamoDB ${DDB_PORT:-8000}, moto ${MOTO_PORT:-4566}),
# starting one if none is running. A stack started here is left running, so
# repeated invokes are fast and see the same data; stop it with
# `infra/stack.sh stop .local/run` (or `make clean`).
set -euo pipefail

# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] && [ -n "$1" ] && [ -n "$2" ] ||
  die "usage: make invoke FN=<function dir or LogicalId> EVENT=events/<file>.json"
FN=$1
EVENT=$(abspath "$2")
[ -f "$EVENT" ] || die "event file not found: $2"

STATE="$LOCAL_DIR/run"
cd "$ROOT"
"$ROOT/infra/stack.sh" install
if ! "$ROOT/infra/stack.sh" status "$STATE"; then
  "$ROOT/infra/stack.sh" ensure "$STATE" "${DDB_PORT:-8000}" "${MOTO_PORT:-4566}"
  log "the stack in $STATE stays running; stop it with: infra/stack.sh stop .local/run"
fi

# shellcheck disable=SC1091 # written by stack.sh start
. "$STATE/env"
export TABLE_NAME=${TABLE_NAME:-circles}
exec go run ./infra/local invoke -fn "$FN" -event "$EVENT"
