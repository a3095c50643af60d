#!/usr/bin/env bash
# infra/package.sh (`make package`): build every function the way a
# deployment does, with `sam build` and the template's makefile builds (no
# Docker), then check that each artifact is a static linux/arm64 bootstrap
# (infra/packagecheck).
#
# --build-in-source: SAM CLI otherwise copies each function's CodeUri (the
# repository root, with its multi-GB .local/) into a scratch directory per
# function before running make. No --parallel: each go build already uses
# every core, and 54 of them at once thrash a small machine.
set -euo pipefail

# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"

cd "$ROOT"
"$ROOT/infra/stack.sh" install
BUILD_DIR=${BUILD_DIR:-$ROOT/.aws-sam/build}
start=$(date +%s)
log "sam build --build-in-source -> $BUILD_DIR"
SAM_CLI_TELEMETRY=0 AWS_REGION=${AWS_REGION:-us-east-1} \
  .local/venv/bin/sam build --template-file template.yaml --build-dir "$BUILD_DIR" --build-in-source
go run ./infra/packagecheck "$BUILD_DIR"
log "make package took $(($(date +%s) - start)) s"
