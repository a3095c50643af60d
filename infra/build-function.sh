#!/usr/bin/env bash
# infra/build-function.sh LOGICAL_ID OUT_DIR
#
# Builds one Lambda function for provided.al2023 as OUT_DIR/bootstrap. `sam
# build` reaches it through the Makefile's build-%Function rule (BuildMethod:
# makefile, ARTIFACTS_DIR as OUT_DIR).
#
# The SAM LogicalId maps back to the function directory: strip the trailing
# "Function", then PascalCase -> kebab-case, e.g.
#   CreateGroupFunction -> functions/create-group
# If that directory does not exist (an acronym or a digit makes the reverse
# mapping ambiguous), the functions/* directory whose PascalCase name equals
# the LogicalId is used, which is exactly how template.yaml names them.
#
# GOARCH defaults to arm64 (the template's architecture).
set -euo pipefail

# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"

# kebab_of LOGICAL_ID: CreateGroupFunction -> create-group.
kebab_of() {
  printf '%s\n' "${1%Function}" |
    sed -E -e 's/([a-z0-9])([A-Z])/\1-\2/g' -e 's/([A-Z]+)([A-Z][a-z])/\1-\2/g' |
    tr '[:upper:]' '[:lower:]'
}

# pascal_of DIR_NAME: create-group -> CreateGroup.
pascal_of() {
  printf '%s\n' "$1" |
    awk -F- '{ s = ""; for (i = 1; i <= NF; i++) s = s toupper(substr($i, 1, 1)) substr($i, 2); print s }'
}

# function_dir LOGICAL_ID: prints the functions/<dir> name, or fails.
function_dir() {
  local id=$1 guess d
  guess=$(kebab_of "$id")
  if [ -d "$ROOT/functions/$guess" ]; then
    printf '%s\n' "$guess"
    return 0
  fi
  for d in "$ROOT"/functions/*/; do
    [ -d "$d" ] || continue
    d=$(basename "$d")
    if [ "$(pascal_of "$d")Function" = "$id" ]; then
      printf '%s\n' "$d"
      return 0
    fi
  done
  return 1
}

main() {
  [ $# -eq 2 ] || die "usage: infra/build-function.sh LOGICAL_ID OUT_DIR (e.g. CreateGroupFunction .aws-sam/build/CreateGroupFunction)"
  local id=$1 out dir
  case "$id" in
    *Function) ;;
    *) die "LogicalId '$id' does not end in 'Function' (see the naming convention in the README)" ;;
  esac
  out=$(abspath "$2")
  dir=$(function_dir "$id") ||
    die "no function directory for $id: expected functions/$(kebab_of "$id")/ (or a functions/* dir whose PascalCase name + 'Function' is $id)"
  [ -f "$ROOT/functions/$dir/main.go" ] || die "functions/$dir has no main.go"
  mkdir -p "$out"
  log "building $id from ./functions/$dir -> $out/bootstrap (linux/${GOARCH:-arm64})"
  cd "$ROOT"
  # norpc: the provided.al2023 runtime talks to the Runtime API, so the
  # legacy RPC server is dead weight. -trimpath/-s -w: reproducible, smaller.
  CGO_ENABLED=0 GOOS=linux GOARCH="${GOARCH:-arm64}" \
    go build -tags lambda.norpc -trimpath -ldflags "-s -w" -o "$out/bootstrap" "./functions/$dir"
}

# `build-function.sh --map LOGICAL_ID` prints the directory name only (for checks).
if [ "${1:-}" = "--map" ]; then
  [ $# -eq 2 ] || die "usage: infra/build-function.sh --map LOGICAL_ID"
  function_dir "$2" || kebab_of "$2"
  exit 0
fi
main "$@"
