#!/usr/bin/env bash
# infra/docs.sh: the API reference's tools.
#
#   infra/docs.sh install   swagger-ui-dist (npm) into .local/docs, if missing;
#                           `make run` calls it and starts anyway if npm fails
#   infra/docs.sh check     `make docs-check`: serve /docs, open it in headless
#                           Chromium, screenshot it into .local/docs/docs.png,
#                           and fail if it renders no operation or the browser
#                           reports an error
#
# check installs what it lacks: Debian's chromium package (apt-get, into the
# system) and puppeteer-core (npm, into .local/docs), which drives that
# Chromium; it downloads no browser of its own.
set -euo pipefail

# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"

DOCS="$LOCAL_DIR/docs"
# Pinned; bump deliberately.
SWAGGER_UI_VERSION=5.35.0
PUPPETEER_CORE_VERSION=25.16.0

npm_install() { # npm_install PACKAGE VERSION
  local pkg=$1 version=$2 have
  have=$(node -p "require('$DOCS/node_modules/$pkg/package.json').version" 2>/dev/null || true)
  [ "$have" = "$version" ] && return 0
  command -v npm >/dev/null 2>&1 || die "npm is not installed (Debian: apt-get install npm)"
  log "installing $pkg@$version from npm into .local/docs"
  mkdir -p "$DOCS"
  # Saved into .local/docs/package.json, so one install keeps the others.
  # --ignore-scripts: neither package needs an install script (swagger-ui-dist's
  # only one reports analytics).
  npm install --prefix "$DOCS" --save-exact --ignore-scripts --no-audit --no-fund --loglevel=error \
    --fetch-timeout=20000 --fetch-retries=1 \
    "$pkg@$version" >&2
}

cmd_install() {
  npm_install swagger-ui-dist "$SWAGGER_UI_VERSION"
}

chromium_bin() {
  command -v chromium || command -v chromium-browser || true
}

cmd_check() {
  cmd_install
  npm_install puppeteer-core "$PUPPETEER_CORE_VERSION"
  if [ -z "$(chromium_bin)" ]; then
    command -v apt-get >/dev/null 2>&1 || die "Chromium is missing and this is no Debian system: install chromium and rerun"
    log "installing Debian's chromium package (apt-get, into the system)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  fi
  local port pid rc=0
  port=$(free_ports 1)
  cd "$ROOT"
  spawn_group "$DOCS/server.log" go run ./infra/local docs -port "$port"
  pid=$SPAWNED_PID
  # shellcheck disable=SC2064 # expand pid now
  trap "kill_group $pid TERM 5" EXIT
  NODE_PATH="$DOCS/node_modules" CHROMIUM="$(chromium_bin)" \
    node "$ROOT/infra/docs-check.cjs" "http://127.0.0.1:$port" "$DOCS/docs.png" || rc=$?
  [ "$rc" = 0 ] || { log "server log:"; tail -20 "$DOCS/server.log" >&2; }
  return "$rc"
}

case "${1:-}" in
  install) cmd_install ;;
  check) cmd_check ;;
  *) die "usage: infra/docs.sh install|check" ;;
esac
